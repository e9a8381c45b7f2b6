"""The W3C SPARQL 1.1 query, results-format and update test suites, run through the HTTP endpoint.

Every test goes over the wire: the query is sent to a live ``bricskg serve``, the response is read
in the negotiated format by parsers independent of the server's engine (tests/w3c_results.py) and
compared with the expected results (blank-node isomorphism, order only under ORDER BY).

One server answers all query tests. Starting a server per test (hundreds) would take minutes, so
the data of every test is loaded once, each file into its own named graph named by the file's IRI,
and each request selects its test's RDF dataset with the SPARQL 1.1 Protocol's
``default-graph-uri`` / ``named-graph-uri``: the qt:data files form the default graph, the
qt:graphData files the named graphs. A query with its own FROM / FROM NAMED gets no protocol
dataset (the protocol parameters would override it) and relies on FROM resolving, against the
query file's IRI sent as BASE, to those same graph names. Blank nodes are renamed per file so that
merging files into one default graph keeps them apart, as the test suite expects.

Update tests need writes: a second server with an on-disk store and an admin token; each test
drops everything, loads its "before" state with INSERT DATA, sends the update and compares the
default graph (Graph Store Protocol ``?default``) and every named graph with the expected state.

Known failures live in tests/w3c_known_failures.toml as strict xfails: a fixed bug fails the run
until its entry is removed, so the file stays exact. The tally is printed at the end of the run.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from pathlib import Path

import pyoxigraph
import pytest
import requests

from w3c_manifest import (
    NEGATIVE_SYNTAX,
    NEGATIVE_UPDATE_SYNTAX,
    POSITIVE_SYNTAX,
    POSITIVE_UPDATE_SYNTAX,
    QueryTest,
    UpdateTest,
    read_manifest,
    suite_root,
)
from shared_material import require
from w3c_results import (
    Boolean,
    Graph,
    Solutions,
    has_top_level_order_by,
    literal,
    load_expected,
    parse_response,
    query_form,
    results_match,
    to_rdflib,
)

SUITE = suite_root()
if not SUITE.is_dir():
    require("sparql11", SUITE, module=True)

KNOWN_FAILURES_FILE = Path(__file__).with_name("w3c_known_failures.toml")
KNOWN = tomllib.loads(KNOWN_FAILURES_FILE.read_text(encoding="utf-8"))
ADMIN_TOKEN = "w3c-suite-token"
EMPTY_GRAPH = "urn:x-bricskg-test:empty-graph"  # a graph no test loads: the empty default graph
REQUEST_TIMEOUT = 30
LOAD_OPERATION = re.compile(r"(^|[;\s])LOAD\s", re.IGNORECASE)
SYNTAX_COMPLAINT = re.compile(r"malformed|syntax error|parse error|does not parse", re.IGNORECASE)

MEDIA_TYPES = {
    "xml": "application/sparql-results+xml",
    "json": "application/sparql-results+json",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "turtle": "text/turtle",
    "ntriples": "application/n-triples",
    "rdfxml": "application/rdf+xml",
    "jsonld": "application/ld+json",
}

QUERY_MANIFEST = read_manifest(SUITE / "manifest-sparql11-query.ttl")
RESULTS_MANIFEST = read_manifest(SUITE / "manifest-sparql11-results.ttl")
UPDATE_MANIFEST = read_manifest(SUITE / "manifest-sparql11-update.ttl")
FEDERATION_MANIFEST = read_manifest(SUITE / "manifest-sparql11-fed.ttl")

QUERY_TESTS: list[QueryTest] = QUERY_MANIFEST.query_tests + RESULTS_MANIFEST.query_tests
EVALUATION_TESTS = [t for t in QUERY_TESTS if not t.is_syntax]
SYNTAX_TESTS = [t for t in QUERY_TESTS if t.is_syntax]
UPDATE_EVALUATION_TESTS = [t for t in UPDATE_MANIFEST.update_tests if t.kind == "UpdateEvaluationTest"]
UPDATE_SYNTAX_TESTS = [t for t in UPDATE_MANIFEST.update_tests if t.kind != "UpdateEvaluationTest"] + [
    t for t in UPDATE_MANIFEST.query_tests  # negative update syntax tests typed NegativeSyntaxTest11
]
FEDERATION_TESTS = FEDERATION_MANIFEST.query_tests


# ------------------------------------------------------------------------------ parametrisation


def _known(section: str, *keys: str) -> str | None:
    entries = KNOWN.get(section, {})
    for key in keys:
        if key in entries:
            return entries[key]
    return None


def _param(test_id: str, values: tuple, section: str, fmt: str | None = None):
    """A pytest param carrying a strict xfail when the known-failures file lists it."""
    param_id = f"{test_id}[{fmt}]" if fmt else test_id
    reason = _known(section, param_id, test_id)
    marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
    return pytest.param(*values, id=param_id, marks=marks)


def _uses_load(test: UpdateTest) -> bool:
    """LOAD fetches a URL: refused by design, so such tests check the refusal instead."""
    return LOAD_OPERATION.search(test.request.read_text(encoding="utf-8")) is not None


def _formats(test: QueryTest) -> tuple[str, ...]:
    """The response formats a test is checked in: its expected file's own, plus a second serialiser."""
    suffix = test.result.suffix.lower() if test.result else ".srx"
    if suffix == ".srj":
        return ("json",)
    if suffix == ".csv":
        return ("csv",)
    if suffix == ".tsv":
        return ("tsv",)
    if suffix == ".srx":
        return ("xml", "json")
    form = query_form(test.query.read_text(encoding="utf-8"))
    if form in ("CONSTRUCT", "DESCRIBE"):
        return ("turtle", "ntriples", "rdfxml", "jsonld")
    return ("xml", "json")  # an rs:ResultSet written in Turtle/RDF-XML


EVALUATION_PARAMS = [
    _param(test.id, (test, fmt), "query", fmt) for test in EVALUATION_TESTS for fmt in _formats(test)
]
SYNTAX_PARAMS = [_param(test.id, (test,), "query") for test in SYNTAX_TESTS]
UPDATE_PARAMS = [_param(t.id, (t,), "update") for t in UPDATE_EVALUATION_TESTS if not _uses_load(t)]
LOAD_PARAMS = [pytest.param(t, id=t.id) for t in UPDATE_EVALUATION_TESTS if _uses_load(t)]
UPDATE_SYNTAX_PARAMS = [_param(test.id, (test,), "update") for test in UPDATE_SYNTAX_TESTS]
FEDERATION_PARAMS = [pytest.param(test, id=test.id) for test in FEDERATION_TESTS]


# ------------------------------------------------------------------------------------ the tally


class W3CTally:
    """Counts outcomes of this module's tests and prints them after pytest's own summary."""

    GROUPS = {
        "test_query_evaluation_matches_expected_results": "query evaluation",
        "test_syntax_test_is_accepted_or_rejected": "query syntax",
        "test_update_evaluation_leaves_expected_store": "update evaluation",
        "test_update_syntax_test_is_accepted_or_rejected": "update syntax",
        "test_federated_query_is_refused_not_fetched": "federation (refused by design)",
        "test_update_with_load_is_refused_by_design": "LOAD updates (refused by design)",
    }

    def __init__(self) -> None:
        self.counts: dict[str, Counter] = {}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if "test_w3c_query_suite.py::" not in report.nodeid:
            return
        if report.when != "call" and not (report.when == "setup" and not report.passed):
            return
        function = report.nodeid.split("::", 1)[1].split("[", 1)[0]
        group = self.GROUPS.get(function)
        if group is None:
            return
        if hasattr(report, "wasxfail"):
            outcome = "known failures"
        elif report.failed and "XPASS(strict)" in str(report.longrepr):
            outcome = "unexpected passes"
        else:
            outcome = report.outcome
        self.counts.setdefault(group, Counter())[outcome] += 1

    def pytest_terminal_summary(self, terminalreporter) -> None:
        if not self.counts:
            return
        terminalreporter.section("W3C SPARQL 1.1 test suites through HTTP")
        total = Counter()
        for group, counts in self.counts.items():
            total.update(counts)
            terminalreporter.write_line(f"{group:32} {self._line(counts)}")
        run = sum(total.values()) - total["skipped"]
        rate = 100.0 * total["passed"] / run if run else 0.0
        terminalreporter.write_line(f"{'all':32} {self._line(total)}  pass rate {rate:.1f}% of {run} run")

    @staticmethod
    def _line(counts: Counter) -> str:
        order = ("passed", "failed", "known failures", "unexpected passes", "skipped")
        return ", ".join(f"{counts[name]} {name}" for name in order if counts[name])


@pytest.fixture(scope="module", autouse=True)
def w3c_tally(request: pytest.FixtureRequest) -> W3CTally:
    manager = request.config.pluginmanager
    tally = manager.get_plugin("bricskg-w3c-tally")
    if tally is None:
        tally = W3CTally()
        manager.register(tally, "bricskg-w3c-tally")
    return tally


# ----------------------------------------------------------------------------------- the dataset


def graph_iri(path: Path) -> str:
    return path.as_uri()


RDF_FORMATS = {
    ".ttl": pyoxigraph.RdfFormat.TURTLE,
    ".nt": pyoxigraph.RdfFormat.N_TRIPLES,
    ".rdf": pyoxigraph.RdfFormat.RDF_XML,
}


def read_quads(path: Path, graph: str | None) -> list[pyoxigraph.Quad]:
    """The triples of one data file, blank nodes renamed apart, in ``graph`` (None: default graph)."""
    target = pyoxigraph.NamedNode(graph) if graph else pyoxigraph.DefaultGraph()
    return [
        pyoxigraph.Quad(t.subject, t.predicate, t.object, target)
        for t in pyoxigraph.parse(
            path=path, format=RDF_FORMATS[path.suffix.lower()], base_iri=path.as_uri(), rename_blank_nodes=True
        )
    ]


def write_suite_dataset(target: Path) -> Path:
    """Every data file of every query test as a named graph of one N-Quads file."""
    files = sorted({path for test in EVALUATION_TESTS for path in (*test.data, *test.graph_data)})
    quads = [quad for path in files for quad in read_quads(path, graph_iri(path))]
    target.write_bytes(pyoxigraph.serialize(quads, format=pyoxigraph.RdfFormat.N_QUADS))
    return target


def with_base(text: str, path: Path) -> str:
    """The query or update as the suite means it: relative IRIs resolve against the file's IRI."""
    return f"BASE <{path.as_uri()}>\n{text}"


def has_dataset_clause(query: str) -> bool:
    try:
        from rdflib.plugins.sparql.parser import parseQuery

        return "datasetClause" in parseQuery(query)[1].keys()
    except Exception:
        return re.search(r"\bFROM\b", query, re.IGNORECASE) is not None


def protocol_dataset(test: QueryTest, query: str) -> list[tuple[str, str]]:
    """The test's RDF dataset as SPARQL Protocol parameters (none when the query names its own)."""
    if has_dataset_clause(query):
        return []
    defaults = [graph_iri(p) for p in test.data] or [EMPTY_GRAPH]
    params = [("default-graph-uri", iri) for iri in defaults]
    params += [("named-graph-uri", graph_iri(p)) for p in test.graph_data]
    return params


# ------------------------------------------------------------------------------------- servers


@pytest.fixture(scope="module")
def query_server(tmp_path_factory: pytest.TempPathFactory):
    from live_server import running_server

    dataset = write_suite_dataset(tmp_path_factory.mktemp("w3c") / "w3c-query-suite.nq")
    with running_server(["--no-bundled", "--data", str(dataset)]) as server:
        yield server.url


@pytest.fixture(scope="module")
def update_server(tmp_path_factory: pytest.TempPathFactory):
    from live_server import running_server
    from protocol_home import protocol_home

    store = tmp_path_factory.mktemp("w3c-update-store")
    # One request thread: the tests are sequential, and every executor of an on-disk store re-opens
    # its snapshot after each write, so one executor keeps that cost to once per test.
    arguments = ["--store", str(store), "--no-bundled", "--workers", "1", "--threads", "1"]
    # the suite's data is not bricskg data: no dataset rules (tests/protocol_home.py)
    env = {"BRICSKG_ADMIN_TOKEN": ADMIN_TOKEN, "BRICSKG_HOME": str(protocol_home(tmp_path_factory.mktemp("w3c-update-home")))}
    with running_server(arguments, env=env) as server:
        yield server.url


def send_query(base_url: str, query: str, accept: str, params: list[tuple[str, str]]) -> requests.Response:
    return requests.post(
        f"{base_url}/sparql",
        data=[("query", query), *params],
        headers={"Accept": accept},
        timeout=REQUEST_TIMEOUT,
    )


# ----------------------------------------------------------------------------------- query tests


@pytest.mark.parametrize(("test", "fmt"), EVALUATION_PARAMS)
def test_query_evaluation_matches_expected_results(query_server: str, test: QueryTest, fmt: str) -> None:
    text = test.query.read_text(encoding="utf-8")
    query = with_base(text, test.query)
    response = send_query(query_server, query, MEDIA_TYPES[fmt], protocol_dataset(test, query))
    assert response.status_code == 200, f"{response.status_code}: {response.text[:500]}"
    actual = parse_response(response.content, response.headers.get("Content-Type", ""))
    expected = load_expected(test.result, query_form(text))
    same, why = results_match(expected, actual, ordered=has_top_level_order_by(text))
    assert same, f"{test.name}: {why}"


@pytest.mark.parametrize("test", SYNTAX_PARAMS)
def test_syntax_test_is_accepted_or_rejected(query_server: str, test: QueryTest) -> None:
    query = with_base(test.query.read_text(encoding="utf-8"), test.query)
    response = send_query(query_server, query, "*/*", [("default-graph-uri", EMPTY_GRAPH)])
    if test.kind == POSITIVE_SYNTAX:
        assert 200 <= response.status_code < 300, f"valid query refused: {response.status_code} {response.text[:300]}"
    else:
        assert test.kind == NEGATIVE_SYNTAX
        assert response.status_code == 400, f"invalid query answered {response.status_code}: {response.text[:300]}"


@pytest.mark.parametrize("test", FEDERATION_PARAMS)
def test_federated_query_is_refused_not_fetched(query_server: str, test: QueryTest) -> None:
    """SERVICE would make the server fetch a URL: every federated test must get 400 naming federation."""
    query = with_base(test.query.read_text(encoding="utf-8"), test.query)
    response = send_query(query_server, query, "*/*", [("default-graph-uri", EMPTY_GRAPH)])
    assert response.status_code == 400, f"{response.status_code}: {response.text[:300]}"
    assert "federation" in response.text.lower() or "service" in response.text.lower()


# ---------------------------------------------------------------------------------- update tests

BOOKKEEPING_PREFIX = "https://w3id.org/bricskg/"  # the server's own audit/provenance graphs


def _auth() -> dict[str, str]:
    return {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def send_update(base_url: str, update: str) -> requests.Response:
    return requests.post(
        f"{base_url}/sparql",
        data=update.encode("utf-8"),
        headers={"Content-Type": "application/sparql-update; charset=utf-8", **_auth()},
        timeout=REQUEST_TIMEOUT,
    )


def _ntriples(quads: list[pyoxigraph.Quad]) -> str:
    return "\n".join(f"{q.subject} {q.predicate} {q.object} ." for q in quads)


def insert_data_for(test_data: tuple[Path, ...], graph_data) -> str:
    """One INSERT DATA that recreates a test's "before" dataset."""
    blocks = [_ntriples([q for path in test_data for q in read_quads(path, None)])]
    for graph_file in graph_data:
        blocks.append(f"GRAPH <{graph_file.name}> {{\n{_ntriples(read_quads(graph_file.path, None))}\n}}")
    return "INSERT DATA {\n" + "\n".join(blocks) + "\n}"


def reset_store(base_url: str, test: UpdateTest) -> None:
    """Replace the whole store by the test's "before" state in one atomic update (one commit)."""
    text = "DROP ALL"
    if test.data or test.graph_data:
        text += " ;\n" + insert_data_for(test.data, test.graph_data)
    response = send_update(base_url, text)
    assert response.status_code in (200, 204), f"resetting the store: {response.status_code} {response.text[:300]}"


NAMED_QUADS_QUERY = f"""SELECT ?g ?s ?p ?o WHERE {{
  GRAPH ?g {{ ?s ?p ?o }} FILTER(!STRSTARTS(STR(?g), "{BOOKKEEPING_PREFIX}"))
}}"""


def read_store(base_url: str) -> tuple[Graph, dict[str, Graph]]:
    """The default graph (GSP ``?default``) and every named graph except the server's bookkeeping."""
    import rdflib

    response = requests.get(
        f"{base_url}/store", params={"default": ""}, headers={"Accept": "application/n-triples"}, timeout=REQUEST_TIMEOUT
    )
    assert response.status_code in (200, 404), f"GET /store?default: {response.status_code} {response.text[:300]}"
    default = parse_response(response.content if response.status_code == 200 else b"", "application/n-triples")
    listing = send_query(base_url, NAMED_QUADS_QUERY, MEDIA_TYPES["json"], [])
    assert listing.status_code == 200, listing.text[:300]
    named: dict[str, Graph] = {}
    for row in parse_response(listing.content, listing.headers["Content-Type"]).rows:
        graph = named.setdefault(row["g"][1], Graph(rdflib.Graph()))
        graph.graph.add(tuple(to_rdflib(row[name]) for name in ("s", "p", "o")))
    return default, named


def _expected_graph(paths) -> Graph:
    import rdflib

    graph = rdflib.Graph()
    for path in paths:
        graph.parse(path, format={".ttl": "turtle", ".nt": "nt", ".rdf": "xml"}[path.suffix.lower()], publicID=path.as_uri())
    return Graph(graph)


@pytest.mark.parametrize("test", UPDATE_PARAMS)
def test_update_evaluation_leaves_expected_store(update_server: str, test: UpdateTest) -> None:
    reset_store(update_server, test)
    update = with_base(test.request.read_text(encoding="utf-8"), test.request)
    response = send_update(update_server, update)
    assert response.status_code in (200, 204), f"{response.status_code}: {response.text[:500]}"
    default, named = read_store(update_server)
    same, why = results_match(_expected_graph(test.result_data), default)
    assert same, f"default graph: {why}"
    expected_named = {g.name: _expected_graph([g.path]) for g in test.result_graph_data}
    expected_names = {name for name, graph in expected_named.items() if len(graph.graph)}
    assert set(named) == expected_names, f"named graphs: expected {sorted(expected_names)}, got {sorted(named)}"
    for name in expected_names:
        same, why = results_match(expected_named[name], named[name])
        assert same, f"graph <{name}>: {why}"


@pytest.mark.parametrize("test", LOAD_PARAMS)
def test_update_with_load_is_refused_by_design(update_server: str, test: UpdateTest) -> None:
    """LOAD would fetch a URL: 400 naming LOAD, and the store keeps its "before" state."""
    reset_store(update_server, test)
    before = read_store(update_server)
    response = send_update(update_server, with_base(test.request.read_text(encoding="utf-8"), test.request))
    assert response.status_code == 400, f"LOAD not refused: {response.status_code} {response.text[:300]}"
    assert "load" in response.text.lower()
    after = read_store(update_server)
    assert results_match(before[0], after[0])[0] and before[1].keys() == after[1].keys(), "refused LOAD changed the store"


@pytest.mark.parametrize("test", UPDATE_SYNTAX_PARAMS)
def test_update_syntax_test_is_accepted_or_rejected(update_server: str, test: UpdateTest | QueryTest) -> None:
    """Syntax only: a valid update is not called malformed (nor answered 5xx); an invalid one gets 400."""
    path = test.request if isinstance(test, UpdateTest) else test.query
    response = send_update(update_server, with_base(path.read_text(encoding="utf-8"), path))
    if test.kind == POSITIVE_UPDATE_SYNTAX and LOAD_OPERATION.search(path.read_text(encoding="utf-8")):
        # LOAD fetches a URL: refused by design with 400 and a message saying so.
        assert response.status_code == 400, f"LOAD not refused: {response.status_code} {response.text[:300]}"
        assert "load" in response.text.lower(), response.text[:300]
    elif test.kind == POSITIVE_UPDATE_SYNTAX:
        # Valid syntax may still fail to execute (DROP GRAPH of an absent graph is an error without
        # SILENT): a 400 is fine as long as it does not call the update malformed.
        assert response.status_code < 500, f"{response.status_code}: {response.text[:300]}"
        if response.status_code == 400:
            message = re.sub(r"<[^>]*>", "<>", response.text)  # IRIs (file paths) may say "syntax"
            assert not SYNTAX_COMPLAINT.search(message), f"valid update called malformed: {response.text[:300]}"
    else:
        assert test.kind in (NEGATIVE_UPDATE_SYNTAX, NEGATIVE_SYNTAX)
        assert response.status_code == 400, f"invalid update answered {response.status_code}: {response.text[:300]}"


# ------------------------------------------------------------------ the comparison itself, pinned


def _rows(*rows: dict) -> Solutions:
    return Solutions(("x", "y"), tuple(rows))


def test_comparison_accepts_renamed_blank_nodes_but_not_merged_ones() -> None:
    a, b = ("bnode", "a"), ("bnode", "b")
    expected = _rows({"x": a, "y": b}, {"x": b, "y": a})
    renamed = _rows({"x": ("bnode", "q"), "y": ("bnode", "r")}, {"x": ("bnode", "r"), "y": ("bnode", "q")})
    merged = _rows({"x": ("bnode", "q"), "y": ("bnode", "q")}, {"x": ("bnode", "q"), "y": ("bnode", "q")})
    assert results_match(expected, renamed)[0]
    assert not results_match(expected, merged)[0]


def test_comparison_checks_order_only_under_order_by() -> None:
    one, two = {"x": ("uri", "urn:1")}, {"x": ("uri", "urn:2")}
    assert results_match(_rows(one, two), _rows(two, one), ordered=False)[0]
    assert not results_match(_rows(one, two), _rows(two, one), ordered=True)[0]
    assert has_top_level_order_by("SELECT * { ?s ?p ?o } ORDER BY ?s")
    assert not has_top_level_order_by("SELECT * { { SELECT ?s { ?s ?p ?o } ORDER BY ?s LIMIT 1 } }")


def test_numeric_literals_compare_by_value_within_one_datatype_only() -> None:
    double = "http://www.w3.org/2001/XMLSchema#double"
    decimal = "http://www.w3.org/2001/XMLSchema#decimal"
    assert results_match(_rows({"x": literal("1.0E6", double)}), _rows({"x": literal("1000000.0e0", double)}))[0]
    assert not results_match(_rows({"x": literal("1", decimal)}), _rows({"x": literal("1", double)}))[0]
    assert not results_match(_rows({"x": literal("1", decimal)}), _rows({"x": literal("2", decimal)}))[0]


def test_response_parsers_read_what_the_suite_expects() -> None:
    xml = (SUITE / "json-res" / "jsonres01.srj").read_bytes()
    parsed = parse_response(xml, "application/sparql-results+json; charset=utf-8")
    assert isinstance(parsed, Solutions) and len(parsed.rows) == 6 and parsed.rows[5]["o"][0] == "bnode"
    assert parse_response(b'{"head": {}, "boolean": false}', "application/sparql-results+json") == Boolean(False)
