"""The quad delta of a SPARQL 1.1 Update, computed without touching the store.

A write must be validated before it commits, so we need to know exactly which quads it would
remove and add. Re-implementing SPARQL Update evaluation (templates, fresh blank nodes per
solution, WITH/USING, a later operation seeing the effects of an earlier one) would be a second,
subtly different engine. Instead the update runs, unchanged, in a *scratch* in-memory Oxigraph
store holding a copy of exactly the graphs it can observe; the difference between the scratch
before and after is the delta. The set of observable graphs is read off rdflib's algebra of the
update:

* the WHERE clause of DELETE/INSERT reads its active default graph (USING graphs, else the WITH
  graph, else the default graph), every ``GRAPH <iri>`` it names, and for ``GRAPH ?var`` every
  named graph (only the USING NAMED ones when given) — EXISTS and subqueries included;
* a DELETE template removes only quads that exist, so its graphs are copied too;
* DELETE DATA copies the listed quads that exist; INSERT DATA needs nothing;
* CLEAR/DROP/CREATE/ADD/MOVE/COPY copy the graphs they name (ALL/NAMED: every graph).

This is sound because Oxigraph is the engine in both places: on identical data for every graph
the update can observe, it computes the same result (up to the names of fresh blank nodes).
It is cheap for the usual small write; an update with ``GRAPH ?g`` or ``CLEAR ALL`` copies the
whole store, which ``max_scratch_quads`` bounds.

The writer commits exactly this delta and never runs the update text on the real store: a
result that depends on the clock, randomness or the order in which a store enumerates its quads
(``ORDER BY ?unbound LIMIT 1`` picks whichever solution comes first) would differ between the
scratch copy and the real store, so a re-run could change something that was never validated.

Evaluation can have a deadline (``bricskg.store.deadline``): the writer passes an ``evaluate``
that runs the update in a forked child and kills it when the time is up.
"""

from __future__ import annotations

import atexit
import re
import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator, Protocol, Sequence

import pyoxigraph as ox

from bricskg.store.base import QueryRefused, QuerySyntaxError
from bricskg.sparql.rdflib_parser import walk_tree
from bricskg.validation.terms import to_ox

GraphName = ox.NamedNode | ox.BlankNode | ox.DefaultGraph

# Algebra nodes whose value is not a function of the data alone.
_NONDETERMINISTIC = {
    "Builtin_RAND",
    "Builtin_NOW",
    "Builtin_UUID",
    "Builtin_STRUUID",
    "Aggregate_Sample",
    "Aggregate_GroupConcat",
}


class ScratchTooLarge(QueryRefused):
    """The update observes more data than the write path copies for validation (HTTP 413)."""


class UpdateFailed(QueryRefused):
    """The update is well-formed but fails when evaluated, e.g. CREATE of an existing graph (HTTP 400)."""


class QuadSource(Protocol):
    """What delta computation reads from a store (embedded Oxigraph or a remote endpoint)."""

    def graph_names(self) -> set[ox.NamedNode | ox.BlankNode]:
        """Every named graph that exists (including empty ones the store tracks)."""
        ...

    def graph_quads(self, graphs: Sequence[GraphName]) -> Iterator[ox.Quad]:
        """The quads of ``graphs`` (``DefaultGraph()`` for the default graph), in one consistent read."""
        ...

    def present(self, quads: Iterable[ox.Quad]) -> set[ox.Quad]:
        """The subset of ``quads`` that are in the store."""
        ...

    def quad_count(self) -> int:
        ...


@dataclass(frozen=True)
class ReadSet:
    """The part of the store an update can observe."""

    default: bool = False
    graphs: frozenset[str] = frozenset()
    all_named: bool = False
    quads: tuple[ox.Quad, ...] = ()  # DELETE DATA quads (present or not)


@dataclass(frozen=True)
class UpdatePlan:
    """An update text as the write path runs it, with what the analysis of its algebra found."""

    text: str  # with the protocol's using-graph-uri/using-named-graph-uri folded in
    base_iri: str | None
    reads: ReadSet
    deterministic: bool
    named_graphs: frozenset[str]  # every graph IRI the update names explicitly (templates, targets)
    operations: tuple[str, ...]  # algebra names, e.g. ("Clear", "InsertData")


@dataclass(frozen=True)
class Delta:
    """What a write changes: quads and (possibly empty) named graphs."""

    removed: frozenset[ox.Quad] = frozenset()
    inserted: frozenset[ox.Quad] = frozenset()
    created_graphs: frozenset[ox.NamedNode | ox.BlankNode] = frozenset()
    dropped_graphs: frozenset[ox.NamedNode | ox.BlankNode] = frozenset()
    # graphs the write empties as a whole (DROP/CLEAR of a big graph): their quads are NOT listed in
    # ``removed`` -- enumerating a million quads in Python is what made dropping a graph impossible
    cleared_graphs: frozenset[GraphName] = frozenset()
    # blank nodes of ``inserted`` that existed before the write (not fresh): a SPARQL text cannot
    # name them, so only a commit that binds stored terms directly can write them
    reused_blank_nodes: frozenset[ox.BlankNode] = frozenset()

    @property
    def is_empty(self) -> bool:
        return not (self.removed or self.inserted or self.created_graphs or self.dropped_graphs or self.cleared_graphs)

    def graphs(self) -> set[GraphName]:
        """Every graph the delta touches."""
        touched: set[GraphName] = {quad.graph_name for quad in self.removed | self.inserted}
        return touched | set(self.created_graphs) | set(self.dropped_graphs) | set(self.cleared_graphs)

    def without_graph(self, graph: GraphName) -> "Delta":
        return Delta(
            frozenset(q for q in self.removed if q.graph_name != graph),
            frozenset(q for q in self.inserted if q.graph_name != graph),
            frozenset(g for g in self.created_graphs if g != graph),
            frozenset(g for g in self.dropped_graphs if g != graph),
            frozenset(g for g in self.cleared_graphs if g != graph),
            self.reused_blank_nodes,
        )


# ---------------------------------------------------------------------------------------------
# Parsing and analysis


def _field(node: Any, key: str) -> Any:
    """A CompValue's field or None (CompValue.get returns the key's name for a missing field)."""
    return dict.get(node, key)


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split())


_parser_store: ox.Store | None = None
_parser_lock = threading.Lock()


def _parse_only_store() -> ox.Store:
    """An empty store opened read-only: ``update`` on it parses the text, then fails at once.

    Running the update on an empty *writable* store evaluated it, and a WHERE clause that needs no
    data (a VALUES cross product) ran for its full length, outside any deadline. A read-only store
    refuses the transaction before evaluation starts, so only parsing happens.
    """
    global _parser_store
    with _parser_lock:
        if _parser_store is None:
            directory = tempfile.mkdtemp(prefix="bricskg-parser-")
            atexit.register(shutil.rmtree, directory, True)
            ox.Store(directory)  # created and closed at once: RocksDB allows a read-only handle on a store nobody writes
            _parser_store = ox.Store.read_only(directory)
        return _parser_store


def check_syntax(text: str, base_iri: str | None) -> None:
    """Raise QuerySyntaxError with Oxigraph's line/column message when ``text`` is not an update.

    The engine's own parser is the reference; nothing is evaluated (see ``_parse_only_store``).
    Safe only after ``bricskg.sparql.safety.check_update`` has ruled out LOAD and SERVICE.
    """
    try:
        _parse_only_store().update(text, base_iri=base_iri)
    except SyntaxError as error:
        raise QuerySyntaxError(f"Malformed SPARQL update: {_one_line(error)}") from None
    except Exception:  # "transactions need a read-write store": the text parsed
        pass


def parse_update(text: str, base_iri: str | None) -> Any:
    """rdflib's algebra of ``text``; QuerySyntaxError when rdflib cannot read what Oxigraph can."""
    from bricskg.sparql import rdflib_parser

    try:
        translated = rdflib_parser.translate_update(text, base_iri)
    except Exception as error:
        raise QuerySyntaxError(
            "This update uses syntax the validating write path cannot analyse (rdflib's SPARQL 1.1 "
            f"grammar): {_one_line(error)}"
        ) from None
    if isinstance(translated, list):
        # An update with no operation (only comments, or only a prologue) is valid SPARQL 1.1
        # Update (W3C syntax-update-38); rdflib then returns a bare empty list, not an Update.
        from rdflib.plugins.sparql.sparql import Update

        return Update(None, list(translated))  # type: ignore[arg-type]
    return translated


def has_dataset_clause(algebra: Any) -> bool:
    """Whether any operation carries USING, USING NAMED or WITH (protocol §2.2.3 conflict check)."""
    for op in algebra.algebra:
        if op.name == "Modify" and (_field(op, "using") or _field(op, "withClause")):
            return True
    return False


def _iri(term: Any) -> str | None:
    from rdflib import URIRef

    return str(term) if isinstance(term, URIRef) else None


def _graph_term_reads(term: Any, reads: dict[str, Any], named_scope: list[str] | None) -> None:
    iri = _iri(term)
    if iri is not None:
        reads["graphs"].add(iri)
    elif named_scope is None:
        reads["all_named"] = True
    else:
        reads["graphs"].update(named_scope)


def _template_reads(clause: Any, default_targets: list[str] | None, reads: dict[str, Any]) -> None:
    """Graphs a DELETE template can remove from (WITH graph or default graph for bare triples)."""
    if clause is None:
        return
    if _field(clause, "triples"):
        if default_targets is None:
            reads["default"] = True
        else:
            reads["graphs"].update(default_targets)
    for graph_term in (_field(clause, "quads") or {}).keys():
        _graph_term_reads(graph_term, reads, None)


def _where_reads(op: Any, reads: dict[str, Any]) -> None:
    using_default = [str(u.default) for u in _field(op, "using") or [] if _field(u, "default") is not None]
    using_named = [str(u.named) for u in _field(op, "using") or [] if _field(u, "named") is not None]
    has_using = bool(_field(op, "using"))
    with_graph = _iri(_field(op, "withClause"))
    if has_using:
        reads["graphs"].update(using_default)
    elif with_graph is not None:
        reads["graphs"].add(with_graph)
    else:
        reads["default"] = True
    named_scope = using_named if has_using else None
    for node in walk_tree(_field(op, "where")):
        if node.name in ("Graph", "GraphGraphPattern"):  # algebra, and parse tree inside EXISTS
            _graph_term_reads(node.term, reads, named_scope)


def _graph_ref_reads(ref: Any, reads: dict[str, Any]) -> None:
    if ref == "DEFAULT":
        reads["default"] = True
    elif ref in ("NAMED",):
        reads["all_named"] = True
    elif ref == "ALL":
        reads["default"] = True
        reads["all_named"] = True
    else:
        reads["graphs"].add(str(ref))


def _data_quads(op: Any) -> list[ox.Quad]:
    quads = [ox.Quad(*map(to_ox, triple), ox.DefaultGraph()) for triple in _field(op, "triples") or []]
    for graph, triples in (_field(op, "quads") or {}).items():
        graph_node = ox.NamedNode(str(graph))
        quads += [ox.Quad(*map(to_ox, triple), graph_node) for triple in triples]
    return quads


def analyse(
    algebra: Any, text: str, base_iri: str | None, blocks: "list[DataBlock] | None" = None
) -> UpdatePlan:
    """The read set, determinism and explicitly named graphs of a parsed update.

    ``blocks``: the INSERT DATA / DELETE DATA contents split off by ``split_data_blocks`` (then
    the algebra's data operations are empty placeholders, taken in document order).
    """
    pending = list(blocks or [])
    reads: dict[str, Any] = {"default": False, "graphs": set(), "all_named": False}
    delete_data: list[ox.Quad] = []
    named: set[str] = set()
    names: list[str] = []
    deterministic = True
    for op in algebra.algebra:
        names.append(op.name)
        data: list[ox.Quad] | None = None
        if op.name in ("InsertData", "DeleteData"):
            if blocks is not None:
                if not pending or pending[0].kind != op.name[:6].upper():
                    raise QuerySyntaxError("Malformed SPARQL update: could not match its DATA blocks")
                data = pending.pop(0).quads(base_iri)
            else:
                data = _data_quads(op)
            named.update(q.graph_name.value for q in data if isinstance(q.graph_name, ox.NamedNode))
        if op.name == "DeleteData":
            delete_data += data or []
        elif op.name in ("DeleteWhere",):
            _template_reads(op, None, reads)
        elif op.name == "Modify":
            with_graph = _iri(_field(op, "withClause"))
            _template_reads(_field(op, "delete"), [with_graph] if with_graph else None, reads)
            _where_reads(op, reads)
            for clause in (_field(op, "delete"), _field(op, "insert")):
                if clause is not None:
                    named.update(str(g) for g in (_field(clause, "quads") or {}) if _iri(g))
            if with_graph:
                named.add(with_graph)
            deterministic = deterministic and _is_deterministic(_field(op, "where"))
        elif op.name in ("Clear", "Drop", "Create"):
            _graph_ref_reads(op.graphiri, reads)
        elif op.name in ("Add", "Move", "Copy"):
            for ref in op.graph:
                _graph_ref_reads(ref, reads)
        elif op.name == "Load":
            raise QueryRefused("LOAD is refused: this endpoint never fetches remote data.")
        if op.name == "DeleteWhere":
            named.update(str(g) for g in (_field(op, "quads") or {}) if _iri(g))
        if op.name in ("Clear", "Drop", "Create") and op.graphiri not in ("DEFAULT", "NAMED", "ALL"):
            named.add(str(op.graphiri))
        if op.name in ("Add", "Move", "Copy"):
            named.update(str(ref) for ref in op.graph if ref != "DEFAULT")
    return UpdatePlan(
        text=text,
        base_iri=base_iri,
        reads=ReadSet(reads["default"], frozenset(reads["graphs"]), reads["all_named"], tuple(delete_data)),
        deterministic=deterministic,
        named_graphs=frozenset(named),
        operations=tuple(names),
    )


def _is_deterministic(where: Any) -> bool:
    for node in walk_tree(where):
        if node.name in _NONDETERMINISTIC:
            return False
        if node.name == "Slice" and not any(inner.name == "OrderBy" for inner in walk_tree(node.p)):
            return False
    return True


# ---------------------------------------------------------------------------------------------
# The protocol's using-graph-uri / using-named-graph-uri


_TOKEN = re.compile(
    r"""
      (?P<comment>\#[^\n\r]*)
    | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<var>[?$][\w\u00B7\u0300-\u036F\u203F-\u2040]+)
    | (?P<number>[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
    | (?P<word>[A-Za-z_][\w.-]*(?::[\w.:%-]*)?|:[\w.:%-]*)
    | (?P<open>\{)
    | (?P<close>\})
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


def with_protocol_dataset(text: str, using: Sequence[str], using_named: Sequence[str]) -> str:
    """Fold the protocol's dataset parameters into every operation as USING / USING NAMED clauses.

    SPARQL 1.1 Protocol §2.2.3: the parameters apply to each DELETE/INSERT operation as if the
    request carried those clauses (and conflicting USING/WITH are rejected before this). ``DELETE
    WHERE { Q }`` cannot carry USING, so it becomes the equivalent ``DELETE { Q } USING … WHERE { Q }``.
    The text is tokenised (strings, IRIs, comments, variables skipped) and only top-level WHERE
    keywords are touched.
    """
    if not using and not using_named:
        return text
    clauses = " ".join([f"USING <{iri}>" for iri in using] + [f"USING NAMED <{iri}>" for iri in using_named])
    tokens = [(m.lastgroup, m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]
    significant = [t for t in tokens if t[0] not in ("comment",) and not t[1].isspace()]
    out: list[str] = []
    cursor = 0
    depth = 0
    index = 0
    while index < len(significant):
        kind, value, start, end = significant[index]
        if kind == "open":
            depth += 1
        elif kind == "close":
            depth -= 1
        elif kind == "word" and depth == 0 and value.upper() == "WHERE":
            previous = significant[index - 1] if index else None
            if previous is not None and previous[0] == "word" and previous[1].upper() == "DELETE":
                # DELETE WHERE { Q } -> DELETE { Q } USING ... WHERE { Q }
                close_index = _matching_close(significant, index + 1)
                pattern = text[significant[index + 1][2] : significant[close_index][3]]
                out.append(text[cursor:start])
                out.append(f"{pattern} {clauses} WHERE {pattern}")
                cursor = significant[close_index][3]
                index = close_index + 1
                continue
            out.append(text[cursor:start])
            out.append(f"{clauses} ")
            cursor = start
        index += 1
    out.append(text[cursor:])
    return "".join(out)


def _matching_close(tokens: list[tuple[str | None, str, int, int]], open_index: int) -> int:
    if open_index >= len(tokens) or tokens[open_index][0] != "open":
        raise QuerySyntaxError("Malformed SPARQL update: DELETE WHERE must be followed by '{'")
    depth = 0
    for index in range(open_index, len(tokens)):
        if tokens[index][0] == "open":
            depth += 1
        elif tokens[index][0] == "close":
            depth -= 1
            if depth == 0:
                return index
    raise QuerySyntaxError("Malformed SPARQL update: unbalanced braces")


# ---------------------------------------------------------------------------------------------
# Large INSERT DATA / DELETE DATA: kept away from rdflib's parser

# Tokens a DATA block may hold besides IRIs, prefixed names, strings and numbers (SPARQL QuadData).
_DATA_PUNCTUATION = set(",;.[]()^@")
_DATA_WORDS = {"a", "true", "false"}


@dataclass(frozen=True)
class DataBlock:
    """The content of one INSERT DATA / DELETE DATA block, with the prologue in force before it."""

    kind: str  # "INSERT" or "DELETE"
    inner: str
    prologue: str

    def quads(self, base_iri: str | None) -> list[ox.Quad]:
        """The block's quads, read by Oxigraph itself (exact; blank nodes get fresh names)."""
        store = ox.Store()
        try:
            store.update(f"{self.prologue}\nINSERT DATA {{{self.inner}\n}}", base_iri=base_iri)
        except SyntaxError as error:
            raise QuerySyntaxError(f"Malformed SPARQL update: {_one_line(error)}") from None
        return list(store)


def split_data_blocks(text: str) -> tuple[str, list[DataBlock]] | None:
    """The update with every DATA block emptied, and the blocks; None when it cannot be done safely.

    rdflib's SPARQL parser needs minutes for a few thousand triples of INSERT DATA (measured: 245 s
    for 5,000), while the algebra we need from it concerns the operations, not the data. So DATA
    blocks are cut out with a tokenizer and read by Oxigraph instead. A block is accepted only if
    every token in it is data (IRIs, prefixed names, literals, numbers, punctuation, ``a``,
    ``true``/``false``, language tags, ``GRAPH <g> { ... }`` one level deep): no keyword, variable
    or brace of an operation can hide in it, so the skeleton shows every operation to the safety
    check. Texts with ``\\u`` escapes (which SPARQL expands before parsing) are left whole.
    """
    if "\\u" in text or "\\U" in text:
        return None
    tokens = [
        (m.lastgroup, m.group(), m.start(), m.end())
        for m in _TOKEN.finditer(text)
        if m.lastgroup != "comment" and not m.group().isspace()
    ]
    pieces: list[str] = []
    blocks: list[DataBlock] = []
    prologue: list[str] = []
    cursor = 0
    depth = 0
    index = 0
    while index < len(tokens):
        kind, value, start, end = tokens[index]
        if kind == "open":
            depth += 1
        elif kind == "close":
            depth -= 1
        elif kind == "word" and depth == 0:
            upper = value.upper()
            if upper in ("PREFIX", "BASE"):
                stop = next((i for i in range(index + 1, min(index + 3, len(tokens))) if tokens[i][0] == "iri"), None)
                if stop is None:
                    return None
                prologue.append(text[start : tokens[stop][3]])
                index = stop + 1
                continue
            previous = tokens[index - 1] if index else None
            if (
                upper == "DATA"
                and previous is not None
                and previous[0] == "word"
                and previous[1].upper() in ("INSERT", "DELETE")
                and index + 1 < len(tokens)
                and tokens[index + 1][0] == "open"
            ):
                close = _data_block_end(tokens, index + 1)
                if close is None:
                    return None
                opening, closing = tokens[index + 1], tokens[close]
                pieces.append(text[cursor : opening[3]])
                pieces.append(" ")
                cursor = closing[2]
                blocks.append(DataBlock(previous[1].upper(), text[opening[3] : closing[2]], "\n".join(prologue)))
                index = close + 1
                continue
        index += 1
    pieces.append(text[cursor:])
    return "".join(pieces), blocks


def _data_block_end(tokens: list[tuple[str | None, str, int, int]], open_index: int) -> int | None:
    """The index of the brace closing a DATA block, or None if anything but data is inside."""
    depth = 0
    index = open_index
    while index < len(tokens):
        kind, value, _, _ = tokens[index]
        previous = tokens[index - 1]
        if kind == "open":
            graph_block = depth == 1 and tokens[index - 2][0] == "word" and tokens[index - 2][1].upper() == "GRAPH"
            if depth == 0 and index == open_index:
                depth = 1
            elif graph_block and previous[0] in ("iri", "word") and (previous[0] == "iri" or ":" in previous[1]):
                depth = 2
            else:
                return None
        elif kind == "close":
            depth -= 1
            if depth == 0:
                return index
        elif kind in ("iri", "string", "number"):
            pass
        elif kind == "word":
            if not (":" in value or value in _DATA_WORDS or value.upper() == "GRAPH" or previous[1] == "@"):
                return None
            if value.upper() == "GRAPH" and ":" not in value and depth != 1:
                return None
        elif kind == "other" and value in _DATA_PUNCTUATION:
            pass
        else:
            return None
        index += 1
    return None


# ---------------------------------------------------------------------------------------------
# Running the update in a scratch copy


def build_scratch(source: QuadSource, reads: ReadSet, max_quads: int) -> ox.Store:
    """An in-memory store holding exactly what ``reads`` says the update can observe."""
    scratch = ox.Store()
    existing = source.graph_names()
    wanted: list[GraphName] = []
    if reads.all_named:
        wanted += sorted(existing, key=str)
    else:
        wanted += [g for g in (ox.NamedNode(iri) for iri in sorted(reads.graphs)) if g in existing]
    if reads.default:
        wanted.append(ox.DefaultGraph())
    copied = 0
    batch: list[ox.Quad] = []
    for quad in source.graph_quads(wanted) if wanted else ():
        batch.append(quad)
        copied += 1
        if copied > max_quads:
            raise ScratchTooLarge(
                f"This update can observe more than {max_quads} quads (e.g. GRAPH ?g or CLEAR ALL over a "
                "large store); the validating write path does not copy that much. Name the graphs it touches."
            )
        if len(batch) >= 50_000:
            scratch.extend(batch)
            batch = []
    scratch.extend(batch)
    for graph in wanted:
        if not isinstance(graph, ox.DefaultGraph):
            scratch.add_graph(graph)
    if reads.quads:
        scratch.extend(source.present(reads.quads))
    return scratch


def diff(scratch: ox.Store, run: Callable[[ox.Store], None]) -> Delta:
    """The delta ``run(scratch)`` makes to ``scratch``."""
    before = set(scratch)
    before_graphs = set(scratch.named_graphs())
    run(scratch)
    after = set(scratch)
    after_graphs = set(scratch.named_graphs())
    inserted = after - before
    return Delta(
        frozenset(before - after),
        frozenset(inserted),
        frozenset(after_graphs - before_graphs),
        frozenset(before_graphs - after_graphs),
        reused_blank_nodes=_reused_blank_nodes(before, inserted),
    )


def _blank_terms(quads: Iterable[ox.Quad]) -> set[ox.BlankNode]:
    return {t for q in quads for t in (q.subject, q.object, q.graph_name) if isinstance(t, ox.BlankNode)}


def _reused_blank_nodes(before: set[ox.Quad], inserted: set[ox.Quad]) -> frozenset[ox.BlankNode]:
    """Blank nodes of ``inserted`` that were already in the store (not minted by the update)."""
    candidates = _blank_terms(inserted)
    return frozenset(candidates & _blank_terms(before)) if candidates else frozenset()


Evaluator = Callable[[ox.Store, Callable[[ox.Store], None]], Delta]


def compute_delta(
    source: QuadSource, plan: UpdatePlan, max_scratch_quads: int = 2_000_000, evaluate: Evaluator = diff
) -> Delta:
    """The delta ``plan`` would make to ``source``, which stays untouched.

    ``evaluate``: how the update runs on the scratch copy -- ``diff`` in this thread, or with a
    deadline in a child process (``bricskg.store.deadline.bounded``).
    """
    scratch = build_scratch(source, plan.reads, max_scratch_quads)

    def run(store: ox.Store) -> None:
        try:
            store.update(plan.text, base_iri=plan.base_iri)
        except SyntaxError as error:
            raise QuerySyntaxError(f"Malformed SPARQL update: {_one_line(error)}") from None
        except (OSError, ValueError, RuntimeError) as error:
            raise UpdateFailed(f"The update failed: {_one_line(error)}") from None

    return settle(source, evaluate(scratch, run))


def settle(source: QuadSource, delta: Delta) -> Delta:
    """Drop from ``delta`` what the real store already has: inserted quads that exist, graphs that exist.

    Inserted quads may land in graphs the scratch did not copy (INSERT DATA, INSERT templates),
    so the scratch cannot know they were there already.
    """
    already = source.present(delta.inserted) if delta.inserted else set()
    existing = source.graph_names() if delta.created_graphs else set()
    return Delta(
        delta.removed,
        frozenset(delta.inserted - already),
        frozenset(g for g in delta.created_graphs if g not in existing),
        delta.dropped_graphs,
        delta.cleared_graphs,
        delta.reused_blank_nodes,
    )


@dataclass
class GraphEdit:
    """A Graph Store Protocol write: replace or merge one graph, or delete it."""

    graph: GraphName
    quads: list[ox.Quad] = field(default_factory=list)  # already placed in ``graph``
    replace: bool = False
    delete: bool = False


def graph_edit_delta(source: QuadSource, edit: GraphEdit, clear_whole_graphs: bool = False) -> Delta:
    """The delta of a GSP PUT (replace), POST (merge) or DELETE, read from ``source`` without a scratch.

    ``clear_whole_graphs``: the target commits and validates emptied graphs as graphs
    (``Delta.cleared_graphs``), so a DELETE of a named graph lists none of its quads.
    """
    graph = edit.graph
    exists = isinstance(graph, ox.DefaultGraph) or graph in source.graph_names()
    if edit.delete and clear_whole_graphs and exists:
        dropped = frozenset() if isinstance(graph, ox.DefaultGraph) else frozenset([graph])
        return Delta(dropped_graphs=dropped, cleared_graphs=frozenset([graph]))  # type: ignore[arg-type]
    removed: frozenset[ox.Quad] = frozenset()
    if edit.replace or edit.delete:
        removed = frozenset(source.graph_quads([graph])) if exists else frozenset()
    incoming = frozenset(edit.quads)
    if edit.replace:
        # quads kept by a PUT are neither removed nor inserted
        kept = removed & incoming
        removed, incoming = removed - kept, incoming - kept
    else:
        incoming = incoming - (source.present(incoming) if incoming else set())
    created = frozenset([graph]) if (not exists and not edit.delete and not isinstance(graph, ox.DefaultGraph)) else frozenset()
    dropped = frozenset([graph]) if (edit.delete and exists and not isinstance(graph, ox.DefaultGraph)) else frozenset()
    return Delta(removed, incoming, created, dropped)  # type: ignore[arg-type]
