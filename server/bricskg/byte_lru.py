"""A small thread-safe LRU map bounded by the bytes of its keys and values, not by a count.

A count bound is no bound when the keys are client text: 4,096 remembered query texts of 1 MiB each
are 4 GiB. Every memo of this server that is keyed on request text uses this map instead, with the
key's size included and anything larger than a slice of the budget not kept at all.
"""

from __future__ import annotations

import sys
import threading
from collections import OrderedDict
from typing import Callable, Generic, Hashable, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

ENTRY_OVERHEAD = 200  # bytes: the dict slot, the tuple and the small objects around one entry


def size_of(value: object) -> int:
    """Approximate bytes held by a key or value: text and bytes by length, tuples by their items."""
    if isinstance(value, (str, bytes, bytearray)):
        return len(value) + 50
    if isinstance(value, (tuple, list, frozenset)):
        return 56 + sum(size_of(item) for item in value)
    if value is None or isinstance(value, (bool, int, float)):
        return 28
    return sys.getsizeof(value)


class ByteLRU(Generic[K, V]):
    """Least-recently-used entries go first once the total of ``weigh(key, value)`` passes ``max_bytes``."""

    def __init__(
        self,
        max_bytes: int,
        max_entry_bytes: int | None = None,
        weigh: Callable[[K, V], int] | None = None,
        max_entries: int | None = None,
    ):
        self.max_bytes = max_bytes
        self.max_entries = max_entries  # a count bound on top of the byte bound (None: bytes only)
        self.max_entry_bytes = max_entry_bytes if max_entry_bytes is not None else max(1, max_bytes // 8)
        self._weigh = weigh or (lambda key, value: size_of(key) + size_of(value))
        self._entries: OrderedDict[K, tuple[V, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            self._entries.move_to_end(key)
            return entry[0]

    def put(self, key: K, value: V) -> bool:
        """Remember ``value``; False (and nothing kept) when the entry alone is over its bound."""
        size = self._weigh(key, value) + ENTRY_OVERHEAD
        if size > self.max_entry_bytes or self.max_bytes <= 0 or (self.max_entries is not None and self.max_entries <= 0):
            return False
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._entries[key] = (value, size)
            self._bytes += size
            while self._entries and (self._bytes > self.max_bytes or self._over_count()):
                _, (_, evicted) = self._entries.popitem(last=False)
                self._bytes -= evicted
        return True

    def _over_count(self) -> bool:
        return self.max_entries is not None and len(self._entries) > self.max_entries

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def size_bytes(self) -> int:
        return self._bytes


def memoise(max_bytes: int, max_entry_bytes: int | None = None) -> Callable[[Callable[[str], V]], Callable[[str], V]]:
    """``functools.lru_cache`` for one-text functions, bounded by bytes (texts included)."""

    def decorate(function: Callable[[str], V]) -> Callable[[str], V]:
        cache: ByteLRU[str, V] = ByteLRU(max_bytes, max_entry_bytes)

        def wrapper(text: str) -> V:
            found = cache.get(text)
            if found is None:
                found = function(text)
                cache.put(text, found)
            return found

        wrapper.cache = cache  # type: ignore[attr-defined]
        wrapper.cache_clear = cache.clear  # type: ignore[attr-defined]  (as functools.lru_cache has)
        wrapper.__doc__ = function.__doc__
        wrapper.__name__ = function.__name__
        wrapper.__wrapped__ = function  # type: ignore[attr-defined]
        return wrapper

    return decorate
