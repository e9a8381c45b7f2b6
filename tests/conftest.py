"""Shared fixtures: a live ``bricskg serve`` for the bundled data, and a factory for custom ones.

* ``live_server`` (session): one read-only server over the bundled data, shared by every test that
  only reads. Do not change its data (it has no write access anyway).
* ``live_server_factory`` (function): ``start(*args, env=None)`` starts a server with custom
  arguments (``--data``, ``--store``, ``--query-timeout`` …) and stops it after the test. For a
  server shared by a whole module, use ``live_server.running_server`` in a module-scoped fixture.

See ``tests/live_server.py`` for what the helper guarantees (free port, health wait, clean stop).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable, Iterator, Mapping

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from live_server import LiveServer, start_server  # noqa: E402


@pytest.fixture(scope="session")
def live_server() -> Iterator[LiveServer]:
    server = start_server()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def live_server_factory() -> Iterator[Callable[..., LiveServer]]:
    started: list[LiveServer] = []

    def start(*args: str, env: Mapping[str, str | None] | None = None, startup_timeout: float = 90.0) -> LiveServer:
        server = start_server(*args, env=env, startup_timeout=startup_timeout)
        started.append(server)
        return server

    try:
        yield start
    finally:
        for server in reversed(started):
            server.stop()
