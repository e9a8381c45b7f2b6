"""Focus-node validation: which shapes apply to a given node, and which nodes a write affects.

A write of a few triples into a large graph must cost in proportion to the write, not the graph.
pyshacl's own ``focus_nodes=`` option still enumerates every shape's targets over the whole data
graph before filtering; here the applicable shapes are found from the node's own rdf:type values
(closed under rdfs:subClassOf, as SHACL's class targets are) and its own predicates, so only index
look-ups around the changed nodes happen.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Iterable

import pyoxigraph as ox
import rdflib

from bricskg.config import BASE_IRI
from bricskg.validation.shapes_graph import ShapeTargets
from bricskg.validation.terms import OxTerm, to_ox, to_rdflib

RDF_TYPE = ox.NamedNode(str(rdflib.RDF.type))
RDFS_SUBCLASS_OF = ox.NamedNode(str(rdflib.RDFS.subClassOf))

# The node that stands for the dataset as a whole: the rules about every triple (which graphs may
# hold statements, which vocabulary and literals they may use: shapes/dataset.ttl) target it, so
# every write re-validates it -- on the write's context, where those rules see the changed quads.
DATASET_NODE = rdflib.URIRef(BASE_IRI + "dataset")

# How many hops back from a changed node the write path re-validates. Shapes look at most this far
# from their focus node (e.g. claim -> sentence -> selector for the quote rules), so a change to a
# selector can break the claim two hops away.
REFERRER_DEPTH = 2


def classes_of(store: ox.Store, node: OxTerm) -> set[ox.NamedNode | ox.BlankNode]:
    """The node's types and all their superclasses, read from the union of the store's graphs."""
    found: set[ox.NamedNode | ox.BlankNode] = set()
    frontier = [quad.object for quad in store.quads_for_pattern(node, RDF_TYPE, None, None)]
    while frontier:
        current = frontier.pop()
        if current in found or isinstance(current, ox.Literal):
            continue
        found.add(current)
        frontier.extend(quad.object for quad in store.quads_for_pattern(current, RDFS_SUBCLASS_OF, None, None))
    return found


def shapes_for_node(store: ox.Store, node: rdflib.term.Node, targets: Iterable[ShapeTargets]) -> set[rdflib.URIRef]:
    """The shapes whose targets select ``node`` in ``store`` (SHACL §2.1.3 target semantics)."""
    ox_node = to_ox(node)
    if isinstance(ox_node, ox.Literal):
        return set()
    classes = {to_rdflib(term) for term in classes_of(store, ox_node)}
    subject_predicates = None
    object_predicates = None
    applicable: set[rdflib.URIRef] = set()
    is_graph_name = isinstance(ox_node, ox.NamedNode) and store.contains_named_graph(ox_node)
    for target in targets:
        if is_graph_name and target.targets_graph(str(node)):
            applicable.add(target.shape)
            continue
        if node in target.nodes or classes & target.classes:
            applicable.add(target.shape)
            continue
        if target.subjects_of:
            if subject_predicates is None:
                subject_predicates = {to_rdflib(q.predicate) for q in store.quads_for_pattern(ox_node, None, None, None)}
            if subject_predicates & target.subjects_of:
                applicable.add(target.shape)
                continue
        if target.objects_of:
            if object_predicates is None:
                object_predicates = {to_rdflib(q.predicate) for q in store.quads_for_pattern(None, None, ox_node, None)}
            if object_predicates & target.objects_of:
                applicable.add(target.shape)
    return applicable


def group_by_shapes(
    store: ox.Store, nodes: Iterable[rdflib.term.Node], targets: Iterable[ShapeTargets]
) -> dict[frozenset[rdflib.URIRef], list[rdflib.term.Node]]:
    """Nodes grouped by the exact set of shapes that target them (one pyshacl run per group)."""
    targets = tuple(targets)
    groups: dict[frozenset[rdflib.URIRef], list[rdflib.term.Node]] = defaultdict(list)
    for node in nodes:
        shapes = shapes_for_node(store, node, targets)
        if shapes:
            groups[frozenset(shapes)].append(node)
    return dict(groups)


def named_owners(store: ox.Store, nodes: Iterable[rdflib.term.Node], limit: int = 8) -> set[rdflib.term.Node]:
    """Replace blank nodes by the IRI nodes that point at them: shapes reach blank nodes only through
    their owners, and pyshacl's focus option takes IRIs."""
    result: set[rdflib.term.Node] = set()
    seen: set[rdflib.term.Node] = set()
    frontier = list(nodes)
    hops = 0
    while frontier and hops <= limit:
        next_frontier = []
        for node in frontier:
            if node in seen:
                continue
            seen.add(node)
            if isinstance(node, rdflib.BNode):
                next_frontier.extend(
                    to_rdflib(quad.subject) for quad in store.quads_for_pattern(None, None, to_ox(node), None)
                )
            elif isinstance(node, rdflib.URIRef):
                result.add(node)
        frontier = next_frontier
        hops += 1
    return result


def restated_elsewhere(store: ox.Store, parts: list[rdflib.term.Node]) -> bool:
    """Whether the triple of a changed quad (s, p, o[, g]) is stated in some other graph too."""
    graph = to_ox(parts[3]) if len(parts) > 3 else ox.DefaultGraph()
    return any(q.graph_name != graph for q in store.quads_for_pattern(to_ox(parts[0]), to_ox(parts[1]), to_ox(parts[2]), None))


def affected_focus_nodes(
    store: ox.Store,
    changed: Iterable[ox.Quad | tuple[rdflib.term.Node, ...]],
    depth: int = REFERRER_DEPTH,
) -> set[rdflib.term.Node]:
    """The nodes to re-validate after ``changed`` quads were added or removed (call it on the store
    *after* the change, with both the inserted and the deleted quads).

    Any change also re-validates ``DATASET_NODE`` (a triple in the default graph, an unknown graph, a
    misspelled term or an ill-formed literal can come with any write).

    That is every subject, IRI/blank-node object and graph name of a changed quad, the other subjects
    with the same value for a predicate a rule declares with ``bkgsh:comparesNodesSharing`` (rules
    that compare nodes, such as unique country codes or segments in order, flag both sides), plus the nodes that refer to the changed
    *subjects and graphs* within ``depth`` hops: a shape on the referrer may look through what they
    say (a quote rule on a claim's selector). A changed quad's object is re-validated itself (its
    inverse paths changed) but what its referrers see through it did not change, so its referrers
    are not added: for a hub such as a state that would be a large part of the store.
    """
    from bricskg.validation.context import sibling_predicates

    seeds: set[rdflib.term.Node] = set()
    siblings: set[rdflib.term.Node] = set()
    changed = list(changed)
    compared = sibling_predicates()
    for quad in changed:  # rules comparing nodes that share this value see the write too
        ox_quad = quad if isinstance(quad, ox.Quad) else None
        predicate = ox_quad.predicate if ox_quad else to_ox(quad[1])
        value = ox_quad.object if ox_quad else to_ox(quad[2])
        if predicate in compared:
            siblings.update(to_rdflib(q.subject) for q in store.quads_for_pattern(None, predicate, value, None))
    values: set[rdflib.term.Node] = set()
    for quad in changed:
        if isinstance(quad, ox.Quad):
            parts = [to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)]
            if not isinstance(quad.graph_name, ox.DefaultGraph):
                parts.append(to_rdflib(quad.graph_name))
        else:
            parts = list(quad)
        described = [parts[0]] + parts[3:]
        named = [term for term in described if isinstance(term, (rdflib.URIRef, rdflib.BNode))]
        # a triple restated in another graph leaves the union view unchanged: only rules about graphs
        # (on the node itself and its graph) can see the write, not the node's referrers
        (values if restated_elsewhere(store, parts) else seeds).update(named)
        if parts[1] != rdflib.RDF.type and isinstance(parts[2], (rdflib.URIRef, rdflib.BNode)):
            values.add(parts[2])  # a class is not affected by gaining an instance
    found = set(seeds) | values | siblings
    if changed:
        found.add(DATASET_NODE)
    frontier = set(seeds)
    for _ in range(depth):
        next_frontier: set[rdflib.term.Node] = set()
        for node in frontier:
            for quad in store.quads_for_pattern(None, None, to_ox(node), None):
                referrer = to_rdflib(quad.subject)
                if referrer not in found:
                    next_frontier.add(referrer)
        found |= next_frontier
        frontier = next_frontier
    return found
