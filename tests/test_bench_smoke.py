"""The benchmark still runs end to end and its figures are sane (never timed assertions).

Tiny data, few requests: these tests check that every piece of ``bricskg bench`` works and that the
numbers it reports are consistent (counts add up, latencies positive and ordered, answers compared,
servers stopped), not how fast anything is.
"""

from __future__ import annotations

import json

import pytest

from bricskg.bench import answers, peers
from bricskg.bench.load_client import QuerySpec, histogram, percentile, run_load

pytestmark = pytest.mark.timeout(120)

TINY_NQUADS = """\
<https://example.org/a> <https://example.org/p> "x" <https://example.org/g1> .
<https://example.org/b> <https://example.org/p> "y" .
<https://example.org/c> <https://example.org/q> _:b1 <https://example.org/g2> .
"""

MIX = [
    QuerySpec.from_text("all", "SELECT * WHERE { ?s ?p ?o }"),
    QuerySpec.from_text("graphs", "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"),
    QuerySpec.from_text("ask", 'ASK { ?s <https://example.org/p> "x" }'),
    QuerySpec.from_text("construct", "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"),
]


@pytest.fixture(scope="module")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory):
    workdir = tmp_path_factory.mktemp("oxigraph")
    dump = workdir / "tiny.nq"
    dump.write_text(TINY_NQUADS)
    server = peers.start_oxigraph(workdir, dump)
    yield server
    server.stop()


def test_query_form_picks_the_media_type_each_server_serves():
    assert [spec.accept for spec in MIX] == [
        "application/sparql-results+json",
        "application/sparql-results+json",
        "application/sparql-results+json",
        "application/n-triples",
    ]


def test_percentile_is_a_latency_some_request_had():
    values = [1.0, 2.0, 3.0, 4.0, 100.0]
    assert percentile(values, 0.5) == 3.0
    assert percentile(values, 0.99) == 100.0
    assert percentile([7.0], 0.99) == 7.0


def test_histogram_counts_every_latency_once():
    counts = histogram([0.1, 0.3, 4.0, 9.9, 12.0, 9000.0])
    assert sum(counts.values()) == 6
    assert counts["<=0.25"] == 1 and counts["<=0.5"] == 1 and counts["<=5"] == 1
    assert counts["<=10"] == 1 and counts["<=20"] == 1 and counts[">5000"] == 1


def test_load_client_spends_its_request_budget_without_errors(oxigraph_server):
    result = run_load(oxigraph_server.query_url, MIX, connections=3, max_requests=61, max_seconds=30)
    assert result.errors == 0, result.error_samples
    assert result.requests == 61
    assert result.stopped_by == "requests"
    assert sum(result.histogram.values()) == 61
    assert 0 < result.p50_ms <= result.p90_ms <= result.p99_ms <= result.max_ms
    assert result.throughput > 0 and result.bytes_received > 0
    assert result.statuses == {"200": 61}


def test_load_client_stops_at_the_deadline(oxigraph_server):
    result = run_load(oxigraph_server.query_url, MIX, connections=2, max_requests=10_000_000, max_seconds=0.3)
    assert result.stopped_by == "duration"
    assert 0 < result.requests < 10_000_000
    assert result.wall_seconds < 10


def test_load_client_counts_refused_queries_as_errors(oxigraph_server):
    broken = [QuerySpec("broken", "SELECT * WHERE { ?s ?p }", "application/sparql-results+json")]
    result = run_load(oxigraph_server.query_url, broken, connections=2, max_requests=10, max_seconds=30)
    assert result.requests == 0
    assert result.errors == 10
    assert result.statuses == {"400": 10}
    assert result.error_samples and result.error_samples[0].startswith("HTTP 400")


def test_answers_agree_across_oxigraph_and_rdflib_endpoint(tmp_path, oxigraph_server):
    dump = tmp_path / "tiny.nq"
    dump.write_text(TINY_NQUADS)
    rdflib_server = peers.start_rdflib_endpoint(tmp_path, dump)
    try:
        collected = answers.collect_answers(
            {"oxigraph": oxigraph_server.query_url, "rdflib-endpoint": rdflib_server.query_url}, MIX
        )
    finally:
        rdflib_server.stop()
    assert rdflib_server.process.poll() is not None  # stopped, with its process group
    sizes = {query: {server: answer.size for server, answer in per.items()} for query, per in collected.items()}
    assert sizes == {
        "all": {"oxigraph": 3, "rdflib-endpoint": 3},
        "graphs": {"oxigraph": 2, "rdflib-endpoint": 2},
        "ask": {"oxigraph": 1, "rdflib-endpoint": 1},
        "construct": {"oxigraph": 3, "rdflib-endpoint": 3},
    }
    assert answers.compare_answers(collected, "oxigraph") == []


def test_answer_comparison_reports_a_server_that_answers_differently(tmp_path, oxigraph_server):
    other_dump = tmp_path / "other.nq"
    other_dump.write_text(TINY_NQUADS.replace('"y"', '"z"'))
    other = peers.start_oxigraph(tmp_path / "other", other_dump)
    try:
        collected = answers.collect_answers({"oxigraph": oxigraph_server.query_url, "other": other.query_url}, MIX)
    finally:
        other.stop()
    mismatched = {(m.query, m.detail) for m in answers.compare_answers(collected, "oxigraph")}
    assert ("all", "same size (3) but 1 rows differ in value") in mismatched
    assert ("construct", "same size (3) but 1 rows differ in value") in mismatched
    assert not any(query in {"graphs", "ask"} for query, _ in mismatched)


# --------------------------------------------------------------------------- the generator


def test_generator_is_deterministic_and_counts_exactly(tmp_path):
    from bricskg.bench import generator

    first, second = tmp_path / "a.nq", tmp_path / "b.nq"
    count = generator.write_graph(3000, first, seed=11)
    assert generator.write_graph(3000, second, seed=11) == count
    assert first.read_bytes() == second.read_bytes()
    assert count == len(first.read_text().splitlines())
    assert 3000 - 60 <= count <= 3000 + 60
    assert generator.write_graph(3000, second, seed=12) and first.read_bytes() != second.read_bytes()


def test_generated_graph_uses_claim_graphs_traced_to_quoted_sentences(tmp_path):
    import pyoxigraph

    from bricskg.bench import generator

    path = tmp_path / "g.nq"
    generator.write_graph(2000, path)
    store = pyoxigraph.Store()
    store.bulk_load(path=str(path))
    untraced = store.query(
        """PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX oa: <http://www.w3.org/ns/oa#>
        SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE {
          GRAPH ?g { ?s ?p ?o }
          FILTER STRSTARTS(STR(?g), "https://w3id.org/bricskg/claim/")
          FILTER NOT EXISTS { GRAPH <https://w3id.org/bricskg/graph/provenance> {
            ?g prov:wasDerivedFrom/oa:hasSelector/oa:exact ?text } }
        }"""
    )
    assert int(next(iter(untraced))["n"].value) == 0
    claims = store.query(
        "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
        'FILTER STRSTARTS(STR(?g), "https://w3id.org/bricskg/claim/") }'
    )
    assert int(next(iter(claims))["n"].value) > 20
    # every text-position selector indexes the quoted text of its own article
    rows = store.query(
        """PREFIX oa: <http://www.w3.org/ns/oa#>
        SELECT ?exact ?start ?end WHERE { ?sentence oa:hasSelector ?q , ?p .
          ?q oa:exact ?exact . ?p oa:start ?start ; oa:end ?end }"""
    )
    for row in rows:
        assert int(row["end"].value) - int(row["start"].value) == len(row["exact"].value)


def test_generated_graph_conforms_to_the_project_shapes(tmp_path):
    from bricskg.bench import generator
    from bricskg.dataset import bundled_sources, extra_sources, open_memory_store
    from bricskg.validation import validate_dataset

    path = tmp_path / "g.nq"
    generator.write_graph(1200, path, seed=3)
    report = validate_dataset(open_memory_store(bundled_sources() + extra_sources([path])))
    assert report.conforms, report.to_text()[:2000]


# --------------------------------------------------------------------------- the whole command


def test_bench_command_runs_end_to_end_and_writes_sane_results(tmp_path):
    from click.testing import CliRunner

    from bricskg.cli import main

    out = tmp_path / "results"
    arguments = [
        "bench", "--sizes", "400", "--connections", "1,2", "--requests", "40", "--duration", "5",
        "--servers", "bricskg,oxigraph", "--answer-timeout", "20", "--phase-timeout", "120",
        "--validation-timeout", "120", "--write-triples", "150", "--out", str(out),
    ]  # fmt: skip
    outcome = CliRunner().invoke(main, arguments, catch_exceptions=False)
    assert outcome.exit_code == 0, outcome.output
    results = json.loads((out / "latest.json").read_text())
    markdown = (out / "latest.md").read_text()

    comparison = results["servers"]
    assert comparison["mismatches"] == []  # bricskg and Oxigraph agree on every competency question
    assert comparison["excluded_queries"] == []
    runs = {(run["server"], run["connections"]): run for run in comparison["runs"]}
    assert set(runs) == {("bricskg", 1), ("bricskg", 2), ("oxigraph", 1), ("oxigraph", 2)}
    for run in runs.values():
        assert run["errors"] == 0, run["error_samples"]
        assert run["requests"] == 40 or run["stopped_by"] == "duration"
        assert run["requests"] > 0 and run["throughput_rps"] > 0
        assert 0 < run["p50_ms"] <= run["p99_ms"]
    assert comparison["ratios"]["bricskg@2"]["vs_oxigraph"] > 0

    (row,) = results["scale"]
    assert row["triples"] == 400
    load = row["load"]
    assert load["bricskg_seconds"] > 0 and load["raw_seconds"] > 0 and load["ratio_vs_raw"] > 0
    assert load["quads"] > row["generated_triples"]  # the synthetic graph on top of the article's
    assert load["bricskg_disk_mib"] > 0
    assert row["queries"]["measured_queries"] == len(results["query_mix"])
    assert row["validation"]["conforms"] is True, row["validation"]
    assert row["write"]["seconds"] > 0, row["write"]
    assert row["write"]["quads_after"] >= row["write"]["quads_before"] + row["write"]["added"]
    assert row["peak_rss_kib"] > 10_000

    assert "| connections | server | req/s |" in markdown
    assert results["command"] in markdown and "--sizes 400" in results["command"]
    assert {check["name"] for check in results["targets"]} >= {"bricskg p99 at 8 connections"}


@pytest.mark.timeout(300)
def test_bench_distinct_mix_materialised_peer_and_attack_rows(tmp_path):
    from click.testing import CliRunner

    from bricskg.cli import main

    out = tmp_path / "results"
    arguments = [
        "bench", "--skip-scale", "--connections", "2", "--requests", "40", "--duration", "5",
        "--servers", "bricskg,oxigraph-materialised", "--mix", "distinct", "--attack", "3,3",
        "--answer-timeout", "20", "--out", str(out),
    ]  # fmt: skip
    outcome = CliRunner().invoke(main, arguments, catch_exceptions=False)
    assert outcome.exit_code == 0, outcome.output
    results = json.loads((out / "latest.json").read_text())
    comparison = results["servers"]
    assert comparison["mismatches"] == []  # the materialised default graph answers like bricskg's
    assert comparison["mix"] == "distinct texts" and comparison["attack"] == "3 slow queries + 3 slowloris"
    runs = {(run["server"], bool(run.get("attack"))): run for run in comparison["runs"]}
    assert set(runs) == {("bricskg", False), ("bricskg", True),
                         ("oxigraph-materialised", False), ("oxigraph-materialised", True)}
    for (server, attacked), run in runs.items():
        assert run["requests"] > 0 and run["p50_ms"] <= run["p99_ms"]
        if attacked:
            assert run["attack"]["slow_sent"] >= 1
    assert "bricskg@2+attack" in comparison["ratios"]
    assert "bricskg under attack" in (out / "latest.md").read_text()
    assert "--mix distinct --attack 3,3" in results["command"]
