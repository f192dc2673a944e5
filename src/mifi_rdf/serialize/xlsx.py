"""A dataset as a spreadsheet (XLSX, openpyxl), for the people who open tables in Excel or LibreOffice.

Two sheets, written row by row (openpyxl's write-only mode):
- « Tableau » : the table laid out as the letter printed it (render/grid.py, the layout of the
  dataset's page), labels in French as in the letter; a blanked cell holds « × » and its status
  in words (« × valeur protégée »), never a zero; below the grid, the letter's notes, each cell's
  note in French and English (by cell reference), the source and how to cite the table;
- « Données » : the tidy table, one row per cell, the columns of the CSV file (build/csvw.py), with
  numbers as numbers.

An XLSX file is a zip whose entries carry the time they were written, and whose core properties say
when the workbook was created and modified: both are set to the letter's date, so that two builds
of the same data give the same bytes.

Every text is written as text, exactly: a note « =SUM(A1) » or « #N/A » stays a string (openpyxl
would make the first a formula and the second an error value), « < », « & » and « ]]> » are
escaped, a carriage return is kept as a character reference (an XML reader turns a raw one into a
line feed). What a cell cannot hold is an error naming the file and line it came from, never a
cut: Excel's 32,767 characters, and the control characters XML 1.0 forbids (loading refuses them
in data/; the check here keeps a writer's bug from making a file Excel « repairs »).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import IO
from xml.sax.saxutils import escape

from ..build.csvw import Bounds, columns
from ..build.facts import Facts
from ..cube import date_fr
from ..errors import InputError
from ..model import Letter, Table
from ..namespaces import XSD

LAYOUT_SHEET = "Tableau"
TIDY_SHEET = "Données"
BLANK_MARK = "×"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest a zip entry can say
CR = {"\r": "&#13;"}
TIDY_PART = "xl/worksheets/sheet2.xml"  # the second sheet created
CELL_MAX = 32_767  # characters a cell of Excel holds (openpyxl cuts a longer text without a word)
NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # XML 1.0 has no such character


def unfit(text: str) -> str | None:
    """Why a cell cannot hold `text` as it is, or None."""
    if len(text) > CELL_MAX:
        return f"a text of {len(text):,} characters: a spreadsheet cell holds at most {CELL_MAX:,}"
    m = NOT_IN_XML.search(text)
    if m:
        return f"control character U+{ord(m.group()):04X} at character {m.start() + 1}: a spreadsheet cell cannot hold it"
    return None


def write_xlsx(letter: Letter, table: Table, data, facts: Facts, bounds: Bounds, dataset_iri: str,
               out: IO[bytes]) -> None:
    """The workbook of one table; `data` is the pages' SiteData (render/data.py), for the grid."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    from ..render.grid import make_grid

    width = len(table.structure.dimensions)
    for cell in table.cells:  # first, so that a cell's text too long for a sheet is told at its line
        if not cell.note_fr and not cell.note_en:
            continue  # most cells have no note: nothing to check
        for col, name, text in ((width + 6, "note_fr", cell.note_fr), (width + 7, "note_en", cell.note_en)):
            if (why := unfit(text)) is not None:
                raise InputError(table.path, cell.line, col, f"{name} for the spreadsheet: {why}")
    bold = Font(bold=True)
    grey = PatternFill("solid", start_color="DDDDDD", end_color="DDDDDD")
    wb = Workbook(write_only=True)  # rows streamed to the file: several times faster than a sheet held in memory
    when = dt.datetime.combine(letter.letter_date, dt.time())
    wb.properties.created = when
    wb.properties.creator = "mifi-rdf"
    wb.properties.title = table.title_fr
    ws = wb.create_sheet(LAYOUT_SHEET)
    ws.column_dimensions["A"].width = 40
    exact = Decimal if any(m.datatype != XSD + "integer" for m in table.structure.measures.values()) else int

    def label(iri: str) -> str:
        return facts.label(iri, "fr") or facts.label(iri, "en") or iri.rstrip("/").rsplit("/", 1)[-1]

    fit: set[str] = set()  # the texts checked already (statuses and labels repeat)

    def styled(value, font=None, fill=None, wrap=False):
        if isinstance(value, str):
            if value not in fit and (why := unfit(value)) is not None:
                raise InputError(letter.path, 0, 0, f"table {table.id}, sheet {LAYOUT_SHEET}: {why} ({value[:40]}…)")
            if len(fit) < 100_000:
                fit.add(value)
            cell = WriteOnlyCell(ws, value="")
            cell.value, cell.data_type = value, "s"  # text, even when it reads as a formula or an error value
        else:
            cell = WriteOnlyCell(ws, value=value)
        if font is not None:
            cell.font = font
        if fill is not None:
            cell.fill = fill
        if wrap:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        return cell

    row_number = 0

    def append(values: list) -> None:
        nonlocal row_number
        ws.append([styled(v) if isinstance(v, str) else v for v in values])
        row_number += 1

    append([styled(table.title_fr, Font(bold=True, size=13))])
    append([table.title_en])
    grid = make_grid(data, list(data.entries(table)))
    for h in grid.fixed:
        append([f"{label(h.axis.iri)} : {label(h.iri)}"])
    append([])
    append([styled(label(a.iri), bold, wrap=True) for a in grid.row_axes]
           + [styled(label(h.iri), bold, wrap=True) for h in grid.columns])
    notes: list[tuple[str, str, str]] = []
    first = len(grid.row_axes) + 1
    statuses = {name: f"{BLANK_MARK} {label(st.iri)}" for name, st in data.vocab.statuses.items()}
    for row in grid.rows:
        font = bold if row.total else None
        values: list = [styled(label(h.iri), font) if font else label(h.iri) for h in row.headers]
        for n, e in enumerate(row.cells):
            if e is None:
                values.append(None)
                continue
            if e.cell.value is not None:
                value, fill = exact(e.cell.value), None
            else:
                value, fill = statuses[e.cell.status], grey
            values.append(styled(value, font, fill) if font or fill else value)
            if e.cell.note_fr:
                notes.append((f"{get_column_letter(first + n)}{row_number + 1}", e.cell.note_fr, e.cell.note_en))
        append(values)
    append([])
    if table.notes:
        append([styled("Notes du tableau (lettre)", bold)])
        for note in table.notes:
            append([note])
    if notes:
        append([])
        append([styled(x, bold) for x in ("Cellule / Cell", "Note (français)", "Note (English)")])
        for ref, note_fr, note_en in notes:
            append([ref, note_fr, note_en])
    append([])
    append([styled("Source", bold)])
    if table.source_line:
        append([table.source_line])
    number = f"tableau {table.number}" if table.number else "tableau non numéroté"
    append([f"MIFI, décision d'accès N/Réf. {letter.ref} du {date_fr(letter.letter_date)}, {number}"])
    append([styled("Citation", bold)])
    append([f"Ministère de l'Immigration, de la Francisation et de l'Intégration (MIFI). {date_fr(letter.letter_date)}. "
            f"« {table.title_fr} ». N/Réf. {letter.ref}, {number}. Transcrit par mifi-rdf : {dataset_iri}"])

    tidy = wb.create_sheet(TIDY_SHEET)
    header = [WriteOnlyCell(tidy, value=name) for name, _, _ in columns(table, facts)]
    for c in header:
        c.font = bold
    tidy.append(header)
    concepts = [data.vocab.codelists[d.codelist].codes for d in table.structure.dimensions]
    dim_labels = [{code: (code, facts.label(iri, "fr"), facts.label(iri, "en")) for code, iri in c.items()} for c in concepts]
    measure_labels = {name: (name, facts.label(m.iri, "fr"), facts.label(m.iri, "en"))
                      for name, m in table.structure.measures.items()}
    status_labels = {name: (facts.label(st.iri, "fr"), facts.label(st.iri, "en")) for name, st in data.vocab.statuses.items()}
    for known in [*dim_labels, measure_labels, status_labels]:
        for text in {x for labels in known.values() for x in labels}:
            if (why := unfit(text)) is not None:
                raise InputError(table.path, 0, 0, f"sheet {TIDY_SHEET}: a label of the vocabulary: {why} ({text[:40]}…)")

    def tidy_rows() -> Iterator[list]:
        """The tidy sheet's rows, made as they are written (fixed_times): never all of them at once."""
        for cell in table.cells:
            out_row: list = []
            for known, code in zip(dim_labels, cell.codes, strict=True):
                out_row += known[code]
            found = bounds((table.dataset_id, cell.codes, cell.measure)) if cell.value is None else None
            out_row += [*measure_labels[cell.measure], None if cell.value is None else exact(cell.value),
                        cell.status, *status_labels[cell.status], ";".join(sorted(cell.inferences)) or None,
                        None if found is None else exact(found[0]),
                        None if found is None or found[1] is None else exact(found[1]),
                        cell.note_fr or None, cell.note_en or None]
            yield out_row

    buffer = io.BytesIO()
    wb.save(buffer)
    out.write(fixed_times(buffer.getvalue(), when, {TIDY_PART: (len(header), len(table.cells), tidy_rows())}))


def fixed_times(xlsx: bytes, when: dt.datetime, appended: dict[str, tuple[int, int, Iterable[list]]] | None = None) -> bytes:
    """The same workbook with every zip entry dated ZIP_TIME and the core properties' modified
    date `when` (openpyxl sets both to the clock); the rows of `appended` (width, number of rows,
    the rows) written after the rows of their sheet (its header, which openpyxl wrote with its
    style). An appended sheet's XML is compressed as it is made, a chunk of rows at a time: at a
    million cells, the sheet's text and its rows are never held whole (only the compressed file)."""
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    appended = appended or {}
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
            with dst.open(entry, "w") as part:
                for chunk in (with_rows(content, *appended[info.filename]) if info.filename in appended else [content]):
                    part.write(chunk)
    return out.getvalue()


ROWS_PER_CHUNK = 10_000  # rows of XML made, then compressed, at a time
TEXTS_KEPT = 100_000  # distinct texts whose markup is kept for the rows after (notes may all differ)


def with_rows(sheet: bytes, width: int, count: int, rows: Iterable[list]) -> Iterator[bytes]:
    """A one-row sheet's XML with the `count` `rows` after its first row, and its dimension saying
    so, in chunks of bytes.

    openpyxl makes a cell object of every value, several times slower than writing the XML of a
    100,000-row sheet directly: numbers as <v>, text as inline strings, an empty value as no cell."""
    from openpyxl.utils import get_column_letter

    letters = [get_column_letter(i) for i in range(1, width + 1)]
    last = f"{letters[-1]}{count + 1}"
    dimension = f'<dimension ref="A1:{last}"/>'.encode()
    if b"<dimension " in sheet:
        sheet = re.sub(rb'<dimension ref="[^"]*"/>', dimension, sheet, count=1)
    else:  # openpyxl's write-only sheets have none; it goes before the first of these (the schema's order)
        at = min(i for i in (sheet.find(tag) for tag in (b"<sheetViews", b"<sheetFormatPr", b"<cols", b"<sheetData")) if i >= 0)
        sheet = sheet[:at] + dimension + sheet[at:]
    head, tail = sheet.split(b"</sheetData>", 1)
    yield head
    texts: dict[str, str] = {}  # a text's markup after its cell reference: codes, labels and statuses repeat

    def text(v: str) -> str:
        """A text as an inline string (never a formula); a raw CR would come back as LF."""
        markup = texts.get(v)
        if markup is None:
            space = ' xml:space="preserve"' if v != v.strip() else ""
            markup = f' t="inlineStr"><is><t{space}>{escape(v, CR)}</t></is></c>'
            if len(texts) < TEXTS_KEPT:
                texts[v] = markup
        return markup

    parts = []
    r = 1
    for r, row in enumerate(rows, 2):
        cells = []
        for letter, v in zip(letters, row, strict=True):
            if v is None:
                continue
            if isinstance(v, int | Decimal):
                cells.append(f'<c r="{letter}{r}"><v>{v}</v></c>')
            else:
                cells.append(f'<c r="{letter}{r}"{text(v)}')
        parts.append(f'<row r="{r}">{"".join(cells)}</row>')
        if len(parts) == ROWS_PER_CHUNK:
            yield "".join(parts).encode("utf-8")
            parts = []
    if r - 1 != count:
        raise ValueError(f"{r - 1} rows appended, {count} announced")  # a writer's bug, never the data's
    yield "".join(parts).encode("utf-8") + b"</sheetData>" + tail
