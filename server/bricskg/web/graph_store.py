"""The SPARQL 1.1 Graph Store HTTP Protocol at /store.

Indirect identification: ``/store?graph=<IRI>`` or ``/store?default``. Direct identification:
``/store/<path>`` names the graph whose IRI is that request URL. GET/HEAD are public reads;
PUT (replace), POST (merge; to ``/store`` itself: create a new graph, 201 + Location), DELETE go
through the same validated, audited, atomic write path as SPARQL Update.

Uploads are parsed with pyoxigraph's parsers (Turtle, N-Triples, RDF/XML, JSON-LD; TriG/N-Quads
whose statements are all in the default graph), which never fetch anything: no external XML
entities, no remote JSON-LD ``@context`` (tests/test_write_upload_safety.py listens on loopback to
prove it). A POST to ``/store`` with TriG or N-Quads adds the quads to the graphs they name.
"""

from __future__ import annotations

import re
import uuid
from typing import Any, Iterable

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, request

from bricskg.store.base import BackendError, ReadOnly, ResultTooLarge
from bricskg.store.delta import GraphEdit
from bricskg.store.writer import AUDIT_GRAPH, EmbeddedTarget
from bricskg.web.auth import check_write_access
from bricskg.web.request_context import own_url
from bricskg.web.update import config, error_response, plain, success_response, writer

blueprint = Blueprint("graph_store", __name__)

# request media type -> (pyoxigraph format, carries named graphs)
UPLOAD_FORMATS: dict[str, tuple[ox.RdfFormat, bool]] = {
    "text/turtle": (ox.RdfFormat.TURTLE, False),
    "application/x-turtle": (ox.RdfFormat.TURTLE, False),
    "application/n-triples": (ox.RdfFormat.N_TRIPLES, False),
    "text/plain": (ox.RdfFormat.N_TRIPLES, False),
    "application/rdf+xml": (ox.RdfFormat.RDF_XML, False),
    "application/xml": (ox.RdfFormat.RDF_XML, False),
    "application/ld+json": (ox.RdfFormat.JSON_LD, False),
    "application/trig": (ox.RdfFormat.TRIG, True),
    "application/n-quads": (ox.RdfFormat.N_QUADS, True),
}

# response media type -> pyoxigraph format (first = default)
DOWNLOAD_FORMATS: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/trig": ox.RdfFormat.TRIG,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "text/plain": ox.RdfFormat.N_TRIPLES,
}

ALLOWED = "GET, HEAD, PUT, POST, DELETE, OPTIONS"


class BadRequest(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


# ---------------------------------------------------------------------------------------------
# Which graph


def _indirect_graph() -> ox.NamedNode | ox.DefaultGraph | None:
    """The graph named by ``?graph=`` / ``?default``; None for a request to the store itself."""
    has_default = "default" in request.args
    graphs = request.args.getlist("graph")
    if has_default and graphs:
        raise BadRequest(400, "Give either ?default or ?graph=IRI, not both.")
    if len(graphs) > 1:
        raise BadRequest(400, "Give exactly one ?graph=IRI.")
    if has_default:
        return ox.DefaultGraph()
    if graphs:
        return _named(graphs[0])
    return None


def _named(iri: str) -> ox.NamedNode:
    try:
        return ox.NamedNode(iri)
    except ValueError as error:
        raise BadRequest(400, f"Not an absolute IRI: {iri!r} ({error})") from None


def _source() -> Any:
    """Where graph reads come from: the remote engine, or this process's handle on the embedded store."""
    backend = current_app.extensions["bricskg.backend"]
    inner = getattr(backend, "inner", backend)
    if hasattr(inner, "commit_update"):
        return inner
    return EmbeddedTarget(inner.store)


def _exists(graph: Any) -> bool:
    return isinstance(graph, ox.DefaultGraph) or graph in _source().graph_names()


# ---------------------------------------------------------------------------------------------
# Reading


def _download_format() -> tuple[str, ox.RdfFormat] | None:
    """Accept with q-values (parameters such as charset ignored); Turtle when nothing is asked."""
    from bricskg.sparql.negotiation import negotiate_types

    best = negotiate_types(request.headers.get("Accept"), tuple(DOWNLOAD_FORMATS))
    return None if best is None else (best, DOWNLOAD_FORMATS[best])


def _get(graph: Any) -> Response:
    chosen = _download_format()
    if chosen is None:
        return plain(406, "Not acceptable. Available: " + ", ".join(DOWNLOAD_FORMATS))
    media_type, rdf_format = chosen
    limit = config().max_result_bytes
    backend = current_app.extensions["bricskg.backend"]
    inner = getattr(backend, "inner", backend)
    if hasattr(inner, "graph_document"):
        # the embedded store: serialised in an executor, under the query deadline and memory limit
        syntax = "application/n-triples" if media_type == "text/plain" else media_type
        iri = "" if isinstance(graph, ox.DefaultGraph) else graph.value
        try:
            body = inner.graph_document(iri, syntax, config().query_timeout, limit)
        except ResultTooLarge:
            return plain(400, f"The graph is larger than this endpoint's limit of {limit:,} bytes; use a dump instead.")
        if body is None:
            return plain(404, f"No graph {graph} in this store.")
    else:
        if not _exists(graph):
            return plain(404, f"No graph {graph} in this store.")
        quads = _source().graph_quads([graph])
        triples = (ox.Triple(q.subject, q.predicate, q.object) for q in quads)
        body = ox.serialize(triples, format=rdf_format)
        if body is not None and len(body) > limit:
            return plain(400, f"The graph is larger than this endpoint's limit of {limit:,} bytes; use a dump instead.")
    response = Response(body, status=200, mimetype=media_type)
    if media_type.startswith("text/"):
        response.headers["Content-Type"] = f"{media_type}; charset=utf-8"
    response.headers["Vary"] = "Accept"
    return response


# ---------------------------------------------------------------------------------------------
# Writing


def _media_type(content_type: str | None) -> str:
    return (content_type or "").split(";")[0].strip().lower()


def _parse(data: bytes, content_type: str | None, graph: Any, base_iri: str) -> list[ox.Quad]:
    """The payload's statements placed in ``graph`` (or their own graphs when ``graph`` is None)."""
    media_type = _media_type(content_type)
    if media_type not in UPLOAD_FORMATS:
        raise BadRequest(
            415, f"Unsupported media type {media_type or '(none)'!r}. Send one of: " + ", ".join(UPLOAD_FORMATS)
        )
    rdf_format, carries_graphs = UPLOAD_FORMATS[media_type]
    refusal = unsafe_xml(data) if rdf_format == ox.RdfFormat.RDF_XML else None
    if rdf_format == ox.RdfFormat.JSON_LD:
        refusal = too_deep_json(data)
    if refusal:
        raise BadRequest(400, refusal)
    try:
        parsed = list(ox.parse(data, rdf_format, base_iri=base_iri, rename_blank_nodes=True))
    except (SyntaxError, ValueError, OSError) as error:
        raise BadRequest(400, f"The {media_type} payload does not parse: {' '.join(str(error).split())}") from None
    if graph is None:
        return [q if isinstance(q, ox.Quad) else ox.Quad(q.subject, q.predicate, q.object) for q in parsed]
    if carries_graphs and any(not isinstance(q.graph_name, ox.DefaultGraph) for q in parsed):
        raise BadRequest(400, "The payload names graphs; a Graph Store request writes one graph (send triples).")
    return [ox.Quad(q.subject, q.predicate, q.object, graph) for q in parsed]


def unsafe_xml(data: bytes) -> str | None:
    """Why an RDF/XML document is refused, or None.

    pyoxigraph never fetches external entities, but it does expand *internal* ones: a 1 KB
    "billion laughs" document becomes a 3 GB literal (measured: 51 s, 11 GB of memory). RDF data
    has no use for DTD entities, so any declaration is refused; so is any encoding other than
    UTF-8, in which the check could be evaded.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data:
        return "RDF/XML uploads must be UTF-8 encoded."
    if b"<!ENTITY" in data:
        return "RDF/XML with DTD entity declarations (<!ENTITY ...>) is refused: they can expand without bound."
    return None


MAX_JSON_DEPTH = 128
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_JSON_BRACKET = re.compile(rb"[\[\]{}]")


def too_deep_json(data: bytes) -> str | None:
    """Why a JSON-LD document is refused for its nesting, or None.

    pyoxigraph's JSON-LD parser needs memory that grows with the square of the nesting depth
    (measured by tests/test_fuzz_uploads.py: 3,000 levels take 760 MB), so the depth is bounded
    before parsing; RDF data in JSON-LD nests a few levels, lists a few more.
    """
    depth = 0
    for match in _JSON_BRACKET.finditer(_JSON_STRING.sub(b"", data)):
        depth += 1 if match.group() in (b"{", b"[") else -1
        if depth > MAX_JSON_DEPTH:
            return f"JSON-LD nested deeper than {MAX_JSON_DEPTH} levels is refused."
    return None


def _payload(graph: Any, base_iri: str) -> list[ox.Quad]:
    """The request body (or every part of a multipart/form-data body) as quads."""
    limit = config().max_upload_bytes
    if request.content_length is not None and request.content_length > limit:
        raise BadRequest(413, f"The upload is larger than this endpoint's limit of {limit:,} bytes.")
    if _media_type(request.content_type) == "multipart/form-data":
        quads: list[ox.Quad] = []
        for part in request.files.values():
            data = part.read(limit + 1)
            quads += _parse(data, part.content_type or _guess(part.filename), graph, base_iri)
        return quads
    data = request.get_data(cache=False)
    if len(data) > limit:
        raise BadRequest(413, f"The upload is larger than this endpoint's limit of {limit:,} bytes.")
    return _parse(data, request.content_type, graph, base_iri)


def _guess(filename: str | None) -> str | None:
    suffixes = {".ttl": "text/turtle", ".nt": "application/n-triples", ".rdf": "application/rdf+xml", ".jsonld": "application/ld+json"}
    for suffix, media_type in suffixes.items():
        if (filename or "").lower().endswith(suffix):
            return media_type
    return None


def _write(graph: Any, *, replace: bool = False, delete: bool = False, base_iri: str) -> Response:
    denied = check_write_access()
    if denied is not None:
        return denied
    if not isinstance(graph, ox.DefaultGraph) and graph.value == AUDIT_GRAPH:
        return plain(403, f"The audit graph <{AUDIT_GRAPH}> is written by the server only.")
    existed = _exists(graph)
    if delete and not existed:
        return plain(404, f"No graph {graph} in this store.")
    quads = [] if delete else _payload(graph, base_iri)
    kind = "GSP DELETE" if delete else ("GSP PUT" if replace else "GSP POST")
    outcome = writer().graph_edit(GraphEdit(graph, quads, replace=replace, delete=delete), config().token_name, kind)
    return success_response(outcome, 201 if not existed else 204)


def _create() -> Response:
    """POST to the store itself: a triple payload becomes a new graph (201 + Location); a TriG/N-Quads
    payload is added to the graphs it names."""
    denied = check_write_access()
    if denied is not None:
        return denied
    rdf_format = UPLOAD_FORMATS.get(_media_type(request.content_type))
    if rdf_format is not None and rdf_format[1]:
        quads = _payload(None, own_url())
        outcome = writer().load(quads, config().token_name)
        return success_response(outcome, 204)
    location = own_url().rstrip("/") + "/" + str(uuid.uuid4())
    graph = ox.NamedNode(location)
    quads = _payload(graph, location)
    outcome = writer().graph_edit(GraphEdit(graph, quads), config().token_name, "GSP POST (new graph)")
    response = success_response(outcome, 201)
    response.headers["Location"] = location
    return response


def _dispatch(graph: Any, base_iri: str) -> Response:
    method = request.method
    if method == "OPTIONS":
        response = Response(status=204)
        response.headers["Allow"] = ALLOWED
        return response
    if method in ("GET", "HEAD"):
        return _get(graph)
    if method == "PUT":
        return _write(graph, replace=True, base_iri=base_iri)
    if method == "POST":
        return _write(graph, base_iri=base_iri)
    if method == "DELETE":
        return _write(graph, delete=True, base_iri=base_iri)
    response = plain(405, f"Method {method} not allowed here.")
    response.headers["Allow"] = ALLOWED
    return response


def _guarded(action: Any) -> Response:
    try:
        return action()
    except BadRequest as error:
        return plain(error.status, str(error))
    except ReadOnly as error:
        return plain(403, str(error))
    except BackendError as error:
        return error_response(error)


@blueprint.route("/store", methods=["GET", "HEAD", "PUT", "POST", "DELETE", "OPTIONS"])
def graph_store() -> Response:
    def action() -> Response:
        graph = _indirect_graph()
        if graph is None:
            if request.method == "POST":
                return _create()
            if request.method == "OPTIONS":
                return _dispatch(None, own_url())
            return plain(400, "Name a graph: /store?graph=IRI or /store?default (SPARQL 1.1 Graph Store Protocol).")
        base = own_url() if isinstance(graph, ox.DefaultGraph) else graph.value
        return _dispatch(graph, base)

    return _guarded(action)


@blueprint.route("/store/<path:rest>", methods=["GET", "HEAD", "PUT", "POST", "DELETE", "OPTIONS"])
def graph_store_direct(rest: str) -> Response:
    """Direct graph identification: the request URL (without query string) is the graph IRI."""

    def action() -> Response:
        if request.args:
            return plain(400, "A directly identified graph takes no ?graph= or ?default parameter.")
        graph = _named(own_url())
        return _dispatch(graph, graph.value)

    return _guarded(action)


def graph_iris(quads: Iterable[ox.Quad]) -> set[str]:
    return {q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)}
