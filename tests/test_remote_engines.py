"""The same application over external engines: ``bricskg serve --backend`` against a live
``oxigraph serve`` and a live Virtuoso 7.

Each test runs once per engine. The tests start a real, separate engine on loopback (the
``oxigraph`` CLI from PyPI; Debian's ``virtuoso-t`` through ``scripts/virtuoso``), load it the way
an operator would (``oxigraph load``; Virtuoso's bulk loader), and run bricskg over it: union-default
reads, the safety checks, validated writes (422 leaves the engine unchanged), the audit record,
the Graph Store Protocol, the W3C update tests, and a 503 when the engine goes away.
Oxigraph runs with its standard default graph and the query URL carries ``?union-default-graph``;
Virtuoso's default graph is the union already, and its update endpoint asks for HTTP Digest
credentials (see bricskg.store.remote and bricskg.store.engines).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from live_server import live_server
from oxigraph_engine import ONTOLOGY_GRAPH, OxigraphServer
from shared_material import missing
from sparql_http import post_query, post_update
from virtuoso_engine import VirtuosoServer, home_quads, virtuoso_param
from test_w3c_protocol_updates import PROTOCOL_MANIFEST, run_exchange, update_tests
from test_write_validation import EX, G1, VIOLATIONS, make_home

TOKEN = "remote-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


ENGINES = ["oxigraph", virtuoso_param()]


def start_engine(name: str, root: Path, home: Path):
    if name == "virtuoso":
        return VirtuosoServer(root / "virtuoso", home_quads(home))
    return OxigraphServer(root / "oxigraph", home)


@pytest.fixture(scope="module", params=ENGINES)
def stack(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp(f"remote-{request.param}")
    home = make_home(root / "home")
    engine = start_engine(request.param, root, home)
    env = {"BRICSKG_ADMIN_TOKEN": TOKEN, "BRICSKG_HOME": str(home), **engine.credentials_env}
    try:
        with live_server("--backend", engine.backend, env=env) as server:
            yield engine, server
    finally:
        engine.stop()


def select(server, query: str) -> list[dict]:
    return post_query(server, query)["results"]["bindings"]


def update(server, text: str) -> requests.Response:
    return post_update(server, text, AUTH)


def test_reads_see_the_union_of_all_graphs_like_the_embedded_store(stack) -> None:
    engine, server = stack
    rows = select(server, f"SELECT ?name WHERE {{ <{EX}bob> <{EX}name> ?name }}")
    assert [row["name"]["value"] for row in rows] == ["Bob"]  # stored in a named graph, found without GRAPH
    union = select(server, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    per_graph = select(server, "SELECT (COUNT(DISTINCT *) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert int(union[0]["n"]["value"]) == int(per_graph[0]["n"]["value"]) > 0


def test_an_explicit_dataset_is_not_widened_to_the_union(stack) -> None:
    _, server = stack
    response = requests.get(
        server.base_url + "/sparql",
        params={"query": f"ASK {{ <{EX}bob> ?p ?o }}", "default-graph-uri": ONTOLOGY_GRAPH},
        headers={"Accept": "application/sparql-results+json"},
        timeout=60,
    )
    assert response.status_code == 200 and response.json()["boolean"] is False


def test_service_is_refused_before_it_reaches_the_engine(stack) -> None:
    _, server = stack
    response = requests.get(
        server.base_url + "/sparql",
        params={"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"},
        timeout=60,
    )
    assert response.status_code == 400
    assert "ederation" in response.text


def test_a_malformed_query_is_a_400_not_a_500(stack) -> None:
    _, server = stack
    response = requests.get(server.base_url + "/sparql", params={"query": "SELECT WHERE {"}, timeout=60)
    assert response.status_code == 400


def test_a_violating_write_is_rejected_and_the_engine_is_unchanged(stack) -> None:
    engine, server = stack
    before = engine.quads()
    for text in VIOLATIONS.values():
        response = update(server, text)
        assert response.status_code == 422, response.text
        assert response.json()["conforms"] is False
    assert engine.quads() == before


def test_a_valid_write_reaches_the_engine_with_its_audit_record(stack) -> None:
    engine, server = stack
    response = update(
        server, f'PREFIX ex: <{EX}> INSERT DATA {{ GRAPH <{G1}> {{ ex:remo a ex:Person ; ex:name "Remo" ; ex:knows ex:alice }} }}'
    )
    assert response.status_code == 200, response.text
    direct = requests.post(
        engine.query_url,
        data={"query": f'ASK {{ GRAPH <{G1}> {{ <{EX}remo> <{EX}name> "Remo" }} }}'},
        headers={"Accept": "application/sparql-results+json"},
        timeout=60,
    )
    assert direct.json()["boolean"] is True
    assert select(server, f'SELECT * WHERE {{ <{EX}remo> <{EX}name> "Remo" }}')  # visible through bricskg at once
    audit = select(
        server,
        "SELECT ?a WHERE { GRAPH <https://w3id.org/bricskg/graph/audit> { ?a <http://www.w3.org/ns/prov#generated> <"
        + G1
        + "> } }",
    )
    assert audit


def test_graph_store_protocol_over_the_engine(stack) -> None:
    _, server = stack
    graph = "http://example.org/remote/gsp"
    body = f'<{EX}zoe> a <{EX}Person> ; <{EX}name> "Zoe" .'
    put = requests.put(server.base_url + "/store", params={"graph": graph}, data=body.encode(), headers={"Content-Type": "text/turtle", **AUTH}, timeout=60)
    assert put.status_code == 201, put.text
    got = requests.get(server.base_url + "/store", params={"graph": graph}, headers={"Accept": "application/n-triples"}, timeout=60)
    assert got.status_code == 200 and '"Zoe"' in got.text
    bad = requests.put(server.base_url + "/store", params={"graph": graph}, data=f"<{EX}zoe> a <{EX}Person> .".encode(), headers={"Content-Type": "text/turtle", **AUTH}, timeout=60)
    assert bad.status_code == 422
    gone = requests.delete(server.base_url + "/store", params={"graph": graph}, headers=AUTH, timeout=60)
    assert gone.status_code == 204
    assert requests.get(server.base_url + "/store", params={"graph": graph}, timeout=60).status_code == 404


@pytest.mark.skipif(not PROTOCOL_MANIFEST.exists(), reason=missing("sparql11", PROTOCOL_MANIFEST))
@pytest.mark.parametrize("test", update_tests(), ids=lambda test: test.name)
def test_w3c_protocol_update_over_the_engine(stack, test) -> None:
    _, server = stack
    for exchange in test.requests:
        run_exchange(server.base_url, exchange, {}, AUTH)


@pytest.mark.parametrize("engine_name", ENGINES)
def test_an_engine_that_goes_away_gives_503_and_bricskg_stays_up(engine_name: str, tmp_path: Path) -> None:
    home = make_home(tmp_path / "home")
    engine = start_engine(engine_name, tmp_path, home)
    try:
        query_only = engine.backend.split(",")[0]
        with live_server("--backend", query_only, env={"BRICSKG_HOME": str(home)}) as server:
            assert requests.get(server.base_url + "/sparql", params={"query": "ASK {}"}, timeout=60).status_code == 200
            engine.stop()
            response = requests.get(server.base_url + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=60)
            assert response.status_code == 503
            assert "unreachable" in response.text
            assert server.is_alive()
    finally:
        engine.stop()


def test_dumps_and_void_over_the_engine_hold_its_quads(stack) -> None:
    """The dumps read the engine's quads as stored (not through a bounded query answer): the N-Quads
    dump is the engine's stated dataset, the N-Triples dump its union, and VoID counts both."""
    import rdflib

    engine, server = stack
    quads = requests.get(server.base_url + "/dumps/bricskg.nq", timeout=120)
    triples = requests.get(server.base_url + "/dumps/bricskg.nt", timeout=120)
    assert quads.status_code == triples.status_code == 200
    # every stated quad: the inferred graph the engine also holds is in no dump (bricskg.web.dump_files)
    named = select(server, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER(?g != <https://w3id.org/bricskg/graph/inferred>) }")
    quad_lines = [line for line in quads.text.splitlines() if line.strip()]
    dataset = rdflib.Dataset()
    dataset.parse(data=quads.text, format="nquads")
    default = rdflib.Dataset().default_graph.identifier
    in_named = [g for _, _, _, g in dataset.quads((None, None, None, None)) if getattr(g, "identifier", g) != default]
    assert len(in_named) == int(named[0]["n"]["value"]) > 0
    union = {(s, p, o) for s, p, o, _ in dataset.quads((None, None, None, None))}
    assert len(rdflib.Graph().parse(data=triples.text, format="nt")) == len(union)
    void = rdflib.Graph().parse(data=requests.get(server.base_url + "/.well-known/void", headers={"Accept": "text/turtle"}, timeout=120).text, format="turtle")
    counts = {str(s).rsplit("#", 1)[1]: int(o) for s, o in void.subject_objects(rdflib.URIRef("http://rdfs.org/ns/void#triples")) if "#bricskg" in str(s)}
    assert counts == {"bricskg": len(union), "bricskg-quads": len(quad_lines)}
