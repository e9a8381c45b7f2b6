"""The fast path skips the rdflib parse for queries whose only "service"/"FROM" words sit in
whole-line comments, without opening a way around the SERVICE check."""

from __future__ import annotations

import pytest

from bricskg.sparql import safety
from bricskg.store.base import QueryRefused


@pytest.fixture
def no_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(text: str) -> None:
        raise AssertionError("the query was parsed")

    safety.analyse_query.cache_clear()
    monkeypatch.setattr(safety, "_parse_query", refuse)


def test_words_in_whole_line_comments_do_not_cost_a_parse(no_parse) -> None:
    text = ("PREFIX ex: <http://example.org/>\n"
            "# The members come from <http://example.org/g> FROM ex:article, not the public service.\n"
            "   # and FROM NAMED ex:other\n"
            "SELECT * WHERE { ?s ?p ?o }")
    analysis = safety.check_query(text)
    assert analysis.form == "SELECT" and not analysis.has_dataset_clause


@pytest.mark.parametrize("text", [
    "SELECT * WHERE {\n# a comment line\n SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
    'SELECT * WHERE { ?s ?p """\n# not a comment: inside a long string""" . SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }',
    "SELECT * WHERE { ?s ?p '''\n# not a comment''' . SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p ?o # trailing comment\n SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "SELECT * WHERE {\n# comment\rSERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
])
def test_service_outside_whole_line_comments_is_still_refused(text: str) -> None:
    safety.analyse_query.cache_clear()
    with pytest.raises(QueryRefused, match="Federation is disabled"):
        safety.check_query(text)


def test_a_real_from_clause_is_still_seen() -> None:
    safety.analyse_query.cache_clear()
    text = "# a comment\nSELECT * FROM <http://example.org/g> WHERE { ?s ?p ?o }"
    assert safety.check_query(text).has_dataset_clause
