"""The entailment regime over an external SPARQL engine (``bricskg serve --backend QUERY_URL,UPDATE_URL``).

The embedded store keeps the inferred graph (``bricskg.inference``) in the same store as the data.
An external engine holds the data, so bricskg keeps a local **rule-input mirror**: an in-memory
pyoxigraph store with the stated quads the rules can read (every quad whose predicate is a schema
predicate, ``rdf:type``, or a predicate the compiled schema names as a premise or conclusion), plus
the inferred graph computed from them. The engine holds the same inferred graph, which its default
union then includes, so naive queries over the engine get the ontology's entailments.

* **At startup** (``synchronise``): the schema is read from the engine to learn which predicates the
  rules need, then every stated quad with one of them, in ONE answer (so a blank node keeps one name
  across all of them); the mirror is materialised and compared with the engine's inferred graph, and
  only the difference is written (after a restart it is usually empty). A first start writes the
  whole graph in batches of ``BATCH_TRIPLES``.
* **On each write** (``commit``): the validated delta is applied to the mirror, the inferred graph
  maintained there (``bricskg.inference.maintenance``: semi-naive insertion, DRed deletion; a full
  recompute when the write changes the schema), and the change of the inferred graph is folded into
  the write's delta, which the backend commits as it commits any delta (one update request; one
  operation over an engine that commits operation by operation, ``bricskg.store.remote_commit``):
  readers never see a write without its entailments. A write that changes the schema so that the rules read a predicate the mirror lacks
  first rebuilds the mirror from the engine (the engine's state before the write).
* **Which process holds a current mirror.** The mirror is built in the gunicorn master and inherited
  by the (single, when writes are on) writer worker. A shared counter (``multiprocessing.Value``,
  created before the fork) counts the changes made to the engine's inferred graph; a process whose
  mirror has not seen the latest of them (a worker restarted from the master's copy, or one whose
  commit failed half-way: the engine may or may not have applied it) rebuilds the mirror from the
  engine before its next write. Like validation, this assumes bricskg is the engine's only writer:
  a change made behind its back is followed at the next restart (``synchronise``), not before.

Blank nodes: SPARQL text cannot name a blank node the engine stores (INSERT DATA mints a fresh one,
DELETE DATA forbids them), so the inferred triples naming one cannot be listed. The ones the data
actually produces are class memberships (for the bundled data, the ``oa:Selector`` membership of each
text selector, cax-sco): those are written by rule-shaped updates the engine evaluates on its own
blank nodes (``blank_memberships``: ``INSERT { ?x a D } WHERE { ?x a C FILTER(isBlank(?x)) … }``),
in a second request right after a write that adds blank nodes of a class C, and all of them again
whenever the graph is recomputed or a write removes a stored blank node's triples (only an engine
that names stored blank nodes, Virtuoso, lets a write do that). Other entailments naming a blank
node (through a domain, range or property axiom) stay in the mirror, where the rules use them, and
are not published. Over such an engine the mirror reads blank nodes under the engine's own names
(the write path's deltas use them too); a write's new blank nodes stay in the mirror under the
write's names, so a later write that names one the mirror does not know (removes its triples or
adds to it) re-reads the mirror first.

The SPARQL sent here follows the backend's dialect: stated quads are read from the engine's own
default graph only where it has one, and never from the engine's system graphs (``StatedPattern``).
"""

from __future__ import annotations

import itertools
import logging
import multiprocessing
import threading
import time
from dataclasses import dataclass, replace
from typing import Any, Callable, Iterable

import pyoxigraph as ox

from bricskg.inference import INFERRED, INFERRED_GRAPH, materialise
from bricskg.inference.maintenance import maintain
from bricskg.inference.schema import (
    RDF_TYPE,
    SCHEMA_READ_PREDICATES,
    SCHEMA_TYPES,
    Schema,
    compile_schema,
    schema_triples,
    touches_schema,
)
from bricskg.inference.terms import Terms, Triple
from bricskg.store.base import BackendError
from bricskg.store.commit import join_updates
from bricskg.store.delta import Delta

READ_TIMEOUT = 600.0  # seconds for one of the start-up reads (a million-triple engine answers in ~10 s)
# per INSERT DATA / DELETE DATA request at startup: Virtuoso's SPARQL parser runs out of stack
# ("SP030 … memory exhausted") near 5,000 triples in one block
BATCH_TRIPLES = 2_000
LOG = logging.getLogger("bricskg.store")

_answers = itertools.count()


def rule_predicates(schema: Schema) -> frozenset[str]:
    """Every predicate (N-Triples text) whose stated quads the rules can read or conclude, given ``schema``:
    as ``closure.rule_inputs`` reads them, plus the schema's own (a later write may change it)."""
    return frozenset(schema.premise_predicates | schema.conclusion_predicates | {RDF_TYPE} | SCHEMA_READ_PREDICATES)


def is_ground(triple: Triple) -> bool:
    """Whether a triple names no blank node, so SPARQL text can insert and delete it in the engine."""
    return triple[0][0] != "_" and triple[2][0] != "_"


def _triple_lines(triples: Iterable[Triple]) -> str:
    return "\n".join(f"{s} {p} {o} ." for s, p, o in triples)


def inferred_data(operation: str, triples: list[Triple]) -> str:
    """``INSERT DATA`` / ``DELETE DATA`` of ``triples`` in the inferred graph ("" for none)."""
    if not triples:
        return ""
    return f"{operation} DATA {{ GRAPH <{INFERRED_GRAPH}> {{\n{_triple_lines(triples)}\n}} }}"


def _inferred_quads(triples: Iterable[Triple]) -> frozenset[ox.Quad]:
    """Ground N-Triples text triples as quads of the inferred graph."""
    terms = Terms()
    return frozenset(ox.Quad(terms.term(s), terms.term(p), terms.term(o), INFERRED) for s, p, o in triples)


def _names_blank(quad: ox.Quad) -> bool:
    return any(isinstance(term, ox.BlankNode) for term in (quad.subject, quad.object, quad.graph_name))


BLANK_INFERRED = (
    f"DELETE {{ GRAPH <{INFERRED_GRAPH}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH <{INFERRED_GRAPH}> {{ ?s ?p ?o }} "
    "FILTER(isBlank(?s) || isBlank(?o)) }"
)


@dataclass(frozen=True)
class StatedPattern:
    """Where an engine's stated triples are: its default graph (unless, as in Virtuoso, that is the
    union of everything) and its named graphs but the inferred one and the engine's own (``own``:
    the backend's filter on the graph variable, ``RemoteBackend._own``)."""

    real_default_graph: bool = True
    own: Callable[[str], str] = lambda variable: ""

    def __call__(self, pattern: str, graph: str) -> str:
        """``pattern`` stated somewhere, the named graph bound to the variable ``graph``."""
        named = f"{{ GRAPH {graph} {{ {pattern} }} FILTER({graph} != <{INFERRED_GRAPH}>) {self.own(graph)} }}"
        return f"{{ {{ {pattern} }} UNION {named} }}" if self.real_default_graph else f"{{ {named} }}"


def blank_memberships(
    schema: Schema,
    classes: Iterable[str],
    anchors: dict[str, set[tuple[str, str]]] | None = None,
    stated: StatedPattern = StatedPattern(),
) -> list[str]:
    """cax-sco for the engine's blank-node members of ``classes``: one update operation per class with
    named superclasses, evaluated by the engine (it alone can name its blank nodes); idempotent.

    ``anchors`` (class -> (subject IRI, predicate) pairs) narrows a class's operation to the blank
    nodes those point at — a write's new nodes, found without scanning every member of the class
    (a second or so at a million triples). Any blank member of the class deserves the conclusion, so
    the narrowing can only leave out nodes, and is used only when it reaches every new one."""
    operations = []
    for cls in sorted(set(classes)):
        supers = sorted(d for d in schema.superclasses.get(cls, ()) if d[0] == "<")
        if cls[0] != "<" or not supers:
            continue
        pointed = (anchors or {}).get(cls)
        narrowing = ""
        if pointed:
            pairs = " ".join(f"({subject} {predicate})" for subject, predicate in sorted(pointed))
            narrowing = f"VALUES (?a ?ap) {{ {pairs} }} {stated('?a ?ap ?x', '?ga')} "
        operations.append(
            f"INSERT {{ GRAPH <{INFERRED_GRAPH}> {{ ?x {RDF_TYPE} ?d }} }} WHERE {{ {narrowing}"
            f"{stated(f'?x {RDF_TYPE} {cls}', '?g')} FILTER(isBlank(?x)) VALUES ?d {{ {' '.join(supers)} }} "
            f"FILTER NOT EXISTS {stated(f'?x {RDF_TYPE} ?d', '?h')} }}"
        )
    return operations


@dataclass(frozen=True)
class SyncReport:
    """What a (re)build of the mirror did, for the log and the benchmark."""

    mirrored_quads: int  # stated quads read into the mirror
    inferred: int  # triples of the mirror's inferred graph
    published: int  # of them, without a blank node: what the engine holds
    written: int  # triples inserted into or deleted from the engine's inferred graph
    read_seconds: float
    materialise_seconds: float
    write_seconds: float


class RemoteEntailments:
    """The rule-input mirror of one external engine, and the inferred graph kept in step with it."""

    def __init__(self, backend: Any):
        self.backend = backend  # a bricskg.store.remote.RemoteBackend: its _select reads, commit_update writes
        self.mirror = ox.Store()
        self.predicates: frozenset[str] = frozenset()
        self.last_sync: SyncReport | None = None
        self.last_write_seconds: dict[str, float] = {}
        self._generation = 0
        self._changes = multiprocessing.Value("q", 0)  # shared with the forked workers (see the module docstring)
        self._stale = True
        self._lock = threading.Lock()

    # --- reading the engine -------------------------------------------------------------------------

    def _stated(self) -> StatedPattern:
        backend = self.backend
        return StatedPattern(bool(getattr(backend, "_real_default_graph", True)), getattr(backend, "_own", lambda v: ""))

    def _stated_query(self, predicates: Iterable[str], objects: Iterable[str] = ()) -> str:
        """Stated quads (the engine's real default graph and every named graph but the inferred one)
        whose predicate is one of ``predicates``; with ``objects``, only those with one of them as object."""
        values = f"VALUES ?p {{ {' '.join(sorted(predicates))} }}"
        if objects:
            values += f" VALUES ?o {{ {' '.join(sorted(objects))} }}"
        return f"SELECT ?s ?p ?o ?g WHERE {{ {values} {self._stated()('?s ?p ?o', '?g')} }}"

    def _read_complete(self, query: str) -> list[ox.Quad]:
        """``_read_quads`` of a ``SELECT ?s ?p ?o ?g WHERE { … }``, checked against the engine's count of
        the same pattern: Virtuoso cuts a large answer without a word (near 2^20 rows), and a mirror
        read short would publish a wrong inferred graph."""
        quads = self._read_quads(query)
        self.backend.require_complete(
            len(quads), query[query.index("WHERE") :], "the triples its entailment rules need",
            "raise the engine's answer limits or serve with --no-inference",
        )
        return quads

    def _read_quads(self, query: str) -> list[ox.Quad]:
        """The ``?s ?p ?o ?g`` answer of ``query`` as quads (no ``?g``: the default graph).

        Over an engine whose blank nodes keep their names across requests (Virtuoso) or whose answers
        need fixing, through the backend's own reader: the write path's deltas then name a stored blank
        node as the mirror does. Elsewhere parsed here, straight into quads (``RemoteBackend._select``
        builds a dict per row: half the start-up at 1M); blank nodes get names of their own per answer."""
        dialect = getattr(self.backend, "dialect", None)
        if dialect is not None and (dialect.addressable_blank_nodes or dialect.rewrites_answers):
            return list(self.backend._quads(query))
        _, body = self.backend._post(
            self.backend.query_url, [("query", query)], "application/sparql-results+json",
            timeout=READ_TIMEOUT, limit=1 << 40,
        )
        solutions = ox.parse_query_results(body, ox.QueryResultsFormat.JSON)
        assert not isinstance(solutions, ox.QueryBoolean)
        prefix = f"m{next(_answers)}x{time.monotonic_ns()}x"
        renamed: dict[str, ox.BlankNode] = {}

        def own(term: Any) -> Any:
            if isinstance(term, ox.BlankNode):
                name = renamed.get(term.value)
                if name is None:
                    name = renamed[term.value] = ox.BlankNode(prefix + str(len(renamed)))
                return name
            return term

        default = ox.DefaultGraph()
        quads = []
        for s, p, o, g in solutions:
            if isinstance(s, ox.BlankNode) or isinstance(o, ox.BlankNode) or isinstance(g, ox.BlankNode):
                s, o, g = own(s), own(o), own(g)
            quads.append(ox.Quad(s, p, o, default if g is None else g))
        return quads

    def _engine_schema(self) -> Schema:
        triples = [
            (str(q.subject), str(q.predicate), str(q.object))
            for query in (self._stated_query(SCHEMA_READ_PREDICATES), self._stated_query([RDF_TYPE], SCHEMA_TYPES))
            for q in self._read_complete(query)
        ]
        return compile_schema(triples)

    def _engine_inferred(self) -> set[Triple]:
        """The engine's inferred graph as ground triples (its blank-node ones are rewritten as a whole)."""
        query = (
            f"SELECT ?s ?p ?o ?g WHERE {{ GRAPH <{INFERRED_GRAPH}> {{ ?s ?p ?o }} FILTER(!isBlank(?s) && !isBlank(?o)) }}"
        )
        return {(str(q.subject), str(q.predicate), str(q.object)) for q in self._read_complete(query)}

    def _blank_typed_classes(self) -> set[str]:
        """The classes some stated blank node of the mirror belongs to."""
        query = (
            "SELECT DISTINCT ?c WHERE { { ?x a ?c } UNION { GRAPH ?g { ?x a ?c } "
            f"FILTER(?g != <{INFERRED_GRAPH}>) }} FILTER(isBlank(?x)) }}"
        )
        return {str(solution["c"]) for solution in self.mirror.query(query)}

    def _all_blank_memberships(self) -> list[str]:
        """Replace every blank-node triple of the engine's inferred graph by the memberships the engine derives."""
        schema = compile_schema(schema_triples(self.mirror, Terms(), INFERRED))
        return [BLANK_INFERRED, *blank_memberships(schema, self._blank_typed_classes(), stated=self._stated())]

    def _mirror_inferred(self) -> set[Triple]:
        """The mirror's inferred graph, without the triples that name a blank node: what the engine holds."""
        found = set()
        for quad in self.mirror.quads_for_pattern(None, None, None, INFERRED):
            triple = (str(quad.subject), str(quad.predicate), str(quad.object))
            if is_ground(triple):
                found.add(triple)
        return found

    # --- (re)building the mirror --------------------------------------------------------------------

    def synchronise(self, extra_predicates: Iterable[str] = ()) -> SyncReport:
        """Rebuild the mirror from the engine and make the engine's inferred graph its entailments."""
        with self._lock:
            return self._rebuild(frozenset(extra_predicates))

    def _rebuild(self, extra: frozenset[str] = frozenset()) -> SyncReport:
        began = time.perf_counter()
        self._stale = True  # until the engine's graph is written: a failure half-way is repaired next time
        predicates = rule_predicates(self._engine_schema()) | extra
        if getattr(getattr(self.backend, "dialect", None), "addressable_blank_nodes", False):
            # the engine's blank-node names hold across answers: one answer per predicate, each
            # further from the engine's answer limit
            quads = [q for predicate in sorted(predicates) for q in self._read_complete(self._stated_query([predicate]))]
        else:
            quads = self._read_complete(self._stated_query(predicates))  # one answer: blank nodes keep one name
        engine = self._engine_inferred()
        read = time.perf_counter()
        mirror = ox.Store()
        mirror.extend(quads)
        materialise(mirror)
        self.mirror, self.predicates = mirror, predicates
        after = self._mirror_inferred()
        inferred = sum(1 for _ in mirror.quads_for_pattern(None, None, None, INFERRED))
        computed = time.perf_counter()
        written = self._publish(after, engine)
        with self._changes.get_lock():
            self._changes.value += 1
            self._generation = self._changes.value
        self._stale = False
        report = SyncReport(len(quads), inferred, len(after), written, read - began, computed - read, time.perf_counter() - computed)
        self.last_sync = report
        LOG.info(
            "inferred graph over the external engine: %d triples (%d published) from %d mirrored stated quads; "
            "read %.2f s, materialised %.2f s, wrote %d triples in %.2f s",
            report.inferred, report.published, report.mirrored_quads, report.read_seconds,
            report.materialise_seconds, report.written, report.write_seconds,
        )
        return report

    def _publish(self, after: set[Triple], engine: set[Triple]) -> int:
        """Bring the engine's inferred graph from ``engine`` to ``after`` (ground triples), in batches of
        ``BATCH_TRIPLES``, then its blank-node memberships (one request).

        Not one transaction when it is big: it runs before the server answers (startup) or when the
        engine's graph was found out of step, and each batch leaves a subset of the right graph."""
        post = self.backend.commit_update
        removed, added = engine - after, after - engine
        if len(removed) > len(after):  # most of it goes: start afresh
            post(f"DROP SILENT GRAPH <{INFERRED_GRAPH}>")
            removed, added = set(), after
        for operation, triples in (("DELETE", sorted(removed)), ("INSERT", sorted(added))):
            for start in range(0, len(triples), BATCH_TRIPLES):
                post(inferred_data(operation, triples[start : start + BATCH_TRIPLES]))
        post(join_updates(*self._all_blank_memberships()))
        return len(removed) + len(added)

    def _ensure_current(self) -> None:
        if self._stale or self._changes.value != self._generation:
            LOG.warning("the rule-input mirror is behind the engine (a restarted worker or a failed commit): rebuilding it")
            self._rebuild(self.predicates)

    # --- writes ---------------------------------------------------------------------------------------

    def commit_delta(self, delta: Delta, audit: list[ox.Quad], change: Any, quad_change: int | None = None) -> None:
        """Commit ``delta`` and ``audit`` with the change they make to the inferred graph folded into
        the delta: the backend then commits both as it commits any delta (one update request, or one
        operation over an engine that commits operation by operation)."""

        def send(removed: frozenset[ox.Quad], inserted: frozenset[ox.Quad], drop: bool) -> None:
            folded = replace(
                delta, removed=delta.removed | removed, inserted=delta.inserted | inserted,
                cleared_graphs=delta.cleared_graphs | ({INFERRED} if drop else set()),
            )
            self.backend.commit_delta(folded, audit, None, quad_change)

        self._commit(
            delta.removed, [*delta.inserted, *audit], list(delta.cleared_graphs),
            bool(getattr(change, "recompute", False)), send, delta.reused_blank_nodes,
        )

    def commit_quads(self, quads: list[ox.Quad], change: Any) -> None:
        """A bulk load (``quads``, its audit record included) with the change it makes to the inferred graph."""

        def send(removed: frozenset[ox.Quad], inserted: frozenset[ox.Quad], drop: bool) -> None:
            # as a delta, not INSERT DATA: the backend commits it in its dialect (Virtuoso refuses
            # blank nodes in INSERT DATA, and commits a request operation by operation)
            folded = Delta(removed, frozenset(quads) | inserted, cleared_graphs=frozenset({INFERRED} if drop else ()))
            self.backend.commit_delta(folded, [], None)

        self._commit(frozenset(), list(quads), [], bool(getattr(change, "recompute", False)), send)

    def _commit(
        self,
        removed: Iterable[ox.Quad],
        inserted: Iterable[ox.Quad],
        cleared: list[Any],
        recompute: bool,
        send: Callable[[frozenset[ox.Quad], frozenset[ox.Quad], bool], None],
        reused: Iterable[ox.BlankNode] = (),
    ) -> None:
        """Apply a write to the mirror, maintain its inferred graph, and ``send`` the write with the
        inferred quads to remove and add (and whether to empty the inferred graph first); the
        blank-node memberships the engine derives follow in a second request."""
        with self._lock:
            self._ensure_current()
            timings: dict[str, float] = {}
            began = time.perf_counter()
            removed = [q for q in removed if q.graph_name != INFERRED]
            inserted = [q for q in inserted if q.graph_name != INFERRED]
            cleared = [g for g in cleared if g != INFERRED]
            changed = {(str(q.subject), str(q.predicate), str(q.object)) for q in (*removed, *inserted)}
            full = recompute or bool(cleared) or touches_schema(changed)
            addressable = getattr(getattr(self.backend, "dialect", None), "addressable_blank_nodes", False)
            if not addressable and (reused or any(_names_blank(q) for q in removed)):
                # names stored blank nodes, which this engine cannot: the backend refuses the write
                # (400) before anything changes; the mirror is left as it is
                send(frozenset(), frozenset(), False)
                self._stale = True  # (were it ever accepted, the mirror would not have followed it)
                return
            if addressable and self._unknown_blank_nodes(removed, reused):
                # a stored blank node the mirror holds under another name: one an earlier write added,
                # which the engine named itself (only an engine that names stored blank nodes gets here)
                self._rebuild(self.predicates)
            if full:
                needed = self._predicates_with(inserted)
                if not needed <= self.predicates:  # the new schema reads a predicate the mirror lacks
                    self._rebuild(needed)
                before = self._mirror_inferred()
            try:
                self._apply(removed, inserted, cleared)
                drop = False
                if full:
                    materialise(self.mirror)
                    after = self._mirror_inferred()
                    added, dropped = after - before, before - after
                    if len(dropped) > len(after):  # most of it goes: empty the graph, insert what stays
                        drop, added = True, after
                    blank = self._all_blank_memberships()
                else:
                    report = maintain(self.mirror, removed, inserted)
                    added = {t for t in report.added_triples if is_ground(t)}
                    dropped = {t for t in report.removed_triples if is_ground(t)}
                    if any(_names_blank(q) for q in removed):  # (an engine that names stored blank nodes)
                        blank = self._all_blank_memberships()
                    else:
                        blank = self._new_blank_memberships(inserted)
                timings["maintain"] = time.perf_counter() - began
                sent = time.perf_counter()
                send(frozenset() if drop else _inferred_quads(dropped), _inferred_quads(added), drop)
                if blank:
                    self.backend.commit_update(join_updates(*blank))
                timings["commit"] = time.perf_counter() - sent
            except BaseException:
                # the mirror has moved and the engine may or may not have: rebuild before the next write
                self._stale = True
                with self._changes.get_lock():
                    self._changes.value += 1
                raise
            with self._changes.get_lock():
                self._changes.value += 1
                self._generation = self._changes.value
            timings["inferred_added"], timings["inferred_removed"] = len(added), len(dropped)
            self.last_write_seconds = timings

    def _unknown_blank_nodes(self, removed: list[ox.Quad], reused: Iterable[ox.BlankNode]) -> bool:
        """Whether the write names a stored blank node (removes its triples or adds to it) that the
        mirror does not hold."""
        stored = {t for q in removed for t in (q.subject, q.object, q.graph_name) if isinstance(t, ox.BlankNode)}
        stored |= set(reused)
        return any(
            next(self.mirror.quads_for_pattern(node, None, None, None), None) is None
            and next(self.mirror.quads_for_pattern(None, None, node, None), None) is None
            for node in stored
        )

    def _new_blank_memberships(self, inserted: list[ox.Quad]) -> list[str]:
        """The memberships of the write's new blank nodes, derived by the engine after its INSERT DATA
        (which gave them names only the engine knows), each class narrowed to the IRIs that point at
        its new nodes when every one of them has such an anchor in the write."""
        typed: dict[ox.BlankNode, set[str]] = {}
        for quad in inserted:
            if isinstance(quad.subject, ox.BlankNode) and str(quad.predicate) == RDF_TYPE:
                typed.setdefault(quad.subject, set()).add(str(quad.object))
        if not typed:
            return []
        pointers: dict[ox.BlankNode, set[tuple[str, str]]] = {}
        for quad in inserted:
            if quad.object in typed and isinstance(quad.subject, ox.NamedNode):
                pointers.setdefault(quad.object, set()).add((str(quad.subject), str(quad.predicate)))
        anchors: dict[str, set[tuple[str, str]]] = {}
        unanchored: set[str] = set()
        for node, classes in typed.items():
            for cls in classes:
                if node in pointers:
                    anchors.setdefault(cls, set()).update(pointers[node])
                else:
                    unanchored.add(cls)
        for cls in unanchored:
            anchors.pop(cls, None)  # one new node no IRI points at: the whole class is read
        schema = compile_schema(schema_triples(self.mirror, Terms(), INFERRED))
        return blank_memberships(schema, set().union(*typed.values()), anchors, stated=self._stated())

    def _predicates_with(self, inserted: list[ox.Quad]) -> frozenset[str]:
        """The predicates the rules read under the mirror's schema plus the write's schema triples: a
        superset of what the schema after the write needs (removing an axiom only narrows it)."""
        terms = Terms()
        triples = set(schema_triples(self.mirror, terms, INFERRED)) | {terms.triple(q) for q in inserted}
        return rule_predicates(compile_schema(triples))

    def _apply(self, removed: list[ox.Quad], inserted: list[ox.Quad], cleared: list[Any]) -> None:
        """The write's quads that the mirror follows (those of its predicates), applied to it."""
        for graph in cleared:
            quads = list(self.mirror.quads_for_pattern(None, None, None, graph))
            for quad in quads:
                self.mirror.remove(quad)
        for quad in removed:
            if str(quad.predicate) in self.predicates:
                self.mirror.remove(quad)
        self.mirror.extend(q for q in inserted if str(q.predicate) in self.predicates)

    # --- what /health and VoID report -------------------------------------------------------------------

    def inferred_quad_count(self) -> int:
        """The triples of the engine's inferred graph (what a query sees, not the mirror)."""
        rows = self.backend._select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{INFERRED_GRAPH}> {{ ?s ?p ?o }} }}")
        return int(rows[0]["n"].value) if rows else 0


def attach_entailments(backend: Any, *, inference: bool, hermit: bool = False) -> None:
    """Give a remote backend the entailment regime (``inference``), or, with ``--no-inference`` and an
    update endpoint, remove an inferred graph an earlier run left (it would no longer be maintained).

    Without an update endpoint nothing can be written to the engine: it serves what it holds, and
    the server reports the regime as the external engine's own (as with ``--no-inference``)."""
    if backend.update_url is None:
        if inference:
            LOG.warning(
                "no update endpoint (--backend QUERY_URL,UPDATE_URL): the inferred graph cannot be written to the "
                "engine, so queries get only what the engine itself entails"
            )
        return
    if not inference:
        backend.commit_update(f"DROP SILENT GRAPH <{INFERRED_GRAPH}>")
        return
    if hermit:
        LOG.warning("--hermit is not applied over an external engine: the inferred graph holds the rules' entailments")
    entailments = RemoteEntailments(backend)
    try:
        entailments.synchronise()
    except BackendError as error:
        raise BackendError(
            f"could not materialise the inferred graph in the SPARQL engine ({error}); start the engine first, "
            "or serve with --no-inference"
        ) from None
    backend.entailments = entailments
