"""load_cells' quick check of plain rows (_plain_cell) against the reference, _cell: on every row of
data/ and on rows changed one field at a time, the quick check either gives the very cell _cell
gives, or hands the row to _cell (None) — never a cell for a row that _cell refuses."""

from __future__ import annotations

import csv

import pytest

from conftest import ROOT
from mifi_rdf.errors import InputError
from mifi_rdf.load.tables import _cell, _plain_cell

TABLE_FILES = sorted((ROOT / "data").glob("*/*.csv"))


def both(table, vocab, line: int, row: list[str]):
    """(quick check's cell or None, _cell's cell or its error), each with fresh duplicates' memory."""
    quick = _plain_cell(table, vocab)(line, row, {})
    try:
        reference = _cell(table.path, line, row, table, vocab, {})
    except InputError as err:
        reference = err
    return quick, reference


def table_of(project, path):
    return next(t for t in project.tables() if t.dataset_id == f"{path.parent.name}-{path.stem}")


@pytest.mark.parametrize("path", TABLE_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_the_quick_check_agrees_on_every_row_of_data(project, path):
    table = table_of(project, path)
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))[1:]
    taken = 0
    for line, row in enumerate(rows, 2):
        quick, reference = both(table, project.vocab, line, row)
        assert not isinstance(reference, InputError)
        if quick is not None:
            taken += 1
            assert quick == reference
        else:  # what the quick check leaves to _cell: a row with an inference
            assert row[-4]
    assert taken > 0


def test_the_quick_check_leaves_every_faulty_row_to_the_reference(project):
    """Each change below makes _cell refuse the row; the quick check must hand it over, not accept it."""
    path = ROOT / "data" / "30952" / "t5.csv"
    table = table_of(project, path)
    with path.open(encoding="utf-8", newline="") as f:
        header, *rows = list(csv.reader(f))
    row = next(r for r in rows if r[header.index("status")] == "published" and not r[header.index("inference")])
    assert both(table, project.vocab, 2, row)[0] is not None  # the plain row itself is taken

    def changed(**fields: str) -> list[str]:
        out = list(row)
        for name, value in fields.items():
            out[header.index(name)] = value
        return out

    faulty = [
        changed(country="ZZZ"),  # unknown code
        changed(round="pstq-1999-01-01"),
        changed(measure="nothing"),  # unknown measure
        changed(status="secret"),  # unknown status
        changed(value=""),  # a published cell without a value
        changed(status="confidential"),  # a blanked cell with a value
        changed(value="12.5"), changed(value="007"), changed(value="-3"), changed(value="1" * 19),  # not a count
        changed(note_fr="une note"),  # a note in one language
        changed(note_en="a note"),
        changed(inference="made-up"),  # unknown inference
        changed(inference="typo-fixed"),  # an inference without a note
        changed(source_label="Nowhere"),  # a label that is not the code's
    ]
    for bad in faulty:
        quick, reference = both(table, project.vocab, 2, bad)
        assert isinstance(reference, InputError), bad
        assert quick is None, bad


def test_a_duplicate_row_is_left_to_the_reference(project):
    path = ROOT / "data" / "30952" / "t5.csv"
    table = table_of(project, path)
    with path.open(encoding="utf-8", newline="") as f:
        row = list(csv.reader(f))[1]
    plain, seen = _plain_cell(table, project.vocab), {}
    assert plain(2, row, seen) is not None
    assert plain(3, row, seen) is None
    with pytest.raises(InputError, match="duplicate cell: same dimension values and measure as line 2"):
        _cell(path, 3, row, table, project.vocab, seen)
