"""The start page: what the dataset is, what it holds (counts per class), and where to go next."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, render_template

from bricskg.store.results import select_rows
from bricskg.web import request_context
from bricskg.web.entity_views import NodeView, ViewBuilder
from bricskg.web.example_queries import load_examples
from bricskg.web.labels import fetch_labels

CLASS_COUNTS_QUERY = """
SELECT ?class (COUNT(DISTINCT ?thing) AS ?count) WHERE {
  ?thing a ?class .
  FILTER(STRSTARTS(STR(?class), %(ontology)s))
} GROUP BY ?class ORDER BY DESC(?count) ?class
"""

# Sentences and headings are counted apart: a heading counted as a sentence made "25 sentences
# quoted" on the start page disagree with the 24 sentences the pages number.
SUMMARY_QUERY = """
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT
  (COUNT(DISTINCT ?claim) AS ?claims)
  (COUNT(DISTINCT ?sentence) AS ?sentences)
  (COUNT(DISTINCT ?heading) AS ?headings)
WHERE {
  ?claim a <%(ontology)sClaim> ; prov:wasDerivedFrom ?segment .
  OPTIONAL { ?segment a <%(ontology)sSentence> . BIND(?segment AS ?sentence) }
  OPTIONAL { ?segment a <%(ontology)sHeading> . BIND(?segment AS ?heading) }
}
"""


@dataclass(frozen=True)
class ClassCount:
    cls: NodeView
    count: int


def register(blueprint: Blueprint) -> None:
    blueprint.add_url_rule("/", view_func=landing, endpoint="landing")


def class_counts() -> list[ClassCount]:
    space = request_context.iri_space()
    backend = request_context.backend()
    rows = select_rows(backend, CLASS_COUNTS_QUERY % {"ontology": f'"{space.base}ontology/"'})
    builder = ViewBuilder(space, fetch_labels(backend, [row["class"] for row in rows]))
    return [ClassCount(builder.node(row["class"]), int(row["count"])) for row in rows]


def landing() -> str:
    backend = request_context.backend()
    summary = select_rows(backend, SUMMARY_QUERY % {"ontology": request_context.iri_space().base + "ontology/"})
    claims = int(summary[0]["claims"]) if summary else 0
    sentences = int(summary[0]["sentences"]) if summary else 0
    headings = int(summary[0]["headings"]) if summary else 0
    return render_template(
        "landing.html",
        counts=class_counts(),
        statements=backend.quad_count(),
        claims=claims,
        sentences=sentences,
        headings=headings,
        examples=load_examples(),
        graphs=sum(1 for _ in backend.named_graphs()),
    )
