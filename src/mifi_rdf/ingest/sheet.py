"""A table given as a spreadsheet (CSV or XLSX) instead of a letter's text, read with the csv module and
openpyxl (read-only), both core dependencies: nothing beyond README's install.

The sheet holds what the text would: lines of one cell before the table (the « N/Réf. », the
letter's date, « reçue le … », the caption), the header row, the rows, the Total row, then lines of
one cell (notes, source). Each sheet row becomes a line of the text model, cells joined by tabs, so
the rest of ingest reads it like any tab-separated letter. A count never passes through a float
printed by Python: an integer cell is its digits, a decimal cell its stored decimal (as a Decimal,
never rounded), in French notation; a text cell stays as typed (« 1 874 »).

An XLSX passes ooxml.check_package first (a zip, bounded, no DOCTYPE). Every worksheet is read, in
the workbook's order, a blank line between two sheets, so that no table of a second sheet is lost.
A formula is read from the value the spreadsheet program computed and saved with it; a formula
saved without one (as libraries that write XLSX leave them) is refused, naming the cell: the figure
is not in the file. Lines are numbered one per sheet row, the sheets one after the other (the first
sheet's line N is its row N); every message about an XLSX also names the sheet and the cell.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
import warnings
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from ..errors import InputError
from . import ooxml
from .text import BOLD_LINE, Line, Unreadable, header_kind, strip_markup

MAX_ROWS = 100_000  # a sheet's rows (openpyxl makes the rows a sheet skips: a last row of 1,048,576 is a million)
MAX_COLUMNS = 500


@dataclass
class Reading:
    """The lines of an attachment, and where each line comes from when it is not a line of the file."""

    lines: list[Line]
    places: dict[int, tuple[str, list[str]]] = field(default_factory=dict)  # line → (its row, each of its cells)
    findings: list[str] = field(default_factory=list)  # what the file holds and ingest does not read, for the report

    def where(self, line: int, column: int) -> str | None:
        """« sheet « Feuil1 », cell B12 » for a line and character column of the text model, or None; None
        for 1:1 too, which messages about what the whole file lacks (no « N/Réf. ») point at."""
        if line not in self.places or (line, column) == (1, 1):
            return None
        row, cells = self.places[line]
        text = next((ln.text for ln in self.lines if ln.number == line), "")
        index = text[: max(column - 1, 0)].count("\t")
        return cells[index] if column > 0 and index < len(cells) else row


def make_line(number: int, text: str, bold: bool = False) -> Line:
    """A line of the text model, as text.lines_of makes them (NFC, markup removed, trailing tabs kept)."""
    text = unicodedata.normalize("NFC", text)
    return Line(number, strip_markup(text).rstrip(" \u00a0\r\f\v"), bold or bool(BOLD_LINE.match(text)))


def _delimiter(sample: str) -> str:
    """Comma, semicolon (a French spreadsheet's CSV) or tab; quotes are always double quotes, never
    the apostrophes French labels are full of."""
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:  # rows of unequal width (one-cell lines around the table): the one on the most lines
        lines = sample.splitlines()
        return max(";\t,", key=lambda d: sum(1 for line in lines if d in line))


def _table_lines(rows: list[tuple[int, list[str], bool]]) -> list[tuple[int, str, bool, bool]]:
    """(number, text, bold, whole) per sheet row. Rows of a table keep every cell (a blanked row is a
    label and empty cells: `whole`); rows outside the tables are text, their non-empty cells joined by
    spaces. A table starts at a header row and ends at its Total row or, for a table without one
    (31224's total is a column), at a blank row followed by a row of one cell (a note, the source);
    a blank row followed by more cells is a page break inside the table (31180)."""
    width = max((len(cells) for _, cells, _ in rows), default=0)
    out = []
    in_table = False
    for k, (number, cells, bold) in enumerate(rows):
        cells = cells + [""] * (width - len(cells))
        first = cells[0] if cells else ""
        probe = make_line(0, "\t".join(cells)) if cells else None
        if not in_table and probe is not None and sum(1 for c in cells if c) >= 2 and header_kind(probe):
            in_table = True
        if in_table and not any(cells):
            following = next((c for _, c, _ in rows[k + 1:] if any(c)), [])
            if sum(1 for c in following if c) < 2:
                in_table = False
        if in_table:
            out.append((number, "\t".join(cells) if len(cells) > 1 else first + "\t", bold, True))
            if first.lower().startswith("total"):
                in_table = False
        else:
            out.append((number, " ".join(c for c in cells if c), bold, False))
    return out


# ---------------------------------------------------------------- CSV


def read_csv(path: Path) -> Reading:
    size = ooxml.regular_file(path)
    if size > ooxml.MAX_FILE:
        raise Unreadable(path, 1, 1, f"{size >> 20} MB: more than a letter's table may have ({ooxml.MAX_FILE >> 20} MB)")
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        column = err.start - (data.rfind(b"\n", 0, err.start) + 1) + 1
        raise Unreadable(path, line, column, f"not UTF-8 (byte 0x{data[err.start]:02x}): save the sheet as UTF-8") from err
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise InputError(path, 1, 1, "the file is empty: expected a table with its caption")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text[:65536]), quotechar='"')
    rows: list[tuple[int, list[str], bool]] = []
    start = 1
    try:
        for cells in reader:
            rows.append((start, [re.sub(r"\s*[\r\n]+\s*", " ", c).strip() for c in cells], False))
            start = reader.line_num + 1
    except csv.Error as err:
        raise Unreadable(path, reader.line_num or 1, 1, f"not a CSV file the way it is quoted here: {err}") from err
    return Reading([make_line(n, t, b) for n, t, b, _ in _table_lines(rows)])


# ---------------------------------------------------------------- XLSX


def _decimals(number_format: str) -> int:
    """How many decimals a number format shows (« 0.0 » one, « #,##0.00 % » two, General none)."""
    m = re.search(r"0\.(0+)", number_format.split(";")[0])
    return len(m.group(1)) if m else 0


def display(value: object, number_format: str = "General") -> str:
    """A cell's value as the letter would print it, exactly: digits, a decimal comma, a percentage as shown."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "VRAI" if value else "FAUX"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        number = Decimal(repr(value))  # the shortest decimal that is this float: what the file stores
        percent = "%" in re.sub(r'"[^"]*"', "", number_format.split(";")[0])
        if percent:
            number = number.scaleb(2)
        whole, _, frac = format(number, "f").partition(".")
        frac = frac.rstrip("0").ljust(_decimals(number_format), "0")
        return whole + ("," + frac if frac else "") + (" %" if percent else "")
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value).strip()


def column_name(index: int) -> str:
    """1 → A, 28 → AB, as Excel names columns (openpyxl's own, imported only once a workbook is read)."""
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


def _sheet_rows(path: Path, sheet, formulas: dict) -> list[tuple[int, list[str], bool]]:
    """The rows of one sheet as displayed strings, with each row's boldness; formulas noted by cell."""
    sheet.reset_dimensions()  # a sheet's declared dimensions may lie: read the rows that are there
    rows = []
    for number, row in enumerate(sheet.iter_rows(), start=1):
        if number > MAX_ROWS:
            raise Unreadable(path, 1, 1, f"sheet « {sheet.title} » has more than {MAX_ROWS:,} rows: not a letter's table")
        if len(row) > MAX_COLUMNS:
            raise Unreadable(path, 1, 1, f"sheet « {sheet.title} », row {number}: a cell in column {column_name(len(row))}, "
                                         f"beyond the {MAX_COLUMNS} columns a letter's table may have")
        cells, bolds = [], []
        for k, cell in enumerate(row, start=1):
            value = getattr(cell, "value", None)
            if getattr(cell, "data_type", None) == "f":
                formulas[(sheet.title, number, k)] = value
                cells.append("")
                continue
            text = display(value, getattr(cell, "number_format", "General") or "General")
            cells.append(re.sub(r"\s*[\t\r\n]+\s*", " ", text))
            if text:
                bolds.append(bool(getattr(getattr(cell, "font", None), "b", False)))
        while cells and not cells[-1]:
            cells.pop()
        rows.append((number, cells, bool(bolds) and all(bolds)))
    return rows


def _cached(path: Path, formulas: dict) -> dict:
    """The values saved with the formulas (a second, data-only reading of the workbook)."""
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        out = {}
        for sheet in book.worksheets:
            wanted = {(r, c) for (title, r, c) in formulas if title == sheet.title}
            if not wanted:
                continue
            sheet.reset_dimensions()
            for number, row in enumerate(sheet.iter_rows(), start=1):
                for k, cell in enumerate(row, start=1):
                    if (number, k) in wanted:
                        out[(sheet.title, number, k)] = display(cell.value, cell.number_format or "General")
                if number >= max(r for r, _ in wanted):
                    break
        return out
    finally:
        book.close()


def read_xlsx(path: Path) -> Reading:
    ooxml.check_package(path, "an Excel workbook")
    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl's warnings are about styles and extensions, never about values
            book = openpyxl.load_workbook(path, read_only=True, data_only=False)
            try:
                formulas: dict[tuple[str, int, int], str] = {}
                sheets = [(sheet.title, _sheet_rows(path, sheet, formulas)) for sheet in book.worksheets]
            finally:
                book.close()
            cached = _cached(path, formulas) if formulas else {}
    except InputError:
        raise
    except Exception as err:  # openpyxl's errors on a damaged workbook are of many kinds (KeyError, ValueError, …)
        raise Unreadable(path, 1, 1, f"cannot read this Excel workbook: {type(err).__name__}: {err}") from err
    missing: list[tuple[str, int, int, str]] = []
    by_title = dict(sheets)
    for (title, r, c), formula in formulas.items():
        value = cached.get((title, r, c), "")
        if not value:
            missing.append((title, r, c, formula))
            continue
        cells = by_title[title][r - 1][1]
        cells += [""] * (c - len(cells))
        cells[c - 1] = value
    lines: list[Line] = []
    places: dict[int, tuple[str, list[str]]] = {}
    first_line: dict[str, int] = {}
    offset = 0
    for title, rows in sheets:
        if not any(any(cells) for _, cells, _ in rows):
            continue
        if lines:
            offset += 1
            lines.append(make_line(offset, ""))
        first_line[title] = offset
        for row, text, bold, whole in _table_lines(rows):
            lines.append(make_line(offset + row, text, bold))
            width = text.count("\t") + 1 if whole else 0
            places[offset + row] = (f"sheet « {title} », row {row}",
                                    [f"sheet « {title} », cell {column_name(k)}{row}" for k in range(1, width + 1)])
        offset += len(rows)
    if missing:
        title, r, c, formula = sorted(missing, key=lambda m: (first_line.get(m[0], 0) + m[1], m[2]))[0]
        line = first_line.get(title, 0) + r
        text = next((ln.text for ln in lines if ln.number == line), "")
        column = len("\t".join(text.split("\t")[: c - 1])) + (2 if c > 1 else 1) if "\t" in text else 1
        others = f" (and {len(missing) - 1} other formula cell(s) alike)" if len(missing) > 1 else ""
        raise InputError(path, line, column, f"sheet « {title} », cell {column_name(c)}{r} holds the formula {formula} "
                                             f"without the value it computes{others}: the figure is not in the file. Open "
                                             "the workbook in a spreadsheet program and save it (which stores the values), "
                                             "or paste the values, and ingest it again")
    if not lines:
        raise InputError(path, 1, 1, "the file is empty: expected a table with its caption")
    return Reading(lines, places)


def read_sheet(path: Path) -> Reading:
    """A CSV or XLSX attachment as lines of the text model."""
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        return read_xlsx(path)
    return read_csv(path)
