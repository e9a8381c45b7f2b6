"""Writes never make the server fetch anything, and hostile uploads are refused cheaply.

A listener on loopback stands in for "the network": RDF/XML external entities, a remote JSON-LD
``@context``, LOAD and SERVICE in an update all point at it, and it must receive no connection.
"""

from __future__ import annotations

import time

import pyoxigraph as ox
import pytest
import requests

from live_server import live_server
from loopback_listener import LoopbackListener

TOKEN = "upload-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def listener():
    running = LoopbackListener()
    yield running
    running.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    store = tmp_path_factory.mktemp("uploads") / "store"
    with live_server("--store", str(store), "--no-bundled", env={"BRICSKG_ADMIN_TOKEN": TOKEN}) as running:
        yield running


def put(server, body: bytes, content_type: str) -> requests.Response:
    return requests.put(
        server.base_url + "/store",
        params={"graph": "http://example.org/upload"},
        data=body,
        headers={"Content-Type": content_type, **AUTH},
        timeout=60,
    )


def xxe(url: str) -> bytes:
    return (
        f'<?xml version="1.0"?><!DOCTYPE rdf:RDF [<!ENTITY ext SYSTEM "{url}">]>'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="http://example.org/a"><rdf:value>&ext;</rdf:value></rdf:Description></rdf:RDF>'
    ).encode()


def remote_context(url: str) -> bytes:
    return f'{{"@context": "{url}context.jsonld", "@id": "http://example.org/a", "name": "x"}}'.encode()


def billion_laughs() -> bytes:
    entities = ['<!ENTITY l0 "lol">'] + [f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10)]
    return (
        '<?xml version="1.0"?><!DOCTYPE rdf:RDF [' + "".join(entities) + "]>"
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="http://example.org/a"><rdf:value>&l9;</rdf:value></rdf:Description></rdf:RDF>'
    ).encode()


def test_the_parsers_themselves_never_fetch(listener: LoopbackListener) -> None:
    """Beneath the server's own refusals: pyoxigraph's RDF/XML and JSON-LD parsers fail rather than fetch."""
    for body, rdf_format in ((xxe(listener.url + "/"), ox.RdfFormat.RDF_XML), (remote_context(listener.url + "/"), ox.RdfFormat.JSON_LD)):
        with pytest.raises((SyntaxError, ValueError, OSError)):
            list(ox.parse(body, rdf_format))
    time.sleep(0.3)
    assert listener.connections == []


@pytest.mark.parametrize(
    "name,content_type",
    [("xxe", "application/rdf+xml"), ("remote_context", "application/ld+json")],
)
def test_an_upload_pointing_outside_is_refused_without_a_fetch(server, listener: LoopbackListener, name: str, content_type: str) -> None:
    body = {"xxe": xxe, "remote_context": remote_context}[name](listener.url + "/")
    response = put(server, body, content_type)
    assert response.status_code == 400, response.text
    time.sleep(0.3)
    assert listener.connections == []


def test_a_billion_laughs_document_is_refused_at_once(server) -> None:
    started = time.monotonic()
    response = put(server, billion_laughs(), "application/rdf+xml")
    assert response.status_code == 400
    assert "ENTITY" in response.text
    assert time.monotonic() - started < 30  # generous: the point is "not 50 s and 11 GB"
    assert server.is_alive()


@pytest.mark.parametrize(
    "update",
    [
        "LOAD <{url}data.ttl>",
        "LOAD SILENT <{url}data.ttl> INTO GRAPH <http://example.org/g>",
        "INSERT { ?s ?p ?o } WHERE { SERVICE <{url}sparql> { ?s ?p ?o } }",
        "insert { ?s ?p ?o } where { { SELECT * { service silent <{url}sparql> { ?s ?p ?o } } } }",
    ],
)
def test_load_and_service_in_an_update_are_refused_without_a_fetch(server, listener: LoopbackListener, update: str) -> None:
    response = requests.post(
        server.base_url + "/sparql",
        data=update.replace("{url}", listener.url + "/").encode(),
        headers={"Content-Type": "application/sparql-update", **AUTH},
        timeout=60,
    )
    assert response.status_code == 400, response.text
    time.sleep(0.3)
    assert listener.connections == []


@pytest.mark.parametrize(
    "body,content_type,status",
    [
        (b"<http://example.org/a> <http://example.org/b> .", "text/turtle", 400),
        (b"<http://example.org/a> <http://example.org/b> <http://example.org/c> .", "application/x-unknown", 415),
        (b"<http://example.org/a> <http://example.org/b> <http://example.org/c> <http://example.org/g> .", "application/n-quads", 400),
        # deep JSON-LD: pyoxigraph's parser needs memory quadratic in the depth, so it is bounded first
        (b'{"@id": "http://example.org/s", "http://example.org/p": ' * 200 + b'"x"' + b"}" * 200, "application/ld+json", 400),
    ],
)
def test_bad_uploads_get_a_clear_4xx(server, body: bytes, content_type: str, status: int) -> None:
    response = put(server, body, content_type)
    assert response.status_code == status, response.text
    assert "Traceback" not in response.text


def test_an_upload_over_the_size_limit_gets_413(server) -> None:
    body = b'<http://example.org/a> <http://example.org/b> "' + b"x" * (17 * 1024 * 1024) + b'" .'
    response = put(server, body, "text/turtle")
    assert response.status_code == 413
