"""The validation benchmark: the compiled SHACL engine and pySHACL side by side, on the same data.

For each size N the synthetic generator writes N triples (plus the bundled article data); then, in
a fresh child process per measurement (its own peak memory, killed at its deadline), each engine
runs

- full validation: ``validate_dataset`` over the in-memory store, as ``bricskg validate`` does;
- validated writes through the write gate (``Writer.update`` on the in-memory backend, as
  ``POST /sparql`` runs them): ``--write-repeats`` INSERT DATA of a generated 1k-triple article,
  then as many 1-triple writes (an extra ``skos:altLabel`` in an existing claim graph); p50 and max.

The engine is chosen with $BRICSKG_SHACL_ENGINE in the child (the write gate reads it), so both
columns run exactly the code path the server runs. pySHACL is only run up to ``peer_max_triples``
(at 1M triples its full validation takes over 600 s).

Run a phase by hand: ``python -m bricskg.bench.validation PHASE '{"json": "arguments"}'``.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from bricskg.bench import generator
from bricskg.bench.phases import child_main, run_child

ENGINES = ("compiled", "pyshacl")
ALT_LABEL = "http://www.w3.org/2004/02/skos/core#altLabel"


@dataclass(frozen=True)
class ValidationPlan:
    sizes: tuple[int, ...] = (10_000, 100_000, 1_000_000)
    peer_max_triples: int = 100_000
    write_triples: int = 1000
    write_repeats: int = 5
    timeout: float = 900.0
    seed: int = 7


# ----------------------------------------------------------------------------- phases (child side)


def phase_full(args: dict) -> dict:
    from bricskg.dataset import bundled_sources, extra_sources, open_memory_store
    from bricskg.validation import validate_dataset

    store = open_memory_store(bundled_sources() + extra_sources([Path(args["synthetic"])]))
    began, cpu = time.perf_counter(), time.process_time()
    report = validate_dataset(store)
    seconds = time.perf_counter() - began
    # CPU time too: on a shared machine the wall time says more about the neighbours than the engine
    return {"seconds": seconds, "cpu_seconds": time.process_time() - cpu, "quads": len(store), "conforms": report.conforms,
            "violations": len(report.violations), "checks": report.checks.get("shacl", "")}


def phase_writes(args: dict) -> dict:
    """Validated writes into the in-memory backend, one after the other (each commits)."""
    import pyoxigraph as ox

    from bricskg.dataset import bundled_sources, extra_sources, open_memory_store
    from bricskg.store.embedded import EmbeddedBackend
    from bricskg.store.writer import Writer, insert_data, target_for

    store = open_memory_store(bundled_sources() + extra_sources([Path(args["synthetic"])]))
    backend = EmbeddedBackend(memory_store=store, isolate=False, writable=True)
    writer = Writer(target_for(backend))
    repeats, seed = int(args["repeats"]), int(args["seed"])
    big, small, focus = [], [], []
    for i in range(repeats):
        # batches of nearby seeds share article numbers (the same article twice is rightly refused)
        update = insert_data(generator.write_batch(int(args["triples"]), seed + 1000 * i))
        began = time.perf_counter()
        outcome = writer.update(update)
        big.append(time.perf_counter() - began)
        focus.append(outcome.focus_nodes)
    graph, subject = _claim_statement(backend)
    for i in range(repeats):
        quad = ox.Quad(subject, ox.NamedNode(ALT_LABEL), ox.Literal(f"benchmark label {i}", language="en"), graph)
        began = time.perf_counter()
        writer.update(insert_data([quad]))
        small.append(time.perf_counter() - began)
    quads = backend.quad_count()
    backend.close()
    return {"write_p50": statistics.median(big), "write_max": max(big), "one_p50": statistics.median(small),
            "one_max": max(small), "focus_nodes": statistics.median(focus), "quads_after": quads}


def _claim_statement(backend):
    """A claim graph and a labelled subject it states something about (the 1-triple write's target)."""
    import pyoxigraph as ox

    from bricskg.store.base import QueryRequest

    text = ("SELECT ?g ?s WHERE { GRAPH ?g { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l } "
            "FILTER(STRSTARTS(STR(?g), 'https://w3id.org/bricskg/claim/')) } ORDER BY ?g ?s LIMIT 1")
    body = backend.query(QueryRequest(query=text, media_type="application/sparql-results+json")).body
    row = json.loads(body)["results"]["bindings"][0]
    return ox.NamedNode(row["g"]["value"]), ox.NamedNode(row["s"]["value"])


PHASES: dict[str, Callable[[dict], dict]] = {"full": phase_full, "writes": phase_writes}


def main(argv: Sequence[str]) -> int:
    return child_main(PHASES, argv)


# ----------------------------------------------------------------------------- orchestration (parent side)


def run_phase(phase: str, engine: str, arguments: dict, timeout: float) -> dict:
    return run_child("bricskg.bench.validation", phase, arguments, timeout, env={"BRICSKG_SHACL_ENGINE": engine})


def run_validation_bench(plan: ValidationPlan, workdir: Path,
                         progress: Callable[[str], None] = lambda m: None) -> list[dict]:
    rows = []
    for triples in sorted(plan.sizes):
        synthetic = workdir / f"synthetic-{triples}.nq"
        if not synthetic.exists():
            generator.write_graph(triples, synthetic, seed=plan.seed)
        row: dict = {"triples": triples}
        for engine in ENGINES:
            if engine == "pyshacl" and triples > plan.peer_max_triples:
                row[engine] = {"skipped": f"pySHACL capped at {plan.peer_max_triples:,} triples (> 600 s at 1M)"}
                continue
            full = run_phase("full", engine, {"synthetic": str(synthetic)}, plan.timeout)
            progress(f"N={triples:,} {engine}: full {full.get('seconds', full.get('error'))}")
            writes = run_phase("writes", engine, {"synthetic": str(synthetic), "triples": plan.write_triples,
                                                  "repeats": plan.write_repeats, "seed": plan.seed + 1}, plan.timeout)
            progress(f"N={triples:,} {engine}: writes {writes.get('write_p50', writes.get('error'))} / "
                     f"{writes.get('one_p50')}")
            row[engine] = {"full": full, "writes": writes}
        rows.append(row)
    return rows


def _cell(entry: dict, phase: str, key: str, unit: float = 1.0, digits: int = 3) -> str:
    if "skipped" in entry:
        return "not run"
    value = entry.get(phase, {}).get(key)
    if value is None:
        return entry.get(phase, {}).get("error", "–")
    return f"{value * unit:.{digits}f}"


def markdown_table(rows: list[dict]) -> str:
    lines = [
        "| triples | engine | full validation s (CPU s) | 1k-triple write p50 s (max) | 1-triple write p50 ms (max) | peak RSS MiB |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        for engine in ENGINES:
            entry = row.get(engine, {})
            if "skipped" in entry:
                lines.append(f"| {row['triples']:,} | {engine} | {entry['skipped']} | | | |")
                continue
            rss = max((entry.get(p, {}).get("peak_rss_kib") or 0) for p in ("full", "writes")) / 1024
            lines.append(
                f"| {row['triples']:,} | {engine} | {_cell(entry, 'full', 'seconds')} ({_cell(entry, 'full', 'cpu_seconds', 1, 2)}) | "
                f"{_cell(entry, 'writes', 'write_p50')} ({_cell(entry, 'writes', 'write_max')}) | "
                f"{_cell(entry, 'writes', 'one_p50', 1000, 1)} ({_cell(entry, 'writes', 'one_max', 1000, 1)}) | {rss:.0f} |"
            )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
