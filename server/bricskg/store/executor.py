"""Executor processes: where queries run, so that a runaway query can be killed at its deadline.

Layout inside one web worker (a gunicorn process)::

    worker ──control socket──> zygote ──fork──> executor 1 … executor N
      └──────────── one socketpair per executor (jobs in, bytes out) ─────────┘

* The **zygote** is forked from the worker while the worker is still single-threaded (gunicorn's
  ``post_fork``): forking a multithreaded process is unsafe, and forking the zygote later costs
  nothing. It holds the in-memory store (inherited, copy-on-write: executors never reload data) and
  forks a fresh executor whenever the worker asks, handing the worker its socket with SCM_RIGHTS.
* An **executor** reads a ``Job``, evaluates it with pyoxigraph, serialises the result (stopping as
  soon as the size bound is passed) and sends back a small header and the body. An on-disk store is
  read through the checkpoint the job names (``bricskg.store.snapshots``), opened read-only and kept
  until a job names a newer one (a write happened); the live directory is never opened here.
* The **pool** (in the worker) lends one idle executor per query. The request thread waits on the
  socket with the remaining time; at the deadline it SIGKILLs that executor, asks the zygote for a
  replacement and answers 503. A crashed executor is replaced the same way (503, not 500).
* **Memory**: each executor may grow by at most ``memory_limit`` bytes over what it inherited
  (``RLIMIT_DATA``, counted from its size at fork, so the shared in-memory store does not count). A
  query that needs more makes the engine's allocation fail, which aborts the executor; the zygote
  reaps it and writes its exit status on a board the worker reads, so the client is told that the
  query hit the memory limit (503), and the worker — which never held that memory — goes on.

Children die with their parent (``PR_SET_PDEATHSIG``) and on EOF of their socket, so nothing
outlives a worker.
"""

from __future__ import annotations

import ctypes
import os
import pickle
import queue
import signal
import socket
import threading
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Callable

import pyoxigraph

from bricskg.store import base
from bricskg.store.base import BackendUnavailable, QueryOverMemoryLimit, QueryTimeout
from bricskg.store.confinement import ExitBoard, forbid_network, limit_memory, memory_limit_message
from bricskg.store.embedded import Job, evaluate, is_store_error, store_unavailable
from bricskg.store.long_queries import LongQueryMemo, query_shape

_PR_SET_PDEATHSIG = 1
_PR_SET_NAME = 15

# Process names (``/proc/PID/comm``, at most 15 bytes) that tell zygotes and executors apart from the
# web worker they were forked from: operators see them in ``ps``/``top``, and the crash tests kill
# exactly an executor rather than whichever process happens to be running.
ZYGOTE_PROCESS_NAME = "bricskg-zygote"
EXECUTOR_PROCESS_NAME = "bricskg-exec"


def _name_process(name: str) -> None:
    """Linux: set this process's name; elsewhere the name is cosmetic and silently skipped."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_NAME, ctypes.c_char_p(name.encode()[:15]), 0, 0, 0)
    except (OSError, AttributeError):
        pass


def _die_with_parent() -> None:
    """Linux: get SIGKILL when the parent exits, so no executor outlives its worker."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: EOF on the sockets still ends the children
        pass


def _reset_signals() -> None:
    """Drop the handlers inherited from gunicorn (they talk to the arbiter) in zygote and executors."""
    try:
        signal.set_wakeup_fd(-1)
    except (ValueError, OSError):
        pass
    for name in ("SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGWINCH", "SIGTTIN", "SIGTTOU", "SIGCHLD"):
        signum = getattr(signal, name, None)
        if signum is not None:
            signal.signal(signum, signal.SIG_DFL)
    # Ctrl-C reaches the whole process group; the worker decides when its children end.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


# --- executor side -------------------------------------------------------------------------------

def _error(exception: BaseException) -> bytes:
    return pickle.dumps(("error", type(exception).__name__, str(exception)))


def executor_main(conn: Connection, source: pyoxigraph.Store | Path, memory_limit: int | None = None) -> None:
    """Answer jobs until the worker closes the socket.

    An in-memory store is ``source`` itself (inherited from the zygote). An on-disk store is read
    through the checkpoint each job names (``Job.snapshot``, see ``bricskg.store.snapshots``),
    opened read-only and kept until a job names a newer one — never the live directory.
    """
    reader = _Reader(source)
    while True:
        try:
            job: Job = pickle.loads(conn.recv_bytes())
        except (EOFError, OSError):
            return
        try:
            kind, media_type, body = reader.answer(job)
        except base.BackendError as error:
            reply = _error(error)
        except MemoryError:  # Python's side of an allocation over the limit (the engine's aborts)
            reply = _error(QueryOverMemoryLimit(memory_limit_message(memory_limit or 0)))
        except Exception as error:  # the engine refused the query (e.g. an unsupported custom function)
            reply = pickle.dumps(("error", "EvaluationError", f"The query could not be evaluated: {error}"))
        else:
            try:
                conn.send_bytes(pickle.dumps(("ok", kind, media_type)))
                conn.send_bytes(body)
            except OSError:
                return
            continue
        try:
            conn.send_bytes(reply)
        except OSError:
            return


class _Reader:
    """The executor's handle on the data: the inherited in-memory store, or one checkpoint."""

    def __init__(self, source: pyoxigraph.Store | Path):
        self.memory = source if isinstance(source, pyoxigraph.Store) else None
        self.store: pyoxigraph.Store | None = None
        self.opened: str | None = None

    def answer(self, job: Job) -> tuple[str, str, bytes]:
        """Evaluate ``job``; a storage failure (not the query's fault) re-opens the checkpoint and
        tries once more, then becomes BackendUnavailable (HTTP 503 with Retry-After), never a 400."""
        if self.memory is not None:
            return evaluate(self.memory, job)
        for attempt in (1, 2):
            try:
                return evaluate(self._open(job), job)
            except (OSError, RuntimeError) as error:
                if not is_store_error(error):
                    raise
                self.store, self.opened = None, None
                if attempt == 2:
                    raise store_unavailable(error) from None
        raise AssertionError("unreachable")

    def _open(self, job: Job) -> pyoxigraph.Store:
        if job.snapshot is None:
            raise BackendUnavailable("No read snapshot was named for this on-disk store; please retry.")
        if self.store is None or self.opened != job.snapshot:
            self.store = None  # close the previous checkpoint before opening the next
            self.store = pyoxigraph.Store.read_only(job.snapshot)
            self.opened = job.snapshot
        return self.store


# --- zygote side ---------------------------------------------------------------------------------


def _preload_parser() -> None:
    """Import rdflib's SPARQL grammar once here, so that no executor pays for it (0.4 s) out of the
    first deadline that needs the SERVICE analysis."""
    try:
        import rdflib.plugins.sparql.parser  # noqa: F401
    except ImportError:  # pragma: no cover - rdflib is a dependency
        pass


def zygote_main(
    control: socket.socket,
    source: pyoxigraph.Store | Path,
    die_with_parent: bool = True,
    memory_limit: int | None = None,
    board: ExitBoard | None = None,
) -> None:
    """Fork one executor per byte received on ``control``; send back its pid and socket."""
    _reset_signals()
    _name_process(ZYGOTE_PROCESS_NAME)

    def reap(signum: int, frame: object) -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            if board is not None:
                board.record(pid, status)

    signal.signal(signal.SIGCHLD, reap)
    _preload_parser()
    if die_with_parent:
        _die_with_parent()
    while True:
        try:
            request = control.recv(1)
        except OSError:
            return
        if not request:
            return
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                control.close()
                ours.close()
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                _name_process(EXECUTOR_PROCESS_NAME)
                _die_with_parent()
                forbid_network()
                limit_memory(memory_limit)
                executor_main(Connection(theirs.detach()), source, memory_limit)
            except BaseException:
                code = 1
            finally:
                os._exit(code)
        theirs.close()
        try:
            socket.send_fds(control, [str(pid).encode()], [ours.fileno()])
        except OSError:
            return
        finally:
            ours.close()


class Executor:
    """The worker's handle on one executor process."""

    def __init__(self, pid: int, conn: Connection):
        self.pid = pid
        self.conn = conn

    def kill(self) -> None:
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.conn.close()


class Zygote:
    def __init__(self, source: pyoxigraph.Store | Path, memory_limit: int | None = None):
        # PR_SET_PDEATHSIG fires when the parent *thread* ends: only safe to ask for from the main
        # thread (gunicorn's post_fork); a zygote started from another thread relies on EOF alone.
        die_with_parent = threading.current_thread() is threading.main_thread()
        self.board = ExitBoard()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                ours.close()
                zygote_main(theirs, source, die_with_parent, memory_limit, self.board)
            except BaseException:
                code = 1
            finally:
                os._exit(code)
        theirs.close()
        self.pid = pid
        self._control = ours
        self._lock = threading.Lock()

    def spawn(self) -> Executor:
        with self._lock:
            try:
                self._control.sendall(b"S")
                message, fds, _, _ = socket.recv_fds(self._control, 32, 1)
            except OSError as error:
                self._reap()
                raise BackendUnavailable(f"The query executor supervisor is gone: {error}") from None
        if not message or not fds:
            self._reap()
            raise BackendUnavailable("The query executor supervisor is gone.")
        pid = int(message.decode())
        self.board.forget(pid)  # an earlier executor with this pid may have left its status there
        return Executor(pid, Connection(fds[0]))

    def _reap(self) -> None:
        """Collect the zygote's exit status so it does not linger as a zombie."""
        try:
            os.waitpid(self.pid, os.WNOHANG)
        except ChildProcessError:
            pass

    def close(self) -> None:
        self._control.close()  # EOF: the zygote exits; executors see EOF or their parent die
        self._reap()


_ERRORS: dict[str, type[base.BackendError]] = {
    "QuerySyntaxError": base.QuerySyntaxError,
    "QueryRefused": base.QueryRefused,
    "ResultTooLarge": base.ResultTooLarge,
    "BackendUnavailable": base.BackendUnavailable,
    "QueryTimeout": base.QueryTimeout,
    "AnswerNotAcceptable": base.AnswerNotAcceptable,
    "QueryOverMemoryLimit": base.QueryOverMemoryLimit,
    "TooComplex": base.QueryRefused,
}


class EvaluationError(base.QueryRefused):
    """The engine rejected the query while evaluating it (HTTP 400, like a refused query)."""


ADMISSION_WAIT = 1.0  # seconds a query may wait for a busy pool before it is refused
WAITERS_PER_EXECUTOR = 4  # queries that may wait at once, per executor; beyond: refused at once
LONG_AFTER = 0.5  # seconds: a query still running after this is a long one
LONG_SHARE = 0.5  # at most this share of a worker's executors run long queries; the rest turn over fast


DEMOTE_AFTER = 1.0  # seconds: a query still running after this gets the lowest CPU priority
# (not less: a demoted executor is replaced, and a fresh executor is slow on its first queries)


def _demote(pid: int) -> bool:
    """Give a long-running executor the lowest CPU priority (nice 19), so that on a busy machine
    the many short queries keep their latency while a few long ones run. True when done."""
    try:
        os.setpriority(os.PRIO_PROCESS, pid, 19)
    except (OSError, AttributeError):
        return False
    return True


class ExecutorsBusy(BackendUnavailable):
    """Every executor is busy and the short wait for one is full or over: HTTP 503 + Retry-After."""


class ExecutorPool:
    """The executors of one worker process; thread-safe; one query per executor at a time."""

    def __init__(
        self,
        source: pyoxigraph.Store | Path,
        size: int,
        on_supervisor_lost: Callable[[], None] | None = None,
        memory_limit: int | None = None,
    ):
        self.size = size
        self.memory_limit = memory_limit
        self._on_supervisor_lost = on_supervisor_lost
        self._zygote = Zygote(source, memory_limit)
        self._idle: queue.LifoQueue[Executor] = queue.LifoQueue()
        self._live = 0
        self._waiting = 0  # requests waiting for an executor to come free
        self._long = 0  # queries running longer than LONG_AFTER
        self._known_long = LongQueryMemo()  # shapes of queries that ran longer than LONG_AFTER
        self._lock = threading.Lock()
        self._closed = False
        for _ in range(size):
            self._idle.put(self._spawn())
            self._live += 1

    def run(self, job: Job, timeout: float, started: float | None = None) -> tuple[str, str, bytes]:
        """Evaluate ``job`` in an executor within ``timeout`` seconds of ``started`` (a
        ``time.monotonic()`` value, when the request arrived; default now).

        At most ``long_quota`` queries of this worker may run longer than ``LONG_AFTER``: one that
        would exceed it is stopped then (503 + Retry-After), so long queries, however many arrive,
        never hold every executor and short ones keep being answered."""
        deadline = (time.monotonic() if started is None else started) + timeout
        if deadline <= time.monotonic():
            raise QueryTimeout(
                f"The request waited in this server's queue for the whole query time limit of {timeout:g} seconds; "
                "please retry."
            )
        shape = query_shape(job.query, job.default_graphs, job.named_graphs, job.explicit_dataset)
        if self._long >= self.long_quota and shape in self._known_long:
            raise ExecutorsBusy(
                f"This query ran longer than {LONG_AFTER:g} s before, and this worker already runs "
                f"{self.long_quota} long queries, its limit; please retry later."
            )
        executor = self._acquire(deadline, timeout)
        while executor.conn.poll(0):  # an idle executor with something to read has died: replace it
            self._discard(executor)
            executor = self._acquire(deadline, timeout)
        return self._evaluate(executor, job, deadline, timeout, shape)

    @property
    def long_quota(self) -> int:
        return max(1, int(self.size * LONG_SHARE))

    def _evaluate(
        self, executor: Executor, job: Job, deadline: float, timeout: float, shape: bytes
    ) -> tuple[str, str, bytes]:
        started = time.monotonic()
        counted_long = demoted = False
        try:
            executor.conn.send_bytes(pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL))
            ready = executor.conn.poll(max(0.0, min(deadline, started + LONG_AFTER) - time.monotonic()))
            if not ready and time.monotonic() < deadline:
                self._known_long.remember(shape)
                with self._lock:
                    counted_long = self._long < self.long_quota
                    if counted_long:
                        self._long += 1
                if not counted_long:
                    self._discard(executor)
                    raise ExecutorsBusy(
                        f"This query ran longer than {LONG_AFTER:g} s while this worker already runs "
                        f"{self.long_quota} long queries, its limit; please retry later."
                    )
                ready = executor.conn.poll(max(0.0, min(deadline, started + DEMOTE_AFTER) - time.monotonic()))
                if not ready and time.monotonic() < deadline:
                    demoted = _demote(executor.pid)
                    ready = executor.conn.poll(max(0.0, deadline - time.monotonic()))
            if not ready:
                self._known_long.remember(shape)  # it ran for the whole time limit
                self._discard(executor)
                raise QueryTimeout(
                    f"The query ran longer than this endpoint's limit of {timeout:g} seconds and was stopped. "
                    "Make it more selective or add a LIMIT."
                )
            header = pickle.loads(executor.conn.recv_bytes())
            body = executor.conn.recv_bytes() if header[0] == "ok" else b""
        except (EOFError, OSError, pickle.UnpicklingError):
            self._discard(executor)
            raise self._death_of(executor) from None
        finally:
            if counted_long:
                with self._lock:
                    self._long -= 1
        if demoted:
            self._discard(executor)  # an unprivileged process cannot take its priority back
        else:
            self._release(executor)
        if not counted_long:
            self._known_long.forget(shape)  # it ran short this time
        if header[0] == "ok":
            return header[1], header[2], body
        _, name, message = header
        raise _ERRORS.get(name, EvaluationError)(message)

    def _death_of(self, executor: Executor) -> base.BackendError:
        """Why ``executor`` died mid-query: an abort under a memory limit is the query asking for too
        much memory (the engine aborts when an allocation fails); anything else is a crash."""
        status = self._zygote.board.status_of(executor.pid, wait=2.0)
        if (
            self.memory_limit
            and status is not None
            and os.WIFSIGNALED(status)
            and os.WTERMSIG(status) == signal.SIGABRT  # a stack overflow is a SIGSEGV
        ):
            return QueryOverMemoryLimit(memory_limit_message(self.memory_limit))
        return BackendUnavailable("The query executor stopped unexpectedly; please retry.")

    def _acquire(self, deadline: float, timeout: float) -> Executor:
        """An idle executor; when all are busy, wait at most ``ADMISSION_WAIT`` (and only while
        fewer than ``WAITERS_PER_EXECUTOR × size`` queries wait), else refuse: a query beyond
        capacity gets 503 + Retry-After within a second, not after its whole timeout in a queue.
        Executors running short queries turn over in milliseconds, so the wait only refuses when
        they are held by long ones."""
        while True:
            try:
                return self._idle.get_nowait()
            except queue.Empty:
                pass
            with self._lock:
                if self._live < self.size and not self._closed:
                    self._live += 1
                    try:
                        return self._spawn()
                    except BackendUnavailable:
                        self._live -= 1
                        raise
                waiting = self._waiting < WAITERS_PER_EXECUTOR * self.size
                if waiting:
                    self._waiting += 1
            if not waiting:
                raise ExecutorsBusy(f"All {self.size} query executors of this worker are busy; please retry.")
            try:
                return self._idle.get(timeout=max(0.0, min(deadline - time.monotonic(), ADMISSION_WAIT)))
            except queue.Empty:
                raise ExecutorsBusy(
                    f"All {self.size} query executors of this worker stayed busy; please retry."
                ) from None
            finally:
                with self._lock:
                    self._waiting -= 1

    def _spawn(self) -> Executor:
        """A new executor from the zygote; if the zygote is gone, this pool can never recover
        (a new zygote would have to be forked from a threaded process), so tell the owner once:
        under gunicorn the worker then exits gracefully and the master starts a fresh one."""
        try:
            return self._zygote.spawn()
        except BackendUnavailable:
            callback, self._on_supervisor_lost = self._on_supervisor_lost, None
            if callback is not None:
                callback()
            raise

    def _release(self, executor: Executor) -> None:
        self._idle.put(executor)

    def _discard(self, executor: Executor) -> None:
        """Kill ``executor``; a replacement is forked on demand by the next ``_acquire``."""
        executor.kill()
        with self._lock:
            self._live -= 1
        # Replace eagerly so the next query does not pay for the fork.
        try:
            with self._lock:
                if self._closed or self._live >= self.size:
                    return
                self._live += 1
            self._idle.put(self._spawn())
        except BackendUnavailable:
            with self._lock:
                self._live -= 1

    def pids(self) -> list[int]:
        """The executor processes currently idle (for tests and /health)."""
        items = list(self._idle.queue)
        return [executor.pid for executor in items]

    @property
    def zygote_pid(self) -> int:
        return self._zygote.pid

    def close(self) -> None:
        with self._lock:
            self._closed = True
        while True:
            try:
                self._idle.get_nowait().kill()
            except queue.Empty:
                break
        self._zygote.close()
