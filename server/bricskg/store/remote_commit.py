"""A validated delta as ONE update operation, for engines that commit a request operation by operation.

Virtuoso applies the operations of an update request one at a time: when the second fails, the
first stays applied (``tests/test_remote_virtuoso.py`` pins it). The generic commit
(``bricskg.store.commit.delta_update``: DROP … ; DELETE DATA … ; INSERT DATA …) would then be
half-applied by a failure, so over such an engine the whole delta and its audit record become a
single ``DELETE { … } INSERT { … } WHERE { … }`` operation, which the engine runs as one statement:

* removed quads and inserted quads are ground templates; a stored blank node is named the way the
  engine names it (Virtuoso: ``<nodeID://b10000>``), a fresh one stays ``_:label`` in the INSERT
  template (where, unlike INSERT DATA, Virtuoso accepts it);
* graphs the write empties (DROP/CLEAR, GSP PUT/DELETE) are matched in the WHERE clause as
  ``{ } UNION { VALUES ?g { … } GRAPH ?g { ?s ?p ?o } }``: one solution more than the graphs' quads,
  so the inserts happen even when the graphs are empty. Ground templates instantiated once per
  solution insert the same quads each time, but a fresh blank node would be minted once per
  solution: such a write (empty a graph *and* add new blank nodes) is committed as two operations,
  emptying first, and ``atomic`` says so;
* Virtuoso 7.2 deletes nothing for a template quad whose object is a language-tagged or typed
  literal with a non-ASCII character when the same operation also inserts (``"Brésil"@fr``; a
  DELETE-only operation removes it): such quads are removed by a DELETE-only operation first, and
  ``atomic`` is false. ``bricskg.store.remote`` then checks that the engine holds exactly the result.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable

import pyoxigraph as ox

from bricskg.store.base import QueryRefused
from bricskg.store.delta import Delta


# Virtuoso compiles a template to SQL and gives up past 10,000 lines (SP031: from ~600-1,200 quads,
# depending on the terms), and its parser runs out of memory on an INSERT DATA of ~5,000 short quads
# (SP030): bigger writes are cut up, with a margin.
TEMPLATE_QUADS = 400
DATA_QUADS = 1000


@dataclass(frozen=True)
class OperationCommit:
    """The update requests to send in order, and whether the engine applies them as one operation."""

    requests: tuple[str, ...]
    atomic: bool

    @property
    def text(self) -> str:
        return "\n;\n".join(self.requests)


def single_operation_commit(delta: Delta, audit: list[ox.Quad], stored_blank: Callable[[ox.BlankNode], str]) -> OperationCommit:
    """The update that applies exactly ``delta`` plus ``audit`` as one operation where it can."""
    inserted = list(delta.inserted) + list(audit)
    if any(isinstance(quad.graph_name, ox.DefaultGraph) for quad in inserted):
        raise QueryRefused("This SPARQL engine has no default graph of its own; state the triples in a named graph.")
    stored = set(delta.reused_blank_nodes) | {t for q in delta.removed for t in _terms(q) if isinstance(t, ox.BlankNode)}

    def text(term: Any) -> str:
        if isinstance(term, ox.BlankNode) and term in stored:
            return stored_blank(term)
        return str(term)

    emptied = sorted({g for g in delta.cleared_graphs | delta.dropped_graphs if not isinstance(g, ox.DefaultGraph)}, key=str)
    removed = [q for q in delta.removed if q.graph_name not in emptied]
    fresh = {t for q in inserted for t in _terms(q) if isinstance(t, ox.BlankNode) and t not in stored}
    if len(removed) + len(inserted) > TEMPLATE_QUADS:
        return _in_pieces(emptied, removed, list(delta.inserted), audit, fresh, text)
    alone = [q for q in removed if inserted and _deleted_only_alone(q)]
    removed = [q for q in removed if q not in alone]
    first = _operation(_template(alone, text), "", "") if alone else ""
    fresh_blanks = any(isinstance(t, ox.BlankNode) and t not in stored for q in inserted for t in _terms(q))
    if emptied and fresh_blanks:
        first = "\n;\n".join(part for part in (first, _operation(_emptying_template(), "", _emptying_where(emptied))) if part)
        second = _operation(_template(removed, text), _template(inserted, text), "")
        return OperationCommit(("\n;\n".join(part for part in (first, second) if part),), atomic=False)
    delete = _template(removed, text) + ("\n" + _emptying_template() if emptied else "")
    where = ("{ } UNION " + _emptying_where(emptied)) if emptied else ""
    main = _operation(delete, _template(inserted, text), where)
    return OperationCommit(("\n;\n".join(part for part in (first, main) if part),), atomic=not first)


def _in_pieces(
    emptied: list[Any], removed: list[ox.Quad], inserted: list[ox.Quad], audit: list[ox.Quad], fresh: set[ox.BlankNode],
    text: Callable[[Any], str],
) -> OperationCommit:
    """A write too big for one operation: emptied graphs, removals, ground inserts, the quads of each
    group of fresh blank nodes (a blank node's label holds within one operation only), then the
    audit record, each request within the engine's limits. Not atomic: the caller checks the result."""
    requests = []
    if emptied:
        requests.append(_operation(_emptying_template(), "", _emptying_where(emptied)))
    requests += [_operation(_template(chunk, text), "", "") for chunk in _chunks(removed, TEMPLATE_QUADS)]
    ground = [q for q in inserted if not any(t in fresh for t in _terms(q))]
    requests += [f"INSERT DATA {{\n{_template(chunk, text)}\n}}" for chunk in _chunks(ground, DATA_QUADS)]
    batch: list[ox.Quad] = []
    for group in _blank_groups([q for q in inserted if any(t in fresh for t in _terms(q))]):
        if batch and len(batch) + len(group) > TEMPLATE_QUADS:
            requests.append(_operation("", _template(batch, text), ""))
            batch = []
        batch += group
    if batch:
        requests.append(_operation("", _template(batch, text), ""))
    requests += [f"INSERT DATA {{\n{_template(chunk, text)}\n}}" for chunk in _chunks(audit, DATA_QUADS)]
    return OperationCommit(tuple(requests), atomic=False)


def _chunks(quads: list[ox.Quad], size: int) -> list[list[ox.Quad]]:
    return [quads[start : start + size] for start in range(0, len(quads), size)]


def _blank_groups(quads: list[ox.Quad]) -> list[list[ox.Quad]]:
    """Quads grouped so that every quad naming a blank node is in that node's group."""
    parent: dict[Any, Any] = {}

    def root(node: Any) -> Any:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for quad in quads:
        blanks = [t for t in _terms(quad) if isinstance(t, ox.BlankNode)]
        for other in blanks[1:]:
            parent[root(other)] = root(blanks[0])
    groups: dict[Any, list[ox.Quad]] = {}
    for quad in quads:
        first = next(t for t in _terms(quad) if isinstance(t, ox.BlankNode))
        groups.setdefault(root(first), []).append(quad)
    return list(groups.values())


def _deleted_only_alone(quad: ox.Quad) -> bool:
    """A quad Virtuoso deletes only in an operation that inserts nothing (see the module docstring)."""
    literal = quad.object
    if not isinstance(literal, ox.Literal) or literal.value.isascii():
        return False
    return bool(literal.language) or literal.datatype.value != "http://www.w3.org/2001/XMLSchema#string"


def _terms(quad: ox.Quad) -> tuple[Any, Any, Any]:
    return quad.subject, quad.object, quad.graph_name


def _operation(delete: str, insert: str, where: str) -> str:
    """DELETE/INSERT, leaving out an empty clause (an engine may reject ``DELETE { }``)."""
    clauses = [f"{kind} {{\n{body}\n}}" for kind, body in (("DELETE", delete), ("INSERT", insert)) if body.strip()]
    if not clauses:
        return ""
    return "\n".join(clauses) + f"\nWHERE {{ {where} }}"


def _emptying_template() -> str:
    return "GRAPH ?g { ?s ?p ?o }"


def _emptying_where(graphs: list[Any]) -> str:
    return f"{{ VALUES ?g {{ {' '.join(str(g) for g in graphs)} }} GRAPH ?g {{ ?s ?p ?o }} }}"


def _template(quads: Iterable[ox.Quad], text: Callable[[Any], str]) -> str:
    by_graph: dict[str, list[str]] = {}
    for quad in quads:
        by_graph.setdefault(text(quad.graph_name), []).append(f"{text(quad.subject)} {quad.predicate} {text(quad.object)} .")
    return "\n".join(f"GRAPH {graph} {{\n" + "\n".join(lines) + "\n}" for graph, lines in sorted(by_graph.items()))
