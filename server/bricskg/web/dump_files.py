"""The dumps as files, written once per store version by a background thread and streamed from disk.

Why files and not a SPARQL answer: a dump is the whole store. Read through one SELECT it hits the
result-size bound on a large store (the endpoint then asks for a LIMIT) and holds everything in
memory twice. Here an embedded store is read directly (``read_store``: pyoxigraph iterators, its
streaming serialisers, blank nodes keeping their identity) into a file, at any size; a remote
engine is read with one quads query. The request that finds no file for the current version starts
its writing and waits for it up to a deadline (503 with ``Retry-After`` past it; the writing goes
on), and every later request streams the finished file. Files of older versions are deleted once
a newer one is complete. One writing at a time per process keeps the 2-core servers responsive.

What each dump holds (``DumpKind``):

* ``union`` — Turtle, N-Triples, RDF/XML, compact JSON-LD: the union of all graphs as a set of
  triples (what a SPARQL query sees as the default graph, less the inferred graph); VoID's ``void:triples``.
* ``quads`` — TriG, N-Quads, JSON-LD with the named-graphs profile: every statement in the graph it
  is stated in (one per claim, provenance, reference, ontology), plus the triples no named graph
  holds in the default graph; VoID counts these quads per named graph.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Iterable, Iterator

import pyoxigraph as ox

from bricskg.inference import INFERRED, INFERRED_GRAPH
from bricskg.jsonld_compact import write_document
from bricskg.store.base import Backend
from bricskg.store.results import select_rows
from bricskg.validation.terms import to_ox
from bricskg.web.prefixes import PREFIXES

ALL_QUADS_QUERY = "SELECT ?s ?p ?o ?g WHERE { { GRAPH ?g { ?s ?p ?o } } UNION { ?s ?p ?o } }"
# Over the store itself, whose default graph is its own (not the union) unless the union was copied there.
# The inferred graph (bricskg.inference) is in no dump: a dump holds what is stated, and any RDFS / OWL 2
# RL reasoner re-derives the rest from it (the ontology is in the dump). It holds only triples no other
# graph states, so leaving out what it holds leaves every stated triple.
UNION_QUERY = (
    "SELECT DISTINCT ?s ?p ?o WHERE { { ?s ?p ?o } UNION "
    f"{{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{INFERRED_GRAPH}>) }} }}"
)
MATERIALISED_UNION_QUERY = f"SELECT ?s ?p ?o WHERE {{ ?s ?p ?o FILTER NOT EXISTS {{ GRAPH <{INFERRED_GRAPH}> {{ ?s ?p ?o }} }} }}"
DEFAULT_ONLY_QUERY = "SELECT ?s ?p ?o WHERE { ?s ?p ?o FILTER NOT EXISTS { GRAPH ?g { ?s ?p ?o } } }"

# (extension, variant) -> (pyoxigraph syntax or None for our JSON-LD writer, holds quads)
UNION_SYNTAXES = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "rdf": ox.RdfFormat.RDF_XML}
QUAD_SYNTAXES = {"trig": ox.RdfFormat.TRIG, "nq": ox.RdfFormat.N_QUADS}


def holds_quads(extension: str, graphs: bool) -> bool:
    return extension in QUAD_SYNTAXES or (extension == "jsonld" and graphs)


# --- reading the store ------------------------------------------------------------------------------


class StoreView:
    """The union triples and the stored quads of one pyoxigraph store.

    ``union_in_default``: the default graph already holds the union as a set (the in-memory server
    copies it there at load), so the union is that graph and a default-graph triple that some named
    graph holds is one of those copies, not a statement of its own. The set operations run as
    queries in the store (a per-triple lookup from Python took a minute at 600k triples)."""

    def __init__(self, store: ox.Store, union_in_default: bool):
        self.store = store
        self.union_in_default = union_in_default

    def union_triples(self) -> Iterator[ox.Triple]:
        if self.union_in_default:
            yield from self._triples(MATERIALISED_UNION_QUERY)  # the default graph holds the inferred copies too
            return
        yield from self._triples(UNION_QUERY)

    def default_only_triples(self) -> Iterator[ox.Triple]:
        yield from self._triples(DEFAULT_ONLY_QUERY)

    def _triples(self, query: str) -> Iterator[ox.Triple]:
        """Evaluated in the store itself (Rust, no answer serialised): blank nodes keep their identity."""
        for solution in self.store.query(query):
            yield ox.Triple(solution["s"], solution["p"], solution["o"])

    def graph_names(self) -> list:
        return sorted((g for g in self.store.named_graphs() if g != INFERRED), key=_graph_order)

    def graph_triples(self, graph) -> Iterator[ox.Triple]:
        for quad in self.store.quads_for_pattern(None, None, None, graph):
            yield quad.triple

    def stored_quads(self) -> Iterator[ox.Quad]:
        for triple in self.default_only_triples():
            yield ox.Quad(triple.subject, triple.predicate, triple.object, ox.DefaultGraph())
        for graph in self.graph_names():
            for quad in self.store.quads_for_pattern(None, None, None, graph):
                yield quad


def _graph_order(graph) -> tuple[int, str]:
    if isinstance(graph, ox.DefaultGraph):
        return (0, "")
    return (1 if isinstance(graph, ox.NamedNode) else 2, graph.value)


def store_view(backend: Backend) -> StoreView:
    """Read an embedded store directly; copy a remote engine's quads into a local store first
    (through its unbounded quad reader when it has one, else one SELECT of every quad)."""
    read_store = getattr(backend, "read_store", None)
    if read_store is not None:
        return StoreView(read_store(), bool(getattr(backend, "union_materialised", False)))
    graph_quads, graph_names = getattr(backend, "graph_quads", None), getattr(backend, "graph_names", None)
    if graph_quads is not None and graph_names is not None:
        # A remote engine's quads as stored (its real default graph, not the union), through the write
        # path's reader: one answer, so blank nodes keep their identity, and no result-size bound.
        store = ox.Store()
        store.extend(graph_quads([ox.DefaultGraph(), *(g for g in graph_names() if g != INFERRED)]))  # in no dump
        return StoreView(store, union_in_default=False)
    store = ox.Store()
    named: set[ox.Triple] = set()
    default_candidates: list[ox.Triple] = []
    for row in select_rows(backend, ALL_QUADS_QUERY):
        triple = ox.Triple(to_ox(row["s"]), to_ox(row["p"]), to_ox(row["o"]))
        graph = row.get("g")
        if graph is None:
            default_candidates.append(triple)
        else:
            store.add(ox.Quad(triple.subject, triple.predicate, triple.object, to_ox(graph)))
            named.add(triple)
    for triple in default_candidates:  # the endpoint's union default graph repeats every named triple
        if triple not in named:
            store.add(ox.Quad(triple.subject, triple.predicate, triple.object, ox.DefaultGraph()))
    return StoreView(store, union_in_default=False)


# --- writing one dump -------------------------------------------------------------------------------


def write_dump(view: StoreView, extension: str, graphs: bool, path: Path) -> None:
    """Write the dump of ``view`` in ``extension`` (``graphs``: JSON-LD with named graphs) to ``path``."""
    with open(path, "wb") as out:
        if extension in UNION_SYNTAXES:
            prefixes = None if extension == "nt" else dict(PREFIXES)
            ox.serialize(view.union_triples(), out, UNION_SYNTAXES[extension], prefixes=prefixes)
        elif extension in QUAD_SYNTAXES:
            prefixes = dict(PREFIXES) if extension == "trig" else None
            ox.serialize(view.stored_quads(), out, QUAD_SYNTAXES[extension], prefixes=prefixes)
        elif extension == "jsonld" and graphs:
            named = ((graph, view.graph_triples(graph)) for graph in view.graph_names())
            write_document(out, _as_tuples(view.default_only_triples()), _as_named_tuples(named))
        elif extension == "jsonld":
            write_document(out, _as_tuples(view.union_triples()))
        else:
            raise ValueError(f"no dump in {extension!r}")


def _as_tuples(triples: Iterable[ox.Triple]) -> Iterator[tuple]:
    for triple in triples:
        yield (triple.subject, triple.predicate, triple.object)


def _as_named_tuples(named: Iterable[tuple]) -> Iterator[tuple]:
    for graph, triples in named:
        yield graph, _as_tuples(triples)


# --- the per-process file cache ----------------------------------------------------------------------

FOLDER_PREFIX = "bricskg-dumps-"


def _remove_folders_of_dead_processes() -> None:
    """A worker killed before its exit handlers ran leaves its folder behind: the next one removes it."""
    for folder in Path(tempfile.gettempdir()).glob(FOLDER_PREFIX + "*-*"):
        pid = folder.name[len(FOLDER_PREFIX):].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class DumpFiles:
    """Finished dump files by (store version, extension, graphs), written one at a time."""

    def __init__(self) -> None:
        self._directory: Path | None = None
        self._lock = threading.Lock()
        self._writings: dict[tuple[int, str, bool], Future[Path]] = {}
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bricskg-dumps")
        self._pid = os.getpid()

    def _dir(self) -> Path:
        fresh_process = self._pid != os.getpid()  # a forked worker gets its own folder
        if self._directory is None or fresh_process or not self._directory.is_dir():  # or a tmp cleaner took it
            self._pid = os.getpid()
            _remove_folders_of_dead_processes()
            self._directory = Path(tempfile.mkdtemp(prefix=f"{FOLDER_PREFIX}{self._pid}-"))
            self._writings = {}
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bricskg-dumps")
            atexit.register(shutil.rmtree, self._directory, True)
        return self._directory

    def file_for(self, backend: Backend, extension: str, graphs: bool) -> Future[Path]:
        """The finished file (or the writing under way) for the store's current version."""
        version = backend.version()
        key = (version, extension, graphs)
        with self._lock:
            directory = self._dir()
            writing = self._writings.get(key)
            if writing is None or (writing.done() and (writing.exception() is not None or not writing.result().exists())):
                path = directory / f"{version}-{extension}{'-graphs' if graphs else ''}"
                writing = self._executor.submit(self._write, backend, version, extension, graphs, path)
                self._writings[key] = writing
            return writing

    def _write(self, backend: Backend, version: int, extension: str, graphs: bool, path: Path) -> Path:
        partial = path.with_name(path.name + ".partial")
        write_dump(store_view(backend), extension, graphs, partial)
        partial.replace(path)
        self._forget_older_than(version)
        return path

    def _forget_older_than(self, version: int) -> None:
        with self._lock:
            for key in [key for key in self._writings if key[0] < version and self._writings[key].done()]:
                writing = self._writings.pop(key)
                if writing.exception() is None:
                    writing.result().unlink(missing_ok=True)
