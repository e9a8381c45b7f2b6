"""An acknowledged write survives ``kill -9`` of the server, and no write is ever half-applied.

A client streams SPARQL updates (each inserts a PAIR of quads) at a server on an on-disk store and
the test SIGKILLs the server's whole process group while writes are in flight. A new server on the
same store must hold every pair whose write was acknowledged (200), and every pair it holds must be
whole: the commit is one Oxigraph transaction, written to RocksDB's log before the reply.
"""

from __future__ import annotations

import os
import signal
import threading
import time

import requests

from live_server import start_server
from protocol_home import protocol_home

TOKEN = "durability-token"
HEADERS = {"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"}
EX = "http://example.org/durability/"


def _write(base_url: str, index: int) -> requests.Response:
    update = (
        f"INSERT DATA {{ GRAPH <{EX}g> {{ <{EX}item{index}> <{EX}first> {index} . "
        f"<{EX}item{index}> <{EX}second> {index} . }} }}"
    )
    return requests.post(base_url + "/sparql", data=update.encode(), headers=HEADERS, timeout=30)


def _stream(base_url: str, acknowledged: list[int], stop: threading.Event) -> None:
    index = 0
    while not stop.is_set():
        try:
            response = _write(base_url, index)
        except requests.RequestException:
            return  # the server died mid-request: this write was never acknowledged
        if response.status_code == 200:
            acknowledged.append(index)
        index += 1


def _wait_until_gone(pgid: int, timeout: float = 30.0) -> None:
    """SIGKILL is asynchronous: wait until no process of the group is left holding the store."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    raise AssertionError("the killed server's processes did not exit")


def test_acknowledged_writes_survive_kill_9_and_none_is_half_applied(tmp_path) -> None:
    store = tmp_path / "store"
    home = str(protocol_home(tmp_path))  # example.org data: no dataset rules
    env = {"BRICSKG_ADMIN_TOKEN": TOKEN, "BRICSKG_HOME": home}
    server = start_server("--store", str(store), "--no-bundled", env=env)
    acknowledged: list[int] = []
    stop = threading.Event()
    clients = [threading.Thread(target=_stream, args=(server.base_url, acknowledged, stop)) for _ in range(2)]
    try:
        for client in clients:
            client.start()
        deadline = time.monotonic() + 120
        while len(acknowledged) < 40 and time.monotonic() < deadline:
            time.sleep(0.05)
        os.killpg(server.process.pid, signal.SIGKILL)  # the whole group: master, worker, executors
        server.process.wait(timeout=30)
        _wait_until_gone(server.process.pid)
    finally:
        stop.set()
        for client in clients:
            client.join(timeout=60)
        server.stop()
    assert len(acknowledged) >= 40, "the stream of writes did not get going"
    survivors = acknowledged[:]

    # Read back through a fresh read-only server (no token): what a restarted deployment serves.
    restarted = start_server("--store", str(store), "--no-bundled", env={"BRICSKG_ADMIN_TOKEN": None, "BRICSKG_HOME": home})
    try:
        response = requests.post(
            restarted.base_url + "/sparql",
            data=f"SELECT ?i ?p WHERE {{ GRAPH <{EX}g> {{ ?item ?p ?i }} }}".encode(),
            headers={"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"},
            timeout=60,
        )
    finally:
        restarted.stop()
    assert response.status_code == 200, response.text
    predicates_by_item: dict[int, set[str]] = {}
    for row in response.json()["results"]["bindings"]:
        predicates_by_item.setdefault(int(row["i"]["value"]), set()).add(row["p"]["value"])
    lost = sorted(set(survivors) - set(predicates_by_item))
    assert not lost, f"acknowledged writes lost after kill -9: {lost[:10]}"
    halves = {i: p for i, p in predicates_by_item.items() if p != {EX + "first", EX + "second"}}
    assert not halves, f"half-applied writes: {halves}"
