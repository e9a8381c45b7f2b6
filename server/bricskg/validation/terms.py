"""Moving RDF terms and datasets between rdflib and pyoxigraph.

The checks run on a pyoxigraph ``Store`` (fast SPARQL for the SHACL-SPARQL constraints, a real
union default graph, ``GRAPH`` for rules about named graphs), while pyshacl reports, the shapes
and many callers speak rdflib. These converters are the one place that crosses between the two.
"""

from __future__ import annotations

from typing import Iterable, Union

import pyoxigraph as ox
import rdflib
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

OxTerm = Union[ox.NamedNode, ox.BlankNode, ox.Literal]
OxGraphName = Union[ox.NamedNode, ox.BlankNode, ox.DefaultGraph]


def to_ox(term: rdflib.term.Node) -> OxTerm:
    """One rdflib term as a pyoxigraph term (blank nodes keep their label)."""
    if isinstance(term, rdflib.URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, rdflib.BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, rdflib.Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


def to_rdflib(term: OxTerm) -> rdflib.term.Identifier:
    """One pyoxigraph term as an rdflib term; literals keep their lexical form exactly."""
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return rdflib.Literal(term.value, lang=term.language)
        if term.datatype.value == XSD_STRING:  # RDF 1.1: a simple literal *is* an xsd:string
            return rdflib.Literal(term.value)
        return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))
    raise TypeError(f"not an RDF term: {term!r}")


def graph_name_to_ox(name: rdflib.term.Node | None) -> OxGraphName:
    if name is None or name == DATASET_DEFAULT_GRAPH_ID:
        return ox.DefaultGraph()
    term = to_ox(name)
    if isinstance(term, ox.Literal):
        raise TypeError(f"a literal cannot name a graph: {name!r}")
    return term


def quads_of(data: rdflib.Graph) -> Iterable[ox.Quad]:
    """Every statement of an rdflib Graph or Dataset as pyoxigraph quads (a Dataset keeps its graphs)."""
    if isinstance(data, rdflib.Dataset):
        for s, p, o, g in data.quads((None, None, None, None)):
            yield ox.Quad(to_ox(s), to_ox(p), to_ox(o), graph_name_to_ox(g))
    else:
        for s, p, o in data:
            yield ox.Quad(to_ox(s), to_ox(p), to_ox(o), ox.DefaultGraph())


def store_from_rdflib(data: rdflib.Graph) -> ox.Store:
    """A fresh in-memory Store with the statements of ``data``."""
    store = ox.Store()
    store.extend(quads_of(data))
    return store


def rdflib_dataset_from_quads(quads: Iterable[ox.Quad]) -> rdflib.Dataset:
    """An rdflib Dataset holding ``quads``, for callers (and tests) that compare graphs with rdflib."""
    dataset = rdflib.Dataset()
    for quad in quads:
        s, p, o = to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)
        if isinstance(quad.graph_name, ox.DefaultGraph):
            dataset.default_graph.add((s, p, o))
        else:
            dataset.graph(to_rdflib(quad.graph_name)).add((s, p, o))
    return dataset
