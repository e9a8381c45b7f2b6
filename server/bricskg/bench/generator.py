"""A synthetic graph of N triples in the bricskg ontology, modelled exactly like the article's data.

What it imitates (see data/article.trig and data/reference.trig): many synthetic *articles*, each a
``bkg:Source`` with numbered ``bkg:Sentence`` segments carrying a Web Annotation text-quote selector
(``oa:exact`` is the sentence, cut out of the article's own generated text, with its prefix/suffix)
and a text-position selector (``oa:start``/``oa:end`` index that text). Every sentence states one
or two claims; each claim is ONE NAMED GRAPH holding only the triples that sentence states,
restating the type and label of every entity it introduces, and a ``bkg:Claim`` record in the
provenance graph gives its sentence, modality and attribution. Claims cover blocs and their
member states (``org:Membership``-style ``bkg:BlocMembership`` with a role), joint declarations
and partnership agreements, AI initiatives (alliances, study groups, development plans,
infrastructure programmes), export controls and sanctions, forecasts with monetary ranges (min ≤
max), economic shares and proposals. States get ISO 3166-style codes and a Wikidata-style link in
the reference graph, as the article's states do.

Entity pools grow with N (more states, blocs, topics and objectives in a bigger graph) but are
shared across articles, so joins fan out the way they do in real data. Everything is seeded:
the same N and seed give byte-identical output.

Output is N-Quads (one quad per line: the count is exact and loading is streaming); the file is
read by ``bricskg serve --data``, by raw pyoxigraph and by the two peer servers alike.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, TextIO

import pyoxigraph

BASE = "https://w3id.org/bricskg/"
ONT = BASE + "ontology/"
ID = BASE + "id/"
CLAIM = BASE + "claim/"
SOURCE = BASE + "source/"
PROVENANCE = f"<{BASE}graph/provenance>"
REFERENCE = f"<{BASE}graph/reference>"

RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
PREF_LABEL = "<http://www.w3.org/2004/02/skos/core#prefLabel>"
IN_SCHEME = "<http://www.w3.org/2004/02/skos/core#inScheme>"
ORG = "http://www.w3.org/ns/org#"
PROV = "http://www.w3.org/ns/prov#"
OA = "http://www.w3.org/ns/oa#"
DCTERMS = "http://purl.org/dc/terms/"
SCHEMA = "https://schema.org/"
TIME = "http://www.w3.org/2006/time#"
XSD = "http://www.w3.org/2001/XMLSchema#"
WIKIDATA = "http://www.wikidata.org/entity/"

# ISO codes the article's own states use: synthetic states never take them (codes stay unique).
TAKEN_ALPHA2 = frozenset({"BR", "RU", "IN", "CN", "ZA", "EG", "ET", "ID", "IR", "AE", "US"})
TAKEN_ALPHA3 = frozenset({"BRA", "RUS", "IND", "CHN", "ZAF", "EGY", "ETH", "IDN", "IRN", "ARE", "USA"})
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

MIN_STATES, MAX_STATES = 30, 600  # 676 two-letter codes, minus the article's
BATCH_ARTICLE_OFFSET = 10_000_000
SENTENCE_QUADS = 14  # what ``sentences`` writes per sentence (13 for the first and the last)  # write batches use article numbers no generated graph reaches


def bkg(term: str) -> str:
    return f"<{ONT}{term}>"


def iri(namespace: str, local: str) -> str:
    return f"<{namespace}{local}>"


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


def lit(text: str, lang: str | None = None, datatype: str | None = None) -> str:
    body = f'"{_escape(text)}"'
    if lang:
        return f"{body}@{lang}"
    if datatype:
        return f"{body}^^<{XSD}{datatype}>"
    return body


def _codes(width: int, taken: frozenset[str]) -> Iterator[str]:
    """Two- or three-letter codes in a fixed order, skipping the article's own."""
    for number in range(len(LETTERS) ** width):
        code = "".join(LETTERS[(number // len(LETTERS) ** place) % len(LETTERS)] for place in reversed(range(width)))
        if code not in taken:
            yield code


@dataclass(frozen=True)
class Pools:
    """How many of each shared entity a graph of a given size has."""

    states: int
    blocs: int
    topics: int
    objectives: int
    technologies: int
    groups: int
    authors: int

    @classmethod
    def for_size(cls, triples: int) -> "Pools":
        return cls(
            states=min(MAX_STATES, MIN_STATES + triples // 2000),
            blocs=5 + triples // 20_000,
            topics=40 + triples // 1500,
            objectives=60 + triples // 800,
            technologies=10 + triples // 20_000,
            groups=10 + triples // 10_000,
            authors=5 + triples // 50_000,
        )


MINIMAL_POOLS = Pools.for_size(0)  # what every generated graph has: write batches only use these


class QuadWriter:
    """Counts quads as it writes N-Quads lines; ``limit`` tells the generator when to stop."""

    def __init__(self, stream: TextIO):
        self.stream = stream
        self.count = 0

    def quad(self, subject: str, predicate: str, obj: str, graph: str) -> None:
        self.stream.write(f"{subject} {predicate} {obj} {graph} .\n")
        self.count += 1


class Generator:
    """Writes the synthetic dataset; one instance per output."""

    def __init__(self, out: QuadWriter, pools: Pools, seed: int, blank_prefix: str = "b"):
        self.out = out
        self.pools = pools
        self.random = random.Random(seed)
        self.blank_prefix = blank_prefix
        self.blank_count = 0
        alpha2, alpha3 = _codes(2, TAKEN_ALPHA2), _codes(3, TAKEN_ALPHA3)
        self.state_codes = [(next(alpha2), next(alpha3)) for _ in range(pools.states)]

    # --- shared entities --------------------------------------------------------------------

    def state(self, index: int) -> tuple[str, str]:
        return iri(ID, f"syn-state-{index:04d}"), f"Synthland {index}"

    def bloc(self, index: int) -> tuple[str, str]:
        return iri(ID, f"syn-bloc-{index:04d}"), f"Synthetic Bloc {index}"

    def topic(self, index: int) -> tuple[str, str]:
        return iri(ID, f"syn-topic-{index:05d}"), f"synthetic topic {index}"

    def objective(self, index: int) -> tuple[str, str]:
        return iri(ID, f"syn-objective-{index:05d}"), f"synthetic objective {index}"

    def technology(self, index: int) -> tuple[str, str]:
        return iri(ID, f"syn-technology-{index:04d}"), f"synthetic technology {index}"

    def group(self, index: int) -> tuple[str, str]:
        return iri(ID, f"syn-group-{index:04d}"), f"synthetic group {index}"

    def author(self, index: int) -> tuple[str, str]:
        return iri(ID, f"syn-author-{index:04d}"), f"author of synthetic articles {index}"

    def year(self, year: int) -> str:
        return iri(ID, f"year-{year}")

    def pick(self, count: int, limit: int) -> list[int]:
        return self.random.sample(range(limit), min(count, limit))

    def write_reference(self, first_state: int = 0) -> None:
        """ISO codes and Wikidata-style links of every pool state, in the reference graph, which the
        provenance graph says is derived from a source (as data/reference.trig does)."""
        if first_state == 0:
            source = f"<{BASE}source/synthetic-reference-notes>"
            self.out.quad(REFERENCE, f"<{PROV}wasDerivedFrom>", source, PROVENANCE)
            self.out.quad(source, RDF_TYPE, bkg("Source"), PROVENANCE)
            self.out.quad(source, LABEL, lit("Synthetic reference notes", "en"), PROVENANCE)
            self.out.quad(source, f"<{DCTERMS}title>", lit("Synthetic reference notes"), PROVENANCE)
        for index in range(first_state, self.pools.states):
            node, label = self.state(index)
            alpha2, alpha3 = self.state_codes[index]
            q = self.out.quad
            q(node, RDF_TYPE, bkg("State"), REFERENCE)
            q(node, LABEL, lit(label, "en"), REFERENCE)
            q(node, bkg("iso3166Alpha2"), lit(alpha2), REFERENCE)
            q(node, bkg("iso3166Alpha3"), lit(alpha3), REFERENCE)
            q(node, bkg("wikidataItem"), iri(WIKIDATA, f"Q{990_000_000 + index}"), REFERENCE)

    # --- statements inside one claim graph ----------------------------------------------------

    def typed(self, node: str, cls: str, label: str, graph: str) -> None:
        self.out.quad(node, RDF_TYPE, bkg(cls), graph)
        self.out.quad(node, LABEL, lit(label, "en"), graph)

    def concept(self, node: str, cls: str, scheme: str, label: str, graph: str) -> None:
        self.typed(node, cls, label, graph)
        self.out.quad(node, IN_SCHEME, bkg(scheme), graph)
        self.out.quad(node, PREF_LABEL, lit(label, "en"), graph)

    def some_topics(self, subject: str, graph: str, most: int = 3) -> list[str]:
        labels = []
        for index in self.pick(self.random.randint(1, most), self.pools.topics):
            node, label = self.topic(index)
            self.out.quad(subject, bkg("coversTopic"), node, graph)
            self.concept(node, "Topic", "topicScheme", label, graph)
            labels.append(label)
        return labels

    def an_objective(self, subject: str, graph: str) -> str:
        node, label = self.objective(self.random.randrange(self.pools.objectives))
        self.out.quad(subject, bkg("hasObjective"), node, graph)
        self.concept(node, "Objective", "objectiveScheme", label, graph)
        return label

    def a_state(self, graph: str, index: int | None = None) -> tuple[str, str]:
        node, label = self.state(self.random.randrange(self.pools.states) if index is None else index)
        self.typed(node, "State", label, graph)
        return node, label

    def a_bloc(self, graph: str, index: int | None = None) -> tuple[str, str]:
        node, label = self.bloc(self.random.randrange(self.pools.blocs) if index is None else index)
        self.typed(node, "Bloc", label, graph)
        return node, label

    def a_year(self, graph: str) -> tuple[str, int]:
        year = self.random.randint(2025, 2050)
        node = self.year(year)
        self.out.quad(node, RDF_TYPE, f"<{TIME}Instant>", graph)
        self.out.quad(node, LABEL, lit(str(year), "en"), graph)
        self.out.quad(node, f"<{TIME}inXSDgYear>", lit(str(year), datatype="gYear"), graph)
        return node, year

    # --- claim kinds: each writes one claim graph and returns (sentence, modality) -------------

    def claim_membership(self, graph: str, slug: str, bloc_index: int | None = None, least: int = 1) -> tuple[str, str]:
        bloc, bloc_label = self.a_bloc(graph, bloc_index)
        bloc_index = int(bloc.rsplit("-", 1)[1].rstrip(">"))
        states = self.pick(self.random.randint(least, 3), self.pools.states)
        labels = []
        for index in states:
            state, label = self.a_state(graph, index)
            founding = (index + bloc_index) % 3 == 0  # a (bloc, state) pair always has the same role
            membership = iri(ID, f"syn-bloc-{bloc_index:04d}-membership-{index:04d}")
            self.typed(membership, "BlocMembership", f"{label}’s membership of {bloc_label}", graph)
            self.out.quad(membership, f"<{ORG}member>", state, graph)
            self.out.quad(membership, f"<{ORG}organization>", bloc, graph)
            role = "roleFoundingMember" if founding else "roleExpansionMember"
            self.out.quad(membership, f"<{ORG}role>", bkg(role), graph)
            labels.append(label)
        return f"{bloc_label} counts {', '.join(labels)} among its members.", "modalityAsserted"

    def claim_agreement(self, graph: str, slug: str) -> tuple[str, str]:
        node = iri(ID, f"syn-agreement-{slug}")
        declaration = self.random.random() < 0.5
        cls, predicate = ("JointDeclaration", "party") if declaration else ("StrategicPartnershipAgreement", "signedBy")
        kind = "joint declaration" if declaration else "strategic partnership agreement"
        first, second = self.pick(2, self.pools.states)
        (a, a_label), (b, b_label) = self.a_state(graph, first), self.a_state(graph, second)
        self.typed(node, cls, f"{a_label}–{b_label} {kind} {slug}", graph)
        self.out.quad(node, bkg(predicate), a, graph)
        self.out.quad(node, bkg(predicate), b, graph)
        topics = self.some_topics(node, graph)
        self.an_objective(node, graph)
        return f"{a_label} and {b_label} agreed a {kind} covering {', '.join(topics)}.", "modalityAsserted"

    def claim_initiative(self, graph: str, slug: str) -> tuple[str, str]:
        node = iri(ID, f"syn-initiative-{slug}")
        kind = self.random.choice(("AIAlliance", "StudyGroup", "DevelopmentPlan", "InfrastructureProgramme"))
        if kind == "AIAlliance":
            state, state_label = self.a_state(graph)
            self.typed(node, kind, f"AI alliance {slug}", graph)
            self.out.quad(node, bkg("initiatedBy"), state, graph)
            sentence = f"{state_label} led the creation of AI alliance {slug}"
        elif kind == "StudyGroup":
            bloc, bloc_label = self.a_bloc(graph)
            self.typed(node, kind, f"AI study group {slug}", graph)
            self.out.quad(node, bkg("establishedBy"), bloc, graph)
            sentence = f"{bloc_label} established AI study group {slug}"
        elif kind == "DevelopmentPlan":
            state, state_label = self.a_state(graph)
            year, year_value = self.a_year(graph)
            self.typed(node, kind, f"AI development plan {slug}", graph)
            self.out.quad(node, bkg("issuedBy"), state, graph)
            self.out.quad(node, bkg("heldBy"), state, graph)
            self.out.quad(node, bkg("horizon"), year, graph)
            sentence = f"{state_label} issued AI development plan {slug} through {year_value}"
        else:
            first, second = self.pick(2, self.pools.states)
            (a, a_label), (b, b_label) = self.a_state(graph, first), self.a_state(graph, second)
            group, group_label = self.group(self.random.randrange(self.pools.groups))
            self.typed(group, "Group", group_label, graph)
            self.typed(node, kind, f"AI infrastructure programme {slug}", graph)
            self.out.quad(node, bkg("providedBy"), a, graph)
            self.out.quad(node, bkg("providedBy"), b, graph)
            self.out.quad(node, bkg("intendedFor"), group, graph)
            sentence = f"{a_label} and {b_label} provide AI infrastructure programme {slug} to {group_label}"
        topics = self.some_topics(node, graph) if kind != "InfrastructureProgramme" else []
        objective = self.an_objective(node, graph)
        about = f" on {', '.join(topics)}" if topics else ""
        return f"{sentence}{about} to {objective}.", "modalityAsserted"

    def claim_policy(self, graph: str, slug: str) -> tuple[str, str]:
        node = iri(ID, f"syn-policy-{slug}")
        issuer, issuer_label = self.a_state(graph)
        if self.random.random() < 0.5:
            technology, technology_label = self.technology(self.random.randrange(self.pools.technologies))
            self.typed(technology, "Technology", technology_label, graph)
            target, target_label = self.a_state(graph)
            self.typed(node, "ExportControl", f"export controls {slug}", graph)
            self.out.quad(node, bkg("issuedBy"), issuer, graph)
            self.out.quad(node, bkg("appliesTo"), technology, graph)
            self.out.quad(node, bkg("targets"), target, graph)
            self.an_objective(node, graph)
            return f"{issuer_label} uses export controls on {technology_label} against {target_label}.", "modalityAsserted"
        target, target_label = self.a_state(graph)
        self.typed(node, "Sanctions", f"sanctions {slug}", graph)
        self.out.quad(node, bkg("issuedBy"), issuer, graph)
        self.out.quad(node, bkg("targets"), target, graph)
        return f"{issuer_label} imposed sanctions on {target_label}.", "modalityAsserted"

    def claim_forecast(self, graph: str, slug: str) -> tuple[str, str]:
        bloc, bloc_label = self.a_bloc(graph)
        economy = iri(ID, f"syn-economy-{bloc.rsplit('-', 1)[1].rstrip('>')}")
        self.typed(economy, "Economy", f"economies of {bloc_label}", graph)
        self.out.quad(economy, bkg("heldBy"), bloc, graph)
        forecast, amount = iri(ID, f"syn-forecast-{slug}"), iri(ID, f"syn-forecast-{slug}-range")
        low = self.random.randint(10, 500)
        high = low + self.random.randint(0, 500)
        year, year_value = self.a_year(graph)
        self.typed(forecast, "Forecast", f"AI-driven value forecast {slug}", graph)
        self.out.quad(forecast, bkg("forecastFor"), economy, graph)
        self.out.quad(forecast, bkg("forecastAmount"), amount, graph)
        self.out.quad(forecast, bkg("horizon"), year, graph)
        self.typed(amount, "MonetaryRange", f"${low}–{high} billion", graph)
        self.out.quad(amount, f"<{SCHEMA}minValue>", lit(f"{low}000000000", datatype="decimal"), graph)
        self.out.quad(amount, f"<{SCHEMA}maxValue>", lit(f"{high}000000000", datatype="decimal"), graph)
        self.out.quad(amount, bkg("status"), bkg("statusForecast"), graph)
        self.out.quad(amount, f"<{SCHEMA}unitCode>", lit("USD"), graph)
        sentence = f"{bloc_label} economies could see AI-driven value between ${low} billion and ${high} billion by {year_value}."
        return sentence, "modalityForecast"

    def claim_share(self, graph: str, slug: str) -> tuple[str, str]:
        bloc, bloc_label = self.a_bloc(graph)
        share, world = iri(ID, f"syn-share-{slug}"), iri(ID, "global-economy")
        percent = self.random.randint(1, 60)
        self.typed(world, "Economy", "global economy", graph)
        self.typed(share, "EconomicShare", f"{bloc_label} share of the global economy ({slug})", graph)
        self.out.quad(share, bkg("shareOf"), bloc, graph)
        self.out.quad(share, bkg("shareOfTotal"), world, graph)
        self.out.quad(share, f"<{SCHEMA}value>", lit(str(percent), datatype="decimal"), graph)
        self.out.quad(share, f"<{SCHEMA}unitCode>", lit("P1"), graph)
        self.out.quad(share, f"<{SCHEMA}unitText>", lit("percent"), graph)
        self.out.quad(share, bkg("isApproximate"), lit("true", datatype="boolean"), graph)
        return f"{bloc_label} represents about {percent}% of the global economy.", "modalityAsserted"

    def claim_proposal(self, graph: str, slug: str) -> tuple[str, str]:
        proposal, controls = iri(ID, f"syn-proposal-{slug}"), iri(ID, f"syn-proposal-{slug}-controls")
        addressee, addressee_label = self.a_state(graph)
        target, target_label = self.a_state(graph)
        technology, technology_label = self.technology(self.random.randrange(self.pools.technologies))
        self.typed(proposal, "Proposal", f"proposal {slug}", graph)
        self.out.quad(proposal, bkg("addressedTo"), addressee, graph)
        self.out.quad(proposal, bkg("proposes"), controls, graph)
        # A proposed instrument is a hypothetical: its own class and status, would-be backer and target.
        self.typed(controls, "ProposedExportControl", f"proposed export controls {slug}", graph)
        self.out.quad(controls, bkg("status"), bkg("statusProposed"), graph)
        self.out.quad(controls, bkg("prospectiveBacker"), addressee, graph)
        self.out.quad(controls, bkg("prospectiveTarget"), target, graph)
        objective = self.an_objective(proposal, graph)
        sentence = f"{addressee_label} should consider extending export controls on {technology_label} to {target_label} to {objective}."
        return sentence, "modalityProposal"

    KINDS = (
        ("membership", claim_membership, 3),
        ("agreement", claim_agreement, 3),
        ("initiative", claim_initiative, 3),
        ("policy", claim_policy, 2),
        ("forecast", claim_forecast, 1),
        ("share", claim_share, 1),
        ("proposal", claim_proposal, 1),
    )

    # --- articles ----------------------------------------------------------------------------

    def founding_article(self, number: int) -> None:
        """The article that founds every bloc with at least two members (a bloc needs two)."""
        self.article(number, None, self.pools.blocs, founding=True)

    def article(self, number: int, limit: int | None, sentences: int = 20, founding: bool = False) -> None:
        """One synthetic article: its claims (1–2 per sentence), their records, its sentences."""
        article = iri(SOURCE, f"syn-article-{number}")
        author, author_label = self.author(number % self.pools.authors)
        q = self.out.quad
        q(article, RDF_TYPE, bkg("Source"), PROVENANCE)
        q(article, RDF_TYPE, f"<{SCHEMA}Article>", PROVENANCE)
        q(article, LABEL, lit(f"Synthetic article {number}", "en"), PROVENANCE)
        q(article, f"<{DCTERMS}title>", lit(f"Synthetic article {number} on blocs, states and AI"), PROVENANCE)
        q(article, f"<{PROV}wasAttributedTo>", author, PROVENANCE)
        q(author, RDF_TYPE, f"<{PROV}Agent>", PROVENANCE)
        q(author, LABEL, lit(author_label, "en"), PROVENANCE)
        texts: list[tuple[str, str]] = []  # (sentence IRI, text), in order
        kinds, weights = [k[1] for k in self.KINDS], [k[2] for k in self.KINDS]
        names = {k[1]: k[0] for k in self.KINDS}
        for position in range(1, sentences + 1):
            sentence = iri(SOURCE, f"syn-article-{number}/s{position:02d}")
            parts = []
            for part in range(1 if founding else self.random.choice((1, 1, 2))):
                make = Generator.claim_membership if founding else self.random.choices(kinds, weights)[0]
                slug = f"{number}-{position:02d}-{part + 1}"
                graph = iri(CLAIM, f"syn-{names[make]}-{slug}")
                if founding:
                    text, modality = self.claim_membership(graph, slug, bloc_index=position - 1, least=2)
                else:
                    text, modality = make(self, graph, slug)
                parts.append(text)
                q(graph, RDF_TYPE, bkg("Claim"), PROVENANCE)
                q(graph, LABEL, lit(text.rstrip("."), "en"), PROVENANCE)
                q(graph, f"<{PROV}wasDerivedFrom>", sentence, PROVENANCE)
                q(graph, bkg("modality"), bkg(modality), PROVENANCE)
                q(graph, f"<{PROV}wasAttributedTo>", author, PROVENANCE)
            texts.append((sentence, " ".join(parts)))
            if limit is not None and self.out.count + SENTENCE_QUADS * len(texts) >= limit:
                break
        self.sentences(article, texts)

    def sentences(self, article: str, texts: list[tuple[str, str]]) -> None:
        """Each sentence with selectors that really index the article's (generated) text."""
        full = " ".join(text for _, text in texts)
        start = 0
        q = self.out.quad
        for position, (sentence, text) in enumerate(texts, start=1):
            end = start + len(text)
            assert full[start:end] == text
            q(sentence, RDF_TYPE, bkg("Sentence"), PROVENANCE)
            q(sentence, bkg("position"), lit(str(position), datatype="integer"), PROVENANCE)
            q(sentence, f"<{DCTERMS}isPartOf>", article, PROVENANCE)
            q(sentence, f"<{OA}hasSource>", article, PROVENANCE)
            quote, where = self.blank(), self.blank()
            q(sentence, f"<{OA}hasSelector>", quote, PROVENANCE)
            q(quote, RDF_TYPE, f"<{OA}TextQuoteSelector>", PROVENANCE)
            if start > 0:
                q(quote, f"<{OA}prefix>", lit(full[max(0, start - 32) : start]), PROVENANCE)
            q(quote, f"<{OA}exact>", lit(text), PROVENANCE)
            if end < len(full):
                q(quote, f"<{OA}suffix>", lit(full[end : end + 32]), PROVENANCE)
            q(sentence, f"<{OA}hasSelector>", where, PROVENANCE)
            q(where, RDF_TYPE, f"<{OA}TextPositionSelector>", PROVENANCE)
            q(where, f"<{OA}start>", lit(str(start), datatype="integer"), PROVENANCE)
            q(where, f"<{OA}end>", lit(str(end), datatype="integer"), PROVENANCE)
            start = end + 1

    def blank(self) -> str:
        self.blank_count += 1
        return f"_:{self.blank_prefix}{self.blank_count}"


def generate(stream: TextIO, triples: int, seed: int = 7) -> int:
    """Write about ``triples`` quads (within one sentence's worth, ~15-60); returns the exact count."""
    out = QuadWriter(stream)
    generator = Generator(out, Pools.for_size(triples), seed)
    generator.write_reference()
    generator.founding_article(0)
    number = 1
    while out.count + SENTENCE_QUADS < triples:
        generator.article(number, limit=triples)
        number += 1
    return out.count


def write_graph(triples: int, path: Path, seed: int = 7) -> int:
    """Write the synthetic graph to ``path`` (N-Quads; the suffix should be ``.nq``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as stream:
        return generate(stream, triples, seed)


def batch_nquads(triples: int, seed: int) -> str:
    """A new synthetic article of about ``triples`` quads that fits any generated graph.

    It refers only to the entities every generated graph has (the minimal pools), so the write is
    valid on its own against whatever size it is written into.
    """
    import io

    buffer = io.StringIO()
    out = QuadWriter(buffer)
    generator = Generator(out, MINIMAL_POOLS, seed, blank_prefix="w")
    number = BATCH_ARTICLE_OFFSET + seed
    while out.count + SENTENCE_QUADS < triples:
        generator.article(number, limit=triples, sentences=1000)
        number += 1
    return buffer.getvalue()


def write_batch(triples: int, seed: int) -> list[pyoxigraph.Quad]:
    """``batch_nquads`` parsed into quads, ready for an INSERT DATA."""
    return list(pyoxigraph.parse(batch_nquads(triples, seed), pyoxigraph.RdfFormat.N_QUADS))
