"""SPARQL 1.1 Update over HTTP: the part of /sparql that changes data.

Engineer C's ``bricskg.web.protocol`` owns the route and the protocol-level checks (method, media
type, body size, UTF-8, a request carrying both ``query`` and ``update``); once it knows the
request is an update it calls ``perform_update`` and returns its response unchanged.

This module also holds what the Graph Store Protocol shares with it: the per-application
``Writer`` and the mapping of write errors to HTTP responses (422 carries the SHACL report as
JSON or Turtle, by content negotiation).
"""

from __future__ import annotations

import json
import threading

from flask import Response, current_app, request

from bricskg.config import Config
from bricskg.store.base import (
    BackendError,
    BackendUnavailable,
    QueryTimeout,
    ValidationFailed,
)
from bricskg.store.writer import WriteOutcome, Writer, target_for
from bricskg.web.auth import check_write_access
from bricskg.web.request_context import own_url

_writer_lock = threading.Lock()

REPORT_TYPES = ("application/json", "text/turtle", "text/plain")


def config() -> Config:
    return current_app.extensions["bricskg.config"]


def writer() -> Writer:
    """The application's one writer (one lock: writes are serialised within the writer process)."""
    existing = current_app.extensions.get("bricskg.writer")
    if existing is not None:
        return existing
    with _writer_lock:
        existing = current_app.extensions.get("bricskg.writer")
        if existing is None:
            existing = Writer(target_for(current_app.extensions["bricskg.backend"]))
            current_app.extensions["bricskg.writer"] = existing
        return existing


def perform_update(
    update_text: str,
    using_graph_uris: list[str],
    using_named_graph_uris: list[str],
    base_iri: str | None,
) -> Response:
    """Authorise, validate and atomically apply one SPARQL 1.1 Update request.

    200 with a one-line summary on success; 401/403 for missing/wrong credentials or disabled
    writes; 400 for a malformed or refused update (LOAD, SERVICE, dataset conflict); 413 when
    validating it would need too much data; 422 with the SHACL report when it would make the data
    invalid (nothing is written then).
    """
    denied = check_write_access()
    if denied is not None:
        return denied
    try:
        outcome = writer().update(
            update_text,
            using=list(using_graph_uris),
            using_named=list(using_named_graph_uris),
            base_iri=base_iri or own_url(),  # the service-defined base: the endpoint (Protocol §2.2)
            agent=config().token_name,
        )
    except BackendError as error:
        return error_response(error)
    return success_response(outcome, 200)


def success_response(outcome: WriteOutcome, status: int) -> Response:
    """A short summary; the audit activity is linked so the client can look the write up."""
    if status == 204:
        response = Response(status=204)
    else:
        text = f"OK: {outcome.added} quad(s) added, {outcome.removed} removed"
        if outcome.graphs:
            text += " in " + ", ".join(f"<{g}>" if g else "the default graph" for g in outcome.graphs)
        text += f"; {outcome.focus_nodes} node(s) re-validated."
        response = Response(text + "\n", status=status, mimetype="text/plain")
    if outcome.activity:
        response.headers["Link"] = f'<{outcome.activity}>; rel="https://www.w3.org/ns/prov#wasGeneratedBy"'
    response.headers["Cache-Control"] = "no-store"
    # how many nodes the SHACL gate re-validated: the cost of a write follows its neighbourhood
    response.headers["Bricskg-Validated-Focus-Nodes"] = str(outcome.focus_nodes)
    return response


def plain(status: int, message: str) -> Response:
    return Response(message.rstrip("\n") + "\n", status=status, mimetype="text/plain")


def error_response(error: BaseException) -> Response:
    """The status from the application's one error table (bricskg.web.errors); never a traceback."""
    from bricskg.web.errors import status_of

    status = status_of(error)
    if status == 422 and isinstance(error, ValidationFailed):
        return validation_response(error)
    if status < 500:
        return plain(status, str(error))
    # BackendUnavailable, QueryTimeout and any other store failure: the store could not serve the
    # request now (never the client's fault, never a 500); nothing was changed unless it says so
    response = plain(503, str(error) if isinstance(error, (BackendUnavailable, QueryTimeout)) else f"The write failed: {error}")
    response.headers["Retry-After"] = "5"
    return response


def _preferred_report_type() -> str:
    """JSON unless the client prefers Turtle or plain text (curl's */* gets JSON)."""
    from bricskg.sparql.negotiation import negotiate_types

    return negotiate_types(request.headers.get("Accept"), REPORT_TYPES) or "application/json"


def validation_response(error: ValidationFailed) -> Response:
    """422 with the SHACL report: JSON (default), Turtle (sh:ValidationReport) or text."""
    report = error.report
    media_type = _preferred_report_type()
    if media_type == "text/turtle":
        body = report.to_turtle()  # type: ignore[attr-defined]
    elif media_type == "text/plain":
        body = f"{error}\n\n{report.to_text()}"  # type: ignore[attr-defined]
    else:
        document = json.loads(report.to_json())  # type: ignore[attr-defined]
        if isinstance(document, dict):
            document = {"error": str(error), **document}
        body = json.dumps(document, indent=2)
    response = Response(body, status=422, mimetype=media_type)
    response.headers["Vary"] = "Accept"
    return response
