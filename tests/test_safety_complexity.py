"""Long chains (20,000 terms of ``1+1+…``, ``!``, ``&&``, ``||``, ``/``, ``|``, UNION, OPTIONAL,
triple patterns, list items) are refused with a 400 before any parser sees them: they used to
overflow Oxigraph's parser stack and kill the executor (a 503 "please retry") or, in an update,
the writer's worker (every connection in flight reset). Flat data — VALUES rows, INSERT DATA
triples — is not limited by this, however long."""

from __future__ import annotations

import pytest
import requests

from bricskg.sparql.screening import MAX_TERMS, measure
from live_server import running_server
from protocol_home import protocol_home

N = 20_000
TOKEN = "secret-token-for-complexity-tests"

QUERY_CHAINS = {
    "plus": "SELECT (" + "+".join(["1"] * N) + " AS ?x) {}",
    "not": "SELECT (" + "!" * N + "true AS ?x) {}",
    "and": "SELECT * { FILTER(" + "&&".join(["true"] * N) + ") }",
    "or": "SELECT * { FILTER(" + "||".join(["true"] * N) + ") }",
    "divide": "SELECT (" + "/".join(["1"] * N) + " AS ?x) {}",
    "sequence path": "SELECT * { ?s " + "/".join(["<urn:p>"] * N) + " ?o }",
    "alternative path": "SELECT * { ?s " + "|".join(["<urn:p>"] * N) + " ?o }",
    "union": "SELECT * { " + " UNION ".join(["{ ?s ?p ?o }"] * N) + " }",
    "optional": "SELECT * { ?s ?p ?o " + " ".join(["OPTIONAL { ?s ?p ?o }"] * N) + " }",
    "triple patterns": "SELECT * { " + " . ".join(["?s ?p ?o"] * N) + " }",
    "list items": "SELECT * { ?s ?p (" + " ".join(["1"] * N) + ") }",
}


def test_values_rows_and_insert_data_triples_do_not_count_towards_the_limit():
    values = "SELECT * { VALUES ?x { " + " ".join(f"<urn:x{i}>" for i in range(N)) + " } ?x ?p ?o }"
    data = "INSERT DATA { " + " ".join(f"<urn:s> <urn:p> {i} ." for i in range(N)) + " }"
    rows = "SELECT * { VALUES (?a ?b) { " + " ".join(f"({i} {i})" for i in range(N)) + " } }"
    for text in (values, data, rows):
        assert measure(text)[1] < 50, text[:60]


def test_brackets_and_operators_inside_strings_iris_and_comments_do_not_count():
    text = 'SELECT * { ?s ?p "' + "((((+" * N + '" . ?s <urn:a(((> ?o } # ' + "{" * N
    depth, terms = measure(text)
    assert depth == 1 and terms < 20


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    data = tmp_path_factory.mktemp("complexity") / "data.nt"
    data.write_text("<http://example.org/s> <http://example.org/p> \"o\" .\n", encoding="utf-8")
    with running_server(["--no-bundled", "--data", str(data), "--threads", "2"]) as running:
        yield running


@pytest.mark.parametrize("name", sorted(QUERY_CHAINS))
def test_a_20000_term_chain_in_a_query_is_a_400_with_a_message(server, name):
    response = requests.post(
        server.sparql_url,
        data=QUERY_CHAINS[name].encode(),
        headers={"Content-Type": "application/sparql-query"},
        timeout=120,
    )
    assert response.status_code == 400, (name, response.status_code, response.text[:300])
    assert f"limit is {MAX_TERMS:,}" in response.text
    alive = requests.get(server.sparql_url, params={"query": "ASK { ?s ?p ?o }"}, timeout=60)
    assert alive.status_code == 200 and "true" in alive.text


def test_a_long_values_block_is_still_answered(server):
    query = "SELECT (COUNT(*) AS ?n) { VALUES ?x { " + " ".join(str(i) for i in range(N)) + " } }"
    response = requests.post(
        server.sparql_url, data=query.encode(), headers={"Content-Type": "application/sparql-query",
                                                         "Accept": "text/csv"}, timeout=120
    )
    assert response.status_code == 200, response.text[:300]
    assert response.text.split()[-1] == str(N)


@pytest.fixture(scope="module")
def writable(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("complexity-store")
    data = root / "data.nt"
    data.write_text("<http://example.org/s> <http://example.org/p> \"o\" .\n", encoding="utf-8")
    args = ["--no-bundled", "--data", str(data), "--store", str(root / "store"), "--threads", "2"]
    env = {"BRICSKG_ADMIN_TOKEN": TOKEN, "BRICSKG_HOME": str(protocol_home(root))}  # example.org data: no dataset rules
    with running_server(args, env=env) as running:
        yield running


def _update(server, text: str, token: str | None = TOKEN, **params) -> requests.Response:
    headers = {"Content-Type": "application/sparql-update"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return requests.post(server.sparql_url, data=text.encode(), headers=headers, params=params, timeout=120)


UPDATE_CHAINS = {
    "plus in BIND": "INSERT { <urn:s> <urn:p> ?x } WHERE { BIND(" + "+".join(["1"] * N) + " AS ?x) }",
    "union": "INSERT { ?s <urn:p> 1 } WHERE { " + " UNION ".join(["{ ?s ?p ?o }"] * N) + " }",
    "template triples": "INSERT { " + " . ".join(f"<urn:s> <urn:p> {i}" for i in range(N)) + " } WHERE {}",
}


@pytest.mark.parametrize("name", sorted(UPDATE_CHAINS))
def test_a_20000_term_chain_in_an_update_is_a_400_and_the_writer_goes_on(writable, name):
    response = _update(writable, UPDATE_CHAINS[name])
    assert response.status_code == 400, (name, response.status_code, response.text[:300])
    assert f"limit is {MAX_TERMS:,}" in response.text
    small = _update(writable, "INSERT DATA { <http://example.org/a> <http://example.org/p> 1 }")
    assert small.status_code in (200, 204), small.text


def test_a_chain_with_using_graph_uri_is_refused_the_same_way(writable):
    response = _update(writable, UPDATE_CHAINS["plus in BIND"], **{"using-graph-uri": "http://example.org/g"})
    assert response.status_code == 400, response.text[:300]
    assert f"limit is {MAX_TERMS:,}" in response.text


def test_an_insert_data_longer_than_the_term_limit_is_still_accepted(writable):
    triples = MAX_TERMS + 1000
    text = "INSERT DATA { " + " ".join(f"<http://example.org/n{i}> <http://example.org/p> {i} ." for i in range(triples)) + " }"
    response = _update(writable, text)
    assert response.status_code in (200, 204), response.text[:300]
