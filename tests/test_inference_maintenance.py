"""Incremental maintenance of the inferred graph equals recomputing it, whatever the writes."""

from __future__ import annotations

import pyoxigraph as ox
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bricskg.dataset import open_memory_store
from bricskg.inference import INFERRED, materialise
from bricskg.inference.maintenance import maintain

BKG = "https://w3id.org/bricskg/ontology/"
ID = "https://w3id.org/bricskg/id/"
ORG = "http://www.w3.org/ns/org#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
SUBCLASS_OF = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf")
CLAIM = ox.NamedNode("https://w3id.org/bricskg/claim/test-writes")
ONTOLOGY = ox.NamedNode("https://w3id.org/bricskg/ontology")


def b(name: str) -> ox.NamedNode:
    return ox.NamedNode(BKG + name)


def r(name: str) -> ox.NamedNode:
    return ox.NamedNode(ID + name)


def o(name: str) -> ox.NamedNode:
    return ox.NamedNode(ORG + name)


def _base() -> ox.Store:
    store = open_memory_store()
    materialise(store)
    return store


BASE = _base()

# Quads a write may remove: stated ones the rules feed on (memberships, roles, signatories, types,
# one schema axiom) ...
REMOVABLE = sorted(
    {
        q
        for predicate in (o("member"), o("role"), b("signedBy"), b("party"))
        for q in BASE.quads_for_pattern(None, predicate, None, None)
    }
    | set(BASE.quads_for_pattern(None, RDF_TYPE, b("BlocMembership"), None))
    | set(BASE.quads_for_pattern(None, RDF_TYPE, b("State"), None))
    | set(BASE.quads_for_pattern(b("AIAlliance"), SUBCLASS_OF, None, None)),
    key=str,
)
REMOVABLE = [q for q in REMOVABLE if q.graph_name != INFERRED]  # clients cannot write the inferred graph
# ... and quads a write may add: new memberships, roles, signatories, types.
ADDABLE = sorted(
    {
        ox.Quad(r("new-membership"), RDF_TYPE, b("BlocMembership"), CLAIM),
        ox.Quad(r("new-membership"), o("member"), r("new-state"), CLAIM),
        ox.Quad(r("new-membership"), o("organization"), r("brics"), CLAIM),
        ox.Quad(r("new-membership"), o("role"), b("roleFoundingMember"), CLAIM),
        ox.Quad(r("new-membership"), o("role"), b("roleExpansionMember"), CLAIM),
        ox.Quad(r("new-state"), RDF_TYPE, b("State"), CLAIM),
        ox.Quad(r("second-membership"), RDF_TYPE, b("BlocMembership"), CLAIM),  # Brazil's second: DRed must
        ox.Quad(r("second-membership"), o("member"), r("brazil"), CLAIM),  # re-derive from the survivor
        ox.Quad(r("second-membership"), o("role"), b("roleFoundingMember"), CLAIM),
        ox.Quad(r("brics-membership-brazil"), o("role"), b("roleExpansionMember"), CLAIM),
        ox.Quad(r("russia-iran-partnership-agreement"), b("signedBy"), r("china"), CLAIM),
        ox.Quad(r("russia-iran-partnership-agreement"), b("signedBy"), r("new-state"), CLAIM),
        ox.Quad(r("new-alliance"), RDF_TYPE, b("AIAlliance"), CLAIM),
        ox.Quad(b("AIAlliance"), SUBCLASS_OF, b("AIInitiative"), ONTOLOGY),
        ox.Quad(ox.BlankNode("selector"), RDF_TYPE, ox.NamedNode("http://www.w3.org/ns/oa#TextQuoteSelector"), CLAIM),
    },
    key=str,
)

write = st.tuples(
    st.lists(st.sampled_from(REMOVABLE), max_size=6, unique=True),
    st.lists(st.sampled_from(ADDABLE), max_size=6, unique=True),
)


def _copy(store: ox.Store) -> ox.Store:
    fresh = ox.Store()
    fresh.extend(store)
    return fresh


def _inferred(store: ox.Store) -> set[ox.Quad]:
    return set(store.quads_for_pattern(None, None, None, INFERRED))


def _recomputed(store: ox.Store) -> set[ox.Quad]:
    fresh = ox.Store()
    fresh.extend(q for q in store if q.graph_name != INFERRED)
    materialise(fresh)
    return _inferred(fresh)


@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(write, min_size=1, max_size=3))
def test_maintenance_after_random_writes_equals_a_full_recompute(writes):
    store = _copy(BASE)
    for removals, additions in writes:
        removed = [q for q in removals if q in store]
        added = [q for q in additions if q not in store]
        for quad in removed:
            store.remove(quad)
        store.extend(added)
        maintain(store, removed, added)
        assert _inferred(store) == _recomputed(store)


def test_a_state_with_two_memberships_stays_a_member_when_one_goes():
    store = _copy(BASE)
    second = [
        ox.Quad(r("second-membership"), RDF_TYPE, b("BlocMembership"), CLAIM),
        ox.Quad(r("second-membership"), o("member"), r("brazil"), CLAIM),
    ]
    store.extend(second)
    maintain(store, [], second)
    first = next(iter(store.quads_for_pattern(r("brics-membership-brazil"), RDF_TYPE, b("BlocMembership"), None)))
    store.remove(first)
    maintain(store, [first], [])
    assert ox.Quad(r("brazil"), RDF_TYPE, b("MemberState"), INFERRED) in store
    assert _inferred(store) == _recomputed(store)


def test_a_removed_statement_that_is_still_entailed_moves_to_the_inferred_graph():
    store = ox.Store()
    ex = "http://example.org/"
    p, q, x, y = (ox.NamedNode(ex + n) for n in ("p", "q", "x", "y"))
    graph = ox.NamedNode(ex + "g")
    schema = ox.Quad(p, ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subPropertyOf"), q, graph)
    store.extend([schema, ox.Quad(x, p, y, graph), ox.Quad(x, q, y, graph)])
    materialise(store)
    assert _inferred(store) == set()  # stated, so not repeated in the inferred graph
    store.remove(ox.Quad(x, q, y, graph))
    maintain(store, [ox.Quad(x, q, y, graph)], [])
    assert _inferred(store) == {ox.Quad(x, q, y, INFERRED)}
    store.add(ox.Quad(x, q, y, graph))
    maintain(store, [], [ox.Quad(x, q, y, graph)])
    assert _inferred(store) == set()


def test_founding_member_state_goes_and_comes_back_with_the_role():
    store = _copy(BASE)
    role = next(iter(store.quads_for_pattern(r("brics-membership-brazil"), o("role"), b("roleFoundingMember"), None)))
    founding = ox.Quad(r("brazil"), RDF_TYPE, b("FoundingMemberState"), INFERRED)
    assert founding in store
    store.remove(role)
    maintain(store, [role], [])
    assert founding not in store
    assert ox.Quad(r("brazil"), RDF_TYPE, b("MemberState"), INFERRED) in store  # still a member
    store.add(role)
    maintain(store, [], [role])
    assert founding in store


# --- the rules the ontology does not use yet (transitive, symmetric, inverse chains), on a toy schema ---

EX = "http://example.org/"
TOY_GRAPH = ox.NamedNode(EX + "g")


def _ex(name: str) -> ox.NamedNode:
    return ox.NamedNode(EX + name)


OWL = "http://www.w3.org/2002/07/owl#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
TOY_SCHEMA = [
    ox.Quad(_ex("within"), RDF_TYPE, ox.NamedNode(OWL + "TransitiveProperty"), TOY_GRAPH),
    ox.Quad(_ex("contains"), ox.NamedNode(OWL + "inverseOf"), _ex("within"), TOY_GRAPH),
    ox.Quad(_ex("borders"), RDF_TYPE, ox.NamedNode(OWL + "SymmetricProperty"), TOY_GRAPH),
    ox.Quad(_ex("borders"), ox.NamedNode(RDFS + "subPropertyOf"), _ex("near"), TOY_GRAPH),
    ox.Quad(_ex("near"), ox.NamedNode(RDFS + "domain"), _ex("Place"), TOY_GRAPH),
]
PLACES = [_ex(name) for name in "abcde"]
TOY_EDGES = sorted(
    {ox.Quad(x, _ex(p), y, TOY_GRAPH) for x in PLACES for y in PLACES if x != y for p in ("within", "borders")},
    key=str,
)


@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.booleans(), st.lists(st.sampled_from(TOY_EDGES), min_size=1, max_size=4, unique=True)), min_size=1, max_size=5))
def test_transitive_symmetric_and_inverse_chains_are_maintained_like_a_recompute(steps):
    store = ox.Store()
    store.extend(TOY_SCHEMA)
    materialise(store)
    for insert, quads in steps:
        if insert:
            added = [q for q in quads if q not in store]
            store.extend(added)
            maintain(store, [], added)
        else:
            removed = [q for q in quads if q in store]
            for quad in removed:
                store.remove(quad)
            maintain(store, removed, [])
        assert _inferred(store) == _recomputed(store)
