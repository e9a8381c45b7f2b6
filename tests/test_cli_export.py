"""`bricskg export`: every syntax round-trips, output is byte-reproducible, the selection is right."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib.compare import isomorphic

from bricskg.cli import main
from bricskg.cli.inputs import open_dataset
from bricskg.dataset import ONTOLOGY_GRAPH
from bricskg.export import FORMATS, Selection, export_quads, selected_quads, serialize
from bricskg.validation.terms import rdflib_dataset_from_quads

HERE = Path(__file__).parent
SAMPLE = HERE / "checks" / "sample.trig"
RDFLIB_FORMATS = {
    "turtle": "turtle",
    "ntriples": "nt",
    "jsonld": "json-ld",
    "trig": "trig",
    "nquads": "nquads",
    "rdfxml": "xml",
}
PROVENANCE = rdflib.URIRef("https://w3id.org/bricskg/graph/provenance")
REFERENCE = rdflib.URIRef("https://w3id.org/bricskg/graph/reference")


def run(*args: str) -> "CliRunner.invoke":
    return CliRunner().invoke(main, ["export", *args], catch_exceptions=False)


def sample_args(*args: str) -> list[str]:
    return ["--no-bundled", "--data", str(SAMPLE), *args]


def expected_dataset(selection: Selection) -> rdflib.Dataset:
    """What the export should contain, computed independently from the store (not from the exporter)."""
    store = open_dataset([SAMPLE], no_bundled=True)
    return rdflib_dataset_from_quads(selected_quads(store, selection))


def merged(dataset: rdflib.Dataset) -> rdflib.Graph:
    graph = rdflib.Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        graph.add((s, p, o))
    return graph


@pytest.mark.parametrize("format_name", list(FORMATS))
@pytest.mark.parametrize("with_provenance", [False, True], ids=["claims", "with-provenance"])
def test_export_round_trips_to_an_isomorphic_graph(format_name: str, with_provenance: bool) -> None:
    flags = ["--with-provenance"] if with_provenance else []
    result = run(*sample_args("--format", format_name, *flags))
    assert result.exit_code == 0, result.output
    expected = expected_dataset(Selection(provenance=with_provenance))
    parsed = rdflib.Dataset()
    parsed.parse(data=result.stdout_bytes, format=RDFLIB_FORMATS[format_name])
    assert isomorphic(merged(parsed), merged(expected))
    if FORMATS[format_name].supports_datasets:
        names = {g.identifier for g in parsed.graphs() if len(g)}
        assert names == {g.identifier for g in expected.graphs() if len(g)}
        for name in names:
            assert isomorphic(parsed.graph(name), expected.graph(name)), name
    else:
        assert len(merged(parsed)) == len(merged(expected))


@pytest.mark.parametrize("format_name", list(FORMATS))
def test_two_exports_are_byte_identical(format_name: str) -> None:
    first = run(*sample_args("--format", format_name, "--all")).stdout_bytes
    second = run(*sample_args("--format", format_name, "--all")).stdout_bytes
    assert first and first == second


def test_blank_node_labels_in_the_input_do_not_change_the_output(tmp_path: Path) -> None:
    """Same graph, different blank-node labels and statement order: same bytes (RDFC-1.0 + sorting)."""
    store = open_dataset([SAMPLE], no_bundled=True)
    ontology = ox.NamedNode(ONTOLOGY_GRAPH)  # loaded again by the command; keep it out of the copy
    quads = [quad for quad in store if quad.graph_name != ontology]
    relabelled = tmp_path / "relabelled.nq"
    renamed = {}

    def rename(term):
        if isinstance(term, ox.BlankNode):
            return renamed.setdefault(term.value, ox.BlankNode(f"other{len(renamed)}x"))
        return term

    shuffled = [ox.Quad(rename(q.subject), q.predicate, rename(q.object), q.graph_name) for q in reversed(quads)]
    ox.serialize(shuffled, str(relabelled), ox.RdfFormat.N_QUADS)
    for format_name in ("turtle", "trig", "ntriples"):
        original = run(*sample_args("--format", format_name, "--all")).stdout_bytes
        other = run("--no-bundled", "--data", str(relabelled), "--format", format_name, "--all").stdout_bytes
        assert original == other, format_name


def test_plain_export_holds_the_claims_without_the_provenance_graph() -> None:
    text = run(*sample_args("--format", "ntriples")).stdout
    assert "https://w3id.org/bricskg/id/membership-russia-brics" in text
    assert "http://www.w3.org/ns/prov#wasDerivedFrom" not in text
    assert "http://www.w3.org/ns/oa#exact" not in text
    assert "iso3166Alpha2" not in text  # reference graph left out


def test_with_provenance_adds_the_quotes_and_trig_keeps_the_claim_graphs() -> None:
    text = run(*sample_args("--format", "trig", "--with-provenance")).stdout
    parsed = rdflib.Dataset()
    parsed.parse(data=text, format="trig")
    graphs = {g.identifier for g in parsed.graphs() if len(g)}
    assert PROVENANCE in graphs
    assert rdflib.URIRef("https://w3id.org/bricskg/claim/sample-membership") in graphs
    assert REFERENCE not in graphs
    assert any(True for _ in parsed.graph(PROVENANCE).triples((None, rdflib.URIRef("http://www.w3.org/ns/oa#exact"), None)))


def test_output_file_is_written_and_its_suffix_picks_the_format(tmp_path: Path) -> None:
    target = tmp_path / "claims.nt"
    result = run(*sample_args("-o", str(target)))
    assert result.exit_code == 0
    assert result.stdout == ""
    graph = rdflib.Graph().parse(target, format="nt")
    assert len(graph) == len(merged(expected_dataset(Selection())))
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_unknown_format_is_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["export", "--format", "n3x"])
    assert result.exit_code == 2
    assert "n3x" in result.output
    assert "Traceback" not in result.output


def test_unknown_output_suffix_asks_for_a_format(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["export", *sample_args("-o", str(tmp_path / "out.weird"))])
    assert result.exit_code == 2
    assert "--format" in result.output


def test_output_into_a_missing_folder_is_a_one_line_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["export", *sample_args("-o", str(tmp_path / "no" / "such" / "x.ttl"))])
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1


def test_malformed_data_file_names_file_line_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix ex: <http://example.org/> .\nex:a ex:b ex:c ;\n  ex:d .\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["export", "--data", str(bad)])
    assert result.exit_code == 2
    line = result.output.strip()
    assert len(line.splitlines()) == 1
    assert f"{bad}:3:" in line


def test_bundled_export_runs_as_a_console_script() -> None:
    """The real entry point, no CliRunner: the bundled data exports as Turtle that rdflib parses."""
    completed = subprocess.run(
        [str(Path(sys.executable).with_name("bricskg")), "export", "--format", "turtle"],
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr.decode()
    graph = rdflib.Graph().parse(data=completed.stdout, format="turtle")
    store = open_dataset([], no_bundled=False)
    assert len(graph) == len(merged(rdflib_dataset_from_quads(selected_quads(store, Selection()))))


# --- determinism on arbitrary blank-node structures (bounded property test) -----------------------

_IRIS = [ox.NamedNode(f"https://w3id.org/bricskg/id/n{i}") for i in range(3)]
_PREDICATES = [ox.NamedNode(f"https://w3id.org/bricskg/ontology/p{i}") for i in range(3)]
_GRAPHS = [ox.DefaultGraph(), ox.NamedNode("https://w3id.org/bricskg/claim/a"), ox.NamedNode("https://w3id.org/bricskg/claim/b")]


@st.composite
def blank_node_datasets(draw):
    """Small datasets dense in blank nodes (chains, shared objects, cycles) across graphs."""
    blanks = draw(st.integers(min_value=1, max_value=6))
    nodes = _IRIS + [f"b{i}" for i in range(blanks)]
    size = draw(st.integers(min_value=1, max_value=14))
    quads = []
    for _ in range(size):
        subject = draw(st.sampled_from(nodes))
        obj = draw(st.one_of(st.sampled_from(nodes), st.sampled_from(["x", "y"]).map(ox.Literal)))
        quads.append((subject, draw(st.sampled_from(_PREDICATES)), obj, draw(st.sampled_from(_GRAPHS))))
    return quads


def _materialise(quads, labels: dict[str, str]) -> list[ox.Quad]:
    def term(value):
        if isinstance(value, str):
            return ox.BlankNode(labels[value])
        return value

    return [ox.Quad(term(s), p, term(o), g) for s, p, o, g in quads]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(blank_node_datasets(), st.randoms(use_true_random=False))
def test_any_relabelling_and_reordering_gives_the_same_bytes(quads, random) -> None:
    blanks = sorted({v for q in quads for v in (q[0], q[2]) if isinstance(v, str)})
    first = _materialise(quads, {b: f"first{b}" for b in blanks})
    shuffled_labels = list(blanks)
    random.shuffle(shuffled_labels)
    second = _materialise(quads, {b: f"z{shuffled_labels.index(b)}q" for b in blanks})
    random.shuffle(second)
    for format_name in ("trig", "ntriples"):
        one = serialize(export_quads(first, format_name), format_name)
        two = serialize(export_quads(second, format_name), format_name)
        assert one == two
    parsed = rdflib.Dataset()
    parsed.parse(data=serialize(export_quads(first, "nquads"), "nquads"), format="nquads")
    assert isomorphic(merged(parsed), merged(rdflib_dataset_from_quads(first)))
