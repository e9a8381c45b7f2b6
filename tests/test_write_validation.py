"""Every write is SHACL-gated: a violating write gets 422 + the report and changes nothing; a valid
write is visible at once; a small write into a big graph re-validates only its neighbourhood.

The server runs on a small project home of its own (``BRICSKG_HOME``: ontology/, shapes/, data/)
so the verdicts here do not move when the bundled shapes evolve; ``test_write_bundled_shapes.py``
checks the gate with the real bricskg shapes.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import rdflib
import requests

from live_server import live_server

TOKEN = "validation-token"
EX = "http://example.org/people#"
G1 = "http://example.org/people/g1"
UPDATE = {"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"}

ONTOLOGY = """\
@prefix ex: <http://example.org/people#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/bricskg/ontology> a owl:Ontology .
ex:Person a owl:Class .
ex:Employee a owl:Class ; rdfs:subClassOf ex:Person .
ex:name a owl:DatatypeProperty .
ex:knows a owl:ObjectProperty .
"""

SHAPES = """\
@prefix ex: <http://example.org/people#> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:PersonShape a sh:NodeShape ;
    sh:targetClass ex:Person ;
    sh:property [ sh:path ex:name ; sh:minCount 1 ; sh:maxCount 1 ; sh:datatype xsd:string ;
                  sh:message "A person has exactly one name (a string)." ] ;
    sh:property [ sh:path ex:knows ; sh:class ex:Person ; sh:message "One knows persons only." ] .
"""

DATA = f"""\
@prefix ex: <http://example.org/people#> .
<{G1}> {{
    ex:alice a ex:Person ; ex:name "Alice" .
    ex:bob a ex:Employee ; ex:name "Bob" ; ex:knows ex:alice .
}}
"""


def make_home(root: Path) -> Path:
    for folder, name, text in (("ontology", "people.ttl", ONTOLOGY), ("shapes", "people.ttl", SHAPES), ("data", "people.trig", DATA)):
        (root / folder).mkdir(parents=True, exist_ok=True)
        (root / folder / name).write_text(text, encoding="utf-8")
    return root


def crowd(path: Path, size: int) -> Path:
    """``size`` valid people in one graph: the 'big graph' a small write lands in."""
    lines = [f"@prefix ex: <{EX}> .", f"<{G1}> {{"]
    for index in range(size):
        lines.append(f'  ex:p{index} a ex:Person ; ex:name "P{index}" ; ex:knows ex:p{(index + 1) % size} .')
    lines.append("}")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("people-home")
    home = make_home(root / "home")
    extra = crowd(root / "crowd.trig", 2000)
    env = {"BRICSKG_ADMIN_TOKEN": TOKEN, "BRICSKG_HOME": str(home)}
    with live_server("--store", str(root / "store"), "--data", str(extra), env=env) as running:
        yield running


def update(server, text: str, accept: str = "application/json") -> requests.Response:
    return requests.post(
        server.base_url + "/sparql", data=text.encode(), headers={**UPDATE, "Accept": accept}, timeout=120
    )


def dump(server) -> frozenset[tuple[str, ...]]:
    """Every quad the server holds, audit graph included (compared before/after a rejected write)."""
    response = requests.post(
        server.base_url + "/sparql",
        data=b"SELECT ?s ?p ?o ?g WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }",
        headers={"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"},
        timeout=60,
    )
    assert response.status_code == 200, response.text
    rows = response.json()["results"]["bindings"]
    assert rows, "the store should not be empty"
    return frozenset(
        tuple(json.dumps(row.get(name), sort_keys=True) for name in ("s", "p", "o", "g")) for row in rows
    )


def ask(server, pattern: str) -> bool:
    response = requests.post(
        server.base_url + "/sparql",
        data=f"PREFIX ex: <{EX}> ASK {{ {pattern} }}".encode(),
        headers={"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"},
        timeout=60,
    )
    assert response.status_code == 200, response.text
    return response.json()["boolean"]


VIOLATIONS = {
    "person_without_name": f'PREFIX ex: <{EX}> INSERT DATA {{ GRAPH <{G1}> {{ ex:carol a ex:Person }} }}',
    "removing_a_required_name": f'PREFIX ex: <{EX}> DELETE DATA {{ GRAPH <{G1}> {{ ex:alice ex:name "Alice" }} }}',
    "second_name_by_template": f'PREFIX ex: <{EX}> INSERT {{ GRAPH <{G1}> {{ ?p ex:name "again" }} }} WHERE {{ GRAPH <{G1}> {{ ?p ex:name "Bob" }} }}',
    # alice stops being a Person: bob (who knows her) now violates sh:class -- a referrer, not a changed node
    "untyping_breaks_a_referrer": f"PREFIX ex: <{EX}> DELETE DATA {{ GRAPH <{G1}> {{ ex:alice a ex:Person }} }}",
    # the second operation makes the first one's data invalid: validated as one request
    "later_operation_breaks_earlier": (
        f'PREFIX ex: <{EX}> INSERT DATA {{ GRAPH <{G1}> {{ ex:dan a ex:Person ; ex:name "Dan" }} }} ; '
        f"DELETE WHERE {{ GRAPH <{G1}> {{ ex:dan ex:name ?n }} }}"
    ),
}


@pytest.mark.parametrize("name", sorted(VIOLATIONS))
def test_a_violating_update_is_rejected_with_422_and_the_store_is_unchanged(server, name: str) -> None:
    before = dump(server)
    response = update(server, VIOLATIONS[name])
    assert response.status_code == 422, response.text
    report = response.json()
    assert report["conforms"] is False and report["violations"] >= 1
    assert any(result["resultSeverity"] == "Violation" for result in report["results"])
    assert dump(server) == before


def test_the_rejection_report_is_turtle_when_asked_for(server) -> None:
    response = update(server, VIOLATIONS["person_without_name"], accept="text/turtle")
    assert response.status_code == 422
    assert response.headers["Content-Type"].startswith("text/turtle")
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    assert (None, sh.conforms, rdflib.Literal(False)) in graph
    assert rdflib.URIRef(EX + "carol") in set(graph.objects(None, sh.focusNode))


def test_a_violating_graph_store_put_is_rejected_and_the_graph_kept(server) -> None:
    before = dump(server)
    response = requests.put(
        server.base_url + "/store",
        params={"graph": G1},
        data=f"<{EX}erin> a <{EX}Person> .".encode(),
        headers={"Content-Type": "text/turtle", "Authorization": f"Bearer {TOKEN}"},
        timeout=120,
    )
    assert response.status_code == 422, response.text
    assert dump(server) == before


def test_a_valid_write_is_visible_to_the_next_read(server) -> None:
    assert not ask(server, 'GRAPH ?g { ex:frank ex:name "Frank" }')
    response = update(server, f'PREFIX ex: <{EX}> INSERT DATA {{ GRAPH <{G1}> {{ ex:frank a ex:Employee ; ex:name "Frank" ; ex:knows ex:alice }} }}')
    assert response.status_code == 200, response.text
    assert ask(server, 'GRAPH ?g { ex:frank ex:name "Frank" }')


def test_a_small_write_into_a_big_graph_revalidates_only_its_neighbourhood(server) -> None:
    """2,000 people share the graph; renaming one re-validates it and the one who knows it."""
    response = update(
        server,
        f'PREFIX ex: <{EX}> DELETE {{ GRAPH <{G1}> {{ ex:p7 ex:name ?n }} }} INSERT {{ GRAPH <{G1}> {{ ex:p7 ex:name "Seven" }} }} '
        f"WHERE {{ GRAPH <{G1}> {{ ex:p7 ex:name ?n }} }}",
    )
    assert response.status_code == 200, response.text
    validated = int(response.headers["Bricskg-Validated-Focus-Nodes"])
    assert 1 <= validated <= 10
    assert ask(server, 'GRAPH ?g { ex:p7 ex:name "Seven" }')


def test_a_write_that_changes_nothing_is_accepted(server) -> None:
    response = update(server, f'PREFIX ex: <{EX}> DELETE DATA {{ GRAPH <{G1}> {{ ex:nobody ex:name "Nobody" }} }}')
    assert response.status_code == 200, response.text
