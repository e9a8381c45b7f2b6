"""Naive queries get the ontology's entailments: in-process, over HTTP, and after writes.

The naive competency questions (ontology/competency-questions/naive/) use no property paths and no
subClassOf*: only the served entailment regime (the inferred graph in the default union) answers
them. Without it they must fail, or they would not be testing the regime.
"""

from __future__ import annotations

import pytest
import rdflib

from bricskg.competency import answers_match, describe_mismatch, load_questions, questions_dir, rows_from_oxigraph
from bricskg.dataset import open_memory_store
from bricskg.inference import INFERRED_GRAPH, materialise
from live_server import running_server

NAIVE = load_questions(questions_dir() / "naive")
SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
RDFS_REGIME = "http://www.w3.org/ns/entailment/RDFS"
TOKEN = "naive-questions-token"


def test_there_are_naive_questions_and_none_in_the_main_list():
    assert len(NAIVE) >= 6
    assert not {q.id for q in NAIVE} & {q.id for q in load_questions()}


@pytest.fixture(scope="module")
def inferred_store():
    store = open_memory_store()
    materialise(store)
    return store


@pytest.mark.parametrize("question", NAIVE, ids=lambda q: q.id)
def test_naive_question_is_answered_in_process_with_the_inferred_graph(question, inferred_store):
    rows = rows_from_oxigraph(inferred_store.query(question.sparql, use_default_graph_as_union=True))
    assert answers_match(question, rows), describe_mismatch(question, rows)


@pytest.mark.parametrize("question", NAIVE, ids=lambda q: q.id)
def test_naive_question_is_not_answered_from_the_stated_triples_alone(question):
    rows = rows_from_oxigraph(open_memory_store().query(question.sparql, use_default_graph_as_union=True))
    assert not answers_match(question, rows)


@pytest.mark.parametrize("question", NAIVE, ids=lambda q: q.id)
def test_naive_question_is_answered_over_http(question, live_server):
    response = live_server.query(question.sparql)
    assert response.status_code == 200, response.text
    assert answers_match(question, response.json()), describe_mismatch(question, response.json())


def test_health_service_description_and_void_declare_the_regime(live_server):
    health = live_server.get("/health").json()
    assert health["entailment"]["regime"] == RDFS_REGIME
    assert health["entailment"]["graph"] == INFERRED_GRAPH
    assert health["entailment"]["inferred_triples"] > 0
    description = rdflib.Graph().parse(data=live_server.get("/sparql", headers={"Accept": "text/turtle"}).text, format="turtle")
    regime = next(description.objects(None, SD.defaultEntailmentRegime))
    assert str(regime) == RDFS_REGIME
    assert "OWL 2 RL" in str(description.value(regime, rdflib.RDFS.comment))


def test_inferred_triples_can_be_told_from_stated_ones(live_server):
    """GRAPH <…/inferred> holds the entailments only: signedBy is stated, party inferred."""
    query = f"""PREFIX bkg: <https://w3id.org/bricskg/ontology/>
        SELECT ?p WHERE {{ GRAPH <{INFERRED_GRAPH}> {{ ?a ?p <https://w3id.org/bricskg/id/iran> }} }}"""
    rows = live_server.query(query).json()["results"]["bindings"]
    assert {row["p"]["value"] for row in rows} == {"https://w3id.org/bricskg/ontology/party"}


def test_dumps_hold_the_stated_triples_not_the_entailments(live_server):
    response = live_server.get("/dumps/bricskg.nq")
    assert response.status_code == 200
    assert INFERRED_GRAPH.encode() not in response.content
    founding = b"<https://w3id.org/bricskg/id/brazil> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/bricskg/ontology/FoundingMemberState>"
    assert founding not in response.content


def test_no_inference_serves_the_stated_triples_only(live_server_factory):
    server = live_server_factory("--no-inference")
    assert server.get("/health").json()["entailment"] == "simple"
    for question in NAIVE:
        assert not answers_match(question, server.query(question.sparql).json()), question.id
    description = rdflib.Graph().parse(data=server.get("/sparql", headers={"Accept": "text/turtle"}).text, format="turtle")
    assert str(next(description.objects(None, SD.defaultEntailmentRegime))) == "http://www.w3.org/ns/entailment/Simple"


# --- writes: the inferred graph follows them, and clients cannot write it ---------------------------------


@pytest.fixture(scope="module")
def writable(tmp_path_factory):
    store = tmp_path_factory.mktemp("naive") / "store"
    with running_server(["--store", str(store)], env={"BRICSKG_ADMIN_TOKEN": TOKEN}) as server:
        yield server


def _update(server, text: str):
    return server.post(
        "/sparql", data=text.encode(), headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"}
    )


FOUNDING = next(q for q in NAIVE if q.id.startswith("naive-04"))
PREFIXES = """PREFIX bkg: <https://w3id.org/bricskg/ontology/> PREFIX bkgr: <https://w3id.org/bricskg/id/>
PREFIX org: <http://www.w3.org/ns/org#>
"""


def _founders(server) -> set[str]:
    rows = server.query(FOUNDING.sparql).json()["results"]["bindings"]
    return {row["state"]["value"] for row in rows}


def test_a_write_is_followed_by_the_inferred_graph_both_ways(writable):
    """Brazil's membership role changed to expansion and back: the defined classes follow."""
    brazil = "https://w3id.org/bricskg/id/brazil"
    assert brazil in _founders(writable)
    swap = PREFIXES + """DELETE {{ GRAPH ?g {{ bkgr:brics-membership-brazil org:role bkg:{old} }} }}
        INSERT {{ GRAPH ?g {{ bkgr:brics-membership-brazil org:role bkg:{new} }} }}
        WHERE {{ GRAPH ?g {{ bkgr:brics-membership-brazil org:role bkg:{old} }} }}"""
    changed = _update(writable, swap.format(old="roleFoundingMember", new="roleExpansionMember"))
    assert changed.status_code == 200, changed.text
    assert brazil not in _founders(writable)
    expansion = writable.query(PREFIXES + "ASK { bkgr:brazil a bkg:ExpansionMemberState }").json()["boolean"]
    assert expansion is True
    restored = _update(writable, swap.format(old="roleExpansionMember", new="roleFoundingMember"))
    assert restored.status_code == 200, restored.text
    assert brazil in _founders(writable)
    assert writable.query(PREFIXES + "ASK { bkgr:brazil a bkg:ExpansionMemberState }").json()["boolean"] is False


def test_a_new_signatory_is_a_party_after_the_write(writable):
    query = PREFIXES + "ASK { bkgr:russia-iran-partnership-agreement bkg:party bkgr:china }"
    assert writable.query(query).json()["boolean"] is False
    response = _update(
        writable,
        PREFIXES + "INSERT DATA { GRAPH <https://w3id.org/bricskg/claim/russia-iran-partnership-agreement> "
        "{ bkgr:russia-iran-partnership-agreement bkg:signedBy bkgr:china } }",
    )
    assert response.status_code == 200, response.text
    assert writable.query(query).json()["boolean"] is True


@pytest.mark.parametrize(
    "update",
    [
        f"INSERT DATA {{ GRAPH <{INFERRED_GRAPH}> {{ <urn:x:a> <urn:x:b> <urn:x:c> }} }}",
        f"DROP GRAPH <{INFERRED_GRAPH}>",
        f"DELETE WHERE {{ GRAPH <{INFERRED_GRAPH}> {{ ?s ?p ?o }} }}",
    ],
)
def test_clients_cannot_write_the_inferred_graph(writable, update):
    response = _update(writable, update)
    assert response.status_code == 403, response.text
    assert "inferred graph" in response.text


def test_graph_store_protocol_cannot_replace_the_inferred_graph(writable):
    response = writable.post(
        "/store",
        params={"graph": INFERRED_GRAPH},
        data=b"<urn:x:a> <urn:x:b> <urn:x:c> .",
        headers={"Content-Type": "application/n-triples", "Authorization": f"Bearer {TOKEN}"},
    )
    assert response.status_code == 403, response.text


def test_an_on_disk_store_served_without_inference_keeps_no_stale_inferred_graph(live_server_factory, tmp_path):
    """The inferred graph is recomputed at every start; with --no-inference it is dropped, not served stale."""
    store = tmp_path / "store"
    ask = f"ASK {{ GRAPH <{INFERRED_GRAPH}> {{ ?s ?p ?o }} }}"
    first = live_server_factory("--store", str(store), "--workers", "1")
    assert first.query(ask).json()["boolean"] is True
    first.stop()
    second = live_server_factory("--store", str(store), "--workers", "1", "--no-inference")
    assert second.query(ask).json()["boolean"] is False
    assert second.get("/health").json()["entailment"] == "simple"
    second.stop()
    third = live_server_factory("--store", str(store), "--workers", "1")
    assert third.query(ask).json()["boolean"] is True
