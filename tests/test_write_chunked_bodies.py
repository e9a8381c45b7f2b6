"""A body over the size limit is refused whole (413) and NOTHING is applied, whatever its framing.

Before, a ``Transfer-Encoding: chunked`` body (no Content-Length) was cut at the 16 MiB limit and
the prefix executed: a 24 MB chunked N-Triples upload got 201 with a seventh of its triples
stored, and a chunked ``DELETE DATA …; INSERT DATA …`` committed the delete and lost the insert.
These tests talk to a live server over http.client / raw sockets, so the framing is exactly the
one on the wire.
"""

from __future__ import annotations

import http.client
import socket
from pathlib import Path
from typing import Iterator

import pytest
import requests

from live_server import live_server

TOKEN = "chunked-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
EX = "http://example.org/people#"
LIMIT = 16 * 1024 * 1024
UPLOAD_GRAPH = "http://example.org/people/upload"
KEPT = f'<{EX}alice> <{EX}name> "Alice" .'

ONTOLOGY = """\
@prefix ex: <http://example.org/people#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
<https://w3id.org/bricskg/ontology> a owl:Ontology .
ex:Person a owl:Class .
ex:name a owl:DatatypeProperty .
"""

SHAPES = """\
@prefix ex: <http://example.org/people#> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
ex:PersonShape a sh:NodeShape ; sh:targetClass ex:Person ; sh:property [ sh:path ex:name ; sh:minCount 1 ] .
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("chunked")
    home = root / "home"
    for folder, text in (("ontology", ONTOLOGY), ("shapes", SHAPES), ("data", None)):
        (home / folder).mkdir(parents=True)
        if text:
            (home / folder / "people.ttl").write_text(text, encoding="utf-8")
    env = {"BRICSKG_ADMIN_TOKEN": TOKEN, "BRICSKG_HOME": str(home)}
    with live_server("--store", str(root / "store"), "--no-bundled", env=env) as running:
        response = requests.post(
            running.base_url + "/sparql",
            data=f"INSERT DATA {{ {KEPT} }}",
            headers={"Content-Type": "application/sparql-update", **AUTH},
            timeout=60,
        )
        assert response.status_code == 200, response.text
        yield running


LINE = 128  # bytes per N-Triples line: the 16 MiB limit falls exactly between two lines


def triples(count: int, offset: int = 0) -> bytes:
    """``count`` N-Triples lines of exactly LINE bytes, so a body cut at the limit still parses --
    the worst case: a cut body that is silently *accepted*."""
    lines = []
    for i in range(offset, offset + count):
        head = f'<{EX}n{i}> <{EX}name> "'
        lines.append(head + "x" * (LINE - len(head) - len('" .\n')) + '" .\n')
    return "".join(lines).encode("utf-8")


OVER_LIMIT = LIMIT // LINE + 5_000  # 17.4 MB: the limit's worth of whole lines, then more


def update_cut_after_its_delete(kept: str) -> bytes:
    """``DELETE DATA { kept … } ;`` filling exactly the first 16 MiB, then an INSERT DATA beyond it:
    a body cut at the limit is a valid update that deletes and never inserts."""
    head = f"DELETE DATA {{\n{kept}\n".encode("utf-8")
    tail = b"} ;\n"
    body = head + triples((LIMIT - len(head) - len(tail)) // LINE, 5_000_000)
    padding = LIMIT - len(body) - len(tail)
    body += (b"#" + b"-" * (padding - 2) + b"\n" if padding >= 2 else b"\n" * padding) + tail
    assert len(body) == LIMIT
    return body + f'INSERT DATA {{ <{EX}bob> <{EX}name> "Bob" }}\n'.encode("utf-8")


def chunks(body: bytes, size: int = 64 * 1024) -> Iterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start : start + size]


def send_chunked(server, method: str, target: str, body: bytes, content_type: str) -> tuple[int, str]:
    """One request whose body goes out with Transfer-Encoding: chunked (no Content-Length)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=180)
    try:
        connection.request(method, target, body=chunks(body), headers={"Content-Type": content_type, **AUTH}, encode_chunked=True)
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    except (BrokenPipeError, ConnectionResetError):  # the server may answer and close before the end
        return 413, "(connection closed by the server while sending)"
    finally:
        connection.close()


def statement_count(server, graph: str | None = None) -> int:
    where = f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else "?s ?p ?o"
    response = requests.post(
        server.base_url + "/sparql",
        data={"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}"},
        headers={"Accept": "application/sparql-results+json"},
        timeout=60,
    )
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def test_a_chunked_upload_under_the_limit_is_stored_whole(server) -> None:
    status, text = send_chunked(server, "PUT", f"/store?graph={UPLOAD_GRAPH}-small", triples(2_000), "application/n-triples")
    assert status in (201, 204), text
    assert statement_count(server, UPLOAD_GRAPH + "-small") == 2_000


def test_a_chunked_upload_over_the_limit_gets_413_and_stores_nothing(server) -> None:
    body = triples(OVER_LIMIT)
    assert len(body) > LIMIT
    before = statement_count(server)
    status, text = send_chunked(server, "PUT", f"/store?graph={UPLOAD_GRAPH}", body, "application/n-triples")
    assert status == 413, text
    assert statement_count(server, UPLOAD_GRAPH) == 0
    assert statement_count(server) == before


def test_a_chunked_update_over_the_limit_gets_413_and_applies_no_operation(server) -> None:
    update = update_cut_after_its_delete(KEPT)
    assert len(update) > LIMIT
    before = statement_count(server)
    status, text = send_chunked(server, "POST", "/sparql", update, "application/sparql-update")
    assert status == 413, text
    assert statement_count(server) == before  # the DELETE DATA was not committed either


def test_a_chunked_form_update_over_the_limit_gets_413(server) -> None:
    from urllib.parse import quote_from_bytes

    update = f"DELETE DATA {{ {KEPT} }} ; INSERT DATA {{ ".encode("utf-8") + triples(OVER_LIMIT, 2_000_000) + b"}"
    body = b"update=" + quote_from_bytes(update).encode("ascii")
    assert len(body) > LIMIT
    before = statement_count(server)
    status, text = send_chunked(server, "POST", "/sparql", body, "application/x-www-form-urlencoded")
    assert status == 413, text
    assert statement_count(server) == before


def raw_request(server, head: str, body: bytes) -> str:
    """Send bytes as they are (headers that lie about the body included); the status line back."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=60) as connection:
        try:
            connection.sendall(head.encode("ascii") + body)
        except (BrokenPipeError, ConnectionResetError):
            pass
        received = b""
        while b"\r\n" not in received:
            chunk = connection.recv(4096)
            if not chunk:
                break
            received += chunk
    return received.split(b"\r\n", 1)[0].decode("ascii", "replace")


def test_a_content_length_over_the_limit_is_refused_before_the_body_is_read(server) -> None:
    head = (
        f"PUT /store?graph={UPLOAD_GRAPH}-lying HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {TOKEN}\r\n"
        f"Content-Type: application/n-triples\r\nContent-Length: {LIMIT + 1}\r\nConnection: close\r\n\r\n"
    )
    status_line = raw_request(server, head, triples(10))
    assert " 413 " in status_line
    assert statement_count(server, UPLOAD_GRAPH + "-lying") == 0


def test_chunked_framing_with_a_lying_content_length_applies_nothing(server) -> None:
    body = triples(OVER_LIMIT, 3_000_000)
    framed = b"".join(b"%x\r\n%s\r\n" % (len(piece), piece) for piece in chunks(body)) + b"0\r\n\r\n"
    head = (
        f"PUT /store?graph={UPLOAD_GRAPH}-both HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {TOKEN}\r\n"
        "Content-Type: application/n-triples\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    )
    status_line = raw_request(server, head, framed)
    assert " 400 " in status_line or " 413 " in status_line, status_line
    assert statement_count(server, UPLOAD_GRAPH + "-both") == 0
