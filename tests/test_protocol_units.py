"""Units of the endpoint that need no server: content negotiation and the result cache."""

from __future__ import annotations

import pytest

from bricskg.sparql.negotiation import NotAcceptable, negotiate, parse_accept
from bricskg.store.base import Dataset, QueryRequest, QueryResult
from bricskg.store.cache import CachedBackend, ResultCache


def test_accept_parsing_keeps_q_values_and_order():
    ranges = parse_accept("text/csv;q=0.5, application/*;q=0.8, */*;q=0.1")
    assert [(r.type, r.subtype, r.q, r.position) for r in ranges] == [
        ("text", "csv", 0.5, 0), ("application", "*", 0.8, 1), ("*", "*", 0.1, 2)
    ]


def test_malformed_accept_pieces_are_ignored_not_fatal():
    assert negotiate("results", "garbage, ;;;, text/csv;q=abc").media_type == "text/csv"


def test_more_specific_range_decides_the_quality():
    # text/csv is excluded even though text/* would allow it
    fmt = negotiate("results", "text/*;q=0.9, text/csv;q=0")
    assert fmt.media_type == "text/tab-separated-values"


def test_aliases_match_only_when_named():
    assert negotiate("results", "text/xml").name == "xml"
    assert negotiate("results", "text/*").name == "csv"


def test_unknown_format_parameter_is_not_acceptable_with_the_list():
    with pytest.raises(NotAcceptable) as error:
        negotiate("graph", None, "csv")
    assert "text/turtle" in str(error.value) and "turtle" in str(error.value)


def test_format_parameter_accepts_media_types():
    assert negotiate("graph", None, "application/n-quads").name == "nquads"


class CountingBackend:
    def __init__(self) -> None:
        self.calls = 0
        self._version = 0

    def query(self, request: QueryRequest) -> QueryResult:
        self.calls += 1
        return QueryResult("bindings", request.media_type, f"{request.query}|{self._version}".encode() * 10)

    def version(self) -> int:
        return self._version


def _request(query: str = "SELECT * {}", media_type: str = "text/csv", dataset: Dataset = Dataset()) -> QueryRequest:
    return QueryRequest(query=query, media_type=media_type, dataset=dataset)


def test_cache_hit_skips_the_backend_and_keys_on_format_and_dataset():
    inner = CountingBackend()
    backend = CachedBackend(inner, ResultCache(max_entries=10))
    backend.query(_request())
    backend.query(_request())
    assert inner.calls == 1
    backend.query(_request(media_type="application/sparql-results+json"))
    backend.query(_request(dataset=Dataset(("http://g",), ())))
    assert inner.calls == 3


def test_a_write_invalidates_every_cached_answer():
    inner = CountingBackend()
    backend = CachedBackend(inner, ResultCache(max_entries=10))
    first = backend.query(_request())
    inner._version += 1  # what notify_write() does
    second = backend.query(_request())
    assert inner.calls == 2 and first.body != second.body


def test_cache_is_bounded_by_entries_lru_first():
    cache = ResultCache(max_entries=2)
    backend = CachedBackend(CountingBackend(), cache)
    for query in ("a", "b", "a", "c"):  # "b" is least recently used when "c" arrives
        backend.query(_request(query))
    assert len(cache) == 2
    calls = backend.inner.calls
    backend.query(_request("a"))
    assert backend.inner.calls == calls
    backend.query(_request("b"))
    assert backend.inner.calls == calls + 1


def test_cache_is_bounded_by_bytes_and_skips_huge_answers():
    cache = ResultCache(max_entries=100, max_bytes=800)
    backend = CachedBackend(CountingBackend(), cache)
    backend.query(_request("x" * 200))  # ~2 KB answer: larger than an eighth of the budget
    assert len(cache) == 0
    for index in range(20):
        backend.query(_request(f"q{index}"))
    assert cache.size_bytes <= 800
