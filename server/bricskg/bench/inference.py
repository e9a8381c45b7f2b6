"""How the entailment regime scales: full materialisation, and maintenance after a 1k-triple write.

Run as one phase of the scale series (``bricskg.bench.scale``), in its own child process: the
bundled data plus the synthetic graph go into an in-memory Oxigraph store (as ``bricskg serve``
holds them), the inferred graph is computed from scratch (``bricskg.inference.materialise``), then
a generated 1,000-triple batch is inserted and the inferred graph maintained incrementally
(``bricskg.inference.maintenance.maintain``), then the same batch is removed and maintained again.
The maintained graph is compared with a full recompute, so a fast wrong answer cannot pass.
"""

from __future__ import annotations

import time
from pathlib import Path

import pyoxigraph


def measure(synthetic: Path, write_triples: int, seed: int) -> dict:
    from bricskg.bench import generator
    from bricskg.dataset import bundled_sources, extra_sources, load_into_store
    from bricskg.inference import INFERRED, materialise
    from bricskg.inference.maintenance import maintain

    store = pyoxigraph.Store()
    load_into_store(store, bundled_sources() + extra_sources([synthetic]))
    stated = len(store)
    full = materialise(store)
    batch = [q for q in generator.write_batch(write_triples, seed) if q not in store]
    store.extend(batch)
    insert = maintain(store, [], batch)
    for quad in batch:
        store.remove(quad)
    delete = maintain(store, batch, [])
    maintained = set(store.quads_for_pattern(None, None, None, INFERRED))
    recompute = materialise(store)
    agrees = maintained == set(store.quads_for_pattern(None, None, None, INFERRED))
    return {
        "stated_quads": stated,
        "inferred_triples": full.inferred,
        "rule_inputs": full.explicit_inputs,
        "materialise_seconds": full.seconds,
        "write_triples": len(batch),
        "insert_maintenance_seconds": insert.seconds,
        "insert_inferred_added": insert.added,
        "delete_maintenance_seconds": delete.seconds,
        "delete_inferred_removed": delete.removed,
        "recompute_seconds": recompute.seconds,
        "maintained_equals_recompute": agrees,
    }


def phase(args: dict) -> dict:
    began = time.perf_counter()
    result = measure(Path(args["synthetic"]), int(args["triples"]), int(args["seed"]))
    result["seconds"] = time.perf_counter() - began
    return result
