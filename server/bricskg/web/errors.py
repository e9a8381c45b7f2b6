"""Every error of the HTTP layer as a short message with the right status, never a traceback.

Clients get ``text/plain`` (one readable paragraph) or, when they prefer JSON, a small JSON object
``{"error": {"status": 400, "title": "Bad Request", "message": "..."}}``. Handlers are registered on
the whole application (``record_once``) so that errors raised outside any blueprint — 404 for
unknown URLs, 405, 413 from the body limit — are answered the same way; a blueprint can still
install its own handlers (the linked-data pages render HTML error pages), which take precedence for
its routes.
"""

from __future__ import annotations

import json
import logging

from flask import Blueprint, Flask, Response, request
from werkzeug.exceptions import HTTPException

from bricskg.sparql.negotiation import NotAcceptable, negotiate_types
from bricskg.store.base import (
    AnswerNotAcceptable,
    BackendError,
    BackendUnavailable,
    Forbidden,
    PayloadTooLarge,
    QueryOverMemoryLimit,
    QueryRefused,
    QuerySyntaxError,
    QueryTimeout,
    ReadOnly,
    ResultTooLarge,
    Unauthorized,
    ValidationFailed,
)

log = logging.getLogger("bricskg.web")

# Every backend error maps to one status here; the linked-data pages use the same table.
STATUS_OF: tuple[tuple[type[BaseException], int], ...] = (
    (QuerySyntaxError, 400),
    (QueryRefused, 400),
    (ResultTooLarge, 400),
    (Unauthorized, 401),
    (Forbidden, 403),
    (ReadOnly, 403),
    (NotAcceptable, 406),
    (AnswerNotAcceptable, 406),
    (PayloadTooLarge, 413),
    (ValidationFailed, 422),
    (QueryTimeout, 503),
    (QueryOverMemoryLimit, 503),
    (BackendUnavailable, 503),
)

TITLES = {
    400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
    406: "Not Acceptable", 413: "Content Too Large", 414: "URI Too Long", 415: "Unsupported Media Type",
    422: "Unprocessable Content", 500: "Internal Server Error", 501: "Not Implemented", 503: "Service Unavailable",
}

ERROR_TYPES = ("text/plain", "application/json")


class ProtocolError(Exception):
    """A request the SPARQL 1.1 Protocol does not allow; carries its HTTP status."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.headers = headers or {}


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """The body the client asked for (JSON or plain text), CORS-readable, never cached."""
    title = TITLES.get(status, "Error")
    try:
        accept = request.headers.get("Accept")
    except RuntimeError:  # outside a request
        accept = None
    if accept and negotiate_types(accept, ERROR_TYPES) == "application/json":
        body = json.dumps({"error": {"status": status, "title": title, "message": message}}, ensure_ascii=False)
        response = Response(body + "\n", status=status, mimetype="application/json")
    else:
        response = Response(f"{status} {title}: {message}\n", status=status, mimetype="text/plain")
    response.headers["Cache-Control"] = "no-store"
    response.headers["Access-Control-Allow-Origin"] = "*"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def status_of(error: BaseException) -> int:
    for kind, status in STATUS_OF:
        if isinstance(error, kind):
            return status
    return 503 if isinstance(error, BackendError) else 500


def handle_backend_error(error: Exception) -> Response:
    status = status_of(error)
    headers = {"Retry-After": "5"} if status == 503 else None
    if isinstance(error, (NotAcceptable, AnswerNotAcceptable)):
        headers = {"Vary": "Accept"}
    return error_response(status, str(error) or type(error).__name__, headers)


def handle_protocol_error(error: ProtocolError) -> Response:
    return error_response(error.status, str(error), error.headers)


def handle_http_exception(error: HTTPException) -> Response:
    status = error.code or 500
    messages = {
        413: "The request body is larger than this endpoint accepts. Send a shorter query, or POST it "
        "instead of GET for long queries.",
        414: "The URL is too long: send long queries with POST (application/sparql-query).",
    }
    message = messages.get(status) or (error.description or TITLES.get(status, "Error"))
    headers = dict(error.get_headers()) if hasattr(error, "get_headers") else {}
    kept = {name: value for name, value in headers.items() if name.lower() in ("allow", "www-authenticate", "retry-after")}
    return error_response(status, " ".join(message.split()), kept)


def handle_unexpected(error: Exception) -> Response:
    """A bug: logged with its traceback on the server, a bare 500 for the client."""
    if isinstance(error, HTTPException):
        return handle_http_exception(error)
    if isinstance(error, (BackendError, NotAcceptable)):
        return handle_backend_error(error)
    log.exception("unexpected error while answering %s %s", request.method, request.path)
    return error_response(500, "The server failed to answer this request; the error has been logged.")


def install(blueprint: Blueprint) -> None:
    """Register the handlers for the whole app once the blueprint is registered."""

    def register(state: object) -> None:
        app: Flask = state.app  # type: ignore[attr-defined]
        app.register_error_handler(ProtocolError, handle_protocol_error)
        app.register_error_handler(BackendError, handle_backend_error)
        app.register_error_handler(NotAcceptable, handle_backend_error)
        app.register_error_handler(HTTPException, handle_http_exception)
        app.register_error_handler(Exception, handle_unexpected)

    blueprint.record_once(register)
