"""Deterministic exports of the graph in the common RDF syntaxes.

Two exports of the same content are byte-identical, so that a diff between two versions of the
graph shows only real changes: blank nodes are relabelled by W3C RDF Dataset Canonicalization
(RDFC-1.0, in pyoxigraph), statements are sorted (graph, subject, predicate, object; IRIs before
blank nodes), and the prefixes are a fixed table filtered to those the output uses.

What goes in: by default the article's claims -- every claim graph (and any other data graph, and
the default graph), merged as plain triples. ``provenance`` adds the provenance graph (which claim
graph comes from which sentence, with its exact quote), ``reference`` the outside reference facts
(identifiers, their own sources), ``ontology`` the ontology. Triple formats merge the selected
graphs; TriG, N-Quads and JSON-LD keep every graph under its name.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from itertools import groupby
from typing import Iterable

import pyoxigraph as ox

from bricskg.config import BASE_IRI
from bricskg.dataset import ONTOLOGY_GRAPH
from bricskg.jsonld_compact import write_document
from bricskg.validation.report import PREFIXES

PROVENANCE_GRAPH = BASE_IRI + "graph/provenance"
REFERENCE_GRAPH = BASE_IRI + "graph/reference"
AUDIT_GRAPH = BASE_IRI + "graph/audit"
INFERRED_GRAPH = BASE_IRI + "graph/inferred"  # bricskg.inference: derived, so never part of a dump

# format name -> pyoxigraph syntax (the names the CLI accepts)
FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "trig": ox.RdfFormat.TRIG,
    "nquads": ox.RdfFormat.N_QUADS,
    "rdfxml": ox.RdfFormat.RDF_XML,
}

SUFFIXES: dict[str, str] = {
    ".ttl": "turtle",
    ".nt": "ntriples",
    ".jsonld": "jsonld",
    ".json": "jsonld",
    ".trig": "trig",
    ".nq": "nquads",
    ".rdf": "rdfxml",
    ".xml": "rdfxml",
    ".owl": "rdfxml",
}


@dataclass(frozen=True)
class Selection:
    """Which bookkeeping graphs join the claims in an export."""

    provenance: bool = False
    reference: bool = False
    ontology: bool = False

    @classmethod
    def everything(cls) -> "Selection":
        return cls(provenance=True, reference=True, ontology=True)

    def wants(self, graph_name: ox.NamedNode | ox.BlankNode | ox.DefaultGraph) -> bool:
        if isinstance(graph_name, ox.DefaultGraph):
            return True
        name = graph_name.value
        if name == PROVENANCE_GRAPH:
            return self.provenance
        if name == REFERENCE_GRAPH:
            return self.reference
        if name == ONTOLOGY_GRAPH:
            return self.ontology
        if name == AUDIT_GRAPH:
            return False  # a server's write log, not part of the published graph
        if name == INFERRED_GRAPH:
            return False  # entailments: any RDFS / OWL 2 RL reasoner re-derives them from the dump
        return True  # claim graphs and any other data graph


def selected_quads(store: ox.Store, selection: Selection) -> list[ox.Quad]:
    return [quad for quad in store.quads_for_pattern(None, None, None, None) if selection.wants(quad.graph_name)]


def keeps_graphs(format_name: str) -> bool:
    return FORMATS[format_name].supports_datasets


def export_quads(quads: Iterable[ox.Quad], format_name: str) -> list[ox.Quad]:
    """The statements as they will be written: merged into the default graph for triple formats,
    canonically relabelled and sorted."""
    if keeps_graphs(format_name):
        statements = set(quads)
    else:
        statements = {ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()) for q in quads}
    dataset = ox.Dataset(statements)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return sorted(dataset, key=_quad_key)


def _term_key(term: object) -> tuple[int, str]:
    if isinstance(term, ox.DefaultGraph):
        return (0, "")
    if isinstance(term, ox.NamedNode):
        return (1, term.value)
    if isinstance(term, ox.BlankNode):
        return (2, term.value)
    return (3, str(term))


def _quad_key(quad: ox.Quad) -> tuple[tuple[int, str], ...]:
    return (_term_key(quad.graph_name), _term_key(quad.subject), _term_key(quad.predicate), _term_key(quad.object))


def used_prefixes(quads: Iterable[ox.Quad]) -> dict[str, str]:
    """The fixed prefix table, restricted to namespaces the statements use (stable across runs)."""
    iris: set[str] = set()
    for quad in quads:
        for term in (quad.subject, quad.predicate, quad.object, quad.graph_name):
            if isinstance(term, ox.NamedNode):
                iris.add(term.value)
            elif isinstance(term, ox.Literal):
                iris.add(term.datatype.value)
    return {
        prefix: namespace
        for prefix, namespace in sorted(PREFIXES.items())
        if prefix not in ("sh", "bkgsh") and any(iri.startswith(namespace) for iri in iris)
    }


def serialize(quads: list[ox.Quad], format_name: str) -> bytes:
    """Write already ordered statements. JSON-LD is compact, with the server's published context
    embedded (``bricskg.jsonld_compact``), one node object per line for readable diffs."""
    if format_name == "jsonld":
        return compact_jsonld(quads)
    rdf_format = FORMATS[format_name]
    if rdf_format.supports_datasets:
        statements: list[ox.Quad] | list[ox.Triple] = quads
    else:
        statements = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
    prefixes = used_prefixes(quads) if format_name in ("turtle", "trig", "rdfxml") else None
    return ox.serialize(statements, format=rdf_format, prefixes=prefixes)


def compact_jsonld(quads: list[ox.Quad]) -> bytes:
    """The default graph's triples at the top, then each named graph (the order ``quads`` has)."""
    def triples(group: Iterable[ox.Quad]) -> list[tuple]:
        return [(q.subject, q.predicate, q.object) for q in group]

    default = [q for q in quads if isinstance(q.graph_name, ox.DefaultGraph)]
    named = [q for q in quads if not isinstance(q.graph_name, ox.DefaultGraph)]
    out = io.BytesIO()
    write_document(out, triples(default), [(graph, triples(group)) for graph, group in groupby(named, key=lambda q: q.graph_name)])
    return out.getvalue()


def export(store: ox.Store, format_name: str, selection: Selection = Selection()) -> bytes:
    """The selected part of ``store`` in ``format_name``, byte-for-byte reproducible."""
    if format_name not in FORMATS:
        raise ValueError(f"unknown export format {format_name!r} (known: {', '.join(FORMATS)})")
    return serialize(export_quads(selected_quads(store, selection), format_name), format_name)
