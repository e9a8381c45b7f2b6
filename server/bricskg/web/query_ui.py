"""The query page: YASGUI (vendored, see scripts/vendor-static) on this server's own /sparql endpoint.

The example queries (the competency questions) are embedded in the page as JSON, one YASGUI tab
each; ``/query?example=<id>`` opens that tab and runs it, which is what the start page links to.
"""

from __future__ import annotations

from flask import Blueprint, render_template

from bricskg.web import request_context
from bricskg.web.example_queries import ExampleQuery, load_examples
from bricskg.web.prefixes import PREFIXES, sparql_prologue

DEFAULT_QUERY = sparql_prologue(("bkg", "bkgr", "rdfs")) + """
SELECT ?thing ?label ?class WHERE {
  ?thing a ?class ; rdfs:label ?label .
  FILTER(STRSTARTS(STR(?class), STR(bkg:)))
} ORDER BY ?class ?label LIMIT 50
"""


def register(blueprint: Blueprint) -> None:
    blueprint.add_url_rule("/query", view_func=query_ui, endpoint="query_ui")


def query_ui() -> str:
    examples = load_examples() or [ExampleQuery("things", "Things and their classes", "What is in the graph?", DEFAULT_QUERY)]
    return render_template(
        "query.html",
        examples=[{"id": e.id, "title": e.title, "question": e.question, "query": e.query} for e in examples],
        prefixes=PREFIXES,
        base_iri=request_context.iri_space().base,
    )
