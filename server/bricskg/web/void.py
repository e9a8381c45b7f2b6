"""The VoID description of the dataset at ``/.well-known/void`` (RFC 5785 + VoID §7.2).

Everything in it is counted from the store at request time through SPARQL (cached per store
version), so a crawler never reads stale numbers: triples, distinct subjects/objects, one class
partition per class and one property partition per property, plus where to get the data (the SPARQL
endpoint, the dumps) and which IRIs are ours (``void:uriSpace``).

Two counts, said apart because the dumps differ: ``#bricskg`` is the union of all graphs as a SET of
triples — its ``void:triples`` is exactly what the Turtle, N-Triples, RDF/XML and JSON-LD dumps hold
— with one ``void:subset`` per named graph (``sd:name``, the statements stated in that graph);
``#bricskg-quads`` is the same data graph by graph — its ``void:triples`` counts the statements
(quads) the TriG, N-Quads and named-graphs JSON-LD dumps hold; a triple stated by two claims counts
once in the first and twice in the second. Title, description and licence come
from the ontology's header, the one place the knowledge-graph package states them.
"""

from __future__ import annotations

import threading

from flask import Blueprint, Response, render_template, request, url_for
from rdflib import RDF, RDFS, XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS

from bricskg.dataset import ONTOLOGY_GRAPH
from bricskg.inference import INFERRED_GRAPH
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
QUADS_FRAGMENT = "bricskg-quads"
MAX_LISTED_GRAPHS = 1000  # past this, the claim graphs are one summed subset (a VoID file stays small)

# Turtle first: crawlers sending */* get it; browsers name text/html and get the Turtle on a page.
VOID_OFFERS = ["text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml", "text/html", "text/plain"]
UNION_DUMPS = ("ttl", "nt", "jsonld", "rdf")  # the union of all graphs, as triples
QUAD_DUMPS = ("trig", "nq", "jsonld?graphs=1")  # every statement in its named graph
DUMP_EXTENSIONS = ("ttl", "nt", "jsonld", "trig", "nq", "rdf")

# The counts and partitions describe the stated triples, which the dumps hold: the inferred graph
# (bricskg.inference) holds only triples no other graph states, so leaving out what it holds leaves
# exactly those; it is described as its own subset (``_describe_inferred``).
_STATED = f"FILTER NOT EXISTS {{ GRAPH <{INFERRED_GRAPH}> {{ ?s ?p ?o }} }}"
UNION_TRIPLES_QUERY = (
    f"SELECT (COUNT(*) AS ?triples) WHERE {{ SELECT DISTINCT ?s ?p ?o WHERE {{ ?s ?p ?o {_STATED} }} }}"
)
GRAPH_SIZES_QUERY = "SELECT ?g (COUNT(*) AS ?triples) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
DEFAULT_ONLY_QUERY = """
SELECT (COUNT(*) AS ?triples) WHERE { ?s ?p ?o FILTER NOT EXISTS { GRAPH ?g { ?s ?p ?o } } }
"""

STATISTICS_QUERY = f"""
SELECT (COUNT(DISTINCT ?s) AS ?subjects) (COUNT(DISTINCT ?o) AS ?objects) (COUNT(DISTINCT ?p) AS ?properties)
WHERE {{ ?s ?p ?o {_STATED} }}
"""
CLASS_PARTITION_QUERY = f"""
SELECT ?class (COUNT(DISTINCT ?s) AS ?entities)
WHERE {{ ?s a ?class FILTER NOT EXISTS {{ GRAPH <{INFERRED_GRAPH}> {{ ?s a ?class }} }} }}
GROUP BY ?class ORDER BY ?class
"""
PROPERTY_PARTITION_QUERY = f"""
SELECT ?property (COUNT(*) AS ?triples) WHERE {{ SELECT DISTINCT ?s ?property ?o WHERE {{
  ?s ?property ?o FILTER NOT EXISTS {{ GRAPH <{INFERRED_GRAPH}> {{ ?s ?property ?o }} }} }} }}
GROUP BY ?property ORDER BY ?property
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


def _count(backend: Backend, query: str) -> int:
    rows = select_rows(backend, query)
    return int(rows[0]["triples"]) if rows else 0


def _integer(value: int) -> Literal:
    return Literal(value, datatype=XSD.integer)


def add_graph_counts(graph: Graph, backend: Backend, dataset: URIRef, root: str) -> None:
    """``void:triples`` of the union (triples) and of the graph-by-graph dataset (quads), said apart,
    with a subset per named graph and the dumps that hold each."""
    union_triples = _count(backend, UNION_TRIPLES_QUERY)
    sizes = [
        (row["g"], int(row["triples"]))
        for row in select_rows(backend, GRAPH_SIZES_QUERY)
        if str(row["g"]) != INFERRED_GRAPH  # described apart, and in no dump
    ]
    default_only = _count(backend, DEFAULT_ONLY_QUERY)
    graph.add((dataset, VOID.triples, _integer(union_triples)))
    graph.add((dataset, RDFS.comment, Literal(
        "void:triples counts the distinct triples of the union of all graphs: what the Turtle, N-Triples, "
        "RDF/XML and JSON-LD dumps hold. Each void:subset is one named graph (sd:name) with the statements "
        "stated in it; a triple stated in several graphs counts once here and once per graph there.", lang="en")))
    quads = URIRef(root + "/.well-known/void#" + QUADS_FRAGMENT)
    graph.add((quads, RDF.type, VOID.Dataset))
    graph.add((quads, DCTERMS.title, Literal("bricskg graph by graph: every statement in the named graph that states it", lang="en")))
    graph.add((quads, RDFS.comment, Literal(
        "void:triples counts statements (quads): what the TriG, N-Quads and named-graphs JSON-LD dumps hold. "
        "The same data as the union dataset it is linked from.", lang="en")))
    graph.add((quads, VOID.triples, _integer(sum(size for _, size in sizes) + default_only)))
    graph.add((quads, DCTERMS.isFormatOf, dataset))
    graph.add((dataset, DCTERMS.hasFormat, quads))
    for name in UNION_DUMPS:
        dump = URIRef(f"{root}/dumps/{DUMP_NAME}.{name}")
        graph.add((dataset, VOID.dataDump, dump))
        graph.add((dump, DCTERMS["format"], Literal(DATA_EXTENSIONS[name][0])))
    for name in QUAD_DUMPS:
        dump = URIRef(f"{root}/dumps/{DUMP_NAME}.{name}")
        graph.add((quads, VOID.dataDump, dump))
        graph.add((dump, DCTERMS["format"], Literal(DATA_EXTENSIONS[name.split("?")[0]][0])))
    listed = sizes if len(sizes) <= MAX_LISTED_GRAPHS else [(g, n) for g, n in sizes if "/claim/" not in str(g)]
    for index, (name, size) in enumerate(listed):
        subset = URIRef(f"{root}/.well-known/void#graph-{index}")
        graph.add((dataset, VOID.subset, subset))
        graph.add((subset, RDF.type, VOID.Dataset))
        graph.add((subset, SD.name, name))
        graph.add((subset, VOID.triples, _integer(size)))
    if len(listed) < len(sizes):
        rest = [size for g, size in sizes if "/claim/" in str(g)]
        subset = URIRef(f"{root}/.well-known/void#claim-graphs")
        graph.add((dataset, VOID.subset, subset))
        graph.add((subset, RDF.type, VOID.Dataset))
        graph.add((subset, VOID.triples, _integer(sum(rest))))
        graph.add((subset, RDFS.comment, Literal(f"the {len(rest)} claim graphs, one per claim, together", lang="en")))
    if default_only:
        subset = URIRef(f"{root}/.well-known/void#default-graph")
        graph.add((dataset, VOID.subset, subset))
        graph.add((subset, RDF.type, VOID.Dataset))
        graph.add((subset, VOID.triples, _integer(default_only)))
        graph.add((subset, RDFS.comment, Literal("the triples no named graph states (the default graph)", lang="en")))


def _describe_inferred(graph: Graph, dataset: URIRef, backend: Backend, root: str) -> None:
    """The inferred graph as a subset of its own, labelled as derived (in no dump) and by which regime."""
    from bricskg.inference import ENTAILMENT_RDFS, REGIME_NOTE
    from bricskg.web.service_description import serves_entailments

    if not serves_entailments(backend):
        return
    subset = URIRef(root + "/.well-known/void#inferred")
    graph.add((dataset, VOID.subset, subset))
    graph.add((subset, RDF.type, VOID.Dataset))
    graph.add((subset, SD.name, URIRef(INFERRED_GRAPH)))
    graph.add((subset, DCTERMS.title, Literal("Inferred graph: entailments, in no dump", lang="en")))
    graph.add((subset, DCTERMS.description, Literal(REGIME_NOTE, lang="en")))
    graph.add((subset, DCTERMS.conformsTo, URIRef(ENTAILMENT_RDFS)))
    count = getattr(backend, "inferred_quad_count", None)
    if count is not None:
        graph.add((subset, VOID.triples, _integer(count())))


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
    add_graph_counts(graph, backend, dataset, root)
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
    _describe_inferred(graph, dataset, backend, root)
    with _cache_lock:
        for stale in [k for k in _cache if k[0] != key[0]]:
            del _cache[stale]
        _cache[key] = graph
    return graph


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
    rdflib_format = {
        "text/turtle": "turtle", "application/ld+json": "json-ld", "application/n-triples": "nt",
        "application/rdf+xml": "xml", "text/plain": "nt",
    }[media_type]
    response = Response(graph.serialize(format=rdflib_format, encoding="utf-8"), mimetype=media_type)
    response.vary.add("Accept")
    return response
