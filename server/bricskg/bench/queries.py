"""The benchmark's query mix: the project's competency questions, as every server receives them.

Using the competency questions (rather than micro-queries written for the benchmark) means the mix
is what an analyst actually asks of the graph, and it changes when the questions do.
"""

from __future__ import annotations

from bricskg.bench.load_client import QuerySpec


def competency_mix() -> list[QuerySpec]:
    """Every competency question, in the order ``load_questions()`` gives them."""
    from bricskg.competency import load_questions

    mix = [QuerySpec.from_text(question.id, question.sparql) for question in load_questions()]
    if not mix:
        raise RuntimeError("no competency questions found: the benchmark has no query mix")
    return mix


def distinct_mix(mix: list[QuerySpec], count: int, salt: str) -> list[QuerySpec]:
    """``count`` requests cycling through ``mix``, each text made unique by a trailing comment, so
    that no cache (bricskg's result or analysis caches) can answer any of them: every request is
    parsed and evaluated, as a server sees when every client asks something new. ``salt`` keeps
    the texts of different runs (warm-up, each server) apart."""
    return [
        QuerySpec(f"{mix[i % len(mix)].name}", f"{mix[i % len(mix)].text}\n# {salt} {i}", mix[i % len(mix)].accept)
        for i in range(count)
    ]
