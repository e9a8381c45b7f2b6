"""A throwaway OpenLink Virtuoso 7 for the tests that run bricskg over a second real engine.

``scripts/virtuoso`` does the work (its own ini and database in a temporary folder, free loopback
ports, a Digest-authenticated update user, system graphs made private), run through
``bricskg.bench.virtuoso`` as the benchmark runs it; this wrapper loads data the way an operator
would (N-Quads through Virtuoso's bulk loader), reads the engine directly, not through bricskg, and
always stops it. The tests skip, saying why, where Debian's
``virtuoso-opensource`` is not installed (``scripts/install-system-deps`` installs it).
"""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path
from typing import Iterable

import pyoxigraph as ox
import pytest
import requests

from bricskg.bench.virtuoso import running_virtuoso, virtuoso_missing

ONTOLOGY_GRAPH = "https://w3id.org/bricskg/ontology"


def virtuoso_param() -> object:
    """The ``virtuoso`` case of a test parametrised over engines, skipped (saying why) without Virtuoso."""
    reason = virtuoso_missing()
    return pytest.param("virtuoso", marks=pytest.mark.skipif(reason is not None, reason=str(reason)))


def require_virtuoso() -> None:
    reason = virtuoso_missing()
    if reason:
        pytest.skip(reason)


def home_quads(home: Path) -> list[ox.Quad]:
    """What ``bricskg serve`` would load from ``home``: ontology files into the ontology graph, TriG as is."""
    store = ox.Store()
    for path in sorted((home / "ontology").glob("*.ttl")):
        store.load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(ONTOLOGY_GRAPH))
    for path in sorted((home / "data").glob("*.trig")):
        store.load(path=str(path), format=ox.RdfFormat.TRIG)
    return list(store)


class VirtuosoServer:
    """``virtuoso-t`` in ``folder`` (``bricskg.bench.virtuoso``, which runs ``scripts/virtuoso``),
    loaded with ``quads``; ``stop()`` must be called (fixtures do, in ``finally``)."""

    def __init__(self, folder: Path, quads: Iterable[ox.Quad] = ()):
        require_virtuoso()
        self.folder = folder
        self._stack = ExitStack()
        self.engine = self._stack.enter_context(running_virtuoso(folder))
        try:
            quads = list(quads)
            if quads:
                self.load(quads)
        except BaseException:
            self.stop()
            raise

    @property
    def settings(self) -> dict[str, str]:
        return self.engine.settings

    @property
    def url(self) -> str:
        return self.settings["VIRTUOSO_URL"]

    @property
    def query_url(self) -> str:
        return self.engine.query_url

    @property
    def update_url(self) -> str:
        return self.engine.update_url

    @property
    def backend(self) -> str:
        """The ``--backend`` value for bricskg."""
        return f"{self.query_url},{self.update_url}"

    @property
    def credentials_env(self) -> dict[str, str]:
        return {"BRICSKG_BACKEND_USER": self.engine.user, "BRICSKG_BACKEND_PASSWORD": self.engine.password}

    def load(self, quads: Iterable[ox.Quad]) -> None:
        path = self.folder / "load.nq"
        store = ox.Store()
        store.extend(quads)
        store.dump(output=str(path), format=ox.RdfFormat.N_QUADS)
        try:
            self.engine.bulk_load(path, timeout=600)
        finally:
            path.unlink(missing_ok=True)

    def select(self, query: str) -> list[dict]:
        """Rows read from the engine directly, as the anonymous SPARQL user."""
        response = requests.post(self.query_url, data={"query": query}, headers={"Accept": "application/sparql-results+json"}, timeout=120)
        response.raise_for_status()
        return response.json()["results"]["bindings"]

    def ask(self, query: str) -> bool:
        response = requests.post(self.query_url, data={"query": query}, headers={"Accept": "application/sparql-results+json"}, timeout=120)
        response.raise_for_status()
        return bool(response.json()["boolean"])

    def update(self, text: str) -> requests.Response:
        """An update sent directly, as the update user (HTTP Digest)."""
        from requests.auth import HTTPDigestAuth

        auth = HTTPDigestAuth(self.engine.user, self.engine.password)
        return requests.post(self.update_url, data=text.encode(), headers={"Content-Type": "application/sparql-update"}, auth=auth, timeout=120)

    def quads(self) -> set[str]:
        """Everything in the engine's graphs (its private system graphs aside), read directly."""
        rows = self.select("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return {repr(tuple(sorted((k, v["value"]) for k, v in row.items() if v["type"] != "bnode"))) for row in rows}

    def stop(self) -> None:
        self._stack.close()
