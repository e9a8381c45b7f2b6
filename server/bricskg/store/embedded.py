"""The embedded backend: an Oxigraph store (in memory or on disk) queried in executor processes.

Why processes: neither pyoxigraph nor rdflib can cancel a running query, so a query that must be
stopped at its deadline has to run somewhere that can be killed. Each web worker owns a small pool
of executor processes (``bricskg.store.executor``); a query is sent to one, evaluated and serialised
there, and its bytes come back. A query past its deadline costs that executor a SIGKILL and a
replacement, never the worker.

``bricskg.store.jobs.evaluate`` is the one place that turns a ``QueryRequest`` into bytes; it runs
in executors and, when isolation is off (unit tests, one-shot tools), in the calling thread. Nothing
here parses the query: a web worker only builds the job.

The default graph of a query without a dataset is the union of all graphs, and SPARQL makes that
union an RDF merge: a SET of triples. pyoxigraph's ``use_default_graph_as_union`` instead yields a
triple once per graph that holds it (oxigraph issue #1919), and our claim graphs restate the types
and labels they need, so COUNT comes out inflated and plain SELECTs repeat rows. A read-only
in-memory store therefore gets the union copied once, at load, into its real default graph (where
the store's set semantics merge the copies) and is queried without that option: exact, and faster
too. A store that takes writes or lives on disk keeps the per-query union (see ``UNION_DYNAMIC``).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator

import pyoxigraph

from bricskg.store.base import (
    BackendUnavailable,
    Dataset,
    QueryRefused,
    QueryRequest,
    QueryResult,
    ReadOnly,
)
from bricskg.store.jobs import (  # noqa: F401 (Job, evaluate, … are imported from here by the executors)
    COUNT,
    GRAPH,
    MISSING,
    BoundedSink,
    Job,
    evaluate,
    is_store_error,
    store_unavailable,
    syntax_message,
)

if TYPE_CHECKING:  # pragma: no cover
    from bricskg.store.snapshots import SnapshotShelf

log = logging.getLogger("bricskg.store")


# How the default graph of a query without a dataset is formed; /health and the service
# description say which one a server uses.
UNION_MATERIALISED = "materialised-union"
UNION_DYNAMIC = "dynamic-union"

MATERIALISE_UNION = "INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"


def copy_union_into_default_graph(store: pyoxigraph.Store) -> None:
    """Copy every named graph's triples into the default graph, once: the store keeps quads as a
    set, so a triple restated in many claim graphs lands there once — the RDF merge SPARQL means.

    One SPARQL update is the fastest way measured (see docs/endpoint.md): it stays inside Oxigraph,
    while a Python loop over the quads is 3-5 times slower.
    """
    store.update(MATERIALISE_UNION)


def inferred_quads(store: pyoxigraph.Store) -> int:
    """How many quads the inferred graph (bricskg.inference) holds."""
    from bricskg.inference import INFERRED

    return sum(1 for _ in store.quads_for_pattern(None, None, None, INFERRED))


class SharedVersion:
    """A write counter every process of one server sees (created before the workers fork), and the
    store's quad count as of that version, kept up to date by the writer.

    The write path (``bricskg.store.writer``) calls ``bump`` after each commit, with the change in quads
    it committed when it knows it; caches key on the version, and executors of an on-disk store
    re-open their read-only snapshot when it moved. Keeping the count here means ``/health`` after a
    write reads a number instead of counting a million quads in a web worker.
    """

    UNKNOWN = -1

    def __init__(self) -> None:
        self._value = multiprocessing.Value("q", 0, lock=True)
        self._quads = multiprocessing.Value("q", self.UNKNOWN, lock=False)  # guarded by _value's lock

    def get(self) -> int:
        return int(self._value.value)

    def bump(self, change: int | None = None) -> int:
        """Count one more write; ``change`` (quads added minus removed) keeps the count exact, None forgets it."""
        with self._value.get_lock():
            self._value.value += 1
            known = self._quads.value
            self._quads.value = known + change if change is not None and known != self.UNKNOWN else self.UNKNOWN
            return int(self._value.value)

    def quads(self) -> int | None:
        with self._value.get_lock():
            known = int(self._quads.value)
        return None if known == self.UNKNOWN else known

    def remember_quads(self, version: int, count: int) -> None:
        """Record a count taken at ``version``; ignored if a write landed meanwhile."""
        with self._value.get_lock():
            if self._value.value == version:
                self._quads.value = count


class EmbeddedBackend:
    """An Oxigraph store behind the ``Backend`` protocol.

    ``memory_store`` (loaded once in the master, shared by forks) or ``store_path`` (on disk). With
    ``isolate`` (the default for servers) queries run in executor processes with a hard deadline;
    without it they run in the calling thread with no deadline, for tests and tools.

    ``materialise_union`` (default: exactly when the store is in memory and read-only) copies the
    union of all graphs into ``memory_store``'s default graph, in place, before any executor forks;
    ``quad_count`` keeps reporting the quads as loaded, without those copies. It is refused where a
    write could follow: the copy would go stale.
    """

    def __init__(
        self,
        *,
        memory_store: pyoxigraph.Store | None = None,
        store_path: Path | None = None,
        writable: bool = False,
        isolate: bool = True,
        executors: int = 4,
        materialise_union: bool | None = None,
        snapshots: "SnapshotShelf | None" = None,
        snapshot_retention: float = 90.0,
        query_memory: int | None = None,
        inference: bool = False,
        hermit: bool = False,
    ):
        if (memory_store is None) == (store_path is None):
            raise ValueError("give exactly one of memory_store and store_path")
        if memory_store is not None and writable and isolate:
            # Executors hold the copy of the store they were forked with: they would never see a write.
            raise ValueError("a writable in-memory store can only be queried in-process (isolate=False)")
        if materialise_union is None:
            materialise_union = memory_store is not None and not writable
        if materialise_union and (memory_store is None or writable):
            raise ValueError("the union can only be materialised in a read-only in-memory store (a write would leave it stale)")
        self._loaded_quads: int | None = None
        if materialise_union:
            assert memory_store is not None
            self._loaded_quads = len(memory_store) - inferred_quads(memory_store)
            self._inferred_quads: int | None = inferred_quads(memory_store)
            copy_union_into_default_graph(memory_store)
        else:
            self._inferred_quads = None
        self.union_materialised = bool(materialise_union)
        # The store holds the inferred graph (bricskg.inference), kept up to date by the writer.
        self.inference = inference
        self.hermit = hermit  # ... with HermiT's memberships beyond the rules (bricskg.inference.hermit)
        self._memory_store = memory_store
        self.store_path = Path(store_path) if store_path is not None else None
        self._writable = writable
        self.isolate = isolate
        self.executor_count = max(1, executors)
        self.query_memory = query_memory  # bytes one executor may grow by (None: no limit)
        self._version = SharedVersion()
        self._local = _ProcessLocal()
        self._lock = threading.Lock()
        self._shelf = snapshots
        if self.store_path is not None and self._shelf is None:
            self._shelf = open_shelf(self.store_path, [], retention=snapshot_retention)

    # --- the Backend protocol -------------------------------------------------------------------

    def query(self, request: QueryRequest) -> QueryResult:
        kind, media_type, body = self._run(self.job_for(request), request.timeout, request.received_at)
        return QueryResult(kind, media_type, body)  # type: ignore[arg-type]

    def graph_document(self, graph_iri: str, media_type: str, timeout: float, max_bytes: int) -> bytes | None:
        """One graph ("" = the default graph) serialised in ``media_type``; None if there is no such
        graph. Runs where queries run (an executor: deadline, memory limit), never in a web worker."""
        request = QueryRequest(graph_iri, media_type, timeout=timeout, max_result_bytes=max_bytes)
        job = replace(self.job_for(request), action=GRAPH, has_dataset_clause=False)
        kind, _, body = self._run(job, timeout)
        return None if kind == MISSING else body

    def _run(self, job: Job, timeout: float, received_at: float | None = None) -> tuple[str, str, bytes]:
        if self.isolate:
            return self.executor_pool().run(job, timeout, received_at)
        try:
            return evaluate(self._snapshot(), job)
        except (OSError, RuntimeError, ValueError) as error:
            if is_store_error(error):
                raise store_unavailable(error) from None
            raise QueryRefused(f"The query could not be evaluated: {error}") from None

    def version(self) -> int:
        return self._version.get()

    def quad_count(self) -> int:
        """The quads as loaded or written: neither the materialised union copies nor the inferred
        graph (``inferred_quad_count``) are data of their own."""
        if self._loaded_quads is not None:
            return self._loaded_quads
        known = self._version.quads()
        if known is not None:
            return known
        version = self.version()
        try:
            store = self._snapshot()
            count = len(store) - inferred_quads(store)
        except (OSError, RuntimeError) as error:
            raise store_unavailable(error) from None
        self._version.remember_quads(version, count)
        return count

    def inferred_quad_count(self) -> int:
        """The triples of the inferred graph (0 without inference)."""
        if self._inferred_quads is not None:
            return self._inferred_quads
        try:
            return inferred_quads(self._snapshot())
        except (OSError, RuntimeError) as error:
            raise store_unavailable(error) from None

    @property
    def default_graph_mode(self) -> str:
        """``UNION_MATERIALISED`` (the default graph is the union as a set) or ``UNION_DYNAMIC``."""
        return UNION_MATERIALISED if self.union_materialised else UNION_DYNAMIC

    def named_graphs(self) -> Iterator[str]:
        try:
            graphs = list(self._snapshot().named_graphs())
        except (OSError, RuntimeError) as error:
            raise store_unavailable(error) from None
        for graph in graphs:
            if isinstance(graph, pyoxigraph.NamedNode):
                yield graph.value

    @property
    def writable(self) -> bool:
        return self._writable

    def close(self) -> None:
        local = self._local.get()
        if local.pool is not None:
            local.pool.close()
            local.pool = None
        local.store = None  # RocksDB's lock goes with the last reference to the handle
        if self._shelf is not None:
            self._shelf.remove()  # only in the process that made it (a server's master: at exit)

    # --- for the write path (bricskg.store.writer) ----------------------------------------------------

    @property
    def store(self) -> pyoxigraph.Store:
        """The store this process reads and (if ``writable``) writes; opened lazily per process.

        Writers must call ``notify_write()`` after every committed change.
        """
        if self._memory_store is not None:
            return self._memory_store
        local = self._local.get()
        if local.store is None:
            with self._lock:
                if local.store is None:
                    local.store, local.store_version = self._open_disk_store()
        return local.store

    def _open_disk_store(self) -> tuple[pyoxigraph.Store, int]:
        """Read-write on the live directory for the writer; otherwise read-only on the latest
        checkpoint — never read-only on the live directory (undefined beside a writer)."""
        try:
            if self._writable:
                return pyoxigraph.Store(str(self.store_path)), -1
            assert self._shelf is not None
            sequence = self._shelf.latest()
            return pyoxigraph.Store.read_only(str(self._shelf.path_of(sequence))), sequence
        except (OSError, RuntimeError) as error:
            raise store_unavailable(error) from None

    def notify_write(self, change: int | None = None) -> int:
        """Record a committed write: publish a checkpoint of it for the readers (on disk), then bump
        the shared version (caches key on it). ``change``: quads added minus removed, when the writer
        knows it exactly (the quad count stays known); None makes the next ``quad_count`` count.
        Called under the writer's lock."""
        if not self._writable:
            raise ReadOnly("This store was opened read-only.")
        if self._shelf is not None:
            self.publish_snapshot()
        return self._version.bump(change)

    def publish_snapshot(self) -> bool:
        """Checkpoint the committed state for the executors; False (logged) if that failed: the
        write is durable all the same, readers see the previous state until a publication works
        (the next write, or the next query — ``job_for`` retries)."""
        assert self._shelf is not None
        local = self._local.get()
        try:
            self._shelf.publish(self.store)
        except (OSError, RuntimeError, BackendUnavailable) as error:
            local.publish_pending = True
            log.error("bricskg: could not publish a read snapshot of %s: %s", self.store_path, error)
            return False
        local.publish_pending = False
        return True

    # --- executors ---------------------------------------------------------------------------------

    def start_executors(self, on_supervisor_lost: Callable[[], None] | None = None) -> None:
        """Start this process's executor pool now. Call it while the process is single-threaded
        (gunicorn ``post_fork``); otherwise the pool starts on the first query.

        ``on_supervisor_lost`` runs once if the zygote dies (gunicorn: ask the worker to exit, so
        the master replaces it with a worker that has a fresh zygote)."""
        if self.isolate:
            self.executor_pool(on_supervisor_lost)
        if self._writable and self.store_path is not None:
            # The writer's read-write handle: opened after the fork, never in the master. A failure
            # here must not stop the worker from booting (gunicorn would halt the whole server):
            # it is logged, and the first write tries again (503 while it cannot).
            try:
                self.store
            except BackendUnavailable as error:
                log.error("bricskg: could not open %s for writing: %s", self.store_path, error)

    def executor_pool(self, on_supervisor_lost: Callable[[], None] | None = None) -> "ExecutorPool":
        local = self._local.get()
        if local.pool is None:
            with self._lock:
                if local.pool is None:
                    from bricskg.store.executor import ExecutorPool

                    local.pool = ExecutorPool(
                        self._memory_store if self._memory_store is not None else self.store_path,
                        size=self.executor_count,
                        on_supervisor_lost=on_supervisor_lost,
                        memory_limit=self.query_memory,
                    )
        return local.pool

    def job_for(self, request: QueryRequest, has_dataset_clause: bool | None = None) -> Job:
        dataset: Dataset = request.dataset
        snapshot = None
        if self._shelf is not None:
            if self._writable and self._local.get().publish_pending and self.publish_snapshot():
                self._version.bump(0)  # the data did not change, only its checkpoint
            latest = self._shelf.latest_path()
            if latest is None:
                raise BackendUnavailable("The store has no read snapshot yet; please retry.")
            snapshot = str(latest)
        return Job(
            query=request.query,
            media_type=request.media_type,
            default_graphs=dataset.default_graph_uris,
            named_graphs=dataset.named_graph_uris,
            explicit_dataset=not dataset.is_default,
            has_dataset_clause=has_dataset_clause,
            base_iri=request.base_iri,
            max_result_bytes=request.max_result_bytes,
            version=self.version(),
            union_materialised=self.union_materialised,
            snapshot=snapshot,
            negotiated=request.negotiated,
            asked=request.asked,
        )

    def read_store(self) -> pyoxigraph.Store:
        """The store as this process's readers see it now, for whole-store streams (the dumps) that
        no SPARQL answer could carry: no result-size bound, blank nodes keep their identity."""
        try:
            return self._snapshot()
        except (OSError, RuntimeError) as error:
            raise store_unavailable(error) from None

    def _snapshot(self) -> pyoxigraph.Store:
        """The store to read in this process; a read-only on-disk snapshot is refreshed after writes."""
        if self._memory_store is not None or self._writable:
            return self.store
        local = self._local.get()
        if local.store is not None and self._shelf is not None and local.store_version != self._shelf.latest():
            local.store = None
        return self.store


class _ProcessState:
    def __init__(self) -> None:
        self.pool = None  # type: ignore[var-annotated]
        self.store: pyoxigraph.Store | None = None
        self.store_version = -1  # on disk, read-only: the checkpoint number ``store`` was opened on
        self.publish_pending = False  # the writer's last checkpoint failed: retry before reading


class _ProcessLocal:
    """Per-process state: a fork must not inherit its parent's executor pool or RocksDB handle."""

    def __init__(self) -> None:
        self._pid = os.getpid()
        self._state = _ProcessState()

    def get(self) -> _ProcessState:
        if os.getpid() != self._pid:
            self._pid = os.getpid()
            self._state = _ProcessState()
        return self._state


def open_shelf(store_path: Path, sources: list, *, retention: float, infer: bool = False, hermit: bool = False) -> "SnapshotShelf":
    """This owner's snapshot folder, with a first checkpoint made (after loading ``sources`` into the
    store) in a subprocess: the calling process — the gunicorn master — never opens RocksDB."""
    from bricskg.store.snapshots import SnapshotShelf
    from bricskg.store.startup import prepare_in_subprocess

    shelf = SnapshotShelf(store_path, retention=retention)
    try:
        prepare_in_subprocess(store_path, sources, shelf.path_of(0), infer=infer, hermit=hermit)
        shelf.adopt(0)
    except BaseException:
        shelf.remove()
        raise
    return shelf


if TYPE_CHECKING:  # pragma: no cover
    from bricskg.store.executor import ExecutorPool  # noqa: F401
