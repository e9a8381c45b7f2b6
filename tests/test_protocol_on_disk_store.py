"""An on-disk store served with writes: readers see consistent checkpoints, the master never opens RocksDB.

Two bugs these pin:

* Executors used to open ``Store.read_only`` on the live directory next to the writer's read-write
  handle (undefined behaviour in pyoxigraph): after a restart, RocksDB's recovery had deleted
  table files such a handle still named, and the first reads answered 400 "Corruption: …
  000042.sst: No such file". Executors now read checkpoints published by the writer.
* The gunicorn master used to open (and close) the store to load it: RocksDB's background thread
  pools outlive the handle and the forked worker inherited them without their threads, so stopping
  after a write ended in SIGABRT/SIGSEGV or hung until the graceful timeout.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from live_server import ServerFailedToStart, descendants, start_server
from protocol_home import protocol_home

TOKEN = "on-disk-test-token"
WRITE = {"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"}
COUNT = "SELECT (COUNT(*) AS ?n) { GRAPH <http://example.org/g> { ?s ?p ?o } }"
CRASH_MARKS = ("terminate called", "was sent SIGABRT", "was sent SIGSEGV", "was sent SIGKILL", "Traceback")


def _write(server, first: int, count: int) -> None:
    for number in range(first, first + count):
        response = server.post(
            "/sparql",
            data=f"INSERT DATA {{ GRAPH <http://example.org/g> {{ <http://example.org/s{number}> <http://example.org/p> {number} }} }}",
            headers=WRITE,
        )
        assert response.status_code == 200, response.text


def _count(server) -> int:
    response = server.query(COUNT)
    assert response.status_code == 200, response.text  # never 400 "Corruption: … .sst: No such file"
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def _open_files(pid: int) -> list[str]:
    found = []
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            found.append(os.readlink(f"/proc/{pid}/fd/{fd}"))
        except OSError:
            pass
    return found


def _threads(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/task"))


def _serve(store: Path):
    home = protocol_home(store.parent)  # example.org data: no dataset rules
    return start_server("--store", str(store), "--no-bundled", env={"BRICSKG_ADMIN_TOKEN": TOKEN, "BRICSKG_HOME": str(home)})


@pytest.fixture
def linux_proc() -> None:
    if not Path("/proc/self/task").is_dir():
        pytest.skip("needs Linux /proc to look at the server's processes")


def test_a_restarted_writable_server_answers_its_first_reads_with_every_committed_write(tmp_path: Path) -> None:
    store = tmp_path / "store"
    server = _serve(store)
    try:
        _write(server, 0, 12)
        assert _count(server) == 12
    finally:
        server.stop()  # graceful stop
    server = _serve(store)
    try:
        assert _count(server) == 12  # the first read after the restart
        _write(server, 12, 12)
        assert _count(server) == 24
    finally:
        os.killpg(server.process.pid, signal.SIGKILL)  # crash: RocksDB recovers its log at the next start
        server.stop()
    server = _serve(store)
    try:
        assert _count(server) == 24
        _write(server, 24, 1)
        assert _count(server) == 25
    finally:
        server.stop()


def test_executors_read_published_checkpoints_never_the_live_store_directory(tmp_path: Path, linux_proc) -> None:
    store = tmp_path / "store"
    server = _serve(store)
    try:
        _write(server, 0, 3)
        assert _count(server) == 3
        live = str(store) + "/"
        checkpoints = str(store) + ".snapshots/"
        processes = {pid: _open_files(pid) for pid in descendants(server.process.pid)}
        holding_live = [pid for pid, files in processes.items() if any(f.startswith(live) for f in files)]
        reading_checkpoints = [
            pid for pid, files in processes.items() if any(f.startswith(checkpoints) and f.endswith(".sst") for f in files)
        ]
        assert len(holding_live) == 1, processes  # the writer worker alone
        assert reading_checkpoints and holding_live[0] not in reading_checkpoints, processes
        _write(server, 3, 1)
        assert _count(server) == 4  # the executor moved on to the checkpoint of the new write
    finally:
        server.stop()


def test_the_master_never_opens_rocksdb_and_stops_cleanly_after_writes(tmp_path: Path, linux_proc) -> None:
    server = _serve(tmp_path / "store")  # a new store: loaded at startup, the case that opened it in the master
    stopped = False
    try:
        master = server.process.pid
        assert _threads(master) == 1  # RocksDB would have left its background thread pools here
        assert not [f for f in _open_files(master) if f.startswith(str(tmp_path / "store") + "/")]
        _write(server, 0, 3)
        assert _count(server) == 3
        server.process.send_signal(signal.SIGTERM)
        try:
            code = server.process.wait(timeout=60)  # a hang guard, not a timing assertion
        except subprocess.TimeoutExpired:
            pytest.fail(f"the server did not stop after SIGTERM:\n{server.log()}")
        stopped = True
        log = server.log()
        assert code == 0, log
        assert not [mark for mark in CRASH_MARKS if mark in log], log
    finally:
        if not stopped:
            server.stop()
    leftovers = [path for path in (tmp_path / "store.snapshots").iterdir()]
    assert leftovers == []  # a server that stops normally removes its checkpoints


def test_a_failing_read_answers_503_with_retry_after_not_400(tmp_path: Path) -> None:
    """Whatever breaks under the reader is not the client's fault: 503 and a retry hint."""
    store = tmp_path / "store"
    server = _serve(store)
    try:
        _write(server, 0, 1)
        assert _count(server) == 1
        _write(server, 1, 1)  # publishes a checkpoint no executor has opened yet …
        shelf = next(path for path in (tmp_path / "store.snapshots").iterdir() if not path.name.startswith("."))
        newest = max(path for path in shelf.iterdir() if path.name.isdigit())
        for table in newest.glob("*.sst"):  # … and it loses its table files
            table.unlink()
        response = server.query(COUNT)
        assert response.status_code == 503, response.text
        assert response.headers.get("Retry-After")
        assert "retry" in response.text.lower()
        _write(server, 2, 1)  # the next commit publishes a fresh checkpoint: reads recover
        assert _count(server) == 3
    finally:
        server.stop()


def test_startup_refuses_a_store_another_server_holds_for_writing(tmp_path: Path) -> None:
    store = tmp_path / "store"
    server = _serve(store)
    try:
        with pytest.raises(ServerFailedToStart, match="could not open the store"):
            start_server("--store", str(store), "--no-bundled", startup_timeout=60)
        assert _count(server) == 0  # the first server is unharmed
    finally:
        server.stop()


def test_a_malformed_data_file_leaves_a_new_store_unloaded_and_says_which_file(tmp_path: Path) -> None:
    """The load runs in a subprocess now; its error still reaches the user as one line, and a new
    store is not left half loaded (the next start would take it for a loaded one)."""
    bad = tmp_path / "bad.ttl"
    bad.write_text("<http://e/s> <http://e/p> .\n", encoding="utf-8")
    store = tmp_path / "store"
    environment = {key: value for key, value in os.environ.items() if key != "BRICSKG_ADMIN_TOKEN"}
    result = subprocess.run(
        [sys.executable, "-c", "from bricskg.cli import main; main()", "serve", "--port", "0",
         "--store", str(store), "--data", str(bad)],
        capture_output=True, text=True, timeout=120, env=environment,
    )
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(bad) in lines[0] and "line 1" in lines[0], result.stderr
    assert not store.exists()
    assert [path for path in (tmp_path / "store.snapshots").iterdir()] == []
