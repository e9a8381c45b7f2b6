"""Read snapshots of an on-disk store (``bricskg.store.snapshots``) and how store failures are classified."""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from bricskg.store.base import BackendUnavailable, QueryRefused, QueryRequest
from bricskg.store.embedded import EmbeddedBackend, is_store_error
from bricskg.store.snapshots import KEEP, OWNER_LOCK, SnapshotShelf, reclaim_abandoned, snapshots_root

JSON = "application/sparql-results+json"
EX = "http://example.org/"


def _quad(number: int) -> ox.Quad:
    return ox.Quad(ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p"), ox.Literal(str(number)), ox.NamedNode(EX + "g"))


def _count(backend) -> int:
    import json

    body = backend.query(QueryRequest("SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }", JSON)).body
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


def test_each_publication_is_a_complete_checkpoint_and_old_ones_go_after_the_retention(tmp_path: Path) -> None:
    store = ox.Store(str(tmp_path / "store"))
    shelf = SnapshotShelf(tmp_path / "store", retention=30.0)
    try:
        for number in range(5):
            store.add(_quad(number))
            assert shelf.publish(store) == number
            assert len(ox.Store.read_only(str(shelf.latest_path()))) == number + 1
        published = sorted(path.name for path in shelf.directory.iterdir() if path.name.isdigit())
        assert len(published) == 5  # all superseded less than the retention ago: a job may still name them
        removed = shelf.prune(now=time.time() + 31.0)
        kept = sorted(path.name for path in shelf.directory.iterdir() if path.name.isdigit())
        assert len(kept) == KEEP and kept[-1] == published[-1]
        assert len(removed) == 5 - KEEP
    finally:
        shelf.remove()
        del store
    assert not shelf.directory.exists()


def test_a_dead_owners_checkpoints_are_reclaimed_and_a_live_owners_are_kept(tmp_path: Path) -> None:
    root = snapshots_root(tmp_path / "store")
    root.mkdir()
    dead = root / "111-dead"
    dead.mkdir()
    (dead / OWNER_LOCK).touch()
    (dead / "0000000000").mkdir()
    alive = root / "222-alive"
    alive.mkdir()
    holder = os.open(alive / OWNER_LOCK, os.O_CREAT | os.O_RDWR)
    fcntl.flock(holder, fcntl.LOCK_EX)
    starting = root / ".333-starting.partial"  # an owner between mkdir and taking its lock
    starting.mkdir()
    try:
        removed = reclaim_abandoned(root)
        assert removed == [dead]
        assert alive.exists() and starting.exists()
    finally:
        os.close(holder)


def test_an_on_disk_backend_serves_reads_from_its_latest_checkpoint(tmp_path: Path) -> None:
    backend = EmbeddedBackend(store_path=tmp_path / "store", writable=True, isolate=False)
    try:
        backend.store.add(_quad(1))
        reader = EmbeddedBackend(store_path=tmp_path / "store", isolate=False, snapshots=backend._shelf)
        assert _count(reader) == 0  # not announced: readers stay on the published state
        backend.notify_write()
        assert _count(reader) == 1
    finally:
        backend.close()


def test_a_missing_checkpoint_file_is_a_503_for_the_reader_not_a_query_error(tmp_path: Path) -> None:
    writer = EmbeddedBackend(store_path=tmp_path / "store", writable=True, isolate=False)
    writer.store.add(_quad(1))
    writer.notify_write()
    for table in writer._shelf.latest_path().glob("*.sst"):
        table.unlink()
    reader = EmbeddedBackend(store_path=tmp_path / "store", isolate=False, snapshots=writer._shelf)
    with pytest.raises(BackendUnavailable, match="retry"):
        _count(reader)


@pytest.mark.parametrize(
    "error, is_store",
    [
        (RuntimeError("Corruption: IO error: No such file or directory: While open a file for random read: /s/000042.sst"), True),
        (OSError("IO error: No space left on device"), True),
        (RuntimeError("The custom function <http://example.org/f> is not supported"), False),
        (RuntimeError("The custom function <http://example.org/rocksdb/corruption.sst> is not supported"), False),
        (ValueError("not a valid IRI"), False),
    ],
)
def test_storage_failures_are_told_apart_from_queries_the_engine_refuses(error: Exception, is_store: bool) -> None:
    assert is_store_error(error) is is_store


def test_a_query_the_engine_refuses_stays_a_400_in_process() -> None:
    store = ox.Store()
    backend = EmbeddedBackend(memory_store=store, isolate=False)
    with pytest.raises(QueryRefused, match="custom function"):
        backend.query(QueryRequest(f"SELECT * {{ ?s ?p ?o FILTER(<{EX}f>(?o)) }}", JSON))


def test_a_failed_publication_keeps_the_write_and_the_next_query_publishes_it(tmp_path: Path, monkeypatch) -> None:
    backend = EmbeddedBackend(store_path=tmp_path / "store", writable=True, isolate=False)
    shelf = backend._shelf
    try:
        backend.store.add(_quad(1))
        real_publish = shelf.publish
        monkeypatch.setattr(shelf, "publish", lambda store: (_ for _ in ()).throw(OSError("IO error: No space left on device")))
        backend.notify_write()  # the commit stands; the failure is logged, not raised
        assert shelf.latest() == 0
        monkeypatch.setattr(shelf, "publish", real_publish)
        _count(backend)
        assert shelf.latest() == 1
        assert len(ox.Store.read_only(str(shelf.latest_path()))) == 1
    finally:
        backend.close()
