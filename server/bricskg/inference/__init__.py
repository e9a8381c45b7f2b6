"""The entailment regime bricskg serves: RDFS plus the OWL 2 RL rules its ontology needs.

The entailments of the data (under the ontology's axioms) are materialised into one named graph,
``INFERRED_GRAPH``, which is part of the default union like every other graph: a naive query such
as ``?a bkg:party bkgr:iran`` or ``?i a bkg:AIInitiative`` finds what the ontology entails, and
``GRAPH <…/graph/inferred>`` (or ``FROM``/``default-graph-uri`` naming the other graphs) tells
inferred from stated. The graph holds only triples no other graph states, so a triple is never both.

Modules: ``schema`` compiles the axioms; ``rules`` holds one function per rule; ``closure`` computes
a full materialisation; ``maintenance`` keeps it up to date on writes (semi-naive for insertions,
delete-and-rederive for deletions); ``hermit`` adds what HermiT entails beyond the rules.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

import pyoxigraph as ox

from bricskg.config import BASE_IRI

if TYPE_CHECKING:  # pragma: no cover
    from bricskg.inference.terms import Terms

INFERRED_GRAPH = BASE_IRI + "graph/inferred"
INFERRED = ox.NamedNode(INFERRED_GRAPH)

# Declared in the service description (sd:defaultEntailmentRegime) and VoID.
ENTAILMENT_RDFS = "http://www.w3.org/ns/entailment/RDFS"
ENTAILMENT_OWL_RL = "http://www.w3.org/ns/entailment/OWL-RDF-Based"
REGIME_NOTE = (
    "RDFS entailment (rdfs2, rdfs3, rdfs5, rdfs7, rdfs9, rdfs11) plus the OWL 2 RL/RDF rules prp-spo1, prp-eqp, "
    "prp-inv1/2, prp-symp, prp-trp, prp-dom, prp-rng, cax-sco, cax-eqc, cls-int1/2, cls-svf1/2, cls-hv1/2 "
    "(no owl:sameAs, no consistency rules, no datatype or axiomatic triples), materialised into the named graph "
    f"<{INFERRED_GRAPH}>, which the default graph includes; that graph holds only triples no other graph states. "
    "Maintained on every write."
)


@dataclass(frozen=True)
class MaterialiseReport:
    """What a full materialisation did, for logs, /health and the benchmark."""

    inferred: int
    explicit_inputs: int
    seconds: float
    hermit: str = "not run"


def materialise(store: ox.Store, *, hermit: bool = False) -> MaterialiseReport:
    """Replace the inferred graph of ``store`` with the entailments of everything else in it; with
    ``hermit``, add the class memberships HermiT entails beyond the rules (``bricskg.inference.hermit``)."""
    from bricskg.inference.closure import entailments

    began = time.perf_counter()
    store.remove_graph(INFERRED)
    result = entailments(store, exclude_graph=INFERRED)
    inferred = set(result.inferred)
    summary = "not run"
    if hermit:
        from bricskg.inference.hermit import hermit_memberships

        memberships, summary = hermit_memberships(store, INFERRED)
        beyond = {t for t in memberships - inferred if not _stated(store, t)}
        inferred |= beyond
        summary += f"; {len(beyond)} membership(s) beyond the rules"
    write_inferred(store, inferred, result.terms)
    return MaterialiseReport(len(inferred), result.explicit_inputs, time.perf_counter() - began, summary)


def _stated(store: ox.Store, triple: "tuple[str, str, str]") -> bool:
    s, p, o = (ox.NamedNode(t[1:-1]) for t in triple)
    return next(store.quads_for_pattern(s, p, o, None), None) is not None


def write_inferred(store: ox.Store, triples: "Iterable[tuple[str, str, str]]", terms: "Terms") -> None:
    """Add text triples to the inferred graph: parsed in bulk by Oxigraph (one transaction), except
    those naming a blank node, which go in as the store's own term (parsing would rename it)."""
    lines: list[str] = []
    blank: list[ox.Quad] = []
    graph = f"<{INFERRED_GRAPH}>"
    for s, p, o in triples:
        if s[0] == "_" or o[0] == "_":
            blank.append(ox.Quad(terms.term(s), terms.term(p), terms.term(o), INFERRED))
        else:
            lines.append(f"{s} {p} {o} {graph} .\n")
    if lines:
        store.load("".join(lines).encode("utf-8"), format=ox.RdfFormat.N_QUADS)
    if blank:
        store.extend(blank)


def is_inferred_graph(graph: object) -> bool:
    return isinstance(graph, ox.NamedNode) and graph.value == INFERRED_GRAPH
