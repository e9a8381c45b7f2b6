"""Benchmark phases run one per child process, for the scale series and the validation bench.

A fresh process per phase gives each its own peak-memory figure (``ru_maxrss``), cold caches as a
user's command would have, and a deadline: a phase that runs out of time is killed and reported as
such, without taking the other phases with it. The child prints one JSON line; the parent reads it.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from typing import Callable, Mapping, Sequence


def child_main(phases: Mapping[str, Callable[[dict], dict]], argv: Sequence[str]) -> int:
    """Child-process entry: run one phase, print its JSON (with peak memory) on the last line."""
    phase, arguments = argv[0], json.loads(argv[1])
    try:
        result = phases[phase](arguments)
    except Exception as error:  # reported in the table as this phase's outcome, not a crash of the run
        result = {"error": f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"[:300]}
    result["peak_rss_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps(result))
    return 0


def run_child(module: str, phase: str, arguments: dict, timeout: float, env: Mapping[str, str] | None = None) -> dict:
    """Run ``python -m module phase arguments``; a timeout or a crash becomes an ``error`` entry."""
    command = [sys.executable, "-m", module, phase, json.dumps(arguments)]
    environment = {**os.environ, **env} if env else None
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL, env=environment
        )
    except subprocess.TimeoutExpired:
        return {"error": f"stopped after {timeout:.0f} s"}
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        tail = done.stderr.strip().splitlines()[-1:] or [f"exit {done.returncode}"]
        return {"error": tail[0][:300]}
    return json.loads(lines[-1])
