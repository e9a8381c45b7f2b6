"""Loading the bundled ontology and data (plus any extra files) into a store or an rdflib Dataset.

One function decides which file goes into which graph, so the CLI, the server, the validator and
the tests all see the same dataset: the ontology in the graph named by the ontology IRI, TriG and
N-Quads files with the graphs they name, Turtle/N-Triples/RDF-XML data files in the default graph.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import pyoxigraph
import rdflib

from bricskg.config import BASE_IRI
from bricskg.paths import data_dir, ontology_dir

ONTOLOGY_GRAPH = BASE_IRI + "ontology"

# file suffix -> (pyoxigraph format, rdflib format, carries named graphs)
FORMATS: dict[str, tuple[pyoxigraph.RdfFormat, str, bool]] = {
    ".ttl": (pyoxigraph.RdfFormat.TURTLE, "turtle", False),
    ".nt": (pyoxigraph.RdfFormat.N_TRIPLES, "nt", False),
    ".rdf": (pyoxigraph.RdfFormat.RDF_XML, "xml", False),
    ".owl": (pyoxigraph.RdfFormat.RDF_XML, "xml", False),
    ".trig": (pyoxigraph.RdfFormat.TRIG, "trig", True),
    ".nq": (pyoxigraph.RdfFormat.N_QUADS, "nquads", True),
    ".jsonld": (pyoxigraph.RdfFormat.JSON_LD, "json-ld", True),  # what `bricskg export` and the dumps write
}


class UnsupportedFile(ValueError):
    """A file whose suffix names no RDF syntax we read."""


@dataclass(frozen=True)
class SourceFile:
    """One file and the graph its triples go to (None: the default graph, or the graphs it names)."""

    path: Path
    graph: str | None

    @property
    def suffix(self) -> str:
        return self.path.suffix.lower()

    def formats(self) -> tuple[pyoxigraph.RdfFormat, str, bool]:
        try:
            return FORMATS[self.suffix]
        except KeyError:
            known = ", ".join(sorted(FORMATS))
            raise UnsupportedFile(f"{self.path}: unknown RDF file type {self.suffix!r} (known: {known})") from None


def bundled_sources() -> list[SourceFile]:
    """The ontology and the data shipped in the repository, in a stable order."""
    sources = [SourceFile(path, ONTOLOGY_GRAPH) for path in sorted(ontology_dir().glob("*.ttl"))]
    sources += [
        SourceFile(path, None)
        for path in sorted(data_dir().iterdir())
        if path.is_file() and path.suffix.lower() in FORMATS
    ]
    return sources


def extra_sources(paths: Iterable[Path]) -> list[SourceFile]:
    return [SourceFile(Path(path), None) for path in paths]


def load_into_store(store: pyoxigraph.Store, sources: Iterable[SourceFile]) -> None:
    """Bulk-load every source; raises SyntaxError (with file and position) on a malformed file."""
    for source in sources:
        rdf_format, _, _ = source.formats()
        graph = pyoxigraph.NamedNode(source.graph) if source.graph else None
        with source.path.open("rb") as stream:
            if graph is None:
                store.bulk_load(stream, rdf_format)
            else:
                store.bulk_load(stream, rdf_format, to_graph=graph)


def open_memory_store(sources: Iterable[SourceFile] | None = None) -> pyoxigraph.Store:
    """An in-memory Oxigraph store holding ``sources`` (the bundled files by default)."""
    store = pyoxigraph.Store()
    load_into_store(store, bundled_sources() if sources is None else sources)
    return store


def load_rdflib_dataset(sources: Iterable[SourceFile] | None = None) -> rdflib.Dataset:
    """The same dataset as rdflib objects, for pyshacl, owlready2 and the serialisers."""
    dataset = rdflib.Dataset()
    for source in bundled_sources() if sources is None else sources:
        _, rdflib_format, carries_graphs = source.formats()
        if carries_graphs:
            dataset.parse(source.path, format=rdflib_format)
        else:
            target = dataset.graph(rdflib.URIRef(source.graph)) if source.graph else dataset.default_graph
            target.parse(source.path, format=rdflib_format)
    return dataset
