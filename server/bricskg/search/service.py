"""Search kept in step with the store: the index replays the audit log of writes, graph by graph.

Every write bricskg accepts (SPARQL Update, Graph Store Protocol, ``bricskg load``) leaves a
``prov:Activity`` in the audit graph naming the graphs it changed. Before answering, the service
checks the store's version (a cheap shared counter); when it moved, it reads the activities it has
not applied yet and re-reads only the graphs they name. That works over any backend (the audit log
is data, read with SPARQL) and from every worker process, and costs what the write touched.

Where the index lives: beside an on-disk store (``<store>.search.sqlite``, shared by the workers and
kept across restarts) or, for the in-memory store and remote engines, in each worker's memory.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from urllib.parse import quote

from bricskg.search.documents import read_documents, read_types
from bricskg.search.index import SearchIndex, SearchResult
from bricskg.store.base import Backend
from bricskg.store.results import select_rows

AUDIT_GRAPH = "https://w3id.org/bricskg/graph/audit"
AUDIT_VOCAB = "https://w3id.org/bricskg/audit/vocab#"
ACTIVITIES_QUERY = f"""SELECT ?activity ?graph WHERE {{
  GRAPH <{AUDIT_GRAPH}> {{
    ?activity a <{AUDIT_VOCAB}Write> .
    OPTIONAL {{ ?activity <{AUDIT_VOCAB}changedGraph> ?graph }}
  }}
}}"""


def index_uri(store_path: Path | None) -> str:
    """An SQLite URI: a file beside an on-disk store, else a private in-memory database."""
    if store_path is not None:
        target = store_path.parent / (store_path.name + ".search.sqlite")
        return "file:" + quote(str(target.resolve())) + "?mode=rwc"
    return f"file:bricskg-search-{os.getpid()}-{id(object())}?mode=memory&cache=shared"


class SearchService:
    def __init__(self, backend: Backend, uri: str) -> None:
        self.backend = backend
        self.index = SearchIndex(uri)
        self._seen_version: int | None = None
        self._lock = threading.Lock()

    def search(self, text: str, **options) -> SearchResult:
        self.refresh()
        return self.index.search(text, **options)

    def refresh(self) -> None:
        """Bring the index up to the store's current state (cheap when nothing was written)."""
        version = self.backend.version()
        if version == self._seen_version:
            return
        with self._lock:
            if version == self._seen_version:
                return
            if self.index.meta("built") is None:
                self._build()
            else:
                self._catch_up()
            self._seen_version = version

    def _activities(self) -> dict[str, set[str]]:
        changed: dict[str, set[str]] = {}
        for row in select_rows(self.backend, ACTIVITIES_QUERY, timeout=120.0, max_result_bytes=1 << 30):
            graphs = changed.setdefault(str(row["activity"]), set())
            if "graph" in row:
                graphs.add(str(row["graph"]))
        return changed

    def _build(self) -> None:
        # The activities are read before the documents: a write landing in between is then replayed
        # by the next refresh (re-reading a graph twice is harmless), never marked applied unseen.
        activities = self._activities()
        self.index.replace(
            None, read_documents(self.backend), read_types(self.backend), activities, meta={"built": "yes"}
        )

    def _catch_up(self) -> None:
        activities = self._activities()
        applied = self.index.applied_activities()
        new = {activity: graphs for activity, graphs in activities.items() if activity not in applied}
        if not new:
            return
        graphs = sorted(set().union(*new.values()))
        self.index.replace(graphs, read_documents(self.backend, graphs), read_types(self.backend, graphs), new)


_services: dict[tuple[int, int], SearchService] = {}
_services_lock = threading.Lock()


def service_for(backend: Backend, store_path: Path | None) -> SearchService:
    """This process's service for ``backend``: created after the fork, never inherited through one
    (an SQLite connection must not cross a fork)."""
    key = (os.getpid(), id(backend))
    with _services_lock:
        service = _services.get(key)
        if service is None:
            service = _services[key] = SearchService(backend, index_uri(store_path))
        return service
