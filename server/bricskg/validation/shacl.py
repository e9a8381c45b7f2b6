"""SHACL validation of the dataset with pyshacl, whole or for a few focus nodes.

How pyshacl sees named graphs: the data graph is a pyoxigraph Store whose default graph is the
UNION of all its graphs (pyshacl switches ``default_union`` on for multi-graph input). So a shape
sees one entity's statements together even when the reference graph, the provenance graph and
several claim graphs each hold some of them -- exactly what a SPARQL client of the server sees --
while SPARQL-based constraints can still use ``GRAPH`` for rules about the named graphs themselves
(every claim graph is non-empty and recorded in the provenance graph).

The ontology is part of that union (the bundled dataset loads it into its own named graph), which
gives SHACL's class targets and sh:class their rdfs:subClassOf awareness. No RDFS/OWL-RL inference
runs (``inference="none"``): inference would copy and grow the data graph on every write, and would
hide a missing rdf:type behind a domain axiom, which is precisely what the shapes must catch. Real
reasoning is HermiT's job (bricskg.validation.reasoning). When the data lacks the ontology graph,
a copy of it gets one (the caller's Store is never modified).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable, Union

import pyoxigraph as ox
import pyshacl
import rdflib
from pyshacl.graph_abstraction import OxigraphDataGraph
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH

from bricskg.sparql import rdflib_parser
from bricskg.dataset import ONTOLOGY_GRAPH, SourceFile, load_rdflib_dataset
from bricskg.paths import ontology_dir
from bricskg.validation.compiled import run_compiled
from bricskg.validation.focus import group_by_shapes, named_owners
from bricskg.validation.report import ValidationReport, ValidationResult, compact
from bricskg.validation.shacl_paths import path_closure, render_path
from bricskg.validation.shapes_graph import ShapesError, load, loaded_from, one_line
from bricskg.validation.terms import quads_of, store_from_rdflib

DataInput = Union[ox.Store, rdflib.Graph]  # rdflib.Dataset is a Graph too

SEVERITIES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}


def as_store(data: DataInput) -> ox.Store:
    """The data as a pyoxigraph Store; a Store is used as it is (no copy), rdflib input is copied."""
    if isinstance(data, ox.Store):
        return data
    if isinstance(data, rdflib.Graph):
        return store_from_rdflib(data)
    raise TypeError(f"cannot validate a {type(data).__name__}: pass a pyoxigraph Store or an rdflib Graph/Dataset")


def has_ontology(store: ox.Store) -> bool:
    graph = ox.NamedNode(ONTOLOGY_GRAPH)
    return any(True for _ in store.quads_for_pattern(None, None, None, graph))


def with_ontology(store: ox.Store, *, copy: bool) -> ox.Store:
    """``store`` with the bundled ontology in its graph, added to a copy unless ``copy`` is False."""
    target = store
    if copy:
        target = ox.Store()
        target.extend(store.quads_for_pattern(None, None, None, None))
    name = ox.NamedNode(ONTOLOGY_GRAPH)
    target.extend(ox.Quad(q.subject, q.predicate, q.object, name) for q in quads_of(ontology_graph()))
    return target


def ontology_graph() -> rdflib.Graph:
    """The bundled ontology as one rdflib graph, for data that arrives without it."""
    sources = [SourceFile(path, ONTOLOGY_GRAPH) for path in sorted(ontology_dir().glob("*.ttl"))]
    merged = rdflib.Graph()
    for graph in load_rdflib_dataset(sources).graphs():
        merged += graph
    return merged


class PresentDataGraph(OxigraphDataGraph):
    """pyshacl's view of our Store, whose truth value does not count the store.

    pyshacl 0.40 builds every candidate result's message with ``stringify_node(datagraph or sg, ...)``
    (constraints/constraint_component.py), i.e. it takes the truth value of its data-graph wrapper;
    an rdflib Graph has no ``__bool__``, so that is ``len()``: a COUNT over the whole store, once per
    candidate failure -- including the many failures a qualified value shape or an sh:or discards.
    A write's validation cost then grew with the store's size. A data graph that exists is never
    "absent", so its truth value is True. Only the object bricskg passes is affected; pyshacl itself
    is not patched.
    """

    def __bool__(self) -> bool:
        return True


ENGINES = ("compiled", "pyshacl")
DEFAULT_ENGINE = "compiled"
ENGINE_VARIABLE = "BRICSKG_SHACL_ENGINE"  # overrides the default engine (the benchmark's pySHACL column)


def chosen_engine(engine: str | None) -> str:
    """``engine``, else $BRICSKG_SHACL_ENGINE, else the compiled engine."""
    chosen = engine or os.environ.get(ENGINE_VARIABLE) or DEFAULT_ENGINE
    if chosen not in ENGINES:
        raise ValueError(f"unknown SHACL engine {chosen!r}: one of {', '.join(ENGINES)}")
    return chosen


def validate_shacl(
    data: DataInput,
    *,
    focus_nodes: Iterable[rdflib.term.Node | str] | None = None,
    shapes_directory: Path | None = None,
    engine: str | None = None,
) -> ValidationReport:
    """Validate ``data`` against shapes/; with ``focus_nodes``, validate only those nodes.

    ``engine="compiled"`` (the default) runs the shapes compiled to SPARQL, set-at-a-time, on
    Oxigraph (bricskg.validation.compiled), and pySHACL for any shape the compiler cannot
    translate; ``engine="pyshacl"`` runs pySHACL for everything (the reference the compiled
    engine is tested against)."""
    engine = chosen_engine(engine)
    shapes = load(shapes_directory)
    store = as_store(data)
    if not has_ontology(store):
        store = with_ontology(store, copy=store is data)
    if focus_nodes is None:
        every = {target.shape: None for target in shapes.targets}
        results, detail = _validate(store, shapes, every, engine)
        scope = f"{len(shapes.targets)} targeted shapes over the whole dataset (union of all graphs); {detail}"
        return ValidationReport(results, {"shacl": scope})
    requested = {node if isinstance(node, rdflib.term.Node) else rdflib.URIRef(node) for node in focus_nodes}
    nodes = named_owners(store, requested)
    groups = group_by_shapes(store, sorted(nodes, key=str), shapes.targets)
    per_shape: dict[rdflib.term.Node, list[rdflib.term.Node]] = {}
    for shape_set, members in groups.items():
        for shape in shape_set:
            per_shape.setdefault(shape, []).extend(members)
    results, detail = _validate(store, shapes, {s: sorted(set(m), key=str) for s, m in per_shape.items()}, engine)
    scope = f"{len(nodes)} focus node(s) against {len(groups)} combination(s) of shapes; {detail}"
    return ValidationReport(results, {"shacl": scope})


def validate_graph(store: ox.Store, shapes_graph: rdflib.Graph, *, engine: str | None = None) -> ValidationReport:
    """Validate ``store`` as it is (no ontology added) against any shapes graph -- the path the W3C
    SHACL test suite exercises, the same engines as ``validate_shacl``."""
    shapes = loaded_from(shapes_graph)
    results, detail = _validate(store, shapes, {target.shape: None for target in shapes.targets}, chosen_engine(engine))
    return ValidationReport(results, {"shacl": detail})


def _validate(store: ox.Store, shapes, focus: dict, engine: str) -> tuple[list[ValidationResult], str]:
    """Results for ``focus`` (shape -> its focus nodes, or None for the shape's targets)."""
    fallback = dict(focus)
    results: list[ValidationResult] = []
    detail = "engine: pySHACL"
    if engine == "compiled":
        whole = all(nodes is None for nodes in focus.values())
        run = run_compiled(store, shapes.graph, shapes.targets,
                           focus=None if whole else {s: n for s, n in focus.items() if n})
        results += run.results
        fallback = {shape: focus[shape] for shape in run.uncompiled if shape in focus}
        detail = f"engine: SHACL compiled to SPARQL on Oxigraph ({run.queries} queries)"
        if fallback:
            detail += "; pySHACL for " + ", ".join(f"{compact(s)} ({run.uncompiled[s]})" for s in sorted(fallback, key=str))
    whole_shapes = sorted((s for s, nodes in fallback.items() if nodes is None), key=str)
    if any(isinstance(shape, rdflib.BNode) for shape in fallback):
        # pySHACL selects shapes by IRI: run it on every shape, keep what the fallback shapes found
        own = set(fallback) | {p for s in fallback for p in shapes.graph.objects(s, SH.property)}
        found = _run(store, shapes.graph)
        return results + [r for r in found if engine == "pyshacl" or r.source_shape in own], detail
    if whole_shapes:
        results += _run(store, shapes.graph, use_shapes=whole_shapes if engine == "compiled" else None)
        for target in shapes.targets:
            if target.targets_graph_names and target.shape in whole_shapes:
                graphs = sorted(
                    (rdflib.URIRef(g.value) for g in store.named_graphs()
                     if isinstance(g, ox.NamedNode) and target.targets_graph(g.value)),
                    key=str,
                )
                if graphs:
                    results += _run(store, shapes.graph, use_shapes=[target.shape], focus=graphs)
    by_nodes: dict[tuple, list] = {}
    for shape, nodes in fallback.items():
        if nodes:
            by_nodes.setdefault(tuple(nodes), []).append(shape)
    for nodes, shape_list in sorted(by_nodes.items(), key=lambda item: sorted(map(str, item[1]))):
        results += _run(store, shapes.graph, use_shapes=sorted(shape_list, key=str), focus=list(nodes))
    return results, detail


def _run(
    store: ox.Store,
    shapes_graph: rdflib.Graph,
    *,
    use_shapes: list[rdflib.URIRef] | None = None,
    focus: list[rdflib.term.Node] | None = None,
) -> list[ValidationResult]:
    """One pyshacl run. With ``use_shapes`` the shapes are applied to ``focus`` directly (no target
    enumeration). pyshacl then also ignores *named* shapes missing from the list, even as the
    sh:property of a listed one, so the named property shapes are listed as well; they then run once
    through their node shape and once on their own, and the report's de-duplication keeps one copy."""
    if use_shapes:
        use_shapes = sorted(reachable_shapes(shapes_graph, use_shapes), key=str)
    # pyshacl prepares its SPARQL constraints with rdflib's parser, which is not thread-safe: hold
    # the process-wide parser lock so a write's validation cannot interleave with request threads.
    with rdflib_parser.exclusive():
        _, report_graph, _ = pyshacl.validate(
            PresentDataGraph(store),
            shacl_graph=shapes_graph,
            inference="none",
            allow_warnings=True,
            allow_infos=True,
            advanced=False,
            use_shapes=[str(shape) for shape in use_shapes] if use_shapes else None,
            focus_nodes=[str(node) for node in focus] if focus else None,
        )
    if not isinstance(report_graph, rdflib.Graph):  # pySHACL returns, not raises, a ValidationFailure
        raise ShapesError(f"pySHACL refused the shapes: {one_line(report_graph)}")
    return results_from_graph(report_graph)


SHAPE_VALUED = (SH.property, SH.node, SH["not"], SH["and"], SH["or"], SH.xone, SH.qualifiedValueShape)


def reachable_shapes(shapes_graph: rdflib.Graph, shapes: list) -> set:
    """``shapes`` and every named shape they use (sh:property, sh:node, sh:or, qualified shapes, and
    a property shape's siblings, which sh:qualifiedValueShapesDisjoint compares): pySHACL's
    use_shapes= ignores a named shape it is not given, even where a listed shape refers to it."""
    found, pending = set(), list(shapes)
    while pending:
        shape = pending.pop()
        if shape in found:
            continue
        found.add(shape)
        for predicate in SHAPE_VALUED:
            for obj in shapes_graph.objects(shape, predicate):
                if (obj, RDF.first, None) in shapes_graph:
                    pending += [m for m in Collection(shapes_graph, obj) if isinstance(m, (rdflib.URIRef, rdflib.BNode))]
                elif isinstance(obj, (rdflib.URIRef, rdflib.BNode)):
                    pending.append(obj)
        pending += [p for parent in shapes_graph.subjects(SH.property, shape) for p in shapes_graph.objects(parent, SH.property)]
    return {shape for shape in found if isinstance(shape, rdflib.URIRef)}


def results_from_graph(report: rdflib.Graph) -> list[ValidationResult]:
    """Read the sh:ValidationResult nodes of a SHACL report graph into the report model."""
    results = []
    for node in report.subjects(RDF.type, SH.ValidationResult):
        path_node = report.value(node, SH.resultPath)
        component = report.value(node, SH.sourceConstraintComponent)
        message = report.value(node, SH.resultMessage)
        source = report.value(node, SH.sourceShape)
        results.append(
            ValidationResult(
                focus_node=report.value(node, SH.focusNode),
                message=str(message) if message is not None else _default_message(component),
                source_shape=source,
                severity=SEVERITIES.get(report.value(node, SH.resultSeverity), "Violation"),  # type: ignore[arg-type]
                path=render_path(report, path_node) if path_node is not None else None,
                value=report.value(node, SH.value),
                constraint_component=component,
                source_constraint=report.value(node, SH.sourceConstraint)
                if isinstance(report.value(node, SH.sourceConstraint), rdflib.URIRef)
                else None,
                checker="shacl",
                path_node=path_node,
                path_triples=tuple(path_closure(report, path_node)) if isinstance(path_node, rdflib.BNode) else (),
            )
        )
    return results


def _default_message(component: rdflib.term.Node | None) -> str:
    name = str(component).rsplit("#", 1)[-1] if component is not None else "constraint"
    return f"violates {name}"
