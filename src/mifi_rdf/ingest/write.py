"""Render letter.toml and the table CSVs in exactly the form data/ uses, and put them in place atomically.

Everything is rendered to strings first (deterministic: same input, same bytes), written into a
temporary folder beside the target, checked there by the same loader and validation `export` uses,
and only then renamed into place. An error at any step leaves the data folder as it was.

A run killed midway (SIGKILL, a power cut) cannot remove its temporaries, and `--replace` used to
rename the old folder aside and then the new one in: a kill between the two changed the letter's
folder (2 of 20 trials, issue 23). Now the staged folder holds an exclusive `flock` for as long as
its process lives, the replacement is one exchange of the two folders (serialize/temporary.py's
`exchange`), and every run first removes the temporaries of ours that no live process holds.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from ..serialize.quoted import quoted
from ..serialize.temporary import deferred_signals, exchange, held, lock
from .letter import LetterMeta
from .tables import Cell, TableResult

# The columns after a table's dimension columns, in order: the one place the CSV layout is named.
CSV_COLUMNS = ["measure", "value", "status", "inference", "source_label", "note_fr", "note_en"]
CELL_FIELDS: dict[str, Callable[[Cell], str]] = {
    "measure": lambda c: c.measure,
    "value": lambda c: c.value or "",
    "status": lambda c: c.status,
    "inference": lambda c: ";".join(dict.fromkeys(c.inferences)),
    "source_label": lambda c: c.source_label,
    "note_en": lambda c: c.note_en,
    "note_fr": lambda c: c.note_fr,
}


def render_csv(table: TableResult) -> str:
    assert table.structure is not None
    dims = [d.name for d in table.structure.dimensions]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(dims + CSV_COLUMNS)
    for c in table.cells:
        writer.writerow([c.codes[d] for d in dims] + [CELL_FIELDS[name](c) for name in CSV_COLUMNS])
    return out.getvalue()


def _value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k} = {_value(x)}" for k, x in v.items()) + " }"
    if isinstance(v, list):
        if len(v) > 1 and any(isinstance(x, (str, dict)) and len(_value(x)) > 60 for x in v):
            return "[\n" + "".join(f"    {_value(x)},\n" for x in v) + "]"
        return "[" + ", ".join(_value(x) for x in v) + "]"
    return quoted(str(v))


def render_letter(meta: LetterMeta, tables: list[TableResult], source_text: str, titles: dict[str, dict[str, str]],
                  revises: dict[str, dict[tuple[tuple[str, ...], str], str]] | None = None) -> str:
    lines = [
        f"# Letter {meta.ref}: written by `mifi-rdf ingest` from {source_text}; review the fields listed in its report.",
        f"ref = {_value(meta.ref)}",
        f"letter_date = {_value(meta.letter_date)}",
        f"received = {_value(meta.received)}",
        f"clarified = {_value(meta.clarified)}",
        f"source_text = {_value(source_text)}",
        f"issued_by_fr = {_value(meta.issued_by_fr)}",
        f"issued_by_en = {_value(meta.issued_by_en)}",
        f"request_fr = {_value(meta.request_fr)}",
        f"request_en = {_value(meta.request_en)}",
        f"programs = {_value(meta.programs)}",
        f"articles = {_value(meta.articles)}",
        f"refused = {_value(meta.refused)}",
    ]
    for k, line in enumerate(lines):  # a fact the file does not state, given by a person: say so beside it
        name = line.split(" = ", 1)[0]
        if name in meta.given:
            lines[k] = f"{line}  # given with {meta.given[name]}: {source_text} does not state it"
    for t in tables:
        assert t.structure is not None
        tt = titles[t.id]
        lines += [
            "",
            "[[table]]",
            f"id = {_value(t.id)}",
            f"number = {_value(t.raw.number)}",
            f"caption = {_value(t.raw.caption)}",
            f"title_fr = {_value(tt['title_fr'])}",
            f"title_en = {_value(tt['title_en'])}",
            f"description_fr = {_value(tt['description_fr'])}",
            f"description_en = {_value(tt['description_en'])}",
            f"structure = {_value(t.structure.slug)}",
            f"notes = {_value(t.raw.notes)}",
            f"source_line = {_value(t.raw.source_line)}",
            f"extraction_date = {_value(t.extraction_date)}",
        ]
        if t.data_as_of:
            lines.append(f"data_as_of = {_value(t.data_as_of)}")
        lines += [
            f"suppression_threshold = {_value(t.threshold)}",
            f"suppression_method = {_value(t.method)}",
        ]
        if revises and revises.get(t.id):
            lines.append("revises = " + _value([{"codes": "/".join(codes), "measure": measure, "of": of}
                                                for (codes, measure), of in revises[t.id].items()]))
    return "\n".join(lines) + "\n"


# The temporaries ingest makes in the data folder, and only those: the staged folder, the copy it is
# checked in, and the old folder a previous version renamed aside during --replace.
STAGED = re.compile(r"\.ingest-[A-Za-z0-9_]+")
CHECKED = re.compile(r"\.(\.ingest-[A-Za-z0-9_]+)-check")
REPLACED = re.compile(r"\.[A-Za-z0-9][A-Za-z0-9_-]*\.replaced")
_held: dict[Path, int] = {}  # staged folder -> the descriptor holding its lock, for the life of the process


def sweep_stale(parent: Path) -> list[Path]:
    """Remove the temporaries of ingest runs that died (no live process holds their lock); return them."""
    removed = []
    with contextlib.suppress(OSError):
        for entry in sorted(parent.iterdir()):
            if entry.is_symlink() or not entry.is_dir():
                continue
            if STAGED.fullmatch(entry.name):
                stale = not held(entry)
            elif m := CHECKED.fullmatch(entry.name):
                stale = not (parent / m.group(1)).exists() or not held(parent / m.group(1))
            else:
                stale = bool(REPLACED.fullmatch(entry.name))
            if stale:
                shutil.rmtree(entry, ignore_errors=True)
                removed.append(entry)
    return removed


def stage(parent: Path, files: dict[str, str]) -> Path:
    """Write files into a new temporary folder under parent (created if needed), locked while this
    process lives; return it."""
    parent.mkdir(parents=True, exist_ok=True)
    folder = None
    try:
        with deferred_signals():  # the folder's name is known before a Ctrl-C or SIGTERM can leave it behind
            folder = Path(tempfile.mkdtemp(prefix=".ingest-", dir=parent))
            fd = os.open(folder, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
            lock(fd)
            _held[folder] = fd
        for name, content in files.items():
            (folder / name).write_text(content, encoding="utf-8", newline="")
    except BaseException:  # a signal held back above arrives as the block ends: the caller never has the folder
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
            release(folder)
        raise
    return folder


def release(staged: Path) -> None:
    """Let go of the staged folder's lock (it was committed or removed)."""
    fd = _held.pop(staged, None)
    if fd is not None:
        os.close(fd)


def commit(staged: Path, target: Path) -> None:
    """Put the staged folder at target: at every instant target is the old folder or the new one.

    An existing target is exchanged with the staged folder in one system call, then the old one,
    now under the staged name, is removed; a kill in between leaves it to the next run's sweep."""
    if target.exists() and exchange(staged, target):
        shutil.rmtree(staged)
    elif target.exists():  # a platform without an exchange: two renames, the old one kept until the new is in
        old = target.with_name(f".{target.name}.replaced")
        if old.exists():
            shutil.rmtree(old)
        os.replace(target, old)
        os.replace(staged, target)
        shutil.rmtree(old)
    else:
        os.replace(staged, target)
    release(staged)


def write_atomically(path: Path, content: str) -> None:
    """One file, through a temporary name in its folder."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(content)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
