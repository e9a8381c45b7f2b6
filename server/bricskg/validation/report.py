"""The validation report every check returns, and its text, JSON and Turtle renderings.

SHACL results (from pyshacl) and reasoner results (from HermiT) share one model, so the CLI, the
write path (422 bodies) and the tests read one structure whatever found the problem. The Turtle
form is a standard ``sh:ValidationReport`` so that SHACL tooling can consume it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Iterable, Literal as Kind

import rdflib
from rdflib.namespace import RDF, SH, XSD

from bricskg.config import BASE_IRI

SHAPES = rdflib.Namespace(BASE_IRI + "shapes/")

# The pseudo-shape a reasoner result names as its source: HermiT checks the OWL axioms, which are
# not SHACL shapes, but a result must say what raised it.
REASONER_SHAPE = SHAPES["OwlConsistency"]
REASONER_COMPONENT = SHAPES["OwlConsistencyComponent"]

Severity = Kind["Violation", "Warning", "Info"]
SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}

# Prefixes used to shorten IRIs in the text report and to pretty-print the Turtle report.
PREFIXES: dict[str, str] = {
    "bkg": BASE_IRI + "ontology/",
    "bkgr": BASE_IRI + "id/",
    "claim": BASE_IRI + "claim/",
    "src": BASE_IRI + "source/",
    "sent": BASE_IRI + "source/article/",
    "graph": BASE_IRI + "graph/",
    "bkgsh": str(SHAPES),
    "sh": str(SH),
    "rdf": str(RDF),
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": str(XSD),
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "oa": "http://www.w3.org/ns/oa#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "schema": "https://schema.org/",
    "time": "http://www.w3.org/2006/time#",
    "wd": "http://www.wikidata.org/entity/",
}


def compact(term: rdflib.term.Node | None) -> str:
    """A short, still unambiguous spelling of a term for people: prefixed name, <IRI>, _:b or literal."""
    if term is None:
        return ""
    if isinstance(term, rdflib.URIRef):
        iri = str(term)
        for prefix, namespace in sorted(PREFIXES.items(), key=lambda item: -len(item[1])):
            local = iri[len(namespace):]
            if iri.startswith(namespace) and local and all(c.isalnum() or c in "-_." for c in local):
                return f"{prefix}:{local}"
        return f"<{iri}>"
    if isinstance(term, rdflib.BNode):
        return f"_:{term}"
    if isinstance(term, rdflib.Literal):
        return term.n3()
    return str(term)


def machine_form(term: rdflib.term.Node | None) -> str | None:
    """The spelling used in JSON: a full IRI, ``_:label`` for a blank node, N-Triples for a literal."""
    if term is None:
        return None
    if isinstance(term, rdflib.URIRef):
        return str(term)
    if isinstance(term, rdflib.BNode):
        return f"_:{term}"
    return term.n3()


@dataclass(frozen=True)
class ValidationResult:
    """One problem: which node, along which path, what is wrong, which shape (or reasoner) says so."""

    focus_node: rdflib.term.Node
    message: str
    source_shape: rdflib.term.Node
    severity: Severity = "Violation"
    path: str | None = None  # SPARQL property-path spelling of sh:resultPath
    value: rdflib.term.Node | None = None
    constraint_component: rdflib.term.Node | None = None
    source_constraint: rdflib.term.Node | None = None  # a named sh:sparql constraint, when one fired
    checker: Kind["shacl", "reasoner", "selectors"] = "shacl"
    # the triples describing a complex sh:resultPath (blank-node lists), kept for the Turtle report;
    # left out of equality: the same problem found twice has differently labelled path copies
    path_node: rdflib.term.Node | None = field(default=None, compare=False)
    path_triples: tuple[tuple[rdflib.term.Node, rdflib.term.Node, rdflib.term.Node], ...] = field(
        default=(), compare=False
    )

    def sort_key(self) -> tuple[int, str, str, str, str]:
        return (
            SEVERITY_ORDER[self.severity],
            str(self.focus_node),
            str(self.source_shape),
            self.path or "",
            self.message,
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "focusNode": machine_form(self.focus_node),
            "resultPath": self.path,
            "resultMessage": self.message,
            "value": machine_form(self.value),
            "sourceShape": machine_form(self.source_shape),
            "sourceConstraintComponent": machine_form(self.constraint_component),
            "sourceConstraint": machine_form(self.source_constraint),
            "resultSeverity": self.severity,
            "checker": self.checker,
        }


@dataclass
class ValidationReport:
    """The outcome of a validation run. ``conforms`` is False when any result is a Violation."""

    results: list[ValidationResult] = field(default_factory=list)
    checks: dict[str, str] = field(default_factory=dict)  # what ran, e.g. {"shacl": "...", "reasoner": "..."}

    def __post_init__(self) -> None:
        self.results = sorted(set(self.results), key=ValidationResult.sort_key)

    @property
    def conforms(self) -> bool:
        return not any(result.severity == "Violation" for result in self.results)

    @property
    def violations(self) -> list[ValidationResult]:
        return [result for result in self.results if result.severity == "Violation"]

    def merged(self, other: "ValidationReport") -> "ValidationReport":
        return ValidationReport(self.results + other.results, {**self.checks, **other.checks})

    def results_for(self, focus_node: rdflib.term.Node) -> list[ValidationResult]:
        return [result for result in self.results if result.focus_node == focus_node]

    # --- renderings -------------------------------------------------------------------------

    def to_json(self) -> str:
        document = {
            "conforms": self.conforms,
            "checks": dict(sorted(self.checks.items())),
            "violations": len(self.violations),
            "results": [result.to_dict() for result in self.results],
        }
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"

    def to_graph(self) -> rdflib.Graph:
        """The report as a SHACL ``sh:ValidationReport`` graph, with stable blank-node labels."""
        graph = rdflib.Graph()
        for prefix, namespace in PREFIXES.items():
            graph.bind(prefix, namespace)
        report = rdflib.BNode("report")
        graph.add((report, RDF.type, SH.ValidationReport))
        graph.add((report, SH.conforms, rdflib.Literal(self.conforms)))
        for index, result in enumerate(self.results):
            node = rdflib.BNode(f"result{index}")
            graph.add((report, SH.result, node))
            graph.add((node, RDF.type, SH.ValidationResult))
            graph.add((node, SH.focusNode, result.focus_node))
            graph.add((node, SH.resultMessage, rdflib.Literal(result.message)))
            graph.add((node, SH.resultSeverity, SH[result.severity]))
            graph.add((node, SH.sourceShape, result.source_shape))
            if result.constraint_component is not None:
                graph.add((node, SH.sourceConstraintComponent, result.constraint_component))
            if result.source_constraint is not None:
                graph.add((node, SH.sourceConstraint, result.source_constraint))
            if result.value is not None:
                graph.add((node, SH.value, result.value))
            if result.path_node is not None:
                graph.add((node, SH.resultPath, result.path_node))
                for triple in result.path_triples:
                    graph.add(triple)
        return graph

    def to_turtle(self) -> str:
        return self.to_graph().serialize(format="turtle")

    def to_text(self) -> str:
        """What a person reads in a terminal: one block per result, the verdict last."""
        lines: list[str] = []
        for result in self.results:
            lines.append(f"{result.severity}: {compact(result.focus_node)}")
            if result.path:
                lines.append(f"  path:    {result.path}")
            lines.append(f"  message: {result.message}")
            if result.value is not None:
                lines.append(f"  value:   {compact(result.value)}")
            component = f" ({compact(result.constraint_component)})" if result.constraint_component else ""
            if result.source_constraint is not None:
                component += f" [{compact(result.source_constraint)}]"
            lines.append(f"  shape:   {compact(result.source_shape)}{component}")
            lines.append("")
        for name, summary in sorted(self.checks.items()):
            lines.append(f"{name}: {summary}")
        warnings = len(self.results) - len(self.violations)
        verdict = "conforms" if self.conforms else "does NOT conform"
        lines.append(f"Result: {verdict} ({len(self.violations)} violation(s), {warnings} warning(s)/info)")
        return "\n".join(lines) + "\n"


def report_from(results: Iterable[ValidationResult], **checks: str) -> ValidationReport:
    return ValidationReport(list(results), dict(checks))
