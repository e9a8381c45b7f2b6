"""The HTML face: entity pages, the start page, the ontology documentation, the network data, and
that no page loads anything from outside the server."""

from __future__ import annotations

import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

import pytest
import rdflib
from rdflib import OWL, RDF, URIRef

from bricskg.config import BASE_IRI
from bricskg.paths import article_path, ontology_dir, project_root

ONTOLOGY_NS = BASE_IRI + "ontology/"


class LinkCollector(HTMLParser):
    """Every (tag, attribute, value) that makes a browser fetch or navigate."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.links.append((tag, dict(attrs)))


def parse_links(html: str) -> list[tuple[str, dict[str, str | None]]]:
    collector = LinkCollector()
    collector.feed(html)
    return collector.links


def sparql_values(server, query: str, var: str) -> list[str]:
    response = server.query(query)
    assert response.status_code == 200, response.text
    return [row[var]["value"] for row in response.json()["results"]["bindings"]]


def fetched_resources(html: str) -> list[str]:
    """URLs the page loads by itself (scripts, styles, images, icons), not links a user may click."""
    urls = []
    for tag, attrs in parse_links(html):
        if tag in ("script", "img", "iframe") and attrs.get("src"):
            urls.append(attrs["src"])
        if tag == "link" and attrs.get("rel") in ("stylesheet", "icon", "preload", "modulepreload") and attrs.get("href"):
            urls.append(attrs["href"])
    return urls


@pytest.mark.parametrize("path", ["/", "/query", "/network", "/page/ontology", "/page/id/russia", "/page/claim/russia-leverages-brics"])
def test_pages_load_every_resource_from_the_server_itself(live_server, path):
    response = live_server.get(path)
    assert response.status_code == 200
    resources = fetched_resources(response.text)
    assert resources
    for url in resources:
        assert url.startswith("/") and not url.startswith("//"), (path, url)
        assert live_server.get(url).status_code == 200, url
    assert "fonts.googleapis" not in response.text and "cdn" not in response.text.lower()


def test_entity_page_shows_label_types_identifiers_and_links(live_server):
    html = live_server.get("/page/id/russia").text
    assert "<h1>Russia</h1>" in html
    links = [attrs for tag, attrs in parse_links(html) if tag == "a"]
    hrefs = {a.get("href") for a in links}
    assert "/ontology/State" in hrefs  # the type links to our own term, locally
    wikidata = [a for a in links if (a.get("href") or "").startswith("https://www.wikidata.org/wiki/Q159")]
    assert wikidata and wikidata[0].get("target") == "_blank"  # outside links open outside
    assert any(h and h.startswith("/id/") and h != "/id/russia" for h in hrefs)  # links to other entities
    assert "Referred to by" in html  # incoming links


def test_entity_page_quotes_the_sentences_behind_its_statements(live_server):
    html = live_server.get("/page/id/russia").text
    quotes = set(re.findall(r'<blockquote class="quote">“(.*?)”</blockquote>', html, flags=re.S))
    article = article_path().read_text(encoding="utf-8") if article_path().exists() else None
    expected = sparql_values(
        live_server,
        f"""PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX oa: <http://www.w3.org/ns/oa#>
            SELECT DISTINCT ?quote WHERE {{ GRAPH ?g {{ <{BASE_IRI}id/russia> ?p ?o }}
              ?g prov:wasDerivedFrom/oa:hasSelector/oa:exact ?quote }}""",
        "quote",
    )
    import html as html_module

    shown = {html_module.unescape(q) for q in quotes}
    assert expected and set(expected) <= shown
    if article is not None:
        for quote in shown:
            assert quote in article


def test_every_local_link_on_an_entity_page_resolves(live_server):
    html = live_server.get("/page/id/brics").text
    # /sparql is the endpoint's (it answers machines, not text/html-only clients).
    local = sorted(
        {a["href"] for tag, a in parse_links(html) if tag == "a" and (a.get("href") or "").startswith("/")} - {"/sparql"}
    )
    assert len(local) > 10
    for href in local:
        response = live_server.get(href.split("#")[0], headers={"Accept": "text/html"}, allow_redirects=True)
        assert response.status_code == 200, href


def test_ontology_page_documents_every_class_and_property(live_server):
    html = live_server.get("/ontology", headers={"Accept": "text/html"}).text
    ontology = rdflib.Graph().parse(ontology_dir() / "bricskg.ttl")
    terms = set()
    for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, OWL.NamedIndividual):
        terms |= {str(t) for t in ontology.subjects(RDF.type, kind) if str(t).startswith(ONTOLOGY_NS)}
    assert len(terms) > 50
    ids = {attrs.get("id") for tag, attrs in parse_links(html) if attrs.get("id")}
    missing = sorted(t for t in terms if t[len(ONTOLOGY_NS):] not in ids)
    assert not missing
    for term in sorted(terms)[:5]:
        definition = ontology.value(URIRef(term), rdflib.SKOS.definition)
        if definition is not None:
            import html as html_module

            assert html_module.escape(str(definition), quote=False) in html


def test_class_diagram_has_a_box_for_every_class(live_server):
    response = live_server.get("/pictures/class-diagram.svg")
    assert response.headers["Content-Type"].startswith("image/svg+xml")
    svg = ElementTree.fromstring(response.content)
    labels = {t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")}
    ontology = rdflib.Graph().parse(ontology_dir() / "bricskg.ttl")
    classes = {str(c)[len(ONTOLOGY_NS):] for c in ontology.subjects(RDF.type, OWL.Class) if str(c).startswith(ONTOLOGY_NS)}
    assert classes and classes <= labels


def test_start_page_counts_things_per_class_as_the_store_does(live_server):
    html = live_server.get("/").text
    rows = live_server.query(
        f'SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a ?class FILTER(STRSTARTS(STR(?class), "{ONTOLOGY_NS}")) }} GROUP BY ?class'
    ).json()["results"]["bindings"]
    assert rows
    for row in rows:
        local = "/ontology/" + row["class"]["value"][len(ONTOLOGY_NS):]
        pattern = re.escape(f'href="{local}"') + r'.*?<td class="num">(\d+)</td>'
        match = re.search(pattern, html, flags=re.S)
        assert match and int(match.group(1)) == int(row["n"]["value"]), local


def test_start_page_offers_every_competency_question_as_a_one_click_query(live_server):
    from bricskg.competency import load_questions

    html = live_server.get("/").text
    questions = load_questions()
    assert questions
    for question in questions:
        assert f'/query?example={question.id}"' in html
    query_page = live_server.get("/query").text
    assert all(question.id in query_page for question in questions)


def test_network_data_links_every_state_and_the_memberships(live_server):
    data = live_server.get("/network.json").json()
    ids = {node["id"] for node in data["nodes"]}
    states = set(sparql_values(live_server, f"SELECT DISTINCT ?s WHERE {{ ?s a <{ONTOLOGY_NS}State> }}", "s"))
    assert states and states <= ids
    members = sparql_values(
        live_server,
        f"PREFIX org: <http://www.w3.org/ns/org#> SELECT ?m WHERE {{ ?x org:member ?m ; org:organization <{BASE_IRI}id/brics> }}",
        "m",
    )
    edges = {(e["source"], e["target"]): e["label"] for e in data["edges"]}
    relations = {node["id"] for node in data["nodes"] if node["group"] == "relation"}
    assert members
    for member in members:  # state ← member — (membership) — organization → BRICS
        assert any(
            edges.get((via, member)) == "member" and edges.get((via, BASE_IRI + "id/brics")) == "organization"
            for via in relations
        ), member
    for source, target in edges:
        assert source in ids and target in ids


def test_network_never_draws_a_relation_node_as_a_direct_tie(live_server):
    data = live_server.get("/network.json").json()
    pairs = {frozenset((e["source"], e["target"])) for e in data["edges"]}
    # Brazil announced Indonesia's membership: the two are joined through the membership, not directly
    assert frozenset((BASE_IRI + "id/brazil", BASE_IRI + "id/indonesia")) not in pairs
    assert all(edge["label"] and ":" not in edge["label"] for edge in data["edges"])


def test_network_picture_is_an_svg_with_every_node(live_server):
    data = live_server.get("/network.json").json()
    svg = ElementTree.fromstring(live_server.get("/pictures/network.svg").content)
    texts = {t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")}
    assert {node["label"] for node in data["nodes"]} <= texts


def test_vendored_libraries_match_their_manifest():
    script = project_root() / "scripts" / "vendor-static"
    result = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    manifest = (project_root() / "server" / "bricskg" / "static" / "vendor" / "VERSIONS").read_text()
    assert "@zazuko/yasgui\t4.6.2\tMIT\tsha512-" in manifest
    assert "vis-network\t10.1.5\t" in manifest
    for folder in Path(project_root() / "server" / "bricskg" / "static" / "vendor").iterdir():
        if folder.is_dir():
            assert any(p.name.startswith("LICENSE") for p in folder.iterdir()), folder
