"""The quads a focus-node validation needs: a small store that validates like the whole one.

A write is checked by validating the affected focus nodes (bricskg.validation.focus) -- but
against what? Copying the whole store is what a write must never cost; copying too little makes a
conforming write fail (a claim record whose named graph was not copied looks empty; a bloc whose
memberships were not all copied fails its membership count). This module derives what to copy from
what the shapes look at, starting from each focus node:

* forward: the node's own quads (in every graph, so ``GRAPH`` rules see where they are), those of
  the nodes they point at (``sh:class`` on a value needs the value's ``rdf:type``), and beyond that,
  up to ``FORWARD_HOPS`` deep, only along the predicates of sequence paths and SPARQL rules (claim
  -> text segment -> selector -> ``oa:exact``): following everything from a hub reaches the store;
* backward: the quads pointing at the node with a predicate some shape follows backwards
  (``sh:inversePath``: a bloc's ``^org:organization`` count, an article's ``^oa:hasSource``
  segments) and what those referrers say
  (``REFERRER_HOPS`` deep, for the ``sh:class`` of an inverse path's values);
* graphs: the records of the named graphs the node's quads are in (a forecast's amount must be
  stated in a claim graph whose record says *forecast*), and the content of the node's own graph
  when the node names one the shapes target (a claim record's graph must not be empty);
* siblings: for the predicates a SPARQL rule compares across nodes -- declared on the rule with
  ``bkgsh:comparesNodesSharing`` (unique state codes, one membership per state and bloc, segments of
  one source in order) -- the other nodes with the same value, and what they say;
* for a graph a shape targets by name (``sh:targetNode graph:reference``), one of its quads: its
  rules ask whether it holds anything (a reference graph with content names its source);
* the ontology graph, whose rdfs:subClassOf triples SHACL's class targets and sh:class follow.

The source is anything with the read methods of bricskg's ``WritableBackend``
(``quads_about``, ``quads_referring_to``, ``graph_quads``, ``graph_names``) -- the writer's target --
or a plain pyoxigraph Store; ``after_change`` shows a source as it will be once a delta is applied,
without applying it.
"""

from __future__ import annotations

import functools
import itertools
import re
from typing import Any, Iterable, Iterator, Protocol

import pyoxigraph as ox
import rdflib
from rdflib.collection import Collection

from bricskg.config import BASE_IRI
from bricskg.dataset import ONTOLOGY_GRAPH
from bricskg.validation.shapes_graph import load
from bricskg.validation.terms import to_ox

COMPARES_NODES_SHARING = rdflib.URIRef(BASE_IRI + "shapes/comparesNodesSharing")
RDF_TYPE = ox.NamedNode(str(rdflib.RDF.type))
FORWARD_HOPS = 3  # focus -> value -> value's value: the longest path a shape follows is 3 steps
REFERRER_HOPS = 2  # a referrer and what it points at (its members, its organisation, their types)
SIBLING_HOPS = 2  # a sibling segment and its selectors (their offsets)


class QuadSource(Protocol):
    """The read side of a writable backend (bricskg.store.base.WritableBackend)."""

    def quads_about(self, nodes: list) -> Iterator[ox.Quad]: ...

    def quads_referring_to(self, nodes: list) -> Iterator[ox.Quad]: ...

    def graph_quads(self, graphs: list) -> Iterator[ox.Quad]: ...

    def graph_names(self) -> set: ...


class StoreSource:
    """A pyoxigraph Store seen through the QuadSource methods."""

    def __init__(self, store: ox.Store):
        self.store = store

    def quads_about(self, nodes: list) -> Iterator[ox.Quad]:
        for node in nodes:
            if not isinstance(node, ox.Literal):
                yield from self.store.quads_for_pattern(node, None, None, None)

    def quads_referring_to(self, nodes: list) -> Iterator[ox.Quad]:
        for node in nodes:
            yield from self.store.quads_for_pattern(None, None, node, None)

    def graph_quads(self, graphs: list) -> Iterator[ox.Quad]:
        for graph in graphs:
            yield from self.store.quads_for_pattern(None, None, None, graph)

    def graph_names(self) -> set:
        return set(self.store.named_graphs())

    def has_graph(self, name) -> bool:
        return self.store.contains_named_graph(name)


def has_graph(source, name) -> bool:
    """Whether ``source`` holds a named graph ``name``, without listing every graph (at a million
    triples there are a hundred thousand claim graphs, and a write asks about a handful)."""
    if hasattr(source, "has_graph"):
        return source.has_graph(name)
    store = getattr(source, "store", None)
    if isinstance(store, ox.Store):  # the embedded write target
        return store.contains_named_graph(name)
    return name in source.graph_names()


class AfterChange:
    """``source`` as it will read once ``removed`` quads are gone and ``inserted`` ones are there."""

    def __init__(self, source: QuadSource, inserted: Iterable[ox.Quad], removed: Iterable[ox.Quad],
                 created_graphs: Iterable[Any] = (), dropped_graphs: Iterable[Any] = ()):
        self.source = source
        self.inserted = set(inserted)
        self.removed = set(removed) - self.inserted
        self.created = set(created_graphs)
        self.dropped = set(dropped_graphs)

    def _merge(self, stored: Iterable[ox.Quad], keep) -> Iterator[ox.Quad]:
        for quad in stored:
            if quad not in self.removed and quad not in self.inserted:
                yield quad
        yield from (quad for quad in self.inserted if keep(quad))

    def quads_about(self, nodes: list) -> Iterator[ox.Quad]:
        wanted = set(nodes)
        return self._merge(self.source.quads_about(nodes), lambda q: q.subject in wanted)

    def quads_referring_to(self, nodes: list) -> Iterator[ox.Quad]:
        wanted = set(nodes)
        return self._merge(self.source.quads_referring_to(nodes), lambda q: q.object in wanted)

    def graph_quads(self, graphs: list) -> Iterator[ox.Quad]:
        wanted = set(graphs)
        return self._merge(self.source.graph_quads(graphs), lambda q: q.graph_name in wanted)

    def has_graph(self, name) -> bool:
        if name in self.dropped or isinstance(name, ox.DefaultGraph):
            return False
        return name in self.created or any(q.graph_name == name for q in self.inserted) or has_graph(self.source, name)

    def graph_names(self) -> set:
        names = (set(self.source.graph_names()) | self.created | {q.graph_name for q in self.inserted}) - self.dropped
        return {name for name in names if not isinstance(name, ox.DefaultGraph)}


def after_change(source: QuadSource | ox.Store, inserted: Iterable[ox.Quad], removed: Iterable[ox.Quad],
                 created_graphs: Iterable[Any] = (), dropped_graphs: Iterable[Any] = ()) -> AfterChange:
    """The state a write would leave, read through ``source`` without changing it."""
    return AfterChange(_as_source(source), inserted, removed, created_graphs, dropped_graphs)


def sibling_predicates(shapes_directory=None) -> frozenset[ox.NamedNode]:
    return _sibling_predicates(load(shapes_directory))


@functools.lru_cache(maxsize=4)
def _sibling_predicates(loaded) -> frozenset[ox.NamedNode]:
    """The predicates SPARQL rules compare across nodes (``bkgsh:comparesNodesSharing``)."""
    graph = loaded.graph
    return frozenset(ox.NamedNode(str(p)) for p in graph.objects(None, COMPARES_NODES_SHARING))


def chain_predicates(shapes_directory=None) -> frozenset[ox.NamedNode]:
    return _chain_predicates(load(shapes_directory))


@functools.lru_cache(maxsize=4)
def _chain_predicates(loaded) -> frozenset[ox.NamedNode]:
    """The predicates shapes follow *beyond* a focus node's own values: the steps of sequence paths
    and every IRI a SPARQL constraint names (``prov:wasDerivedFrom/oa:hasSelector/oa:exact``, ...).
    Following every predicate 3 hops from a hub reaches the whole store."""
    graph = loaded.graph
    prefixes = {str(graph.value(d, rdflib.SH.prefix)): str(graph.value(d, rdflib.SH.namespace))
                for d in graph.objects(None, rdflib.SH.declare)}
    found: set[str] = set()
    for path in graph.objects(None, rdflib.SH.path):
        if (path, rdflib.RDF.first, None) in graph:
            found.update(str(step) for step in Collection(graph, path) if isinstance(step, rdflib.URIRef))
    for text in graph.objects(None, rdflib.SH.select):
        found.update(re.findall(r"<([^<>\s]+)>", str(text)))
        for prefix, local in re.findall(r"(?<![\w?$<])([A-Za-z][\w-]*):([A-Za-z_][\w-]*)", str(text)):
            if prefix in prefixes:
                found.add(prefixes[prefix] + local)
    return frozenset(ox.NamedNode(iri) for iri in found)


def inverse_predicates(shapes_directory=None) -> frozenset[ox.NamedNode]:
    return _inverse_predicates(load(shapes_directory))


@functools.lru_cache(maxsize=4)
def _inverse_predicates(loaded) -> frozenset[ox.NamedNode]:
    """The predicates shapes follow backwards (``sh:inversePath``): only those referrers matter.
    (Taking every referrer would copy half the store for a hub such as a modality concept.)"""
    graph = loaded.graph
    return frozenset(ox.NamedNode(str(p)) for p in graph.objects(None, rdflib.SH.inversePath)
                     if isinstance(p, rdflib.URIRef))


def context_store(
    source: QuadSource | ox.Store,
    focus_nodes: Iterable[rdflib.term.Node | ox.NamedNode | ox.BlankNode],
    *,
    shapes_directory=None,
) -> ox.Store:
    """A new Store holding every quad of ``source`` that validating ``focus_nodes`` can look at:
    validating those nodes on it gives the same report as on the whole of ``source``."""
    source = _as_source(source)
    shapes = load(shapes_directory)
    siblings_of = sibling_predicates(shapes_directory)
    chains = chain_predicates(shapes_directory)
    focus = named_focus(source, [_ox(node) for node in focus_nodes])
    collected: set[ox.Quad] = set()

    def describe(nodes: Iterable[Any], hops: int) -> list[ox.Quad]:
        """The quads of ``nodes`` and of what they point at, ``hops`` levels deep."""
        seen: set[Any] = set()
        frontier = {n for n in nodes if not isinstance(n, ox.Literal)}
        first: list[ox.Quad] = []
        for level in range(hops):
            frontier -= seen
            if not frontier:
                break
            seen |= frontier
            found = list(source.quads_about(sorted(frontier, key=str)))
            collected.update(found)
            if level == 0:
                first = found
            frontier = {
                q.object for q in found
                if not isinstance(q.object, ox.Literal) and q.predicate != RDF_TYPE
                and (level == 0 or q.predicate in chains)  # beyond the own values: only along chains
            }
        if frontier - seen:  # the types of the last values reached (for sh:class)
            collected.update(q for q in source.quads_about(sorted(frontier - seen, key=str)) if q.predicate == RDF_TYPE)
        return first

    own = describe(focus, FORWARD_HOPS)
    backwards = inverse_predicates(shapes_directory)
    referrers = [q for q in source.quads_referring_to(focus) if q.predicate in backwards]
    collected.update(referrers)
    describe({q.subject for q in referrers}, REFERRER_HOPS)
    statement_graphs = {q.graph_name for q in own if not isinstance(q.graph_name, ox.DefaultGraph)}
    describe(statement_graphs, 1)
    targeted_graphs = [n for n in focus if _targets_graph_name(shapes, n) and has_graph(source, n)]
    if targeted_graphs:
        collected.update(source.graph_quads(targeted_graphs))
        describe(targeted_graphs, 1)
    for name in focus:  # a graph a shape names with sh:targetNode: its rules ask whether it holds anything
        if _targets_node(shapes, name) and has_graph(source, name):
            for quad in itertools.islice(source.graph_quads([name]), 1):
                collected.add(quad)  # and what its subject is, which a rule on the graph's nodes asks
                collected.update(q for q in source.quads_about([quad.subject]) if q.predicate == RDF_TYPE)
    shared = {(q.predicate, q.object) for q in own if q.predicate in siblings_of}
    if shared:
        values = sorted({value for _, value in shared}, key=str)
        others = [q for q in source.quads_referring_to(values) if (q.predicate, q.object) in shared]
        collected.update(others)
        describe({q.subject for q in others}, SIBLING_HOPS)
    collected.update(source.graph_quads([ox.NamedNode(ONTOLOGY_GRAPH)]))
    store = ox.Store()
    store.extend(collected)
    for name in targeted_graphs:
        store.add_graph(name)  # an empty claim graph that exists stays visible as one
    return store


def named_focus(source: QuadSource, nodes: list[Any], limit: int = 8) -> list[Any]:
    """Blank focus nodes replaced by the IRI nodes owning them, as validate_shacl does (shapes reach
    a blank node through its owner, and a remote store cannot be asked about a blank node)."""
    named = {node for node in nodes if not isinstance(node, ox.BlankNode)}
    blank = {node for node in nodes if isinstance(node, ox.BlankNode)}
    seen: set[Any] = set()
    for _ in range(limit):
        blank -= seen
        if not blank:
            break
        seen |= blank
        owners = {q.subject for q in source.quads_referring_to(sorted(blank, key=str))}
        named |= {o for o in owners if not isinstance(o, ox.BlankNode)}
        blank = {o for o in owners if isinstance(o, ox.BlankNode)}
    return sorted(named, key=str)


def _targets_graph_name(shapes, name: Any) -> bool:
    return isinstance(name, ox.NamedNode) and any(
        t.targets_graph_names and t.targets_graph(name.value) for t in shapes.targets
    )


def _targets_node(shapes, name: Any) -> bool:
    node = rdflib.URIRef(name.value) if isinstance(name, ox.NamedNode) else None
    return node is not None and any(node in t.nodes for t in shapes.targets)


def _as_source(source: QuadSource | ox.Store) -> QuadSource:
    return StoreSource(source) if isinstance(source, ox.Store) else source


def _ox(node: Any) -> Any:
    return node if isinstance(node, (ox.NamedNode, ox.BlankNode, ox.Literal)) else to_ox(node)
