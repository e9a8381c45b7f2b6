"""`bricskg query`: SPARQL over the bundled data in process, with the union default graph."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
import rdflib
from click.testing import CliRunner

from bricskg.cli import main

HERE = Path(__file__).parent
SAMPLE = HERE / "checks" / "sample.trig"
BKG = "https://w3id.org/bricskg/ontology/"


def query(*args: str):
    return CliRunner().invoke(main, ["query", "--no-bundled", "--data", str(SAMPLE), *args])


def test_default_graph_is_the_union_of_the_claim_graphs() -> None:
    """The membership lives only in a claim graph; no GRAPH clause is needed to find it."""
    result = query(
        "SELECT ?state WHERE { ?m <http://www.w3.org/ns/org#member> ?state } ",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert [b["state"]["value"] for b in document["results"]["bindings"]] == ["https://w3id.org/bricskg/id/russia"]


def test_a_triple_stated_in_several_graphs_counts_once_in_the_union(tmp_path: Path) -> None:
    """The union default graph is an RDF merge (a set of triples), not a bag of per-graph copies."""
    data = tmp_path / "twice.trig"
    data.write_text(
        "<http://example.org/g1> { <http://example.org/s> <http://example.org/p> 10 }\n"
        "<http://example.org/g2> { <http://example.org/s> <http://example.org/p> 10 }\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        main,
        ["query", "--no-bundled", "--data", str(data), "--format", "csv",
         "SELECT (COUNT(*) AS ?n) (SUM(?o) AS ?total) WHERE { ?s <http://example.org/p> ?o }"],
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["n,total", "1,10"]
    per_graph = CliRunner().invoke(
        main,
        ["query", "--no-bundled", "--data", str(data), "--format", "csv",
         "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s <http://example.org/p> ?o } }"],
    )
    assert per_graph.stdout.splitlines() == ["n", "2"]


def test_graph_clause_reaches_each_claim_graph() -> None:
    result = query(
        "SELECT ?g WHERE { GRAPH ?g { ?m <http://www.w3.org/ns/org#member> ?state } }", "--format", "csv"
    )
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows == [["g"], ["https://w3id.org/bricskg/claim/sample-membership"]]


def test_table_shows_prefixed_names_and_a_row_count() -> None:
    result = query(
        'PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> '
        "SELECT ?s ?label WHERE { ?s a <%sState> ; rdfs:label ?label }" % BKG
    )
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["s", "|", "label"]
    assert "bkgr:russia" in lines[2] and '"Russia"@en' in lines[2]
    assert lines[-1] == "(1 row)"


def test_ask_prints_true_or_false() -> None:
    assert query("ASK { ?s a <%sBloc> }" % BKG).stdout == "true\n"
    assert query("ASK { ?s a <%sPerson> }" % BKG).stdout == "false\n"


def test_construct_prints_turtle_that_parses() -> None:
    result = query("CONSTRUCT { ?s a ?c } WHERE { GRAPH <https://w3id.org/bricskg/claim/sample-membership> { ?s a ?c } }")
    assert result.exit_code == 0
    graph = rdflib.Graph().parse(data=result.stdout, format="turtle")
    assert len(graph) == 3


def test_construct_as_csv_is_refused() -> None:
    result = query("CONSTRUCT WHERE { ?s ?p ?o }", "--format", "csv")
    assert result.exit_code == 2
    assert "SELECT" in result.output


def test_query_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "states.rq"
    path.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?s a <%sState> }" % BKG, encoding="utf-8")
    result = query("--file", str(path), "--format", "tsv")
    assert result.stdout.splitlines() == ["?n", "1"]


def test_malformed_query_is_one_line_with_line_and_column() -> None:
    result = query("SELECT * WHERE {\n  ?s ?p }")
    assert result.exit_code == 2
    output = result.output.strip()
    assert len(output.splitlines()) == 1
    assert output.startswith("Error: query:2:")
    assert "Traceback" not in output


def test_malformed_query_file_is_named_in_the_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.rq"
    path.write_text("SELEC ?x WHERE {}", encoding="utf-8")
    result = query("--file", str(path))
    assert result.exit_code == 2
    assert f"{path}:1:" in result.output


@pytest.mark.parametrize(
    "args, message",
    [
        (["--file", "/nonexistent/q.rq"], "no such file"),
        (["SELECT * {}", "--file", "x.rq"], "not both"),
        ([], "no query"),
        (["--data", "/nonexistent/x.ttl", "ASK {}"], "no such file"),
        (["--data", str(HERE), "ASK {}"], None),
    ],
    ids=["missing-query-file", "query-twice", "no-query", "missing-data-file", "data-is-a-folder"],
)
def test_bad_input_is_a_one_line_usage_error(args: list[str], message: str | None) -> None:
    result = CliRunner().invoke(main, ["query", *args])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    if message:
        assert message in result.output


def test_update_is_not_run() -> None:
    result = query("PREFIX ex: <http://a/>\nINSERT DATA { ex:a ex:b ex:c }")
    assert result.exit_code == 2
    assert "SPARQL Update" in result.output


def test_unsupported_data_suffix_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "data.xyz"
    path.write_text("", encoding="utf-8")
    result = CliRunner().invoke(main, ["query", "--data", str(path), "ASK {}"])
    assert result.exit_code == 2
    assert "unknown RDF file type" in result.output


def test_bundled_ontology_is_queryable_by_the_console_script() -> None:
    completed = subprocess.run(
        [
            str(Path(sys.executable).with_name("bricskg")),
            "query",
            "--format",
            "json",
            "SELECT ?c WHERE { GRAPH <https://w3id.org/bricskg/ontology> { ?c a <http://www.w3.org/2002/07/owl#Class> } }",
        ],
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr.decode()
    classes = {b["c"]["value"] for b in json.loads(completed.stdout)["results"]["bindings"]}
    assert BKG + "State" in classes and BKG + "Bloc" in classes
