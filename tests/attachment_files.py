"""Word and Excel files for the tests, made in a temporary folder (never committed): the letters of
sources/letters/ as a DOCX made by python-docx and as an XLSX made by openpyxl, and hostile
archives (not a zip, an external entity, a billion laughs, a shared string that inflates to 1.5 GB).

Used by tests/test_attachments.py and by the `generate` kinds of tests/hostile/cli.toml.
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from pathlib import Path

from conftest import ROOT
from mifi_rdf.ingest.text import BOLD_LINE, strip_markup

LETTERS = ROOT / "sources" / "letters"
CELL_BOLD = re.compile(r"^\s*(?:\*\*.*\*\*|<b>.*</b>)\s*$", re.I)


# ---------------------------------------------------------------- a letter's text as Word and Excel


def blocks(text: str) -> list[tuple[str, list[str]]]:
    """The letter's text as Word would hold it: ("p", lines of one paragraph) and ("table", tab rows);
    a blank line ends a paragraph or a table (31180's page break starts a second table)."""
    out: list[tuple[str, list[str]]] = []
    for raw in text.splitlines():
        kind = "table" if "\t" in raw else "p"
        if not raw.strip():
            out.append(("end", []))
        elif out and out[-1][0] == kind:
            out[-1][1].append(raw)
        else:
            out.append((kind, [raw]))
    return [b for b in out if b[0] != "end"]


def spans(rows: list[list[str]]) -> list[tuple[int, int, int, int]]:
    """The cells a person would merge in a header of two rows (0-based, first and last row and column):
    a year over its months (the empty cells after it), a label over both rows (« Indicateur »)."""
    width = max(len(r) for r in rows)
    out = []
    for r in range(len(rows) - 1):
        cells, below = rows[r] + [""] * (width - len(rows[r])), rows[r + 1] + [""] * (width - len(rows[r + 1]))
        if below[0].strip():
            continue  # not a header row above another header row
        for c in range(width):
            if not cells[c].strip():
                continue
            end = c
            while end + 1 < width and not cells[end + 1].strip() and below[end + 1].strip():
                end += 1
            if end > c:
                out.append((r, c, r, end))
            elif not below[c].strip():
                out.append((r, c, r + 1, c))
    return out


def letter_docx(ref: str, path: Path, merge_spans: bool = False, text: str | None = None,
                wrap_headers: bool = False) -> Path:
    """The letter `ref` as a Word document: paragraphs (wrapped lines as line breaks, bold as bold runs)
    and real tables (bold cells as bold runs). With merge_spans, a header cell followed by empty cells
    (31224's years above the months) is merged across them, as Word users make such headers."""
    import docx

    document = docx.Document()
    for kind, lines in blocks(text if text is not None else (LETTERS / f"{ref}.txt").read_text(encoding="utf-8")):
        if kind == "p":
            paragraph = document.add_paragraph()
            for k, line in enumerate(lines):
                run = paragraph.add_run(strip_markup(line).strip())
                run.bold = bool(BOLD_LINE.match(line))
                if k < len(lines) - 1:
                    run.add_break()
            continue
        rows = [line.split("\t") for line in lines]
        width = max(len(r) for r in rows)
        table = document.add_table(rows=len(rows), cols=width)
        for r, cells in enumerate(rows):
            for c, cell in enumerate(cells):
                words = strip_markup(cell).strip().split(" ")
                header = wrap_headers and c > 0 and len(words) > 1 and not any(ch.isdigit() for ch in cell)
                parts = [" ".join(words[: len(words) // 2]), " ".join(words[len(words) // 2:])] if header else [" ".join(words)]
                for k, part in enumerate(parts):
                    paragraph = table.cell(r, c).paragraphs[0] if k == 0 else table.cell(r, c).add_paragraph()
                    paragraph.add_run(part).bold = bool(CELL_BOLD.match(cell))
        for r, c, r2, c2 in spans(rows) if merge_spans else ():
            table.cell(r, c).merge(table.cell(r2, c2))
    document.save(path)
    return path


def table_lines(ref: str) -> list[str]:
    """The lines of the letter from its first table's caption on (what an Excel attachment holds)."""
    lines = (LETTERS / f"{ref}.txt").read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if "\t" in line)
    while start > 0 and lines[start - 1].strip():
        start -= 1
    start -= 1
    while start > 0 and lines[start - 1].strip():
        start -= 1
    return lines[start:]


def letter_xlsx(ref: str, path: Path, merge_spans: bool = False) -> Path:
    """The tables of letter `ref` on one sheet, as an Excel attachment holds them: the caption in bold,
    counts as numbers, percentages as numbers with one decimal shown, blanks as empty cells; with
    merge_spans, header cells merged as in letter_docx."""
    import openpyxl
    from openpyxl.styles import Font

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = f"Lettre {ref}"
    for r, line in enumerate(table_lines(ref), start=1):
        for c, raw in enumerate(line.split("\t"), start=1):
            text = strip_markup(raw).strip()
            if not text:
                continue
            cell = sheet.cell(r, c)
            if re.fullmatch(r"[0-9]+", text.replace(" ", "")):
                cell.value = int(text.replace(" ", ""))
            elif re.fullmatch(r"[0-9]+,[0-9]", text):
                cell.value = float(text.replace(",", "."))
                cell.number_format = "0.0"
            else:
                cell.value = text
            if BOLD_LINE.match(line) or CELL_BOLD.match(raw):
                cell.font = Font(bold=True)
    lines = table_lines(ref)
    tabbed = [k for k, line in enumerate(lines) if "\t" in line]
    for r, c, r2, c2 in spans([lines[k].split("\t") for k in tabbed]) if merge_spans and tabbed else ():
        sheet.merge_cells(start_row=tabbed[r] + 1, start_column=c + 1, end_row=tabbed[r2] + 1, end_column=c2 + 1)
    book.save(path)
    return path


# ---------------------------------------------------------------- hostile archives


def simple_xlsx(path: Path, rows: list[list]) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


def write_zip(path: Path, parts: dict[str, bytes], raw: dict[str, tuple[bytes, int, int]] | None = None) -> Path:
    """A zip written by hand, so that a member can be a deflate stream made beforehand:
    raw[name] = (deflated bytes, CRC-32, uncompressed size)."""
    entries = []
    for name, data in parts.items():
        c = zlib.compressobj(9, zlib.DEFLATED, -15)
        entries.append((name, c.compress(data) + c.flush(), zlib.crc32(data), len(data)))
    entries += [(name, *value) for name, value in (raw or {}).items()]
    out, central = bytearray(), bytearray()
    for name, deflated, crc, size in entries:
        encoded = name.encode("utf-8")
        header = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(deflated), size, len(encoded), 0)
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc, len(deflated), size,
                               len(encoded), 0, 0, 0, 0, 0, len(out)) + encoded
        out += header + encoded + deflated
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(central), len(out), 0)
    path.write_bytes(bytes(out + central + end))
    return path


def inflating(prefix: bytes, filler: bytes, times: int, suffix: bytes) -> tuple[bytes, int, int]:
    """A deflate stream of prefix + filler × times + suffix, made without ever holding it whole: after a
    full flush a deflate block refers to nothing before it, so the filler's compressed block repeats."""
    first = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = first.compress(prefix) + first.flush(zlib.Z_FULL_FLUSH)
    again = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = again.compress(filler) + again.flush(zlib.Z_FULL_FLUSH)
    last = zlib.compressobj(9, zlib.DEFLATED, -15)
    tail = last.compress(suffix) + last.flush()
    crc = zlib.crc32(prefix)
    for _ in range(times):
        crc = zlib.crc32(filler, crc)
    crc = zlib.crc32(suffix, crc)
    return head + block * times + tail, crc, len(prefix) + len(filler) * times + len(suffix)


SHEET_ROWS = [["N/Réf. : 40011"], ["Le 15 mai 2026"], ["Demande d'accès reçue le 20 avril 2026."],
              ["Tableau 1: Nombre d'invitations envoyées aux candidats selon leur pays de citoyenneté pour le Programme "
               "de sélection des travailleurs qualifiés _ Invitation du 9 avril 2026"], [""],
              ["Pays de citoyenneté", "Nombre d'invitations"], ["France", 512], ["Total", 512]]
LAUGHS = (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
          + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10))
          + b"]>\n")
EXTERNAL = b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'


def _body(xml: bytes) -> bytes:
    """An XML part without its declaration, to put a DOCTYPE before it."""
    return xml.split(b"?>", 1)[1].lstrip() if xml.startswith(b"<?xml") else xml


def hostile(kind: str, folder: Path) -> Path:
    """One hostile file in folder, named after its kind (xlsx-not-zip, docx-external-entity, …)."""
    if kind in {"xlsx-not-zip", "docx-not-zip"}:
        path = folder / f"{kind}.{kind[:4]}"
        path.write_bytes(b"PK\x03\x04 this was cut short by a mail client\n" * 3)
        return path
    if kind.startswith("xlsx-"):
        good = members(simple_xlsx(folder / "good.xlsx", SHEET_ROWS))
        path = folder / f"{kind}.xlsx"
        if kind in {"xlsx-far-row", "xlsx-far-column"}:  # one cell at the sheet's last row, or last column
            import openpyxl

            book = openpyxl.Workbook()
            for row in SHEET_ROWS:
                book.active.append(row)
            book.active.cell(*((1_048_576, 1) if kind == "xlsx-far-row" else (1, 16_384)), "x")
            book.save(path)
            return path
        if kind == "xlsx-formula":
            rows = [*SHEET_ROWS[:-1], ["Allemagne", 40], ["Total", "=SUM(B7:B8)"]]
            return simple_xlsx(path, rows)
        name = "xl/worksheets/sheet1.xml"
        body = _body(good[name])
        france = b'<c r="A7" t="inlineStr"><is><t>France</t></is></c>'
        assert france in body
        if kind == "xlsx-shared-string-bomb":  # 1.5 GB in one shared string, 1.5 MB on disk
            good[name] = body.replace(france, b'<c r="A7" t="s"><v>0</v></c>')
            good["[Content_Types].xml"] = good["[Content_Types].xml"].replace(b"</Types>", (
                b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                b'spreadsheetml.sharedStrings+xml"/></Types>'))
            rels = "xl/_rels/workbook.xml.rels"
            good[rels] = good[rels].replace(b"</Relationships>", (
                b'<Relationship Id="rIdSST" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                b'sharedStrings" Target="sharedStrings.xml"/></Relationships>'))
            sst = (b'<?xml version="1.0" encoding="UTF-8"?>\n<sst xmlns="http://schemas.openxmlformats.org/'
                   b'spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>')
            return write_zip(path, good, {"xl/sharedStrings.xml": inflating(sst, b"a" * (1 << 20), 1500, b"</t></si></sst>")})
        if kind == "xlsx-external-entity":
            good[name] = EXTERNAL + body.replace(b"<t>France</t>", b"<t>&xxe;</t>", 1)
        elif kind == "xlsx-billion-laughs":
            good[name] = LAUGHS + body.replace(b"<t>France</t>", b"<t>&lol9;</t>", 1)
        return write_zip(path, good)
    if kind.startswith("docx-"):
        import docx

        document = docx.Document()
        document.add_paragraph("N/Réf. : 40012")
        document.save(folder / "good.docx")
        good = members(folder / "good.docx")
        name = "word/document.xml"
        body = _body(good[name])
        path = folder / f"{kind}.docx"
        if kind == "docx-external-entity":
            good[name] = EXTERNAL + body.replace(b"40012", b"&xxe;", 1)
        elif kind == "docx-billion-laughs":
            good[name] = LAUGHS + body.replace(b"40012", b"&lol9;", 1)
        elif kind == "docx-inflating":  # a paragraph of 1.5 GB
            good.pop(name)
            head, tail = body.split(b"40012", 1)
            return write_zip(path, good, {name: inflating(b'<?xml version="1.0"?>' + head, b"a" * (1 << 20), 1500, tail)})
        return write_zip(path, good)
    raise ValueError(kind)
