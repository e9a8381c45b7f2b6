"""The application factory: ``bricskg serve`` → ``create_app(config)`` → one backend for every route."""

from __future__ import annotations

import importlib

from flask import Flask

from bricskg.config import Config
from bricskg.store.base import Backend

# Each module exposes ``blueprint`` (a flask.Blueprint). Order matters only for URL rules that overlap:
# the protocol endpoints come before the catch-all IRI resolver of the linked-data pages.
BLUEPRINT_MODULES: tuple[str, ...] = (
    "bricskg.web.protocol",  # /sparql, /health (SPARQL 1.1 Protocol, service description)
    "bricskg.web.graph_store",  # /store (SPARQL 1.1 Graph Store HTTP Protocol)
    "bricskg.web.linked_data",  # /, IRIs, pages, dumps, VoID, ontology docs, query UI
)


def create_app(config: Config, backend: Backend | None = None) -> Flask:
    """Build the WSGI application over ``backend`` (opened from ``config`` when not given)."""
    app = Flask("bricskg", static_folder=None)
    app.config["MAX_CONTENT_LENGTH"] = max(config.max_body_bytes, config.max_upload_bytes)
    app.extensions["bricskg.config"] = config
    if backend is None:
        from bricskg.store.factory import open_backend

        backend = open_backend(config)
    app.extensions["bricskg.backend"] = backend
    for module_name in BLUEPRINT_MODULES:
        module = importlib.import_module(module_name)
        app.register_blueprint(module.blueprint)
    return app
