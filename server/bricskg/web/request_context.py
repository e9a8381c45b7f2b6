"""The per-application objects the linked-data views need, looked up on the current Flask app."""

from __future__ import annotations

from flask import current_app, request

from bricskg.config import Config
from bricskg.store.base import Backend
from bricskg.web.iri_space import IriSpace


def backend() -> Backend:
    return current_app.extensions["bricskg.backend"]


def config() -> Config:
    return current_app.extensions["bricskg.config"]


def iri_space() -> IriSpace:
    base = config().base_iri
    return IriSpace(base if base.endswith("/") else base + "/")


PUBLIC_URL = "bricskg.public_url"  # app extension: set once the listening port is known


def public_url() -> str:
    """The server's URL, without a trailing slash: ``--base-url``, else the bind address. Never the
    request's ``Host`` header, which any client sets to anything."""
    return current_app.extensions.get(PUBLIC_URL) or config().public_url()


def own_url() -> str:
    """This request's URL (path, no query string) under ``public_url()``."""
    path = request.base_url[len(request.host_url.rstrip("/")):]
    return public_url() + path
