"""Loading the SHACL shapes in shapes/ once, and knowing which shape targets which nodes.

The shapes graph is parsed once per process (and again only when a file under shapes/ changes), since
the write path validates on every request. The target index lets focus-node validation pick the shapes
that apply to a node from the node's own types, without enumerating every shape's targets over the
whole data graph the way a full validation must.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import rdflib
from rdflib.namespace import OWL, RDF, RDFS, SH

from bricskg.config import BASE_IRI
from bricskg.paths import shapes_dir

# The one extension target of the bricskg shapes: SHACL Core cannot make the *name* of a named graph
# a focus node, yet rules about claim graphs (each has a provenance record) are about exactly that.
TARGET_GRAPHS_UNDER = rdflib.URIRef(BASE_IRI + "shapes/targetGraphsUnder")


class ShapesError(ValueError):
    """A shapes file is missing or does not parse; the message names the file and position."""


@dataclass(frozen=True)
class ShapeTargets:
    """The target declarations of one shape (SHACL §2.1.3), including the implicit class target."""

    shape: rdflib.URIRef
    classes: frozenset[rdflib.term.Node]
    nodes: frozenset[rdflib.term.Node]
    subjects_of: frozenset[rdflib.term.Node]
    objects_of: frozenset[rdflib.term.Node]
    graphs_under: frozenset[str] = frozenset()  # bkgsh:targetGraphsUnder: names of named graphs
    # the shape's named property shapes: pyshacl's use_shapes= skips named shapes it is not given
    property_shapes: tuple[rdflib.URIRef, ...] = ()

    @property
    def targets_graph_names(self) -> bool:
        return bool(self.graphs_under)

    def targets_graph(self, name: str) -> bool:
        return any(name.startswith(prefix) for prefix in self.graphs_under)


@dataclass(frozen=True, eq=False)  # identity: caches keyed on a loaded version stay cheap
class LoadedShapes:
    graph: rdflib.Graph
    targets: tuple[ShapeTargets, ...]
    files: tuple[Path, ...]


_lock = threading.Lock()
_cache: dict[tuple[object, ...], LoadedShapes] = {}


def _signature(files: list[Path]) -> tuple[object, ...]:
    return tuple((str(path), path.stat().st_mtime_ns, path.stat().st_size) for path in files)


def shape_files(directory: Path | None = None) -> list[Path]:
    folder = directory or shapes_dir()
    if not folder.is_dir():
        raise ShapesError(f"{folder}: no shapes folder")
    return sorted(folder.glob("*.ttl"))


def load(directory: Path | None = None) -> LoadedShapes:
    """The shapes of ``directory`` (shapes/ by default), cached until a file there changes."""
    files = shape_files(directory)
    key = _signature(files)
    with _lock:
        cached = _cache.get(key)
        if cached is None:
            graph = _parse(files)
            cached = LoadedShapes(graph, tuple(_targets(graph)), tuple(files))
            _cache.clear()  # only the current version of the folder is worth keeping
            _cache[key] = cached
        return cached


def load_shapes(directory: Path | None = None) -> rdflib.Graph:
    """The shapes graph (all files of shapes/ merged). Treat it as read-only: it is shared."""
    return load(directory).graph


def _parse(files: list[Path]) -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in files:
        try:
            graph.parse(path, format="turtle")
        except Exception as error:  # rdflib raises several unrelated types for bad syntax
            raise ShapesError(f"{path}: {one_line(error)}") from error
    return graph


def targets_of(graph: rdflib.Graph) -> tuple[ShapeTargets, ...]:
    """The target index of a shapes graph (cached with the graph when it came from ``load``)."""
    for loaded in _cache.values():
        if loaded.graph is graph:
            return loaded.targets
    return tuple(_targets(graph))


def one_line(error: BaseException) -> str:
    return " ".join(str(error).split())


def loaded_from(graph: rdflib.Graph) -> LoadedShapes:
    """Any shapes graph (not shapes/) with its target index; shapes with targets may be blank nodes."""
    return LoadedShapes(graph, tuple(_targets(graph, allow_blank=True)), ())


def _targets(graph: rdflib.Graph, allow_blank: bool = False) -> list[ShapeTargets]:
    """Every shape with at least one target; such shapes must be IRIs so they can be named and selected."""
    shapes: set[rdflib.term.Node] = set()
    for predicate in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, TARGET_GRAPHS_UNDER):
        shapes.update(graph.subjects(predicate, None))
    for kind in (SH.NodeShape, SH.PropertyShape):
        for shape in graph.subjects(RDF.type, kind):
            if (shape, RDF.type, RDFS.Class) in graph or (shape, RDF.type, OWL.Class) in graph:
                shapes.add(shape)
    result = []
    for shape in sorted(shapes, key=str):
        if not isinstance(shape, rdflib.URIRef) and not allow_blank:
            raise ShapesError(f"a shape with targets must have an IRI, found blank node {shape}")
        classes = set(graph.objects(shape, SH.targetClass))
        if (shape, RDF.type, RDFS.Class) in graph or (shape, RDF.type, OWL.Class) in graph:
            classes.add(shape)
        result.append(
            ShapeTargets(
                shape=shape,
                classes=frozenset(classes),
                nodes=frozenset(graph.objects(shape, SH.targetNode)),
                subjects_of=frozenset(graph.objects(shape, SH.targetSubjectsOf)),
                objects_of=frozenset(graph.objects(shape, SH.targetObjectsOf)),
                graphs_under=frozenset(str(prefix) for prefix in graph.objects(shape, TARGET_GRAPHS_UNDER)),
                property_shapes=tuple(
                    sorted((p for p in graph.objects(shape, SH.property) if isinstance(p, rdflib.URIRef)), key=str)
                ),
            )
        )
    return result
