"""What may be forwarded to an external SPARQL engine: standard SPARQL 1.1, nothing of the engine's own.

The embedded store knows only SPARQL 1.1's functions, so a query cannot reach beyond it. An
external engine may know much more, and some of it reaches the network or the file system:
Virtuoso evaluates ``bif:http_get("http://…")`` for the anonymous user of its ``/sparql`` endpoint,
and ``DEFINE get:soft …`` asks its Sponger to fetch the ``FROM`` IRIs. Before ``bricskg serve
--backend`` forwards a query, the whole text is therefore parsed as standard SPARQL 1.1 (an engine
pragma such as ``DEFINE`` is a syntax error there) and every function it calls must be one of
SPARQL 1.1's built-ins or an XSD cast: an extension function is refused (HTTP 400) whatever the
engine would do with it.
"""

from __future__ import annotations

from typing import Any

from bricskg.byte_lru import memoise
from bricskg.sparql import rdflib_parser
from bricskg.sparql.safety import QueryAnalysis, check_query
from bricskg.store.base import QueryRefused

XSD = "http://www.w3.org/2001/XMLSchema#"
NOT_FORWARDED = (
    "This endpoint forwards queries to an external SPARQL engine and allows only SPARQL 1.1's own "
    "functions and XSD casts; {iri} is an extension function of some engine, which may fetch URLs or read files."
)


def check_forwardable_query(text: str) -> QueryAnalysis:
    """The analysis of ``text`` (as ``check_query``), after proving it is standard SPARQL 1.1 that calls
    no extension function; raises QueryRefused (HTTP 400) otherwise."""
    analysis = check_query(text)
    refusal = _forwarding_refusal(text)
    if refusal:
        raise QueryRefused(refusal)
    return analysis


@memoise(max_bytes=4 * 1024 * 1024, max_entry_bytes=64 * 1024)
def _forwarding_refusal(text: str) -> str:
    """Why ``text`` may not be forwarded ("" when it may); memoised, as clients repeat queries."""
    try:
        tree = rdflib_parser.parse_query(text)
    except Exception as error:  # pyparsing's ParseException, or rdflib's own errors
        detail = " ".join(str(error).split())
        return f"This is not a SPARQL 1.1 query (an engine's own syntax is not forwarded): {detail}"
    for iri in called_functions(tree):
        if not iri.startswith(XSD):
            return NOT_FORWARDED.format(iri=f"<{iri}>")
    return ""


def called_functions(tree: Any) -> list[str]:
    """The IRIs of the functions a parsed query calls by IRI (built-ins are not called by IRI)."""
    prefixes = _prefixes(tree)
    found = []
    for node in rdflib_parser.walk_tree(tree):
        if node.name == "Function":
            found.append(_resolve(node.get("iri"), prefixes))
    return found


def _prefixes(tree: Any) -> dict[str, str]:
    declared: dict[str, str] = {}
    for node in rdflib_parser.walk_tree(tree):
        if node.name == "PrefixDecl":
            declared[str(node.get("prefix") or "")] = str(node.get("iri"))
    return declared


def _resolve(iri: Any, prefixes: dict[str, str]) -> str:
    """A function's IRI as written: a full IRI, or a prefixed name expanded with the query's prologue
    (an undeclared prefix yields the bare name, which is no XSD IRI and so is refused)."""
    if getattr(iri, "name", None) == "pname":
        prefix = str(iri.get("prefix") or "")
        local = str(iri.get("localname") or "")
        return prefixes.get(prefix, prefix + ":") + local
    return str(iri)
