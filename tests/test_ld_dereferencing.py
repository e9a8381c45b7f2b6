"""Dereferenceable IRIs (Cool URIs, 303 recipe) against a live ``bricskg serve``: content negotiation,
redirect targets, the RDF each target returns, 404 and 406."""

from __future__ import annotations

import pytest
import rdflib
from rdflib import RDF, RDFS, URIRef
from rdflib.namespace import Namespace

from bricskg.config import BASE_IRI

BKG = Namespace(BASE_IRI + "ontology/")
OA = Namespace("http://www.w3.org/ns/oa#")
PROV = Namespace("http://www.w3.org/ns/prov#")
RUSSIA = URIRef(BASE_IRI + "id/russia")

# Accept header -> (extension of the /data/ document, rdflib parser)
RDF_ACCEPTS = {
    "text/turtle": ("ttl", "turtle"),
    "application/ld+json": ("jsonld", "json-ld"),
    "application/n-triples": ("nt", "nt"),
    "application/rdf+xml": ("rdf", "xml"),
    "application/trig": ("trig", "trig"),
    "application/n-quads": ("nq", "nquads"),
}


def sparql_rows(server, query: str) -> list[dict]:
    response = server.query(query)
    assert response.status_code == 200, response.text
    return response.json()["results"]["bindings"]


def fetch_description(server, path: str, accept: str) -> tuple[rdflib.Dataset, str]:
    first = server.get(path, headers={"Accept": accept}, allow_redirects=False)
    assert first.status_code == 303, (accept, first.status_code, first.text[:300])
    location = first.headers["Location"]
    second = server.get(location, headers={"Accept": accept})
    assert second.status_code == 200
    assert second.headers["Content-Type"].split(";")[0] == accept
    dataset = rdflib.Dataset()
    dataset.parse(data=second.content, format=RDF_ACCEPTS[accept][1], publicID=server.at(location))
    return dataset, location


@pytest.mark.parametrize("accept", sorted(RDF_ACCEPTS))
def test_entity_iri_answers_303_to_the_data_document_of_the_negotiated_syntax(live_server, accept):
    response = live_server.get("/id/russia", headers={"Accept": accept}, allow_redirects=False)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/data/id/russia.{RDF_ACCEPTS[accept][0]}")
    assert "Accept" in response.headers["Vary"]
    assert 'rel="alternate"' in response.headers["Link"]


@pytest.mark.parametrize("accept", sorted(RDF_ACCEPTS))
def test_each_syntax_describes_the_entity_with_outgoing_incoming_and_provenance(live_server, accept):
    dataset, _ = fetch_description(live_server, "/id/russia", accept)
    triples = {(s, p, o) for s, p, o, _ in dataset.quads((None, None, None, None))}
    assert (RUSSIA, RDF.type, BKG.State) in triples
    assert (RUSSIA, RDFS.label, rdflib.Literal("Russia", lang="en")) in triples
    incoming = {s for s, p, o in triples if o == RUSSIA}
    expected_incoming = {
        URIRef(row["s"]["value"])
        for row in sparql_rows(live_server, f"SELECT DISTINCT ?s WHERE {{ ?s ?p <{RUSSIA}> FILTER(isIRI(?s)) }}")
    }
    assert expected_incoming and expected_incoming <= incoming
    # Provenance: every claim graph that states something about Russia, its sentence and the sentence's quote.
    rows = sparql_rows(
        live_server,
        f"""PREFIX prov: <{PROV}> PREFIX oa: <{OA}>
            SELECT DISTINCT ?g ?sentence ?quote WHERE {{
              GRAPH ?g {{ <{RUSSIA}> ?p ?o }} ?g prov:wasDerivedFrom ?sentence .
              ?sentence oa:hasSelector/oa:exact ?quote }}""",
    )
    assert rows
    derived = {(s, o) for s, p, o in triples if p == PROV.wasDerivedFrom}
    quotes = {str(o) for s, p, o in triples if p == OA.exact}
    for row in rows:
        assert (URIRef(row["g"]["value"]), URIRef(row["sentence"]["value"])) in derived
        assert row["quote"]["value"] in quotes


GRAPHS_PROFILE = "https://w3id.org/bricskg/profile/named-graphs"


@pytest.mark.parametrize(
    "accept", ["application/trig", "application/n-quads", f'application/ld+json;profile="{GRAPHS_PROFILE}"']
)
def test_quad_syntaxes_keep_each_statement_in_the_claim_graph_that_states_it(live_server, accept):
    """Besides the default graph (the description, as in Turtle), each claim graph is named."""
    first = live_server.get("/id/russia", headers={"Accept": accept}, allow_redirects=False)
    assert first.status_code == 303
    second = live_server.get(first.headers["Location"], headers={"Accept": accept})
    media_type = accept.split(";")[0]
    dataset = rdflib.Dataset()
    dataset.parse(data=second.content, format=RDF_ACCEPTS[media_type][1])
    default = rdflib.Dataset().default_graph.identifier
    got = {
        (str(p), str(o), str(g.identifier if hasattr(g, "identifier") else g))
        for s, p, o, g in dataset.quads((RUSSIA, None, None, None))
        if not isinstance(o, rdflib.BNode) and (g.identifier if hasattr(g, "identifier") else g) != default
    }
    rows = sparql_rows(live_server, f"SELECT ?p ?o ?g WHERE {{ GRAPH ?g {{ <{RUSSIA}> ?p ?o }} FILTER(!isBlank(?o)) }}")
    expected = {(row["p"]["value"], row["o"]["value"], row["g"]["value"]) for row in rows}
    assert expected and got == expected


def test_q_values_choose_the_syntax_the_client_prefers(live_server):
    response = live_server.get(
        "/id/russia", headers={"Accept": "text/turtle;q=0.3, application/ld+json;q=0.9, text/html;q=0.1"}, allow_redirects=False
    )
    assert response.headers["Location"].endswith("/data/id/russia.jsonld")


def test_browsers_are_sent_to_the_html_page(live_server):
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
    response = live_server.get("/id/russia", headers={"Accept": accept}, allow_redirects=False)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/page/id/russia")
    page = live_server.get(response.headers["Location"], headers={"Accept": accept})
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert "<h1>Russia</h1>" in page.text


def test_no_accept_header_gets_the_page(live_server):
    response = live_server.get("/id/russia", headers={"Accept": ""}, allow_redirects=False)
    assert response.headers["Location"].endswith("/page/id/russia")


def test_unknown_iri_is_404_as_a_page_for_browsers(live_server):
    response = live_server.get("/id/no-such-thing", headers={"Accept": "text/html"}, allow_redirects=False)
    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("text/html")
    assert "no-such-thing" in response.text


def test_unknown_iri_is_404_in_plain_text_for_rdf_clients(live_server):
    response = live_server.get("/id/no-such-thing", headers={"Accept": "text/turtle"}, allow_redirects=False)
    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("text/plain")
    for path in ("/page/id/no-such-thing", "/data/id/no-such-thing.ttl", "/data/id/russia.exe"):
        assert live_server.get(path).status_code == 404, path


def test_unacceptable_media_type_is_406_listing_what_is_available(live_server):
    response = live_server.get("/id/russia", headers={"Accept": "image/png"}, allow_redirects=False)
    assert response.status_code == 406
    assert "text/turtle" in response.text
    excluded = live_server.get("/id/russia", headers={"Accept": "text/html;q=0, text/turtle;q=0"}, allow_redirects=False)
    assert excluded.status_code == 406


def test_ontology_term_iri_resolves_to_its_definition(live_server):
    dataset, _ = fetch_description(live_server, "/ontology/State", "text/turtle")
    assert (BKG.State, RDFS.label, rdflib.Literal("state", lang="en")) in set(dataset.triples((None, None, None)))


def test_ontology_iri_resolves_to_the_whole_ontology(live_server):
    from ld_graph_comparison import difference

    from bricskg.paths import ontology_dir

    dataset, _ = fetch_description(live_server, "/ontology", "text/turtle")
    served = rdflib.Graph()
    for triple in dataset.triples((None, None, None)):
        served.add(triple)
    expected = rdflib.Graph().parse(ontology_dir() / "bricskg.ttl")
    assert difference(served, expected) == ([], [])


def test_claim_graph_iri_describes_its_content_and_provenance(live_server):
    claim = sparql_rows(live_server, f"PREFIX prov: <{PROV}> SELECT ?g WHERE {{ ?g prov:wasDerivedFrom ?s FILTER(STRSTARTS(STR(?g), '{BASE_IRI}claim/')) }} ORDER BY ?g LIMIT 1")[0]["g"]["value"]
    path = "/" + claim[len(BASE_IRI):]
    dataset, _ = fetch_description(live_server, path, "application/trig")
    content = {(row["s"]["value"], row["p"]["value"], row["o"]["value"]) for row in sparql_rows(live_server, f"SELECT * WHERE {{ GRAPH <{claim}> {{ ?s ?p ?o }} FILTER(!isBlank(?s) && !isBlank(?o)) }}")}
    served = {(str(s), str(p), str(o)) for s, p, o in dataset.graph(URIRef(claim))}
    assert content and content <= served
    assert list(dataset.quads((URIRef(claim), PROV.wasDerivedFrom, None, None)))


def test_every_iri_of_our_namespace_in_the_data_resolves(live_server):
    """No broken links: each subject, predicate, object and graph name under the base IRI answers 303."""
    rows = sparql_rows(
        live_server,
        f"""SELECT DISTINCT ?iri WHERE {{
              {{ GRAPH ?iri {{ ?a ?b ?c }} }} UNION {{ ?iri ?p ?o }} UNION {{ ?s ?iri ?o }} UNION {{ ?s ?p ?iri }}
              FILTER(isIRI(?iri) && STRSTARTS(STR(?iri), "{BASE_IRI}"))
            }}""",
    )
    iris = sorted(row["iri"]["value"] for row in rows)
    assert len(iris) > 50
    broken = []
    for iri in iris:
        path = "/" + iri[len(BASE_IRI):].split("#", 1)[0]
        response = live_server.get(path, headers={"Accept": "text/turtle"}, allow_redirects=False)
        if response.status_code != 303:
            broken.append((iri, response.status_code))
    assert not broken
    # And the pages behind them render: the first two IRIs of each kind (entity, term, claim, sentence, graph).
    by_segment: dict[str, list[str]] = {}
    for iri in iris:
        by_segment.setdefault(iri[len(BASE_IRI):].split("/", 1)[0], []).append(iri)
    assert {"id", "ontology", "claim", "source", "graph"} <= set(by_segment)
    for segment, members in by_segment.items():
        for iri in members[:2]:
            page = live_server.get("/" + iri[len(BASE_IRI):], headers={"Accept": "text/html"})
            assert page.status_code == 200 and page.url.split("/page/", 1)[1] == iri[len(BASE_IRI):], iri


def test_head_answers_like_get_without_a_body(live_server):
    response = live_server.session.head(live_server.at("/id/russia"), headers={"Accept": "text/turtle"}, allow_redirects=False)
    assert response.status_code == 303 and response.headers["Location"].endswith("/data/id/russia.ttl")
    assert not response.content


def test_descriptions_may_be_read_by_web_applications_of_any_origin(live_server):
    response = live_server.get("/data/id/russia.jsonld", headers={"Origin": "https://example.org"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
