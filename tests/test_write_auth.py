"""Who may write: nobody without BRICSKG_ADMIN_TOKEN; with it, only ``Authorization: Bearer <token>``.

Missing credentials → 401 with a ``WWW-Authenticate: Bearer`` challenge; wrong ones → 403; writes
disabled → 403 saying the endpoint is read-only. Reads stay public. Every accepted write leaves a
PROV activity in the audit graph naming the token's *name*, never the token.
"""

from __future__ import annotations

import pytest
import requests

from live_server import live_server
from protocol_home import protocol_home

TOKEN = "s3cret-Token-value"
AUDIT = "https://w3id.org/bricskg/graph/audit"
INSERT = b'INSERT DATA { GRAPH <http://example.org/auth/g> { <http://example.org/auth/s> <http://example.org/auth/p> "o" } }'
TURTLE = b'<http://example.org/auth/s> <http://example.org/auth/p> "o" .'


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("auth")
    env = {"BRICSKG_ADMIN_TOKEN": TOKEN, "BRICSKG_HOME": str(protocol_home(root))}  # example.org data
    with live_server("--store", str(root / "store"), "--no-bundled", env=env) as running:
        yield running


@pytest.fixture(scope="module")
def read_only_server(tmp_path_factory: pytest.TempPathFactory):
    store = tmp_path_factory.mktemp("auth-ro") / "store"
    with live_server("--store", str(store), "--no-bundled") as running:
        yield running


def sparql_update(base_url: str, headers: dict[str, str]) -> requests.Response:
    return requests.post(
        base_url + "/sparql", data=INSERT, headers={"Content-Type": "application/sparql-update", **headers}, timeout=60
    )


def gsp(base_url: str, method: str, headers: dict[str, str]) -> requests.Response:
    return requests.request(
        method,
        base_url + "/store",
        params={"graph": "http://example.org/auth/gsp"},
        data=TURTLE if method in ("PUT", "POST") else None,
        headers={"Content-Type": "text/turtle", **headers},
        timeout=60,
    )


def count(base_url: str, pattern: str) -> int:
    response = requests.post(
        base_url + "/sparql",
        data=f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}".encode(),
        headers={"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"},
        timeout=60,
    )
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


WRITES = [("sparql", None), ("gsp", "PUT"), ("gsp", "POST"), ("gsp", "DELETE")]


def send(base_url: str, kind: str, method: str | None, headers: dict[str, str]) -> requests.Response:
    return sparql_update(base_url, headers) if kind == "sparql" else gsp(base_url, method or "PUT", headers)


@pytest.mark.parametrize("kind,method", WRITES)
def test_a_write_without_credentials_gets_401_with_a_bearer_challenge(server, kind: str, method: str | None) -> None:
    response = send(server.base_url, kind, method, {})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith('Bearer realm="bricskg"')


@pytest.mark.parametrize("kind,method", WRITES)
def test_a_write_with_a_wrong_token_gets_403(server, kind: str, method: str | None) -> None:
    response = send(server.base_url, kind, method, {"Authorization": "Bearer " + TOKEN[:-1] + "X"})
    assert response.status_code == 403


def test_basic_credentials_are_not_a_bearer_token(server) -> None:
    response = sparql_update(server.base_url, {"Authorization": "Basic " + TOKEN})
    assert response.status_code == 401


def test_refused_writes_change_nothing(server) -> None:
    sparql_update(server.base_url, {})
    sparql_update(server.base_url, {"Authorization": "Bearer wrong"})
    assert count(server.base_url, "GRAPH <http://example.org/auth/g> { ?s ?p ?o }") == 0


def test_the_right_token_writes_and_the_audit_names_the_token_name_not_the_token(server) -> None:
    response = sparql_update(server.base_url, {"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200, response.text
    assert count(server.base_url, "GRAPH <http://example.org/auth/g> { ?s ?p ?o }") == 1
    audit = requests.post(
        server.base_url + "/sparql",
        data=f"""PREFIX prov: <http://www.w3.org/ns/prov#>
        PREFIX a: <https://w3id.org/bricskg/audit/vocab#>
        SELECT ?when ?agent ?added ?removed WHERE {{ GRAPH <{AUDIT}> {{
            ?activity a prov:Activity ; prov:startedAtTime ?when ; prov:wasAssociatedWith ?agent ;
                      prov:generated <http://example.org/auth/g> ; a:quadsAdded ?added ; a:quadsRemoved ?removed }} }}""".encode(),
        headers={"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"},
        timeout=60,
    ).json()["results"]["bindings"]
    assert len(audit) == 1
    row = audit[0]
    assert row["when"]["datatype"] == "http://www.w3.org/2001/XMLSchema#dateTime"
    assert row["agent"]["value"] == "https://w3id.org/bricskg/agent/admin"
    assert (row["added"]["value"], row["removed"]["value"]) == ("1", "0")
    assert count(server.base_url, f'GRAPH <{AUDIT}> {{ ?s ?p ?o FILTER(CONTAINS(STR(?o), "{TOKEN}")) }}') == 0


def test_reads_stay_public_while_writes_need_the_token(server) -> None:
    assert requests.get(server.base_url + "/sparql", params={"query": "ASK {}"}, timeout=60).status_code == 200
    put = gsp(server.base_url, "PUT", {"Authorization": f"Bearer {TOKEN}"})
    assert put.status_code in (201, 204), put.text
    response = requests.get(server.base_url + "/store", params={"graph": "http://example.org/auth/gsp"}, timeout=60)
    assert response.status_code == 200
    assert "http://example.org/auth/s" in response.text


def test_the_audit_graph_cannot_be_written_by_clients(server) -> None:
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/sparql-update"}
    forged = f'INSERT DATA {{ GRAPH <{AUDIT}> {{ <http://example.org/x> <http://example.org/y> "z" }} }}'.encode()
    assert requests.post(server.base_url + "/sparql", data=forged, headers=headers, timeout=60).status_code == 403
    before = count(server.base_url, f"GRAPH <{AUDIT}> {{ ?s ?p ?o }}")
    dropped = requests.post(server.base_url + "/sparql", data=b"DROP ALL", headers=headers, timeout=60)
    assert dropped.status_code == 200
    # DROP ALL empties the data but the audit trail survives it, plus the record of the DROP ALL itself
    assert count(server.base_url, "GRAPH <http://example.org/auth/g> { ?s ?p ?o }") == 0
    assert count(server.base_url, f"GRAPH <{AUDIT}> {{ ?s ?p ?o }}") > before


@pytest.mark.parametrize("kind,method", WRITES)
def test_without_a_configured_token_every_write_is_refused_as_read_only(read_only_server, kind: str, method: str | None) -> None:
    response = send(read_only_server.base_url, kind, method, {"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 403
    assert "read-only" in response.text


def test_serve_refuses_writes_on_an_in_memory_store() -> None:
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", "from bricskg.cli import main; main()", "serve", "--no-bundled", "--port", "0"],
        env={**__import__("os").environ, "BRICSKG_ADMIN_TOKEN": TOKEN},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "in memory" in result.stderr and "--store" in result.stderr
