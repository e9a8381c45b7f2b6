"""Real client libraries against the live server over the bundled data: SPARQLWrapper (JSON, XML,
CSV, Turtle), rdflib's SPARQLStore and raw HTTP, each compared with the same query evaluated
in-process on the same files — the endpoint must not change any answer.

The in-process reference builds the union default graph itself, as a Python set of the triples of
every graph (the RDF merge SPARQL means), independently of how the server forms it."""

from __future__ import annotations

import csv
import io

import pyoxigraph
import pytest
import rdflib
import requests
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, POST, TURTLE, XML, SPARQLWrapper

from bricskg.dataset import open_memory_store
from bricskg.inference import materialise

GRAPH_COUNTS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
LABELS = (
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
    "SELECT ?s ?label WHERE { ?s rdfs:label ?label } ORDER BY ?s ?label LIMIT 50"
)
CONSTRUCT_LABELS = (
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
    "CONSTRUCT { ?s rdfs:label ?label } WHERE { ?s rdfs:label ?label }"
)


@pytest.fixture(scope="module")
def reference() -> pyoxigraph.Store:
    """The bundled data with the union of all graphs, each triple once, as its default graph, and
    the entailments the server serves (its inferred graph) among those graphs."""
    store = open_memory_store()
    materialise(store)
    union = {(quad.subject, quad.predicate, quad.object) for quad in store}
    store.extend(pyoxigraph.Quad(s, p, o, pyoxigraph.DefaultGraph()) for s, p, o in union)
    return store


def _reference_rows(store: pyoxigraph.Store, query: str, *names: str) -> list[tuple[str, ...]]:
    return [tuple(solution[name].value for name in names) for solution in store.query(query)]


def _reference_graph(store: pyoxigraph.Store, query: str) -> rdflib.Graph:
    data = store.query(query).serialize(format=pyoxigraph.RdfFormat.N_TRIPLES)
    return rdflib.Graph().parse(data=data.decode("utf-8"), format="nt")


def _wrapper(live_server, query: str, return_format: str, method: str | None = None) -> SPARQLWrapper:
    wrapper = SPARQLWrapper(live_server.sparql_url)
    wrapper.setQuery(query)
    wrapper.setReturnFormat(return_format)
    if method:
        wrapper.setMethod(method)
    return wrapper


def test_bundled_data_is_served(live_server):
    health = requests.get(live_server.url + "/health", timeout=30).json()
    assert health["quads"] == len(open_memory_store()) > 0


def test_sparqlwrapper_json(live_server, reference):
    result = _wrapper(live_server, GRAPH_COUNTS, JSON).queryAndConvert()
    rows = [(row["g"]["value"], row["n"]["value"]) for row in result["results"]["bindings"]]
    assert rows == _reference_rows(reference, GRAPH_COUNTS, "g", "n")
    assert len(rows) > 1


def test_sparqlwrapper_json_by_post(live_server, reference):
    result = _wrapper(live_server, LABELS, JSON, POST).queryAndConvert()
    rows = [(row["s"]["value"], row["label"]["value"]) for row in result["results"]["bindings"]]
    assert rows == _reference_rows(reference, LABELS, "s", "label") and rows


def test_sparqlwrapper_xml(live_server, reference):
    document = _wrapper(live_server, LABELS, XML).queryAndConvert()
    labels = [node.firstChild.data for node in document.getElementsByTagName("literal")]
    assert labels == [label for _, label in _reference_rows(reference, LABELS, "s", "label")]


def test_sparqlwrapper_csv(live_server, reference):
    body = _wrapper(live_server, LABELS, CSV).queryAndConvert()
    rows = list(csv.reader(io.StringIO(body.decode("utf-8"))))
    assert rows[0] == ["s", "label"]
    assert [tuple(row) for row in rows[1:]] == _reference_rows(reference, LABELS, "s", "label")


def test_sparqlwrapper_turtle_construct(live_server, reference):
    body = _wrapper(live_server, CONSTRUCT_LABELS, TURTLE).queryAndConvert()
    graph = rdflib.Graph().parse(data=body, format="turtle")
    expected = _reference_graph(reference, CONSTRUCT_LABELS)
    assert len(graph) == len(expected) > 0
    assert set(graph) == set(expected)


def test_sparqlwrapper_ask(live_server):
    result = _wrapper(live_server, "ASK { ?s ?p ?o }", JSON).queryAndConvert()
    assert result["boolean"] is True


def test_rdflib_sparqlstore_select_ask_construct(live_server, reference):
    graph = rdflib.Graph(store=SPARQLStore(query_endpoint=live_server.sparql_url, returnFormat="json"))
    rows = [(str(row.s), str(row.label)) for row in graph.query(LABELS)]
    assert rows == _reference_rows(reference, LABELS, "s", "label")
    assert graph.query("ASK { ?s ?p ?o }").askAnswer is True


def test_rdflib_sparqlstore_default_xml_select_and_construct(live_server, reference):
    # rdflib's default return format ("xml") asks for SPARQL XML results and RDF/XML graphs.
    graph = rdflib.Graph(store=SPARQLStore(query_endpoint=live_server.sparql_url))
    rows = [(str(row.g), str(row.n)) for row in graph.query(GRAPH_COUNTS)]
    assert rows == _reference_rows(reference, GRAPH_COUNTS, "g", "n")
    constructed = graph.query(CONSTRUCT_LABELS).graph
    assert set(constructed) == set(_reference_graph(reference, CONSTRUCT_LABELS))


def test_raw_http_with_requests(live_server, reference):
    response = requests.get(
        live_server.sparql_url, params={"query": GRAPH_COUNTS}, headers={"Accept": "text/csv"}, timeout=30
    )
    assert response.status_code == 200
    rows = [tuple(row) for row in csv.reader(io.StringIO(response.text))][1:]
    assert rows == _reference_rows(reference, GRAPH_COUNTS, "g", "n")


def _questions():
    try:
        from bricskg.competency import load_questions
    except ImportError:
        return []
    return load_questions()


QUESTIONS = _questions()


@pytest.mark.skipif(not QUESTIONS, reason="no competency questions (bricskg.competency) available yet")
@pytest.mark.parametrize("question", QUESTIONS, ids=[question.id for question in QUESTIONS])
def test_competency_question_through_the_endpoint(live_server, reference, question):
    from bricskg.competency import answers_match, describe_mismatch

    response = live_server.query(question.sparql)
    assert response.status_code == 200, response.text
    document = response.json()
    in_process = reference.query(question.sparql)
    if isinstance(in_process, pyoxigraph.QueryBoolean):
        assert document["boolean"] is bool(in_process)
    else:
        expected = [
            {name: term.value for name, term in zip([v.value for v in in_process.variables], solution) if term is not None}
            for solution in in_process
        ]
        served = [{name: cell["value"] for name, cell in row.items()} for row in document["results"]["bindings"]]
        key = lambda row: sorted(row.items())  # noqa: E731
        assert sorted(served, key=key) == sorted(expected, key=key)  # the endpoint changes no answer
    assert answers_match(question, document), describe_mismatch(question, document)
