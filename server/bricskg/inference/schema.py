"""The ontology's axioms, compiled once into the lookup tables the instance rules consult.

Why compile: the rules that produce new facts about instances (RDFS 2, 3, 7, 9 and the OWL 2 RL
rules cax-sco, prp-spo1, prp-inv, prp-symp, prp-trp, prp-dom, prp-rng, cls-int1/2, cls-svf1/2,
cls-hv1/2) all have a schema premise. Closing the schema first (subclass and subproperty
transitivity, equivalences as two subsumptions, scm-int: an intersection is a subclass of each of
its parts) turns each rule into a dictionary lookup per instance triple, so materialisation costs a
few lookups per triple instead of a join per rule.

The schema is read from every graph of the store (as GraphDB and Fuseki read it from the data), not
from the ontology graph alone; a write that changes one of ``SCHEMA_PREDICATES`` changes the
schema, and the maintainer then recomputes everything (``bricskg.inference.maintenance``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable

import pyoxigraph as ox

from bricskg.inference.terms import Term, Terms, Triple, iri, is_literal

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"

RDF_TYPE = iri(RDF + "type")
RDF_FIRST = iri(RDF + "first")
RDF_REST = iri(RDF + "rest")
RDF_NIL = iri(RDF + "nil")
SUBCLASS_OF = iri(RDFS + "subClassOf")
SUBPROPERTY_OF = iri(RDFS + "subPropertyOf")
DOMAIN = iri(RDFS + "domain")
RANGE = iri(RDFS + "range")
EQUIVALENT_CLASS = iri(OWL + "equivalentClass")
EQUIVALENT_PROPERTY = iri(OWL + "equivalentProperty")
INVERSE_OF = iri(OWL + "inverseOf")
INTERSECTION_OF = iri(OWL + "intersectionOf")
ON_PROPERTY = iri(OWL + "onProperty")
SOME_VALUES_FROM = iri(OWL + "someValuesFrom")
HAS_VALUE = iri(OWL + "hasValue")
OWL_THING = iri(OWL + "Thing")
SYMMETRIC = iri(OWL + "SymmetricProperty")
TRANSITIVE = iri(OWL + "TransitiveProperty")

# A write that adds or removes a triple with one of these predicates (or types a property symmetric
# or transitive) changes the compiled schema.
SCHEMA_PREDICATES = frozenset(
    {
        SUBCLASS_OF, SUBPROPERTY_OF, DOMAIN, RANGE, EQUIVALENT_CLASS, EQUIVALENT_PROPERTY, INVERSE_OF,
        INTERSECTION_OF, ON_PROPERTY, SOME_VALUES_FROM, HAS_VALUE,
    }
)
SCHEMA_TYPES = frozenset({SYMMETRIC, TRANSITIVE})



@dataclass
class Schema:
    """Closed lookup tables; a missing key means "no consequence"."""

    superclasses: dict[Term, frozenset[Term]] = field(default_factory=dict)  # strict, transitive
    superproperties: dict[Term, frozenset[Term]] = field(default_factory=dict)  # strict, transitive
    domains: dict[Term, frozenset[Term]] = field(default_factory=dict)
    ranges: dict[Term, frozenset[Term]] = field(default_factory=dict)
    inverses: dict[Term, frozenset[Term]] = field(default_factory=dict)  # symmetric p: p in inverses[p]
    transitive: frozenset[Term] = frozenset()
    some_values: dict[Term, tuple[tuple[Term | None, Term], ...]] = field(default_factory=dict)  # p -> (filler, R)
    some_values_by_filler: dict[Term, tuple[tuple[Term, Term], ...]] = field(default_factory=dict)  # D -> (p, R)
    restriction_some: dict[Term, tuple[Term, Term | None]] = field(default_factory=dict)  # R -> (p, filler)
    has_value: dict[tuple[Term, Term], tuple[Term, ...]] = field(default_factory=dict)  # (p, v) -> R
    restriction_value: dict[Term, tuple[Term, Term]] = field(default_factory=dict)  # R -> (p, v)
    intersections: dict[Term, tuple[Term, ...]] = field(default_factory=dict)  # I -> components
    intersections_with: dict[Term, tuple[Term, ...]] = field(default_factory=dict)  # C -> the I it is part of
    # filled lazily by bricskg.inference.rules.rules_for: which rules can fire, per predicate / per class
    dispatch_properties: dict[Term, tuple] = field(default_factory=dict)
    dispatch_types: dict[Term, tuple] = field(default_factory=dict)

    @property
    def premise_predicates(self) -> frozenset[Term]:
        """Predicates whose triples can fire a rule (besides rdf:type)."""
        keys: set[Term] = set(self.superproperties) | set(self.domains) | set(self.ranges) | set(self.inverses)
        keys |= set(self.transitive) | set(self.some_values) | {p for p, _ in self.has_value}
        return frozenset(keys)

    @property
    def conclusion_predicates(self) -> frozenset[Term]:
        """Predicates of the triples the rules can add (besides rdf:type)."""
        found: set[Term] = set(self.transitive) | {p for p, _ in self.restriction_value.values()}
        for values in list(self.superproperties.values()) + list(self.inverses.values()):
            found |= values
        return frozenset(found)

    def is_empty(self) -> bool:
        return not self.premise_predicates and not self.superclasses and not self.intersections


def _closure(edges: dict[Term, set[Term]]) -> dict[Term, frozenset[Term]]:
    """Strict transitive closure of a small graph (the schema has hundreds of edges, not millions)."""
    closed: dict[Term, frozenset[Term]] = {}
    for start in edges:
        seen: set[Term] = set()
        stack = list(edges[start])
        while stack:
            node = stack.pop()
            if node in seen:
                continue
            seen.add(node)
            stack.extend(edges.get(node, ()))
        seen.discard(start)
        if seen:
            closed[start] = frozenset(seen)
    return closed


def _rdf_list(head: Term, rest: dict[Term, Term], first: dict[Term, Term]) -> tuple[Term, ...] | None:
    items: list[Term] = []
    seen: set[Term] = set()
    while head != RDF_NIL:
        if head in seen or head not in first:
            return None  # malformed or cyclic list: the axiom is ignored, never half-read
        seen.add(head)
        items.append(first[head])
        head = rest.get(head, RDF_NIL)
    return tuple(items)


def compile_schema(triples: Iterable[Triple]) -> Schema:
    """Compile the schema triples (any superset of them; others are ignored) into a ``Schema``."""
    sub_class: dict[Term, set[Term]] = defaultdict(set)
    sub_property: dict[Term, set[Term]] = defaultdict(set)
    domains: dict[Term, set[Term]] = defaultdict(set)
    ranges: dict[Term, set[Term]] = defaultdict(set)
    inverses: dict[Term, set[Term]] = defaultdict(set)
    transitive: set[Term] = set()
    on_property: dict[Term, Term] = {}
    some: dict[Term, Term] = {}
    value: dict[Term, Term] = {}
    intersection_heads: dict[Term, Term] = {}
    first: dict[Term, Term] = {}
    rest: dict[Term, Term] = {}
    for s, p, o in triples:
        if p == SUBCLASS_OF:
            sub_class[s].add(o)
        elif p == EQUIVALENT_CLASS:
            sub_class[s].add(o)
            sub_class[o].add(s)
        elif p == SUBPROPERTY_OF:
            sub_property[s].add(o)
        elif p == EQUIVALENT_PROPERTY:
            sub_property[s].add(o)
            sub_property[o].add(s)
        elif p == DOMAIN and not is_literal(o):
            domains[s].add(o)
        elif p == RANGE and not is_literal(o):
            ranges[s].add(o)
        elif p == INVERSE_OF:
            inverses[s].add(o)
            inverses[o].add(s)
        elif p == RDF_TYPE and o == SYMMETRIC:
            inverses[s].add(s)
        elif p == RDF_TYPE and o == TRANSITIVE:
            transitive.add(s)
        elif p == ON_PROPERTY:
            on_property[s] = o
        elif p == SOME_VALUES_FROM:
            some[s] = o
        elif p == HAS_VALUE:
            value[s] = o
        elif p == INTERSECTION_OF:
            intersection_heads[s] = o
        elif p == RDF_FIRST:
            first[s] = o
        elif p == RDF_REST:
            rest[s] = o
    intersections: dict[Term, tuple[Term, ...]] = {}
    for cls, head in intersection_heads.items():
        parts = _rdf_list(head, rest, first)
        if parts:
            intersections[cls] = parts
            sub_class[cls].update(parts)  # scm-int: I ⊑ each component (gives cls-int2)
    superclasses = _closure(sub_class)

    def upwards(classes: set[Term]) -> frozenset[Term]:
        """Classes with all their superclasses: prp-dom/prp-rng conclusions come out closed (rdfs9)."""
        closed = set(classes)
        for cls in classes:
            closed |= superclasses.get(cls, frozenset())
        return frozenset(closed)

    schema = Schema(
        superclasses=superclasses,
        superproperties=_closure(sub_property),
        domains={p: upwards(c) for p, c in domains.items()},
        ranges={p: upwards(c) for p, c in ranges.items()},
        inverses={p: frozenset(q) for p, q in inverses.items()},
        transitive=frozenset(transitive),
    )
    some_values: dict[Term, list] = defaultdict(list)
    by_filler: dict[Term, list] = defaultdict(list)
    for restriction, filler in some.items():
        prop = on_property.get(restriction)
        if prop is None:
            continue
        filler_or_any = None if filler == OWL_THING else filler
        some_values[prop].append((filler_or_any, restriction))
        schema.restriction_some[restriction] = (prop, filler_or_any)
        if filler_or_any is not None:
            by_filler[filler_or_any].append((prop, restriction))
    has_value: dict[tuple[Term, Term], list] = defaultdict(list)
    for restriction, individual in value.items():
        prop = on_property.get(restriction)
        if prop is not None:
            has_value[(prop, individual)].append(restriction)
            schema.restriction_value[restriction] = (prop, individual)
    parts_of: dict[Term, list] = defaultdict(list)
    for cls, parts in intersections.items():
        for part in parts:
            parts_of[part].append(cls)
    schema.some_values = {p: tuple(v) for p, v in some_values.items()}
    schema.some_values_by_filler = {d: tuple(v) for d, v in by_filler.items()}
    schema.has_value = {k: tuple(v) for k, v in has_value.items()}
    schema.intersections = intersections
    schema.intersections_with = {c: tuple(v) for c, v in parts_of.items()}
    return schema


SCHEMA_READ_PREDICATES = SCHEMA_PREDICATES | {RDF_FIRST, RDF_REST}


def schema_triples(store: ox.Store, terms: Terms, exclude_graph: ox.NamedNode | None = None) -> list[Triple]:
    """The triples ``compile_schema`` reads, from every graph of ``store`` (index lookups only)."""
    found: set[Triple] = set()
    for predicate in SCHEMA_READ_PREDICATES:
        for quad in store.quads_for_pattern(None, terms.term(predicate), None, None):
            if quad.graph_name != exclude_graph:
                found.add(terms.triple(quad))
    for kind in SCHEMA_TYPES:
        for quad in store.quads_for_pattern(None, terms.term(RDF_TYPE), terms.term(kind), None):
            if quad.graph_name != exclude_graph:
                found.add(terms.triple(quad))
    return list(found)


def touches_schema(triples: Iterable[Triple]) -> bool:
    """Whether adding or removing ``triples`` changes what ``compile_schema`` would build."""
    return any(p in SCHEMA_READ_PREDICATES or (p == RDF_TYPE and o in SCHEMA_TYPES) for _, p, o in triples)
