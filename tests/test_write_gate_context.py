"""Regression: the write gate refused a conforming write that full validation accepts.

The gate validated the focus nodes on a fixed-depth neighbourhood, which reached existing claim
records and blocs but not the content of their named graphs nor all of a bloc's memberships, so SPARQL
rules over ``GRAPH ?g`` and inverse-path counts saw them empty (found by the benchmark: a 77-quad new
synthetic article into a conforming store got ClaimGraphNotEmpty and BlocShape-memberships).
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from bricskg.bench import generator
from bricskg.bench.bricskg_side import open_loaded_backend, validated_write
from bricskg.validation import validate_dataset


def test_a_conforming_new_article_is_accepted_by_the_write_gate(tmp_path: Path) -> None:
    graph_file = tmp_path / "synthetic.nq"
    generator.write_graph(400, graph_file)
    open_loaded_backend(tmp_path / "store", graph_file).close()
    batch = generator.write_batch(60, 8)  # one new synthetic article

    # the batch really conforms together with the store: full validation of both says so
    whole = ox.Store()
    whole.bulk_load(path=str(graph_file), format=ox.RdfFormat.N_QUADS)
    whole.extend(batch)
    assert validate_dataset(whole).conforms

    outcome = validated_write(tmp_path / "store", batch)
    assert outcome["added"] == len(set(batch))


def test_annotating_an_existing_claim_record_is_accepted(tmp_path: Path) -> None:
    """The claim record's focus node needs its claim graph's content (ClaimGraphNotEmpty), which the
    fixed-depth neighbourhood left out: the gate answered "the named graph … holds no triple"."""
    from bricskg.config import Config
    from bricskg.store.factory import open_backend
    from bricskg.store.writer import Writer, target_for

    backend = open_backend(Config(store_path=tmp_path / "store", admin_token="t", cache_entries=0), isolate=False)
    try:
        outcome = Writer(target_for(backend)).update(
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
            "INSERT DATA { GRAPH <https://w3id.org/bricskg/graph/provenance> {\n"
            "  <https://w3id.org/bricskg/claim/russia-iran-partnership-agreement>"
            ' rdfs:comment "Reviewed against the article."@en } }'
        )
    finally:
        backend.close()
    assert outcome.added == 1
