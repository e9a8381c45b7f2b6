"""How bricskg behaves as the graph grows: load, disk, queries, validation, writes, memory.

For each size N the synthetic generator writes N triples (plus the article's own data, so the
competency questions keep their answers), then every measurement runs in a fresh child process:
one process per phase gives each phase its own peak-memory figure (``ru_maxrss``), keeps a phase
that runs out of time from taking the others with it (it is killed at its deadline and reported as
such), and starts every phase with cold Python caches, as a user's command would.

bricskg's figures are set against raw pyoxigraph doing the same job on the same files: ``bulk_load``
of the same sources into an on-disk store, and the same queries over the union default graph
serialised to SPARQL JSON. The difference is what bricskg's own layers cost.

Run a phase by hand: ``python -m bricskg.bench.scale PHASE '{"json": "arguments"}'``.
"""

from __future__ import annotations

import shutil
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import pyoxigraph

from bricskg.bench import generator
from bricskg.bench.load_client import QuerySpec
from bricskg.bench.phases import child_main, run_child

RESULTS_JSON = "application/sparql-results+json"


@dataclass(frozen=True)
class ScalePlan:
    sizes: tuple[int, ...] = (10_000, 100_000)
    query_repeats: int = 5
    write_triples: int = 1000
    phase_timeout: float = 900.0  # seconds per child process (full SHACL at 1M can exceed it)
    validation_timeout: float = 900.0
    seed: int = 7
    skip_queries: tuple[str, ...] = ()  # competency questions not run at any size (named on the command line)


# ----------------------------------------------------------------------------- phases (child side)


def _disk_bytes(directory: Path) -> int:
    return sum(path.stat().st_size for path in directory.rglob("*") if path.is_file())


def _sources(synthetic: str):
    from bricskg.dataset import bundled_sources, extra_sources

    return bundled_sources() + extra_sources([Path(synthetic)])


def phase_load_raw(args: dict) -> dict:
    """pyoxigraph alone: ``bulk_load`` of the same files into a fresh on-disk store."""
    from bricskg.dataset import load_into_store

    store_dir = Path(args["store"])
    shutil.rmtree(store_dir, ignore_errors=True)
    began = time.perf_counter()
    store = pyoxigraph.Store(str(store_dir))
    load_into_store(store, _sources(args["synthetic"]))
    store.flush()
    seconds = time.perf_counter() - began
    quads = len(store)
    del store
    return {"seconds": seconds, "quads": quads, "disk_bytes": _disk_bytes(store_dir)}


def phase_load_bricskg(args: dict) -> dict:
    """What ``bricskg serve --store DIR --data FILE`` does before it answers: open and fill the store."""
    from bricskg.bench.bricskg_side import open_loaded_backend

    store_dir = Path(args["store"])
    shutil.rmtree(store_dir, ignore_errors=True)
    began = time.perf_counter()
    backend = open_loaded_backend(store_dir, Path(args["synthetic"]))
    seconds = time.perf_counter() - began
    quads = backend.quad_count()
    backend.close()
    return {"seconds": seconds, "quads": quads, "disk_bytes": _disk_bytes(store_dir)}


SLOW_QUERY_SECONDS = 1.0  # a query this slow cold is not repeated (its cold time is its figure)


def _time_queries(run: Callable[[str], int], queries: Sequence[dict], repeats: int) -> dict:
    """Each query once cold, then ``repeats`` times warm (median); slow ones are not repeated."""
    per_query: dict[str, dict[str, float | int | str]] = {}
    for query in queries:
        began = time.perf_counter()
        try:
            size = run(query["text"])
        except Exception as error:  # a timeout or refusal of one query is its result, not the phase's end
            per_query[query["name"]] = {"error": f"{type(error).__name__}: {error}"[:200]}
            continue
        cold = time.perf_counter() - began
        warm = []
        for _ in range(repeats if cold < SLOW_QUERY_SECONDS else 0):
            began = time.perf_counter()
            run(query["text"])
            warm.append(time.perf_counter() - began)
        per_query[query["name"]] = {
            "cold_ms": cold * 1000,
            "median_ms": statistics.median(warm) * 1000 if warm else cold * 1000,
            "result_bytes": size,
        }
    measured = [entry for entry in per_query.values() if "median_ms" in entry]
    total = sum(float(entry["median_ms"]) for entry in measured)
    return {"total_median_ms": total, "measured": len(measured), "per_query": per_query}


def phase_queries_raw(args: dict) -> dict:
    """The mix on raw pyoxigraph (union default graph, JSON results), each query cold then warm."""
    store = pyoxigraph.Store.read_only(args["store"])

    def run(text: str) -> int:
        result = store.query(text, use_default_graph_as_union=True)
        if isinstance(result, pyoxigraph.QueryTriples):
            return len(result.serialize(format=pyoxigraph.RdfFormat.N_TRIPLES))
        return len(result.serialize(format=pyoxigraph.QueryResultsFormat.JSON))

    return _time_queries(run, args["queries"], int(args["repeats"]))


def phase_queries_bricskg(args: dict) -> dict:
    """The mix through bricskg's backend (the path /sparql takes), with its result cache off."""
    from bricskg.bench.bricskg_side import open_query_backend, query_through_backend

    backend = open_query_backend(Path(args["store"]))
    try:
        return _time_queries(lambda text: query_through_backend(backend, text), args["queries"], int(args["repeats"]))
    finally:
        backend.close()


def phase_validate_full(args: dict) -> dict:
    """Full SHACL validation of ontology + article data + the synthetic graph."""
    from bricskg.bench.bricskg_side import validate_everything

    return validate_everything(Path(args["synthetic"]))


def phase_write(args: dict) -> dict:
    """A validated write of a generated batch into a copy of the loaded bricskg store."""
    from bricskg.bench.bricskg_side import validated_write

    source, copy = Path(args["store"]), Path(args["copy"])
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(source, copy)
    batch = generator.write_batch(int(args["triples"]), int(args["seed"]))
    try:
        return {"triples": len(batch), **validated_write(copy, batch)}
    finally:
        shutil.rmtree(copy, ignore_errors=True)


def phase_drop_graph(args: dict) -> dict:
    """A validated DROP GRAPH of an N-triple graph added to a copy of the loaded bricskg store."""
    from bricskg.bench.bricskg_side import validated_drop

    source, copy = Path(args["store"]), Path(args["copy"])
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(source, copy)
    try:
        return validated_drop(copy, int(args["triples"]), int(args["seed"]))
    finally:
        shutil.rmtree(copy, ignore_errors=True)


def phase_inference(args: dict) -> dict:
    """Materialise the entailments of everything, then maintain them across a 1k-triple write."""
    from bricskg.bench.inference import phase

    return phase(args)


def phase_search(args: dict) -> dict:
    from bricskg.bench.search_scale import phase_search as run

    return run(args)


PHASES: dict[str, Callable[[dict], dict]] = {
    "inference": phase_inference,
    "load-raw": phase_load_raw,
    "load-bricskg": phase_load_bricskg,
    "queries-raw": phase_queries_raw,
    "queries-bricskg": phase_queries_bricskg,
    "validate-full": phase_validate_full,
    "write": phase_write,
    "drop-graph": phase_drop_graph,
    "search": phase_search,
}


def main(argv: Sequence[str]) -> int:
    return child_main(PHASES, argv)


# ----------------------------------------------------------------------------- orchestration (parent side)


def run_phase(phase: str, arguments: dict, timeout: float) -> dict:
    """Run one phase in a child process; a timeout or a crash becomes an ``error`` entry."""
    return run_child("bricskg.bench.scale", phase, arguments, timeout)


def _ratio(ours: object, theirs: object) -> float | None:
    if isinstance(ours, (int, float)) and isinstance(theirs, (int, float)) and theirs > 0:
        return round(ours / theirs, 2)
    return None


def _mib(size: object) -> float | None:
    return round(size / 1024 / 1024, 1) if isinstance(size, (int, float)) else None


def measure_size(
    triples: int,
    queries: Sequence[QuerySpec],
    plan: ScalePlan,
    workdir: Path,
    progress: Callable[[str], None],
    skip: dict[str, str] | None = None,
) -> dict[str, object]:
    """Every measurement for one size; the row the report prints.

    ``skip`` names queries not run at this size (with the reason: they were too slow at a smaller
    one), so one pathological query cannot eat the phase's whole time budget.
    """
    skip = skip or {}
    workdir.mkdir(parents=True, exist_ok=True)
    synthetic = workdir / f"synthetic-{triples}.nq"
    began = time.perf_counter()
    written = generator.write_graph(triples, synthetic, seed=plan.seed)
    generate_seconds = time.perf_counter() - began
    progress(f"N={triples:,}: generated {written:,} triples in {generate_seconds:.1f} s")
    raw_store, our_store = workdir / f"raw-{triples}", workdir / f"bricskg-{triples}"
    query_args = [{"name": spec.name, "text": spec.text} for spec in queries if spec.name not in skip]

    raw = run_phase("load-raw", {"store": str(raw_store), "synthetic": str(synthetic)}, plan.phase_timeout)
    ours = run_phase("load-bricskg", {"store": str(our_store), "synthetic": str(synthetic)}, plan.phase_timeout)
    progress(f"N={triples:,}: load raw {raw.get('seconds', raw.get('error'))}, bricskg {ours.get('seconds', ours.get('error'))}")
    raw_queries = run_phase(
        "queries-raw", {"store": str(raw_store), "queries": query_args, "repeats": plan.query_repeats}, plan.phase_timeout
    )
    our_queries = run_phase(
        "queries-bricskg", {"store": str(our_store), "queries": query_args, "repeats": plan.query_repeats}, plan.phase_timeout
    )
    progress(f"N={triples:,}: query mix raw {raw_queries.get('total_median_ms')} ms, bricskg {our_queries.get('total_median_ms')} ms")
    if "validate-full" in skip:
        validation = {"error": f"not run: {skip['validate-full']}"}
    else:
        validation = run_phase("validate-full", {"synthetic": str(synthetic)}, plan.validation_timeout)
    progress(f"N={triples:,}: full SHACL {validation.get('seconds', validation.get('error'))}")
    write = run_phase(
        "write",
        {"store": str(our_store), "copy": str(workdir / f"write-{triples}"), "triples": plan.write_triples, "seed": plan.seed + 1},
        plan.phase_timeout,
    )
    progress(f"N={triples:,}: validated {plan.write_triples}-triple write {write.get('seconds', write.get('error'))}")
    drop = run_phase(
        "drop-graph",
        {"store": str(our_store), "copy": str(workdir / f"drop-{triples}"), "triples": triples, "seed": plan.seed + 2},
        plan.phase_timeout,
    )
    progress(f"N={triples:,}: validated DROP GRAPH of {triples:,} triples {drop.get('seconds', drop.get('error'))}")
    inference = run_phase(
        "inference", {"synthetic": str(synthetic), "triples": plan.write_triples, "seed": plan.seed + 1}, plan.phase_timeout
    )
    progress(
        f"N={triples:,}: materialisation {inference.get('materialise_seconds', inference.get('error'))} s, "
        f"maintenance after a {plan.write_triples}-triple insert {inference.get('insert_maintenance_seconds')} s, "
        f"delete {inference.get('delete_maintenance_seconds')} s"
    )
    search = run_phase("search", {"store": str(our_store)}, plan.phase_timeout)
    progress(f"N={triples:,}: search index built in {search.get('build_seconds', search.get('error'))} s, p50 {search.get('p50_ms')} ms")
    row = {
        "triples": triples,
        "generated_triples": written,
        "generate_seconds": round(generate_seconds, 3),
        "file_bytes": synthetic.stat().st_size,
        "load": {
            "bricskg_seconds": _round(ours.get("seconds")),
            "raw_seconds": _round(raw.get("seconds")),
            "ratio_vs_raw": _ratio(ours.get("seconds"), raw.get("seconds")),
            "quads": ours.get("quads", raw.get("quads")),
            "bricskg_disk_mib": _mib(ours.get("disk_bytes")),
            "raw_disk_mib": _mib(raw.get("disk_bytes")),
            "bricskg_peak_rss_kib": ours.get("peak_rss_kib"),
            "raw_peak_rss_kib": raw.get("peak_rss_kib"),
            "error": ours.get("error") or raw.get("error"),
        },
        "queries": {
            "bricskg_total_ms": _round(our_queries.get("total_median_ms")),
            "raw_total_ms": _round(raw_queries.get("total_median_ms")),
            "ratio_vs_raw": _ratio(our_queries.get("total_median_ms"), raw_queries.get("total_median_ms")),
            "measured_queries": our_queries.get("measured"),
            "skipped": skip,
            "bricskg_per_query": our_queries.get("per_query"),
            "raw_per_query": raw_queries.get("per_query"),
            "error": our_queries.get("error") or raw_queries.get("error"),
        },
        "validation": validation,
        "write": write,
        "drop_graph": drop,
        "inference": inference,
        "search": search,
        "peak_rss_kib": max(
            (int(p["peak_rss_kib"]) for p in (ours, our_queries, validation, write, drop) if p.get("peak_rss_kib")), default=None
        ),
    }
    return row


def _round(value: object, digits: int = 3) -> float | None:
    return round(float(value), digits) if isinstance(value, (int, float)) else None


SKIP_AFTER_SECONDS = 1.0  # a query slower than this (cold, either engine) is not run at larger sizes (10x data)


def too_slow(row: dict[str, object]) -> dict[str, str]:
    """Queries of this row that took longer than SKIP_AFTER_SECONDS on either engine."""
    slow: dict[str, str] = {}
    queries = row.get("queries", {})
    for key in ("raw_per_query", "bricskg_per_query"):
        for name, entry in ((queries or {}).get(key) or {}).items():  # type: ignore[union-attr]
            cold = entry.get("cold_ms")
            if cold is not None and cold > SKIP_AFTER_SECONDS * 1000:
                slow[name] = f"took {cold / 1000:.1f} s at {int(row['triples']):,} triples"  # type: ignore[arg-type]
            elif entry.get("error"):
                slow[name] = f"failed at {int(row['triples']):,} triples: {entry['error']}"  # type: ignore[arg-type]
    return slow


def run_scale(
    queries: Sequence[QuerySpec], plan: ScalePlan, workdir: Path, progress: Callable[[str], None] = lambda m: None
) -> list[dict[str, object]]:
    """One row per size, smallest first; each size's stores are deleted once measured (1M is GiBs)."""
    rows: list[dict[str, object]] = []
    skip: dict[str, str] = {name: "skipped on the command line (--skip-queries)" for name in plan.skip_queries}
    for triples in sorted(plan.sizes):
        size_dir = workdir / f"scale-{triples}"
        try:
            row = measure_size(triples, queries, plan, size_dir, progress, skip)
        finally:
            shutil.rmtree(size_dir, ignore_errors=True)
        rows.append(row)
        skip = {**skip, **too_slow(row)}
        validation = row.get("validation") or {}
        if "seconds" not in validation and "validate-full" not in skip:  # type: ignore[operator]
            skip["validate-full"] = f"full SHACL did not finish at {triples:,} triples ({validation.get('error')})"  # type: ignore[union-attr]
    return rows


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
