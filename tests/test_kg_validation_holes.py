"""What the gate must refuse at every entry (``validate --data``, ``load``; HTTP writes are pinned in
test_write_bundled_shapes.py), and what any standard engine must accept.

* a fact with no claim and no provenance (a triple in the default graph), a graph outside the
  layout, an untyped node in the reference graph;
* misspelled vocabulary (a property or class declared nowhere);
* ill-typed literals and characters XML 1.0 forbids;
* the published files, and a dump of a store that took writes, under pySHACL over plain rdflib
  (no Oxigraph, which rewrites derived integer datatypes on load).
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pyshacl
import pytest
import rdflib
from click.testing import CliRunner

from bricskg.cli import main
from bricskg.dataset import ONTOLOGY_GRAPH, open_memory_store
from bricskg.paths import data_dir, ontology_dir
from bricskg.validation import load_shapes, validate_dataset

# rdflib warns on every graph its SPARQL engine visits (Dataset.contexts is deprecated): hundreds of
# thousands of warnings that pytest would record one by one
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

PREFIXES = """@prefix bkg: <https://w3id.org/bricskg/ontology/> .
@prefix bkgr: <https://w3id.org/bricskg/id/> .
@prefix graph: <https://w3id.org/bricskg/graph/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix time: <http://www.w3.org/2006/time#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""

REFUSED = {
    # a fact with no claim, no sentence, no modality
    "bare_default_graph_triple": ("bare.ttl", "bkgr:iran bkg:trend bkg:trendIntensifying .", "NoTripleInTheDefaultGraph"),
    "graph_outside_the_layout": ("elsewhere.trig", "<https://example.org/g> { bkgr:iran skos:altLabel \"Persia\"@en . }", "OnlyKnownGraphs"),
    "untyped_reference_node": ("untyped.trig", "graph:reference { bkgr:atlantis rdfs:label \"Atlantis\"@en . }", "ReferenceNodesAreTyped"),
    # misspelled vocabulary
    "misspelled_property": ("bye.trig", "graph:reference { bkgr:iran bkg:signedBye bkgr:russia . }", "DeclaredPredicates"),
    "misspelled_class": ("sate.trig", "graph:reference { bkgr:iran a bkg:Sate . }", "DeclaredClasses"),
    # ill-typed and unserialisable literals
    "ill_typed_year": (
        "twenty.trig",
        "graph:reference { bkgr:year-twenty a time:Instant ; rdfs:label \"twenty\"@en ; time:inXSDgYear \"twenty\"^^xsd:gYear . }",
        "WellFormedLiterals",
    ),
    "label_with_u0001": ("u0001.trig", "graph:reference { bkgr:iran skos:altLabel \"Ir\\u0001an\"@en . }", "XmlCharactersOnly"),
    "label_with_u0000": ("u0000.trig", "graph:reference { bkgr:iran skos:altLabel \"Ir\\u0000an\"@en . }", "XmlCharactersOnly"),
    "label_with_uffff": ("uffff.trig", "graph:reference { bkgr:iran skos:altLabel \"Iran\\uFFFF\"@en . }", "XmlCharactersOnly"),
}


def write_case(folder: Path, name: str) -> Path:
    filename, body, _ = REFUSED[name]
    path = folder / filename
    path.write_text(PREFIXES + body + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_validate_data_refuses_it_with_the_rule_that_fired(tmp_path: Path, name: str) -> None:
    result = CliRunner().invoke(main, ["validate", "--no-reasoner", "--data", str(write_case(tmp_path, name))])
    assert result.exit_code == 1, result.output
    assert f"[bkgsh:{REFUSED[name][2]}]" in result.output, result.output


@pytest.mark.parametrize("name", ["bare_default_graph_triple", "misspelled_class", "label_with_u0000", "untyped_reference_node"])
def test_load_refuses_it_and_writes_nothing(tmp_path: Path, name: str) -> None:
    store_path = tmp_path / "store"
    result = CliRunner().invoke(main, ["load", str(write_case(tmp_path, name)), "--store", str(store_path)])
    assert result.exit_code == 1, result.output
    assert REFUSED[name][2] in result.output
    store = ox.Store(str(store_path))
    try:
        assert not any(store.quads_for_pattern(ox.NamedNode("https://w3id.org/bricskg/id/atlantis"), None, None, None))
        assert not any(store.quads_for_pattern(None, None, ox.NamedNode("https://w3id.org/bricskg/ontology/Sate"), None))
        assert not any(q for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
        assert not any(store.quads_for_pattern(None, None, None, ox.NamedNode("https://w3id.org/bricskg/graph/audit")))
    finally:
        del store


def test_the_reference_graph_without_its_source_is_refused() -> None:
    store = open_memory_store()
    record = ox.Quad(ox.NamedNode("https://w3id.org/bricskg/graph/reference"), ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom"),
                     ox.NamedNode("https://w3id.org/bricskg/source/reference-facts"), ox.NamedNode("https://w3id.org/bricskg/graph/provenance"))
    assert record in store
    # the reference graph names several sources (the notes and public reference works): remove them all
    for quad in list(store.quads_for_pattern(record.subject, record.predicate, None, record.graph_name)):
        store.remove(quad)
    report = validate_dataset(store)
    assert {str(r.source_constraint).rsplit("/", 1)[-1] for r in report.violations} == {"ReferenceGraphHasSource"}


# --- any standard engine: pySHACL over plain rdflib ------------------------------------------


def rdflib_dataset(trig_files: list[Path], trig_text: str | None = None) -> rdflib.Dataset:
    """The ontology in its graph and the TriG files as written, parsed by rdflib only."""
    dataset = rdflib.Dataset()
    for path in sorted(ontology_dir().glob("*.ttl")):
        dataset.graph(rdflib.URIRef(ONTOLOGY_GRAPH)).parse(path, format="turtle")
    for path in trig_files:
        dataset.parse(path, format="trig")
    if trig_text is not None:
        dataset.parse(data=trig_text, format="trig")
    return dataset


def pyshacl_verdict(dataset: rdflib.Dataset) -> tuple[bool, str]:
    conforms, _, text = pyshacl.validate(dataset, shacl_graph=load_shapes(), inference="none", allow_warnings=True)
    return bool(conforms), text


def test_the_published_files_and_a_written_stores_audit_conform_in_pyshacl_over_plain_rdflib() -> None:
    """The TriG files as written (xsd:integer offsets; no store rewrites a derived integer type) and
    the audit graph a write leaves (its agent, its activity) pass the published shapes in pySHACL
    over rdflib; the written store passes them in bricskg's own validation too. (One pySHACL run:
    pure-Python SPARQL takes about a minute over the dataset.)"""
    from bricskg.store.writer import AUDIT_GRAPH, EmbeddedTarget, Writer

    store = open_memory_store()
    Writer(EmbeddedTarget(store)).update(
        'INSERT DATA { GRAPH <https://w3id.org/bricskg/graph/reference> { '
        '<https://w3id.org/bricskg/id/brazil> <http://www.w3.org/2004/02/skos/core#altLabel> "Brasil"@pt } }'
    )
    audit = list(store.quads_for_pattern(None, None, None, ox.NamedNode(AUDIT_GRAPH)))
    assert audit
    report = validate_dataset(store)
    assert report.conforms, report.to_text()
    dump = ox.serialize(audit, format=ox.RdfFormat.TRIG).decode()
    conforms, text = pyshacl_verdict(rdflib_dataset(sorted(data_dir().glob("*.trig")), dump))
    assert conforms, text


def test_the_write_gate_refuses_removing_the_reference_graphs_source() -> None:
    """The gate validates on a context store: it must see that the reference graph holds facts."""
    from bricskg.store.base import ValidationFailed
    from bricskg.store.writer import EmbeddedTarget, Writer

    store = open_memory_store()
    with pytest.raises(ValidationFailed) as refused:
        Writer(EmbeddedTarget(store)).update(
            # every source the reference graph names (the notes and the public reference works)
            "DELETE WHERE { GRAPH <https://w3id.org/bricskg/graph/provenance> { <https://w3id.org/bricskg/graph/reference> "
            "<http://www.w3.org/ns/prov#wasDerivedFrom> ?source } }"
        )
    assert "ReferenceGraphHasSource" in refused.value.report.to_text()
