"""Estimate, from the query's algebra and before it runs, whether a query may be expensive.

This decides only where a query runs (pool.py): a query estimated cheap may use the worker kept for
cheap queries, under a short time limit; any other runs on the general workers under the full one.
So a wrong guess costs little either way: a costly query wrongly called cheap is stopped after the
short limit and run again on a general worker (and its client loses the cheap lane for a while); a
cheap query called costly waits for a general worker as every query did before.

What makes a query costly on this data is almost always a product of unrelated patterns: triple
patterns that share no variable (`?a ?b ?c . ?d ?e ?f`, or a cartesian product of observations),
more than one pattern with nothing fixed, or a path of unbounded length between two variables.
The named queries of queries/ are all estimated cheap (a test checks it).
"""

from __future__ import annotations

from collections.abc import Iterator

from rdflib.paths import MulPath, Path
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import BNode, Variable

MAX_BRANCHES = 64  # alternatives looked at; a query with more UNIONs is judged on the first ones


def _is_var(term) -> bool:
    return isinstance(term, Variable | BNode)


def _nodes(node) -> Iterator[CompValue]:
    if isinstance(node, CompValue):
        yield node
        for value in node.values():
            yield from _nodes(value)
    elif isinstance(node, list | tuple):
        for value in node:
            yield from _nodes(value)


def _components(triples) -> int:
    """Groups of triple patterns linked by shared variables, counting only patterns with a variable."""
    groups: list[set[str]] = []
    for t in triples:
        names = {str(x) for x in t if _is_var(x)}
        if not names:
            continue
        linked = [g for g in groups if g & names]
        for g in linked:
            groups.remove(g)
            names |= g
        groups.append(names)
    return len(groups)


def _branches(node) -> list[list]:
    """The triple patterns that must all match together, for each alternative of the UNIONs.

    Patterns of an OPTIONAL, a MINUS or a FILTER EXISTS do not join the others (they cannot make a
    product larger), so only the required ones are gathered."""
    if not isinstance(node, CompValue):
        return [[]]
    if node.name == "BGP":
        return [list(node.triples)]
    if node.name == "Join":
        return [a + b for a in _branches(node.p1) for b in _branches(node.p2)][:MAX_BRANCHES]
    if node.name == "Union":
        return (_branches(node.p1) + _branches(node.p2))[:MAX_BRANCHES]
    if node.name in ("LeftJoin", "Minus"):
        return _branches(node.p1)
    if isinstance(node.get("p"), CompValue):
        return _branches(node.p)
    return [[]]


def costly(tree) -> str | None:
    """Why the parsed query (rdflib's parseQuery result) looks expensive, or None if it looks cheap."""
    try:
        return _costly(tree)
    except RecursionError:  # thousands of UNIONs nest the algebra that deep
        return "its algebra is too deep to estimate"


def _costly(tree) -> str | None:
    try:
        algebra = translateQuery(tree).algebra
    except RecursionError:
        raise
    except Exception:  # noqa: BLE001 - rdflib cannot translate it: no estimate, so not cheap
        return "its algebra could not be estimated"
    for triples in _branches(algebra):
        if _components(triples) > 1:
            return "a product of triple patterns that share no variable"
        if sum(1 for t in triples if all(_is_var(x) for x in t)) > 1:
            return "more than one triple pattern with nothing fixed"
    for node in _nodes(algebra):
        if node.name == "BGP":
            for s, p, o in node.triples:
                if _is_var(s) and _is_var(o) and isinstance(p, Path) and _unbounded(p):
                    return "a path of unbounded length between two variables"
    return None


def _unbounded(path) -> bool:
    if isinstance(path, MulPath):
        return path.mod in ("*", "+")
    return any(_unbounded(p) for p in getattr(path, "args", []) if isinstance(p, Path)) or (
        isinstance(getattr(path, "path", None), Path) and _unbounded(path.path))
