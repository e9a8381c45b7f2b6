"""Read snapshots of an on-disk store: executors read RocksDB checkpoints, never the live directory.

Why: pyoxigraph documents ``Store.read_only(path)`` beside a read-write handle on the same
directory as undefined behaviour, and it is: after a crash recovery, or a background compaction,
a read-only handle on the live directory can name table files the writer has already deleted
(reads answered "Corruption: … 000042.sst: No such file"). A checkpoint (``Store.backup``: hard
links to RocksDB's immutable table files plus a manifest of its own) is a consistent copy that
nobody writes and nobody compacts, so a read-only handle on it stays valid for as long as the
directory exists.

Layout, next to the store (never inside it: that directory belongs to RocksDB)::

    <store>.snapshots/
        <owner>/             one folder per running server (or tool) that opened the store
            owner.lock       flock-ed by the owner for its whole life (inherited by its forks)
            0000000000/      the checkpoint published at startup
            0000000001/      … after the first commit, and so on

* The **writer** publishes a checkpoint after every commit, under its write lock, and only then
  bumps the store version; the number of the latest one lives in shared memory (created before
  gunicorn forks), so every worker hands it to its executors with each job.
* **Startup** publishes one before serving, from a short-lived subprocess, so that the gunicorn
  master never opens RocksDB (its background threads would not survive the fork).
* **Deletion**: a job names the checkpoint it must read, and a job lives at most one query
  timeout. A checkpoint is removed once a newer one has existed for longer than the retention
  (query timeout plus a margin) — and the newest ``KEEP`` are always kept. A folder whose owner is
  gone (its lock is free: it exited, or was killed) is removed by the next owner that starts; an
  owner that exits normally removes its own.

Cost: a checkpoint flushes the memtable and hard-links the table files: tens of milliseconds per
write, whatever the size of the store (figures in docs/writes.md).
"""

from __future__ import annotations

import atexit
import fcntl
import multiprocessing
import os
import shutil
import threading
import time
from pathlib import Path

import pyoxigraph

OWNER_LOCK = "owner.lock"
KEEP = 2  # newest checkpoints never deleted, whatever their age
RETENTION_MARGIN = 60.0  # seconds added to the query timeout before an old checkpoint may go
ABANDONED_AFTER = 60.0  # seconds before a folder still under its starting name counts as abandoned
PARTIAL = ".partial"


def snapshots_root(store_path: Path) -> Path:
    """``/srv/store`` → ``/srv/store.snapshots`` (same file system: checkpoints are hard links)."""
    store_path = Path(store_path)
    return store_path.with_name(store_path.name + ".snapshots")


def _name(sequence: int) -> str:
    return f"{sequence:010d}"


class SnapshotShelf:
    """The checkpoints of one owner (a server, shared by its forks through ``multiprocessing``).

    ``latest()`` is the sequence number of the newest published checkpoint (-1: none yet) and
    ``path_of(n)`` its directory; ``publish(store)`` adds one from a read-write handle.
    """

    def __init__(self, store_path: Path, *, retention: float):
        self.store_path = Path(store_path)
        self.root = snapshots_root(self.store_path)
        self.root.mkdir(parents=True, exist_ok=True)
        reclaim_abandoned(self.root)
        # Made under a hidden name and renamed once its lock is held, so that a reclaimer never
        # mistakes a folder whose owner is still starting for an abandoned one.
        name = f"{os.getpid()}-{os.urandom(4).hex()}"
        starting = self.root / f".{name}{PARTIAL}"
        starting.mkdir()
        self._lock_fd = os.open(starting / OWNER_LOCK, os.O_CREAT | os.O_RDWR, 0o644)
        fcntl.flock(self._lock_fd, fcntl.LOCK_EX)
        self.directory = self.root / name
        os.rename(starting, self.directory)
        self._owner = os.getpid()
        self.retention = retention
        self._latest = multiprocessing.Value("q", -1, lock=True)
        self._publishing = threading.Lock()
        atexit.register(self.remove)

    def latest(self) -> int:
        return int(self._latest.value)

    def path_of(self, sequence: int) -> Path:
        return self.directory / _name(sequence)

    def latest_path(self) -> Path | None:
        sequence = self.latest()
        return self.path_of(sequence) if sequence >= 0 else None

    def publish(self, store: pyoxigraph.Store) -> int:
        """Checkpoint ``store`` (a read-write handle) as the next snapshot; returns its number.

        The checkpoint is made under a temporary name and renamed, so a reader never finds a
        half-made one."""
        with self._publishing:
            return self._publish(store)

    def _publish(self, store: pyoxigraph.Store) -> int:
        sequence = self.latest() + 1
        partial = self.directory / (_name(sequence) + PARTIAL)
        shutil.rmtree(partial, ignore_errors=True)
        store.backup(str(partial))
        final = self.path_of(sequence)
        os.rename(partial, final)
        os.utime(final)  # its mtime is when it superseded the previous one (see ``prune``)
        self._latest.value = sequence
        self.prune()
        return sequence

    def adopt(self, sequence: int) -> None:
        """Record a checkpoint another process (the startup subprocess) published into this folder."""
        if not self.path_of(sequence).is_dir():
            raise OSError(f"the startup snapshot {self.path_of(sequence)} is missing")
        self._latest.value = sequence

    def prune(self, now: float | None = None) -> list[Path]:
        """Delete checkpoints no job can still name: superseded for longer than the retention."""
        now = time.time() if now is None else now
        published = sorted(
            (int(entry.name), entry) for entry in self.directory.iterdir() if entry.is_dir() and entry.name.isdigit()
        )
        removed = []
        for (sequence, entry), (_, successor) in zip(published[:-KEEP], published[1:]):
            try:
                superseded_for = now - successor.stat().st_mtime
            except FileNotFoundError:
                continue
            if superseded_for > self.retention:
                shutil.rmtree(entry, ignore_errors=True)
                removed.append(entry)
        return removed

    def remove(self) -> None:
        """Drop this owner's folder (at exit of the process that created it, not of its forks)."""
        if os.getpid() != self._owner or self._lock_fd < 0:
            return
        shutil.rmtree(self.directory, ignore_errors=True)
        fd, self._lock_fd = self._lock_fd, -1
        try:
            os.close(fd)
        except OSError:
            pass


def reclaim_abandoned(root: Path, now: float | None = None) -> list[Path]:
    """Remove the folders of owners that are gone: their lock is free (the kernel releases a flock
    when its last holder dies, ``kill -9`` included). A folder still under its hidden starting
    name is only removed when it is old (its owner died while starting)."""
    now = time.time() if now is None else now
    removed = []
    for entry in root.iterdir():
        if not entry.is_dir():
            continue
        try:
            if entry.name.startswith("."):
                if now - entry.stat().st_mtime > ABANDONED_AFTER:
                    shutil.rmtree(entry, ignore_errors=True)
                    removed.append(entry)
                continue
            fd = os.open(entry / OWNER_LOCK, os.O_RDWR)
        except FileNotFoundError:
            shutil.rmtree(entry, ignore_errors=True)  # not an owner folder of ours, or half removed
            removed.append(entry)
            continue
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            continue  # held: its owner is alive
        shutil.rmtree(entry, ignore_errors=True)
        os.close(fd)
        removed.append(entry)
    return removed
