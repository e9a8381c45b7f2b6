"""The one interface between the web application and a quad store.

The protocol handlers, the linked-data pages, the exports and the write path all go through
``Backend``, so that an embedded Oxigraph store and a remote SPARQL 1.1 engine (Fuseki, Virtuoso,
``oxigraph serve``) are interchangeable. Results cross this boundary already serialised in the
media type the client negotiated: the engine's own serialiser is faster than ours, and a remote
engine can stream its bytes straight through.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, Literal, Protocol, runtime_checkable

ResultKind = Literal["bindings", "boolean", "graph"]


class BackendError(Exception):
    """Base of every error a backend raises; the web layer maps each subclass to one HTTP status."""


class QuerySyntaxError(BackendError):
    """The query or update does not parse (HTTP 400). The message carries the parser's line/column."""


class QueryRefused(BackendError):
    """The request parses but is not allowed here, e.g. SERVICE or LOAD (HTTP 400)."""


class QueryTimeout(BackendError):
    """Evaluation ran past the deadline and was cancelled (HTTP 503)."""


class ResultTooLarge(BackendError):
    """The serialised result would exceed the configured bound (HTTP 400: add a LIMIT)."""


class AnswerNotAcceptable(BackendError):
    """The query's answer has no format the client accepts; known once the query is parsed (HTTP 406)."""


class QueryOverMemoryLimit(BackendError):
    """Evaluating the query needed more memory than one query may take, and was stopped (HTTP 503)."""


class BackendUnavailable(BackendError):
    """The store cannot answer now: a remote engine is down, the executor pool is exhausted (HTTP 503)."""


class ReadOnly(BackendError):
    """A write reached a store opened read-only (HTTP 403)."""


@dataclass(frozen=True)
class Dataset:
    """The RDF dataset of one request (SPARQL 1.1 Protocol §2.1.4).

    Empty lists mean "the service's default": the union of all graphs as the default graph and
    every named graph available to GRAPH.
    """

    default_graph_uris: tuple[str, ...] = ()
    named_graph_uris: tuple[str, ...] = ()

    @property
    def is_default(self) -> bool:
        return not self.default_graph_uris and not self.named_graph_uris


@dataclass(frozen=True)
class QueryRequest:
    """One read query, with everything that decides its answer (and so its cache key)."""

    query: str
    media_type: str  # the negotiated result media type, e.g. "application/sparql-results+json"
    dataset: Dataset = field(default_factory=Dataset)
    base_iri: str | None = None
    timeout: float = 30.0  # seconds
    max_result_bytes: int = 64 * 1024 * 1024
    # Per answer family ("results", "graph"): the negotiated media type, "" when the client accepts
    # none of that family. The engine's parse decides the family. None: ``media_type`` serves both.
    negotiated: tuple[str, str] | None = None
    asked: str = ""  # the Accept header or format= the negotiation read (for a 406 message)
    # time.monotonic() when the request arrived: the timeout counts from here, queueing included
    received_at: float | None = field(default=None, compare=False)


@dataclass(frozen=True)
class QueryResult:
    """A serialised answer: ``body`` in ``media_type``; ``kind`` tells which family of formats applies."""

    kind: ResultKind
    media_type: str
    body: bytes


@runtime_checkable
class Backend(Protocol):
    """What the application needs of a store.

    ``version`` changes after every committed write, so caches keyed on it never serve a stale answer.
    """

    def query(self, request: QueryRequest) -> QueryResult:
        """Evaluate a read query within ``request.timeout`` and serialise the result."""
        ...

    def version(self) -> int:
        """A number that changes whenever the store's content changes."""
        ...

    def quad_count(self) -> int:
        ...

    def named_graphs(self) -> Iterator[str]:
        ...

    @property
    def writable(self) -> bool:
        ...

    def close(self) -> None:
        ...


# --- The write path (issue "validated writes and scale-out") ------------------------------------


class Unauthorized(BackendError):
    """A write came without credentials (HTTP 401 with ``WWW-Authenticate: Bearer``)."""


class Forbidden(BackendError):
    """A write came with wrong credentials, or touches what no client may write (HTTP 403)."""


class PayloadTooLarge(BackendError):
    """An upload or the data a write must copy to be validated exceeds the bound (HTTP 413)."""


class ValidationFailed(BackendError):
    """The write would make the data violate the shapes; nothing was written (HTTP 422).

    ``report`` is a ``bricskg.validation.ValidationReport`` (Turtle or JSON by content negotiation).
    """

    def __init__(self, message: str, report: object):
        super().__init__(message)
        self.report = report


@runtime_checkable
class WritableBackend(Protocol):
    """What the validated write path (``bricskg.store.writer``) needs of a store beyond ``Backend``.

    ``commit_update`` applies one SPARQL 1.1 Update as ONE transaction — all of it or nothing, readers
    see the state before or after — and returns only once the change is durable; it bumps ``version``.
    The read methods answer from the committed state (the writer holds the only write lock).
    """

    def graph_names(self) -> set:  # set of pyoxigraph NamedNode/BlankNode
        ...

    def graph_quads(self, graphs: "list") -> Iterator:  # pyoxigraph Quads of those graphs
        ...

    def present(self, quads: "Iterator") -> set:
        ...

    def quads_about(self, nodes: "list") -> Iterator:  # quads whose subject is one of ``nodes``
        ...

    def quads_referring_to(self, nodes: "list") -> Iterator:  # quads whose object is one of ``nodes``
        ...

    def commit_update(
        self, sparql_update: str, base_iri: str | None = None, change: object = None, quad_change: int | None = None
    ) -> None:
        ...
