"""The IRI ↔ path mapping (no server): what a deployment at the namespace's host relies on."""

from __future__ import annotations

import pytest

from bricskg.web.descriptions import is_safe_iri
from bricskg.web.iri_space import IriSpace, iri_from_decoded, split_data_path, uri_to_iri
from bricskg.web.negotiation_offers import OFFERS, choose

SPACE = IriSpace("https://w3id.org/bricskg/")


@pytest.mark.parametrize(
    "iri, path",
    [
        ("https://w3id.org/bricskg/id/russia", "/id/russia"),
        ("https://w3id.org/bricskg/ontology/State", "/ontology/State"),
        ("https://w3id.org/bricskg/ontology", "/ontology"),
        ("https://w3id.org/bricskg/claim/russia-leverages-brics", "/claim/russia-leverages-brics"),
        ("https://w3id.org/bricskg/source/article/s02", "/source/article/s02"),
        ("https://w3id.org/bricskg/graph/provenance", "/graph/provenance"),
        ("https://w3id.org/bricskg/id/s%C3%A3o-paulo", "/id/s%C3%A3o-paulo"),
        ("https://w3id.org/bricskg/id/são-paulo", "/id/s%C3%A3o-paulo"),
        ("https://w3id.org/bricskg/id/sp%20ace", "/id/sp%20ace"),
        ("https://w3id.org/bricskg/id/100%", "/id/100%25"),
    ],
)
def test_every_iri_of_the_namespace_is_served_at_its_own_path(iri, path):
    assert SPACE.thing_path(iri) == path
    rest = iri[len(SPACE.base):]
    assert SPACE.iri_for(rest) == iri


def test_iris_outside_the_served_segments_have_no_local_path():
    assert SPACE.thing_path("http://www.wikidata.org/entity/Q159") is None
    assert SPACE.thing_path("https://w3id.org/bricskg/static/bricskg.css") is None
    assert SPACE.thing_path("https://w3id.org/bricskgX/id/russia") is None


def test_documents_about_a_thing_have_their_own_paths():
    iri = "https://w3id.org/bricskg/id/russia"
    assert SPACE.page_path(iri) == "/page/id/russia"
    assert SPACE.data_path(iri, "ttl") == "/data/id/russia.ttl"
    assert split_data_path("id/russia.ttl") == ("id/russia", "ttl")
    assert split_data_path("id/russia.exe") is None
    assert split_data_path("id/russia") is None


def test_a_fragment_is_dropped_from_the_path_but_kept_for_the_browser():
    assert SPACE.thing_path("https://w3id.org/bricskg/ontology#State") == "/ontology#State"
    assert SPACE.page_path("https://w3id.org/bricskg/ontology#State") == "/page/ontology"


@pytest.mark.parametrize(
    "accept, chosen",
    [
        (None, "text/html"),
        ("*/*", "text/html"),
        ("text/turtle", "text/turtle"),
        ("application/rdf+xml;q=0.9, text/turtle;q=0.5", "application/rdf+xml"),
        ("text/html;q=0, application/xhtml+xml;q=0, */*", "text/turtle"),
        ("application/json", "application/json"),
        ("image/png", None),
    ],
)
def test_accept_header_chooses_the_representation(accept, chosen):
    assert choose(accept) == chosen


def test_iris_that_could_break_out_of_a_query_are_refused():
    assert is_safe_iri("https://w3id.org/bricskg/id/russia")
    for bad in ("https://x/> } ; DROP ALL ; <y", "https://x/a b", "https://x/\n", 'https://x/"'):
        assert not is_safe_iri(bad)


@pytest.mark.parametrize(
    "path, rest",
    [
        ("id/sp%20ace", "id/sp%20ace"),  # the IRI's own escape stays: never decoded into a space
        ("id/s%C3%A3o-paulo", "id/são-paulo"),  # UTF-8 escapes name the IRI's characters
        ("id/s%c3%a3o", "id/são"),
        ("id/%41bc", "id/Abc"),  # unreserved ASCII is decoded (RFC 3986 §6.2.2.2)
        ("id/a%2fb", "id/a%2Fb"),  # an encoded slash is not a path separator
        ("id/%FF", "id/%FF"),  # not UTF-8: kept as it is
    ],
)
def test_a_request_path_names_the_iri_with_its_own_escapes_kept(path, rest):
    assert uri_to_iri(path) == rest


def test_without_the_raw_path_a_decoded_space_becomes_the_escape_again():
    assert iri_from_decoded("id/sp ace") == "id/sp%20ace"
    assert iri_from_decoded("id/são") == "id/são"


def test_the_data_path_of_a_percent_encoded_iri_is_encoded_once():
    assert SPACE.data_path("https://w3id.org/bricskg/id/sp%20ace", "ttl") == "/data/id/sp%20ace.ttl"
    assert SPACE.page_path("https://w3id.org/bricskg/id/sp%20ace") == "/page/id/sp%20ace"
    assert split_data_path("id/sp%20ace.ttl") == ("id/sp%20ace", "ttl")


@pytest.mark.parametrize("accept", ["text/plain", "text/plain, */*;q=0.1", "application/n-triples"])
def test_n_triples_is_chosen_for_text_plain(accept):
    assert OFFERS[choose(accept)] == "nt"


def test_a_json_ld_profile_parameter_still_selects_json_ld():
    assert choose('application/ld+json;profile="https://w3id.org/bricskg/profile/named-graphs"') == "application/ld+json"
