"""Bounded requests and answers: 413 for big bodies, 414 for huge GET URLs, 400 (add a LIMIT) for
answers over ``--max-result-bytes``; the server stays up after each."""

from __future__ import annotations

import pytest
import requests

from live_server import running_server

MAX_RESULT = 4096
MAX_BODY = 1024 * 1024  # Config.max_body_bytes


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    data = tmp_path_factory.mktemp("limits") / "data.nt"
    data.write_text(
        "".join(f'<http://example.org/s{i}> <http://example.org/p> "value number {i}" .\n' for i in range(500)),
        encoding="utf-8",
    )
    with running_server(["--no-bundled", "--data", str(data), "--max-result-bytes", str(MAX_RESULT)]) as running:
        yield running


def _alive(server) -> bool:
    return requests.get(server.url + "/health", timeout=10).status_code == 200


def test_answer_over_the_result_bound_is_400_asking_for_a_limit(server):
    response = server.query("SELECT * { ?s ?p ?o }")
    assert response.status_code == 400
    assert "LIMIT" in response.text and f"{MAX_RESULT:,}" in response.text
    assert _alive(server)


def test_construct_over_the_result_bound_is_400_too(server):
    response = server.query("CONSTRUCT WHERE { ?s ?p ?o }", accept="text/turtle")
    assert response.status_code == 400 and "LIMIT" in response.text


def test_answer_under_the_bound_with_a_limit_is_served(server):
    response = server.query("SELECT * { ?s ?p ?o } LIMIT 5")
    assert response.status_code == 200 and len(response.json()["results"]["bindings"]) == 5


def test_query_body_over_the_limit_is_413(server):
    query = "SELECT * { ?s ?p ?o } #" + "x" * MAX_BODY
    response = requests.post(
        server.sparql_url, data=query.encode(), headers={"Content-Type": "application/sparql-query"}, timeout=60
    )
    assert response.status_code == 413
    assert _alive(server)


def test_form_query_over_the_limit_is_413(server):
    response = requests.post(server.sparql_url, data={"query": "ASK {} #" + "x" * MAX_BODY}, timeout=60)
    assert response.status_code == 413


def test_chunked_body_without_length_is_bounded_too(server):
    def chunks():
        yield b"ASK {} #"
        for _ in range(40):
            yield b"x" * 65536

    response = requests.post(
        server.sparql_url, data=chunks(), headers={"Content-Type": "application/sparql-query"}, timeout=60
    )
    assert response.status_code == 413
    assert _alive(server)


def test_overlong_get_url_is_414_and_post_works_for_the_same_query(server):
    query = "ASK { ?s ?p ?o } #" + "x" * 9000
    response = requests.get(server.sparql_url, params={"query": query}, timeout=30)
    assert response.status_code == 414
    assert server.query(query).status_code == 200


def test_absurdly_deep_nesting_is_400_not_an_executor_crash(server):
    for opening, closing, core in (("{", "}", " ?s ?p ?o "), ("(", ")", "1")):
        depth = 20_000
        inner = opening * depth + core + closing * depth
        query = f"SELECT * WHERE {inner}" if opening == "{" else f"SELECT * WHERE {{ FILTER({inner}) }}"
        response = server.query(query)
        assert response.status_code == 400 and "limit is 1000" in response.text
    nested_but_fine = "SELECT * WHERE " + "{" * 200 + " ?s ?p ?o " + "}" * 200 + " LIMIT 1"
    assert server.query(nested_but_fine).status_code == 200
    assert _alive(server)
