"""Admission: slow queries beyond the server's capacity get 503 + Retry-After at once, /health and
small queries keep being answered, and no answer comes later than the query time limit (time
spent queued counts against it).

The server has 2 executors (``--threads 2``): one may run a long query; a second long one is stopped
at 0.5 s; others wait at most a second for an executor; small queries use the free one. Bounds are
generous (a busy CI machine): "at once" is asserted as "well before the time limit".
"""

from __future__ import annotations

import threading
import time

import pytest
import requests

from live_server import running_server

TIMEOUT = 8.0
SLOW = "SELECT (COUNT(*) AS ?n) {{ ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }} # {index}"
SLOW_QUERIES = 12


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    data = tmp_path_factory.mktemp("admission") / "data.nt"
    data.write_text(
        "".join(f"<http://example.org/s{i}> <http://example.org/p> \"{i}\" .\n" for i in range(200)), encoding="utf-8"
    )
    args = ["--no-bundled", "--data", str(data), "--query-timeout", str(TIMEOUT), "--threads", "2"]
    with running_server(args) as running:
        yield running


def _send_slow(server, index: int, results: list) -> None:
    started = time.monotonic()
    try:
        response = requests.post(
            server.sparql_url, data=SLOW.format(index=index).encode(),
            headers={"Content-Type": "application/sparql-query"}, timeout=60,
        )
        results.append((response.status_code, response.headers.get("Retry-After"), time.monotonic() - started))
    except requests.RequestException as error:
        results.append((type(error).__name__, None, time.monotonic() - started))


def test_slow_queries_beyond_capacity_get_503_at_once_while_health_and_small_queries_answer(server) -> None:
    results: list = []
    threads = [threading.Thread(target=_send_slow, args=(server, index, results)) for index in range(SLOW_QUERIES)]
    for thread in threads:
        thread.start()
    time.sleep(1.5)
    health = requests.get(server.at("/health"), timeout=TIMEOUT / 2)
    small = server.query("ASK { <http://example.org/s1> ?p ?o } # while slow queries run", timeout=TIMEOUT / 2)
    for thread in threads:
        thread.join(60)
    assert health.status_code == 200
    assert small.status_code == 200 and small.json()["boolean"] is True
    assert len(results) == SLOW_QUERIES and all(status == 503 for status, _, _ in results), results
    assert all(retry_after for _, retry_after, _ in results)
    refused_at_once = [elapsed for _, _, elapsed in results if elapsed < TIMEOUT / 2]
    assert len(refused_at_once) >= SLOW_QUERIES - 1, results  # all but the one long query allowed
    assert max(elapsed for _, _, elapsed in results) < TIMEOUT + 3, results


def test_the_server_answers_normally_after_the_burst(server) -> None:
    response = server.query("SELECT (COUNT(*) AS ?n) { ?s ?p ?o } # after the burst", timeout=30)
    assert response.status_code == 200
    assert response.json()["results"]["bindings"][0]["n"]["value"] == "200"


def test_a_query_known_to_run_long_is_refused_at_once_while_the_long_lanes_are_full(server) -> None:
    results: list = []
    holder = threading.Thread(target=_send_slow, args=(server, "holder", results))
    holder.start()
    time.sleep(1.5)  # the holder has passed its probation and holds the one long lane
    answers = []
    # the shape is remembered once its run used enough CPU (a starved machine may take a while)
    while holder.is_alive() and not any("ran longer than 0.5 s before" in text for _, text in answers):
        response = server.query(SLOW.format(index=f"same shape, attempt {len(answers)}"), timeout=TIMEOUT)
        answers.append((response.status_code, response.text))
        time.sleep(0.3)
    holder.join(60)
    assert all(status == 503 for status, _ in answers), answers
    assert any("ran longer than 0.5 s before" in text for _, text in answers), answers
    assert server.query("ASK { ?s ?p ?o } # short queries still run", timeout=TIMEOUT).status_code == 200
