"""The ontology as a documentation model: every class, property and named individual of our namespace.

Built from an rdflib ``Graph`` of the ontology (the server reads it through SPARQL, the picture
script from the file), so the HTML page and the class diagram describe exactly the loaded ontology.
Class expressions (restrictions, intersections, unions) are written in Manchester-like syntax,
which ontology engineers read at a glance, instead of being dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import OWL, RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, SKOS
from rdflib.term import Node

from bricskg.web.prefixes import curie

KIND_ORDER = ("Class", "ObjectProperty", "DatatypeProperty", "AnnotationProperty", "NamedIndividual")
KIND_TITLES = {
    "Class": "Classes",
    "ObjectProperty": "Object properties",
    "DatatypeProperty": "Datatype properties",
    "AnnotationProperty": "Annotation properties",
    "NamedIndividual": "Controlled values (named individuals)",
}
CHARACTERISTICS = (
    OWL.FunctionalProperty,
    OWL.InverseFunctionalProperty,
    OWL.TransitiveProperty,
    OWL.SymmetricProperty,
    OWL.AsymmetricProperty,
    OWL.ReflexiveProperty,
    OWL.IrreflexiveProperty,
)
# Types that only declare what kind of term it is (said by the section it is listed in already).
DECLARATION_TYPES = {OWL.Class, RDFS.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty,
                     RDF.Property, OWL.NamedIndividual, *CHARACTERISTICS}
RESTRICTION_WORDS = {
    OWL.someValuesFrom: "some",
    OWL.allValuesFrom: "only",
    OWL.hasValue: "value",
    OWL.minCardinality: "min",
    OWL.maxCardinality: "max",
    OWL.cardinality: "exactly",
    OWL.minQualifiedCardinality: "min",
    OWL.maxQualifiedCardinality: "max",
    OWL.qualifiedCardinality: "exactly",
}


@dataclass(frozen=True)
class Ref:
    """A reference to a term: its IRI, short name and whether it is one of ours (links to an anchor)."""

    iri: str
    text: str
    ours: bool


@dataclass
class TermDoc:
    iri: str
    local_name: str
    kind: str
    label: str
    definition: str | None
    comments: list[str] = field(default_factory=list)
    supers: list[Ref] = field(default_factory=list)
    subs: list[Ref] = field(default_factory=list)
    equivalents: list[str] = field(default_factory=list)  # "defined as" (owl:equivalentClass)
    restrictions: list[str] = field(default_factory=list)  # anonymous superclasses (rdfs:subClassOf a restriction)
    domains: list[str] = field(default_factory=list)
    ranges: list[str] = field(default_factory=list)
    inverses: list[Ref] = field(default_factory=list)
    characteristics: list[str] = field(default_factory=list)
    types: list[Ref] = field(default_factory=list)  # of a named individual
    disjoint_with: list[Ref] = field(default_factory=list)


@dataclass
class OntologyDoc:
    iri: str
    header: list[tuple[str, str, bool]]  # (property label, value, value is a link)
    title: str
    description: str | None
    sections: list[tuple[str, str, list[TermDoc]]]  # (kind, title, terms)

    def terms(self) -> list[TermDoc]:
        return [term for _, _, terms in self.sections for term in terms]


# Said by the page's heading and lead paragraph already; owl:Ontology as a raw IRI says nothing.
HEADER_SHOWN_ELSEWHERE = frozenset({RDF.type, RDFS.label, DCTERMS.title, DCTERMS.description, RDFS.comment})


def build_ontology_doc(graph: Graph, ontology_iri: str) -> OntologyDoc:
    namespace = ontology_iri.rstrip("/") + "/"
    writer = _ExpressionWriter(graph, namespace)
    by_kind: dict[str, list[TermDoc]] = {kind: [] for kind in KIND_ORDER}
    for term in sorted({s for s in graph.subjects(RDF.type, None) if isinstance(s, URIRef) and str(s).startswith(namespace)}):
        kind = _kind_of(graph, term)
        if kind is None:
            continue
        by_kind[kind].append(_term_doc(graph, term, kind, writer, namespace))
    ontology = URIRef(ontology_iri)
    header = []
    for predicate, obj in sorted(graph.predicate_objects(ontology)):
        if predicate in HEADER_SHOWN_ELSEWHERE:
            continue
        name = curie(str(predicate)) or str(predicate)
        header.append((name, str(obj), isinstance(obj, URIRef)))
    title = _literal(graph, ontology, (DCTERMS.title, RDFS.label)) or ontology_iri
    description = _literal(graph, ontology, (DCTERMS.description, RDFS.comment))
    sections = [(kind, KIND_TITLES[kind], by_kind[kind]) for kind in KIND_ORDER if by_kind[kind]]
    return OntologyDoc(ontology_iri, header, title, description, sections)


def _kind_of(graph: Graph, term: URIRef) -> str | None:
    types = set(graph.objects(term, RDF.type))
    for kind in KIND_ORDER:
        if OWL[kind] in types:
            return kind
    if RDFS.Class in types:
        return "Class"
    if RDF.Property in types:
        return "ObjectProperty"
    return None


def _literal(graph: Graph, subject: Node, predicates: tuple[URIRef, ...]) -> str | None:
    for predicate in predicates:
        values = sorted(graph.objects(subject, predicate), key=lambda v: (getattr(v, "language", None) not in (None, "en"), str(v)))
        if values:
            return str(values[0])
    return None


def _term_doc(graph: Graph, term: URIRef, kind: str, writer: "_ExpressionWriter", namespace: str) -> TermDoc:
    is_class = kind == "Class"
    super_predicate = RDFS.subClassOf if is_class else RDFS.subPropertyOf
    doc = TermDoc(
        iri=str(term),
        local_name=str(term)[len(namespace) :],
        kind=kind,
        label=_literal(graph, term, (RDFS.label, SKOS.prefLabel)) or str(term)[len(namespace) :],
        definition=_literal(graph, term, (SKOS.definition, RDFS.comment)),
        comments=sorted(str(c) for c in graph.objects(term, RDFS.comment) if _literal(graph, term, (SKOS.definition,))),
    )
    named_supers = {o for o in graph.objects(term, super_predicate) if isinstance(o, URIRef)}
    if is_class:  # C ≡ (A and …) makes A a superclass of C: a defined class sits under it in the hierarchy
        for definition in graph.objects(term, OWL.equivalentClass):
            members = graph.value(definition, OWL.intersectionOf)
            if members is not None:
                named_supers.update(m for m in Collection(graph, members) if isinstance(m, URIRef))
    doc.supers = sorted((writer.ref(o) for o in named_supers), key=_ref_key)
    doc.subs = sorted((writer.ref(s) for s in graph.subjects(super_predicate, term) if isinstance(s, URIRef)), key=_ref_key)
    restrictions = [_unwrap(writer.expression(o)) for o in graph.objects(term, super_predicate) if isinstance(o, BNode)]
    doc.equivalents = [_unwrap(writer.expression(o)) for o in graph.objects(term, OWL.equivalentClass)]
    doc.restrictions = sorted(restrictions)
    doc.domains = sorted(writer.expression(o) for o in graph.objects(term, RDFS.domain))
    doc.ranges = sorted(writer.expression(o) for o in graph.objects(term, RDFS.range))
    doc.inverses = sorted(
        {writer.ref(o) for o in graph.objects(term, OWL.inverseOf) if isinstance(o, URIRef)}
        | {writer.ref(s) for s in graph.subjects(OWL.inverseOf, term) if isinstance(s, URIRef)},
        key=_ref_key,
    )
    types = set(graph.objects(term, RDF.type))
    doc.characteristics = [str(c).rsplit("#", 1)[-1].replace("Property", "") for c in CHARACTERISTICS if c in types]
    doc.types = sorted(
        (writer.ref(t) for t in types if isinstance(t, URIRef) and t not in DECLARATION_TYPES), key=_ref_key
    )
    disjoint = set(graph.objects(term, OWL.disjointWith)) | set(graph.subjects(OWL.disjointWith, term))
    for group in graph.subjects(RDF.type, OWL.AllDisjointClasses):
        for members in graph.objects(group, OWL.members):
            listed = list(Collection(graph, members))
            if term in listed:
                disjoint.update(m for m in listed if m != term)
    doc.disjoint_with = sorted((writer.ref(d) for d in disjoint if isinstance(d, URIRef)), key=_ref_key)
    return doc


def _unwrap(expression: str) -> str:
    """An expression printed on its own line needs no outer parentheses: ``(p exactly 1 C)`` → ``p exactly 1 C``."""
    if not (expression.startswith("(") and expression.endswith(")")):
        return expression
    depth = 0
    for index, character in enumerate(expression):
        depth += {"(": 1, ")": -1}.get(character, 0)
        if depth == 0 and index < len(expression) - 1:
            return expression  # "(a) and (b)": the first parenthesis closes before the end
    return expression[1:-1]


def _ref_key(ref: Ref) -> tuple[bool, str]:
    return (not ref.ours, ref.text.casefold())


class _ExpressionWriter:
    """OWL class expressions in Manchester-like syntax, with our terms as short names."""

    def __init__(self, graph: Graph, namespace: str) -> None:
        self.graph = graph
        self.namespace = namespace

    def ref(self, iri: Node) -> Ref:
        text = curie(str(iri)) or str(iri)
        return Ref(str(iri), text, str(iri).startswith(self.namespace))

    def expression(self, node: Node, depth: int = 0) -> str:
        if isinstance(node, URIRef):
            return self.ref(node).text
        if isinstance(node, Literal):
            return str(node) if node.datatype and "integer" in str(node.datatype).lower() else node.n3()
        if depth > 6:
            return "…"
        graph = self.graph
        for operator, word in ((OWL.intersectionOf, " and "), (OWL.unionOf, " or ")):
            members = graph.value(node, operator)
            if members is not None:
                return "(" + word.join(self.expression(m, depth + 1) for m in Collection(graph, members)) + ")"
        one_of = graph.value(node, OWL.oneOf)
        if one_of is not None:
            return "{" + ", ".join(self.expression(m, depth + 1) for m in Collection(graph, one_of)) + "}"
        complement = graph.value(node, OWL.complementOf)
        if complement is not None:
            return "not " + self.expression(complement, depth + 1)
        on_property = graph.value(node, OWL.onProperty)
        if on_property is not None:
            for predicate, word in RESTRICTION_WORDS.items():
                value = graph.value(node, predicate)
                if value is None:
                    continue
                qualifier = graph.value(node, OWL.onClass) or graph.value(node, OWL.onDataRange)
                tail = f" {self.expression(qualifier, depth + 1)}" if qualifier is not None else ""
                return f"({self.expression(on_property)} {word} {self.expression(value, depth + 1)}{tail})"
        return "(anonymous class)"
