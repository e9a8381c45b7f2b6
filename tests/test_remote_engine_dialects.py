"""How the remote backend meets an engine's dialect, against a loopback stand-in that answers the
way Virtuoso does where no real Virtuoso can be made to (an operator's ``ResultSetMaxRows`` cap,
an "anytime" answer cut off by ``MaxQueryExecutionTime``), and the commit text and answer fixes
that ``bricskg.store.engines`` relies on."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Iterator
from urllib.parse import parse_qs

import pyoxigraph as ox
import pytest

from bricskg.sparql.portable import check_forwardable_query
from bricskg.store.answer_rows import count_rows
from bricskg.store.base import BackendUnavailable, QueryRefused, QueryRequest, QueryTimeout, ResultTooLarge
from bricskg.store.delta import Delta
from bricskg.store.remote import RemoteBackend
from bricskg.store.remote_commit import DATA_QUADS, TEMPLATE_QUADS, single_operation_commit
from bricskg.store.remote_results import canonical_booleans, read_json_results, stored_blank_iri, virtuoso_answer, virtuoso_blank

JSON = "application/sparql-results+json"


def rows(count: int) -> bytes:
    bindings = [{"x": {"type": "literal", "value": str(i)}} for i in range(count)]
    return json.dumps({"head": {"vars": ["x"]}, "results": {"bindings": bindings}}).encode()


class FakeVirtuoso:
    """Answers like Virtuoso 7: its Server header, an ini cap, and ``answer`` for every other query."""

    def __init__(self, cap: str, answer: bytes, headers: dict[str, str] | None = None, count: int | None = None):
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def version_string(self) -> str:
                return "Virtuoso/07.20.3229 (Linux) x86_64-pc-linux-gnu"

            def _answer(self, query: str) -> None:
                extra: dict[str, str] = {}
                if "virtuoso_ini_item_value" in query:
                    body = json.dumps({"head": {"vars": ["cap"]}, "results": {"bindings": [{"cap": {"type": "literal", "value": cap}}]}}).encode()
                elif "COUNT(*)" in query and count is not None:
                    body = json.dumps({"head": {"vars": ["n"]}, "results": {"bindings": [{"n": {"type": "literal", "value": str(count)}}]}}).encode()
                else:
                    body, extra = owner.answer, owner.headers
                self.send_response(200)
                self.send_header("Content-Type", JSON)
                for name, value in extra.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:  # noqa: N802
                self._answer(parse_qs(self.path.partition("?")[2]).get("query", [""])[0])

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length", "0"))
                self._answer(parse_qs(self.rfile.read(length).decode()).get("query", [""])[0])

            def log_message(self, *args: Any) -> None:
                pass

        self.answer = answer
        self.headers = headers or {}
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sparql"

    def close(self) -> None:
        self.server.shutdown()


@pytest.fixture
def fake() -> Iterator[Any]:
    made: list[FakeVirtuoso] = []

    def start(cap: str, answer: bytes, headers: dict[str, str] | None = None) -> RemoteBackend:
        made.append(FakeVirtuoso(cap, answer, headers))
        return RemoteBackend(made[-1].url)

    yield start
    for server in made:
        server.close()


def test_an_answer_that_reaches_the_engines_row_cap_is_refused_not_passed_on_short(fake) -> None:
    backend = fake("3", rows(3))
    with pytest.raises(ResultTooLarge, match="at most 3 rows"):
        backend.query(QueryRequest("SELECT ?x WHERE { ?x ?p ?o }", JSON))


def test_an_answer_below_the_engines_row_cap_is_passed_on(fake) -> None:
    backend = fake("3", rows(2))
    result = backend.query(QueryRequest("SELECT ?x WHERE { ?x ?p ?o }", JSON))
    assert json.loads(result.body)["results"]["bindings"][1]["x"]["value"] == "1"
    assert backend.describe_engine()["selectRowCap"] == 3


def test_an_anytime_answer_marked_incomplete_is_a_timeout_not_an_answer(fake) -> None:
    backend = fake("0", rows(5), {"X-SQL-State": "S1TAT", "X-SQL-Message": "RC...: Returning incomplete results"})
    with pytest.raises(QueryTimeout, match="incomplete answer"):
        backend.query(QueryRequest("SELECT ?x WHERE { ?x ?p ?o }", JSON))


def test_a_stored_boolean_written_as_one_is_put_back_as_true() -> None:
    virtuoso = b'{ "v": { "type": "typed-literal", "datatype": "http://www.w3.org/2001/XMLSchema#boolean", "value": "1" }}'
    assert b'"value": "true"' in canonical_booleans(virtuoso)
    xml = b'<literal datatype="http://www.w3.org/2001/XMLSchema#boolean">0</literal>'
    assert canonical_booleans(xml) == b'<literal datatype="http://www.w3.org/2001/XMLSchema#boolean">false</literal>'
    integer = b'{"datatype": "http://www.w3.org/2001/XMLSchema#integer", "value": "1"}'
    assert canonical_booleans(integer) == integer


@pytest.mark.parametrize(
    ("media_type", "virtuoso", "canonical"),
    [
        (JSON, b'{ "s": { "type": "bnode", "value": "nodeID://b10000" }}', b'{ "s": { "type": "bnode", "value": "b10000" }}'),
        ("application/sparql-results+xml", b"<binding name=\"s\"><bnode>nodeID://b10000</bnode></binding>",
         b"<binding name=\"s\"><bnode>b10000</bnode></binding>"),
        ("text/tab-separated-values", b'?s\t?o\n"nodeID://b10000"\t"x"\n', b'?s\t?o\n_:b10000\t"x"\n'),
        ("text/csv", b"s,o\r\nnodeID://b10000,x\r\n", b"s,o\r\n_:b10000,x\r\n"),
    ],
)
def test_virtuosos_blank_node_labels_are_rewritten_in_every_results_format(media_type: str, virtuoso: bytes, canonical: bytes) -> None:
    assert virtuoso_answer(virtuoso, media_type) == canonical


def test_a_tsv_blank_node_is_a_blank_node_again_not_a_string() -> None:
    answer = virtuoso_answer(b'?s\n"nodeID://b10000"\n', "text/tab-separated-values")
    [row] = list(ox.parse_query_results(answer, ox.QueryResultsFormat.TSV))
    assert row["s"] == ox.BlankNode("b10000")


@pytest.mark.parametrize(
    ("media_type", "body", "expected"),
    [
        (JSON, rows(4), 4),
        ("text/csv", b'x\r\n"a\r\nb"\r\nc\r\n', 2),
        ("text/tab-separated-values", b"?x\n\"a\"\n\"b\"\n", 2),
        ("application/sparql-results+xml", b'<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head><variable name="x"/></head>'
         b'<results><result><binding name="x"><literal>a</literal></binding></result></results></sparql>', 1),
    ],
)
def test_rows_are_counted_in_every_results_format(media_type: str, body: bytes, expected: int) -> None:
    assert count_rows(body, media_type) == expected


def test_virtuoso_blank_node_labels_are_kept_so_a_later_request_can_name_them() -> None:
    body = b'{"head": {"vars": ["s"]}, "results": {"bindings": [{"s": {"type": "bnode", "value": "nodeID://b10007"}}]}}'
    [row] = read_json_results(body, virtuoso_blank)
    assert row["s"] == ox.BlankNode("b10007")
    assert stored_blank_iri(row["s"]) == "<nodeID://b10007>"


G = ox.NamedNode("https://w3id.org/bricskg/graph/reference")
S, P = ox.NamedNode("urn:s"), ox.NamedNode("urn:p")


def test_a_delta_is_one_operation_naming_stored_and_fresh_blank_nodes_apart() -> None:
    stored, fresh = ox.BlankNode("b10007"), ox.BlankNode("f1")
    delta = Delta(
        removed=frozenset({ox.Quad(S, P, stored, G)}),
        inserted=frozenset({ox.Quad(S, P, fresh, G), ox.Quad(fresh, P, ox.Literal("x"), G)}),
    )
    commit = single_operation_commit(delta, [], stored_blank_iri)
    assert commit.atomic and commit.text.count("WHERE") == 1 and ";" not in commit.text
    assert "<nodeID://b10007>" in commit.text and "_:f1" in commit.text
    import rdflib.plugins.sparql.parser as parser

    parser.parseUpdate(commit.text.replace("<nodeID://b10007>", "<urn:stored>"))  # standard SPARQL otherwise


def test_emptying_a_graph_and_writing_ground_quads_is_still_one_operation() -> None:
    delta = Delta(cleared_graphs=frozenset({G}), inserted=frozenset({ox.Quad(S, P, ox.Literal("x"), G)}))
    commit = single_operation_commit(delta, [], stored_blank_iri)
    assert commit.atomic and ";" not in commit.text and "{ } UNION" in commit.text


def test_emptying_a_graph_and_adding_fresh_blank_nodes_says_it_is_two_operations() -> None:
    delta = Delta(cleared_graphs=frozenset({G}), inserted=frozenset({ox.Quad(S, P, ox.BlankNode("f2"), G)}))
    commit = single_operation_commit(delta, [], stored_blank_iri)
    assert not commit.atomic and commit.text.count(";") == 1


def test_a_default_graph_write_is_refused_where_the_engine_has_no_default_graph() -> None:
    delta = Delta(inserted=frozenset({ox.Quad(S, P, ox.Literal("x"), ox.DefaultGraph())}))
    with pytest.raises(QueryRefused, match="no default graph"):
        single_operation_commit(delta, [], stored_blank_iri)


@pytest.mark.parametrize(
    "query",
    [
        'SELECT (<bif:http_get>("http://127.0.0.1:9/") AS ?x) WHERE { }',
        'PREFIX sql: <sql:> SELECT * WHERE { ?s ?p ?o FILTER(sql:anything(?o)) }',
        'DEFINE input:grab-all "yes" SELECT * WHERE { ?s ?p ?o }',
        'SELECT * WHERE { ?s ?p ?o } ORDER BY <http://jena.apache.org/ARQ/function#sha1sum>(?o)',
    ],
)
def test_an_engines_own_syntax_or_function_is_not_forwarded(query: str) -> None:
    with pytest.raises(QueryRefused):
        check_forwardable_query(query)


def test_standard_functions_and_xsd_casts_are_forwarded() -> None:
    check_forwardable_query(
        "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> SELECT (xsd:integer(?o) AS ?n) (STRLEN(STR(?o)) AS ?l) "
        "WHERE { ?s ?p ?o FILTER(REGEX(STR(?o), 'a')) } ORDER BY DESC(?n)"
    )


def test_a_non_ascii_tagged_literal_is_removed_by_a_delete_only_operation_first() -> None:
    """Virtuoso 7.2 deletes nothing for ``"Brésil"@fr`` in an operation that also inserts."""
    tagged = ox.Quad(S, P, ox.Literal("Brésil", language="fr"), G)
    plain = ox.Quad(S, P, ox.Literal("Brésil"), G)
    delta = Delta(removed=frozenset({tagged, plain}), inserted=frozenset({ox.Quad(S, P, ox.Literal("Brasil", language="pt"), G)}))
    commit = single_operation_commit(delta, [], stored_blank_iri)
    first, second = commit.text.split("\n;\n")
    assert not commit.atomic
    assert '"Brésil"@fr' in first and "INSERT" not in first
    assert '"Brésil"@fr' not in second and '"Brésil" .' in second and '"Brasil"@pt' in second


def test_a_write_too_big_for_one_operation_is_cut_into_requests_within_the_engines_limits() -> None:
    ground = [ox.Quad(S, P, ox.Literal(f"v{i}"), G) for i in range(3000)]
    blank = [q for i in range(300) for q in (ox.Quad(S, P, ox.BlankNode(f"n{i}"), G), ox.Quad(ox.BlankNode(f"n{i}"), P, ox.Literal(i), G))]
    removed = [ox.Quad(S, P, ox.Literal(f"old{i}"), G) for i in range(1000)]
    audit = [ox.Quad(S, P, ox.Literal("audit"), ox.NamedNode("https://w3id.org/bricskg/graph/audit"))]
    delta = Delta(removed=frozenset(removed), inserted=frozenset(ground + blank))
    commit = single_operation_commit(delta, audit, stored_blank_iri)
    assert not commit.atomic
    for request in commit.requests:
        quads = request.count(" .\n")
        assert quads <= (DATA_QUADS if request.startswith("INSERT DATA") else TEMPLATE_QUADS), request[:80]
    assert sum(request.count(" .\n") for request in commit.requests) == 3000 + 600 + 1000 + 1
    assert '"audit"' in commit.requests[-1]  # the record comes last, once everything else is in
    for request in commit.requests:  # each blank node and its quads in one request
        for i in range(300):
            assert request.count(f"_:n{i} ") in (0, 2)


def test_the_write_path_reads_virtuosos_stored_true_as_true() -> None:
    body = (b'{"head": {"vars": ["o"]}, "results": {"bindings": [{"o": {"type": "typed-literal", '
            b'"datatype": "http://www.w3.org/2001/XMLSchema#boolean", "value": "1"}}]}}')
    [row] = read_json_results(body, virtuoso_blank, canonical_booleans=True)
    assert row["o"] == ox.Literal("true", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean"))
    [kept] = read_json_results(body, virtuoso_blank)  # another engine's "1" is what it stores: kept
    assert kept["o"].value == "1"


def test_a_configured_virtuoso_dialect_still_reads_the_row_cap() -> None:
    engine = FakeVirtuoso("3", rows(3))
    try:
        backend = RemoteBackend(engine.url, engine="virtuoso")
        with pytest.raises(ResultTooLarge):
            backend.query(QueryRequest("SELECT ?x WHERE { ?x ?p ?o }", JSON))
    finally:
        engine.close()


def quad_rows(count: int) -> bytes:
    bindings = [{"s": {"type": "uri", "value": f"urn:s{i}"}, "p": {"type": "uri", "value": "urn:p"},
                 "o": {"type": "literal", "value": str(i)}, "g": {"type": "uri", "value": "urn:g"}} for i in range(count)]
    return json.dumps({"head": {"vars": ["s", "p", "o", "g"]}, "results": {"bindings": bindings}}).encode()


def test_a_whole_graph_read_cut_short_by_the_engine_is_an_error_not_a_short_dump() -> None:
    engine = FakeVirtuoso("0", quad_rows(3), count=5)
    try:
        backend = RemoteBackend(engine.url)
        with pytest.raises(BackendUnavailable, match="3 of 5 rows"):
            list(backend.graph_quads([ox.NamedNode("urn:g")]))
    finally:
        engine.close()


def test_a_whole_graph_read_that_matches_the_engines_count_is_returned() -> None:
    engine = FakeVirtuoso("0", quad_rows(3), count=3)
    try:
        assert len(list(RemoteBackend(engine.url).graph_quads([ox.NamedNode("urn:g")]))) == 3
    finally:
        engine.close()
