"""rdflib's SPARQL parser behind one process-wide lock.

rdflib parses with pyparsing, whose packrat cache and parse actions share state between calls: two
request threads parsing at once corrupt it ("Param.postParse2() missing 1 required positional
argument: 'tokenList'"), and every later parse in that process then fails. The safety check of
every query and the delta analysis of every update go through here, so the lock is the one place
that makes rdflib's parser safe for gunicorn's threads. Parses are short (milliseconds) and cached
upstream, so serialising them costs little.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Any, Iterator

# Re-entrant: code that holds the parser for a whole pySHACL run may call the functions below.
_LOCK = threading.RLock()


@contextmanager
def exclusive() -> Iterator[None]:
    """Hold rdflib's parser for a block that parses SPARQL outside this module (pySHACL's SPARQL
    constraints call rdflib's prepareQuery), so it cannot interleave with request threads."""
    with _LOCK:
        yield


def parse_query(text: str) -> Any:
    """rdflib's parse tree of a SPARQL query (raises pyparsing's ParseException when malformed)."""
    from rdflib.plugins.sparql.parser import parseQuery

    with _LOCK:
        return parseQuery(text)


def parse_update(text: str) -> Any:
    """rdflib's parse tree of a SPARQL update request."""
    from rdflib.plugins.sparql.parser import parseUpdate

    with _LOCK:
        return parseUpdate(text)


def translate_update(text: str, base_iri: str | None) -> Any:
    """rdflib's algebra of an update request, parsed and translated under the lock."""
    from rdflib.plugins.sparql.algebra import translateUpdate
    from rdflib.plugins.sparql.parser import parseUpdate

    with _LOCK:
        return translateUpdate(parseUpdate(text), base=base_iri)


def walk_tree(tree: Any) -> Iterator[Any]:
    """Every CompValue of an rdflib parse or algebra tree, iteratively: a deeply nested query must not
    overflow Python's stack while we look for SERVICE, LOAD or dataset clauses in it."""
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, CompValue):
            yield node
            stack.extend(node.values())
        elif isinstance(node, (ParseResults, list, tuple)):
            stack.extend(node)
        elif isinstance(node, dict):
            stack.extend(node.values())
