"""Expected and actual SPARQL results in one comparable form, compared the way the W3C suite intends.

The response parsers for SPARQL JSON and XML are written here on purpose rather than borrowed from
the engine the server runs on: a serialiser bug in the server would otherwise be hidden by the same
library reading its own output back. TSV goes through pyoxigraph's TSV reader (its term syntax is
Turtle's), CSV is compared as text because CSV loses term types by design, graphs through rdflib.

Comparison rules (those of the W3C harnesses):
- solutions are a multiset unless the query's outermost level has ORDER BY;
- blank nodes match under one consistent bijection of labels across all rows (isomorphism);
- literals match by term, and numeric literals of the same datatype also by value ("1.0E6" and
  "1.0e6" are the same xsd:double);
- graphs match by rdflib's isomorphism.
"""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ElementTree
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Iterable, Union

import pyoxigraph
import rdflib
from rdflib.compare import isomorphic

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
RS = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/result-set#")
SRX_NS = "{http://www.w3.org/2005/sparql-results#}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

INTEGER_TYPES = frozenset(
    XSD + t
    for t in (
        "integer", "long", "int", "short", "byte", "nonNegativeInteger", "nonPositiveInteger",
        "positiveInteger", "negativeInteger", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte",
    )
)
FLOAT_TYPES = frozenset({XSD + "double", XSD + "float"})
DECIMAL_TYPE = XSD + "decimal"

# A term is a tuple: ("uri", iri) | ("bnode", label) | ("literal", lexical, datatype, lang) | ("text", csv cell)
Term = tuple


def uri(value: str) -> Term:
    return ("uri", value)


def bnode(label: str) -> Term:
    return ("bnode", label)


def literal(lexical: str, datatype: str | None = None, lang: str | None = None) -> Term:
    """RDF 1.1 literal: a simple literal is an xsd:string; language tags compare case-insensitively."""
    if lang:
        return ("literal", lexical, RDF_LANG_STRING, lang.lower())
    if datatype is None or datatype == XSD + "string":
        datatype = XSD + "string"
    return ("literal", lexical, datatype, None)


def is_bnode(term: Term | None) -> bool:
    return term is not None and term[0] == "bnode"


def value_key(term: Term) -> Term:
    """A hashable key equal for equal terms, numerics compared by value within their datatype."""
    if term[0] != "literal":
        return term
    _, lexical, datatype, lang = term
    try:
        if datatype in INTEGER_TYPES:
            return ("number", datatype, int(lexical.strip()))
        if datatype == DECIMAL_TYPE:
            return ("number", datatype, Decimal(lexical.strip()).normalize())
        if datatype in FLOAT_TYPES:
            text = lexical.strip()
            return ("number", datatype, float(text.replace("INF", "inf")))
    except (ValueError, InvalidOperation):
        pass
    return term


@dataclass(frozen=True)
class Solutions:
    variables: tuple[str, ...]
    rows: tuple[dict[str, Term], ...]


@dataclass(frozen=True)
class Boolean:
    value: bool


@dataclass(frozen=True)
class Graph:
    graph: rdflib.Graph


@dataclass(frozen=True)
class CsvTable:
    """CSV results: header and cells as text (CSV cannot say whether "1" was a string or a number)."""

    variables: tuple[str, ...]
    rows: tuple[dict[str, Term], ...]


Result = Union[Solutions, Boolean, Graph, CsvTable]


# ----------------------------------------------------------------------------------------- parsers


def parse_json_results(data: bytes | str) -> Solutions | Boolean:
    document = json.loads(data)
    if "boolean" in document:
        return Boolean(bool(document["boolean"]))
    variables = tuple(document.get("head", {}).get("vars", ()))
    rows = tuple(
        {name: _json_term(value) for name, value in binding.items()}
        for binding in document.get("results", {}).get("bindings", ())
    )
    return Solutions(variables, rows)


def _json_term(value: dict) -> Term:
    kind = value["type"]
    if kind == "uri":
        return uri(value["value"])
    if kind == "bnode":
        return bnode(value["value"])
    if kind in ("literal", "typed-literal"):
        return literal(value["value"], value.get("datatype"), value.get("xml:lang"))
    if kind == "triple":
        inner = value["value"]
        return ("triple", _json_term(inner["subject"]), _json_term(inner["predicate"]), _json_term(inner["object"]))
    raise ValueError(f"unknown term type {kind!r} in SPARQL JSON results")


def parse_xml_results(data: bytes | str) -> Solutions | Boolean:
    root = ElementTree.fromstring(data)
    boolean = root.find(f"{SRX_NS}boolean")
    if boolean is not None:
        return Boolean((boolean.text or "").strip() == "true")
    head = root.find(f"{SRX_NS}head")
    variables = tuple(v.get("name") for v in head.findall(f"{SRX_NS}variable")) if head is not None else ()
    rows = []
    results = root.find(f"{SRX_NS}results")
    for result in results.findall(f"{SRX_NS}result") if results is not None else ():
        row = {}
        for binding in result.findall(f"{SRX_NS}binding"):
            row[binding.get("name")] = _xml_term(binding[0])
        rows.append(row)
    return Solutions(variables, tuple(rows))


def _xml_term(element: ElementTree.Element) -> Term:
    tag = element.tag.removeprefix(SRX_NS)
    text = element.text or ""
    if tag == "uri":
        return uri(text.strip())
    if tag == "bnode":
        return bnode(text.strip())
    if tag == "literal":
        return literal(text, element.get("datatype"), element.get(XML_LANG))
    if tag == "triple":
        parts = {child.tag.removeprefix(SRX_NS): _xml_term(child[0]) for child in element}
        return ("triple", parts["subject"], parts["predicate"], parts["object"])
    raise ValueError(f"unknown term element {tag!r} in SPARQL XML results")


def from_oxigraph(term) -> Term:
    if isinstance(term, pyoxigraph.NamedNode):
        return uri(term.value)
    if isinstance(term, pyoxigraph.BlankNode):
        return bnode(term.value)
    if isinstance(term, pyoxigraph.Literal):
        return literal(term.value, term.datatype.value, term.language)
    if isinstance(term, pyoxigraph.Triple):
        return ("triple", from_oxigraph(term.subject), from_oxigraph(term.predicate), from_oxigraph(term.object))
    raise TypeError(f"not an RDF term: {term!r}")


def parse_tsv_results(data: bytes | str) -> Solutions | Boolean:
    parsed = pyoxigraph.parse_query_results(data, pyoxigraph.QueryResultsFormat.TSV)
    if isinstance(parsed, pyoxigraph.QueryBoolean):
        return Boolean(bool(parsed))
    variables = tuple(v.value for v in parsed.variables)
    rows = []
    for solution in parsed:
        row = {}
        for name in variables:
            term = solution[name]
            if term is not None:
                row[name] = from_oxigraph(term)
        rows.append(row)
    return Solutions(variables, tuple(rows))


def parse_csv_results(data: bytes | str) -> CsvTable:
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    reader = csv.reader(io.StringIO(text, newline=""))
    lines = [line for line in reader]
    header = tuple(lines[0]) if lines else ()
    rows = []
    for line in lines[1:]:
        row = {}
        for name, cell in zip(header, line):
            if cell == "":
                continue  # unbound and the empty string look alike in CSV; the spec accepts that loss
            row[name] = bnode(cell[2:]) if cell.startswith("_:") else ("text", cell)
        rows.append(row)
    return CsvTable(header, tuple(rows))


def parse_result_set_graph(graph: rdflib.Graph) -> Solutions | Boolean:
    """The DAWG result-set vocabulary (rs:ResultSet), used by a few expected results in Turtle."""
    result_set = graph.value(None, rdflib.RDF.type, RS.ResultSet)
    boolean = graph.value(result_set, RS.boolean)
    if boolean is not None:
        return Boolean(bool(boolean.toPython()))
    variables = tuple(str(v) for v in graph.objects(result_set, RS.resultVariable))
    rows = []
    for solution in graph.objects(result_set, RS.solution):
        row = {}
        for binding in graph.objects(solution, RS.binding):
            row[str(graph.value(binding, RS.variable))] = from_rdflib(graph.value(binding, RS.value))
        rows.append(row)
    return Solutions(variables, tuple(rows))


def from_rdflib(term) -> Term:
    if isinstance(term, rdflib.URIRef):
        return uri(str(term))
    if isinstance(term, rdflib.BNode):
        return bnode(str(term))
    if isinstance(term, rdflib.Literal):
        return literal(str(term), str(term.datatype) if term.datatype else None, term.language)
    raise TypeError(f"not an RDF term: {term!r}")


def to_rdflib(term: Term):
    """Back to an rdflib term, to rebuild graphs from SELECT rows (and compare them by isomorphism)."""
    kind = term[0]
    if kind == "uri":
        return rdflib.URIRef(term[1])
    if kind == "bnode":
        return rdflib.BNode(term[1])
    if kind == "literal":
        _, lexical, datatype, lang = term
        if lang:
            return rdflib.Literal(lexical, lang=lang)
        if datatype == XSD + "string":
            return rdflib.Literal(lexical)  # rdflib keeps simple literals untyped, as Turtle parses them
        return rdflib.Literal(lexical, datatype=rdflib.URIRef(datatype))
    raise TypeError(f"no rdflib equivalent for {term!r}")


GRAPH_FORMATS = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "text/plain": "nt",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
    "application/trig": "trig",
    "application/n-quads": "nquads",
}

RESULT_PARSERS = {
    "application/sparql-results+json": parse_json_results,
    "application/json": parse_json_results,
    "application/sparql-results+xml": parse_xml_results,
    "application/xml": parse_xml_results,
    "text/tab-separated-values": parse_tsv_results,
    "text/csv": parse_csv_results,
}


def parse_response(body: bytes, content_type: str) -> Result:
    """Read an HTTP response body according to its Content-Type, the way a client would."""
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type in RESULT_PARSERS:
        return RESULT_PARSERS[media_type](body)
    if media_type in GRAPH_FORMATS:
        graph = rdflib.Graph()
        graph.parse(data=body, format=GRAPH_FORMATS[media_type])
        return Graph(graph)
    raise ValueError(f"unexpected result media type {content_type!r}")


def load_expected(path: Path, query_form: str) -> Result:
    """The expected result file of a test, read by its extension (and the query form for RDF files)."""
    suffix = path.suffix.lower()
    if suffix == ".srj":
        return parse_json_results(path.read_bytes())
    if suffix == ".srx":
        return parse_xml_results(path.read_bytes())
    if suffix == ".tsv":
        return parse_tsv_results(path.read_bytes())
    if suffix == ".csv":
        return parse_csv_results(path.read_bytes())
    graph = rdflib.Graph()
    rdflib_format = {".ttl": "turtle", ".nt": "nt", ".rdf": "xml"}[suffix]
    graph.parse(path, format=rdflib_format, publicID=path.as_uri())
    if query_form in ("SELECT", "ASK") and (None, rdflib.RDF.type, RS.ResultSet) in graph:
        return parse_result_set_graph(graph)
    return Graph(graph)


# ------------------------------------------------------------------------------------- comparison


def results_match(expected: Result, actual: Result, ordered: bool = False) -> tuple[bool, str]:
    """Whether ``actual`` answers like ``expected``; the string says why not (for the test report)."""
    if type(expected) is not type(actual):
        return False, f"expected a {type(expected).__name__} result, got {type(actual).__name__}"
    if isinstance(expected, Boolean):
        return expected.value == actual.value, f"expected {expected.value}, got {actual.value}"
    if isinstance(expected, Graph):
        same = isomorphic(expected.graph, actual.graph)
        return same, "" if same else _graph_diff(expected.graph, actual.graph)
    if set(expected.variables) != set(actual.variables):
        return False, f"variables differ: expected {sorted(expected.variables)}, got {sorted(actual.variables)}"
    if len(expected.rows) != len(actual.rows):
        return False, f"expected {len(expected.rows)} rows, got {len(actual.rows)}" + _rows_diff(expected, actual)
    if ordered:
        same = _ordered_match(expected.rows, actual.rows)
    else:
        same = _unordered_match(list(expected.rows), list(actual.rows))
    return same, "" if same else "rows differ" + (" (order matters: ORDER BY)" if ordered else "") + _rows_diff(
        expected, actual
    )


def _row_key(row: dict[str, Term]) -> tuple:
    """The row as a hashable key with blank nodes anonymised: rows that could match share a key."""
    return tuple(sorted((name, ("bnode",) if is_bnode(term) else value_key(term)) for name, term in row.items()))


def _has_bnode(row: dict[str, Term]) -> bool:
    return any(is_bnode(term) for term in row.values())


def _extend(mapping: dict[str, str], reverse: dict[str, str], expected: dict, actual: dict) -> tuple | None:
    """Extend the bijection so that ``expected`` maps to ``actual``; None when that is impossible."""
    if expected.keys() != actual.keys():
        return None
    new_map, new_reverse = dict(mapping), dict(reverse)
    for name, term in expected.items():
        other = actual[name]
        if is_bnode(term) != is_bnode(other):
            return None
        if not is_bnode(term):
            if value_key(term) != value_key(other):
                return None
            continue
        if new_map.get(term[1], other[1]) != other[1] or new_reverse.get(other[1], term[1]) != term[1]:
            return None
        new_map[term[1]] = other[1]
        new_reverse[other[1]] = term[1]
    return new_map, new_reverse


def _ordered_match(expected: Iterable[dict], actual: Iterable[dict]) -> bool:
    mapping: dict[str, str] = {}
    reverse: dict[str, str] = {}
    for left, right in zip(expected, actual):
        extended = _extend(mapping, reverse, left, right)
        if extended is None:
            return False
        mapping, reverse = extended
    return True


def _unordered_match(expected: list[dict], actual: list[dict]) -> bool:
    if Counter(map(_row_key, expected)) != Counter(map(_row_key, actual)):
        return False
    # Ground rows matched by the multiset check; only rows with blank nodes need a consistent mapping.
    left = [row for row in expected if _has_bnode(row)]
    right = [row for row in actual if _has_bnode(row)]
    left.sort(key=lambda row: -sum(is_bnode(t) for t in row.values()))
    return _search(left, right, {}, {}, [False] * len(right))


def _search(left: list[dict], right: list[dict], mapping: dict, reverse: dict, used: list[bool]) -> bool:
    """Backtracking search for one bijection of blank-node labels that pairs every row."""
    if not left:
        return True
    head, rest = left[0], left[1:]
    key = _row_key(head)
    for index, candidate in enumerate(right):
        if used[index] or _row_key(candidate) != key:
            continue
        extended = _extend(mapping, reverse, head, candidate)
        if extended is None:
            continue
        used[index] = True
        if _search(rest, right, extended[0], extended[1], used):
            return True
        used[index] = False
    return False


def _format_row(row: dict[str, Term]) -> str:
    return "{" + ", ".join(f"{name}={_format_term(term)}" for name, term in sorted(row.items())) + "}"


def _format_term(term: Term) -> str:
    kind = term[0]
    if kind == "uri":
        return f"<{term[1]}>"
    if kind == "bnode":
        return f"_:{term[1]}"
    if kind == "literal":
        _, lexical, datatype, lang = term
        if lang:
            return f'"{lexical}"@{lang}'
        return f'"{lexical}"' if datatype == XSD + "string" else f'"{lexical}"^^<{datatype}>'
    return repr(term)


def _rows_diff(expected: Solutions | CsvTable, actual: Solutions | CsvTable, limit: int = 8) -> str:
    expected_keys = Counter(map(_row_key, expected.rows))
    actual_keys = Counter(map(_row_key, actual.rows))
    missing = [row for row in expected.rows if expected_keys[_row_key(row)] > actual_keys[_row_key(row)]]
    extra = [row for row in actual.rows if actual_keys[_row_key(row)] > expected_keys[_row_key(row)]]
    lines = [""]
    lines += ["  missing " + _format_row(row) for row in missing[:limit]]
    lines += ["  extra   " + _format_row(row) for row in extra[:limit]]
    if not missing and not extra:
        lines.append("  expected: " + " ".join(_format_row(r) for r in expected.rows[:limit]))
        lines.append("  actual:   " + " ".join(_format_row(r) for r in actual.rows[:limit]))
    return "\n".join(lines)


def _graph_diff(expected: rdflib.Graph, actual: rdflib.Graph, limit: int = 8) -> str:
    missing = sorted(t for t in expected if not any(isinstance(x, rdflib.BNode) for x in t) and t not in actual)
    extra = sorted(t for t in actual if not any(isinstance(x, rdflib.BNode) for x in t) and t not in expected)
    lines = [f"graphs not isomorphic ({len(expected)} expected triples, {len(actual)} actual)"]
    lines += [f"  missing {t}" for t in missing[:limit]] + [f"  extra   {t}" for t in extra[:limit]]
    return "\n".join(lines)


# --------------------------------------------------------------------------------- query analysis

_ORDER_BY = re.compile(r"\bORDER\s+BY\b", re.IGNORECASE)


def query_form(query: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first form keyword outside the prologue."""
    stripped = re.sub(r"#[^\n]*", "", query)
    stripped = re.sub(r"<[^>\s]*>", "<>", stripped)
    match = re.search(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", stripped, re.IGNORECASE)
    return match.group(1).upper() if match else "SELECT"


def has_top_level_order_by(query: str) -> bool:
    """ORDER BY on the outermost query (a sub-select's ORDER BY does not order the answer)."""
    try:
        from rdflib.plugins.sparql.parser import parseQuery

        parsed = parseQuery(query)
        return "orderby" in parsed[1].keys()
    except Exception:  # rdflib's parser does not know every SPARQL 1.1 corner; fall back to the text
        return _ORDER_BY.search(query[query.rfind("}") :]) is not None or (
            _ORDER_BY.search(query) is not None and query.upper().count("SELECT") == 1
        )
