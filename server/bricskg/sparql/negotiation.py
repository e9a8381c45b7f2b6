"""Content negotiation for SPARQL answers: ``format=`` first, then ``Accept`` with q-values.

The answer family is known before evaluation (the query form is read from the query text), so
negotiation picks one concrete format per request and the result cache can key on it. Nothing
acceptable → ``NotAcceptable`` carrying the list of types the client could ask for (HTTP 406).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from bricskg.sparql.formats import FORMAT_NAMES, FORMATS_BY_FAMILY, Family, Format


class NotAcceptable(Exception):
    """No format of the answer's family satisfies the request (HTTP 406)."""

    def __init__(self, family: Family, asked: str):
        self.family = family
        self.available = [fmt.media_type for fmt in FORMATS_BY_FAMILY[family]]
        kind = "SELECT/ASK results" if family == "results" else "CONSTRUCT/DESCRIBE graphs"
        super().__init__(
            f"No acceptable media type for {kind} (asked for {asked!r}). Available: {', '.join(self.available)}; "
            f"or use format= with one of: {', '.join(fmt.name for fmt in FORMATS_BY_FAMILY[family])}."
        )


@dataclass(frozen=True)
class MediaRange:
    type: str
    subtype: str
    q: float
    position: int

    def specificity(self, media_type: str) -> int:
        """-1 when this range does not cover ``media_type``; else 0 (*/*), 1 (type/*), 2 (exact)."""
        kind, _, sub = media_type.partition("/")
        if self.type == "*":
            return 0
        if self.type != kind:
            return -1
        if self.subtype == "*":
            return 1
        return 2 if self.subtype == sub else -1


def parse_accept(header: str) -> list[MediaRange]:
    """Parse an Accept header leniently: a malformed q counts as 1, a range without '/' is skipped."""
    ranges: list[MediaRange] = []
    for position, item in enumerate(header.split(",")):
        parts = [part.strip() for part in item.split(";")]
        media = parts[0].lower()
        if "/" not in media:
            continue
        kind, _, sub = media.partition("/")
        q = 1.0
        for param in parts[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value.strip()), 0.0), 1.0)
                except ValueError:
                    q = 1.0
        ranges.append(MediaRange(kind.strip(), sub.strip(), q, position))
    return ranges


def _quality(ranges: list[MediaRange], media_type: str) -> tuple[float, int, int]:
    """The q the most specific matching range gives ``media_type`` (RFC 9110 §12.5.1)."""
    best: tuple[int, MediaRange] | None = None
    for media_range in ranges:
        specificity = media_range.specificity(media_type)
        if specificity >= 0 and (best is None or specificity > best[0]):
            best = (specificity, media_range)
    if best is None:
        return (0.0, -1, 0)
    return (best[1].q, best[0], -best[1].position)


@lru_cache(maxsize=512)
def negotiate(family: Family, accept: str | None, format_param: str | None = None) -> Format:
    """The format to answer in. ``format=`` wins over ``Accept``; no header means the default."""
    formats = FORMATS_BY_FAMILY[family]
    if format_param:
        return _by_format_param(family, format_param.strip())
    if not accept or not accept.strip():
        return formats[0]
    ranges = parse_accept(accept)
    if not ranges:
        return formats[0]
    best: tuple[tuple[float, int, int, int], Format] | None = None
    for preference, fmt in enumerate(formats):
        for media_type in (fmt.media_type, *fmt.aliases):
            q, specificity, position = _quality(ranges, media_type)
            if q <= 0 or (media_type != fmt.media_type and specificity < 2):
                continue  # aliases match only when named exactly, never through a wildcard
            score = (q, specificity, position, -preference)
            if best is None or score > best[0]:
                best = (score, fmt)
    if best is None:
        raise NotAcceptable(family, accept)
    return best[1]


def _by_format_param(family: Family, value: str) -> Format:
    """``format=json`` / ``format=turtle`` / ``format=text/csv``: a short name or a media type."""
    lowered = value.lower()
    formats = FORMATS_BY_FAMILY[family]
    if "/" in lowered:
        for fmt in formats:
            if lowered == fmt.media_type or lowered in fmt.aliases:
                return fmt
        raise NotAcceptable(family, value)
    name = FORMAT_NAMES.get(lowered)
    if family == "graph":
        name = {"json": "jsonld", "xml": "rdfxml"}.get(lowered, name)
    for fmt in formats:
        if fmt.name == name:
            return fmt
    raise NotAcceptable(family, value)


def negotiate_types(accept: str | None, offered: tuple[str, ...]) -> str | None:
    """Generic helper for other resources (service description, errors): best of ``offered`` or None."""
    if not accept or not accept.strip():
        return offered[0]
    ranges = parse_accept(accept)
    if not ranges:
        return offered[0]
    best: tuple[tuple[float, int, int, int], str] | None = None
    for preference, media_type in enumerate(offered):
        q, specificity, position = _quality(ranges, media_type)
        if q > 0:
            score = (q, specificity, position, -preference)
            if best is None or score > best[0]:
                best = (score, media_type)
    return None if best is None else best[1]
