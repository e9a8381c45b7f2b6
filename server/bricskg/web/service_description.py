"""The SPARQL 1.1 Service Description answered at ``GET /sparql`` without a query.

It says what a client can rely on: the endpoint URL, the languages (SPARQL 1.1 Query; Update only
when writes are on), every result format, the union default graph — and, in an ``rdfs:comment`` on
it, whether that union is a set or repeats a triple once per graph holding it (then use DISTINCT) —,
that federation is absent (no ``sd:BasicFederatedQuery``), and the default dataset with its named
graphs and the size of its default graph. Other modules add statements through
``register_augmenter`` (the linked-data face links the VoID description).
"""

from __future__ import annotations

import threading
from typing import Callable

import rdflib
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from bricskg.sparql.formats import GRAPH_FORMATS, RESULTS_FORMATS, Format
from bricskg.store.base import Backend, BackendError
from bricskg.store.results import select_rows

SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
ENTAILMENT_SIMPLE = URIRef("http://www.w3.org/ns/entailment/Simple")

# The default graph's size as a set of triples. Where the union is materialised the default graph IS
# that set; elsewhere the union repeats a triple once per graph holding it, so count distinct ones.
SET_SIZE_QUERIES = {
    "materialised-union": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    None: "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }",
}
UNION_COMMENTS = {
    "materialised-union": (
        "The default graph is the union of all named graphs as an RDF merge: each triple once, however "
        "many claim graphs state it (materialised when the data was loaded). GRAPH ?g reaches each named graph."
    ),
    "dynamic-union": (
        "The default graph is the union of all graphs, formed per query: a triple stated in k graphs "
        "matches k times (Oxigraph issue #1919), so use SELECT DISTINCT or COUNT(DISTINCT ...) to count "
        "it once. GRAPH ?g reaches each named graph."
    ),
}

# (graph, service node, default dataset node, endpoint URL) -> None
Augmenter = Callable[[rdflib.Graph, rdflib.term.Node, rdflib.term.Node, str], None]
_augmenters: list[Augmenter] = []

RDFLIB_FORMAT = {
    "turtle": "turtle", "ntriples": "nt", "jsonld": "json-ld", "rdfxml": "xml", "trig": "trig", "nquads": "nquads",
}


def register_augmenter(augmenter: Augmenter) -> None:
    """Add statements to every service description (e.g. ``void:`` links); idempotent."""
    if augmenter not in _augmenters:
        _augmenters.append(augmenter)


def describe(backend: Backend, endpoint_url: str, writes_enabled: bool) -> rdflib.Graph:
    graph = rdflib.Graph()
    graph.bind("sd", SD)
    graph.bind("void", VOID)
    service = BNode("service")
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, URIRef(endpoint_url)))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    if writes_enabled:
        graph.add((service, SD.supportedLanguage, SD.SPARQL11Update))
    for fmt in RESULTS_FORMATS:
        graph.add((service, SD.resultFormat, URIRef(fmt.results_format().iri)))
    for fmt in GRAPH_FORMATS:
        graph.add((service, SD.resultFormat, URIRef(fmt.rdf_format().iri)))
    graph.add((service, SD.feature, SD.UnionDefaultGraph))
    engine_note = getattr(backend, "engine_note", None)
    if engine_note is not None and engine_note():  # --backend: the engine's differences, said where clients look
        graph.add((service, RDFS.comment, Literal(engine_note(), lang="en")))
    _entailment_regime(graph, service, backend)
    dataset = BNode("dataset")
    graph.add((service, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    default_graph = BNode("defaultGraph")
    graph.add((dataset, SD.defaultGraph, default_graph))
    graph.add((default_graph, RDF.type, SD.Graph))
    comment = UNION_COMMENTS.get(getattr(backend, "default_graph_mode", None) or "")
    if comment is not None:
        graph.add((default_graph, RDFS.comment, Literal(comment, lang="en")))
    size = _default_graph_size(backend)
    if size is not None:
        graph.add((default_graph, VOID.triples, Literal(size, datatype=XSD.integer)))
    for name in sorted(backend.named_graphs()):
        named = BNode()
        graph.add((dataset, SD.namedGraph, named))
        graph.add((named, RDF.type, SD.NamedGraph))
        graph.add((named, SD.name, URIRef(name)))
    for augmenter in _augmenters:
        augmenter(graph, service, dataset, endpoint_url)
    return graph


def serves_entailments(backend: Backend) -> bool:
    """Whether the default graph includes the inferred graph (``bricskg.inference``)."""
    return bool(getattr(backend, "inference", False))


def _entailment_regime(graph: rdflib.Graph, service: rdflib.term.Node, backend: Backend) -> None:
    """RDFS (and the OWL 2 RL subset, said in a comment: there is no IRI for a subset of OWL 2 RL)
    when the inferred graph is served; simple entailment otherwise."""
    from bricskg.inference import ENTAILMENT_RDFS, INFERRED_GRAPH, REGIME_NOTE

    if not serves_entailments(backend):
        graph.add((service, SD.defaultEntailmentRegime, ENTAILMENT_SIMPLE))
        return
    regime = URIRef(ENTAILMENT_RDFS)
    graph.add((service, SD.defaultEntailmentRegime, regime))
    graph.add((regime, RDF.type, SD.EntailmentRegime))
    graph.add((regime, RDFS.comment, Literal(REGIME_NOTE, lang="en")))
    graph.add((service, SD.feature, URIRef(INFERRED_GRAPH)))
    graph.add((URIRef(INFERRED_GRAPH), RDFS.label, Literal("inferred graph (entailments, maintained by the server)", lang="en")))


def _default_graph_size(backend: Backend) -> int | None:
    """The triples the default graph holds, each once (not the quads stored: graphs share triples);
    None when the engine cannot say in time — the description is still useful without it."""
    mode = getattr(backend, "default_graph_mode", None)
    try:
        rows = select_rows(backend, SET_SIZE_QUERIES.get(mode, SET_SIZE_QUERIES[None]))
    except BackendError:
        return None
    return int(rows[0]["n"]) if rows else None


class DescriptionCache:
    """Serialised descriptions keyed on (store version, endpoint URL, format): built once per write."""

    def __init__(self) -> None:
        self._entries: dict[tuple[int, str, str, bool], bytes] = {}
        self._lock = threading.Lock()

    def get(self, backend: Backend, endpoint_url: str, fmt: Format, writes_enabled: bool) -> bytes:
        key = (backend.version(), endpoint_url, fmt.name, writes_enabled)
        with self._lock:
            body = self._entries.get(key)
        if body is None:
            graph = describe(backend, endpoint_url, writes_enabled)
            body = graph.serialize(format=RDFLIB_FORMAT[fmt.name], encoding="utf-8")
            with self._lock:
                if len(self._entries) > 64:
                    self._entries.clear()
                self._entries[key] = body
        return body
