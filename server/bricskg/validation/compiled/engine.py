"""Running the compiled checks on a pyoxigraph Store and turning rows into validation results.

Every query reads the union of the store's graphs (``use_default_graph_as_union``), as pySHACL's
view of the store does; rows are de-duplicated (a triple stated in two graphs appears twice in
Oxigraph's union). The focus nodes of a shape are bound by one pattern at the start of each check:

- whole-store validation: the shape's targets (class targets through the subclass closure read
  from the data, ``targetNode``, ``targetSubjectsOf`` / ``targetObjectsOf``, and bricskg's
  ``bkgsh:targetGraphsUnder`` for the names of named graphs);
- focus-node validation (a write): ``VALUES ?this { ... }`` with the focus nodes the target index
  says the shape applies to (bricskg.validation.focus), so a write costs what its nodes cost.
"""

from __future__ import annotations

import re
import weakref
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable

import pyoxigraph as ox
import rdflib
from rdflib.namespace import RDF, RDFS, SH

from bricskg.validation.compiled.compiler import Check, Compiler, Uncompilable, term
from bricskg.validation.compiled.sparql_rules import FOCUS
from bricskg.validation.report import ValidationResult
from bricskg.validation.shacl_paths import path_closure, render_path
from bricskg.validation.shapes_graph import ShapeTargets
from bricskg.validation.terms import XSD_STRING, to_rdflib

SUBCLASS_OF = ox.NamedNode(str(RDFS.subClassOf))
MAX_VALUES_PER_QUERY = 5_000  # focus nodes per VALUES block (a big write is validated in slices)


@dataclass
class CompiledRun:
    """What one run found, and which shapes it could not compile (they go to pySHACL)."""

    results: list[ValidationResult] = field(default_factory=list)
    uncompiled: dict[rdflib.term.Node, str] = field(default_factory=dict)  # shape -> reason
    queries: int = 0


def subclass_closure(store: ox.Store) -> dict[str, set[str]]:
    """Each class IRI -> itself and every class below it (rdfs:subClassOf*, as SHACL's class tests)."""
    below: dict[str, set[str]] = defaultdict(set)
    for quad in store.quads_for_pattern(None, SUBCLASS_OF, None, None):  # every graph: the union
        if not isinstance(quad.object, ox.Literal):
            below[quad.object.value].add(quad.subject.value)
    memo: dict[str, set[str]] = {}

    def close(cls: str) -> set[str]:
        if cls not in memo:
            found, frontier = {cls}, [cls]
            while frontier:
                for sub in below.get(frontier.pop(), ()):
                    if sub not in found:
                        found.add(sub)
                        frontier.append(sub)
            memo[cls] = found
        return memo[cls]

    return close, frozenset((sub, sup) for sup, subs in below.items() for sub in subs)  # type: ignore[return-value]


_compiled_cache: "weakref.WeakKeyDictionary[rdflib.Graph, dict]" = weakref.WeakKeyDictionary()


def _compiled_for(shapes_graph: rdflib.Graph, pairs: frozenset, close, *, whole_store: bool) -> dict:
    """Compiled checks of the shapes graph for this class hierarchy, filled per shape as needed and
    kept while the graph lives: a write validates a fresh context store each time (with the same
    ontology), and compiling reads the shapes graph through rdflib (~0.2 s for shapes/)."""
    per_hierarchy = _compiled_cache.setdefault(shapes_graph, {})
    key = (pairs, whole_store)
    if key not in per_hierarchy:
        if not any(known[0] == pairs for known in per_hierarchy):
            per_hierarchy.clear()  # the ontology changed: recompile
        compiler = Compiler(shapes_graph, lambda cls: {rdflib.URIRef(c) for c in close(str(cls))}
                            if isinstance(cls, rdflib.URIRef) else {cls}, whole_store=whole_store)
        per_hierarchy[key] = {"compiler": compiler}
    return per_hierarchy[key]


def _checks(compiled: dict, shape) -> list[Check] | Uncompilable:
    if shape not in compiled:
        try:
            compiled[shape] = compiled["compiler"].checks(shape)
        except Uncompilable as reason:
            compiled[shape] = reason
    return compiled[shape]


def run_compiled(
    store: ox.Store,
    shapes_graph: rdflib.Graph,
    targets: Iterable[ShapeTargets],
    *,
    focus: dict[rdflib.URIRef, list[rdflib.term.Node]] | None = None,
) -> CompiledRun:
    """Validate ``store``: every targeted shape over its targets, or (``focus``: shape -> nodes) only
    the given nodes against the given shapes."""
    close, pairs = subclass_closure(store)
    compiled = _compiled_for(shapes_graph, pairs, close, whole_store=focus is None)
    run = CompiledRun()
    graph_names = None
    for target in targets:
        if focus is not None and target.shape not in focus:
            continue
        checks = _checks(compiled, target.shape)
        if isinstance(checks, Uncompilable):
            run.uncompiled[target.shape] = str(checks)
            continue
        if focus is not None:
            nodes = sorted(focus[target.shape], key=str)
            patterns = [_values(nodes[i:i + MAX_VALUES_PER_QUERY]) for i in range(0, len(nodes), MAX_VALUES_PER_QUERY)]
        else:
            if target.graphs_under and graph_names is None:
                graph_names = sorted((g for g in store.named_graphs() if isinstance(g, ox.NamedNode)), key=str)
            patterns = [_targets(target, close, graph_names or [])]
        for pattern in patterns:
            if pattern is None:
                continue
            for check in checks:
                run.results += _evaluate(store, shapes_graph, check, pattern)
                run.queries += 1
    return run


def _values(nodes: list[rdflib.term.Node]) -> str | None:
    if not nodes:
        return None
    return "VALUES ?this { " + " ".join(_node(n) for n in nodes) + " }"


def _node(node: rdflib.term.Node) -> str:
    if isinstance(node, rdflib.BNode):
        raise Uncompilable("a blank focus node")  # validate_shacl replaces them by their owners
    return term(node)


def _targets(target: ShapeTargets, close, graph_names: list[ox.NamedNode]) -> str | None:
    """The pattern binding ``?this`` to every focus node of ``target`` in the whole store."""
    alternatives = []
    classes = sorted({c for cls in target.classes if isinstance(cls, rdflib.URIRef) for c in close(str(cls))})
    if classes:
        alternatives.append(
            f"SELECT DISTINCT ?this WHERE {{ ?this <{RDF.type}> ?_class . VALUES ?_class {{ {' '.join(f'<{c}>' for c in classes)} }} }}"
        )
    nodes = [n for n in target.nodes if not isinstance(n, rdflib.BNode)]
    if len(nodes) != len(target.nodes):
        raise Uncompilable("a blank node as sh:targetNode")
    if nodes:
        alternatives.append("SELECT ?this WHERE { VALUES ?this { " + " ".join(term(n) for n in sorted(nodes, key=str)) + " } }")
    for predicate in sorted(target.subjects_of, key=str):
        alternatives.append(f"SELECT DISTINCT ?this WHERE {{ ?this {term(predicate)} ?_o }}")
    for predicate in sorted(target.objects_of, key=str):
        alternatives.append(f"SELECT DISTINCT ?this WHERE {{ ?_s {term(predicate)} ?this }}")
    if target.graphs_under:
        names = [g for g in graph_names if target.targets_graph(g.value)]
        if names:
            alternatives.append("SELECT ?this WHERE { VALUES ?this { " + " ".join(f"<{g.value}>" for g in names) + " } }")
    if not alternatives:
        return None
    if len(alternatives) == 1:
        return "{ " + alternatives[0] + " }"
    return "{ SELECT DISTINCT ?this WHERE { " + " UNION ".join(f"{{ {a} }}" for a in alternatives) + " } }"


def _evaluate(store: ox.Store, shapes_graph: rdflib.Graph, check: Check, focus: str) -> list[ValidationResult]:
    if check.query is not None:
        query = check.query.replace(FOCUS, focus + "\n")
    elif check.tests:
        flags = " ".join(f"BIND(COALESCE({test}, false) AS ?_t{i})" for i, (_, test) in enumerate(check.tests))
        any_flag = " || ".join(f"?_t{i}" for i in range(len(check.tests)))
        names = " ".join(f"?_t{i}" for i in range(len(check.tests)))
        query = f"SELECT DISTINCT ?this ?value {names} WHERE {{ {focus} {check.each} {flags} FILTER({any_flag}) }}"
    else:
        projection = "?this" + (" ?value" if check.has_value else "") + (" ?path" if check.binds_path else "") + (
            " ?_n" if check.counts else "")
        body = " UNION ".join(
            f"{{ {branch.replace(FOCUS, focus + chr(10))} }}" if FOCUS in branch else f"{{ {focus} {branch} }}"
            for branch in check.branches
        )
        query = f"SELECT DISTINCT {projection} WHERE {{ {body} }}"
    try:
        rows = store.query(query, use_default_graph_as_union=True)
    except SyntaxError as error:  # a bug in the compiler, never the data's fault: say which check
        raise RuntimeError(f"compiled query for {check.source_shape} ({check.component}) does not parse: {error}\n{query}") from error
    results = []
    seen = set()
    variables = [v.value for v in rows.variables]
    for row in rows:
        values = {name: row[name] for name in variables if row[name] is not None}
        key = tuple(sorted((k, str(v)) for k, v in values.items()))
        if key in seen:
            continue
        seen.add(key)
        if check.counts:
            number = int(values.pop("_n").value)
            component = SH.MinCountConstraintComponent if number < check.counts[0] else SH.MaxCountConstraintComponent
            results.append(_result(shapes_graph, check, values, component))
        elif check.tests:
            flags = [values.pop(f"_t{i}", None) for i in range(len(check.tests))]
            for (component, _), flag in zip(check.tests, flags):
                if flag is not None and flag.value == "true":
                    results.append(_result(shapes_graph, check, values, component))
        else:
            results.append(_result(shapes_graph, check, values, check.component))
    return results


def _term(node) -> rdflib.term.Node:
    """A row's term as pySHACL reports it: an xsd:string literal keeps its explicit datatype."""
    if isinstance(node, ox.Literal) and not node.language and node.datatype.value == XSD_STRING:
        return rdflib.Literal(node.value, datatype=rdflib.XSD.string)
    return to_rdflib(node)


def _result(shapes_graph: rdflib.Graph, check: Check, row: dict, component) -> ValidationResult:
    focus = to_rdflib(row["this"])
    path_node = check.path_node
    if check.binds_path or (check.query is not None and "path" in row):
        path_node = to_rdflib(row["path"])
    value = _term(row["value"]) if "value" in row else None
    if check.query is not None and value is None and check.path_node is None:
        value = focus  # a node shape's SPARQL result without ?value reports the focus node (as pySHACL)
    if not check.has_value:
        value = None
    return ValidationResult(
        focus_node=focus,
        message=_message(check, component, focus, path_node, value, row),
        source_shape=check.source_shape,
        severity=check.severity,  # type: ignore[arg-type]
        path=render_path(shapes_graph, path_node) if path_node is not None else None,
        value=value,
        constraint_component=component,
        source_constraint=check.source_constraint if isinstance(check.source_constraint, rdflib.URIRef) else None,
        checker="shacl",
        path_node=path_node,
        path_triples=tuple(path_closure(shapes_graph, path_node)) if isinstance(path_node, rdflib.BNode) else (),
    )


def _message(check: Check, component, focus, path_node, value, row: dict) -> str:
    if not check.messages:
        name = str(component).rsplit("#", 1)[-1]
        return f"violates {name}"
    text = str(check.messages[0])
    if check.query is None:
        return text
    names = {name: _term(v) for name, v in row.items() if name not in ("this", "path", "value")}
    names.update(this=focus)
    if path_node is not None and "path" in row:
        names["path"] = path_node
    if value is not None:
        names["value"] = value
    for name, bound in names.items():
        text = re.sub("{[?$]" + re.escape(name) + "}", lambda _m, b=bound: str(b), text)
    return text
