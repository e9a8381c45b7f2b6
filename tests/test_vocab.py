"""The BKG DefinedNamespace and the ontology must list the same terms, with the same definitions."""

from __future__ import annotations

import inspect
import re

import pytest
import rdflib
from rdflib import OWL, RDF
from rdflib.namespace import SKOS

from bricskg import vocab
from bricskg.config import BASE_IRI
from bricskg.paths import ontology_dir
from bricskg.vocab import BKG, CLAIM, GRAPH, ID, SOURCE

NS = BASE_IRI + "ontology/"
DECLARATION_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, OWL.NamedIndividual)


@pytest.fixture(scope="module")
def ontology() -> rdflib.Graph:
    return rdflib.Graph().parse(ontology_dir() / "bricskg.ttl", format="turtle")


def declared_terms(ontology: rdflib.Graph) -> set[str]:
    return {
        str(subject)[len(NS):]
        for kind in DECLARATION_TYPES
        for subject in ontology.subjects(RDF.type, kind)
        if isinstance(subject, rdflib.URIRef) and str(subject).startswith(NS)
    }


def vocab_terms() -> set[str]:
    return {name for name in BKG.__annotations__ if not name.startswith("_")}


def test_vocab_lists_exactly_the_ontology_terms(ontology: rdflib.Graph) -> None:
    declared, listed = declared_terms(ontology), vocab_terms()
    assert listed - declared == set(), "in vocab.py but not declared in the ontology"
    assert declared - listed == set(), "declared in the ontology but missing from vocab.py"


def test_vocab_comments_are_the_ontology_definitions(ontology: rdflib.Graph) -> None:
    source = inspect.getsource(vocab.BKG)
    comments = dict(re.findall(r"^\s{4}(\w+): URIRef  # (.+)$", source, flags=re.MULTILINE))
    assert set(comments) == vocab_terms(), "every term needs its one-line definition comment"
    for name, comment in comments.items():
        definition = ontology.value(BKG[name], SKOS.definition)
        assert comment == str(definition), f"bkg:{name}: comment differs from skos:definition"


def test_unknown_term_raises_instead_of_minting_an_iri() -> None:
    with pytest.raises(AttributeError):
        BKG.FoundingMemberStates  # noqa: B018  (a plausible typo)


def test_terms_resolve_to_slash_iris_under_the_ontology_namespace() -> None:
    assert str(BKG.BlocMembership) == NS + "BlocMembership"
    assert str(BKG.modalityForecast) == NS + "modalityForecast"


def test_instance_namespaces_follow_the_iri_scheme() -> None:
    assert str(ID["russia"]) == "https://w3id.org/bricskg/id/russia"
    assert str(CLAIM["brics-founding-members"]) == "https://w3id.org/bricskg/claim/brics-founding-members"
    assert str(SOURCE["article/s08"]) == "https://w3id.org/bricskg/source/article/s08"
    assert str(GRAPH["provenance"]) == "https://w3id.org/bricskg/graph/provenance"
    assert str(vocab.ONTOLOGY_IRI) == "https://w3id.org/bricskg/ontology"
