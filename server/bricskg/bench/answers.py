"""What each server answers to each query, reduced to a form the three servers can agree on.

A throughput figure only means something if every server did the same work: a server that answers
a query with nothing is fast for the wrong reason. Before the load runs, every query is sent once to
every server and the answers are compared; mismatches are reported next to the figures.

Answers are compared as multisets of rows with blank nodes anonymised and ``xsd:string`` literals
treated as plain (SPARQL 1.1 and RDF 1.1 serialisers differ on writing it), so that only real
differences are flagged.
"""

from __future__ import annotations

import http.client
import json
import time
from collections import Counter
from dataclasses import dataclass
from typing import Mapping, Sequence

import pyoxigraph

from bricskg.bench.load_client import N_TRIPLES, Endpoint, QuerySpec

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


@dataclass(frozen=True)
class Answer:
    """One server's answer to one query: its size and a canonical multiset of its rows."""

    status: int
    size: int  # rows, triples, or 1/0 for ASK
    rows: Counter | None  # None when the body could not be read
    error: str | None = None
    seconds: float = 0.0  # one cold request, connection set-up included
    timed_out: bool = False

    def as_dict(self) -> dict[str, object]:
        return {
            "status": self.status,
            "size": self.size,
            "error": self.error,
            "ms": round(self.seconds * 1000, 2),
            "timed_out": self.timed_out,
        }


def _term_key(term: Mapping[str, str]) -> tuple[str, ...]:
    kind = term.get("type")
    if kind == "bnode":
        return ("bnode",)
    if kind == "uri":
        return ("uri", term["value"])
    datatype = term.get("datatype")
    if datatype == XSD_STRING:
        datatype = None
    return ("literal", term["value"], datatype or "", term.get("xml:lang", "").lower())


def _canonical_bindings(body: bytes) -> tuple[int, Counter]:
    document = json.loads(body)
    if "boolean" in document:
        value = bool(document["boolean"])
        return int(value), Counter({("boolean", value): 1})
    rows: Counter = Counter()
    bindings = document["results"]["bindings"]
    for binding in bindings:
        rows[tuple(sorted((name, _term_key(term)) for name, term in binding.items()))] += 1
    return len(bindings), rows


def _oxigraph_term_key(term: object) -> tuple[str, ...]:
    if isinstance(term, pyoxigraph.BlankNode):
        return ("bnode",)
    if isinstance(term, pyoxigraph.NamedNode):
        return ("uri", term.value)
    if isinstance(term, pyoxigraph.Literal):
        datatype = term.datatype.value
        if datatype == XSD_STRING or term.language:
            datatype = ""
        return ("literal", term.value, datatype, (term.language or "").lower())
    return ("other", str(term))


def _canonical_triples(body: bytes) -> tuple[int, Counter]:
    rows: Counter = Counter()
    for triple in pyoxigraph.parse(body, pyoxigraph.RdfFormat.N_TRIPLES):
        rows[tuple(_oxigraph_term_key(t) for t in (triple.subject, triple.predicate, triple.object))] += 1
    return sum(rows.values()), rows


def fetch_answer(url: str, spec: QuerySpec, timeout: float = 30.0) -> Answer:
    """Send ``spec`` once over a fresh connection and reduce the answer (``timeout`` in seconds)."""
    endpoint = Endpoint.from_url(url)
    connection = http.client.HTTPConnection(endpoint.host, endpoint.port, timeout=timeout)
    began = time.perf_counter()
    try:
        connection.request("GET", endpoint.request_target(spec.text), headers={"Accept": spec.accept})
        response = connection.getresponse()
        body = response.read()
    except TimeoutError:
        return Answer(0, 0, None, f"no answer within {timeout:g} s", time.perf_counter() - began, timed_out=True)
    except (OSError, http.client.HTTPException) as error:
        return Answer(0, 0, None, f"{type(error).__name__}: {error}", time.perf_counter() - began)
    finally:
        connection.close()
    seconds = time.perf_counter() - began
    if response.status != 200:
        return Answer(response.status, 0, None, body[:300].decode("utf-8", "replace"), seconds)
    try:
        size, rows = _canonical_triples(body) if spec.accept == N_TRIPLES else _canonical_bindings(body)
    except (ValueError, KeyError, SyntaxError) as error:
        return Answer(response.status, 0, None, f"unreadable answer: {error}", seconds)
    return Answer(response.status, size, rows, None, seconds)


@dataclass(frozen=True)
class Mismatch:
    query: str
    server: str
    reference: str
    detail: str

    def as_dict(self) -> dict[str, str]:
        return {"query": self.query, "server": self.server, "reference": self.reference, "detail": self.detail}


def compare_answers(answers: Mapping[str, Mapping[str, Answer]], reference: str) -> list[Mismatch]:
    """Every (query, server) whose answer differs from the reference server's answer to that query."""
    mismatches: list[Mismatch] = []
    for query, per_server in answers.items():
        expected = per_server[reference]
        for server, answer in per_server.items():
            if server == reference:
                continue
            if answer.error is not None or expected.error is not None:
                if answer.error != expected.error:
                    detail = f"{server}: {answer.error or 'ok'}; {reference}: {expected.error or 'ok'}"
                    mismatches.append(Mismatch(query, server, reference, detail))
            elif answer.size != expected.size:
                detail = f"{answer.size} results vs {expected.size}"
                mismatches.append(Mismatch(query, server, reference, detail))
            elif answer.rows != expected.rows:
                missing = sum((expected.rows - answer.rows).values())  # type: ignore[operator]
                detail = f"same size ({answer.size}) but {missing} rows differ in value"
                mismatches.append(Mismatch(query, server, reference, detail))
    return mismatches


def collect_answers(
    servers: Mapping[str, str], queries: Sequence[QuerySpec], timeout: float = 30.0
) -> dict[str, dict[str, Answer]]:
    """query name -> server name -> answer, for every server URL given (no restarts: see compare)."""
    return {spec.name: {name: fetch_answer(url, spec, timeout) for name, url in servers.items()} for spec in queries}


def common_mix(answers: Mapping[str, Mapping[str, Answer]], queries: Sequence[QuerySpec]) -> list[QuerySpec]:
    """The queries every server answered (status 200, readable): the mix all servers are loaded with.

    A query one server cannot answer within the answer timeout would measure that timeout, not the
    server, and would stall its load run; it is reported (with its single-request time) instead.
    """
    return [spec for spec in queries if all(answer.error is None for answer in answers[spec.name].values())]
