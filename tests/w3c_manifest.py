"""Reading the W3C SPARQL 1.1 test manifests into plain dataclasses.

The suites are described in RDF (mf:Manifest, mf:include, mf:entries, qt:/ut: actions); reading them
with rdflib rather than with regular expressions keeps blank-node actions, lists and relative IRIs
right. Only tests the working group approved are returned: a "Proposed" test may contradict the
recommendation, and counting it would make the pass rate mean nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

import rdflib
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS


MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
QT = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-query#")
UT = rdflib.Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
DAWGT = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-dawg#")

QUERY_EVALUATION = "QueryEvaluationTest"
CSV_RESULT_FORMAT = "CSVResultFormatTest"
POSITIVE_SYNTAX = "PositiveSyntaxTest11"
NEGATIVE_SYNTAX = "NegativeSyntaxTest11"
POSITIVE_UPDATE_SYNTAX = "PositiveUpdateSyntaxTest11"
NEGATIVE_UPDATE_SYNTAX = "NegativeUpdateSyntaxTest11"
UPDATE_EVALUATION = "UpdateEvaluationTest"

QUERY_KINDS = frozenset({QUERY_EVALUATION, CSV_RESULT_FORMAT, POSITIVE_SYNTAX, NEGATIVE_SYNTAX})
UPDATE_KINDS = frozenset({UPDATE_EVALUATION, POSITIVE_UPDATE_SYNTAX, NEGATIVE_UPDATE_SYNTAX})


def suite_root() -> Path:
    """The SPARQL 1.1 folder of the shared W3C test checkout (read in place, never copied)."""
    from shared_material import sparql11_dir

    return sparql11_dir()


def iri_to_path(iri: rdflib.term.Node) -> Path:
    return Path(unquote(urlparse(str(iri)).path))


@dataclass(frozen=True)
class QueryTest:
    """One query test: syntax (query only) or evaluation (query, dataset, expected result)."""

    iri: str
    name: str
    kind: str
    query: Path
    data: tuple[Path, ...] = ()
    graph_data: tuple[Path, ...] = ()
    result: Path | None = None
    comment: str = ""

    @property
    def id(self) -> str:
        """A short stable id: ``folder/local-name``, used for pytest ids and the known-failures file."""
        folder = self.query.parent.name
        return f"{folder}/{self.iri.rsplit('#', 1)[-1]}"

    @property
    def is_syntax(self) -> bool:
        return self.kind in (POSITIVE_SYNTAX, NEGATIVE_SYNTAX)



@dataclass(frozen=True)
class GraphFile:
    """A file whose triples populate the graph named ``name``."""

    name: str
    path: Path


@dataclass(frozen=True)
class UpdateTest:
    """One update test: the store before, the request, the store expected after."""

    iri: str
    name: str
    kind: str
    request: Path
    data: tuple[Path, ...] = ()
    graph_data: tuple[GraphFile, ...] = ()
    result_data: tuple[Path, ...] = ()
    result_graph_data: tuple[GraphFile, ...] = ()
    comment: str = ""

    @property
    def id(self) -> str:
        return f"{self.request.parent.name}/{self.iri.rsplit('#', 1)[-1]}"


@dataclass
class Manifest:
    """Every approved test reachable from one manifest, includes followed."""

    query_tests: list[QueryTest] = field(default_factory=list)
    update_tests: list[UpdateTest] = field(default_factory=list)
    unapproved: list[str] = field(default_factory=list)


def read_manifest(path: Path) -> Manifest:
    """Read ``path`` and the manifests it includes, depth first, in document order."""
    manifest = Manifest()
    _read_into(path.resolve(), manifest, seen=set())
    return manifest


def _read_into(path: Path, manifest: Manifest, seen: set[Path]) -> None:
    if path in seen:
        return
    seen.add(path)
    graph = rdflib.Graph()
    graph.parse(path, format="turtle", publicID=path.as_uri())
    for node in graph.subjects(RDF.type, MF.Manifest):
        for included in _list(graph, graph.value(node, MF.include)):
            _read_into(iri_to_path(included), manifest, seen)
        for entry in _list(graph, graph.value(node, MF.entries)):
            _read_entry(graph, entry, manifest)


def _list(graph: rdflib.Graph, head: rdflib.term.Node | None) -> list[rdflib.term.Node]:
    return [] if head is None else list(Collection(graph, head))


def _kind(graph: rdflib.Graph, entry: rdflib.term.Node) -> str | None:
    for test_type in graph.objects(entry, RDF.type):
        local = str(test_type).rsplit("#", 1)[-1]
        if str(test_type).startswith(str(MF)) and (local in QUERY_KINDS or local in UPDATE_KINDS):
            return local
    return None


def _is_approved(graph: rdflib.Graph, entry: rdflib.term.Node) -> bool:
    return (entry, DAWGT.approval, DAWGT.Approved) in graph


def _read_entry(graph: rdflib.Graph, entry: rdflib.term.Node, manifest: Manifest) -> None:
    kind = _kind(graph, entry)
    if kind is None:
        return  # protocol, service-description, graph-store tests: other harnesses
    if not _is_approved(graph, entry):
        manifest.unapproved.append(str(entry))
        return
    name = str(graph.value(entry, MF.name) or entry)
    comment = str(graph.value(entry, RDFS.comment) or "")
    action = graph.value(entry, MF.action)
    if kind in QUERY_KINDS:
        manifest.query_tests.append(_query_test(graph, entry, kind, name, comment, action))
    else:
        manifest.update_tests.append(_update_test(graph, entry, kind, name, comment, action))


def _query_test(graph, entry, kind: str, name: str, comment: str, action) -> QueryTest:
    if kind in (POSITIVE_SYNTAX, NEGATIVE_SYNTAX):
        return QueryTest(str(entry), name, kind, iri_to_path(action), comment=comment)
    result = graph.value(entry, MF.result)
    return QueryTest(
        iri=str(entry),
        name=name,
        kind=kind,
        query=iri_to_path(graph.value(action, QT.query)),
        data=tuple(sorted(iri_to_path(d) for d in graph.objects(action, QT.data))),
        graph_data=tuple(sorted(iri_to_path(d) for d in graph.objects(action, QT.graphData))),
        result=iri_to_path(result) if result is not None else None,
        comment=comment,
    )


def _graph_files(graph: rdflib.Graph, node, predicate) -> tuple[GraphFile, ...]:
    files = [
        GraphFile(str(graph.value(item, RDFS.label)), iri_to_path(graph.value(item, UT.graph)))
        for item in graph.objects(node, predicate)
    ]
    return tuple(sorted(files, key=lambda f: f.name))


def _update_test(graph, entry, kind: str, name: str, comment: str, action) -> UpdateTest:
    if kind != UPDATE_EVALUATION:
        return UpdateTest(str(entry), name, kind, iri_to_path(action), comment=comment)
    result = graph.value(entry, MF.result)
    return UpdateTest(
        iri=str(entry),
        name=name,
        kind=kind,
        request=iri_to_path(graph.value(action, UT.request)),
        data=tuple(iri_to_path(d) for d in graph.objects(action, UT.data)),
        graph_data=_graph_files(graph, action, UT.graphData),
        result_data=tuple(iri_to_path(d) for d in graph.objects(result, UT.data)) if result is not None else (),
        result_graph_data=_graph_files(graph, result, UT.graphData) if result is not None else (),
        comment=comment,
    )
