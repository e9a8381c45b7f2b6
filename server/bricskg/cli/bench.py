"""``bricskg bench``: bricskg side by side with Oxigraph server and rdflib-endpoint, then at scale."""

from __future__ import annotations

import shlex
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from bricskg.cli.errors import UsageProblem

if TYPE_CHECKING:
    from bricskg.bench.suite import SuitePlan

QUICK_SIZES = "10000"
QUICK_CONNECTIONS = "1,8"
QUICK_REQUESTS = 400
QUICK_DURATION = 5.0


def _int_list(option: str, text: str) -> tuple[int, ...]:
    try:
        values = tuple(int(part.replace("_", "")) for part in text.split(",") if part.strip())
    except ValueError:
        raise UsageProblem(f"{option}: expected comma-separated whole numbers, got {text!r}") from None
    if any(value < 1 for value in values):
        raise UsageProblem(f"{option}: every value must be at least 1, got {text!r}")
    return values


def _canonical_command(plan: "SuitePlan", out: Path | None) -> str:
    """The run's settings spelled out as options, so the report's command reproduces it exactly."""
    parts = ["bricskg", "bench"]
    if plan.run_scale:
        parts += ["--sizes", ",".join(str(size) for size in plan.scale.sizes)]
    else:
        parts.append("--skip-scale")
    if plan.run_servers:
        parts += ["--connections", ",".join(str(level) for level in plan.load.connections)]
        parts += ["--requests", str(plan.load.max_requests), "--duration", f"{plan.load.max_seconds:g}"]
        parts += ["--servers", ",".join(plan.servers), "--answer-timeout", f"{plan.load.answer_timeout:g}"]
        if plan.load.distinct:
            parts += ["--mix", "distinct"]
        if plan.load.attack is not None:
            parts += ["--attack", f"{plan.load.attack.slow_queries},{plan.load.attack.slowloris}"]
        if plan.bricskg_workers is not None:
            parts += ["--workers", str(plan.bricskg_workers)]
        if plan.bricskg_threads is not None:
            parts += ["--threads", str(plan.bricskg_threads)]
    else:
        parts.append("--skip-servers")
    if plan.run_scale:
        parts += ["--phase-timeout", f"{plan.scale.phase_timeout:g}"]
        parts += ["--validation-timeout", f"{plan.scale.validation_timeout:g}"]
        parts += ["--write-triples", str(plan.scale.write_triples)]
        if plan.scale.skip_queries:
            parts += ["--skip-queries", ",".join(plan.scale.skip_queries)]
    if out is not None:
        parts += ["--out", str(out)]
    return " ".join(shlex.quote(part) for part in parts)


def _default_out() -> Path:
    from bricskg.paths import project_root

    return project_root() / "bench" / "results"


@click.command(
    help="""Benchmark bricskg against Oxigraph server and rdflib-endpoint.

    Starts `bricskg serve`, `oxigraph serve-read-only` and `rdflib-endpoint serve` on loopback with
    the same dataset, checks that they give the same answers to the competency questions, then
    drives each with the same keep-alive load client at each --connections level (bounded by
    --requests and --duration per run). Then, for each of --sizes, generates a synthetic graph of
    that many triples in the bricskg ontology and measures load time, disk size, query latencies,
    full SHACL validation, a validated 1k-triple write, the materialisation of the entailments and
    their maintenance after a 1k-triple write, and peak memory, against raw pyoxigraph.

    Prints the table and writes latest.json and latest.md into --out.

    `--validation` (the SHACL engines) and `--backend virtuoso` (bricskg in front of an external
    engine, against that engine queried directly) run those benchmarks instead.
    """
)
@click.option("--quick", is_flag=True, help=f"A short run: sizes {QUICK_SIZES}, connections {QUICK_CONNECTIONS}, "
              f"{QUICK_REQUESTS} requests, {QUICK_DURATION:g} s per run (explicit options still win).")
@click.option("--sizes", default=None, help="Comma-separated synthetic graph sizes in triples [10000,100000,1000000].")
@click.option("--connections", default=None, help="Comma-separated concurrency levels [1,8,32].")
@click.option("--requests", "max_requests", type=int, default=None, help="Request bound per measured run [5000].")
@click.option("--duration", type=float, default=None, help="Time bound per measured run, seconds [20].")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for latest.json and latest.md [bench/results].")
@click.option("--servers", default="bricskg,bricskg-nocache,oxigraph,rdflib-endpoint", show_default=True,
              help="Which servers to compare (bricskg-nocache: bricskg serve with its result cache off; "
              "oxigraph-materialised: oxigraph serve-read-only with the union copied into its default graph, "
              "as bricskg serves it in memory).")
@click.option("--mix", type=click.Choice(["repeating", "distinct"]), default="repeating", show_default=True,
              help="repeating: the competency questions over and over (bricskg's cache answers repeats); distinct: "
              "every request a distinct text (a trailing comment), so no cache can help any server.")
@click.option("--attack", default=None, metavar="SLOW,SLOWLORIS",
              help="Also measure every server at each level while SLOW slow queries and SLOWLORIS slowloris "
              "connections run against it (e.g. 64,64); each server is stopped after its attacked runs.")
@click.option("--skip-servers", is_flag=True, help="Only the scale series.")
@click.option("--skip-scale", is_flag=True, help="Only the server comparison.")
@click.option("--workers", type=int, default=None, help="bricskg serve --workers (default: serve's own).")
@click.option("--threads", type=int, default=None, help="bricskg serve --threads (default: serve's own).")
@click.option("--phase-timeout", type=float, default=900.0, show_default=True,
              help="Seconds any one scale phase (load, queries, SHACL, write) may take before it is stopped; with "
              "--backend: the bulk load, and each write's answer.")
@click.option("--validation-timeout", type=float, default=600.0, show_default=True,
              help="Seconds full SHACL validation may take at one size; when it is stopped, larger sizes skip it.")
@click.option("--write-triples", type=int, default=1000, show_default=True,
              help="Size of the validated write measured at each size.")
@click.option("--skip-queries", default="", help="Comma-separated competency questions (file stems) the scale "
              "series does not run, e.g. one known to take minutes at 1M triples on raw pyoxigraph, which has no timeout.")
@click.option("--answer-timeout", type=float, default=30.0, show_default=True,
              help="Seconds each server gets to answer each query once before the load; a query some server "
              "cannot answer in time is left out of the load mix and reported.")
@click.option("--workdir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Keep stores, dumps and server logs here (default: a temporary folder, deleted).")
@click.option("--validation", "validation_only", is_flag=True,
              help="Only the validation benchmark: the compiled SHACL engine and pySHACL side by side at each of "
              "--sizes (full validation, validated 1k-triple and 1-triple writes, p50 of --write-repeats); writes "
              "validation.json and validation.md into --out.")
@click.option("--peer-max-triples", type=int, default=100_000, show_default=True,
              help="With --validation: largest size pySHACL is run at (it takes over 600 s at 1M triples).")
@click.option("--write-repeats", type=int, default=5, show_default=True,
              help="With --validation: validated writes of each kind per engine and size (p50 reported); "
              "with --backend: validated writes through bricskg per size.")
@click.option("--backend", "backend_engine", type=click.Choice(["virtuoso"]), default=None,
              help="Only the external-engine benchmark: at each of --sizes [1000000], bulk-load the synthetic graph "
              "into a throwaway Virtuoso (scripts/virtuoso), run `bricskg serve --backend` over it with its result "
              "cache off, and time every competency question sent to Virtuoso directly and through bricskg (p50, "
              "p95, ratio; answers compared), --write-repeats validated --write-triples writes over HTTP, and the "
              "bulk load; writes backend.json and backend.md into --out.")
@click.option("--repeats", type=int, default=20, show_default=True,
              help="With --backend: sequential requests of each competency question to each server.")
@click.option("--backend-inference", is_flag=True,
              help="With --backend: serve with the inferred graph (materialised into Virtuoso at startup, maintained on "
              "writes) instead of --no-inference.")
def command(
    quick: bool,
    sizes: str | None,
    connections: str | None,
    max_requests: int | None,
    duration: float | None,
    out: Path | None,
    servers: str,
    mix: str,
    attack: str | None,
    skip_servers: bool,
    skip_scale: bool,
    workers: int | None,
    threads: int | None,
    phase_timeout: float,
    validation_timeout: float,
    write_triples: int,
    skip_queries: str,
    answer_timeout: float,
    workdir: Path | None,
    validation_only: bool,
    peer_max_triples: int,
    write_repeats: int,
    backend_engine: str | None,
    repeats: int,
    backend_inference: bool,
) -> None:
    if backend_engine is not None:
        _backend_bench(sizes, quick, out, workdir, phase_timeout, write_triples, write_repeats, repeats,
                       answer_timeout, skip_queries, backend_inference)
        return
    if validation_only:
        _validation_bench(sizes, quick, out, workdir, phase_timeout, write_triples, peer_max_triples, write_repeats)
        return
    from bricskg.bench.attack import AttackPlan
    from bricskg.bench.compare import SERVER_ORDER, LoadPlan
    from bricskg.bench.report import print_tables, write_results
    from bricskg.bench.scale import ScalePlan
    from bricskg.bench.suite import SuitePlan, run_suite

    size_list = _int_list("--sizes", sizes or (QUICK_SIZES if quick else "10000,100000,1000000"))
    levels = _int_list("--connections", connections or (QUICK_CONNECTIONS if quick else "1,8,32"))
    requests = max_requests if max_requests is not None else (QUICK_REQUESTS if quick else 5000)
    seconds = duration if duration is not None else (QUICK_DURATION if quick else 20.0)
    if min(requests, seconds, phase_timeout, validation_timeout, answer_timeout, write_triples) <= 0:
        raise UsageProblem("--requests, --duration, --write-triples and the timeouts must be positive")
    chosen = tuple(name.strip() for name in servers.split(",") if name.strip())
    unknown = [name for name in chosen if name not in SERVER_ORDER]
    if unknown or not chosen:
        raise UsageProblem(f"--servers: unknown {', '.join(unknown) or '(none given)'}; known: {', '.join(SERVER_ORDER)}")
    attack_plan = None
    if attack:
        sizes_of_attack = _int_list("--attack", attack)
        if len(sizes_of_attack) != 2:
            raise UsageProblem(f"--attack: expected SLOW,SLOWLORIS (two numbers), got {attack!r}")
        attack_plan = AttackPlan(slow_queries=sizes_of_attack[0], slowloris=sizes_of_attack[1])
    plan = SuitePlan(
        load=LoadPlan(
            connections=levels,
            max_requests=requests,
            max_seconds=seconds,
            warmup_requests=min(200, max(20, requests // 10)),
            warmup_seconds=min(3.0, seconds),
            answer_timeout=answer_timeout,
            distinct=mix == "distinct",
            attack=attack_plan,
        ),
        scale=ScalePlan(
            sizes=size_list,
            phase_timeout=phase_timeout,
            validation_timeout=validation_timeout,
            write_triples=write_triples,
            skip_queries=tuple(name.strip() for name in skip_queries.split(",") if name.strip()),
        ),
        servers=chosen,
        run_servers=not skip_servers,
        run_scale=not skip_scale,
        bricskg_workers=workers,
        bricskg_threads=threads,
        workdir=workdir,
    )
    invocation = _canonical_command(plan, out)
    # SIGTERM (a CI timeout, kill) must still stop the servers this run started: turn it into
    # SystemExit so every ``finally`` runs.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    results = run_suite(plan, invocation, progress=lambda message: click.echo(message, err=True))
    print_tables(results, echo=click.echo)
    json_path, markdown_path = write_results(results, out or _default_out())
    click.echo(f"wrote {json_path} and {markdown_path}")


def _validation_bench(sizes: str | None, quick: bool, out: Path | None, workdir: Path | None, timeout: float,
                      write_triples: int, peer_max_triples: int, write_repeats: int) -> None:
    """``bricskg bench --validation``: the compiled engine and pySHACL on the same generated data."""
    import json
    import tempfile

    from bricskg.bench.machine import machine_busy, machine_facts
    from bricskg.bench.validation import ValidationPlan, markdown_table, run_validation_bench

    size_list = _int_list("--sizes", sizes or (QUICK_SIZES if quick else "10000,100000,1000000"))
    if min(write_repeats, write_triples, peer_max_triples, timeout) <= 0:
        raise UsageProblem("--write-repeats, --write-triples, --peer-max-triples and --phase-timeout must be positive")
    plan = ValidationPlan(sizes=size_list, peer_max_triples=peer_max_triples, write_triples=write_triples,
                          write_repeats=write_repeats, timeout=timeout)
    invocation = "bricskg bench --validation --sizes " + ",".join(map(str, size_list)) + (
        f" --peer-max-triples {peer_max_triples} --write-repeats {write_repeats} --write-triples {write_triples}")
    with tempfile.TemporaryDirectory(prefix="bricskg-validation-bench-") as scratch:
        folder = workdir or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        rows = run_validation_bench(plan, folder, progress=lambda message: click.echo(message, err=True))
    table = markdown_table(rows)
    click.echo(table)
    target = out or _default_out()
    target.mkdir(parents=True, exist_ok=True)
    machine = {**machine_facts(), **machine_busy()}
    (target / "validation.json").write_text(
        json.dumps({"command": invocation, "machine": machine, "rows": rows}, indent=2) + "\n", encoding="utf-8")
    (target / "validation.md").write_text(
        f"# Validation benchmark\n\nCommand: `{invocation}`\n\nMachine: {json.dumps(machine)}\n\n{table}", encoding="utf-8")
    click.echo(f"wrote {target / 'validation.json'} and {target / 'validation.md'}")


def _backend_bench(sizes: str | None, quick: bool, out: Path | None, workdir: Path | None, phase_timeout: float,
                   write_triples: int, write_repeats: int, repeats: int, answer_timeout: float, skip_queries: str,
                   inference: bool) -> None:
    """``bricskg bench --backend virtuoso``: the same questions on Virtuoso directly and through bricskg."""
    import tempfile
    from datetime import datetime, timezone

    from bricskg.bench.backend import BackendPlan, run_backend_bench
    from bricskg.bench.backend_report import METHOD, print_table, write_results
    from bricskg.bench.machine import machine_busy, machine_facts
    from bricskg.bench.queries import competency_mix
    from bricskg.bench.virtuoso import virtuoso_missing, virtuoso_version

    size_list = _int_list("--sizes", sizes or (QUICK_SIZES if quick else "1000000"))
    if min(repeats, write_repeats, write_triples, phase_timeout, answer_timeout) <= 0:
        raise UsageProblem("--repeats, --write-repeats, --write-triples and the timeouts must be positive")
    missing = virtuoso_missing()
    if missing is not None:
        raise UsageProblem(f"--backend virtuoso: {missing}")
    skipped = tuple(name.strip() for name in skip_queries.split(",") if name.strip())
    plan = BackendPlan(sizes=size_list, repeats=repeats, write_triples=write_triples, write_repeats=write_repeats,
                       answer_timeout=answer_timeout, phase_timeout=phase_timeout, skip_queries=skipped,
                       inference=inference)
    parts = ["bricskg", "bench", "--backend", "virtuoso", "--sizes", ",".join(map(str, size_list)),
             "--repeats", str(repeats), "--write-triples", str(write_triples), "--write-repeats", str(write_repeats),
             "--answer-timeout", f"{answer_timeout:g}", "--phase-timeout", f"{phase_timeout:g}"]
    if skipped:
        parts += ["--skip-queries", ",".join(skipped)]
    if inference:
        parts.append("--backend-inference")
    if out is not None:
        parts += ["--out", str(out)]
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))  # so Virtuoso is stopped
    before = machine_busy()
    with tempfile.TemporaryDirectory(prefix="bricskg-backend-bench-") as scratch:
        folder = workdir or Path(scratch)
        rows = run_backend_bench(competency_mix(), plan, folder, progress=lambda message: click.echo(message, err=True))
    results = {
        "command": " ".join(shlex.quote(part) for part in parts),
        "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": {**machine_facts(), "before": before, "after": machine_busy()},
        "virtuoso_version": virtuoso_version(),
        "method": METHOD.format(repeats=repeats, inference="" if inference else " --no-inference"),
        "rows": rows,
    }
    print_table(results, echo=click.echo)
    json_path, markdown_path = write_results(results, out or _default_out())
    click.echo(f"wrote {json_path} and {markdown_path}")
