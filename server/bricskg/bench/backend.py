"""``bricskg bench --backend virtuoso``: what bricskg costs in front of an external engine.

For each size, the synthetic graph (``bricskg.bench.generator``) plus everything ``bricskg serve``
loads is written as one N-Quads file (the ontology in its own graph, as the embedded store has it)
and bulk-loaded into a fresh Virtuoso; then ``bricskg serve --backend`` runs over that Virtuoso
with its result cache off (``bricskg.bench.uncached_serve``), so every request reaches the engine.

Measured on the same machine in the same run:

1. every competency question, sent to Virtuoso's own endpoint and to bricskg's, alternately over
   one keep-alive connection each, ``repeats`` times: median and p95 latency, and their ratio. Both
   answers are compared first (``bricskg.bench.answers``), and mismatches are reported;
2. a validated write of ``write_triples`` new triples (a new article: claim graphs with their
   provenance, as the scale series writes) through bricskg's HTTP write path, wall time, then
   checked to be in Virtuoso by asking Virtuoso directly;
3. the time Virtuoso takes to bulk-load the file.

The queries are sent as is to Virtuoso, which is what a client of the bare engine does: its default
graph is the union of all its graphs (``scripts/virtuoso`` makes its own system graphs private to the
anonymous user, so that union holds bricskg's graphs only).
"""

from __future__ import annotations

import decimal
import http.client
import secrets
import statistics
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import pyoxigraph

from bricskg.bench import generator
from bricskg.bench.answers import _oxigraph_term_key, collect_answers, common_mix, compare_answers, fetch_answer
from bricskg.bench.load_client import Endpoint, QuerySpec, percentile
from bricskg.bench.peers import serving_sources, start_bricskg, write_dataset_dump
from bricskg.bench.scale import SLOW_QUERY_SECONDS
from bricskg.bench.virtuoso import Virtuoso, running_virtuoso

RATIO_GOAL = 1.2  # bricskg's median latency at most this many times the engine's, per query
WRITE_GOAL_SECONDS = 2.0  # a validated 1k-triple write into the 1M graph
SLOW_REPEATS = 3  # a query slower than SLOW_QUERY_SECONDS is timed this many times only
SERVER_NAMES = ("virtuoso", "bricskg")


@dataclass(frozen=True)
class BackendPlan:
    sizes: tuple[int, ...] = (1_000_000,)
    repeats: int = 20
    write_triples: int = 1000
    write_repeats: int = 3
    answer_timeout: float = 30.0  # seconds per request, both servers
    phase_timeout: float = 900.0  # seconds for the bulk load, and for each write's answer
    seed: int = 7
    skip_queries: tuple[str, ...] = ()
    inference: bool = False  # serve with the inferred graph (materialised into Virtuoso, maintained on writes)
    startup_timeout: float = 1800.0  # seconds for bricskg serve to answer (with inference: materialising first)


# ----------------------------------------------------------------------------- latency


def _timed_get(connection: http.client.HTTPConnection, target: str, accept: str) -> float:
    """One request on a kept-alive connection; its wall time in seconds (a non-200 raises)."""
    began = time.perf_counter()
    connection.request("GET", target, headers={"Accept": accept})
    response = connection.getresponse()
    body = response.read()
    elapsed = time.perf_counter() - began
    if response.will_close:
        connection.close()  # http.client reconnects on the next request
    if response.status != 200:
        raise RuntimeError(f"HTTP {response.status}: {body[:200]!r}")
    return elapsed


def _summary(seconds: Sequence[float]) -> dict[str, float | int]:
    ordered = sorted(value * 1000 for value in seconds)
    return {"p50_ms": round(statistics.median(ordered), 3), "p95_ms": round(percentile(ordered, 0.95), 3),
            "repeats": len(ordered)}


def time_alternately(urls: dict[str, str], spec: QuerySpec, repeats: int, timeout: float) -> dict[str, dict]:
    """``repeats`` sequential requests of ``spec`` to each server, alternating between them so that
    drift in the machine's load (2 shared cores) falls on both alike; one keep-alive connection each."""
    endpoints = {name: Endpoint.from_url(url) for name, url in urls.items()}
    connections = {name: http.client.HTTPConnection(e.host, e.port, timeout=timeout) for name, e in endpoints.items()}
    times: dict[str, list[float]] = {name: [] for name in urls}
    try:
        for _ in range(repeats):
            for name, endpoint in endpoints.items():
                times[name].append(_timed_get(connections[name], endpoint.request_target(spec.text), spec.accept))
    finally:
        for connection in connections.values():
            connection.close()
    return {name: _summary(values) for name, values in times.items()}


def _ratio(ours: object, theirs: object) -> float | None:
    if isinstance(ours, (int, float)) and isinstance(theirs, (int, float)) and theirs > 0:
        return round(ours / theirs, 2)
    return None


def query_rows(urls: dict[str, str], queries: Sequence[QuerySpec], plan: BackendPlan,
               progress: Callable[[str], None]) -> tuple[list[dict], list[dict]]:
    """One row per competency question (answer check, then latencies), and the mismatches."""
    answers = collect_answers(urls, queries, plan.answer_timeout)
    mismatches, written_differently = [], {}
    for mismatch in compare_answers(answers, "virtuoso"):
        ours, theirs = answers[mismatch.query]["bricskg"], answers[mismatch.query]["virtuoso"]
        if ours.rows is not None and theirs.rows is not None and by_value(ours.rows) == by_value(theirs.rows):
            written_differently[mismatch.query] = "equal values written differently (e.g. xsd:boolean 1 / true)"
        else:
            mismatches.append(mismatch.as_dict())
    differing = {m["query"]: m["detail"] for m in mismatches}
    answered = {spec.name for spec in common_mix(answers, queries)}
    rows = []
    for spec in queries:
        per_server = answers[spec.name]
        row: dict[str, object] = {
            "query": spec.name,
            "rows": {name: per_server[name].size for name in urls},
            "same_answer": spec.name not in differing,
            "detail": differing.get(spec.name) or written_differently.get(spec.name),
        }
        if spec.name in answered:
            slow = max(answer.seconds for answer in per_server.values()) > SLOW_QUERY_SECONDS
            repeats = min(plan.repeats, SLOW_REPEATS) if slow else plan.repeats
            try:
                timed = time_alternately(urls, spec, repeats, plan.answer_timeout)
            except (OSError, http.client.HTTPException, RuntimeError) as error:
                row["error"] = f"{type(error).__name__}: {error}"[:300]
            else:
                row.update(timed)
                row["ratio_p50"] = _ratio(timed["bricskg"]["p50_ms"], timed["virtuoso"]["p50_ms"])
                row["ratio_p95"] = _ratio(timed["bricskg"]["p95_ms"], timed["virtuoso"]["p95_ms"])
                row["overhead_p50_ms"] = round(timed["bricskg"]["p50_ms"] - timed["virtuoso"]["p50_ms"], 3)
        else:
            row["error"] = "; ".join(f"{name}: {per_server[name].error}" for name in urls if per_server[name].error)[:300]
        progress(f"  {spec.name}: ratio {row.get('ratio_p50')} ({'same answer' if row['same_answer'] else 'MISMATCH'})")
        rows.append(row)
    return rows, mismatches


# ----------------------------------------------------------------------------- write


def validated_write(bricskg_url: str, token: str, engine: Virtuoso, triples: int, seed: int, timeout: float) -> dict:
    """One ``INSERT DATA`` of a new generated article through bricskg's ``POST /sparql``, timed from
    request to answer; then the batch's ground quads are looked up in Virtuoso directly."""
    from bricskg.store.commit import insert_data

    batch = generator.write_batch(triples, seed)
    text = insert_data(batch).encode("utf-8")
    endpoint = Endpoint.from_url(bricskg_url)
    connection = http.client.HTTPConnection(endpoint.host, endpoint.port, timeout=timeout)
    headers = {"Content-Type": "application/sparql-update", "Accept": "application/json",
               "Authorization": f"Bearer {token}"}
    try:
        began = time.perf_counter()
        connection.request("POST", endpoint.path, body=text, headers=headers)
        response = connection.getresponse()
        body = response.read()
        seconds = time.perf_counter() - began
    except (OSError, http.client.HTTPException) as error:
        return {"triples": len(batch), "error": f"{type(error).__name__}: {error}"[:300]}
    finally:
        connection.close()
    result: dict[str, object] = {"triples": len(batch), "status": response.status, "seconds": round(seconds, 4),
                                 "update_bytes": len(text)}
    if response.status != 200:
        result["error"] = f"HTTP {response.status}: {body[:4000].decode('utf-8', 'replace').strip()}"
        return result
    result["answer"] = body[:200].decode("utf-8", "replace").strip()
    result["validated_focus_nodes"] = response.getheader("Bricskg-Validated-Focus-Nodes")
    try:
        counts = landed(engine.query_url, batch, timeout)
        result["in_engine"] = f"{counts['by_value']}/{counts['ground']}"
        if counts["by_value"] != counts["ground"]:
            result["error"] = f"answered 200 but only {counts['by_value']} of {counts['ground']} ground quads are in Virtuoso"
        if counts["exact"] != counts["by_value"]:
            result["retyped_numbers"] = counts["by_value"] - counts["exact"]
    except Exception as error:  # the check is a report, not a reason to lose the timing
        result["in_engine"] = f"not checked: {type(error).__name__}: {error}"[:300]
    return result


XSD = "http://www.w3.org/2001/XMLSchema#"
NUMERIC = {XSD + name for name in ("decimal", "integer", "double", "float")}
PAIRS_PER_QUERY = 50  # the question goes in a GET URL


def _comparable(key: tuple[str, ...], fold_numbers: bool) -> tuple[str, ...]:
    """A term's key as both sides can agree on it: Virtuoso answers ``1.50`` as ``1.5``, so numbers
    compare by value; ``fold_numbers`` also ignores which numeric datatype a number has (Virtuoso
    stores an ``xsd:decimal`` without a fraction, written by SPARQL update, as an ``xsd:integer``)."""
    if key[0] == "literal" and key[2] == XSD + "boolean":  # Virtuoso answers a stored true as "1"
        return ("literal", {"1": "true", "0": "false"}.get(key[1], key[1]), key[2], key[3])
    if key[0] == "literal" and key[2] in NUMERIC:
        try:
            value = decimal.Decimal(key[1])
        except decimal.InvalidOperation:
            return key
        normal = f"{value.normalize():f}"
        return ("number", normal) if fold_numbers else ("literal", normal, key[2], key[3])
    return key


BOOLEAN = XSD + "boolean"


def by_value(rows: Counter) -> Counter:
    """Answer rows (``bricskg.bench.answers`` keys) with literals compared by value: Virtuoso writes
    ``true`` as ``"1"^^xsd:boolean`` and ``1.50`` as ``1.5``, the same values as other engines' forms."""
    def term(key: tuple[str, ...]) -> tuple[str, ...]:
        if key[0] == "literal" and key[2] == BOOLEAN:
            return ("literal", {"1": "true", "0": "false"}.get(key[1], key[1]), key[2], key[3])
        return _comparable(key, fold_numbers=False)

    folded: Counter = Counter()
    for row, count in rows.items():
        folded[tuple((name, term(key)) for name, key in row)] += count
    return folded


def landed(query_url: str, batch: Sequence[pyoxigraph.Quad], timeout: float) -> dict[str, int]:
    """How many of the batch's ground quads Virtuoso holds, asked of Virtuoso directly: every quad of
    each (subject, graph) pair the batch writes is read back and compared term by term (``exact``;
    ``by_value`` also counts a number stored with another numeric datatype).

    Not ``RemoteBackend.present`` (the write path's own check, which is what is being measured), and
    no literals inside VALUES: Virtuoso 7.2 matches no language-tagged literal in a VALUES block of
    more than one row."""
    ground = {q for q in batch if isinstance(q.graph_name, pyoxigraph.NamedNode)
              and not any(isinstance(t, pyoxigraph.BlankNode) for t in (q.subject, q.object))}
    keys = [tuple(_oxigraph_term_key(t) for t in (q.subject, q.predicate, q.object, q.graph_name)) for q in ground]
    pairs = sorted({(str(q.subject), str(q.graph_name)) for q in ground})
    held: list[tuple] = []
    for start in range(0, len(pairs), PAIRS_PER_QUERY):
        values = " ".join(f"({s} {g})" for s, g in pairs[start : start + PAIRS_PER_QUERY])
        spec = QuerySpec.from_text("landed", f"SELECT ?s ?p ?o ?g WHERE {{ VALUES (?s ?g) {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}")
        answer = fetch_answer(query_url, spec, timeout)
        if answer.rows is None:
            raise RuntimeError(answer.error or "no answer")
        held += [tuple(dict(row)[name] for name in ("s", "p", "o", "g")) for row in answer.rows]
    counts = {"ground": len(keys)}
    for name, fold in (("exact", False), ("by_value", True)):
        stored = {tuple(_comparable(term, fold) for term in quad) for quad in held}
        counts[name] = sum(tuple(_comparable(term, fold) for term in key) in stored for key in keys)
    return counts


# ----------------------------------------------------------------------------- one size


def measure_size(triples: int, queries: Sequence[QuerySpec], plan: BackendPlan, workdir: Path,
                 progress: Callable[[str], None]) -> dict[str, object]:
    """Generate, load into Virtuoso, start bricskg over it, then time the questions and the writes."""
    workdir.mkdir(parents=True, exist_ok=True)
    synthetic, dataset = workdir / f"synthetic-{triples}.nq", workdir / f"dataset-{triples}.nq"
    began = time.perf_counter()
    written = generator.write_graph(triples, synthetic, seed=plan.seed)
    quads = write_dataset_dump(serving_sources([synthetic]), dataset)
    synthetic.unlink()
    progress(f"N={triples:,}: generated {written:,} triples, {quads:,} quads with the bundled data "
             f"in {time.perf_counter() - began:.1f} s")
    row: dict[str, object] = {"triples": triples, "generated_triples": written, "quads": quads}
    token = secrets.token_hex(16)
    with running_virtuoso(workdir / "virtuoso") as engine:
        row["load_seconds"] = round(engine.bulk_load(dataset, plan.phase_timeout), 3)
        dataset.unlink()
        progress(f"N={triples:,}: Virtuoso bulk load {row['load_seconds']} s")
        server = start_bricskg(
            workdir,
            cached=False,
            extra_args=["--backend", f"{engine.query_url},{engine.update_url}",
                        "--query-timeout", f"{plan.answer_timeout:g}", "--update-timeout", f"{plan.answer_timeout:g}"],
            environment={"BRICSKG_ADMIN_TOKEN": token, "BRICSKG_BACKEND_USER": engine.user,
                         "BRICSKG_BACKEND_PASSWORD": engine.password},
            inference=plan.inference,
            timeout=plan.startup_timeout,
        )
        try:
            row["bricskg_command"] = server.details["command"]
            row["bricskg_startup_seconds"] = round(server.startup_seconds, 3)
            progress(f"N={triples:,}: bricskg serve --backend answering after {row['bricskg_startup_seconds']} s")
            urls = {"virtuoso": engine.query_url, "bricskg": server.query_url}
            row["queries"], row["mismatches"] = query_rows(urls, queries, plan, progress)
            writes = []
            for attempt in range(plan.write_repeats):
                # batches of nearby seeds share article numbers (the same article twice is rightly refused)
                outcome = validated_write(server.query_url, token, engine, plan.write_triples,
                                          plan.seed + 1 + 1000 * attempt, plan.phase_timeout)
                failure = (outcome.get("error") or "").splitlines()[:1]
                progress(f"N={triples:,}: validated {plan.write_triples}-triple write {outcome.get('seconds')} s "
                         f"{failure[0][:200] if failure else ''}")
                writes.append(outcome)
                if outcome.get("status") != 200:
                    # a refusal (e.g. 413: too large a neighbourhood) or an engine error repeats for every batch
                    # alike; after no answer in time the server is still busy with it, and the next would queue
                    break
            row["writes"] = writes
        finally:
            server.stop()
            row["bricskg_log_tail"] = server.log_tail(10)
    return row


def run_backend_bench(queries: Sequence[QuerySpec], plan: BackendPlan, workdir: Path,
                      progress: Callable[[str], None] = lambda message: None) -> list[dict[str, object]]:
    skipped = set(plan.skip_queries)
    mix = [spec for spec in queries if spec.name not in skipped]
    return [measure_size(size, mix, plan, workdir / f"backend-{size}", progress) for size in sorted(plan.sizes)]
