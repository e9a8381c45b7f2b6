"""A keep-alive HTTP load generator for SPARQL endpoints.

Every server in the comparison is driven by this one client, so that differences in the table are
differences between servers, not between clients. Each connection is one thread holding one
persistent ``http.client.HTTPConnection`` (as SPARQLWrapper, rdflib's SPARQLStore and browsers do);
the run stops at whichever bound comes first, the request count or the wall-clock deadline, so a
slow or hung server can never make the benchmark run away.

The client is Python too and shares the machine's cores with the server under test: it costs the
same per request for every server, which the report states next to the figures.
"""

from __future__ import annotations

import http.client
import math
import threading
import time
from dataclasses import dataclass, field
from typing import Sequence
from urllib.parse import quote, urlsplit

import pyoxigraph

RESULTS_JSON = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"

# Upper edges of the latency histogram buckets, in milliseconds (the last bucket is open-ended).
HISTOGRAM_EDGES_MS: tuple[float, ...] = (0.25, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000)


@dataclass(frozen=True)
class QuerySpec:
    """One query of the mix and the media type to ask for, chosen from its form."""

    name: str
    text: str
    accept: str

    @classmethod
    def from_text(cls, name: str, text: str) -> "QuerySpec":
        return cls(name, text, accept_for(text))


def query_form(text: str) -> str:
    """``bindings``, ``boolean`` or ``graph``: decided by Oxigraph's parser on an empty store.

    Evaluating against an empty store is the cheapest way to have a real SPARQL parser tell the form
    (a regex on the text gets PREFIX blocks and comments wrong).
    """
    result = pyoxigraph.Store().query(text)
    if isinstance(result, pyoxigraph.QueryBoolean):
        return "boolean"
    if isinstance(result, pyoxigraph.QueryTriples):
        return "graph"
    return "bindings"


def accept_for(text: str) -> str:
    """A media type every server in the comparison serves for this query form."""
    return N_TRIPLES if query_form(text) == "graph" else RESULTS_JSON


@dataclass(frozen=True)
class Endpoint:
    """Where a server answers SPARQL queries by GET, split once so the hot loop only formats paths."""

    host: str
    port: int
    path: str

    @classmethod
    def from_url(cls, url: str) -> "Endpoint":
        parts = urlsplit(url)
        if parts.scheme != "http" or parts.hostname is None or parts.port is None:
            raise ValueError(f"{url}: the load client needs an http:// URL with an explicit port")
        return cls(parts.hostname, parts.port, parts.path or "/")

    def request_target(self, query: str) -> str:
        return f"{self.path}?query={quote(query, safe='')}"


@dataclass
class WorkerTally:
    """What one connection saw; merged after the run so the hot loop never takes a lock."""

    latencies: list[float] = field(default_factory=list)  # seconds, successful requests only
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    bytes_received: int = 0

    def record_error(self, description: str) -> None:
        self.errors += 1
        if len(self.error_samples) < 5:
            self.error_samples.append(description)


@dataclass(frozen=True)
class LoadResult:
    """The outcome of one run at one concurrency level."""

    connections: int
    requests: int  # successful (2xx) responses
    errors: int  # non-2xx responses, resets, timeouts
    wall_seconds: float
    throughput: float  # successful requests per second
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    mean_ms: float
    histogram: dict[str, int]
    statuses: dict[str, int]
    error_samples: tuple[str, ...]
    bytes_received: int
    stopped_by: str  # "requests" or "duration"

    def as_dict(self) -> dict[str, object]:
        return {
            "connections": self.connections,
            "requests": self.requests,
            "errors": self.errors,
            "wall_seconds": round(self.wall_seconds, 4),
            "throughput_rps": round(self.throughput, 1),
            "p50_ms": round(self.p50_ms, 3),
            "p90_ms": round(self.p90_ms, 3),
            "p99_ms": round(self.p99_ms, 3),
            "max_ms": round(self.max_ms, 3),
            "mean_ms": round(self.mean_ms, 3),
            "histogram_ms": self.histogram,
            "statuses": self.statuses,
            "error_samples": list(self.error_samples),
            "bytes_received": self.bytes_received,
            "stopped_by": self.stopped_by,
        }


def percentile(sorted_values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile: a latency some request really had, never an interpolation."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


def histogram(latencies_ms: Sequence[float]) -> dict[str, int]:
    """Counts per bucket ``≤edge``, plus ``>last``; every bucket listed so runs line up."""
    counts = {f"<={edge:g}": 0 for edge in HISTOGRAM_EDGES_MS}
    overflow = f">{HISTOGRAM_EDGES_MS[-1]:g}"
    counts[overflow] = 0
    for value in latencies_ms:
        for edge in HISTOGRAM_EDGES_MS:
            if value <= edge:
                counts[f"<={edge:g}"] += 1
                break
        else:
            counts[overflow] += 1
    return counts


def _worker(
    endpoint: Endpoint,
    requests: Sequence[tuple[str, str]],
    start_offset: int,
    quota: int,
    deadline_holder: list[float],
    socket_timeout: float,
    start: threading.Barrier,
    tally: WorkerTally,
) -> None:
    """Send ``quota`` requests (or until the deadline) over one persistent connection."""
    connection = http.client.HTTPConnection(endpoint.host, endpoint.port, timeout=socket_timeout)
    start.wait()
    deadline = deadline_holder[0]
    index = start_offset
    clock = time.perf_counter
    try:
        for _ in range(quota):
            if clock() >= deadline:
                break
            target, accept = requests[index % len(requests)]
            index += 1
            began = clock()
            try:
                connection.request("GET", target, headers={"Accept": accept})
                response = connection.getresponse()
                body = response.read()
            except (OSError, http.client.HTTPException) as error:
                tally.record_error(f"{type(error).__name__}: {error}")
                connection.close()  # http.client reconnects on the next request
                continue
            elapsed = clock() - began
            tally.statuses[response.status] = tally.statuses.get(response.status, 0) + 1
            tally.bytes_received += len(body)
            if 200 <= response.status < 300:
                tally.latencies.append(elapsed)
            else:
                tally.record_error(f"HTTP {response.status}: {body[:200]!r}")
            if response.will_close:
                connection.close()
    finally:
        connection.close()


def run_load(
    url: str,
    queries: Sequence[QuerySpec],
    connections: int,
    max_requests: int,
    max_seconds: float,
    socket_timeout: float = 30.0,
    disjoint: bool = False,
) -> LoadResult:
    """Drive ``url`` with ``connections`` concurrent keep-alive connections cycling through ``queries``.

    The request budget is split evenly over the connections (each starts at a different query so
    that the mix is the same at every concurrency level); the run ends when every connection has
    spent its share or the deadline passes. ``disjoint``: each connection walks its own slice of
    ``queries`` instead (a mix of distinct texts then never repeats a text within the run).
    """
    if connections < 1 or max_requests < 1 or max_seconds <= 0:
        raise ValueError("connections, max_requests and max_seconds must be positive")
    if not queries:
        raise ValueError("the query mix is empty")
    endpoint = Endpoint.from_url(url)
    prepared = [(endpoint.request_target(spec.text), spec.accept) for spec in queries]
    quotas = [max_requests // connections + (1 if i < max_requests % connections else 0) for i in range(connections)]
    tallies = [WorkerTally() for _ in range(connections)]
    deadline_holder = [math.inf]

    def release() -> None:
        deadline_holder[0] = time.perf_counter() + max_seconds

    offsets = [sum(quotas[:i]) if disjoint else i for i in range(connections)]
    active = [i for i in range(connections) if quotas[i] > 0]  # fewer requests than connections
    start = threading.Barrier(len(active) + 1, action=release)
    threads = [
        threading.Thread(
            target=_worker,
            args=(endpoint, prepared, offsets[i], quotas[i], deadline_holder, socket_timeout, start, tallies[i]),
            name=f"bench-conn-{i}",
            daemon=True,
        )
        for i in active
    ]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join(max_seconds + socket_timeout + 5)
    wall = time.perf_counter() - began
    return summarise(tallies, connections, wall, max_requests, max_seconds)


def summarise(
    tallies: Sequence[WorkerTally], connections: int, wall: float, max_requests: int, max_seconds: float
) -> LoadResult:
    latencies_ms = sorted(value * 1000.0 for tally in tallies for value in tally.latencies)
    errors = sum(tally.errors for tally in tallies)
    statuses: dict[str, int] = {}
    for tally in tallies:
        for status, count in tally.statuses.items():
            statuses[str(status)] = statuses.get(str(status), 0) + count
    samples = tuple(sample for tally in tallies for sample in tally.error_samples)[:5]
    done = len(latencies_ms)
    return LoadResult(
        connections=connections,
        requests=done,
        errors=errors,
        wall_seconds=wall,
        throughput=done / wall if wall > 0 else 0.0,
        p50_ms=percentile(latencies_ms, 0.50),
        p90_ms=percentile(latencies_ms, 0.90),
        p99_ms=percentile(latencies_ms, 0.99),
        max_ms=latencies_ms[-1] if latencies_ms else math.nan,
        mean_ms=sum(latencies_ms) / done if done else math.nan,
        histogram=histogram(latencies_ms),
        statuses=statuses,
        error_samples=samples,
        bytes_received=sum(tally.bytes_received for tally in tallies),
        stopped_by="requests" if done + errors >= max_requests else "duration",
    )
