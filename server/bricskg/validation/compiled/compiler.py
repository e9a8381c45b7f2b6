"""SHACL Core shapes as SPARQL violation patterns, one ``Check`` per constraint of a targeted shape.

Each check is a few group-graph-pattern *branches* over the variable ``?this`` (the focus node,
bound by the engine: by the shape's targets over the whole store, or by ``VALUES`` for a write)
whose solutions are exactly the violations: ``?value`` where the component reports a value node.
A focus node with no violation yields no row, so a query costs what the violating and candidate
rows cost, not one round trip per focus node.

The semantics follow SHACL 1.0 and, where the specification leaves a choice, pySHACL 0.40 (the
engine the results are compared with): terms are compared with ``sameTerm`` (``sh:in``, counts),
a comparison that raises an error counts as a violation (``COALESCE(..., false)``), ``sh:datatype``
rejects the ill-typed literals rdflib recognises (integers, decimals, floats, booleans, dates and
times: checked with Oxigraph's casts), and counts are of distinct value nodes.

Nested shapes (``sh:node``, ``sh:or``, ``sh:and``, ``sh:not``, ``sh:xone``, qualified value shapes)
compile to ``EXISTS`` over the union of the nested shape's own violation branches: a value node
conforms to a shape when no branch has a solution for it.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Callable, Iterator

import rdflib
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, XSD

Node = rdflib.term.Node

# Parameters whose meaning the compiler knows; any other sh: predicate on a shape makes it uncompilable.
KNOWN = {
    SH[name] for name in (
        "targetClass targetNode targetSubjectsOf targetObjectsOf property path minCount maxCount datatype class "
        "nodeKind pattern flags minLength maxLength minInclusive maxInclusive minExclusive maxExclusive in hasValue "
        "languageIn uniqueLang equals disjoint lessThan lessThanOrEquals closed ignoredProperties node not and or "
        "xone qualifiedValueShape qualifiedMinCount qualifiedMaxCount qualifiedValueShapesDisjoint sparql message "
        "severity deactivated name description order group defaultValue"
    ).split()
}
MAX_PAIRWISE = 5  # counts up to this many distinct values compile to pairwise-distinct patterns
# Datatypes whose ill-typed literals rdflib flags (so pySHACL rejects them): checked with a cast.
CASTS = {XSD.integer, XSD.decimal, XSD.float, XSD.double, XSD.boolean, XSD.date, XSD.time, XSD.dateTime}
SEVERITIES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}
NODE_KINDS = {
    SH.IRI: "isIRI({v})",
    SH.BlankNode: "isBlank({v})",
    SH.Literal: "isLiteral({v})",
    SH.BlankNodeOrIRI: "(isBlank({v}) || isIRI({v}))",
    SH.BlankNodeOrLiteral: "(isBlank({v}) || isLiteral({v}))",
    SH.IRIOrLiteral: "(isIRI({v}) || isLiteral({v}))",
}
FOCUS_MARK = "#FOCUS#\n"  # where a branch binds ?this itself (the engine puts the focus pattern there)
RANGES = {SH.minInclusive: ">=", SH.maxInclusive: "<=", SH.minExclusive: ">", SH.maxExclusive: "<"}


class Tested(list):
    """The branch of a per-value test (``each`` binds ?value, ``expression`` is true on a violation)."""

    def __init__(self, each: str, expression: str):
        super().__init__([f"{each} FILTER({expression})"])
        self.each = each
        self.expression = expression


class Counted(list):
    """The branch of a combined minCount/maxCount aggregate (it binds ?_n, the number of values)."""

    def __init__(self, low: int, high: int, branch: str):
        super().__init__([branch])
        self.low, self.high = low, high


class Uncompilable(ValueError):
    """A shape uses a construct this compiler does not translate: validate it with pySHACL instead."""


@dataclass(frozen=True)
class Check:
    """One constraint of one shape, applied to the focus nodes of one targeted shape."""

    source_shape: Node
    component: rdflib.URIRef
    branches: tuple[str, ...]  # alternatives over ?this; ?value bound when has_value
    has_value: bool
    messages: tuple[rdflib.Literal, ...]
    severity: str
    path_node: Node | None
    source_constraint: Node | None = None
    query: str | None = None  # a SHACL-SPARQL rule: the whole rewritten query (bricskg.validation.compiled.sparql_rules)
    binds_path: bool = False  # ?path comes from the row (sh:closed)
    tests: tuple[tuple[rdflib.URIRef, str], ...] = ()  # (component, violation test of ?value) on one scan
    each: str = ""  # the pattern binding ?value for ``tests``
    counts: tuple[int, int] | None = None  # (minCount, maxCount) checked by one aggregate binding ?_n


def term(node: Node) -> str:
    """A term in SPARQL syntax."""
    if isinstance(node, rdflib.URIRef):
        return f"<{node}>"
    if isinstance(node, rdflib.Literal):
        return node.n3()
    raise Uncompilable(f"a blank node {node} where SPARQL needs a constant")


def sparql_path(graph: rdflib.Graph, path: Node) -> str:
    """A SHACL property path as a SPARQL property path."""
    if isinstance(path, rdflib.URIRef):
        return f"<{path}>"
    if (path, RDF.first, None) in graph:
        steps = [sparql_path(graph, step) for step in Collection(graph, path)]
        if len(steps) < 2:
            raise Uncompilable("a sequence path needs two steps")
        return "(" + "/".join(steps) + ")"
    for predicate, template in ((SH.inversePath, "^{}"), (SH.zeroOrMorePath, "{}*"),
                                (SH.oneOrMorePath, "{}+"), (SH.zeroOrOnePath, "{}?")):
        inner = graph.value(path, predicate)
        if inner is not None:
            return "(" + template.format(sparql_path(graph, inner)) + ")"
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(sparql_path(graph, step) for step in Collection(graph, alternatives)) + ")"
    raise Uncompilable(f"unknown property path {path}")


class Compiler:
    """Compiles the shapes of one shapes graph; ``closure(C)`` gives C and its subclasses in the data."""

    def __init__(self, graph: rdflib.Graph, closure: Callable[[Node], set[Node]], whole_store: bool = True):
        self.graph = graph
        self.closure = closure
        # The focus pattern is the targets over the whole store (True) or a short VALUES list (a
        # write): Oxigraph 0.5 wants different forms. With thousands of focus rows, (NOT) EXISTS is
        # evaluated per row without using the row's ?this (1.6 s for 541 states at 1M quads, 8.7 s
        # for a two-pattern EXISTS) while OPTIONAL + !BOUND and GROUP BY run once (0.05 s); with a
        # few VALUES rows, EXISTS is the cheap one and OPTIONAL joins against the whole store.
        self.whole_store = whole_store
        self._names = itertools.count()
        self.custom_parameters = {
            path
            for component in graph.subjects(RDF.type, SH.ConstraintComponent)
            for parameter in graph.objects(component, SH.parameter)
            for path in graph.objects(parameter, SH.path)
        }

    def fresh(self) -> str:
        return f"?_v{next(self._names)}"

    # --- the shapes graph -----------------------------------------------------------------------

    def values(self, shape: Node, predicate: rdflib.URIRef) -> list[Node]:
        return sorted(self.graph.objects(shape, predicate), key=str)

    def one(self, shape: Node, predicate: rdflib.URIRef) -> Node | None:
        found = self.values(shape, predicate)
        if len(found) > 1:
            raise Uncompilable(f"{shape} has {len(found)} values of {predicate}")
        return found[0] if found else None

    def items(self, node: Node) -> list[Node]:
        return list(Collection(self.graph, node))

    def deactivated(self, shape: Node) -> bool:
        flag = self.one(shape, SH.deactivated)
        return isinstance(flag, rdflib.Literal) and flag.value is True

    def check_known(self, shape: Node) -> None:
        for predicate in set(self.graph.predicates(shape, None)):
            if predicate in self.custom_parameters:
                raise Uncompilable(f"{shape} uses the custom constraint parameter {predicate}")
            if str(predicate).startswith(str(SH)) and predicate not in KNOWN:
                raise Uncompilable(f"{shape} uses {predicate}")
        disjoint = self.one(shape, SH.qualifiedValueShapesDisjoint)
        if disjoint is not None and getattr(disjoint, "value", None) is True:
            raise Uncompilable(f"{shape} uses sh:qualifiedValueShapesDisjoint")

    # --- top level: the checks of a targeted shape ------------------------------------------

    def checks(self, shape: Node) -> list[Check]:
        """Every check of ``shape`` (its own constraints and those of its sh:property shapes)."""
        if self.deactivated(shape):
            return []
        self.check_known(shape)
        found = list(self.shape_checks(shape, top=True))
        for prop in self.values(shape, SH.property):
            if self.deactivated(prop):
                continue
            self.check_known(prop)
            if self.values(prop, SH.property):
                raise Uncompilable(f"{prop}: sh:property on a property shape")
            if self.one(prop, SH.path) is None:
                raise Uncompilable(f"{prop}: a property shape without sh:path")
            found += self.shape_checks(prop, top=True)
        return found

    def shape_checks(self, shape: Node, *, top: bool, focus: str = "?this") -> Iterator[Check]:
        """The checks of one shape's own constraints (not its sh:property shapes)."""
        from bricskg.validation.compiled.sparql_rules import sparql_checks

        path_node = self.one(shape, SH.path)
        path = sparql_path(self.graph, path_node) if path_node is not None else None
        messages = tuple(m for m in self.values(shape, SH.message) if isinstance(m, rdflib.Literal))
        severity = SEVERITIES.get(self.one(shape, SH.severity), "Violation")
        value = "?value" if top else self.fresh()
        tests = []
        for component, branches, has_value, binds_path in self.components(shape, focus, value, path):
            if top and isinstance(branches, Tested):  # tests of each value: one query, below
                tests.append((component, branches.expression))
                each = branches.each
                continue
            yield Check(shape, component, tuple(branches), has_value, messages, severity, path_node,
                        binds_path=binds_path,
                        counts=(branches.low, branches.high) if isinstance(branches, Counted) else None)
        if tests:
            # every per-value test of the shape in ONE query (one scan of the values, one focus
            # pattern), with a flag per test: 228 queries of ~5 ms fixed cost each became ~100
            yield Check(shape, SH.ConstraintComponent, (), True, messages, severity, path_node,
                        tests=tuple(tests), each=each)
        if top:
            yield from sparql_checks(self, shape, path, path_node, messages, severity)
        elif self.values(shape, SH.sparql):
            raise Uncompilable(f"{shape}: a SPARQL constraint in a nested shape")

    def components(self, shape: Node, f: str, v: str, path: str | None):
        """(component, branches, has_value, binds_path) for each constraint parameter of ``shape``."""
        g = self.graph
        each = f"{f} {path} {v} ." if path else f"BIND({f} AS {v})"
        value_of = (lambda expression: Tested(each, expression))

        def add(component, branches, has_value=True, binds_path=False):
            return (SH[component], branches, has_value, binds_path)

        top = v == "?value"
        lows, highs = self.values(shape, SH.minCount), self.values(shape, SH.maxCount)
        if path is not None and top and self.whole_store and lows and highs and len(lows) == len(highs) == 1:
            # both counts from ONE aggregate over the focus nodes (the engine tells which failed)
            a = self.fresh()
            yield (SH.ConstraintComponent, Counted(int(lows[0]), int(highs[0]), (
                f"{{ SELECT ?this (COUNT(DISTINCT {a}) AS ?_n) WHERE {{ {FOCUS_MARK} OPTIONAL {{ ?this {path} {a} }} }} "
                f"GROUP BY ?this HAVING (COUNT(DISTINCT {a}) < {int(lows[0])} || COUNT(DISTINCT {a}) > {int(highs[0])}) }}")),
                False, False)
        elif path is not None:
            for count in self.values(shape, SH.minCount):
                n = int(count)
                if n > 0 and top:
                    yield add("MinCountConstraintComponent", [self.too_few(path, n)], False)
                elif n > 0:
                    yield add("MinCountConstraintComponent", [f"FILTER NOT EXISTS {{ {self.distinct(f, path, n)} }}"], False)
            for count in self.values(shape, SH.maxCount):
                if top and self.whole_store:
                    a = self.fresh()
                    yield add("MaxCountConstraintComponent", [
                        f"{{ SELECT ?this WHERE {{ {FOCUS_MARK} ?this {path} {a} }} GROUP BY ?this "
                        f"HAVING (COUNT(DISTINCT {a}) > {int(count)}) }}"], False)
                else:
                    yield add("MaxCountConstraintComponent", [f"FILTER EXISTS {{ {self.distinct(f, path, int(count) + 1)} }}"], False)
        elif self.values(shape, SH.minCount) or self.values(shape, SH.maxCount):
            raise Uncompilable(f"{shape}: a count on a node shape")
        for datatype in self.values(shape, SH.datatype):
            yield add("DatatypeConstraintComponent", value_of(f"!({self.datatype_test(v, datatype)})"))
        for cls in self.values(shape, SH["class"]):
            yield add("ClassConstraintComponent", value_of(f"NOT EXISTS {{ {self.instance_of(v, cls)} }}"))
        for kind in self.values(shape, SH.nodeKind):
            if kind not in NODE_KINDS:
                raise Uncompilable(f"unknown sh:nodeKind {kind}")
            yield add("NodeKindConstraintComponent", value_of("!" + NODE_KINDS[kind].format(v=v)))
        flags = self.one(shape, SH.flags)
        for pattern in self.values(shape, SH.pattern):
            regex = f"REGEX(STR({v}), {rdflib.Literal(str(pattern)).n3()}" + (
                f", {rdflib.Literal(str(flags)).n3()})" if flags is not None else ")")
            yield add("PatternConstraintComponent", value_of(f"isBlank({v}) || !{regex}"))
        for parameter, component, op in ((SH.minLength, "MinLengthConstraintComponent", "<"),
                                         (SH.maxLength, "MaxLengthConstraintComponent", ">")):
            for length in self.values(shape, parameter):
                yield add(component, value_of(f"isBlank({v}) || STRLEN(STR({v})) {op} {int(length)}"))
        for parameter, op in RANGES.items():
            for bound in self.values(shape, parameter):
                name = str(parameter).rsplit("#", 1)[-1]
                component = name[0].upper() + name[1:] + "ConstraintComponent"
                yield add(component, value_of(f"!COALESCE({v} {op} {term(bound)}, false)"))
        for members in self.values(shape, SH["in"]):
            allowed = " || ".join(f"sameTerm({v}, {term(m)})" for m in self.items(members)) or "false"
            yield add("InConstraintComponent", value_of(f"!({allowed})"))
        for required in self.values(shape, SH.hasValue):
            test = f"FILTER NOT EXISTS {{ {f} {path} {term(required)} }}" if path else f"FILTER(!sameTerm({f}, {term(required)}))"
            yield add("HasValueConstraintComponent", [test], False)
        for languages in self.values(shape, SH.languageIn):
            matches = " || ".join(f"langMatches(LANG({v}), {rdflib.Literal(str(l)).n3()})" for l in self.items(languages))
            yield add("LanguageInConstraintComponent", value_of(f"!(isLiteral({v}) && ({matches or 'false'}))"))
        unique = self.one(shape, SH.uniqueLang)
        if unique is not None and str(unique) == "true":  # the suite reads "1"^^xsd:boolean as not set
            if path is None:
                raise Uncompilable(f"{shape}: sh:uniqueLang on a node shape")
            a, b = self.fresh(), self.fresh()
            if top:  # one aggregate over all focus nodes, not a self-join per node
                branch = (f"{{ SELECT ?this WHERE {{ {FOCUS_MARK} ?this {path} {a} FILTER(LANG({a}) != \"\") }} "
                          f"GROUP BY ?this (LCASE(LANG({a}))) HAVING (COUNT(DISTINCT {a}) > 1) }}")
            else:
                branch = (f"FILTER EXISTS {{ {f} {path} {a} , {b} . FILTER(!sameTerm({a}, {b}) && LANG({a}) != \"\" "
                          f"&& LCASE(LANG({a})) = LCASE(LANG({b}))) }}")
            yield add("UniqueLangConstraintComponent", [branch], False)
        yield from self.pair_components(shape, f, v, path, each)
        closed = self.one(shape, SH.closed)
        if closed is not None and getattr(closed, "value", None) is True:
            if path is not None:
                raise Uncompilable(f"{shape}: sh:closed on a property shape")
            allowed = {p for prop in self.values(shape, SH.property) for p in [self.one(prop, SH.path)]
                       if isinstance(p, rdflib.URIRef)}
            for ignored in self.values(shape, SH.ignoredProperties):
                allowed.update(self.items(ignored))
            test = f"FILTER(?path NOT IN ({', '.join(term(p) for p in sorted(allowed, key=str))}))" if allowed else ""
            yield add("ClosedConstraintComponent", [f"{f} ?path {v} . {test}"], True, True)
        yield from self.shape_components(shape, f, v, path, each, add)

    def pair_components(self, shape: Node, f: str, v: str, path: str | None, each: str):
        for other in self.values(shape, SH.equals):
            q = term(other)
            if path:
                branches = [f"{f} {path} {v} . FILTER NOT EXISTS {{ {f} {q} {v} }}",
                            f"{f} {q} {v} . FILTER NOT EXISTS {{ {f} {path} {v} }}"]
            else:
                branches = [f"BIND({f} AS {v}) FILTER NOT EXISTS {{ {f} {q} {f} }}",
                            f"{f} {q} {v} . FILTER(!sameTerm({v}, {f}))"]
            yield (SH.EqualsConstraintComponent, branches, True, False)
        for other in self.values(shape, SH.disjoint):
            yield (SH.DisjointConstraintComponent, [f"{each} {f} {term(other)} {v} ."], True, False)
        for parameter, op, component in ((SH.lessThan, "<", SH.LessThanConstraintComponent),
                                         (SH.lessThanOrEquals, "<=", SH.LessThanOrEqualsConstraintComponent)):
            for other in self.values(shape, parameter):
                if path is None:
                    raise Uncompilable(f"{shape}: {parameter} on a node shape")
                w = self.fresh()
                yield (component, [f"{each} {f} {term(other)} {w} . FILTER(!COALESCE({v} {op} {w}, false))"], True, False)

    def shape_components(self, shape: Node, f: str, v: str, path: str | None, each: str, add):
        for nested in self.values(shape, SH.node):
            yield add("NodeConstraintComponent", [f"{each} FILTER({self.violates(nested, v)})"])
        for nested in self.values(shape, SH["not"]):
            yield add("NotConstraintComponent", [f"{each} FILTER(!{self.violates(nested, v)})"])
        for parameter, joiner, component in ((SH["and"], " || ", "AndConstraintComponent"),
                                             (SH["or"], " && ", "OrConstraintComponent")):
            for members in self.values(shape, parameter):
                tests = joiner.join(self.violates(m, v) for m in self.items(members))
                yield add(component, [f"{each} FILTER({tests or ('false' if joiner == ' || ' else 'true')})"])
        for members in self.values(shape, SH.xone):
            conforming = " + ".join(f"IF({self.violates(m, v)}, 0, 1)" for m in self.items(members)) or "0"
            yield add("XoneConstraintComponent", [f"{each} FILTER(({conforming}) != 1)"])
        qualified = self.one(shape, SH.qualifiedValueShape)
        if qualified is not None:
            if path is None:
                raise Uncompilable(f"{shape}: a qualified value shape on a node shape")
            low, high = self.one(shape, SH.qualifiedMinCount), self.one(shape, SH.qualifiedMaxCount)
            if low is not None and int(low) == 1 and f == "?this" and self.whole_store:
                a = self.fresh()
                yield add("QualifiedMinCountConstraintComponent", [
                    f"OPTIONAL {{ ?this {path} {a} FILTER(!{self.violates(qualified, a)}) }} FILTER(!BOUND({a}))"], False)
            elif low is not None and int(low) > 0:
                pattern = self.distinct(f, path, int(low), conforming_to=qualified)
                yield add("QualifiedMinCountConstraintComponent", [f"FILTER NOT EXISTS {{ {pattern} }}"], False)
            if high is not None:
                pattern = self.distinct(f, path, int(high) + 1, conforming_to=qualified)
                yield add("QualifiedMaxCountConstraintComponent", [f"FILTER EXISTS {{ {pattern} }}"], False)

    # --- building blocks ------------------------------------------------------------------------

    def too_few(self, path: str, n: int) -> str:
        """Focus nodes with fewer than ``n`` values: OPTIONAL + !BOUND rather than FILTER NOT EXISTS,
        because Oxigraph 0.5 plans a multi-pattern NOT EXISTS (a sequence path) without the outer
        binding and so scans the store once per focus node (37 s instead of 0.1 s at 100k quads)."""
        if n == 1 and path.startswith("<") and not self.whole_store:  # a few VALUES rows: NOT EXISTS is cheap
            return f"FILTER NOT EXISTS {{ ?this {path} {self.fresh()} }}"
        if n == 1:
            a = self.fresh()
            return f"OPTIONAL {{ ?this {path} {a} }} FILTER(!BOUND({a}))"
        a = self.fresh()
        return (f"{{ SELECT ?this WHERE {{ {FOCUS_MARK} OPTIONAL {{ ?this {path} {a} }} }} "
                f"GROUP BY ?this HAVING (COUNT(DISTINCT {a}) < {n}) }}")

    def distinct(self, f: str, path: str, n: int, conforming_to: Node | None = None) -> str:
        """A pattern with ``n`` pairwise distinct values of ``path`` (each conforming, if asked)."""
        if n > MAX_PAIRWISE:
            raise Uncompilable(f"a count of {n} (at most {MAX_PAIRWISE} compile)")
        names = [self.fresh() for _ in range(n)]
        parts = [f"{f} {path} {name} ." for name in names]
        tests = [f"!sameTerm({a}, {b})" for a, b in itertools.combinations(names, 2)]
        if conforming_to is not None:
            tests += [f"!{self.violates(conforming_to, name)}" for name in names]
        return " ".join(parts) + (f" FILTER({' && '.join(tests)})" if tests else "")

    def violates(self, shape: Node, x: str) -> str:
        """A boolean expression: the node bound to ``x`` violates ``shape`` (a nested shape)."""
        if self.deactivated(shape):
            return "false"
        self.check_known(shape)
        branches = [branch for check in self.shape_checks(shape, top=False, focus=x) for branch in check.branches]
        for prop in self.values(shape, SH.property):
            if self.deactivated(prop):
                continue
            self.check_known(prop)
            if self.one(prop, SH.path) is None:
                raise Uncompilable(f"{prop}: a property shape without sh:path")
            branches += [branch for check in self.shape_checks(prop, top=False, focus=x) for branch in check.branches]
            branches += [f"FILTER({self.violates_property_nested(prop, x)})"] if self.values(prop, SH.property) else []
        if not branches:
            return "false"
        return "EXISTS { " + " UNION ".join(f"{{ {b} }}" for b in branches) + " }"

    def violates_property_nested(self, prop: Node, x: str) -> str:
        raise Uncompilable(f"{prop}: sh:property on a nested property shape")

    def instance_of(self, v: str, cls: Node) -> str:
        classes = sorted(self.closure(cls), key=str)
        if len(classes) == 1:
            return f"{v} <{RDF.type}> {term(classes[0])} ."
        t = self.fresh()  # IN rather than VALUES: a VALUES block inside (NOT) EXISTS ran 8x slower
        return f"{v} <{RDF.type}> {t} . FILTER({t} IN ({', '.join(term(c) for c in classes)}))"

    def datatype_test(self, v: str, datatype: Node) -> str:
        if datatype == RDFS.Literal:
            return f"isLiteral({v})"
        if datatype == RDF.langString:
            return f"isLiteral({v}) && LANG({v}) != \"\""
        if datatype == XSD.string:
            return f"isLiteral({v}) && DATATYPE({v}) = <{XSD.string}> && LANG({v}) = \"\""
        test = f"isLiteral({v}) && DATATYPE({v}) = {term(datatype)}"
        if datatype in CASTS:
            test += f" && COALESCE(isLiteral({term(datatype)}(STR({v}))), false)"
        return test
