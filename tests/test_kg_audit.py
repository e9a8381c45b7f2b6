"""The corrections of the assertion-by-assertion audit of the graph against the article, one test each.

Each test names the sentence it is about and failed on the data before the correction.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib import RDF, RDFS, URIRef
from rdflib.namespace import DCTERMS, ORG, PROV, SDO, SKOS, TIME

from bricskg.dataset import SourceFile, bundled_sources, load_into_store, load_rdflib_dataset
from bricskg.paths import ontology_dir
from bricskg.validation import reason
from bricskg.vocab import BKG, CLAIM, ID, PROVENANCE_GRAPH, REFERENCE_GRAPH, SOURCE

CHECKS = Path(__file__).parent / "checks"
MEMBER_STATES = {"brazil", "russia", "india", "china", "south-africa",
                 "egypt", "ethiopia", "indonesia", "iran", "united-arab-emirates"}


@pytest.fixture(scope="module")
def dataset() -> rdflib.Dataset:
    return load_rdflib_dataset()


@pytest.fixture(scope="module")
def provenance(dataset: rdflib.Dataset) -> rdflib.Graph:
    return dataset.graph(PROVENANCE_GRAPH)


@pytest.fixture(scope="module")
def reference(dataset: rdflib.Dataset) -> rdflib.Graph:
    return dataset.graph(REFERENCE_GRAPH)


@pytest.fixture(scope="module")
def ontology() -> rdflib.Graph:
    return rdflib.Graph().parse(ontology_dir() / "bricskg.ttl", format="turtle")


def objects(dataset: rdflib.Dataset, subject: URIRef, predicate: URIRef) -> set[rdflib.term.Node]:
    return {o for _, _, o, _ in dataset.quads((subject, predicate, None, None))}


def slugs(nodes) -> set[str]:
    return {str(n)[len(str(ID)):] for n in nodes}


def claims_from(provenance: rdflib.Graph, position: int) -> set[URIRef]:
    return set(provenance.subjects(PROV.wasDerivedFrom, SOURCE[f"article/s{position:02d}"]))


def stated_in(dataset: rdflib.Dataset, triple: tuple) -> set[URIRef]:
    return {g for *_, g in dataset.quads(triple)}


# ── Bloc for countries ─────────────────────────────────────────────────────────────────────────


def test_s27_the_proposed_controls_would_target_the_member_states_not_the_bloc(dataset: rdflib.Dataset) -> None:
    """s27 “extend such controls to BRICS members”: “is India targeted (by a proposal)?” has an answer."""
    proposed = ID["export-controls-on-brics-members"]
    assert slugs(objects(dataset, proposed, BKG.prospectiveTarget)) == MEMBER_STATES
    assert list(dataset.quads((None, None, ID["brics"], CLAIM["proposal-extend-export-controls"]))) == []
    assert objects(dataset, proposed, BKG.extensionOf) == {ID["us-semiconductor-export-controls"]}


def test_nothing_targets_or_houses_the_bloc_node_where_the_article_means_its_members(dataset: rdflib.Dataset) -> None:
    """s16 “companies within BRICS countries” and s27 “BRICS members” both mean the member states."""
    for predicate in (BKG.targets, BKG.prospectiveTarget, BKG.basedIn):
        assert list(dataset.quads((None, predicate, ID["brics"], None))) == [], predicate


# ── Missing assertions ─────────────────────────────────────────────────────────────────────────


def test_s04_and_s10_headings_state_the_aims_of_russias_brics_strategy(
    dataset: rdflib.Dataset, provenance: rdflib.Graph
) -> None:
    strategy = ID["russian-brics-strategy"]
    for position, objective in ((4, "objective-compete-in-global-ai-development"), (10, "objective-ai-leadership")):
        graphs = stated_in(dataset, (strategy, BKG.hasObjective, ID[objective], None))
        assert graphs and graphs <= claims_from(provenance, position), (position, graphs)
        for claim in graphs:
            assert provenance.value(claim, BKG.modality) == BKG.modalityAsserted


def test_s19_the_brics_ai_alliance_is_linked_to_brics(dataset: rdflib.Dataset, provenance: rdflib.Graph) -> None:
    graphs = stated_in(dataset, (ID["brics-ai-alliance"], BKG.initiativeOf, ID["brics"], None))
    assert graphs == {CLAIM["russia-led-brics-ai-alliance"]}
    assert graphs <= claims_from(provenance, 19)


def test_s26_brics_is_more_than_a_political_alliance(dataset: rdflib.Dataset) -> None:
    graphs = stated_in(dataset, (ID["brics"], BKG.moreThan, BKG.characterPoliticalAlliance, None))
    assert graphs == {CLAIM["brics-challenges-us-interests"]}


def test_s28_the_proposed_alliance_has_its_members_and_backer_as_data_not_only_in_a_label(
    dataset: rdflib.Dataset,
) -> None:
    alliance = ID["alliance-of-democracies-for-ai"]
    assert objects(dataset, alliance, BKG.prospectiveMember) == {ID["democracies"]}
    assert objects(dataset, alliance, BKG.prospectiveBacker) == {ID["united-states"]}
    assert (ID["democracies"], RDF.type, BKG.Group, CLAIM["proposal-alliance-of-democracies"]) in dataset


# ── Over-reaches ───────────────────────────────────────────────────────────────────────────────


def test_s15_the_study_group_is_not_said_to_be_a_unit_of_brics(dataset: rdflib.Dataset) -> None:
    assert list(dataset.quads((None, ORG.unitOf, None, None))) == []


def test_org_terms_carry_the_domains_and_ranges_of_the_organization_ontology(ontology: rdflib.Graph) -> None:
    expected = {
        ORG.member: (ORG.Membership, rdflib.URIRef("http://xmlns.com/foaf/0.1/Agent")),
        ORG.organization: (ORG.Membership, ORG.Organization),
        ORG.role: (ORG.Membership, ORG.Role),
        ORG.memberDuring: (ORG.Membership, TIME.Interval),
        ORG.unitOf: (ORG.OrganizationalUnit, ORG.FormalOrganization),
    }
    for prop, (domain, range_) in expected.items():
        assert (prop, RDFS.domain, domain) in ontology, prop
        assert (prop, RDFS.range, range_) in ontology, prop
    assert (BKG.Bloc, rdflib.OWL.disjointWith, ORG.FormalOrganization) in ontology


@pytest.fixture(scope="module")
def unit_of_brics():
    store = ox.Store()
    load_into_store(store, bundled_sources() + [SourceFile(CHECKS / "inconsistent-study-group-unit-of-brics.trig", None)])
    return reason(store)


def test_the_reasoner_catches_the_study_group_as_a_unit_of_brics(unit_of_brics) -> None:
    """org:unitOf makes its object an org:FormalOrganization, which a bkg:Bloc is not: HermiT says so."""
    assert not unit_of_brics.consistent
    assert "FormalOrganization" in unit_of_brics.explanation or "unitOf" in unit_of_brics.explanation


@pytest.fixture(scope="module")
def based_in_the_bloc():
    store = ox.Store()
    load_into_store(store, bundled_sources() + [SourceFile(CHECKS / "inconsistent-companies-based-in-the-bloc.trig", None)])
    return reason(store)


def test_the_reasoner_catches_companies_based_in_the_bloc_node(based_in_the_bloc) -> None:
    """s16: bkg:basedIn ranges over states, and a bloc is not a state."""
    assert not based_in_the_bloc.consistent
    assert "basedIn" in based_in_the_bloc.explanation or "State" in based_in_the_bloc.explanation


def test_s02_challenging_western_dominance_is_a_purpose_not_a_fact(dataset: rdflib.Dataset) -> None:
    assert list(dataset.quads((ID["russia"], BKG.challenges, ID["western-dominance"], None))) == []
    assert CLAIM["russia-leverages-brics"] in stated_in(
        dataset, (ID["russian-brics-strategy"], BKG.hasObjective, ID["objective-challenge-western-dominance"], None))


def test_s15_the_study_groups_task_is_frameworks_and_standards_without_ai_governance(dataset: rdflib.Dataset) -> None:
    tasks = objects(dataset, ID["brics-ai-study-group"], BKG.hasObjective)
    assert slugs(tasks) == {"objective-create-frameworks-and-standards"}
    labels = {str(label) for task in tasks for label in objects(dataset, task, RDFS.label)}
    assert labels == {"create frameworks and standards"}


def test_s13_russia_updated_its_plan_and_is_not_said_to_have_issued_it(dataset: rdflib.Dataset) -> None:
    plan = ID["russian-ai-development-plan"]
    assert objects(dataset, plan, BKG.issuedBy) == set()
    assert objects(dataset, plan, BKG.updatedBy) == {ID["russia"]}
    assert objects(dataset, plan, BKG.heldBy) == {ID["russia"]}  # “its” plan


def test_presuppositions_in_the_articles_own_voice_are_asserted_claims(
    dataset: rdflib.Dataset, provenance: rdflib.Graph
) -> None:
    """s06 “Russia’s plan to challenge Western dominance”, s24 “U.S. sanctions” (on Iran): the article
    presupposes them itself; they are not only inside Putin's or Iranian officials' views."""
    for triple, position in (
        ((ID["russian-plan"], BKG.pursuedBy, ID["russia"]), 6),
        ((ID["russian-plan"], BKG.hasObjective, ID["objective-challenge-western-dominance"]), 6),
        ((ID["us-sanctions"], BKG.issuedBy, ID["united-states"]), 24),
        ((ID["us-sanctions"], BKG.targets, ID["iran"]), 24),
    ):
        graphs = stated_in(dataset, (*triple, None))
        assert graphs and graphs <= claims_from(provenance, position), triple
        assert {provenance.value(g, BKG.modality) for g in graphs} == {BKG.modalityAsserted}, triple
    # the views keep only what is the view
    assert stated_in(dataset, (None, BKG.viewedAsCornerstoneOf, ID["russian-plan"], None)) == {
        CLAIM["putin-views-ai-as-cornerstone"]}
    assert stated_in(dataset, (None, BKG.viewedAsCounteracting, ID["us-sanctions"], None)) == {
        CLAIM["iranian-officials-view-partnership"]}


# ── Modelling ──────────────────────────────────────────────────────────────────────────────────


def test_one_parent_property_says_who_is_behind_a_thing(ontology: rdflib.Graph, dataset: rdflib.Dataset) -> None:
    for prop in (BKG.pursuedBy, BKG.initiatedBy, BKG.establishedBy, BKG.issuedBy, BKG.updatedBy, BKG.providedBy):
        assert (prop, RDFS.subPropertyOf, BKG.backedBy) in ontology, prop
    assert (BKG.prospectiveBacker, RDFS.subPropertyOf, None) not in ontology  # what only would be, is not backed


def test_objectives_are_related_to_the_topics_they_name(dataset: rdflib.Dataset) -> None:
    for objective, topic in (("objective-boost-ai-development", "topic-ai-development"),
                             ("objective-boost-ai-governance", "topic-ai-governance"),
                             ("objective-compete-in-global-ai-development", "topic-ai-development"),
                             ("objective-foster-joint-research-and-regulation", "topic-ai-research"),
                             ("objective-foster-joint-research-and-regulation", "topic-ai-regulation")):
        assert stated_in(dataset, (ID[objective], SKOS.related, ID[topic], None)), (objective, topic)


def test_the_three_russian_strategies_are_connected(dataset: rdflib.Dataset) -> None:
    parts = objects(dataset, ID["russian-brics-strategy"], BKG.partOfStrategy)
    assert slugs(parts) == {"russian-strategic-move", "russian-plan"}


def test_quantities_follow_one_pattern(dataset: rdflib.Dataset) -> None:
    """A number in schema:value or schema:minValue/maxValue, its unit in schema:unitCode; no currency field."""
    assert list(dataset.quads((None, SDO.currency, None, None))) == []
    quantities = {s for p in (SDO.value, SDO.minValue) for s, *_ in dataset.quads((None, p, None, None))}
    assert slugs(quantities) == {"brics-share-of-global-economy", "brics-ai-value-range"}
    for quantity in quantities:
        assert len(objects(dataset, quantity, SDO.unitCode)) == 1, quantity


# ── Outside facts, with their source ───────────────────────────────────────────────────────────


def source_of(reference: rdflib.Graph, node: URIRef) -> URIRef | None:
    return reference.value(node, DCTERMS.source)


def test_putin_is_russias_head_of_state_as_an_outside_fact(dataset: rdflib.Dataset, provenance: rdflib.Graph) -> None:
    assert stated_in(dataset, (ID["russia"], BKG.headOfState, ID["vladimir-putin"], None)) == {REFERENCE_GRAPH}
    sources = set(provenance.objects(REFERENCE_GRAPH, PROV.wasDerivedFrom))
    assert any("head of state" in str(provenance.value(s, RDFS.comment)) for s in sources)


def test_founding_dates_qualify_the_articles_originally_composed_of(reference: rdflib.Graph) -> None:
    expected = {"brazil": "2009", "russia": "2009", "india": "2009", "china": "2009", "south-africa": "2010-12"}
    for state, beginning in expected.items():
        period = reference.value(ID[f"brics-membership-{state}"], ORG.memberDuring)
        instant = reference.value(period, TIME.hasBeginning)
        position = reference.value(instant, TIME.inXSDgYear) or reference.value(instant, TIME.inXSDgYearMonth)
        assert str(position) == beginning, state
        assert source_of(reference, period) == SOURCE["wikipedia-brics"], state
    note = str(reference.value(ID["brics-membership-south-africa"], SKOS.note))
    assert "2010" in note and "original" in note


def test_indonesias_membership_has_a_period_not_only_an_announcement(reference: rdflib.Graph) -> None:
    period = reference.value(ID["brics-membership-indonesia"], ORG.memberDuring)
    assert period is not None
    assert str(reference.value(reference.value(period, TIME.hasBeginning), TIME.inXSDDate)) == "2025-01-06"


def test_every_reference_source_is_described_so_a_reader_can_find_it(
    provenance: rdflib.Graph, reference: rdflib.Graph
) -> None:
    sources = set(provenance.objects(REFERENCE_GRAPH, PROV.wasDerivedFrom))
    assert SOURCE["reference-facts"] in sources and len(sources) >= 2
    for source in sources:
        assert (source, RDF.type, BKG.Source) in provenance, source
        assert provenance.value(source, DCTERMS.title) is not None, source
        assert provenance.value(source, DCTERMS.bibliographicCitation) is not None, source
        assert provenance.value(source, RDFS.comment) is not None, source  # what it supports
    cited = {o for o in reference.objects(None, DCTERMS.source)}
    assert cited <= sources, "a fact cites a source the reference graph's record does not name"
