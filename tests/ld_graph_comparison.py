"""Comparing what the server serves with the bundled files, modulo Oxigraph's literal normalisation.

Oxigraph stores every xsd:integer-derived literal (xsd:nonNegativeInteger, xsd:positiveInteger, …) as
an xsd:integer with the same value, so ``"1"^^xsd:nonNegativeInteger`` in ontology/bricskg.ttl comes
back as ``"1"^^xsd:integer``, and it writes numbers in canonical form (``"600000000000"^^xsd:decimal``
comes back as ``600000000000.0``). The comparisons below apply the same mapping to the expected side and
nothing else, so any other difference still fails.
"""

from __future__ import annotations

from decimal import Decimal

import rdflib
from rdflib import XSD, Literal
from rdflib.compare import graph_diff, to_isomorphic

INTEGER_TYPES = {
    XSD.integer, XSD.nonNegativeInteger, XSD.positiveInteger, XSD.nonPositiveInteger, XSD.negativeInteger,
    XSD.long, XSD.int, XSD.short, XSD.byte, XSD.unsignedLong, XSD.unsignedInt, XSD.unsignedShort, XSD.unsignedByte,
}


def normalise_term(term):
    """Numbers compared by value: Oxigraph writes canonical lexical forms (``600000000000.0``)."""
    if not isinstance(term, Literal):
        return term
    if term.datatype in INTEGER_TYPES:
        return Literal(str(int(str(term))), datatype=XSD.integer)
    if term.datatype == XSD.decimal:
        return Literal(str(Decimal(str(term)).normalize()), datatype=XSD.decimal)
    if term.datatype in (XSD.double, XSD.float):
        return Literal(repr(float(str(term))), datatype=term.datatype)
    return term


def normalised(triples) -> rdflib.Graph:
    graph = rdflib.Graph()
    for s, p, o in triples:
        graph.add((s, p, normalise_term(o)))
    return graph


def difference(served, expected) -> tuple[list, list]:
    """(only served, only expected) triples after canonical blank-node labelling; both empty = isomorphic."""
    _, only_served, only_expected = graph_diff(to_isomorphic(normalised(served)), to_isomorphic(normalised(expected)))
    return sorted(only_served), sorted(only_expected)
