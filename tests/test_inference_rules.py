"""Each entailment rule on its own, on a tiny schema: what it concludes, and what it must not."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from bricskg.inference import schema as vocabulary
from bricskg.inference.closure import closure_of
from bricskg.inference.schema import compile_schema, touches_schema


def _term(text: str) -> ox.NamedNode:
    return ox.NamedNode(text[1:-1])


(
    DOMAIN,
    EQUIVALENT_CLASS,
    EQUIVALENT_PROPERTY,
    HAS_VALUE,
    INTERSECTION_OF,
    INVERSE_OF,
    ON_PROPERTY,
    RANGE,
    RDF_FIRST,
    RDF_NIL,
    RDF_REST,
    RDF_TYPE,
    SOME_VALUES_FROM,
    SUBCLASS_OF,
    SUBPROPERTY_OF,
    SYMMETRIC,
    TRANSITIVE,
) = (
    _term(getattr(vocabulary, name))
    for name in (
        "DOMAIN", "EQUIVALENT_CLASS", "EQUIVALENT_PROPERTY", "HAS_VALUE", "INTERSECTION_OF", "INVERSE_OF",
        "ON_PROPERTY", "RANGE", "RDF_FIRST", "RDF_NIL", "RDF_REST", "RDF_TYPE", "SOME_VALUES_FROM", "SUBCLASS_OF",
        "SUBPROPERTY_OF", "SYMMETRIC", "TRANSITIVE",
    )
)


def n(name: str) -> ox.NamedNode:
    return ox.NamedNode("http://example.org/" + name)


A, B, C, D = n("A"), n("B"), n("C"), n("D")
p, q, r = n("p"), n("q"), n("r")
x, y, z = n("x"), n("y"), n("z")


def rdf_list(items: list, prefix: str) -> tuple[ox.BlankNode, list]:
    nodes = [ox.BlankNode(f"{prefix}{i}") for i in range(len(items))]
    triples = []
    for i, item in enumerate(items):
        triples.append((nodes[i], RDF_FIRST, item))
        triples.append((nodes[i], RDF_REST, nodes[i + 1] if i + 1 < len(items) else RDF_NIL))
    return nodes[0], triples


def test_subclass_chain_types_instances_and_closes_the_hierarchy():  # rdfs9, rdfs11, cax-sco
    inferred = closure_of([(A, SUBCLASS_OF, B), (B, SUBCLASS_OF, C), (x, RDF_TYPE, A)])
    assert {(x, RDF_TYPE, B), (x, RDF_TYPE, C), (A, SUBCLASS_OF, C)} == inferred


def test_equivalent_classes_share_instances_both_ways():  # cax-eqc1/2
    inferred = closure_of([(A, EQUIVALENT_CLASS, B), (x, RDF_TYPE, A), (y, RDF_TYPE, B)])
    assert {(x, RDF_TYPE, B), (y, RDF_TYPE, A)} <= inferred


def test_subproperty_chain_copies_the_triple_upwards():  # rdfs7, rdfs5, prp-spo1
    inferred = closure_of([(p, SUBPROPERTY_OF, q), (q, SUBPROPERTY_OF, r), (x, p, y)])
    assert {(x, q, y), (x, r, y), (p, SUBPROPERTY_OF, r)} == inferred


def test_equivalent_properties_copy_both_ways():  # prp-eqp1/2
    inferred = closure_of([(p, EQUIVALENT_PROPERTY, q), (x, p, y), (z, q, x)])
    assert {(x, q, y), (z, p, x)} <= inferred


def test_domain_and_range_type_subject_and_object_but_never_a_literal():  # rdfs2, rdfs3
    inferred = closure_of([(p, DOMAIN, A), (p, RANGE, B), (x, p, y), (z, p, ox.Literal("text"))])
    assert {(x, RDF_TYPE, A), (y, RDF_TYPE, B), (z, RDF_TYPE, A)} == inferred


def test_domain_of_a_superproperty_applies_to_the_subproperty():
    inferred = closure_of([(p, SUBPROPERTY_OF, q), (q, DOMAIN, A), (x, p, y)])
    assert (x, RDF_TYPE, A) in inferred


def test_inverse_works_in_both_directions():  # prp-inv1/2
    inferred = closure_of([(p, INVERSE_OF, q), (x, p, y), (z, q, x)])
    assert {(y, q, x), (x, p, z)} == inferred


def test_symmetric_property_mirrors():  # prp-symp
    assert closure_of([(p, RDF_TYPE, SYMMETRIC), (x, p, y)]) == {(y, p, x)}


def test_transitive_property_closes_chains_whichever_link_comes_first():  # prp-trp
    inferred = closure_of([(p, RDF_TYPE, TRANSITIVE), (y, p, z), (x, p, y), (z, p, n("w"))])
    assert {(x, p, z), (y, p, n("w")), (x, p, n("w"))} == inferred


def test_has_value_restriction_classifies_and_fills_in():  # cls-hv1, cls-hv2
    restriction = ox.BlankNode("r")
    schema = [(restriction, ON_PROPERTY, p), (restriction, HAS_VALUE, y), (A, EQUIVALENT_CLASS, restriction)]
    inferred = closure_of(schema + [(x, p, y), (z, RDF_TYPE, A)])
    assert (x, RDF_TYPE, A) in inferred  # cls-hv2 then cax-eqc
    assert (z, p, y) in inferred  # cax-eqc then cls-hv1
    assert not any(isinstance(t[2], ox.BlankNode) for t in inferred), "anonymous classes are never published"


def test_some_values_from_classifies_whichever_premise_comes_last():  # cls-svf1
    restriction = ox.BlankNode("r")
    schema = [(restriction, ON_PROPERTY, p), (restriction, SOME_VALUES_FROM, B), (A, EQUIVALENT_CLASS, restriction)]
    assert (x, RDF_TYPE, A) in closure_of(schema + [(x, p, y), (y, RDF_TYPE, B)])
    assert (x, RDF_TYPE, A) not in closure_of(schema + [(x, p, y), (y, RDF_TYPE, C)])


def test_some_values_from_thing_needs_only_the_property():  # cls-svf2
    restriction = ox.BlankNode("r")
    thing = ox.NamedNode("http://www.w3.org/2002/07/owl#Thing")
    schema = [(restriction, ON_PROPERTY, p), (restriction, SOME_VALUES_FROM, thing), (A, EQUIVALENT_CLASS, restriction)]
    assert (x, RDF_TYPE, A) in closure_of(schema + [(x, p, y)])


def test_intersection_needs_every_component_and_implies_each():  # cls-int1, cls-int2
    head, items = rdf_list([B, C], "l")
    intersection = ox.BlankNode("i")
    schema = items + [(intersection, INTERSECTION_OF, head), (A, EQUIVALENT_CLASS, intersection)]
    both = closure_of(schema + [(x, RDF_TYPE, B), (x, RDF_TYPE, C), (z, RDF_TYPE, A)])
    assert (x, RDF_TYPE, A) in both
    assert {(z, RDF_TYPE, B), (z, RDF_TYPE, C)} <= both
    assert (y, RDF_TYPE, A) not in closure_of(schema + [(y, RDF_TYPE, B)])


def test_defined_class_through_inverse_and_restriction_as_in_the_ontology():
    """FoundingMemberState ≡ State ⊓ ∃hasMembership.(Membership ⊓ ∃role.{founding}), hasMembership ≡ member⁻."""
    member, has_membership, role = n("member"), n("hasMembership"), n("role")
    state, membership, founding_role = n("State"), n("Membership"), n("founding")
    founding_membership, founding_state = n("FoundingMembership"), n("FoundingMemberState")
    hv, svf, i1, i2 = (ox.BlankNode(name) for name in ("hv", "svf", "i1", "i2"))
    head1, list1 = rdf_list([membership, hv], "a")
    head2, list2 = rdf_list([state, svf], "b")
    schema = list1 + list2 + [
        (has_membership, INVERSE_OF, member),
        (hv, ON_PROPERTY, role), (hv, HAS_VALUE, founding_role),
        (i1, INTERSECTION_OF, head1), (founding_membership, EQUIVALENT_CLASS, i1),
        (svf, ON_PROPERTY, has_membership), (svf, SOME_VALUES_FROM, founding_membership),
        (i2, INTERSECTION_OF, head2), (founding_state, EQUIVALENT_CLASS, i2),
    ]
    m = n("m")
    data = [(m, RDF_TYPE, membership), (m, member, x), (m, role, founding_role), (x, RDF_TYPE, state)]
    inferred = closure_of(schema + data)
    assert {(x, has_membership, m), (m, RDF_TYPE, founding_membership), (x, RDF_TYPE, founding_state)} <= inferred
    without_role = closure_of(schema + [t for t in data if t[1] != role])
    assert (x, RDF_TYPE, founding_state) not in without_role


def test_malformed_intersection_list_is_ignored_not_half_read():
    intersection = ox.BlankNode("i")
    schema = compile_schema([(str(intersection), str(INTERSECTION_OF), "_:dangling")])
    assert schema.intersections == {}


@pytest.mark.parametrize(
    "triple, expected",
    [
        ((A, SUBCLASS_OF, B), True),
        ((p, RDF_TYPE, TRANSITIVE), True),
        ((x, RDF_TYPE, A), False),
        ((x, p, y), False),
    ],
)
def test_schema_changes_are_recognised(triple, expected):
    assert touches_schema([tuple(str(t) for t in triple)]) is expected
