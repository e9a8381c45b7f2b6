"""How many rows a SELECT answer holds, in whichever results format the engine sent it.

Used only where an engine cuts answers at a row cap without saying so (Virtuoso's
``ResultSetMaxRows``): an answer with exactly that many rows may be cut short, and bricskg must not
pass it on as the whole answer. Counting parses the answer, so the caller asks only when the body is
long enough to hold that many rows.
"""

from __future__ import annotations

import csv
import io

import pyoxigraph as ox

_FORMATS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/xml": ox.QueryResultsFormat.XML,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}


def count_rows(body: bytes, media_type: str) -> int | None:
    """The number of solutions in ``body``; None when the format is not one this module reads."""
    media_type = media_type.split(";")[0].strip().lower()
    if media_type == "text/csv":
        rows = csv.reader(io.StringIO(body.decode("utf-8", "replace"), newline=""))
        return max(0, sum(1 for _ in rows) - 1)  # the first record is the header
    results_format = _FORMATS.get(media_type)
    if results_format is None:
        return None
    try:
        solutions = ox.parse_query_results(body, results_format)
    except (SyntaxError, ValueError):
        # pyoxigraph refuses some engines' blank-node labels (Virtuoso's nodeID://…): count the records instead
        return _count_records(body, media_type)
    if isinstance(solutions, ox.QueryBoolean):
        return 1
    return sum(1 for _ in solutions)


def _count_records(body: bytes, media_type: str) -> int | None:
    if "xml" in media_type:
        return body.count(b"<result>") + body.count(b"<result ")
    if media_type == "text/tab-separated-values":
        return max(0, body.count(b"\n") - 1)
    if "json" in media_type:
        import json

        try:
            return len(json.loads(body)["results"]["bindings"])
        except (ValueError, KeyError, TypeError):
            return None
    return None
