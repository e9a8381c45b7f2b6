"""No parser runs on a client's text in a web worker before the client is authorised, and a query's
parse is part of the work its deadline bounds.

rdflib's SPARQL parser needs about 2 ms per term, under a process-wide lock: a query that mentioned
"service" or FROM used to be parsed in the worker with no deadline (80 KB: 67 s), and an anonymous
update with ``using-graph-uri`` was parsed before its credentials were looked at. Now the worker
checks only lexical limits; the SERVICE/FROM analysis runs in the executor, under the deadline.
"""

from __future__ import annotations

import io

import pyoxigraph
import pytest
import requests

from bricskg.config import Config
from bricskg.sparql import rdflib_parser
from bricskg.store.embedded import EmbeddedBackend
from bricskg.web.app import create_app
from live_server import running_server

EX = "http://example.org/"


def _store() -> pyoxigraph.Store:
    store = pyoxigraph.Store()
    for index, graph in enumerate(("g1", "g2")):
        store.add(pyoxigraph.Quad(pyoxigraph.NamedNode(EX + f"s{index}"), pyoxigraph.NamedNode(EX + "p"),
                                  pyoxigraph.Literal(graph), pyoxigraph.NamedNode(EX + graph)))
    return store


@pytest.fixture
def parses_here(monkeypatch):
    """Every rdflib parse in this (the web) process, recorded; executors forked earlier are not patched."""
    calls: list[str] = []

    def record(text, *args, **kwargs):
        calls.append(text)
        raise AssertionError("parsed in the web process")

    monkeypatch.setattr(rdflib_parser, "parse_query", record)
    monkeypatch.setattr(rdflib_parser, "parse_update", record)
    monkeypatch.setattr(rdflib_parser, "translate_update", record)
    return calls


def _app(config: Config):
    backend = EmbeddedBackend(memory_store=_store(), executors=1)
    backend.start_executors()  # forked now, before the test patches anything
    return create_app(config, backend), backend


@pytest.fixture
def client():
    app, backend = _app(Config())
    yield app.test_client()
    backend.close()


def test_a_service_clause_is_refused_by_the_executor_not_parsed_in_the_worker(client, parses_here):
    query = "SELECT * { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    response = client.get("/sparql", query_string={"query": query})
    assert response.status_code == 400
    assert "Federation is disabled" in response.get_data(as_text=True)
    assert "could not be parsed" not in response.get_data(as_text=True)
    assert parses_here == []


def test_a_from_clause_is_read_by_the_executor(client, parses_here):
    query = f"SELECT ?o FROM <{EX}g2> WHERE {{ ?s ?p ?o }}"
    response = client.get("/sparql", query_string={"query": query}, headers={"Accept": "text/csv"})
    assert response.status_code == 200
    assert response.get_data(as_text=True).split() == ["o", "g2"]
    assert parses_here == []


def test_an_anonymous_update_with_using_graph_uri_is_401_before_any_parse(parses_here):
    app, backend = _app(Config(admin_token="secret"))
    try:
        response = app.test_client().post(
            "/sparql",
            query_string={"using-graph-uri": EX + "g1"},
            data=f"INSERT {{ <{EX}a> <{EX}p> 'using' }} WHERE {{ ?s ?p ?o }}",  # mentions USING: was parsed
            content_type="application/sparql-update",
        )
    finally:
        backend.close()
    assert response.status_code == 401
    assert parses_here == []


class RecordingBody(io.BytesIO):
    """A request body that notes how much of it anybody read (seeking, as the test client does to
    measure it, is not reading)."""

    def __init__(self, size: int):
        super().__init__(b"#" * size)
        self.size = size
        self.read_bytes = 0

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        self.read_bytes += len(data)
        return data

    def readline(self, size: int | None = -1) -> bytes:
        data = super().readline(size)
        self.read_bytes += len(data)
        return data

    def readinto(self, buffer) -> int:
        count = super().readinto(buffer)
        self.read_bytes += count
        return count


def test_a_read_only_server_refuses_an_update_before_reading_its_body(client):
    body = RecordingBody(8 * 1024 * 1024)
    response = client.post(
        "/sparql",
        input_stream=body,
        headers={"Content-Type": "application/sparql-update", "Content-Length": str(body.size)},
    )
    assert response.status_code == 403
    assert "read-only" in response.get_data(as_text=True)
    assert body.read_bytes == 0


def test_an_anonymous_update_on_a_writable_server_is_401_before_its_body_is_read():
    app, backend = _app(Config(admin_token="secret"))
    body = RecordingBody(8 * 1024 * 1024)
    try:
        response = app.test_client().post(
            "/sparql",
            input_stream=body,
            headers={"Content-Type": "application/sparql-update", "Content-Length": str(body.size)},
        )
    finally:
        backend.close()
    assert response.status_code == 401
    assert body.read_bytes == 0


def test_a_read_only_server_reads_no_more_than_a_query_of_a_form_body(client):
    size = 4 * 1024 * 1024  # over the 1 MiB query limit, under the 16 MiB upload limit
    response = client.post(
        "/sparql",
        data={"update": "#" * size},
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 413


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    data = tmp_path_factory.mktemp("placement") / "data.nt"
    data.write_text(f"<{EX}s> <{EX}p> \"o\" .\n", encoding="utf-8")
    with running_server(["--no-bundled", "--data", str(data), "--threads", "2", "--query-timeout", "0.5"]) as running:
        yield running


def test_the_service_analysis_of_a_long_query_is_stopped_at_the_deadline(server):
    """1,400 terms that mention "service": about 3 s of rdflib parsing (2 ms a term), which used to
    run in the worker, unbounded, before the 0.5 s deadline started; now the deadline covers it."""
    query = 'SELECT * { ?s ?p "service" BIND(' + "+".join(["1"] * 1400) + " AS ?x) }"
    response = requests.post(
        server.sparql_url, data=query.encode(), headers={"Content-Type": "application/sparql-query"}, timeout=120
    )
    assert response.status_code == 503, response.text[:300]
    assert "limit of 0.5 seconds" in response.text
    statuses = []
    for _ in range(5):  # a small query on a busy machine may itself need more than 0.5 s: a few tries
        statuses.append(requests.get(server.sparql_url, params={"query": "ASK { ?s ?p ?o }"}, timeout=60).status_code)
        if statuses[-1] == 200:
            break
    assert statuses[-1] == 200, statuses
