"""Readers see the state before or after a write, never a mix.

Each write moves two statements together (``a`` and ``b`` both go from version n to n+1, in one
update of four operations). Readers running meanwhile must always find ``a`` and ``b`` at the same
version: a half-applied commit would show them apart.
"""

from __future__ import annotations

import threading

import pytest
import requests

from live_server import live_server
from protocol_home import protocol_home

TOKEN = "isolation-token"
EX = "http://example.org/isolation/"
WRITES = 25


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("isolation")
    env = {"BRICSKG_ADMIN_TOKEN": TOKEN, "BRICSKG_HOME": str(protocol_home(root))}  # example.org data
    with live_server("--store", str(root / "store"), "--no-bundled", env=env) as running:
        yield running


def write(base_url: str, version: int) -> None:
    text = (
        f"DELETE WHERE {{ GRAPH <{EX}g> {{ <{EX}a> <{EX}v> ?x }} }} ; "
        f"INSERT DATA {{ GRAPH <{EX}g> {{ <{EX}a> <{EX}v> {version} }} }} ; "
        f"DELETE WHERE {{ GRAPH <{EX}g> {{ <{EX}b> <{EX}v> ?y }} }} ; "
        f"INSERT DATA {{ GRAPH <{EX}g> {{ <{EX}b> <{EX}v> {version} }} }}"
    )
    response = requests.post(
        base_url + "/sparql",
        data=text.encode(),
        headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"},
        timeout=60,
    )
    assert response.status_code == 200, response.text


def read(base_url: str) -> tuple[set[str], set[str]]:
    response = requests.post(
        base_url + "/sparql",
        data=f"SELECT ?s ?v WHERE {{ GRAPH <{EX}g> {{ ?s <{EX}v> ?v }} }}".encode(),
        headers={"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"},
        timeout=60,
    )
    assert response.status_code == 200, response.text
    values: dict[str, set[str]] = {EX + "a": set(), EX + "b": set()}
    for row in response.json()["results"]["bindings"]:
        values[row["s"]["value"]].add(row["v"]["value"])
    return values[EX + "a"], values[EX + "b"]


def test_concurrent_readers_never_see_a_half_applied_write(server) -> None:
    write(server.base_url, 0)
    mixed: list[tuple[set[str], set[str]]] = []
    reads = 0
    done = threading.Event()

    def reader() -> None:
        nonlocal reads
        while not done.is_set():
            a, b = read(server.base_url)
            reads += 1
            if a != b or len(a) != 1:
                mixed.append((a, b))

    readers = [threading.Thread(target=reader) for _ in range(2)]
    for thread in readers:
        thread.start()
    try:
        for version in range(1, WRITES + 1):
            write(server.base_url, version)
    finally:
        done.set()
        for thread in readers:
            thread.join(timeout=60)
    assert reads > 0
    assert not mixed, f"readers saw mixed states: {mixed[:5]}"
    assert read(server.base_url) == ({str(WRITES)}, {str(WRITES)})
