"""Starting and stopping the three servers of the comparison on loopback, on the same data.

- **bricskg**: ``bricskg serve`` (gunicorn workers over embedded Oxigraph), from this venv; and
  **bricskg-nocache**, the same with its result cache holding nothing (every request evaluated).
- **Oxigraph server**: ``oxigraph load`` into a fresh on-disk store, then ``oxigraph serve-read-only
  --union-default-graph`` (the ``oxigraph`` PyPI package's CLI: the Rust server).
- **rdflib-endpoint**: its own CLI, ``rdflib-endpoint serve FILE`` (FastAPI under uvicorn over an
  rdflib ``Dataset(default_union=True)``), i.e. how its documentation deploys it.

All three get one N-Quads file that holds exactly what ``bricskg serve`` loads, so that the same
query sees the same dataset everywhere (union default graph, the same named graphs). Each server
runs in its own session (process group) so that stopping it also stops its workers, and only it.
"""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Sequence
from urllib.parse import quote

import pyoxigraph

from bricskg.bench.load_client import RESULTS_JSON, Endpoint
from bricskg.dataset import SourceFile, bundled_sources, extra_sources, load_into_store

LOOPBACK = "127.0.0.1"


class PeerFailed(RuntimeError):
    """A server did not start (or died); the message carries the tail of its log."""


def free_port() -> int:
    """A port nobody listens on right now (the server binds it a moment later)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


def venv_tool(name: str) -> str:
    """A console script of the running interpreter's environment, so the venv's versions are used."""
    candidate = Path(sys.executable).parent / name
    if candidate.exists():
        return str(candidate)
    found = shutil.which(name)
    if found is None:
        raise PeerFailed(f"{name}: not installed (pip install -e '.[test]' provides it)")
    return found


def write_dataset_dump(sources: Sequence[SourceFile], target: Path, materialise_union: bool = False) -> int:
    """Write the dataset ``bricskg serve`` would load as one N-Quads file; returns its quad count.

    ``materialise_union``: also copy the union of the named graphs into the default graph, as
    ``bricskg serve`` does in memory (``bricskg.store.embedded``), for an Oxigraph server that
    answers default-graph queries from that graph: the engine's own speed on the same work."""
    store = pyoxigraph.Store()
    load_into_store(store, sources)
    if materialise_union:
        from bricskg.store.embedded import copy_union_into_default_graph

        copy_union_into_default_graph(store)
    target.parent.mkdir(parents=True, exist_ok=True)
    store.dump(str(target), pyoxigraph.RdfFormat.N_QUADS)
    return len(store)


def serving_sources(extra_files: Sequence[Path] = (), bundled: bool = True) -> list[SourceFile]:
    return (bundled_sources() if bundled else []) + extra_sources(extra_files)


def _process_tree(pid: int) -> list[int]:
    """``pid`` and its descendants, from /proc (Linux), for memory accounting of pre-fork servers."""
    tree, pending = [], [pid]
    while pending:
        current = pending.pop()
        tree.append(current)
        try:
            for task in Path(f"/proc/{current}/task").iterdir():
                children = (task / "children").read_text().split()
                pending.extend(int(child) for child in children)
        except OSError:
            continue
    return tree


def _status_kib(pid: int, field_name: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field_name + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


@dataclass
class RunningServer:
    """A started server: its query URL, its process (group) and its log."""

    name: str
    query_url: str
    process: subprocess.Popen
    log_path: Path
    startup_seconds: float = 0.0
    load_seconds: float = 0.0  # separate load step (Oxigraph), else included in startup
    details: dict[str, object] = field(default_factory=dict)

    def memory_kib(self) -> dict[str, int]:
        """Current and peak resident memory summed over the server's processes (workers included)."""
        pids = _process_tree(self.process.pid)
        return {
            "rss_kib": sum(_status_kib(pid, "VmRSS") for pid in pids),
            "peak_rss_kib": sum(_status_kib(pid, "VmHWM") for pid in pids),
            "processes": len(pids),
        }

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self, grace: float = 10.0) -> None:
        """SIGTERM the server's own process group, then SIGKILL it if it lingers."""
        if self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            self.process.wait(grace)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait(5)


def _spawn(command: Sequence[str], log_path: Path, env: dict[str, str] | None = None) -> subprocess.Popen:
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        return subprocess.Popen(
            list(command),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stop() ends it and its workers only
            env=env,
        )


def wait_until_answering(server: RunningServer, timeout: float) -> None:
    """Poll ``ASK {}`` until the server answers 200; fail early if the process dies."""
    endpoint = Endpoint.from_url(server.query_url)
    target = f"{endpoint.path}?query={quote('ASK {}', safe='')}"
    began = time.perf_counter()
    deadline = began + timeout
    while time.perf_counter() < deadline:
        if server.process.poll() is not None:
            raise PeerFailed(f"{server.name} exited with {server.process.returncode}:\n{server.log_tail()}")
        connection = http.client.HTTPConnection(endpoint.host, endpoint.port, timeout=5)
        try:
            connection.request("GET", target, headers={"Accept": RESULTS_JSON})
            response = connection.getresponse()
            response.read()
            if response.status == 200:
                server.startup_seconds = time.perf_counter() - began
                return
        except (OSError, http.client.HTTPException):
            pass
        finally:
            connection.close()
        time.sleep(0.1)
    server.stop()
    raise PeerFailed(f"{server.name} did not answer within {timeout:.0f} s:\n{server.log_tail()}")


def start_bricskg(
    workdir: Path,
    extra_files: Sequence[Path] = (),
    workers: int | None = None,
    threads: int | None = None,
    store_path: Path | None = None,
    extra_args: Sequence[str] = (),
    timeout: float = 180.0,
    cached: bool = True,
    environment: Mapping[str, str] | None = None,
    inference: bool = False,
) -> RunningServer:
    """``bricskg serve`` on a free loopback port, with the bundled data plus ``extra_files``.

    ``cached=False`` runs the same command with the result cache holding nothing
    (``bricskg.bench.uncached_serve``), so every request is evaluated, as the peers do.
    ``environment`` is added to the server's (e.g. an admin token, for a benchmark that writes).
    """
    port = free_port()
    launcher = [venv_tool("bricskg")] if cached else [sys.executable, "-m", "bricskg.bench.uncached_serve"]
    # --no-inference: the peers serve the stated triples only, so bricskg must too for the answers
    # (checked to be equal) and the work per query to be the same; ``inference=True`` serves with the
    # inferred graph (an external engine gets it materialised into it, so it answers the same)
    command = launcher + ["serve", "--host", LOOPBACK, "--port", str(port)] + ([] if inference else ["--no-inference"])
    if workers is not None:
        command += ["--workers", str(workers)]
    if threads is not None:
        command += ["--threads", str(threads)]
    if store_path is not None:
        command += ["--store", str(store_path)]
    for path in extra_files:
        command += ["--data", str(path)]
    command += list(extra_args)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("BRICSKG_ADMIN_TOKEN", None)  # read-only, like the two peers, unless the caller says otherwise
    env.update(environment or {})
    name = "bricskg" if cached else "bricskg-nocache"
    log_path = workdir / f"{name}.log"
    server = RunningServer(name, f"http://{LOOPBACK}:{port}/sparql", _spawn(command, log_path, env), log_path)
    server.details["command"] = " ".join(command)
    wait_until_answering(server, timeout)
    return server


def start_oxigraph(
    workdir: Path, dump: Path, timeout: float = 120.0, name: str = "oxigraph", union_default_graph: bool = True
) -> RunningServer:
    """Load ``dump`` into a fresh Oxigraph store with the Rust CLI, then serve it read-only.

    ``union_default_graph=False`` (for a dump whose default graph holds the materialised union)
    serves the default graph as stored, without the per-query union."""
    location = workdir / f"{name}-store"
    shutil.rmtree(location, ignore_errors=True)
    workdir.mkdir(parents=True, exist_ok=True)
    oxigraph = venv_tool("oxigraph")
    began = time.perf_counter()
    loaded = subprocess.run(
        [oxigraph, "load", "--location", str(location), "--file", str(dump)],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=3600,
    )
    load_seconds = time.perf_counter() - began
    if loaded.returncode != 0:
        raise PeerFailed(f"oxigraph load failed: {loaded.stderr.strip()[-500:]}")
    port = free_port()
    command = [
        oxigraph,
        "serve-read-only",
        "--location",
        str(location),
        "--bind",
        f"{LOOPBACK}:{port}",
    ] + (["--union-default-graph"] if union_default_graph else [])
    log_path = workdir / f"{name}.log"
    server = RunningServer(name, f"http://{LOOPBACK}:{port}/query", _spawn(command, log_path), log_path)
    server.load_seconds = load_seconds
    server.details["command"] = " ".join(command)
    wait_until_answering(server, timeout)
    return server


def start_rdflib_endpoint(workdir: Path, dump: Path, timeout: float = 600.0) -> RunningServer:
    """rdflib-endpoint's own CLI on ``dump`` (it parses the file into memory before listening)."""
    port = free_port()
    command = [venv_tool("rdflib-endpoint"), "serve", str(dump), "--host", LOOPBACK, "--port", str(port)]
    log_path = workdir / "rdflib-endpoint.log"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    server = RunningServer("rdflib-endpoint", f"http://{LOOPBACK}:{port}/", _spawn(command, log_path, env), log_path)
    server.details["command"] = " ".join(command)
    wait_until_answering(server, timeout)
    return server
