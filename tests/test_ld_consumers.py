"""What a linked-data client gets: every entity, in every syntax, read with rdflib's plain ``Graph``
and with a ``Dataset``, holds the same triples as its Turtle; the JSON-LD is compact with the
published context and reads offline; rdflib's own content negotiation works; dumps likewise."""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from ld_graph_comparison import difference, normalise_term
from rdflib import BNode, URIRef

from bricskg.config import BASE_IRI
from bricskg.jsonld_compact import CONTEXT_FILE, GRAPHS_PROFILE
from bricskg.web.iri_space import IriSpace
from bricskg.web.prefixes import PREFIXES

SPACE = IriSpace(BASE_IRI)
# extension of the /data/ document -> rdflib parser
SYNTAXES = {"ttl": "turtle", "nt": "nt", "rdf": "xml", "jsonld": "json-ld", "trig": "trig", "nq": "nquads"}
DEFAULT_GRAPH = rdflib.Dataset().default_graph.identifier
RUSSIA = BASE_IRI + "id/russia"


def _ox(term):
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if term.language:
        return ox.Literal(str(term), language=term.language)
    return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)) if term.datatype else None)


def canonical(triples) -> set:
    """The triples with blank nodes relabelled by RDFC-1.0 (pyoxigraph: fast, unlike rdflib's
    isomorphism), so two readings compare with ``==``; numbers compare by value (rdflib's Turtle
    writer turns the decimal "35" into ``35.0``)."""
    dataset = ox.Dataset(ox.Quad(_ox(s), _ox(p), _ox(normalise_term(o)), ox.DefaultGraph()) for s, p, o in triples)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return {str(quad) for quad in dataset}


def parse_graph(body: bytes, syntax: str) -> rdflib.Graph:
    return rdflib.Graph().parse(data=body, format=syntax)


def parse_dataset(body: bytes, syntax: str) -> tuple[rdflib.Graph, dict[URIRef, rdflib.Graph]]:
    """(default graph, named graphs by name) as rdflib's Dataset reads them."""
    dataset = rdflib.Dataset()
    dataset.parse(data=body, format=syntax)
    default = rdflib.Graph()
    named: dict[URIRef, rdflib.Graph] = {}
    for s, p, o, g in dataset.quads((None, None, None, None)):
        name = g.identifier if hasattr(g, "identifier") else g
        target = default if name in (None, DEFAULT_GRAPH) else named.setdefault(name, rdflib.Graph())
        target.add((s, p, o))
    return default, named


@pytest.fixture(scope="module")
def entity_iris(live_server) -> list[str]:
    """Every IRI of our namespace the store mentions (subject, object or graph name), from the dump."""
    body = live_server.get("/dumps/bricskg.nq").text
    iris = set(re.findall(r"<(" + re.escape(BASE_IRI) + r"[^>#]*)>", body))
    return sorted(iri for iri in iris if SPACE.rest_of(iri) is not None)


def check_entity(server, iri: str) -> list[str]:
    """Every document of ``iri`` read as a plain graph and as a dataset, compared with its Turtle."""
    problems: list[str] = []
    turtle_graph = parse_graph(server.get(SPACE.data_path(iri, "ttl")).content, "turtle")
    if len(turtle_graph) == 0:
        return [f"{iri}: empty Turtle"]
    turtle = canonical(turtle_graph)
    variants = [(ext, SPACE.data_path(iri, ext)) for ext in SYNTAXES] + [("jsonld", SPACE.data_path(iri, "jsonld") + "?graphs=1")]
    for ext, path in variants:
        response = server.get(path)
        if response.status_code != 200:
            problems.append(f"{path}: {response.status_code}")
            continue
        syntax = SYNTAXES[ext]
        if canonical(parse_graph(response.content, syntax)) != turtle:
            problems.append(f"{path}: a plain Graph reads other triples than the Turtle")
        default, named = parse_dataset(response.content, syntax)
        if canonical(default) != turtle:
            problems.append(f"{path}: the Dataset's default graph differs from the Turtle")
        stated = rdflib.Graph()
        for graph in named.values():
            for triple in graph:
                stated.add(triple)
        if named and canonical(stated + default) != turtle:
            problems.append(f"{path}: a named graph states what the default graph does not")
        if ext in ("trig", "nq") or path.endswith("?graphs=1"):
            if iri == RUSSIA and not named:
                problems.append(f"{path}: no named graphs (the provenance of each statement)")
    return problems


@pytest.mark.slow
def test_every_entity_reads_the_same_in_every_syntax_as_a_graph_and_as_a_dataset(live_server, entity_iris):
    assert len(entity_iris) > 200  # states, claims, sentences, ontology terms, graphs
    with ThreadPoolExecutor(max_workers=3) as pool:
        problems = [problem for found in pool.map(lambda iri: check_entity(live_server, iri), entity_iris) for problem in found]
    assert problems == []


def test_an_entity_document_in_json_ld_is_compact_with_the_published_context(live_server):
    document = live_server.get(SPACE.data_path(RUSSIA, "jsonld")).json()
    assert document["@context"] == json.loads(CONTEXT_FILE.read_text())["@context"]
    russia = next(node for node in document["@graph"] if node["@id"] == "bkgr:russia")
    assert "bkg:State" in (russia["@type"] if isinstance(russia["@type"], list) else [russia["@type"]])
    assert all(not key.startswith("http") for node in document["@graph"] for key in node)


@pytest.mark.parametrize("syntax", ["turtle", "xml", "json-ld", "nt", "trig"])
def test_rdflib_dereferences_an_iri_with_its_own_content_negotiation(live_server, syntax):
    """What a developer types: rdflib sends its Accept for ``format`` (``text/plain, */*;q=0.1`` for
    N-Triples) and follows the 303. (For ``nquads`` rdflib names no type of its own, but every
    parser's at equal weight, so no server can know it wants N-Quads.)"""
    turtle = parse_graph(live_server.get(SPACE.data_path(RUSSIA, "ttl")).content, "turtle")
    graph = rdflib.Graph().parse(live_server.at("/id/russia"), format=syntax)
    assert len(graph) == len(turtle) > 50
    assert difference(graph, turtle) == ([], [])


def test_json_ld_named_graphs_come_with_the_profile_by_accept_and_by_link(live_server):
    accept = f'application/ld+json;profile="{GRAPHS_PROFILE}"'
    redirect = live_server.get("/id/russia", headers={"Accept": accept}, allow_redirects=False)
    assert redirect.status_code == 303 and redirect.headers["Location"].endswith("/data/id/russia.jsonld?graphs=1")
    plain = live_server.get("/data/id/russia.jsonld")
    assert f'profile="{GRAPHS_PROFILE}"' in plain.headers["Link"]
    with_graphs = live_server.get(redirect.headers["Location"])
    assert GRAPHS_PROFILE in with_graphs.headers["Content-Type"]
    default, named = parse_dataset(with_graphs.content, "json-ld")
    assert named and all("/claim/" in str(name) or "/graph/" in str(name) for name in named)
    assert len(parse_dataset(plain.content, "json-ld")[1]) == 0


def test_the_context_is_published_versioned_and_shipped_in_the_package(live_server):
    shipped = json.loads(CONTEXT_FILE.read_text())
    assert shipped["@context"] == PREFIXES  # the same abbreviations as Turtle and the pages
    for path in ("/context.jsonld", "/context/v1.jsonld"):
        response = live_server.get(path)
        assert response.status_code == 200 and response.headers["Content-Type"].startswith("application/ld+json")
        assert response.json() == shipped
    assert live_server.get("/context/v0.jsonld").status_code == 404


def test_a_document_that_references_the_published_context_reads_with_rdflib(live_server):
    """The context is fetched from the live (loopback) server: nothing leaves the machine."""
    document = {"@context": live_server.at("/context/v1.jsonld"), "@id": "bkgr:russia", "@type": "bkg:State"}
    graph = rdflib.Graph().parse(data=json.dumps(document), format="json-ld")
    assert (URIRef(RUSSIA), rdflib.RDF.type, URIRef(BASE_IRI + "ontology/State")) in graph


def test_the_json_ld_dump_reads_as_the_turtle_dump_with_a_graph_and_a_dataset(live_server):
    turtle = parse_graph(live_server.get("/dumps/bricskg.ttl").content, "turtle")
    body = live_server.get("/dumps/bricskg.jsonld").content
    assert "@context" in json.loads(body)
    assert difference(parse_graph(body, "json-ld"), turtle) == ([], [])
    default, named = parse_dataset(body, "json-ld")
    assert difference(default, turtle) == ([], []) and not named


def test_the_named_graphs_json_ld_dump_holds_the_quads_of_the_trig_dump(live_server):
    trig_default, trig_named = parse_dataset(live_server.get("/dumps/bricskg.trig").content, "trig")
    response = live_server.get("/dumps/bricskg.jsonld?graphs=1")
    default, named = parse_dataset(response.content, "json-ld")
    assert set(named) == set(trig_named) and len(named) > 30
    for name, graph in trig_named.items():
        assert difference(named[name], graph) == ([], []), name
    assert difference(default, trig_default) == ([], [])
    by_accept = live_server.get("/dumps/bricskg.jsonld", headers={"Accept": f'application/ld+json;profile="{GRAPHS_PROFILE}"'})
    assert by_accept.content == response.content


@pytest.mark.parametrize("accept", ["text/plain", "text/plain, */*;q=0.1", "application/n-triples"])
def test_n_triples_is_served_for_text_plain_and_its_own_type(live_server, accept):
    redirect = live_server.get("/id/russia", headers={"Accept": accept}, allow_redirects=False)
    assert redirect.status_code == 303 and redirect.headers["Location"].endswith("/data/id/russia.nt")
    document = live_server.get(redirect.headers["Location"], headers={"Accept": accept})
    assert document.status_code == 200 and document.headers["Content-Type"].startswith("application/n-triples")
    assert len(parse_graph(document.content, "nt")) > 50


# --- IRIs with percent-encodings of their own ---------------------------------------------------------

ODD_IRIS = {
    "id/sp%20ace": "a space, percent-encoded in the IRI",
    "id/s%C3%A3o-escaped": "UTF-8 percent-encoded in the IRI",
    "id/são-paulo": "UTF-8 written as such in the IRI",
    "id/a%2Fb": "an encoded slash",
}


@pytest.fixture(scope="module")
def odd_server(tmp_path_factory):
    from live_server import running_server

    data = Path(tmp_path_factory.mktemp("odd")) / "odd.nt"
    data.write_text(
        "".join(f'<{BASE_IRI}{rest}> <http://www.w3.org/2000/01/rdf-schema#label> "{label}" .\n' for rest, label in ODD_IRIS.items()),
        encoding="utf-8",
    )
    with running_server(["--data", str(data)]) as server:
        yield server


@pytest.mark.parametrize("rest", sorted(ODD_IRIS))
def test_an_iri_with_percent_encoding_redirects_once_encoded_to_a_document_that_answers(odd_server, rest):
    iri = BASE_IRI + rest
    path = SPACE.thing_path(iri)
    assert "%25" not in path
    redirect = odd_server.get(path, headers={"Accept": "text/turtle"}, allow_redirects=False)
    assert redirect.status_code == 303, (path, redirect.status_code)
    location = redirect.headers["Location"]
    assert location.endswith(SPACE.data_path(iri, "ttl")) and "%25" not in location
    document = odd_server.get(location)
    assert document.status_code == 200
    graph = parse_graph(document.content, "turtle")
    assert (URIRef(iri), rdflib.RDFS.label, rdflib.Literal(ODD_IRIS[rest])) in graph
    page = odd_server.get(SPACE.page_path(iri))
    assert page.status_code == 200 and ODD_IRIS[rest] in page.text
