"""What the server says about one IRI: its statements across graphs and where each comes from.

A description is a small RDF dataset, built with ONE SPARQL query through the backend (so it works
the same over the embedded store and a remote engine) and kept as quads, because the graph a
statement sits in IS its provenance here: one named graph per claim. It holds

- every triple with the IRI as subject or object, in every graph it occurs in,
- the blank nodes hanging off the IRI (e.g. a membership's time interval), two levels deep,
- the content of the graph the IRI names, when it names one (a claim graph, the ontology),
- for every claim graph that states something about the IRI, that claim's provenance: its own
  triples (modality, attribution, ``prov:wasDerivedFrom``) and the sentence it derives from with
  the sentence's quote (selector) — two levels below the claim, never into other entities.

The HTML page and the RDF answers are both rendered from this one dataset.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.term import Node

from bricskg.store.base import Backend
from bricskg.web.prefixes import bind_prefixes
from bricskg.store.results import select_rows

DESCRIPTION_QUERY = """
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?s ?p ?o ?g WHERE {{
  {{ VALUES ?s {{ {iri} }} {{ GRAPH ?g {{ ?s ?p ?o }} }} UNION {{ ?s ?p ?o }} }}
  UNION
  {{ VALUES ?o {{ {iri} }} {{ GRAPH ?g {{ ?s ?p ?o }} }} UNION {{ ?s ?p ?o }} }}
  UNION
  {{ {iri} ?p1 ?s . FILTER(isBlank(?s)) {{ GRAPH ?g {{ ?s ?p ?o }} }} UNION {{ ?s ?p ?o }} }}
  UNION
  {{ {iri} ?p1 ?b1 . ?b1 ?p2 ?s . FILTER(isBlank(?b1) && isBlank(?s))
     {{ GRAPH ?g {{ ?s ?p ?o }} }} UNION {{ ?s ?p ?o }} }}
  UNION
  {{ GRAPH {iri} {{ ?s ?p ?o }} BIND({iri} AS ?g) }}
  UNION
  {{ {{ SELECT DISTINCT ?claim WHERE {{
        {{ GRAPH ?claim {{ {{ {iri} ?a ?b }} UNION {{ ?b ?a {iri} }} }} }}
        UNION {{ BIND({iri} AS ?claim) }}
        ?claim prov:wasDerivedFrom ?anything .
     }} }}
     {{ ?claim prov:wasDerivedFrom ?derivedFrom . BIND(?claim AS ?s) }}
     UNION {{ ?claim ?q1 ?s . FILTER({provenance_node}) }}
     UNION {{ ?claim ?q1 ?n1 . ?n1 ?q2 ?s . FILTER({provenance_node_n1} && {provenance_node}) }}
     {{ GRAPH ?g {{ ?s ?p ?o }} }} UNION {{ ?s ?p ?o }}
  }}
}}
"""

# Nodes below a claim that belong to its provenance: blank nodes and the article's sentences, never
# entities (whose own descriptions would flood the answer).
PROVENANCE_NODE = "(isBlank({var}) || STRSTARTS(STR({var}), {source}))"


@dataclass
class Description:
    """The quads about one IRI; ``None`` as graph = the default graph (no named graph holds it)."""

    iri: URIRef
    quads: set[tuple[Node, Node, Node, URIRef | None]] = field(default_factory=set)

    @property
    def is_empty(self) -> bool:
        return not self.quads

    def triples(self) -> set[tuple[Node, Node, Node]]:
        return {(s, p, o) for s, p, o, _ in self.quads}

    def graphs_of(self, s: Node, p: Node, o: Node) -> list[URIRef]:
        return sorted(g for ss, pp, oo, g in self.quads if (ss, pp, oo) == (s, p, o) and g is not None)

    def as_dataset(self) -> Dataset:
        """Named graphs kept: TriG, N-Quads and JSON-LD show which claim states what."""
        dataset = Dataset()
        bind_prefixes(dataset)
        for s, p, o, g in self.quads:
            target = dataset.default_graph if g is None else dataset.graph(g)
            target.add((s, p, o))
        return dataset

    def as_graph(self) -> Graph:
        """All statements merged, for the triple-only syntaxes (Turtle, N-Triples, RDF/XML)."""
        graph = Graph()
        bind_prefixes(graph)
        for triple in self.triples():
            graph.add(triple)
        return graph


def description_query(iri: str, source_namespace: str) -> str:
    term = "<" + iri + ">"
    source = Literal(source_namespace).n3()
    return DESCRIPTION_QUERY.format(
        iri=term,
        provenance_node=PROVENANCE_NODE.format(var="?s", source=source),
        provenance_node_n1=PROVENANCE_NODE.format(var="?n1", source=source),
    )


def describe(backend: Backend, iri: str, source_namespace: str) -> Description:
    """Fetch the description of ``iri``; an IRI the store does not mention gives an empty one."""
    if not is_safe_iri(iri):
        return Description(URIRef(iri))
    rows = select_rows(backend, description_query(iri, source_namespace))
    quads: set[tuple[Node, Node, Node, URIRef | None]] = set()
    in_named: set[tuple[Node, Node, Node]] = set()
    default_only: set[tuple[Node, Node, Node]] = set()
    for row in rows:
        triple = (row["s"], row["p"], row["o"])
        graph = row.get("g")
        if graph is None:
            default_only.add(triple)
        else:
            quads.add((*triple, graph))
            in_named.add(triple)
    # With the union default graph every named-graph triple also comes back without a graph:
    # keep a triple in the default graph only when no named graph holds it.
    quads.update((*triple, None) for triple in default_only - in_named)
    return Description(URIRef(iri), quads)


def is_safe_iri(iri: str) -> bool:
    """An IRI that can be written between <> in a query without changing the query (RFC 3987 excludes these)."""
    return not any(ch in iri for ch in '<>"{}|^`\\ \t\r\n') and all(ord(ch) > 0x20 for ch in iri)
