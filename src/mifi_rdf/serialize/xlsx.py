"""A dataset as a spreadsheet (XLSX), for the people who open tables in Excel or LibreOffice.

Two sheets, their XML written row by row and compressed as it is made (openpyxl reads the files
back in the tests; writing a cell object per value was most of a big workbook's time):
- « Tableau » : the table laid out as the letter printed it (render/grid.py, the layout of the
  dataset's page), labels in French as in the letter; a blanked cell holds « × » and its status
  in words (« × valeur protégée »), never a zero; below the grid, the letter's notes, each cell's
  note in French and English (by cell reference), the source and how to cite the table;
- « Données » : the tidy table, one row per cell, the columns of the CSV file (build/csvw.py), with
  numbers as numbers.

An XLSX file is a zip whose entries carry the time they were written, and whose core properties say
when the workbook was created and modified: both are set to the letter's date, so that two builds
of the same data give the same bytes.

Every text is written as text, exactly: a note « =SUM(A1) » or « #N/A » stays a string (an inline
string, never a formula or an error value), « < », « & » and « ]]> » are
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
from collections.abc import Callable, Iterable, Iterator
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
    from ..render.grid import make_grid

    width = len(table.structure.dimensions)
    for cell in table.cells:  # first, so that a cell's text too long for a sheet is told at its line
        if not cell.note_fr and not cell.note_en:
            continue  # most cells have no note: nothing to check
        for col, name, text in ((width + 6, "note_fr", cell.note_fr), (width + 7, "note_en", cell.note_en)):
            if (why := unfit(text)) is not None:
                raise InputError(table.path, cell.line, col, f"{name} for the spreadsheet: {why}")
    when = dt.datetime.combine(letter.letter_date, dt.time())
    exact = Decimal if any(m.datatype != XSD + "integer" for m in table.structure.measures.values()) else int

    def label(iri: str) -> str:
        return facts.label(iri, "fr") or facts.label(iri, "en") or iri.rstrip("/").rsplit("/", 1)[-1]

    fit: set[str] = set()  # the texts checked already (statuses and labels repeat)

    def checked(value: str) -> str:
        if value not in fit:
            if (why := unfit(value)) is not None:
                raise InputError(letter.path, 0, 0, f"table {table.id}, sheet {LAYOUT_SHEET}: {why} ({value[:40]}…)")
            if len(fit) < TEXTS_KEPT:
                fit.add(value)
        return value

    rows: list[list] = []  # the layout sheet's rows: a value, or (value, style) for a styled cell

    def append(values: list) -> None:
        rows.append([checked(v) if isinstance(v, str) else v for v in values])

    def styled(value, style: int) -> tuple:
        return (checked(value) if isinstance(value, str) else value, style)

    append([styled(table.title_fr, TITLE)])
    append([table.title_en])
    grid = make_grid(data, list(data.entries(table)))
    for h in grid.fixed:
        append([f"{label(h.axis.iri)} : {label(h.iri)}"])
    append([])
    append([styled(label(a.iri), HEADING) for a in grid.row_axes] + [styled(label(h.iri), HEADING) for h in grid.columns])
    notes: list[tuple[str, str, str]] = []
    first = len(grid.row_axes)
    letters = column_letters(first + len(grid.columns))
    statuses = {name: checked(f"{BLANK_MARK} {label(st.iri)}") for name, st in data.vocab.statuses.items()}
    for row in grid.rows:
        total = row.total
        values: list = [styled(label(h.iri), BOLD) if total else label(h.iri) for h in row.headers]
        for n, e in enumerate(row.cells):
            if e is None:
                values.append(None)
                continue
            if e.cell.value is not None:
                values.append((exact(e.cell.value), BOLD) if total else exact(e.cell.value))
            else:
                values.append((statuses[e.cell.status], BOLD_BLANKED if total else BLANKED))
            if e.cell.note_fr:
                notes.append((f"{letters[first + n]}{len(rows) + 1}", e.cell.note_fr, e.cell.note_en))
        append(values)
    append([])
    if table.notes:
        append([styled("Notes du tableau (lettre)", BOLD)])
        for note in table.notes:
            append([note])
    if notes:
        append([])
        append([styled(x, BOLD) for x in ("Cellule / Cell", "Note (français)", "Note (English)")])
        for ref, note_fr, note_en in notes:
            append([ref, note_fr, note_en])
    append([])
    append([styled("Source", BOLD)])
    if table.source_line:
        append([table.source_line])
    number = f"tableau {table.number}" if table.number else "tableau non numéroté"
    append([f"MIFI, décision d'accès N/Réf. {letter.ref} du {date_fr(letter.letter_date)}, {number}"])
    append([styled("Citation", BOLD)])
    append([f"Ministère de l'Immigration, de la Francisation et de l'Intégration (MIFI). {date_fr(letter.letter_date)}. "
            f"« {table.title_fr} ». N/Réf. {letter.ref}, {number}. Transcrit par mifi-rdf : {dataset_iri}"])

    header = [name for name, _, _ in columns(table, facts)]
    concepts = [data.vocab.codelists[d.codelist].codes for d in table.structure.dimensions]
    dim_labels = [{code: (code, facts.label(iri, "fr"), facts.label(iri, "en")) for code, iri in c.items()} for c in concepts]
    measure_labels = {name: (name, facts.label(m.iri, "fr"), facts.label(m.iri, "en"))
                      for name, m in table.structure.measures.items()}
    status_labels = {name: (facts.label(st.iri, "fr"), facts.label(st.iri, "en")) for name, st in data.vocab.statuses.items()}
    for known in [*dim_labels, measure_labels, status_labels]:
        for text in {x for labels in known.values() for x in labels}:
            if (why := unfit(text)) is not None:
                raise InputError(table.path, 0, 0, f"sheet {TIDY_SHEET}: a label of the vocabulary: {why} ({text[:40]}…)")

    def tidy_rows() -> Iterator[str]:
        """The tidy sheet's rows' XML, made as they are written: never all of them at once. Its cells
        are positional (no reference: a missing value is an empty <c/>), so the markup of a
        dimension's code and labels, of a measure, of a status is made once and repeated."""
        yield "".join(f'<c s="{BOLD}"{text(name)}' for name in header)
        dims = [{code: "".join(cell_xml(x) for x in labels) for code, labels in known.items()} for known in dim_labels]
        measure_xml = {name: "".join(cell_xml(x) for x in labels) for name, labels in measure_labels.items()}
        status_xml = {name: cell_xml(name) + "".join(cell_xml(x) for x in labels) for name, labels in status_labels.items()}
        dataset = table.dataset_id
        for cell in table.cells:
            parts = [known[code] for known, code in zip(dims, cell.codes, strict=True)]
            parts.append(measure_xml[cell.measure])
            if cell.value is None:
                found = bounds((dataset, cell.codes, cell.measure))
                parts += [EMPTY, status_xml[cell.status], cell_xml(";".join(sorted(cell.inferences)) or None),
                          EMPTY if found is None else f"<c><v>{exact(found[0])}</v></c>",
                          EMPTY if found is None or found[1] is None else f"<c><v>{exact(found[1])}</v></c>"]
            else:
                parts += [f"<c><v>{exact(cell.value)}</v></c>", status_xml[cell.status],
                          cell_xml(";".join(sorted(cell.inferences)) or None) if cell.inferences else EMPTY, EMPTY, EMPTY]
            if cell.note_fr or cell.note_en:
                parts += [cell_xml(cell.note_fr or None), cell_xml(cell.note_en or None)]
            while parts[-1] == EMPTY:
                parts.pop()
            yield "".join(parts)

    text = inline_texts()

    def cell_xml(v: str | None) -> str:
        return EMPTY if v is None else "<c" + text(v)

    layout = sheet_xml(rows, max(len(r) for r in rows), len(rows), LAYOUT_COLS)
    tidy = sheet_xml(tidy_rows(), len(header), len(table.cells) + 1, made=True)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL) as z:
        for name, content in workbook_parts(table.title_fr, when):
            with z.open(entry(name), "w") as part:
                part.write(content)
        for name, chunks in (("xl/worksheets/sheet1.xml", layout), (TIDY_PART, tidy)):
            with z.open(entry(name), "w") as part:
                for chunk in chunks:
                    part.write(chunk)
    out.write(buffer.getvalue())


def entry(name: str) -> zipfile.ZipInfo:
    """A zip entry dated ZIP_TIME (not the clock's time: same data, same bytes), readable by all."""
    info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    info._compresslevel = COMPRESS_LEVEL  # ZipFile.open of a ZipInfo takes the entry's level, not the file's
    return info


def column_letters(count: int) -> list[str]:
    """The names of the first `count` columns of a sheet: A … Z, AA …"""
    names = []
    for n in range(1, count + 1):
        name = ""
        while n:
            n, rest = divmod(n - 1, 26)
            name = chr(65 + rest) + name
        names.append(name)
    return names


COMPRESS_LEVEL = 1  # zlib's fastest: deflate of the sheets' XML was most of a big workbook's time at level 6
EMPTY = "<c/>"  # a cell without a value, holding its place in a row of positional cells
ROWS_PER_CHUNK = 10_000  # rows of XML made, then compressed, at a time
TEXTS_KEPT = 100_000  # distinct texts whose markup is kept for the rows after (notes may all differ)
# the cell styles of styles.xml, by index
PLAIN, TITLE, HEADING, BLANKED, BOLD, BOLD_BLANKED = range(6)
LAYOUT_COLS = '<cols><col width="40" customWidth="1" min="1" max="1"/></cols>'
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC = "application/vnd.openxmlformats-officedocument"
GREY = '<fill><patternFill patternType="solid"><fgColor rgb="00DDDDDD"/><bgColor rgb="00DDDDDD"/></patternFill></fill>'
STYLES = (
    f'<styleSheet xmlns="{MAIN}"><numFmts count="0"/>'
    '<fonts count="3"><font><name val="Calibri"/><family val="2"/><sz val="11"/></font>'
    '<font><b val="1"/><sz val="13"/></font><font><b val="1"/></font></fonts>'
    f'<fills count="3"><fill><patternFill/></fill><fill><patternFill patternType="gray125"/></fill>{GREY}</fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="6"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'  # PLAIN
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" applyFont="1" xfId="0"/>'  # TITLE
    '<xf numFmtId="0" fontId="2" fillId="0" borderId="0" applyFont="1" applyAlignment="1" xfId="0">'
    '<alignment vertical="top" wrapText="1"/></xf>'  # HEADING
    '<xf numFmtId="0" fontId="0" fillId="2" borderId="0" applyFill="1" xfId="0"/>'  # BLANKED
    '<xf numFmtId="0" fontId="2" fillId="0" borderId="0" applyFont="1" xfId="0"/>'  # BOLD
    '<xf numFmtId="0" fontId="2" fillId="2" borderId="0" applyFont="1" applyFill="1" xfId="0"/></cellXfs>'  # BOLD_BLANKED
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>')


def workbook_parts(title: str, when: dt.datetime) -> list[tuple[str, bytes]]:
    """The workbook's fixed parts: its two sheets' names, its styles, and properties dated `when`."""
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    sheets = ("sheet1.xml", "sheet2.xml")
    types = "".join(f'<Override PartName="/xl/worksheets/{s}" ContentType="{DOC}.spreadsheetml.worksheet+xml"/>'
                    for s in sheets)
    dated = ' xsi:type="dcterms:W3CDTF"'
    parts = {
        "[Content_Types].xml":
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{DOC}.spreadsheetml.sheet.main+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{DOC}.spreadsheetml.styles+xml"/>{types}'
            '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
            f'<Override PartName="/docProps/app.xml" ContentType="{DOC}.extended-properties+xml"/></Types>',
        "_rels/.rels":
            f'<Relationships xmlns="{PACKAGE_REL}">'
            f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/>'
            f'<Relationship Id="rId2" Type="{PACKAGE_REL}/metadata/core-properties" Target="docProps/core.xml"/>'
            f'<Relationship Id="rId3" Type="{REL}/extended-properties" Target="docProps/app.xml"/></Relationships>',
        "docProps/core.xml":
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f'<dc:creator>mifi-rdf</dc:creator><dc:title>{escape(title, CR)}</dc:title>'
            f'<dcterms:created{dated}>{stamp}</dcterms:created><dcterms:modified{dated}>{stamp}</dcterms:modified>'
            '</cp:coreProperties>',
        "docProps/app.xml":
            '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
            '<Application>mifi-rdf</Application></Properties>',
        "xl/workbook.xml":
            f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><bookViews><workbookView activeTab="0"/></bookViews><sheets>'
            f'<sheet name="{LAYOUT_SHEET}" sheetId="1" r:id="rId1"/><sheet name="{TIDY_SHEET}" sheetId="2" r:id="rId2"/>'
            '</sheets></workbook>',
        "xl/_rels/workbook.xml.rels":
            f'<Relationships xmlns="{PACKAGE_REL}">'
            + "".join(f'<Relationship Id="rId{n}" Type="{REL}/worksheet" Target="worksheets/{s}"/>'
                      for n, s in enumerate(sheets, 1))
            + f'<Relationship Id="rId3" Type="{REL}/styles" Target="styles.xml"/></Relationships>',
        "xl/styles.xml": STYLES,
    }
    return [(name, ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + text).encode("utf-8"))
            for name, text in parts.items()]


def inline_texts() -> Callable[[str], str]:
    """A text's markup as an inline string, the part after its cell's reference and style, remembered
    for the first TEXTS_KEPT texts: codes, labels and statuses repeat. A raw CR is kept as a
    character reference (an XML reader would turn it into a line feed)."""
    texts: dict[str, str] = {}

    def text(v: str) -> str:
        markup = texts.get(v)
        if markup is None:
            space = ' xml:space="preserve"' if v != v.strip() else ""
            markup = f' t="inlineStr"><is><t{space}>{escape(v, CR)}</t></is></c>'
            if len(texts) < TEXTS_KEPT:
                texts[v] = markup
        return markup

    return text


def sheet_xml(rows: Iterable, width: int, count: int, cols: str = "", made: bool = False) -> Iterator[bytes]:
    """A sheet's XML, in chunks of bytes: its `count` `rows` of at most `width` values, each a
    number, a text, None (no cell) or (value, style index). The XML is compressed as it is made, a
    chunk of rows at a time: at a million cells, the sheet's text and its rows are never held whole.

    Numbers as <v>, text as inline strings (never a formula or an error value, whatever it reads
    like); a cell object per value (openpyxl's) is several times slower at 100,000 rows. With
    `made`, each row is its cells' XML already."""
    letters = column_letters(max(width, 1))
    yield (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{MAIN}">'
           f'<dimension ref="A1:{letters[-1]}{max(count, 1)}"/>'
           f'<sheetViews><sheetView workbookViewId="0"/></sheetViews><sheetFormatPr defaultRowHeight="15"/>{cols}'
           '<sheetData>').encode()
    text = inline_texts()

    parts = []
    r = 0
    for r, row in enumerate(rows, 1):
        if made:
            parts.append(f'<row r="{r}">{row}</row>')
            if len(parts) == ROWS_PER_CHUNK:
                yield "".join(parts).encode()
                parts = []
            continue
        cells = []
        for letter, v in zip(letters, row, strict=False):
            if v is None:
                continue
            style = ""
            if type(v) is tuple:
                v, s = v
                style = f' s="{s}"'
            if isinstance(v, str):
                cells.append(f'<c r="{letter}{r}"{style}{text(v)}')
            else:
                cells.append(f'<c r="{letter}{r}"{style}><v>{v}</v></c>')
        parts.append(f'<row r="{r}">{"".join(cells)}</row>')
        if len(parts) == ROWS_PER_CHUNK:
            yield "".join(parts).encode("utf-8")
            parts = []
    if r != count:
        raise ValueError(f"{r} rows written, {count} announced")  # a writer's bug, never the data's
    yield ("".join(parts) + '</sheetData><pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" '
           'footer="0.5"/></worksheet>').encode("utf-8")
