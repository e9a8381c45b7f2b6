"""The per-application objects the linked-data views need, looked up on the current Flask app."""

from __future__ import annotations

import re
from urllib.parse import unquote

from flask import current_app, request

from bricskg.config import Config
from bricskg.store.base import Backend
from bricskg.web.iri_space import IriSpace, iri_from_decoded, uri_to_iri


_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")


def backend() -> Backend:
    return current_app.extensions["bricskg.backend"]


def config() -> Config:
    return current_app.extensions["bricskg.config"]


def iri_space() -> IriSpace:
    base = config().base_iri
    return IriSpace(base if base.endswith("/") else base + "/")


def requested_iri_paths(prefix: str, decoded_rest: str) -> list[str]:
    """The IRI forms the request path may name, most likely first: with escapes of non-ASCII
    decoded (``s%C3%A3o`` → ``são``, RFC 3987 §3.2), then with every escape kept as written — an
    IRI of the data may hold ``%C3%A3`` itself, and both IRIs map to the same URI."""
    first = requested_iri_path(prefix, decoded_rest)
    raw = _raw_path()
    candidates = [first]
    if raw is not None and raw.startswith(prefix):
        as_written = _ESCAPE.sub(lambda m: m.group(0).upper(), raw[len(prefix):])
        if as_written != first:
            candidates.append(as_written)
    return candidates


def _raw_path() -> str | None:
    raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI")
    if not raw:
        return None
    path = raw.split("?", 1)[0].split("#", 1)[0]
    if "://" in path:  # an absolute-form request target
        path = "/" + path.split("://", 1)[1].partition("/")[2]
    path = path.encode("latin-1", "replace").decode("utf-8", "replace")
    script_root = request.script_root
    if script_root and path.startswith(script_root):
        path = path[len(script_root):]
    return path if unquote(path) == request.path else None


def requested_iri_path(prefix: str, decoded_rest: str) -> str:
    """The part of the request path after ``prefix``, in IRI form.

    Flask hands views the percent-decoded path, which cannot tell ``/id/sp%20ace`` (the IRI
    ``…/id/sp%20ace``) from an IRI with a space, nor ``%2F`` from ``/``. The raw request line
    (``RAW_URI`` from gunicorn, ``REQUEST_URI`` from werkzeug) can; without it the decoded path is
    re-encoded where an IRI cannot hold a character literally.
    """
    path = _raw_path()
    if path is not None and path.startswith(prefix):
        return uri_to_iri(path[len(prefix):])
    return iri_from_decoded(decoded_rest)


PUBLIC_URL = "bricskg.public_url"  # app extension: set once the listening port is known


def public_url() -> str:
    """The server's URL, without a trailing slash: ``--base-url``, else the bind address. Never the
    request's ``Host`` header, which any client sets to anything."""
    return current_app.extensions.get(PUBLIC_URL) or config().public_url()


def own_url() -> str:
    """This request's URL (path, no query string) under ``public_url()``."""
    path = request.base_url[len(request.host_url.rstrip("/")):]
    return public_url() + path
