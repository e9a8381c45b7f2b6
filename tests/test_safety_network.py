"""No query makes the server touch the network: a loopback listener must receive nothing.

SERVICE (any case, any nesting) is refused with 400 "Federation is disabled"; FROM, FROM NAMED,
``default-graph-uri`` and ``named-graph-uri`` naming the listener's URL only select (absent, so
empty) graphs of the store. pyoxigraph would fetch a SERVICE URL if the check were removed: these
tests then fail on the listener's connection log as well as on the status.
"""

from __future__ import annotations

import socket
import time

import pytest
import requests

from live_server import running_server
from loopback_listener import EMPTY_TURTLE_RESPONSE, LoopbackListener
from test_safety_parsing import SERVICE_QUERIES


@pytest.fixture(scope="module")
def listener():
    listener = LoopbackListener(answer=EMPTY_TURTLE_RESPONSE)
    yield listener
    listener.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    data = tmp_path_factory.mktemp("ssrf") / "data.ttl"
    data.write_text("<http://example.org/s> <http://example.org/p> 'local' .\n", encoding="utf-8")
    with running_server(["--no-bundled", "--data", str(data)]) as running:
        yield running


def test_listener_works(listener):
    """The proof is only as good as the listener: a direct connection must be recorded."""
    before = len(listener.connections)
    with socket.create_connection(("127.0.0.1", listener.port), timeout=2) as conn:
        conn.sendall(b"GET / HTTP/1.0\r\n\r\n")
        conn.recv(100)
    time.sleep(0.3)
    assert len(listener.connections) == before + 1
    listener.connections.clear()


@pytest.mark.parametrize("template", SERVICE_QUERIES)
def test_service_clause_is_refused_with_400_and_nothing_is_fetched(server, listener, template):
    query = template.replace("http://127.0.0.1:9", listener.url)
    for response in (
        requests.get(server.sparql_url, params={"query": query}, timeout=30),
        requests.post(server.sparql_url, data={"query": query}, timeout=30),
        requests.post(server.sparql_url, data=query.encode(), headers={"Content-Type": "application/sparql-query"}, timeout=30),
    ):
        assert response.status_code == 400, response.text
        assert "Federation is disabled" in response.text
    assert listener.received_nothing(), listener.connections


@pytest.mark.parametrize(
    "query, params",
    [
        ("SELECT * FROM <{url}/data.ttl> WHERE {{ ?s ?p ?o }}", {}),
        ("SELECT * FROM NAMED <{url}/data.ttl> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}", {}),
        ("select * from <{url}/a.ttl> from named <{url}/b.ttl> where {{ {{ ?s ?p ?o }} UNION {{ GRAPH ?g {{ ?s ?p ?o }} }} }}", {}),
        ("SELECT * WHERE {{ ?s ?p ?o }}", {"default-graph-uri": "{url}/data.ttl"}),
        ("SELECT * WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}", {"named-graph-uri": "{url}/data.ttl"}),
        ("CONSTRUCT {{ ?s ?p ?o }} FROM <{url}/data.ttl> WHERE {{ ?s ?p ?o }}", {}),
        ("DESCRIBE <{url}/data.ttl>", {}),
    ],
)
def test_dataset_iris_only_select_graphs_of_the_store_and_fetch_nothing(server, listener, query, params):
    query = query.format(url=listener.url)
    params = {name: value.format(url=listener.url) for name, value in params.items()}
    response = requests.get(server.sparql_url, params={"query": query, **params}, timeout=30)
    assert response.status_code == 200, response.text
    if response.headers["Content-Type"].startswith("application/sparql-results+json"):
        assert response.json()["results"]["bindings"] == []  # the graph is not in the store: empty
    else:
        assert response.text.strip() == ""
    assert listener.received_nothing(), listener.connections


def test_local_data_still_answers_after_the_refusals(server):
    response = server.query("SELECT ?o { ?s ?p ?o }")
    assert [row["o"]["value"] for row in response.json()["results"]["bindings"]] == ["local"]
