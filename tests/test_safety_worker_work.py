"""Nothing that grows with the store runs in a web worker without a deadline, the query form is the
engine's answer, and storage errors do not tell clients where the store lives.

* GSP ``GET /store?default`` used to serialise the whole graph in the worker (600k triples: 6.6 s,
  +430 MB, no deadline): it is now a job for an executor, under the query deadline.
* The first ``/health`` after a write counted the whole store (0.3 s at 1M quads): the writer now
  keeps the count, exactly, from the deltas it commits.
* ``PREFIX x: # c`` then ``<urn:x>`` fooled the regular expression that guessed a query's form:
  a CONSTRUCT was negotiated as SELECT (Turtle → 406, CSV → 200 Turtle).
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest
import requests

from bricskg.config import Config
from bricskg.store.base import BackendUnavailable
from bricskg.store.embedded import EmbeddedBackend, store_unavailable
from bricskg.store.writer import EmbeddedTarget, Writer, target_for
from bricskg.store.delta import GraphEdit
from bricskg.web.app import create_app
from live_server import running_server
from protocol_home import protocol_home

EX = "http://example.org/"


def _store(triples: int = 30) -> ox.Store:
    store = ox.Store()
    for index in range(triples):
        graph = ox.NamedNode(EX + "g") if index % 2 else ox.DefaultGraph()
        store.add(ox.Quad(ox.NamedNode(EX + f"s{index}"), ox.NamedNode(EX + "p"), ox.Literal(str(index)), graph))
    return store


@pytest.fixture
def app_and_backend(monkeypatch):
    backend = EmbeddedBackend(memory_store=_store(), executors=1, materialise_union=False)
    backend.start_executors()
    yield create_app(Config(), backend), backend
    backend.close()


def _no_store_in_this_process(monkeypatch) -> None:
    def refuse(self):
        raise AssertionError("the web process read the store itself")

    monkeypatch.setattr(EmbeddedBackend, "store", property(refuse))


def test_gsp_get_of_the_default_graph_is_serialised_by_an_executor(app_and_backend, monkeypatch):
    app, _ = app_and_backend
    _no_store_in_this_process(monkeypatch)
    response = app.test_client().get("/store?default", headers={"Accept": "application/n-triples"})
    assert response.status_code == 200
    assert len(response.get_data(as_text=True).strip().splitlines()) == 15


def test_gsp_get_of_a_named_graph_and_of_a_missing_one(app_and_backend, monkeypatch):
    app, _ = app_and_backend
    _no_store_in_this_process(monkeypatch)
    client = app.test_client()
    named = client.get("/store", query_string={"graph": EX + "g"}, headers={"Accept": "text/turtle"})
    assert named.status_code == 200 and named.mimetype == "text/turtle"
    parsed = list(ox.parse(named.get_data(), ox.RdfFormat.TURTLE))
    assert len(parsed) == 15
    missing = client.get("/store", query_string={"graph": EX + "nothing"})
    assert missing.status_code == 404


@pytest.fixture(scope="module")
def big_server(tmp_path_factory: pytest.TempPathFactory):
    data = tmp_path_factory.mktemp("gsp") / "data.nt"
    with data.open("w", encoding="utf-8") as out:
        for index in range(200_000):
            out.write(f"<{EX}s{index}> <{EX}p> \"a literal of some length, number {index}\" .\n")
    with running_server(["--no-bundled", "--data", str(data), "--threads", "2", "--query-timeout", "0.1"]) as running:
        yield running


def test_gsp_get_of_a_large_graph_is_stopped_at_the_query_deadline(big_server):
    """200,000 triples take far longer than 0.1 s to serialise as Turtle (seconds): 503, not an
    unbounded 200."""
    response = requests.get(big_server.at("/store?default"), headers={"Accept": "text/turtle"}, timeout=120)
    assert response.status_code == 503, (response.status_code, response.text[:200])
    assert requests.get(big_server.at("/health"), timeout=60).status_code == 200


# --- the quad count after writes ------------------------------------------------------------------


def test_the_quad_count_after_writes_is_kept_without_counting_the_store(monkeypatch):
    store = _store()
    backend = EmbeddedBackend(memory_store=store, writable=True, isolate=False)
    writer = Writer(target_for(backend), validate=False)
    assert backend.quad_count() == 30  # the first count reads the store once

    def no_counting(self):
        raise AssertionError("counted the whole store")

    writes = [
        lambda: writer.update(f"INSERT DATA {{ <{EX}a> <{EX}p> 1 . <{EX}a> <{EX}p> 2 . <{EX}s1> <{EX}p> \"1\" }}"),
        lambda: writer.update(f"DELETE {{ ?s <{EX}p> ?o }} WHERE {{ ?s <{EX}p> ?o FILTER(?s = <{EX}s2>) }}"),
        lambda: writer.update(f"INSERT {{ [] <{EX}q> ?o }} WHERE {{ <{EX}a> <{EX}p> ?o }}"),
        lambda: writer.update(f"INSERT {{ <{EX}r> <{EX}q> ?u }} WHERE {{ BIND(STRUUID() AS ?u) }}"),
        lambda: writer.graph_edit(GraphEdit(ox.NamedNode(EX + "g"), [ox.Quad(ox.NamedNode(EX + "x"), ox.NamedNode(EX + "p"), ox.Literal("x"), ox.NamedNode(EX + "g"))], replace=True)),
        lambda: writer.load([ox.Quad(ox.NamedNode(EX + "y"), ox.NamedNode(EX + "p"), ox.Literal("y"))] * 2),
        lambda: writer.update("CLEAR DEFAULT"),
    ]
    for write in writes:
        write()
        expected = len(store)
        with monkeypatch.context() as patch:
            patch.setattr(EmbeddedBackend, "_snapshot", no_counting)
            assert backend.quad_count() == expected


def test_the_health_count_follows_writes_on_a_live_server(tmp_path):
    data = tmp_path / "data.nt"
    data.write_text(f"<{EX}s> <{EX}p> \"o\" .\n", encoding="utf-8")
    args = ["--no-bundled", "--data", str(data), "--store", str(tmp_path / "store"), "--threads", "2"]
    env = {"BRICSKG_ADMIN_TOKEN": "t0ken", "BRICSKG_HOME": str(protocol_home(tmp_path))}  # example.org data
    with running_server(args, env=env) as server:
        before = requests.get(server.at("/health"), timeout=60).json()["quads"]
        response = requests.post(
            server.sparql_url, data=f"INSERT DATA {{ <{EX}a> <{EX}p> 1 . <{EX}a> <{EX}p> 2 }}".encode(),
            headers={"Content-Type": "application/sparql-update", "Authorization": "Bearer t0ken"}, timeout=120,
        )
        assert response.status_code == 200, response.text
        after = requests.get(server.at("/health"), timeout=60).json()["quads"]
    assert after > before + 2  # the two triples and the audit record of the write


# --- the form of a query ------------------------------------------------------------------------

TRICKY_CONSTRUCT = "PREFIX x: # c\n<urn:x>\nCONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 1"


def test_a_construct_behind_a_commented_prefix_is_answered_in_turtle(app_and_backend):
    app, _ = app_and_backend
    response = app.test_client().get("/sparql", query_string={"query": TRICKY_CONSTRUCT}, headers={"Accept": "text/turtle"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/turtle"


def test_a_construct_behind_a_commented_prefix_is_not_acceptable_as_csv(app_and_backend):
    app, _ = app_and_backend
    response = app.test_client().get("/sparql", query_string={"query": TRICKY_CONSTRUCT}, headers={"Accept": "text/csv"})
    assert response.status_code == 406
    assert "text/turtle" in response.get_data(as_text=True)


def test_a_select_asked_for_in_turtle_only_is_not_acceptable(app_and_backend):
    app, _ = app_and_backend
    response = app.test_client().get("/sparql", query_string={"query": "SELECT * {}"}, headers={"Accept": "text/turtle"})
    assert response.status_code == 406
    assert "application/sparql-results+json" in response.get_data(as_text=True)


# --- no filesystem paths in storage errors --------------------------------------------------------

ROCKSDB_ERROR = "IO error: While open a file for random read: /srv/bricskg/secret-place/000123.sst: No such file or directory"


def test_a_read_error_of_the_store_does_not_name_its_files():
    message = str(store_unavailable(OSError(ROCKSDB_ERROR)))
    assert "/srv" not in message and "secret-place" not in message and "000123.sst" not in message
    assert "IO error" in message


def test_a_commit_error_of_the_store_does_not_name_its_files():
    class FailingStore:
        def __init__(self):
            self.inner = ox.Store()

        def __getattr__(self, name):
            return getattr(self.inner, name)

        def __contains__(self, quad) -> bool:
            return quad in self.inner

        def update(self, *args, **kwargs):
            raise RuntimeError("Corruption: " + ROCKSDB_ERROR)

    writer = Writer(EmbeddedTarget(FailingStore()), validate=False)  # type: ignore[arg-type]
    with pytest.raises(BackendUnavailable) as error:
        writer.update(f"INSERT DATA {{ <{EX}a> <{EX}p> 1 }}")
    assert "secret-place" not in str(error.value) and "nothing was changed" in str(error.value)
