"""Authoring a claim: from a source text and a sentence (or quote) to its provenance record and a
claim-graph skeleton, with the Web Annotation selectors computed rather than typed by hand.

A source text is cut into segments the way the article's 30 were: each non-empty line is a segment
unless it holds several sentences, which are cut after ``.``, ``!`` or ``?`` (and a closing quote or
bracket) followed by white space and a capital letter, except after an abbreviation such as
"U.S."; a list bullet (``- ``, ``* ``, ``• ``) is not
part of its item. Segment N (from 1) is ``<source IRI>/sNN``. Offsets are Python ``str`` indices
(Unicode code points), as the Web Annotation model counts; prefix and suffix hold up to
``CONTEXT_CHARS`` characters around the quote. Any source works the same way: the article is one
source, ``https://w3id.org/bricskg/source/article``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bricskg.config import BASE_IRI

CONTEXT_CHARS = 32
SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)]?\s+(?=[\"“‘(]?[A-Z0-9])")
BULLET = re.compile(r"^(?:[-*•]\s+)")
# an abbreviation ("U.S.", "e.g.", "Mr.") does not end a sentence
ABBREVIATION = re.compile(r"(?:\b(?:[A-Za-z]\.){2,}|\b(?:Mr|Mrs|Ms|Dr|Prof|St|vs|etc|No)\.)$")
MODALITIES = ("asserted", "reported", "forecast", "proposal", "viewpoint")


class AuthoringError(ValueError):
    """The sentence or quote cannot be found, or is ambiguous; the message says which."""


@dataclass(frozen=True)
class Span:
    """A segment of a source text: its position (from 1) and its offsets."""

    position: int
    start: int
    end: int


def segment_spans(text: str) -> list[Span]:
    """The source's segments: lines, cut into sentences, without list bullets or edge white space."""
    spans: list[tuple[int, int]] = []
    offset = 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        start = offset + len(body) - len(body.lstrip())
        bullet = BULLET.match(body.lstrip())
        if bullet:
            start += bullet.end()
        end = offset + len(body.rstrip())
        if end > start:
            piece_start = start
            for match in SENTENCE_END.finditer(text, start, end):
                if ABBREVIATION.search(text, piece_start, match.start()):
                    continue
                closing = len(match.group(0)) - len(match.group(0).lstrip("\"”’)"))
                spans.append((piece_start, match.start() + closing))
                piece_start = match.end()
            spans.append((piece_start, end))
        offset += len(line)
    return [Span(index + 1, start, end) for index, (start, end) in enumerate(spans)]


def locate(text: str, *, sentence: int | None = None, quote: str | None = None) -> Span:
    """The span of segment ``sentence``, or of ``quote`` (which must occur exactly once) with the
    position of the segment it starts in."""
    spans = segment_spans(text)
    if sentence is not None:
        if not 1 <= sentence <= len(spans):
            raise AuthoringError(f"the source has {len(spans)} segments; there is no segment {sentence}")
        return spans[sentence - 1]
    if not quote:
        raise AuthoringError("give a sentence number or a quote")
    quote = quote.strip()
    found = [m.start() for m in re.finditer(re.escape(quote), text)]
    if not found:
        raise AuthoringError(f"the quote {quote!r} does not occur in the source")
    if len(found) > 1:
        raise AuthoringError(f"the quote {quote!r} occurs {len(found)} times in the source; quote more of it")
    start = found[0]
    position = next((span.position for span in spans if span.start <= start < span.end), None)
    if position is None:
        raise AuthoringError(f"the quote {quote!r} starts between segments")
    return Span(position, start, start + len(quote))


@dataclass(frozen=True)
class ClaimDraft:
    """Everything the TriG skeleton says."""

    source_iri: str
    span: Span
    text: str
    slug: str
    modality: str = "asserted"
    attributed_to: str = BASE_IRI + "id/article-author"
    kind: str = "Sentence"
    source_title: str | None = None  # given for a source the data does not describe yet

    @property
    def segment_iri(self) -> str:
        return f"{self.source_iri.rstrip('/')}/s{self.span.position:02d}"

    @property
    def claim_iri(self) -> str:
        return BASE_IRI + "claim/" + self.slug


def turtle_string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    return f'"{escaped}"'


def claim_trig(draft: ClaimDraft) -> str:
    """The provenance record (claim, segment, selectors) and an empty claim graph to fill in."""
    if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", draft.slug):
        raise AuthoringError(f"the claim slug {draft.slug!r} must be lower-case words joined by hyphens")
    if draft.modality not in MODALITIES:
        raise AuthoringError(f"modality {draft.modality!r}: one of {', '.join(MODALITIES)}")
    text, span = draft.text, draft.span
    exact = text[span.start:span.end]
    prefix = text[max(0, span.start - CONTEXT_CHARS):span.start]
    suffix = text[span.end:span.end + CONTEXT_CHARS]
    quote_lines = [f"            oa:exact {turtle_string(exact)}"]
    if prefix:
        quote_lines.insert(0, f"            oa:prefix {turtle_string(prefix)}")
    if suffix:
        quote_lines.append(f"            oa:suffix {turtle_string(suffix)}")
    source_lines = []
    if draft.source_title is not None:
        source_lines = [
            f"    <{draft.source_iri}> a bkg:Source ;",
            f"        rdfs:label {turtle_string(draft.source_title)}@en ;",
            f"        dcterms:title {turtle_string(draft.source_title)} .",
            "",
        ]
    lines = [
        "@prefix bkg:     <https://w3id.org/bricskg/ontology/> .",
        "@prefix bkgr:    <https://w3id.org/bricskg/id/> .",
        "@prefix claim:   <https://w3id.org/bricskg/claim/> .",
        "@prefix graph:   <https://w3id.org/bricskg/graph/> .",
        "@prefix dcterms: <http://purl.org/dc/terms/> .",
        "@prefix oa:      <http://www.w3.org/ns/oa#> .",
        "@prefix prov:    <http://www.w3.org/ns/prov#> .",
        "@prefix rdfs:    <http://www.w3.org/2000/01/rdf-schema#> .",
        "",
        f"# {exact}",
        "# The triples this sentence states, and nothing else: every entity it mentions with its rdf:type",
        "# and rdfs:label@en (each claim graph stands on its own). Replace the comment with them.",
        f"claim:{draft.slug} {{",
        "    # bkgr:… a bkg:… ; rdfs:label \"…\"@en ; bkg:… bkgr:… .",
        "}",
        "",
        "graph:provenance {",
        f"    claim:{draft.slug} a bkg:Claim ;",
        f"        rdfs:label {turtle_string(exact.rstrip('.!?'))}@en ;  # a short statement of the claim",
        f"        prov:wasDerivedFrom <{draft.segment_iri}> ;",
        f"        bkg:modality bkg:modality{draft.modality.capitalize()} ;",
        f"        prov:wasAttributedTo <{draft.attributed_to}> .",
        "",
        *source_lines,
        f"    <{draft.segment_iri}> a bkg:{draft.kind} ;",
        f"        bkg:position {span.position} ;",
        f"        dcterms:isPartOf <{draft.source_iri}> ;",
        f"        oa:hasSource <{draft.source_iri}> ;",
        "        oa:hasSelector [",
        "            a oa:TextQuoteSelector ;",
        " ;\n".join(quote_lines),
        "        ] , [",
        "            a oa:TextPositionSelector ;",
        f"            oa:start {span.start} ;",
        f"            oa:end {span.end}",
        "        ] .",
        "}",
        "",
    ]
    return "\n".join(lines)
