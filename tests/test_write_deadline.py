"""A write's evaluation has a time limit: past it the write is stopped, answered 503, nothing is
applied, and the writer's lock is free for the next write.

A VALUES cross product ran 27.6 s holding the writer lock against a 5 s query timeout. The update
below matches 24^5 ≈ 8 million rows for a single inserted triple (about 10 s of evaluation on an
idle machine, far longer than the 1 s limit set here).
"""

from __future__ import annotations

import time

import pyoxigraph as ox
import pytest

from bricskg.store.base import QueryTimeout
from bricskg.store.writer import EmbeddedTarget, Writer

EX = "http://example.org/"
NUMBERS = " ".join(str(i) for i in range(24))
CROSS_PRODUCT = (
    f"INSERT {{ <{EX}s> <{EX}found> ?total }} WHERE {{ "
    + " ".join(f"VALUES ?{v} {{ {NUMBERS} }}" for v in "abcde")
    + " BIND(?a + ?b + ?c + ?d + ?e AS ?total) FILTER(?total = 115) }"
)


def test_an_update_running_past_the_write_time_limit_is_stopped_and_changes_nothing() -> None:
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p"), ox.Literal(1)))
    before = set(store)
    writer = Writer(EmbeddedTarget(store), validate=False, update_timeout=1.0)
    began = time.monotonic()
    with pytest.raises(QueryTimeout, match="time limit"):
        writer.update(CROSS_PRODUCT)
    assert time.monotonic() - began < 60  # stopped, not run to the end (generous: the CI machine is shared)
    assert set(store) == before
    # the lock is free: the next write goes through at once
    outcome = writer.update(f"INSERT DATA {{ <{EX}s> <{EX}p> 2 }}")
    assert outcome.added == 1


def test_an_update_within_the_limit_runs_in_a_child_and_commits_its_result() -> None:
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p"), ox.Literal(1)))
    store.add(ox.Quad(ox.BlankNode("b1"), ox.NamedNode(EX + "p"), ox.Literal(2)))
    writer = Writer(EmbeddedTarget(store), validate=False, update_timeout=30.0)
    outcome = writer.update(f"DELETE {{ ?s <{EX}p> ?o }} INSERT {{ ?s <{EX}q> ?o }} WHERE {{ ?s <{EX}p> ?o }}")
    assert (outcome.added, outcome.removed) == (2, 2)
    assert {q.subject for q in store.quads_for_pattern(None, ox.NamedNode(EX + "q"), None, None)} == {
        ox.NamedNode(EX + "s"),
        ox.BlankNode("b1"),  # the stored blank node itself, through the child and back
    }


def test_an_evaluation_error_in_the_child_is_reported_as_the_update_failing() -> None:
    from bricskg.store.delta import UpdateFailed

    writer = Writer(EmbeddedTarget(ox.Store()), validate=False, update_timeout=30.0)
    with pytest.raises(UpdateFailed):
        writer.update(f"INSERT {{ <{EX}s> <{EX}p> ?o }} WHERE {{ BIND(<{EX}unknownFunction>(1) AS ?o) }}")


# --- over HTTP: the production path (gunicorn worker, on-disk store, executor processes) ----------

TOKEN = "deadline-token"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    from live_server import live_server

    store = tmp_path_factory.mktemp("deadline") / "store"
    env = {"BRICSKG_ADMIN_TOKEN": TOKEN}
    with live_server("--store", str(store), "--no-bundled", "--update-timeout", "1", env=env) as running:
        yield running


def test_a_write_past_the_time_limit_gets_503_over_http_and_the_next_write_goes_through(server) -> None:
    import requests

    headers = {"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"}

    def count() -> int:
        answer = requests.post(
            server.base_url + "/sparql",
            data={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"},
            headers={"Accept": "application/sparql-results+json"},
            timeout=60,
        )
        return int(answer.json()["results"]["bindings"][0]["n"]["value"])

    before = count()
    response = requests.post(server.base_url + "/sparql", data=CROSS_PRODUCT, headers=headers, timeout=120)
    assert response.status_code == 503, response.text
    assert "time limit" in response.text and "Traceback" not in response.text
    assert response.headers.get("Retry-After")
    assert count() == before
    # the writer's lock is free: the next write (one that changes nothing, so no shape can refuse it) goes through
    quick = requests.post(server.base_url + "/sparql", data=f"DELETE DATA {{ <{EX}t> <{EX}p> 1 }}", headers=headers, timeout=60)
    assert quick.status_code == 200, quick.text
