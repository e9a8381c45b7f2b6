"""The per-application objects the linked-data views need, looked up on the current Flask app."""

from __future__ import annotations

from urllib.parse import unquote

from flask import current_app, request

from bricskg.config import Config
from bricskg.store.base import Backend
from bricskg.web.iri_space import IriSpace, iri_from_decoded, uri_to_iri


def backend() -> Backend:
    return current_app.extensions["bricskg.backend"]


def config() -> Config:
    return current_app.extensions["bricskg.config"]


def iri_space() -> IriSpace:
    base = config().base_iri
    return IriSpace(base if base.endswith("/") else base + "/")


def requested_iri_path(prefix: str, decoded_rest: str) -> str:
    """The part of the request path after ``prefix``, in IRI form.

    Flask hands views the percent-decoded path, which cannot tell ``/id/sp%20ace`` (the IRI
    ``…/id/sp%20ace``) from an IRI with a space, nor ``%2F`` from ``/``. The raw request line
    (``RAW_URI`` from gunicorn, ``REQUEST_URI`` from werkzeug) can; without it the decoded path is
    re-encoded where an IRI cannot hold a character literally.
    """
    raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI")
    if raw:
        path = raw.split("?", 1)[0].split("#", 1)[0]
        if "://" in path:  # an absolute-form request target
            path = "/" + path.split("://", 1)[1].partition("/")[2]
        path = path.encode("latin-1", "replace").decode("utf-8", "replace")
        script_root = request.script_root
        if script_root and path.startswith(script_root):
            path = path[len(script_root):]
        if path.startswith(prefix) and unquote(path) == request.path:
            return uri_to_iri(path[len(prefix):])
    return iri_from_decoded(decoded_rest)
