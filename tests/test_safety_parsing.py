"""The SERVICE/LOAD check works on the parsed query: every spelling and nesting is caught, and
harmless mentions of the word (strings, IRIs, names) are not refused."""

from __future__ import annotations

import pytest

from bricskg.sparql.safety import analyse_query, check_query, check_update, query_form, update_has_using
from bricskg.store.base import QueryRefused

SERVICE_QUERIES = [
    "SELECT * { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "select * { service <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "SELECT * { SeRvIcE SILENT <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "SELECT * { ?x ?y ?z . SERVICE ?endpoint { ?s ?p ?o } }",
    "SELECT * { OPTIONAL { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } } }",
    "SELECT * { { ?s ?p ?o } UNION { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } } }",
    "SELECT * { ?s ?p ?o MINUS { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } } }",
    "SELECT * { ?s ?p ?o FILTER EXISTS { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } } }",
    "SELECT * { ?s ?p ?o FILTER NOT EXISTS { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } } }",
    "SELECT * { { SELECT ?s { { SELECT ?s { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } } } } } }",
    "SELECT * { GRAPH ?g { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } } }",
    "SELECT (EXISTS { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } } AS ?e) {}",
    "ASK { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "CONSTRUCT { ?s ?p ?o } WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "DESCRIBE ?s WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "PREFIX r: <http://127.0.0.1:9/> SELECT * { SERVICE r:sparql { ?s ?p ?o } }",
    "SELECT * { # a comment\nSERVICE#another\n<http://127.0.0.1:9/>{?s ?p ?o} }",
    "SELECT * { \\u0053ERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "SELECT * { \\U00000073ervice <http://127.0.0.1:9/> { ?s ?p ?o } }",
]

HARMLESS = [
    "SELECT * { ?s ?p 'service' }",
    "SELECT * { ?s <http://example.org/service> ?o }",
    "PREFIX service: <http://example.org/> SELECT * { ?s service:name ?o }",
    "SELECT ?service { ?service a ?type }",
    "# SERVICE <http://127.0.0.1:9/>\nSELECT * { ?s ?p ?o }",
]


@pytest.mark.parametrize("query", SERVICE_QUERIES)
def test_service_clause_is_refused_in_any_case_and_nesting(query):
    with pytest.raises(QueryRefused, match="Federation is disabled"):
        check_query(query)


@pytest.mark.parametrize("query", HARMLESS)
def test_mentions_of_service_that_are_not_a_clause_are_allowed(query):
    assert check_query(query).refusal is None


@pytest.mark.parametrize(
    "update",
    [
        "LOAD <http://127.0.0.1:9/data.ttl>",
        "load silent <http://127.0.0.1:9/data.ttl> INTO GRAPH <http://example.org/g>",
        "INSERT DATA { <a:s> <a:p> 1 } ; LOAD <http://127.0.0.1:9/x>",
        "INSERT { ?s ?p ?o } WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
        "DELETE WHERE { ?s ?p ?o FILTER EXISTS { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } } }",
    ],
)
def test_load_and_service_in_updates_are_refused(update):
    with pytest.raises(QueryRefused):
        check_update(update)


def test_ordinary_update_passes_the_check():
    check_update("INSERT DATA { <a:s> <a:p> 'load the service' }")


@pytest.mark.parametrize(
    "query, form",
    [
        ("SELECT * {}", "SELECT"),
        ("  # c\nPREFIX a: <http://x#> BASE <http://b/> ask {}", "ASK"),
        ("PREFIX : <http://x/> CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT"),
        ("describe <http://x>", "DESCRIBE"),
        ("INSERT DATA {}", "UPDATE"),
        ("nonsense", "UNKNOWN"),
    ],
)
def test_query_form_is_read_past_the_prologue(query, form):
    assert query_form(query) == form


@pytest.mark.parametrize(
    "query, expected",
    [
        ("SELECT * FROM <http://g> { ?s ?p ?o }", True),
        ("SELECT * from named <http://g> { GRAPH ?g { ?s ?p ?o } }", True),
        ("PREFIX e: <http://e/> SELECT * FROM e:g { ?s ?p ?o }", True),
        ("PREFIX prov: <http://www.w3.org/ns/prov#> SELECT * { ?s prov:wasDerivedFrom ?o }", False),
        ("SELECT * { ?s ?p 'from <http://x>' }", False),
    ],
)
def test_dataset_clause_detection(query, expected):
    assert analyse_query(query).has_dataset_clause is expected


def test_using_clause_detection_for_the_protocol_conflict_rule():
    assert update_has_using("DELETE { ?s ?p ?o } USING <http://g> WHERE { ?s ?p ?o }")
    assert not update_has_using("DELETE { ?s ?p ?o } WHERE { ?s <http://e/using> ?o }")
