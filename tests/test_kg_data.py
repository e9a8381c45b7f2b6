"""The data states every claim of the article, traced to its exact sentence, with honest modality."""

from __future__ import annotations

import re
from collections import defaultdict

import pytest
import rdflib
from rdflib import RDF, RDFS, XSD, BNode, Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, PROV, SDO, SKOS, TIME

from bricskg.dataset import ONTOLOGY_GRAPH, load_rdflib_dataset
from bricskg.paths import article_path
from shared_material import require
from bricskg.vocab import ARTICLE, BKG, CLAIM, ID, PROVENANCE_GRAPH, REFERENCE_GRAPH, SOURCE

OA = rdflib.Namespace("http://www.w3.org/ns/oa#")
WD = rdflib.Namespace("http://www.wikidata.org/entity/")
AUTHOR = ID["article-author"]
SEGMENT_COUNT = 30

# Reviewed list of the article's text segments that make no claim (by position), with the reason.
# Every other segment must support at least one claim graph.
NON_CLAIM_SEGMENTS = {
    20: "section heading “Expanding Partnerships Beyond BRICS” (restates s21–s23)",
    25: "section heading “Implications for U.S. Policy and AI Competition” (introduces s26–s29)",
    30: "closing advertisement for AI courses: says nothing about the article's subject",
}

# Outside identifiers, as given in the project's reference notes (notes/reference-facts.md).
REFERENCE_IDS = {
    "brazil": ("Q155", "BR", "BRA"), "russia": ("Q159", "RU", "RUS"), "india": ("Q668", "IN", "IND"),
    "china": ("Q148", "CN", "CHN"), "south-africa": ("Q258", "ZA", "ZAF"), "egypt": ("Q79", "EG", "EGY"),
    "ethiopia": ("Q115", "ET", "ETH"), "indonesia": ("Q252", "ID", "IDN"), "iran": ("Q794", "IR", "IRN"),
    "united-arab-emirates": ("Q878", "AE", "ARE"), "united-states": ("Q30", "US", "USA"),
}
FOUNDERS = {"brazil", "russia", "india", "china", "south-africa"}
JOINERS = {"egypt", "ethiopia", "indonesia", "iran", "united-arab-emirates"}
MODALITIES = {BKG.modalityAsserted, BKG.modalityReported, BKG.modalityForecast, BKG.modalityProposal,
              BKG.modalityViewpoint}


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
def claim_graphs(dataset: rdflib.Dataset) -> dict[URIRef, rdflib.Graph]:
    return {
        graph.identifier: graph
        for graph in dataset.graphs()
        if str(graph.identifier).startswith(str(CLAIM)) and len(graph)
    }


@pytest.fixture(scope="module")
def article_text() -> str:
    return require("article", article_path()).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def segments(provenance: rdflib.Graph) -> dict[int, URIRef]:
    """Position -> segment IRI for the article's text segments."""
    found = {}
    for segment in provenance.subjects(DCTERMS.isPartOf, ARTICLE):
        found[int(provenance.value(segment, BKG.position))] = segment
    return found


def selector(provenance: rdflib.Graph, segment: URIRef, kind: URIRef) -> rdflib.term.Node:
    matches = [s for s in provenance.objects(segment, OA.hasSelector) if (s, RDF.type, kind) in provenance]
    assert len(matches) == 1, f"{segment}: needs exactly one {kind}"
    return matches[0]


def claims_of(provenance: rdflib.Graph, segment: URIRef) -> set[URIRef]:
    return set(provenance.subjects(PROV.wasDerivedFrom, segment)) & set(provenance.subjects(RDF.type, BKG.Claim))


# ── Where triples live ─────────────────────────────────────────────────────────────────────────


def test_data_triples_live_only_in_claim_provenance_and_reference_graphs(dataset: rdflib.Dataset) -> None:
    allowed = {str(PROVENANCE_GRAPH), str(REFERENCE_GRAPH), ONTOLOGY_GRAPH}
    stray = {str(g) for _, _, _, g in dataset.quads((None, None, None, None))
             if str(g) not in allowed and not str(g).startswith(str(CLAIM))}
    assert stray == set(), "triples outside the claim, provenance, reference and ontology graphs"


def test_entities_are_minted_under_the_id_namespace(claim_graphs: dict[URIRef, rdflib.Graph]) -> None:
    for name, graph in claim_graphs.items():
        for subject in graph.subjects():
            assert isinstance(subject, URIRef) and str(subject).startswith(str(ID)), (name, subject)


# ── Claim graphs and their provenance records ──────────────────────────────────────────────────


def test_every_claim_graph_has_one_complete_provenance_record(
    claim_graphs: dict[URIRef, rdflib.Graph], provenance: rdflib.Graph
) -> None:
    for name in claim_graphs:
        assert (name, RDF.type, BKG.Claim) in provenance, f"{name}: no bkg:Claim record"
        sources = list(provenance.objects(name, PROV.wasDerivedFrom))
        assert len(sources) == 1 and str(sources[0]).startswith(str(ARTICLE) + "/s"), name
        modalities = list(provenance.objects(name, BKG.modality))
        assert len(modalities) == 1 and modalities[0] in MODALITIES, name
        assert list(provenance.objects(name, PROV.wasAttributedTo)), f"{name}: attributed to no one"
        assert provenance.value(name, RDFS.label) is not None, name


def test_every_claim_record_names_a_non_empty_claim_graph(
    claim_graphs: dict[URIRef, rdflib.Graph], provenance: rdflib.Graph
) -> None:
    records = set(provenance.subjects(RDF.type, BKG.Claim))
    assert records == set(claim_graphs)


def test_claim_graphs_are_self_contained(claim_graphs: dict[URIRef, rdflib.Graph]) -> None:
    """Every entity a claim graph mentions is typed and labelled in that same graph."""
    for name, graph in claim_graphs.items():
        nodes = {n for s, p, o in graph for n in (s, o) if p != RDF.type and isinstance(n, URIRef)}
        for node in nodes:
            if str(node).startswith(str(ID)):
                assert graph.value(node, RDF.type) is not None, f"{name}: {node} untyped"
                assert graph.value(node, RDFS.label) is not None, f"{name}: {node} unlabelled"


def test_an_entity_has_the_same_label_in_every_graph(dataset: rdflib.Dataset) -> None:
    labels = defaultdict(set)
    for subject, _, label, _ in dataset.quads((None, RDFS.label, None, None)):
        if str(subject).startswith(str(ID)):
            labels[subject].add(label)
    assert {str(s): v for s, v in labels.items() if len(v) > 1} == {}


def test_no_blank_nodes_in_claim_graphs(claim_graphs: dict[URIRef, rdflib.Graph]) -> None:
    for name, graph in claim_graphs.items():
        assert not any(isinstance(term, BNode) for triple in graph for term in triple), name


# ── Sentences and exact quotes ─────────────────────────────────────────────────────────────────


def test_the_article_is_described_without_invented_metadata(provenance: rdflib.Graph) -> None:
    assert (ARTICLE, RDF.type, BKG.Source) in provenance
    assert (ARTICLE, RDF.type, SDO.Article) in provenance
    assert str(provenance.value(ARTICLE, DCTERMS.title)) == (
        "Putin’s BRICS AI Alliance: How Russia Is Challenging US Tech Dominance"
    )
    for invented in (DCTERMS.date, DCTERMS.issued, DCTERMS.creator, DCTERMS.publisher, SDO.url, SDO.author):
        assert provenance.value(ARTICLE, invented) is None, invented


def test_segments_are_numbered_one_to_thirty(segments: dict[int, URIRef]) -> None:
    assert sorted(segments) == list(range(1, SEGMENT_COUNT + 1))
    for position, segment in segments.items():
        assert str(segment) == f"{SOURCE}article/s{position:02d}"


def test_every_quote_is_exact_at_its_stated_offsets(
    segments: dict[int, URIRef], provenance: rdflib.Graph, article_text: str
) -> None:
    for segment in segments.values():
        quote = selector(provenance, segment, OA.TextQuoteSelector)
        place = selector(provenance, segment, OA.TextPositionSelector)
        exact = str(provenance.value(quote, OA.exact))
        start, end = int(provenance.value(place, OA.start)), int(provenance.value(place, OA.end))
        assert article_text[start:end] == exact, segment
        prefix = provenance.value(quote, OA.prefix)
        suffix = provenance.value(quote, OA.suffix)
        if prefix is not None:
            assert article_text[:start].endswith(str(prefix)), segment
        else:
            assert start == 0, segment
        if suffix is not None:
            assert article_text[end:].startswith(str(suffix)), segment
        else:
            assert end == len(article_text.rstrip("\n")), segment


def test_segments_cover_the_whole_article_in_order(
    segments: dict[int, URIRef], provenance: rdflib.Graph, article_text: str
) -> None:
    """Between consecutive segments there is only white space or a list bullet: no sentence is skipped."""
    cursor = 0
    for position in sorted(segments):
        place = selector(provenance, segments[position], OA.TextPositionSelector)
        start, end = int(provenance.value(place, OA.start)), int(provenance.value(place, OA.end))
        assert article_text[cursor:start].strip() in ("", "-"), f"unquoted text before s{position:02d}"
        cursor = end
    assert article_text[cursor:].strip() == ""


def test_every_claim_making_segment_supports_a_claim(segments: dict[int, URIRef], provenance: rdflib.Graph) -> None:
    for position, segment in segments.items():
        claims = claims_of(provenance, segment)
        if position in NON_CLAIM_SEGMENTS:
            assert claims == set(), f"s{position:02d} is listed as making no claim"
            assert {BKG.Heading, BKG.Boilerplate} & set(provenance.objects(segment, RDF.type)), position
        else:
            assert claims, f"s{position:02d} makes a claim but supports no claim graph"


# ── Modality and attribution ───────────────────────────────────────────────────────────────────


def quote_of(provenance: rdflib.Graph, claim: URIRef) -> str:
    segment = provenance.value(claim, PROV.wasDerivedFrom)
    return str(provenance.value(selector(provenance, segment, OA.TextQuoteSelector), OA.exact))


def test_forecast_and_proposal_nodes_sit_in_claims_of_that_modality(
    claim_graphs: dict[URIRef, rdflib.Graph], provenance: rdflib.Graph
) -> None:
    for name, graph in claim_graphs.items():
        modality = provenance.value(name, BKG.modality)
        if (None, RDF.type, BKG.Forecast) in graph:
            assert modality == BKG.modalityForecast, name
        if (None, RDF.type, BKG.Proposal) in graph:
            assert modality == BKG.modalityProposal, name
        if modality in (BKG.modalityForecast, BKG.modalityProposal):
            assert {BKG.Forecast, BKG.Proposal} & set(graph.objects(None, RDF.type)), name


def test_hedged_sentences_are_not_asserted_as_fact(provenance: rdflib.Graph, segments: dict[int, URIRef]) -> None:
    """Wording that marks a forecast, a recommendation, a report or a view yields that modality."""
    cues = [
        (r"\bcould see\b", BKG.modalityForecast),
        (r"\bshould consider\b|\bmay need to\b", BKG.modalityProposal),
        (r"\breport that\b", BKG.modalityReported),
        (r"\bviews?\b", BKG.modalityViewpoint),
    ]
    for segment in segments.values():
        text = str(provenance.value(selector(provenance, segment, OA.TextQuoteSelector), OA.exact))
        modalities = {provenance.value(c, BKG.modality) for c in claims_of(provenance, segment)}
        for cue, modality in cues:
            if re.search(cue, text):
                assert modality in modalities, (segment, cue)


def test_reports_and_views_are_attributed_to_their_holders(provenance: rdflib.Graph) -> None:
    expected = {
        CLAIM["brics-companies-shift-from-western-ai-models"]: (BKG.modalityReported, ID["analysts"]),
        CLAIM["putin-views-ai-as-cornerstone"]: (BKG.modalityViewpoint, ID["vladimir-putin"]),
        CLAIM["iranian-officials-view-partnership"]: (BKG.modalityViewpoint, ID["iranian-officials"]),
    }
    for claim, (modality, holder) in expected.items():
        assert provenance.value(claim, BKG.modality) == modality, claim
        assert set(provenance.objects(claim, PROV.wasAttributedTo)) == {holder}, claim


def test_asserted_claims_are_the_articles_own(provenance: rdflib.Graph) -> None:
    for claim in provenance.subjects(BKG.modality, BKG.modalityAsserted):
        assert set(provenance.objects(claim, PROV.wasAttributedTo)) == {AUTHOR}, claim


def test_the_forecast_keeps_its_range_currency_and_horizon(claim_graphs: dict[URIRef, rdflib.Graph]) -> None:
    graph = claim_graphs[CLAIM["brics-ai-value-forecast"]]
    forecast = graph.value(None, RDF.type, BKG.Forecast)
    amount = graph.value(forecast, BKG.forecastAmount)
    assert graph.value(amount, SDO.minValue) == Literal("350000000000", datatype=XSD.decimal)
    assert graph.value(amount, SDO.maxValue) == Literal("600000000000", datatype=XSD.decimal)
    assert str(graph.value(amount, SDO.unitCode)) == "USD"  # the currency is the amount's unit
    assert graph.value(amount, BKG.status) == BKG.statusForecast
    horizon = graph.value(forecast, BKG.horizon)
    assert graph.value(horizon, TIME.inXSDgYear) == Literal("2030", datatype=XSD.gYear)


# ── Memberships and outside facts ──────────────────────────────────────────────────────────────


def memberships(claim_graphs: dict[URIRef, rdflib.Graph], role: URIRef) -> set[str]:
    found = set()
    for graph in claim_graphs.values():
        for membership in graph.subjects(ORG.role, role):
            assert graph.value(membership, ORG.organization) == ID["brics"]
            found.add(str(graph.value(membership, ORG.member))[len(str(ID)):])
    return found


def test_the_article_names_five_founders_and_five_joiners(claim_graphs: dict[URIRef, rdflib.Graph]) -> None:
    assert memberships(claim_graphs, BKG.roleFoundingMember) == FOUNDERS
    assert memberships(claim_graphs, BKG.roleExpansionMember) == JOINERS


def test_membership_dates_are_outside_facts_only(dataset: rdflib.Dataset) -> None:
    for predicate in (ORG.memberDuring, BKG.announcedOn, BKG.announcedAt, BKG.signedOn, BKG.signedAt):
        graphs = {g for _, _, _, g in dataset.quads((None, predicate, None, None))}
        assert graphs == {REFERENCE_GRAPH}, predicate


def test_reference_graph_has_its_own_source(provenance: rdflib.Graph) -> None:
    source = provenance.value(REFERENCE_GRAPH, PROV.wasDerivedFrom)
    assert source is not None and source != ARTICLE
    assert (source, RDF.type, BKG.Source) in provenance


def test_states_carry_exactly_the_reference_identifiers(reference: rdflib.Graph) -> None:
    found = {}
    for state in reference.subjects(RDF.type, BKG.State):
        slug = str(state)[len(str(ID)):]
        found[slug] = (
            str(reference.value(state, BKG.wikidataItem))[len(str(WD)):],
            str(reference.value(state, BKG.iso3166Alpha2)),
            str(reference.value(state, BKG.iso3166Alpha3)),
        )
    assert found == REFERENCE_IDS


def test_brics_has_no_guessed_wikidata_item(dataset: rdflib.Dataset) -> None:
    assert list(dataset.quads((ID["brics"], BKG.wikidataItem, None, None))) == []
    assert list(dataset.quads((ID["brics"], SKOS.exactMatch, None, None))) == []


# ── Over-reach and under-reach found in the sentence-by-sentence audit ─────────────────────────

# Words a claim graph may use although its own sentence does not, each for a stated reason. Anything
# else in a claim graph's English literals (labels of the entities it states things about) must be a
# word of the sentence the claim is derived from, so wording — and with it content — cannot leak in
# from a neighbouring sentence.
MODELLING_WORDS = {
    "membership", "forecast", "share",  # names of the nodes that hold a relation or a quantity
    "create", "integrate", "capture", "extended", "form",  # a verb's base form ("creating" -> "create")
    "build",  # s07 “develop a parallel AI ecosystem” is s02's “build a parallel AI ecosystem”
    "artificial", "intelligence",  # the article's “AI” spelled out
    "west",  # “the West”, holder of what the article calls “Western”
    "strategy",  # the name of the node kind a course of action is (“Russia’s BRICS strategy”)
}
# A section heading summarises the sentences of its section; a claim derived from the heading may name
# the entities of those sentences (s04's claim ties together the strategies of s05, s06 and s07).
HEADING_SECTIONS = {
    "russia-leverages-brics-to-compete-in-ai": range(5, 10),  # s04 heads s05–s09
}
ANAPHORA = {  # words of the entity an anaphor of the sentence points back to
    "iranian-officials-view-partnership": {"agreement", "comprehensive", "strategic"},  # “this partnership” (s23)
}


def words(text: str) -> set[str]:
    return set(re.findall(r"[a-z]+", text.lower().replace("’s", "").replace("'s", "")))


def test_claim_graph_wording_comes_from_its_own_sentence(
    dataset: rdflib.Dataset, claim_graphs: dict[URIRef, rdflib.Graph], provenance: rdflib.Graph
) -> None:
    """Regression: s05 and s07 once labelled their strategy with s06's “plan to challenge Western dominance”."""
    names = set()  # states, blocs and people may be named by pronoun, metonym or adjective (“he”, “Moscow”, “Russian”)
    entities = {s for cls in (BKG.State, BKG.Bloc, BKG.Person) for s, _, _, _ in dataset.quads((None, RDF.type, cls, None))}
    for entity in entities:
        names |= {w for _, _, label, _ in dataset.quads((entity, RDFS.label, None, None)) for w in words(str(label))}
    section_words = {
        slug: {w for position in positions for w in words(str(provenance.value(
            selector(provenance, SOURCE[f"article/s{position:02d}"], OA.TextQuoteSelector), OA.exact)))}
        for slug, positions in HEADING_SECTIONS.items()
    }
    for name, graph in claim_graphs.items():
        slug = str(name)[len(str(CLAIM)):]
        allowed = (words(quote_of(provenance, name)) | names | MODELLING_WORDS | ANAPHORA.get(slug, set())
                   | section_words.get(slug, set()))
        borrowed = {
            word
            for _, _, literal in graph
            if isinstance(literal, Literal) and literal.language == "en"
            for word in words(str(literal))
            if len(word) >= 4 and word not in allowed
        }
        assert borrowed == set(), f"{name}: words its sentence does not use: {sorted(borrowed)}"


def test_title_possessive_is_not_asserted_as_leadership(
    dataset: rdflib.Dataset, provenance: rdflib.Graph, segments: dict[int, URIRef]
) -> None:
    """“Putin’s BRICS AI Alliance” is headline framing: no triple may tie Putin to the alliance."""
    alliance, putin = ID["brics-ai-alliance"], ID["vladimir-putin"]
    assert list(dataset.quads((alliance, None, putin, None))) == []
    assert list(dataset.quads((putin, None, alliance, None))) == []
    assert claims_of(provenance, segments[1]) == {CLAIM["russia-challenges-us-tech-dominance"]}
    # What the article does say about who is behind the alliance comes from s19, about Russia.
    backers = {(o, g) for _, p, o, g in dataset.quads((alliance, None, None, None)) if p == BKG.initiatedBy}
    assert backers == {(ID["russia"], CLAIM["russia-led-brics-ai-alliance"])}


def test_putins_view_of_the_plan_stays_in_the_sentence_that_reports_it(
    claim_graphs: dict[URIRef, rdflib.Graph], provenance: rdflib.Graph
) -> None:
    """The strategy Putin views AI as the cornerstone of is not merged with s02's, s05's or s07's."""
    plans = {o for graph in claim_graphs.values() for o in graph.objects(None, BKG.viewedAsCornerstoneOf)}
    assert plans == {ID["russian-plan"]}
    cornerstone_claims = {name for name, graph in claim_graphs.items() if (None, BKG.viewedAsCornerstoneOf, None) in graph}
    assert cornerstone_claims == {CLAIM["putin-views-ai-as-cornerstone"]}
    assert provenance.value(CLAIM["putin-views-ai-as-cornerstone"], BKG.modality) == BKG.modalityViewpoint
    # the plan is described only where s06 (or the heading over s06, s04) speaks of it
    holders = {str(provenance.value(name, PROV.wasDerivedFrom))[-3:]
               for name, graph in claim_graphs.items() if (ID["russian-plan"], None, None) in graph}
    assert holders == {"s04", "s06"}
    strategies = {
        sentence: set(claim_graphs[name].subjects(RDF.type, BKG.Strategy))
        for name, sentence in ((CLAIM["russia-leverages-brics"], "s02"),
                               (CLAIM["russia-moves-to-stay-relevant-in-ai-race"], "s05"),
                               (CLAIM["moscow-turns-to-brics"], "s07"))
    }
    assert strategies["s02"] == strategies["s07"] == {ID["russian-brics-strategy"]}
    assert strategies["s05"] == {ID["russian-strategic-move"]}


def test_the_means_of_challenging_us_interests_are_recorded(claim_graphs: dict[URIRef, rdflib.Graph]) -> None:
    """s26 “challenges U.S. interests through AI collaboration and sanctions circumvention”."""
    graph = claim_graphs[CLAIM["brics-challenges-us-interests"]]
    assert (ID["brics"], BKG.challenges, ID["us-interests"]) in graph
    assert set(graph.objects(ID["brics"], BKG.challengesThrough)) == {
        ID["topic-ai-collaboration"], ID["topic-sanctions-circumvention"]}
    for name, other in claim_graphs.items():  # a means without a challenge would be a means of nothing
        for actor in other.subjects(BKG.challengesThrough, None):
            assert other.value(actor, BKG.challenges) is not None, name
            # the super-property is written out for stores that do not reason
            for means in other.objects(actor, BKG.challengesThrough):
                assert (actor, BKG.engagesIn, means) in other, name


def test_discussed_infrastructure_appears_only_as_the_object_of_a_discussion(
    claim_graphs: dict[URIRef, rdflib.Graph],
) -> None:
    """s18: BRICS *discusses* implementing Russian and Chinese AI infrastructure; nothing says it exists."""
    seen = 0
    for name, graph in claim_graphs.items():
        assert (None, RDF.type, BKG.InfrastructureProgramme) not in graph, f"{name}: a programme presented as existing"
        for programme in graph.subjects(RDF.type, BKG.DiscussedAIInfrastructure):
            seen += 1
            assert list(graph.subjects(BKG.discusses, programme)), f"{name}: {programme} stated outside a discussion"
            assert graph.value(programme, BKG.status) == BKG.statusUnderDiscussion, name
            assert (programme, BKG.providedBy, None) not in graph, f"{name}: {programme} presented as provided"
    assert seen == 1


def test_companies_in_brics_countries_are_not_affiliated_with_the_bloc(dataset: rdflib.Dataset) -> None:
    """s16 “companies within BRICS countries” says where they are — in the member states — not that
    they belong to BRICS (regression: they were once “based in” the bloc node)."""
    companies = ID["large-brics-companies"]
    assert list(dataset.quads((companies, BKG.affiliatedWith, None, None))) == []
    assert {(o, g) for _, _, o, g in dataset.quads((companies, BKG.basedIn, None, None))} == {
        (ID[state], CLAIM["brics-companies-shift-from-western-ai-models"]) for state in FOUNDERS | JOINERS}


def test_approximate_figures_are_marked_approximate(
    claim_graphs: dict[URIRef, rdflib.Graph], provenance: rdflib.Graph
) -> None:
    """A hedged figure (“about 35%”) keeps its hedge; an unhedged one is not marked."""
    checked = 0
    for name, graph in claim_graphs.items():
        hedged = bool(re.search(r"\b(about|around|approximately|roughly|nearly|some)\s+\$?\d", quote_of(provenance, name)))
        for value in graph.subjects(SDO.value, None):
            checked += 1
            assert (graph.value(value, BKG.isApproximate) == Literal(True)) == hedged, name
    assert checked == 1  # the share of the global economy (s09)
