"""The W3C SHACL test suite (core and SPARQL) through the SHACL path bricskg uses.

The suite comes from the W3C data-shapes repository (github.com/w3c/data-shapes, folder
``data-shapes-test-suite/tests``), read in place from ``../shared/w3c-shacl-tests/``; the module skips
when it is absent. Each test validates its data graph against its shapes graph with
``bricskg.validation.shacl.validate_graph`` -- shapes compiled to SPARQL on Oxigraph, pySHACL for
the shapes that do not compile, exactly as ``bricskg validate`` and the write path run -- and
compares ``sh:conforms`` and the multiset of results (focus node, path, value, source shape,
constraint component, severity). An ``sht:Failure`` test passes when validation refuses the shapes.
Every failure is listed, with its reason, in tests/w3c_shacl_known_failures.toml (a strict xfail:
a listed test that starts passing fails the run).
"""

from __future__ import annotations

import collections
import tomllib
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import RDF, SH

from bricskg.validation.shacl import validate_graph
from bricskg.validation.shacl_paths import render_path
from bricskg.validation.terms import store_from_rdflib
from figures import show
from shared_material import require, shacl_suite_dir

SUITE = shacl_suite_dir()
KNOWN = Path(__file__).parent / "w3c_shacl_known_failures.toml"
MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = rdflib.Namespace("http://www.w3.org/ns/shacl-test#")

require("shacl", SUITE / "manifest.ttl", module=True)


def manifest_files(path: Path) -> list[Path]:
    """Every test file reached from ``path`` through mf:include."""
    graph = rdflib.Graph().parse(path, format="turtle")
    found = []
    for included in sorted(graph.objects(None, MF.include), key=str):
        child = Path(str(included).removeprefix("file://"))
        found += manifest_files(child) if child.name == "manifest.ttl" else [child]
    return found


def collect() -> list[tuple[str, Path]]:
    tests = []
    for path in manifest_files(SUITE / "manifest.ttl"):
        relative = path.relative_to(SUITE).with_suffix("")
        tests.append((str(relative), path))
    return tests


TESTS = collect()
KNOWN_FAILURES: dict[str, str] = tomllib.loads(KNOWN.read_text(encoding="utf-8")).get("failures", {})
_outcomes: collections.Counter = collections.Counter()


def _graph(iri: rdflib.term.Node, own: rdflib.Graph, own_iri: str) -> rdflib.Graph:
    if str(iri) == own_iri:
        return own
    return rdflib.Graph().parse(Path(str(iri).removeprefix("file://")), format="turtle")


def _plain(term):
    """RDF 1.1: a simple literal is an xsd:string (rdflib keeps the two spellings apart)."""
    if isinstance(term, rdflib.Literal) and term.datatype == rdflib.XSD.string:
        return rdflib.Literal(str(term))
    return term


def _key(graph: rdflib.Graph, shapes: rdflib.Graph, node, path, value, shape, component, severity):
    """A result as a comparable tuple: blank-node paths by their SPARQL spelling."""
    return (_plain(node), render_path(shapes, path) if path is not None else None, _plain(value), shape, component, severity)


def expected_results(graph: rdflib.Graph, report) -> collections.Counter:
    keys = collections.Counter()
    for result in graph.objects(report, SH.result):
        keys[_key(graph, graph, graph.value(result, SH.focusNode), graph.value(result, SH.resultPath),
                  graph.value(result, SH.value), graph.value(result, SH.sourceShape),
                  graph.value(result, SH.sourceConstraintComponent), graph.value(result, SH.resultSeverity))] += 1
    return keys


def actual_results(report, shapes: rdflib.Graph) -> collections.Counter:
    keys = collections.Counter()
    for r in report.results:
        keys[_key(shapes, shapes, r.focus_node, r.path_node, r.value, r.source_shape, r.constraint_component,
                  SH[r.severity])] += 1
    return keys


def run_test(path: Path) -> tuple[bool, str]:
    """(passed, explanation) for one test file."""
    own_iri = path.as_uri()
    graph = rdflib.Graph().parse(path, format="turtle", publicID=own_iri)
    entry = next(iter(graph.subjects(RDF.type, SHT.Validate)))
    action = graph.value(entry, MF.action)
    data = _graph(graph.value(action, SHT.dataGraph), graph, own_iri)
    shapes = _graph(graph.value(action, SHT.shapesGraph), graph, own_iri)
    expected = graph.value(entry, MF.result)
    try:
        report = validate_graph(store_from_rdflib(data), shapes)
    except Exception as error:  # the engines refuse malformed shapes by raising
        if expected == SHT.Failure:
            return True, f"refused: {error}"
        return False, f"raised {type(error).__name__}: {error}"
    if expected == SHT.Failure:
        return False, "validated shapes the suite expects to be refused"
    want_conforms = graph.value(expected, SH.conforms).toPython()
    want = expected_results(graph, expected)
    got = actual_results(report, shapes)
    if report.conforms != want_conforms or want != got:
        return False, (f"conforms {report.conforms} (expected {want_conforms}); missing {sorted(map(str, want - got))}; "
                       f"unexpected {sorted(map(str, got - want))}")
    return True, "ok"


@pytest.mark.parametrize("name,path", TESTS, ids=[name for name, _ in TESTS])
def test_w3c_shacl(name: str, path: Path) -> None:
    passed, why = run_test(path)
    _outcomes["passed" if passed else "failed"] += 1
    if name in KNOWN_FAILURES:
        if passed:
            pytest.fail(f"{name} now passes: remove it from {KNOWN.name}", pytrace=False)
        pytest.xfail(KNOWN_FAILURES[name])
    assert passed, why


def test_w3c_shacl_suite_size_and_pass_count(pytestconfig: pytest.Config) -> None:
    """The suite holds 98 core and 22 SPARQL tests; print how many pass through bricskg's engine path."""
    core = sum(1 for name, _ in TESTS if name.startswith("core/"))
    sparql = sum(1 for name, _ in TESTS if name.startswith("sparql/"))
    assert (core, sparql) == (98, 22)
    stale = sorted(set(KNOWN_FAILURES) - {name for name, _ in TESTS})
    assert not stale, f"{KNOWN.name} names tests the suite does not have: {stale}"
    passed = sum(1 for _, path in TESTS if run_test(path)[0]) if not _outcomes else _outcomes["passed"]
    total = len(TESTS)
    line = (f"W3C SHACL test suite: {passed} of {total} pass (core {core}, sparql {sparql}); "
            f"{len(KNOWN_FAILURES)} known failures")
    print(line)
    show(pytestconfig, line)
    assert passed + len(KNOWN_FAILURES) == total
