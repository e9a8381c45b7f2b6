"""Fuzzing the SPARQL protocol endpoint: random and mutated queries, headers, media types, bodies.

Properties, for every generated request against a live server:
- the answer is never a 5xx (bad input is the client's fault: 400, 406, 413, 415), except 503 for a
  query that ran into the deadline, which must say so;
- no answer takes longer than the query timeout plus a margin (no hang);
- no error body is a traceback;
- the server is alive afterwards (/health).

Hypothesis runs a bounded number of examples per property (the module stays well under two
minutes); the count of cases sent is printed at the end of the run.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from w3c_manifest import suite_root
from figures import show

QUERY_TIMEOUT = 4  # seconds, the server's --query-timeout
CLIENT_TIMEOUT = QUERY_TIMEOUT + 10  # the request must be over by then: beyond it is a hang
# 403: an update (a body sent as application/sparql-update) reaching this read-only server.
ALLOWED_STATUSES = {200, 400, 403, 404, 405, 406, 413, 414, 415, 431}
FUZZ_SETTINGS = settings(
    max_examples=150,
    deadline=None,  # a network round trip has no stable duration; CLIENT_TIMEOUT bounds each case
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
CASES: Counter = Counter()


@pytest.fixture(scope="module")
def server(request: pytest.FixtureRequest):
    from live_server import running_server

    with running_server(["--query-timeout", str(QUERY_TIMEOUT)]) as running:
        yield running.url
    total = sum(CASES.values())
    detail = ", ".join(f"{count} {name}" for name, count in sorted(CASES.items()))
    show(request.config, f"protocol fuzzing: {total} requests checked ({detail})")


def _seed_queries() -> list[str]:
    """Valid queries to mutate: small W3C test queries (the grammar's corners) plus our own."""
    own = [
        "SELECT * WHERE { ?s ?p ?o } LIMIT 5",
        "ASK { ?s a ?type }",
        "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 3",
        "DESCRIBE <https://w3id.org/bricskg/id/brics>",
        'SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER(REGEX(STR(?s), "bricskg")) } GROUP BY ?g',
        "PREFIX bkg: <https://w3id.org/bricskg/ontology/> SELECT ?c WHERE { ?c a bkg:Claim } ORDER BY ?c LIMIT 2",
    ]
    root = suite_root()
    if not root.is_dir():
        return own
    files = sorted(root.glob("*/*.rq"))
    texts = [path.read_text(encoding="utf-8", errors="replace") for path in files if path.stat().st_size < 1500]
    return own + [text for text in texts if "SERVICE" not in text.upper()][:200]


SEEDS = _seed_queries()
TOKENS = [
    "{", "}", "(", ")", "[", "]", ".", ";", ",", "?x", "$y", "<", ">", "<http://example/x>", '"', "'", '"""',
    "\\", "\\u0000", "\\U0010FFFF", "\\uD800", "#", "\n", "SELECT", "WHERE", "OPTIONAL", "UNION", "MINUS",
    "FILTER", "BIND", "VALUES", "GRAPH", "FROM", "NAMED", "ORDER BY", "GROUP BY", "HAVING", "LIMIT",
    "OFFSET", "-1", "99999999999999999999999", "1e999", "NaN", "*", "/", "|", "^", "+", "?", "!", "a",
    "_:b", "[]", "()", "@en", "^^", "INSERT DATA", "DROP ALL", "\x00", "é", "😀", "\u202e", "AS", "COUNT(",
    "REGEX(", "SUBSTR(", "STRDT(", "IRI(", "BNODE(", "NOW()", "RAND()", "EXISTS", "NOT", "IN", "DISTINCT",
]
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200)


@st.composite
def mutated_queries(draw) -> str:
    text = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(1, 4))):
        operation = draw(st.sampled_from(["insert", "delete", "duplicate", "replace"]))
        start = draw(st.integers(0, len(text)))
        end = draw(st.integers(start, min(len(text), start + 40)))
        token = draw(st.sampled_from(TOKENS) | st.text(max_size=6))
        if operation == "insert":
            text = text[:start] + token + text[start:]
        elif operation == "delete":
            text = text[:start] + text[end:]
        elif operation == "duplicate":
            text = text[:end] + text[start:end] + text[end:]
        else:
            text = text[:start] + token + text[end:]
    return text


def _encodable(text: str) -> str:
    """requests must be able to send it: lone surrogates become U+FFFD."""
    return text.encode("utf-8", "replace").decode("utf-8")


def check_response(server: str, response: requests.Response, case: str) -> None:
    CASES[case] += 1
    status = response.status_code
    body = response.text[:2000]
    if status == 503:
        assert re.search(r"time|deadline|busy|unavailable", body, re.IGNORECASE), f"503 without a reason: {body}"
    else:
        assert status in ALLOWED_STATUSES, f"{case}: HTTP {status}: {body}"
    assert "Traceback (most recent call last)" not in body, f"{case}: a traceback reached the client"
    health = requests.get(f"{server}/health", timeout=CLIENT_TIMEOUT)
    assert health.status_code == 200, f"{case}: the server is not healthy after the request"


def send_query(server: str, text: str, binding: str, headers: dict[str, str] | None = None) -> requests.Response:
    text = _encodable(text)
    headers = dict(headers or {})
    if binding == "get":
        return requests.get(f"{server}/sparql", params={"query": text}, headers=headers, timeout=CLIENT_TIMEOUT)
    if binding == "form":
        return requests.post(f"{server}/sparql", data={"query": text}, headers=headers, timeout=CLIENT_TIMEOUT)
    headers.setdefault("Content-Type", "application/sparql-query")
    return requests.post(f"{server}/sparql", data=text.encode("utf-8"), headers=headers, timeout=CLIENT_TIMEOUT)


BINDINGS = st.sampled_from(["get", "form", "direct"])


@FUZZ_SETTINGS
@given(text=TEXT, binding=BINDINGS)
def test_random_text_as_query_never_gets_a_server_error(server, text, binding) -> None:
    check_response(server, send_query(server, text, binding), "random queries")


@FUZZ_SETTINGS
@given(text=mutated_queries(), binding=BINDINGS)
def test_mutated_valid_queries_never_get_a_server_error(server, text, binding) -> None:
    check_response(server, send_query(server, text, binding), "mutated queries")


KNOWN_MEDIA = [
    "application/sparql-results+json", "application/sparql-results+xml", "text/csv", "text/tab-separated-values",
    "text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml", "application/trig",
    "application/n-quads", "text/html", "*/*", "text/*", "application/*", "image/png", "application/json",
]
HEADER_TEXT = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=80).map(str.strip)


@st.composite
def accept_headers(draw) -> str:
    ranges = []
    for _ in range(draw(st.integers(0, 5))):
        media = draw(st.sampled_from(KNOWN_MEDIA) | HEADER_TEXT)
        quality = draw(st.sampled_from(["", ";q=0", ";q=0.5", ";q=1", ";q=1.5", ";q=-1", ";q=abc", ";level=1"]))
        ranges.append(media + quality)
    # requests refuses a header value with leading or trailing whitespace on the client side, which
    # would fail the test without ever reaching the server
    return draw(st.sampled_from([", ", ",", " , "])).join(ranges).strip()


@FUZZ_SETTINGS
@given(
    accept=accept_headers(),
    fmt=st.none() | st.sampled_from(["json", "xml", "csv", "tsv", "turtle", "jsonld", "html", ""]) | HEADER_TEXT,
    query=st.sampled_from(SEEDS[:6]),
)
def test_any_accept_header_and_format_gets_an_answer_or_406(server, accept, fmt, query) -> None:
    params = {"query": query}
    if fmt is not None:
        params["format"] = fmt
    response = requests.get(f"{server}/sparql", params=params, headers={"Accept": accept}, timeout=CLIENT_TIMEOUT)
    check_response(server, response, "accept/format headers")


CONTENT_TYPES = [
    "application/sparql-query", "application/x-www-form-urlencoded", "application/sparql-update", "text/plain",
    "application/json", "", "multipart/form-data; boundary=xyz", "application/sparql-query; charset=latin-1",
    "application/sparql-query; charset=utf-16", "application/x-www-form-urlencoded; charset=utf-8",
    "text/turtle", "application/octet-stream", ";;;", "application/sparql-query;charset",
]


@FUZZ_SETTINGS
@given(
    content_type=st.sampled_from(CONTENT_TYPES) | HEADER_TEXT,
    body=st.binary(max_size=400) | TEXT.map(lambda s: s.encode("utf-8", "replace")),
    extra=st.dictionaries(
        st.text(alphabet="abcdefghijklmnopqrstuvwxyz-", min_size=1, max_size=20).map(lambda s: "X-" + s),
        HEADER_TEXT,
        max_size=4,
    ),
)
def test_any_post_body_and_content_type_never_gets_a_server_error(server, content_type, body, extra) -> None:
    headers = {"Content-Type": content_type, **extra}
    response = requests.post(f"{server}/sparql", data=body, headers=headers, timeout=CLIENT_TIMEOUT)
    check_response(server, response, "bodies and media types")


@FUZZ_SETTINGS
@given(body=st.binary(min_size=1, max_size=300))
def test_non_utf8_query_bytes_are_a_400_not_a_crash(server, body) -> None:
    raw = b"SELECT * WHERE { ?s ?p \"" + body + b"\" }"
    response = requests.post(
        f"{server}/sparql", data=raw, headers={"Content-Type": "application/sparql-query"}, timeout=CLIENT_TIMEOUT
    )
    check_response(server, response, "raw bytes")
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        assert response.status_code == 400, f"non-UTF-8 query answered {response.status_code}"


DEEP_CASES = {
    "braces": lambda n: "SELECT * WHERE " + "{" * n + " ?s ?p ?o " + "}" * n,
    "parentheses": lambda n: "SELECT * WHERE { ?s ?p ?o FILTER(" + "(" * n + "true" + ")" * n + ") }",
    "optional-chain": lambda n: "SELECT * WHERE { ?s ?p ?o " + "OPTIONAL { ?s ?p ?o " * n + "}" * n + " }",
    "union-chain": lambda n: "SELECT * WHERE { " + " UNION ".join(["{ ?s ?p ?o }"] * n) + " } LIMIT 1",
    "path-sequence": lambda n: "SELECT * WHERE { ?s " + "/".join(["<urn:p>"] * n) + " ?o }",
    "nested-path": lambda n: "SELECT * WHERE { ?s " + "(" * n + "<urn:p>" + ")*" * n + " ?o }",
    "arithmetic": lambda n: "SELECT (" + "+".join(["1"] * n) + " AS ?x) WHERE {}",
    "negations": lambda n: "SELECT * WHERE { FILTER(" + "!" * n + "true) }",
    "subselects": lambda n: "SELECT * WHERE { " + "{ SELECT * WHERE " * n + "{ ?s ?p ?o }" + " }" * n + " } LIMIT 1",
    "string-escapes": lambda n: 'SELECT ("' + "\\u0041" * n + '" AS ?x) WHERE {}',
    "huge-literal": lambda n: 'SELECT ("' + "a" * (n * 20) + '" AS ?x) WHERE {}',
    "many-variables": lambda n: "SELECT " + " ".join(f"?v{i}" for i in range(n)) + " WHERE { ?s ?p ?o } LIMIT 1",
    "values-rows": lambda n: "SELECT * WHERE { VALUES ?x { " + " ".join(str(i) for i in range(n)) + " } } LIMIT 1",
}


@pytest.mark.parametrize("depth", [1_000, 20_000])
@pytest.mark.parametrize("case", sorted(DEEP_CASES))
def test_deeply_nested_or_huge_query_is_answered_without_crash_or_hang(server, case, depth) -> None:
    text = DEEP_CASES[case](depth)
    if len(text.encode("utf-8")) > 900_000:
        pytest.fail(f"case {case} too large for the body limit: {len(text)} characters")
    response = send_query(server, text, "direct")
    check_response(server, response, "deep nesting / huge queries")


def test_body_over_the_limit_is_413(server) -> None:
    text = "SELECT * WHERE { ?s ?p ?o } #" + "x" * (2 * 1024 * 1024)
    response = send_query(server, text, "direct")
    check_response(server, response, "oversized bodies")
    assert response.status_code == 413


def test_query_parameter_repeated_is_400(server) -> None:
    response = requests.get(
        f"{server}/sparql", params=[("query", "ASK {}"), ("query", "ASK {}")], timeout=CLIENT_TIMEOUT
    )
    check_response(server, response, "protocol misuse")
    assert response.status_code == 400
