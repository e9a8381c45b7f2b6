"""A separate ``oxigraph serve`` (the CLI from PyPI, a test dependency) on a free loopback port: the
first external engine bricskg runs over with ``--backend``.

Loaded, when given a home, the way an operator would (``oxigraph load`` of its ontology and data);
without a location it is an in-memory, empty engine — one that does fetch SERVICE URLs, for the
tests that prove bricskg never forwards them. Oxigraph keeps a real default graph; the ``--backend``
value carries its per-request union switch (see bricskg.store.remote).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ONTOLOGY_GRAPH = "https://w3id.org/bricskg/ontology"


def oxigraph_cli(*, required: bool = False) -> str:
    """The ``oxigraph`` CLI beside this Python; a missing one skips the test, or fails it when ``required``."""
    candidate = Path(sys.executable).with_name("oxigraph")
    found = str(candidate) if candidate.exists() else shutil.which("oxigraph")
    if not found:
        message = "the oxigraph CLI (pip package 'oxigraph', a test dependency) is not installed"
        if required:
            pytest.fail(message)
        pytest.skip(message)
    return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class OxigraphServer:
    """``oxigraph serve`` on ``location`` loaded from ``home`` (or in memory, empty), on a free loopback port."""

    credentials_env: dict[str, str] = {}

    def __init__(self, location: Path | None = None, home: Path | None = None, *, required: bool = False):
        cli = oxigraph_cli(required=required)
        if location is not None and home is not None:
            for path in sorted((home / "ontology").glob("*.ttl")):
                subprocess.run([cli, "load", "--location", str(location), "--file", str(path), "--graph", ONTOLOGY_GRAPH], check=True, capture_output=True)
            for path in sorted((home / "data").glob("*.trig")):
                subprocess.run([cli, "load", "--location", str(location), "--file", str(path)], check=True, capture_output=True)
        self.port = free_port()
        where = ["--location", str(location)] if location is not None else []
        self.process = subprocess.Popen(
            [cli, "serve", *where, "--bind", f"127.0.0.1:{self.port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(self.query_url, params={"query": "ASK {}"}, timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("oxigraph serve did not start")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def query_url(self) -> str:
        return self.url + "/query"

    @property
    def backend(self) -> str:
        """The ``--backend`` value: the query URL with Oxigraph's per-request union switch."""
        return f"{self.url}/query?union-default-graph,{self.url}/update"

    def quads(self) -> set[str]:
        """Everything the engine holds, read directly (not through bricskg)."""
        response = requests.post(
            self.query_url,
            data={"query": "SELECT ?s ?p ?o ?g WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"},
            headers={"Accept": "application/sparql-results+json"},
            timeout=60,
        )
        rows = response.json()["results"]["bindings"]
        return {tuple(sorted((k, v["value"]) for k, v in row.items() if v["type"] != "bnode")).__repr__() for row in rows}

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
