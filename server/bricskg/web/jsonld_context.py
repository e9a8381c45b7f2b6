"""The published JSON-LD context: ``/context.jsonld`` (the current version) and ``/context/v1.jsonld``.

The documents and dumps embed the same context (so no processor has to fetch it); it is published
so that clients can compact their own JSON-LD the way the server does, and pinned by version so a
future change of prefixes never changes what an old document means.
"""

from __future__ import annotations

from flask import Blueprint, Response

from bricskg.jsonld_compact import CONTEXT_VERSION, context_bytes
from bricskg.web.error_pages import not_found


def register(blueprint: Blueprint) -> None:
    blueprint.add_url_rule("/context.jsonld", view_func=current_context, endpoint="jsonld_context")
    blueprint.add_url_rule("/context/<version>.jsonld", view_func=versioned_context, endpoint="jsonld_context_version")


def current_context() -> Response:
    response = Response(context_bytes(), mimetype="application/ld+json")
    response.headers["Link"] = f'</context/{CONTEXT_VERSION}.jsonld>; rel="canonical"'
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


def versioned_context(version: str) -> Response:
    if version != CONTEXT_VERSION:
        return not_found(f"/context/{version}.jsonld")
    response = Response(context_bytes(), mimetype="application/ld+json")
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
