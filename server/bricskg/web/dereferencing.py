"""Dereferenceable IRIs, the W3C "Cool URIs for the Semantic Web" 303 recipe.

The IRIs of the graph name things that are not web documents — states, treaties, ontology classes,
claims — so the server never answers them with 200 (that would say the IRI names the document).
``GET /id/russia`` answers ``303 See Other`` to the document that describes it, chosen by ``Accept``:

    text/html                → /page/id/russia
    text/turtle              → /data/id/russia.ttl      (likewise .nt .rdf .jsonld .trig .nq)

The documents are ordinary resources (200, their own URL per format, so they can be cached, linked
and bookmarked, as DBpedia does). Every answer carries ``Vary: Accept`` where it depends on it and
``Link: rel=alternate`` headers naming every representation.
"""

from __future__ import annotations

from flask import Blueprint, Response, redirect, render_template, request

from bricskg.store.results import select_rows
from bricskg.web import request_context
from bricskg.web.descriptions import describe, is_safe_iri
from bricskg.web.entity_claims import (
    by_sentence,
    claim_rows,
    claims_about,
    membership_iris,
    membership_rows,
    memberships,
    nodes_of,
)
from bricskg.web.entity_views import (
    ViewBuilder,
    build_entity_page,
    mark_repeated_quotes,
    split_axiom_nodes,
    split_instances,
    without_values,
)
from bricskg.web.error_pages import not_acceptable, not_found
from bricskg.web.source_text import segment_iris, segment_rows, segments
from bricskg.web.iri_space import DATA_EXTENSIONS, IriSpace, split_data_path
from bricskg.web.labels import fetch_labels
from bricskg.web.negotiation_offers import OFFERS, choose
from bricskg.web.ontology_docs import ontology_page

EXISTS_QUERY = """
SELECT (1 AS ?found) WHERE {{
  {{ {iri} ?p ?o }} UNION {{ ?s ?p {iri} }} UNION {{ GRAPH {iri} {{ ?s ?p ?o }} }}
}} LIMIT 1
"""


def register(blueprint: Blueprint) -> None:
    blueprint.add_url_rule("/<any(id, claim, source, graph):segment>/<path:rest>", view_func=resolve_thing)
    blueprint.add_url_rule("/ontology", view_func=resolve_thing, defaults={"segment": "ontology", "rest": ""})
    blueprint.add_url_rule("/ontology/<path:rest>", view_func=resolve_thing, defaults={"segment": "ontology"})
    blueprint.add_url_rule("/page/<path:rest>", view_func=entity_page)
    blueprint.add_url_rule("/data/<path:rest>", view_func=data_document)


def is_described(iri: str) -> bool:
    """Whether the store says anything about ``iri`` (as subject, object or graph name)."""
    if not is_safe_iri(iri):
        return False
    return bool(select_rows(request_context.backend(), EXISTS_QUERY.format(iri=f"<{iri}>")))


def alternates_header(space: IriSpace, iri: str) -> str:
    links = [f'<{space.page_path(iri)}>; rel="alternate"; type="text/html"']
    links += [
        f'<{space.data_path(iri, ext)}>; rel="alternate"; type="{media}"'
        for ext, (media, _, _) in DATA_EXTENSIONS.items()
    ]
    return ", ".join(links)


def resolve_thing(segment: str, rest: str) -> Response:
    """303 to the page or the data document of the thing this path names; 404/406 otherwise."""
    space = request_context.iri_space()
    iri = space.iri_for(segment + ("/" + rest if rest else ""))
    if not is_described(iri):
        return not_found(f"<{iri}>")
    media_type = choose(request.headers.get("Accept"))
    if media_type is None:
        return not_acceptable(list(OFFERS))
    extension = OFFERS[media_type]
    target = space.page_path(iri) if extension is None else space.data_path(iri, extension)
    response = redirect(target, code=303)
    response.vary.add("Accept")
    response.headers["Link"] = alternates_header(space, iri)
    return response


def entity_page(rest: str) -> Response | str:
    space = request_context.iri_space()
    iri = space.iri_for(rest)
    if space.rest_of(iri) is None:
        return not_found(f"/page/{rest}")
    if rest == "ontology":  # the ontology IRI's page is the ontology's documentation
        return ontology_page()
    backend = request_context.backend()
    description = describe(backend, iri, space.base + "source/")
    if description.is_empty:
        return not_found(f"<{iri}>")
    claims, members, parts = claim_rows(backend, iri), membership_rows(backend, iri), segment_rows(backend, iri)
    nodes = {node for quad in description.quads for node in quad if node is not None} | nodes_of(claims + members + parts)
    builder = ViewBuilder(space, fetch_labels(backend, nodes))
    page = build_entity_page(description, builder)
    membership_table = memberships(members, builder)
    page.incoming = without_values(page.incoming, membership_iris(membership_table))
    text = segments(parts, builder)
    page.incoming = without_values(page.incoming, segment_iris(text))
    instances, page.incoming = split_instances(page.incoming)
    axioms, page.incoming = split_axiom_nodes(page.incoming)
    about = claims_about(claims, builder, exclude=iri)
    mark_repeated_quotes(page, {entry.claim.iri for entry in about if entry.claim.iri and entry.quote})
    alternates = [(ext, media, space.data_path(iri, ext)) for ext, (media, _, _) in DATA_EXTENSIONS.items()]
    body = render_template(
        "entity.html",
        page=page,
        alternates=alternates,
        ontology_namespace=space.base + "ontology/",
        claims_about=by_sentence(about),
        memberships=membership_table,
        instances=instances,
        axioms=axioms,
        segments=text,
    )
    response = Response(body, mimetype="text/html")
    response.headers["Link"] = alternates_header(space, iri)
    return response


def data_document(rest: str) -> Response:
    """The RDF description of one IRI in the syntax its extension names."""
    space = request_context.iri_space()
    parts = split_data_path(rest)
    if parts is None:
        return not_found(f"/data/{rest}")
    stem, extension = parts
    iri = space.iri_for(stem)
    if space.rest_of(iri) is None:
        return not_found(f"/data/{rest}")
    description = describe(request_context.backend(), iri, space.base + "source/")
    if description.is_empty:
        return not_found(f"<{iri}>")
    media_type, rdflib_format, keeps_graphs = DATA_EXTENSIONS[extension]
    source = description.as_dataset() if keeps_graphs else description.as_graph()
    body = source.serialize(format=rdflib_format, encoding="utf-8")
    response = Response(body, mimetype=media_type)
    if media_type.startswith("text/") or media_type in ("application/n-triples", "application/n-quads", "application/trig"):
        response.headers["Content-Type"] = f"{media_type}; charset=utf-8"
    response.headers["Link"] = alternates_header(space, iri)
    return response
