"""Human-readable names for IRIs, fetched in one query per page.

English or language-less ``skos:prefLabel`` / ``rdfs:label`` wins; a sentence (which has no label)
is named by the start of its quote; any other IRI without a label shows its prefixed name or its last
path segment, so a page never shows a bare 60-character IRI as a title.
"""

from __future__ import annotations

from typing import Iterable

from rdflib import Literal, URIRef

from bricskg.store.base import Backend
from bricskg.store.results import select_rows
from bricskg.web.descriptions import is_safe_iri
from bricskg.web.prefixes import curie

LABEL_QUERY = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX oa: <http://www.w3.org/ns/oa#>
SELECT ?x ?label ?kind WHERE {{
  VALUES ?x {{ {values} }}
  {{ ?x skos:prefLabel ?label BIND(1 AS ?kind) }} UNION {{ ?x rdfs:label ?label BIND(2 AS ?kind) }}
  UNION {{ ?x oa:hasSelector/oa:exact ?label BIND(3 AS ?kind) }}
}}
"""

MAX_VALUES_PER_QUERY = 400
QUOTE_LABEL_LENGTH = 60  # a sentence without a label is named by the start of its quote


def fetch_labels(backend: Backend, iris: Iterable[URIRef]) -> dict[URIRef, str]:
    """The best label of each IRI that has one."""
    wanted = sorted({iri for iri in iris if isinstance(iri, URIRef) and is_safe_iri(str(iri))})
    best: dict[URIRef, tuple[int, int, str]] = {}
    for start in range(0, len(wanted), MAX_VALUES_PER_QUERY):
        chunk = wanted[start : start + MAX_VALUES_PER_QUERY]
        rows = select_rows(backend, LABEL_QUERY.format(values=" ".join(f"<{iri}>" for iri in chunk)))
        for row in rows:
            candidate = (_language_rank(row["label"]), int(row["kind"]), str(row["label"]))
            if row["x"] not in best or candidate < best[row["x"]]:
                best[row["x"]] = candidate
    return {iri: _shorten_quote(rank[2]) if rank[1] == 3 else rank[2] for iri, rank in best.items()}


def _shorten_quote(text: str) -> str:
    text = " ".join(text.split())
    if len(text) > QUOTE_LABEL_LENGTH:
        text = text[: QUOTE_LABEL_LENGTH].rsplit(" ", 1)[0] + " …"
    return f"“{text}”"


def _language_rank(label: object) -> int:
    language = label.language if isinstance(label, Literal) else None
    if language is None or language.lower() in ("en", "en-gb", "en-us"):
        return 0
    return 1


def fallback_label(iri: str) -> str:
    """The prefixed name, else the last segment: readable and still unambiguous on a page."""
    short = curie(iri)
    if short:
        return short
    tail = iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    return tail or iri
