"""A ``Backend`` over any SPARQL 1.1 Protocol endpoint (Oxigraph server, Fuseki, GraphDB, Virtuoso, QLever).

``bricskg serve --backend QUERY_URL[,UPDATE_URL]`` runs the same application over an external
engine: the safety checks (``bricskg.sparql.safety``: no SERVICE, no LOAD) run here before anything
is forwarded, the size limit is enforced while the answer streams in, the deadline is an HTTP
client deadline (plus the engine's own timeout, which should be configured too), and writes go
through the same validated write path: the delta is computed on a scratch copy of the graphs the
update can observe (fetched with one SELECT), validated, and committed as ONE update request —
which Fuseki (TDB2), Oxigraph and GraphDB apply as one transaction.

**Default graph.** bricskg's queries see the union of all graphs as the default graph, while its
write path needs the engine's *real* default graph. Run the remote engine with standard semantics
(Oxigraph: *without* ``--union-default-graph``; Fuseki: without ``tdb2:unionDefaultGraph``) and put
the engine's per-request union switch in the query URL; it is applied only to queries that use the
service's default dataset (no FROM, no ``default-graph-uri``):

* Oxigraph: ``http://host:7878/query?union-default-graph``
* Fuseki: ``http://host:3030/ds/query?default-graph-uri=urn:x-arq:UnionGraph``

**Caching.** The result cache is keyed on ``version()``, which changes after each write through
bricskg and at least every ``VERSION_WINDOW`` seconds, so writes made to the engine behind
bricskg's back are seen within that window. Validation guarantees hold only if bricskg is the
engine's only writer.

**Blank nodes** in answers are renamed per response (engines such as Fuseki label them per
response, so ``_:b0`` in two answers need not be the same node); the neighbourhood the SHACL gate
reads follows IRIs across requests and blank nodes one level deep within a request.

**Engines differ** (``bricskg.store.engines``): the dialect is read from the engine's ``Server``
header at the first request (or fixed with ``--backend-engine``). Over Virtuoso, whose default
graph is the union of every graph it holds, the write path treats the engine's default graph as
empty and never reads Virtuoso's system graphs, and a commit is one operation
(``bricskg.store.remote_commit``). Those system graphs must be made private to Virtuoso's anonymous
user (``scripts/virtuoso`` does, docs/deploy.md says how), or every default-graph query sees their
triples: ``/health`` lists the ones queries can read.

**Credentials** for an update endpoint that asks for them (Virtuoso's ``/sparql-auth`` uses HTTP
Digest) come from ``BRICSKG_BACKEND_USER`` / ``BRICSKG_BACKEND_PASSWORD`` (or the URL's user
info); Basic and Digest are both answered, and never sent to a server that did not ask.

**Only standard SPARQL is forwarded** (``bricskg.sparql.portable``): an engine's extension
functions (Virtuoso's ``bif:http_get`` fetches URLs for anonymous users) and pragmas are refused.
"""

from __future__ import annotations

import logging
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Iterable, Iterator

import pyoxigraph as ox

from bricskg.config import Config
from bricskg.sparql.portable import check_forwardable_query
from bricskg.store.answer_rows import count_rows
from bricskg.store.engines import DIALECTS, GENERIC, EngineDialect, dialect_from_server_header
from bricskg.store.remote_results import (
    PerResponseNamer,
    read_json_results,
    stored_blank_iri,
    virtuoso_answer,
    virtuoso_blank,
)
from bricskg.store.base import (
    AnswerNotAcceptable,
    BackendUnavailable,
    QueryRequest,
    QueryResult,
    QuerySyntaxError,
    QueryTimeout,
    ResultTooLarge,
)

VERSION_WINDOW = 10  # seconds
CHUNK = 64 * 1024
VALUES_BATCH = 200
INTERNAL_TIMEOUT = 120.0  # seconds, for the write path's own reads
# The write path refuses a write whose neighbourhood exceeds 500,000 quads (store.writer): no read
# for it needs more than one quad past that, and a million-quad answer is not worth downloading.
NEIGHBOURHOOD_READ_LIMIT = 500_001
KIND_OF_FORM = {"SELECT": "bindings", "ASK": "boolean", "CONSTRUCT": "graph", "DESCRIBE": "graph"}
LOG = logging.getLogger("bricskg.store")


class RemoteBackend:
    """Queries and validated writes over SPARQL 1.1 Protocol endpoints."""

    def __init__(
        self,
        query_url: str,
        update_url: str | None = None,
        *,
        writable: bool = False,
        timeout: float = 30.0,
        credentials: tuple[str, str] | None = None,
        engine: str = "auto",
    ):
        query_url, query_credentials = _without_user_info(query_url)
        parsed = urllib.parse.urlsplit(query_url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ValueError(f"--backend {query_url!r}: not an http(s) URL")
        if engine != "auto" and engine not in DIALECTS:
            raise ValueError(f"--backend-engine {engine!r}: expected auto, {', '.join(DIALECTS)}")
        # the URL's own parameters (the engine's union-default-graph switch) apply to default-dataset queries only
        self.union_params = urllib.parse.parse_qsl(parsed.query, keep_blank_values=True)
        self.query_url = urllib.parse.urlunsplit(parsed._replace(query=""))
        update_credentials = None
        if update_url is not None:
            update_url, update_credentials = _without_user_info(update_url)
        self.update_url = update_url
        self._writable = writable and update_url is not None
        self.timeout = timeout
        self._writes = 0
        self._lock = threading.Lock()
        self._opener = _opener(
            [(url, credentials or found) for url, found in ((self.query_url, query_credentials), (update_url, update_credentials)) if url and (credentials or found)]
        )
        self._dialect: EngineDialect | None = DIALECTS.get(engine)
        self._probed = False  # the engine's own settings (Virtuoso's row cap) read once, at first use
        self._readable_system: tuple[int, list[str]] | None = None  # (version, the engine's graphs queries read)
        self.row_cap: int | None = None  # a cap the engine puts on SELECT answers without saying so

    # --- the engine's dialect ----------------------------------------------------------------------

    @property
    def dialect(self) -> EngineDialect:
        """The engine's dialect, read from its ``Server`` header at the first use (unless configured),
        and the settings of its that change answers (Virtuoso's row cap), read once."""
        if self._dialect is None:
            self._dialect = self._detect()
        if not self._probed:
            if self._dialect.name == "Virtuoso":
                self.row_cap = self._virtuoso_row_cap()
            self._probed = True
        return self._dialect

    def _detect(self) -> EngineDialect:
        """One ``ASK {}``: the ``Server`` header names the engine (``Virtuoso/07.20.3229 …``)."""
        request = urllib.request.Request(self.query_url + "?" + urllib.parse.urlencode({"query": "ASK {}"}))
        try:
            with self._opener.open(request, timeout=min(self.timeout, 10.0)) as response:
                server = response.headers.get("Server")
        except urllib.error.HTTPError as error:
            server = error.headers.get("Server")
        except OSError as error:
            raise BackendUnavailable(f"The SPARQL engine at {self.query_url} is unreachable: {error}") from None
        dialect = dialect_from_server_header(server)
        LOG.info("external engine: %s (Server: %s)", dialect.name, server)
        return dialect

    def _virtuoso_row_cap(self) -> int | None:
        """``[SPARQL] ResultSetMaxRows``: Virtuoso cuts SELECT answers there without a word."""
        try:
            _, body = self._post(
                self.query_url,
                [("query", 'SELECT (bif:virtuoso_ini_item_value("SPARQL", "ResultSetMaxRows") AS ?cap) WHERE { }')],
                "application/sparql-results+json", timeout=10.0, limit=1 << 16,
            )
            rows = read_json_results(body, virtuoso_blank)
            value = str(rows[0]["cap"].value).strip() if rows and rows[0].get("cap") is not None else ""
        except (BackendUnavailable, QuerySyntaxError, QueryTimeout, ResultTooLarge):
            return None
        if value.isdigit() and int(value) > 0:
            LOG.warning("Virtuoso answers SELECT queries with at most %s rows ([SPARQL] ResultSetMaxRows); "
                        "bricskg refuses an answer that reaches the cap", value)
            return int(value)
        return None

    def describe_engine(self) -> dict[str, object]:
        """For ``/health``: which engine, and how it differs."""
        facts = self.dialect.describe()
        facts["selectRowCap"] = self.row_cap
        facts["readableSystemGraphs"] = self.readable_system_graphs()
        return facts

    def engine_note(self) -> str:
        """For the service description: where this engine's answers may differ (``EngineDialect.note``)."""
        return self.dialect.note

    def readable_system_graphs(self) -> list[str]:
        """The engine's own graphs that queries can read (Virtuoso's, unless made private): their
        triples are then in every default-graph answer. Checked again with each ``version()``."""
        version = self.version()
        if self._readable_system is None or self._readable_system[0] != version:
            readable = []
            for graph in self.dialect.system_graphs:
                if self._select(f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}") == [True]:
                    readable.append(graph)
            self._readable_system = (version, readable)
        return self._readable_system[1]

    def _own(self, variable: str = "?g") -> str:
        """A filter that keeps the write path's reads out of the engine's own graphs."""
        graphs = self.dialect.system_graphs
        if not graphs:
            return ""
        return f"FILTER({variable} NOT IN ({', '.join(f'<{g}>' for g in graphs)}))"

    # --- HTTP --------------------------------------------------------------------------------------

    def _post(
        self,
        url: str,
        form: list[tuple[str, str]],
        accept: str,
        *,
        timeout: float,
        limit: int,
        body: bytes | None = None,
        content_type: str = "application/x-www-form-urlencoded",
    ) -> tuple[str, bytes]:
        """POST and read the answer within ``timeout`` seconds overall and ``limit`` bytes."""
        data = body if body is not None else urllib.parse.urlencode(form).encode("utf-8")
        request = urllib.request.Request(
            url, data=data, method="POST", headers={"Content-Type": content_type, "Accept": accept}
        )
        deadline = time.monotonic() + timeout
        try:
            with self._opener.open(request, timeout=timeout) as response:
                _refuse_partial(response.headers, self._dialect)
                parts, size = [], 0
                while True:
                    if time.monotonic() > deadline:
                        raise QueryTimeout(f"The SPARQL engine did not answer within {timeout:g} s.")
                    chunk = response.read(CHUNK)
                    if not chunk:
                        break
                    size += len(chunk)
                    if size > limit:
                        raise ResultTooLarge(
                            f"The result is larger than this endpoint's limit of {limit:,} bytes. Add a LIMIT."
                        )
                    parts.append(chunk)
                return response.headers.get("Content-Type", accept), b"".join(parts)
        except urllib.error.HTTPError as error:
            message = error.read(4096).decode("utf-8", "replace").strip()
            if error.code in (400, 422):
                raise QuerySyntaxError(f"The SPARQL engine refused the request: {message}") from None
            if error.code in (408, 503, 504) and "timeout" in message.lower():
                raise QueryTimeout(f"The SPARQL engine stopped the query: {message}") from None
            raise BackendUnavailable(f"The SPARQL engine answered {error.code}: {message}") from None
        except (TimeoutError, OSError) as error:
            if isinstance(error, TimeoutError) or "timed out" in str(error):
                raise QueryTimeout(f"The SPARQL engine did not answer within {timeout:g} s.") from None
            raise BackendUnavailable(f"The SPARQL engine at {url} is unreachable: {error}") from None

    # --- the Backend protocol ----------------------------------------------------------------------

    def query(self, request: QueryRequest) -> QueryResult:
        # SERVICE, engine pragmas and extension functions are refused before anything leaves this process
        analysis = check_forwardable_query(request.query)
        dialect = self.dialect  # read before the first answer: the row cap and the fixes depend on it
        url = self.query_url
        if request.dataset.is_default and not analysis.has_dataset_clause and self.union_params:
            url += "?" + urllib.parse.urlencode(self.union_params)
        query_text = request.query if not request.base_iri else f"BASE <{request.base_iri}>\n{request.query}"
        form: list[tuple[str, str]] = [("query", query_text)]
        form += [("default-graph-uri", iri) for iri in request.dataset.default_graph_uris]
        form += [("named-graph-uri", iri) for iri in request.dataset.named_graph_uris]
        kind = KIND_OF_FORM.get(analysis.form, "bindings")
        media_type = request.media_type
        if request.negotiated is not None:  # this process's parse (rdflib's) says which family answers
            media_type = request.negotiated[1 if kind == "graph" else 0]
            if not media_type:
                from bricskg.sparql.negotiation import NotAcceptable

                raise AnswerNotAcceptable(str(NotAcceptable("graph" if kind == "graph" else "results", request.asked)))
        content_type, body = self._post(url, form, media_type, timeout=request.timeout, limit=request.max_result_bytes)
        answered = content_type.split(";")[0].strip().lower()
        if answered and answered != media_type:
            raise BackendUnavailable(
                f"The SPARQL engine answered in {answered} instead of the negotiated {media_type}; "
                "ask for another format."
            )
        if kind == "bindings" and self.row_cap is not None and len(body) >= self.row_cap:
            rows = count_rows(body, media_type)
            if rows is None or rows >= self.row_cap:
                raise ResultTooLarge(
                    f"The SPARQL engine answers at most {self.row_cap:,} rows and cuts longer answers short "
                    "without saying so; this answer reached that cap. Add a LIMIT below it, or page with OFFSET."
                )
        if kind == "bindings" and dialect.rewrites_answers:
            body = virtuoso_answer(body, media_type)
        return QueryResult(kind, media_type, body)  # type: ignore[arg-type]

    def version(self) -> int:
        return self._writes * 1_000_000_000 + int(time.time() // VERSION_WINDOW)

    def quad_count(self) -> int:
        if self.dialect.union_default_graph:  # no default graph of its own: count bricskg's named graphs
            rows = self._select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {self._own()} }}")
        else:
            rows = self._select("SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }")
        return (int(rows[0]["n"].value) if rows else 0) - self.inferred_quad_count()  # stated quads, as embedded

    def named_graphs(self) -> Iterator[str]:
        for graph in sorted(self.graph_names(), key=str):
            if isinstance(graph, ox.NamedNode):
                yield graph.value

    @property
    def writable(self) -> bool:
        return self._writable

    def close(self) -> None:
        pass

    # --- reads for the write path (engine's real default graph: no union parameters) -----------------

    def _select(self, sparql: str, limit: int = 1 << 31) -> list[Any]:
        """Rows of an internal SELECT (the engine's JSON, read by ``bricskg.store.remote_results``)."""
        dialect = self.dialect
        _, body = self._post(
            self.query_url, [("query", sparql)], "application/sparql-results+json", timeout=INTERNAL_TIMEOUT, limit=limit
        )
        blank = virtuoso_blank if dialect.addressable_blank_nodes else PerResponseNamer()
        return read_json_results(body, blank, canonical_booleans=dialect.rewrites_answers)

    @property
    def _real_default_graph(self) -> bool:
        """Whether the engine has a default graph of its own to read (Virtuoso's is the union)."""
        return not self.dialect.union_default_graph

    def graph_names(self) -> set[Any]:
        if self.dialect.union_default_graph:  # Virtuoso answers ``GRAPH ?g { }`` with one empty row
            rows = self._select(f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {self._own()} }}")
        else:
            rows = self._select("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }")
        return {row["g"] for row in rows if row.get("g") is not None}

    def has_graph(self, name: Any) -> bool:
        """One ASK, not a list of every graph (a million triples make a hundred thousand claim graphs)."""
        if isinstance(name, ox.DefaultGraph):
            return False
        pattern = "{ ?s ?p ?o }" if self.dialect.union_default_graph else "{ }"  # Virtuoso keeps no empty graphs
        return self._select(f"ASK {{ GRAPH {name} {pattern} }}") == [True]

    def graph_quads(self, graphs: list[Any]) -> Iterator[ox.Quad]:
        named = [g for g in graphs if not isinstance(g, ox.DefaultGraph)]
        branches = []
        if named:
            branches.append(f"{{ VALUES ?g {{ {' '.join(str(g) for g in named)} }} GRAPH ?g {{ ?s ?p ?o }} }}")
        if any(isinstance(g, ox.DefaultGraph) for g in graphs) and self._real_default_graph:
            branches.append("{ ?s ?p ?o }")
        if not branches:
            return iter(())
        return iter(self._complete_quads(f"WHERE {{ {' UNION '.join(branches)} }}"))

    def _complete_quads(self, where: str) -> list[ox.Quad]:
        """Every quad matching ``where``, checked against the engine's count of it: Virtuoso cuts an
        answer of about a million rows short without a word, and a short dump or a short read for the
        write path would be taken for the whole."""
        quads = list(self._quads(f"SELECT ?s ?p ?o ?g {where}"))
        self.require_complete(len(quads), where, "whole graphs", "raise the engine's answer limits (docs/deploy.md)")
        return quads

    def require_complete(self, answered: int, where: str, reading: str, advice: str) -> None:
        """Raise unless the engine counts ``answered`` solutions for ``where`` (a ``WHERE { … }``):
        an answer cut short without a word must not be taken for the whole."""
        rows = self._select(f"SELECT (COUNT(*) AS ?n) {where}")
        expected = int(rows[0]["n"].value) if rows else 0
        if expected != answered:
            raise BackendUnavailable(
                f"The SPARQL engine answered {answered:,} of {expected:,} rows when bricskg read {reading}; {advice}."
            )

    def _quads(self, sparql: str) -> Iterator[ox.Quad]:
        for row in self._select(sparql):
            graph = row.get("g")
            yield ox.Quad(row["s"], row["p"], row["o"], graph if graph is not None else ox.DefaultGraph())

    def present(self, quads: Iterable[ox.Quad]) -> set[ox.Quad]:
        """Which ground quads the engine holds (blank nodes cannot be asked about: treated as absent).

        Each quad is its own constant pattern, answered by its index: an engine that stores numbers
        in canonical form answers ``"35"`` for ``"35.0"^^xsd:decimal``, and Virtuoso matches nothing
        for a language-tagged literal in a multi-row ``VALUES (?s ?p ?o)`` block."""
        ground = [q for q in quads if not any(isinstance(t, ox.BlankNode) for t in (q.subject, q.object, q.graph_name))]
        found: set[ox.Quad] = set()
        by_graph: dict[Any, list[ox.Quad]] = {}
        for quad in ground:
            if isinstance(quad.graph_name, ox.DefaultGraph) and not self._real_default_graph:
                continue  # an engine whose default graph is the union holds nothing there of its own
            by_graph.setdefault(quad.graph_name, []).append(quad)
        for graph, members in by_graph.items():
            for start in range(0, len(members), VALUES_BATCH):
                batch = members[start : start + VALUES_BATCH]
                branches = []
                for index, q in enumerate(batch):
                    triple = f"{q.subject} {q.predicate} {q.object}"
                    pattern = triple if isinstance(graph, ox.DefaultGraph) else f"GRAPH {graph} {{ {triple} }}"
                    branches.append(f"{{ {pattern} BIND({index} AS ?i) }}")
                rows = self._select(f"SELECT DISTINCT ?i WHERE {{ {' UNION '.join(branches)} }}")
                found |= {batch[int(row["i"].value)] for row in rows}
        return found

    def _about(self, nodes: list[Any], position: str) -> Iterator[ox.Quad]:
        addressable = self.dialect.addressable_blank_nodes
        named = [n for n in nodes if isinstance(n, ox.NamedNode) or (addressable and isinstance(n, ox.BlankNode))]
        for start in range(0, len(named), VALUES_BATCH):
            values = " ".join(stored_blank_iri(n) if isinstance(n, ox.BlankNode) else str(n) for n in named[start : start + VALUES_BATCH])
            if position == "subject":
                # one level of blank-node objects in the same answer, so their labels stay consistent
                own = self._own()
                branches = [f"{{ GRAPH ?g {{ ?x ?p ?o BIND(?x AS ?s) }} {own} }}", f"{{ GRAPH ?g {{ ?x ?p0 ?s FILTER(isBlank(?s)) ?s ?p ?o }} {own} }}"]
                if self._real_default_graph:
                    branches += ["{ ?x ?p ?o BIND(?x AS ?s) }", "{ ?x ?p0 ?s FILTER(isBlank(?s)) ?s ?p ?o }"]
                yield from self._quads(
                    f"SELECT ?s ?p ?o ?g WHERE {{ VALUES ?x {{ {values} }} {{ {' UNION '.join(branches)} }} }} LIMIT {NEIGHBOURHOOD_READ_LIMIT}"
                )
            else:
                branches = [f"{{ GRAPH ?g {{ ?s ?p ?o }} {self._own()} }}"] + (["{ ?s ?p ?o }"] if self._real_default_graph else [])
                yield from self._quads(
                    f"SELECT ?s ?p ?o ?g WHERE {{ VALUES ?o {{ {values} }} {{ {' UNION '.join(branches)} }} }} LIMIT {NEIGHBOURHOOD_READ_LIMIT}"
                )

    def quads_about(self, nodes: list[Any]) -> Iterator[ox.Quad]:
        return self._about(nodes, "subject")

    def quads_referring_to(self, nodes: list[Any]) -> Iterator[ox.Quad]:
        return self._about(nodes, "object")

    # --- the commit -----------------------------------------------------------------------------------

    def commit_update(
        self, sparql_update: str, base_iri: str | None = None, change: object = None, quad_change: int | None = None
    ) -> None:
        """One update request: the engine applies it as one transaction (Fuseki, Oxigraph, GraphDB)."""
        if self.update_url is None:
            from bricskg.store.base import ReadOnly

            raise ReadOnly("No update endpoint was configured (--backend QUERY_URL,UPDATE_URL).")
        text = sparql_update if not base_iri else f"BASE <{base_iri}>\n{sparql_update}"
        self._post(
            self.update_url,
            [],
            "*/*",
            timeout=INTERNAL_TIMEOUT,
            limit=1 << 20,
            body=text.encode("utf-8"),
            content_type="application/sparql-update",
        )
        with self._lock:
            self._writes += 1

    def commit_quads(self, quads: list[ox.Quad], change: object = None, quad_change: int | None = None) -> None:
        if self._follows(change):  # the inferred graph's change joins the commit (bricskg.store.remote_entailments)
            self.entailments.commit_quads(quads, change)
            return
        if not self.dialect.atomic_requests:  # blank nodes and size limits: the dialect's own commit
            from bricskg.store.delta import Delta

            self.commit_delta(Delta(inserted=frozenset(quads)), [], quad_change=quad_change)
            return
        from bricskg.store.commit import insert_data

        self.commit_update(insert_data(quads))

    def commit_delta(self, delta: Any, audit: list[ox.Quad], change: object = None, quad_change: int | None = None) -> None:
        """Exactly the validated delta in one update request.

        Where the engine commits a request operation by operation (Virtuoso), the delta is one
        operation (``bricskg.store.remote_commit``), which also names stored blank nodes the way the
        engine does. Elsewhere the engine's stored blank nodes cannot be named over the protocol,
        so a delta that removes or extends one is refused (400) rather than approximated.
        """
        if self._follows(change):  # the inferred graph's change joins the delta (bricskg.store.remote_entailments)
            self.entailments.commit_delta(delta, audit, change, quad_change)
            return
        if not self.dialect.atomic_requests:
            from bricskg.store.remote_commit import single_operation_commit

            commit = single_operation_commit(delta, audit, stored_blank_iri)
            if not commit.atomic:
                LOG.warning("committing a write in %d request(s) of more than one operation (bricskg.store.remote_commit)", len(commit.requests))
            for request in commit.requests:
                self.commit_update(request, quad_change=quad_change)
            if not commit.atomic:
                self._check_applied(delta)
            return
        from bricskg.store.commit import delta_update

        self.commit_update(delta_update(delta, audit, bind_stored_terms=False).text, quad_change=quad_change)


    def _check_applied(self, delta: Any) -> None:
        """After a commit in several operations: the engine holds exactly what was validated, or the
        write is reported as failed (503) rather than as done."""
        ground = [q for q in delta.inserted if not any(isinstance(t, ox.BlankNode) for t in (q.subject, q.object))]
        gone = [q for q in delta.removed if q not in delta.inserted and not any(isinstance(t, ox.BlankNode) for t in (q.subject, q.object))]
        missing = len(ground) - len(self.present(ground))
        left = len(self.present(gone))
        if missing or left:
            LOG.error("the engine applied part of a write: %d quad(s) not added, %d not removed", missing, left)
            raise BackendUnavailable(
                f"The SPARQL engine applied only part of the write ({missing} quad(s) not added, {left} not removed); "
                "check the data with GET /store and write again."
            )

    # --- the entailment regime: bricskg.store.remote_entailments attaches itself here -----------------

    entailments: Any = None  # a RemoteEntailments (the rule-input mirror) when inference is on

    @property
    def inference(self) -> bool | None:
        """True when bricskg maintains the inferred graph in the engine; None: whatever the engine does."""
        return True if self.entailments is not None else None

    @property
    def maintains_entailments(self) -> bool:
        """The writer then hands each commit its ``EntailmentChange`` (bricskg.store.writer)."""
        return self.entailments is not None

    def inferred_quad_count(self) -> int:
        return self.entailments.inferred_quad_count() if self.entailments is not None else 0

    def _follows(self, change: object) -> bool:
        """Whether this commit carries the change of the inferred graph (then made with ``change=None``)."""
        return self.entailments is not None and change is not None


def _without_user_info(url: str) -> tuple[str, tuple[str, str] | None]:
    """``url`` without ``user:password@``, and those credentials (kept out of logs and messages)."""
    parts = urllib.parse.urlsplit(url)
    if parts.username is None:
        return url, None
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host + (f":{parts.port}" if parts.port else "")
    user = urllib.parse.unquote(parts.username)
    password = urllib.parse.unquote(parts.password or "")
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc)), (user, password)


def _opener(credentials: list[tuple[str, tuple[str, str]]]) -> urllib.request.OpenerDirector:
    """An opener that answers Basic and Digest challenges for the configured URLs, and follows no
    redirect elsewhere than the engine told it (urllib's default redirect handling is kept)."""
    manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    for url, (user, password) in credentials:
        manager.add_password(None, url, user, password)
    return urllib.request.build_opener(
        urllib.request.HTTPBasicAuthHandler(manager), urllib.request.HTTPDigestAuthHandler(manager)
    )


def _refuse_partial(headers: Any, dialect: EngineDialect | None) -> None:
    """Virtuoso's "anytime" answers: HTTP 200 with whatever was found when its time limit struck,
    marked only by ``X-SQL-State``. An incomplete answer presented as the answer is refused."""
    header = (dialect or GENERIC).partial_answer_header or "X-SQL-State"
    state = headers.get(header)
    if state:
        message = headers.get("X-SQL-Message", "")
        raise QueryTimeout(f"The SPARQL engine stopped the query and offered an incomplete answer ({state} {message}).".replace(" )", ")"))


def open_remote_backend(config: Config) -> RemoteBackend:
    """The backend ``bricskg serve --backend URL[,UPDATE_URL]`` serves over."""
    assert config.backend_url is not None
    return RemoteBackend(
        config.backend_url,
        config.backend_update_url,
        writable=config.writes_enabled,
        timeout=config.query_timeout,
        credentials=config.backend_credentials,
        engine=config.backend_engine,
    )
