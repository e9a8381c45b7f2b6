"""The write gate commits exactly the quads it validated, even when the update's result depends on
the order in which a store enumerates its quads.

``ORDER BY ?unbound LIMIT 1`` keeps whichever solution comes first. The in-memory scratch copy the
delta is computed (and validated) on and the on-disk RocksDB store enumerate graphs in different
orders, so re-running the update text at commit changed a different graph than the one validated
and reported -- the bypass that let an invalid label in with a 200 answer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

import bricskg.store.writer as writer_module
from bricskg.store.writer import AUDIT_GRAPH, AUDIT_VOCAB, EmbeddedTarget, Writer

EX = "http://x/"  # graph names for which the two stores enumerate graphs in different orders
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
MARKED = ox.NamedNode(EX + "markedIn")

ORDER_DEPENDENT = f"""
INSERT {{ GRAPH ?g {{ <{EX}marker> <{EX}markedIn> ?g }} }}
WHERE {{ {{ SELECT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }} ORDER BY ?unbound LIMIT 1 }} }}
"""


@pytest.fixture()
def disk_store(tmp_path: Path):
    store = ox.Store(str(tmp_path / "store"))
    for i in range(20):  # one transaction each, as separate writes would leave them
        store.add(ox.Quad(ox.NamedNode(f"{EX}s{i}"), LABEL, ox.Literal(f"node {i}"), ox.NamedNode(f"{EX}g{i:02d}")))
    first = f"SELECT ?g WHERE {{ {ORDER_DEPENDENT.split('WHERE', 1)[1].strip()[1:-1]} }}"
    scratch = ox.Store()
    scratch.extend([q for g in sorted(store.named_graphs(), key=str) for q in store.quads_for_pattern(None, None, None, g)])
    # the precondition of the bypass: the scratch copy and the real store pick different graphs
    assert [r[0] for r in store.query(first)] != [r[0] for r in scratch.query(first)]
    yield store
    del store


def test_an_order_dependent_update_changes_exactly_the_graph_it_validated(
    disk_store: ox.Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    validated: list[Any] = []

    def recording_gate(target: Any, delta: Any, **_: Any) -> int:
        validated.append(delta)
        return 0

    monkeypatch.setattr(writer_module, "gate", recording_gate)
    before = set(disk_store)
    outcome = Writer(EmbeddedTarget(disk_store)).update(ORDER_DEPENDENT)
    (delta,) = validated
    audit = ox.NamedNode(AUDIT_GRAPH)
    committed = {q for q in set(disk_store) - before if q.graph_name != audit}
    assert committed == set(delta.inserted) and len(committed) == 1
    (quad,) = committed
    assert quad.object == quad.graph_name  # the marker names the graph it was put in
    assert outcome.graphs == (quad.graph_name.value,)  # ... which is the graph reported to the client
    changed = {q.object for q in disk_store.quads_for_pattern(None, ox.NamedNode(AUDIT_VOCAB + "changedGraph"), None, audit)}
    assert changed == {quad.graph_name}  # ... and recorded in the audit graph


def test_an_order_dependent_delete_removes_exactly_what_was_validated(
    disk_store: ox.Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    validated: list[Any] = []
    monkeypatch.setattr(writer_module, "gate", lambda target, delta, **_: validated.append(delta) or 0)
    before = set(disk_store)
    Writer(EmbeddedTarget(disk_store)).update(
        f"DELETE {{ GRAPH ?g {{ ?s ?p ?o }} }} WHERE {{ {{ SELECT ?g WHERE {{ GRAPH ?g {{ ?x ?y ?z }} }} "
        f"ORDER BY ?unbound LIMIT 1 }} GRAPH ?g {{ ?s ?p ?o }} }}"
    )
    (delta,) = validated
    after = {q for q in disk_store if q.graph_name != ox.NamedNode(AUDIT_GRAPH)}
    assert before - after == set(delta.removed) and len(delta.removed) == 1
