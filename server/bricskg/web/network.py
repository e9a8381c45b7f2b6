"""Who is tied to whom: states, blocs, agreements and AI initiatives as one network.

The data (``/network.json``) comes from two SPARQL queries through the backend: the nodes are the
instances of the four kinds (subclasses included, via the ontology in the union default graph), the
edges are every property linking two of them directly, plus the n-ary links the data models as a
node of their own (a membership joins a state to a bloc: ``?m org:member ?state ;
org:organization ?bloc``), drawn as one edge labelled with that node's class. ``/network`` draws it
interactively with vis-network; ``/pictures/network.svg`` is the same graph as a static picture.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass

from flask import Blueprint, Response, jsonify, render_template
from rdflib import URIRef

from bricskg.store.base import Backend
from bricskg.store.results import select_rows
from bricskg.web import request_context
from bricskg.web.iri_space import IriSpace
from bricskg.web.labels import fallback_label, fetch_labels
from bricskg.web.network_picture import GROUP_COLOURS, network_svg

# The kinds of node the picture shows, in legend order: (class local name, legend label).
NODE_GROUPS: tuple[tuple[str, str], ...] = (
    ("State", "state"),
    ("Bloc", "bloc"),
    ("Agreement", "agreement"),
    ("AIInitiative", "AI initiative"),
)

NODES_QUERY = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?node ?group WHERE {{
  VALUES ?group {{ {groups} }}
  ?node a/rdfs:subClassOf* ?group .
  FILTER(isIRI(?node))
}}
"""

EDGES_QUERY = """
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
SELECT DISTINCT ?from ?to ?property ?p1 ?p2 ?viaClass WHERE {{
  VALUES ?from {{ {nodes} }}
  VALUES ?to {{ {nodes} }}
  {{ ?from ?property ?to . FILTER(?property != rdf:type) }}
  UNION
  {{ ?via ?p1 ?from . ?via ?p2 ?to .
     FILTER(?from != ?to && STR(?from) < STR(?to))
     FILTER NOT EXISTS {{ VALUES ?n {{ {nodes} }} FILTER(?via = ?n) }}
     OPTIONAL {{ ?via a ?viaClass . FILTER(STRSTARTS(STR(?viaClass), "{ontology}")) }} }}
}}
"""


@dataclass(frozen=True)
class NetworkNode:
    id: str  # the IRI
    label: str
    group: str
    href: str


@dataclass(frozen=True)
class NetworkEdge:
    source: str
    target: str
    label: str


_cache: dict[int, tuple[list[NetworkNode], list[NetworkEdge]]] = {}
_cache_lock = threading.Lock()


def register(blueprint: Blueprint) -> None:
    blueprint.add_url_rule("/network", view_func=network_view, endpoint="network_view")
    blueprint.add_url_rule("/network.json", view_func=network_json, endpoint="network_json")
    blueprint.add_url_rule("/pictures/network.svg", view_func=network_picture, endpoint="network_picture")


def network_data(backend: Backend, space: IriSpace) -> tuple[list[NetworkNode], list[NetworkEdge]]:
    version = backend.version()
    with _cache_lock:
        if version in _cache:
            return _cache[version]
    ontology = space.base + "ontology/"
    groups = " ".join(f"<{ontology}{name}>" for name, _ in NODE_GROUPS)
    group_label = {ontology + name: label for name, label in NODE_GROUPS}
    group_of: dict[str, str] = {}
    for row in select_rows(backend, NODES_QUERY.format(groups=groups)):
        node = str(row["node"])
        group = group_label[str(row["group"])]
        # A node of two kinds keeps the first in legend order (a state before a bloc).
        if node not in group_of or _group_rank(group) < _group_rank(group_of[node]):
            group_of[node] = group
    if not group_of:
        return [], []
    values = " ".join(f"<{iri}>" for iri in sorted(group_of))
    rows = select_rows(backend, EDGES_QUERY.format(nodes=values, ontology=ontology))
    predicates = {row[key] for row in rows for key in ("property", "p1", "p2", "viaClass") if key in row}
    labels = fetch_labels(backend, [*map(_uri, group_of), *predicates])
    edge_labels: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in rows:
        key = (str(row["from"]), str(row["to"]))
        if "property" in row:
            edge_labels[key].add(labels.get(row["property"]) or fallback_label(str(row["property"])))
        else:  # through an n-ary node: name its class and the two roles, e.g. "bloc membership (member, organization)"
            via_class = row.get("viaClass")
            kind = (labels.get(via_class) or fallback_label(str(via_class))) if via_class else "linked"
            roles = [labels.get(row[k]) or fallback_label(str(row[k])) for k in ("p1", "p2")]
            edge_labels[key].add(f"{kind} ({roles[0]}, {roles[1]})")
    nodes = [
        NetworkNode(iri, labels.get(_uri(iri)) or fallback_label(iri), group, space.thing_path(iri) or iri)
        for iri, group in sorted(group_of.items())
    ]
    edges = [NetworkEdge(a, b, ", ".join(sorted(names))) for (a, b), names in sorted(edge_labels.items())]
    with _cache_lock:
        _cache.clear()
        _cache[version] = (nodes, edges)
    return nodes, edges


def _uri(iri: str) -> URIRef:
    return URIRef(iri)


def _group_rank(group: str) -> int:
    return [label for _, label in NODE_GROUPS].index(group)


def network_json() -> Response:
    nodes, edges = network_data(request_context.backend(), request_context.iri_space())
    return jsonify(
        groups=[{"name": label, "colour": GROUP_COLOURS[label]} for _, label in NODE_GROUPS],
        nodes=[node.__dict__ for node in nodes],
        edges=[edge.__dict__ for edge in edges],
    )


def network_view() -> str:
    return render_template("network.html", groups=[label for _, label in NODE_GROUPS])


def network_picture() -> Response:
    nodes, edges = network_data(request_context.backend(), request_context.iri_space())
    return Response(network_svg(nodes, edges, [label for _, label in NODE_GROUPS]), mimetype="image/svg+xml")
