"""The bricskg ontology's namespace as a closed rdflib ``DefinedNamespace``: a typo in a term raises.

Filled from ontology/bricskg.ttl; tests/test_vocab.py checks that the two list the same terms.
"""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DefinedNamespace, URIRef

from bricskg.config import BASE_IRI

ID = Namespace(BASE_IRI + "id/")  # entities: states, blocs, agreements, people, ...
CLAIM = Namespace(BASE_IRI + "claim/")  # claim (assertion) graphs
SOURCE = Namespace(BASE_IRI + "source/")  # the article and its sentences
GRAPH = Namespace(BASE_IRI + "graph/")  # bookkeeping graphs: provenance, reference, audit


class BKG(DefinedNamespace):
    """Terms of the bricskg ontology (https://w3id.org/bricskg/ontology/)."""

    _NS = Namespace(BASE_IRI + "ontology/")
    _fail = True

    # Filled by the knowledge-graph work (issue 2).
    State: URIRef
