"""A per-process LRU cache of serialised query answers, in front of any backend.

Keyed on (query text, dataset, media type, base IRI, store version): a write bumps the version, so
an entry can never be served after the data changed; stale entries simply age out. Bounded by
entry count and by total bytes; answers larger than a fraction of the byte budget are not cached.
A hit costs one dict lookup and one ``version()`` call: no executor round trip, no parsing.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, Iterator

from bricskg.store.base import Backend, QueryRequest, QueryResult

CacheKey = tuple[str, tuple[str, ...], tuple[str, ...], str, str | None, int]


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
        size = len(result.body)
        if self.max_entries <= 0 or size > self.max_entry_bytes:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= len(old.body)
            self._entries[key] = result
            self._bytes += size
            while self._entries and (len(self._entries) > self.max_entries or self._bytes > self.max_bytes):
                _, evicted = self._entries.popitem(last=False)
                self._bytes -= len(evicted.body)

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
