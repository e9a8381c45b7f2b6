"""Checking the Web Annotation selectors of text segments: against each other, and against the text.

SHACL can say that a quote selector has one ``oa:exact`` and that its length is ``end - start``; it
cannot read the source document. So a quote edited from "Iran" to "Iraq" conformed. Two checks fix
that, both over every ``bkg:TextSegment``-like node (anything with ``oa:hasSource`` and selectors):

* **agreement** (no text needed): the selectors of one source are fragments of one text, each at
  a known place -- ``oa:exact`` from ``oa:start``, ``oa:prefix`` ending there, ``oa:suffix`` from
  ``oa:end`` -- so they must name the same character wherever two of them cover the same offset, and
  a quote must span exactly ``end - start`` code points;
* **source** (with the text): every ``oa:exact``, ``oa:prefix`` and ``oa:suffix`` is the text at its
  offsets; a quote without a position selector occurs in the text with its prefix and suffix.

Which text belongs to which source: ``--source IRI=FILE`` (or ``--source FILE`` when the data has one
source with segments), else the source folder (``BRICSKG_SOURCE_DIR``, by default ``../shared/source``
beside the project) holding ``<last path segment of the source IRI>.txt`` -- ``src:article`` is
``article.txt``. The article is one source among others, not a special case. Offsets count Unicode
code points, as Python ``str`` indices do and as the Web Annotation model specifies.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping

import pyoxigraph as ox
import rdflib

from bricskg.paths import project_root
from bricskg.validation.report import SHAPES, ValidationReport, ValidationResult

SOURCE_CHECK = SHAPES["SelectorsMatchTheSource"]
AGREEMENT_CHECK = SHAPES["SelectorsAgree"]
SELECTOR_COMPONENT = SHAPES["SelectorComponent"]

SEGMENTS_QUERY = """
PREFIX oa: <http://www.w3.org/ns/oa#>
SELECT ?segment ?source ?exact ?prefix ?suffix ?start ?end WHERE {
  ?segment oa:hasSource ?source ; oa:hasSelector ?quote .
  ?quote a oa:TextQuoteSelector ; oa:exact ?exact .
  OPTIONAL { ?quote oa:prefix ?prefix }
  OPTIONAL { ?quote oa:suffix ?suffix }
  OPTIONAL { ?segment oa:hasSelector ?position . ?position a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end }
}"""


@dataclass(frozen=True)
class Segment:
    """One text segment's selectors (offsets None without a position selector)."""

    node: str
    source: str
    exact: str
    prefix: str
    suffix: str
    start: int | None
    end: int | None


def source_folder() -> Path:
    override = os.environ.get("BRICSKG_SOURCE_DIR")
    return Path(override) if override else project_root().parent / "shared" / "source"


def default_source_file(source_iri: str) -> Path:
    """Where a source's text is found when no ``--source`` names it: ``<folder>/<name>.txt``."""
    return source_folder() / (source_iri.rstrip("/").rsplit("/", 1)[-1] + ".txt")


def read_source_text(path: Path) -> str:
    """The text as the offsets count it: UTF-8, line ends as in the file's text mode (\\n)."""
    return path.read_text(encoding="utf-8")


def segments(store: ox.Store) -> list[Segment]:
    found = []
    for row in store.query(SEGMENTS_QUERY, use_default_graph_as_union=True):
        start, end = row["start"], row["end"]
        found.append(Segment(
            node=_text(row["segment"]),
            source=_text(row["source"]),
            exact=row["exact"].value,
            prefix=row["prefix"].value if row["prefix"] is not None else "",
            suffix=row["suffix"].value if row["suffix"] is not None else "",
            start=_int(start),
            end=_int(end),
        ))
    return sorted(set(found), key=lambda s: (s.source, s.start if s.start is not None else -1, s.node))


def sources_with_segments(store: ox.Store) -> list[str]:
    return sorted({segment.source for segment in segments(store)})


def check_selectors(store: ox.Store, texts: Mapping[str, str] | None = None) -> ValidationReport:
    """Agreement of the selectors of every source, and, for each source in ``texts`` (IRI -> text),
    agreement with that text."""
    texts = dict(texts or {})
    all_segments = segments(store)
    results: list[ValidationResult] = []
    by_source: dict[str, list[Segment]] = {}
    for segment in all_segments:
        by_source.setdefault(segment.source, []).append(segment)
    for source, members in by_source.items():
        results += _agreement(members)
        if source in texts:
            results += _against(texts[source], members)
    checked = sorted(set(texts) & set(by_source))
    scope = f"{len(all_segments)} segment(s) of {len(by_source)} source(s); text checked for {len(checked)}"
    return ValidationReport(results, {"selectors": scope})


def _agreement(members: Iterable[Segment]) -> list[ValidationResult]:
    """Each offset of the source is named by at most one character across all selectors."""
    results = []
    claimed: dict[int, tuple[str, Segment]] = {}
    for segment in members:
        if segment.start is None or segment.end is None:
            continue
        if len(segment.exact) != segment.end - segment.start:
            results.append(_result(segment, AGREEMENT_CHECK,
                                   f"the quote is {len(segment.exact)} characters long but its offsets "
                                   f"{segment.start}..{segment.end} span {segment.end - segment.start}"))
            continue
        pieces = ((segment.start - len(segment.prefix), segment.prefix, "prefix"),
                  (segment.start, segment.exact, "exact"),
                  (segment.end, segment.suffix, "suffix"))
        clash = None
        for offset, text, _ in pieces:
            for index, char in enumerate(text):
                where = offset + index
                if where < 0:
                    clash = clash or (where, None)
                    continue
                previous = claimed.get(where)
                if previous is not None and previous[0] != char and clash is None:
                    clash = (where, previous[1])
                claimed.setdefault(where, (char, segment))
        if clash is not None:
            where, other = clash
            message = (f"its selectors place a character before the start of the text (offset {where})" if other is None
                       else f"its selectors and those of {other.node} name different characters at offset {where}")
            results.append(_result(segment, AGREEMENT_CHECK, message))
    return results


def _against(text: str, members: Iterable[Segment]) -> list[ValidationResult]:
    results = []
    for segment in members:
        if segment.start is None or segment.end is None:
            at = _find(text, segment)
            if at < 0:
                results.append(_result(segment, SOURCE_CHECK, f"the quote {segment.exact!r} (with its prefix and suffix) does not occur in the source"))
            continue
        found = text[segment.start:segment.end]
        if found != segment.exact:
            results.append(_result(segment, SOURCE_CHECK,
                                   f"the source reads {found!r} at {segment.start}..{segment.end}, not the quote {segment.exact!r}"))
            continue
        before = text[max(0, segment.start - len(segment.prefix)):segment.start]
        if before != segment.prefix:
            results.append(_result(segment, SOURCE_CHECK, f"the source reads {before!r} before the quote, not the prefix {segment.prefix!r}"))
        after = text[segment.end:segment.end + len(segment.suffix)]
        if after != segment.suffix:
            results.append(_result(segment, SOURCE_CHECK, f"the source reads {after!r} after the quote, not the suffix {segment.suffix!r}"))
    return results


def _find(text: str, segment: Segment) -> int:
    at = text.find(segment.prefix + segment.exact + segment.suffix)
    return at if at < 0 else at + len(segment.prefix)


def _result(segment: Segment, check: rdflib.URIRef, message: str) -> ValidationResult:
    node = rdflib.BNode(segment.node[2:]) if segment.node.startswith("_:") else rdflib.URIRef(segment.node)
    return ValidationResult(focus_node=node, message=message, source_shape=check,
                            constraint_component=SELECTOR_COMPONENT, checker="selectors")


def _text(term: object) -> str:
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value  # type: ignore[attr-defined]


def _int(term: object) -> int | None:
    if term is None:
        return None
    try:
        return int(term.value)  # type: ignore[attr-defined]
    except ValueError:
        return None
