"""Jobs: what an executor process is asked to do, and the one function that does it.

``evaluate`` turns a ``Job`` into bytes. It runs in executor processes (``bricskg.store.executor``),
where a deadline and a memory limit apply, and in the calling thread only when isolation is off
(unit tests, one-shot tools). Everything slow about a query happens here: rdflib's analysis for the
SERVICE refusal and FROM clauses (``bricskg.sparql.safety``), Oxigraph's parse, the evaluation and
the serialisation. The form of the query — and so which family of formats answers it — is what
Oxigraph's parser made of it, not a guess from the text.

Besides queries, a job can serialise one graph (the Graph Store Protocol's GET) or count the
quads: both walk the whole store, so both get the same deadline and limits as a query.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyoxigraph

from bricskg.sparql.formats import FORMATS_BY_FAMILY, Format, family_of_kind, format_for_media_type
from bricskg.sparql.safety import check_query, query_form
from bricskg.sparql.screening import unescape_codepoints
from bricskg.store.base import (
    AnswerNotAcceptable,
    BackendUnavailable,
    QueryRefused,
    QuerySyntaxError,
    ResultTooLarge,
)

QUERY, GRAPH, COUNT = "query", "graph", "count"
MISSING = "missing"  # the kind of a GRAPH job's answer when the store has no such graph

UPDATE_AS_QUERY = (
    "This is a SPARQL Update, not a query: POST it as 'update' (application/x-www-form-urlencoded) "
    "or as application/sparql-update."
)


@dataclass(frozen=True)
class Job:
    """A query as it travels to an executor: plain data, cheap to pickle."""

    query: str
    media_type: str
    default_graphs: tuple[str, ...]
    named_graphs: tuple[str, ...]
    explicit_dataset: bool  # the protocol named a dataset (default-graph-uri / named-graph-uri)
    # the query names one (FROM / FROM NAMED). None — what ``EmbeddedBackend.job_for`` always sends —
    # makes the evaluating process check the query (SERVICE refusal) and read this off it, under the
    # job's deadline; a value means the caller checked the query itself (a test bypassing the check)
    has_dataset_clause: bool | None
    base_iri: str | None
    max_result_bytes: int
    version: int
    union_materialised: bool = False  # the store's default graph already holds the union (a set)
    snapshot: str | None = None  # on disk: the checkpoint directory to read (bricskg.store.snapshots)
    # the negotiated media type per answer family, ("" = nothing acceptable: 406), picked once the
    # engine has parsed the query and so knows its form; None: ``media_type`` for either family
    negotiated: tuple[str, str] | None = None
    asked: str = ""  # what the client asked for (Accept or format=), for the 406 message
    action: str = QUERY  # QUERY, GRAPH (``query`` holds the graph IRI, "" = default graph) or COUNT


class BoundedSink:
    """A binary writer that gives up once ``limit`` bytes are passed, so a huge answer stops early."""

    def __init__(self, limit: int):
        self.limit = limit
        self.parts: list[bytes] = []
        self.size = 0

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.size > self.limit:
            raise ResultTooLarge(
                f"The result is larger than this endpoint's limit of {self.limit:,} bytes. "
                "Add a LIMIT (and ORDER BY with OFFSET to page through it) or select fewer variables."
            )
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def getvalue(self) -> bytes:
        return b"".join(self.parts)


def _graph_term(iri: str) -> pyoxigraph.NamedNode:
    return pyoxigraph.NamedNode(iri)


def _dataset_options(job: Job, has_dataset_clause: bool) -> dict[str, object]:
    """Map the request's dataset onto pyoxigraph's options; nothing here ever fetches a URL.

    - protocol dataset given: exactly those graphs of the store (absent ones are simply empty);
    - FROM / FROM NAMED in the query: pyoxigraph applies them to the store's own graphs;
    - neither: the default graph is the union of all graphs, every named graph is reachable —
      either the store's own default graph, where the union was materialised at load, or
      pyoxigraph's per-query union (a triple held by k graphs then matches k times).
    """
    if job.explicit_dataset:
        return {
            "default_graph": [_graph_term(iri) for iri in job.default_graphs],
            "named_graphs": [_graph_term(iri) for iri in job.named_graphs],
        }
    if has_dataset_clause or job.union_materialised:
        return {}
    return {"use_default_graph_as_union": True}


MAX_SYNTAX_MESSAGE = 300


def syntax_message(error: SyntaxError) -> str:
    """The parser's message ("error at LINE:COLUMN: expected …") on one line, its token list cut short."""
    text = " ".join(str(getattr(error, "msg", None) or error).split())
    return text if len(text) <= MAX_SYNTAX_MESSAGE else text[: MAX_SYNTAX_MESSAGE - 1].rstrip() + "…"


# How RocksDB (through Oxigraph) words a storage failure; pyoxigraph raises those as RuntimeError,
# like some refusals that are the query's fault ("The custom function <…> is not supported").
_STORE_ERROR_MARKS = (
    "corruption", "io error", "no such file or directory", "while open a file", ".sst", "manifest-",
    "rocksdb", "resource busy", "shutdown in progress", "operation aborted", "no space left", "not implemented:",
)
_QUOTED = re.compile(r'<[^<>]*>|"(?:[^"\\]|\\.)*"')


def is_store_error(error: BaseException) -> bool:
    """Whether an exception from pyoxigraph is the store failing (HTTP 503) rather than the query (400).

    IRIs and strings quoted from the query are ignored, so that a query naming
    ``<http://example.org/corruption>`` in a refused custom function call stays a 400."""
    if isinstance(error, OSError):
        return True
    if isinstance(error, RuntimeError):
        message = _QUOTED.sub(" ", str(error)).lower()
        return any(mark in message for mark in _STORE_ERROR_MARKS)
    return False




def _kind_of(result: object) -> str:
    if isinstance(result, pyoxigraph.QueryBoolean):
        return "boolean"
    if isinstance(result, pyoxigraph.QueryTriples):
        return "graph"
    return "bindings"


def evaluate(store: pyoxigraph.Store, job: Job) -> tuple[str, str, bytes]:
    """Run ``job`` on ``store`` and serialise it; returns (kind, media type, body)."""
    if job.action == COUNT:
        return "count", "text/plain", str(len(store)).encode()
    if job.action == GRAPH:
        return _graph_document(store, job)
    has_dataset_clause = job.has_dataset_clause
    if has_dataset_clause is None:
        has_dataset_clause = check_query(job.query).has_dataset_clause  # raises QueryRefused (400)
    try:
        result = store.query(job.query, base_iri=job.base_iri, **_dataset_options(job, has_dataset_clause))
    except SyntaxError as error:
        if query_form(unescape_codepoints(job.query)) == "UPDATE":
            raise QueryRefused(UPDATE_AS_QUERY) from None
        raise QuerySyntaxError(f"Syntax error in the query: {syntax_message(error)}") from None
    kind = _kind_of(result)
    fmt = _format_for(job, kind)
    sink = BoundedSink(job.max_result_bytes)
    if kind == "graph":
        result.serialize(sink, format=fmt.rdf_format())
    else:
        result.serialize(sink, format=fmt.results_format())
    return kind, fmt.media_type, sink.getvalue()


def _format_for(job: Job, kind: str) -> Format:
    """The format negotiated for the answer's family; without negotiation, the job's media type
    or the family's default when that type belongs to the other family."""
    family = family_of_kind(kind)
    if job.negotiated is not None:
        media_type = job.negotiated[0 if family == "results" else 1]
        if not media_type:
            from bricskg.sparql.negotiation import NotAcceptable

            raise AnswerNotAcceptable(str(NotAcceptable(family, job.asked)))
        return format_for_media_type(media_type)
    try:
        fmt = format_for_media_type(job.media_type)
    except KeyError:
        return FORMATS_BY_FAMILY[family][0]
    return fmt if fmt.family == family else FORMATS_BY_FAMILY[family][0]


def _graph_document(store: pyoxigraph.Store, job: Job) -> tuple[str, str, bytes]:
    """One graph of the store (``job.query``: its IRI, "" for the default graph) in ``job.media_type``."""
    graph: pyoxigraph.NamedNode | pyoxigraph.DefaultGraph
    if job.query:
        graph = pyoxigraph.NamedNode(job.query)
        if not store.contains_named_graph(graph):
            return MISSING, job.media_type, b""
    else:
        graph = pyoxigraph.DefaultGraph()
    rdf_format = pyoxigraph.RdfFormat.from_media_type(job.media_type)
    if rdf_format is None:
        raise QueryRefused(f"No RDF syntax for {job.media_type}.")
    triples = (pyoxigraph.Triple(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(None, None, None, graph))
    sink = BoundedSink(job.max_result_bytes)
    pyoxigraph.serialize(triples, sink, rdf_format)
    return GRAPH, job.media_type, sink.getvalue()


_SLASHED = re.compile(r"\S*/\S*")


def without_paths(text: str) -> str:
    """``text`` with filesystem paths replaced by "…": a storage error (RocksDB names the file it
    could not read) must not tell a client where the store lives. IRIs (``<…>``, ``scheme://…``) stay."""

    def hide(match: re.Match[str]) -> str:
        word = match.group()
        return word if word.startswith("<") or "://" in word else "…"

    return _SLASHED.sub(hide, text)


def store_unavailable(error: BaseException) -> BackendUnavailable:
    detail = without_paths(" ".join(str(error).split()))
    return BackendUnavailable(f"The store could not be read just now ({detail}); please retry.")
