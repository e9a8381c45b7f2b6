"""The SHACL shapes: each one accepts its conforming examples and rejects its violating ones for the
stated reason; the shipped data conforms; focus-node validation checks exactly the nodes it is given.

Examples live in tests/shapes/<ShapeName>/{pass,fail}-*.trig. Each is validated together with the
ontology and tests/shapes/context.trig (a small valid world: two states, a bloc, the article, a
sentence), so an example only holds what it is about. A violating example names the reasons it must
fail for in header comments, one per expected violation:

    # expect: <focus node> <source shape> [<constraint component or named SPARQL constraint>]

(prefixed names with the bkgr:, claim:, src:, bkg:, bkgsh:, sh: prefixes, or <full IRIs>). An
example's default-graph statements are placed in the claim graph ``claim:shape-example``, recorded
in the provenance graph as an asserted claim of the context's sentence (nothing may live in the
default graph: bkgsh:NoTripleInTheDefaultGraph); an example about the default graph itself says so
with a ``# keep: default graph`` line, and one whose statements are not asserted names the claim's
modality with ``# example claim modality: bkg:modalityForecast``. The test requires the set of (focus node, source shape) pairs of the violations to be exactly that set, and
a result with the named component/constraint where one is given: the example fails for the
expected reason and for nothing else. Adding an example file adds a test.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pyshacl
import pytest
import rdflib
from rdflib.namespace import RDF, SH

from bricskg.dataset import ONTOLOGY_GRAPH, SourceFile, bundled_sources, load_into_store
from bricskg.paths import shapes_dir
from bricskg.validation import affected_focus_nodes, load_shapes, validate_dataset
from bricskg.validation.focus import DATASET_NODE
from shape_examples import example_quads
from bricskg.validation.report import PREFIXES
from bricskg.validation.shapes_graph import load as load_loaded_shapes

EXAMPLES_DIR = Path(__file__).parent / "shapes"
CONTEXT = EXAMPLES_DIR / "context.trig"
EXAMPLES = sorted(p for p in EXAMPLES_DIR.glob("*/*") if p.suffix in (".trig", ".ttl"))
EXPECT = re.compile(r"^#\s*expect:\s*(\S+)\s+(\S+)(?:\s+(\S+))?\s*$", re.MULTILINE)


def expand(name: str) -> rdflib.URIRef:
    if name.startswith("<") and name.endswith(">"):
        return rdflib.URIRef(name[1:-1])
    prefix, _, local = name.partition(":")
    if prefix not in PREFIXES:
        raise ValueError(f"unknown prefix in expectation {name!r}")
    return rdflib.URIRef(PREFIXES[prefix] + local)


def detailed_expectations(path: Path) -> set[tuple[rdflib.URIRef, rdflib.URIRef, rdflib.URIRef | None]]:
    return {
        (expand(focus), expand(shape), expand(detail) if detail else None)
        for focus, shape, detail in EXPECT.findall(path.read_text(encoding="utf-8"))
    }


def expectations(path: Path) -> set[tuple[rdflib.URIRef, rdflib.URIRef]]:
    return {(focus, shape) for focus, shape, _ in detailed_expectations(path)}


def ontology_sources() -> list[SourceFile]:
    return [source for source in bundled_sources() if source.graph == ONTOLOGY_GRAPH]


def example_store(*paths: Path) -> ox.Store:
    store = ox.Store()
    load_into_store(store, ontology_sources() + [SourceFile(CONTEXT, None)])
    for path in paths:
        store.extend(example_quads(path))
    return store


def violation_pairs(report) -> set[tuple[rdflib.term.Node, rdflib.term.Node]]:
    return {(r.focus_node, r.source_shape) for r in report.violations}


def example_id(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


# --- the examples ---------------------------------------------------------------------------


def test_context_conforms_on_its_own() -> None:
    report = validate_dataset(example_store())
    assert report.conforms, report.to_text()


@pytest.mark.parametrize("example", [p for p in EXAMPLES if p.name.startswith("pass-")], ids=example_id)
def test_conforming_example_passes(example: Path) -> None:
    assert not expectations(example), "a conforming example expects no violation"
    report = validate_dataset(example_store(example))
    assert report.conforms, report.to_text()
    assert not report.results, report.to_text()


@pytest.mark.parametrize("example", [p for p in EXAMPLES if p.name.startswith("fail-")], ids=example_id)
def test_violating_example_fails_for_the_expected_reason(example: Path) -> None:
    expected = expectations(example)
    assert expected, f"{example} names no '# expect: FOCUS SHAPE' line"
    report = validate_dataset(example_store(example))
    assert not report.conforms
    assert violation_pairs(report) == expected, report.to_text()
    for focus, shape, detail in detailed_expectations(example):
        if detail is not None:
            assert any(
                r.focus_node == focus and r.source_shape == shape and detail in (r.constraint_component, r.source_constraint)
                for r in report.violations
            ), f"no {detail} result for {focus} from {shape}:\n{report.to_text()}"


@pytest.mark.parametrize("example", [p for p in EXAMPLES if p.name.startswith("fail-")], ids=example_id)
def test_focus_mode_finds_the_same_violations_as_a_full_run(example: Path) -> None:
    """Validating only the expected focus nodes reports exactly the violations the full run does."""
    expected = expectations(example)
    focus = {f for f, _ in expected}
    report = validate_dataset(example_store(example), focus_nodes=focus)
    assert violation_pairs(report) == expected, report.to_text()


def test_every_example_file_is_named_pass_or_fail() -> None:
    assert EXAMPLES, "no shape examples found"
    odd = [p.name for p in EXAMPLES if not p.name.startswith(("pass-", "fail-"))]
    assert not odd


def named_shapes() -> set[rdflib.URIRef]:
    graph = load_shapes()
    shapes = {s for s in graph.subjects(RDF.type, SH.NodeShape) if isinstance(s, rdflib.URIRef)}
    shapes |= {s for s in graph.subjects(RDF.type, SH.PropertyShape) if isinstance(s, rdflib.URIRef)}
    return shapes


def test_every_shape_has_a_conforming_and_a_violating_example() -> None:
    """A node shape's examples sit in the folder named after it; every named shape (node or
    property) is the expected source of at least one violating example."""
    graph = load_shapes()
    folders = {p.parent.name for p in EXAMPLES}
    node_shapes = {s for s in graph.subjects(RDF.type, SH.NodeShape) if isinstance(s, rdflib.URIRef)}
    missing_folders = []
    for shape in node_shapes:
        local = str(shape).rsplit("/", 1)[-1]
        files = [p.name for p in EXAMPLES if p.parent.name == local]
        if not any(f.startswith("pass-") for f in files) or not any(f.startswith("fail-") for f in files):
            missing_folders.append(local)
    assert not missing_folders, f"node shapes without pass and fail examples: {sorted(missing_folders)}"
    expected_shapes = {shape for p in EXAMPLES for _, shape in expectations(p)}
    # a node shape is exercised when it, or one of its named property shapes, is an expected source
    exercised = set(expected_shapes)
    for shape in node_shapes:
        if set(graph.objects(shape, SH.property)) & expected_shapes:
            exercised.add(shape)
    never_failed = sorted(str(s).rsplit("/", 1)[-1] for s in named_shapes() - exercised)
    assert not never_failed, f"shapes no violating example exercises: {never_failed}"
    assert folders <= {str(s).rsplit("/", 1)[-1] for s in node_shapes}, "example folder with no such shape"


def test_every_targeted_shape_has_an_iri_and_a_message_or_comment() -> None:
    graph = load_shapes()
    for shape in named_shapes():
        assert graph.value(shape, rdflib.RDFS.comment) or graph.value(shape, SH.message) or graph.value(
            shape, SH.description
        ), f"{shape} says nowhere what it checks"


def test_shapes_conform_to_the_shacl_shapes_for_shacl() -> None:
    """shapes/ is itself valid SHACL, checked against the W3C's SHACL-SHACL shapes (which pyshacl
    ships: the IRI resolves to its bundled copy, nothing is fetched)."""
    conforms, _, text = pyshacl.validate(
        load_shapes(), shacl_graph="http://www.w3.org/ns/shacl-shacl", inference="none"
    )
    assert conforms, text


# --- the shipped data ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bundled_store() -> ox.Store:
    store = ox.Store()
    load_into_store(store, bundled_sources())
    return store


def test_shipped_data_conforms(bundled_store: ox.Store) -> None:
    if not any(source.graph is None for source in bundled_sources()):
        pytest.fail("no data files under data/")
    report = validate_dataset(bundled_store)
    assert report.conforms, report.to_text()
    assert not report.results, report.to_text()


def test_every_class_with_instances_in_the_data_has_a_shape(bundled_store: ox.Store) -> None:
    """At least one node shape targets each class the shipped data has instances of."""
    shapes = load_loaded_shapes()
    targeted = set().union(*(t.classes for t in shapes.targets))
    rows = bundled_store.query(
        "SELECT DISTINCT ?c WHERE { ?x a ?c FILTER(!STRSTARTS(STR(?c), 'http://www.w3.org/2002/07/owl#')) }",
        use_default_graph_as_union=True,
    )
    classes = {rdflib.URIRef(row["c"].value) for row in rows}
    untargeted = sorted(str(c) for c in classes - targeted)
    assert not untargeted, f"classes with instances but no shape targeting them directly: {untargeted}"


# --- focus-node (incremental) validation --------------------------------------------------------


def test_focus_mode_validates_only_the_given_nodes() -> None:
    """A dataset full of violations: focusing on one good node reports nothing, on one bad node only its own."""
    bad = [p for p in EXAMPLES if p.name.startswith("fail-")]
    store = example_store(*bad)
    full = validate_dataset(store)
    assert len({r.focus_node for r in full.violations}) > 1
    flagged = {r.focus_node for r in full.violations}
    candidates = [rdflib.URIRef(PREFIXES["bkgr"] + name) for name in ("china", "brics", "article-author")]
    good = next(node for node in candidates if node not in flagged)
    assert validate_dataset(store, focus_nodes=[good]).conforms
    one_bad = sorted({r.focus_node for r in full.violations if isinstance(r.focus_node, rdflib.URIRef)}, key=str)[0]
    focused = validate_dataset(store, focus_nodes=[one_bad])
    assert {r.focus_node for r in focused.results} == {one_bad}
    assert violation_pairs(focused) == {pair for pair in violation_pairs(full) if pair[0] == one_bad}


def test_focus_mode_never_enumerates_shape_targets(monkeypatch: pytest.MonkeyPatch) -> None:
    """The cost of a focused run must not grow with the data: pyshacl's target enumeration (which
    scans every instance of every targeted class) is never called."""
    store = example_store(*[p for p in EXAMPLES if p.name.startswith("fail-")])
    focus = {f for p in EXAMPLES if p.name.startswith("fail-") for f, _ in expectations(p)}

    def refuse(*args, **kwargs):
        raise AssertionError("target enumeration over the whole data graph in focus mode")

    monkeypatch.setattr(pyshacl.shape.Shape, "focus_nodes", refuse)
    report = validate_dataset(store, focus_nodes=focus)
    assert not report.conforms


def test_focus_on_a_blank_node_validates_its_named_owner() -> None:
    store = example_store()
    blank = ox.BlankNode("lonely")
    owner = ox.NamedNode(PREFIXES["bkgr"] + "russia")
    store.add(ox.Quad(owner, ox.NamedNode("http://example.org/has"), blank, ox.DefaultGraph()))
    report = validate_dataset(store, focus_nodes=[rdflib.BNode("lonely")])
    assert report.conforms
    assert "1 focus node" in report.checks["shacl"]


def test_affected_nodes_are_the_changed_terms_and_their_referrers() -> None:
    store = ox.Store()
    ex = "http://example.org/"
    n = lambda local: ox.NamedNode(ex + local)  # noqa: E731
    store.extend(
        [
            ox.Quad(n("claim"), n("derivedFrom"), n("sentence"), ox.DefaultGraph()),
            ox.Quad(n("sentence"), n("hasSelector"), n("selector"), ox.DefaultGraph()),
            ox.Quad(n("selector"), n("exact"), ox.Literal("quote"), ox.DefaultGraph()),
            ox.Quad(n("selector"), RDF_TYPE, n("Selector"), ox.DefaultGraph()),
            ox.Quad(n("other"), RDF_TYPE, n("Selector"), ox.DefaultGraph()),
            ox.Quad(n("x"), n("p"), n("y"), n("g")),
        ]
    )
    changed = [ox.Quad(n("selector"), n("exact"), ox.Literal("quote"), ox.DefaultGraph()),
               ox.Quad(n("selector"), RDF_TYPE, n("Selector"), ox.DefaultGraph()),
               ox.Quad(n("x"), n("p"), n("y"), n("g"))]
    found = {str(node).removeprefix(ex) for node in affected_focus_nodes(store, changed)}
    # not the class, not "other"; and the dataset node, whose rules see every write
    assert found == {"selector", "sentence", "claim", "x", "y", "g", str(DATASET_NODE)}


RDF_TYPE = ox.NamedNode(str(RDF.type))


def test_a_new_duplicate_code_re_validates_the_state_that_already_had_it() -> None:
    """Uniqueness spans nodes: the write only touches Iran, yet Russia (same code) is affected too,
    and focus-mode validation of the affected nodes reports both."""
    store = example_store()
    iran = ox.NamedNode(PREFIXES["bkgr"] + "iran")
    reference = ox.NamedNode("https://w3id.org/bricskg/graph/reference")
    written = [
        ox.Quad(iran, RDF_TYPE, ox.NamedNode(PREFIXES["bkg"] + "State"), reference),
        ox.Quad(iran, ox.NamedNode(str(rdflib.RDFS.label)), ox.Literal("Iran", language="en"), reference),
        ox.Quad(iran, ox.NamedNode(PREFIXES["bkg"] + "iso3166Alpha2"), ox.Literal("IR"), reference),
        ox.Quad(iran, ox.NamedNode(PREFIXES["bkg"] + "iso3166Alpha3"), ox.Literal("RUS"), reference),
        ox.Quad(iran, ox.NamedNode(PREFIXES["bkg"] + "wikidataItem"), ox.NamedNode("http://www.wikidata.org/entity/Q794"), reference),
    ]
    store.extend(written)
    focus = affected_focus_nodes(store, written)
    russia = rdflib.URIRef(PREFIXES["bkgr"] + "russia")
    assert russia in focus
    report = validate_dataset(store, focus_nodes=focus)
    assert {r.focus_node for r in report.violations} == {russia, rdflib.URIRef(iran.value)}


# --- the shapes cache ---------------------------------------------------------------------------


def test_load_shapes_is_cached_until_a_file_changes(tmp_path: Path) -> None:
    assert load_shapes() is load_shapes()
    folder = tmp_path / "shapes"
    folder.mkdir()
    (folder / "one.ttl").write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> . <http://example.org/S> a sh:NodeShape .\n", encoding="utf-8"
    )
    first = load_shapes(folder)
    assert load_shapes(folder) is first
    (folder / "two.ttl").write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> . <http://example.org/T> a sh:NodeShape .\n", encoding="utf-8"
    )
    second = load_shapes(folder)
    assert second is not first and len(second) == 2


def test_shapes_folder_is_the_bundled_one() -> None:
    assert load_loaded_shapes().files == tuple(sorted(shapes_dir().glob("*.ttl")))


def test_an_rdflib_dataset_validates_like_the_store() -> None:
    """Callers holding rdflib objects get the same verdict as the Store path (quads and graph names kept)."""
    example = EXAMPLES_DIR / "ClaimShape" / "fail-claim-records.trig"
    dataset = rdflib.Dataset()
    for source in ontology_sources():
        dataset.graph(rdflib.URIRef(source.graph)).parse(source.path, format="turtle")
    dataset.parse(CONTEXT, format="trig")
    dataset.parse(example, format="trig")
    from_rdflib = validate_dataset(dataset)
    assert violation_pairs(from_rdflib) == expectations(example), from_rdflib.to_text()


def test_data_without_the_ontology_is_validated_with_it_and_left_untouched() -> None:
    """Class targets need the ontology's subclass axioms; a caller's store lacking them is not modified."""
    store = ox.Store()
    load_into_store(store, [SourceFile(CONTEXT, None)])
    store.extend(example_quads(EXAMPLES_DIR / "StateShape" / "fail-malformed-codes.trig"))
    size = len(store)
    report = validate_dataset(store)
    assert violation_pairs(report) == expectations(EXAMPLES_DIR / "StateShape" / "fail-malformed-codes.trig")
    assert len(store) == size


# ── What validation must not cost (pyshacl 0.40 internals; no timing) ───────────────────────


def fresh_bundled_store() -> ox.Store:
    store = ox.Store()
    load_into_store(store, bundled_sources())
    return store


def test_validation_never_counts_the_data_graph(monkeypatch: pytest.MonkeyPatch) -> None:
    """pyshacl takes ``datagraph or sg`` for every candidate result; the truth value of its data graph
    was len(), a COUNT over the whole store per result. Counting now fails the run."""
    from pyshacl.graph_abstraction import OxigraphDataGraph

    def refuse(*_args, **_kwargs):
        raise AssertionError("pyshacl counted the whole data graph")

    monkeypatch.setattr(OxigraphDataGraph, "__len__", refuse)
    store = fresh_bundled_store()
    store.add(ox.Quad(ox.NamedNode("https://w3id.org/bricskg/id/brazil"),
                      ox.NamedNode("https://w3id.org/bricskg/ontology/iso3166Alpha2"),
                      ox.Literal("br"), ox.NamedNode("https://w3id.org/bricskg/graph/reference")))
    report = validate_dataset(store, focus_nodes=["https://w3id.org/bricskg/id/brazil"])
    assert not report.conforms  # results were built, without counting the graph


def test_a_conforming_text_segment_builds_no_discarded_results(monkeypatch: pytest.MonkeyPatch) -> None:
    """Qualified value shapes tested each selector against both selector classes and built a full
    result for every miss; the selector rules now yield rows only for real violations."""
    from pyshacl.constraints.constraint_component import ConstraintComponent

    built: list[object] = []
    original = ConstraintComponent.make_v_result_description

    def counting(self, *args, **kwargs):
        built.append(self)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(ConstraintComponent, "make_v_result_description", counting)
    report = validate_dataset(fresh_bundled_store(), focus_nodes=["https://w3id.org/bricskg/source/article/s01"])
    assert report.conforms, report.to_text()
    assert built == []


def test_a_write_pointing_at_a_hub_does_not_re_validate_what_else_points_at_it() -> None:
    """A new node mentioning Russia changes Russia's inverse paths (Russia is re-validated), not what
    Russia's other referrers see; and a triple restated in another graph leaves the union unchanged."""
    store = fresh_bundled_store()
    russia = ox.NamedNode(PREFIXES["bkgr"] + "russia")
    new = ox.NamedNode(PREFIXES["bkgr"] + "new-note")
    mention = ox.Quad(new, ox.NamedNode(str(rdflib.RDFS.seeAlso)), russia, ox.NamedNode("https://w3id.org/bricskg/graph/reference"))
    label = next(store.quads_for_pattern(russia, ox.NamedNode(str(rdflib.RDFS.label)), None, None))
    restated = ox.Quad(russia, label.predicate, label.object, ox.NamedNode("https://w3id.org/bricskg/claim/a-new-claim"))
    store.extend([mention, restated])
    focus = affected_focus_nodes(store, [mention, restated])
    assert focus == {rdflib.URIRef(new.value), rdflib.URIRef(russia.value),
                     rdflib.URIRef("https://w3id.org/bricskg/graph/reference"),
                     rdflib.URIRef("https://w3id.org/bricskg/claim/a-new-claim"), DATASET_NODE}
