"""One benchmark run from start to finish: the servers side by side, then the scale series.

The CLI (``bricskg bench``) only parses options into a ``SuitePlan`` and prints; everything measured
is gathered here into one results mapping that the report writes as JSON and Markdown.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from bricskg.bench.compare import SERVER_ORDER, LoadPlan, compare_servers
from bricskg.bench.load_client import QuerySpec
from bricskg.bench.machine import machine_busy, machine_facts
from bricskg.bench.queries import competency_mix
from bricskg.bench.scale import ScalePlan, run_scale
from bricskg.bench.targets import scale_checks, search_checks, server_checks

NOISE_NOTE = (
    "The load client is Python and runs on the same cores as the server under test; it costs the "
    "same per request for every server."
)
CACHE_NOTE = (
    "The query mix repeats, so after the warm-up bricskg answers from its result cache (keyed on "
    "query, dataset, format and store version, emptied by any write); Oxigraph server and "
    "rdflib-endpoint re-evaluate every request. The scale table's query column measures bricskg's "
    "evaluation path with the cache off."
)


@dataclass(frozen=True)
class SuitePlan:
    load: LoadPlan = field(default_factory=LoadPlan)
    scale: ScalePlan = field(default_factory=ScalePlan)
    servers: tuple[str, ...] = SERVER_ORDER
    run_servers: bool = True
    run_scale: bool = True
    bricskg_workers: int | None = None
    bricskg_threads: int | None = None
    workdir: Path | None = None  # kept when given; a temporary folder otherwise


def run_suite(
    plan: SuitePlan,
    command: str,
    queries: Sequence[QuerySpec] | None = None,
    progress: Callable[[str], None] = lambda message: None,
) -> dict[str, object]:
    """Measure everything ``plan`` asks for and return the results mapping."""
    mix = list(queries) if queries is not None else competency_mix()
    started = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    busy_before = machine_busy()
    workdir = plan.workdir or Path(tempfile.mkdtemp(prefix="bricskg-bench-"))
    results: dict[str, object] = {
        "schema": "bricskg-bench/1",
        "command": command,
        "started": started,
        "machine": machine_facts(),
        "query_mix": [{"name": spec.name, "accept": spec.accept} for spec in mix],
    }
    try:
        targets = []
        if plan.run_servers:
            comparison = compare_servers(
                workdir / "servers",
                mix,
                plan.load,
                servers=plan.servers,
                bricskg_workers=plan.bricskg_workers,
                bricskg_threads=plan.bricskg_threads,
                progress=progress,
            )
            results["servers"] = comparison
            targets += server_checks(comparison["runs"])  # type: ignore[arg-type]
        if plan.run_scale and plan.scale.sizes:
            scale = run_scale(mix, plan.scale, workdir / "scale", progress)
            results["scale"] = scale
            targets += scale_checks(scale) + search_checks(scale)
        results["targets"] = [check.as_dict() for check in targets]
    finally:
        if plan.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    results["finished"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    results["busy"] = {"before": busy_before, "after": machine_busy()}
    results["notes"] = [NOISE_NOTE, CACHE_NOTE]
    return results
