"""The write gate with the real bricskg data and shapes/: writes that break the project's own rules
are refused (422) and change nothing; a correction that keeps the data valid commits."""

from __future__ import annotations

import pytest
import requests

from live_server import live_server

TOKEN = "bundled-token"
PREFIXES = """PREFIX bkg: <https://w3id.org/bricskg/ontology/>
PREFIX bkgr: <https://w3id.org/bricskg/id/>
PREFIX graph: <https://w3id.org/bricskg/graph/>
PREFIX claim: <https://w3id.org/bricskg/claim/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    store = tmp_path_factory.mktemp("bundled") / "store"
    with live_server("--store", str(store), env={"BRICSKG_ADMIN_TOKEN": TOKEN}) as running:
        yield running


def update(server, text: str) -> requests.Response:
    return requests.post(
        server.base_url + "/sparql",
        data=(PREFIXES + text).encode(),
        headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}", "Accept": "application/json"},
        timeout=300,
    )


def fingerprint(server) -> str:
    response = requests.post(
        server.base_url + "/sparql",
        data=b"SELECT (COUNT(*) AS ?n) (GROUP_CONCAT(DISTINCT STR(?g)) AS ?gs) WHERE { GRAPH ?g { ?s ?p ?o } FILTER(?g != <https://w3id.org/bricskg/graph/audit>) }",
        headers={"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"},
        timeout=60,
    )
    assert response.status_code == 200, response.text
    row = response.json()["results"]["bindings"][0]
    return row["n"]["value"] + "|" + str(sorted(row["gs"]["value"].split()))


BREAKING = {
    "a_state_without_a_label": 'INSERT DATA { GRAPH graph:reference { bkgr:atlantis a bkg:State } }',
    # the label is stated in two graphs (reference and a claim graph): removing it from one is fine
    # (the union still has it, see the last test), removing it everywhere is not
    "removing_brazils_label_everywhere": "DELETE WHERE { GRAPH ?g { bkgr:brazil rdfs:label ?label } }",
    "a_second_english_label": 'INSERT DATA { GRAPH graph:reference { bkgr:brazil rdfs:label "Brasil"@en } }',
    # rules about the named graphs themselves (nanopublication-style claims)
    "a_claim_graph_without_provenance": 'INSERT DATA { GRAPH claim:made-up { bkgr:brazil rdfs:comment "x"@en } }',
    "dropping_a_claim_graph": "DROP GRAPH claim:putin-emphasizes-ai-importance",
    "an_entity_iri_outside_the_namespace": 'INSERT DATA { GRAPH graph:reference { <http://example.org/x> a bkg:State ; rdfs:label "X"@en } }',
    # the dataset's own rules (shapes/dataset.ttl): no unsourced fact, no misspelled term, no
    # ill-typed literal, no character XML cannot carry
    "a_bare_default_graph_triple": "INSERT DATA { bkgr:iran bkg:trend bkg:trendIntensifying }",
    "a_graph_outside_the_layout": 'INSERT DATA { GRAPH <http://example.org/g> { bkgr:iran rdfs:comment "x"@en } }',
    "an_untyped_reference_node": 'INSERT DATA { GRAPH graph:reference { bkgr:atlantis rdfs:label "Atlantis"@en } }',
    "a_misspelled_property": "INSERT DATA { GRAPH graph:reference { bkgr:iran bkg:signedBye bkgr:russia } }",
    "a_misspelled_class": "INSERT DATA { GRAPH graph:reference { bkgr:iran a bkg:Sate } }",
    "an_ill_typed_year": 'INSERT DATA { GRAPH graph:reference { bkgr:year-twenty a <http://www.w3.org/2006/time#Instant> ; '
    'rdfs:label "twenty"@en ; <http://www.w3.org/2006/time#inXSDgYear> "twenty"^^<http://www.w3.org/2001/XMLSchema#gYear> } }',
    "a_label_holding_u0001": 'INSERT DATA { GRAPH graph:reference { bkgr:iran <http://www.w3.org/2004/02/skos/core#altLabel> "Ir\\u0001an"@en } }',
    "a_label_holding_uffff": 'INSERT DATA { GRAPH graph:reference { bkgr:iran <http://www.w3.org/2004/02/skos/core#altLabel> "Iran\\uFFFF"@en } }',
    "a_label_holding_u0000": 'INSERT DATA { GRAPH graph:reference { bkgr:iran <http://www.w3.org/2004/02/skos/core#altLabel> "Ir\\u0000an"@en } }',
}


@pytest.mark.parametrize("name", sorted(BREAKING))
def test_a_write_breaking_the_bricskg_shapes_is_refused(server, name: str) -> None:
    before = fingerprint(server)
    response = update(server, BREAKING[name])
    assert response.status_code == 422, response.text
    assert response.json()["violations"] >= 1
    assert fingerprint(server) == before


def test_a_label_correction_that_keeps_the_data_valid_commits(server) -> None:
    response = update(
        server,
        "DELETE WHERE { GRAPH ?g { bkgr:brazil rdfs:label ?label } } ; "
        'INSERT DATA { GRAPH graph:reference { bkgr:brazil rdfs:label "Federative Republic of Brazil"@en } }',
    )
    assert response.status_code == 200, response.text
    assert int(response.headers["Bricskg-Validated-Focus-Nodes"]) >= 1
