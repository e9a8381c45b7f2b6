"""A throwaway Virtuoso 7 for the backend benchmark, driven through ``scripts/virtuoso``.

The script is the one way the project starts, bulk-loads and stops Virtuoso (tests, benchmarks and
operators alike), so this module only runs it and reads the settings it writes to ``DIR/env``. A
started instance is always stopped by ``running_virtuoso`` (also on errors and interrupts), since a
forgotten ``virtuoso-t`` keeps its GiB of buffers and its ports.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from bricskg.paths import project_root


class VirtuosoUnavailable(RuntimeError):
    """``virtuoso-t`` is not installed, or the script could not start or load it."""


def virtuoso_missing() -> str | None:
    """Why the backend benchmark cannot run here, or None when it can."""
    if shutil.which("virtuoso-t") is None or shutil.which("isql-vt") is None:
        return "virtuoso-t / isql-vt not found (Debian's virtuoso-opensource; scripts/install-system-deps)"
    if not _script().exists():
        return f"{_script()} is missing"
    return None


def _script() -> Path:
    return project_root() / "scripts" / "virtuoso"


def _run(action: str, directory: Path, *args: str, timeout: float) -> str:
    done = subprocess.run(
        [str(_script()), action, str(directory), *args],
        capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL,
    )
    if done.returncode != 0:
        raise VirtuosoUnavailable(f"scripts/virtuoso {action} failed: {done.stderr.strip()[-500:]}")
    return done.stdout


@dataclass(frozen=True)
class Virtuoso:
    """A running instance: its folder and the settings ``scripts/virtuoso start`` printed."""

    directory: Path
    settings: dict[str, str]

    @property
    def query_url(self) -> str:
        return self.settings["VIRTUOSO_QUERY_URL"]

    @property
    def update_url(self) -> str:
        return self.settings["VIRTUOSO_UPDATE_URL"]

    @property
    def user(self) -> str:
        return self.settings["VIRTUOSO_USER"]

    @property
    def password(self) -> str:
        return self.settings["VIRTUOSO_PASSWORD"]

    def bulk_load(self, nquads: Path, timeout: float) -> float:
        """``scripts/virtuoso load`` of one N-Quads file (each quad into its graph); wall seconds,
        the checkpoint that makes the load durable included."""
        began = time.perf_counter()
        _run("load", self.directory, str(nquads), timeout=timeout)
        return time.perf_counter() - began


def _read_settings(text: str) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in text.splitlines() if "=" in line and not line.startswith("#"))
    return {key.strip(): value.strip() for key, value in pairs}


@contextmanager
def running_virtuoso(directory: Path, timeout: float = 300.0) -> Iterator[Virtuoso]:
    """Start a fresh Virtuoso in ``directory``; it is stopped when the block ends, however it ends."""
    reason = virtuoso_missing()
    if reason is not None:
        raise VirtuosoUnavailable(reason)
    directory.mkdir(parents=True, exist_ok=True)
    try:
        _run("start", directory, timeout=timeout)
        yield Virtuoso(directory, _read_settings((directory / "env").read_text(encoding="utf-8")))
    finally:
        # never raises: an error from the block (or the start) is the one worth reporting
        subprocess.run([str(_script()), "stop", str(directory)], capture_output=True, timeout=60.0, stdin=subprocess.DEVNULL)


def virtuoso_version() -> str:
    """``virtuoso-t``'s own version line, for the report (the benchmark's figures are for that build)."""
    try:
        done = subprocess.run(["virtuoso-t", "-?"], capture_output=True, text=True, timeout=10, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        return "Virtuoso (version unknown)"
    lines = (done.stdout + done.stderr).splitlines()
    return " ".join(line.strip() for line in lines[:2]) or "Virtuoso (version unknown)"
