"""A per-process LRU cache of serialised query answers, in front of any backend.

Keyed on (query text, dataset, negotiated media types, base IRI, store version): a write bumps the
version, so an entry can never be served after the data changed; stale entries simply age out.
Bounded by entry count and by total bytes — keys included, since a query text can be as large as
its answer (2,200 distinct 1 MiB ``ASK {}`` texts must not hold 2 GiB); an entry larger than a
fraction of the byte budget is not cached.
A hit costs one dict lookup and one ``version()`` call: no executor round trip, no parsing.
"""

from __future__ import annotations

import threading
from typing import Any, Iterator

from bricskg.byte_lru import ENTRY_OVERHEAD, ByteLRU, size_of
from bricskg.store.base import Backend, QueryRequest, QueryResult

CacheKey = tuple[str, tuple[str, ...], tuple[str, ...], str, tuple[str, str] | None, str | None, int]


def entry_bytes(key: CacheKey, result: QueryResult) -> int:
    """What one entry holds: its key (the query text first of all) and its answer."""
    return size_of(key) + len(result.body) + ENTRY_OVERHEAD


class ResultCache:
    """Thread-safe LRU of ``QueryResult`` bounded by entries and bytes (a ``ByteLRU`` that counts hits)."""

    def __init__(self, max_entries: int = 1024, max_bytes: int = 128 * 1024 * 1024):
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._entries: ByteLRU[CacheKey, QueryResult] = ByteLRU(
            max_bytes,
            max(1, max_bytes // 8),
            weigh=lambda key, result: entry_bytes(key, result) - ENTRY_OVERHEAD,
            max_entries=max_entries,
        )
        self._counts = threading.Lock()
        self.hits = 0
        self.misses = 0

    @property
    def max_entry_bytes(self) -> int:
        return self._entries.max_entry_bytes

    @staticmethod
    def key(request: QueryRequest, version: int) -> CacheKey:
        dataset = request.dataset
        return (
            request.query,
            dataset.default_graph_uris,
            dataset.named_graph_uris,
            request.media_type,
            request.negotiated,
            request.base_iri,
            version,
        )

    def get(self, key: CacheKey) -> QueryResult | None:
        result = self._entries.get(key)
        with self._counts:
            if result is None:
                self.misses += 1
            else:
                self.hits += 1
        return result

    def put(self, key: CacheKey, result: QueryResult) -> None:
        self._entries.put(key, result)

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def size_bytes(self) -> int:
        return self._entries.size_bytes


class CachedBackend:
    """Wraps a backend; everything but ``query`` passes straight through (``store``, ``notify_write`` …)."""

    def __init__(self, inner: Backend, cache: ResultCache):
        self.inner = inner
        self.cache = cache

    def query(self, request: QueryRequest) -> QueryResult:
        version = self.inner.version()
        key = ResultCache.key(request, version)
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        result = self.inner.query(request)
        if self.inner.version() == version:  # a write raced this query: do not cache its answer
            self.cache.put(key, result)
        return result

    def version(self) -> int:
        return self.inner.version()

    def quad_count(self) -> int:
        return self.inner.quad_count()

    def named_graphs(self) -> Iterator[str]:
        return self.inner.named_graphs()

    @property
    def writable(self) -> bool:
        return self.inner.writable

    def close(self) -> None:
        self.inner.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)
