"""The update_* tests of the W3C SPARQL 1.1 Protocol suite, against a live server with a token.

The manifest (``../shared/w3c-rdf-tests/sparql/sparql11/protocol/manifest.ttl``) describes HTTP
exchanges in RDF (the W3C HTTP vocabulary): requests in order, each with method, path, headers
and body, and what the response must be (a status or status class, an ASK answer). The runner
below reads those descriptions with rdflib and replays them; it is shared with
``test_w3c_graph_store.py`` (which adds graph comparison and ``$LOCATION$`` substitution).
The query and bad-request tests of the same manifest are in test_w3c_protocol.py.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import rdflib
import requests
from rdflib.collection import Collection
from rdflib.namespace import RDF

from live_server import live_server
from protocol_home import protocol_home
from shared_material import cases, require, sparql11_dir

SUITE = sparql11_dir()
MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = rdflib.Namespace("http://www.w3.org/2011/http#")
HTS = rdflib.Namespace("http://www.w3.org/2011/http-statusCodes#")
CNT = rdflib.Namespace("http://www.w3.org/2011/content#")

TOKEN = "w3c-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}

# hts: status terms used by the suites -> the codes they allow
STATUS_CODES = {
    "OK": {200},
    "Created": {201},
    "NoContent": {204},
    "NotFound": {404},
    "StatusCode2xx": set(range(200, 300)),
    "StatusCode3xx": set(range(300, 400)),
    "StatusCode4xx": set(range(400, 500)),
}


@dataclass
class ExpectedResponse:
    statuses: set[int]
    boolean: bool | None = None
    content_type: str | None = None
    body: str | None = None
    location_template: str | None = None


@dataclass
class HttpRequest:
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: str | None = None
    expected: ExpectedResponse = field(default_factory=lambda: ExpectedResponse(set(range(200, 300))))


@dataclass
class HttpTest:
    name: str  # local name, e.g. update_post_form
    label: str
    requests: list[HttpRequest]


def _headers(graph: rdflib.Graph, node: rdflib.term.Node) -> dict[str, str]:
    headers: dict[str, str] = {}
    head = graph.value(node, HT.headers)
    if head is None:
        return headers
    for header in Collection(graph, head):
        headers[str(graph.value(header, HT.fieldName)).lower()] = str(graph.value(header, HT.fieldValue))
    return headers


def _body(graph: rdflib.Graph, node: rdflib.term.Node) -> str | None:
    body = graph.value(node, HT.body)
    return None if body is None else str(graph.value(body, CNT.chars))


def _expected(graph: rdflib.Graph, node: rdflib.term.Node) -> ExpectedResponse:
    response = graph.value(node, HT.resp)
    statuses: set[int] = set()
    for status in graph.objects(response, MF.expectedStatus):
        statuses |= STATUS_CODES[str(status).rsplit("#", 1)[1]]
    boolean = graph.value(response, MF.expectedBoolean)
    location = graph.value(response, MF.expectedLocation)
    return ExpectedResponse(
        statuses=statuses or set(range(200, 300)),
        boolean=None if boolean is None else bool(boolean.toPython()),
        content_type=_headers(graph, response).get("content-type"),
        body=_body(graph, response),
        location_template=None if location is None else str(location),
    )


def read_manifest(path: Path) -> list[HttpTest]:
    """Every test of an HTTP-exchange manifest (following mf:include), in manifest order."""
    graph = rdflib.Graph().parse(path, format="turtle")
    manifest = graph.value(predicate=RDF.type, object=MF.Manifest)
    tests: list[HttpTest] = []
    include = graph.value(manifest, MF.include)
    if include is not None:
        for child in Collection(graph, include):
            tests += read_manifest(path.parent / Path(str(child)).name)
    entries = graph.value(manifest, MF.entries)
    for entry in Collection(graph, entries) if entries is not None else []:
        action = graph.value(entry, MF.action)
        exchanges = [
            HttpRequest(
                method=str(graph.value(node, HT.methodName)),
                path=str(graph.value(node, HT.absolutePath)),
                headers=_headers(graph, node),
                body=_body(graph, node),
                expected=_expected(graph, node),
            )
            for node in Collection(graph, graph.value(action, HT.requests))
        ]
        tests.append(HttpTest(str(entry).rsplit("#", 1)[1], str(graph.value(entry, MF.name)), exchanges))
    return tests


def local_path(path: str) -> str:
    """The suites' /sparql/ and /gsp prefixes mapped onto this server's /sparql and /store."""
    if path.startswith("/sparql/"):
        return "/sparql" + path[len("/sparql/") :]
    if path.startswith("/gsp"):
        return "/store" + path[len("/gsp") :]
    return path


def run_exchange(
    base_url: str, exchange: HttpRequest, substitutions: dict[str, str], auth: dict[str, str] = AUTH
) -> requests.Response:
    """Send one request (with the admin token) and check status and ASK answer; returns the response."""
    path = local_path(exchange.path)
    body = exchange.body
    for template, value in substitutions.items():
        path = path.replace(template, value)
        body = body.replace(template, value) if body is not None else None
    headers = {**exchange.headers, **auth}
    if exchange.expected.boolean is not None:
        headers.setdefault("accept", "application/sparql-results+json")
    response = requests.request(
        exchange.method,
        base_url + path,
        headers=headers,
        data=body.encode("utf-8") if body is not None else None,
        timeout=60,
        allow_redirects=False,
    )
    assert response.status_code in exchange.expected.statuses, (
        f"{exchange.method} {path}: got {response.status_code}, expected one of "
        f"{sorted(exchange.expected.statuses)}: {response.text[:500]}"
    )
    if exchange.expected.boolean is not None:
        assert json.loads(response.text)["boolean"] is exchange.expected.boolean, response.text
    return response


PROTOCOL_MANIFEST = SUITE / "protocol" / "manifest.ttl"


def update_tests() -> list[HttpTest]:
    if not PROTOCOL_MANIFEST.exists():
        return []
    return [test for test in read_manifest(PROTOCOL_MANIFEST) if re.match(r"update_", test.name)]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    require("sparql11", PROTOCOL_MANIFEST)
    root = tmp_path_factory.mktemp("w3c-updates")
    env = {"BRICSKG_ADMIN_TOKEN": TOKEN, "BRICSKG_HOME": str(protocol_home(root))}
    with live_server("--store", str(root / "store"), "--no-bundled", env=env) as running:
        yield running


def test_the_manifest_lists_the_seven_update_tests() -> None:
    require("sparql11", PROTOCOL_MANIFEST)
    assert len(update_tests()) == 7


@pytest.mark.parametrize("test", cases("sparql11", PROTOCOL_MANIFEST, update_tests()), ids=lambda test: test.name)
def test_w3c_protocol_update(server, test: HttpTest) -> None:
    for exchange in test.requests:
        run_exchange(server.base_url, exchange, {})


def all_protocol_tests() -> list[HttpTest]:
    return read_manifest(PROTOCOL_MANIFEST) if PROTOCOL_MANIFEST.exists() else []


@pytest.mark.parametrize(
    "test",
    cases("sparql11", PROTOCOL_MANIFEST, [t for t in all_protocol_tests() if not t.name.startswith("update_")]),
    ids=lambda test: test.name,
)
def test_the_other_protocol_tests_still_pass_when_writes_are_enabled(server, test: HttpTest) -> None:
    """Statuses and ASK answers of the query and bad-request tests, on the write-enabled server (the
    full result checks of those tests are in test_w3c_protocol.py, on a read-only one)."""
    if any("kasei.us" in exchange.path or (exchange.body or "").find("kasei.us") >= 0 for exchange in test.requests):
        _load_protocol_data(server.base_url)
    for exchange in test.requests:
        run_exchange(server.base_url, exchange, {})


def _load_protocol_data(base_url: str) -> None:
    """The suite's data files (data1..3.nt) in the graphs its queries name, via the Graph Store Protocol."""
    for number in (0, 1, 2, 3):
        source = PROTOCOL_MANIFEST.parent / f"data{number}.nt"
        graph = f"http://kasei.us/2009/09/sparql/data/data{number}.rdf"
        if source.exists():
            response = requests.put(
                base_url + "/store",
                params={"graph": graph},
                data=source.read_bytes(),
                headers={"Content-Type": "application/n-triples", **AUTH},
                timeout=60,
            )
            assert response.status_code in (201, 204), response.text


def test_the_update_tests_fail_without_the_token(server) -> None:
    """The suite's first update, sent anonymously, is refused: the passes above are not vacuous."""
    response = requests.post(
        server.base_url + "/sparql",
        data=b"CLEAR ALL",
        headers={"Content-Type": "application/sparql-update"},
        timeout=30,
    )
    assert response.status_code == 401


def test_an_update_that_is_only_a_comment_succeeds_without_change(server) -> None:
    """W3C syntax-update-38 (``# Empty``) is a valid update with no operation: 2xx, nothing written."""
    source = SUITE / "syntax-update-1" / "syntax-update-38.ru"
    text = source.read_text(encoding="utf-8") if source.exists() else "# Empty\n"
    before = requests.get(server.base_url + "/health", timeout=30).json()
    response = requests.post(
        server.base_url + "/sparql",
        data=text.encode("utf-8"),
        headers={"Content-Type": "application/sparql-update", **AUTH},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    assert "Link" not in response.headers  # no audit record for a request that changed nothing
    after = requests.get(server.base_url + "/health", timeout=30).json()
    assert (after["quads"], after["version"]) == (before["quads"], before["version"])
