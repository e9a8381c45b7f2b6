"""Full materialisation: the entailments of a whole store, computed set-at-a-time in memory.

How it stays fast at a million triples: the schema is compiled to lookup tables first
(``bricskg.inference.schema``), then only the triples a rule can use are read — by index, per
predicate (``quads_for_pattern(None, p, None)``) — never the whole store; each is fed once through
the rules (semi-naive: a derived triple is fed once, when it is new), with the few joins answered
from dictionaries built for exactly the predicates that join (someValuesFrom, transitivity).
The result, minus what is stated explicitly anywhere, goes into the inferred graph in one
``Store.extend`` (one transaction).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable

import pyoxigraph as ox

from bricskg.inference.rules import cax_sco, is_publishable, prp_dom, prp_rng, rules_for
from bricskg.inference.schema import RDF_TYPE, SUBCLASS_OF, SUBPROPERTY_OF, Schema, compile_schema, schema_triples
from bricskg.inference.terms import Term, Terms, Triple, is_blank


def saturate(frontier: Iterable[Triple], schema: Schema, state: "MutableState") -> list[Triple]:
    """Feed ``frontier`` through the rules to the fixpoint; returns the triples that were new."""
    added: list[Triple] = []
    todo = [(triple, False) for triple in frontier]
    has, add = state.has, state.add
    if isinstance(state, MemoryState) and not state.join_predicates:
        has, add = state.triples.__contains__, state.triples.add  # no index to keep: plain set operations
    while todo:
        next_round: list[tuple[Triple, bool]] = []
        for triple, closed in todo:
            for rule in rules_for(triple, schema):
                if closed and rule is cax_sco:
                    continue  # its superclasses came out with it: the hierarchy is closed
                concludes_closed = rule in CLOSED_TYPE_RULES
                for derived in rule(triple, schema, state):
                    if not has(derived):
                        add(derived)
                        added.append(derived)
                        next_round.append((derived, concludes_closed))
        todo = next_round
    return added


# Rules whose type conclusions already include every superclass (the tables are closed), so feeding
# such a conclusion to cax-sco again finds nothing new.
CLOSED_TYPE_RULES = (cax_sco, prp_dom, prp_rng)


class MutableState:
    """A ``State`` that can also record a derived triple."""

    def has(self, triple: Triple) -> bool:  # pragma: no cover - interface
        raise NotImplementedError

    def subjects(self, predicate: Term, obj: Term) -> Iterable[Term]:  # pragma: no cover - interface
        raise NotImplementedError

    def objects(self, subject: Term, predicate: Term) -> Iterable[Term]:  # pragma: no cover - interface
        raise NotImplementedError

    def add(self, triple: Triple) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class MemoryState(MutableState):
    """Every triple a rule can read, as Python sets, with join indexes for the joining predicates."""

    def __init__(self, triples: Iterable[Triple], join_predicates: Iterable[Term]):
        self.triples: set[Triple] = set(triples)
        self.join_predicates = frozenset(join_predicates)
        self._by_object: dict[Term, dict[Term, set[Term]]] = {p: defaultdict(set) for p in self.join_predicates}
        self._by_subject: dict[Term, dict[Term, set[Term]]] = {p: defaultdict(set) for p in self.join_predicates}
        for triple in self.triples:
            self._index(triple)

    def _index(self, triple: Triple) -> None:
        s, p, o = triple
        if p in self.join_predicates:
            self._by_object[p][o].add(s)
            self._by_subject[p][s].add(o)

    def has(self, triple: Triple) -> bool:
        return triple in self.triples

    def subjects(self, predicate: Term, obj: Term) -> Iterable[Term]:
        index = self._by_object.get(predicate)
        return tuple(index.get(obj, ())) if index is not None else ()

    def objects(self, subject: Term, predicate: Term) -> Iterable[Term]:
        index = self._by_subject.get(predicate)
        return tuple(index.get(subject, ())) if index is not None else ()

    def add(self, triple: Triple) -> None:
        self.triples.add(triple)
        self._index(triple)


def join_predicates(schema: Schema) -> frozenset[Term]:
    """The predicates a rule joins on: someValuesFrom properties (both ways) and transitive ones."""
    found: set[Term] = set(schema.transitive) | set(schema.some_values)
    return frozenset(found)


def rule_inputs(store: ox.Store, schema: Schema, terms: Terms, exclude_graph: ox.NamedNode | None) -> set[Triple]:
    """The explicit triples a rule can read or conclude, read by predicate through the store's index."""
    predicates = schema.premise_predicates | schema.conclusion_predicates | {RDF_TYPE}
    found: set[Triple] = set()
    text = terms.text
    for predicate in predicates:
        if predicate[0] != "<":
            continue
        quads = store.quads_for_pattern(None, terms.term(predicate), None, None)
        if exclude_graph is None:  # the common case (materialise drops the graph first): no check per quad
            found.update((text(quad.subject), predicate, text(quad.object)) for quad in quads)
        else:
            found.update((text(q.subject), predicate, text(q.object)) for q in quads if q.graph_name != exclude_graph)
    return found


@dataclass(frozen=True)
class Materialisation:
    """What ``entailments`` computed."""

    inferred: frozenset[Triple]  # publishable entailments not stated explicitly
    explicit_inputs: int  # explicit triples the rules read
    schema: Schema
    terms: Terms  # to turn ``inferred`` back into the store's own terms


def entailments(store: ox.Store, exclude_graph: ox.NamedNode | None = None) -> Materialisation:
    """The publishable entailments of ``store`` (all graphs but ``exclude_graph``) not stated in it."""
    terms = Terms()
    if exclude_graph is not None and next(store.quads_for_pattern(None, None, None, exclude_graph), None) is None:
        exclude_graph = None  # empty: nothing to leave out
    stated_schema = set(schema_triples(store, terms, exclude_graph))
    schema = compile_schema(stated_schema)
    explicit = rule_inputs(store, schema, terms, exclude_graph)
    state = MemoryState(explicit, join_predicates(schema))
    derived = saturate(explicit, schema, state)
    hierarchy = {t for t in schema_hierarchy(schema) if t not in stated_schema}
    inferred = frozenset(t for t in derived if is_publishable(t)) | hierarchy
    return Materialisation(inferred, len(explicit), schema, terms)


def schema_hierarchy(schema: Schema) -> set[Triple]:
    """rdfs5 / rdfs11 (scm-sco, scm-spo): the transitive subclass and subproperty links between
    named terms (anonymous class expressions stay internal)."""
    found: set[Triple] = set()
    for table, predicate in ((schema.superclasses, SUBCLASS_OF), (schema.superproperties, SUBPROPERTY_OF)):
        for sub, supers in table.items():
            if not is_blank(sub):
                found.update((sub, predicate, sup) for sup in supers if not is_blank(sup))
    return found


def closure_of(triples: Iterable[tuple]) -> set[tuple]:
    """The publishable entailments of a small in-memory set of triples (schema included), given and
    returned as pyoxigraph terms: for tests, and to check maintenance against a full recompute."""
    terms = Terms()
    given = {(terms.text(s), str(p), terms.text(o)) for s, p, o in triples}
    return {(terms.term(s), terms.term(p), terms.term(o)) for s, p, o in _closure_of_text(given)}


def _closure_of_text(triples: set[Triple]) -> set[Triple]:
    schema = compile_schema(triples)
    state = MemoryState(triples, join_predicates(schema))
    derived = saturate(triples, schema, state)
    return {t for t in derived if is_publishable(t)} | (schema_hierarchy(schema) - triples)
