"""The W3C SPARQL 1.1 Protocol tests, read from their manifest and run against ``bricskg serve``.

``../shared/w3c-rdf-tests/sparql/sparql11/protocol/manifest.ttl`` describes each test as HTTP
requests (ht: vocabulary) and expected responses (mf:expectedStatus / expectedFormat /
expectedBoolean). Each test's ``ut:graphData`` files are loaded into the named graphs it declares;
tests that declare the same data share one server. Every query test and every bad-request test runs
here; the update tests need write access and belong to the write-path suite (skipped with that
reason). The ``bad_update_*`` tests run read-only and must get their 4xx.

Every test runs twice: over the embedded store, and with ``--backend`` over a Virtuoso 7 that holds
the same graphs (``virtuoso_engine``), so the protocol is the same whichever engine answers.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from pathlib import Path

import pytest
import rdflib
import requests
from rdflib.namespace import RDF, RDFS

import pyoxigraph as ox

from live_server import LiveServer, start_server
from shared_material import cases, missing, require, sparql11_dir
from virtuoso_engine import VirtuosoServer, virtuoso_param

PROTOCOL_DIR = sparql11_dir() / "protocol"
MANIFEST = PROTOCOL_DIR / "manifest.ttl"

MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = rdflib.Namespace("http://www.w3.org/2011/http#")
CNT = rdflib.Namespace("http://www.w3.org/2011/content#")
UT = rdflib.Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
HTS = rdflib.Namespace("http://www.w3.org/2011/http-statusCodes#")

RESULTS_TYPES = {
    "application/sparql-results+json", "application/sparql-results+xml", "text/csv", "text/tab-separated-values",
}
RDF_TYPES = {
    "text/turtle": "turtle", "application/n-triples": "nt", "application/rdf+xml": "xml",
    "application/ld+json": "json-ld", "application/trig": "trig", "application/n-quads": "nquads",
}


@dataclass(frozen=True)
class HttpRequest:
    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    body: bytes | None
    expected_statuses: frozenset[str]  # "2xx", "3xx", "4xx"
    expected_format: str | None
    expected_boolean: bool | None


@dataclass(frozen=True)
class ProtocolTest:
    name: str
    data: tuple[tuple[str, str], ...]  # (file name, graph IRI)
    requests: tuple[HttpRequest, ...]

    @property
    def is_update(self) -> bool:
        return self.name.startswith("update_")


def _list(graph: rdflib.Graph, head) -> list:
    return list(rdflib.collection.Collection(graph, head)) if head is not None else []


def load_tests() -> list[ProtocolTest]:
    graph = rdflib.Graph().parse(MANIFEST, format="turtle")
    manifest = graph.value(predicate=RDF.type, object=MF.Manifest)
    tests = []
    for entry in _list(graph, graph.value(manifest, MF.entries)):
        name = str(entry).rsplit("#", 1)[1]
        data = tuple(
            sorted(
                (Path(str(graph.value(item, UT.graph))).name, str(graph.value(item, RDFS.label)))
                for item in graph.objects(entry, UT.graphData)
            )
        )
        action = graph.value(entry, MF.action)
        http_requests = []
        for request in _list(graph, graph.value(action, HT.requests)):
            headers = tuple(
                (str(graph.value(header, HT.fieldName)), str(graph.value(header, HT.fieldValue)))
                for header in _list(graph, graph.value(request, HT.headers))
            )
            body_node = graph.value(request, HT.body)
            body = None
            if body_node is not None:
                encoding = str(graph.value(body_node, CNT.characterEncoding) or "UTF-8")
                body = str(graph.value(body_node, CNT.chars)).encode(encoding)
            response = graph.value(request, HT.resp)
            statuses = frozenset(str(status).rsplit("StatusCode", 1)[1] for status in graph.objects(response, MF.expectedStatus))
            expected_boolean = graph.value(response, MF.expectedBoolean)
            expected_format = graph.value(response, MF.expectedFormat)
            http_requests.append(
                HttpRequest(
                    method=str(graph.value(request, HT.methodName)),
                    path=str(graph.value(request, HT.absolutePath)),
                    headers=headers,
                    body=body,
                    expected_statuses=statuses,
                    expected_format=str(expected_format) if expected_format is not None else None,
                    expected_boolean=expected_boolean.toPython() if expected_boolean is not None else None,
                )
            )
        tests.append(ProtocolTest(name, data, tuple(http_requests)))
    return tests


TESTS = load_tests() if MANIFEST.exists() else []
if not MANIFEST.exists():
    pytestmark = pytest.mark.skip(reason=missing("sparql11", PROTOCOL_DIR))


ENGINES = ["embedded", virtuoso_param()]


@pytest.fixture(scope="module", params=ENGINES)
def servers(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """One live server per distinct ``ut:graphData`` set, started on first use (over its own
    Virtuoso, loaded with the same quads, for the ``virtuoso`` run)."""
    started: dict[tuple[tuple[str, str], ...], LiveServer] = {}
    engines: list[VirtuosoServer] = []

    def server_for(data: tuple[tuple[str, str], ...]) -> LiveServer:
        if data not in started:
            folder = tmp_path_factory.mktemp("w3c-protocol")
            nquads = folder / "data.nq"
            lines = []
            for file_name, graph_iri in data:
                for line in (PROTOCOL_DIR / file_name).read_text(encoding="utf-8").splitlines():
                    line = line.strip()
                    if line and not line.startswith("#"):
                        lines.append(line.rstrip(" .") + f" <{graph_iri}> .\n")
            nquads.write_text("".join(lines), encoding="utf-8")
            if request.param == "virtuoso":
                quads = ox.Store()
                quads.load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
                engines.append(VirtuosoServer(folder / "virtuoso", list(quads)))
                started[data] = start_server("--backend", engines[-1].query_url)
            else:
                started[data] = start_server("--no-bundled", "--data", str(nquads))
        return started[data]

    try:
        yield server_for
    finally:
        for server in started.values():
            server.stop()
        for engine in engines:
            engine.stop()


def _check_format(response: requests.Response, request: HttpRequest) -> None:
    media_type = response.headers.get("Content-Type", "").split(";")[0].strip()
    if request.expected_format == "tabular":
        assert media_type in RESULTS_TYPES, media_type
    elif request.expected_format == "boolean":
        assert media_type in ("application/sparql-results+json", "application/sparql-results+xml"), media_type
        if media_type.endswith("json"):
            value = json.loads(response.content)["boolean"]
        else:
            node = ElementTree.fromstring(response.content).find("{http://www.w3.org/2005/sparql-results#}boolean")
            value = node is not None and node.text == "true"
        if request.expected_boolean is not None:
            assert value is request.expected_boolean
    elif request.expected_format == "RDF":
        assert media_type in RDF_TYPES, media_type
        rdflib.Graph().parse(data=response.content, format=RDF_TYPES[media_type])
    elif request.expected_boolean is not None:
        raise AssertionError("expectedBoolean without expectedFormat")


@pytest.mark.parametrize("test", cases("sparql11", MANIFEST, TESTS), ids=lambda test: test.name)
def test_w3c_protocol(test: ProtocolTest, servers):
    if test.is_update:
        pytest.skip("update test: needs write access; run by the write-path suite (tests/test_write_*.py)")
    server = servers(test.data)
    for request in test.requests:
        assert request.path.startswith("/sparql/")
        response = requests.request(
            request.method,
            server.url + request.path,
            data=request.body,
            headers=dict(request.headers),
            timeout=30,
            allow_redirects=False,
        )
        status_class = f"{response.status_code // 100}xx"
        assert status_class in request.expected_statuses, (response.status_code, response.text)
        if status_class == "2xx":
            _check_format(response, request)
        assert "Traceback" not in response.text


def test_the_manifest_was_read_completely():
    """The harness itself: 34 tests: 13 queries, 14 bad requests, 7 updates (so nothing is skipped silently)."""
    require("sparql11", MANIFEST)
    names = [test.name for test in TESTS]
    assert len(names) == 34
    assert sum(name.startswith("query_") for name in names) == 13
    assert sum(name.startswith("bad_") for name in names) == 14
