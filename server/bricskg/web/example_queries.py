"""The competency questions of the ontology as example queries for the start page and the query UI.

They come from ``bricskg.competency.load_questions()`` (the knowledge-graph package owns them), so the
examples shown are exactly the questions the test suite answers with their expected results.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

LOG = logging.getLogger(__name__)


@dataclass(frozen=True)
class ExampleQuery:
    id: str  # the question file's stem, e.g. "05-ai-value-forecast"
    title: str
    question: str
    query: str


def load_examples() -> list[ExampleQuery]:
    """The example queries; an empty list (logged) when the question files cannot be read."""
    try:
        from bricskg.competency import load_questions

        questions = load_questions()
    except Exception as error:  # a broken question file must not take the start page down
        LOG.warning("competency questions unavailable: %s", error)
        return []
    return [ExampleQuery(q.id, q.title, q.question, q.sparql) for q in questions]
