"""SHACL-SPARQL ``sh:select`` constraints, rewritten so that ``$this`` ranges over a set of nodes.

SHACL pre-binds ``$this`` to one focus node per execution. Replacing that by a variable that the
focus-node pattern binds gives the same solutions when every group that is evaluated on its own
(the WHERE group, UNION branches, OPTIONAL parts) and mentions ``$this`` also binds it: the
focus pattern is injected at the start of each such group (marked ``#FOCUS#``; the engine puts the
shape's targets or a write's ``VALUES`` there). ``EXISTS`` groups are left alone: SPARQL
substitutes the outer solution's ``?this`` into them. Groups inside ``GRAPH`` are left alone too
(the focus pattern must read the union of all graphs): a ``GRAPH`` block whose own sub-groups
mention ``$this`` is refused, as are sub-queries using ``$this``, ``MINUS``, aggregates, ``VALUES`` / ``BIND`` of
``$this`` and ``$shapesGraph`` / ``$currentShape`` -- those shapes go to pySHACL instead.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Iterator

import rdflib
from rdflib.namespace import SH

if TYPE_CHECKING:
    from bricskg.validation.compiled.compiler import Compiler

FOCUS = "#FOCUS#\n"
THIS = re.compile(r"[?$]this\b")
TOKEN = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\''
    r'|<[^<>"{}|^`\\\s]*>|#[^\n]*|[{}]|[A-Za-z_]\w*|[?$]\w+|\S',
)
REFUSED = re.compile(r"\b(VALUES|MINUS|GROUP\s+BY|HAVING|COUNT|SUM|MIN|MAX|AVG|SAMPLE|GROUP_CONCAT|SERVICE)\b|\$shapesGraph|\$currentShape", re.I)


def sparql_checks(compiler: "Compiler", shape, path: str | None, path_node, messages, severity) -> Iterator:
    from bricskg.validation.compiled.compiler import Check, Uncompilable

    graph = compiler.graph
    for constraint in compiler.values(shape, SH.sparql):
        if compiler.deactivated(constraint):
            continue
        for predicate in set(graph.predicates(constraint, None)):
            if str(predicate).startswith(str(SH)) and predicate not in (SH.select, SH.message, SH.prefixes, SH.deactivated):
                raise Uncompilable(f"{constraint} uses {predicate}")
        select = compiler.one(constraint, SH.select)
        if select is None:
            raise Uncompilable(f"{constraint} has no sh:select")
        text = str(select)
        if "$PATH" in text:
            if path is None:
                raise Uncompilable(f"{constraint}: $PATH in a node shape's constraint")
            text = text.replace("$PATH", path)
        query = prefixes(graph, constraint) + rewrite(text)
        own = tuple(m for m in compiler.values(constraint, SH.message) if isinstance(m, rdflib.Literal))
        yield Check(
            shape, SH.SPARQLConstraintComponent, (), True, own + tuple(m for m in messages if m not in own),
            severity, path_node, source_constraint=constraint, query=query,
        )


def prefixes(graph: rdflib.Graph, constraint) -> str:
    """PREFIX lines from the constraint's sh:prefixes, following owl:imports as SHACL says."""
    lines = []
    pending, seen = list(graph.objects(constraint, SH.prefixes)), set()
    while pending:
        declaring = pending.pop()
        if declaring in seen:
            continue
        seen.add(declaring)
        pending += list(graph.objects(declaring, rdflib.OWL.imports))
        for declaration in graph.objects(declaring, SH.declare):
            prefix, namespace = graph.value(declaration, SH.prefix), graph.value(declaration, SH.namespace)
            if prefix is not None and namespace is not None:
                lines.append(f"PREFIX {prefix}: <{namespace}>")
    return "\n".join(sorted(set(lines))) + "\n"


def rewrite(text: str) -> str:
    """``text`` with ``#FOCUS#`` after the brace of every group that must bind ``?this``."""
    from bricskg.validation.compiled.compiler import Uncompilable

    if REFUSED.search(_strip_strings(text)):
        raise Uncompilable("a SPARQL constraint with MINUS, aggregates, SERVICE, $shapesGraph or $currentShape")
    tokens = [m for m in TOKEN.finditer(text)]
    words = [m.group(0) for m in tokens]
    if sum(1 for w in words if w.upper() == "SELECT") != 1 and _subquery_uses_this(words):
        raise Uncompilable("a SPARQL constraint with a sub-query that uses $this")
    for i, w in enumerate(words):
        if w.upper() in ("VALUES", "AS") and i + 1 < len(words) and THIS.fullmatch(words[i + 1]):
            raise Uncompilable("a SPARQL constraint that assigns $this")
    # the braces: (index of token, kind, parent index), kind in where/group/exists/graph/values/optional
    stack: list[dict] = []
    groups: list[dict] = []
    for i, w in enumerate(words):
        if w == "{":
            before = [x.upper() for x in words[max(0, i - 3):i]]
            parent = stack[-1] if stack else None
            if before and before[-1] == "EXISTS":
                kind = "exists"
            elif len(before) >= 2 and before[-2] == "GRAPH":
                kind = "graph"
            elif before and before[-1] == "OPTIONAL":
                kind = "optional"
            elif "VALUES" in before or (before and before[-1] == ")" and "VALUES" in [x.upper() for x in words[max(0, i - 12):i]]):
                kind = "values"
            else:
                kind = "group" if parent else "where"
            group = {"at": i, "kind": kind, "parent": parent, "this": False, "nested": False, "direct": False,
                     "inside": kind in ("exists", "graph", "values") or bool(parent and parent["inside"]),
                     "graph": kind == "graph" or bool(parent and parent["graph"])}
            if parent:
                parent["nested"] = True
            stack.append(group)
            groups.append(group)
        elif w == "}":
            if not stack:
                raise Uncompilable("unbalanced braces in a SPARQL constraint")
            stack.pop()
        elif THIS.fullmatch(w):
            for group in stack:
                group["this"] = True
            if stack:
                _binder(stack[-1])["direct"] = True
    if stack:
        raise Uncompilable("unbalanced braces in a SPARQL constraint")
    for group in groups:
        if group["graph"] and group["kind"] != "graph" and group["this"] and not _in_exists(group):
            raise Uncompilable("a SPARQL constraint with $this in a group inside GRAPH")
    # a group binds ?this when it mentions it itself (not only through groups that bind it on
    # their own): injecting the focus pattern into the WHERE group *and* its UNION branches made
    # Oxigraph re-run the focus pattern once per outer row
    inject = {g["at"] for g in groups if g["direct"]}
    if not any(g["kind"] == "where" for g in groups):
        raise Uncompilable("a SPARQL constraint without a WHERE group")
    where = next(g for g in groups if g["kind"] == "where")
    if not inject:
        inject.add(where["at"])
    out, last = [], 0
    for index, match in enumerate(tokens):
        if index in inject:
            out.append(text[last:match.end()])
            out.append("\n" + FOCUS)
            last = match.end()
    out.append(text[last:])
    rewritten = THIS.sub("?this", "".join(out))
    return _project_this(rewritten)


def _subquery_uses_this(words: list[str]) -> bool:
    """Whether a sub-query mentions $this. One that does not (a list of the store's predicates, say)
    gives the same solutions whatever $this is bound to, so it needs no rewriting."""
    selects = [i for i, w in enumerate(words) if w.upper() == "SELECT"][1:]
    for start in selects:
        depth, i = 1, start
        while i < len(words) and depth > 0:  # to the end of the group holding the sub-query
            i += 1
            if i < len(words) and words[i] == "{":
                depth += 1
            elif i < len(words) and words[i] == "}":
                depth -= 1
        if any(THIS.fullmatch(w) for w in words[start:i]):
            return True
    return False


def _binder(group: dict) -> dict:
    """The group that must bind ``?this`` for a mention in ``group``: the nearest enclosing group
    evaluated on its own (not an EXISTS, GRAPH, VALUES or plain OPTIONAL block)."""
    while group["parent"] is not None and (
        group["inside"] or group["kind"] not in ("where", "group", "optional")
        or (group["kind"] == "optional" and not group["nested"])
    ):
        group = group["parent"]
    return group


def _in_exists(group: dict) -> bool:
    parent = group["parent"]
    while parent is not None:
        if parent["kind"] == "exists":
            return True
        parent = parent["parent"]
    return False


def _strip_strings(text: str) -> str:
    return re.sub(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|<[^<>\s]*>|#[^\n]*', " ", text)


def _project_this(text: str) -> str:
    """Make sure ``?this`` is projected (a query may leave the pre-bound ``$this`` out)."""
    match = re.search(r"\bSELECT\b(\s+(?:DISTINCT|REDUCED)\b)?(.*?)\bWHERE\b", text, re.I | re.S)
    if match is None:
        match = re.search(r"\bSELECT\b(\s+(?:DISTINCT|REDUCED)\b)?(.*?)\{", text, re.I | re.S)
        if match is None:
            from bricskg.validation.compiled.compiler import Uncompilable

            raise Uncompilable("no SELECT clause")
    projection = match.group(2)
    if projection.strip() == "*" or THIS.search(projection):
        return text
    return text[: match.start(2)] + " ?this" + text[match.start(2):]
