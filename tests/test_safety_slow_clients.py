"""Slow clients cannot take the server offline: a request is read completely, with header and body
deadlines, before it occupies a request thread (bricskg.front.worker).

The attacks are bounded (24 connections, a few seconds) and only assert that the server keeps
answering and that the deadlines are enforced, never how fast.
"""

from __future__ import annotations

import socket
import threading
import time
from contextlib import contextmanager
from typing import Iterator

import pytest
import requests

from live_server import running_server

HEADER_TIMEOUT = 2.0
BODY_TIMEOUT = 2.0
ATTACKERS = 24  # several times the request threads of the server below


@pytest.fixture(scope="module")
def server():
    with running_server(
        ["--threads", "2", "--header-timeout", str(HEADER_TIMEOUT), "--body-timeout", str(BODY_TIMEOUT)]
    ) as running:
        yield running


@contextmanager
def trickling(port: int, first: bytes, count: int = ATTACKERS, interval: float = 0.5) -> Iterator[list[socket.socket]]:
    """``count`` connections that send ``first`` and then one byte every ``interval`` seconds."""
    stop = threading.Event()
    sockets = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(count)]
    for sock in sockets:
        sock.sendall(first)

    def drip() -> None:
        while not stop.wait(interval):
            for sock in sockets:
                try:
                    sock.sendall(b"a")
                except OSError:
                    pass

    thread = threading.Thread(target=drip, daemon=True)
    thread.start()
    try:
        yield sockets
    finally:
        stop.set()
        thread.join(10)
        for sock in sockets:
            sock.close()


def _health_answers(server, attempts: int = 3) -> bool:
    for _ in range(attempts):
        try:
            if requests.get(server.at("/health"), timeout=8).status_code != 200:
                return False
        except requests.RequestException:
            return False
    return True


def test_slowloris_headers_leave_health_and_queries_answering(server) -> None:
    with trickling(server.port, b"GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: "):
        time.sleep(0.5)
        assert _health_answers(server)
        assert server.query("ASK { ?s ?p ?o } # while slow headers trickle", timeout=8).status_code == 200


def test_trickling_bodies_leave_health_and_queries_answering(server) -> None:
    head = (b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
            b"Content-Length: 100000\r\n\r\nASK {")
    with trickling(server.port, head):
        time.sleep(0.5)
        assert _health_answers(server)
        assert server.query("ASK { ?s ?p ?o } # while slow bodies trickle", timeout=8).status_code == 200


def _answer_of(sock: socket.socket, wait: float) -> bytes:
    sock.settimeout(wait)
    data = b""
    try:
        while True:
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
    except OSError:
        pass
    return data


def test_headers_not_complete_within_the_header_timeout_get_408_plain_text(server) -> None:
    with trickling(server.port, b"GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ", count=1) as (sock,):
        answer = _answer_of(sock, HEADER_TIMEOUT + 10)
    assert answer.startswith(b"HTTP/1.1 408 ")
    assert b"text/plain" in answer and b"<html" not in answer.lower()


def test_body_not_complete_within_the_body_timeout_gets_408(server) -> None:
    head = (b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
            b"Content-Length: 100000\r\n\r\nASK {")
    with trickling(server.port, head, count=1) as (sock,):
        answer = _answer_of(sock, BODY_TIMEOUT + 10)
    assert answer.startswith(b"HTTP/1.1 408 ")


def test_a_request_sent_in_pieces_within_the_deadlines_is_answered(server) -> None:
    body = b"ASK { ?s ?p ?o }"
    pieces = [b"POST /sparql HTTP/1.1\r\nHost: x\r\n", b"Content-Type: application/sparql-query\r\n",
              b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body), body[:5], body[5:]]
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        for piece in pieces:
            sock.sendall(piece)
            time.sleep(0.1)
        answer = _answer_of(sock, 10)
    assert answer.startswith(b"HTTP/1.1 200 ") and b'"boolean":true' in answer
