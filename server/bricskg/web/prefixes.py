"""The prefixes the pages and the RDF answers abbreviate IRIs with.

One table, so a Turtle answer, the HTML page ("bkg:State") and the query UI's default prologue agree.
"""

from __future__ import annotations

from rdflib import Graph, URIRef

from bricskg.config import BASE_IRI

PREFIXES: dict[str, str] = {
    "bkg": BASE_IRI + "ontology/",
    "bkgr": BASE_IRI + "id/",
    "claim": BASE_IRI + "claim/",
    "source": BASE_IRI + "source/",
    "graph": BASE_IRI + "graph/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "oa": "http://www.w3.org/ns/oa#",
    "org": "http://www.w3.org/ns/org#",
    "time": "http://www.w3.org/2006/time#",
    "schema": "https://schema.org/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vann": "http://purl.org/vocab/vann/",
    "void": "http://rdfs.org/ns/void#",
    "sd": "http://www.w3.org/ns/sparql-service-description#",
    "wd": "http://www.wikidata.org/entity/",
}


def bind_prefixes(graph: Graph) -> None:
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, URIRef(namespace), override=True, replace=True)


def curie(iri: str) -> str | None:
    """``bkg:State`` for the ontology term; None when no prefix fits (or the local part is not a name)."""
    best: tuple[str, str] | None = None
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and (best is None or len(namespace) > len(PREFIXES[best[0]])):
            best = (prefix, iri[len(namespace) :])
    if best is None or not best[1] or any(ch in best[1] for ch in "/#?<> "):
        return None
    return f"{best[0]}:{best[1]}"


def sparql_prologue(names: tuple[str, ...] = tuple(PREFIXES)) -> str:
    return "".join(f"PREFIX {name}: <{PREFIXES[name]}>\n" for name in names)
