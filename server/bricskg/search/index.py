"""The full-text index: SQLite FTS5, ranked with BM25, faceted by type and language.

SQLite because it is a real, embedded, crash-safe engine that every Python has (FTS5 is compiled
into CPython's sqlite3 on every platform we serve from), needs no service of its own, and lets
several worker processes read one index file while one of them updates it (WAL mode).

Layout: ``docs`` holds one row per document (thing, field, text, language, graph); the FTS5 table
``docs_fts`` indexes the text under a column per field, with the same rowid, so BM25 can weigh a
label above an alternative label above a quoted sentence; ``types`` holds ``rdf:type`` per graph
for the type facet. Rows are kept per graph, because a graph is what a write replaces.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from bricskg.search.documents import FIELDS, Document, Typing

# BM25 weights of the label, alt and quote columns: a name match outranks a mention in a sentence.
FIELD_WEIGHTS = (10.0, 4.0, 1.0)
MAX_QUERY_CHARS = 200
MAX_TERMS = 12
MAX_LIMIT = 100
# Facets and totals are counted over at most this many matching documents: enough for any
# realistic query over this graph, and a bound on the work an anonymous request can cause.
MAX_MATCHES = 20_000
_MARK_OPEN, _MARK_CLOSE = "\x02", "\x03"
_TOKEN = re.compile(r"\w+", re.UNICODE)

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS docs(
  id INTEGER PRIMARY KEY, thing TEXT NOT NULL, field TEXT NOT NULL, text TEXT NOT NULL,
  lang TEXT NOT NULL, graph TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS docs_graph ON docs(graph);
CREATE INDEX IF NOT EXISTS docs_thing ON docs(thing, field);
CREATE VIRTUAL TABLE IF NOT EXISTS docs_fts USING fts5(label, alt, quote, tokenize='unicode61 remove_diacritics 2');
CREATE TABLE IF NOT EXISTS types(thing TEXT NOT NULL, type TEXT NOT NULL, graph TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS types_thing ON types(thing);
CREATE INDEX IF NOT EXISTS types_graph ON types(graph);
CREATE INDEX IF NOT EXISTS types_type ON types(type);
CREATE TABLE IF NOT EXISTS applied(activity TEXT PRIMARY KEY);
"""


class SearchQueryError(ValueError):
    """A search request that cannot be answered as asked (HTTP 400)."""


@dataclass(frozen=True)
class Hit:
    thing: str
    label: str
    field: str  # the field of the best-matching document
    snippet: str  # the matched text with the terms between \x02 and \x03
    language: str
    score: float  # BM25, lower is better (SQLite's sign convention)
    types: tuple[str, ...]


@dataclass(frozen=True)
class FacetValue:
    value: str
    count: int
    label: str = ""


@dataclass
class SearchResult:
    query: str
    total: int
    hits: list[Hit]
    types: list[FacetValue] = field(default_factory=list)
    languages: list[FacetValue] = field(default_factory=list)
    truncated: bool = False  # more than MAX_MATCHES documents matched: counts are lower bounds


def fts_query(text: str) -> str:
    """The user's words as an FTS5 expression: every word must occur, the last one as a prefix.

    Words are quoted, so FTS5's own syntax (AND/OR/NEAR, column filters, ``*``, quotes) typed by a
    user is searched for as text and can never become an operator or a syntax error."""
    if len(text) > MAX_QUERY_CHARS:
        raise SearchQueryError(f"The search text is longer than {MAX_QUERY_CHARS} characters.")
    words = _TOKEN.findall(text)
    if not words:
        return ""
    if len(words) > MAX_TERMS:
        raise SearchQueryError(f"The search text has more than {MAX_TERMS} words.")
    quoted = [f'"{word}"' for word in words]
    quoted[-1] += "*"
    return " ".join(quoted)


class SearchIndex:
    """One SQLite database; a connection per thread (sqlite3 connections are not shared across threads)."""

    def __init__(self, uri: str) -> None:
        self.uri = uri
        self._local = threading.local()
        with self._connection() as connection:
            connection.executescript(SCHEMA)

    def _connection(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(self.uri, uri=True, timeout=30.0, isolation_level=None)
            if "mode=memory" not in self.uri:
                connection.execute("PRAGMA journal_mode=WAL")  # readers in other workers during an update
            connection.execute("PRAGMA synchronous=NORMAL")
            self._local.connection = connection
        return connection

    # --- writing ------------------------------------------------------------------------------

    def meta(self, key: str) -> str | None:
        row = self._connection().execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def applied_activities(self) -> set[str]:
        return {row[0] for row in self._connection().execute("SELECT activity FROM applied")}

    def replace(
        self,
        graphs: Iterable[str] | None,
        documents: Sequence[Document],
        typings: Sequence[Typing],
        activities: Iterable[str],
        meta: dict[str, str] | None = None,
    ) -> None:
        """In one transaction: drop the rows of ``graphs`` (all rows when None), add the new ones and
        record ``activities`` as applied, so a reader sees the old index or the new one, never half."""
        connection = self._connection()
        connection.execute("BEGIN IMMEDIATE")
        try:
            if graphs is None:
                connection.execute("DELETE FROM docs_fts")
                connection.execute("DELETE FROM docs")
                connection.execute("DELETE FROM types")
            else:
                for graph in graphs:
                    connection.execute(
                        "DELETE FROM docs_fts WHERE rowid IN (SELECT id FROM docs WHERE graph = ?)", (graph,)
                    )
                    connection.execute("DELETE FROM docs WHERE graph = ?", (graph,))
                    connection.execute("DELETE FROM types WHERE graph = ?", (graph,))
            for document in documents:
                cursor = connection.execute(
                    "INSERT INTO docs(thing, field, text, lang, graph) VALUES (?, ?, ?, ?, ?)",
                    (document.thing, document.field, document.text, document.language, document.graph),
                )
                columns = [document.text if name == document.field else "" for name in FIELDS]
                connection.execute(
                    "INSERT INTO docs_fts(rowid, label, alt, quote) VALUES (?, ?, ?, ?)", (cursor.lastrowid, *columns)
                )
            connection.executemany(
                "INSERT INTO types(thing, type, graph) VALUES (?, ?, ?)", ((t.thing, t.type, t.graph) for t in typings)
            )
            connection.executemany("INSERT OR IGNORE INTO applied(activity) VALUES (?)", ((a,) for a in activities))
            for key, value in (meta or {}).items():
                connection.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise

    # --- reading ------------------------------------------------------------------------------

    def search(
        self, text: str, *, language: str | None = None, type_iri: str | None = None, limit: int = 20, offset: int = 0
    ) -> SearchResult:
        expression = fts_query(text)
        if not 1 <= limit <= MAX_LIMIT:
            raise SearchQueryError(f"limit must be between 1 and {MAX_LIMIT}.")
        if offset < 0:
            raise SearchQueryError("offset must not be negative.")
        if not expression:
            return SearchResult(text, 0, [])
        connection = self._connection()
        rows = connection.execute(
            f"""SELECT d.thing, d.field, d.lang, bm25(docs_fts, {', '.join(map(str, FIELD_WEIGHTS))}) AS score,
                       snippet(docs_fts, -1, ?, ?, '…', 16)
                FROM docs_fts JOIN docs d ON d.id = docs_fts.rowid
                WHERE docs_fts MATCH ? ORDER BY score LIMIT ?""",
            (_MARK_OPEN, _MARK_CLOSE, expression, MAX_MATCHES + 1),
        ).fetchall()
        truncated = len(rows) > MAX_MATCHES
        rows = rows[:MAX_MATCHES]
        things = sorted({row[0] for row in rows})
        types_of = self._types_of(things)
        best: dict[str, tuple] = {}
        for row in rows:
            thing, _field, lang = row[0], row[1], row[2]
            if language is not None and lang != language:
                continue
            if type_iri is not None and type_iri not in types_of.get(thing, ()):
                continue
            if thing not in best:  # rows come best first
                best[thing] = row
        language_counts = _count_distinct(
            (row[2], row[0]) for row in rows if type_iri is None or type_iri in types_of.get(row[0], ())
        )
        type_counts = _count_distinct(
            (kind, row[0])
            for row in rows
            if language is None or row[2] == language
            for kind in types_of.get(row[0], ())
        )
        ranked = list(best.values())
        page = ranked[offset : offset + limit]
        labels = self.labels([row[0] for row in page] + list(type_counts))
        hits = [
            Hit(
                thing=row[0],
                label=labels.get(row[0], ""),
                field=row[1],
                snippet=row[4],
                language=row[2],
                score=float(row[3]),
                types=tuple(sorted(types_of.get(row[0], ()))),
            )
            for row in page
        ]
        return SearchResult(
            query=text,
            total=len(ranked),
            hits=hits,
            types=[FacetValue(value, count, labels.get(value, "")) for value, count in _by_count(type_counts)],
            languages=[FacetValue(value, count) for value, count in _by_count(language_counts)],
            truncated=truncated,
        )

    def _types_of(self, things: list[str]) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {}
        connection = self._connection()
        for start in range(0, len(things), 500):
            chunk = things[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for thing, kind in connection.execute(f"SELECT thing, type FROM types WHERE thing IN ({marks})", chunk):
                found.setdefault(thing, set()).add(kind)
        return found

    def labels(self, things: Iterable[str]) -> dict[str, str]:
        """The first label (English first, then untagged, then any) of each thing that has one."""
        wanted = sorted(set(things))
        found: dict[str, str] = {}
        connection = self._connection()
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = connection.execute(
                f"""SELECT thing, text FROM docs WHERE field = 'label' AND thing IN ({marks})
                    ORDER BY thing, CASE lang WHEN 'en' THEN 0 WHEN '' THEN 1 ELSE 2 END, text""",
                chunk,
            )
            for thing, text in rows:
                found.setdefault(thing, text)
        return found

    def document_count(self) -> int:
        return int(self._connection().execute("SELECT COUNT(*) FROM docs").fetchone()[0])


def _count_distinct(pairs: Iterable[tuple[str, str]]) -> dict[str, int]:
    """How many distinct things fall under each facet value."""
    seen: dict[str, set[str]] = {}
    for value, thing in pairs:
        seen.setdefault(value, set()).add(thing)
    return {value: len(things) for value, things in seen.items()}


def _by_count(counts: dict[str, int]) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def marked_parts(snippet: str) -> list[tuple[str, bool]]:
    """A snippet as (text, matched) pieces, for renderers that escape text themselves."""
    parts: list[tuple[str, bool]] = []
    for index, piece in enumerate(re.split(f"[{_MARK_OPEN}{_MARK_CLOSE}]", snippet)):
        if piece:
            parts.append((piece, index % 2 == 1))
    return parts


def plain(snippet: str) -> str:
    return snippet.replace(_MARK_OPEN, "").replace(_MARK_CLOSE, "")
