"""The backend benchmark's tables: per competency question, Virtuoso directly vs through bricskg.

Written as ``backend.json`` (every figure, for re-plotting) and ``backend.md`` (the table the README
and docs/deploy.md quote, with the machine and the exact command), like the other benchmarks.
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path
from typing import Mapping

from bricskg.bench.backend import RATIO_GOAL, WRITE_GOAL_SECONDS

JSON_NAME = "backend.json"
MARKDOWN_NAME = "backend.md"
QUERY_HEADER = ("competency question", "rows", "Virtuoso p50 ms", "Virtuoso p95 ms", "bricskg p50 ms",
                "bricskg p95 ms", "ratio p50", "ratio p95", "overhead p50 ms", "same answer")


def _ms(section: object, key: str) -> str:
    return f"{section[key]:,.2f}" if isinstance(section, Mapping) and key in section else "–"


def query_table_rows(row: Mapping[str, object]) -> list[list[str]]:
    cells = []
    for query in row.get("queries") or []:  # type: ignore[union-attr]
        sizes = query["rows"]
        rows = str(sizes["virtuoso"]) if sizes["virtuoso"] == sizes["bricskg"] else f"{sizes['virtuoso']} vs {sizes['bricskg']}"
        ratio = query.get("ratio_p50")
        cells.append([
            f"`{query['query']}`",
            rows,
            _ms(query.get("virtuoso"), "p50_ms"),
            _ms(query.get("virtuoso"), "p95_ms"),
            _ms(query.get("bricskg"), "p50_ms"),
            _ms(query.get("bricskg"), "p95_ms"),
            f"{ratio:.2f}x" if ratio is not None else f"({query.get('error', 'not timed')})",
            f"{query['ratio_p95']:.2f}x" if query.get("ratio_p95") is not None else "–",
            f"{query['overhead_p50_ms']:+.2f}" if query.get("overhead_p50_ms") is not None else "–",
            ("yes" + (f" ({query['detail']})" if query.get("detail") else "")) if query["same_answer"]
            else f"**no**: {query.get('detail')}",
        ])
    return cells


def summary(row: Mapping[str, object]) -> dict[str, object]:
    """The figures the goals are stated on, for one size."""
    queries = [q for q in row.get("queries") or [] if q.get("ratio_p50") is not None]  # type: ignore[union-attr]
    ratios = [float(q["ratio_p50"]) for q in queries]
    total_ours = sum(float(q["bricskg"]["p50_ms"]) for q in queries)
    total_theirs = sum(float(q["virtuoso"]["p50_ms"]) for q in queries)
    writes = row.get("writes") or []
    done = [float(w["seconds"]) for w in writes if not w.get("error") and "seconds" in w]  # type: ignore[union-attr]
    return {
        "questions": len(row.get("queries") or []),  # type: ignore[arg-type]
        "timed": len(queries),
        "mismatches": len(row.get("mismatches") or []),  # type: ignore[arg-type]
        "median_ratio_p50": round(statistics.median(ratios), 2) if ratios else None,
        "max_ratio_p50": max(ratios) if ratios else None,
        "within_goal": sum(ratio <= RATIO_GOAL for ratio in ratios),
        "sum_ratio_p50": round(total_ours / total_theirs, 2) if total_theirs else None,
        "write_p50_seconds": round(statistics.median(done), 3) if done else None,
        "writes_ok": len(done),
        "writes": len(writes),  # type: ignore[arg-type]
    }


def _size_lines(row: Mapping[str, object]) -> list[str]:
    facts = summary(row)
    lines = [f"## {int(row['triples']):,} triples ({int(row['quads']):,} quads with the bundled data)", ""]  # type: ignore[arg-type]
    lines.append(
        f"- Virtuoso bulk load (`scripts/virtuoso load`, checkpoint included): **{row.get('load_seconds')} s**."
    )
    lines.append(f"- `bricskg serve --backend` answering {row.get('bricskg_startup_seconds', '–')} s after it was started.")
    lines.append(
        f"- Query latency, bricskg / Virtuoso: median over the questions of the p50 ratio **{facts['median_ratio_p50']}x**, "
        f"worst {facts['max_ratio_p50']}x, sum of p50s {facts['sum_ratio_p50']}x; {facts['within_goal']} of "
        f"{facts['timed']} questions within the {RATIO_GOAL:g}x goal."
    )
    lines.append(
        f"- Answers: {facts['questions'] - facts['mismatches']} of {facts['questions']} questions gave the same "  # type: ignore[operator]
        "answer on both" + (" (mismatches below, reported not hidden)." if facts["mismatches"] else ".")
    )
    for write in row.get("writes") or []:  # type: ignore[union-attr]
        verdict = f"error: {write['error'].splitlines()[0][:300]}" if write.get("error") else f"in Virtuoso: {write.get('in_engine')} ground quads"
        if write.get("retyped_numbers"):
            verdict += f", {write['retyped_numbers']} numbers stored with another numeric datatype"
        lines.append(
            f"- Validated {write['triples']}-triple write (`INSERT DATA`, HTTP `POST /sparql` with the admin token): "
            f"**{write.get('seconds', '–')} s** (goal ≤ {WRITE_GOAL_SECONDS:g} s; {verdict})."
        )
    lines.append("")
    lines += ["| " + " | ".join(QUERY_HEADER) + " |", "|" + "|".join("---" for _ in QUERY_HEADER) + "|"]
    lines += ["| " + " | ".join(cells) + " |" for cells in query_table_rows(row)]
    lines.append("")
    return lines


def render_markdown(results: Mapping[str, object]) -> str:
    machine = results["machine"]
    lines = [f"# bricskg over Virtuoso — {results['finished']}", "", f"Command: `{results['command']}`", ""]
    lines.append(
        f"Machine: {machine['cpus']} CPUs ({machine['cpu_model']}), {machine['memory_gib']} GiB RAM, "  # type: ignore[index]
        f"{machine['os']}, {machine['python']}; {results.get('virtuoso_version', 'Virtuoso')}."  # type: ignore[index]
    )
    before, after = machine.get("before", {}), machine.get("after", {})  # type: ignore[union-attr]
    lines.append(
        f"Machine load: before the run load average {before.get('loadavg')} with {before.get('cpu_busy_percent')} % "
        f"CPU busy; after it {after.get('loadavg')}. Other work on the cores slows both columns alike (requests "
        "alternate), but not by the same number of milliseconds."
    )
    lines += ["", str(results["method"]), ""]
    for row in results["rows"]:  # type: ignore[union-attr]
        lines += _size_lines(row)
    return "\n".join(lines).rstrip() + "\n"


def print_table(results: Mapping[str, object], echo=print) -> None:
    """The per-question table for the terminal, in fixed-width columns, then each size's summary."""
    for row in results["rows"]:  # type: ignore[union-attr]
        cells = query_table_rows(row)
        widths = [max(len(str(cell)) for cell in column) for column in zip(QUERY_HEADER, *cells)]
        echo(f"{int(row['triples']):,} triples: {json.dumps(summary(row))}")
        echo("  ".join(cell.ljust(width) for cell, width in zip(QUERY_HEADER, widths)))
        for line in cells:
            echo("  ".join(cell.ljust(width) for cell, width in zip(line, widths)))
        echo("")


def write_results(results: Mapping[str, object], out_dir: Path) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path, markdown_path = out_dir / JSON_NAME, out_dir / MARKDOWN_NAME
    json_path.write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
    markdown_path.write_text(render_markdown(results), encoding="utf-8")
    return json_path, markdown_path


METHOD = (
    "Method: the synthetic graph and everything `bricskg serve` loads, written as one N-Quads file (the ontology "
    "in its own graph) and bulk-loaded into a fresh Virtuoso 7 on loopback; `bricskg serve --backend "
    "QUERY_URL,UPDATE_URL{inference}` over it, with its result cache off (`bricskg.bench.uncached_serve`) and "
    "writes enabled (admin token; update credentials in BRICSKG_BACKEND_USER / BRICSKG_BACKEND_PASSWORD). Each "
    "competency question is first sent once to both and the answers compared (rows as multisets, blank nodes "
    "anonymised); then it is sent {repeats} times to each, alternating, sequentially over one keep-alive "
    "connection per server (GET, SPARQL JSON); a question slower than 1 s is timed 3 times only. Virtuoso gets the "
    "question as is: its default graph is the union of all its graphs, its own system graphs made private to "
    "the anonymous user by `scripts/virtuoso`, so both answer over the same graphs. Latencies are wall times at the client, so "
    "bricskg's figure includes its own hop to Virtuoso. The writes follow the queries: each a new generated article "
    "(claim graphs and their provenance), checked to be in Virtuoso afterwards by asking Virtuoso directly."
)

