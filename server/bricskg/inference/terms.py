"""RDF terms as their N-Triples text while reasoning, and back to pyoxigraph terms at the store.

Why text: the reasoner spends its time hashing triples (set membership, join indexes). A Python
string caches its hash; a pyoxigraph term recomputes it in Rust on every lookup, which measured
about three times slower for the same set. ``str(term)`` of a pyoxigraph term is its N-Triples
form (``<iri>``, ``_:label``, ``"lexical"@lang`` / ``"lexical"^^<datatype>``), so the kind of a
term is its first character.

Blank nodes and literals met on the way in are remembered, so that a conclusion about them goes
back to the store as the very same term (a blank node written as text would be renamed).
"""

from __future__ import annotations

import pyoxigraph as ox

Term = str
Triple = tuple  # (subject, predicate, object) as N-Triples text


def iri(value: str) -> Term:
    return f"<{value}>"


def is_literal(term: Term) -> bool:
    return term[0] == '"'


def is_blank(term: Term) -> bool:
    return term[0] == "_"


class Terms:
    """Conversions between pyoxigraph terms and their text, remembering what cannot be re-parsed."""

    def __init__(self) -> None:
        self._others: dict[str, object] = {}
        self._iris: dict[str, ox.NamedNode] = {}

    def text(self, term: object) -> Term:
        text = str(term)
        if text[0] != "<":
            self._others[text] = term
        return text

    def triple(self, quad: ox.Quad) -> Triple:
        return (self.text(quad.subject), str(quad.predicate), self.text(quad.object))

    def term(self, text: Term) -> object:
        if text[0] == "<":
            iri_term = self._iris.get(text)
            if iri_term is None:
                iri_term = self._iris[text] = ox.NamedNode(text[1:-1])
            return iri_term
        known = self._others.get(text)
        if known is not None:
            return known
        if text[0] == "_":
            return ox.BlankNode(text[2:])
        parsed = next(iter(ox.parse(f"<urn:x:s> <urn:x:p> {text} .".encode(), ox.RdfFormat.N_TRIPLES)))
        return parsed.object
