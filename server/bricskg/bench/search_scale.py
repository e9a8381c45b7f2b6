"""Search at scale: building the full-text index over a loaded store, then answering searches.

Runs as one phase of the scale series (``bricskg.bench.scale``), in its own process, over the store
the series loaded: the index is built as a server builds it (SPARQL through the backend, executor
processes) and each search is timed as the JSON API runs it (``SearchService.search``), so the
figures are what ``/search.json`` costs minus HTTP. The searches mix a selective name, a prefix, a
word that matches nearly every synthetic label (the worst case: the ranking sorts every match) and
words of the article's sentences.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

SEARCHES = ("Synthland 4711", "Synthl", "synthland", "parallel AI ecosystem", "russia", "Iran", "sanctions")


def phase_search(args: dict) -> dict:
    from bricskg.bench.bricskg_side import open_query_backend
    from bricskg.search.service import SearchService, index_uri

    backend = open_query_backend(Path(args["store"]))
    repeats = int(args.get("repeats", 20))
    try:
        began = time.perf_counter()
        service = SearchService(backend, index_uri(None))
        service.refresh()
        build_seconds = time.perf_counter() - began
        timings: dict[str, list[float]] = {text: [] for text in SEARCHES}
        totals: dict[str, int] = {}
        for _ in range(repeats):
            for text in SEARCHES:
                started = time.perf_counter()
                result = service.search(text)
                timings[text].append((time.perf_counter() - started) * 1000)
                totals[text] = result.total
        every = [ms for values in timings.values() for ms in values]
        return {
            "build_seconds": round(build_seconds, 3),
            "documents": service.index.document_count(),
            "p50_ms": round(statistics.median(every), 3),
            "p95_ms": round(statistics.quantiles(every, n=20)[-1], 3),
            "per_search": {
                text: {"median_ms": round(statistics.median(values), 3), "matches": totals[text]}
                for text, values in timings.items()
            },
        }
    finally:
        backend.close()
