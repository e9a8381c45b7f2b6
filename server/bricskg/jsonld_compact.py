"""Compact JSON-LD with the published bricskg context, written as a stream.

Why a writer of our own: pyoxigraph writes expanded JSON-LD only, and rdflib's compacting serialiser
builds the whole document in memory (minutes and gigabytes for a 600k-triple dump). The compaction
needed here is small and safe: IRIs become compact IRIs (``bkg:State``) by the prefixes of the
context, ``rdf:type`` becomes ``@type``, plain strings stay JSON strings, every other literal is a
value object with ``@language`` or ``@type`` (never a JSON number, so no lexical form changes).
No term definitions with coercion, so a value means what it says without reading the context.

The context is published at ``/context.jsonld`` (and, immutable, ``/context/v1.jsonld``) and shipped
in the package (``static/context/v1.jsonld``). Documents EMBED it rather than reference it, so any
JSON-LD processor (rdflib, pyld, jsonld.js) reads them offline, without fetching a context.

Node objects are grouped by consecutive subject: input sorted or grouped by subject (as a store
iterates) gives one node object per subject; otherwise JSON-LD merges node objects with one ``@id``.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import IO, Any, Iterable, Iterator

CONTEXT_VERSION = "v1"
CONTEXT_FILE = Path(__file__).resolve().parent / "static" / "context" / f"{CONTEXT_VERSION}.jsonld"
# The profile that asks a JSON-LD document for its named graphs too (the provenance of each statement).
GRAPHS_PROFILE = "https://w3id.org/bricskg/profile/named-graphs"

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

Triple = tuple[Any, Any, Any]


@lru_cache(maxsize=1)
def context_document() -> dict[str, Any]:
    """The published context document ``{"@context": {...}}``."""
    return json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))


def context_bytes() -> bytes:
    return CONTEXT_FILE.read_bytes()


@lru_cache(maxsize=1)
def _prefixes_longest_first() -> tuple[tuple[str, str], ...]:
    prefixes = context_document()["@context"]
    return tuple(sorted(((name, iri) for name, iri in prefixes.items() if isinstance(iri, str)), key=lambda item: -len(item[1])))


def compact_iri(iri: str) -> str:
    """``bkg:State`` when a prefix of the context fits, the IRI itself otherwise.

    A suffix starting with ``//`` would read as an absolute IRI, and an IRI that itself looks like
    ``prefix:…`` of a defined prefix would be expanded by mistake: both stay absolute."""
    for name, namespace in _prefixes_longest_first():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            suffix = iri[len(namespace) :]
            if not suffix.startswith("//"):
                return f"{name}:{suffix}"
    return iri


def _kind(term: Any) -> tuple[str, str, str | None, str | None]:
    """(kind, value, language, datatype) of an rdflib or a pyoxigraph term."""
    name = type(term).__name__
    if name in ("URIRef", "NamedNode"):
        return "iri", str(term) if name == "URIRef" else term.value, None, None
    if name in ("BNode", "BlankNode"):
        return "bnode", str(term) if name == "BNode" else term.value, None, None
    if name == "Literal":
        if hasattr(term, "value") and hasattr(term, "datatype") and not hasattr(term, "toPython"):  # pyoxigraph
            datatype = term.datatype.value
            return "literal", term.value, term.language, datatype
        datatype = str(term.datatype) if term.datatype is not None else (RDF_LANG_STRING if term.language else XSD_STRING)
        return "literal", str(term), term.language, datatype
    raise TypeError(f"not an RDF term: {term!r}")


def _node_reference(term: Any) -> str:
    kind, value, _, _ = _kind(term)
    return "_:" + value if kind == "bnode" else compact_iri(value)


def _value(term: Any) -> Any:
    kind, value, language, datatype = _kind(term)
    if kind != "literal":
        return {"@id": _node_reference(term)}
    if language:
        return {"@value": value, "@language": language}
    if datatype == XSD_STRING:
        return value
    return {"@value": value, "@type": compact_iri(datatype or XSD_STRING)}


def _compacted(node: dict[str, Any]) -> dict[str, Any]:
    """A property with one value holds it directly, as JSON-LD compaction does."""
    return {key: value[0] if isinstance(value, list) and len(value) == 1 else value for key, value in node.items()}


def node_objects(triples: Iterable[Triple]) -> Iterator[dict[str, Any]]:
    """One node object per run of triples with the same subject."""
    current: Any = None
    node: dict[str, Any] | None = None
    for subject, predicate, obj in triples:
        if node is None or subject != current:
            if node is not None:
                yield _compacted(node)
            current = subject
            node = {"@id": _node_reference(subject)}
        _, predicate_iri, _, _ = _kind(predicate)
        object_kind = _kind(obj)[0]
        if predicate_iri == RDF_TYPE and object_kind != "literal":
            node.setdefault("@type", []).append(_node_reference(obj))
        else:
            node.setdefault(compact_iri(predicate_iri), []).append(_value(obj))
    if node is not None:
        yield _compacted(node)


def write_document(
    out: IO[bytes],
    default_triples: Iterable[Triple],
    named_graphs: Iterable[tuple[Any, Iterable[Triple]]] = (),
    *,
    indent: bool = True,
) -> None:
    """Write ``{"@context": …, "@graph": [default nodes…, {"@id": g, "@graph": [...]}…]}`` as a stream."""
    newline = "\n" if indent else ""
    separator = ("," + newline).encode()
    out.write(('{"@context": ' + json.dumps(context_document()["@context"], ensure_ascii=False) + "," + newline).encode())
    out.write(('"@graph": [' + newline).encode())
    first = True
    for node in node_objects(default_triples):
        out.write((b"" if first else separator) + json.dumps(node, ensure_ascii=False).encode("utf-8"))
        first = False
    for graph_name, triples in named_graphs:
        header = '{"@id": ' + json.dumps(_node_reference(graph_name), ensure_ascii=False) + ', "@graph": [' + newline
        out.write((b"" if first else separator) + header.encode("utf-8"))
        first = False
        inner_first = True
        for node in node_objects(triples):
            out.write((b"" if inner_first else separator) + json.dumps(node, ensure_ascii=False).encode("utf-8"))
            inner_first = False
        out.write((newline + "]}").encode())
    out.write((newline + "]}" + newline).encode())
