"""A runaway query is stopped at the deadline with 503, other requests keep being served, and a
crashed executor costs one 503 — never a 500, never the server."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest
import requests

from bricskg.store.executor import EXECUTOR_PROCESS_NAME, ZYGOTE_PROCESS_NAME
from live_server import descendants, running_server

TIMEOUT = 2.0
RUNAWAY = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    data = tmp_path_factory.mktemp("timeout") / "data.nt"
    data.write_text(
        "".join(f"<http://example.org/s{i}> <http://example.org/p> \"{i}\" .\n" for i in range(200)), encoding="utf-8"
    )
    with running_server(["--no-bundled", "--data", str(data), "--query-timeout", str(TIMEOUT), "--threads", "4"]) as running:
        yield running


def _runaway(server) -> tuple[requests.Response, float]:
    started = time.monotonic()
    response = requests.post(
        server.sparql_url, data=RUNAWAY.encode(), headers={"Content-Type": "application/sparql-query"}, timeout=60
    )
    return response, time.monotonic() - started


def test_runaway_query_gets_503_within_the_timeout_plus_one_second(server):
    response, elapsed = _runaway(server)
    assert response.status_code == 503
    assert "limit of 2 seconds" in response.text
    assert response.headers.get("Retry-After")
    assert elapsed < TIMEOUT + 1.0


def test_other_requests_are_served_while_a_runaway_query_runs(server):
    result: dict[str, object] = {}

    def run() -> None:
        result["response"], result["elapsed"] = _runaway(server)

    thread = threading.Thread(target=run)
    thread.start()
    time.sleep(0.3)
    # distinct texts, so each one is evaluated by an executor rather than answered from the cache
    quick = [server.query(f"SELECT (COUNT(*) AS ?n) {{ ?s ?p ?o }} # {index}") for index in range(5)]
    still_running = thread.is_alive()
    thread.join(timeout=30)
    assert all(response.status_code == 200 for response in quick)
    assert [response.json()["results"]["bindings"][0]["n"]["value"] for response in quick] == ["200"] * 5
    assert still_running, "the quick queries should have been answered while the runaway query was still running"
    assert result["response"].status_code == 503  # type: ignore[union-attr]


def test_more_runaways_than_executors_in_a_row_leave_the_server_healthy(server):
    for _ in range(5):  # 4 executors: at least one replacement of a replacement
        assert _runaway(server)[0].status_code == 503
    assert requests.get(server.url + "/health", timeout=10).status_code == 200
    assert server.query("ASK { ?s ?p '7' }").json()["boolean"] is True


def _running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "R"
    except OSError:
        return False


def _comm(pid: int) -> str | None:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return None


def _named(pid: int, name: str) -> bool:
    """True when ``pid`` is a process the server named ``name`` (zygote or executor), so a test
    never mistakes the web worker, which may be running too, for the process it means to kill."""
    return _comm(pid) == name


def _busy_executors(server) -> list[int]:
    return [
        pid for pid in descendants(server.process.pid) if _named(pid, EXECUTOR_PROCESS_NAME) and _running(pid)
    ]


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc to find the executor")
def test_executor_killed_mid_query_gives_503_and_the_server_goes_on(tmp_path: Path):
    data = tmp_path / "data.nt"
    data.write_text("".join(f'<http://e/s{i}> <http://e/p> "{i}" .\n' for i in range(300)), encoding="utf-8")
    with running_server(["--no-bundled", "--data", str(data), "--query-timeout", "30"]) as server:
        result: dict[str, requests.Response] = {}
        thread = threading.Thread(target=lambda: result.update(response=_runaway(server)[0]))
        thread.start()
        victim = None
        deadline = time.monotonic() + 15
        while victim is None and time.monotonic() < deadline:
            busy = _busy_executors(server)
            victim = busy[0] if len(busy) == 1 else None
            time.sleep(0.1)
        assert victim is not None, "no busy executor found"
        assert thread.is_alive(), "the runaway query ended before its executor could be killed"
        os.kill(victim, 9)
        thread.join(timeout=20)
        assert result["response"].status_code == 503
        assert "stopped unexpectedly" in result["response"].text
        assert server.query("ASK { ?s ?p '3' }").json()["boolean"] is True


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc to find the zygote")
def test_a_dead_executor_supervisor_retires_its_worker_and_service_resumes(tmp_path: Path):
    data = tmp_path / "data.nt"
    data.write_text('<http://e/s> <http://e/p> "1" .\n', encoding="utf-8")
    with running_server(["--no-bundled", "--data", str(data), "--threads", "2"]) as server:
        assert server.query("ASK { ?s ?p '1' }").status_code == 200
        (worker,) = [pid for pid in descendants(server.process.pid) if _parent(pid) == server.process.pid]
        zygotes = [pid for pid in descendants(worker) if _named(pid, ZYGOTE_PROCESS_NAME)]
        assert len(zygotes) == 1 and _parent(zygotes[0]) == worker
        for pid in [zygotes[0], *descendants(zygotes[0])]:
            os.kill(pid, 9)
        time.sleep(0.3)
        statuses = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:  # a new query text each time: a cached answer would not need an executor
                response = server.query(f"ASK {{ ?s ?p '1' }} # {len(statuses)}", timeout=10)
                statuses.append(response.status_code)
                if response.status_code == 200 and len(statuses) > 1:
                    break
            except requests.RequestException:
                statuses.append(0)
            time.sleep(0.2)
        assert statuses[-1] == 200, statuses
        assert 500 not in statuses
        deadline = time.monotonic() + 30  # the old worker drains its connections, then exits
        while worker in descendants(server.process.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert worker not in descendants(server.process.pid)  # a fresh worker took over
        assert server.query("ASK { ?s ?p '1' } # after").status_code == 200


def _parent(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except OSError:
        return -1


@pytest.mark.skipif(not Path("/proc/self/comm").exists(), reason="needs Linux /proc to read process names")
def test_zygote_and_executors_carry_their_own_process_names(server):
    names = {_comm(pid) for pid in descendants(server.process.pid)}
    assert {ZYGOTE_PROCESS_NAME, EXECUTOR_PROCESS_NAME} <= names
