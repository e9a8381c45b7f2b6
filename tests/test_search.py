"""Search: ranked full-text over labels, alternative labels and quoted sentences, with type and
language facets, a JSON API, an HTML page, and an index that follows every accepted write."""

from __future__ import annotations

import pytest
import requests

from bricskg.config import Config
from bricskg.search.index import MAX_QUERY_CHARS, SearchQueryError, fts_query, plain
from bricskg.search.service import SearchService, index_uri
from bricskg.store.factory import open_backend
from live_server import live_server

BKG = "https://w3id.org/bricskg/ontology/"
BKGR = "https://w3id.org/bricskg/id/"
REFERENCE = "https://w3id.org/bricskg/graph/reference"
TOKEN = "search-token"


@pytest.fixture(scope="module")
def service() -> SearchService:
    return SearchService(open_backend(Config(), isolate=False), index_uri(None))


def test_user_text_never_becomes_fts_syntax():
    assert fts_query('iran OR "china" NEAR(x) label:* -') == '"iran" "OR" "china" "NEAR" "x" "label"*'
    assert fts_query("  ¿?  ") == ""


def test_overlong_search_text_is_refused():
    with pytest.raises(SearchQueryError):
        fts_query("a" * (MAX_QUERY_CHARS + 1))


def test_a_name_outranks_mentions_in_other_names_and_sentences(service):
    result = service.search("iran")
    assert result.hits[0].thing == BKGR + "iran"
    assert result.hits[0].field == "label"
    assert result.total == len({hit.thing for hit in service.search("iran", limit=100).hits})


def test_the_last_word_matches_as_a_prefix(service):
    assert BKGR + "iran" in {hit.thing for hit in service.search("ira", limit=100).hits}


def test_alternative_labels_are_found(service):
    hits = service.search("People's Republic").hits
    assert hits and hits[0].thing == BKGR + "china" and hits[0].field == "alt"


def test_quoted_sentences_are_found_as_sentences(service):
    result = service.search("parallel AI ecosystem", type_iri=BKG + "Sentence")
    assert result.hits, "the sentence quoting 'a parallel AI ecosystem' should be found"
    assert all(BKG + "Sentence" in hit.types for hit in result.hits)
    assert "parallel AI ecosystem" in plain(result.hits[0].snippet)


def test_type_facet_counts_things_and_filters(service):
    result = service.search("russia")
    counts = {facet.value: facet.count for facet in result.types}
    assert counts[BKG + "State"] == 1
    filtered = service.search("russia", type_iri=BKG + "State")
    assert [hit.thing for hit in filtered.hits] == [BKGR + "russia"]
    assert filtered.total == 1


def test_language_facet_separates_tagged_from_untagged_text(service):
    result = service.search("russia")
    languages = {facet.value: facet.count for facet in result.languages}
    assert languages.get("en", 0) > 0 and languages.get("", 0) > 0  # labels are @en, quotes untagged
    assert all(hit.language == "" for hit in service.search("russia", language="", limit=100).hits)


def test_pages_do_not_overlap(service):
    first = service.search("russia", limit=5)
    second = service.search("russia", limit=5, offset=5)
    assert not {hit.thing for hit in first.hits} & {hit.thing for hit in second.hits}


def test_json_api_answers_ranked_results_with_facets(live_server):
    response = requests.get(live_server.at("/search.json"), params={"q": "iran", "limit": 3}, timeout=30)
    assert response.status_code == 200
    body = response.json()
    assert body["results"][0]["iri"] == BKGR + "iran"
    assert body["results"][0]["page"] == "/id/iran"
    assert len(body["results"]) == 3 and body["total"] > 3
    assert {"type", "language"} <= set(body["facets"])


def test_search_negotiates_json_for_programs_and_html_for_browsers(live_server):
    as_json = requests.get(live_server.at("/search"), params={"q": "iran"}, headers={"Accept": "application/json"}, timeout=30)
    assert as_json.headers["Content-Type"].startswith("application/json")
    as_html = requests.get(live_server.at("/search"), params={"q": "iran"}, headers={"Accept": "text/html"}, timeout=30)
    assert as_html.headers["Content-Type"].startswith("text/html")
    assert 'href="/id/iran"' in as_html.text and "<mark>Iran</mark>" in as_html.text


@pytest.mark.parametrize("params", [{"q": "iran", "limit": "0"}, {"q": "iran", "limit": "x"}, {"q": "w " * 40}])
def test_bad_search_parameters_get_400(live_server, params):
    response = requests.get(live_server.at("/search.json"), params=params, timeout=30)
    assert response.status_code == 400
    assert "error" in response.json()


@pytest.fixture(scope="module")
def writable(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("search-store")
    with live_server("--store", str(root / "store"), "--workers", "2", env={"BRICSKG_ADMIN_TOKEN": TOKEN}) as running:
        yield running


def _update(server, text: str) -> requests.Response:
    return requests.post(
        server.at("/sparql"),
        data=text.encode(),
        headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"},
        timeout=120,
    )


def _found(server, text: str) -> set[str]:
    # several requests, so that every worker process answers at least once with its own connection
    seen: set[str] = set()
    for _ in range(6):
        response = requests.get(server.at("/search.json"), params={"q": text}, timeout=60)
        assert response.status_code == 200
        found = {row["iri"] for row in response.json()["results"]}
        assert not seen or found == seen, "every worker must answer from the same, current index"
        seen = found
    return seen


def test_index_follows_writes_in_every_worker(writable):
    label = '"Islamic Republic of Iran"@en'
    triple = f"<{BKGR}iran> <http://www.w3.org/2004/02/skos/core#altLabel> {label}"
    assert _found(writable, "Islamic Republic") == set()
    response = _update(writable, f"INSERT DATA {{ GRAPH <{REFERENCE}> {{ {triple} }} }}")
    assert response.status_code in (200, 204), response.text
    assert _found(writable, "Islamic Republic") == {BKGR + "iran"}
    response = _update(writable, f"DELETE DATA {{ GRAPH <{REFERENCE}> {{ {triple} }} }}")
    assert response.status_code in (200, 204), response.text
    assert _found(writable, "Islamic Republic") == set()


def test_a_rejected_write_leaves_the_index_as_it_was(writable):
    before = _found(writable, "russia")
    response = _update(writable, f'INSERT DATA {{ GRAPH <{REFERENCE}> {{ <{BKGR}russia> <http://www.w3.org/2000/01/rdf-schema#label> 42 }} }}')
    assert response.status_code == 422
    assert _found(writable, "russia") == before
