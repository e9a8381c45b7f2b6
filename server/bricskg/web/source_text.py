"""A source's page reads as the source: its quoted segments in reading order, each with its claims.

The segments are the ``oa:TextQuoteSelector`` quotes of the sentences and headings that are
``dcterms:isPartOf`` the source, ordered by their ``oa:TextPositionSelector`` start. Listed as plain
referrers they came twice (``isPartOf`` and ``oa:hasSource``) and sorted by label.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bricskg.store.base import Backend
from bricskg.store.results import select_rows
from bricskg.web.descriptions import is_safe_iri
from bricskg.web.entity_views import NodeView, ViewBuilder

SEGMENTS_QUERY = """
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX bkg: <https://w3id.org/bricskg/ontology/>
SELECT ?segment ?kind ?start ?quote ?claim ?modality WHERE {{
  ?segment dcterms:isPartOf {iri} ; oa:hasSelector ?quoted , ?positioned .
  ?quoted oa:exact ?quote .
  ?positioned oa:start ?start .
  OPTIONAL {{ ?segment a ?kind . FILTER(?kind IN (bkg:Heading, bkg:Sentence)) }}
  OPTIONAL {{ ?claim prov:wasDerivedFrom ?segment ; a bkg:Claim . OPTIONAL {{ ?claim bkg:modality ?modality }} }}
}}
"""


@dataclass
class Segment:
    segment: NodeView
    start: int
    quote: str
    heading: bool
    claims: list[tuple[NodeView, NodeView | None]] = field(default_factory=list)


def segment_rows(backend: Backend, iri: str) -> list[dict]:
    return select_rows(backend, SEGMENTS_QUERY.format(iri=f"<{iri}>")) if is_safe_iri(iri) else []


def segments(rows: list[dict], builder: ViewBuilder) -> list[Segment]:
    by_segment: dict[str, Segment] = {}
    for row in rows:
        key = str(row["segment"])
        entry = by_segment.get(key)
        if entry is None:
            entry = by_segment[key] = Segment(
                segment=builder.node(row["segment"]),
                start=int(row["start"]),
                quote=str(row["quote"]),
                heading=str(row.get("kind", "")).endswith("/Heading"),
            )
        elif str(row.get("kind", "")).endswith("/Heading"):
            entry.heading = True
        if "claim" in row:
            claim = (builder.node(row["claim"]), builder.node(row["modality"]) if "modality" in row else None)
            if claim not in entry.claims:
                entry.claims.append(claim)
    for entry in by_segment.values():
        entry.claims.sort(key=lambda claim: claim[0].text.casefold())
    return sorted(by_segment.values(), key=lambda entry: entry.start)


def segment_iris(found: list[Segment]) -> set[str]:
    return {entry.segment.iri for entry in found if entry.segment.iri}
