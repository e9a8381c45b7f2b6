"""The two SPARQL Protocol requests the live-server tests make of bricskg: a query whose answer must be
200 (SPARQL JSON), and an update with the test's bearer token, whose response the test inspects."""

from __future__ import annotations

from typing import Any

import requests


def post_query(server: Any, text: str) -> dict:
    """The SPARQL JSON answer of ``text`` (POSTed as ``application/sparql-query``); asserts a 200."""
    response = requests.post(
        server.base_url + "/sparql",
        data=text.encode(),
        headers={"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"},
        timeout=60,
    )
    assert response.status_code == 200, response.text
    return response.json()


def post_update(server: Any, text: str, auth: dict[str, str]) -> requests.Response:
    """``text`` POSTed as ``application/sparql-update`` with ``auth`` (an Authorization header)."""
    return requests.post(
        server.base_url + "/sparql",
        data=text.encode(),
        headers={"Content-Type": "application/sparql-update", "Accept": "application/json", **auth},
        timeout=120,
    )
