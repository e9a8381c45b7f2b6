"""What an entity page says beyond its own triples: the claims about it and its memberships.

*Claims about* an entity are the claim graphs that mention it (as subject or object of any of their
statements), that are attributed to it, or that are attributed to a group affiliated with it (an
entity's officials speak about it without naming it): each is listed once, with its sentence,
modality and who holds it, in the article's reading order. A statement's own table then no longer
has to repeat the same quote under every value.

*Memberships* are ``org:Membership`` nodes (ORG's n-ary pattern): the role and the period sit on the
membership, two hops from the state or bloc. A table of them answers "who joined when, as what" on
the bloc's and each member's page without following links.

Both are one SPARQL query each through the backend, so they work over any engine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rdflib import URIRef

from bricskg.store.base import Backend
from bricskg.store.results import select_rows
from bricskg.web.descriptions import is_safe_iri
from bricskg.web.entity_views import NodeView, ViewBuilder

# A class is "mentioned" by every claim that types something with it; its page lists those
# things as instances instead, so rdf:type does not count as a mention here.
CLAIMS_QUERY = """
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX bkg: <https://w3id.org/bricskg/ontology/>
SELECT DISTINCT ?claim ?how ?modality ?agent ?sentence ?quote WHERE {{
  {{ SELECT DISTINCT ?claim ?how WHERE {{
    {{ GRAPH ?claim {{ {{ {iri} ?p ?o }} UNION {{ ?s ?q {iri} FILTER(?q != rdf:type) }} }} BIND("mentions" AS ?how) }}
    UNION {{ ?claim prov:wasAttributedTo {iri} . BIND("held by" AS ?how) }}
    UNION {{ ?claim prov:wasAttributedTo ?group . ?group bkg:affiliatedWith {iri} . BIND("held by people of" AS ?how) }}
  }} }}
  ?claim a bkg:Claim .
  OPTIONAL {{ ?claim bkg:modality ?modality }}
  OPTIONAL {{ ?claim prov:wasAttributedTo ?agent }}
  OPTIONAL {{ ?claim prov:wasDerivedFrom ?sentence .
             OPTIONAL {{ ?sentence oa:hasSelector ?selector . ?selector oa:exact ?quote }} }}
}}
"""

MEMBERSHIPS_QUERY = """
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX time: <http://www.w3.org/2006/time#>
PREFIX bkg: <https://w3id.org/bricskg/ontology/>
SELECT DISTINCT ?membership ?member ?organization ?role ?begin ?end ?announced WHERE {{
  {{ ?membership org:organization {iri} }} UNION {{ ?membership org:member {iri} }}
  ?membership org:member ?member ; org:organization ?organization .
  OPTIONAL {{ ?membership org:role ?role }}
  OPTIONAL {{ ?membership org:memberDuring ?period .
             OPTIONAL {{ ?period time:hasBeginning ?begin }}
             OPTIONAL {{ ?period time:hasEnd ?end }} }}
  OPTIONAL {{ ?membership bkg:announcedAt ?announced }}
}}
"""

HOW_ORDER = {"mentions": 0, "held by": 1, "held by people of": 2}


@dataclass
class ClaimAbout:
    claim: NodeView
    modality: NodeView | None
    agents: list[NodeView]
    sentence: NodeView | None
    quote: str | None
    how: list[str] = field(default_factory=list)


@dataclass
class SentenceClaims:
    """The claims one sentence supports, under its quote printed once."""

    sentence: NodeView | None
    quote: str | None
    claims: list[ClaimAbout]


@dataclass
class MembershipRow:
    membership: NodeView
    member: NodeView
    organization: NodeView
    role: NodeView | None
    begin: NodeView | None
    end: NodeView | None
    announced: NodeView | None


def claim_rows(backend: Backend, iri: str) -> list[dict]:
    return select_rows(backend, CLAIMS_QUERY.format(iri=f"<{iri}>")) if is_safe_iri(iri) else []


def membership_rows(backend: Backend, iri: str) -> list[dict]:
    return select_rows(backend, MEMBERSHIPS_QUERY.format(iri=f"<{iri}>")) if is_safe_iri(iri) else []


def nodes_of(rows: list[dict]) -> set:
    return {value for row in rows for value in row.values() if isinstance(value, URIRef)}


def claims_about(rows: list[dict], builder: ViewBuilder, exclude: str | None = None) -> list[ClaimAbout]:
    """One entry per claim (``exclude``: the page's own IRI when it is a claim), in reading order."""
    by_claim: dict[str, ClaimAbout] = {}
    for row in rows:
        claim = str(row["claim"])
        if claim == exclude:
            continue
        entry = by_claim.get(claim)
        if entry is None:
            entry = by_claim[claim] = ClaimAbout(
                claim=builder.node(row["claim"]),
                modality=builder.node(row["modality"]) if "modality" in row else None,
                agents=[],
                sentence=builder.node(row["sentence"]) if "sentence" in row else None,
                quote=str(row["quote"]) if "quote" in row else None,
            )
        if "agent" in row:
            agent = builder.node(row["agent"])
            if agent not in entry.agents:
                entry.agents.append(agent)
        how = str(row["how"])
        if how not in entry.how:
            entry.how.append(how)
    for entry in by_claim.values():
        entry.how.sort(key=lambda how: HOW_ORDER.get(how, 9))
    return sorted(by_claim.values(), key=_reading_order)


def by_sentence(claims: list[ClaimAbout]) -> list[SentenceClaims]:
    """Consecutive claims of one sentence (``claims`` is in reading order) under one quote."""
    groups: list[SentenceClaims] = []
    for claim in claims:
        key = claim.sentence.iri if claim.sentence else None
        if groups and key is not None and groups[-1].sentence is not None and groups[-1].sentence.iri == key:
            groups[-1].claims.append(claim)
        else:
            groups.append(SentenceClaims(claim.sentence, claim.quote, [claim]))
    return groups


def memberships(rows: list[dict], builder: ViewBuilder) -> list[MembershipRow]:
    seen: dict[str, MembershipRow] = {}
    for row in rows:
        key = str(row["membership"])
        if key in seen:
            continue

        def optional(name: str) -> NodeView | None:
            return builder.node(row[name]) if name in row else None

        seen[key] = MembershipRow(
            membership=builder.node(row["membership"]),
            member=builder.node(row["member"]),
            organization=builder.node(row["organization"]),
            role=optional("role"),
            begin=optional("begin"),
            end=optional("end"),
            announced=optional("announced"),
        )
    return sorted(seen.values(), key=lambda m: (m.organization.text.casefold(), m.begin.text if m.begin else "", m.member.text.casefold()))


def membership_iris(rows: list[MembershipRow]) -> set[str]:
    return {row.membership.iri for row in rows if row.membership.iri}


def _reading_order(entry: ClaimAbout) -> tuple:
    """Sentences in the article's order (s2 before s10), claims without a sentence last."""
    iri = entry.sentence.iri if entry.sentence and entry.sentence.iri else ""
    number = re.search(r"(\d+)$", iri)
    return (entry.sentence is None, iri[: number.start()] if number else iri, int(number.group(1)) if number else 0, entry.claim.text)
