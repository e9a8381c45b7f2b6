"""Every cache keyed on client text is bounded by bytes, the keys included: 2,200 distinct 1 MiB
``ASK {}`` queries used to grow one worker by 2.2 GB for good (the result cache counted only its
answers, the analysis memo kept 4,096 texts)."""

from __future__ import annotations

import gc
import tracemalloc

from bricskg.sparql.safety import analyse_query
from bricskg.store.base import QueryRequest, QueryResult
from bricskg.store.cache import CachedBackend, ResultCache

MIB = 1024 * 1024


def _padded_ask(index: int, size: int = MIB) -> str:
    """A distinct ``ASK {}`` of about ``size`` characters (a comment pads it)."""
    return f"ASK {{}} # {index} " + "x" * size


class TinyAnswers:
    """A backend whose answers are a few bytes: only the keys can fill a cache."""

    def version(self) -> int:
        return 0

    def query(self, request: QueryRequest) -> QueryResult:
        return QueryResult("boolean", request.media_type, b'{"boolean":true}')


def test_the_result_cache_counts_its_keys_against_the_byte_bound():
    cache = ResultCache(max_entries=1024, max_bytes=8 * MIB)
    backend = CachedBackend(TinyAnswers(), cache)  # type: ignore[arg-type]
    for index in range(40):
        backend.query(QueryRequest(_padded_ask(index, MIB // 2), "application/sparql-results+json"))
    assert cache.size_bytes <= 8 * MIB
    assert len(cache) <= 16


def test_a_key_larger_than_an_entry_may_be_is_not_cached_at_all():
    cache = ResultCache(max_entries=1024, max_bytes=8 * MIB)  # an entry may take an eighth: 1 MiB
    backend = CachedBackend(TinyAnswers(), cache)  # type: ignore[arg-type]
    backend.query(QueryRequest(_padded_ask(0, 2 * MIB), "application/sparql-results+json"))
    assert len(cache) == 0


def test_repeated_small_queries_are_still_served_from_the_cache():
    cache = ResultCache(max_entries=1024, max_bytes=8 * MIB)
    backend = CachedBackend(TinyAnswers(), cache)  # type: ignore[arg-type]
    for _ in range(3):
        backend.query(QueryRequest("ASK {}", "application/sparql-results+json"))
    assert cache.hits == 2


def test_the_query_analysis_memo_does_not_keep_megabyte_texts():
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for index in range(24):
            analyse_query(_padded_ask(index))
        gc.collect()
        retained = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert retained < 4 * MIB, f"{retained / MIB:.1f} MiB kept after analysing 24 distinct 1 MiB texts"


def test_the_query_analysis_memo_stays_within_its_byte_budget_for_many_mid_sized_texts():
    for index in range(100):
        analyse_query(_padded_ask(index, 200 * 1024))
    assert analyse_query.cache.size_bytes <= analyse_query.cache.max_bytes  # type: ignore[attr-defined]
