"""What search finds, read from the store with SPARQL so that it works over any backend.

A *document* is one literal worth finding and the thing it names: an ``rdfs:label``,
``skos:prefLabel`` or ``skos:altLabel`` of a node, or the ``oa:exact`` quote of a sentence (found
through the sentence's selector, so the hit is the sentence, not a blank node). Documents and types
are read per named graph because the graph is the unit a write changes (and the audit log names):
re-reading the graphs a write touched keeps the index exact at a cost proportional to those graphs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import json

from bricskg.store.base import Backend, QueryRequest

# Generous bounds: building the index of a million-triple store reads every label in one answer.
READ_TIMEOUT_SECONDS = 300.0
READ_MAX_BYTES = 1 << 30

FIELDS = ("label", "alt", "quote")

_PREFIXES = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX oa: <http://www.w3.org/ns/oa#>
"""

DOCUMENTS_QUERY = _PREFIXES + """SELECT ?thing ?field ?text ?g WHERE {
  %(graphs)s
  GRAPH ?g {
    { ?thing rdfs:label ?text BIND("label" AS ?field) }
    UNION { ?thing skos:prefLabel ?text BIND("label" AS ?field) }
    UNION { ?thing skos:altLabel ?text BIND("alt" AS ?field) }
    UNION
    { BIND("quote" AS ?field) ?thing oa:hasSelector ?selector . ?selector oa:exact ?text }
  }
  FILTER(isIRI(?thing) && isLiteral(?text))
}"""

TYPES_QUERY = """SELECT ?thing ?type ?g WHERE {
  %(graphs)s
  GRAPH ?g { ?thing a ?type }
  FILTER(isIRI(?thing) && isIRI(?type))
}"""


@dataclass(frozen=True)
class Document:
    thing: str
    field: str  # one of FIELDS
    text: str
    language: str  # "" when the literal has no language tag
    graph: str


@dataclass(frozen=True)
class Typing:
    thing: str
    type: str
    graph: str


def _graph_filter(graphs: Iterable[str] | None) -> str:
    if graphs is None:
        return ""
    listed = " ".join(f"<{graph}>" for graph in sorted(graphs) if _fits_between_angle_brackets(graph))
    return "VALUES ?g { " + listed + " }"


def _fits_between_angle_brackets(iri: str) -> bool:
    return not any(ch in iri for ch in '<>"{}|^`\\ \t\r\n')


def _bindings(backend: Backend, sparql: str) -> list[dict]:
    """SPARQL JSON bindings as plain dicts: building rdflib terms for every row cost seconds at 100k."""
    result = backend.query(
        QueryRequest(
            query=sparql,
            media_type="application/sparql-results+json",
            timeout=READ_TIMEOUT_SECONDS,
            max_result_bytes=READ_MAX_BYTES,
        )
    )
    return json.loads(result.body).get("results", {}).get("bindings", [])


def read_documents(backend: Backend, graphs: Iterable[str] | None = None) -> list[Document]:
    """Every document of ``graphs`` (all named graphs when None)."""
    graph_list = None if graphs is None else list(graphs)
    if graph_list is not None and not graph_list:
        return []
    return [
        Document(
            row["thing"]["value"],
            row["field"]["value"],
            row["text"]["value"],
            row["text"].get("xml:lang", "").lower(),
            row["g"]["value"],
        )
        for row in _bindings(backend, DOCUMENTS_QUERY % {"graphs": _graph_filter(graph_list)})
    ]


def read_types(backend: Backend, graphs: Iterable[str] | None = None) -> list[Typing]:
    graph_list = None if graphs is None else list(graphs)
    if graph_list is not None and not graph_list:
        return []
    return [
        Typing(row["thing"]["value"], row["type"]["value"], row["g"]["value"])
        for row in _bindings(backend, TYPES_QUERY % {"graphs": _graph_filter(graph_list)})
    ]
