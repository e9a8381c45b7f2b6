"""The ontology is a self-contained OWL 2 DL document that declares every term the data uses."""

from __future__ import annotations

from collections import defaultdict

import pytest
import rdflib
from rdflib import OWL, RDF, RDFS, XSD, Literal, URIRef
from rdflib.namespace import DCTERMS, SKOS, TIME, VANN

from bricskg.dataset import ONTOLOGY_GRAPH, load_rdflib_dataset
from bricskg.paths import ontology_dir
from bricskg.vocab import BKG, ONTOLOGY_IRI

NS = str(BKG._NS)
OWL_DECLARATIONS = {
    OWL.Class: "class",
    OWL.ObjectProperty: "object property",
    OWL.DatatypeProperty: "datatype property",
    OWL.AnnotationProperty: "annotation property",
}
# Vocabulary that needs no declaration in an OWL 2 document.
BUILT_INS = {RDF.type, RDFS.label, RDFS.comment, RDFS.seeAlso}
# The datatypes of the OWL 2 datatype map that the data uses.
OWL2_DATATYPES = {XSD.string, XSD.decimal, XSD.integer, XSD.positiveInteger, XSD.nonNegativeInteger,
                  XSD.boolean, RDF.langString}
# OWL-Time prescribes XSD calendar datatypes that are outside the OWL 2 datatype map. They may
# appear only as values of these properties, which no axiom mentions (the reasoner drops them).
OWL_TIME_POSITIONS = {TIME.inXSDgYear: XSD.gYear, TIME.inXSDgYearMonth: XSD.gYearMonth, TIME.inXSDDate: XSD.date}
DEFINED_CLASSES = [BKG.MemberState, BKG.FoundingMemberState, BKG.ExpansionMemberState,
                   BKG.FoundingMembership, BKG.ExpansionMembership]


@pytest.fixture(scope="module")
def ontology() -> rdflib.Graph:
    return rdflib.Graph().parse(ontology_dir() / "bricskg.ttl", format="turtle")


@pytest.fixture(scope="module")
def dataset() -> rdflib.Dataset:
    return load_rdflib_dataset()


@pytest.fixture(scope="module")
def data_quads(dataset: rdflib.Dataset) -> list[tuple]:
    return [quad for quad in dataset.quads((None, None, None, None)) if str(quad[3]) != ONTOLOGY_GRAPH]


def our_terms(ontology: rdflib.Graph) -> set[URIRef]:
    return {s for s in ontology.subjects() if isinstance(s, URIRef) and str(s).startswith(NS)}


def test_header_carries_version_licence_and_preferred_prefix(ontology: rdflib.Graph) -> None:
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in ontology
    assert ontology.value(ONTOLOGY_IRI, OWL.versionIRI) == URIRef(str(ONTOLOGY_IRI) + "/0.2.0")
    assert ontology.value(ONTOLOGY_IRI, OWL.priorVersion) == URIRef(str(ONTOLOGY_IRI) + "/0.1.0")
    assert ontology.value(ONTOLOGY_IRI, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    for field in (DCTERMS.title, DCTERMS.description, DCTERMS.creator, DCTERMS.created, DCTERMS.modified):
        assert ontology.value(ONTOLOGY_IRI, field) is not None, field
    assert str(ontology.value(ONTOLOGY_IRI, VANN.preferredNamespacePrefix)) == "bkg"
    assert str(ontology.value(ONTOLOGY_IRI, VANN.preferredNamespaceUri)) == NS


def test_ontology_imports_nothing_remote(ontology: rdflib.Graph) -> None:
    assert list(ontology.objects(ONTOLOGY_IRI, OWL.imports)) == []


def test_every_term_has_one_english_label_definition_and_defining_ontology(ontology: rdflib.Graph) -> None:
    for term in our_terms(ontology):
        labels = list(ontology.objects(term, RDFS.label))
        definitions = list(ontology.objects(term, SKOS.definition))
        assert len(labels) == 1 and labels[0].language == "en", f"{term}: needs one rdfs:label@en"
        assert len(definitions) == 1 and definitions[0].language == "en", f"{term}: needs one skos:definition@en"
        assert (term, RDFS.isDefinedBy, ONTOLOGY_IRI) in ontology, f"{term}: needs rdfs:isDefinedBy"


def test_every_term_of_ours_is_declared(ontology: rdflib.Graph) -> None:
    mentioned = {t for triple in ontology for t in triple if isinstance(t, URIRef) and str(t).startswith(NS)}
    for version in (OWL.versionIRI, OWL.priorVersion):  # .../ontology/0.2.0 is no term
        mentioned -= set(ontology.objects(ONTOLOGY_IRI, version))
    declared = set(ontology.subjects(RDF.type, OWL.NamedIndividual))
    for kind in OWL_DECLARATIONS:
        declared |= set(ontology.subjects(RDF.type, kind))
    assert mentioned - declared == set()


def test_no_iri_is_declared_as_two_kinds_of_entity(ontology: rdflib.Graph) -> None:
    """OWL 2 DL forbids a property being both object and datatype (or annotation) property."""
    kinds = defaultdict(set)
    for kind, name in {**OWL_DECLARATIONS, OWL.NamedIndividual: "individual"}.items():
        for subject in ontology.subjects(RDF.type, kind):
            kinds[subject].add(name)
    clashes = {str(s): k for s, k in kinds.items() if len(k) > 1}
    assert clashes == {}


def test_defined_classes_have_equivalent_class_definitions(ontology: rdflib.Graph) -> None:
    for cls in DEFINED_CLASSES:
        assert ontology.value(cls, OWL.equivalentClass) is not None, cls


def test_every_term_the_data_uses_is_declared(ontology: rdflib.Graph, data_quads: list[tuple]) -> None:
    declared = {s for kind in OWL_DECLARATIONS for s in ontology.subjects(RDF.type, kind)}
    used_predicates = {p for _, p, _, _ in data_quads} - BUILT_INS
    used_classes = {o for _, p, o, _ in data_quads if p == RDF.type}
    assert used_predicates - declared == set(), "predicates used in data/ but not declared"
    assert used_classes - declared == set(), "classes used in data/ but not declared"


def test_data_respects_object_and_datatype_property_kinds(ontology: rdflib.Graph, data_quads: list[tuple]) -> None:
    object_properties = set(ontology.subjects(RDF.type, OWL.ObjectProperty))
    datatype_properties = set(ontology.subjects(RDF.type, OWL.DatatypeProperty))
    wrong = [(s, p, o) for s, p, o, _ in data_quads
             if (p in object_properties and isinstance(o, Literal))
             or (p in datatype_properties and not isinstance(o, Literal))]
    assert wrong == []


def test_literals_use_owl2_datatypes_except_owl_time_positions(data_quads: list[tuple]) -> None:
    for _, p, o, _ in data_quads:
        if not isinstance(o, Literal):
            continue
        datatype = o.datatype or (RDF.langString if o.language else XSD.string)
        if p in OWL_TIME_POSITIONS:
            assert datatype == OWL_TIME_POSITIONS[p], (p, o)
        else:
            assert datatype in OWL2_DATATYPES, (p, o)


def test_data_never_asserts_the_inferred_classes(data_quads: list[tuple]) -> None:
    """The reasoner must earn these types from the memberships; asserting them would fake it."""
    asserted = {(s, o) for s, p, o, _ in data_quads if p == RDF.type and o in DEFINED_CLASSES}
    assert asserted == set()


# ── OWL 2 DL profile, checked by the OWL API that ships inside owlready2's HermiT.jar ─────────

DL_PROFILE_CHECK = """
import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.model.*;
import org.semanticweb.owlapi.profiles.*;
import java.io.File;
public class DLProfileCheck {
  public static void main(String[] args) throws Exception {
    OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
    OWLOntology ontology = manager.loadOntologyFromOntologyDocument(new File(args[0]));
    OWLProfileReport report = new OWL2DLProfile().checkOntology(ontology);
    for (OWLProfileViolation violation : report.getViolations()) System.out.println("VIOLATION " + violation);
    System.out.println("AXIOMS " + ontology.getAxiomCount());
  }
}
"""


@pytest.mark.slow
def test_ontology_and_data_are_in_the_owl2_dl_profile(dataset: rdflib.Dataset, tmp_path) -> None:
    """Needs a JDK (the single-file source launcher compiles the check); skipped with a JRE only."""
    import shutil
    import subprocess
    from pathlib import Path

    import owlready2

    java = shutil.which("java")
    jar = Path(owlready2.__file__).parent / "hermit" / "HermiT.jar"
    if java is None or not jar.exists():
        pytest.skip("no java executable or no HermiT.jar (owlready2) to run the OWL API profile check")
    merged = rdflib.Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        merged.add((s, p, o))
    document = tmp_path / "ontology-and-data.nt"
    merged.serialize(document, format="nt", encoding="utf-8")
    source = tmp_path / "DLProfileCheck.java"
    source.write_text(DL_PROFILE_CHECK, encoding="utf-8")
    run = subprocess.run([java, "-cp", str(jar), str(source), str(document)],
                         capture_output=True, text=True, timeout=300)
    if run.returncode != 0 and "compiler" in run.stderr.lower() and "AXIOMS" not in run.stdout:
        pytest.skip(f"java cannot compile the check (a JRE without javac?): {run.stderr.strip()[:200]}")
    assert run.returncode == 0, run.stderr[-2000:]
    violations = [line for line in run.stdout.splitlines() if line.startswith("VIOLATION")]
    assert violations == []
    assert int(run.stdout.split("AXIOMS ")[1].split()[0]) > 1000  # the data really was loaded
