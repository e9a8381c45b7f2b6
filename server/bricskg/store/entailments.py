"""Where the write path meets the entailment regime (``bricskg.inference``).

The writer calls into this module at three points, and only these: refusing writes to the inferred
graph, hiding that graph from the SHACL gate (which validates what is stated), and, once a change is
applied, bringing the inferred graph up to date (``maintain_entailments``). Kept apart from
``writer`` so that how a delta is committed can change without touching this, and the reverse.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Iterator

import pyoxigraph as ox

from bricskg.inference import INFERRED, INFERRED_GRAPH
from bricskg.store.base import Forbidden
from bricskg.store.delta import Delta

__all__ = [
    "INFERRED", "INFERRED_GRAPH", "INFERRED_REFUSAL", "EntailmentChange", "ExplicitView", "InferredProtected",
    "entailment_change", "maintain_entailments",
]


class InferredProtected(Forbidden):
    """The inferred graph is computed by the server only (HTTP 403)."""


INFERRED_REFUSAL = (
    f"The inferred graph <{INFERRED_GRAPH}> is computed by the server from the other graphs; "
    "change the stated triples instead."
)


@dataclass(frozen=True)
class EntailmentChange:
    """What the inferred graph must follow: the explicit quads a commit removed and inserted, and
    whether the commit cannot be followed incrementally (then the graph is recomputed)."""

    removed: frozenset[ox.Quad]
    inserted: frozenset[ox.Quad]
    recompute: bool = False


def maintain_entailments(store: ox.Store, change: EntailmentChange, *, hermit: bool = False) -> None:
    """Bring the inferred graph up to date with a change just applied to ``store``.

    Kept apart from the commit paths so that how a delta is committed can change without touching
    this. A commit that renamed blank nodes (SPARQL gives INSERT DATA's blank nodes fresh names)
    or emptied the inferred graph (CLEAR ALL, DROP ALL, GRAPH ?g) is followed by a full recompute:
    the delta's quads are then not the stored ones."""
    from bricskg.inference import materialise
    from bricskg.inference.maintenance import maintain

    if change.recompute:
        materialise(store, hermit=hermit)
    else:
        maintain(store, change.removed, change.inserted, hermit=hermit)


def entailment_change(delta: Delta, *, names_kept: bool, inferred_touched: bool = False) -> EntailmentChange:
    """The change to follow for ``delta``; ``names_kept``: the commit stores the delta's blank nodes
    under their names (``Store.extend``), not fresh ones (an update's INSERT)."""
    renamed = not names_kept and any(
        isinstance(term, ox.BlankNode) for quad in delta.inserted for term in (quad.subject, quad.object, quad.graph_name)
    )
    return EntailmentChange(delta.removed, delta.inserted, recompute=renamed or inferred_touched)


class ExplicitView:
    """A write target's read side without the inferred graph: the SHACL gate validates what is
    stated, as ``bricskg validate`` does on the files, never the entailments."""

    def __init__(self, target: Any):
        self.target = target

    def __getattr__(self, name: str) -> Any:
        return getattr(self.target, name)

    def graph_names(self) -> set[Any]:
        return {g for g in self.target.graph_names() if g != INFERRED}

    def graph_quads(self, graphs: list[Any]) -> Iterator[ox.Quad]:
        return self.target.graph_quads([g for g in graphs if g != INFERRED])

    def quads_about(self, nodes: list[Any]) -> Iterator[ox.Quad]:
        return (q for q in self.target.quads_about(nodes) if q.graph_name != INFERRED)

    def quads_referring_to(self, nodes: list[Any]) -> Iterator[ox.Quad]:
        return (q for q in self.target.quads_referring_to(nodes) if q.graph_name != INFERRED)

    def present(self, quads: Iterable[ox.Quad]) -> set[ox.Quad]:
        return self.target.present(quads)
