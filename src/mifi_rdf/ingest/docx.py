"""A letter or attachment as a Word document (DOCX), read with python-docx into the lines of the text
model, so that the same table parser reads it as any tab-separated letter.

The document's body is read in order: a paragraph is its text (a line break in it starts a new line,
as in a text extraction), bold when every run with text is bold (by the run, its character style or
the paragraph's style); a table is one line per row, its cells joined by tabs. A cell merged across
columns gives its text in its first column and empty cells in the others; the cells under a
vertically merged cell are empty (a header « Indicateur » over two header rows, as 31224's text has
it); an empty cell is an empty cell. A blank line follows every paragraph and every table, so that
a caption is the paragraph above its table and a table that continues after a page break (header
repeated) is read as one. A table inside a table's cell is refused; footnotes, endnotes and text
boxes are not read and are listed in the report (nothing is left in silence). Page headers and
footers are not read: they are the page's furniture, not the letter.

Line numbers count the lines so made (a paragraph, a blank, a table row…), not anything Word shows:
every message about a DOCX also names the paragraph or the table, row and cell (« table 1, row 5,
cell 2 »). The file passes ooxml.check_package first (a zip, bounded, no DOCTYPE).
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import InputError
from . import ooxml
from .sheet import Reading, make_line
from .text import Line, Unreadable

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _style_bold(style) -> bool | None:
    """Bold as a style says it, following its base styles."""
    seen = 0
    while style is not None and seen < 20:
        bold = style.font.bold
        if bold is not None:
            return bold
        style = style.base_style
        seen += 1
    return None


def _paragraph_bold(paragraph) -> bool:
    runs = [r for r in paragraph.runs if r.text.strip()]
    if not runs:
        return False
    from_paragraph = _style_bold(paragraph.style) or False
    for run in runs:
        bold = run.bold
        if bold is None and run.style is not None:
            bold = _style_bold(run.style)
        if not (bold if bold is not None else from_paragraph):
            return False
    return True


def _cell_text(tc, parent) -> tuple[str, bool]:
    from docx.text.paragraph import Paragraph

    paragraphs = [Paragraph(p, parent) for p in tc.iterchildren(f"{W}p")]
    texts = [re.sub(r"\s+", " ", p.text).strip() for p in paragraphs]
    bold = all(_paragraph_bold(p) for p, t in zip(paragraphs, texts, strict=True) if t)
    return " ".join(t for t in texts if t), bold and any(texts)


def _blocks(element):
    """The body's paragraphs and tables in document order, through content controls (w:sdt)."""
    for child in element.iterchildren():
        if child.tag == f"{W}sdt":
            content = child.find(f"{W}sdtContent")
            if content is not None:
                yield from _blocks(content)
        elif child.tag in {f"{W}p", f"{W}tbl"}:
            yield child


def read_docx(path: Path) -> Reading:
    ooxml.check_package(path, "a Word document")
    try:
        import docx
        from docx.text.paragraph import Paragraph

        document = docx.Document(str(path))
        body = document.element.body
        lines: list[Line] = []
        places: dict[int, tuple[str, list[str]]] = {}
        paragraph_no = table_no = 0

        def add(text: str, bold: bool, row: str | None = None, cells: list[str] | None = None) -> None:
            lines.append(make_line(len(lines) + 1, text, bold))
            if row is not None:
                places[len(lines)] = (row, cells or [])

        for block in _blocks(body):
            if block.tag == f"{W}p":
                paragraph_no += 1
                paragraph = Paragraph(block, document._body)
                text = paragraph.text.replace("\r", "\n")
                if not text.strip():
                    continue
                bold = _paragraph_bold(paragraph)
                for part in text.split("\n"):
                    add(part, bold, f"paragraph {paragraph_no}")
                add("", False)
                continue
            table_no += 1
            for row_no, tr in enumerate(block.iterchildren(f"{W}tr"), start=1):
                where = f"table {table_no}, row {row_no}"
                trpr = tr.find(f"{W}trPr")
                before = trpr.find(f"{W}gridBefore") if trpr is not None else None
                cells: list[str] = [""] * (int(before.get(f"{W}val", "0")) if before is not None else 0)
                bolds: list[bool] = []
                for tc in tr.iterchildren(f"{W}tc"):
                    if tc.find(f".//{W}tbl") is not None:
                        raise InputError(path, len(lines) + 1, 1, f"{where}, cell {len(cells) + 1}: a table inside a "
                                                                  "table's cell, which ingest does not read: move it out "
                                                                  "of the cell")
                    text, bold = _cell_text(tc, document._body)
                    tcpr = tc.find(f"{W}tcPr")
                    merge = tcpr.find(f"{W}vMerge") if tcpr is not None else None
                    if merge is not None and merge.get(f"{W}val", "continue") == "continue":
                        text = ""  # under a vertically merged cell: the text is the top cell's
                    span = tcpr.find(f"{W}gridSpan") if tcpr is not None else None
                    cells += [text] + [""] * (int(span.get(f"{W}val", "1")) - 1 if span is not None else 0)
                    if text:
                        bolds.append(bold)
                after = trpr.find(f"{W}gridAfter") if trpr is not None else None
                cells += [""] * (int(after.get(f"{W}val", "0")) if after is not None else 0)
                add("\t".join(cells) if len(cells) > 1 else cells[0] + "\t", bool(bolds) and all(bolds), where,
                    [f"{where}, cell {k}" for k in range(1, len(cells) + 1)])
            add("", False)
    except InputError:
        raise
    except Exception as err:  # python-docx's and lxml's errors on a damaged document are of many kinds
        raise Unreadable(path, 1, 1, f"cannot read this Word document: {type(err).__name__}: {err}") from err
    if not any(not line.blank for line in lines):
        raise InputError(path, 1, 1, "the document is empty: expected a letter or a table with its caption")
    return Reading(lines, places, _unread(body))


def _unread(body) -> list[str]:
    """What the body refers to or holds that is not read as lines: footnotes, endnotes, text boxes."""
    findings = []
    for tag, what in (("footnoteReference", "footnote(s)"), ("endnoteReference", "endnote(s)")):
        count = sum(1 for _ in body.iter(f"{W}{tag}"))
        if count:
            findings.append(f"the document has {count} {what}, not read: if one is a note of a table (« Pour les "
                            "cellules vides… »), check that the table's notes in letter.toml say it")
    boxes = [box for box in body.iter(f"{W}txbxContent") if "".join(box.itertext()).strip()]
    if boxes:
        findings.append(f"the document has {len(boxes)} text box(es) with text, not read: if one holds a table or its "
                        "notes, move it into the body")
    return findings
