"""Keeping the inferred graph right after a write, at a cost proportional to what the write touches.

Called once the write's explicit change is in the store (and before readers are shown it), with the
quads the write removed and inserted:

* insertions — semi-naive: the new triples are fed through the rules, joining against the store
  by index; what is new and not stated explicitly goes into the inferred graph. A triple that is
  now stated explicitly leaves the inferred graph (the graph never repeats a stated triple);
* deletions — DRed (delete and rederive, Gupta, Mumick & Subrahmanian 1993): everything the removed
  triples could have contributed to is over-deleted from the inferred graph, then whatever of it
  (and of the removed triples themselves) still has a one-step derivation from what remains is
  re-derived and propagated. Every rule's conclusion shares its subject or object with a premise,
  so the one-step check reads only the triples around the over-deleted ones.

A write that changes the schema (a subclass, domain, inverse… axiom) changes every conclusion
that axiom feeds: the whole graph is recomputed (``bricskg.inference.materialise``).
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable

import pyoxigraph as ox

from bricskg.inference import INFERRED, materialise, write_inferred
from bricskg.inference.closure import MutableState, saturate
from bricskg.inference.hermit import reads_defined_classes
from bricskg.inference.rules import consequences, is_member, is_publishable
from bricskg.inference.schema import RDF_TYPE, Schema, compile_schema, schema_triples, touches_schema
from bricskg.inference.terms import Term, Terms, Triple, is_blank, is_literal


@dataclass(frozen=True)
class MaintenanceReport:
    added: int
    removed: int
    seconds: float
    full_recompute: bool = False
    # the triples (N-Triples text) the inferred graph gained and lost, for a store that mirrors them
    # elsewhere (bricskg.store.remote_entailments); empty after a full recompute, which lists nothing
    added_triples: tuple[Triple, ...] = ()
    removed_triples: tuple[Triple, ...] = ()


class TripleIndex:
    """A set of triples indexed by (predicate, object) and (subject, predicate), for the joins."""

    def __init__(self, triples: Iterable[Triple] = ()):
        self.triples: set[Triple] = set()
        self._by_po: dict[tuple[Term, Term], set[Term]] = defaultdict(set)
        self._by_sp: dict[tuple[Term, Term], set[Term]] = defaultdict(set)
        for triple in triples:
            self.add(triple)

    def __contains__(self, triple: object) -> bool:
        return triple in self.triples

    def __iter__(self):
        return iter(self.triples)

    def __len__(self) -> int:
        return len(self.triples)

    def add(self, triple: Triple) -> None:
        if triple not in self.triples:
            self.triples.add(triple)
            s, p, o = triple
            self._by_po[(p, o)].add(s)
            self._by_sp[(s, p)].add(o)

    def discard(self, triple: Triple) -> None:
        if triple in self.triples:
            self.triples.discard(triple)
            s, p, o = triple
            self._by_po[(p, o)].discard(s)
            self._by_sp[(s, p)].discard(o)

    def subjects(self, predicate: Term, obj: Term) -> set[Term]:
        return self._by_po.get((predicate, obj), set())

    def objects(self, subject: Term, predicate: Term) -> set[Term]:
        return self._by_sp.get((subject, predicate), set())


class StoreState(MutableState):
    """The closure as the store holds it (explicit graphs + inferred graph), with pending changes to
    the inferred graph kept aside until they are written in one go."""

    def __init__(self, store: ox.Store, schema: Schema, terms: Terms):
        self.store = store
        self.schema = schema
        self.terms = terms
        self.added = TripleIndex()  # to add to the inferred graph
        self.dropped: set[Triple] = set()  # to remove from it
        self._stored_cache: dict[Triple, tuple[bool, bool]] = {}

    def stored(self, triple: Triple) -> tuple[bool, bool]:
        """(stated in some other graph, held by the inferred graph), from the store."""
        cached = self._stored_cache.get(triple)
        if cached is None:
            s, p, o = triple
            explicit = inferred = False
            if not is_literal(s) and p[0] == "<":
                term = self.terms.term
                for quad in self.store.quads_for_pattern(term(s), term(p), term(o), None):
                    if quad.graph_name == INFERRED:
                        inferred = True
                    else:
                        explicit = True  # no early exit: the inferred graph may hold it too (just stated)
            cached = (explicit, inferred)
            self._stored_cache[triple] = cached
        return cached

    def explicit(self, triple: Triple) -> bool:
        return self.stored(triple)[0]

    def has(self, triple: Triple) -> bool:
        if triple in self.added:
            return True
        explicit, inferred = self.stored(triple)
        return explicit or (inferred and triple not in self.dropped)

    def add(self, triple: Triple) -> None:
        self.added.add(triple)
        self.dropped.discard(triple)

    def drop(self, triple: Triple) -> None:
        self.added.discard(triple)
        self.dropped.add(triple)

    def subjects(self, predicate: Term, obj: Term) -> Iterable[Term]:
        term, text = self.terms.term, self.terms.text
        found = {text(q.subject) for q in self.store.quads_for_pattern(None, term(predicate), term(obj), None)}
        found |= self.added.subjects(predicate, obj)
        return [s for s in found if self.has((s, predicate, obj))]

    def objects(self, subject: Term, predicate: Term) -> Iterable[Term]:
        if is_literal(subject):
            return []
        term, text = self.terms.term, self.terms.text
        found = {text(q.object) for q in self.store.quads_for_pattern(term(subject), term(predicate), None, None)}
        found |= self.added.objects(subject, predicate)
        return [o for o in found if self.has((subject, predicate, o))]


class _OverdeleteView:
    """The closure before the write, over-approximated: what the store holds, plus what was removed
    and what is being over-deleted, and every anonymous class membership (never stored)."""

    def __init__(self, state: StoreState, removed: TripleIndex, doomed: TripleIndex):
        self.state, self.removed, self.doomed = state, removed, doomed

    def has(self, triple: Triple) -> bool:
        if triple[1] == RDF_TYPE and is_blank(triple[2]):
            return True
        return triple in self.removed or triple in self.doomed or self.state.has(triple)

    def subjects(self, predicate: Term, obj: Term) -> Iterable[Term]:
        extra = self.removed.subjects(predicate, obj) | self.doomed.subjects(predicate, obj)
        return set(self.state.subjects(predicate, obj)) | extra

    def objects(self, subject: Term, predicate: Term) -> Iterable[Term]:
        extra = self.removed.objects(subject, predicate) | self.doomed.objects(subject, predicate)
        return set(self.state.objects(subject, predicate)) | extra


def _triples(quads: Iterable[ox.Quad], terms: Terms) -> set[Triple]:
    return {terms.triple(q) for q in quads if q.graph_name != INFERRED}


def maintain(
    store: ox.Store, removed: Iterable[ox.Quad], inserted: Iterable[ox.Quad], *, hermit: bool = False
) -> MaintenanceReport:
    """Bring the inferred graph of ``store`` up to date with a change already applied to it.

    With ``hermit`` (the graph holds HermiT's memberships too), a change to what a defined class
    reads is followed by a full recompute, rules and HermiT: HermiT has no incremental mode."""
    began = time.perf_counter()
    terms = Terms()
    removed_triples, inserted_triples = _triples(removed, terms), _triples(inserted, terms)
    schema = compile_schema(schema_triples(store, terms, INFERRED))
    changed = removed_triples | inserted_triples
    if touches_schema(changed) or (hermit and reads_defined_classes(changed, schema)):
        report = materialise(store, hermit=hermit)
        return MaintenanceReport(report.inferred, 0, time.perf_counter() - began, full_recompute=True)
    state = StoreState(store, schema, terms)
    gone = {t for t in removed_triples if not state.explicit(t)}  # stated nowhere any more
    if gone:
        _delete_and_rederive(state, schema, gone)
    for triple in inserted_triples:
        if state.stored(triple)[1]:
            state.dropped.add(triple)  # stated now: the inferred graph does not repeat it
    saturate(inserted_triples, schema, state)
    return _write(store, state, began)


def _delete_and_rederive(state: StoreState, schema: Schema, gone: set[Triple]) -> None:
    doomed = TripleIndex()  # over-deleted conclusions the inferred graph holds
    virtual: set[Triple] = set()  # anonymous class memberships passed through (never stored)
    view = _OverdeleteView(state, TripleIndex(gone), doomed)
    todo = list(gone)
    while todo:
        next_round: list[Triple] = []
        for triple in todo:
            for derived in consequences(triple, schema, view):
                if not is_publishable(derived):
                    if derived not in virtual:
                        virtual.add(derived)
                        next_round.append(derived)
                elif derived not in doomed and not state.explicit(derived) and state.stored(derived)[1]:
                    doomed.add(derived)
                    next_round.append(derived)
        todo = next_round
    for triple in doomed:
        state.drop(triple)
    # Rederive: one rule step from what remains around the candidates, then propagate.
    candidates = doomed.triples | gone
    # Every rule's premises mention the subject of its conclusion: as their subject, or as their
    # object for prp-rng, prp-inv and prp-symp only. So the triples about the candidates' subjects,
    # and those pointing at them with a predicate that has a range or an inverse, hold every one-step
    # derivation; a state or a bloc is the object of thousands of other triples that need not be read.
    nodes = {s for s, _, _ in candidates}
    backwards = [state.terms.term(p) for p in set(schema.ranges) | set(schema.inverses) if p[0] == "<"]
    premises: set[Triple] = set()
    memberships: set[Triple] = set()  # of anonymous classes: evaluated, never stored
    relevant = schema.premise_predicates | {RDF_TYPE}

    def still_holds(quad: ox.Quad) -> Triple | None:
        """A stored premise, unless it is an inferred triple being deleted (no store lookup needed)."""
        if str(quad.predicate) not in relevant:
            return None
        triple = state.terms.triple(quad)
        if quad.graph_name == INFERRED and triple in state.dropped:
            return None
        return triple

    named = sorted(n for n in nodes if n[0] == "<")
    for chunk in range(0, len(named), ABOUT_CHUNK):
        premises |= _stated_about(state.store, named[chunk : chunk + ABOUT_CHUNK], relevant, state.terms)
    for quad in (q for node in named for q in state.store.quads_for_pattern(state.terms.term(node), None, None, INFERRED)):
        premises.add(still_holds(quad))  # type: ignore[arg-type]
    for node in nodes:
        term = state.terms.term(node)
        if node[0] != "<":  # a blank node: SPARQL cannot name it, read it quad by quad
            for quad in state.store.quads_for_pattern(term, None, None, None):
                premises.add(still_holds(quad))  # type: ignore[arg-type]
        for predicate in backwards:
            for quad in state.store.quads_for_pattern(None, predicate, term, None):
                premises.add(still_holds(quad))  # type: ignore[arg-type]
        for cls in _anonymous_classes(schema):
            if is_member(state, schema, node, cls):
                memberships.add((node, RDF_TYPE, cls))
    premises.discard(None)  # type: ignore[arg-type]
    premises = (premises - candidates) | memberships
    rederived: list[Triple] = []
    for premise in premises:
        for derived in consequences(premise, schema, state):
            if derived in candidates and not state.has(derived):
                state.add(derived)
                rederived.append(derived)
    saturate(rederived, schema, state)


ABOUT_CHUNK = 500  # IRIs per VALUES block


def _stated_about(store: ox.Store, subjects: list[Term], relevant: frozenset[Term], terms: Terms) -> set[Triple]:
    """The stated triples about ``subjects``, each once: the claim graphs restate a state's type and
    label in every claim about it, so reading quad by quad met each triple dozens of times at 1M."""
    query = (
        "SELECT DISTINCT ?s ?p ?o WHERE { VALUES ?s { " + " ".join(subjects) + " } "
        f"{{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{INFERRED.value}>) }} UNION {{ ?s ?p ?o }} }}"
    )
    found: set[Triple] = set()
    for solution in store.query(query):
        predicate = str(solution["p"])
        if predicate in relevant:
            found.add((str(solution["s"]), predicate, terms.text(solution["o"])))
    return found


def _anonymous_classes(schema: Schema) -> list[Term]:
    classes = set(schema.restriction_some) | set(schema.restriction_value) | set(schema.intersections)
    return [c for c in classes if is_blank(c)]


def _write(store: ox.Store, state: StoreState, began: float) -> MaintenanceReport:
    """Apply the pending changes: removals quad by quad, additions in one bulk load."""
    to_add = [t for t in state.added if is_publishable(t) and not state.stored(t)[1]]
    to_remove = [t for t in state.dropped if state.stored(t)[1]]
    term = state.terms.term
    for s, p, o in to_remove:
        store.remove(ox.Quad(term(s), term(p), term(o), INFERRED))
    write_inferred(store, to_add, state.terms)
    return MaintenanceReport(
        len(to_add), len(to_remove), time.perf_counter() - began, added_triples=tuple(to_add), removed_triples=tuple(to_remove)
    )
