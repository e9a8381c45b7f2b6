"""The executor protocol on its own: deadline kill, respawn, crash → 503, stale snapshot refresh.

These drive ``EmbeddedBackend``/``ExecutorPool`` in the test process (pytest is single-threaded, so
forking the zygote here is safe); the live-server tests check the same behaviour through HTTP.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pyoxigraph
import pytest

from bricskg.store.base import BackendUnavailable, QueryRequest, QueryTimeout, ResultTooLarge
from bricskg.store.embedded import EmbeddedBackend
from bricskg.store.results import select_rows

JSON = "application/sparql-results+json"
RUNAWAY = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"


def _memory_store(triples: int = 60) -> pyoxigraph.Store:
    store = pyoxigraph.Store()
    for index in range(triples):
        store.add(
            pyoxigraph.Quad(
                pyoxigraph.NamedNode(f"http://example.org/s{index}"),
                pyoxigraph.NamedNode("http://example.org/p"),
                pyoxigraph.Literal(str(index)),
                pyoxigraph.NamedNode(f"http://example.org/g{index % 3}"),
            )
        )
    return store


@pytest.fixture
def backend():
    backend = EmbeddedBackend(memory_store=_memory_store(), executors=2)
    yield backend
    backend.close()


def _count(backend: EmbeddedBackend, **kw) -> int:
    rows = select_rows(backend, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", **kw)
    return int(rows[0]["n"])


def test_queries_run_in_executor_processes_not_in_the_caller(backend):
    assert _count(backend) == 60
    pool = backend.executor_pool()
    assert pool.pids() and os.getpid() not in pool.pids()
    assert pool.zygote_pid != os.getpid()


def test_runaway_query_is_killed_at_its_deadline_and_the_executor_replaced(backend):
    pool = backend.executor_pool()
    before = set(pool.pids())
    started = time.monotonic()
    with pytest.raises(QueryTimeout, match="limit of 1 seconds"):
        backend.query(QueryRequest(RUNAWAY, JSON, timeout=1.0))
    assert time.monotonic() - started < 1.0 + 1.0
    assert _count(backend) == 60  # the pool still answers
    after = set(pool.pids())
    assert len(after) == pool.size and after != before  # one executor was replaced


def test_executor_killed_mid_query_gives_unavailable_not_a_crash(backend):
    pool = backend.executor_pool()
    import threading

    errors: list[BaseException] = []

    def run() -> None:
        try:
            backend.query(QueryRequest(RUNAWAY, JSON, timeout=30.0))
        except BaseException as error:  # noqa: BLE001 - recorded for the assertion
            errors.append(error)

    idle_before = set(pool.pids())
    thread = threading.Thread(target=run)
    thread.start()
    deadline = time.monotonic() + 10
    busy: set[int] = set()
    while time.monotonic() < deadline and not busy:
        busy = idle_before - set(pool.pids())
        time.sleep(0.05)
    assert busy, "the runaway query never took an executor"
    os.kill(busy.pop(), signal.SIGKILL)
    thread.join(timeout=10)
    assert len(errors) == 1 and isinstance(errors[0], BackendUnavailable)
    assert _count(backend) == 60


def test_idle_executor_that_died_is_replaced_without_failing_a_query(backend):
    pool = backend.executor_pool()
    for pid in pool.pids():
        os.kill(pid, signal.SIGKILL)
    time.sleep(0.2)
    assert _count(backend) == 60


def test_result_larger_than_the_bound_is_refused_in_the_executor(backend):
    with pytest.raises(ResultTooLarge, match="LIMIT"):
        backend.query(QueryRequest("SELECT * { ?s ?p ?o }", JSON, max_result_bytes=500))


def test_on_disk_executors_reopen_their_snapshot_after_a_write(tmp_path: Path):
    path = tmp_path / "store"
    writer = pyoxigraph.Store(str(path))
    writer.add(pyoxigraph.Quad(pyoxigraph.NamedNode("http://e/s"), pyoxigraph.NamedNode("http://e/p"), pyoxigraph.Literal("1")))
    writer.flush()
    del writer
    backend = EmbeddedBackend(store_path=path, writable=True, executors=1)
    try:
        assert _count(backend) == 1
        backend.store.add(
            pyoxigraph.Quad(pyoxigraph.NamedNode("http://e/s"), pyoxigraph.NamedNode("http://e/p"), pyoxigraph.Literal("2"))
        )
        backend.store.flush()
        assert _count(backend) == 1  # no write announced: the executor keeps its snapshot
        version = backend.notify_write()
        assert backend.version() == version
        assert _count(backend) == 2  # announced: the executor re-opened the store
    finally:
        backend.close()


def test_executors_cannot_reach_the_network_even_if_a_service_clause_slipped_through(backend):
    """Defence in depth: bypass the SERVICE check (send the job straight to the pool) and the
    executor still cannot connect, because its seccomp filter forbids Internet sockets."""
    import platform
    import socket

    from bricskg.store.embedded import Job

    if platform.system() != "Linux" or platform.machine() not in ("x86_64", "aarch64"):
        pytest.skip("the seccomp layer exists on Linux x86-64/aarch64 only")
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(1.0)
    port = listener.getsockname()[1]
    job = Job(
        query=f"SELECT * {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}",
        media_type=JSON, default_graphs=(), named_graphs=(), explicit_dataset=False,
        has_dataset_clause=False, base_iri=None, max_result_bytes=10_000, version=0,
    )
    try:
        with pytest.raises(Exception) as error:
            backend.executor_pool().run(job, timeout=10.0)
        assert "not permitted" in str(error.value).lower() or "permission" in str(error.value).lower(), error.value
        with pytest.raises(socket.timeout):
            listener.accept()
    finally:
        listener.close()
