"""Run SPARQL over the built cubes and print the answer as an aligned table, CSV or JSON.

JSON is the standard SPARQL 1.1 Query Results JSON Format (head.vars, results.bindings, each term
with its type, value, datatype or language), so that any SPARQL client library reads it and a
count stays a typed number. A syntax error is told in one line: where, what was expected, what
was found (pyoxigraph's own message lists the Unicode ranges of a name, unreadable to a person).
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
import unicodedata
from pathlib import Path

import pyoxigraph as ox

from .build.consolidated import series_store
from .errors import UsageError
from .files import read_text as read_file
from .paths import project_paths
from .project import Project


def named_queries() -> list[tuple[str, str]]:
    """(name, question) for every queries/*.rq; the question is the file's first comment line."""
    out = []
    for path in sorted(project_paths().queries.glob("*.rq")):
        first = (read_file(path, "query").splitlines() or [""])[0]  # a regular file: a FIFO would wait forever
        out.append((path.stem, first.lstrip("# ").strip()))
    return out


def read_query(spec: str) -> str:
    if spec == "-":
        return sys.stdin.read()
    path = Path(spec)
    if path.suffix == ".rq" or path.is_file():
        if not path.exists():
            raise UsageError(f"no such query file: {spec}")
        return read_file(path, "query")  # a regular file of at most 1 MiB: a FIFO would wait forever (issue 23)
    named = project_paths().queries / f"{spec}.rq"
    if not named.is_file():
        names = ", ".join(n for n, _ in named_queries())
        raise UsageError(f"no query named '{spec}' (named queries: {names})")
    return read_file(named, "query")


def _text(term) -> str:
    if term is None:
        return ""
    return term.value


def _width(text: str) -> int:
    return sum(0 if unicodedata.combining(ch) else 1 for ch in text)


NARROWEST = 8  # a column is never cut narrower than this to fit a terminal


def fit(widths: list[int], limit: int) -> list[int]:
    """Column widths whose line fits in `limit` characters: the widest columns are narrowed first."""
    widths = list(widths)
    while sum(widths) + 2 * (len(widths) - 1) > limit:
        widest = max(range(len(widths)), key=lambda i: widths[i])
        if widths[widest] <= NARROWEST:
            break
        widths[widest] -= 1
    return widths


def cut(text: str, width: int) -> str:
    """The text in at most `width` characters, ending in « … » when it was longer."""
    if _width(text) <= width:
        return text
    out, used = [], 0
    for ch in text:
        used += 0 if unicodedata.combining(ch) else 1
        if used > width - 1:
            break
        out.append(ch)
    return "".join(out) + "…"


def run_query(project: Project, text: str, fmt: str = "table", terminal: int | None = None) -> str:
    """The answer in `fmt`; a table fits in `terminal` columns when given (stdout is a terminal: a
    note of 1,500 characters made lines no terminal shows, issue 23), cells cut with « … »."""
    from .nesting import too_deep

    refusal = too_deep(text)  # pyoxigraph's parser would crash the process (issue 15)
    if refusal:
        raise UsageError(refusal)
    store = series_store(project)  # the letters' datasets and the series' consolidated cubes
    try:
        result = store.query(text, base_iri=project.vocab.base, use_default_graph_as_union=True)
    except SyntaxError as err:
        raise UsageError(syntax_error(text, str(err))) from err
    if isinstance(result, ox.QueryTriples):
        return ox.serialize(list(result), format=ox.RdfFormat.TURTLE).decode("utf-8")
    if fmt == "json":  # SELECT or ASK, in the standard format
        doc = json.loads(result.serialize(format=ox.QueryResultsFormat.JSON))
        return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"
    if isinstance(result, ox.QueryBoolean):
        return ("true" if bool(result) else "false") + "\n"
    variables = [v.value for v in result.variables]
    rows = [[_text(solution[v]) for v in variables] for solution in result]
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(variables)
        w.writerows(rows)
        return buf.getvalue()
    numeric = [all(_is_number(r[i]) for r in rows if r[i]) for i in range(len(variables))]
    full = [max([_width(v)] + [_width(r[i]) for r in rows]) for i, v in enumerate(variables)]
    widths = fit(full, terminal) if terminal else full

    def line(cells: list[str]) -> str:
        parts = []
        for i, c in enumerate(cells):
            c = cut(c, widths[i])
            pad = " " * (widths[i] - _width(c))
            parts.append(pad + c if numeric[i] else c + pad)
        return "  ".join(parts).rstrip()

    out = [line(variables), "  ".join("-" * w for w in widths)]
    out += [line(r) for r in rows]
    cut_note = "; cells cut to the terminal's width, --format csv gives them whole" if widths != full else ""
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''}{cut_note})")
    return "\n".join(out) + "\n"


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


# pyoxigraph: "error at 2:11: expected one of ",", "}", ['A' ..= 'Z' | …], [_]"
PARSER_MESSAGE = re.compile(r"error at (\d+):(\d+): expected (?:one of )?(.*)", re.S)
EXPECTED_ITEM = re.compile(r'"(?:[^"\\]|\\.)*"|\[[^\]]*\]|[^,\s][^,]*')
DESCRIBED = {'"?"': "a variable", '"$"': "a variable", '"<"': "an IRI", '":"': "a prefixed name"}
SHOWN = 8  # alternatives listed at most: the parser sometimes lists a dozen keywords
# what may come before the query form: comments, PREFIX and BASE declarations
PROLOGUE = re.compile(r"(?:\s+|#[^\n]*|(?i:PREFIX)\s+[^\s:]*:\s*<[^>]*>|(?i:BASE)\s*<[^>]*>)*")
FORMS = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")


def syntax_error(text: str, message: str) -> str:
    """pyoxigraph's syntax error as one readable line: where, what was expected, what was found."""
    start = PROLOGUE.match(text).end()
    word = re.match(r"[A-Za-z]*", text[start:])[0]
    if word and word.upper() not in FORMS:  # the parser would point far beyond the misspelt form
        line = text.count("\n", 0, start) + 1
        column = start - (text.rfind("\n", 0, start) + 1) + 1
        return (f"invalid SPARQL at line {line}, column {column}: expected SELECT, CONSTRUCT, DESCRIBE or ASK, "
                f"found '{word[:20]}'")
    m = PARSER_MESSAGE.match(message)
    if not m:
        return "invalid SPARQL: " + " ".join(message.split())
    line, column = int(m[1]), int(m[2])
    lines = text.split("\n")
    current = lines[line - 1] if 0 < line <= len(lines) else ""
    at_end = line >= len(lines) and column > len(current.rstrip())
    where = f"at line {line}, column {column}"
    before = current[: column - 1]
    if "Prefix not found" in m[3]:
        prefix = re.search(r"([A-Za-z][\w.-]*)?:[\w.-]*$", before)
        name = prefix[1] or "" if prefix else ""
        return f"invalid SPARQL {where}: unknown prefix '{name}:' (declare it: PREFIX {name}: <…>)"
    expected: list[str] = []
    for item in EXPECTED_ITEM.findall(m[3]):
        item = item.strip()
        if item in DESCRIBED:
            word = DESCRIBED[item]
        elif item.startswith('"'):
            word = item
        elif item.startswith("["):
            if "'A'" in item:
                word = "a name"
            elif re.fullmatch(r"\['0' ?\.\.= ?'9'\]", item):
                word = "a number"
            else:
                continue  # [_] (any character) and the characters inside a name: no help to a person
        else:
            word = item  # a keyword
        if word not in expected:
            expected.append(word)
    found = re.match(r"\S{1,20}", current[column - 1:]) if not at_end else None
    tail = f", found '{found[0]}'" if found else ""
    if not expected:
        return f"invalid SPARQL {where}: " + ("the query ends too early" if at_end else f"unexpected text{tail}")
    listed = expected[:SHOWN] + (["…"] if len(expected) > SHOWN else [])
    alternatives = listed[0] if len(listed) == 1 else ", ".join(listed[:-1]) + " or " + listed[-1]
    ending = " (the query ends there)" if at_end else tail
    return f"invalid SPARQL {where}: expected {alternatives}{ending}"
