"""Who is tied to whom: states, blocs, agreements and AI initiatives as one network.

The data (``/network.json``) comes from SPARQL queries through the backend: the nodes are the
instances of the four kinds (subclasses included, via the ontology in the union default graph), the
edges are every property linking two of them directly, labelled with the property's label. A
relation the data models as a node of its own (a membership joins a state to a bloc and may name
who announced it: ``?m org:member ?state ; org:organization ?bloc ; bkg:announcedBy ?other``) is
drawn as what it is, a small node of the "relation" kind with an edge to each participant: folded
into one edge it made a state look directly tied to whoever announced its membership.
``/network`` draws it with vis-network (seeded, so the layout is the same on every load);
``/pictures/network.svg`` is the same graph as a static picture.
"""

from __future__ import annotations

import re
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
RELATION_GROUP = "relation"  # an n-ary relation node (membership, announcement …) between two or more of them

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
SELECT DISTINCT ?from ?to ?property WHERE {{
  VALUES ?from {{ {nodes} }}
  VALUES ?to {{ {nodes} }}
  ?from ?property ?to . FILTER(?property != rdf:type && ?from != ?to)
}}
"""

RELATIONS_QUERY = """
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
SELECT DISTINCT ?via ?property ?to ?viaClass WHERE {{
  VALUES ?to {{ {nodes} }}
  ?via ?property ?to . FILTER(?property != rdf:type && isIRI(?via))
  FILTER NOT EXISTS {{ VALUES ?n {{ {nodes} }} FILTER(?via = ?n) }}
  OPTIONAL {{ ?via a ?viaClass . FILTER(STRSTARTS(STR(?viaClass), "{ontology}")) }}
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
    direct = select_rows(backend, EDGES_QUERY.format(nodes=values))
    relations = _relation_rows(select_rows(backend, RELATIONS_QUERY.format(nodes=values, ontology=ontology)))
    terms = {row[key] for row in direct + relations for key in ("property", "via", "viaClass") if key in row}
    labels = fetch_labels(backend, [*map(_uri, group_of), *terms])

    def name(term) -> str:
        return labels.get(term) or fallback_label(str(term))

    edge_labels: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in direct + relations:
        source = str(row["from"] if "from" in row else row["via"])
        edge_labels[(source, str(row["to"]))].add(labels.get(row["property"]) or spoken_name(str(row["property"])))
    nodes = [NetworkNode(iri, name(_uri(iri)), group, space.thing_path(iri) or iri) for iri, group in sorted(group_of.items())]
    relation_nodes = {str(row["via"]): row for row in relations}
    nodes += [
        NetworkNode(via, name(row["via"]), RELATION_GROUP, space.thing_path(via) or via)
        for via, row in sorted(relation_nodes.items())
    ]
    edges = [NetworkEdge(a, b, ", ".join(sorted(names))) for (a, b), names in sorted(edge_labels.items())]
    with _cache_lock:
        _cache.clear()
        _cache[version] = (nodes, edges)
    return nodes, edges


def spoken_name(iri: str) -> str:
    """A property of another vocabulary without a label here, as words: org:memberDuring → "member during"."""
    local = iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", local).lower() or iri


def _relation_rows(rows: list[dict]) -> list[dict]:
    """The links of nodes that join at least two of the shown nodes: the relations worth drawing."""
    joined: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        joined[str(row["via"])].add(str(row["to"]))
    return [row for row in rows if len(joined[str(row["via"])]) >= 2]


def _uri(iri: str) -> URIRef:
    return URIRef(iri)


def _group_rank(group: str) -> int:
    return [label for _, label in NODE_GROUPS].index(group)


def network_json() -> Response:
    nodes, edges = network_data(request_context.backend(), request_context.iri_space())
    return jsonify(
        groups=[{"name": label, "colour": GROUP_COLOURS[label]} for label in legend_groups()],
        nodes=[node.__dict__ for node in nodes],
        edges=[edge.__dict__ for edge in edges],
    )


def network_view() -> str:
    return render_template("network.html", groups=legend_groups())


def network_picture() -> Response:
    nodes, edges = network_data(request_context.backend(), request_context.iri_space())
    return Response(network_svg(nodes, edges, legend_groups()), mimetype="image/svg+xml")


def legend_groups() -> list[str]:
    """The kinds of node in legend order, relation nodes last."""
    return [label for _, label in NODE_GROUPS] + [RELATION_GROUP]
