"""``bricskg bench --backend virtuoso`` runs end to end at a tiny size and reports what it promises.

Never timed assertions: the run must give a row for every competency question with latencies from
both servers, the same answer from Virtuoso directly and through bricskg, a validated write that
lands in Virtuoso, the bulk-load time, and a stopped Virtuoso afterwards. Skips, with the reason,
where ``virtuoso-t`` is not installed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bricskg.bench.virtuoso import virtuoso_missing
from bricskg.cli import main

pytestmark = pytest.mark.timeout(600)

TINY = 2000


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, str, Path]:
    reason = virtuoso_missing()
    if reason is not None:
        pytest.skip(reason)
    out, workdir = tmp_path_factory.mktemp("out"), tmp_path_factory.mktemp("work")
    result = CliRunner().invoke(
        main,
        ["bench", "--backend", "virtuoso", "--sizes", str(TINY), "--repeats", "3", "--write-repeats", "2",
         "--out", str(out), "--workdir", str(workdir)],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    results = json.loads((out / "backend.json").read_text(encoding="utf-8"))
    return results, (out / "backend.md").read_text(encoding="utf-8"), workdir


def test_every_competency_question_is_timed_on_both_servers(run) -> None:
    from bricskg.competency import load_questions

    results, markdown, _ = run
    (row,) = results["rows"]
    asked = [question.id for question in load_questions()]
    assert [query["query"] for query in row["queries"]] == asked
    for query in row["queries"]:
        assert "error" not in query, query
        for server in ("virtuoso", "bricskg"):
            assert query[server]["repeats"] == 3
            assert 0 < query[server]["p50_ms"] <= query[server]["p95_ms"]
        assert query["ratio_p50"] > 0
    for name in asked:
        assert f"| `{name}` |" in markdown


def test_virtuoso_directly_and_through_bricskg_give_the_same_answers(run) -> None:
    results, markdown, _ = run
    (row,) = results["rows"]
    assert row["mismatches"] == []
    assert all(query["same_answer"] for query in row["queries"])
    assert sum(query["rows"]["virtuoso"] for query in row["queries"]) > 0  # not agreement on nothing
    assert "**no**" not in markdown


def test_the_validated_write_lands_in_virtuoso(run) -> None:
    results, _, _ = run
    (row,) = results["rows"]
    write = row["writes"][0]
    assert write.get("error") is None, (write, row["bricskg_log_tail"])
    assert write["status"] == 200 and write["seconds"] > 0
    found, ground = write["in_engine"].split("/")
    assert found == ground and int(ground) > 0


def test_a_second_write_lands_too(run) -> None:
    results, _, _ = run
    (row,) = results["rows"]
    assert len(row["writes"]) == 2
    second = row["writes"][1]
    assert second.get("error") is None, second.get("error", "")[:300]
    assert second["status"] == 200 and second["in_engine"].split("/")[0] == second["in_engine"].split("/")[1]


def test_the_load_is_timed_and_virtuoso_is_stopped(run) -> None:
    results, markdown, workdir = run
    (row,) = results["rows"]
    assert row["triples"] == TINY and row["quads"] > row["generated_triples"] >= TINY * 0.9
    assert row["load_seconds"] > 0
    assert results["command"].startswith("bricskg bench --backend virtuoso --sizes 2000 --repeats 3 --write-triples 1000 --write-repeats 2")
    assert f"Command: `{results['command']}`" in markdown
    assert not (workdir / f"backend-{TINY}" / "virtuoso" / "virtuoso.pid").exists()


def _row(value: str, datatype: str) -> tuple:
    return (("x", ("literal", value, datatype, "")),)


def test_answers_compared_by_value_accept_virtuoso_boolean_and_decimal_forms() -> None:
    from collections import Counter

    from bricskg.bench.backend import by_value

    boolean, decimal = "http://www.w3.org/2001/XMLSchema#boolean", "http://www.w3.org/2001/XMLSchema#decimal"
    virtuoso = Counter([_row("1", boolean), _row("1.5", decimal)])
    standard = Counter([_row("true", boolean), _row("1.50", decimal)])
    assert virtuoso != standard and by_value(virtuoso) == by_value(standard)
    assert by_value(Counter([_row("0", boolean)])) != by_value(Counter([_row("true", boolean)]))
    assert by_value(Counter([_row("1.5", decimal), _row("1.50", decimal)])) == Counter({_row("1.5", decimal): 2})
