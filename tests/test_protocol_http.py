"""The SPARQL 1.1 Protocol of ``bricskg serve`` over real HTTP: operations, dataset, formats, errors.

One server per module over a small known dataset (``--no-bundled --data sample.trig``) so the
expected answers are exact; the bundled data is exercised by ``test_protocol_bundled.py``.
"""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ElementTree

import pytest
import rdflib
import requests

from live_server import running_server

TRIG = """
@prefix ex: <http://example.org/> .
ex:s0 ex:p "default" .
GRAPH ex:g1 { ex:s1 ex:p "one" . ex:s1 ex:q ex:o1 . }
GRAPH ex:g2 { ex:s2 ex:p "two"@en . }
"""
EX = "http://example.org/"
JSON = "application/sparql-results+json"
SELECT_P = "PREFIX ex: <http://example.org/> SELECT ?o WHERE { ?s ex:p ?o } ORDER BY ?o"
CONSTRUCT_ALL = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    data = tmp_path_factory.mktemp("protocol") / "sample.trig"
    data.write_text(TRIG, encoding="utf-8")
    with running_server(["--no-bundled", "--data", str(data)]) as running:
        yield running


def values(response: requests.Response, variable: str = "o") -> list[str]:
    assert response.status_code == 200, response.text
    return [row[variable]["value"] for row in response.json()["results"]["bindings"] if variable in row]


# --- query operation: the three ways to send a query ------------------------------------------------


def test_get_form_post_and_direct_post_give_the_same_answer(server):
    url = server.sparql_url
    by_get = requests.get(url, params={"query": SELECT_P}, headers={"Accept": JSON}, timeout=30)
    by_form = requests.post(url, data={"query": SELECT_P}, headers={"Accept": JSON}, timeout=30)
    by_body = requests.post(
        url, data=SELECT_P.encode(), headers={"Accept": JSON, "Content-Type": "application/sparql-query"}, timeout=30
    )
    assert values(by_get) == values(by_form) == values(by_body) == ["default", "one", "two"]


def test_trailing_slash_path_is_the_same_endpoint(server):
    response = requests.get(server.url + "/sparql/", params={"query": "ASK {}"}, timeout=30)
    assert response.status_code == 200 and response.json()["boolean"] is True


# --- dataset semantics ------------------------------------------------------------------------------


def test_default_graph_is_the_union_of_all_graphs(server):
    assert values(server.query(SELECT_P)) == ["default", "one", "two"]


def test_graph_variable_reaches_every_named_graph(server):
    response = server.query("SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g")
    assert values(response, "g") == [EX + "g1", EX + "g2"]


def test_default_graph_uri_selects_that_graph_only(server):
    response = requests.get(
        server.sparql_url, params={"query": SELECT_P, "default-graph-uri": EX + "g1"}, headers={"Accept": JSON}, timeout=30
    )
    assert values(response) == ["one"]


def test_named_graph_uri_alone_leaves_an_empty_default_graph(server):
    params = {"query": "SELECT ?g ?o { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }", "named-graph-uri": EX + "g2"}
    rows = requests.get(server.sparql_url, params=params, headers={"Accept": JSON}, timeout=30).json()["results"]["bindings"]
    assert [(row["g"]["value"], row["o"]["value"]) for row in rows] == [(EX + "g2", "two")]


def test_from_selects_a_graph_of_the_store(server):
    assert values(server.query(f"PREFIX ex: <{EX}> SELECT ?o FROM ex:g2 WHERE {{ ?s ex:p ?o }}")) == ["two"]


def test_from_named_restricts_graph_and_empties_default(server):
    query = f"SELECT ?g ?o FROM NAMED <{EX}g1> WHERE {{ {{ ?s <{EX}p> ?o }} UNION {{ GRAPH ?g {{ ?s <{EX}p> ?o }} }} }}"
    rows = server.query(query).json()["results"]["bindings"]
    assert [(row["g"]["value"], row["o"]["value"]) for row in rows] == [(EX + "g1", "one")]


def test_protocol_dataset_overrides_the_query_dataset(server):
    response = requests.post(
        server.sparql_url + f"?default-graph-uri={EX}g1",
        data=f"SELECT ?o FROM <{EX}g2> WHERE {{ ?s <{EX}p> ?o }}".encode(),
        headers={"Content-Type": "application/sparql-query", "Accept": JSON},
        timeout=30,
    )
    assert values(response) == ["one"]


def test_graph_not_in_the_store_is_simply_empty(server):
    response = server.query(f"SELECT ?o FROM <{EX}absent> WHERE {{ ?s ?p ?o }}")
    assert values(response) == []


def test_names_that_merely_contain_from_keep_the_union_default_graph(server):
    query = f"PREFIX prov: <http://www.w3.org/ns/prov#> SELECT ?o {{ ?s <{EX}p> ?o OPTIONAL {{ ?s prov:wasDerivedFrom ?x }} }} ORDER BY ?o"
    assert values(server.query(query)) == ["default", "one", "two"]


def test_relative_iris_resolve_against_the_graph_namespace(server):
    response = server.query("SELECT ?x { BIND(<id/brics> AS ?x) }")
    assert values(response, "x") == ["https://w3id.org/bricskg/id/brics"]


# --- result formats -------------------------------------------------------------------------------


def test_select_as_sparql_json(server):
    response = server.query(SELECT_P, accept=JSON)
    assert response.headers["Content-Type"].startswith(JSON)
    bindings = response.json()["results"]["bindings"]
    assert {"type": "literal", "value": "two", "xml:lang": "en"} in [row["o"] for row in bindings]


def test_select_as_sparql_xml(server):
    response = server.query(SELECT_P, accept="application/sparql-results+xml")
    assert response.headers["Content-Type"].startswith("application/sparql-results+xml")
    root = ElementTree.fromstring(response.content)
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    assert [node.text for node in root.findall(".//r:literal", ns)] == ["default", "one", "two"]


def test_select_as_csv(server):
    response = server.query(SELECT_P, accept="text/csv")
    assert response.headers["Content-Type"].startswith("text/csv")
    assert list(csv.reader(io.StringIO(response.text))) == [["o"], ["default"], ["one"], ["two"]]


def test_select_as_tsv(server):
    response = server.query(SELECT_P, accept="text/tab-separated-values")
    assert response.headers["Content-Type"].startswith("text/tab-separated-values")
    assert response.text.splitlines() == ["?o", '"default"', '"one"', '"two"@en']


def test_ask_as_json_and_xml(server):
    assert server.query("ASK { ?s ?p 'one' }").json() == {"head": {}, "boolean": True}
    xml = server.query("ASK { ?s ?p 'nothing' }", accept="application/sparql-results+xml")
    assert "<boolean>false</boolean>" in xml.text


@pytest.mark.parametrize(
    "media_type, rdflib_format",
    [
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
        ("application/trig", "trig"),
        ("application/n-quads", "nquads"),
    ],
)
def test_construct_in_every_rdf_syntax(server, media_type, rdflib_format):
    response = server.query(CONSTRUCT_ALL, accept=media_type)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith(media_type)
    if rdflib_format in ("trig", "nquads"):
        graph = rdflib.Dataset()
        graph.parse(data=response.text, format=rdflib_format)
        triples = {(s, p, o) for s, p, o, _ in graph.quads()}
    else:
        graph = rdflib.Graph()
        graph.parse(data=response.text, format=rdflib_format)
        triples = set(graph)
    assert (rdflib.URIRef(EX + "s2"), rdflib.URIRef(EX + "p"), rdflib.Literal("two", lang="en")) in triples
    assert len(triples) == 4


def test_describe_answers_rdf(server):
    response = server.query(f"DESCRIBE <{EX}s1>", accept="text/turtle")
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    assert (rdflib.URIRef(EX + "s1"), rdflib.URIRef(EX + "q"), rdflib.URIRef(EX + "o1")) in graph


# --- content negotiation ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "accept, expected",
    [
        (None, JSON),
        ("*/*", JSON),
        ("application/*", JSON),
        ("text/*", "text/csv"),
        ("text/csv;q=0.5, application/sparql-results+xml", "application/sparql-results+xml"),
        ("application/sparql-results+json;q=0.1, text/tab-separated-values;q=0.9", "text/tab-separated-values"),
        ("application/sparql-results+json;q=0, */*;q=0.5", "application/sparql-results+xml"),
        ("application/json", JSON),
        ("text/xml", "application/sparql-results+xml"),
    ],
)
def test_accept_header_with_q_values_and_wildcards_picks_the_results_format(server, accept, expected):
    headers = {"Content-Type": "application/sparql-query"}
    if accept is not None:
        headers["Accept"] = accept
    response = requests.post(server.sparql_url, data=b"SELECT * {}", headers=headers, timeout=30)
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == expected
    assert "Accept" in response.headers.get("Vary", "")


@pytest.mark.parametrize(
    "accept, expected",
    [
        (None, "text/turtle"),
        ("*/*", "text/turtle"),
        ("application/json", "application/ld+json"),
        ("application/rdf+xml;q=0.9, application/n-triples", "application/n-triples"),
        ("text/plain", "application/n-triples"),
    ],
)
def test_accept_header_picks_the_graph_format(server, accept, expected):
    headers = {"Accept": accept} if accept else {}
    response = requests.get(server.sparql_url, params={"query": CONSTRUCT_ALL}, headers=headers, timeout=30)
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == expected


@pytest.mark.parametrize(
    "query, format_name, expected",
    [
        (SELECT_P, "csv", "text/csv"),
        (SELECT_P, "tsv", "text/tab-separated-values"),
        (SELECT_P, "xml", "application/sparql-results+xml"),
        (SELECT_P, "json", JSON),
        (CONSTRUCT_ALL, "turtle", "text/turtle"),
        (CONSTRUCT_ALL, "ntriples", "application/n-triples"),
        (CONSTRUCT_ALL, "jsonld", "application/ld+json"),
        (CONSTRUCT_ALL, "rdfxml", "application/rdf+xml"),
        (CONSTRUCT_ALL, "trig", "application/trig"),
        (CONSTRUCT_ALL, "nquads", "application/n-quads"),
        (CONSTRUCT_ALL, "json", "application/ld+json"),
    ],
)
def test_format_parameter_overrides_accept(server, query, format_name, expected):
    response = requests.get(
        server.sparql_url, params={"query": query, "format": format_name}, headers={"Accept": "image/png"}, timeout=30
    )
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].split(";")[0] == expected


def test_unacceptable_accept_gets_406_listing_the_available_types(server):
    response = server.query(SELECT_P, accept="image/png")
    assert response.status_code == 406
    for media_type in (JSON, "application/sparql-results+xml", "text/csv", "text/tab-separated-values"):
        assert media_type in response.text


def test_results_only_format_for_a_construct_gets_406(server):
    response = requests.get(server.sparql_url, params={"query": CONSTRUCT_ALL, "format": "csv"}, timeout=30)
    assert response.status_code == 406
    assert "text/turtle" in response.text


# --- service description, health, CORS ------------------------------------------------------------


SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")


def test_get_without_query_returns_the_service_description(server):
    response = requests.get(server.sparql_url, timeout=30)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/turtle")
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    service = graph.value(predicate=rdflib.RDF.type, object=SD.Service)
    assert graph.value(service, SD.endpoint) == rdflib.URIRef(server.sparql_url)
    assert (service, SD.feature, SD.UnionDefaultGraph) in graph
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in graph
    assert (service, SD.supportedLanguage, SD.SPARQL11Update) not in graph  # read-only server
    assert (service, SD.resultFormat, rdflib.URIRef("http://www.w3.org/ns/formats/SPARQL_Results_JSON")) in graph
    names = set(graph.objects(None, SD.name))
    assert names == {rdflib.URIRef(EX + "g1"), rdflib.URIRef(EX + "g2")}


def test_service_description_is_negotiated(server):
    response = requests.get(server.sparql_url, headers={"Accept": "application/ld+json"}, timeout=30)
    assert response.headers["Content-Type"].startswith("application/ld+json")
    graph = rdflib.Graph().parse(data=response.text, format="json-ld")
    assert any(graph.triples((None, SD.endpoint, None)))


def test_a_browser_at_the_endpoint_is_sent_to_the_query_editor(server):
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = requests.get(server.sparql_url, headers={"Accept": browser}, allow_redirects=False, timeout=30)
    assert response.status_code == 303 and response.headers["Location"].endswith("/query")
    curl = requests.get(server.sparql_url, headers={"Accept": "*/*"}, timeout=30)
    assert curl.headers["Content-Type"].startswith("text/turtle")


def test_health_reports_status_and_quad_count(server):
    response = requests.get(server.url + "/health", timeout=30)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["quads"] == 4 and body["writable"] is False
    assert isinstance(body["version"], int)


def test_reads_are_cors_enabled(server):
    response = requests.get(server.sparql_url, params={"query": "ASK {}"}, headers={"Origin": "https://example.net"}, timeout=30)
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_cors_preflight_is_answered(server):
    response = requests.options(
        server.sparql_url,
        headers={"Origin": "https://example.net", "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "content-type"},
        timeout=30,
    )
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in response.headers["Access-Control-Allow-Headers"]


# --- errors -------------------------------------------------------------------------------------------


def test_syntax_error_is_400_with_line_and_column(server):
    response = server.query("SELECT * WHERE {\n  ?s ?p \n}")
    assert response.status_code == 400
    assert "3:" in response.text and "syntax" in response.text.lower()
    assert response.headers["Content-Type"].startswith("text/plain")


def test_errors_come_as_json_when_the_client_prefers_json(server):
    response = requests.get(server.sparql_url, params={"query": "SELECT"}, headers={"Accept": "application/json"}, timeout=30)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["status"] == 400 and "1:" in error["message"]


def test_update_sent_as_query_is_400(server):
    response = requests.get(server.sparql_url, params={"query": "INSERT DATA { <a:b> <a:c> <a:d> }"}, timeout=30)
    assert response.status_code == 400 and "update" in response.text.lower()


def test_updates_are_refused_with_403_read_only(server):
    for response in (
        requests.post(server.sparql_url, data={"update": "CLEAR ALL"}, timeout=30),
        requests.post(server.sparql_url, data=b"CLEAR ALL", headers={"Content-Type": "application/sparql-update"}, timeout=30),
    ):
        assert response.status_code == 403
        assert "read-only" in response.text
    assert server.query("ASK { ?s ?p 'one' }").json()["boolean"] is True


def test_update_by_get_is_405(server):
    response = requests.get(server.sparql_url, params={"update": "CLEAR ALL"}, timeout=30)
    assert response.status_code == 405 and "POST" in response.headers["Allow"]


def test_query_and_update_together_is_400(server):
    response = requests.post(server.sparql_url, data={"query": "ASK {}", "update": "CLEAR ALL"}, timeout=30)
    assert response.status_code == 400


def test_two_query_parameters_are_400(server):
    response = requests.get(server.sparql_url + "?query=ASK%7B%7D&query=ASK%7B%7D", timeout=30)
    assert response.status_code == 400 and "exactly one" in response.text


def test_parameters_without_query_are_400(server):
    response = requests.get(server.sparql_url, params={"default-graph-uri": EX + "g1"}, timeout=30)
    assert response.status_code == 400 and "query" in response.text


def test_relative_default_graph_uri_is_400(server):
    response = requests.get(server.sparql_url, params={"query": "ASK {}", "default-graph-uri": "not an iri"}, timeout=30)
    assert response.status_code == 400 and "default-graph-uri" in response.text


def test_wrong_post_media_type_is_415(server):
    response = requests.post(server.sparql_url, data=b"ASK {}", headers={"Content-Type": "text/plain"}, timeout=30)
    assert response.status_code == 415
    assert "application/sparql-query" in response.text


def test_missing_post_media_type_is_415(server):
    response = requests.post(server.sparql_url, data=b"query=ASK%20%7B%7D", headers={"Content-Type": ""}, timeout=30)
    assert response.status_code == 415


@pytest.mark.parametrize(
    "kind, body, content_type",
    [
        ("direct", "ASK { ?s ?p 'caf\u00e9' }".encode("latin-1"), "application/sparql-query"),
        ("form", b"query=ASK%20%7B%20%3Fs%20%3Fp%20%27caf%E9%27%20%7D", "application/x-www-form-urlencoded"),
        ("charset", "ASK {}".encode("utf-16"), "application/sparql-query; charset=UTF-16"),
    ],
)
def test_non_utf8_requests_are_400(server, kind, body, content_type):
    response = requests.post(server.sparql_url, data=body, headers={"Content-Type": content_type}, timeout=30)
    assert response.status_code == 400, kind
    assert "UTF-8" in response.text


def test_non_utf8_percent_escape_in_get_is_400(server):
    response = requests.get(server.sparql_url + "?query=ASK%20%7B%20%3Fs%20%3Fp%20%27caf%E9%27%20%7D", timeout=30)
    assert response.status_code == 400 and "UTF-8" in response.text


def test_no_error_answer_carries_a_traceback(server):
    bad = [
        requests.get(server.sparql_url, params={"query": "SELECT ?x WHERE { ?x <"}, timeout=30),
        requests.post(server.sparql_url, data=b"\xff\xfe", headers={"Content-Type": "application/sparql-query"}, timeout=30),
        requests.put(server.sparql_url, data=b"ASK {}", timeout=30),
        requests.get(server.url + "/sparql", params={"query": "ASK {}", "format": "nonsense"}, timeout=30),
    ]
    for response in bad:
        assert 400 <= response.status_code < 500, response.text
        assert "Traceback" not in response.text and 'File "' not in response.text
    assert requests.get(server.url + "/health", timeout=30).status_code == 200
