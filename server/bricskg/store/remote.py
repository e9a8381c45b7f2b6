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
"""

from __future__ import annotations

import hashlib
import itertools
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Iterable, Iterator

import pyoxigraph as ox

from bricskg.config import Config
from bricskg.sparql.safety import check_query
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
KIND_OF_FORM = {"SELECT": "bindings", "ASK": "boolean", "CONSTRUCT": "graph", "DESCRIBE": "graph"}
_responses = itertools.count()


class RemoteBackend:
    """Queries and validated writes over SPARQL 1.1 Protocol endpoints."""

    def __init__(self, query_url: str, update_url: str | None = None, *, writable: bool = False, timeout: float = 30.0):
        parsed = urllib.parse.urlsplit(query_url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ValueError(f"--backend {query_url!r}: not an http(s) URL")
        # the URL's own parameters (the engine's union-default-graph switch) apply to default-dataset queries only
        self.union_params = urllib.parse.parse_qsl(parsed.query, keep_blank_values=True)
        self.query_url = urllib.parse.urlunsplit(parsed._replace(query=""))
        self.update_url = update_url
        self._writable = writable and update_url is not None
        self.timeout = timeout
        self._writes = 0
        self._lock = threading.Lock()

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
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (configured URL)
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
        analysis = check_query(request.query)  # SERVICE refused before anything leaves this process
        form: list[tuple[str, str]] = [("query", request.query)]
        form += [("default-graph-uri", iri) for iri in request.dataset.default_graph_uris]
        form += [("named-graph-uri", iri) for iri in request.dataset.named_graph_uris]
        url = self.query_url
        if request.dataset.is_default and not analysis.has_dataset_clause and self.union_params:
            url += "?" + urllib.parse.urlencode(self.union_params)
        query_text = request.query if not request.base_iri else f"BASE <{request.base_iri}>\n{request.query}"
        form[0] = ("query", query_text)
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
        return QueryResult(kind, media_type, body)  # type: ignore[arg-type]

    def version(self) -> int:
        return self._writes * 1_000_000_000 + int(time.time() // VERSION_WINDOW)

    def quad_count(self) -> int:
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
        _, body = self._post(
            self.query_url, [("query", sparql)], "application/sparql-results+json", timeout=INTERNAL_TIMEOUT, limit=limit
        )
        renamer = _BlankRenamer()
        solutions = ox.parse_query_results(body, ox.QueryResultsFormat.JSON)
        if isinstance(solutions, ox.QueryBoolean):
            return [bool(solutions)]
        return [renamer.solution(solution, solutions.variables) for solution in solutions]

    def graph_names(self) -> set[Any]:
        return {row["g"] for row in self._select("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }") if row.get("g") is not None}

    def graph_quads(self, graphs: list[Any]) -> Iterator[ox.Quad]:
        named = [g for g in graphs if not isinstance(g, ox.DefaultGraph)]
        branches = []
        if named:
            branches.append(f"{{ VALUES ?g {{ {' '.join(str(g) for g in named)} }} GRAPH ?g {{ ?s ?p ?o }} }}")
        if any(isinstance(g, ox.DefaultGraph) for g in graphs):
            branches.append("{ ?s ?p ?o }")
        if not branches:
            return iter(())
        return self._quads(f"SELECT ?s ?p ?o ?g WHERE {{ {' UNION '.join(branches)} }}")

    def _quads(self, sparql: str) -> Iterator[ox.Quad]:
        for row in self._select(sparql):
            graph = row.get("g")
            yield ox.Quad(row["s"], row["p"], row["o"], graph if graph is not None else ox.DefaultGraph())

    def present(self, quads: Iterable[ox.Quad]) -> set[ox.Quad]:
        """Which ground quads the engine holds (blank nodes cannot be asked about: treated as absent)."""
        ground = [q for q in quads if not any(isinstance(t, ox.BlankNode) for t in (q.subject, q.object, q.graph_name))]
        found: set[ox.Quad] = set()
        by_graph: dict[Any, list[ox.Quad]] = {}
        for quad in ground:
            by_graph.setdefault(quad.graph_name, []).append(quad)
        for graph, members in by_graph.items():
            for start in range(0, len(members), VALUES_BATCH):
                batch = members[start : start + VALUES_BATCH]
                values = " ".join(f"({q.subject} {q.predicate} {q.object})" for q in batch)
                pattern = "?s ?p ?o" if isinstance(graph, ox.DefaultGraph) else f"GRAPH {graph} {{ ?s ?p ?o }}"
                rows = self._select(f"SELECT ?s ?p ?o WHERE {{ VALUES (?s ?p ?o) {{ {values} }} {pattern} }}")
                found |= {ox.Quad(row["s"], row["p"], row["o"], graph) for row in rows}
        return found

    def _about(self, nodes: list[Any], position: str) -> Iterator[ox.Quad]:
        iris = [n for n in nodes if isinstance(n, ox.NamedNode)]
        for start in range(0, len(iris), VALUES_BATCH):
            values = " ".join(str(n) for n in iris[start : start + VALUES_BATCH])
            if position == "subject":
                # one level of blank-node objects in the same answer, so their labels stay consistent
                yield from self._quads(
                    f"SELECT ?s ?p ?o ?g WHERE {{ VALUES ?x {{ {values} }} "
                    "{ { ?x ?p ?o BIND(?x AS ?s) } UNION { GRAPH ?g { ?x ?p ?o BIND(?x AS ?s) } } "
                    "UNION { ?x ?p0 ?s FILTER(isBlank(?s)) ?s ?p ?o } UNION { GRAPH ?g { ?x ?p0 ?s FILTER(isBlank(?s)) ?s ?p ?o } } } }"
                )
            else:
                yield from self._quads(
                    f"SELECT ?s ?p ?o ?g WHERE {{ VALUES ?o {{ {values} }} {{ {{ ?s ?p ?o }} UNION {{ GRAPH ?g {{ ?s ?p ?o }} }} }} }}"
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
        from bricskg.store.commit import insert_data

        if self._follows(change):
            self.entailments.commit(insert_data(quads), [], quads, post=self.commit_update)
            return
        self.commit_update(insert_data(quads))

    def commit_delta(self, delta: Any, audit: list[ox.Quad], change: object = None, quad_change: int | None = None) -> None:
        """Exactly the validated delta, as DELETE DATA / INSERT DATA text in one update request.

        The engine's stored blank nodes cannot be named over the protocol, so a delta that removes
        or extends one is refused (400) rather than approximated.
        """
        from bricskg.store.commit import delta_update

        text = delta_update(delta, audit, bind_stored_terms=False).text
        if self._follows(change):
            self.entailments.commit(
                text, delta.removed, [*delta.inserted, *audit], cleared=delta.cleared_graphs,
                recompute=bool(getattr(change, "recompute", False)), post=self.commit_update,
            )
            return
        self.commit_update(text, quad_change=quad_change)

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
        """Whether this commit carries the change of the inferred graph in the same update request."""
        return self.entailments is not None and change is not None


class _BlankRenamer:
    """Blank-node labels are per response: give each response's nodes their own, stable names."""

    def __init__(self) -> None:
        self.prefix = f"{next(_responses)}-{time.monotonic_ns()}"
        self.names: dict[str, ox.BlankNode] = {}

    def term(self, term: Any) -> Any:
        if isinstance(term, ox.BlankNode):
            renamed = self.names.get(term.value)
            if renamed is None:
                renamed = ox.BlankNode(hashlib.sha1(f"{self.prefix}/{term.value}".encode()).hexdigest())
                self.names[term.value] = renamed
            return renamed
        return term

    def solution(self, solution: Any, variables: list[Any]) -> dict[str, Any]:
        row = {}
        for variable in variables:
            value = solution[variable]
            if value is not None:
                row[variable.value] = self.term(value)
        return row


def open_remote_backend(config: Config) -> RemoteBackend:
    """The backend ``bricskg serve --backend URL[,UPDATE_URL]`` serves over."""
    assert config.backend_url is not None
    return RemoteBackend(
        config.backend_url,
        config.backend_update_url,
        writable=config.writes_enabled,
        timeout=config.query_timeout,
    )
