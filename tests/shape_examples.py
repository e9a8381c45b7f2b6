"""How a shape example becomes data: its default-graph statements go into a recorded claim graph.

Nothing may live in the default graph (bkgsh:NoTripleInTheDefaultGraph), yet most examples are about
one node and write it plainly; they are placed in the claim graph ``claim:shape-example``, recorded in
the provenance graph as a claim of the context's sentence. ``# keep: default graph`` keeps an
example's default graph as it is; ``# example claim modality: bkg:modalityForecast`` gives the claim
another modality than asserted.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox

EXAMPLE_CLAIM = ox.NamedNode("https://w3id.org/bricskg/claim/shape-example")
KEEP_DEFAULT_GRAPH = re.compile(r"^#\s*keep:\s*default graph\s*$", re.MULTILINE)
EXAMPLE_MODALITY = re.compile(r"^#\s*example claim modality:\s*bkg:(\w+)\s*$", re.MULTILINE)


def example_quads(path: Path) -> list[ox.Quad]:
    """The example's statements, its default-graph ones moved into a recorded claim graph."""
    quads = list(ox.parse(path=str(path), format=ox.RdfFormat.TRIG))
    if KEEP_DEFAULT_GRAPH.search(path.read_text(encoding="utf-8")):
        return quads
    moved = [ox.Quad(q.subject, q.predicate, q.object, EXAMPLE_CLAIM) if isinstance(q.graph_name, ox.DefaultGraph) else q
             for q in quads]
    if any(q.graph_name == EXAMPLE_CLAIM for q in moved):
        modality = EXAMPLE_MODALITY.search(path.read_text(encoding="utf-8"))
        moved += example_claim_record(modality.group(1) if modality else "modalityAsserted")
    return moved


def example_claim_record(modality: str) -> list[ox.Quad]:
    provenance = ox.NamedNode("https://w3id.org/bricskg/graph/provenance")
    record = ox.parse(
        """@prefix bkg: <https://w3id.org/bricskg/ontology/> . @prefix prov: <http://www.w3.org/ns/prov#> .
        <https://w3id.org/bricskg/claim/shape-example> a bkg:Claim ;
            <http://www.w3.org/2000/01/rdf-schema#label> "the statements of a shape example"@en ;
            prov:wasDerivedFrom <https://w3id.org/bricskg/source/article/s01> ; bkg:modality bkg:MODALITY ;
            prov:wasAttributedTo <https://w3id.org/bricskg/id/article-author> .""".replace("MODALITY", modality),
        format=ox.RdfFormat.TURTLE,
    )
    return [ox.Quad(t.subject, t.predicate, t.object, provenance) for t in record]


def example_trig(path: Path, folder: Path) -> Path:
    """The example as placed (see above), written as N-Quads into ``folder`` for the command line."""
    target = folder / (path.parent.name + "-" + path.stem + ".nq")
    target.write_bytes(ox.serialize(example_quads(path), format=ox.RdfFormat.N_QUADS))
    return target
