"""`export --no-validate` with memory bounded by one table: each table's cells are read from its
CSV file just before its observations are written, and let go just after.

Every input check still runs before the output exists: letter.toml files, structures and the
presence of every table file are checked when the project loads (load_project(cells=False)); a
table's cells are checked as it is read, and an error there aborts the write. The output is a
temporary file moved into place only when complete (writers.atomic_output); standard output (or a
device such as /dev/stdout) is spooled to a temporary file and copied out only when complete, so a
bad cell in the last table still leaves nothing half-written.
"""

from __future__ import annotations

import contextlib
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from .cube import TableByTable
from .model import Cell, Table
from .serialize.writers import atomic_output, write_cubes


@contextlib.contextmanager
def complete_output(path: Path | None) -> Iterator[IO[bytes]]:
    """A binary stream whose content reaches its destination only if the block completes."""
    if path is not None and not (Path(path).exists() and not Path(path).is_file()):
        with atomic_output(path) as out:
            yield out
        return
    with tempfile.TemporaryFile() as spool:
        yield spool
        spool.seek(0)
        if path is None:
            shutil.copyfileobj(spool, sys.stdout.buffer)
            sys.stdout.buffer.flush()
        else:
            with Path(path).open("wb") as device:
                shutil.copyfileobj(spool, device)


class Validating(TableByTable):
    """The streaming builder that also hands each table's cells to a validation as they go by,
    with the audit's bounds their reading computed (audit/grouped.TableBounds), kept in `found`:
    the validation reads a table's bounds when it is added, and names cells of any table at the end."""

    def __init__(self, vocab, validation, extra, found) -> None:
        super().__init__(vocab, extra)
        self.validation, self.found = validation, found

    def prepared(self, table: Table, cells: list[Cell], bounds) -> None:
        if bounds is not None:
            self.found.merge(bounds)  # before the table is added: the validation reads its cells' bounds
        self.validation.add(table, cells)


class _Refused(Exception):
    """The cubes break a rule: the output is dropped."""


def export_validated(project, fmt: str, output: Path | None, dataset_ids: set[str] | None):
    """Validate and write in one pass over the cells: each table is read once, goes into the
    validation's table of observations and into the output, and is let go. The output reaches its
    place only if the cubes conform; otherwise nothing is written. Returns the validation's report
    and the store of its labels (as Project.validate)."""
    from .audit.grouped import TableBounds
    from .audit.report import BoundAttributes
    from .paths import project_paths
    from .validate.fast import Validation
    from .validate.shapes import load_shapes

    shapes = load_shapes(project_paths().shapes, project.vocab.base)
    found = BoundAttributes(project.vocab.base)  # filled table by table as they are read (Validating.prepared)
    validation = Validation(project.vocab, project.letters, dataset_ids, shapes, found)
    builder = Validating(project.vocab, validation, TableBounds(project.tables(), project.vocab, project.cells), found)
    try:
        with complete_output(output) as out:
            write_cubes(builder, project.letters, dataset_ids, fmt, out)
            report, store = validation.finish()
            if not report.conforms():
                raise _Refused
    except _Refused:
        pass
    return report, store


def export_table_by_table(project, fmt: str, output: Path | None, dataset_ids: set[str] | None) -> None:
    with complete_output(output) as out:
        write_cubes(project.builder(), project.letters, dataset_ids, fmt, out)
