"""Checking the graph: SHACL shapes (pyshacl) and OWL reasoning (HermiT).

The API other parts of bricskg call:

- ``validate_dataset(data, focus_nodes=None, reasoner=False) -> ValidationReport``: SHACL over the
  union of all graphs of ``data`` (a pyoxigraph ``Store``, used in place, or an rdflib
  ``Dataset``/``Graph``); with ``focus_nodes``, only those nodes are validated, against only the
  shapes that target them (the write path's incremental check; graph names among the focus nodes
  get the claim-graph rules). ``reasoner=True`` adds HermiT. The shapes run compiled to SPARQL on
  Oxigraph, set-at-a-time (bricskg.validation.compiled), with pySHACL for what does not compile;
  ``engine="pyshacl"`` runs pySHACL alone.
- ``affected_focus_nodes(store, changed_quads)``: the nodes a write must re-validate.
- ``context_store(source, focus_nodes)``: the small store of quads those nodes' shapes can look at
  (validating the nodes on it gives the verdict the whole store gives); ``after_change(source,
  inserted, removed)`` reads a store or backend as a write would leave it, without changing it.
- ``load_shapes()``: the shapes graph, parsed once and cached until shapes/ changes.
- ``reason(data) -> ReasoningResult``: consistency, unsatisfiable classes, inferred class memberships.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

import rdflib

from bricskg.validation.context import after_change, context_store
from bricskg.validation.focus import affected_focus_nodes
from bricskg.validation.reasoning import ReasonerFailed, ReasonerUnavailable, ReasoningResult, reason
from bricskg.validation.report import ValidationReport, ValidationResult
from bricskg.validation.shacl import ENGINES, DataInput, as_store, validate_shacl
from bricskg.validation.shapes_graph import ShapesError, load_shapes

__all__ = [
    "ENGINES",
    "ReasonerFailed",
    "ReasonerUnavailable",
    "ReasoningResult",
    "ShapesError",
    "ValidationReport",
    "ValidationResult",
    "affected_focus_nodes",
    "after_change",
    "context_store",
    "load_shapes",
    "reason",
    "validate_dataset",
]


def validate_dataset(
    data: DataInput,
    *,
    focus_nodes: Iterable[rdflib.term.Node | str] | None = None,
    reasoner: bool = False,
    shapes_directory: Path | None = None,
    engine: str | None = None,
) -> ValidationReport:
    """SHACL (and optionally HermiT) over ``data``; ``report.conforms`` is the verdict. ``engine``:
    ``"compiled"`` (SHACL compiled to SPARQL, pySHACL for what does not compile) or ``"pyshacl"``;
    unset, $BRICSKG_SHACL_ENGINE or ``"compiled"``."""
    store = as_store(data)
    report = validate_shacl(store, focus_nodes=focus_nodes, shapes_directory=shapes_directory, engine=engine)
    if reasoner:
        report = report.merged(reason(store).to_report())
    return report
