"""HermiT's class memberships and the rules': on the bundled data the rules reach all of HermiT's."""

from __future__ import annotations

import pyoxigraph as ox

from bricskg.dataset import open_memory_store
from bricskg.inference import INFERRED, materialise
from bricskg.inference.closure import entailments
from bricskg.inference.hermit import hermit_memberships, reads_defined_classes

RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
ORG = "http://www.w3.org/ns/org#"
BKG = "https://w3id.org/bricskg/ontology/"


def test_rules_entail_every_class_membership_hermit_does():
    store = open_memory_store()
    memberships, summary = hermit_memberships(store, INFERRED)
    assert "consistent" in summary, summary
    founding = ("<https://w3id.org/bricskg/id/brazil>", RDF_TYPE, f"<{BKG}FoundingMemberState>")
    assert founding in memberships  # HermiT computes the defined classes ...
    rules = entailments(store).inferred
    stated = {(str(q.subject), str(q.predicate), str(q.object)) for q in store}
    assert memberships - rules - stated == set()  # ... and the rules derive each of them
    report = materialise(store, hermit=True)
    assert "0 membership(s) beyond the rules" in report.hermit
    assert ox.Quad(ox.NamedNode(founding[0][1:-1]), ox.NamedNode(RDF_TYPE[1:-1]), ox.NamedNode(BKG + "FoundingMemberState"), INFERRED) in store


def test_changes_to_what_defined_classes_read_are_recognised():
    schema = entailments(open_memory_store()).schema
    member = ("<https://w3id.org/bricskg/id/m>", f"<{ORG}member>", "<https://w3id.org/bricskg/id/brazil>")
    role = ("<https://w3id.org/bricskg/id/m>", f"<{ORG}role>", f"<{BKG}roleFoundingMember>")
    label = ("<https://w3id.org/bricskg/id/m>", "<http://www.w3.org/2000/01/rdf-schema#label>", '"m"')
    assert reads_defined_classes({member}, schema)  # through org:hasMembership, its inverse
    assert reads_defined_classes({role}, schema)
    assert not reads_defined_classes({label}, schema)
