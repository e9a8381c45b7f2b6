"""Fuzzing the write paths: Graph Store Protocol uploads and SPARQL Updates, with a valid token.

Properties, for every generated payload:
- never a 5xx, never a hang past the timeout, the server alive afterwards;
- a rejected write (any 4xx) leaves the store exactly as it was: the fingerprint of every quad
  outside the server's own audit graph is compared before and after.

Payloads: mutated Turtle, N-Triples, TriG and JSON-LD documents, random bytes under every RDF
media type, RDF/XML with external entities and with billion-laughs nested entity expansion,
JSON-LD with remote contexts, huge literals, and nesting tens of thousands deep (Turtle blank-node
property lists and collections, JSON-LD objects, RDF/XML elements) — the classic ways to make a
parser recurse, allocate or fetch without bound.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from figures import show

ADMIN_TOKEN = "fuzz-uploads-token"
AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
QUERY_TIMEOUT = 30  # the fingerprint reads the whole store after every case: not a runaway query
CLIENT_TIMEOUT = 60  # uploads are parsed and SHACL-validated; a hang is anything past this
AUDIT_GRAPH = "https://w3id.org/bricskg/graph/audit"
ALLOWED_STATUSES = {200, 201, 204, 400, 404, 405, 406, 409, 413, 415, 422}
FUZZ_SETTINGS = settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
CASES: Counter = Counter()


@pytest.fixture(scope="module")
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    from live_server import running_server

    store = tmp_path_factory.mktemp("fuzz-store")
    with running_server(
        ["--store", str(store), "--query-timeout", str(QUERY_TIMEOUT)], env={"BRICSKG_ADMIN_TOKEN": ADMIN_TOKEN}
    ) as running:
        yield running.url
    total = sum(CASES.values())
    detail = ", ".join(f"{count} {name}" for name, count in sorted(CASES.items()))
    show(request.config, f"upload fuzzing: {total} writes checked ({detail})")


FINGERPRINT_QUERY = f"""
SELECT ?g ?s ?p ?o WHERE {{
  {{ ?s ?p ?o FILTER NOT EXISTS {{ GRAPH <{AUDIT_GRAPH}> {{ ?s ?p ?o }} }} }}
  UNION
  {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{AUDIT_GRAPH}>) }}
}}"""


def fingerprint(server: str) -> str:
    """A hash of every quad outside the audit graph (the audit graph records each write by design)."""
    response = requests.post(
        f"{server}/sparql",
        data={"query": FINGERPRINT_QUERY},
        headers={"Accept": "text/tab-separated-values"},
        timeout=CLIENT_TIMEOUT,
    )
    assert response.status_code == 200, f"fingerprint query failed: {response.status_code} {response.text[:300]}"
    lines = response.content.split(b"\n")
    return hashlib.sha256(b"\n".join(sorted(lines))).hexdigest()


class StoreWatch:
    """Remembers the last fingerprint so that each case costs one dump, not two."""

    def __init__(self, server: str):
        self.server = server
        self.last = fingerprint(server)

    def after(self, response: requests.Response, case: str, allowed: set[int] = ALLOWED_STATUSES) -> None:
        CASES[case] += 1
        status = response.status_code
        body = response.text[:1000]
        assert status in allowed, f"{case}: HTTP {status}: {body}"
        assert "Traceback (most recent call last)" not in body, f"{case}: a traceback reached the client"
        assert requests.get(f"{self.server}/health", timeout=CLIENT_TIMEOUT).status_code == 200, "server down"
        now = fingerprint(self.server)
        if status >= 400:
            assert now == self.last, f"{case}: rejected with {status} but the store changed"
        self.last = now


@pytest.fixture(scope="module")
def watch(server: str) -> StoreWatch:
    return StoreWatch(server)


def upload(server: str, body: bytes, content_type: str, graph: str | None = "urn:x-fuzz:graph", method: str = "POST"):
    params = {"graph": graph} if graph else {"default": ""}
    return requests.request(
        method,
        f"{server}/store",
        params=params,
        data=body,
        headers={"Content-Type": content_type, **AUTH},
        timeout=CLIENT_TIMEOUT,
    )


def send_update(server: str, text: str) -> requests.Response:
    return requests.post(
        f"{server}/sparql",
        data=text.encode("utf-8", "replace"),
        headers={"Content-Type": "application/sparql-update", **AUTH},
        timeout=CLIENT_TIMEOUT,
    )


# --------------------------------------------------------------------------------- mutated RDF

SEED_DOCUMENTS = {
    "text/turtle": (
        '@prefix ex: <urn:x-fuzz:> .\n@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n'
        'ex:s ex:p "o" , "o2"@en ; ex:n "1"^^xsd:integer ; ex:l ( ex:a ex:b ) ; ex:b [ ex:q ex:r ] .\n'
    ),
    "application/n-triples": '<urn:x-fuzz:s> <urn:x-fuzz:p> "o" .\n<urn:x-fuzz:s> <urn:x-fuzz:q> _:b .\n',
    "application/ld+json": '{"@context": {"ex": "urn:x-fuzz:"}, "@id": "ex:s", "ex:p": [{"@value": "o"}, {"@id": "ex:t"}]}',
    "application/rdf+xml": (
        '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns:ex="urn:x-fuzz:"><rdf:Description rdf:about="urn:x-fuzz:s"><ex:p>o</ex:p></rdf:Description></rdf:RDF>'
    ),
}
RDF_TOKENS = [
    "<", ">", '"', "'", "{", "}", "[", "]", "(", ")", ".", ";", ",", "@prefix", "@base", "_:", "^^", "@",
    "\\u0000", "\\", "\n", "<!ENTITY", "&", "&amp;", "]]>", '"@context"', '"@id"', "null", "\x00", "é", "😀",
]


@st.composite
def mutated_documents(draw) -> tuple[str, bytes]:
    content_type = draw(st.sampled_from(sorted(SEED_DOCUMENTS)))
    text = SEED_DOCUMENTS[content_type]
    for _ in range(draw(st.integers(1, 4))):
        start = draw(st.integers(0, len(text)))
        end = draw(st.integers(start, min(len(text), start + 20)))
        token = draw(st.sampled_from(RDF_TOKENS) | st.text(max_size=4))
        text = text[:start] + (token if draw(st.booleans()) else "") + text[end:]
    return content_type, text.encode("utf-8", "replace")


@FUZZ_SETTINGS
@given(document=mutated_documents(), method=st.sampled_from(["POST", "PUT"]))
def test_mutated_rdf_uploads_are_accepted_whole_or_rejected_without_trace(server, watch, document, method) -> None:
    content_type, body = document
    watch.after(upload(server, body, content_type, method=method), "mutated documents")


MEDIA = sorted(SEED_DOCUMENTS) + ["application/trig", "application/n-quads", "text/plain", "application/xml", "x/y"]


@FUZZ_SETTINGS
@given(body=st.binary(max_size=300), content_type=st.sampled_from(MEDIA))
def test_random_bytes_under_any_rdf_media_type_change_nothing(server, watch, body, content_type) -> None:
    watch.after(upload(server, body, content_type), "random bytes")


UPDATE_SEEDS = [
    'INSERT DATA { <urn:x-fuzz:s> <urn:x-fuzz:p> "o" }',
    'DELETE DATA { <urn:x-fuzz:s> <urn:x-fuzz:p> "o" }',
    "DELETE { ?s <urn:x-fuzz:p> ?o } INSERT { ?s <urn:x-fuzz:q> ?o } WHERE { ?s <urn:x-fuzz:p> ?o }",
    'INSERT DATA { GRAPH <urn:x-fuzz:g> { <urn:x-fuzz:s> <urn:x-fuzz:p> "o" } } ; DELETE DATA { <urn:x-fuzz:s> <urn:x-fuzz:p> "o" }',
    "DELETE WHERE { GRAPH <urn:x-fuzz:g> { ?s ?p ?o } }",
]


@st.composite
def mutated_updates(draw) -> str:
    text = draw(st.sampled_from(UPDATE_SEEDS))
    for _ in range(draw(st.integers(1, 3))):
        start = draw(st.integers(0, len(text)))
        end = draw(st.integers(start, min(len(text), start + 15)))
        token = draw(st.sampled_from(RDF_TOKENS + ["DROP", "ALL", "LOAD", "GRAPH", "WHERE", "INSERT", "DATA"]))
        text = text[:start] + (token if draw(st.booleans()) else "") + text[end:]
    return text


@FUZZ_SETTINGS
@given(text=mutated_updates())
def test_mutated_updates_apply_whole_or_not_at_all(server, watch, text) -> None:
    # Wiping the store is a valid update that would leave later cases nothing to protect.
    text = re.sub(r"\b(DROP|CLEAR)\b", "DR0P", text, flags=re.IGNORECASE)
    watch.after(send_update(server, text), "mutated updates")


def test_update_failing_in_its_second_operation_applies_no_part(server, watch) -> None:
    text = 'INSERT DATA { <urn:x-fuzz:half> <urn:x-fuzz:p> "first" } ; INSERT DATA { <urn:x-fuzz:half> <urn:x-fuzz:p> }'
    response = send_update(server, text)
    watch.after(response, "half-valid updates")
    assert response.status_code == 400


# ------------------------------------------------------------------------------ hostile payloads


def billion_laughs(levels: int = 10, fan_out: int = 10) -> bytes:
    """Each entity expands to ``fan_out`` copies of the previous one: 10^9 "lol"s from 1 KB."""
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{level} "{f"&lol{level - 1};" * fan_out}">' for level in range(1, levels)
    ]
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [' + "\n".join(entities) + "]>\n"
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="urn:x-fuzz:">'
        f'<rdf:Description rdf:about="urn:x-fuzz:laugh"><ex:p>&lol{levels - 1};</ex:p></rdf:Description></rdf:RDF>'
    ).encode()


def deep_turtle_brackets(depth: int) -> bytes:
    return ("<urn:x-fuzz:s> <urn:x-fuzz:p> " + "[ <urn:x-fuzz:p> " * depth + "1" + " ]" * depth + " .\n").encode()


def deep_turtle_collections(depth: int) -> bytes:
    return ("<urn:x-fuzz:s> <urn:x-fuzz:p> " + "( " * depth + "1" + " )" * depth + " .\n").encode()


def deep_jsonld(depth: int) -> bytes:
    return ('{"@id": "urn:x-fuzz:s", "urn:x-fuzz:p": ' * depth + '"x"' + "}" * depth).encode()


def deep_rdfxml(depth: int) -> bytes:
    opening = '<rdf:Description><ex:p rdf:parseType="Resource">' * depth
    closing = "</ex:p></rdf:Description>" * depth
    return (
        '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="urn:x-fuzz:">'
        + opening + closing + "</rdf:RDF>"
    ).encode()


def huge_literal(size: int) -> bytes:
    return ('<urn:x-fuzz:big> <urn:x-fuzz:p> "' + "x" * size + '" .\n').encode()


HOSTILE = {
    "billion-laughs": (billion_laughs, "application/rdf+xml"),
    "quadratic-blowup": (
        lambda: (
            '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY a "' + "a" * 50_000 + '">]>\n'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="urn:x-fuzz:">'
            '<rdf:Description rdf:about="urn:x-fuzz:q"><ex:p>' + "&a;" * 5_000 + "</ex:p></rdf:Description></rdf:RDF>"
        ).encode(),
        "application/rdf+xml",
    ),
    "external-entity-file": (
        lambda: (
            '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="urn:x-fuzz:">'
            '<rdf:Description rdf:about="urn:x-fuzz:x"><ex:p>&x;</ex:p></rdf:Description></rdf:RDF>'
        ).encode(),
        "application/rdf+xml",
    ),
    "external-entity-closed-port": (
        lambda: (
            '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY % x SYSTEM "http://127.0.0.1:9/x.dtd"> %x;]>\n'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>'
        ).encode(),
        "application/rdf+xml",
    ),
    "jsonld-remote-context": (
        lambda: b'{"@context": "http://127.0.0.1:9/context.jsonld", "@id": "urn:x-fuzz:s", "name": "x"}',
        "application/ld+json",
    ),
    "jsonld-context-loop": (
        lambda: b'{"@context": [{"@import": "http://127.0.0.1:9/a"}], "@id": "urn:x-fuzz:s"}',
        "application/ld+json",
    ),
    "turtle-nested-brackets": (lambda: deep_turtle_brackets(5_000), "text/turtle"),
    "turtle-nested-collections": (lambda: deep_turtle_collections(5_000), "text/turtle"),
    # pyoxigraph's JSON-LD parser needs memory quadratic in the nesting depth (1,000 levels: 136 MB,
    # 3,000: 760 MB, 50,000: the OOM killer), so 2,500 levels (75 KB) is enough to show whether the
    # server bounds the depth before parsing, without risking the CI machine when it does not.
    "jsonld-nested-objects": (lambda: deep_jsonld(2_500), "application/ld+json"),
    "rdfxml-nested-elements": (lambda: deep_rdfxml(20_000), "application/rdf+xml"),
    "huge-literal-under-limit": (lambda: huge_literal(4 * 1024 * 1024), "application/n-triples"),
    "huge-literal-over-limit": (lambda: huge_literal(20 * 1024 * 1024), "application/n-triples"),
    "many-triples-one-line": (
        lambda: ("".join(f'<urn:x-fuzz:m{i}> <urn:x-fuzz:p> "{i}" . ' for i in range(5_000))).encode(),
        "application/n-triples",
    ),
    "nul-bytes": (lambda: b'<urn:x-fuzz:s> <urn:x-fuzz:p> "\x00\x00" .\n', "application/n-triples"),
    "utf16-body": (lambda: '<urn:x-fuzz:s> <urn:x-fuzz:p> "o" .\n'.encode("utf-16"), "text/turtle"),
    "invalid-iri": (lambda: b"<urn:x fuzz:s> <urn:x-fuzz:p> <not an iri> .\n", "text/turtle"),
    "graph-in-triples-format": (lambda: b"<urn:x-fuzz:g> { <urn:x-fuzz:s> <urn:x-fuzz:p> 1 }", "text/turtle"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_upload_is_answered_without_crash_and_leaves_no_trace_when_rejected(server, watch, case) -> None:
    build, content_type = HOSTILE[case]
    response = upload(server, build(), content_type)
    watch.after(response, "hostile payloads")
    assert "root:" not in response.text
    if case in (
        "billion-laughs", "quadratic-blowup", "huge-literal-over-limit", "jsonld-remote-context", "jsonld-nested-objects"
    ):
        assert response.status_code >= 400, f"{case} was accepted ({response.status_code})"
    if case == "huge-literal-over-limit":
        assert response.status_code == 413


def test_upload_without_a_token_is_refused_and_changes_nothing(server, watch) -> None:
    response = requests.post(
        f"{server}/store",
        params={"graph": "urn:x-fuzz:anonymous"},
        data=SEED_DOCUMENTS["text/turtle"].encode(),
        headers={"Content-Type": "text/turtle"},
        timeout=CLIENT_TIMEOUT,
    )
    watch.after(response, "unauthenticated writes", allowed={401})
