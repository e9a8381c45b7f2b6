"""The instance rules: what one triple entails, given the compiled schema and the rest of the graph.

Each rule is a function ``rule(triple, schema, state)`` yielding the triples it concludes, with the
triple as one of its premises; the other premise of a two-premise rule (cls-svf1, cls-int1,
prp-trp) is looked up in ``state``. Fed every triple once (``bricskg.inference.closure``), they
reach the fixpoint: a conclusion with two premises is found when the second of them arrives.

Class expressions that are blank nodes (the restrictions and intersections of the defined classes)
take part in reasoning but are never written out: ``x rdf:type _:b`` would show clients the
ontology's internal blank nodes. A state answers membership of such a class by evaluating it
(``is_member``) rather than by lookup, so incremental maintenance needs no stored copy of them.
"""

from __future__ import annotations

from typing import Callable, Iterable, Iterator, Protocol

from bricskg.inference.schema import RDF_TYPE, Schema
from bricskg.inference.terms import Term, Triple, is_blank, is_literal


class State(Protocol):
    """What the rules may ask of the graph (explicit triples plus what has been inferred so far)."""

    def has(self, triple: Triple) -> bool: ...

    def subjects(self, predicate: Term, obj: Term) -> Iterable[Term]: ...

    def objects(self, subject: Term, predicate: Term) -> Iterable[Term]: ...


def is_member(state: State, schema: Schema, node: Term, cls: Term, depth: int = 0) -> bool:
    """Whether ``node`` is in ``cls``: a lookup for a named class, an evaluation for a blank-node
    restriction or intersection (cls-svf1, cls-hv2, cls-int1 read backwards)."""
    if not is_blank(cls) or depth > 8:
        return state.has((node, RDF_TYPE, cls))
    if cls in schema.restriction_value:
        prop, value = schema.restriction_value[cls]
        return state.has((node, prop, value))
    if cls in schema.restriction_some:
        prop, filler = schema.restriction_some[cls]
        return any(filler is None or is_member(state, schema, y, filler, depth + 1) for y in state.objects(node, prop))
    if cls in schema.intersections:
        return all(is_member(state, schema, node, part, depth + 1) for part in schema.intersections[cls])
    return state.has((node, RDF_TYPE, cls))


# --- rules with an rdf:type premise ---------------------------------------------------------------


def cax_sco(triple: Triple, schema: Schema, state: State) -> Iterator[Triple]:
    """rdfs9 / cax-sco / cax-eqc / cls-int2: x a C, C ⊑ D ⟹ x a D."""
    x, p, c = triple
    if p == RDF_TYPE:
        for d in schema.superclasses.get(c, ()):
            yield (x, RDF_TYPE, d)


def cls_int1(triple: Triple, schema: Schema, state: State) -> Iterator[Triple]:
    """cls-int1: x a C1 … x a Cn, I ≡ C1 ⊓ … ⊓ Cn ⟹ x a I (fired by each component's arrival)."""
    x, p, c = triple
    if p != RDF_TYPE:
        return
    for intersection in schema.intersections_with.get(c, ()):
        parts = schema.intersections[intersection]
        if all(part == c or is_member(state, schema, x, part) for part in parts):
            yield (x, RDF_TYPE, intersection)


def cls_svf1_by_filler(triple: Triple, schema: Schema, state: State) -> Iterator[Triple]:
    """cls-svf1, second premise arriving: y a D, x p y, R = ∃p.D ⟹ x a R."""
    y, p, d = triple
    if p != RDF_TYPE:
        return
    for prop, restriction in schema.some_values_by_filler.get(d, ()):
        for x in state.subjects(prop, y):
            yield (x, RDF_TYPE, restriction)


def cls_hv1(triple: Triple, schema: Schema, state: State) -> Iterator[Triple]:
    """cls-hv1: x a R, R = ∃p.{v} ⟹ x p v."""
    x, p, r = triple
    if p == RDF_TYPE and r in schema.restriction_value:
        prop, value = schema.restriction_value[r]
        yield (x, prop, value)


# --- rules with a property premise ------------------------------------------------------------------


def prp_spo1(triple: Triple, schema: Schema, state: State) -> Iterator[Triple]:
    """rdfs7 / prp-spo1 / prp-eqp: x p y, p ⊑ q ⟹ x q y."""
    x, p, y = triple
    for q in schema.superproperties.get(p, ()):
        yield (x, q, y)


def prp_inv(triple: Triple, schema: Schema, state: State) -> Iterator[Triple]:
    """prp-inv1/2 and prp-symp: x p y, p inverse of q (q = p if symmetric) ⟹ y q x."""
    x, p, y = triple
    if is_literal(y):
        return
    for q in schema.inverses.get(p, ()):
        yield (y, q, x)


def prp_trp(triple: Triple, schema: Schema, state: State) -> Iterator[Triple]:
    """prp-trp: x p y, y p z ⟹ x p z (joined both ways, so either premise may arrive last)."""
    x, p, y = triple
    if p not in schema.transitive:
        return
    for z in list(state.objects(y, p)):
        yield (x, p, z)
    for w in list(state.subjects(p, x)):
        yield (w, p, y)


def prp_dom(triple: Triple, schema: Schema, state: State) -> Iterator[Triple]:
    """rdfs2 / prp-dom: x p y, p rdfs:domain C ⟹ x a C."""
    x, p, _ = triple
    for c in schema.domains.get(p, ()):
        yield (x, RDF_TYPE, c)


def prp_rng(triple: Triple, schema: Schema, state: State) -> Iterator[Triple]:
    """rdfs3 / prp-rng: x p y, p rdfs:range C ⟹ y a C (not for literals: RDF has no literal subjects)."""
    _, p, y = triple
    if is_literal(y):
        return
    for c in schema.ranges.get(p, ()):
        yield (y, RDF_TYPE, c)


def cls_svf1_by_property(triple: Triple, schema: Schema, state: State) -> Iterator[Triple]:
    """cls-svf1 / cls-svf2, first premise arriving: x p y, y a D (or D = owl:Thing) ⟹ x a ∃p.D."""
    x, p, y = triple
    for filler, restriction in schema.some_values.get(p, ()):
        if filler is None or is_member(state, schema, y, filler):
            yield (x, RDF_TYPE, restriction)


def cls_hv2(triple: Triple, schema: Schema, state: State) -> Iterator[Triple]:
    """cls-hv2: x p v, R = ∃p.{v} ⟹ x a R."""
    x, p, v = triple
    for restriction in schema.has_value.get((p, v), ()):
        yield (x, RDF_TYPE, restriction)


Rule = Callable[[Triple, Schema, State], Iterator[Triple]]
TYPE_RULES: tuple[Rule, ...] = (cax_sco, cls_int1, cls_svf1_by_filler, cls_hv1)
PROPERTY_RULES: tuple[Rule, ...] = (prp_spo1, prp_inv, prp_trp, prp_dom, prp_rng, cls_svf1_by_property, cls_hv2)
# (the type rules also run for rdf:type itself as a property: it has no schema entries, so they yield nothing)


def consequences(triple: Triple, schema: Schema, state: State) -> Iterator[Triple]:
    """Every triple one rule application with ``triple`` as a premise concludes."""
    for rule in rules_for(triple, schema):
        yield from rule(triple, schema, state)


def rules_for(triple: Triple, schema: Schema) -> tuple[Rule, ...]:
    """The rules that can fire on ``triple``: most triples match none, and asking every rule costs
    more than the matching rules' work, so the choice is made once per predicate (or class)."""
    key = triple[2] if triple[1] == RDF_TYPE else triple[1]
    table = schema.dispatch_types if triple[1] == RDF_TYPE else schema.dispatch_properties
    rules = table.get(key)
    if rules is None:
        rules = table[key] = _applicable(key, triple[1] == RDF_TYPE, schema)
    return rules


def _applicable(key: Term, is_type: bool, schema: Schema) -> tuple[Rule, ...]:
    if is_type:
        checks = (
            (cax_sco, key in schema.superclasses),
            (cls_int1, key in schema.intersections_with),
            (cls_svf1_by_filler, key in schema.some_values_by_filler),
            (cls_hv1, key in schema.restriction_value),
        )
    else:
        checks = (
            (prp_spo1, key in schema.superproperties),
            (prp_inv, key in schema.inverses),
            (prp_trp, key in schema.transitive),
            (prp_dom, key in schema.domains),
            (prp_rng, key in schema.ranges),
            (cls_svf1_by_property, key in schema.some_values),
            (cls_hv2, any(p == key for p, _ in schema.has_value)),
        )
    return tuple(rule for rule, applies in checks if applies)


def is_publishable(triple: Triple) -> bool:
    """Whether an entailed triple is written out: not a membership of an anonymous class expression."""
    s, p, o = triple
    return not is_literal(s) and p[0] == "<" and not (p == RDF_TYPE and is_blank(o))
