"""A dataset as a spreadsheet (XLSX, openpyxl), for the people who open tables in Excel or LibreOffice.

Two sheets:
- « Tableau » : the table laid out as the letter printed it (render/grid.py, the layout of the
  dataset's page), labels in French as in the letter; a blanked cell holds « × » and its status
  in words (« × valeur protégée »), never a zero; below the grid, the letter's notes, each cell's
  note in French and English (by cell reference), the source and how to cite the table;
- « Données » : the tidy table, one row per cell, the columns of the CSV file (build/csvw.py), with
  numbers as numbers.

An XLSX file is a zip whose entries carry the time they were written, and whose core properties say
when the workbook was created and modified: both are set to the letter's date, so that two builds
of the same data give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from decimal import Decimal
from typing import IO

from ..build.csvw import Bounds, columns
from ..build.facts import Facts
from ..cube import date_fr
from ..model import Letter, Table
from ..namespaces import XSD

LAYOUT_SHEET = "Tableau"
TIDY_SHEET = "Données"
BLANK_MARK = "×"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest a zip entry can say


def write_xlsx(letter: Letter, table: Table, data, facts: Facts, bounds: Bounds, dataset_iri: str,
               out: IO[bytes]) -> None:
    """The workbook of one table; `data` is the pages' SiteData (render/data.py), for the grid."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    from ..render.grid import make_grid

    bold = Font(bold=True)
    grey = PatternFill("solid", start_color="DDDDDD", end_color="DDDDDD")
    wb = Workbook()
    when = dt.datetime.combine(letter.letter_date, dt.time())
    wb.properties.created = when
    wb.properties.creator = "mifi-rdf"
    wb.properties.title = table.title_fr
    ws = wb.active
    ws.title = LAYOUT_SHEET
    exact = Decimal if any(m.datatype != XSD + "integer" for m in table.structure.measures.values()) else int

    def label(iri: str) -> str:
        return facts.label(iri, "fr") or facts.label(iri, "en") or iri.rstrip("/").rsplit("/", 1)[-1]

    ws.append([table.title_fr])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([table.title_en])
    grid = make_grid(data, list(data.entries(table)))
    for h in grid.fixed:
        ws.append([f"{label(h.axis.iri)} : {label(h.iri)}"])
    ws.append([])
    ws.append([label(a.iri) for a in grid.row_axes] + [label(h.iri) for h in grid.columns])
    header_row = ws.max_row
    for cell in ws[header_row]:
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    notes: list[tuple[str, str, str]] = []
    first = len(grid.row_axes) + 1
    for row in grid.rows:
        values: list = [label(h.iri) for h in row.headers]
        for e in row.cells:
            if e is None:
                values.append(None)
            elif e.cell.value is not None:
                values.append(exact(e.cell.value))
            else:
                status = data.vocab.statuses[e.cell.status].iri
                values.append(f"{BLANK_MARK} {label(status)}")
        ws.append(values)
        r = ws.max_row
        for n, e in enumerate(row.cells):
            c = ws.cell(r, first + n)
            if e is not None and e.cell.value is None:
                c.fill = grey
            if e is not None and e.cell.note_fr:
                notes.append((c.coordinate, e.cell.note_fr, e.cell.note_en))
        if row.total:
            for c in ws[r]:
                c.font = bold
    ws.append([])
    if table.notes:
        ws.append(["Notes du tableau (lettre)"])
        ws.cell(ws.max_row, 1).font = bold
        for note in table.notes:
            ws.append([note])
    if notes:
        ws.append([])
        ws.append(["Cellule / Cell", "Note (français)", "Note (English)"])
        for c in ws[ws.max_row]:
            c.font = bold
        for ref, note_fr, note_en in notes:
            ws.append([ref, note_fr, note_en])
    ws.append([])
    ws.append(["Source"])
    ws.cell(ws.max_row, 1).font = bold
    if table.source_line:
        ws.append([table.source_line])
    number = f"tableau {table.number}" if table.number else "tableau non numéroté"
    ws.append([f"MIFI, décision d'accès N/Réf. {letter.ref} du {date_fr(letter.letter_date)}, {number}"])
    ws.append(["Citation"])
    ws.cell(ws.max_row, 1).font = bold
    ws.append([f"Ministère de l'Immigration, de la Francisation et de l'Intégration (MIFI). {date_fr(letter.letter_date)}. "
               f"« {table.title_fr} ». N/Réf. {letter.ref}, {number}. Transcrit par mifi-rdf : {dataset_iri}"])
    ws.column_dimensions["A"].width = 40

    tidy = wb.create_sheet(TIDY_SHEET)
    cols = columns(table, facts)
    tidy.append([name for name, _, _ in cols])
    for c in tidy[1]:
        c.font = bold
    concepts = [data.vocab.codelists[d.codelist].codes for d in table.structure.dimensions]
    for cell in table.cells:
        row: list = []
        for codes, code in zip(concepts, cell.codes, strict=True):
            iri = codes[code]
            row += [code, facts.label(iri, "fr"), facts.label(iri, "en")]
        m = table.structure.measures[cell.measure].iri
        st = data.vocab.statuses[cell.status].iri
        found = bounds((table.dataset_id, cell.codes, cell.measure)) if cell.value is None else None
        row += [cell.measure, facts.label(m, "fr"), facts.label(m, "en"),
                None if cell.value is None else exact(cell.value),
                cell.status, facts.label(st, "fr"), facts.label(st, "en"), ";".join(sorted(cell.inferences)) or None,
                None if found is None else exact(found[0]), None if found is None or found[1] is None else exact(found[1]),
                cell.note_fr or None, cell.note_en or None]
        tidy.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    out.write(fixed_times(buffer.getvalue(), when))


def fixed_times(xlsx: bytes, when: dt.datetime) -> bytes:
    """The same workbook with every zip entry dated ZIP_TIME and the core properties' modified
    date `when` (openpyxl sets both to the clock)."""
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)", rb"\g<1>" + stamp + rb"\g<2>",
                                 content)
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, content)
    return out.getvalue()
