"""A table given as a spreadsheet (CSV or XLSX) instead of a letter's text, read with pandas.

The sheet holds what the text would: lines of one cell before the table (the « N/Réf. », the
letter's date, « reçue le … », the caption), the header row, the rows, the Total row, then lines of
one cell (notes, source). Each sheet row becomes a line of the text model, cells joined by tabs, so
the rest of ingest reads it like any tab-separated letter. Every cell is read as a string
(`dtype=str`): a count never passes through a float, and « 1 874 » stays as printed.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError
from .text import Line, Unreadable, header_kind, lines_of


def _delimiter(path: Path) -> str:
    """Comma, semicolon (a French spreadsheet's CSV) or tab; quotes are always double quotes, never
    the apostrophes French labels are full of."""
    import csv

    sample = path.read_bytes()[:65536].decode("utf-8")
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        return ","


def read_sheet(path: Path) -> list[Line]:
    try:
        import pandas as pd
    except ImportError as err:  # the ingest extra is not installed
        raise Unreadable(path, 0, 0, "reading CSV or XLSX needs pandas and openpyxl: pip install 'mifi-rdf[ingest]'") from err
    try:
        if path.suffix.lower() in {".xlsx", ".xlsm"}:
            frame = pd.read_excel(path, sheet_name=0, header=None, dtype=str, keep_default_na=False, engine="openpyxl")
        else:
            frame = pd.read_csv(path, header=None, dtype=str, keep_default_na=False, encoding="utf-8",
                                skip_blank_lines=False, sep=_delimiter(path), quotechar='"')
    except UnicodeDecodeError as err:
        raise Unreadable(path, 0, 0, f"not UTF-8 (byte 0x{err.object[err.start]:02x}): save the sheet as UTF-8") from err
    except pd.errors.EmptyDataError as err:
        raise InputError(path, 1, 1, "the file is empty: expected a table with its caption") from err
    except (ValueError, OSError, pd.errors.ParserError) as err:
        raise Unreadable(path, 0, 0, f"cannot read this spreadsheet: {err}") from err
    rows = [[str(v).strip() for v in row] for row in frame.itertuples(index=False, name=None)]
    if not any(any(r) for r in rows):
        raise InputError(path, 1, 1, "the file is empty: expected a table with its caption")
    # Rows from the header to the Total row keep every cell (a blanked row is a label and empty cells);
    # rows outside the table are text: their non-empty cells joined by spaces.
    text_lines: list[str] = []
    in_table = False
    for cells in rows:
        first = cells[0] if cells else ""
        probe = lines_of("\t".join(cells))[0] if cells else None
        if not in_table and probe is not None and sum(1 for c in cells if c) >= 2 and header_kind(probe):
            in_table = True
        if in_table:
            text_lines.append("\t".join(cells) if len(cells) > 1 else first + "\t")
            if first.lower().startswith("total"):
                in_table = False
        else:
            text_lines.append(" ".join(c for c in cells if c))
    return lines_of("\n".join(text_lines))
