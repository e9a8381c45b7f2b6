"""The one way data changes: delta, SHACL gate, one atomic commit, audit record.

Every write — a SPARQL 1.1 Update, a Graph Store Protocol PUT/POST/DELETE, ``bricskg load`` —
goes through ``Writer`` under one lock (writes are serialised; reads never wait for it):

1. compute the quad delta without touching the store (``bricskg.store.delta``);
2. build the would-be new state *around the change only*: the changed nodes, the nodes that refer
   to them (``REFERRER_DEPTH`` hops back) and everything those say (``FORWARD_DEPTH`` hops
   forward), plus the ontology graph (class hierarchy) — copied into a small in-memory store, with
   the delta applied — and re-validate just the affected focus nodes with
   ``bricskg.validation.validate_dataset(..., focus_nodes=...)``. A small write into a big graph
   costs in proportion to the write's neighbourhood, not to the graph;
3. reject with ``ValidationFailed`` (HTTP 422, the SHACL report) — nothing was written — or commit
   the change and its PROV audit record as ONE SPARQL update, i.e. one Oxigraph transaction:
   readers see the old or the new state, never a mix, and a crash leaves one or the other.

The commit writes exactly the validated delta (``bricskg.store.commit``), never the update text
again: a result that depends on the order a store enumerates its quads, the clock or chance would
differ between the scratch evaluation and the real store. Whole graphs emptied by CLEAR/DROP or a
GSP DELETE are handled as graphs, not as lists of quads (``bricskg.store.removal``), so removing
a big graph stays cheap; and a pattern-matching update is evaluated with a deadline
(``bricskg.store.deadline``), so a runaway WHERE clause cannot hold the writer's lock.
"""

from __future__ import annotations

import datetime as _dt
import re
import threading
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any, Iterable, Iterator

import pyoxigraph as ox

from bricskg.config import BASE_IRI
from bricskg.dataset import ONTOLOGY_GRAPH
from bricskg.store.base import Forbidden, PayloadTooLarge, QueryRefused, ValidationFailed
from bricskg.store.commit import CommitUpdate, delete_data, delta_update, insert_data, join_updates  # noqa: F401
from bricskg.store.deadline import evaluator_for
from bricskg.store.delta import (
    Delta,
    GraphEdit,
    ScratchTooLarge,
    UpdatePlan,
    analyse,
    check_syntax,
    compute_delta,
    graph_edit_delta,
    has_dataset_clause,
    parse_update,
    split_data_blocks,
    with_protocol_dataset,
)
from bricskg.store.removal import (
    ClearedView,
    cleared_quad_count,
    clearing_delta,
    non_empty,
    only_clears_graphs,
    removal_focus,
)
from bricskg.store.entailments import (
    INFERRED,
    INFERRED_GRAPH,
    INFERRED_REFUSAL,
    EntailmentChange,
    ExplicitView,
    InferredProtected,
    entailment_change,
    maintain_entailments,
)

AUDIT_GRAPH = BASE_IRI + "graph/audit"
AUDIT_NS = BASE_IRI + "audit/"  # activities: <https://w3id.org/bricskg/audit/{uuid}>
AGENT_NS = BASE_IRI + "agent/"  # token names: <https://w3id.org/bricskg/agent/{name}>
AUDIT_VOCAB = BASE_IRI + "audit/vocab#"  # counts and kinds PROV has no term for

PROV = "http://www.w3.org/ns/prov#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
XSD = "http://www.w3.org/2001/XMLSchema#"

REFERRER_DEPTH = 2  # as bricskg.validation.focus: shapes look at most this far back
FORWARD_DEPTH = 3  # ... and the neighbourhood copied for them reaches this far forward
MAX_NEIGHBOURHOOD_QUADS = 500_000
MAX_AUDITED_REQUEST_CHARS = 64 * 1024


@dataclass(frozen=True)
class WriteOutcome:
    """What a committed (or no-op) write did; the web layer turns it into 200/201/204."""

    activity: str | None  # the audit activity IRI (None for a write that changed nothing)
    added: int
    removed: int
    graphs: tuple[str, ...]  # graphs changed ("" = the default graph)
    created_graphs: tuple[str, ...]
    focus_nodes: int  # how many nodes the SHACL gate re-validated


class AuditProtected(Forbidden):
    """The audit graph is written by the server only (HTTP 403)."""


def _graph_label(graph: Any) -> str:
    return "" if isinstance(graph, ox.DefaultGraph) else graph.value


# ---------------------------------------------------------------------------------------------
# The audit record


def audit_quads(
    *,
    kind: str,
    agent: str,
    started: _dt.datetime,
    delta: Delta,
    request_text: str | None,
    removed_count: int | None = None,
) -> tuple[str, list[ox.Quad]]:
    """A prov:Activity for one write: when, which token name (never the token), which graphs, counts."""
    graph = ox.NamedNode(AUDIT_GRAPH)
    activity = ox.NamedNode(AUDIT_NS + str(uuid.uuid4()))
    agent_node = ox.NamedNode(AGENT_NS + re.sub(r"[^A-Za-z0-9._~-]", "_", agent))
    ended = _dt.datetime.now(_dt.timezone.utc)

    def lit(value: object, datatype: str) -> ox.Literal:
        return ox.Literal(str(value), datatype=ox.NamedNode(XSD + datatype))

    def q(s: Any, p: str, o: Any) -> ox.Quad:
        return ox.Quad(s, ox.NamedNode(p), o, graph)

    quads = [
        q(activity, RDF_TYPE, ox.NamedNode(PROV + "Activity")),
        q(activity, RDF_TYPE, ox.NamedNode(AUDIT_VOCAB + "Write")),
        q(activity, AUDIT_VOCAB + "operation", ox.Literal(kind)),
        q(activity, PROV + "startedAtTime", lit(started.isoformat(), "dateTime")),
        q(activity, PROV + "endedAtTime", lit(ended.isoformat(), "dateTime")),
        q(activity, PROV + "wasAssociatedWith", agent_node),
        q(agent_node, RDF_TYPE, ox.NamedNode(PROV + "Agent")),
        q(agent_node, RDFS_LABEL, ox.Literal(agent, language="en")),  # labels are language-tagged (LabelShape)
        q(activity, AUDIT_VOCAB + "quadsAdded", lit(len(delta.inserted), "integer")),
        q(activity, AUDIT_VOCAB + "quadsRemoved", lit(len(delta.removed) if removed_count is None else removed_count, "integer")),
    ]
    for changed in sorted(delta.graphs(), key=str):
        if isinstance(changed, ox.DefaultGraph):
            quads.append(q(activity, AUDIT_VOCAB + "changedDefaultGraph", lit("true", "boolean")))
        else:
            quads.append(q(activity, PROV + "generated", changed))
            quads.append(q(activity, AUDIT_VOCAB + "changedGraph", changed))
    if request_text is not None:
        quads.append(q(activity, AUDIT_VOCAB + "request", ox.Literal(request_text[:MAX_AUDITED_REQUEST_CHARS])))
    return activity.value, quads


# ---------------------------------------------------------------------------------------------
# The neighbourhood of a change, as a small store to validate


def neighbourhood(target: Any, delta: Delta, *, limit: int | None = None) -> ox.Store:
    """The would-be state around ``delta``: what shapes on the affected nodes can see, delta applied."""
    seeds: set[Any] = set()
    for quad in delta.removed | delta.inserted:
        seeds.add(quad.subject)
        if not isinstance(quad.object, ox.Literal) and quad.predicate.value != RDF_TYPE:
            seeds.add(quad.object)
        if not isinstance(quad.graph_name, ox.DefaultGraph):
            seeds.add(quad.graph_name)
    seeds |= set(delta.created_graphs) | set(delta.dropped_graphs)
    collected: set[ox.Quad] = set()
    limit = MAX_NEIGHBOURHOOD_QUADS if limit is None else limit

    def take(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
        fresh = [quad for quad in quads if quad not in collected]
        collected.update(fresh)
        if len(collected) > limit:
            raise PayloadTooLarge(
                f"Validating this write needs more than {limit} quads around it; split the write into smaller ones."
            )
        return fresh

    # referrers: who points at a changed node (shapes on them may look through it)
    nodes = set(seeds)
    frontier = set(seeds)
    for _ in range(REFERRER_DEPTH):
        found = take(target.quads_referring_to(list(frontier))) if frontier else []
        frontier = {quad.subject for quad in found} - nodes
        nodes |= frontier
    # everything those nodes say, a few hops forward (sh:class on an object needs its rdf:type, ...)
    frontier = set(nodes)
    visited: set[Any] = set()
    for _ in range(FORWARD_DEPTH):
        frontier -= visited
        visited |= frontier
        found = take(target.quads_about(list(frontier))) if frontier else []
        frontier = {quad.object for quad in found if not isinstance(quad.object, ox.Literal)}
    # (not the content of the changed named graphs: finding focus nodes needs what is said about the
    # changed nodes, in every graph; rules about a claim graph's content read it in the validation
    # context -- copying a million-quad graph to delete one triple from it made that impossible)
    named = [g for g in delta.graphs() if not isinstance(g, ox.DefaultGraph) and g.value != AUDIT_GRAPH]
    # the class hierarchy: SHACL class targets and sh:class follow rdfs:subClassOf in the data graph
    take(target.graph_quads([ox.NamedNode(ONTOLOGY_GRAPH)]))
    store = ox.Store()
    store.extend(collected - delta.removed)
    store.extend(delta.inserted)
    from bricskg.validation.context import has_graph

    # which of the changed graphs exist, asked one by one: listing every graph of a million-triple
    # store (a hundred thousand claim graphs) to learn about a handful cost more than the write
    for graph in {g for g in named if has_graph(target, g)} | set(delta.created_graphs):
        if graph not in delta.dropped_graphs:
            store.add_graph(graph)
    return store


def gate(target: Any, delta: Delta, *, limit: int | None = None) -> int:
    """Raise ValidationFailed unless the state after ``delta`` conforms around it; returns #focus nodes."""
    from bricskg.validation import affected_focus_nodes, after_change, context_store, validate_dataset

    checked = delta.without_graph(ox.NamedNode(AUDIT_GRAPH)).without_graph(INFERRED)
    if checked.is_empty:
        return 0
    target = ExplicitView(target)  # the gate validates what is stated, never the inferred graph
    focus: set[Any] = set()
    if checked.removed or checked.inserted:
        state = neighbourhood(target, checked, limit=limit)
        if checked.cleared_graphs:
            state = _without_graphs(state, checked.cleared_graphs, checked.inserted)
        focus = affected_focus_nodes(state, list(checked.removed | checked.inserted))
    focus |= {_to_rdflib(g) for g in checked.created_graphs | checked.dropped_graphs}
    focus |= {_to_rdflib(n) for n in _removal_focus(target, checked.cleared_graphs)}
    if not focus:
        return 0
    # Validate on what the focus nodes' shapes look at, read from the store as the write would leave
    # it: the neighbourhood above finds the focus nodes, but a SPARQL rule over a claim graph's content
    # or a bloc's memberships needs more than a fixed number of hops (it refused conforming writes).
    source = ClearedView(target, checked.cleared_graphs, checked.dropped_graphs) if checked.cleared_graphs else target
    after = after_change(source, checked.inserted, checked.removed, checked.created_graphs, checked.dropped_graphs)
    report = validate_dataset(context_store(after, focus), focus_nodes=focus)
    if not report.conforms:
        count = len(report.violations)
        raise ValidationFailed(
            f"The write was rejected: it would leave {count} SHACL violation(s). Nothing was changed.", report
        )
    return len(focus)


def _removal_focus(target: Any, cleared: frozenset[Any]) -> set[Any]:
    """The nodes emptying ``cleared`` graphs can affect, found by Oxigraph (bricskg.store.removal)."""
    if not cleared:
        return set()
    from bricskg.validation.context import sibling_predicates
    from bricskg.validation.shapes_graph import load
    from bricskg.validation.terms import to_ox

    target_nodes = {to_ox(n) for t in load().targets for n in t.nodes}
    return removal_focus(
        target.store, cleared, compared_predicates=sibling_predicates(), target_nodes=target_nodes,
        referrer_depth=REFERRER_DEPTH, ignored=[INFERRED],
    )


def _without_graphs(store: ox.Store, graphs: frozenset[Any], inserted: frozenset[ox.Quad]) -> ox.Store:
    """``store`` with ``graphs`` emptied first and the write's insertions into them put back."""
    for graph in graphs:
        store.clear_graph(graph)
    store.extend(q for q in inserted if q.graph_name in graphs)
    return store


def _to_rdflib(term: Any) -> Any:
    from bricskg.validation.terms import to_rdflib

    return to_rdflib(term)


# ---------------------------------------------------------------------------------------------
# The writer


class Writer:
    """Serialised, validated, audited writes to one ``WritableBackend``-like target."""

    def __init__(
        self,
        target: Any,
        *,
        validate: bool = True,
        max_scratch_quads: int = 2_000_000,
        max_neighbourhood_quads: int = MAX_NEIGHBOURHOOD_QUADS,
        update_timeout: float | None = None,
    ):
        self.target = target
        self.validate = validate
        self.max_scratch_quads = max_scratch_quads
        self.max_neighbourhood_quads = max_neighbourhood_quads
        self.update_timeout = update_timeout  # seconds a pattern-matching update may evaluate
        self._lock = threading.Lock()

    # --- SPARQL 1.1 Update ----------------------------------------------------------------------

    def prepare_update(
        self, text: str, using: list[str], using_named: list[str], base_iri: str | None
    ) -> UpdatePlan:
        """Check and analyse an update without the lock (parsing is the slow, stateless part)."""
        from bricskg.sparql.safety import check_update, screen_update

        screen_update(text)  # before any parser: a deep chain would overflow it in this process
        split = split_data_blocks(text)
        skeleton, blocks = split if split is not None else (text, None)
        check_update(skeleton)  # LOAD / SERVICE: refused before any engine sees the text
        check_syntax(text, base_iri)
        algebra = parse_update(skeleton, base_iri)
        if (using or using_named) and has_dataset_clause(algebra):
            raise QueryRefused(
                "The request gives using-graph-uri/using-named-graph-uri and the update has its own "
                "USING, USING NAMED or WITH clause; use one or the other (SPARQL 1.1 Protocol §2.2.3)."
            )
        final_text = with_protocol_dataset(text, using, using_named)
        if final_text != text:
            algebra = parse_update(with_protocol_dataset(skeleton, using, using_named), base_iri)
        plan = analyse(algebra, final_text, base_iri, blocks)
        if AUDIT_GRAPH in plan.named_graphs:
            raise AuditProtected(f"The audit graph <{AUDIT_GRAPH}> is written by the server only.")
        if INFERRED_GRAPH in plan.named_graphs:
            raise InferredProtected(INFERRED_REFUSAL)
        return plan

    def update(
        self,
        text: str,
        using: list[str] | None = None,
        using_named: list[str] | None = None,
        base_iri: str | None = None,
        agent: str = "admin",
    ) -> WriteOutcome:
        plan = self.prepare_update(text, list(using or []), list(using_named or []), base_iri)
        with self._lock:
            started = _dt.datetime.now(_dt.timezone.utc)
            raw = self._update_delta(plan)
            if any(q.graph_name == INFERRED for q in raw.inserted) or INFERRED in raw.created_graphs:
                raise InferredProtected(INFERRED_REFUSAL)
            inferred_touched = INFERRED in raw.cleared_graphs or any(
                q.graph_name == INFERRED for q in raw.removed | raw.inserted
            )
            delta = self._protect_audit(raw).without_graph(INFERRED)  # emptied: recomputed after the commit
            focus = self._gate(delta)
            if delta.is_empty:
                # nothing changes (e.g. DELETE DATA of absent quads): the scratch run already raised
                # any error the real run would, so there is nothing to commit or audit
                return WriteOutcome(None, 0, 0, (), (), focus)
            return self._commit(
                delta, focus, kind="SPARQL Update", agent=agent, started=started, request_text=plan.text,
                inferred_touched=inferred_touched,
            )

    def _update_delta(self, plan: UpdatePlan) -> Delta:
        store = getattr(self.target, "store", None)
        if isinstance(store, ox.Store) and only_clears_graphs(plan):
            return clearing_delta(store, plan, ox.NamedNode(AUDIT_GRAPH))
        try:
            return compute_delta(
                self.target, plan, self.max_scratch_quads, evaluator_for(plan.operations, self.update_timeout)
            )
        except ScratchTooLarge as error:
            raise PayloadTooLarge(str(error)) from None

    @staticmethod
    def _protect_audit(raw: Delta) -> Delta:
        """Keep the audit graph append-only: what a write would remove from it (CLEAR ALL, DROP ALL,
        GRAPH ?g) is left out of the committed delta; insertions into it by a client are refused."""
        audit = ox.NamedNode(AUDIT_GRAPH)
        if any(quad.graph_name == audit for quad in raw.inserted) or audit in raw.created_graphs:
            raise AuditProtected(f"The audit graph <{AUDIT_GRAPH}> is written by the server only.")
        return raw.without_graph(audit)

    def _gate(self, delta: Delta) -> int:
        return gate(self.target, delta, limit=self.max_neighbourhood_quads) if self.validate else 0

    def _commit(
        self,
        delta: Delta,
        focus: int,
        *,
        kind: str,
        agent: str,
        started: _dt.datetime,
        request_text: str | None,
        inferred_touched: bool = False,
    ) -> WriteOutcome:
        """Exactly ``delta`` and its audit record, in one transaction (bricskg.store.commit); then the
        inferred graph follows (recomputed when whole graphs were emptied: their quads are not listed)."""
        removed = len(delta.removed)
        store = getattr(self.target, "store", None)
        if delta.cleared_graphs and isinstance(store, ox.Store):
            removed += cleared_quad_count(store, delta.cleared_graphs)
        activity, audit = audit_quads(
            kind=kind, agent=agent, started=started, delta=delta, request_text=request_text, removed_count=removed
        )
        quad_change = self._change(delta, audit)
        if quad_change is not None:
            quad_change -= removed - len(delta.removed)  # the cleared graphs' quads
        if getattr(self.target, "maintains_entailments", False):
            change = entailment_change(delta, names_kept=True, inferred_touched=inferred_touched or bool(delta.cleared_graphs))
            self.target.commit_delta(delta, audit, change, quad_change=quad_change)
        else:
            self.target.commit_delta(delta, audit, quad_change=quad_change)
        return self._outcome(activity, delta, focus, removed)

    # --- Graph Store Protocol ----------------------------------------------------------------------

    def graph_edit(self, edit: GraphEdit, agent: str = "admin", kind: str = "GSP") -> WriteOutcome:
        graph = edit.graph
        if not isinstance(graph, ox.DefaultGraph) and graph.value == AUDIT_GRAPH:
            raise AuditProtected(f"The audit graph <{AUDIT_GRAPH}> is written by the server only.")
        if graph == INFERRED or any(q.graph_name == INFERRED for q in edit.quads):
            raise InferredProtected(INFERRED_REFUSAL)
        with self._lock:
            started = _dt.datetime.now(_dt.timezone.utc)
            store = getattr(self.target, "store", None)
            delta = graph_edit_delta(self.target, edit, clear_whole_graphs=isinstance(store, ox.Store))
            if delta.cleared_graphs:  # deleting an empty default graph changes nothing
                delta = replace(delta, cleared_graphs=frozenset(non_empty(store, delta.cleared_graphs)))
            focus = self._gate(delta)
            if delta.is_empty and not edit.replace:
                return WriteOutcome(None, 0, 0, (), (), focus)
            return self._commit(delta, focus, kind=kind, agent=agent, started=started, request_text=None)

    def load(self, quads: list[ox.Quad], agent: str = "admin") -> WriteOutcome:
        """Add ``quads`` (a bulk load) as one validated write: all of the file or none of it."""
        with self._lock:
            started = _dt.datetime.now(_dt.timezone.utc)
            if any(q.graph_name == ox.NamedNode(AUDIT_GRAPH) for q in quads):
                raise AuditProtected(f"The audit graph <{AUDIT_GRAPH}> is written by the server only.")
            if any(q.graph_name == INFERRED for q in quads):
                raise InferredProtected(INFERRED_REFUSAL)
            incoming = frozenset(quads)
            new = incoming - self.target.present(incoming)
            existing = self.target.graph_names()
            created = frozenset(
                q.graph_name for q in new if not isinstance(q.graph_name, ox.DefaultGraph) and q.graph_name not in existing
            )
            delta = Delta(frozenset(), frozenset(new), created, frozenset())
            focus = self._gate(delta)
            if delta.is_empty:
                return WriteOutcome(None, 0, 0, (), (), focus)
            activity, audit = audit_quads(kind="bulk load", agent=agent, started=started, delta=delta, request_text=None)
            if getattr(self.target, "maintains_entailments", False):
                self.target.commit_quads(
                    list(new) + audit, change=entailment_change(delta, names_kept=True), quad_change=self._change(delta, audit)
                )
            else:
                self.target.commit_quads(list(new) + audit, quad_change=self._change(delta, audit))
            return self._outcome(activity, delta, focus, 0)

    def _change(self, delta: Delta, audit: list[ox.Quad]) -> int | None:
        """Quads a commit adds minus those it removes: the settled delta is exact (it already left out
        quads the store holds), the audit record adds what the store does not hold yet (its agent
        may be known), and audit quads an update removed are restored in the same transaction.
        None (count again) when the write reaches into the inferred graph, which is not counted."""
        from bricskg.inference import INFERRED

        if any(quad.graph_name == INFERRED for quad in (*delta.inserted, *delta.removed)):
            return None
        new_audit = set(audit) - self.target.present(audit)
        return len(delta.inserted) - len(delta.removed) + len(new_audit)

    @staticmethod
    def _outcome(activity: str | None, delta: Delta, focus: int, removed: int) -> WriteOutcome:
        return WriteOutcome(
            activity,
            len(delta.inserted),
            removed,
            tuple(sorted(_graph_label(g) for g in delta.graphs())),
            tuple(sorted(_graph_label(g) for g in delta.created_graphs)),
            focus,
        )


# ---------------------------------------------------------------------------------------------
# The embedded target: C's EmbeddedBackend (a read-write pyoxigraph Store + the shared version)


class EmbeddedTarget:
    """``WritableBackend`` over a pyoxigraph Store; ``on_commit`` bumps the server's store version.

    Atomicity: pyoxigraph 0.5 exposes no multi-call transaction to Python, but ``Store.update`` runs a
    whole multi-operation update in one RocksDB transaction and ``Store.extend`` inserts a batch in
    one; each commit is exactly one such call. Durability: Oxigraph writes each transaction to the
    RocksDB write-ahead log before returning, so an acknowledged write survives a ``kill -9`` of the
    server (tests/test_write_durability.py kills it mid-stream); ``flush`` is not needed for that.

    A storage failure (pyoxigraph's OSError, or a RuntimeError such as RocksDB's "Corruption: …")
    becomes ``BackendUnavailable`` (HTTP 503), never an unexplained 500. The client's update text is
    never run here: what is committed is the validated delta (``commit_delta``), as data.
    """

    def __init__(self, store: ox.Store, on_commit: Any = None, maintains_entailments: bool = False, hermit: bool = False):
        self.store = store
        self.on_commit = on_commit
        self.maintains_entailments = maintains_entailments  # the store holds an inferred graph to keep right
        self.hermit = hermit  # ... with HermiT's class memberships in it (serve --hermit)

    def graph_names(self) -> set[Any]:
        with _store_errors("read"):
            return set(self.store.named_graphs())

    def graph_quads(self, graphs: list[Any]) -> Iterator[ox.Quad]:
        for graph in graphs:
            with _store_errors("read"):
                quads = list(self.store.quads_for_pattern(None, None, None, graph))
            yield from quads

    def present(self, quads: Iterable[ox.Quad]) -> set[ox.Quad]:
        with _store_errors("read"):
            return {quad for quad in quads if quad in self.store}

    def quads_about(self, nodes: list[Any]) -> Iterator[ox.Quad]:
        for node in nodes:
            if not isinstance(node, ox.DefaultGraph):
                with _store_errors("read"):
                    quads = list(self.store.quads_for_pattern(node, None, None, None))
                yield from quads

    def quads_referring_to(self, nodes: list[Any]) -> Iterator[ox.Quad]:
        for node in nodes:
            if not isinstance(node, ox.DefaultGraph):
                with _store_errors("read"):
                    quads = list(self.store.quads_for_pattern(None, None, node, None))
                yield from quads

    def quad_count(self) -> int:
        with _store_errors("read"):
            return len(self.store)

    def commit_update(
        self,
        sparql_update: str,
        base_iri: str | None = None,
        change: EntailmentChange | None = None,
        quad_change: int | None = None,
    ) -> None:
        """``quad_change``: the quads the update adds minus those it removes, outside the inferred
        graph, when the caller knows it (the server then keeps its quad count without a recount)."""
        with _store_errors("write"):
            self.store.update(sparql_update, base_iri=base_iri)
        self._follow(change)
        self._committed(quad_change)

    def commit_quads(self, quads: list[ox.Quad], change: EntailmentChange | None = None, quad_change: int | None = None) -> None:
        with _store_errors("write"):
            self.store.extend(quads)
        self._follow(change)
        self._committed(quad_change)

    def commit_delta(
        self, delta: Delta, audit: list[ox.Quad], change: EntailmentChange | None = None, quad_change: int | None = None
    ) -> None:
        """Exactly ``delta`` plus ``audit`` in one transaction; stored blank nodes are bound directly."""
        if not (delta.removed or delta.cleared_graphs or delta.dropped_graphs or delta.created_graphs):
            self.commit_quads(list(delta.inserted) + list(audit), change, quad_change)  # one ``extend``: one transaction
            return
        update = delta_update(delta, audit, bind_stored_terms=True)
        with _store_errors("write"):
            self.store.update(update.text, custom_functions=update.functions or None)
        self._follow(change)
        self._committed(quad_change)

    def _follow(self, change: EntailmentChange | None) -> None:
        """Update the inferred graph before readers are told of the write (``on_commit`` publishes)."""
        if change is not None and self.maintains_entailments:
            maintain_entailments(self.store, change, hermit=self.hermit)

    def _committed(self, quad_change: int | None) -> None:
        if self.on_commit is not None:
            self.on_commit(quad_change)


@contextmanager
def _store_errors(action: str) -> Iterator[None]:
    """Map the store's own failures to 503; the transaction of a failed commit left nothing behind."""
    from bricskg.store.base import BackendUnavailable
    from bricskg.store.jobs import without_paths

    try:
        yield
    except (OSError, RuntimeError, ValueError) as error:
        detail = without_paths(" ".join(str(error).split()))  # where the store lives is not the client's business
        if action == "write":
            raise BackendUnavailable(f"The store refused the commit ({detail}); nothing was changed. Please retry.") from None
        raise BackendUnavailable(f"The store could not be read just now ({detail}); please retry.") from None


def target_for(backend: Any) -> Any:
    """The write target of a backend: a remote engine is its own; the embedded one is adapted."""
    inner = getattr(backend, "inner", backend)
    if hasattr(inner, "commit_update"):
        if not inner.writable:
            from bricskg.store.base import ReadOnly

            raise ReadOnly("No update endpoint was configured for the SPARQL engine (--backend QUERY_URL,UPDATE_URL).")
        return inner
    store = getattr(inner, "store", None)
    if store is None or not getattr(inner, "writable", False):
        from bricskg.store.base import ReadOnly

        raise ReadOnly("This store was opened read-only.")
    return EmbeddedTarget(
        store,
        on_commit=getattr(inner, "notify_write", None),
        maintains_entailments=bool(getattr(inner, "inference", False)),
        hermit=bool(getattr(inner, "hermit", False)),
    )
