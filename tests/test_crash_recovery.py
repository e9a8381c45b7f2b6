"""kill -9 in the middle of a stream of writes loses no acknowledged write and leaves nothing half done.

A writer streams updates to a server on an on-disk store; each update inserts a PAIR of triples
(both or neither must ever be visible). While writes are in flight, the server's whole process
group (gunicorn master, workers, query executors) gets SIGKILL — no shutdown handler runs. The
server is restarted on the same ``--store`` and the store is read back:
- every write the server acknowledged (2xx) is there, both halves;
- no pair is half there (the write in flight at the kill may be there whole, or absent).
The cycle runs several times on the same store, so recovery from a recovered store is covered too.
"""

from __future__ import annotations

import json
import os
import random
import signal
import threading
import time

import pytest
import requests
from figures import show

ADMIN_TOKEN = "crash-test-token"
CRASHES = 5
WRITERS = 1  # one stream, as a client that waits for each acknowledgement (concurrency: test_load_http)
MIN_ACKED_BEFORE_KILL = 10
GRAPH = "urn:x-crash:pairs"
A = "urn:x-crash:a"
B = "urn:x-crash:b"


class WriteStream(threading.Thread):
    """Sends pair inserts one after another until the server dies; records what was acknowledged."""

    def __init__(self, url: str, prefix: str):
        super().__init__(daemon=True)
        self.url = url
        self.prefix = prefix
        self.acknowledged: list[int] = []
        self.attempted: list[int] = []
        self.rejected: list[str] = []
        self.stopped = threading.Event()

    def run(self) -> None:
        session = requests.Session()
        number = 0
        while not self.stopped.is_set():
            number += 1
            key = f"urn:x-crash:{self.prefix}-{number}"
            text = f'INSERT DATA {{ GRAPH <{GRAPH}> {{ <{key}> <{A}> "{number}" . <{key}> <{B}> "{number}" }} }}'
            self.attempted.append(number)
            try:
                response = session.post(
                    f"{self.url}/sparql",
                    data=text.encode(),
                    headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {ADMIN_TOKEN}"},
                    timeout=30,
                )
            except requests.RequestException:
                return  # the server is gone: this write was in flight, its fate is unknown
            if response.status_code in (200, 204):
                self.acknowledged.append(number)
            else:
                self.rejected.append(f"{response.status_code}: {response.text[:200]}")
                return


def read_pairs(url: str) -> dict[str, set[str]]:
    """Every key of the pair graph with the halves present."""
    query = f"SELECT ?k ?p WHERE {{ GRAPH <{GRAPH}> {{ ?k ?p ?o }} }}"
    response = requests.post(
        f"{url}/sparql", data={"query": query}, headers={"Accept": "application/sparql-results+json"}, timeout=60
    )
    assert response.status_code == 200, response.text[:300]
    halves: dict[str, set[str]] = {}
    for row in json.loads(response.content)["results"]["bindings"]:
        halves.setdefault(row["k"]["value"], set()).add(row["p"]["value"])
    return halves


def kill_server_group(server) -> None:
    """SIGKILL every process of the server at once: no atexit, no graceful shutdown, no flush."""
    os.killpg(server.process.pid, signal.SIGKILL)
    server.process.wait(timeout=30)


@pytest.fixture
def store_path(tmp_path):
    return tmp_path / "store"


def test_kill_9_during_writes_loses_no_acknowledged_write_and_tears_no_pair(store_path, request) -> None:
    from live_server import start_server
    from protocol_home import protocol_home

    store_path.mkdir()
    arguments = ("--store", str(store_path), "--workers", "2", "--threads", "4")
    # the writers' urn: pairs are not bricskg data: no dataset rules (tests/protocol_home.py)
    environment = {"BRICSKG_ADMIN_TOKEN": ADMIN_TOKEN, "BRICSKG_HOME": str(protocol_home(store_path.parent, with_data=True))}
    acknowledged: set[str] = set()
    attempted: set[str] = set()
    report = []
    chance = random.Random(20251125)  # reproducible kill timing
    for cycle in range(CRASHES):
        server = start_server(*arguments, env=environment)
        try:
            streams = [WriteStream(server.url, f"c{cycle}w{w}") for w in range(WRITERS)]
            for stream in streams:
                stream.start()
            target = MIN_ACKED_BEFORE_KILL + chance.randrange(20)
            deadline = time.monotonic() + 120
            while sum(len(s.acknowledged) for s in streams) < target and any(s.is_alive() for s in streams):
                assert time.monotonic() < deadline, "the writers made no progress"
                time.sleep(0.005)
            time.sleep(chance.uniform(0, 0.05))  # land the kill at varying points of a commit
            rejected = [message for s in streams for message in s.rejected]
            assert not rejected, f"writes refused before the crash: {rejected[:3]}"
            kill_server_group(server)
            for stream in streams:
                stream.stopped.set()
                stream.join(timeout=60)
        finally:
            server.stop()
        for stream in streams:
            acknowledged |= {f"urn:x-crash:{stream.prefix}-{n}" for n in stream.acknowledged}
            attempted |= {f"urn:x-crash:{stream.prefix}-{n}" for n in stream.attempted}
        report.append(sum(len(s.acknowledged) for s in streams))

    server = start_server(*arguments, env=environment)
    try:
        pairs = read_pairs(server.url)
    finally:
        server.stop()

    lost = sorted(acknowledged - set(pairs))
    torn = sorted(key for key, halves in pairs.items() if halves != {A, B})
    phantom = sorted(set(pairs) - attempted)
    in_flight_kept = sorted(set(pairs) - acknowledged)
    summary = (
        f"\ncrash recovery: {CRASHES} kill -9 during write streams; {len(acknowledged)} acknowledged writes "
        f"({', '.join(map(str, report))} per cycle), {len(lost)} lost, {len(torn)} torn, "
        f"{len(in_flight_kept)} in-flight writes found committed whole"
    )
    show(request.config, summary)
    assert not lost, f"acknowledged writes lost after kill -9: {lost[:10]}"
    assert not torn, f"half-applied writes after kill -9: {torn[:10]}"
    assert not phantom, f"writes that were never sent appeared: {phantom[:10]}"
    assert len(in_flight_kept) <= CRASHES * WRITERS, f"more unacknowledged writes than in-flight ones: {in_flight_kept}"
