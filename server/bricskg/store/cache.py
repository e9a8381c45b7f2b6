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
from collections import OrderedDict
from typing import Any, Iterator

from bricskg.byte_lru import ENTRY_OVERHEAD, size_of
from bricskg.store.base import Backend, QueryRequest, QueryResult

CacheKey = tuple[str, tuple[str, ...], tuple[str, ...], str, tuple[str, str] | None, str | None, int]


def entry_bytes(key: CacheKey, result: QueryResult) -> int:
    """What one entry holds: its key (the query text first of all) and its answer."""
    return size_of(key) + len(result.body) + ENTRY_OVERHEAD


class ResultCache:
    """Thread-safe LRU of ``QueryResult`` bounded by entries and bytes."""

    def __init__(self, max_entries: int = 1024, max_bytes: int = 128 * 1024 * 1024):
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.max_entry_bytes = max(1, max_bytes // 8)
        self._entries: OrderedDict[CacheKey, QueryResult] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

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
        with self._lock:
            result = self._entries.get(key)
            if result is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return result

    def put(self, key: CacheKey, result: QueryResult) -> None:
        size = entry_bytes(key, result)
        if self.max_entries <= 0 or size > self.max_entry_bytes:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= entry_bytes(key, old)
            self._entries[key] = result
            self._bytes += size
            while self._entries and (len(self._entries) > self.max_entries or self._bytes > self.max_bytes):
                evicted_key, evicted = self._entries.popitem(last=False)
                self._bytes -= entry_bytes(evicted_key, evicted)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def size_bytes(self) -> int:
        return self._bytes


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
