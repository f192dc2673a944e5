"""The model of a letter's text, shared by every reader of the page and by the table finder.

A reader — the text of `sources/letters/` (text.py), a PDF's words or a `pdftotext -layout` text
(layout.py, pdf.py), a scan (ocr.py), a sheet or a Word document (sheet.py, docx.py) — gives `Line`s:
cells separated by tabs, a bold flag, the page a line came from. text.py finds the raw tables in them
(`RawTable`, `RawRow`, `RawCell`), and headers.py tells what their header words name. This module is
below all of them, so that none imports another to know the shape of a line.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from ..errors import InputError

PAGE_FOOTER = re.compile(r"^\s*(page\s+\d+(\s+(de|sur|of)\s+\d+)?|\d+\s*/\s*\d+|-\s*\d+\s*-)\s*$", re.I)


class Unreadable(InputError):
    """The input is not a letter's text at all (a PDF, a binary, not UTF-8): exit 2, not 1."""


@dataclass(frozen=True)
class Line:
    number: int  # 1-based line of the input
    text: str  # markup removed, trailing spaces removed, tabs kept
    bold: bool  # the whole line was bold (`**…**` or `<b>…</b>`): a caption or a heading
    page: int = 0  # the page of a PDF the line was read on (0: the input has no pages)

    @property
    def cells(self) -> list[str]:
        return self.text.split("\t")

    @property
    def blank(self) -> bool:
        return not self.text.strip()


@dataclass
class RawCell:
    line: int
    column: int  # 1-based character column of the cell in its line, for messages
    text: str


@dataclass
class RawRow:
    line: int
    label: str  # as printed, markup removed, surrounding spaces removed
    cells: list[RawCell]
    tabbed: bool  # False: space-separated, blank cells lost (fewer cells than columns is possible)
    printed: str = ""  # the row's figures as printed, for notes (« 9  20 »)


@dataclass
class RawTable:
    number: str  # "1", or "" when the caption has no number
    caption: str
    caption_line: int
    header: list[Line]  # the header lines, first one is the anchor
    kind: str  # what the first header cell names: country, municipality, mrc, period, measure, …
    rows: list[RawRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    source_line: str = ""
    page_breaks: list[int] = field(default_factory=list)  # lines where a repeated header was skipped
    end_line: int = 0

    @property
    def line(self) -> int:
        return self.header[0].number


def fold(text: str) -> str:
    """Lower case, no accents, typographic apostrophes and dashes made plain, spaces collapsed."""
    t = unicodedata.normalize("NFKD", text)
    t = "".join(c for c in t if not unicodedata.combining(c))
    t = t.replace("’", "'").replace("‘", "'").replace("–", "-").replace("—", "-").replace("\u00a0", " ")
    return re.sub(r"\s+", " ", t).strip().lower()
