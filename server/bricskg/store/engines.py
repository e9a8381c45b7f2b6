"""How external SPARQL engines differ where bricskg's answers and writes depend on it.

``bricskg serve --backend`` promises the same answers as the embedded store over any SPARQL 1.1
engine. Engines agree on the language but not on these points, which each ``EngineDialect`` states
and ``bricskg.store.remote`` acts on:

* **default graph**: Oxigraph and Fuseki keep a real default graph (the union is a per-request
  switch put in the query URL); Virtuoso's default graph *is* the union of every graph it holds,
  its own system graphs included, and it has no separate default graph to write to. bricskg's
  layout keeps nothing in the default graph (``shapes/dataset.ttl``), so over Virtuoso the write
  path treats the engine's real default graph as empty. Virtuoso's system graphs are made private
  to its anonymous user at deployment (graph-level security, ``scripts/virtuoso``): its
  ``DEFINE input:named-graph-exclude`` pragma would also hide every ``GRAPH <iri>`` pattern's
  matches, and listing bricskg's thousands of graphs as the dataset of every query is too slow.
* **atomicity**: Oxigraph, Fuseki (TDB2) and GraphDB apply one update request as one transaction;
  Virtuoso commits the operations of a request one by one (a failing second operation leaves the
  first applied), so a commit there is ONE ``DELETE {…} INSERT {…} WHERE {…}`` operation.
* **blank nodes**: Virtuoso refuses blank nodes in ``INSERT DATA`` (SP031) but accepts them in an
  ``INSERT`` template, and names a stored blank node ``<nodeID://…>`` (stable across requests),
  so writes that touch stored blank nodes can be committed exactly there; elsewhere they are refused.
* **blank nodes in answers**: Virtuoso labels them ``nodeID://b1`` (not a valid label in any
  results format; in TSV it even writes a string): ``bricskg.store.remote_results`` rewrites them.
* **booleans**: Virtuoso writes a stored ``"true"^^xsd:boolean`` as ``"1"`` in JSON and XML
  answers (put back as ``true`` by ``bricskg.store.remote_results``), and types the value of a
  boolean *expression* (``true``, ``1 < 2``, ``EXISTS``) as ``xsd:integer``, which nothing can undo.
* **silent truncation**: Virtuoso cuts SELECT answers at ``[SPARQL] ResultSetMaxRows`` without a
  word, answers a query stopped by ``MaxQueryExecutionTime`` with a partial result marked only by
  an ``X-SQL-State`` header, and cuts an answer of about a million rows short with no mark at all;
  bricskg reads the cap at start, refuses both kinds of answer, and checks its own whole-graph
  reads against a COUNT.
"""

from __future__ import annotations

from dataclasses import dataclass

VIRTUOSO_BLANK_PREFIX = "nodeID://"
# the graphs a fresh Virtuoso 7 holds of its own (its RDF views' metadata, LDP terms, a URIQA sample)
VIRTUOSO_SYSTEM_GRAPHS = (
    "http://www.openlinksw.com/schemas/virtrdf#",
    "http://www.w3.org/ns/ldp#",
    "http://localuriqaserver/sparql",
)


@dataclass(frozen=True)
class EngineDialect:
    """What bricskg must know about one family of engines."""

    name: str
    union_default_graph: bool  # the default graph of a query without a dataset is the union of all graphs
    atomic_requests: bool  # the operations of one update request commit (or fail) together
    addressable_blank_nodes: bool  # a stored blank node can be named in a later request
    blank_nodes_in_insert_data: bool  # INSERT DATA may carry blank nodes
    partial_answer_header: str | None = None  # a response header that marks an incomplete answer
    system_graphs: tuple[str, ...] = ()  # graphs the engine keeps for itself, never bricskg's data
    rewrites_answers: bool = False  # SELECT answers need fixing (Virtuoso's blank-node labels and booleans)

    note: str = ""  # for the service description: where answers may differ from the embedded store's

    def describe(self) -> dict[str, object]:
        """The differences, for ``/health`` and the service description."""
        return {
            "engine": self.name,
            "defaultGraphIsUnion": self.union_default_graph,
            "atomicUpdateRequests": self.atomic_requests,
            "addressableBlankNodes": self.addressable_blank_nodes,
        }


GENERIC = EngineDialect(
    "SPARQL 1.1", union_default_graph=False, atomic_requests=True, addressable_blank_nodes=False,
    blank_nodes_in_insert_data=True,
)
VIRTUOSO = EngineDialect(
    "Virtuoso", union_default_graph=True, atomic_requests=False, addressable_blank_nodes=True,
    blank_nodes_in_insert_data=False, partial_answer_header="X-SQL-State", system_graphs=VIRTUOSO_SYSTEM_GRAPHS,
    rewrites_answers=True,
    note=(
        "Answered by OpenLink Virtuoso 7 behind bricskg: its default graph is the union of its graphs; "
        "blank-node labels and stored booleans are rewritten to standard form; the value of a boolean "
        "expression comes back as xsd:integer, numbers in canonical lexical form, and some property-path "
        "queries (rdfs:subClassOf* joined with other patterns) miss solutions (engine bugs). Writes over "
        "its size limits are applied in several requests and checked. See docs/deploy.md."
    ),
)
DIALECTS = {"generic": GENERIC, "virtuoso": VIRTUOSO}


def dialect_from_server_header(server: str | None) -> EngineDialect:
    """The dialect an HTTP ``Server`` header announces (``Virtuoso/07.20.3229 (Linux) …``)."""
    if server and server.lower().startswith("virtuoso"):
        return VIRTUOSO
    return GENERIC

