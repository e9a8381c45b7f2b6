"""``bricskg query``: SPARQL 1.1 over the bundled data, in process (pyoxigraph).

The default graph is the union of all graphs, as on the server, so a query needs no GRAPH clause
unless it asks which claim graph a statement sits in. The union is an RDF merge -- a *set* of
triples -- so a triple stated in several claim graphs (every claim graph restates the types and
labels it needs) counts once. pyoxigraph's own ``use_default_graph_as_union`` yields such a triple
once per graph (oxigraph issue #1919: COUNT and SUM come out inflated), so the command instead
copies every triple into the store's default graph, where the store's set semantics merge them,
and queries that.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import click
import pyoxigraph as ox

from bricskg.cli.errors import UsageProblem
from bricskg.cli.inputs import dataset_options, open_dataset, syntax_message
from bricskg.export import serialize, export_quads
from bricskg.validation.report import PREFIXES

RESULT_FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
    "xml": ox.QueryResultsFormat.XML,
}
NUMERIC = {
    "http://www.w3.org/2001/XMLSchema#integer",
    "http://www.w3.org/2001/XMLSchema#decimal",
    "http://www.w3.org/2001/XMLSchema#double",
    "http://www.w3.org/2001/XMLSchema#boolean",
}
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


@click.command(name="query")
@click.argument("sparql", required=False)
@click.option(
    "-f",
    "--file",
    "query_file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Read the query from FILE (e.g. a .rq file); '-' reads standard input.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json", "csv", "tsv", "xml"]),
    default="table",
    show_default=True,
    help="table for people; json/csv/tsv/xml are the W3C SPARQL results formats. "
    "CONSTRUCT/DESCRIBE results print as Turtle (table) or JSON-LD (json).",
)
@dataset_options
def command(
    sparql: str | None,
    query_file: Path | None,
    output_format: str,
    data_files: tuple[Path, ...],
    no_bundled: bool,
) -> None:
    """Run a SPARQL query against the bundled ontology and data.

    The default graph is the union of all graphs; GRAPH ?g reaches each claim
    graph, the provenance graph and the ontology; a triple stated in several
    graphs counts once. Example:

    \b
      bricskg query 'PREFIX bkg: <https://w3id.org/bricskg/ontology/>
                     SELECT ?state WHERE { ?state a bkg:State }'
    """
    text, origin = query_text(sparql, query_file)
    store = merge_into_default_graph(open_dataset(data_files, no_bundled))
    try:
        result = store.query(text)
    except SyntaxError as error:
        if looks_like_update(text):
            raise UsageProblem(
                f"{origin}: this is a SPARQL Update; `bricskg query` only reads "
                "(send updates to the server's /sparql endpoint with the admin token)"
            ) from None
        raise UsageProblem(unknown_form_message(origin, text) or syntax_message(origin, error)) from None
    except OSError as error:
        raise UsageProblem(f"{origin}: the query failed: {error}") from None
    sys.stdout.buffer.write(render(result, output_format))


_UPDATE = re.compile(
    r"^\s*(?:(?:PREFIX\s+[^\s:]*:\s*<[^>]*>|BASE\s*<[^>]*>|#[^\n]*)\s*)*"
    r"(?:INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b",
    re.IGNORECASE,
)


def looks_like_update(text: str) -> bool:
    return bool(_UPDATE.match(text))


def unclosed_brace_message(origin: str, text: str) -> str | None:
    """``query:1:18: the query ends with 1 '{' not closed`` instead of every token the parser wanted."""
    without_strings = re.sub(r"<[^>\s]*>|\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'|#[^\n]*", "", text)
    open_braces = without_strings.count("{") - without_strings.count("}")
    if open_braces <= 0:
        return None
    end = len(text.rstrip())
    line = text.count("\n", 0, end) + 1
    column = end - (text.rfind("\n", 0, end) + 1) + 1
    return f"{origin}:{line}:{column}: the query ends with {open_braces} '{{' not closed"


_PROLOGUE = re.compile(r"(?:\s+|#[^\n]*|PREFIX\s+[^\s:]*:\s*<[^>]*>|BASE\s*<[^>]*>)*", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z_][\w-]*")
QUERY_FORMS = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")


def unknown_form_message(origin: str, text: str) -> str | None:
    """``query:1:1: expected SELECT, CONSTRUCT, DESCRIBE or ASK, found 'SELEC'`` when the word that
    must name the query form names none.

    Why: the parser reads a misspelt form as the start of something else and reports the last
    alternative it tried far from the typo (``SELEC ?x WHERE {`` gives "expected CONSTRUCT" at 1:10).
    """
    start = _PROLOGUE.match(text).end()
    word = _WORD.match(text, start)
    if word is None or word.group(0).upper() in QUERY_FORMS:
        return unclosed_brace_message(origin, text)
    line = text.count("\n", 0, start) + 1
    column = start - (text.rfind("\n", 0, start) + 1) + 1
    return (
        f"{origin}:{line}:{column}: expected SELECT, CONSTRUCT, DESCRIBE or ASK, found {word.group(0)!r}"
    )


def merge_into_default_graph(store: ox.Store) -> ox.Store:
    """Make the default graph the set-union of all graphs; named graphs stay as they are for GRAPH."""
    named = [q for q in store.quads_for_pattern(None, None, None, None) if not isinstance(q.graph_name, ox.DefaultGraph)]
    store.extend(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()) for q in named)
    return store


def query_text(sparql: str | None, query_file: Path | None) -> tuple[str, str]:
    if sparql is not None and query_file is not None:
        raise UsageProblem("give the query either as an argument or with --file, not both")
    if query_file is None:
        if sparql is None or not sparql.strip():
            raise UsageProblem("no query: pass it as an argument or with --file Q.rq")
        return sparql, "query"
    if str(query_file) == "-":
        return sys.stdin.read(), "<stdin>"
    if not query_file.is_file():
        raise UsageProblem(f"{query_file}: no such file")
    try:
        return query_file.read_text(encoding="utf-8"), str(query_file)
    except (OSError, UnicodeDecodeError) as error:
        raise UsageProblem(f"{query_file}: cannot read the query: {error}") from None


def render(result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples, output_format: str) -> bytes:
    if isinstance(result, ox.QueryTriples):
        return render_graph(result, output_format)
    if output_format == "table":
        if isinstance(result, ox.QueryBoolean):
            return b"true\n" if bool(result) else b"false\n"
        return render_table(result).encode("utf-8")
    return result.serialize(format=RESULT_FORMATS[output_format]) or b""


def render_graph(triples: ox.QueryTriples, output_format: str) -> bytes:
    if output_format not in ("table", "json"):
        raise UsageProblem(f"--format {output_format} is for SELECT and ASK results; use table or json")
    quads = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples]
    name = "turtle" if output_format == "table" else "jsonld"
    return serialize(export_quads(quads, name), name)


def render_table(solutions: ox.QuerySolutions) -> str:
    variables = [variable.value for variable in solutions.variables]
    rows = [[cell_text(solution[variable]) for variable in variables] for solution in solutions]
    widths = [max([len(name)] + [len(row[index]) for row in rows]) for index, name in enumerate(variables)]
    line = "-+-".join("-" * width for width in widths)
    out = [
        " | ".join(name.ljust(width) for name, width in zip(variables, widths)).rstrip(),
        line,
    ]
    out += [" | ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out) + "\n"


def cell_text(term: object) -> str:
    """A term as a person reads it: prefixed IRIs, bare numbers, quoted strings with their tag."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return compact_iri(term.value)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        text = term.value.replace("\n", "\\n")
        if term.language:
            return f'"{text}"@{term.language}'
        datatype = term.datatype.value
        if datatype in NUMERIC:
            return text
        if datatype == XSD_STRING:
            return f'"{text}"'
        return f'"{text}"^^{compact_iri(datatype)}'
    return str(term)


def compact_iri(iri: str) -> str:
    for prefix, namespace in sorted(PREFIXES.items(), key=lambda item: -len(item[1])):
        local = iri[len(namespace):]
        if iri.startswith(namespace) and local and all(c.isalnum() or c in "-_." for c in local):
            return f"{prefix}:{local}"
    return f"<{iri}>"
