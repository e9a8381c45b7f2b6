"""The competency questions return their expected answers from the bundled data (union default graph)."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph
import pytest
import rdflib

from bricskg.competency import (
    CompetencyQuestion,
    CompetencyQuestionError,
    ExpectedAnswer,
    answers_match,
    describe_mismatch,
    has_top_level_order_by,
    load_question,
    load_questions,
    rows_from_oxigraph,
)
from bricskg.dataset import open_memory_store

QUESTIONS = load_questions()


@pytest.fixture(scope="module")
def store() -> pyoxigraph.Store:
    return open_memory_store()


def run(store: pyoxigraph.Store, question: CompetencyQuestion):
    result = store.query(question.sparql, use_default_graph_as_union=True)
    if isinstance(result, pyoxigraph.QueryBoolean):
        return bool(result)
    return rows_from_oxigraph(result)


def test_there_are_at_least_fifteen_questions_each_with_title_and_question() -> None:
    assert len(QUESTIONS) >= 15
    for question in QUESTIONS:
        assert question.title and question.question.endswith("?"), question.id
    assert len({q.id for q in QUESTIONS}) == len(QUESTIONS)


@pytest.mark.parametrize("question", QUESTIONS, ids=[q.id for q in QUESTIONS])
def test_competency_question_returns_its_expected_answer(store: pyoxigraph.Store, question: CompetencyQuestion) -> None:
    result = run(store, question)
    assert answers_match(question, result), describe_mismatch(question, result)


def test_provenance_is_one_query_away() -> None:
    """“Which sentence supports this?” joins a claim graph with the provenance graph in one query."""
    question = next(q for q in QUESTIONS if q.id.startswith("06-"))
    assert "GRAPH ?claim" in question.sparql and "GRAPH graph:provenance" in question.sparql


def test_questions_also_run_under_rdflib(store: pyoxigraph.Store) -> None:
    """A second engine over the same files guards against answers that only one store gives."""
    from bricskg.dataset import load_rdflib_dataset

    dataset = load_rdflib_dataset()
    dataset.default_union = True
    question = next(q for q in QUESTIONS if q.id.startswith("02-"))
    rows = [tuple(row) for row in dataset.query(question.sparql)]
    assert answers_match(question, rows), describe_mismatch(question, rows)


# ── answers_match: the comparison the endpoint tests and the pages rely on ──────────────────────────────────────


def make_question(rows, variables=("x", "n"), ordered=False, boolean=None) -> CompetencyQuestion:
    expected = ExpectedAnswer(variables=tuple(variables), rows=tuple(tuple(r) for r in rows),
                              ordered=ordered, boolean=boolean)
    return CompetencyQuestion(id="t", title="t", question="t?", sparql="", expected=expected, path=Path("t.rq"))


def test_rows_match_in_any_order_unless_ordered() -> None:
    rows = [("https://e/a", "A"), ("https://e/b", "B")]
    assert answers_match(make_question(rows), list(reversed(rows)))
    assert not answers_match(make_question(rows, ordered=True), list(reversed(rows)))
    assert answers_match(make_question(rows, ordered=True), rows)


def test_a_missing_extra_or_duplicated_row_does_not_match() -> None:
    rows = [("https://e/a", "A"), ("https://e/b", "B")]
    question = make_question(rows)
    assert not answers_match(question, rows[:1])
    assert not answers_match(question, rows + [("https://e/c", "C")])
    assert not answers_match(question, rows + rows[:1])


def test_literals_compare_by_lexical_form_and_numbers_by_value() -> None:
    question = make_question([("35", "Brazil")])
    assert answers_match(question, [(rdflib.Literal("35.0", datatype=rdflib.XSD.decimal), rdflib.Literal("Brazil", lang="en"))])
    assert answers_match(question, [(pyoxigraph.Literal("35", datatype=pyoxigraph.NamedNode("http://www.w3.org/2001/XMLSchema#integer")), pyoxigraph.Literal("Brazil", language="en"))])
    assert not answers_match(question, [("36", "Brazil")])
    assert not answers_match(question, [("35", "brazil")])


def test_sparql_json_documents_and_unbound_values_are_understood() -> None:
    question = make_question([("https://e/a", None)])
    document = {"head": {"vars": ["x", "n"]},
                "results": {"bindings": [{"x": {"type": "uri", "value": "https://e/a"}}]}}
    assert answers_match(question, document)
    document["results"]["bindings"][0]["n"] = {"type": "literal", "value": "A"}
    assert not answers_match(question, document)


def test_ask_answers_compare_as_booleans() -> None:
    question = make_question([], variables=(), boolean=False)
    assert answers_match(question, False)
    assert answers_match(question, {"head": {}, "boolean": False})
    assert not answers_match(question, True)
    assert not answers_match(question, [])


def test_order_by_is_detected_outside_comments_and_strings() -> None:
    assert has_top_level_order_by("SELECT * WHERE { ?s ?p ?o }\norder  by ?s")
    assert not has_top_level_order_by("# ORDER BY in a comment\nSELECT * WHERE { ?s ?p \"ORDER BY\" }")


# ── Loading question files ─────────────────────────────────────────────────────────────────────


def write_pair(folder: Path, sparql: str, expected: object | None) -> Path:
    path = folder / "01-probe.rq"
    path.write_text(sparql, encoding="utf-8")
    if expected is not None:
        (folder / "01-probe.expected.json").write_text(json.dumps(expected), encoding="utf-8")
    return path


def test_a_question_without_a_header_is_refused(tmp_path: Path) -> None:
    path = write_pair(tmp_path, "SELECT * WHERE { ?s ?p ?o }", {"variables": [], "rows": []})
    with pytest.raises(CompetencyQuestionError, match="title"):
        load_question(path)


def test_a_question_without_expected_answer_is_refused(tmp_path: Path) -> None:
    path = write_pair(tmp_path, "# title: T\n# question: Q?\nASK {}", None)
    with pytest.raises(CompetencyQuestionError, match="expected"):
        load_question(path)


def test_a_row_of_the_wrong_width_is_refused(tmp_path: Path) -> None:
    path = write_pair(tmp_path, "# title: T\n# question: Q?\nSELECT ?a ?b {}", {"variables": ["a", "b"], "rows": [["x"]]})
    with pytest.raises(CompetencyQuestionError, match="row 1"):
        load_question(path)


def test_loaded_questions_take_order_from_the_query(tmp_path: Path) -> None:
    path = write_pair(tmp_path, "# title: T\n# question: Q?\nSELECT ?a {} ORDER BY ?a", {"variables": ["a"], "rows": []})
    assert load_question(path).expected.ordered
    assert load_questions(tmp_path)[0].id == "01-probe"


# ── Queries that must stay cheap as the graph grows (no timing: the shape Oxigraph plans well) ──


def graph_blocks(text: str) -> list[str]:
    """The bodies of the GRAPH ... { } blocks of a query (braces balanced, nested blocks included)."""
    import re

    bodies = []
    for match in re.finditer(r"\bGRAPH\s+\S+\s*\{", text):
        depth, start = 1, match.end()
        for position in range(start, len(text)):
            depth += {"{": 1, "}": -1}.get(text[position], 0)
            if depth == 0:
                bodies.append(text[start:position])
                break
    return bodies


@pytest.mark.parametrize("question", QUESTIONS, ids=[q.id for q in QUESTIONS])
def test_no_question_filters_inside_a_graph_block(question: CompetencyQuestion) -> None:
    """A FILTER inside GRAPH <g> { } made Oxigraph join the block in an order that grows with the
    whole graph (18-not-facts: 4.8 s at 12k quads, minutes at 100k); after the block it is instant."""
    query = "\n".join(line.split("#", 1)[0] for line in question.sparql.splitlines())
    for body in graph_blocks(query):
        assert "FILTER" not in body.upper(), f"{question.id}: FILTER inside a GRAPH block:\n{body}"


PLAIN_17 = """
PREFIX bkg: <https://w3id.org/bricskg/ontology/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?controlName ?targetName ?status WHERE {
  { ?control a bkg:ExportControl ; bkg:targets ?target . BIND ("in force" AS ?status) }
  UNION
  { ?control a bkg:ProposedExportControl ; bkg:prospectiveTarget ?target ; bkg:status/rdfs:label ?status . }
  ?control rdfs:label ?controlName . ?target rdfs:label ?targetName .
}"""

PLAIN_18 = """
PREFIX bkg: <https://w3id.org/bricskg/ontology/>
PREFIX graph: <https://w3id.org/bricskg/graph/>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?claim ?modality ?holderName ?text WHERE {
  GRAPH graph:provenance {
    ?claim a bkg:Claim ; bkg:modality ?m ; prov:wasAttributedTo ?holder ;
           prov:wasDerivedFrom/oa:hasSelector/oa:exact ?text .
    FILTER (?m != bkg:modalityAsserted)
  }
  ?m rdfs:label ?modality . ?holder rdfs:label ?holderName .
}"""


@pytest.mark.parametrize(("question_id", "plain"), [("17-export-controls-fact-or-proposal", PLAIN_17), ("18-not-facts", PLAIN_18)])
def test_a_question_rewritten_for_speed_answers_like_its_plain_form_on_a_synthetic_graph(question_id: str, plain: str) -> None:
    """The rewrites (nested DISTINCT label joins; FILTER after the GRAPH block) must not change the
    answer, on data with many rows (the bench generator's graph) as well as on the article's."""
    import io

    from bricskg.bench.generator import generate
    from bricskg.validation.shacl import with_ontology

    text = io.StringIO()
    generate(text, 4000, 7)
    synthetic = pyoxigraph.Store()
    synthetic.load(text.getvalue().encode(), pyoxigraph.RdfFormat.N_QUADS)
    with_ontology(synthetic, copy=False)
    question = next(q for q in QUESTIONS if q.id == question_id)

    def rows(query: str) -> list[tuple[str, ...]]:
        return sorted(tuple(str(v) for v in row) for row in synthetic.query(query, use_default_graph_as_union=True))

    expected = rows(plain)
    assert expected, "the synthetic graph should give this question some answers"
    assert rows(question.sparql) == expected
