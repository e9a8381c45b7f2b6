"""The quad delta of an update, computed on a scratch copy, equals what the update really does.

Reference: the same update run directly on a full copy of the store; the computed delta must
match the real change (blank nodes minted by the update compared by count, they get fresh names).
The store itself must be untouched by the computation.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from bricskg.store.base import QueryRefused, QuerySyntaxError
from bricskg.store.delta import analyse, compute_delta, parse_update, with_protocol_dataset
from bricskg.store.writer import AUDIT_GRAPH, AuditProtected, EmbeddedTarget, Writer, join_updates

EX = "http://example.org/"

DATA = f"""
<{EX}a> <{EX}p> 1 .
<{EX}b> <{EX}p> 2 .
<{EX}g1> {{ <{EX}a> <{EX}q> "one" . <{EX}a> <{EX}r> _:x . _:x <{EX}p> 5 . }}
<{EX}g2> {{ <{EX}b> <{EX}q> "two" . <{EX}c> <{EX}q> "three" . }}
<{EX}g3> {{ <{EX}d> <{EX}q> "four" . }}
"""

UPDATES = [
    f"INSERT DATA {{ <{EX}n> <{EX}p> 9 }}",
    f"INSERT DATA {{ <{EX}a> <{EX}p> 1 }}",  # already there: no change
    f"DELETE DATA {{ GRAPH <{EX}g2> {{ <{EX}b> <{EX}q> \"two\" }} }}",
    f"DELETE WHERE {{ GRAPH <{EX}g1> {{ ?s ?p ?o }} }}",
    f"DELETE {{ GRAPH ?g {{ ?s <{EX}q> ?o }} }} INSERT {{ GRAPH ?g {{ ?s <{EX}q2> ?o }} }} WHERE {{ GRAPH ?g {{ ?s <{EX}q> ?o }} }}",
    f"WITH <{EX}g2> DELETE {{ ?s <{EX}q> ?o }} WHERE {{ ?s <{EX}q> ?o FILTER(?o = \"three\") }}",
    f"INSERT {{ GRAPH <{EX}new> {{ ?s <{EX}copy> [ <{EX}v> ?o ] }} }} WHERE {{ ?s <{EX}p> ?o }}",
    f"INSERT {{ ?s <{EX}flag> true }} USING <{EX}g2> USING NAMED <{EX}g3> WHERE {{ {{ ?s <{EX}q> ?o }} UNION {{ GRAPH ?g {{ ?s ?p ?o }} }} }}",
    f"INSERT DATA {{ GRAPH <{EX}g4> {{ <{EX}e> <{EX}p> 1 }} }} ; DELETE WHERE {{ GRAPH <{EX}g4> {{ ?s ?p ?o }} }} ; INSERT {{ ?s <{EX}seen> 1 }} WHERE {{ GRAPH <{EX}g4> {{ ?s ?p ?o }} }}",
    f"CLEAR GRAPH <{EX}g1>",
    f"DROP GRAPH <{EX}g2> ; CREATE GRAPH <{EX}empty>",
    "CLEAR DEFAULT",
    "DROP NAMED",
    "CLEAR ALL",
    f"ADD <{EX}g1> TO <{EX}g3>",
    f"MOVE <{EX}g2> TO DEFAULT",
    f"COPY DEFAULT TO <{EX}g1>",
    f"DELETE {{ GRAPH <{EX}g1> {{ ?s ?p ?o }} }} WHERE {{ GRAPH <{EX}g1> {{ ?s ?p ?o }} FILTER EXISTS {{ GRAPH <{EX}g3> {{ ?x ?y ?z }} }} }}",
]


def fresh_store() -> ox.Store:
    store = ox.Store()
    store.load(DATA, ox.RdfFormat.TRIG)
    return store


def shape(quads) -> tuple[frozenset[str], int]:
    """Quads without blank nodes exactly; those with blank nodes by count (their names are fresh)."""
    ground = frozenset(str(q) for q in quads if not any(isinstance(t, ox.BlankNode) for t in (q.subject, q.object)))
    return ground, sum(1 for q in quads if any(isinstance(t, ox.BlankNode) for t in (q.subject, q.object)))


def plan_for(text: str, using=(), using_named=()):
    final = with_protocol_dataset(text, list(using), list(using_named))
    return analyse(parse_update(final, None), final, None)


@pytest.mark.parametrize("update", UPDATES)
def test_the_computed_delta_is_what_the_update_does(update: str) -> None:
    store = fresh_store()
    before_dump = set(store)
    delta = compute_delta(EmbeddedTarget(store), plan_for(update))
    assert set(store) == before_dump, "computing the delta changed the store"
    reference = fresh_store()
    before, graphs_before = set(reference), set(reference.named_graphs())
    reference.update(update)
    after, graphs_after = set(reference), set(reference.named_graphs())
    assert shape(delta.removed) == shape(before - after)
    assert shape(delta.inserted) == shape(after - before)
    assert set(delta.created_graphs) == graphs_after - graphs_before
    assert set(delta.dropped_graphs) == graphs_before - graphs_after


def test_protocol_dataset_parameters_become_using_clauses() -> None:
    text = f'PREFIX w: <{EX}where#> INSERT {{ ?s w:where "WHERE {{" }} # WHERE in a comment\n WHERE {{ ?s ?p ?o }}'
    folded = with_protocol_dataset(text, [EX + "g2"], [EX + "g3"])
    assert folded.count("USING") == 2
    assert folded.index("USING") > folded.index('"WHERE {"') and folded.index("USING") > folded.index("# WHERE")
    parse_update(folded, None)  # still a valid update


def test_delete_where_with_protocol_dataset_becomes_delete_using_where() -> None:
    store = fresh_store()
    folded = with_protocol_dataset(f"DELETE WHERE {{ ?s <{EX}q> ?o }}", [EX + "g2"], [])
    assert folded.startswith("DELETE {") and "USING <" in folded
    delta = compute_delta(EmbeddedTarget(store), plan_for(folded))
    # USING g2 only changes where the pattern is matched; the template still deletes from the default graph
    assert delta.removed == frozenset()


def test_the_writer_commits_exactly_the_computed_change() -> None:
    store = fresh_store()
    writer = Writer(EmbeddedTarget(store), validate=False)
    outcome = writer.update(UPDATES[4])
    assert (outcome.added, outcome.removed) == (4, 4)
    assert not list(store.quads_for_pattern(None, ox.NamedNode(EX + "q"), None, None))


def test_a_clock_dependent_update_commits_the_validated_values() -> None:
    store = fresh_store()
    writer = Writer(EmbeddedTarget(store), validate=False)
    writer.update(f"INSERT {{ ?s <{EX}at> ?now }} WHERE {{ ?s <{EX}p> ?o BIND(NOW() AS ?now) }}")
    stamps = {q.object.value for q in store.quads_for_pattern(None, ox.NamedNode(EX + "at"), None, None)}
    assert len(stamps) == 1  # one NOW() per request, as computed, not re-evaluated at commit


def test_an_update_removing_stored_blank_nodes_commits_exactly_those_quads() -> None:
    """The embedded store binds stored blank nodes directly, so no update needs to be refused for them."""
    store = fresh_store()
    writer = Writer(EmbeddedTarget(store), validate=False)
    outcome = writer.update(f"DELETE {{ GRAPH <{EX}g1> {{ ?s ?p ?o }} }} WHERE {{ GRAPH <{EX}g1> {{ ?s ?p ?o }} FILTER(RAND() < 2) }}")
    assert outcome.removed == 3
    assert not list(store.quads_for_pattern(None, None, None, ox.NamedNode(EX + "g1")))


def test_an_update_extending_a_stored_blank_node_keeps_that_node() -> None:
    store = fresh_store()
    writer = Writer(EmbeddedTarget(store), validate=False)
    writer.update(f"INSERT {{ GRAPH <{EX}g1> {{ ?x <{EX}tag> 1 }} }} WHERE {{ GRAPH <{EX}g1> {{ <{EX}a> <{EX}r> ?x }} }}")
    (holder,) = [q.object for q in store.quads_for_pattern(ox.NamedNode(EX + "a"), ox.NamedNode(EX + "r"), None, None)]
    assert [q.object for q in store.quads_for_pattern(holder, ox.NamedNode(EX + "tag"), None, None)] == [ox.Literal(1)]


@pytest.mark.parametrize("update", UPDATES)
def test_the_committed_change_equals_the_update_run_directly(update: str) -> None:
    """What the writer commits (data, not the re-run text) is what the update does to the store."""
    reference = fresh_store()
    reference.update(update)
    store = fresh_store()
    Writer(EmbeddedTarget(store), validate=False).update(update)
    audit = ox.NamedNode(AUDIT_GRAPH)
    assert shape([q for q in store if q.graph_name != audit]) == shape(list(reference))
    assert set(store.named_graphs()) - {audit} == set(reference.named_graphs())


def test_clear_all_keeps_the_audit_trail() -> None:
    store = fresh_store()
    writer = Writer(EmbeddedTarget(store), validate=False)
    writer.update(f"INSERT DATA {{ <{EX}z> <{EX}p> 1 }}")
    audit = ox.NamedNode(AUDIT_GRAPH)
    trail = {q for q in store if q.graph_name == audit}
    writer.update("CLEAR ALL")
    remaining = {q for q in store if q.graph_name == audit}
    assert trail < remaining
    assert {q for q in store if q.graph_name != audit} == set()


@pytest.mark.parametrize(
    "update",
    [
        f"INSERT DATA {{ GRAPH <{AUDIT_GRAPH}> {{ <{EX}x> <{EX}y> 1 }} }}",
        f"CLEAR GRAPH <{AUDIT_GRAPH}>",
        f"INSERT {{ GRAPH ?g {{ <{EX}x> <{EX}y> 1 }} }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
    ],
)
def test_clients_cannot_write_the_audit_graph(update: str) -> None:
    store = fresh_store()
    writer = Writer(EmbeddedTarget(store), validate=False)
    writer.update(f"INSERT DATA {{ <{EX}z> <{EX}p> 1 }}")  # creates the audit graph
    before = set(store)
    with pytest.raises(AuditProtected):
        writer.update(update)
    assert set(store) == before


def test_a_malformed_update_reports_the_position() -> None:
    writer = Writer(EmbeddedTarget(fresh_store()), validate=False)
    with pytest.raises(QuerySyntaxError, match=r"1:\d+"):
        writer.update("INSERT DATA { <a> <b> }")


def test_operations_are_joined_even_after_a_trailing_comment_or_semicolon() -> None:
    assert join_updates("CLEAR ALL # done", "CLEAR DEFAULT") == "CLEAR ALL # done\n;\nCLEAR DEFAULT"
    assert join_updates("CLEAR ALL ;", "CLEAR DEFAULT") == "CLEAR ALL ;\nCLEAR DEFAULT"


# --- large DATA blocks are read by Oxigraph, not by rdflib's (very slow) parser -----------------


def test_a_large_insert_data_reaches_rdflib_as_an_empty_skeleton(monkeypatch: pytest.MonkeyPatch) -> None:
    import bricskg.store.writer as writer_module

    seen: list[str] = []
    original = writer_module.parse_update
    monkeypatch.setattr(writer_module, "parse_update", lambda text, base: seen.append(text) or original(text, base))
    triples = " ".join(f'ex:s{i} ex:p "v{i}"@en , {i}.5e1 ; ex:q [ ex:r ( 1 2 ) ] .' for i in range(2000))
    text = f"PREFIX ex: <{EX}> INSERT DATA {{ GRAPH <{EX}big> {{ {triples} }} }}"
    store = fresh_store()
    outcome = Writer(EmbeddedTarget(store), validate=False).update(text)
    assert outcome.added == 2000 * 8  # 2 values, the blank node, its list of two cells
    assert seen and max(len(s) for s in seen) < 200


@pytest.mark.parametrize(
    "text",
    [
        f"INSERT DATA {{ <{EX}a> <{EX}b> ?x }}",  # a variable is not data
        f"INSERT DATA {{ <{EX}a> <{EX}b> \"\\u0030\" }}",  # \\u escapes: SPARQL expands them first
        f"INSERT DATA {{ GRAPH <{EX}g> {{ GRAPH <{EX}h> {{ <{EX}a> <{EX}b> 1 }} }} }}",  # nesting
    ],
)
def test_blocks_that_are_not_plain_data_are_left_to_the_full_parser(text: str) -> None:
    from bricskg.store.delta import split_data_blocks

    assert split_data_blocks(text) is None


def test_an_operation_after_a_data_block_is_still_seen_by_the_safety_check() -> None:
    text = f'INSERT DATA {{ <{EX}a> <{EX}b> "}} ; LOAD <http://127.0.0.1:9/>" }} ; INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <http://127.0.0.1:9/> {{ ?s ?p ?o }} }}'
    writer = Writer(EmbeddedTarget(fresh_store()), validate=False)
    with pytest.raises(QueryRefused, match="(?i)federation|service"):
        writer.update(text)


@pytest.mark.parametrize(
    "text",
    ["# Empty", "", "   \n", f"PREFIX ex: <{EX}>", f"BASE <{EX}> PREFIX ex: <{EX}> # nothing else"],
)
def test_an_update_without_operations_succeeds_and_changes_nothing(text: str) -> None:
    """SPARQL 1.1 Update allows a request with no operation (W3C syntax-update-38 is only a comment)."""
    store = fresh_store()
    before = set(store)
    outcome = Writer(EmbeddedTarget(store), validate=False).update(text)
    assert (outcome.added, outcome.removed, outcome.activity) == (0, 0, None)  # a no-op is not audited
    assert set(store) == before
