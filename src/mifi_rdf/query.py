"""Run SPARQL over the built cubes and print the answer as an aligned table, CSV or JSON."""

from __future__ import annotations

import csv
import io
import json
import sys
import unicodedata
from pathlib import Path

import pyoxigraph as ox

from .errors import UsageError
from .paths import project_paths
from .project import Project


def named_queries() -> list[tuple[str, str]]:
    """(name, question) for every queries/*.rq; the question is the file's first comment line."""
    out = []
    for path in sorted(project_paths().queries.glob("*.rq")):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        out.append((path.stem, first.lstrip("# ").strip()))
    return out


def read_query(spec: str) -> str:
    if spec == "-":
        return sys.stdin.read()
    path = Path(spec)
    if path.suffix == ".rq" or path.is_file():
        if not path.is_file():
            raise UsageError(f"no such query file: {spec}")
        return path.read_text(encoding="utf-8")
    named = project_paths().queries / f"{spec}.rq"
    if not named.is_file():
        names = ", ".join(n for n, _ in named_queries())
        raise UsageError(f"no query named '{spec}' (named queries: {names})")
    return named.read_text(encoding="utf-8")


def _text(term) -> str:
    if term is None:
        return ""
    return term.value


def _width(text: str) -> int:
    return sum(0 if unicodedata.combining(ch) else 1 for ch in text)


def run_query(project: Project, text: str, fmt: str = "table") -> str:
    from .nesting import too_deep

    refusal = too_deep(text)  # pyoxigraph's parser would crash the process (issue 15)
    if refusal:
        raise UsageError(refusal)
    store = project.store()
    try:
        result = store.query(text, base_iri=project.vocab.base, use_default_graph_as_union=True)
    except SyntaxError as err:
        raise UsageError(f"invalid SPARQL: {err}") from err
    if isinstance(result, ox.QueryBoolean):
        return ("true" if bool(result) else "false") + "\n"
    if isinstance(result, ox.QueryTriples):
        return ox.serialize(list(result), format=ox.RdfFormat.TURTLE).decode("utf-8")
    variables = [v.value for v in result.variables]
    rows = [[_text(solution[v]) for v in variables] for solution in result]
    if fmt == "json":
        return json.dumps([dict(zip(variables, r, strict=True)) for r in rows], ensure_ascii=False, indent=1) + "\n"
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(variables)
        w.writerows(rows)
        return buf.getvalue()
    numeric = [all(_is_number(r[i]) for r in rows if r[i]) for i in range(len(variables))]
    widths = [max([_width(v)] + [_width(r[i]) for r in rows]) for i, v in enumerate(variables)]

    def line(cells: list[str]) -> str:
        parts = []
        for i, c in enumerate(cells):
            pad = " " * (widths[i] - _width(c))
            parts.append(pad + c if numeric[i] else c + pad)
        return "  ".join(parts).rstrip()

    out = [line(variables), "  ".join("-" * w for w in widths)]
    out += [line(r) for r in rows]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out) + "\n"


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
