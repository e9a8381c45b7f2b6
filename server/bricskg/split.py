"""Writing a dataset back as the data/ files: one canonical TriG file per source, byte-reproducibly.

An edit made over HTTP lands in a store; to become a reviewed commit it must become the files CI
validates. ``split_files(store)`` cuts the store's statements the way data/ is cut:

* ``<name>.trig`` for each source ``…/source/<name>`` that has text segments (``article.trig``): the
  claim graphs derived from its segments, and from the provenance graph the records of those claims,
  the segments with their selectors, the source's own description and the agents only its claims
  name (the provenance graph's description of itself goes to the first such file by name);
* ``reference.trig``: the reference graph, and from the provenance graph its record and the source
  it is derived from;
* ``other.trig``, only when something belongs to none of the above (a claim graph without a
  record, a provenance statement about nothing of the above): nothing is dropped silently.

The ontology graph (ontology/ is its file) and the audit graph (the server's write log) are not
written. Each file is serialised like ``bricskg export --format trig``: blank nodes canonicalised
(RDFC-1.0), statements sorted, a fixed prefix table -- the same store always gives the same bytes,
so ``git diff`` shows exactly what the writes changed. Comments of hand-written files are not kept.
"""

from __future__ import annotations

from collections import defaultdict
import pyoxigraph as ox

from bricskg.dataset import ONTOLOGY_GRAPH
from bricskg.export import AUDIT_GRAPH, PROVENANCE_GRAPH, REFERENCE_GRAPH, export_quads, serialize

OA = "http://www.w3.org/ns/oa#"
PROV = "http://www.w3.org/ns/prov#"
REFERENCE_FILE = "reference.trig"
OTHER_FILE = "other.trig"


def _file_of_source(source: ox.NamedNode) -> str:
    return source.value.rstrip("/").rsplit("/", 1)[-1] + ".trig"


def split_quads(store: ox.Store) -> dict[str, list[ox.Quad]]:
    """File name -> the quads that file holds (every quad of the store but ontology and audit)."""
    provenance = ox.NamedNode(PROVENANCE_GRAPH)
    reference = ox.NamedNode(REFERENCE_GRAPH)
    has_source, derived_from = ox.NamedNode(OA + "hasSource"), ox.NamedNode(PROV + "wasDerivedFrom")
    owner: dict[object, str] = {}  # a provenance subject -> its file
    for quad in store.quads_for_pattern(None, has_source, None, provenance):
        if isinstance(quad.object, ox.NamedNode):
            owner.setdefault(quad.subject, _file_of_source(quad.object))
            owner.setdefault(quad.object, _file_of_source(quad.object))
    for quad in store.quads_for_pattern(None, derived_from, None, provenance):
        if quad.subject == reference:
            owner[reference] = REFERENCE_FILE
            owner.setdefault(quad.object, REFERENCE_FILE)
        elif quad.object in owner:
            owner.setdefault(quad.subject, owner[quad.object])
    source_files = sorted(set(owner.values()) - {REFERENCE_FILE})
    if source_files:  # the provenance graph's description of itself: it has no file of its own
        owner.setdefault(provenance, source_files[0])
    _own_the_rest(store, provenance, owner)
    files: dict[str, list[ox.Quad]] = defaultdict(list)
    for quad in store.quads_for_pattern(None, None, None, None):
        graph = quad.graph_name
        if isinstance(graph, ox.NamedNode) and graph.value in (ONTOLOGY_GRAPH, AUDIT_GRAPH):
            continue
        if graph == reference:
            files[REFERENCE_FILE].append(quad)
        elif graph == provenance:
            files[owner.get(quad.subject, OTHER_FILE)].append(quad)
        else:
            files[owner.get(graph, OTHER_FILE)].append(quad)  # a claim graph goes where its record goes
    return dict(files)


def _own_the_rest(store: ox.Store, provenance: ox.NamedNode, owner: dict[object, str]) -> None:
    """Blank nodes (selectors) and agents go to the file of what points at them, when that is one
    file; an agent named by the claims of several sources goes to the first file by name."""
    pointed: dict[object, set[str]] = defaultdict(set)
    for quad in store.quads_for_pattern(None, None, None, provenance):
        if quad.subject in owner and not isinstance(quad.object, ox.Literal):
            pointed[quad.object].add(owner[quad.subject])
    changed = True
    while changed:  # blank-node chains: a selector of a selector's owner
        changed = False
        for node, files in list(pointed.items()):
            if node not in owner:
                owner[node] = sorted(files)[0]
                changed = True
                for quad in store.quads_for_pattern(node, None, None, provenance):
                    if not isinstance(quad.object, ox.Literal) and quad.object not in owner:
                        pointed[quad.object].add(owner[node])


def split_files(store: ox.Store) -> dict[str, bytes]:
    """File name -> canonical TriG bytes."""
    return {name: serialize(export_quads(quads, "trig"), "trig") for name, quads in sorted(split_quads(store).items())}

