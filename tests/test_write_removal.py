"""Dropping or clearing a graph is always possible and cheap, and still validated.

A graph larger than what the write path copies (the scratch and neighbourhood bounds, lowered here
to 5,000 quads so a 30,000-triple graph stands for a million-quad one) used to be impossible to
remove: DROP GRAPH, GSP DELETE and even DELETE DATA of one of its triples answered 413 ("split the
write"). Emptied graphs are now handled as graphs, and only the nodes a removal can make invalid
(those still there afterwards) are re-validated -- so a removal that breaks a rule elsewhere
(a minCount, a sh:class of a value that loses its type) is still refused.

The shapes are the small ``people`` ones of a project home of this module's own, so the verdicts
do not move when the bundled shapes evolve.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from bricskg.store.base import ValidationFailed
from bricskg.store.delta import GraphEdit
from bricskg.store.writer import AUDIT_GRAPH, AUDIT_VOCAB, EmbeddedTarget, Writer

EX = "http://example.org/people#"
G1 = ox.NamedNode("http://example.org/people/g1")
BULK = ox.NamedNode("http://example.org/people/bulk")
PERSONS = 15_000  # two triples each: a 30,000-triple graph
LIMIT = 5_000

ONTOLOGY = """\
@prefix ex: <http://example.org/people#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
<https://w3id.org/bricskg/ontology> a owl:Ontology .
ex:Person a owl:Class .
ex:name a owl:DatatypeProperty .
ex:knows a owl:ObjectProperty .
"""

SHAPES = """\
@prefix ex: <http://example.org/people#> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:PersonShape a sh:NodeShape ;
    sh:targetClass ex:Person ;
    sh:property [ sh:path ex:name ; sh:minCount 1 ; sh:datatype xsd:string ;
                  sh:message "A person has a name (a string)." ] ;
    sh:property [ sh:path ex:knows ; sh:class ex:Person ; sh:message "One knows persons only." ] .
"""


def ex(local: str) -> ox.NamedNode:
    return ox.NamedNode(EX + local)


RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


@pytest.fixture(autouse=True)
def people_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for folder, text in (("ontology", ONTOLOGY), ("shapes", SHAPES)):
        (tmp_path / "home" / folder).mkdir(parents=True)
        (tmp_path / "home" / folder / "people.ttl").write_text(text, encoding="utf-8")
    (tmp_path / "home" / "data").mkdir()
    monkeypatch.setenv("BRICSKG_HOME", str(tmp_path / "home"))


@pytest.fixture(scope="module")
def bulk_quads() -> list[ox.Quad]:
    quads = [ox.Quad(ex("alice"), RDF_TYPE, ex("Person"), G1), ox.Quad(ex("alice"), ex("name"), ox.Literal("Alice"), G1)]
    for i in range(PERSONS):
        quads.append(ox.Quad(ex(f"p{i}"), RDF_TYPE, ex("Person"), BULK))
        quads.append(ox.Quad(ex(f"p{i}"), ex("name"), ox.Literal(f"P{i}"), BULK))
    return quads


@pytest.fixture()
def store(bulk_quads: list[ox.Quad]) -> ox.Store:
    """g1: alice (a person, named); bulk: 15,000 named persons -- put there without the gate."""
    store = ox.Store()
    store.extend(bulk_quads)
    return store


def writer_for(store: ox.Store) -> Writer:
    """The bounds a million-quad graph would exceed, scaled down to this graph."""
    return Writer(EmbeddedTarget(store), max_scratch_quads=LIMIT, max_neighbourhood_quads=LIMIT)


def bulk_size(store: ox.Store) -> int:
    return sum(1 for _ in store.quads_for_pattern(None, None, None, BULK))


def audited_removals(store: ox.Store) -> list[int]:
    return [int(q.object.value) for q in store.quads_for_pattern(None, ox.NamedNode(AUDIT_VOCAB + "quadsRemoved"), None, ox.NamedNode(AUDIT_GRAPH))]


@pytest.mark.parametrize("update", [f"DROP GRAPH {BULK}", f"CLEAR GRAPH {BULK}", f"DROP SILENT GRAPH {BULK} ; DROP SILENT GRAPH <http://example.org/none>"])
def test_a_graph_larger_than_the_write_bounds_can_be_dropped_or_cleared(update: str, store: ox.Store) -> None:
    outcome = writer_for(store).update(update)
    assert outcome.removed == 2 * PERSONS
    assert bulk_size(store) == 0
    assert (BULK in set(store.named_graphs())) == update.startswith("CLEAR")
    assert audited_removals(store) == [2 * PERSONS]
    assert len(list(store.quads_for_pattern(ex("alice"), None, None, None))) == 2


def test_a_graph_larger_than_the_write_bounds_can_be_deleted_over_the_graph_store_protocol(store: ox.Store) -> None:
    outcome = writer_for(store).graph_edit(GraphEdit(BULK, delete=True), kind="GSP DELETE")
    assert outcome.removed == 2 * PERSONS and bulk_size(store) == 0
    assert BULK not in set(store.named_graphs())


def test_one_triple_can_be_deleted_from_a_graph_larger_than_the_write_bounds(store: ox.Store) -> None:
    outcome = writer_for(store).update(f"DELETE DATA {{ GRAPH {BULK} {{ {ex('p7')} a {ex('Person')} }} }}")
    assert outcome.removed == 1 and bulk_size(store) == 2 * PERSONS - 1


def test_deleting_one_required_triple_from_a_big_graph_is_still_refused(store: ox.Store) -> None:
    with pytest.raises(ValidationFailed):
        writer_for(store).update(f'DELETE DATA {{ GRAPH {BULK} {{ {ex("p7")} {ex("name")} "P7" }} }}')
    assert bulk_size(store) == 2 * PERSONS


def test_dropping_a_graph_that_removes_the_type_of_a_known_person_is_refused(store: ox.Store) -> None:
    store.add(ox.Quad(ex("alice"), ex("knows"), ex("p3"), G1))  # alice knows p3, a person only in bulk
    with pytest.raises(ValidationFailed) as refused:
        writer_for(store).update(f"DROP GRAPH {BULK}")
    assert "persons only" in refused.value.report.to_text()  # type: ignore[attr-defined]
    assert bulk_size(store) == 2 * PERSONS and not audited_removals(store)


def test_dropping_a_graph_that_holds_the_only_name_of_a_person_is_refused(store: ox.Store) -> None:
    store.add(ox.Quad(ex("p9"), RDF_TYPE, ex("Person"), G1))  # p9 stays a person, its name was in bulk
    with pytest.raises(ValidationFailed) as refused:
        writer_for(store).graph_edit(GraphEdit(BULK, delete=True), kind="GSP DELETE")
    assert "has a name" in refused.value.report.to_text()  # type: ignore[attr-defined]
    assert bulk_size(store) == 2 * PERSONS


@pytest.mark.parametrize("how", ["CLEAR DEFAULT", "GSP DELETE ?default"])
def test_emptying_the_default_graph_is_validated_like_any_graph(store: ox.Store, how: str) -> None:
    from bricskg.store.delta import GraphEdit as Edit

    store.add(ox.Quad(ex("dora"), RDF_TYPE, ex("Person"), G1))
    store.add(ox.Quad(ex("dora"), ex("name"), ox.Literal("Dora")))  # dora's only name: in the default graph
    store.add(ox.Quad(ex("eve"), ex("name"), ox.Literal("Eve")))
    writer = writer_for(store)

    def empty_default() -> object:
        if how == "CLEAR DEFAULT":
            return writer.update("CLEAR DEFAULT")
        return writer.graph_edit(Edit(ox.DefaultGraph(), delete=True), kind="GSP DELETE")

    with pytest.raises(ValidationFailed):
        empty_default()
    assert len(list(store.quads_for_pattern(None, None, None, ox.DefaultGraph()))) == 2
    store.add(ox.Quad(ex("dora"), ex("name"), ox.Literal("Dora"), G1))  # now also named in g1
    outcome = empty_default()
    assert outcome.removed == 2
    assert not list(store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
