"""Which queries are known to run long, so that a worker whose long-query lanes are full refuses
them at once instead of running each for its probation first.

A worker lets at most half of its executors run queries longer than ``LONG_AFTER``
(``bricskg.store.executor``); a further long query is stopped when it crosses that mark. Without a
memory of what ran long, a client repeating an expensive query (a flood of them, or a careless
script retrying) costs the probation — executor time and CPU at full priority — on every attempt,
and short queries queue behind those attempts. With it, a query whose *shape* already ran long is
answered 503 + Retry-After before it reaches an executor while no long lane is free.

The shape is the query text without comments and with whitespace collapsed, plus the dataset; it
is kept as a 16-byte digest in a bounded LRU, so the memo's size does not depend on the queries.
A mistaken shape (the comment stripper below is a lexer approximation), or a short query that was
only slow because a saturated machine starved it of CPU, can only make a query be refused while the
server's long lanes are full — never let one run that should not — and not for long: an entry
expires after ``REMEMBER_SECONDS``, and a run of the shape that finishes quickly forgets it.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from collections import OrderedDict

# strings and IRIs are kept (a '#' inside them is not a comment); comments are dropped
_TOKENS = re.compile(
    r'("""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n\r]|\\.)*"|\'(?:[^\'\\\n\r]|\\.)*\''
    r'|<[^<>"{}|^`\\\x00-\x20]*>)|#[^\n\r]*'
)
_SPACE = re.compile(r"\s+")
MEMO_ENTRIES = 4096  # 16-byte digests: well under a megabyte with the dictionary's overhead
REMEMBER_SECONDS = 60.0


def query_shape(query: str, *dataset: object) -> bytes:
    """A digest of ``query`` without comments and extra whitespace, and of its dataset."""
    text = _SPACE.sub(" ", _TOKENS.sub(lambda match: match.group(1) or " ", query)).strip()
    digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16)
    digest.update(repr(dataset).encode("utf-8", "surrogatepass"))
    return digest.digest()


class LongQueryMemo:
    """A bounded, thread-safe set of query shapes that ran longer than the probation, each for
    ``seconds`` after it last did."""

    def __init__(self, entries: int = MEMO_ENTRIES, seconds: float = REMEMBER_SECONDS):
        self.entries = entries
        self.seconds = seconds
        self._shapes: OrderedDict[bytes, float] = OrderedDict()  # shape -> time.monotonic() of expiry
        self._lock = threading.Lock()

    def remember(self, shape: bytes) -> None:
        with self._lock:
            self._shapes[shape] = time.monotonic() + self.seconds
            self._shapes.move_to_end(shape)
            while len(self._shapes) > self.entries:
                self._shapes.popitem(last=False)

    def forget(self, shape: bytes) -> None:
        if shape in self._shapes:  # unlocked peek: the common case (not remembered) takes no lock
            with self._lock:
                self._shapes.pop(shape, None)

    def __contains__(self, shape: bytes) -> bool:
        with self._lock:
            expiry = self._shapes.get(shape)
            if expiry is None:
                return False
            if expiry < time.monotonic():
                del self._shapes[shape]
                return False
            return True

    def __len__(self) -> int:
        return len(self._shapes)
