"""Error answers of the linked-data routes: an HTML page for browsers, one plain line for everyone else."""

from __future__ import annotations

from flask import Response, render_template, request

from bricskg.store.base import BackendError
from bricskg.web.errors import status_of
from bricskg.web.negotiation_offers import wants_html

TITLES = {400: "Bad request", 403: "Forbidden", 404: "Not found", 406: "Not acceptable", 503: "Service unavailable"}


def error_response(status: int, message: str, vary_accept: bool = True) -> Response:
    if wants_html(request.headers.get("Accept")):
        body = render_template("error.html", status=status, title=TITLES.get(status, "Error"), message=message)
        response = Response(body, status=status, mimetype="text/html")
    else:
        response = Response(f"{status} {TITLES.get(status, 'Error')}: {message}\n", status=status, mimetype="text/plain")
    if vary_accept:
        response.vary.add("Accept")
    return response


def not_found(what: str) -> Response:
    return error_response(404, f"{what} is not described here.")


def not_acceptable(offers: list[str]) -> Response:
    """406 lists what is available, so the client can retry with one of them."""
    response = Response(
        "406 Not acceptable: none of the requested media types is available. Available: " + ", ".join(offers) + "\n",
        status=406,
        mimetype="text/plain",
    )
    response.vary.add("Accept")
    return response


def backend_error_response(error: BackendError) -> Response:
    status = status_of(error)
    response = error_response(status, str(error) or type(error).__name__, vary_accept=False)
    if status == 503:
        response.headers["Retry-After"] = "5"
    return response
