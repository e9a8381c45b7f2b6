"""Read query answers back into rdflib terms, for code that renders them (pages, exports, tests).

The backend answers in serialised form (that is what the HTTP layer wants); server-side Python
that needs terms asks for SPARQL JSON and N-Triples and parses them here. Works with any backend.
"""

from __future__ import annotations

import json
from typing import Any

import rdflib
from rdflib.term import Identifier

from bricskg.store.base import Backend, Dataset, QueryRequest

JSON_RESULTS = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"


def _request(sparql: str, media_type: str, kw: dict[str, Any]) -> QueryRequest:
    dataset = kw.pop("dataset", None) or Dataset()
    return QueryRequest(query=sparql, media_type=media_type, dataset=dataset, **kw)


def term_from_json(value: dict[str, Any]) -> Identifier:
    """One RDF term of SPARQL 1.1 JSON results (§3.2.2) as an rdflib term."""
    kind = value["type"]
    if kind == "uri":
        return rdflib.URIRef(value["value"])
    if kind == "bnode":
        return rdflib.BNode(value["value"])
    if kind in ("literal", "typed-literal"):
        language = value.get("xml:lang")
        datatype = value.get("datatype")
        if language:
            return rdflib.Literal(value["value"], lang=language)
        return rdflib.Literal(value["value"], datatype=rdflib.URIRef(datatype) if datatype else None)
    if kind == "triple":  # RDF-star quoted triple: rdflib has no term for it; keep the N-Triples text
        inner = value["value"]
        parts = [term_from_json(inner[key]).n3() for key in ("subject", "predicate", "object")]
        return rdflib.Literal("<< " + " ".join(parts) + " >>")
    raise ValueError(f"unknown RDF term type in SPARQL JSON results: {kind!r}")


def parse_json_rows(body: bytes) -> list[dict[str, Identifier]]:
    document = json.loads(body)
    return [
        {name: term_from_json(value) for name, value in binding.items()}
        for binding in document.get("results", {}).get("bindings", [])
    ]


def select_rows(backend: Backend, sparql: str, **kw: Any) -> list[dict[str, Identifier]]:
    """Rows of a SELECT query as dicts of rdflib terms (unbound variables are absent).

    Keyword arguments go to ``QueryRequest`` (``dataset``, ``timeout``, ``base_iri``,
    ``max_result_bytes``). Raises the backend's errors (QuerySyntaxError, QueryTimeout …).
    """
    result = backend.query(_request(sparql, JSON_RESULTS, kw))
    return parse_json_rows(result.body)


def ask(backend: Backend, sparql: str, **kw: Any) -> bool:
    result = backend.query(_request(sparql, JSON_RESULTS, kw))
    return bool(json.loads(result.body)["boolean"])


def construct_graph(backend: Backend, sparql: str, **kw: Any) -> rdflib.Graph:
    """The triples of a CONSTRUCT/DESCRIBE query as an rdflib Graph."""
    result = backend.query(_request(sparql, N_TRIPLES, kw))
    graph = rdflib.Graph()
    graph.parse(data=result.body.decode("utf-8"), format="nt")
    return graph
