"""HermiT's class memberships, for what the OWL 2 RL rules cannot reach.

The rules of ``bricskg.inference.rules`` derive the ontology's defined classes (founding and
expansion member states, member states) exactly: OWL 2 RL covers an intersection of a named class
and a someValuesFrom / hasValue restriction on the left-hand side of an equivalence. HermiT is
complete for OWL 2 DL, so for axioms beyond OWL 2 RL (none in today's ontology: the test
``test_rules_entail_every_class_membership_hermit_does`` checks this on the bundled data) it finds
more. ``bricskg serve --hermit`` adds those memberships to the inferred graph at start, and
recomputes everything (rules and HermiT) after a write that touches what a defined class reads;
HermiT costs seconds even on the bundled data, so it is off by default.
"""

from __future__ import annotations

import pyoxigraph as ox

from bricskg.inference.schema import RDF_TYPE, Schema
from bricskg.inference.terms import Term, Triple, iri

MAX_HERMIT_QUADS = 200_000  # beyond this HermiT (in one JVM, through owlready2) takes minutes


def hermit_memberships(store: ox.Store, inferred_graph: ox.NamedNode) -> tuple[set[Triple], str]:
    """(every named-class membership HermiT entails for the stated data, a one-line summary)."""
    from bricskg.validation.reasoning import ReasonerFailed, ReasonerUnavailable, reason

    stated = ox.Store()
    stated.extend(q for q in store if q.graph_name != inferred_graph)
    if len(stated) > MAX_HERMIT_QUADS:
        return set(), f"HermiT not run: {len(stated):,} quads is more than {MAX_HERMIT_QUADS:,}"
    try:
        result = reason(stated)
    except (ReasonerUnavailable, ReasonerFailed) as error:
        return set(), f"HermiT not run: {error}"
    if not result.consistent:
        return set(), "HermiT: the stated data is inconsistent; only the rules' entailments are served"
    found = {
        (iri(individual), RDF_TYPE, iri(cls))
        for individual, classes in result.entailed_types.items()
        for cls in classes
    }
    return found, result.summary()


def reads_defined_classes(triples: set[Triple], schema: Schema) -> bool:
    """Whether a change touches what a defined class is computed from (its restrictions' properties
    or its components' types): then HermiT's results are recomputed."""
    properties: set[Term] = set(schema.some_values) | {p for p, _ in schema.has_value}
    properties |= {p for p, inverses in schema.inverses.items() if inverses & properties}
    properties |= {p for p, supers in schema.superproperties.items() if supers & properties}
    classes: set[Term] = set(schema.intersections_with) | set(schema.some_values_by_filler)
    return any(p in properties or (p == RDF_TYPE and o in classes) for _, p, o in triples)
