"""Dereferenceable IRIs, the W3C "Cool URIs for the Semantic Web" 303 recipe.

The IRIs of the graph name things that are not web documents — states, treaties, ontology classes,
claims — so the server never answers them with 200 (that would say the IRI names the document).
``GET /id/russia`` answers ``303 See Other`` to the document that describes it, chosen by ``Accept``:

    text/html                → /page/id/russia
    text/turtle              → /data/id/russia.ttl      (likewise .nt .rdf .jsonld .trig .nq)
    text/plain               → /data/id/russia.nt       (rdflib asks N-Triples so)

Every document holds the description in its DEFAULT graph, so any parser, loading into a plain
graph or a dataset, reads the same triples as from the Turtle. The dataset syntaxes (TriG, N-Quads,
and JSON-LD with the named-graphs profile: ``?graphs=1`` or ``Accept: application/ld+json;
profile="https://w3id.org/bricskg/profile/named-graphs"``) add the named graphs that say which
claim states which triple — each of those triples is also in the default graph, as in the SPARQL
endpoint's union default graph. JSON-LD is compact, with the published context embedded.

The documents are ordinary resources (200, their own URL per format, so they can be cached, linked
and bookmarked, as DBpedia does). Every answer carries ``Vary: Accept`` where it depends on it and
``Link: rel=alternate`` headers naming every representation.
"""

from __future__ import annotations

import io
import threading
from collections import OrderedDict

from flask import Blueprint, Response, redirect, render_template, request
from rdflib import Dataset

from bricskg.jsonld_compact import GRAPHS_PROFILE, write_document
from bricskg.store.results import select_rows
from bricskg.web import request_context
from bricskg.web.descriptions import Description, describe, is_safe_iri
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
from bricskg.web.negotiation_offers import OFFERS, choose, wants_graphs_profile
from bricskg.web.ontology_docs import ontology_page
from bricskg.web.prefixes import bind_prefixes

EXISTS_QUERY = """
SELECT (1 AS ?found) WHERE {{
  {{ {iri} ?p ?o }} UNION {{ ?s ?p {iri} }} UNION {{ GRAPH {iri} {{ ?s ?p ?o }} }}
}} LIMIT 1
"""


_DESCRIPTIONS_KEPT = 256
_descriptions: "OrderedDict[tuple[int, int, str], Description]" = OrderedDict()
_descriptions_lock = threading.Lock()


def cached_description(iri: str) -> Description:
    """The description of ``iri`` at the store's current version: a client (or crawler) asking for
    the page and six syntaxes of one IRI costs one description query, not seven."""
    backend = request_context.backend()
    key = (id(backend), backend.version(), iri)  # several apps may share a process (tests)
    with _descriptions_lock:
        found = _descriptions.get(key)
        if found is not None:
            _descriptions.move_to_end(key)
            return found
    description = describe(backend, iri, request_context.iri_space().base + "source/")
    with _descriptions_lock:
        _descriptions[key] = description
        while len(_descriptions) > _DESCRIPTIONS_KEPT:
            _descriptions.popitem(last=False)
    return description


def first_described(iris: list[str]) -> tuple[str, Description]:
    """The first of the IRIs a path may name that the store describes (else the first, empty)."""
    for iri in iris:
        description = cached_description(iri)
        if not description.is_empty:
            return iri, description
    return iris[0], cached_description(iris[0])


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
    links.append(
        f'<{space.data_path(iri, "jsonld")}?graphs=1>; rel="alternate"; type="application/ld+json"; profile="{GRAPHS_PROFILE}"'
    )
    return ", ".join(links)


def resolve_thing(segment: str, rest: str) -> Response:
    """303 to the page or the data document of the thing this path names; 404/406 otherwise."""
    space = request_context.iri_space()
    candidates = [space.iri_for(path) for path in request_context.requested_iri_paths("/", segment + ("/" + rest if rest else ""))]
    iri = next((candidate for candidate in candidates if is_described(candidate)), None)
    if iri is None:
        return not_found(f"<{candidates[0]}>")
    accept = request.headers.get("Accept")
    media_type = choose(accept)
    if media_type is None:
        return not_acceptable(list(OFFERS))
    extension = OFFERS[media_type]
    target = space.page_path(iri) if extension is None else space.data_path(iri, extension)
    if extension == "jsonld" and wants_graphs_profile(accept):
        target += "?graphs=1"
    response = redirect(target, code=303)
    response.vary.add("Accept")
    response.headers["Link"] = alternates_header(space, iri)
    return response


def entity_page(rest: str) -> Response | str:
    space = request_context.iri_space()
    paths = request_context.requested_iri_paths("/page/", rest)
    if space.rest_of(space.iri_for(paths[0])) is None:
        return not_found(f"/page/{rest}")
    if paths[0] == "ontology":  # the ontology IRI's page is the ontology's documentation
        return ontology_page()
    backend = request_context.backend()
    iri, description = first_described([space.iri_for(path) for path in paths])
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
    paths = request_context.requested_iri_paths("/data/", rest)
    parts = split_data_path(paths[0])
    if parts is None:
        return not_found(f"/data/{rest}")
    extension = parts[1]
    iris = [space.iri_for(split[0]) for split in map(split_data_path, paths) if split is not None]
    if space.rest_of(iris[0]) is None:
        return not_found(f"/data/{rest}")
    iri, description = first_described(iris)
    if description.is_empty:
        return not_found(f"<{iri}>")
    media_type, rdflib_format, keeps_graphs = DATA_EXTENSIONS[extension]
    content_type = media_type
    if extension == "jsonld":
        with_graphs = request.args.get("graphs", "").lower() in ("1", "true", "yes") or wants_graphs_profile(
            request.headers.get("Accept")
        )
        body = jsonld_document(description, with_graphs)
        if with_graphs:
            content_type = f'{media_type}; profile="{GRAPHS_PROFILE}"'
    else:
        source = document_dataset(description) if keeps_graphs else description.as_graph()
        body = source.serialize(format=rdflib_format, encoding="utf-8")
    response = Response(body, content_type=content_type)
    if media_type.startswith("text/") or media_type in ("application/n-triples", "application/n-quads", "application/trig"):
        response.headers["Content-Type"] = f"{media_type}; charset=utf-8"
    response.headers["Link"] = alternates_header(space, iri)
    response.vary.add("Accept")
    return response


def _sorted_triples(triples) -> list:
    return sorted(triples, key=lambda triple: tuple(term.n3() for term in triple))


def jsonld_document(description: Description, with_graphs: bool) -> bytes:
    """Compact JSON-LD: the description in the default graph, plus (profile) the claim graphs."""
    named: dict = {}
    if with_graphs:
        for s, p, o, g in description.quads:
            if g is not None:
                named.setdefault(g, []).append((s, p, o))
    out = io.BytesIO()
    write_document(
        out,
        _sorted_triples(description.triples()),
        [(graph, _sorted_triples(triples)) for graph, triples in sorted(named.items())],
    )
    return out.getvalue()


def document_dataset(description: Description) -> Dataset:
    """TriG / N-Quads: every triple in the default graph (what Turtle says), each claim graph named."""
    dataset = Dataset()
    bind_prefixes(dataset)
    for s, p, o, g in description.quads:
        dataset.default_graph.add((s, p, o))
        if g is not None:
            dataset.graph(g).add((s, p, o))
    return dataset
