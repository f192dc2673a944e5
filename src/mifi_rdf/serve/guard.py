"""Decide, with a real SPARQL parser, whether a query may run on the public endpoint.

rdflib's SPARQL 1.1 grammar parses the query; we refuse anything that is not a query (updates,
LOAD), and any query that would make the server fetch or read something other than its own store:
SERVICE, and FROM / FROM NAMED (whose IRIs could name files or remote documents). Inspecting the
parse tree, not the text, means comments, string literals and odd spacing neither hide a SERVICE
nor cause a false refusal.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator

from pyparsing import ParseBaseException, ParseResults
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue

from ..nesting import too_deep

FORMS = {"SelectQuery": "SELECT", "AskQuery": "ASK", "ConstructQuery": "CONSTRUCT", "DescribeQuery": "DESCRIBE"}
FORBIDDEN = {
    "ServiceGraphPattern": "SERVICE is not allowed: this endpoint does not query other endpoints",
    "DatasetClause": "FROM and FROM NAMED are not allowed: queries run over this endpoint's own graphs "
                     "(the default graph is their union; use GRAPH <…> { } to pick one)",
}


class Refused(Exception):
    """A query the endpoint will not run; the message tells the client why (HTTP 400)."""


def _names(node) -> Iterator[str]:
    if isinstance(node, CompValue):
        yield node.name
        for value in node.values():
            yield from _names(value)
    elif isinstance(node, ParseResults | list | tuple):
        for value in node:
            yield from _names(value)


def inspect(text: str) -> str:
    """The query form (SELECT, ASK, CONSTRUCT, DESCRIBE) of an allowed query, or raise Refused."""
    return parsed(text)[0]


@functools.lru_cache(maxsize=512)
def assess(text: str) -> tuple[str, str | None]:
    """The query form, and why the query looks expensive (None: it looks cheap); see cost.py."""
    from .cost import costly

    form, tree = parsed(text)
    return form, costly(tree)


@functools.lru_cache(maxsize=512)
def parsed(text: str) -> tuple[str, object]:
    """The form and parse tree of an allowed query, or raise Refused.

    Parsing costs 30-70 ms, more than most of our queries take to run, and clients repeat the same
    queries, so allowed ones are remembered (a refusal is an exception and is never cached).
    """
    refusal = too_deep(text)  # before the parser, which recurses per level (issue 15)
    if refusal:
        raise Refused(refusal)
    try:
        tree = parseQuery(text)
    except RecursionError:
        raise Refused("query refused: nested more than this endpoint's parser can follow") from None
    except ParseBaseException as err:
        try:
            parseUpdate(text)
        except ParseBaseException:
            raise Refused(f"invalid SPARQL query at line {err.lineno}, column {err.col}: {err.msg}") from None
        raise Refused("SPARQL Update is not allowed: this endpoint is read-only") from None
    names = set(_names(tree))
    for name, reason in FORBIDDEN.items():
        if name in names:
            raise Refused(reason)
    return FORMS[tree[1].name], tree
