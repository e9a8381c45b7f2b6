"""Downloadable dumps of the whole store at ``/dumps/bricskg.<ext>``, in every RDF syntax VoID lists.

Turtle, N-Triples, RDF/XML and JSON-LD hold the union of all graphs as a set of triples (what a
SPARQL query sees as the default graph); TriG, N-Quads and ``bricskg.jsonld?graphs=1`` (or JSON-LD
asked with the named-graphs profile) hold every statement in the named graph it is stated in, which
is its provenance here. The files are written once per store version and streamed from disk
(``bricskg.web.dump_files``), so a dump works at any size and a crawler downloading it repeatedly
costs one writing; the ``ETag`` names the version (``If-None-Match`` → 304).
"""

from __future__ import annotations

import os
import secrets
from typing import BinaryIO
from concurrent.futures import TimeoutError as FutureTimeout

from flask import Blueprint, Response, request, send_file

from bricskg.jsonld_compact import GRAPHS_PROFILE
from bricskg.web import request_context
from bricskg.web.dump_files import DumpFiles, holds_quads
from bricskg.web.error_pages import error_response, not_found
from bricskg.web.iri_space import DATA_EXTENSIONS
from bricskg.web.negotiation_offers import wants_graphs_profile

DUMP_NAME = "bricskg"
MIN_WAIT_SECONDS = 120.0  # how long a request waits for a dump being written before 503 + Retry-After

# Store versions restart at the same number when the server restarts on other data: the ETag names the process too.
_PROCESS_TOKEN = secrets.token_hex(4)
_files = DumpFiles()


def register(blueprint: Blueprint) -> None:
    blueprint.add_url_rule(f"/dumps/{DUMP_NAME}.<ext>", view_func=dump, endpoint="dump")


def wants_graphs(ext: str) -> bool:
    if ext != "jsonld":
        return False
    return request.args.get("graphs", "").lower() in ("1", "true", "yes") or wants_graphs_profile(request.headers.get("Accept"))


def _open_dump(backend, ext: str, graphs: bool, deadline: float) -> BinaryIO:
    """The dump's file, opened (so a newer version deleting it mid-download cannot cut the answer);
    written again if it vanished between its writing and now."""
    for _ in range(2):
        path = _files.file_for(backend, ext, graphs).result(timeout=deadline)
        try:
            return open(path, "rb")
        except FileNotFoundError:
            continue
    return open(_files.file_for(backend, ext, graphs).result(timeout=deadline), "rb")


def dump(ext: str) -> Response:
    if ext not in DATA_EXTENSIONS:
        return not_found(f"/dumps/{DUMP_NAME}.{ext}")
    backend = request_context.backend()
    graphs = wants_graphs(ext)
    etag = f"{_PROCESS_TOKEN}-{backend.version()}-{ext}{'-graphs' if graphs else ''}"
    if request.if_none_match.contains(etag):
        response = Response(status=304)
        response.set_etag(etag)
        return response
    deadline = max(MIN_WAIT_SECONDS, 4 * request_context.config().query_timeout)
    try:
        stream = _open_dump(backend, ext, graphs, deadline)
    except FutureTimeout:
        response = error_response(503, f"The dump is still being written (store version {backend.version()}); retry shortly.")
        response.headers["Retry-After"] = "30"
        return response
    media_type = DATA_EXTENSIONS[ext][0]
    response = send_file(stream, mimetype=media_type, etag=False, conditional=False, max_age=0)
    response.content_length = os.fstat(stream.fileno()).st_size
    if ext == "jsonld" and graphs:
        response.headers["Content-Type"] = f'{media_type}; profile="{GRAPHS_PROFILE}"'
    elif media_type.startswith("text/") or ext in ("nt", "nq", "trig"):
        response.headers["Content-Type"] = f"{media_type}; charset=utf-8"
    response.set_etag(etag)
    response.vary.add("Accept")
    response.headers["Content-Disposition"] = f'inline; filename="{DUMP_NAME}{"-graphs" if graphs else ""}.{ext}"'
    response.headers["X-Bricskg-Dump-Holds"] = "quads" if holds_quads(ext, graphs) else "triples"
    return response
