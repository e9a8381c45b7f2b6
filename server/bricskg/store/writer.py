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

Why the commit re-runs the update text rather than writing the computed quads: SPARQL Update
cannot name a stored blank node (DELETE DATA forbids them), so a delta that removes blank-node
quads cannot be written back as data. Re-running a *deterministic* update on the real store gives
the validated delta exactly (up to fresh blank-node names), because the delta was computed by the
same engine on a copy of every graph the update can observe and the writer lock keeps the store
still in between. Updates whose result depends on the clock, randomness or evaluation order are
committed as DELETE DATA/INSERT DATA of the computed delta; if that delta involves stored blank
nodes, they are refused (400) with a message saying why.
"""

from __future__ import annotations

import datetime as _dt
import re
import threading
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Iterable, Iterator

import pyoxigraph as ox

from bricskg.config import BASE_IRI
from bricskg.dataset import ONTOLOGY_GRAPH
from bricskg.store.base import Forbidden, PayloadTooLarge, QueryRefused, ValidationFailed
from bricskg.store.delta import (
    _TOKEN,
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


# ---------------------------------------------------------------------------------------------
# Serialising quads into SPARQL update text


def _quad_block(quads: Iterable[ox.Quad]) -> str:
    """Quads as the body of INSERT DATA / DELETE DATA (N-Triples term syntax is valid SPARQL)."""
    by_graph: dict[Any, list[str]] = {}
    for quad in quads:
        by_graph.setdefault(quad.graph_name, []).append(f"{quad.subject} {quad.predicate} {quad.object} .")
    parts = []
    for graph, lines in sorted(by_graph.items(), key=lambda item: str(item[0])):
        body = "\n".join(lines)
        parts.append(body if isinstance(graph, ox.DefaultGraph) else f"GRAPH {graph} {{\n{body}\n}}")
    return "\n".join(parts)


def insert_data(quads: Iterable[ox.Quad]) -> str:
    quads = list(quads)
    return f"INSERT DATA {{\n{_quad_block(quads)}\n}}" if quads else ""


def delete_data(quads: Iterable[ox.Quad]) -> str:
    quads = list(quads)
    return f"DELETE DATA {{\n{_quad_block(quads)}\n}}" if quads else ""


def join_updates(*parts: str) -> str:
    """Operations joined by ';' — tolerant of a user text that already ends with ';' or a comment."""
    out = ""
    for part in parts:
        if not part.strip():
            continue
        if not out:
            out = part
            continue
        out += "\n" if _ends_with_separator(out) else "\n;\n"
        out += part
    return out


def _ends_with_separator(text: str) -> bool:
    last = None
    for match in _TOKEN.finditer(text):
        if match.lastgroup != "comment" and not match.group().isspace():
            last = match.group()
    return last == ";"


def _graph_label(graph: Any) -> str:
    return "" if isinstance(graph, ox.DefaultGraph) else graph.value


def _has_blank(quad: ox.Quad) -> bool:
    return any(isinstance(term, ox.BlankNode) for term in (quad.subject, quad.object, quad.graph_name))


# ---------------------------------------------------------------------------------------------
# The audit record


def audit_quads(
    *,
    kind: str,
    agent: str,
    started: _dt.datetime,
    delta: Delta,
    request_text: str | None,
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
        q(activity, AUDIT_VOCAB + "quadsRemoved", lit(len(delta.removed), "integer")),
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


def neighbourhood(target: Any, delta: Delta, *, limit: int = MAX_NEIGHBOURHOOD_QUADS) -> ox.Store:
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
    # the content of changed named graphs (rules about claim graphs themselves use GRAPH)
    named = [g for g in delta.graphs() if not isinstance(g, ox.DefaultGraph) and g.value != AUDIT_GRAPH]
    take(target.graph_quads(named)) if named else None
    # the class hierarchy: SHACL class targets and sh:class follow rdfs:subClassOf in the data graph
    take(target.graph_quads([ox.NamedNode(ONTOLOGY_GRAPH)]))
    store = ox.Store()
    store.extend(collected - delta.removed)
    store.extend(delta.inserted)
    for graph in set(target.graph_names()) & {g for g in named} | set(delta.created_graphs):
        if graph not in delta.dropped_graphs:
            store.add_graph(graph)
    return store


def gate(target: Any, delta: Delta) -> int:
    """Raise ValidationFailed unless the state after ``delta`` conforms around it; returns #focus nodes."""
    from bricskg.validation import affected_focus_nodes, after_change, context_store, validate_dataset

    checked = delta.without_graph(ox.NamedNode(AUDIT_GRAPH)).without_graph(INFERRED)
    if checked.is_empty:
        return 0
    target = ExplicitView(target)
    state = neighbourhood(target, checked)
    focus = affected_focus_nodes(state, list(checked.removed | checked.inserted))
    focus |= {_to_rdflib(g) for g in checked.created_graphs | checked.dropped_graphs}
    if not focus:
        return 0
    # Validate on what the focus nodes' shapes look at, read from the store as the write would leave
    # it: the neighbourhood above finds the focus nodes, but a SPARQL rule over a claim graph's content
    # or a bloc's memberships needs more than a fixed number of hops (it refused conforming writes).
    after = after_change(target, checked.inserted, checked.removed, checked.created_graphs, checked.dropped_graphs)
    report = validate_dataset(context_store(after, focus), focus_nodes=focus)
    if not report.conforms:
        count = len(report.violations)
        raise ValidationFailed(
            f"The write was rejected: it would leave {count} SHACL violation(s). Nothing was changed.", report
        )
    return len(focus)


def _to_rdflib(term: Any) -> Any:
    from bricskg.validation.terms import to_rdflib

    return to_rdflib(term)


# ---------------------------------------------------------------------------------------------
# The writer


class Writer:
    """Serialised, validated, audited writes to one ``WritableBackend``-like target."""

    def __init__(self, target: Any, *, validate: bool = True, max_scratch_quads: int = 2_000_000):
        self.target = target
        self.validate = validate
        self.max_scratch_quads = max_scratch_quads
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
            try:
                raw = compute_delta(self.target, plan, self.max_scratch_quads)
            except ScratchTooLarge as error:
                raise PayloadTooLarge(str(error)) from None
            delta, restore = self._protect_audit(raw)
            inferred_touched = any(q.graph_name == INFERRED for q in delta.removed | delta.inserted)
            if any(q.graph_name == INFERRED for q in delta.inserted) or INFERRED in delta.created_graphs:
                raise InferredProtected(INFERRED_REFUSAL)
            delta = delta.without_graph(INFERRED)  # emptied by CLEAR ALL / GRAPH ?g: recomputed after the commit
            focus = gate(self.target, delta) if self.validate else 0
            if delta.is_empty and not restore:
                # nothing changes (e.g. DELETE DATA of absent quads): the scratch run already raised
                # any error the real run would, so there is nothing to commit or audit
                return WriteOutcome(None, 0, 0, (), (), focus)
            activity, audit = audit_quads(
                kind="SPARQL Update", agent=agent, started=started, delta=delta, request_text=plan.text
            )
            body = plan.text if plan.deterministic else self._explicit(delta, raw)
            change = entailment_change(delta, names_kept=False, inferred_touched=inferred_touched)
            self._commit_update(
                join_updates(body, insert_data(restore), insert_data(audit)), plan.base_iri, change, self._change(delta, audit)
            )
            return self._outcome(activity, delta, focus)

    def _commit_update(self, text: str, base_iri: str | None, change: EntailmentChange, quad_change: int | None) -> None:
        if getattr(self.target, "maintains_entailments", False):
            self.target.commit_update(text, base_iri, change=change, quad_change=quad_change)
        else:
            self.target.commit_update(text, base_iri, quad_change=quad_change)

    def _explicit(self, delta: Delta, raw: Delta) -> str:
        """DELETE DATA + INSERT DATA of a computed delta; refused when it involves stored blank nodes."""
        if any(_has_blank(quad) for quad in delta.removed):
            raise QueryRefused(
                "This update uses RAND/NOW/UUID/STRUUID/SAMPLE/GROUP_CONCAT or LIMIT without ORDER BY, so its "
                "validated result cannot be re-run, and it removes blank-node triples, which SPARQL cannot "
                "name in DELETE DATA. Make the update deterministic or avoid matching blank nodes."
            )
        stored_blanks = {t for q in raw.removed for t in (q.subject, q.object) if isinstance(t, ox.BlankNode)}
        if any(t in stored_blanks for q in delta.inserted for t in (q.subject, q.object)):
            raise QueryRefused(
                "This non-deterministic update inserts triples about existing blank nodes, which SPARQL "
                "INSERT DATA cannot name. Make the update deterministic or avoid blank nodes."
            )
        parts = [delete_data(delta.removed), insert_data(delta.inserted)]
        parts += [f"CREATE SILENT GRAPH {g}" for g in delta.created_graphs]
        parts += [f"DROP SILENT GRAPH {g}" for g in delta.dropped_graphs]
        return join_updates(*parts)

    @staticmethod
    def _protect_audit(raw: Delta) -> tuple[Delta, list[ox.Quad]]:
        """Keep the audit graph append-only: removals (CLEAR ALL, DROP ALL, GRAPH ?g) are undone in the
        same transaction; insertions into it by a client are refused."""
        audit = ox.NamedNode(AUDIT_GRAPH)
        if any(quad.graph_name == audit for quad in raw.inserted) or audit in raw.created_graphs:
            raise AuditProtected(f"The audit graph <{AUDIT_GRAPH}> is written by the server only.")
        restore = [quad for quad in raw.removed if quad.graph_name == audit]
        return raw.without_graph(audit), restore

    # --- Graph Store Protocol ----------------------------------------------------------------------

    def graph_edit(self, edit: GraphEdit, agent: str = "admin", kind: str = "GSP") -> WriteOutcome:
        graph = edit.graph
        if not isinstance(graph, ox.DefaultGraph) and graph.value == AUDIT_GRAPH:
            raise AuditProtected(f"The audit graph <{AUDIT_GRAPH}> is written by the server only.")
        if graph == INFERRED or any(q.graph_name == INFERRED for q in edit.quads):
            raise InferredProtected(INFERRED_REFUSAL)
        with self._lock:
            started = _dt.datetime.now(_dt.timezone.utc)
            delta = graph_edit_delta(self.target, edit)
            focus = gate(self.target, delta) if self.validate else 0
            if delta.is_empty and not edit.replace:
                return WriteOutcome(None, 0, 0, (), (), focus)
            activity, audit = audit_quads(kind=kind, agent=agent, started=started, delta=delta, request_text=None)
            target = "DEFAULT" if isinstance(graph, ox.DefaultGraph) else f"GRAPH {graph}"
            parts: list[str] = []
            if edit.delete:
                parts.append(f"DROP SILENT {target}" if not isinstance(graph, ox.DefaultGraph) else "CLEAR SILENT DEFAULT")
            else:
                if edit.replace:
                    parts.append(f"CLEAR SILENT {target}")
                if not isinstance(graph, ox.DefaultGraph):
                    parts.append(f"CREATE SILENT GRAPH {graph}")
                parts.append(insert_data(edit.quads))
            self._commit_update(
                join_updates(*parts, insert_data(audit)), None, entailment_change(delta, names_kept=False), self._change(delta, audit)
            )
            return self._outcome(activity, delta, focus)

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
            focus = gate(self.target, delta) if self.validate else 0
            if delta.is_empty:
                return WriteOutcome(None, 0, 0, (), (), focus)
            activity, audit = audit_quads(kind="bulk load", agent=agent, started=started, delta=delta, request_text=None)
            if getattr(self.target, "maintains_entailments", False):
                self.target.commit_quads(
                    list(new) + audit, change=entailment_change(delta, names_kept=True), quad_change=self._change(delta, audit)
                )
            else:
                self.target.commit_quads(list(new) + audit, quad_change=self._change(delta, audit))
            return self._outcome(activity, delta, focus)

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
    def _outcome(activity: str | None, delta: Delta, focus: int) -> WriteOutcome:
        return WriteOutcome(
            activity,
            len(delta.inserted),
            len(delta.removed),
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
    becomes ``BackendUnavailable`` (HTTP 503), never an unexplained 500. The update text itself can
    no longer be at fault at commit time: the same text already ran on the scratch copy.
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
    """The write target of a backend: a remote engine is its own; C's embedded one is adapted."""
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
