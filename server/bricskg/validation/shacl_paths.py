"""SHACL property paths in the report: their SPARQL-path spelling and the triples describing them.

Shared by the pySHACL report reader (bricskg.validation.shacl) and the compiled engine
(bricskg.validation.compiled), so both spell a result's path the same way.
"""

from __future__ import annotations

import rdflib
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH

from bricskg.validation.report import compact


def path_closure(graph: rdflib.Graph, node: rdflib.term.Node):
    """The triples describing a blank-node path expression (lists, sh:inversePath, ...)."""
    pending, seen = [node], set()
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        for predicate, obj in graph.predicate_objects(current):
            yield (current, predicate, obj)
            if isinstance(obj, rdflib.BNode):
                pending.append(obj)


def render_path(graph: rdflib.Graph, path: rdflib.term.Node) -> str:
    """A SHACL property path in SPARQL property-path syntax, e.g. ``^org:member/org:organization``."""
    if isinstance(path, rdflib.URIRef):
        return compact(path)
    if (path, RDF.first, None) in graph:
        return "/".join(render_path(graph, step) for step in Collection(graph, path))
    for predicate, template in (
        (SH.inversePath, "^{}"),
        (SH.zeroOrMorePath, "({})*"),
        (SH.oneOrMorePath, "({})+"),
        (SH.zeroOrOnePath, "({})?"),
    ):
        inner = graph.value(path, predicate)
        if inner is not None:
            return template.format(render_path(graph, inner))
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(render_path(graph, step) for step in Collection(graph, alternatives)) + ")"
    return str(path)
