"""A query that needs more memory than one query may have is stopped with a 503 that says so, and
the server goes on: an anonymous ``ORDER BY`` over a cross product used to take a worker from
88 MB to 9 GB before its timeout, and two or three of them exhausted the machine."""

from __future__ import annotations

import pytest
import requests

from live_server import running_server

LIMIT_MIB = 64
CROSS_PRODUCT = "SELECT * { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c ?f ?i LIMIT 1"  # as probed


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    # 100 triples: 1,000,000 rows to sort, several hundred MB without a limit — under 1 GB either way
    data = tmp_path_factory.mktemp("memory") / "data.nt"
    data.write_text(
        "".join(f"<http://example.org/s{i}> <http://example.org/p> \"value {i}\" .\n" for i in range(100)),
        encoding="utf-8",
    )
    args = ["--no-bundled", "--data", str(data), "--threads", "2", "--query-timeout", "60",
            "--query-memory", str(LIMIT_MIB)]
    with running_server(args) as running:
        yield running


def _query(server, text: str, accept: str = "application/sparql-results+json") -> requests.Response:
    return requests.post(
        server.sparql_url, data=text.encode(), headers={"Content-Type": "application/sparql-query", "Accept": accept},
        timeout=120,
    )


def test_a_query_over_the_memory_limit_is_a_503_naming_the_limit(server):
    response = _query(server, CROSS_PRODUCT)
    assert response.status_code == 503, response.text[:300]
    assert "memory" in response.text and f"{LIMIT_MIB} MiB" in response.text, response.text


def test_the_server_answers_small_queries_after_a_query_hit_the_limit(server):
    assert _query(server, CROSS_PRODUCT).status_code == 503
    assert requests.get(server.at("/health"), timeout=60).status_code == 200
    small = _query(server, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", accept="text/csv")
    assert small.status_code == 200 and small.text.split()[-1] == "100"


def test_a_query_under_the_limit_is_not_affected(server):
    response = _query(server, "SELECT * { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f LIMIT 1")  # 10,000 rows
    assert response.status_code == 200, response.text[:300]
