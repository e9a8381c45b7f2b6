"""Turning one benchmark run into the printed table, ``latest.json`` and ``latest.md``.

The JSON holds every figure (histograms, per-query answers, commands) for anyone who wants to check
or re-plot; the Markdown is the table the README shows, with the machine, the load on it and the
exact command, so the figures never travel without their context.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Mapping, Sequence

from bricskg.bench.compare import run_key

JSON_NAME = "latest.json"
MARKDOWN_NAME = "latest.md"


def _fmt(value: object, digits: int = 2, suffix: str = "") -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.{digits}f}{suffix}"
    if isinstance(value, int):
        return f"{value:,}{suffix}"
    return f"{value}{suffix}"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def server_rows(comparison: Mapping[str, object]) -> list[list[str]]:
    ratios = comparison.get("ratios", {})
    rows = []
    for run in comparison.get("runs", []):  # type: ignore[union-attr]
        level = str(run["connections"])
        key = f"{run['server']}@{run_key(run)}"
        ratio = ""
        if key in ratios:  # type: ignore[operator]
            parts = [f"{value:g}x {peer[3:]}" for peer, value in ratios[key].items() if value is not None]  # type: ignore[index]
            ratio = ", ".join(parts)
        rows.append(
            [
                level,
                str(run["server"]) + (" under attack" if run.get("attack") else ""),
                _fmt(float(run["throughput_rps"]), 0),
                _fmt(float(run["p50_ms"])),
                _fmt(float(run["p99_ms"])),
                str(run["errors"]),
                str(run["requests"]),
                ratio,
            ]
        )
    return rows


SERVER_HEADER = ("connections", "server", "req/s", "p50 ms", "p99 ms", "errors", "requests", "ratio (throughput)")


def answer_table(comparison: Mapping[str, object]) -> tuple[list[str], list[list[str]]]:
    """query × server: the time of the one-off answer check, with the result size."""
    answers = comparison.get("answers") or {}
    servers: list[str] = []
    for per_server in answers.values():  # type: ignore[union-attr]
        servers += [name for name in per_server if name not in servers]
    rows = []
    for query, per_server in answers.items():  # type: ignore[union-attr]
        cells = [f"`{query}`"]
        for name in servers:
            answer = per_server.get(name)
            if answer is None:
                cells.append("–")
            elif answer.get("timed_out"):
                cells.append(f"> {answer['ms'] / 1000:.0f} s (no answer)")
            elif answer.get("error"):
                cells.append(f"error {answer.get('status')}")
            else:
                cells.append(f"{answer['ms']:,.1f} ({answer['size']})")
        rows.append(cells)
    return ["query", *servers], rows


def _mib(kib: object) -> str:
    return _fmt(int(kib) / 1024, 0) if isinstance(kib, (int, float)) and kib else "–"  # type: ignore[arg-type]


def _seconds(section: object, key: str = "seconds") -> str:
    if not isinstance(section, Mapping):
        return "–"
    if section.get(key) is not None:
        verdict = ""
        if section.get("conforms") is False:
            verdict = f" (does NOT conform: {section.get('violations')} violations)"
        return _fmt(float(section[key]), 3) + verdict
    if section.get("error"):
        return f"({section['error']})"
    return "–"


def scale_rows(scale: Sequence[Mapping[str, object]]) -> list[list[str]]:
    rows = []
    for row in scale:
        load = row.get("load", {}) or {}
        queries = row.get("queries", {}) or {}
        rows.append(
            [
                _fmt(int(row["triples"])),  # type: ignore[arg-type]
                _fmt(load.get("bricskg_seconds"), 3),  # type: ignore[union-attr]
                _fmt(load.get("raw_seconds"), 3),  # type: ignore[union-attr]
                _fmt(load.get("ratio_vs_raw"), 2, "x"),  # type: ignore[union-attr]
                _fmt(load.get("bricskg_disk_mib"), 1),  # type: ignore[union-attr]
                _fmt(queries.get("bricskg_total_ms"), 2),  # type: ignore[union-attr]
                _fmt(queries.get("raw_total_ms"), 2),  # type: ignore[union-attr]
                _seconds(row.get("validation")),
                _seconds(row.get("write")),
                _inference_cell(row.get("inference"), "materialise_seconds"),
                _inference_cell(row.get("inference"), "insert_maintenance_seconds"),
                _mib(row.get("peak_rss_kib")),
            ]
        )
    return rows


SCALE_HEADER = (
    "triples",
    "load s (bricskg)",
    "load s (raw pyoxigraph)",
    "load ratio",
    "disk MiB",
    "query mix ms (bricskg)",
    "query mix ms (raw)",
    "full SHACL s",
    "validated 1k write s",
    "materialise entailments s",
    "maintain after 1k insert s",
    "peak RSS MiB",
)


def _inference_cell(section: object, key: str) -> str:
    """A figure of the inference phase, flagged when the maintained graph differed from a recompute."""
    if not isinstance(section, Mapping):
        return "–"
    if section.get("error"):
        return f"({section['error']})"
    value = section.get(key)
    if not isinstance(value, (int, float)):
        return "–"
    flag = "" if section.get("maintained_equals_recompute", True) else " (maintained ≠ recompute!)"
    return _fmt(float(value), 3) + flag


SEARCH_HEADER = ("triples", "index build s", "documents", "search p50 ms", "search p95 ms")


def search_lines(scale: Sequence[Mapping[str, object]]) -> list[str]:
    """The search table: index build time and latency per size (``bricskg.bench.search_scale``)."""
    rows = []
    notes = []
    for row in scale:
        search = row.get("search") or {}
        if not isinstance(search, Mapping) or not search:
            continue
        if search.get("error"):
            notes.append(f"- {int(row['triples']):,} triples: search: {search['error']}.")  # type: ignore[arg-type]
            continue
        rows.append(
            [
                _fmt(int(row["triples"])),  # type: ignore[arg-type]
                _fmt(search.get("build_seconds"), 3),
                _fmt(search.get("documents")),
                _fmt(search.get("p50_ms"), 2),
                _fmt(search.get("p95_ms"), 2),
            ]
        )
    if not rows and not notes:
        return []
    lines = ["## Search (SQLite FTS5 index over the same stores)", ""]
    if rows:
        lines += _table(SEARCH_HEADER, rows)
        lines.append("")
    return lines + notes + ([""] if notes else [])


def target_rows(targets: Sequence[Mapping[str, object]]) -> list[list[str]]:
    marks = {True: "met", False: "**not met**", None: "not measured"}
    return [[str(t["name"]), str(t["target"]), str(t["measured"]), marks[t["met"]]] for t in targets]  # type: ignore[index]


def render_markdown(results: Mapping[str, object]) -> str:
    """The README section: machine, load on it, command, then the tables."""
    machine = results["machine"]
    lines = [f"# bricskg benchmark — {results['finished']}", ""]
    lines.append(f"Command: `{results['command']}`")
    lines.append("")
    lines.append(
        f"Machine: {machine['cpus']} CPUs ({machine['cpu_model']}), {machine['memory_gib']} GiB RAM, "  # type: ignore[index]
        f"{machine['os']}, {machine['python']}; {machine['oxigraph_cli']}."  # type: ignore[index]
    )
    versions = ", ".join(f"{name} {version}" for name, version in machine["versions"].items())  # type: ignore[index]
    lines.append(f"Versions: {versions}.")
    busy = results.get("busy", {})
    if busy:
        before, after = busy.get("before", {}), busy.get("after", {})  # type: ignore[union-attr]
        lines.append(
            f"Machine load: before the run load average {before.get('loadavg')} with {before.get('cpu_busy_percent')} % "
            f"CPU busy; after it {after.get('loadavg')}. Anything above ~0 % busy before the run means other work "
            "shared the cores and the figures below are lower than on an idle machine."
        )
    lines.append("")
    comparison = results.get("servers")
    if comparison:
        dataset = comparison["dataset"]  # type: ignore[index]
        lines += [
            "## Throughput and latency (same data, same query mix, same keep-alive load client)",
            "",
            f"Dataset: {dataset['quads']:,} quads (what `bricskg serve` loads; the peers get the same N-Quads dump). "
            f"Query mix: {len(comparison['queries'])} competency questions, cycled. Each run: at most "  # type: ignore[index]
            f"{comparison['plan']['max_requests']:,} requests or {comparison['plan']['max_seconds']:g} s, after an "  # type: ignore[index]
            "unmeasured warm-up.",
            "",
        ]
        lines += _table(SERVER_HEADER, server_rows(comparison))  # type: ignore[arg-type]
        lines.append("")
        excluded = comparison.get("excluded_queries", [])  # type: ignore[union-attr]
        if excluded:
            lines.append(
                "Left out of the load mix because some server gave no answer within "
                f"{comparison['plan'].get('answer_timeout', '?')} s: "  # type: ignore[index, union-attr]
                + ", ".join(f"`{name}`" for name in excluded)
                + " (see the single-request table below)."
            )
            lines.append("")
        mismatches = comparison.get("mismatches", [])  # type: ignore[union-attr]
        if mismatches:
            lines.append(f"Answer mismatches against {comparison['answer_reference']} (reported, not hidden):")  # type: ignore[index]
            lines += [f"- `{m['query']}` on {m['server']}: {m['detail']}" for m in mismatches]
        else:
            lines.append(
                f"Every query gave the same answer on every server (checked before the load, against "
                f"{comparison['answer_reference']})."  # type: ignore[index]
            )
        lines.append("")
        header, rows = answer_table(comparison)  # type: ignore[arg-type]
        if rows:
            lines += ["### One cold request per query (ms; result size in brackets)", ""]
            lines += _table(header, rows)
            lines.append("")
    scale = results.get("scale")
    if scale:
        lines += ["## Scale (synthetic graph in the bricskg ontology, plus the article's data)", ""]
        lines += _table(SCALE_HEADER, scale_rows(scale))  # type: ignore[arg-type]
        lines.append("")
        lines.append(
            "Load: bricskg = opening the on-disk store as `bricskg serve --store DIR --data FILE` does; raw = "
            "pyoxigraph `bulk_load` of the same files. Query mix: sum over the competency questions of the median "
            "of 5 warm runs (a query slower than 1 s cold counts its cold time), bricskg through its backend "
            "(executor processes, result cache off) vs raw `Store.query` + JSON serialisation. Full SHACL: "
            "`validate_dataset` over everything. Validated write: one SPARQL `INSERT DATA` through the write path "
            "(delta, SHACL gate on the affected nodes, commit + audit). Load and queries are over the stated triples "
            "(`--no-inference`), like raw pyoxigraph. Entailments: full materialisation of the RDFS + OWL 2 RL "
            "inferred graph in memory, then its incremental maintenance after inserting a 1k-triple batch (checked "
            "against a recompute). Peak RSS: the largest of bricskg's phases, each a fresh process."
        )
        lines.append("")
        for row in scale:  # type: ignore[union-attr]
            skipped = (row.get("queries") or {}).get("skipped") or {}
            for name, reason in skipped.items():
                if name != "validate-full":  # reported with the validation below
                    lines.append(f"- {int(row['triples']):,} triples: `{name}` not run ({reason}).")
            query_error = (row.get("queries") or {}).get("error")
            if query_error:
                lines.append(f"- {int(row['triples']):,} triples: query mix: one engine's query phase ended with {query_error}.")
            for phase in ("validation", "write"):
                section = row.get(phase) or {}
                if section.get("error"):
                    lines.append(f"- {int(row['triples']):,} triples: {phase}: {str(section['error']).rstrip('.')}.")
        lines.append("")
    if scale:
        lines += search_lines(scale)  # type: ignore[arg-type]
    targets = results.get("targets")
    if targets:
        lines += ["## Targets", ""]
        lines += _table(("target", "asked", "measured", "verdict"), target_rows(targets))  # type: ignore[arg-type]
        lines.append("")
    for note in results.get("notes", []):  # type: ignore[union-attr]
        lines.append(f"- {note}")
    return "\n".join(lines).rstrip() + "\n"


def print_tables(results: Mapping[str, object], echo=print) -> None:
    """The same tables for the terminal, in fixed-width columns."""
    sections = []
    if results.get("servers"):
        sections.append((SERVER_HEADER, server_rows(results["servers"])))  # type: ignore[arg-type]
    if results.get("scale"):
        sections.append((SCALE_HEADER, scale_rows(results["scale"])))  # type: ignore[arg-type]
    if results.get("targets"):
        sections.append((("target", "asked", "measured", "verdict"), target_rows(results["targets"])))  # type: ignore[arg-type]
    for header, rows in sections:
        widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows)]
        echo("  ".join(str(cell).ljust(width) for cell, width in zip(header, widths)))
        for row in rows:
            echo("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)))
        echo("")


def write_results(results: Mapping[str, object], out_dir: Path) -> tuple[Path, Path]:
    """Write ``latest.json`` and ``latest.md`` into ``out_dir`` (created if needed)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path, markdown_path = out_dir / JSON_NAME, out_dir / MARKDOWN_NAME
    json_path.write_text(json.dumps(results, indent=2, sort_keys=False, default=str) + "\n", encoding="utf-8")
    markdown_path.write_text(render_markdown(results), encoding="utf-8")
    return json_path, markdown_path
