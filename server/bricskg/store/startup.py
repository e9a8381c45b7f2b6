"""Prepare an on-disk store for serving in a short-lived subprocess: load it, publish its first snapshot.

Why a subprocess: opening RocksDB starts its background thread pools (flushes, compactions), which
live in a process-wide environment and are not torn down when the store is closed. A gunicorn
master that opened the store would fork workers that inherit those pools without their threads:
background work would never run in them, and their exit ended in ``terminate called … No such
process`` + SIGABRT, or a hang until gunicorn's graceful timeout. So the master never opens
RocksDB; this child does the loading and the first checkpoint and exits, and the one writer
worker opens the read-write store after the fork.

The child is ``python -c`` with its arguments pickled on stdin and a JSON verdict on stdout, so no
state of the parent (threads, handles, signal handlers) reaches it.
"""

from __future__ import annotations

import json
import pickle
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bricskg.dataset import SourceFile

CHILD = "from bricskg.store.startup import child_main; child_main()"


@dataclass(frozen=True)
class Preparation:
    """What the child must do: load ``sources`` into ``store_path`` and checkpoint it to ``snapshot``."""

    store_path: Path
    sources: tuple[SourceFile, ...]
    snapshot: Path
    infer: bool = False  # recompute the inferred graph (bricskg.inference) before the first snapshot
    hermit: bool = False  # ... with HermiT's memberships beyond the rules


class PreparationFailed(OSError):
    """The store could not be opened or checkpointed (locked by another server, unreadable, …)."""


LOCK_RETRIES = (0.2, 0.4, 0.8, 1.6)  # seconds; a server killed a moment ago may still hold RocksDB's lock


def prepare_in_subprocess(
    store_path: Path, sources: list[SourceFile], snapshot: Path, *, infer: bool = False, hermit: bool = False
) -> None:
    """Run ``prepare`` in a child process; re-raise its error here (``DataLoadError`` for bad files).

    RocksDB's lock is released when its holder's process is gone, which can lag a moment behind a
    ``kill -9`` of a previous server: a lock error is retried a few times before it is reported."""
    for delay in LOCK_RETRIES:
        try:
            return _prepare_once(store_path, sources, snapshot, infer, hermit)
        except PreparationFailed as error:
            if "lock" not in str(error).lower():
                raise
            time.sleep(delay)
    return _prepare_once(store_path, sources, snapshot, infer, hermit)


def _prepare_once(
    store_path: Path, sources: list[SourceFile], snapshot: Path, infer: bool = False, hermit: bool = False
) -> None:
    from bricskg.store.factory import DataLoadError

    job = Preparation(Path(store_path), tuple(sources), Path(snapshot), infer, hermit)
    completed = subprocess.run(
        [sys.executable, "-c", CHILD], input=pickle.dumps(job), capture_output=True, check=False
    )
    try:
        verdict = json.loads(completed.stdout.decode("utf-8").strip().splitlines()[-1])
    except (ValueError, IndexError):
        detail = " ".join(completed.stderr.decode("utf-8", "replace").split())[-500:]
        raise PreparationFailed(f"preparing the store failed (exit {completed.returncode}): {detail}") from None
    if verdict.get("ok"):
        return
    if verdict.get("kind") == "data":
        raise DataLoadError(verdict["message"])
    raise PreparationFailed(verdict["message"])


def prepare(job: Preparation) -> None:
    """Open the store read-write, load the sources, checkpoint it; the handle dies with this process."""
    import pyoxigraph

    from bricskg.store.factory import load_sources

    store = pyoxigraph.Store(str(job.store_path))
    if job.sources:
        load_sources(store, list(job.sources))
    if job.infer:
        # recomputed at every start: the graph then matches the store's data and schema even if
        # the store was written without inference (serve --no-inference, bricskg load)
        from bricskg.inference import materialise

        materialise(store, hermit=job.hermit)
    else:
        from bricskg.inference import INFERRED

        store.remove_graph(INFERRED)  # a stale inferred graph must not be served as if maintained
    shutil.rmtree(job.snapshot, ignore_errors=True)  # a half-made one from an attempt that failed
    store.backup(str(job.snapshot))


def child_main() -> None:
    from bricskg.store.factory import DataLoadError

    job: Preparation = pickle.loads(sys.stdin.buffer.read())
    try:
        prepare(job)
    except DataLoadError as error:
        verdict = {"ok": False, "kind": "data", "message": str(error)}
    except Exception as error:  # noqa: BLE001 - reported to the parent, which decides
        verdict = {"ok": False, "kind": "store", "message": " ".join(str(error).split())}
    else:
        verdict = {"ok": True}
    sys.stdout.write(json.dumps(verdict) + "\n")
    sys.stdout.flush()
