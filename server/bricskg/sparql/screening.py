"""Cheap lexical limits on a query or update text, checked before any parser sees it.

Both parsers behind this endpoint recurse: Oxigraph's (Rust, recursive descent) overflows its stack
and kills the whole process — a SIGSEGV, not an exception — on a chain of about 4,500 collection
items, 3,500 MINUS groups or BINDs, or 8,000 ``1+1+…`` terms (measured with pyoxigraph 0.5 on an
8 MiB thread stack); rdflib's pyparsing grammar needs about 2 ms per term, under a lock. A process
that serves other requests (a web worker, the writer) must therefore never hand such a text to
either, and an executor should not die for it either: the client gets a 400 that says why.

So a text is tokenised once (strings, IRIs and comments are single tokens, so their content cannot
inflate or hide anything) and refused when it nests brackets too deep or holds too many tokens.
Tokens inside ``VALUES { … }`` and ``INSERT DATA``/``DELETE DATA`` blocks do not count: both are flat
lists the parser reads in a loop (20,000 rows or triples parse without trouble), and they are how
clients legitimately send large amounts of data. The limits are far above what a hand-written or
generated query needs and at least 1.5 times below the smallest chain measured to crash.
"""

from __future__ import annotations

import re

from bricskg.store.base import QueryRefused

MAX_NESTING = 1000  # brackets { ( [ open at once
MAX_TERMS = 3000  # tokens outside VALUES and DATA blocks

_TOKEN = re.compile(
    r"""
      (?P<comment>\#[^\n\r]*)
    | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<word>[?$]?[\w\u00B7\u0300-\u036F\u203F-\u2040.:%-]+)
    | (?P<open>[{(\[])
    | (?P<close>[})\]])
    | (?P<space>\s+)
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_FLAT_BLOCK_KEYWORDS = {"VALUES", "DATA"}


_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def unescape_codepoints(text: str) -> str:
    """Undo ``\\uXXXX``/``\\UXXXXXXXX`` (SPARQL 1.1 §19.2 applies them before parsing)."""
    if "\\u" not in text and "\\U" not in text:
        return text

    def replace(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else match.group(0)

    return _ESCAPE.sub(replace, text)


class TooComplex(QueryRefused):
    """The text nests or chains more than this endpoint parses (HTTP 400)."""


def measure(text: str) -> tuple[int, int]:
    """(deepest bracket nesting, tokens outside VALUES/DATA blocks) of a SPARQL text.

    A bracket inside a string or IRI does not count (the token is the whole string). A VALUES or DATA
    block is the brace block right after the keyword (``VALUES ?x {`` and ``VALUES (?a ?b) {`` too);
    its tokens are skipped, its brackets still count towards the nesting.
    """
    depth = deepest = terms = 0
    flat_depth = -1  # the depth at which the current VALUES/DATA block opened; -1: not in one
    pending_flat = False  # a VALUES/DATA keyword was seen and its block has not opened yet
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind in ("space", "comment"):
            continue
        if kind == "open":
            depth += 1
            deepest = max(deepest, depth)
            if pending_flat and match.group() == "{":
                flat_depth, pending_flat = depth, False
                continue
        elif kind == "close":
            if flat_depth == depth and match.group() == "}":
                flat_depth = -1
            depth = max(0, depth - 1)
        elif kind == "word" and flat_depth < 0 and match.group().upper() in _FLAT_BLOCK_KEYWORDS:
            pending_flat = True
        if flat_depth < 0:
            terms += 1
    return deepest, terms


def screen(text: str, what: str = "query") -> None:
    """Raise TooComplex (HTTP 400) when ``text`` nests or chains beyond what is parsed safely."""
    depth, terms = measure(text)
    if depth > MAX_NESTING:
        raise TooComplex(
            f"The {what} nests groups or expressions {depth} levels deep; this endpoint's limit is {MAX_NESTING}."
        )
    if terms > MAX_TERMS:
        raise TooComplex(
            f"The {what} has {terms:,} terms and operators (outside VALUES and DATA blocks); this endpoint's "
            f"limit is {MAX_TERMS:,}. Long chains (1+1+…, UNION, OPTIONAL, lists, triple patterns) are refused "
            "before parsing; send data in a VALUES block or INSERT DATA, or split the request."
        )
