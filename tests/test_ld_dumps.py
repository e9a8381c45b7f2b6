"""The dumps at /dumps/bricskg.<ext>: every syntax parses and holds exactly the bundled data."""

from __future__ import annotations

import pytest
import rdflib
from ld_graph_comparison import difference

from bricskg.dataset import load_rdflib_dataset

QUAD_SYNTAXES = {"trig": "trig", "nq": "nquads", "jsonld": "json-ld"}
TRIPLE_SYNTAXES = {"ttl": "turtle", "nt": "nt", "rdf": "xml"}


@pytest.fixture(scope="module")
def bundled() -> rdflib.Dataset:
    return load_rdflib_dataset()


def graphs_by_name(dataset: rdflib.Dataset) -> dict[str, list]:
    graphs: dict[str, list] = {}
    for s, p, o, g in dataset.quads((None, None, None, None)):
        name = str(g.identifier if hasattr(g, "identifier") else g)
        graphs.setdefault(name, []).append((s, p, o))
    return graphs


@pytest.mark.parametrize("ext", sorted(QUAD_SYNTAXES))
def test_quad_dumps_hold_every_named_graph_of_the_data_unchanged(live_server, bundled, ext):
    response = live_server.get(f"/dumps/bricskg.{ext}")
    assert response.status_code == 200
    served = rdflib.Dataset()
    served.parse(data=response.content, format=QUAD_SYNTAXES[ext])
    got, expected = graphs_by_name(served), graphs_by_name(bundled)
    assert set(got) - {str(rdflib.Dataset().default_graph.identifier)} == set(expected) - {
        str(rdflib.Dataset().default_graph.identifier)
    }
    for name, triples in expected.items():
        assert difference(got.get(name, []), triples) == ([], []), name


@pytest.mark.parametrize("ext", sorted(TRIPLE_SYNTAXES))
def test_triple_dumps_hold_the_union_of_all_graphs(live_server, bundled, ext):
    response = live_server.get(f"/dumps/bricskg.{ext}")
    assert response.status_code == 200
    served = rdflib.Graph().parse(data=response.content, format=TRIPLE_SYNTAXES[ext])
    union = {(s, p, o) for s, p, o, _ in bundled.quads((None, None, None, None))}
    assert difference(served, union) == ([], [])


def test_dump_answers_304_to_a_matching_etag(live_server):
    first = live_server.get("/dumps/bricskg.ttl")
    etag = first.headers["ETag"]
    again = live_server.get("/dumps/bricskg.ttl", headers={"If-None-Match": etag})
    assert again.status_code == 304


def test_unknown_dump_syntax_is_404(live_server):
    assert live_server.get("/dumps/bricskg.xlsx").status_code == 404
