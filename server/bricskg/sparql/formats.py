"""The media types the endpoint speaks, and the pyoxigraph serialiser behind each.

One table per result family: SELECT/ASK answers ("bindings"/"boolean") use the SPARQL results
formats, CONSTRUCT/DESCRIBE answers ("graph") use RDF syntaxes. Aliases are media types clients
send in ``Accept`` (``application/json``, ``text/xml``, ``application/x-turtle`` …); the answer is
always labelled with the canonical type so that clients that switch on Content-Type keep working.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pyoxigraph

Family = Literal["results", "graph"]


@dataclass(frozen=True)
class Format:
    """One serialisation: canonical media type, its ``format=`` short name, the pyoxigraph enum."""

    name: str  # the value of the ``format=`` parameter
    media_type: str  # canonical, sent as Content-Type
    family: Family
    aliases: tuple[str, ...] = ()

    @property
    def content_type(self) -> str:
        """The Content-Type header value; every textual format here is UTF-8."""
        return f"{self.media_type}; charset=utf-8"

    def results_format(self) -> pyoxigraph.QueryResultsFormat:
        return _RESULTS_ENUM[self.name]

    def rdf_format(self) -> pyoxigraph.RdfFormat:
        return _RDF_ENUM[self.name]


RESULTS_FORMATS: tuple[Format, ...] = (
    Format("json", "application/sparql-results+json", "results", ("application/json",)),
    Format("xml", "application/sparql-results+xml", "results", ("application/xml", "text/xml")),
    Format("csv", "text/csv", "results"),
    Format("tsv", "text/tab-separated-values", "results"),
)

GRAPH_FORMATS: tuple[Format, ...] = (
    Format("turtle", "text/turtle", "graph", ("application/x-turtle", "application/turtle")),
    Format("ntriples", "application/n-triples", "graph", ("text/plain",)),
    Format("jsonld", "application/ld+json", "graph", ("application/json",)),
    Format("rdfxml", "application/rdf+xml", "graph", ("application/xml", "text/xml")),
    Format("trig", "application/trig", "graph", ("application/x-trig",)),
    Format("nquads", "application/n-quads", "graph", ("text/x-nquads",)),
)

_RESULTS_ENUM = {
    "json": pyoxigraph.QueryResultsFormat.JSON,
    "xml": pyoxigraph.QueryResultsFormat.XML,
    "csv": pyoxigraph.QueryResultsFormat.CSV,
    "tsv": pyoxigraph.QueryResultsFormat.TSV,
}
_RDF_ENUM = {
    "turtle": pyoxigraph.RdfFormat.TURTLE,
    "ntriples": pyoxigraph.RdfFormat.N_TRIPLES,
    "jsonld": pyoxigraph.RdfFormat.JSON_LD,
    "rdfxml": pyoxigraph.RdfFormat.RDF_XML,
    "trig": pyoxigraph.RdfFormat.TRIG,
    "nquads": pyoxigraph.RdfFormat.N_QUADS,
}

FORMATS_BY_FAMILY: dict[Family, tuple[Format, ...]] = {"results": RESULTS_FORMATS, "graph": GRAPH_FORMATS}

# Short names clients may pass as ``format=``, including the common spellings of other servers.
FORMAT_NAMES: dict[str, str] = {
    "json": "json", "srj": "json", "xml": "xml", "srx": "xml", "csv": "csv", "tsv": "tsv",
    "turtle": "turtle", "ttl": "turtle", "ntriples": "ntriples", "nt": "ntriples", "n-triples": "ntriples",
    "jsonld": "jsonld", "json-ld": "jsonld", "rdfxml": "rdfxml", "rdf": "rdfxml", "rdf+xml": "rdfxml",
    "trig": "trig", "nquads": "nquads", "nq": "nquads", "n-quads": "nquads",
}

_BY_MEDIA_TYPE: dict[str, Format] = {
    fmt.media_type: fmt for fmt in RESULTS_FORMATS + GRAPH_FORMATS
}


def format_for_media_type(media_type: str) -> Format:
    """The format whose canonical media type is ``media_type`` (raises KeyError otherwise)."""
    return _BY_MEDIA_TYPE[media_type.split(";", 1)[0].strip().lower()]


def family_of_kind(kind: str) -> Family:
    """SELECT and ASK answer in results formats, CONSTRUCT and DESCRIBE in RDF syntaxes."""
    return "graph" if kind == "graph" else "results"
