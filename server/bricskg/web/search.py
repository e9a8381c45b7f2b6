"""Search: a box on every page, a results page with type and language facets, and a JSON API.

``/search?q=…`` answers HTML to browsers and JSON to programs (``Accept: application/json``, or
``/search.json``); both take ``type`` (a class IRI), ``lang`` (a language tag, ``""`` for untagged
text), ``limit`` and ``offset``. The index is ``bricskg.search``: SQLite FTS5, kept in step with writes.
"""

from __future__ import annotations

from typing import Any, Callable

from flask import Blueprint, Response, jsonify, render_template, request, url_for

from bricskg.search.index import MAX_LIMIT, FacetValue, SearchQueryError, SearchResult, marked_parts, plain
from bricskg.search.service import service_for
from bricskg.web import request_context
from bricskg.web.error_pages import error_response
from bricskg.web.iri_space import IriSpace
from bricskg.web.labels import fallback_label

DEFAULT_LIMIT = 20
JSON_TYPES = ("application/json",)


def register(blueprint: Blueprint) -> None:
    blueprint.add_url_rule("/search", view_func=search_page, endpoint="search")
    blueprint.add_url_rule("/search.json", view_func=search_json, endpoint="search_json")


def _int_argument(name: str, default: int, lowest: int, highest: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SearchQueryError(f"{name} must be a whole number.") from None
    if not lowest <= value <= highest:
        raise SearchQueryError(f"{name} must be between {lowest} and {highest}.")
    return value


def _run() -> SearchResult:
    config = request_context.config()
    service = service_for(request_context.backend(), config.store_path)
    language = request.args.get("lang")
    return service.search(
        request.args.get("q", ""),
        language=language.lower() if language is not None else None,
        type_iri=request.args.get("type") or None,
        limit=_int_argument("limit", DEFAULT_LIMIT, 1, MAX_LIMIT),
        offset=_int_argument("offset", 0, 0, 1_000_000),
    )


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", *JSON_TYPES])
    return best in JSON_TYPES


def search_json() -> Response:
    try:
        result = _run()
    except SearchQueryError as error:
        return _json_error(str(error))
    return jsonify(_as_json(result, request_context.iri_space()))


def search_page() -> Response | str:
    if _wants_json():
        return search_json()
    try:
        result = _run()
    except SearchQueryError as error:
        return error_response(400, str(error))
    space = request_context.iri_space()
    return render_template(
        "search.html",
        result=result,
        hits=[_hit_view(hit, space, result) for hit in result.hits],
        type_facets=_facet_rows("type", result.types, lambda facet: facet.label or fallback_label(facet.value)),
        language_facets=_facet_rows("lang", result.languages, lambda facet: facet.value or "no language tag"),
        clear_links={name: _facet_link(name, None) for name in ("type", "lang")},
        active={"type": request.args.get("type"), "lang": request.args.get("lang")},
        next_link=_page_link(1),
        previous_link=_page_link(-1),
    )


def _facet_rows(name: str, facets: list[FacetValue], label: Callable[[FacetValue], str]) -> list[tuple]:
    """(link, label, count, selected) per facet value, for the page's facet lists."""
    chosen = request.args.get(name)
    return [(_facet_link(name, facet.value), label(facet), facet.count, chosen == facet.value) for facet in facets]


def _json_error(message: str) -> Response:
    response = jsonify({"error": message})
    response.status_code = 400
    return response


def _as_json(result: SearchResult, space: IriSpace) -> dict[str, Any]:
    return {
        "query": result.query,
        "total": result.total,
        "truncated": result.truncated,
        "results": [
            {
                "iri": hit.thing,
                "page": space.thing_path(hit.thing),
                "label": hit.label or fallback_label(hit.thing),
                "matched": hit.field,
                "text": plain(hit.snippet),
                "language": hit.language,
                "types": list(hit.types),
                "score": round(-hit.score, 6),
            }
            for hit in result.hits
        ],
        "facets": {
            "type": [{"iri": f.value, "label": f.label or fallback_label(f.value), "count": f.count} for f in result.types],
            "language": [{"tag": f.value, "count": f.count} for f in result.languages],
        },
    }


def _hit_view(hit, space: IriSpace, result: SearchResult) -> dict[str, Any]:
    labels = {facet.value: facet.label for facet in result.types}
    return {
        "href": space.thing_path(hit.thing) or hit.thing,
        "iri": hit.thing,
        "label": hit.label or fallback_label(hit.thing),
        "matched": {"label": "name", "alt": "also known as", "quote": "sentence"}.get(hit.field, hit.field),
        "parts": marked_parts(hit.snippet),
        "language": hit.language,
        "types": [labels.get(kind) or fallback_label(kind) for kind in _shown_types(hit.types, space)],
    }


MAX_TYPE_CHIPS = 4


def _shown_types(types: tuple[str, ...], space: IriSpace) -> list[str]:
    """The classes worth a chip: this graph's own (with entailments served, a thing also carries
    every superclass, prov:Entity and schema: types included), at most a few."""
    ours = [kind for kind in types if kind.startswith(space.base + "ontology/")]
    return (ours or list(types))[:MAX_TYPE_CHIPS]


def _facet_link(name: str, value: str | None) -> str:
    arguments = {key: item for key, item in request.args.items() if key not in (name, "offset")}
    if value is not None:
        arguments[name] = value
    return url_for("linked_data.search", **arguments)


def _page_link(direction: int) -> str | None:
    limit = int(request.args.get("limit") or DEFAULT_LIMIT)
    offset = int(request.args.get("offset") or 0) + direction * limit
    if offset < 0:
        return None
    arguments = dict(request.args.items())
    arguments["offset"] = str(offset)
    return url_for("linked_data.search", **arguments)
