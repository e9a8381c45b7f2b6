"""What a query may do here, decided on the parsed query before any engine sees it.

Both rdflib and pyoxigraph evaluate ``SERVICE <url>`` by fetching the URL, and pyoxigraph has no
switch to turn that off. So every query is inspected here first and a SERVICE clause anywhere — any
case, any nesting: subqueries, OPTIONAL, UNION, MINUS, FILTER EXISTS — is refused. The inspection is
a walk over rdflib's parse tree, the same grammar the engine implements, not a regular expression
over the text (which comments, strings, ``\\u`` escapes and odd spacing defeat).

Parsing with rdflib costs milliseconds per term, so it runs only where a deadline applies: in the
query executors (``bricskg.store.jobs.evaluate``), never in a web worker, after the lexical
limits of ``bricskg.sparql.screening`` have bounded the text. A query whose text (after undoing
``\\u`` escapes, lower-cased) does not contain the letters "service" at all cannot hold a SERVICE
clause and needs no parse. That is a necessary condition, never a sufficient one: any text that
mentions "service" is parsed. Analyses are memoised in a cache bounded by bytes, texts included.

The same module tells the executor whether the query carries its own dataset (FROM / FROM NAMED),
which decides whether the union default graph applies. The form of a query (SELECT/ASK → results
formats, CONSTRUCT/DESCRIBE → RDF syntaxes) is the engine's answer, not a guess from the text;
``query_form`` only words the message for an update sent as a query.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from bricskg.byte_lru import memoise
from bricskg.sparql import rdflib_parser
from bricskg.sparql.screening import MAX_NESTING, TooComplex, screen, unescape_codepoints  # noqa: F401 (re-exported)
from bricskg.store.base import QueryRefused

QueryForm = Literal["SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "UPDATE", "UNKNOWN"]

FEDERATION_DISABLED = (
    "Federation is disabled: SERVICE clauses are refused by this endpoint (it never fetches remote data). "
    "Query the remote endpoint yourself and combine the results."
)
LOAD_DISABLED = "LOAD is refused: this endpoint never fetches remote data. Upload the data with the Graph Store Protocol instead."

_PROLOGUE_ITEM = re.compile(
    r"""\s*(?:
        \#[^\n\r]*                                  # comment
      | BASE\s*<[^<>"{}|^`\\\x00-\x20]*>            # BASE <iri>
      | PREFIX\s*[^\s:]*:\s*<[^<>"{}|^`\\\x00-\x20]*>  # PREFIX p: <iri>
    )""",
    re.IGNORECASE | re.VERBOSE,
)
_FORM = re.compile(r"\s*(SELECT|ASK|CONSTRUCT|DESCRIBE)(?![\w:-])", re.IGNORECASE)
_UPDATE = re.compile(
    r"\s*(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)(?![\w:-])", re.IGNORECASE
)
# FROM [NAMED] followed by an IRI or a prefixed name; not part of a longer name such as wasDerivedFrom.
_DATASET_CLAUSE = re.compile(r"(?<![\w:?$.-])FROM\s+(?:NAMED\s*)?(?:<|[A-Za-z_]?[\w.-]*:)", re.IGNORECASE)


@dataclass(frozen=True)
class QueryAnalysis:
    """What the protocol layer needs to know about a query text before evaluating it."""

    form: QueryForm
    has_dataset_clause: bool
    refusal: str | None = None  # a message when the query must be refused (HTTP 400)

    @property
    def family(self) -> Literal["results", "graph"]:
        return "graph" if self.form in ("CONSTRUCT", "DESCRIBE") else "results"


def query_form(text: str) -> QueryForm:
    """The form of a query, read past its prologue (BASE, PREFIX, comments)."""
    position = 0
    while True:
        match = _PROLOGUE_ITEM.match(text, position)
        if not match or match.end() == position:
            break
        position = match.end()
    form = _FORM.match(text, position)
    if form:
        return form.group(1).upper()  # type: ignore[return-value]
    if _UPDATE.match(text, position):
        return "UPDATE"
    return "UNKNOWN"


def _parse_query(text: str) -> Any:
    return rdflib_parser.parse_query(text)


def _parse_update(text: str) -> Any:
    return rdflib_parser.parse_update(text)


def _names(tree: Any) -> set[str]:
    return {node.name for node in rdflib_parser.walk_tree(tree)}


@memoise(max_bytes=4 * 1024 * 1024, max_entry_bytes=32 * 1024)
def _lexical_refusal(text: str) -> str:
    """Why ``text`` fails the lexical limits ("" when it passes); memoised: repeated queries skip the
    tokenising (about 0.1 ms for a short query), and the memo is bounded by bytes."""
    try:
        screen(unescape_codepoints(text), "query")
    except TooComplex as error:
        return str(error)
    return ""


def screen_query(text: str) -> None:
    """The lexical limits alone (no parser): what a web worker checks before passing a query on."""
    refusal = _lexical_refusal(text)
    if refusal:
        raise TooComplex(refusal)


def screen_update(text: str) -> None:
    """The lexical limits of an update (DATA blocks do not count towards them)."""
    screen(unescape_codepoints(text), "update")


_WHOLE_LINE_COMMENT = re.compile(r"^[ \t]*#[^\n\r]*", re.MULTILINE)


def without_line_comments(text: str) -> str:
    """``text`` without the lines that are only a comment, when that is certain; else ``text``.

    Used only to decide whether a query needs parsing: a comment that says "data from the
    article" or "the service" must not send every such query through rdflib's parser (a
    third of a worker's time on the competency questions). A line whose first non-blank
    character is ``#`` is a comment unless a long string (three quotes, single or double) spans it: short
    strings and IRIs cannot hold a line break. So with no long-string delimiter in the text,
    removing such lines only ever removes comments; otherwise nothing is removed."""
    if "'''" in text or '"""' in text:
        return text
    return _WHOLE_LINE_COMMENT.sub("", text)


@memoise(max_bytes=8 * 1024 * 1024, max_entry_bytes=256 * 1024)
def analyse_query(text: str) -> QueryAnalysis:
    """Dataset clause and refusal of a query text (and a guess at its form, for messages);
    memoised because clients repeat queries. Parses with rdflib: call it where a deadline applies."""
    plain = unescape_codepoints(text)
    form = query_form(plain)
    try:
        screen(plain, "query")
    except TooComplex as error:
        return QueryAnalysis(form, False, str(error))
    code = without_line_comments(plain)
    lowered = code.lower()
    dataset_hint = bool(_DATASET_CLAUSE.search(code))
    if "service" not in lowered and not dataset_hint:
        return QueryAnalysis(form, False)
    try:
        tree = _parse_query(text)
    except Exception as error:  # pyparsing raises ParseException; rdflib sometimes others
        if "service" in lowered:
            return QueryAnalysis(
                form,
                dataset_hint,
                f"{FEDERATION_DISABLED} (The query mentions SERVICE and could not be parsed to prove it has "
                f"no SERVICE clause: {_one_line(error)})",
            )
        return QueryAnalysis(form, dataset_hint)
    if any(node.name == "ServiceGraphPattern" for node in rdflib_parser.walk_tree(tree)):
        return QueryAnalysis(form, dataset_hint, FEDERATION_DISABLED)
    has_dataset = any(_has_dataset_clause(node) for node in tree if node is not None)
    return QueryAnalysis(form, has_dataset)


def _has_dataset_clause(node: Any) -> bool:
    from rdflib.plugins.sparql.parserutils import CompValue

    return isinstance(node, CompValue) and bool(dict.get(node, "datasetClause"))


def check_query(text: str) -> QueryAnalysis:
    """The analysis of ``text``; raises QueryRefused (HTTP 400) when the query may not run."""
    analysis = analyse_query(text)
    if analysis.refusal:
        raise QueryRefused(analysis.refusal)
    return analysis


def _update_refusal(text: str) -> str | None:
    plain = unescape_codepoints(text)
    try:
        screen(plain, "update")
    except TooComplex as error:
        return str(error)
    plain = plain.lower()
    if "service" not in plain and "load" not in plain:
        return None
    try:
        tree = _parse_update(text)
    except Exception as error:
        return (
            "LOAD and SERVICE are refused and this update mentions one of them but could not be parsed "
            f"to prove it uses neither: {_one_line(error)}"
        )
    names = _names(tree)
    if "Load" in names:
        return LOAD_DISABLED
    if "ServiceGraphPattern" in names:
        return FEDERATION_DISABLED
    return None


def check_update(text: str) -> None:
    """Refuse LOAD (it fetches a URL), SERVICE and absurd nesting in an update; for the write path."""
    refusal = _update_refusal(text)
    if refusal:
        raise QueryRefused(refusal)


def _one_line(error: Exception) -> str:
    return " ".join(str(error).split())


def update_has_using(text: str) -> bool:
    """Whether an update names its own dataset (USING / USING NAMED), which the protocol's
    ``using-graph-uri``/``using-named-graph-uri`` may not contradict (SPARQL 1.1 Protocol §2.2.3)."""
    if "using" not in unescape_codepoints(text).lower():
        return False
    screen_update(text)  # before rdflib sees it: TooComplex (HTTP 400) for a chain that would overflow
    try:
        tree = _parse_update(text)
    except Exception:
        return False  # not parseable: the update path reports the syntax error itself
    return "UsingClause" in _names(tree)
