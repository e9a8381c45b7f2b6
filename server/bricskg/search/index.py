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
CREATE INDEX IF NOT EXISTS types_thing_type ON types(thing, type);
CREATE INDEX IF NOT EXISTS types_graph ON types(graph);
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
            connection.execute("PRAGMA temp_store=MEMORY")  # the per-search ranking table never touches disk
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
            first = int(connection.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM docs").fetchone()[0])
            connection.executemany(
                "INSERT INTO docs(id, thing, field, text, lang, graph) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    (first + offset, d.thing, d.field, d.text, d.language, d.graph)
                    for offset, d in enumerate(documents)
                ),
            )
            connection.executemany(
                "INSERT INTO docs_fts(rowid, label, alt, quote) VALUES (?, ?, ?, ?)",
                (
                    (first + offset, *[d.text if name == d.field else "" for name in FIELDS])
                    for offset, d in enumerate(documents)
                ),
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
        """Ranked things (best document per thing), with facet counts, in a handful of SQL statements.

        The matches are ranked once into a per-connection temporary table; paging, totals and both
        facets are then SQL over it, and snippets are made for the page's documents only, so a word
        that matches most of a million-triple graph costs one ranking pass, not one per thing."""
        expression = fts_query(text)
        if not 1 <= limit <= MAX_LIMIT:
            raise SearchQueryError(f"limit must be between 1 and {MAX_LIMIT}.")
        if offset < 0:
            raise SearchQueryError("offset must not be negative.")
        if not expression:
            return SearchResult(text, 0, [])
        connection = self._connection()
        connection.execute(
            "CREATE TEMP TABLE IF NOT EXISTS matched(doc INTEGER, thing TEXT, field TEXT, lang TEXT, score REAL)"
        )
        connection.execute("DELETE FROM temp.matched")
        weights = ", ".join(map(str, FIELD_WEIGHTS))
        connection.execute(
            f"""INSERT INTO temp.matched
                SELECT d.id, d.thing, d.field, d.lang, m.score FROM
                  (SELECT rowid, bm25(docs_fts, {weights}) AS score FROM docs_fts
                   WHERE docs_fts MATCH ? ORDER BY score LIMIT ?) AS m
                JOIN docs d ON d.id = m.rowid""",
            (expression, MAX_MATCHES + 1),
        )
        truncated = connection.execute("SELECT COUNT(*) FROM temp.matched").fetchone()[0] > MAX_MATCHES
        type_filter = "EXISTS (SELECT 1 FROM types t WHERE t.thing = m.thing AND t.type = :type)"
        conditions = {
            "lang": "m.lang = :lang" if language is not None else "1",
            "type": type_filter if type_iri is not None else "1",
        }
        where = f"{conditions['lang']} AND {conditions['type']}"
        parameters = {"lang": language, "type": type_iri, "limit": limit, "offset": offset}
        total = connection.execute(f"SELECT COUNT(DISTINCT m.thing) FROM temp.matched m WHERE {where}", parameters).fetchone()[0]
        page = connection.execute(
            f"""SELECT m.thing, MIN(m.score) AS best FROM temp.matched m WHERE {where}
                GROUP BY m.thing ORDER BY best, m.thing LIMIT :limit OFFSET :offset""",
            parameters,
        ).fetchall()
        type_counts = connection.execute(
            f"""SELECT t.type, COUNT(DISTINCT m.thing) FROM temp.matched m CROSS JOIN types t ON t.thing = m.thing
                WHERE {conditions['lang']} GROUP BY t.type""",
            parameters,
        ).fetchall()
        language_counts = connection.execute(
            f"SELECT m.lang, COUNT(DISTINCT m.thing) FROM temp.matched m WHERE {conditions['type']} GROUP BY m.lang",
            parameters,
        ).fetchall()
        things = [row[0] for row in page]
        best_documents = self._best_documents(things, where, parameters)
        snippets = self._snippets(expression, [document[0] for document in best_documents.values()])
        types_of = self._types_of(things)
        labels = self.labels(things + [row[0] for row in type_counts])
        hits = []
        for thing, score in page:
            doc, field_name, lang = best_documents[thing]
            hits.append(
                Hit(
                    thing=thing,
                    label=labels.get(thing, ""),
                    field=field_name,
                    snippet=snippets.get(doc, ""),
                    language=lang,
                    score=float(score),
                    types=tuple(sorted(types_of.get(thing, ()))),
                )
            )
        return SearchResult(
            query=text,
            total=int(total),
            hits=hits,
            types=[FacetValue(value, count, labels.get(value, "")) for value, count in _by_count(dict(type_counts))],
            languages=[FacetValue(value, count) for value, count in _by_count(dict(language_counts))],
            truncated=truncated,
        )

    def _best_documents(self, things: list[str], where: str, parameters: dict) -> dict[str, tuple[int, str, str]]:
        """The best-ranked matching document of each thing: the one whose text the hit shows."""
        best: dict[str, tuple[int, str, str]] = {}
        if not things:
            return best
        marks = ",".join(f":t{index}" for index in range(len(things)))
        rows = self._connection().execute(
            f"""SELECT m.thing, m.doc, m.field, m.lang FROM temp.matched m
                WHERE {where} AND m.thing IN ({marks}) ORDER BY m.score, m.doc""",
            {**parameters, **{f"t{index}": thing for index, thing in enumerate(things)}},
        )
        for thing, doc, field_name, lang in rows:
            best.setdefault(thing, (doc, field_name, lang))
        return best

    def _snippets(self, expression: str, documents: list[int]) -> dict[int, str]:
        if not documents:
            return {}
        marks = ",".join("?" * len(documents))
        rows = self._connection().execute(
            f"""SELECT rowid, snippet(docs_fts, -1, ?, ?, '…', 16) FROM docs_fts
                WHERE docs_fts MATCH ? AND rowid IN ({marks})""",
            (_MARK_OPEN, _MARK_CLOSE, expression, *documents),
        )
        return {int(rowid): text for rowid, text in rows}

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
