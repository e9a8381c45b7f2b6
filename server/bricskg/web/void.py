"""The VoID description of the dataset at ``/.well-known/void`` (RFC 5785 + VoID §7.2).

Everything in it is counted from the store at request time through SPARQL (cached per store
version), so a crawler never reads stale numbers: triples, distinct subjects/objects, one class
partition per class and one property partition per property, plus where to get the data (the SPARQL
endpoint, the dumps) and which IRIs are ours (``void:uriSpace``). Title, description and licence come
from the ontology's header, the one place the knowledge-graph package states them.
"""

from __future__ import annotations

import threading

from flask import Blueprint, Response, render_template, request, url_for
from rdflib import RDF, XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS

from bricskg.dataset import ONTOLOGY_GRAPH
from bricskg.store.base import Backend
from bricskg.store.results import select_rows
from bricskg.web import request_context
from bricskg.web.dumps import DUMP_NAME
from bricskg.web.error_pages import not_acceptable
from bricskg.web.iri_space import DATA_EXTENSIONS
from bricskg.web.negotiation_offers import choose
from bricskg.web.prefixes import bind_prefixes

VOID = Namespace("http://rdfs.org/ns/void#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
DATASET_FRAGMENT = "bricskg"

# Turtle first: crawlers sending */* get it; browsers name text/html and get the Turtle on a page.
VOID_OFFERS = ["text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml", "text/html"]
DUMP_EXTENSIONS = ("ttl", "nt", "jsonld", "trig", "nq", "rdf")

STATISTICS_QUERY = """
SELECT (COUNT(DISTINCT ?s) AS ?subjects) (COUNT(DISTINCT ?o) AS ?objects) (COUNT(DISTINCT ?p) AS ?properties)
WHERE { ?s ?p ?o }
"""
CLASS_PARTITION_QUERY = """
SELECT ?class (COUNT(DISTINCT ?s) AS ?entities) WHERE { ?s a ?class } GROUP BY ?class ORDER BY ?class
"""
PROPERTY_PARTITION_QUERY = """
SELECT ?property (COUNT(*) AS ?triples) WHERE {
  { GRAPH ?g { ?s ?property ?o } } UNION { ?s ?property ?o FILTER NOT EXISTS { GRAPH ?h { ?s ?property ?o } } }
} GROUP BY ?property ORDER BY ?property
"""
HEADER_QUERY = """
SELECT ?p ?o WHERE {{ GRAPH <{graph}> {{ <{graph}> ?p ?o }} }}
"""
# Taken over from the ontology header: who made it and under which licence (the title and description
# there are the ontology's own, so the dataset states its own below).
HEADER_PREDICATES = (DCTERMS.license, DCTERMS.creator, DCTERMS.publisher)
DATASET_TITLE = "bricskg: the claims of one article on Russia, BRICS and AI, with provenance"
DATASET_DESCRIPTION = (
    "Every claim of the article “Putin’s BRICS AI Alliance: How Russia Is Challenging US Tech Dominance” "
    "as RDF, one named graph per claim, each traced with PROV-O to the sentence it is derived from "
    "(quoted with a Web Annotation text-quote selector), with its modality and attribution."
)
EXAMPLE_QUERY = """
SELECT DISTINCT ?s WHERE {{ ?s a ?c FILTER(STRSTARTS(STR(?s), "{namespace}")) }} ORDER BY ?s LIMIT 3
"""

_cache: dict[tuple[int, str], Graph] = {}
_cache_lock = threading.Lock()


def register(blueprint: Blueprint) -> None:
    blueprint.add_url_rule("/.well-known/void", view_func=void_description, endpoint="void_description")


def dataset_iri(root_url: str) -> URIRef:
    """The dataset's IRI: a fragment of the VoID document, so it resolves wherever the server runs."""
    return URIRef(root_url.rstrip("/") + "/.well-known/void#" + DATASET_FRAGMENT)


def void_graph(backend: Backend, root_url: str, base_iri: str) -> Graph:
    """The VoID description as an rdflib graph, for this server's absolute URLs."""
    key = (backend.version(), root_url)
    with _cache_lock:
        if key in _cache:
            return _cache[key]
    graph = Graph()
    bind_prefixes(graph)
    dataset = dataset_iri(root_url)
    root = root_url.rstrip("/")
    graph.add((dataset, RDF.type, VOID.Dataset))
    inferred = getattr(backend, "inferred_quad_count", lambda: 0)() if getattr(backend, "inference", False) else 0
    graph.add((dataset, VOID.triples, Literal(backend.quad_count() + inferred, datatype=XSD.integer)))
    statistics = select_rows(backend, STATISTICS_QUERY)
    if statistics:
        row = statistics[0]
        graph.add((dataset, VOID.distinctSubjects, Literal(int(row["subjects"]), datatype=XSD.integer)))
        graph.add((dataset, VOID.distinctObjects, Literal(int(row["objects"]), datatype=XSD.integer)))
        graph.add((dataset, VOID.properties, Literal(int(row["properties"]), datatype=XSD.integer)))
    classes = select_rows(backend, CLASS_PARTITION_QUERY)
    graph.add((dataset, VOID.classes, Literal(len(classes), datatype=XSD.integer)))
    for row in classes:
        partition = BNode()
        graph.add((dataset, VOID.classPartition, partition))
        graph.add((partition, VOID["class"], row["class"]))
        graph.add((partition, VOID.entities, Literal(int(row["entities"]), datatype=XSD.integer)))
    for row in select_rows(backend, PROPERTY_PARTITION_QUERY):
        partition = BNode()
        graph.add((dataset, VOID.propertyPartition, partition))
        graph.add((partition, VOID.property, row["property"]))
        graph.add((partition, VOID.triples, Literal(int(row["triples"]), datatype=XSD.integer)))
    graph.add((dataset, VOID.sparqlEndpoint, URIRef(root + "/sparql")))
    for extension in DUMP_EXTENSIONS:
        dump = URIRef(f"{root}/dumps/{DUMP_NAME}.{extension}")
        graph.add((dataset, VOID.dataDump, dump))
        graph.add((dump, DCTERMS["format"], Literal(DATA_EXTENSIONS[extension][0])))
    graph.add((dataset, VOID.uriSpace, Literal(base_iri)))
    graph.add((dataset, VOID.vocabulary, URIRef(ONTOLOGY_GRAPH)))  # the ontology IRI: it resolves
    for row in select_rows(backend, EXAMPLE_QUERY.format(namespace=base_iri + "id/")):
        graph.add((dataset, VOID.exampleResource, row["s"]))
    for row in select_rows(backend, HEADER_QUERY.format(graph=ONTOLOGY_GRAPH)):
        if row["p"] in HEADER_PREDICATES:
            graph.add((dataset, row["p"], row["o"]))
    graph.add((dataset, DCTERMS.title, Literal(DATASET_TITLE, lang="en")))
    graph.add((dataset, DCTERMS.description, Literal(DATASET_DESCRIPTION, lang="en")))
    graph.add((dataset, DCTERMS.source, URIRef(base_iri + "source/article")))
    graph.add((dataset, DCTERMS.conformsTo, URIRef("http://www.w3.org/TR/void/")))
    _describe_inferred(graph, dataset, backend)
    with _cache_lock:
        for stale in [k for k in _cache if k[0] != key[0]]:
            del _cache[stale]
        _cache[key] = graph
    return graph


def _describe_inferred(graph: Graph, dataset: URIRef, backend: Backend) -> None:
    """The inferred graph as a VoID subset, labelled as derived (not stated) and by which regime."""
    from bricskg.inference import ENTAILMENT_RDFS, INFERRED_GRAPH, REGIME_NOTE
    from bricskg.web.service_description import serves_entailments

    if not serves_entailments(backend):
        return
    inferred = URIRef(INFERRED_GRAPH)
    graph.add((dataset, VOID.subset, inferred))
    graph.add((inferred, RDF.type, VOID.Dataset))
    graph.add((inferred, DCTERMS.title, Literal("Inferred graph", lang="en")))
    graph.add((inferred, DCTERMS.description, Literal(REGIME_NOTE, lang="en")))
    graph.add((inferred, DCTERMS.conformsTo, URIRef(ENTAILMENT_RDFS)))
    count = getattr(backend, "inferred_quad_count", None)
    if count is not None:
        graph.add((inferred, VOID.triples, Literal(count(), datatype=XSD.integer)))


def void_description() -> Response:
    media_type = choose(request.headers.get("Accept"), VOID_OFFERS)
    if media_type is None:
        return not_acceptable(VOID_OFFERS)
    config = request_context.config()
    root_url = url_for("linked_data.landing", _external=True)
    graph = void_graph(request_context.backend(), root_url, config.base_iri)
    if media_type == "text/html":
        turtle = graph.serialize(format="turtle")
        response = Response(render_template("void.html", turtle=turtle), mimetype="text/html")
        response.vary.add("Accept")
        return response
    rdflib_format = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/n-triples": "nt", "application/rdf+xml": "xml"}[media_type]
    response = Response(graph.serialize(format=rdflib_format, encoding="utf-8"), mimetype=media_type)
    response.vary.add("Accept")
    return response
