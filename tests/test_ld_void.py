"""The VoID description at /.well-known/void: parses, its numbers are the store's, its links work."""

from __future__ import annotations

import pytest
import rdflib
from rdflib import RDF, RDFS, URIRef

from bricskg.config import BASE_IRI
from bricskg.dataset import load_rdflib_dataset
from ld_graph_comparison import normalise_term

INFERRED_GRAPH = "https://w3id.org/bricskg/graph/inferred"
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
DCTERMS = rdflib.namespace.DCTERMS


@pytest.fixture(scope="module")
def void(live_server) -> rdflib.Graph:
    response = live_server.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/turtle")
    return rdflib.Graph().parse(data=response.content, format="turtle", publicID=live_server.at("/.well-known/void"))


@pytest.fixture(scope="module")
def dataset_node(void) -> URIRef:
    nodes = [node for node in void.subjects(RDF.type, VOID.Dataset) if str(node).endswith("#bricskg")]
    assert len(nodes) == 1
    return nodes[0]


@pytest.fixture(scope="module")
def quads_node(void, dataset_node) -> URIRef:
    return void.value(dataset_node, DCTERMS.hasFormat)


@pytest.fixture(scope="module")
def bundled_quads():
    return list(load_rdflib_dataset().quads((None, None, None, None)))


def test_triple_count_is_the_number_of_distinct_triples_of_the_union(void, dataset_node, bundled_quads):
    union = {(s, p, normalise_term(o)) for s, p, o, _ in bundled_quads}
    assert int(void.value(dataset_node, VOID.triples)) == len(union)


def test_the_graph_by_graph_dataset_counts_the_statements_in_the_store(void, quads_node, bundled_quads):
    assert int(void.value(quads_node, VOID.triples)) == len(bundled_quads)


def test_each_count_is_what_the_dumps_it_names_hold(live_server, void, dataset_node, quads_node):
    """``void:triples`` of the union = lines of the N-Triples dump; of the graph-by-graph dataset =
    lines of the N-Quads dump; of each named-graph subset = that graph's lines."""
    def lines(path: str) -> list[str]:
        return [line for line in live_server.get(path).text.splitlines() if line.strip()]

    assert int(void.value(dataset_node, VOID.triples)) == len(lines("/dumps/bricskg.nt"))
    quads = lines("/dumps/bricskg.nq")
    assert int(void.value(quads_node, VOID.triples)) == len(quads)
    dumps_of = {node: {str(d).rsplit("/", 1)[1] for d in void.objects(node, VOID.dataDump)} for node in (dataset_node, quads_node)}
    assert dumps_of[dataset_node] == {"bricskg.ttl", "bricskg.nt", "bricskg.rdf", "bricskg.jsonld"}
    assert dumps_of[quads_node] == {"bricskg.trig", "bricskg.nq", "bricskg.jsonld?graphs=1"}
    subsets = list(void.objects(dataset_node, VOID.subset))
    named = {str(void.value(subset, SD.name)): int(void.value(subset, VOID.triples)) for subset in subsets if void.value(subset, SD.name)}
    assert named.pop(INFERRED_GRAPH) > 0  # the entailments: described, and by design in no dump
    assert len(named) > 30
    for graph, count in named.items():
        assert count == sum(1 for line in quads if line.rstrip(" .").endswith(f"<{graph}>")), graph


def test_inferred_graph_is_a_labelled_subset_with_its_regime_and_size(void, dataset_node):
    from bricskg.dataset import open_memory_store
    from bricskg.inference import INFERRED, materialise

    store = open_memory_store()
    materialise(store)
    subsets = [s for s in void.objects(dataset_node, VOID.subset) if str(void.value(s, SD.name)) == INFERRED_GRAPH]
    assert len(subsets) == 1
    assert str(void.value(subsets[0], DCTERMS.conformsTo)) == "http://www.w3.org/ns/entailment/RDFS"
    assert int(void.value(subsets[0], VOID.triples)) == sum(1 for _ in store.quads_for_pattern(None, None, None, INFERRED))


def test_class_partitions_count_the_instances_of_each_class(void, dataset_node, bundled_quads):
    expected: dict[URIRef, set] = {}
    for s, p, o, _ in bundled_quads:
        if p == RDF.type:
            expected.setdefault(o, set()).add(s)
    got = {
        void.value(partition, VOID["class"]): int(void.value(partition, VOID.entities))
        for partition in void.objects(dataset_node, VOID.classPartition)
    }
    assert got == {cls: len(things) for cls, things in expected.items()}


def test_property_partitions_add_up_to_the_triple_count(void, dataset_node):
    total = sum(int(void.value(p, VOID.triples)) for p in void.objects(dataset_node, VOID.propertyPartition))
    assert total == int(void.value(dataset_node, VOID.triples))


def test_every_data_dump_link_resolves_and_parses(live_server, void, dataset_node, quads_node):
    dumps = sorted(void.objects(dataset_node, VOID.dataDump)) + sorted(void.objects(quads_node, VOID.dataDump))
    formats = {str(void.value(dump, DCTERMS["format"])) for dump in dumps}
    assert {"text/turtle", "application/n-triples", "application/ld+json", "application/trig"} <= formats
    for dump in dumps:
        response = live_server.get(str(dump).replace(live_server.url, ""))
        assert response.status_code == 200, dump
        parsed = rdflib.Dataset()
        parsed.parse(data=response.content, format=rdflib.util.guess_format(str(dump).split("?")[0]) or "json-ld")
        assert len(parsed) > 0 or sum(1 for _ in parsed.quads((None, None, None, None))) > 0


def test_sparql_endpoint_and_uri_space_are_declared(live_server, void, dataset_node):
    endpoint = void.value(dataset_node, VOID.sparqlEndpoint)
    assert str(endpoint) == live_server.at("/sparql")
    answer = live_server.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}, headers={"Accept": "application/sparql-results+json"})
    assert answer.json()["boolean"] is True
    assert str(void.value(dataset_node, VOID.uriSpace)) == BASE_IRI
    assert void.value(dataset_node, DCTERMS.license) is not None


def test_void_is_negotiable_as_json_ld(live_server):
    response = live_server.get("/.well-known/void", headers={"Accept": "application/ld+json"})
    assert response.headers["Content-Type"].startswith("application/ld+json")
    assert len(rdflib.Graph().parse(data=response.content, format="json-ld")) > 10


def test_service_description_links_to_the_void_description(live_server):
    response = live_server.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    description = rdflib.Graph().parse(data=response.content, format="turtle")
    assert URIRef(live_server.at("/.well-known/void")) in set(description.objects(None, RDFS.seeAlso))


def test_every_iri_of_our_namespace_in_the_void_description_resolves(live_server, void):
    ours = {str(term) for triple in void for term in triple if isinstance(term, URIRef) and str(term).startswith(BASE_IRI)}
    assert ours
    for iri in ours:
        response = live_server.get("/" + iri[len(BASE_IRI):], headers={"Accept": "text/turtle"}, allow_redirects=False)
        assert response.status_code == 303, iri
