"""What the front answers by itself is plain text like every other error (414, 431, malformed
requests), and the server's own URL never comes from the client's ``Host`` header: the service
description and the Graph Store ``Location`` use the configured base URL (``--base-url``, else the
bind address)."""

from __future__ import annotations

import socket

import pytest
import requests

from live_server import running_server
from protocol_home import protocol_home

TOKEN = "front-errors-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("front-errors")
    env = {"BRICSKG_ADMIN_TOKEN": TOKEN, "BRICSKG_HOME": str(protocol_home(root))}  # example.org data: no dataset rules
    with running_server(["--store", str(root / "store"), "--no-bundled"], env=env) as running:
        yield running


def _is_plain(response: requests.Response) -> bool:
    return response.headers.get("Content-Type", "").startswith("text/plain") and "<html" not in response.text.lower()


def test_an_overlong_url_is_414_in_plain_text(server) -> None:
    response = requests.get(server.sparql_url, params={"query": "ASK {} #" + "x" * 9000}, timeout=30)
    assert response.status_code == 414
    assert _is_plain(response) and "POST" in response.text


def test_an_oversized_header_field_is_431_in_plain_text(server) -> None:
    response = requests.get(server.at("/health"), headers={"X-Big": "y" * 9000}, timeout=30)
    assert response.status_code == 431
    assert _is_plain(response)


def test_too_many_header_fields_is_431_in_plain_text(server) -> None:
    headers = {f"X-Field-{index}": "v" for index in range(120)}
    response = requests.get(server.at("/health"), headers=headers, timeout=30)
    assert response.status_code == 431
    assert _is_plain(response)


def test_a_malformed_request_line_is_400_in_plain_text(server) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(b"GET /health HTTP/9.x\r\nHost: x\r\n\r\n")
        answer = b""
        while chunk := sock.recv(4096):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 400 ")
    assert b"text/plain" in answer and b"<html" not in answer.lower()


def test_the_host_header_does_not_set_the_endpoint_in_the_service_description(server) -> None:
    response = requests.get(
        server.sparql_url, headers={"Host": "attacker.example", "Accept": "application/n-triples"}, timeout=30
    )
    assert response.status_code == 200
    assert "attacker.example" not in response.text
    assert f"<{server.url}/sparql>" in response.text


def test_the_host_header_does_not_set_the_location_of_a_new_graph(server) -> None:
    response = requests.post(
        server.at("/store"), data=b"<http://example.org/a> <http://example.org/b> <http://example.org/c> .",
        headers={"Content-Type": "application/n-triples", "Host": "attacker.example", **AUTH}, timeout=60,
    )
    assert response.status_code == 201, response.text
    assert response.headers["Location"].startswith(f"{server.url}/store/")


def test_base_url_sets_the_endpoint_in_the_service_description(tmp_path) -> None:
    with running_server(["--no-bundled", "--base-url", "https://kg.example.org/"]) as other:
        response = requests.get(other.sparql_url, headers={"Accept": "application/n-triples"}, timeout=30)
    assert "<https://kg.example.org/sparql>" in response.text
    assert "127.0.0.1" not in response.text
