"""The W3C SPARQL 1.1 Graph Store HTTP Protocol suite, replayed against a live server with a token.

``../shared/w3c-rdf-tests/sparql/sparql11/graph-store-protocol/manifest.ttl`` includes the direct
and indirect identification manifests: 13 tests, each a sequence of requests whose responses must
have the expected status, content type and (graph-isomorphic) body; a graph-creating POST returns
a Location that later requests use in place of ``$LOCATION$``. ``/gsp`` maps onto ``/store``.
Several tests create the same graph and expect 201, so the store is emptied (DROP ALL) before each.
"""

from __future__ import annotations

import pytest
import rdflib
import requests
from rdflib.compare import isomorphic

from live_server import live_server
from protocol_home import protocol_home
from shared_material import cases, require
from test_w3c_protocol_updates import AUTH, SUITE, TOKEN, HttpTest, read_manifest, run_exchange

MANIFEST = SUITE / "graph-store-protocol" / "manifest.ttl"

RDFLIB_FORMATS = {"text/turtle": "turtle", "application/n-triples": "nt", "application/rdf+xml": "xml"}


def gsp_tests() -> list[HttpTest]:
    return read_manifest(MANIFEST) if MANIFEST.exists() else []


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    require("sparql11", MANIFEST)
    root = tmp_path_factory.mktemp("w3c-gsp")
    env = {"BRICSKG_ADMIN_TOKEN": TOKEN, "BRICSKG_HOME": str(protocol_home(root))}
    with live_server("--store", str(root / "store"), "--no-bundled", env=env) as running:
        yield running


def _empty_store(base_url: str) -> None:
    response = requests.post(
        base_url + "/sparql",
        data=b"DROP ALL",
        headers={"Content-Type": "application/sparql-update", **AUTH},
        timeout=60,
    )
    assert response.status_code == 200, response.text


def _parse(text: str, content_type: str) -> rdflib.Graph:
    media_type = content_type.split(";")[0].strip()
    return rdflib.Graph().parse(data=text, format=RDFLIB_FORMATS[media_type])


def test_the_manifests_list_thirteen_tests() -> None:
    require("sparql11", MANIFEST)
    assert len(gsp_tests()) == 13


@pytest.mark.parametrize("test", cases("sparql11", MANIFEST, gsp_tests()), ids=lambda test: test.name)
def test_w3c_graph_store_protocol(server, test: HttpTest) -> None:
    _empty_store(server.base_url)
    substitutions: dict[str, str] = {}
    for exchange in test.requests:
        response = run_exchange(server.base_url, exchange, substitutions)
        expected = exchange.expected
        if expected.location_template is not None:
            assert "Location" in response.headers, "a graph-creating POST must return Location"
            substitutions[expected.location_template] = response.headers["Location"]
        if expected.content_type is not None:
            assert response.headers["Content-Type"].replace(" ", "").lower() == expected.content_type.replace(" ", "").lower()
        if expected.body is not None and exchange.method != "HEAD":
            got = _parse(response.text, response.headers["Content-Type"])
            want = _parse(expected.body, expected.content_type or "text/turtle")
            assert isomorphic(got, want), f"{exchange.method} {exchange.path}:\n{response.text}"
        if exchange.method == "HEAD":
            assert response.content == b""
