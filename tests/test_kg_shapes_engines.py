"""The compiled SHACL engine gives exactly pySHACL's report on this project's shapes.

``bricskg validate`` and the write path run the shapes compiled to SPARQL on Oxigraph
(bricskg.validation.compiled); pySHACL is the reference. On every shape example of tests/shapes/
(with the shape context), on the context alone and on the bundled data, both engines must report
the same results -- focus node, path, value, message, source shape, constraint component, source
constraint, severity -- in whole-store mode and in the focus-node mode writes use. And every shape
of shapes/ must compile: a shape that fell back to pySHACL would be validated, but slowly.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from bricskg.dataset import bundled_sources, load_into_store
from bricskg.validation import validate_dataset
from bricskg.validation.compiled import Uncompilable
from bricskg.validation.compiled.compiler import Compiler
from bricskg.validation.shapes_graph import load
from test_kg_shapes import EXAMPLES, example_id, example_store, expectations


def _differences(store: ox.Store, focus=None) -> str:
    reference = validate_dataset(store, engine="pyshacl", focus_nodes=focus)
    compiled = validate_dataset(store, engine="compiled", focus_nodes=focus)
    only_reference = [r.to_dict() for r in reference.results if r not in compiled.results]
    only_compiled = [r.to_dict() for r in compiled.results if r not in reference.results]
    if not only_reference and not only_compiled:
        return ""
    return f"only pySHACL: {only_reference}\nonly compiled: {only_compiled}"


@pytest.mark.parametrize("example", EXAMPLES, ids=example_id)
def test_compiled_engine_reports_what_pyshacl_reports_on_each_example(example: Path) -> None:
    assert not _differences(example_store(example))


@pytest.mark.parametrize("example", [p for p in EXAMPLES if p.name.startswith("fail-")], ids=example_id)
def test_compiled_engine_agrees_with_pyshacl_on_focus_nodes(example: Path) -> None:
    focus = {node for node, _ in expectations(example)}
    assert not _differences(example_store(example), focus)


def test_compiled_engine_reports_what_pyshacl_reports_on_the_context_and_the_bundled_data() -> None:
    assert not _differences(example_store())
    bundled = ox.Store()
    load_into_store(bundled, bundled_sources())
    assert not _differences(bundled)


def test_every_project_shape_compiles() -> None:
    shapes = load()
    compiler = Compiler(shapes.graph, lambda cls: {cls})
    failed = {}
    for target in shapes.targets:
        try:
            compiler.checks(target.shape)
        except Uncompilable as reason:
            failed[str(target.shape)] = str(reason)
    assert not failed, failed


def test_a_shape_that_does_not_compile_is_validated_by_pyshacl(tmp_path: Path) -> None:
    """The fallback is explicit, never a silent pass: a construct the compiler refuses (here
    sh:qualifiedValueShapesDisjoint) is still checked, by pySHACL, and the report says so."""
    (tmp_path / "s.ttl").write_text(
        """@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
        ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ;
          sh:qualifiedValueShape [ sh:class ex:D ] ; sh:qualifiedMinCount 1 ; sh:qualifiedValueShapesDisjoint true ] .""",
        encoding="utf-8",
    )
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://example.org/x"), ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                      ox.NamedNode("http://example.org/C"), ox.DefaultGraph()))
    report = validate_dataset(store, shapes_directory=tmp_path)
    assert [str(r.focus_node) for r in report.violations] == ["http://example.org/x"]
    assert "pySHACL for" in report.checks["shacl"]


def test_shapes_pyshacl_refuses_raise_a_shapes_error(tmp_path: Path) -> None:
    """pySHACL returns (not raises) a ValidationFailure for shapes SHACL forbids, here a SPARQL
    constraint with MINUS; reading it as a report crashed with AttributeError."""
    from bricskg.validation import ShapesError

    (tmp_path / "s.ttl").write_text(
        """@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
        ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:sparql [ sh:message "has no name" ;
          sh:select "SELECT $this WHERE { $this a ?t MINUS { $this <http://example.org/name> ?n } }" ] .""",
        encoding="utf-8",
    )
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://example.org/x"), ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                      ox.NamedNode("http://example.org/C"), ox.DefaultGraph()))
    with pytest.raises(ShapesError, match="pySHACL refused"):
        validate_dataset(store, shapes_directory=tmp_path)
