"""The side-by-side run: bricskg, Oxigraph server and rdflib-endpoint under the same load.

Order of events, chosen for fairness on a shared 2-core machine:
1. one N-Quads dump of exactly what ``bricskg serve`` loads goes to the two peers;
2. all servers start, and every query is sent once to each: answers must agree (else reported);
   a query some server cannot answer within the answer timeout is left out of the load mix (and
   reported with its time), since loading a server with it would measure the timeout;
3. for each concurrency level, the servers take turns (bricskg, Oxigraph, rdflib-endpoint, then the
   next level), each with an unmeasured warm-up first, so that noise from other work on the machine
   spreads over all servers instead of landing on one;
4. with ``LoadPlan.attack``, each server is then measured once more at each level while an
   ``Attack`` (slow queries + slowloris connections) runs against it, and stopped right after (a
   peer without a query timeout may go on evaluating the slow queries);
5. every server is stopped, whatever happened.

``LoadPlan.distinct`` replaces the repeating mix by distinct texts (``queries.distinct_mix``), so no
cache helps anyone: the engine-and-web-layer comparison.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from bricskg.bench import peers
from bricskg.bench.answers import Answer, common_mix, compare_answers, fetch_answer
from bricskg.bench.attack import Attack, AttackPlan
from bricskg.bench.load_client import QuerySpec, run_load
from bricskg.bench.queries import distinct_mix

SERVER_ORDER: tuple[str, ...] = ("bricskg", "bricskg-nocache", "oxigraph", "oxigraph-materialised", "rdflib-endpoint")
OURS: tuple[str, ...] = ("bricskg", "bricskg-nocache")
PEERS: tuple[str, ...] = ("oxigraph", "oxigraph-materialised", "rdflib-endpoint")


@dataclass(frozen=True)
class LoadPlan:
    """Bounds of every measured run (and of the warm-up before it)."""

    connections: tuple[int, ...] = (1, 8, 32)
    max_requests: int = 5000
    max_seconds: float = 20.0
    warmup_requests: int = 200
    warmup_seconds: float = 3.0
    answer_timeout: float = 30.0  # for the one-off answer check of every query on every server
    distinct: bool = False  # every request a distinct text (no cache can help)
    attack: AttackPlan | None = None  # also measure each server while this attack runs


def _ratio(numerator: float, denominator: float) -> float | None:
    return round(numerator / denominator, 2) if denominator > 0 else None


def throughput_ratios(runs: Sequence[dict[str, object]]) -> dict[str, dict[str, float | None]]:
    """"<ours>@<connections>" -> our throughput divided by each peer's, at the same concurrency."""
    by_level: dict[str, dict[str, float]] = {}
    for run in runs:
        level = run_key(run)
        by_level.setdefault(level, {})[str(run["server"])] = float(run["throughput_rps"])  # type: ignore[arg-type]
    ratios: dict[str, dict[str, float | None]] = {}
    for level, per_server in by_level.items():
        for ours in OURS:
            if ours in per_server:
                ratios[f"{ours}@{level}"] = {
                    f"vs_{peer}": _ratio(per_server[ours], per_server[peer]) for peer in PEERS if peer in per_server
                }
    return ratios


def run_key(run: dict[str, object]) -> str:
    """``"8"`` for a calm run at 8 connections, ``"8+attack"`` for one under attack."""
    return f"{run['connections']}+attack" if run.get("attack") else str(run["connections"])


def _load_mix(mix: Sequence[QuerySpec], plan: LoadPlan, count: int, salt: str) -> list[QuerySpec]:
    return distinct_mix(list(mix), count, salt) if plan.distinct else list(mix)


def _measure(
    name: str, server: peers.RunningServer, mix: Sequence[QuerySpec], plan: LoadPlan, level: int, salt: str
) -> dict[str, object]:
    """One unmeasured warm-up, then the measured run, each with its own texts when distinct."""
    run_load(server.query_url, _load_mix(mix, plan, plan.warmup_requests, f"warm {salt}"), level,
             plan.warmup_requests, plan.warmup_seconds, disjoint=plan.distinct)
    result = run_load(server.query_url, _load_mix(mix, plan, plan.max_requests, salt), level,
                      plan.max_requests, plan.max_seconds, disjoint=plan.distinct)
    return {"server": name, "mix": "distinct texts" if plan.distinct else "repeating", **result.as_dict()}


def _answers_with_restarts(
    started: dict[str, peers.RunningServer],
    starters: dict[str, Callable[[], peers.RunningServer]],
    queries: Sequence[QuerySpec],
    timeout: float,
    progress: Callable[[str], None],
) -> dict[str, dict[str, Answer]]:
    """Every query once on every server; a server that timed out is restarted before going on.

    Neither rdflib-endpoint nor a stuck worker stops evaluating when the client gives up, so a
    timed-out server would answer the next query late or never: it gets a fresh process.
    """
    collected: dict[str, dict[str, Answer]] = {spec.name: {} for spec in queries}
    for name in list(started):
        for spec in queries:
            answer = fetch_answer(started[name].query_url, spec, timeout)
            collected[spec.name][name] = answer
            if answer.timed_out:
                progress(f"{name}: {spec.name} gave no answer within {timeout:g} s; restarting {name}")
                started[name].stop(grace=2)
                started[name] = starters[name]()
    return collected


def compare_servers(
    workdir: Path,
    queries: Sequence[QuerySpec],
    plan: LoadPlan,
    extra_files: Sequence[Path] = (),
    servers: Sequence[str] = SERVER_ORDER,
    bricskg_workers: int | None = None,
    bricskg_threads: int | None = None,
    progress: Callable[[str], None] = lambda message: None,
) -> dict[str, object]:
    """Run the comparison and return everything measured, ready for the report."""
    unknown = set(servers) - set(SERVER_ORDER)
    if unknown:
        raise ValueError(f"unknown servers: {', '.join(sorted(unknown))} (known: {', '.join(SERVER_ORDER)})")
    workdir.mkdir(parents=True, exist_ok=True)
    dump = workdir / "dataset.nq"
    quads = peers.write_dataset_dump(peers.serving_sources(extra_files), dump)
    progress(f"dataset: {quads} quads -> {dump}")
    materialised = workdir / "dataset-materialised-union.nq"
    if "oxigraph-materialised" in servers:
        peers.write_dataset_dump(peers.serving_sources(extra_files), materialised, materialise_union=True)
    starters: dict[str, Callable[[], peers.RunningServer]] = {
        "bricskg": lambda: peers.start_bricskg(workdir, extra_files, bricskg_workers, bricskg_threads),
        "bricskg-nocache": lambda: peers.start_bricskg(
            workdir, extra_files, bricskg_workers, bricskg_threads, cached=False
        ),
        "oxigraph": lambda: peers.start_oxigraph(workdir, dump),
        "oxigraph-materialised": lambda: peers.start_oxigraph(
            workdir, materialised, name="oxigraph-materialised", union_default_graph=False
        ),
        "rdflib-endpoint": lambda: peers.start_rdflib_endpoint(workdir, dump),
    }
    started: dict[str, peers.RunningServer] = {}
    try:
        for name in (name for name in SERVER_ORDER if name in servers):
            progress(f"starting {name}")
            started[name] = starters[name]()
            progress(f"{name} answering at {started[name].query_url} after {started[name].startup_seconds:.2f} s")
        answers = _answers_with_restarts(started, starters, queries, plan.answer_timeout, progress)
        reference = "oxigraph" if "oxigraph" in started else next(iter(started))
        mismatches = compare_answers(answers, reference)
        for mismatch in mismatches:
            progress(f"answer mismatch: {mismatch.query} on {mismatch.server}: {mismatch.detail}")
        mix = common_mix(answers, queries)
        excluded = [spec.name for spec in queries if spec not in mix]
        if excluded:
            progress(f"left out of the load mix (not answered by every server): {', '.join(excluded)}")
        if not mix:
            raise RuntimeError("no query was answered by every server: nothing to load them with")
        runs: list[dict[str, object]] = []
        for level in plan.connections:
            for name in list(started):
                run = _measure(name, started[name], mix, plan, level, f"{name} c{level}")
                runs.append(run)
                _report(progress, run)
        servers_info = {
            name: {
                "query_url": server.query_url,
                "command": server.details.get("command"),
                "startup_seconds": round(server.startup_seconds, 3),
                "load_seconds": round(server.load_seconds, 3),
                "memory_after_kib": server.memory_kib(),
            }
            for name, server in started.items()
        }
        if plan.attack is not None:
            for name in list(started):
                for level in plan.connections:
                    with Attack(started[name].query_url, plan.attack) as attack:
                        attack.stop.wait(3.0)  # let the attack build up before measuring
                        run = _measure(name, started[name], mix, plan, level, f"{name} c{level} attacked")
                    runs.append({**run, "attack": attack.summary()})
                    _report(progress, runs[-1])
                started.pop(name).stop(grace=2)  # a peer may go on evaluating the slow queries
    finally:
        for server in started.values():
            server.stop()
    return {
        "mix": "distinct texts" if plan.distinct else "repeating",
        "attack": plan.attack.label() if plan.attack else None,
        "dataset": {"quads": quads, "extra_files": [str(path) for path in extra_files]},
        "queries": [spec.name for spec in mix],
        "excluded_queries": excluded,
        "plan": {
            "connections": list(plan.connections),
            "max_requests": plan.max_requests,
            "max_seconds": plan.max_seconds,
            "warmup_requests": plan.warmup_requests,
            "answer_timeout": plan.answer_timeout,
        },
        "servers": servers_info,
        "answers": {
            query: {server: answer.as_dict() for server, answer in per_server.items()}
            for query, per_server in answers.items()
        },
        "answer_reference": reference,
        "mismatches": [mismatch.as_dict() for mismatch in mismatches],
        "runs": runs,
        "ratios": throughput_ratios(runs),
    }


def _report(progress: Callable[[str], None], run: dict[str, object]) -> None:
    label = f"{run['server']}{' (attacked)' if run.get('attack') else ''}"
    progress(
        f"{label:28} c={run['connections']:<3} {run['throughput_rps']:9.1f} req/s  p50 {run['p50_ms']:7.2f} ms  "
        f"p99 {run['p99_ms']:7.2f} ms  errors {run['errors']}"
    )
