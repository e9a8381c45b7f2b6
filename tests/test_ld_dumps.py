"""The dumps at /dumps/bricskg.<ext>: every syntax parses and holds exactly the bundled data."""

from __future__ import annotations

import pytest
import rdflib
from ld_graph_comparison import difference

from bricskg.dataset import load_rdflib_dataset

QUAD_SYNTAXES = {"trig": "trig", "nq": "nquads", "jsonld?graphs=1": "json-ld"}
TRIPLE_SYNTAXES = {"ttl": "turtle", "nt": "nt", "rdf": "xml", "jsonld": "json-ld"}


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


# --- dumps at any size: never bounded by the query answer limit ---------------------------------------


class SmallAnswers:
    """A backend whose query answers are bounded to a few kilobytes, like a 600k-triple store's whole
    dump is bounded by the 64 MB answer limit: the same refusal, at the bundled data's size."""

    LIMIT = 20_000

    def __init__(self, backend):
        self._backend = backend

    def query(self, request):
        from dataclasses import replace

        return self._backend.query(replace(request, max_result_bytes=min(request.max_result_bytes, self.LIMIT)))

    def __getattr__(self, name):
        return getattr(self._backend, name)


def _client(backend):
    from bricskg.config import Config
    from bricskg.web.app import create_app

    return create_app(Config(), backend).test_client()


@pytest.mark.parametrize("ext", ["nt", "ttl", "nq", "trig", "jsonld", "rdf"])
def test_a_dump_larger_than_any_query_answer_is_still_served_whole(ext):
    from bricskg.dataset import open_memory_store
    from bricskg.store.embedded import EmbeddedBackend

    backend = SmallAnswers(EmbeddedBackend(memory_store=open_memory_store(), isolate=False))
    client = _client(backend)
    response = client.get(f"/dumps/bricskg.{ext}")
    assert response.status_code == 200, response.data[:300]
    assert len(response.data) > 3 * SmallAnswers.LIMIT
    syntax = {"nt": "nt", "ttl": "turtle", "nq": "nquads", "trig": "trig", "jsonld": "json-ld", "rdf": "xml"}[ext]
    parsed = rdflib.Dataset()
    parsed.parse(data=response.data, format=syntax)
    expected = client.get("/dumps/bricskg.nq" if ext in ("nq", "trig") else "/dumps/bricskg.nt").data
    assert sum(1 for _ in parsed.quads((None, None, None, None))) == len(expected.splitlines())


def test_a_dump_is_written_again_after_a_write():
    import pyoxigraph

    from bricskg.dataset import open_memory_store
    from bricskg.store.embedded import EmbeddedBackend

    backend = EmbeddedBackend(memory_store=open_memory_store(), writable=True, isolate=False)
    client = _client(backend)
    before = client.get("/dumps/bricskg.nt")
    backend.store.add(pyoxigraph.Quad(pyoxigraph.NamedNode("https://w3id.org/bricskg/id/new"), pyoxigraph.NamedNode(
        "http://www.w3.org/2000/01/rdf-schema#label"), pyoxigraph.Literal("new"), pyoxigraph.NamedNode("https://w3id.org/bricskg/claim/new")))
    backend.notify_write()
    after = client.get("/dumps/bricskg.nt")
    assert after.headers["ETag"] != before.headers["ETag"]
    assert b"<https://w3id.org/bricskg/id/new>" in after.data and b"/id/new>" not in before.data
    assert len(after.data.splitlines()) == len(before.data.splitlines()) + 1


def test_a_dump_whose_file_was_removed_is_written_again():
    """A temporary-files cleaner (or an operator) may empty /tmp under a running server."""
    import shutil

    from bricskg.dataset import open_memory_store
    from bricskg.store.embedded import EmbeddedBackend
    from bricskg.web import dumps

    client = _client(EmbeddedBackend(memory_store=open_memory_store(), isolate=False))
    first = client.get("/dumps/bricskg.ttl")
    assert first.status_code == 200
    shutil.rmtree(dumps._files._directory)
    again = client.get("/dumps/bricskg.ttl")
    assert again.status_code == 200 and again.data == first.data
