"""A write validated on the context the shapes need must give the verdict full validation gives.

Each case is a representative write into the bundled data (or a synthetic store). The check is
three-way: focus-node validation on ``context_store(after_change(before, ...), focus)`` -- the small
store a write gate builds -- must report exactly the violations that focus-node validation on the
whole changed store reports, and must conform exactly when full validation of the changed store
conforms. The cases are the ones a too-small neighbourhood gets wrong: named-graph contents
(``ClaimGraphNotEmpty``), inverse-path counts (a bloc's memberships), rules that compare a node with
its siblings (unique codes, one membership per state and bloc, segments in order), and a forecast
stated in a claim graph whose record is elsewhere.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from bricskg.dataset import bundled_sources, open_memory_store
from bricskg.validation import affected_focus_nodes, validate_dataset
from bricskg.validation.context import after_change, context_store

ID = "https://w3id.org/bricskg/id/"
ONT = "https://w3id.org/bricskg/ontology/"
ORG = "http://www.w3.org/ns/org#"
OA = "http://www.w3.org/ns/oa#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
REFERENCE = ox.NamedNode("https://w3id.org/bricskg/graph/reference")
PROVENANCE = ox.NamedNode("https://w3id.org/bricskg/graph/provenance")


def n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


@pytest.fixture(scope="module")
def bundled() -> ox.Store:
    return open_memory_store(bundled_sources())


def copy_of(store: ox.Store) -> ox.Store:
    clone = ox.Store()
    clone.extend(store.quads_for_pattern(None, None, None, None))
    return clone


def violations(report) -> set[tuple[str, str, str]]:
    return {(str(v.focus_node), str(v.source_shape), str(v.source_constraint)) for v in report.violations}


def check(before: ox.Store, inserted: list[ox.Quad], removed: list[ox.Quad]) -> tuple[bool, set]:
    """Assert the context verdict equals the whole-store verdict; return (conforms, violations)."""
    after = copy_of(before)
    for quad in removed:
        after.remove(quad)
    after.extend(inserted)
    focus = affected_focus_nodes(after, inserted + removed)
    small = context_store(after_change(before, inserted, removed), focus)
    in_context = validate_dataset(small, focus_nodes=focus)
    on_whole = validate_dataset(after, focus_nodes=focus)
    assert violations(in_context) == violations(on_whole), in_context.to_text() + "\n---\n" + on_whole.to_text()
    assert in_context.conforms == validate_dataset(after).conforms
    assert len(small) < len(after) or len(after) < 3000
    return in_context.conforms, violations(in_context)


def graph_quads(store: ox.Store, graph: str) -> list[ox.Quad]:
    return list(store.quads_for_pattern(None, None, None, n(graph)))


def test_a_new_synthetic_article_into_a_conforming_store_is_accepted_on_its_context() -> None:
    """F's failing write: 77 quads of a new article refused with ClaimGraphNotEmpty / BlocShape."""
    from bricskg.bench.generator import generate, write_batch
    import io

    text = io.StringIO()
    generate(text, 2500, 7)
    store = ox.Store()
    store.load(text.getvalue().encode(), ox.RdfFormat.N_QUADS)
    from bricskg.validation.shacl import with_ontology

    with_ontology(store, copy=False)
    conforms, found = check(store, write_batch(80, 11), [])
    assert conforms, found


def test_emptying_an_existing_claim_graph_is_caught_on_its_context(bundled: ox.Store) -> None:
    claim = "https://w3id.org/bricskg/claim/brics-offers-russia-cooperation"
    conforms, found = check(bundled, [], graph_quads(bundled, claim))
    assert not conforms
    assert any(shape.endswith("ClaimShape") and "ClaimGraphNotEmpty" in constraint for _, shape, constraint in found)


def test_a_triple_added_to_an_existing_claim_graph_is_accepted_on_its_context(bundled: ox.Store) -> None:
    claim = n("https://w3id.org/bricskg/claim/brics-offers-russia-cooperation")
    quad = ox.Quad(n(ID + "brics"), n("http://www.w3.org/2000/01/rdf-schema#comment"), ox.Literal("x"), claim)
    conforms, found = check(bundled, [quad], [])
    assert conforms, found


def test_a_second_membership_of_the_same_state_and_bloc_is_caught_on_its_context(bundled: ox.Store) -> None:
    m = n(ID + "brics-membership-iran-again")
    g = REFERENCE
    inserted = [
        ox.Quad(m, RDF_TYPE, n(ONT + "BlocMembership"), g),
        ox.Quad(m, n(ORG + "member"), n(ID + "iran"), g),
        ox.Quad(m, n(ORG + "organization"), n(ID + "brics"), g),
    ]
    inserted += [ox.Quad(m, q.predicate, q.object, g) for q in bundled.quads_for_pattern(n(ID + "brics-membership-iran"), None, None, None)
                 if q.predicate.value not in (RDF_TYPE.value, ORG + "member", ORG + "organization")]
    conforms, found = check(bundled, inserted, [])
    assert not conforms
    assert any("OneMembershipPerStateAndBloc" in constraint for _, _, constraint in found), found


def test_a_state_reusing_another_states_code_is_caught_on_its_context(bundled: ox.Store) -> None:
    code = next(bundled.quads_for_pattern(n(ID + "united-states"), n(ONT + "iso3166Alpha2"), None, None))
    removed = list(bundled.quads_for_pattern(n(ID + "united-arab-emirates"), n(ONT + "iso3166Alpha2"), None, None))
    inserted = [ox.Quad(n(ID + "united-arab-emirates"), code.predicate, code.object, removed[0].graph_name)]
    conforms, found = check(bundled, inserted, removed)
    assert not conforms
    assert any("UniqueStateCode" in constraint for _, _, constraint in found), found


def test_removing_a_membership_of_a_bloc_is_judged_with_all_its_memberships(bundled: ox.Store) -> None:
    membership = n(ID + "brics-membership-iran")
    removed = list(bundled.quads_for_pattern(membership, None, None, None))
    removed += list(bundled.quads_for_pattern(None, None, membership, None))
    check(bundled, [], removed)


def test_a_segment_overlapping_an_existing_one_is_caught_on_its_context(bundled: ox.Store) -> None:
    s01 = n("https://w3id.org/bricskg/source/article/s01")
    selector = next(
        q.object for q in bundled.quads_for_pattern(s01, n(OA + "hasSelector"), None, None)
        if any(True for _ in bundled.quads_for_pattern(q.object, n(OA + "start"), None, None))
    )
    start = next(bundled.quads_for_pattern(selector, n(OA + "start"), None, None))
    removed = [start]
    inserted = [ox.Quad(selector, start.predicate, ox.Literal("0", datatype=n("http://www.w3.org/2001/XMLSchema#integer")), start.graph_name)]
    end = next(bundled.quads_for_pattern(selector, n(OA + "end"), None, None))
    s02 = n("https://w3id.org/bricskg/source/article/s02")
    selector2 = next(
        q.object for q in bundled.quads_for_pattern(s02, n(OA + "hasSelector"), None, None)
        if any(True for _ in bundled.quads_for_pattern(q.object, n(OA + "start"), None, None))
    )
    start2 = next(bundled.quads_for_pattern(selector2, n(OA + "start"), None, None))
    # s02 now starts before s01 ends
    removed.append(start2)
    inserted.append(ox.Quad(selector2, start2.predicate, ox.Literal(str(int(end.object.value) - 1), datatype=start2.object.datatype), start2.graph_name))
    conforms, found = check(bundled, inserted, removed)
    assert not conforms


def test_a_forecast_amount_restated_in_an_asserted_claim_graph_is_caught_on_its_context(bundled: ox.Store) -> None:
    amount = next(bundled.quads_for_pattern(n(ID + "brics-ai-value-forecast"), n(ONT + "forecastAmount"), None, None))
    asserted = next(
        q.subject for q in bundled.quads_for_pattern(None, n(ONT + "modality"), n(ONT + "modalityAsserted"), PROVENANCE)
    )
    inserted = [ox.Quad(amount.subject, amount.predicate, amount.object, asserted)]
    conforms, found = check(bundled, inserted, [])
    assert not conforms
    assert any("ForecastStatedAsForecast" in constraint for _, _, constraint in found), found


COMMENT = n("http://www.w3.org/2000/01/rdf-schema#comment")


def test_a_change_to_a_claim_record_sees_the_contents_of_its_named_graph(bundled: ox.Store) -> None:
    """The record is a focus node; ClaimGraphNotEmpty looks into GRAPH $this, which the change never touches."""
    claim = n("https://w3id.org/bricskg/claim/brics-offers-russia-cooperation")
    conforms, found = check(bundled, [ox.Quad(claim, COMMENT, ox.Literal("checked"), PROVENANCE)], [])
    assert conforms, found


def test_a_change_to_a_bloc_sees_all_of_its_memberships(bundled: ox.Store) -> None:
    """BlocShape counts ^org:organization: every membership of the bloc must be in the context."""
    conforms, found = check(bundled, [ox.Quad(n(ID + "brics"), COMMENT, ox.Literal("checked"), REFERENCE)], [])
    assert conforms, found
