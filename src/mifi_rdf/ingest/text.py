"""Split a letter's text (as extracted from its PDF) into lines, paragraphs and raw tables.

The extractions MIFI letters come in are of two kinds, both seen in the five letters:
- tab-separated rows (`France\t96`), with `**` or `<b>` markup, a header row repeated after a page
  break (31180), spanning headers on two rows (31224: years above months);
- space-separated rows (30735), where blank cells were dropped, so a row may show fewer figures
  than the table has columns, sometimes one figure per line, and the caption may follow the table.

This module only finds things and remembers where they are (line and column, for every message);
it does not decide what a label or a figure means: labels.py, numbers.py and tables.py do.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from ..errors import InputError
from ..files import read_bytes
from ..load.text import BIDI, position
from .headers import HeaderWords, current
from .layout import lines_from_words, words_of_layout_text
from .lines import PAGE_FOOTER, Line, RawCell, RawRow, RawTable, Unreadable, fold
from .numbers import is_figure_token

# ---------------------------------------------------------------- reading

MARKUP = [
    (re.compile(r"</?(?:b|strong|em|i|u)>", re.I), ""),
    (re.compile(r"<sup>(.*?)</sup>", re.I), r"\1"),
    (re.compile(r"\^\{([^}]*)\}"), r"\1"),
    (re.compile(r"\^([A-Za-zé])"), r"\1"),
    (re.compile(r"\*\*"), ""),
    (re.compile(r"\[([^\]]+)\]\((?:https?://|www\.)[^)]*\)"), r"\1"),
    (re.compile(r"(?<![\w*])\*(?=\S)([^*\t]+?)(?<=\S)\*(?![\w*])"), r"\1"),
    (re.compile(r"^#{1,6} "), ""),
]
BOLD_LINE = re.compile(r"^\s*(?:\*\*.*\*\*|<b>.*</b>)\s*$", re.I)


def strip_markup(text: str) -> str:
    for pattern, repl in MARKUP:
        text = pattern.sub(repl, text)
    return text


def read_text(path: Path) -> list[Line]:
    """The lines of a letter's text; refuses what is not UTF-8 text, saying where it went wrong."""
    try:
        data = read_bytes(path, "text")  # a regular file of bounded size: a FIFO or a device is refused (issue 23)
    except OSError as err:
        raise Unreadable(path, 0, 0, f"cannot read the letter: {err.strerror or err}") from err
    if data.startswith(b"%PDF"):
        raise Unreadable(path, 1, 1, "this is a PDF, not its text: give it its .pdf name and ingest the PDF itself "
                                     "(`mifi-rdf ingest letter.pdf`)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        column = err.start - (data.rfind(b"\n", 0, err.start) + 1) + 1
        raise Unreadable(path, line, column, f"not UTF-8 (byte 0x{data[err.start]:02x}): save the text as UTF-8 "
                                             "(e.g. `iconv -f windows-1252 -t utf-8`)") from err
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise Unreadable(path, line, 1, "binary data (NUL byte): expected the plain text of a letter")
    bidi = BIDI.search(text)
    if bidi:  # an invisible override makes « 30952 » display as another reference (issue 23)
        line, column = position(text, bidi.start())
        raise InputError(path, line, column, f"bidirectional control character U+{ord(bidi.group()):04X}: expected the "
                                             "letter's text without invisible direction overrides")
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise InputError(path, 1, 1, "the file is empty: expected the text of a letter")
    if is_layout_text(text):
        lines, pages = lines_from_words(words_of_layout_text(unicodedata.normalize("NFC", text)), fixed_pitch=True)
        return [Line(ln.number, ln.text, ln.bold, page) for ln, page in zip(lines, pages, strict=True)]
    return lines_of(text)


ALIGNED = re.compile(r"\S {3,}\S")


def is_layout_text(text: str) -> bool:
    """Text whose columns are runs of spaces (`pdftotext -layout`, a printout) rather than tabs: no tab and no
    markup, and at least three lines with a gap of three spaces or more between words. The letters' own texts
    (tabs, or 30735's single-spaced rows) never have such gaps and are read line by line as before."""
    if "\t" in text or "**" in text or "<b>" in text.lower():
        return False
    return sum(1 for line in text.splitlines() if ALIGNED.search(line)) >= 3


def lines_of(text: str) -> list[Line]:
    out = []
    for number, raw in enumerate(text.splitlines(), start=1):
        raw = unicodedata.normalize("NFC", raw)
        # Trailing tabs are kept: they are the empty cells at the end of a row (31180's blanked rows).
        out.append(Line(number, strip_markup(raw).rstrip(" \u00a0\r\f\v"), bool(BOLD_LINE.match(raw))))
    return out


# ---------------------------------------------------------------- folding (for patterns, never for output)


# ---------------------------------------------------------------- tables

COLUMN_TOKENS = re.compile(r"\bvolet \d\b|\b(19|20)\d\d\b")
CAPTION = re.compile(r"^\s*tableau\b\s*(?P<number>\d+)?", re.I)
SOURCE = re.compile(r"^\s*sources?\s*:", re.I)
NOTES_HEADING = re.compile(r"^\s*notes?\s*:\s*", re.I)
ANNEX = re.compile(r"^\s*(LOI SUR L|MOTIFS)", re.I)
TOTAL_LABEL = re.compile(r"^total\b", re.I)


def header_kind(line: Line, words: HeaderWords | None = None) -> str | None:
    """The kind of a header line's first cell, or None when the line does not start a table.

    The kind is the dimension the cell is a label of in ontology/ (headers.py); `words` defaults to
    the vocabulary of the letter being read (headers.reading_with), else the project's."""
    tabbed = "\t" in line.text
    kind = (words or current()).kind(line.cells[0] if tabbed else line.text, tabbed)
    if kind is None or tabbed:
        return kind
    # A space-separated header must also name its columns (volets, years) on this or the next lines,
    # or be the OCR dashboard header, recognised only to say it cannot be read.
    return kind if kind in {"mrc", "round-category"} else None


def _paragraph_before(lines: list[Line], index: int, floor: int) -> tuple[list[Line], int]:
    """The blank-line-delimited paragraph just above lines[index], not crossing floor; a page number or a
    page break (« Page 3 de 4 », a form feed) between the paragraph and the table is passed over."""
    i = index - 1
    while i >= floor and (lines[i].blank or PAGE_FOOTER.match(lines[i].text)):
        i -= 1
    end = i
    while i >= floor and not lines[i].blank:
        i -= 1
    return lines[i + 1: end + 1], i + 1


def _caption_from(par: list[Line]) -> tuple[str, str] | None:
    if not par:
        return None
    starts = [k for k, ln in enumerate(par) if CAPTION.match(ln.text)]
    if starts:  # the caption is the end of the paragraph from « Tableau » on (lines above may be other text)
        par = par[starts[-1]:]
    text = " ".join(ln.text.strip() for ln in par)
    m = CAPTION.match(text)
    if m:
        return (m.group("number") or "", text)
    if all(ln.bold for ln in par) and "\t" not in text:
        return ("", text)
    return None


def _plain_caption(par: list[Line]) -> str | None:
    """A plain sentence just above a table, used as its caption when there is no « Tableau N » or bold title
    above or below it: one paragraph of prose (no cells), not a source line, a note or a page number."""
    if not par or any("\t" in ln.text for ln in par):
        return None
    text = " ".join(ln.text.strip() for ln in par)
    if SOURCE.match(text) or NOTES_HEADING.match(text) or PAGE_FOOTER.match(text) or ANNEX.match(text):
        return None
    if len(text.split()) < 4 or text.rstrip().endswith(":"):
        return None
    return text


def _space_row(line: Line) -> tuple[str, list[RawCell]] | None:
    """Split a space-separated row into its label (leading words) and its figures (trailing tokens)."""
    # Split on spaces and tabs only: a no-break space (U+00A0, U+202F) keeps « 1 204 » one token.
    tokens = [(m.start() + 1, m.group()) for m in re.finditer(r"[^ \t]+", line.text)]
    k = len(tokens)
    while k > 0 and is_figure_token(tokens[k - 1][1]):
        k -= 1
    label = line.text[: tokens[k - 1][0] - 1 + len(tokens[k - 1][1])].strip() if k else ""
    return label, [RawCell(line.number, col, tok) for col, tok in tokens[k:]]


def find_tables(lines: list[Line], path: Path) -> list[RawTable]:
    """Every table of the letter with its caption, header, rows, notes and source line."""
    tables: list[RawTable] = []
    i, floor = 0, 0
    while i < len(lines):
        kind = header_kind(lines[i])
        if kind == "mrc" and "\t" not in lines[i].text and not any(
                COLUMN_TOKENS.search(fold(ln.text)) for ln in lines[i: i + 8]):
            kind = None
        if kind is None:
            i += 1
            continue
        par = _paragraph_before(lines, i, floor)[0]
        before = _caption_from(par)
        starts = [ln.number for ln in par if CAPTION.match(ln.text)]
        caption_line = (starts[-1] if starts else par[0].number) if before else 0
        table = RawTable(before[0] if before else "", before[1] if before else "", caption_line, [lines[i]], kind)
        i = _read_header(lines, i, table)
        i = _read_rows(lines, i, table, path)
        i = _read_after(lines, i, table, need_caption=before is None)
        if not table.caption and (plain := _plain_caption(par)) is not None:
            table.caption, table.caption_line = plain, par[0].number
        floor = i
        tables.append(table)
    return tables


def _read_header(lines: list[Line], i: int, table: RawTable) -> int:
    """Header lines after the anchor: tab rows with an empty first cell (31224's months under the
    years); for space-separated tables, lines up to the one naming the columns (volets, years)."""
    anchor = lines[i]
    i += 1
    if "\t" in anchor.text:
        while i < len(lines) and "\t" in lines[i].text and not lines[i].cells[0].strip():
            table.header.append(lines[i])
            i += 1
        return i
    if table.kind == "round-category" or COLUMN_TOKENS.search(fold(anchor.text)):
        return i
    j = i
    while j < len(lines) and j - i < 8:
        table.header.append(lines[j])
        if COLUMN_TOKENS.search(fold(lines[j].text)):
            return j + 1
        j += 1
    table.header = table.header[:1]
    return i


def _is_repeated_header(line: Line, table: RawTable) -> bool:
    return fold(line.text).replace("\t", " ") == fold(table.header[0].text).replace("\t", " ")


def _read_rows(lines: list[Line], i: int, table: RawTable, path: Path) -> int:
    tabbed = "\t" in table.header[0].text
    while i < len(lines):
        line = lines[i]
        if line.blank or PAGE_FOOTER.match(line.text):
            i += 1
            continue
        if _is_repeated_header(line, table):
            table.page_breaks.append(line.number)
            i += 1
            continue
        if tabbed:
            if "\t" not in line.text:
                break
            cells = []
            parts = line.text.split("\t")
            col = len(parts[0]) + 2
            for part in parts[1:]:
                cells.append(RawCell(line.number, col, part))
                col += len(part) + 1
            table.rows.append(RawRow(line.number, parts[0].strip(), cells, True,
                                     "  ".join(c.text.strip() for c in cells)))
            i += 1
            continue
        if CAPTION.match(line.text) or SOURCE.match(line.text) or NOTES_HEADING.match(line.text):
            break
        label, cells = _space_row(line)
        if not label:  # figures alone on their line: the rest of the row above (30735 table 2)
            if not table.rows:
                raise InputError(path, line.number, 1, "figures before the first row label of the table")
            table.rows[-1].cells += cells
            table.rows[-1].printed = " / ".join(x for x in (table.rows[-1].printed, *(c.text for c in cells)) if x)
            i += 1
            continue
        if table.rows and TOTAL_LABEL.match(table.rows[-1].label):
            break
        table.rows.append(RawRow(line.number, label, cells, False, " / ".join(c.text for c in cells)))
        i += 1
    table.end_line = lines[i - 1].number if i else 0
    return i


def _continues(prev: Line, line: Line) -> bool:
    """Does this line continue the paragraph above (a wrapped line) rather than start a new one?"""
    t = line.text.strip()
    if not t:
        return False
    if t[0].islower() or prev.text.rstrip().endswith(("-", ",")):
        return True
    return t[0] == "(" and not re.match(r"\(\d+\)", t)


def _read_after(lines: list[Line], i: int, table: RawTable, need_caption: bool) -> int:
    """The caption (when printed after the table: a « Tableau N » paragraph or a bold title), notes and source
    line, up to the next table."""
    paragraphs: list[list[Line]] = []
    while i < len(lines):
        line = lines[i]
        if ANNEX.match(line.text) or header_kind(line):
            break
        if CAPTION.match(line.text) and not need_caption:
            break
        if line.blank or PAGE_FOOTER.match(line.text):
            i += 1
            continue
        bold_title = line.bold and not (SOURCE.match(line.text) or NOTES_HEADING.match(line.text)) and "\t" not in line.text
        if need_caption and (CAPTION.match(line.text) or bold_title):
            start = i
            par = [line]
            i += 1
            while i < len(lines) and not lines[i].blank:
                par.append(lines[i])
                i += 1
            if not CAPTION.match(line.text):  # a bold title below the table: its bold lines only
                par = par[: next((k for k, ln in enumerate(par) if not ln.bold), len(par))]
                i = start + len(par)
            table.number, table.caption = _caption_from(par) or ("", "")
            table.caption_line = line.number
            need_caption = False
            continue
        if paragraphs and not lines[i - 1].blank and _continues(lines[i - 1], line):
            paragraphs[-1].append(line)
        else:
            paragraphs.append([line])
        i += 1
    pending_source = False
    for par in paragraphs:
        text = " ".join(ln.text.strip() for ln in par)
        if SOURCE.match(text):
            rest = SOURCE.sub("", text).strip()
            if rest:
                table.source_line = text
            else:
                pending_source = True
                table.source_line = re.sub(r"\s*:\s*$", ":", text.strip())
            continue
        if pending_source:
            table.source_line = f"{table.source_line} {text}"
            pending_source = False
            continue
        m = NOTES_HEADING.match(text)
        if m and not re.match(r"^\s*note\s+\w", text, re.I):
            text = text[m.end():].strip()
        if text:
            table.notes.append(text)
    return i
