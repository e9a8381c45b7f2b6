"""The linked-data face of the server: dereferenceable IRIs, pages, dumps, VoID, docs, query UI, pictures.

One blueprint; each concern lives in its own module and adds its routes here through ``register``.
Every page reads the store through the ``Backend`` with SPARQL, so the same pages work over the
embedded Oxigraph store and over a remote SPARQL engine.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint

from bricskg.store.base import BackendError
from bricskg.web import dereferencing, dumps, jsonld_context, landing, network, ontology_docs, query_ui, search, void
from bricskg.web.error_pages import backend_error_response

PACKAGE_DIR = Path(__file__).resolve().parents[1]

blueprint = Blueprint(
    "linked_data",
    __name__,
    template_folder=str(PACKAGE_DIR / "templates"),
    static_folder=str(PACKAGE_DIR / "static"),
    static_url_path="/static",
)

for module in (landing, query_ui, search, dereferencing, dumps, void, ontology_docs, network, jsonld_context):
    module.register(blueprint)

blueprint.register_error_handler(BackendError, backend_error_response)


def _link_void_from_service_description(graph, service, dataset, endpoint_url: str) -> None:
    """The SPARQL service description points crawlers at the VoID description (and back)."""
    from rdflib import RDFS, URIRef

    from bricskg.web.void import VOID, dataset_iri

    root = endpoint_url.rsplit("/sparql", 1)[0] + "/"
    void_dataset = dataset_iri(root)
    graph.add((dataset, RDFS.seeAlso, URIRef(root + ".well-known/void")))
    graph.add((void_dataset, VOID.sparqlEndpoint, URIRef(endpoint_url)))
    graph.add((service, RDFS.seeAlso, void_dataset))


try:  # the endpoint's service description offers a hook for exactly this
    from bricskg.web.service_description import register_augmenter
except ImportError:  # pragma: no cover - only while the endpoint package is incomplete
    register_augmenter = None
if register_augmenter is not None:
    register_augmenter(_link_void_from_service_description)


@blueprint.after_request
def _allow_cross_origin_reads(response):
    """Public, read-only linked data: any web application may fetch the pages, documents and dumps."""
    response.headers.setdefault("Access-Control-Allow-Origin", "*")
    response.headers.setdefault("Access-Control-Expose-Headers", "Link, Location, ETag, Content-Location")
    return response
