"""How deeply a SPARQL query (or a TOML, Turtle or JSON document) nests its brackets, counted without a parser.

Both SPARQL parsers the project uses recurse once (or, in rdflib's pyparsing grammar, some forty
Python frames) per level of `{`, `(` or `[`: rdflib hits Python's recursion limit at 25 nested
parentheses or 37 nested groups, and pyoxigraph's parser overflows the C stack and kills the process
(segmentation fault) at a few thousand (issue 15: 500 nested `{` killed a query worker). Counting the
depth first, in one linear pass that skips strings, comments and IRIs, turns such a query into a
plain refusal before any parser sees it.

The same count guards the other recursive parsers the project feeds (issue 23): tomllib recurses
per level of arrays and inline tables (50,000 levels in letter.toml: RecursionError), and rdflib's
Turtle and JSON-LD parsers, which `validate --engine pyshacl` runs on the files given, per level of
collections, blank nodes and objects. TOML strings differ from SPARQL's (a literal string '…' has
no escapes), hence a token pattern of its own.
"""

from __future__ import annotations

import re

MAX_DEPTH = 16  # brackets of every kind together; the named queries need 5 at most
TOKEN = re.compile(r'''
    "{3}(?:[^"\\]|\\.|"(?!""))*"{3}       # long strings
  | '{3}(?:[^'\\]|\\.|'(?!''))*'{3}
  | "(?:[^"\\\n]|\\.)*"                  # strings
  | '(?:[^'\\\n]|\\.)*'
  | \#[^\n]*                              # comments
  | <[^<>"{}|^`\\\x00-\x20]*>             # IRIs (a < followed by a space is an operator)
  | [{(\[]                                # openings
  | [})\]]                                # closings
''', re.VERBOSE)


TOML_TOKEN = re.compile(r'''
    "{3}(?:[^"\\]|\\.|"(?!""))*"{3}       # multi-line basic strings
  | '{3}(?:[^']|'(?!''))*'{3}             # multi-line literal strings (no escapes)
  | "(?:[^"\\\n]|\\.)*"                  # basic strings
  | '[^'\n]*'                             # literal strings
  | \#[^\n]*                              # comments
  | [{\[]                                 # openings
  | [}\]]                                 # closings
''', re.VERBOSE)


def depth(text: str, token: re.Pattern = TOKEN) -> int:
    """The deepest nesting of brackets outside strings, comments and IRIs (as `token` finds them)."""
    level = deepest = 0
    for m in token.finditer(text):
        c = m.group()
        if c in "{([":
            level += 1
            deepest = max(deepest, level)
        elif c in "})]":
            level = max(0, level - 1)
    return deepest


def too_deep(text: str, limit: int = MAX_DEPTH) -> str | None:
    """Why the query is refused, or None if it nests at most `limit` levels."""
    found = depth(text)
    if found > limit:
        return (f"query refused: nested more than {limit} levels deep ({found} levels of brackets); the parser "
                "would run out of stack")
    return None
