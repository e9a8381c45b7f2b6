"""Facts about the machine and the software a benchmark ran on, and how busy the machine was.

A throughput figure without its machine is meaningless, and one taken while other work shares the
cores is optimistic for nobody: both are recorded with every run so the reader can judge.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

PACKAGES: tuple[str, ...] = (
    "bricskg",
    "pyoxigraph",
    "oxigraph",
    "rdflib",
    "rdflib-endpoint",
    "uvicorn",
    "fastapi",
    "flask",
    "gunicorn",
    "pyshacl",
)


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_total_gib() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return 0.0


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def _oxigraph_cli_version() -> str:
    tool = Path(sys.executable).parent / "oxigraph"
    try:
        done = subprocess.run([str(tool), "--version"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return "not found"
    return done.stdout.strip() or done.stderr.strip()


def machine_facts() -> dict[str, object]:
    """CPU, memory, OS, Python and the versions of every server and library in the comparison."""
    return {
        "cpus": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "cpu_model": _cpu_model(),
        "memory_gib": _memory_total_gib(),
        "os": f"{platform.system()} {platform.release()}",
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "versions": {package: _version(package) for package in PACKAGES},
        "oxigraph_cli": _oxigraph_cli_version(),
    }


def _cpu_times() -> tuple[int, int]:
    """(busy, total) jiffies over all CPUs since boot."""
    fields = [int(value) for value in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    total = sum(fields[:8])
    return total - idle, total


def machine_busy(sample_seconds: float = 1.0) -> dict[str, object]:
    """Load averages and the share of CPU busy over a short sample taken while we are idle.

    The busy share is what others (other sessions, other test runs) use of the cores just before
    our measurement: a figure near 0 % means the numbers that follow had the machine to themselves.
    """
    load1, load5, load15 = os.getloadavg()
    busy_share = None
    try:
        busy_before, total_before = _cpu_times()
        time.sleep(sample_seconds)
        busy_after, total_after = _cpu_times()
        if total_after > total_before:
            busy_share = round(100.0 * (busy_after - busy_before) / (total_after - total_before), 1)
    except (OSError, IndexError, ValueError):
        pass
    return {
        "loadavg": [round(load1, 2), round(load5, 2), round(load15, 2)],
        "cpu_busy_percent": busy_share,
        "at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
