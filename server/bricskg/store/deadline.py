"""A write's evaluation with a deadline: a forked child evaluates, and is killed when time is up.

An update that matches patterns (DELETE/INSERT … WHERE, DELETE WHERE) can cost far more than its
size -- a VALUES cross product ran 27.6 s while the writer held its lock against a 5 s query
timeout. ``bounded(timeout)`` is an evaluator for ``bricskg.store.delta.compute_delta`` that runs
such an update on the scratch copy in a child process; past the deadline the child is killed, the
writer gets ``WriteTimeout`` (HTTP 503), releases its lock, and nothing was applied (the real store
is only ever written by the commit that follows a finished evaluation). Data operations (INSERT
DATA, DELETE DATA, CLEAR, DROP, …) cost in proportion to the request and run in-process.

Oxigraph cannot be interrupted from Python, and a thread left running after its deadline would
keep a core and ever more memory busy after the client got its answer. A child process is killed
outright. It shares the parent's memory copy-on-write (nothing is serialised on the way in), must
touch nothing but what it was given -- in particular no RocksDB handle the parent holds -- and
leaves with ``os._exit`` so no inherited handle is flushed or closed. Its answer comes back as bytes
through a pipe.
"""

from __future__ import annotations

import json
import os
import select
import signal
import time
from typing import Any, Callable, Iterable

import pyoxigraph as ox

from bricskg.store.base import QuerySyntaxError, QueryTimeout
from bricskg.store.delta import Delta, Evaluator, UpdateFailed, _one_line, diff

# Operations whose evaluation cost is not bounded by the size of the request: they match patterns.
PATTERN_OPERATIONS = frozenset({"Modify", "DeleteWhere"})


class WriteTimeout(QueryTimeout):
    """The update's evaluation ran past the write deadline; nothing was applied (HTTP 503)."""


def evaluator_for(operations: Iterable[str], timeout: float | None) -> Evaluator:
    """How to evaluate an update made of ``operations``: in a killable child if it matches patterns."""
    if timeout is None or not PATTERN_OPERATIONS & set(operations):
        return diff
    return bounded(timeout)


def bounded(timeout: float) -> Evaluator:
    def evaluate(scratch: ox.Store, run: Callable[[ox.Store], None]) -> Delta:
        payload = run_in_child(lambda: _encode_outcome(scratch, run), timeout)
        if payload is None:
            raise WriteTimeout(
                f"The update did not finish within the write time limit of {timeout:g} s and was stopped; "
                "nothing was changed. Narrow its WHERE clause."
            )
        if not payload:
            raise UpdateFailed("The update failed: its evaluation ended abnormally; nothing was changed.")
        return _decode_outcome(payload)

    return evaluate

_RESET_SIGNALS = ("SIGTERM", "SIGINT", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGCHLD")


def run_in_child(work: Callable[[], bytes], timeout: float) -> bytes | None:
    """``work()``'s bytes, computed in a forked child; None when ``timeout`` seconds pass first.

    ``work`` must report its own errors in the bytes it returns: an exception escaping it (or a
    crash of the child) yields ``b""``.
    """
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: compute, report, exit without running any inherited cleanup
        try:
            _die_with_parent()
            os.close(reader)
            for name in _RESET_SIGNALS:  # the server's handlers talk to its supervisor
                signal.signal(getattr(signal, name), signal.SIG_DFL)
            payload = work()
            with os.fdopen(writer, "wb") as out:
                out.write(payload)
        finally:
            os._exit(0)
    os.close(writer)
    try:
        return _read_until(reader, time.monotonic() + timeout)
    finally:
        os.close(reader)
        _kill_and_reap(pid)


def _die_with_parent() -> None:
    """Linux: SIGKILL when the writer process dies, so an evaluation never outlives it."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _read_until(fd: int, deadline: float) -> bytes | None:
    """Everything written to ``fd`` until EOF, or None when the deadline passes first."""
    chunks: list[bytes] = []
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None
        ready, _, _ = select.select([fd], [], [], remaining)
        if not ready:
            return None
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _kill_and_reap(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:  # already reaped by a SIGCHLD handler of the server
        pass


# --- the delta through the pipe: N-Quads keep blank-node labels ---------------------------------


def _encode_outcome(scratch: ox.Store, run: Callable[[ox.Store], None]) -> bytes:
    try:
        delta = diff(scratch, run)
    except (QuerySyntaxError, UpdateFailed) as error:
        return json.dumps({"error": type(error).__name__, "message": str(error)}).encode("utf-8")
    except Exception as error:  # anything else the engine raised: reported as a failed update
        return json.dumps({"error": "UpdateFailed", "message": f"The update failed: {_one_line(error)}"}).encode("utf-8")

    def nquads(quads: Iterable[ox.Quad]) -> str:
        return (ox.serialize(list(quads), format=ox.RdfFormat.N_QUADS) or b"").decode("utf-8")

    def names(terms: Iterable[Any]) -> list[list[str]]:
        return [["blank" if isinstance(t, ox.BlankNode) else "iri", t.value] for t in terms]

    document = {
        "removed": nquads(delta.removed),
        "inserted": nquads(delta.inserted),
        "created": names(delta.created_graphs),
        "dropped": names(delta.dropped_graphs),
        "reused": [b.value for b in delta.reused_blank_nodes],
    }
    return json.dumps(document).encode("utf-8")


def _decode_outcome(payload: bytes) -> Delta:
    document = json.loads(payload.decode("utf-8"))
    if "error" in document:
        kind = QuerySyntaxError if document["error"] == "QuerySyntaxError" else UpdateFailed
        raise kind(document["message"])

    def quads(text: str) -> frozenset[ox.Quad]:
        return frozenset(ox.parse(text.encode("utf-8"), ox.RdfFormat.N_QUADS)) if text else frozenset()  # type: ignore[arg-type]

    def names(entries: list[list[str]]) -> frozenset[Any]:
        return frozenset(ox.BlankNode(v) if kind == "blank" else ox.NamedNode(v) for kind, v in entries)

    return Delta(
        quads(document["removed"]),
        quads(document["inserted"]),
        names(document["created"]),
        names(document["dropped"]),
        reused_blank_nodes=frozenset(ox.BlankNode(v) for v in document["reused"]),
    )
