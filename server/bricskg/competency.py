"""The competency questions: the analyst's questions the graph must answer, with their expected answers.

Each question is a pair of files in ``ontology/competency-questions/``: ``NN-slug.rq`` (a SPARQL query
whose comment header names the ``title`` and ``question``) and ``NN-slug.expected.json`` (the expected
answer). They live beside the ontology, OBO/ROBOT-style, because they are its specification: a
modelling change that breaks one must fail the build. The tests run them against the embedded store;
the endpoint's tests run them over HTTP and the web pages offer them as one-click examples, so the
comparison (:func:`answers_match`) accepts the row shapes all three produce.

Expected answer files::

    {"variables": ["state", "name"], "rows": [["https://w3id.org/bricskg/id/brazil", "Brazil"], ...]}
    {"boolean": false}                                        (ASK queries)

Rows hold every term as a string: an IRI as the IRI, a literal as its lexical form (no language tag
or datatype), an unbound variable as ``null``. Rows are compared as a multiset unless the query has a
top-level ORDER BY (or the file says ``"ordered": true/false``); numbers compare by value, so
``"35"`` matches an ``xsd:decimal`` whatever lexical form the store chooses to print.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from bricskg.paths import ontology_dir

Cell = str | None
Row = tuple[Cell, ...]


class CompetencyQuestionError(ValueError):
    """A question file pair that is incomplete or malformed (names the file)."""


@dataclass(frozen=True)
class ExpectedAnswer:
    """What a question must return: a SELECT table or an ASK boolean."""

    variables: tuple[str, ...] = ()
    rows: tuple[Row, ...] = ()
    boolean: bool | None = None
    ordered: bool = False

    @property
    def is_boolean(self) -> bool:
        return self.boolean is not None


@dataclass(frozen=True)
class CompetencyQuestion:
    id: str  # the file stem, e.g. "05-ai-value-forecast"
    title: str
    question: str
    sparql: str
    expected: ExpectedAnswer
    path: Path


def questions_dir() -> Path:
    return ontology_dir() / "competency-questions"


def load_questions(directory: Path | None = None) -> list[CompetencyQuestion]:
    """Every question in file-name order (the NN- prefix is the intended reading order)."""
    folder = directory or questions_dir()
    return [load_question(path) for path in sorted(folder.glob("*.rq"))]


def load_question(path: Path) -> CompetencyQuestion:
    sparql = path.read_text(encoding="utf-8")
    header = _header_fields(sparql)
    for field in ("title", "question"):
        if not header.get(field):
            raise CompetencyQuestionError(f"{path}: missing '# {field}:' header line")
    expected_path = path.with_name(path.stem + ".expected.json")
    if not expected_path.exists():
        raise CompetencyQuestionError(f"{path}: no expected answer file {expected_path.name}")
    expected = _parse_expected(expected_path, default_ordered=has_top_level_order_by(sparql))
    return CompetencyQuestion(
        id=path.stem,
        title=header["title"],
        question=header["question"],
        sparql=sparql,
        expected=expected,
        path=path,
    )


def _header_fields(sparql: str) -> dict[str, str]:
    """``# key: value`` lines of the leading comment block."""
    fields: dict[str, str] = {}
    for line in sparql.splitlines():
        if not line.startswith("#"):
            break
        match = re.match(r"#\s*(title|question):\s*(.+)", line)
        if match:
            fields[match.group(1)] = match.group(2).strip()
    return fields


def _parse_expected(path: Path, default_ordered: bool) -> ExpectedAnswer:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise CompetencyQuestionError(f"{path}:{error.lineno}: {error.msg}") from None
    if not isinstance(document, dict):
        raise CompetencyQuestionError(f"{path}: expected a JSON object")
    if "boolean" in document:
        return ExpectedAnswer(boolean=bool(document["boolean"]))
    variables = tuple(document.get("variables", ()))
    rows = []
    for number, row in enumerate(document.get("rows", ()), 1):
        if not isinstance(row, list) or len(row) != len(variables):
            raise CompetencyQuestionError(f"{path}: row {number} does not have {len(variables)} cells")
        rows.append(tuple(None if cell is None else str(cell) for cell in row))
    ordered = bool(document.get("ordered", default_ordered))
    return ExpectedAnswer(variables=variables, rows=tuple(rows), ordered=ordered)


def has_top_level_order_by(sparql: str) -> bool:
    """Whether the result order is part of the answer (an ORDER BY outside comments and strings)."""
    code = re.sub(r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>\s]*>', '""', sparql)
    code = "\n".join(line.split("#", 1)[0] for line in code.splitlines())
    return re.search(r"\bORDER\s+BY\b", code, re.IGNORECASE) is not None


# ── Comparing answers ──────────────────────────────────────────────────────────────────────────


def answers_match(question: CompetencyQuestion, result: Any) -> bool:
    """Whether ``result`` is the expected answer.

    ``result`` may be: a bool (ASK); an iterable of rows, each a mapping variable -> term or a
    sequence of terms in the expected variable order; or a SPARQL 1.1 JSON results document (dict).
    Terms may be rdflib or pyoxigraph terms, SPARQL-JSON term dicts, plain strings or None.
    """
    expected = question.expected
    if isinstance(result, Mapping) and ("results" in result or "boolean" in result):
        result = result["boolean"] if "boolean" in result else rows_from_sparql_json(result)
    if expected.is_boolean:
        return isinstance(result, bool) and result == expected.boolean
    if isinstance(result, bool):
        return False
    actual = [_normalise_row(row, expected.variables) for row in result]
    wanted = [tuple(_cell_key(cell) for cell in row) for row in expected.rows]
    if expected.ordered:
        return actual == wanted
    return Counter(actual) == Counter(wanted)


def rows_from_sparql_json(document: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The bindings of a SPARQL 1.1 JSON results document, as variable -> term-dict rows."""
    return list(document.get("results", {}).get("bindings", []))


def rows_from_oxigraph(solutions: Iterable[Any]) -> list[dict[str, Any]]:
    """pyoxigraph ``QuerySolutions`` as variable -> term rows (keeps the solutions' own order)."""
    solutions = iter(solutions)
    variables = [variable.value for variable in getattr(solutions, "variables", [])]
    return [{name: solution[name] for name in variables} for solution in solutions]


def describe_mismatch(question: CompetencyQuestion, result: Any) -> str:
    """A readable diff for test failures and the CLI: what was missing and what was unexpected."""
    expected = question.expected
    if expected.is_boolean:
        return f"{question.id}: expected {expected.boolean}, got {result!r}"
    if isinstance(result, Mapping) and "results" in result:
        result = rows_from_sparql_json(result)
    actual = Counter(_normalise_row(row, expected.variables) for row in result)
    wanted = Counter(tuple(_cell_key(cell) for cell in row) for row in expected.rows)
    missing = sorted(map(str, (wanted - actual).elements()))
    extra = sorted(map(str, (actual - wanted).elements()))
    return f"{question.id}: missing rows {missing}; unexpected rows {extra}"


def _normalise_row(row: Any, variables: Sequence[str]) -> Row:
    if isinstance(row, Mapping):
        cells = [row.get(name) for name in variables]
    else:
        cells = list(row)
        if len(cells) != len(variables):
            return tuple(_cell_key(term_lexical(cell)) for cell in cells) + ("<wrong arity>",)
    return tuple(_cell_key(term_lexical(cell)) for cell in cells)


def term_lexical(term: Any) -> Cell:
    """An RDF term as the string the expected files use: IRI, literal lexical form, bnode id."""
    if term is None:
        return None
    if isinstance(term, Mapping):  # SPARQL-JSON term
        return str(term.get("value"))
    value = getattr(term, "value", None)  # pyoxigraph NamedNode / Literal / BlankNode
    if isinstance(value, str):
        return value
    return str(term)  # rdflib terms and plain strings


def _cell_key(cell: Cell) -> Cell:
    """Numbers by value (so 35, 35.0 and 3.5E1 agree); everything else by exact lexical form."""
    if cell is None:
        return None
    if re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", cell):
        try:
            number = Decimal(cell)
        except InvalidOperation:
            return cell
        normal = number.normalize()
        return "number:" + (format(normal, "f") if normal == normal.to_integral() else str(normal))
    return cell
