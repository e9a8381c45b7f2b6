"""SPARQL JSON results from an external engine, read into pyoxigraph terms for the write path.

pyoxigraph's own parser is strict about blank-node labels, and Virtuoso labels its blank nodes
``nodeID://b10000`` (its stable internal names, which a later request may use as
``<nodeID://b10000>``). This reader accepts any label and hands it to a ``BlankNamer``: over
Virtuoso the label is kept (so the stored node can be named again), elsewhere each response's
labels get names of their own (engines such as Fuseki label blank nodes per response, so ``_:b0``
in two answers need not be the same node).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import time
from typing import Any, Callable

import pyoxigraph as ox

from bricskg.store.base import BackendUnavailable
from bricskg.store.engines import VIRTUOSO_BLANK_PREFIX

_responses = itertools.count()
_LABEL = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*$")
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"


class PerResponseNamer:
    """Blank-node labels are per response: give each response's nodes their own, stable names."""

    def __init__(self) -> None:
        self.prefix = f"{next(_responses)}-{time.monotonic_ns()}"
        self.names: dict[str, ox.BlankNode] = {}

    def __call__(self, label: str) -> ox.BlankNode:
        named = self.names.get(label)
        if named is None:
            named = ox.BlankNode(hashlib.sha1(f"{self.prefix}/{label}".encode()).hexdigest())
            self.names[label] = named
        return named


def virtuoso_blank(label: str) -> ox.BlankNode:
    """Virtuoso's ``nodeID://b10000`` as the blank node ``_:b10000`` (``stored_blank_iri`` reverses it)."""
    name = label[len(VIRTUOSO_BLANK_PREFIX):] if label.startswith(VIRTUOSO_BLANK_PREFIX) else label
    if not _LABEL.match(name):
        raise BackendUnavailable(f"The SPARQL engine answered with a blank node label bricskg cannot keep: {label!r}")
    return ox.BlankNode(name)


def stored_blank_iri(node: ox.BlankNode) -> str:
    """How a stored blank node is named in a Virtuoso request."""
    return f"<{VIRTUOSO_BLANK_PREFIX}{node.value}>"


def read_json_results(body: bytes, blank: Callable[[str], ox.BlankNode], *, canonical_booleans: bool = False) -> list[Any]:
    """The rows of a SELECT answer as dicts of variable -> term, or ``[bool]`` for an ASK answer;
    ``canonical_booleans``: the engine writes stored ``true`` as ``"1"`` (Virtuoso), read it as ``true``."""
    try:
        document = json.loads(body)
        if "boolean" in document:
            return [bool(document["boolean"])]
        rows = []
        for binding in document["results"]["bindings"]:
            rows.append({name: _term(value, blank, canonical_booleans) for name, value in binding.items()})
        return rows
    except (ValueError, KeyError, TypeError) as error:
        raise BackendUnavailable(f"The SPARQL engine's JSON answer could not be read: {error}") from None


def _term(value: dict[str, Any], blank: Callable[[str], ox.BlankNode], canonical_booleans: bool = False) -> Any:
    kind = value["type"]
    text = str(value["value"])
    if kind == "uri":
        return ox.NamedNode(text)
    if kind == "bnode":
        return blank(text)
    if kind in ("literal", "typed-literal"):
        language = value.get("xml:lang")
        datatype = value.get("datatype")
        if language:
            return ox.Literal(text, language=language)
        if datatype and datatype not in (XSD_STRING, RDF_LANG_STRING):
            if canonical_booleans and datatype == XSD_BOOLEAN and text in ("1", "0"):
                text = "true" if text == "1" else "false"
            return ox.Literal(text, datatype=ox.NamedNode(datatype))
        return ox.Literal(text)
    raise ValueError(f"unknown term type {kind!r}")


_BOOLEAN_JSON = re.compile(rb'("datatype"\s*:\s*"http://www\.w3\.org/2001/XMLSchema#boolean"\s*,\s*"value"\s*:\s*")([01])(")')
_BOOLEAN_XML = re.compile(rb'(<literal datatype="http://www\.w3\.org/2001/XMLSchema#boolean">)([01])(</literal>)')


_BLANK_JSON = re.compile(rb'("type"\s*:\s*"bnode"\s*,\s*"value"\s*:\s*")nodeID://')
_BLANK_XML = re.compile(rb"<bnode>nodeID://")
# TSV: Virtuoso writes a blank node as the *string* "nodeID://b1", a literal in that format
_BLANK_TSV = re.compile(rb'(^|\t)"nodeID://([A-Za-z0-9_]+)"(?=\t|\r?\n|$)', re.MULTILINE)
_BLANK_CSV = re.compile(rb'(^|,)"?nodeID://([A-Za-z0-9_]+)"?(?=,|\r?\n|$)', re.MULTILINE)


def virtuoso_answer(body: bytes, media_type: str) -> bytes:
    """A Virtuoso SELECT answer as any engine would write it: blank nodes as blank nodes with plain
    labels (Virtuoso writes ``nodeID://b1``, an invalid label, and in TSV a string), stored booleans
    as ``true``/``false``."""
    media_type = media_type.split(";")[0].strip().lower()
    if b"nodeID://" in body:
        if "json" in media_type:
            body = _BLANK_JSON.sub(rb"\1", body)
        elif "xml" in media_type:
            body = _BLANK_XML.sub(b"<bnode>", body)
        elif media_type == "text/tab-separated-values":
            body = _BLANK_TSV.sub(rb"\1_:\2", body)
        elif media_type == "text/csv":
            body = _BLANK_CSV.sub(rb"\1_:\2", body)
    return canonical_booleans(body)


def canonical_booleans(body: bytes) -> bytes:
    """Virtuoso writes a stored ``"true"^^xsd:boolean`` as ``"1"`` in its JSON and XML answers: the
    same value, but another RDF term than the one stored (and than every other engine returns).
    Put back the canonical ``true``/``false`` (``1``/``0`` are the only other lexical forms)."""
    if b"XMLSchema#boolean" not in body:
        return body

    def canonical(match: re.Match[bytes]) -> bytes:
        return match.group(1) + (b"true" if match.group(2) == b"1" else b"false") + match.group(3)

    return _BOOLEAN_XML.sub(canonical, _BOOLEAN_JSON.sub(canonical, body))
