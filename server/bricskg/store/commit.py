"""The commit of a validated write: exactly its delta, as one SPARQL update (one transaction).

The writer never re-runs a client's update text on the real store: a result that depends on the
order in which a store enumerates its quads (``ORDER BY ?unbound LIMIT 1``), the clock or chance
would differ from the scratch evaluation that was validated. What is committed is the delta
itself, written back as data:

* whole graphs the write empties (``Delta.cleared_graphs``): ``DROP``/``CLEAR SILENT GRAPH`` --
  exactly "every quad of that graph", without listing a million quads;
* ground quads: ``DELETE DATA`` / ``INSERT DATA``;
* quads with a *stored* blank node: SPARQL text cannot name one (DELETE DATA forbids blank nodes,
  INSERT DATA mints fresh ones), so they are bound by a custom function that returns the stored
  terms themselves -- ``DELETE { ?s ?p ?o } WHERE { VALUES ?i { 0 1 } BIND(f(?i, 0) AS ?s) … }``
  (pyoxigraph's ``custom_functions``). An engine without that (a remote endpoint) gets the text
  form, and a write that would need to name a stored blank node there is refused (400).

The audit record joins the same update, so a crash leaves both or neither.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

import pyoxigraph as ox

from bricskg.store.base import QueryRefused
from bricskg.store.delta import _TOKEN, Delta

TERM_FUNCTION = ox.NamedNode("urn:bricskg:write:stored-term")


def _quad_block(quads: Iterable[ox.Quad]) -> str:
    """Quads as the body of INSERT DATA / DELETE DATA (N-Triples term syntax is valid SPARQL)."""
    by_graph: dict[Any, list[str]] = {}
    for quad in quads:
        by_graph.setdefault(quad.graph_name, []).append(f"{quad.subject} {quad.predicate} {quad.object} .")
    parts = []
    for graph, lines in sorted(by_graph.items(), key=lambda item: str(item[0])):
        body = "\n".join(lines)
        parts.append(body if isinstance(graph, ox.DefaultGraph) else f"GRAPH {graph} {{\n{body}\n}}")
    return "\n".join(parts)


def insert_data(quads: Iterable[ox.Quad]) -> str:
    quads = list(quads)
    return f"INSERT DATA {{\n{_quad_block(quads)}\n}}" if quads else ""


def delete_data(quads: Iterable[ox.Quad]) -> str:
    quads = list(quads)
    return f"DELETE DATA {{\n{_quad_block(quads)}\n}}" if quads else ""


def join_updates(*parts: str) -> str:
    """Operations joined by ';' — tolerant of a user text that already ends with ';' or a comment."""
    out = ""
    for part in parts:
        if not part.strip():
            continue
        if not out:
            out = part
            continue
        out += "\n" if _ends_with_separator(out) else "\n;\n"
        out += part
    return out


def _ends_with_separator(text: str) -> bool:
    last = None
    for match in _TOKEN.finditer(text):
        if match.lastgroup != "comment" and not match.group().isspace():
            last = match.group()
    return last == ";"


def has_blank(quad: ox.Quad) -> bool:
    return any(isinstance(term, ox.BlankNode) for term in (quad.subject, quad.object, quad.graph_name))


@dataclass
class CommitUpdate:
    """One SPARQL update text and the custom functions its bound templates call."""

    text: str
    functions: dict[ox.NamedNode, Callable[..., Any]] = field(default_factory=dict)


def _graph_operations(delta: Delta) -> list[str]:
    parts = []
    for graph in sorted(delta.cleared_graphs, key=str):
        if isinstance(graph, ox.DefaultGraph):
            parts.append("CLEAR SILENT DEFAULT")
        elif graph in delta.dropped_graphs:
            parts.append(f"DROP SILENT GRAPH {graph}")
        else:
            parts.append(f"CLEAR SILENT GRAPH {graph}")
    parts += [f"DROP SILENT GRAPH {g}" for g in sorted(delta.dropped_graphs - delta.cleared_graphs, key=str)]
    return parts


def _bound(kind: str, quads: list[ox.Quad], terms: list[tuple[Any, ...]]) -> list[str]:
    """``kind`` (DELETE/INSERT) of ``quads`` through the stored-term function, by graph kind."""
    operations = []
    for in_default in (True, False):
        chosen = [q for q in quads if isinstance(q.graph_name, ox.DefaultGraph) == in_default]
        if not chosen:
            continue
        first = len(terms)
        terms.extend((q.subject, q.predicate, q.object, q.graph_name) for q in chosen)
        indexes = " ".join(str(i) for i in range(first, len(terms)))
        binds = " ".join(f"BIND({TERM_FUNCTION}(?i, {k}) AS ?{v})" for k, v in enumerate("spo"))
        if in_default:
            template = "?s ?p ?o"
        else:
            template = "GRAPH ?g { ?s ?p ?o }"
            binds += f" BIND({TERM_FUNCTION}(?i, 3) AS ?g)"
        operations.append(f"{kind} {{ {template} }} WHERE {{ VALUES ?i {{ {indexes} }} {binds} }}")
    return operations


def delta_update(delta: Delta, audit: list[ox.Quad], *, bind_stored_terms: bool) -> CommitUpdate:
    """The update that applies exactly ``delta`` plus ``audit`` (see the module docstring).

    ``bind_stored_terms``: the engine accepts pyoxigraph custom functions (the embedded store);
    otherwise quads naming stored blank nodes are refused.
    """
    removed_blank = [q for q in delta.removed if has_blank(q)]
    reused = delta.reused_blank_nodes
    inserted_bound = [q for q in delta.inserted if has_blank(q) and (bind_stored_terms or _names_any(q, reused))]
    if not bind_stored_terms and (removed_blank or inserted_bound):
        raise QueryRefused(
            "This write removes blank-node triples or adds triples to existing blank nodes; this SPARQL "
            "engine offers no way to name a stored blank node, so the validated change cannot be committed "
            "exactly. Avoid matching blank nodes."
        )
    terms: list[tuple[Any, ...]] = []
    parts = _graph_operations(delta)
    parts.append(delete_data(q for q in delta.removed if not has_blank(q)))
    parts += _bound("DELETE", removed_blank, terms)
    parts += [f"CREATE SILENT GRAPH {g}" for g in sorted(delta.created_graphs, key=str)]
    bound = set(inserted_bound)
    parts.append(insert_data([q for q in delta.inserted if q not in bound] + list(audit)))
    parts += _bound("INSERT", inserted_bound, terms)

    def stored_term(index: ox.Literal, position: ox.Literal) -> Any:
        return terms[int(index.value)][int(position.value)]

    return CommitUpdate(join_updates(*parts), {TERM_FUNCTION: stored_term} if terms else {})


def _names_any(quad: ox.Quad, nodes: frozenset[ox.BlankNode]) -> bool:
    return any(term in nodes for term in (quad.subject, quad.object, quad.graph_name))
