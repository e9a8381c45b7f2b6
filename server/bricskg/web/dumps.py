"""Downloadable dumps of the whole store at ``/dumps/bricskg.<ext>``, in every RDF syntax VoID lists.

Why built from a SPARQL SELECT of quads rather than a CONSTRUCT: CONSTRUCT loses the named graphs,
and here the graph a triple sits in is its provenance. TriG, N-Quads and JSON-LD keep every graph;
Turtle, N-Triples and RDF/XML hold the union of all graphs (their syntax has no graphs), which is
also what a SPARQL query sees as the default graph. A dump is serialised once per store version and
kept, so a crawler downloading it repeatedly costs one query.

The inferred graph (``bricskg.inference``) is left out: a dump holds what is stated, and any RDFS /
OWL 2 RL reasoner re-derives the rest from it (the ontology is in the dump).
"""

from __future__ import annotations

import secrets
import threading

from flask import Blueprint, Response, request
from rdflib import Dataset, Graph

from bricskg.inference import INFERRED_GRAPH
from bricskg.store.base import Backend
from bricskg.store.results import select_rows
from bricskg.web import request_context
from bricskg.web.error_pages import not_found
from bricskg.web.iri_space import DATA_EXTENSIONS
from bricskg.web.prefixes import bind_prefixes

DUMP_NAME = "bricskg"

ALL_QUADS_QUERY = "SELECT ?s ?p ?o ?g WHERE { { GRAPH ?g { ?s ?p ?o } } UNION { ?s ?p ?o } }"

# Store versions restart at the same number when the server restarts on other data: the ETag names the process too.
_PROCESS_TOKEN = secrets.token_hex(4)
_cache: dict[tuple[int, str], bytes] = {}
_cache_lock = threading.Lock()


def register(blueprint: Blueprint) -> None:
    blueprint.add_url_rule(f"/dumps/{DUMP_NAME}.<ext>", view_func=dump, endpoint="dump")


def store_dataset(backend: Backend) -> Dataset:
    """Every quad of the store; triples in no named graph go to the default graph."""
    dataset = Dataset()
    bind_prefixes(dataset)
    default_candidates = set()
    named = set()
    for row in select_rows(backend, ALL_QUADS_QUERY):
        triple = (row["s"], row["p"], row["o"])
        graph = row.get("g")
        if graph is None:
            default_candidates.add(triple)
        elif str(graph) == INFERRED_GRAPH:
            named.add(triple)  # not dumped, and not to reappear through the union default graph
        else:
            dataset.graph(graph).add(triple)
            named.add(triple)
    # The union default graph repeats every named triple; keep only those no named graph holds.
    for triple in default_candidates - named:
        dataset.default_graph.add(triple)
    return dataset


def union_graph(dataset: Dataset) -> Graph:
    graph = Graph()
    bind_prefixes(graph)
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        graph.add((s, p, o))
    return graph


def serialise_dump(backend: Backend, extension: str) -> bytes:
    version = backend.version()
    key = (version, extension)
    with _cache_lock:
        cached = _cache.get(key)
    if cached is not None:
        return cached
    _, rdflib_format, keeps_graphs = DATA_EXTENSIONS[extension]
    dataset = store_dataset(backend)
    source = dataset if keeps_graphs else union_graph(dataset)
    body = source.serialize(format=rdflib_format, encoding="utf-8")
    with _cache_lock:
        for stale in [k for k in _cache if k[0] != version]:
            del _cache[stale]
        _cache[key] = body
    return body


def dump(ext: str) -> Response:
    if ext not in DATA_EXTENSIONS:
        return not_found(f"/dumps/{DUMP_NAME}.{ext}")
    backend = request_context.backend()
    etag = f"{_PROCESS_TOKEN}-{backend.version()}-{ext}"
    if request.if_none_match.contains(etag):
        response = Response(status=304)
        response.set_etag(etag)
        return response
    media_type = DATA_EXTENSIONS[ext][0]
    response = Response(serialise_dump(backend, ext), mimetype=media_type)
    response.set_etag(etag)
    response.headers["Content-Disposition"] = f'inline; filename="{DUMP_NAME}.{ext}"'
    return response
