"""The SPARQL 1.1 Protocol at ``/sparql`` (and ``/sparql/``), plus ``/health``.

Query operation: GET ``?query=``, POST ``application/x-www-form-urlencoded``, POST
``application/sparql-query``; ``default-graph-uri``/``named-graph-uri``; answers negotiated by
``format=`` or ``Accept``. Update operation: checked here at the protocol level (POST only, one
``update``, the right media type, UTF-8, no USING/``using-graph-uri`` conflict) and then handed to
``bricskg.web.update.perform_update``, which authorises, validates and applies it.
GET ``/sparql`` without parameters returns the service description (a browser, preferring HTML,
is sent to the query editor at ``/query`` instead).

Parameters are decoded from the raw query string and body, strictly as UTF-8, so that a non-UTF-8
request is a 400 and not silently "repaired" with replacement characters.
"""

from __future__ import annotations

import json
import threading
from urllib.parse import parse_qsl

import pyoxigraph
from flask import Blueprint, Response, current_app, request, url_for
from werkzeug.routing import BuildError

from bricskg.byte_lru import ByteLRU
from bricskg.config import Config
from bricskg.sparql.formats import GRAPH_FORMATS, RESULTS_FORMATS
from bricskg.sparql.negotiation import NotAcceptable, negotiate, negotiate_types
from bricskg.sparql.safety import screen_query, screen_update, update_has_using
from bricskg.store.base import Backend, Dataset, QueryRequest
from bricskg.web import errors
from bricskg.web.errors import ProtocolError
from bricskg.web.request_context import public_url
from bricskg.web.service_description import DescriptionCache

blueprint = Blueprint("protocol", __name__)
errors.install(blueprint)

FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"
MAX_PARAMETERS = 1000

CORS_HEADERS = {"Access-Control-Allow-Origin": "*"}
PREFLIGHT_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Accept, Content-Type",
    "Access-Control-Max-Age": "86400",
    "Allow": "GET, HEAD, POST, OPTIONS",
}

# Headers of every successful answer, built once per media type: the hot path only looks them up.
ANSWER_HEADERS: dict[str, list[tuple[str, str]]] = {
    fmt.media_type: [("Content-Type", fmt.content_type), ("Vary", "Accept"), ("Access-Control-Allow-Origin", "*")]
    for fmt in RESULTS_FORMATS + GRAPH_FORMATS
}

_descriptions = DescriptionCache()
_health_lock = threading.Lock()
_quad_counts: dict[int, int] = {}


def _config() -> Config:
    return current_app.extensions["bricskg.config"]


def _backend() -> Backend:
    return current_app.extensions["bricskg.backend"]


# --- decoding the request ------------------------------------------------------------------------


def _decode(raw: bytes, what: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ProtocolError(400, f"The {what} is not valid UTF-8 (byte {error.start}); SPARQL requests must be UTF-8.") from None


def _pairs(raw: bytes, what: str) -> list[tuple[str, str]]:
    """Decode ``a=1&b=2`` strictly: bad UTF-8 in a value or a percent-escape is a 400."""
    if not raw:
        return []
    text = _decode(raw, what)
    try:
        return parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict", max_num_fields=MAX_PARAMETERS)
    except UnicodeDecodeError:
        raise ProtocolError(400, f"A percent-encoded value in the {what} is not valid UTF-8.") from None
    except ValueError as error:
        raise ProtocolError(400, f"The {what} could not be decoded: {error}") from None


def _check_charset() -> None:
    charset = request.mimetype_params.get("charset")
    if charset and charset.strip().lower().replace("_", "-") not in ("utf-8", "utf8"):
        raise ProtocolError(400, f"Only UTF-8 is accepted (the request says charset={charset}).")


def _read_body(limit: int) -> bytes:
    """The whole body or 413, whatever the framing (a chunked body was cut at the limit and run)."""
    from bricskg.web.bodies import BodyTooLarge, read_body

    try:
        return read_body(limit)
    except BodyTooLarge as error:
        raise ProtocolError(413, str(error)) from None


def _refuse_read_only() -> None:
    raise ProtocolError(
        403, "This endpoint is read-only: updates are disabled (set BRICSKG_ADMIN_TOKEN to enable writes)."
    )


def _parameters(config: Config) -> list[tuple[str, str]]:
    """All protocol parameters of the request: URL ones, then body ones (form or direct POST).

    A read-only server reads form bodies only up to the query limit: no update can succeed there,
    so none may make the worker hold 16 MiB (a direct update POST is refused before this is called)."""
    params = _pairs(request.query_string, "query string")
    if request.method != "POST":
        return params
    media_type = request.mimetype
    if media_type == FORM:
        _check_charset()
        upload_limit = config.max_upload_bytes if config.writes_enabled else 0
        body = _read_body(max(config.max_body_bytes, upload_limit))
        form = _pairs(body, "form body")
        if any(name == "query" for name, _ in form) and len(body) > config.max_body_bytes:
            raise ProtocolError(413, f"The query is larger than the limit of {config.max_body_bytes:,} bytes.")
        return params + form
    if media_type == SPARQL_QUERY:
        _check_charset()
        return params + [("query", _decode(_read_body(config.max_body_bytes), "query"))]
    if media_type == SPARQL_UPDATE:
        _check_charset()
        return params + [("update", _decode(_read_body(config.max_upload_bytes), "update"))]
    shown = media_type or "no Content-Type"
    raise ProtocolError(
        415,
        f"POST /sparql needs Content-Type {FORM}, {SPARQL_QUERY} or {SPARQL_UPDATE} (got {shown}).",
        {"Accept-Post": f"{FORM}, {SPARQL_QUERY}, {SPARQL_UPDATE}"},
    )


def _values(params: list[tuple[str, str]], name: str) -> list[str]:
    return [value for key, value in params if key == name]


def _graph_iris(params: list[tuple[str, str]], name: str) -> tuple[str, ...]:
    iris = tuple(_values(params, name))
    for iri in iris:
        try:
            pyoxigraph.NamedNode(iri)
        except ValueError:
            raise ProtocolError(400, f"{name} must be an absolute IRI, got {iri!r}.") from None
    return iris


def _single(params: list[tuple[str, str]], name: str) -> str | None:
    values = _values(params, name)
    if len(values) > 1:
        raise ProtocolError(400, f"The request carries {len(values)} '{name}' parameters; send exactly one.")
    return values[0] if values else None


# --- routes ----------------------------------------------------------------------------------------


@blueprint.route("/sparql", methods=["GET", "POST", "OPTIONS"])
@blueprint.route("/sparql/", methods=["GET", "POST", "OPTIONS"])
def sparql() -> Response:
    if request.method == "OPTIONS":
        return Response(status=204, headers=PREFLIGHT_HEADERS)
    config = _config()
    if request.method == "POST" and request.mimetype == SPARQL_UPDATE:
        denied = _update_denied(config)  # before the body is read: it may be 16 MiB
        if denied is not None:
            return denied
    params = _parameters(config)
    query = _single(params, "query")
    update = _single(params, "update")
    if query is not None and update is not None:
        raise ProtocolError(400, "A request carries either 'query' or 'update', not both.")
    if update is not None:
        return _update(update, params)
    if query is None:
        if request.method == "GET" and all(name == "format" for name, _ in params):
            return _service_description(_single(params, "format"))
        raise ProtocolError(400, "Missing the 'query' parameter (or 'update' for a SPARQL Update with POST).")
    return _query(query, params, config)


_NEGOTIATED: ByteLRU[tuple[str | None, str | None], tuple[str, str]] = ByteLRU(256 * 1024, 8 * 1024)


def _negotiated(accept: str | None, format_param: str | None) -> tuple[str, str]:
    """The media type for each answer family ("" where nothing is acceptable). The query's form —
    which family answers — is known only once the engine has parsed it, in the executor. Memoised:
    clients send the same few Accept headers."""
    key = (accept, format_param)
    known = _NEGOTIATED.get(key)
    if known is None:
        known = _negotiate_both(accept, format_param)
        _NEGOTIATED.put(key, known)
    return known


def _negotiate_both(accept: str | None, format_param: str | None) -> tuple[str, str]:
    chosen = []
    for family in ("results", "graph"):
        try:
            chosen.append(negotiate(family, accept, format_param).media_type)  # type: ignore[arg-type]
        except NotAcceptable:
            chosen.append("")
    if not any(chosen):
        raise NotAcceptable("results", format_param or accept or "")
    return chosen[0], chosen[1]


def _query(query: str, params: list[tuple[str, str]], config: Config) -> Response:
    """Check the text lexically (no parser runs in this process) and hand it to the backend."""
    dataset = Dataset(_graph_iris(params, "default-graph-uri"), _graph_iris(params, "named-graph-uri"))
    screen_query(query)  # TooComplex: 400 before any parser sees a chain that could overflow it
    accept, format_param = request.headers.get("Accept"), _single(params, "format")
    negotiated = _negotiated(accept, format_param)
    result = _backend().query(
        QueryRequest(
            query=query,
            media_type=negotiated[0] or negotiated[1],
            dataset=dataset,
            base_iri=config.base_iri,  # relative IRIs resolve into the graph's namespace: <id/brics>
            timeout=config.query_timeout,
            max_result_bytes=config.max_result_bytes,
            negotiated=negotiated,
            asked=format_param or accept or "",
            received_at=request.environ.get(RECEIVED_AT),
        )
    )
    return Response(result.body, status=200, headers=ANSWER_HEADERS[result.media_type])


# set by the front (bricskg.front.worker) when the request was complete: the query deadline counts
# from it, so "503 within the limit" holds however long the request queued
RECEIVED_AT = "bricskg.received_at"


def _update_denied(config: Config) -> Response | None:
    """The refusal of a write by this client (read-only server, no or wrong token), or None."""
    if not config.writes_enabled:
        _refuse_read_only()
    from bricskg.web.auth import check_write_access

    return check_write_access()


def _update(update: str, params: list[tuple[str, str]]) -> Response:
    if request.method != "POST":
        raise ProtocolError(
            405, f"SPARQL Update needs POST (as 'update' in {FORM} or as {SPARQL_UPDATE}).", {"Allow": "POST"}
        )
    denied = _update_denied(_config())  # credentials first: nothing of an anonymous update is parsed
    if denied is not None:
        return denied
    using = list(_graph_iris(params, "using-graph-uri"))
    using_named = list(_graph_iris(params, "using-named-graph-uri"))
    screen_update(update)  # TooComplex: 400 before any parser (the writer's process serves others)
    if (using or using_named) and update_has_using(update):
        raise ProtocolError(
            400, "The update has USING/USING NAMED clauses and the request also sets using-graph-uri/"
            "using-named-graph-uri; use one or the other (SPARQL 1.1 Protocol §2.2.3)."
        )
    try:
        from bricskg.web.update import perform_update
    except ImportError:
        raise ProtocolError(501, "SPARQL Update is not available in this installation.") from None
    return perform_update(update, using, using_named, _config().base_iri)  # same base as queries


QUERY_UI_ENDPOINT = "linked_data.query_ui"  # the HTML query editor of the linked-data face
_SD_OFFERS = tuple(fmt.media_type for fmt in GRAPH_FORMATS) + ("text/html",)


def _query_ui_redirect(accept: str | None) -> Response | None:
    """A browser (text/html preferred to every RDF syntax) gets the query editor instead of Turtle."""
    if not accept or negotiate_types(accept, _SD_OFFERS) != "text/html":
        return None
    try:
        location = url_for(QUERY_UI_ENDPOINT)
    except BuildError:
        return None
    return Response(status=303, headers={"Location": location, "Vary": "Accept"})


def _service_description(format_param: str | None) -> Response:
    if format_param is None:
        redirect = _query_ui_redirect(request.headers.get("Accept"))
        if redirect is not None:
            return redirect
    fmt = negotiate("graph", request.headers.get("Accept"), format_param)
    endpoint_url = public_url() + "/sparql"
    body = _descriptions.get(_backend(), endpoint_url, fmt, _config().writes_enabled)
    return Response(body, status=200, headers=ANSWER_HEADERS[fmt.media_type])


def default_graph_mode(backend: Backend) -> str:
    """How a query without a dataset sees its default graph (``bricskg.store.embedded``): the union
    materialised at load (a set), the union formed per query (a triple held by k graphs matches k
    times), or whatever the external engine does."""
    return getattr(backend, "default_graph_mode", None) or "external-engine"


def entailment_of(backend: Backend) -> dict[str, str] | str:
    """The regime /health reports: the inferred graph and its regime (also over ``--backend`` with an
    update endpoint: bricskg.store.remote_entailments), "simple" (stated triples only,
    ``--no-inference``) or "external-engine" (``--backend`` without an update endpoint, or with
    ``--no-inference``: whatever that engine does)."""
    from bricskg.inference import ENTAILMENT_RDFS, INFERRED_GRAPH

    inference = getattr(backend, "inference", None)
    if inference is None:
        return "external-engine"
    if not inference:
        return "simple"
    counter = getattr(backend, "inferred_quad_count", None)
    body: dict[str, object] = {
        "regime": ENTAILMENT_RDFS, "profile": "RDFS + OWL 2 RL subset", "graph": INFERRED_GRAPH,
        "hermit": bool(getattr(backend, "hermit", False)),
    }
    if counter is not None:
        body["inferred_triples"] = counter()
    return body  # type: ignore[return-value]


@blueprint.route("/health", methods=["GET"])
def health() -> Response:
    """Liveness and a little state, for probes and for tests that wait for the server."""
    backend = _backend()
    version = backend.version()
    with _health_lock:
        quads = _quad_counts.get(version)
    if quads is None:
        quads = backend.quad_count()
        with _health_lock:
            _quad_counts.clear()
            _quad_counts[version] = quads
    config = _config()
    store = "remote" if config.backend_url else ("disk" if config.store_path else "memory")
    body = {
        "status": "ok", "quads": quads, "version": version, "store": store, "writable": backend.writable,
        "default_graph": default_graph_mode(backend),
        "entailment": entailment_of(backend),
    }
    describe_engine = getattr(backend, "describe_engine", None)
    if describe_engine is not None:  # --backend: which engine, and where it differs from the embedded store
        body["engine"] = describe_engine()
    return Response(json.dumps(body) + "\n", status=200, mimetype="application/json", headers={"Cache-Control": "no-store", **CORS_HEADERS})
