"""Start ``bricskg serve`` in a subprocess on a free loopback port, for tests that need a real server.

Every test that talks HTTP uses this (directly, or through the fixtures in ``conftest.py``)::

    from live_server import live_server

    with live_server("--data", "extra.ttl", "--query-timeout", "2") as server:
        response = requests.get(f"{server.url}/sparql", params={"query": "ASK {}"})

    # or, with the argument list as one sequence:
    with running_server(["--store", str(tmp_path)], env={"BRICSKG_ADMIN_TOKEN": "secret"}) as server:
        ...

* The server is the production path: the ``bricskg serve`` command, gunicorn, executor processes.
* ``--port 0`` lets the kernel pick a free port; the helper reads the real URL from the startup line
  (no race between choosing a port and binding it), then waits until ``/health`` answers 200.
* The environment is the test process's minus ``BRICSKG_ADMIN_TOKEN`` (servers are read-only unless a
  test passes ``env={"BRICSKG_ADMIN_TOKEN": ...}``); ``env`` entries with value None are removed.
* Defaults keep the machine light: ``--workers 1 --threads 4`` unless the args say otherwise.
* On exit: SIGTERM, a grace period, then SIGKILL of the server's own process group (it runs in its
  own session), so no gunicorn worker, zygote or executor survives a test. The server's output is
  kept in ``server.log_path`` and shown in the error if it fails to start.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Mapping, Sequence

import requests

STARTUP_LINE = re.compile(r"bricskg serving on (http://\S+?)/\s")
DEFAULT_STARTUP_TIMEOUT = 90.0  # seconds; loading the bundled data on a busy 2-core machine


class ServerFailedToStart(RuntimeError):
    pass


@dataclass
class LiveServer:
    """A running ``bricskg serve``: its base URL (no trailing slash), process and log."""

    base_url: str
    process: subprocess.Popen
    log_path: Path
    args: tuple[str, ...] = ()
    session: requests.Session = field(default_factory=requests.Session)

    @property
    def url(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:41234`` (append paths: ``f"{server.url}/sparql"``)."""
        return self.base_url

    def at(self, path: str = "/") -> str:
        """The absolute URL of ``path`` on this server."""
        return self.base_url + (path if path.startswith("/") else "/" + path)

    @property
    def sparql_url(self) -> str:
        return self.at("/sparql")

    @property
    def port(self) -> int:
        return int(self.base_url.rsplit(":", 1)[1])

    def get(self, path: str, **kwargs) -> requests.Response:
        kwargs.setdefault("timeout", 60)
        return self.session.get(self.at(path), **kwargs)

    def post(self, path: str, **kwargs) -> requests.Response:
        kwargs.setdefault("timeout", 60)
        return self.session.post(self.at(path), **kwargs)

    def query(self, sparql: str, accept: str = "application/sparql-results+json", **kwargs) -> requests.Response:
        """POST ``sparql`` as application/sparql-query (no URL length limit)."""
        headers = {"Content-Type": "application/sparql-query", "Accept": accept, **kwargs.pop("headers", {})}
        return self.post("/sparql", data=sparql.encode("utf-8"), headers=headers, **kwargs)

    def is_alive(self) -> bool:
        return self.process.poll() is None

    def log(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    def stop(self, grace: float = 15.0) -> None:
        """SIGTERM (gunicorn's graceful stop), then SIGKILL the whole process group if needed."""
        self.session.close()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                pass
        _kill_group(self.process.pid)
        if self.process.poll() is None:
            self.process.wait(timeout=10)


def _kill_group(pgid: int) -> None:
    """Kill what is left of the server's own process group (workers, zygotes, executors)."""
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _command(args: Sequence[str]) -> list[str]:
    # -c instead of the console script: works whether or not the venv's bin/ is on PATH.
    return [sys.executable, "-c", "from bricskg.cli import main; main()", "serve", *args]


def _with_defaults(args: Sequence[str]) -> list[str]:
    args = list(args)
    defaults = {"--host": "127.0.0.1", "--port": "0", "--workers": "1", "--threads": "4"}
    for option, value in defaults.items():
        if option not in args:
            args += [option, value]
    return args


def _environment(env: Mapping[str, str | None] | None) -> dict[str, str]:
    merged = {key: value for key, value in os.environ.items() if key != "BRICSKG_ADMIN_TOKEN"}
    merged["PYTHONUNBUFFERED"] = "1"
    for key, value in (env or {}).items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


def start_server(
    *args: str,
    env: Mapping[str, str | None] | None = None,
    startup_timeout: float = DEFAULT_STARTUP_TIMEOUT,
    cwd: str | os.PathLike | None = None,
) -> LiveServer:
    """Start a server and return once ``/health`` answers; the caller must ``stop()`` it."""
    full_args = _with_defaults(args)
    log_file = tempfile.NamedTemporaryFile(prefix="bricskg-serve-", suffix=".log", delete=False)
    log_path = Path(log_file.name)
    process = subprocess.Popen(
        _command(full_args),
        stdout=log_file,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        env=_environment(env),
        cwd=cwd,
        start_new_session=True,  # own process group: stop() can kill every descendant
    )
    log_file.close()
    deadline = time.monotonic() + startup_timeout
    base_url = None
    try:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise ServerFailedToStart(
                    f"bricskg serve {' '.join(full_args)} exited with {process.returncode}:\n{_tail(log_path)}"
                )
            if base_url is None:
                match = STARTUP_LINE.search(log_path.read_text(encoding="utf-8", errors="replace"))
                if match:
                    base_url = match.group(1)
            if base_url is not None:
                try:
                    if requests.get(base_url + "/health", timeout=5).status_code == 200:
                        return LiveServer(base_url, process, log_path, tuple(full_args))
                except requests.RequestException:
                    pass
            time.sleep(0.1)
        raise ServerFailedToStart(f"bricskg serve did not become healthy in {startup_timeout:g} s:\n{_tail(log_path)}")
    except BaseException:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        _kill_group(process.pid)
        raise


@contextmanager
def live_server(
    *args: str,
    env: Mapping[str, str | None] | None = None,
    startup_timeout: float = DEFAULT_STARTUP_TIMEOUT,
) -> Iterator[LiveServer]:
    """``with live_server("--data", path) as server:`` — a server for the body of the block."""
    server = start_server(*args, env=env, startup_timeout=startup_timeout)
    try:
        yield server
    finally:
        server.stop()


def _tail(path: Path, lines: int = 60) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:])


@contextmanager
def running_server(
    args: Sequence[str] = (),
    env: Mapping[str, str | None] | None = None,
    startup_timeout: float = DEFAULT_STARTUP_TIMEOUT,
) -> Iterator[LiveServer]:
    """Same as ``live_server`` with the arguments as one list: ``running_server(["--store", path])``."""
    with live_server(*args, env=env, startup_timeout=startup_timeout) as server:
        yield server


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (Linux /proc), for tests that check nothing is left behind."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, stack = [], [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            found.append(child)
            stack.append(child)
    return found
