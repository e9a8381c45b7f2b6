"""Hypotheticals never look like facts: a query over the default graph that knows nothing of claim
modalities meets a proposed, forecast or discussed thing only with its status on it.

The data keeps modality on each claim's provenance record, but a user who queries the union default
graph (as the endpoint serves it) does not join that record. So what is only proposed, forecast or
discussed carries bkg:status itself, is typed with a class of the bkg:Hypothetical branch (never
with the class of what it would be) and names its would-be backers and targets with prospective
properties (never bkg:backedBy and its sub-properties, nor bkg:targets).
"""

from __future__ import annotations

import io

import pyoxigraph as ox
import pytest
import rdflib
from rdflib import RDF, RDFS, URIRef

from bricskg.dataset import SourceFile, bundled_sources, load_into_store, load_rdflib_dataset, open_memory_store
from bricskg.validation import validate_dataset
from bricskg.vocab import BKG, CLAIM, ID, PROVENANCE_GRAPH

PREFIXES = """PREFIX bkg: <https://w3id.org/bricskg/ontology/>
PREFIX bkgr: <https://w3id.org/bricskg/id/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""
# What the article speaks of only as proposed, forecast or discussed, and the status each carries.
HYPOTHETICALS = {
    "alliance-of-democracies-for-ai": BKG.statusProposed,  # s28 "should consider forming"
    "export-controls-on-brics-members": BKG.statusProposed,  # s27 "may need to extend"
    "ai-infrastructure-for-developing-nations": BKG.statusUnderDiscussion,  # s18 "discussions include"
    "brics-ai-value-range": BKG.statusForecast,  # s17 "could see"
}
# Properties that present their subject as existing.
FACTUAL_BACKING = [BKG.backedBy, BKG.pursuedBy, BKG.initiatedBy, BKG.establishedBy, BKG.issuedBy, BKG.updatedBy,
                   BKG.providedBy, BKG.targets, BKG.appliesTo]


@pytest.fixture(scope="module")
def store() -> ox.Store:
    return open_memory_store()


@pytest.fixture(scope="module")
def dataset() -> rdflib.Dataset:
    return load_rdflib_dataset()


def names(store: ox.Store, query: str) -> set[str]:
    """The values of the first variable of a query over the union default graph, as strings."""
    return {row[0].value for row in store.query(PREFIXES + query, use_default_graph_as_union=True)}


def test_a_naive_query_for_ai_alliances_finds_only_the_brics_ai_alliance(store: ox.Store) -> None:
    """Regression: the proposed U.S. "alliance of democracies" (s28) was a bkg:AIAlliance."""
    assert names(store, "SELECT ?x WHERE { ?x a bkg:AIAlliance }") == {str(ID["brics-ai-alliance"])}
    assert names(store, "SELECT ?x WHERE { ?x bkg:initiatedBy ?who }") == {str(ID["brics-ai-alliance"])}


def test_a_naive_query_for_export_controls_finds_none_that_is_only_proposed(store: ox.Store) -> None:
    """Regression: the proposed extension (s27) was a bkg:ExportControl issued by the U.S."""
    in_force = {str(ID["us-semiconductor-export-controls"])}
    assert names(store, "SELECT ?x WHERE { ?x a bkg:ExportControl }") == in_force
    assert names(store, "SELECT ?x WHERE { ?x a bkg:ExportControl ; bkg:issuedBy bkgr:united-states }") == in_force
    assert str(ID["export-controls-on-brics-members"]) not in names(
        store, "SELECT ?x WHERE { ?x bkg:issuedBy bkgr:united-states }")


def test_a_naive_query_for_what_russia_or_china_provide_finds_nothing_only_discussed(store: ox.Store) -> None:
    """Regression: the infrastructure BRICS only discusses (s18) was "provided by" Russia and China."""
    assert names(store, "SELECT ?x WHERE { VALUES ?p { bkgr:russia bkgr:china } ?x bkg:providedBy ?p }") == set()
    assert names(store, "SELECT ?x WHERE { ?x a bkg:InfrastructureProgramme }") == set()


def test_every_hypothetical_carries_its_status_on_itself(dataset: rdflib.Dataset) -> None:
    found = {str(s)[len(str(ID)):]: o for s, _, o, _ in dataset.quads((None, BKG.status, None, None))}
    assert found == {slug: status for slug, status in HYPOTHETICALS.items()}


def test_no_hypothetical_is_typed_or_backed_as_something_that_exists(dataset: rdflib.Dataset) -> None:
    ontology = rdflib.Graph().parse(data="\n".join(
        f"<{s}> <{p}> <{o}> ." for s, p, o, _ in dataset.quads((None, RDFS.subClassOf, None, None))
        if isinstance(o, URIRef)), format="nt")
    for slug in HYPOTHETICALS:
        node = ID[slug]
        for _, _, cls, graph in dataset.quads((node, RDF.type, None, None)):
            ancestors = set(ontology.transitive_objects(cls, RDFS.subClassOf))
            assert {BKG.AIInitiative, BKG.PolicyInstrument, BKG.Agreement}.isdisjoint(ancestors), (slug, cls, graph)
        for predicate in FACTUAL_BACKING:
            assert list(dataset.quads((node, predicate, None, None))) == [], (slug, predicate)


def test_the_status_agrees_with_the_modality_of_the_claims_that_state_the_thing(dataset: rdflib.Dataset) -> None:
    """The status on the node says what the claim's provenance record says, so the two never drift."""
    provenance = dataset.graph(PROVENANCE_GRAPH)
    by_modality = {BKG.modalityProposal: BKG.statusProposed, BKG.modalityForecast: BKG.statusForecast}
    for slug, status in HYPOTHETICALS.items():
        claims = {g for _, _, _, g in dataset.quads((ID[slug], BKG.status, None, None))}
        assert claims, slug
        for claim in claims:
            modality = provenance.value(claim, BKG.modality)
            assert by_modality.get(modality, BKG.statusUnderDiscussion) == status, (slug, claim, modality)


# ── The shapes enforce it ──────────────────────────────────────────────────────────────────────


OLD_PROPOSAL_CLAIM = """
@prefix bkg:  <https://w3id.org/bricskg/ontology/> .
@prefix bkgr: <https://w3id.org/bricskg/id/> .
@prefix claim: <https://w3id.org/bricskg/claim/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
# The s28 proposal as it was once recorded: the proposed alliance typed as an existing AI alliance.
claim:proposal-alliance-of-democracies {
    bkgr:alliance-of-democracies-for-ai a bkg:AIAlliance ; bkg:initiatedBy bkgr:united-states .
}
"""


def test_the_write_gate_refuses_a_proposal_recorded_as_an_existing_alliance(tmp_path) -> None:
    """The shipped data conforms; adding the old modelling of s28 back is a violation of the new shapes."""
    store = ox.Store()
    load_into_store(store, bundled_sources())
    assert validate_dataset(store).conforms
    extra = tmp_path / "old-s28.trig"
    extra.write_text(OLD_PROPOSAL_CLAIM, encoding="utf-8")
    store = ox.Store()
    load_into_store(store, bundled_sources() + [SourceFile(extra, None)])
    report = validate_dataset(store)
    assert not report.conforms
    shapes = {str(r.source_shape).rsplit("/", 1)[-1] for r in report.violations}
    assert shapes == {"HypotheticalShape"}, report.to_text()


def test_status_on_the_node_answers_like_the_claim_modality_on_a_synthetic_graph() -> None:
    """On the bench generator's graph (thousands of claims), "which export controls are only proposed?"
    answered from bkg:status on the node equals the answer joined from the claims' provenance."""
    from bricskg.bench.generator import generate

    text = io.StringIO()
    generate(text, 4000, 7)
    synthetic = ox.Store()
    synthetic.load(text.getvalue().encode(), ox.RdfFormat.N_QUADS)
    on_node = names(synthetic, "SELECT ?x WHERE { ?x bkg:status bkg:statusProposed }")
    from_provenance = names(synthetic, f"""
        SELECT ?x WHERE {{
          GRAPH ?claim {{ ?proposal bkg:proposes ?x }}
          GRAPH <{PROVENANCE_GRAPH}> {{ ?claim bkg:modality bkg:modalityProposal }}
        }}""")
    assert on_node and on_node == from_provenance
    assert names(synthetic, "SELECT ?x WHERE { ?x bkg:status ?s ; a bkg:ExportControl }") == set()


def test_the_claims_that_state_hypotheticals_are_the_expected_ones(dataset: rdflib.Dataset) -> None:
    graphs = {str(g)[len(str(CLAIM)):] for _, _, _, g in dataset.quads((None, BKG.status, None, None))}
    assert graphs == {"proposal-alliance-of-democracies", "proposal-extend-export-controls",
                      "brics-discusses-ai-infrastructure", "brics-ai-value-forecast"}


DESCRIPTIVE = {RDF.type, RDFS.label, rdflib.namespace.SKOS.prefLabel, rdflib.namespace.SKOS.altLabel,
               rdflib.namespace.SKOS.inScheme}


def test_views_are_stated_with_relations_whose_names_say_they_are_views(dataset: rdflib.Dataset) -> None:
    """Regression: “AI is the cornerstone of Russia's plan” (s06, Putin's view) and “the partnership
    counteracts U.S. sanctions” (s24, Iranian officials' view) were plain bkg:cornerstone and
    bkg:counteracts triples, which a naive query reads as facts."""
    provenance = dataset.graph(PROVENANCE_GRAPH)
    view_relations = {BKG.viewedAsCornerstoneOf, BKG.viewedAsCounteracting, BKG.viewedAsBattlegroundIn}
    ontology = dataset.graph(rdflib.URIRef("https://w3id.org/bricskg/ontology"))
    for claim in provenance.subjects(BKG.modality, BKG.modalityViewpoint):
        used = {p for _, p, _, _ in dataset.quads((None, None, None, claim))} - DESCRIPTIVE
        assert used and used <= view_relations, (claim, used - view_relations)
    for relation in view_relations:
        assert (relation, RDFS.subPropertyOf, BKG.viewRelation) in ontology
        assert str(ontology.value(relation, RDFS.label)).startswith("viewed as"), relation
