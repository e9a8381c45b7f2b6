"""Regression: rdflib's SPARQL parser corrupted its shared state when request threads parsed at once.

Found by the load test (tests/test_load_http.py): concurrent updates got 400 "Param.postParse2()
missing 1 required positional argument" and every later update in that worker failed. Without the
lock in bricskg.sparql.rdflib_parser this test sees thousands of such errors.
"""

from __future__ import annotations

import threading
from typing import Callable

from bricskg.sparql import rdflib_parser


def _hammer(parse: Callable[[str], object], texts: list[str], errors: list[str]) -> None:
    for text in texts:
        try:
            parse(text)
        except Exception as error:  # noqa: BLE001 - every failure is what the test counts
            errors.append(repr(error))


def _queries() -> list[str]:
    return [
        f"SELECT ?s WHERE {{ ?s ?p {i} . OPTIONAL {{ ?s <http://example.org/p{i}> ?o }} FILTER(?o > {i}) }}"
        for i in range(40)
    ]


def _updates() -> list[str]:
    return [
        f"INSERT DATA {{ <http://example.org/a{i}> <http://example.org/b> {i} }} ;"
        f" DELETE WHERE {{ ?s <http://example.org/q{i}> ?o }}"
        for i in range(40)
    ]


def test_queries_and_updates_parse_correctly_from_many_threads_at_once() -> None:
    errors: list[str] = []
    threads = [threading.Thread(target=_hammer, args=(rdflib_parser.parse_query, _queries(), errors)) for _ in range(4)]
    threads += [
        threading.Thread(target=_hammer, args=(rdflib_parser.parse_update, _updates(), errors)) for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []

