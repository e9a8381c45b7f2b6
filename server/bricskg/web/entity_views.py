"""The view model of an entity page: every statement with its links and the sentences behind it.

Built from a ``Description`` (quads) plus labels, so the template only loops and prints: which
IRIs link locally (ours) and which open outside (Wikidata, W3C vocabularies) is decided here.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from rdflib import RDF, RDFS, BNode, Literal, Namespace, URIRef
from rdflib.namespace import SKOS
from rdflib.term import Node

from bricskg.vocab import BKG
from bricskg.web.descriptions import Description
from bricskg.web.iri_space import IriSpace
from bricskg.web.labels import fallback_label
from bricskg.web.prefixes import curie

PROV = Namespace("http://www.w3.org/ns/prov#")
OA = Namespace("http://www.w3.org/ns/oa#")
CLAIM_CLASS = BKG.Claim
WIKIDATA_ENTITY = "http://www.wikidata.org/entity/"
HEADLINE_PREDICATES = (RDFS.label, SKOS.prefLabel, SKOS.altLabel, RDFS.comment, SKOS.definition)
QUOTE_SEARCH_DEPTH = 3
# Said already by the support's own line (its link text is the label, "claim" its type).
SUPPORT_HIDDEN_PREDICATES = (PROV.wasDerivedFrom, RDF.type, RDFS.label)


@dataclass(frozen=True)
class NodeView:
    """One node as printed: text, where it links to, and what kind of thing it is."""

    text: str
    kind: str  # "iri" | "literal" | "bnode"
    href: str | None = None
    external: bool = False
    iri: str | None = None
    note: str | None = None  # language tag or datatype of a literal; prefixed name of an IRI


@dataclass
class Support:
    """One graph that states a statement; for a claim graph, the sentence and how it is claimed."""

    graph: NodeView
    is_claim: bool = False  # a bkg:Claim graph (else e.g. the reference or ontology graph)
    quote: str | None = None
    sentence: NodeView | None = None
    details: list[tuple[NodeView, NodeView]] = field(default_factory=list)
    repeat: bool = False  # this graph's quote was printed earlier on the page: link it, do not repeat it


@dataclass
class ValueView:
    node: NodeView
    supports: list[Support] = field(default_factory=list)
    nested: list[tuple[NodeView, list[NodeView]]] = field(default_factory=list)  # a blank node's properties


@dataclass
class PropertyView:
    predicate: NodeView
    values: list[ValueView]


@dataclass
class EntityPage:
    iri: str
    title: str
    short_name: str | None
    types: list[NodeView]
    outgoing: list[PropertyView]
    incoming: list[PropertyView]
    identifiers: list[NodeView]
    graph_content: list[tuple[NodeView, NodeView, NodeView]]
    provenance: Support | None  # when the IRI is itself a claim graph


class ViewBuilder:
    """Turns nodes into ``NodeView``s with one label table and one IRI space."""

    def __init__(self, space: IriSpace, labels: dict[URIRef, str]) -> None:
        self.space = space
        self.labels = labels

    def node(self, node: Node) -> NodeView:
        if isinstance(node, Literal):
            note = node.language or (curie(str(node.datatype)) or str(node.datatype) if node.datatype else None)
            return NodeView(text=str(node), kind="literal", note=note)
        if isinstance(node, BNode):
            return NodeView(text="(unnamed node)", kind="bnode")
        iri = str(node)
        local = self.space.thing_path(iri)
        text = self.labels.get(URIRef(iri)) or fallback_label(iri)
        return NodeView(
            text=text,
            kind="iri",
            href=local if local is not None else iri,
            external=local is None,
            iri=iri,
            note=curie(iri),
        )


def build_entity_page(description: Description, builder: ViewBuilder) -> EntityPage:
    iri = description.iri
    triples = description.triples()
    types = sorted((builder.node(o) for s, p, o in triples if s == iri and p == RDF.type), key=_sort_key)
    outgoing = _group(
        ((p, o) for s, p, o in triples if s == iri and p != RDF.type),
        lambda p, o: (iri, p, o),
        description,
        builder,
    )
    incoming = _group(
        ((p, s) for s, p, o in triples if o == iri and s != iri),
        lambda p, s: (s, p, iri),
        description,
        builder,
    )
    graph_content = sorted(
        ((builder.node(s), builder.node(p), builder.node(o)) for s, p, o, g in description.quads if g == iri),
        key=lambda row: tuple(_sort_key(view) for view in row),
    )
    provenance = _support(iri, description, builder) if _has_provenance(iri, description) else None
    # A quoted segment's label is shortened with "…"; its page is headed by the whole quote.
    quoted = any(s == iri and p == OA.hasSelector for s, p, _ in triples)
    title = (_find_quote(iri, triples) if quoted else None) or builder.labels.get(iri) or fallback_label(str(iri))
    return EntityPage(
        iri=str(iri),
        title=title,
        short_name=curie(str(iri)),
        types=types,
        outgoing=outgoing,
        incoming=incoming,
        identifiers=_identifiers(iri, triples, builder),
        graph_content=graph_content,
        provenance=provenance,
    )


def mark_repeated_quotes(page: EntityPage, shown: set[str] | None = None) -> None:
    """Print each claim's quote once per page: a bloc's ten memberships all come from one sentence,
    and ten copies of it made the page six screens tall. ``shown``: graphs quoted elsewhere already."""
    seen = set(shown or ())
    for section in (page.outgoing, page.incoming):
        for prop in section:
            for value in prop.values:
                for support in value.supports:
                    key = support.graph.iri or ""
                    if support.quote and key in seen:
                        support.repeat = True
                    seen.add(key)


def without_values(views: list[PropertyView], hidden: set[str]) -> list[PropertyView]:
    """``views`` minus the values whose IRI is in ``hidden`` (shown in a section of their own)."""
    kept = []
    for view in views:
        values = [value for value in view.values if value.node.iri not in hidden]
        if values:
            kept.append(PropertyView(view.predicate, values))
    return kept


def split_instances(views: list[PropertyView]) -> tuple[list[NodeView], list[PropertyView]]:
    """The things typed with this IRI (a class page's instances), apart from the other referrers:
    listed compactly, sorted by label, rather than one table row with a quote each."""
    instances: list[NodeView] = []
    rest = []
    for view in views:
        if view.predicate.iri == str(RDF.type):
            instances.extend(value.node for value in view.values)
        else:
            rest.append(view)
    return sorted(instances, key=_sort_key), rest


def split_axiom_nodes(views: list[PropertyView]) -> tuple[int, list[PropertyView]]:
    """Blank nodes that refer to a term are the ontology's axioms (restrictions, lists): on the term's
    page they printed as rows of "(unnamed node)"; the ontology documentation renders them readably.
    Returns how many there were and the referrers that remain."""
    hidden = 0
    kept = []
    for view in views:
        values = [value for value in view.values if value.node.kind != "bnode"]
        hidden += len(view.values) - len(values)
        if values:
            kept.append(PropertyView(view.predicate, values))
    return hidden, kept


def _group(pairs, statement_of, description: Description, builder: ViewBuilder) -> list[PropertyView]:
    by_predicate: dict[Node, set[Node]] = defaultdict(set)
    for predicate, value in pairs:
        by_predicate[predicate].add(value)
    views = []
    for predicate, values in by_predicate.items():
        value_views = []
        for value in values:
            statement = statement_of(predicate, value)
            supports = sorted(
                (_support(graph, description, builder) for graph in description.graphs_of(*statement)),
                key=_support_order,
            )
            nested = _nested(value, description, builder) if isinstance(value, BNode) else []
            value_views.append(ValueView(builder.node(value), supports, nested))
        value_views.sort(key=lambda view: _sort_key(view.node))
        views.append(PropertyView(builder.node(predicate), value_views))
    views.sort(key=lambda view: (view.predicate.iri not in {str(p) for p in HEADLINE_PREDICATES}, _sort_key(view.predicate)))
    return views


def _nested(node: BNode, description: Description, builder: ViewBuilder) -> list[tuple[NodeView, list[NodeView]]]:
    """A blank node's own properties (e.g. a membership's time interval), shown inside the value cell."""
    rows: dict[Node, list[NodeView]] = defaultdict(list)
    for s, p, o in description.triples():
        if s == node:
            rows[p].append(builder.node(o))
    return sorted(((builder.node(p), sorted(v, key=_sort_key)) for p, v in rows.items()), key=lambda r: _sort_key(r[0]))


def _has_provenance(graph: Node, description: Description) -> bool:
    return any(s == graph and p == PROV.wasDerivedFrom for s, p, _ in description.triples())


def _support(graph: URIRef, description: Description, builder: ViewBuilder) -> Support:
    """The claim graph, the sentence it derives from, the sentence's quote and the claim's own statements."""
    triples = description.triples()
    sources = sorted(o for s, p, o in triples if s == graph and p == PROV.wasDerivedFrom)
    details = sorted(
        (
            (builder.node(p), builder.node(o))
            for s, p, o in triples
            if s == graph and p not in SUPPORT_HIDDEN_PREDICATES and not isinstance(o, BNode) and o not in sources
        ),
        key=lambda row: (_sort_key(row[0]), _sort_key(row[1])),
    )
    quote = None
    for start in sources + [graph]:
        quote = _find_quote(start, triples)
        if quote:
            break
    return Support(
        graph=builder.node(graph),
        is_claim=(graph, RDF.type, CLAIM_CLASS) in triples,
        quote=quote,
        sentence=builder.node(sources[0]) if sources else None,
        details=details,
    )


def _find_quote(start: Node, triples: set[tuple[Node, Node, Node]]) -> str | None:
    """The ``oa:exact`` text reachable from ``start`` (the sentence, or its selector) within a few hops."""
    frontier = [start]
    seen = {start}
    for _ in range(QUOTE_SEARCH_DEPTH):
        following = []
        for node in frontier:
            for s, p, o in triples:
                if s != node:
                    continue
                if p == OA.exact and isinstance(o, Literal):
                    return str(o)
                if not isinstance(o, Literal) and o not in seen:
                    seen.add(o)
                    following.append(o)
        frontier = following
    return None


def _identifiers(iri: URIRef, triples, builder: ViewBuilder) -> list[NodeView]:
    """Links to the same thing elsewhere: Wikidata items and ISO 3166 codes, shown at the top of the page."""
    found = []
    for s, p, o in triples:
        if s != iri:
            continue
        if isinstance(o, URIRef) and str(o).startswith(WIKIDATA_ENTITY):
            qid = str(o)[len(WIKIDATA_ENTITY) :]
            found.append(NodeView(text=f"Wikidata {qid}", kind="iri", href=f"https://www.wikidata.org/wiki/{qid}", external=True, iri=str(o)))
        elif isinstance(o, Literal) and "iso" in str(p).rsplit("/", 1)[-1].lower():
            code = str(o)
            if len(code) == 2 and code.isalpha():
                href = f"https://www.iso.org/obp/ui/#iso:code:3166:{code.upper()}"
                found.append(NodeView(text=f"ISO 3166-1 {code}", kind="iri", href=href, external=True, iri=href))
            else:
                found.append(NodeView(text=f"ISO 3166-1 {code}", kind="literal"))
    return sorted(set(found), key=_sort_key)


def _support_order(support: Support) -> tuple[bool, str, str]:
    """Claims in the order of the article's sentences first, then other graphs (reference, ontology)."""
    return (support.sentence is None, support.sentence.iri or "" if support.sentence else "", support.graph.iri or "")


def _sort_key(view: NodeView) -> tuple[str, str]:
    return (view.text.casefold(), view.iri or "")
