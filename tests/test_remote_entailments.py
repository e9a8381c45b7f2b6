"""The entailment regime over an external engine: ``bricskg serve --backend`` against a live
``oxigraph serve`` and a live Virtuoso (each test runs over both; Virtuoso when it is installed).

The engine is loaded with the bundled ontology and data the way an operator would (``oxigraph
load``, Virtuoso's bulk loader); bricskg materialises the inferred graph into it at startup and keeps it right on every
write (bricskg.store.remote_entailments). The reference is the embedded store: the naive competency
questions get the same answers, and the engine's inferred graph is always what a full recompute of
its stated triples gives (less the triples naming a blank node, which SPARQL text cannot name).
"""

from __future__ import annotations

import json
import multiprocessing
from collections import Counter
from pathlib import Path
import pyoxigraph as ox
import pytest
import rdflib
import requests

from bricskg.competency import answers_match, describe_mismatch, load_questions, questions_dir
from bricskg.dataset import open_memory_store
from bricskg.inference import INFERRED, INFERRED_GRAPH, materialise
from bricskg.paths import project_root as home_dir
from live_server import live_server
from bricskg.store.remote_results import read_json_results, virtuoso_blank
from oxigraph_engine import OxigraphServer, oxigraph_cli
from sparql_http import post_query, post_update
from test_remote_engines import ENGINES
from virtuoso_engine import VirtuosoServer, home_quads

NAIVE = load_questions(questions_dir() / "naive")
TOKEN = "remote-entailments-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
BKG = "https://w3id.org/bricskg/ontology/"
BKGR = "https://w3id.org/bricskg/id/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_REGIME = "http://www.w3.org/ns/entailment/RDFS"
SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
ONTOLOGY_GRAPH = "https://w3id.org/bricskg/ontology"
TEST_GRAPH = "https://w3id.org/bricskg/graph/reference"  # a graph the shapes let hold any entity


def ground_inferred(store: ox.Store) -> set[tuple[str, str, str]]:
    """The inferred graph of ``store`` without the triples naming a blank node."""
    found = set()
    for quad in store.quads_for_pattern(None, None, None, INFERRED):
        if not isinstance(quad.subject, ox.BlankNode) and not isinstance(quad.object, ox.BlankNode):
            found.add((str(quad.subject), str(quad.predicate), str(quad.object)))
    return found


def blank_inferred(store: ox.Store) -> Counter:
    """The inferred graph's triples naming a blank node, with every blank node written ``_`` (two
    stores name their blank nodes differently): how many there are of each shape."""
    def text(term: object) -> str:
        return "_" if isinstance(term, ox.BlankNode) else str(term)

    return Counter(
        (text(q.subject), str(q.predicate), text(q.object))
        for q in store.quads_for_pattern(None, None, None, INFERRED)
        if isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode)
    )


def start_engine(name: str, root: Path):
    """The bundled graph in a fresh engine of kind ``name``."""
    if name == "virtuoso":
        return VirtuosoServer(root / "virtuoso", home_quads(home_dir()))
    oxigraph_cli()
    return OxigraphServer(root / "oxigraph", home_dir())


def backend_config(engine, **options):
    """A Config for ``engine`` as ``bricskg serve --backend`` builds it, writes on."""
    from bricskg.config import Config

    credentials = None
    if isinstance(engine, VirtuosoServer):
        settings = engine.credentials_env
        credentials = (settings["BRICSKG_BACKEND_USER"], settings["BRICSKG_BACKEND_PASSWORD"])
        urls = {"backend_url": engine.query_url, "backend_update_url": engine.update_url}
    else:
        urls = {"backend_url": f"{engine.url}/query?union-default-graph", "backend_update_url": f"{engine.url}/update"}
    return Config(**urls, backend_credentials=credentials, admin_token="in-process-token", cache_entries=0, **options)


def engine_fingerprint(engine) -> set[bytes]:
    """Everything the engine holds, read directly, as lines that two reads of an unchanged engine
    repeat: Oxigraph writes its stored blank-node identifiers, Virtuoso's ``nodeID`` names are stable."""
    if isinstance(engine, VirtuosoServer):
        return {str(quad).encode() for quad in engine_store(engine)}
    response = requests.get(engine.url + "/store", headers={"Accept": "application/n-quads"}, timeout=120)
    response.raise_for_status()
    return set(response.content.splitlines())


def engine_store(engine) -> ox.Store:
    """Everything the engine holds (Virtuoso's own graphs aside), read directly, not through bricskg."""
    store = ox.Store()
    if isinstance(engine, VirtuosoServer):
        rows = engine.select("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        answer = json.dumps({"head": {"vars": ["s", "p", "o", "g"]}, "results": {"bindings": rows}}).encode()
        store.extend(ox.Quad(r["s"], r["p"], r["o"], r["g"]) for r in read_json_results(answer, virtuoso_blank))
        return store
    response = requests.get(engine.url + "/store", headers={"Accept": "application/n-quads"}, timeout=120)
    response.raise_for_status()
    store.load(response.content, format=ox.RdfFormat.N_QUADS)
    return store


def engine_inferred(engine) -> set[tuple[str, str, str]]:
    return ground_inferred(engine_store(engine))


def signature(store: ox.Store) -> tuple[set, Counter]:
    return ground_inferred(store), blank_inferred(store)


def held_and_recomputed(engine) -> tuple[tuple[set, Counter], tuple[set, Counter]]:
    """The engine's inferred graph, and what it must be: a full recompute of the engine's stated quads
    (whose blank-node entailments are all class memberships here, which the engine derives too)."""
    store = engine_store(engine)
    held = signature(store)
    store.remove_graph(INFERRED)
    materialise(store)
    return held, signature(store)


def assert_inferred_graph_is_recomputed(engine) -> None:
    held, expected = held_and_recomputed(engine)
    assert held[0] == expected[0]
    assert held[1] == expected[1]


@pytest.fixture(scope="module", params=ENGINES)
def stack(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    engine = start_engine(request.param, tmp_path_factory.mktemp(f"remote-entailments-{request.param}"))
    backend = engine.backend if isinstance(engine, VirtuosoServer) else f"{engine.url}/query?union-default-graph,{engine.url}/update"
    env = {"BRICSKG_ADMIN_TOKEN": TOKEN, **engine.credentials_env}
    try:
        with live_server("--backend", backend, env=env) as server:
            yield engine, server
    finally:
        engine.stop()


def query(server, text: str) -> dict:
    return post_query(server, text)


def update(server, text: str) -> requests.Response:
    return post_update(server, text, AUTH)


def programme(node: str, name: str) -> str:
    """A valid infrastructure programme (⊑ bkg:AIInitiative), as the body of INSERT DATA / DELETE DATA."""
    return (
        f'<{node}> a <{BKG}InfrastructureProgramme> ; <http://www.w3.org/2000/01/rdf-schema#label> "{name}"@en ; '
        f"<{BKG}providedBy> <{BKGR}russia> ."
    )


def is_a(server, node: str, cls: str) -> bool:
    return bool(query(server, f"ASK {{ <{node}> a <{cls}> }}")["boolean"])


@pytest.mark.parametrize("question", NAIVE, ids=lambda q: q.id)
def test_naive_question_over_the_engine_is_answered_as_by_the_embedded_store(question, stack) -> None:
    _, server = stack
    answer = query(server, question.sparql)
    assert answers_match(question, answer), describe_mismatch(question, answer)


def test_the_engine_holds_the_embedded_inferred_graph(stack) -> None:
    """Blank-node entailments included: the text selectors' oa:Selector memberships, which the
    engine derives itself (their blank nodes cannot be named in SPARQL text)."""
    engine, _ = stack
    store = open_memory_store()
    materialise(store)
    expected = signature(store)
    assert len(expected[0]) > 100 and sum(expected[1].values()) > 0
    held = signature(engine_store(engine))
    assert held[0] == expected[0]
    assert held[1] == expected[1]


def test_health_service_description_and_void_declare_the_regime_over_the_engine(stack) -> None:
    engine, server = stack
    health = requests.get(server.base_url + "/health", timeout=60).json()
    assert health["entailment"]["regime"] == RDFS_REGIME
    assert health["entailment"]["graph"] == INFERRED_GRAPH
    store = engine_store(engine)
    held = len(list(store.quads_for_pattern(None, None, None, INFERRED)))
    assert health["entailment"]["inferred_triples"] == held > 0
    assert health["quads"] == len(store) - held  # stated quads, as over the embedded store
    text = requests.get(server.base_url + "/sparql", headers={"Accept": "text/turtle"}, timeout=60).text
    description = rdflib.Graph().parse(data=text, format="turtle")
    assert str(next(description.objects(None, SD.defaultEntailmentRegime))) == RDFS_REGIME
    void = requests.get(server.base_url + "/.well-known/void", headers={"Accept": "text/turtle"}, timeout=120).text
    assert INFERRED_GRAPH in void and RDFS_REGIME in void


def test_dumps_over_the_engine_leave_the_entailments_out(stack) -> None:
    engine, server = stack
    founding = (f"<{BKGR}brazil>", f"<{RDF_TYPE}>", f"<{BKG}FoundingMemberState>")
    assert founding in engine_inferred(engine)  # the engine holds it, in the inferred graph only
    response = requests.get(server.base_url + "/dumps/bricskg.nq", timeout=120)
    assert response.status_code == 200
    assert INFERRED_GRAPH.encode() not in response.content
    assert " ".join(founding).encode() not in response.content


def test_an_inserted_subclass_member_is_a_superclass_member_and_a_delete_removes_it(stack) -> None:
    engine, server = stack
    node = BKGR + "remote-test-programme"
    body = programme(node, "Remote test programme")
    assert not is_a(server, node, BKG + "AIInitiative")
    inserted = update(server, f"INSERT DATA {{ GRAPH <{TEST_GRAPH}> {{ {body} }} }}")
    assert inserted.status_code == 200, inserted.text
    assert is_a(server, node, BKG + "AIInitiative")  # visible through bricskg at once
    held = engine_inferred(engine)
    assert (f"<{node}>", f"<{RDF_TYPE}>", f"<{BKG}AIInitiative>") in held
    assert_inferred_graph_is_recomputed(engine)
    deleted = update(server, f"DELETE DATA {{ GRAPH <{TEST_GRAPH}> {{ {body} }} }}")
    assert deleted.status_code == 200, deleted.text
    assert not is_a(server, node, BKG + "AIInitiative")
    assert_inferred_graph_is_recomputed(engine)


def test_a_refused_write_changes_neither_stated_nor_inferred_triples(stack) -> None:
    engine, server = stack
    before = engine_fingerprint(engine)
    assert any(INFERRED_GRAPH.encode() in line for line in before)  # the regime is there to be left unchanged
    node = BKGR + "remote-test-plan"
    refused = update(
        server,
        f'INSERT DATA {{ GRAPH <{TEST_GRAPH}> {{ <{node}> a <{BKG}DevelopmentPlan> ; '
        f'<http://www.w3.org/2000/01/rdf-schema#label> "Plan without holder or horizon"@en . }} }}',
    )
    assert refused.status_code == 422, refused.text
    assert engine_fingerprint(engine) == before
    assert not is_a(server, node, BKG + "AIInitiative")


# --- a mirror inherited by a process that did not make the latest change --------------------------------


@pytest.fixture(scope="module", params=ENGINES)
def in_process(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """A remote backend opened in this process (as the gunicorn master opens it) over its own engine."""
    from bricskg.store.factory import open_backend

    engine = start_engine(request.param, tmp_path_factory.mktemp(f"remote-in-process-{request.param}"))
    try:
        yield engine, open_backend(backend_config(engine)).inner
    finally:
        engine.stop()


def ask(backend, text: str) -> bool:
    return bool(backend._select(text)[0])


def test_a_write_that_changes_the_schema_is_followed(in_process) -> None:
    """A new sub-property axiom makes the rules read a predicate the mirror did not hold: its stated
    triples are read from the engine, and the entailments recomputed; removing the axiom retracts them.
    (Written without the SHACL gate: what is tested is the inferred graph, not the shapes.)"""
    from bricskg.store.writer import Writer

    engine, backend = in_process
    writer = Writer(backend, validate=False)
    # rdfs:seeAlso is in no axiom of the bundled ontology, so the mirror does not hold its triples
    see_also, related = "http://www.w3.org/2000/01/rdf-schema#seeAlso", "http://www.w3.org/2004/02/skos/core#related"
    fact = f"<{BKGR}brazil> <{see_also}> <{BKGR}india> ."
    entailed = f"ASK {{ GRAPH <{INFERRED_GRAPH}> {{ <{BKGR}brazil> <{related}> <{BKGR}india> }} }}"
    writer.update(f"INSERT DATA {{ GRAPH <{TEST_GRAPH}> {{ {fact} }} }}")
    axiom = f"<{see_also}> <http://www.w3.org/2000/01/rdf-schema#subPropertyOf> <{related}> ."
    writer.update(f"INSERT DATA {{ GRAPH <{ONTOLOGY_GRAPH}> {{ {axiom} }} }}")
    assert ask(backend, entailed)
    assert_inferred_graph_is_recomputed(engine)
    writer.update(f"DELETE DATA {{ GRAPH <{ONTOLOGY_GRAPH}> {{ {axiom} }} }}")
    assert not ask(backend, entailed)
    assert_inferred_graph_is_recomputed(engine)


def test_a_new_blank_node_gets_its_class_memberships_from_the_engine(in_process) -> None:
    """INSERT DATA gives a blank node a name only the engine knows: its oa:Selector membership is
    derived by the engine in the same request (written without the SHACL gate: a bare selector)."""
    from bricskg.store.writer import Writer

    engine, backend = in_process
    oa = "http://www.w3.org/ns/oa#"
    shape = ("_", f"<{RDF_TYPE}>", f"<{oa}Selector>")
    before = blank_inferred(engine_store(engine))[shape]
    writer = Writer(backend, validate=False)
    # no IRI points at this one: the engine reads every blank member of the class
    writer.update(f'INSERT DATA {{ GRAPH <{TEST_GRAPH}> {{ _:selector a <{oa}TextQuoteSelector> ; <{oa}exact> "new" . }} }}')
    assert blank_inferred(engine_store(engine))[shape] == before + 1
    # a segment points at this one: the engine reads only what the segment points at
    writer.update(
        f"INSERT DATA {{ GRAPH <{TEST_GRAPH}> {{ <{BKGR}remote-segment> <{oa}hasSelector> _:quote . "
        f'_:quote a <{oa}TextQuoteSelector> ; <{oa}exact> "newer" . }} }}'
    )
    assert blank_inferred(engine_store(engine))[shape] == before + 2
    assert_inferred_graph_is_recomputed(engine)


def test_a_write_naming_a_stored_blank_node_leaves_the_inferred_graph_right(in_process) -> None:
    """Over Virtuoso a write may remove a stored blank node's triples (it names them ``nodeID://…``),
    also a node an earlier write added, which the mirror holds under that write's name; elsewhere the
    write is refused (400) and nothing changes."""
    from bricskg.store.base import QueryRefused
    from bricskg.store.writer import Writer

    engine, backend = in_process
    oa = "http://www.w3.org/ns/oa#"
    writer = Writer(backend, validate=False)
    segment = f"<{BKGR}remote-swapped-segment>"
    writer.update(f'INSERT DATA {{ GRAPH <{TEST_GRAPH}> {{ {segment} <{oa}hasSelector> _:s . _:s a <{oa}TextQuoteSelector> ; <{oa}exact> "swap" . }} }}')
    removal = f"DELETE WHERE {{ GRAPH <{TEST_GRAPH}> {{ {segment} <{oa}hasSelector> ?s . ?s a <{oa}TextQuoteSelector> ; <{oa}exact> ?e }} }}"
    before = engine_fingerprint(engine)
    if isinstance(engine, VirtuosoServer):
        writer.update(removal)
        assert not engine.ask(f"ASK {{ {segment} <{oa}hasSelector> ?s }}")
    else:
        with pytest.raises(QueryRefused):
            writer.update(removal)
        assert engine_fingerprint(engine) == before
    assert_inferred_graph_is_recomputed(engine)


def test_a_bulk_load_is_followed_by_the_inferred_graph(in_process) -> None:
    """``bricskg load`` over an engine (the writer's bulk path): the new members' superclasses, the new
    blank selector's oa:Selector, in the same commit as the load."""
    from bricskg.store.writer import Writer

    engine, backend = in_process
    oa = "http://www.w3.org/ns/oa#"
    node = BKGR + "remote-loaded-programme"
    quads = list(ox.parse(
        f"<{TEST_GRAPH}> {{ {programme(node, 'Loaded')} <{BKGR}remote-loaded-segment> <{oa}hasSelector> _:q . "
        f'_:q a <{oa}TextQuoteSelector> ; <{oa}exact> "loaded" . }}'.encode(),
        ox.RdfFormat.TRIG,
    ))
    shape = ("_", f"<{RDF_TYPE}>", f"<{oa}Selector>")
    before = blank_inferred(engine_store(engine))[shape]
    Writer(backend, validate=False).load(quads)
    assert (f"<{node}>", f"<{RDF_TYPE}>", f"<{BKG}AIInitiative>") in engine_inferred(engine)
    assert blank_inferred(engine_store(engine))[shape] == before + 1
    assert_inferred_graph_is_recomputed(engine)


def _write_in_child(backend, text: str) -> None:
    from bricskg.store.writer import Writer

    Writer(backend, validate=False).update(text)


def test_a_mirror_behind_the_engine_is_rebuilt_before_it_is_used(in_process) -> None:
    """A worker restarted from the master's copy of the mirror must not maintain a stale one: here a
    forked child writes first, then the parent (whose mirror has not seen that write) writes.
    (Without the SHACL gate: what is tested is the inferred graph.)"""
    from bricskg.store.writer import Writer

    engine, backend = in_process
    first, second = BKGR + "remote-fork-first", BKGR + "remote-fork-second"
    child = multiprocessing.get_context("fork").Process(
        target=_write_in_child,
        args=(backend, f"INSERT DATA {{ GRAPH <{TEST_GRAPH}> {{ {programme(first, 'First')} }} }}"),
    )
    child.start()
    child.join(120)
    assert child.exitcode == 0
    # the parent's mirror has not seen the child's write; deleting what the child wrote needs it
    Writer(backend, validate=False).update(
        f"DELETE DATA {{ GRAPH <{TEST_GRAPH}> {{ {programme(first, 'First')} }} }} ; "
        f"INSERT DATA {{ GRAPH <{TEST_GRAPH}> {{ {programme(second, 'Second')} }} }}"
    )
    held = engine_inferred(engine)
    assert (f"<{first}>", f"<{RDF_TYPE}>", f"<{BKG}AIInitiative>") not in held
    assert (f"<{second}>", f"<{RDF_TYPE}>", f"<{BKG}AIInitiative>") in held
    assert_inferred_graph_is_recomputed(engine)


@pytest.mark.parametrize("engine_name", ENGINES)
def test_no_inference_removes_the_inferred_graph_an_earlier_start_left(engine_name: str, tmp_path: Path) -> None:
    """Served with --no-inference, writes would no longer maintain it: it must not be served as if they did."""
    from bricskg.store.factory import open_backend
    from bricskg.web.protocol import entailment_of

    engine = start_engine(engine_name, tmp_path)
    try:
        with_regime = open_backend(backend_config(engine))
        assert engine_inferred(engine) and entailment_of(with_regime)["graph"] == INFERRED_GRAPH
        without = open_backend(backend_config(engine, inference=False))
        assert not list(engine_store(engine).quads_for_pattern(None, None, None, INFERRED))
        assert entailment_of(without) == "external-engine"
    finally:
        engine.stop()


def test_an_unreachable_engine_at_start_is_a_clear_usage_error() -> None:
    """The inferred graph is written at start: an engine that is not up yet stops the server with a
    message saying what to do (exit 2), not a traceback."""
    import subprocess
    import sys

    from oxigraph_engine import free_port

    port = free_port()  # nothing listens there
    backend = f"http://127.0.0.1:{port}/query?union-default-graph,http://127.0.0.1:{port}/update"
    finished = subprocess.run(
        [sys.executable, "-c", "from bricskg.cli import main; main()", "serve", "--port", "0", "--backend", backend],
        capture_output=True, text=True, timeout=120,
    )
    assert finished.returncode == 2, finished.stderr
    assert "--no-inference" in finished.stderr and "Traceback" not in finished.stderr


def test_an_answer_the_engine_cut_short_is_refused_not_mirrored() -> None:
    """Virtuoso cuts a large answer without saying so: the mirror must not be built from part of the
    rule inputs (it would publish a wrong inferred graph), so each read is checked against a count."""
    from bricskg.store.base import BackendUnavailable
    from bricskg.store.remote import RemoteBackend
    from bricskg.store.remote_entailments import RemoteEntailments

    rows = [{"s": {"type": "uri", "value": f"urn:x:{i}"}, "p": {"type": "uri", "value": RDF_TYPE},
             "o": {"type": "uri", "value": "urn:x:C"}} for i in range(2)]

    class CutShort:
        """An engine that holds three rule-input triples and answers two."""

        query_url = "http://127.0.0.1:9/query"
        dialect = None
        require_complete = RemoteBackend.require_complete  # the backend's own check, over this engine's answers

        def _post(self, url, form, accept, **options):
            return accept, json.dumps({"head": {"vars": ["s", "p", "o", "g"]}, "results": {"bindings": rows}}).encode()

        def _select(self, sparql):
            assert "COUNT" in sparql
            return [{"n": ox.Literal("3", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))}]

    mirror = RemoteEntailments(CutShort())
    with pytest.raises(BackendUnavailable, match="2 of 3 rows"):
        mirror._read_complete(mirror._stated_query([f"<{RDF_TYPE}>"]))
