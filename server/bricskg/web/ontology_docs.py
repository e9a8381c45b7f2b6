"""The ontology's documentation page (``/page/ontology``, where ``/ontology`` 303-redirects browsers)
and its class diagram (``/pictures/class-diagram.svg``).

The ontology is read from its named graph through SPARQL, so the page documents what the server
actually loaded — after an update through the write path too — not a file on disk.
"""

from __future__ import annotations

import threading

from flask import Blueprint, Response, render_template
from rdflib import Graph

from bricskg.dataset import ONTOLOGY_GRAPH
from bricskg.store.base import Backend
from bricskg.store.results import select_rows
from bricskg.web import request_context
from bricskg.web.class_diagram import class_diagram_svg
from bricskg.web.error_pages import not_found
from bricskg.web.ontology_model import OntologyDoc, build_ontology_doc
from bricskg.web.prefixes import bind_prefixes

ONTOLOGY_TRIPLES_QUERY = "SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"

_cache: dict[int, OntologyDoc] = {}
_cache_lock = threading.Lock()


def register(blueprint: Blueprint) -> None:
    blueprint.add_url_rule("/pictures/class-diagram.svg", view_func=class_diagram, endpoint="class_diagram")


def ontology_graph(backend: Backend, graph_iri: str = ONTOLOGY_GRAPH) -> Graph:
    graph = Graph()
    bind_prefixes(graph)
    for row in select_rows(backend, ONTOLOGY_TRIPLES_QUERY.format(graph=graph_iri)):
        graph.add((row["s"], row["p"], row["o"]))
    return graph


def ontology_doc(backend: Backend) -> OntologyDoc:
    version = backend.version()
    with _cache_lock:
        if version in _cache:
            return _cache[version]
    doc = build_ontology_doc(ontology_graph(backend), ONTOLOGY_GRAPH)
    with _cache_lock:
        _cache.clear()
        _cache[version] = doc
    return doc


def ontology_page() -> Response:
    doc = ontology_doc(request_context.backend())
    if not doc.sections:
        return not_found(f"<{ONTOLOGY_GRAPH}> (no ontology loaded)")
    space = request_context.iri_space()
    body = render_template(
        "ontology.html",
        doc=doc,
        diagram=class_diagram_svg(doc),
        term_page=lambda iri: space.thing_path(iri),
        alternates=[(ext, f"/data/ontology.{ext}") for ext in ("ttl", "jsonld", "nt", "rdf")],
    )
    return Response(body, mimetype="text/html")


def class_diagram() -> Response:
    doc = ontology_doc(request_context.backend())
    svg = class_diagram_svg(doc, link_prefix="/page/ontology#")
    return Response(svg, mimetype="image/svg+xml")
