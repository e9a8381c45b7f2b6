"""Emptying whole graphs cheaply: the delta, the nodes to re-validate, the state to validate on.

``DROP GRAPH`` of a million-quad graph must not cost a million Python objects: the scratch copy,
the before/after sets and a neighbourhood of every removed quad's nodes made it answer 413 after
13–43 s. A write made only of CLEAR/DROP (and GSP DELETE) is instead described as *cleared graphs*
(``Delta.cleared_graphs``) and analysed inside Oxigraph with a few SPARQL queries.

Which nodes can removing quads make invalid? Removal never breaks ``sh:maxCount``, ``sh:datatype``,
``sh:in``, ``sh:closed`` or uniqueness; it breaks what requires something to be there --
``sh:minCount``, ``sh:hasValue``, ``sh:class``/``sh:node`` of values that lose their type, SPARQL
rules with ``FILTER NOT EXISTS`` -- on a node that is *still there afterwards*. A node whose every
quad was in the cleared graphs no longer exists: no shape targets it, nothing points at it. So the
focus nodes are

* the subjects and (non-type, non-literal) objects of the cleared quads that still occur elsewhere;
* for those subjects that lost a triple not restated in another graph, the nodes referring to them
  (``REFERRER_DEPTH`` hops): their shapes may look through them (a claim through its selector);
* the cleared graphs' names (claim-graph rules: a claim record's graph must not be empty) and
  their referrers;
* the other nodes sharing a value with a cleared quad for a predicate a rule compares across nodes
  (``bkgsh:comparesNodesSharing``), and ``sh:targetNode`` nodes described in the cleared graphs.

The cost follows the cleared graphs' size inside Oxigraph (index scans, no Python object per quad)
plus what survives, not the number of quads removed.
"""

from __future__ import annotations

from typing import Any, Iterable, Iterator

import pyoxigraph as ox

from bricskg.store.delta import Delta, UpdatePlan, UpdateFailed, _one_line

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
CLEARING_OPERATIONS = frozenset({"Clear", "Drop"})
MAX_CLEARED_GRAPHS = 64  # beyond (CLEAR ALL over thousands of claim graphs) the scratch path is simpler


def only_clears_graphs(plan: UpdatePlan) -> bool:
    """Whether ``plan`` is a sequence of CLEAR/DROP operations of a few graphs (IRIs or DEFAULT)."""
    reads = plan.reads
    return (
        bool(plan.operations)
        and set(plan.operations) <= CLEARING_OPERATIONS
        and not reads.all_named
        and len(reads.graphs) <= MAX_CLEARED_GRAPHS
    )


def clearing_delta(store: ox.Store, plan: UpdatePlan, protected: ox.NamedNode) -> Delta:
    """The delta of a CLEAR/DROP-only update, without copying any quad.

    The update runs on a scratch store holding only the *names* of the graphs it can see, so
    Oxigraph decides the errors (DROP of a missing graph without SILENT) and which graphs
    disappear; the graphs it empties are the ones it reads (a CLEAR/DROP reads exactly what it
    clears). ``protected`` (the audit graph) is never cleared (a client cannot name it anyway).
    """
    existing = set(store.named_graphs())
    seen = {g for g in (ox.NamedNode(iri) for iri in plan.reads.graphs) if g in existing}
    scratch = ox.Store()
    for graph in seen:
        scratch.add_graph(graph)
    try:
        scratch.update(plan.text, base_iri=plan.base_iri)
    except (OSError, ValueError, RuntimeError, SyntaxError) as error:
        raise UpdateFailed(f"The update failed: {_one_line(error)}") from None
    dropped = seen - set(scratch.named_graphs()) - {protected}
    emptied: set[Any] = (seen - {protected}) | ({ox.DefaultGraph()} if plan.reads.default else set())
    cleared = non_empty(store, emptied)
    return Delta(dropped_graphs=frozenset(dropped), cleared_graphs=frozenset(cleared))


def _has_quads(store: ox.Store, graph: Any) -> bool:
    return next(iter(store.quads_for_pattern(None, None, None, graph)), None) is not None


def non_empty(store: ox.Store, graphs: Iterable[Any]) -> set[Any]:
    """The graphs among ``graphs`` that hold at least one quad."""
    return {graph for graph in graphs if _has_quads(store, graph)}


def cleared_quad_count(store: ox.Store, graphs: Iterable[Any]) -> int:
    """How many quads the cleared graphs hold (counted by Oxigraph, for the audit record)."""
    total = 0
    for graph in graphs:
        pattern = "{ ?s ?p ?o }" if isinstance(graph, ox.DefaultGraph) else f"{{ GRAPH {graph} {{ ?s ?p ?o }} }}"
        for row in store.query(f"SELECT (COUNT(*) AS ?n) WHERE {pattern}"):  # type: ignore[union-attr]
            total += int(row[0].value)
    return total


# ---------------------------------------------------------------------------------------------
# Which nodes to re-validate


def _sources(cleared: Iterable[Any], pattern: str) -> str:
    """``pattern`` matched in each cleared graph, as a UNION."""
    blocks = []
    for graph in sorted(cleared, key=str):
        blocks.append(f"{{ {pattern} }}" if isinstance(graph, ox.DefaultGraph) else f"{{ GRAPH {graph} {{ {pattern} }} }}")
    return " UNION ".join(blocks)


def _elsewhere(cleared: Iterable[Any], pattern: str) -> str:
    """A group matching ``pattern`` outside the cleared graphs."""
    named = [g for g in cleared if not isinstance(g, ox.DefaultGraph)]
    branches = []
    if not any(isinstance(g, ox.DefaultGraph) for g in cleared):
        branches.append(f"{{ {pattern} }}")
    not_in = f"FILTER(?h NOT IN ({', '.join(str(g) for g in named)}))" if named else ""
    branches.append(f"{{ GRAPH ?h {{ {pattern} }} {not_in} }}")
    return " UNION ".join(branches)


def _column(store: ox.Store, query: str) -> Iterator[tuple[Any, ...]]:
    for row in store.query(query):  # type: ignore[union-attr]
        yield tuple(row)


def _surviving_nodes(store: ox.Store, cleared: set[Any], hidden: set[Any]) -> list[tuple[Any, bool]]:
    """(node, is a subject in the cleared graphs) for every node of the cleared graphs that still
    occurs elsewhere -- as a subject or an object of a quad in another graph.

    One hash join inside Oxigraph: the distinct nodes of the cleared graphs against the distinct
    nodes of the rest. A per-node ``FILTER EXISTS`` was ~10x slower: every probe of a node's
    incoming quads also walked its references inside the cleared graphs.
    """
    mine = (
        f"{{ SELECT ?n (MAX(?subject) AS ?described) WHERE {{ "
        f"{{ {_sources(cleared, '?n ?p ?o')} BIND(true AS ?subject) }} UNION "
        f"{{ {_sources(cleared, '?s ?p ?n')} FILTER(!isLiteral(?n) && ?p != {RDF_TYPE}) BIND(false AS ?subject) }} "
        f"}} GROUP BY ?n }}"
    )
    rest = (
        f"{{ SELECT DISTINCT ?n WHERE {{ {{ {_elsewhere(hidden, '?n ?q ?x')} }} UNION "
        f"{{ {_elsewhere(hidden, '?y ?q ?n')} FILTER(!isLiteral(?n)) }} }} }}"
    )
    rows = _column(store, f"SELECT ?n ?described WHERE {{ {mine} {rest} }}")
    return [(node, described is not None and described.value == "true") for node, described in rows]


def _loses_a_statement(store: ox.Store, node: Any, cleared: set[Any], hidden: set[Any]) -> bool:
    """Whether a triple about ``node`` in the cleared graphs is stated nowhere else (the union view
    of the node changes, so what its referrers see through it changes too)."""
    for graph in cleared:
        for quad in store.quads_for_pattern(node, None, None, graph):
            if not any(q.graph_name not in hidden for q in store.quads_for_pattern(node, quad.predicate, quad.object, None)):
                return True
    return False


def removal_focus(
    store: ox.Store,
    cleared: Iterable[Any],
    *,
    compared_predicates: Iterable[ox.NamedNode] = (),
    target_nodes: Iterable[Any] = (),
    referrer_depth: int = 2,
    ignored: Iterable[Any] = (),
) -> set[Any]:
    """The pyoxigraph terms to re-validate once ``cleared`` graphs are empty (see the module doc).

    ``ignored``: named graphs that do not count as "elsewhere" (the inferred graph: what is derived
    from the cleared statements goes with them)."""
    cleared = set(cleared)
    if not cleared:
        return set()
    hidden = cleared | set(ignored)
    focus: set[Any] = {g for g in cleared if not isinstance(g, ox.DefaultGraph)}
    lost: set[Any] = set(focus)  # nodes whose referrers must be re-validated too
    for node, described in _surviving_nodes(store, cleared, hidden):
        focus.add(node)
        if described and _loses_a_statement(store, node, cleared, hidden):
            lost.add(node)
    compared = sorted(set(compared_predicates), key=str)
    if compared:
        values = " ".join(str(p) for p in compared)
        siblings = (
            f"SELECT DISTINCT ?n WHERE {{ {{ SELECT DISTINCT ?p ?v WHERE {{ VALUES ?p {{ {values} }} "
            f"{_sources(cleared, '?s ?p ?v')} }} }} {_elsewhere(hidden, '?n ?p ?v')} }}"
        )
        focus.update(row[0] for row in _column(store, siblings))
    for node in target_nodes:
        if not isinstance(node, ox.Literal) and any(
            next(iter(store.quads_for_pattern(node, None, None, g)), None) is not None for g in cleared
        ):
            focus.add(node)
    focus |= _referrers(store, lost, hidden, referrer_depth)
    return focus


def _referrers(store: ox.Store, nodes: set[Any], cleared: set[Any], depth: int) -> set[Any]:
    """Subjects pointing at ``nodes`` (``depth`` hops back) outside the cleared graphs."""
    found: set[Any] = set()
    frontier = set(nodes)
    for _ in range(depth):
        next_frontier: set[Any] = set()
        for node in frontier:
            for quad in store.quads_for_pattern(None, None, node, None):
                if quad.graph_name not in cleared and quad.subject not in found and quad.subject not in nodes:
                    next_frontier.add(quad.subject)
        found |= next_frontier
        frontier = next_frontier
    return found


# ---------------------------------------------------------------------------------------------
# The state to validate on


class ClearedView:
    """A write target's reads as they will be once ``cleared`` graphs are empty and ``dropped`` gone."""

    def __init__(self, source: Any, cleared: Iterable[Any], dropped: Iterable[Any] = ()):
        self.source = source
        self.cleared = set(cleared)
        self.dropped = set(dropped)

    def _keep(self, quads: Iterable[ox.Quad]) -> Iterator[ox.Quad]:
        return (q for q in quads if q.graph_name not in self.cleared)

    def quads_about(self, nodes: list) -> Iterator[ox.Quad]:
        return self._keep(self.source.quads_about(nodes))

    def quads_referring_to(self, nodes: list) -> Iterator[ox.Quad]:
        return self._keep(self.source.quads_referring_to(nodes))

    def graph_quads(self, graphs: list) -> Iterator[ox.Quad]:
        return self.source.graph_quads([g for g in graphs if g not in self.cleared])

    def graph_names(self) -> set:
        return set(self.source.graph_names()) - self.dropped

    def present(self, quads: Iterable[ox.Quad]) -> set[ox.Quad]:
        return {q for q in self.source.present(quads) if q.graph_name not in self.cleared}
