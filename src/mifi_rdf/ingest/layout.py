"""Words placed on a page → the `Line`s text.py reads: rows from baselines, cells from gaps and column alignment.

Any reader that knows where each word is (pdfplumber's words of a PDF's text layer, the character grid of
`pdftotext -layout`, later an OCR engine's boxes) hands a list of `Word`s to `lines_from_words` and gets the
same lines a letter's text gives: one line per row, the cells of a table row separated by tabs (empty cells
kept, so a blanked cell stays in its column), a bold flag when every word of the line is bold, and the page
each line came from (`page_of`) so that messages can name it. Nothing here reads a figure or a label.

The geometry, in the order it is applied:
- words whose vertical centres are within half a word's height of each other are one row (a baseline);
- within a row, a gap wider than `GAP` × the word height starts a new chunk (a cell): ordinary word spacing
  never reaches it, column gaps always do;
- consecutive rows of two or more chunks, with the one-chunk rows between them (a label whose figures are all
  blank), are a table region; its columns are the x ranges of its fullest rows of figures (or the header's cells,
  when they are well apart and more than any row fills); every chunk goes to the column it overlaps (the
  leftmost when it spans several: a spanning header names its first column) or, overlapping none, to the first
  column that ends after it; a chunk is cut where a column of figures ends between two of its words;
- where the table is ruled (vertical rules across its rows of figures), its cells are the spaces between the rules
  instead, a merged header cell naming the first column it spans;
- a header cell wrapped over two rows is joined when every cell of the second row sits under a cell of the first;
- page numbers (« Page 2 de 3 », « 2/3 », « - 2 - ») are dropped wherever they fall, and running heads (the
  same first or last line, not a table row, on half the pages or more, digits aside);
- the lines of a paragraph (no vertical gap between them) are joined into one line, and a blank line separates
  paragraphs, as in the letters' texts; a table continued on the next page simply follows its first part.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass

from .lines import PAGE_FOOTER, Line

GAP = 0.9  # a gap between words wider than this many word heights separates two cells
PARAGRAPH = 0.7  # a vertical gap between rows larger than this many word heights separates two paragraphs
MARGIN = 0.1  # the top and bottom tenth of a page, where running heads and page numbers are looked for


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    bold: bool
    page: int  # 1-based

    @property
    def height(self) -> float:
        return max(self.bottom - self.top, 0.1)


@dataclass
class _Row:
    page: int
    top: float
    bottom: float
    chunks: list[list[Word]]
    cells: list[str] | None = None  # set for the rows of a table region

    @property
    def bold(self) -> bool:
        return all(w.bold for c in self.chunks for w in c)

    @property
    def height(self) -> float:
        return statistics.median(w.height for c in self.chunks for w in c)

    def text(self) -> str:
        return " ".join(_chunk_text(c) for c in self.chunks)


def _chunk_text(chunk: list[Word]) -> str:
    return " ".join(w.text for w in chunk)


def _rows_of_page(words: list[Word]) -> list[_Row]:
    rows: list[list[Word]] = []
    for w in sorted(words, key=lambda w: ((w.top + w.bottom) / 2, w.x0)):
        centre = (w.top + w.bottom) / 2
        if rows:
            last = rows[-1]
            c = statistics.median((x.top + x.bottom) / 2 for x in last)
            if abs(centre - c) <= min(w.height, last[0].height) / 2:
                last.append(w)
                continue
        rows.append([w])
    out = []
    for ws in rows:
        ws.sort(key=lambda w: w.x0)
        chunks: list[list[Word]] = [[ws[0]]]
        for prev, w in zip(ws, ws[1:], strict=False):
            if w.x0 - prev.x1 > GAP * min(w.height, prev.height):
                chunks.append([w])
            else:
                chunks[-1].append(w)
        out.append(_Row(ws[0].page, min(w.top for w in ws), max(w.bottom for w in ws), chunks))
    return out


def _span(chunk: list[Word]) -> tuple[float, float]:
    return chunk[0].x0, chunk[-1].x1


FIGURE = re.compile(r"^(?:\d[\d \u00a0\u202f]*(?:,\d+)?\s*%?|x)$", re.I)


def _columns(region: list[_Row]) -> tuple[list[tuple[float, float]], bool]:
    """The columns of a table region, and whether they are the header's.

    Column k spans the k-th chunks of the region's fullest rows of figures (a left-aligned header over right-
    aligned figures is one column, though their boxes may not overlap). When the header, the region's first row,
    names more columns than any row of figures fills (a part of a table whose rows have blank cells, after a page
    break), its cells well apart (more than two word heights: not a justified header's words), column k is the
    header's k-th cell, from its left edge to the next one's."""
    body = [r for r in region if len(r.chunks) > 1 and all(FIGURE.match(_chunk_text(c)) for c in r.chunks[1:])]
    body = body or region
    most = max(len(r.chunks) for r in body)
    head = region[0]
    gaps = [b[0].x0 - a[-1].x1 for a, b in zip(head.chunks, head.chunks[1:], strict=False)]
    if head not in body and len(head.chunks) > most and min(gaps, default=0) > 2 * head.height:  # cells, not words
        starts = [c[0].x0 for c in head.chunks]
        return [(a, b) for a, b in zip(starts, [*starts[1:], float("inf")], strict=True)], True
    full = [r for r in body if len(r.chunks) == most]
    return [(min(_span(r.chunks[k])[0] for r in full), max(_span(r.chunks[k])[1] for r in full)) for k in range(most)], False


def _column_of(chunk: list[Word], columns: list[tuple[float, float]]) -> int:
    x0, x1 = _span(chunk)
    for k, (a, b) in enumerate(columns):
        if x0 <= b and x1 >= a:
            return k
    # Overlapping none: a left-aligned header over right-aligned figures belongs to the first column that ends
    # after it (the figures of the column before end before it starts).
    return next((k for k, (_, b) in enumerate(columns) if b >= x1), len(columns) - 1)


def _split_at_edges(chunk: list[Word], columns: list[tuple[float, float]], space: float) -> list[list[Word]]:
    """A chunk cut where a column of figures ends between two of its words spaced wider than `space` word heights:
    a header whose cells ran together (« personnes % des », justified, or one space apart on a text grid). The
    label column's end is no cut: labels are left-aligned and of every length."""
    out = [[chunk[0]]]
    for prev, w in zip(chunk, chunk[1:], strict=False):
        gap = w.x0 - prev.x1
        if gap > space * w.height and any(prev.x1 - 1 <= b <= w.x0 for _, b in columns[1:-1]):
            out.append([w])
        else:
            out[-1].append(w)
    return out


Ruling = tuple[float, float, float]  # a vertical rule of a table: x, top, bottom


def _rules_across(row: _Row, rulings: list[Ruling]) -> list[float]:
    """The x of the vertical rules that cross a row's middle, close ones (a rule's two edges) merged."""
    middle = (row.top + row.bottom) / 2
    out: list[float] = []
    for x in sorted(x for x, top, bottom in rulings if top <= middle <= bottom):
        if not out or x - out[-1] > 2:
            out.append(x)
    return out


def _place_ruled(region: list[_Row], rulings: list[Ruling]) -> bool:
    """Cells from the table's ruling lines, when every row of figures is ruled and every word sits inside the rules:
    a cell is the space between two rules that cross its row, and a cell spanning several columns (a merged header
    cell, whose rules stop above the rows) names the first column it spans, wherever its text is aligned."""
    body = [r for r in region if len(r.chunks) > 1 and all(FIGURE.match(_chunk_text(c)) for c in r.chunks[1:])]
    if not body or not rulings:
        return False
    edges = _rules_across(max(body, key=lambda r: len(r.chunks)), rulings)
    if len(edges) < 3:
        return False
    columns = list(zip(edges, edges[1:], strict=False))
    placed: list[list[str]] = []
    for row in region:
        across = _rules_across(row, rulings) or edges
        cells = [""] * len(columns)
        for chunk in row.chunks:
            centre = sum(_span(chunk)) / 2
            cell = next(((a, b) for a, b in zip(across, across[1:], strict=False) if a <= centre < b), None)
            if cell is None:
                return False
            k = next((j for j, (a, _) in enumerate(columns) if a >= cell[0] - 1), None)
            if k is None or columns[k][0] >= cell[1]:
                return False
            cells[k] = f"{cells[k]} {_chunk_text(chunk)}".strip()
        placed.append(cells)
    for row, cells in zip(region, placed, strict=True):
        row.cells = cells
    return True


def _place(region: list[_Row], fixed_pitch: bool, rulings: list[Ruling] | None = None) -> None:
    if not _place_ruled(region, rulings or []):
        _place_aligned(region, fixed_pitch)
    _join_wrapped_headers(region)


def _place_aligned(region: list[_Row], fixed_pitch: bool) -> None:
    columns, from_header = _columns(region)
    space = 0.4 if fixed_pitch else 0.55  # a grid's space is half a height; type's word space about a quarter
    for row in region:
        cells = [""] * len(columns)
        pieces = row.chunks if from_header else [p for c in row.chunks for p in _split_at_edges(c, columns, space)]
        for chunk in pieces:
            centre = sum(_span(chunk)) / 2
            k = max((j for j, (a, _) in enumerate(columns) if a <= centre), default=0) if from_header else \
                _column_of(chunk, columns)
            cells[k] = f"{cells[k]} {_chunk_text(chunk)}".strip()
        row.cells = cells


def _join_wrapped_headers(region: list[_Row]) -> None:
    """A header cell wrapped onto a second row: that row, without figures, has all its cells under cells of the row
    above, the region's first or another row without figures (a header repeated after a page break)."""
    k = 0
    while k + 1 < len(region):
        a, b = region[k], region[k + 1]
        assert a.cells is not None and b.cells is not None
        filled = [j for j, c in enumerate(b.cells) if c]
        digits_a = any(ch.isdigit() for c in a.cells[1:] for ch in c)
        digits_b = any(ch.isdigit() for c in b.cells for ch in c)
        headers = any(a.cells[1:]) and any(b.cells[1:])  # not two labels whose figures are blank (31180)
        if headers and (k == 0 or not digits_a) and all(a.cells[j] for j in filled) and not digits_b:
            a.cells = [f"{x} {y}".strip() for x, y in zip(a.cells, b.cells, strict=True)]
            a.bottom = b.bottom
            del region[k + 1]
            continue
        k += 1


def _tables(rows: list[_Row], max_gap: float, fixed_pitch: bool, rulings: list[Ruling] | None = None) -> None:
    """Mark the table regions of a page's rows and give their rows cells. A region ends at a vertical gap of
    more than max_gap word heights, or at a one-chunk row wider than the label column (a caption, a note)."""
    i = 0
    while i < len(rows):
        if len(rows[i].chunks) < 2:
            i += 1
            continue
        j = i + 1
        last_multi = i
        second = rows[i].chunks[1][0].x0  # where the label column ends: the leftmost second cell
        while j < len(rows):
            gap = rows[j].top - rows[j - 1].bottom
            if gap > max_gap * rows[j].height:
                break
            if len(rows[j].chunks) >= 2:
                last_multi = j
                second = min(second, rows[j].chunks[1][0].x0)
            elif j == i + 1 and rows[j].chunks[0][0].x0 >= second and gap <= PARAGRAPH * rows[j].height:
                last_multi = j  # the second line of a header cell wrapped in its column (« TOTAL / AJUSTÉ »)
            elif (rows[j].chunks[0][0].x0 > rows[i].chunks[0][0].x0 + rows[i].height
                  or rows[j].chunks[0][-1].x1 >= second):
                break  # a one-chunk row not within the label column: text below the table
            j += 1
        region = rows[i: last_multi + 1]
        _place(region, fixed_pitch, rulings)
        rows[i: last_multi + 1] = region
        i += len(region)


def _furniture(pages: dict[int, list[_Row]], heights: dict[int, float]) -> set[int]:
    """ids of the rows that are page furniture: page numbers anywhere; a running head or foot, that is the first
    or last line of a page, within its top or bottom margin, not a table row, printed on half the pages or more
    (at least two; digits aside)."""
    drop: set[int] = set()
    seen: Counter[str] = Counter()
    marginal: list[tuple[_Row, str]] = []
    for page, rows in pages.items():
        height = heights.get(page) or max((r.bottom for r in rows), default=1.0)
        for r in rows:
            if PAGE_FOOTER.match(r.text()) or re.fullmatch(r"\s*page\s+\d+\s*/\s*\d+\s*", r.text(), re.I):
                drop.add(id(r))
        rest = [r for r in rows if id(r) not in drop]
        ends = {id(r): r for r in rest[:1] + rest[-1:]}
        keys = set()
        for r in ends.values():
            if r.cells is not None:
                continue  # a table row is data, even at the top of a page and equal to one on another page
            if r.bottom < height * MARGIN or r.top > height * (1 - MARGIN):
                key = re.sub(r"\d+", "#", r.text().strip().lower())
                marginal.append((r, key))
                keys.add(key)
        seen.update(keys)
    if len(pages) > 1:
        drop |= {id(r) for r, key in marginal if seen[key] >= max(2, (len(pages) + 1) // 2)}
    return drop


def lines_from_words(words: list[Word], page_heights: dict[int, float] | None = None, fixed_pitch: bool = False,
                     rulings: dict[int, list[Ruling]] | None = None) -> tuple[list[Line], list[int]]:
    """The lines of the pages' words, and the page of each line (same index).

    fixed_pitch: the words come from a text grid (`pdftotext -layout`), whose blank lines do not reliably mark
    paragraphs: a line then continues the one above when it starts in lower case or with a parenthesis that is
    not a footnote's « (1) », when the one above ends with a comma or a hyphen, or when the one above is full
    (it reaches four fifths of the page's widest line: it wrapped) and did not end a sentence. A line the writer
    broke near the margin is then joined to the next (a signatory's title to the ministry's name): the report
    lists a title it does not know for a person to review."""
    pages: dict[int, list[_Row]] = {}
    for page in sorted({w.page for w in words}):
        rows = _rows_of_page([w for w in words if w.page == page])
        _tables(rows, 1.5, fixed_pitch, (rulings or {}).get(page))
        pages[page] = rows
    drop = _furniture(pages, page_heights or {})
    texts: list[tuple[str, bool, int]] = []
    prev: _Row | None = None
    for page, rows in pages.items():
        prose = [r for r in rows if r.cells is None and id(r) not in drop]
        left = min((r.chunks[0][0].x0 for r in prose), default=0.0)
        right = max((r.chunks[-1][-1].x1 for r in prose), default=0.0)
        for r in rows:
            if id(r) in drop:
                continue
            if r.cells is not None:
                text = "\t".join(r.cells)
                if prev is not None and (prev.cells is None and texts and texts[-1][0]):
                    texts.append(("", False, page))
                texts.append((text, r.bold, page))
            else:
                new_paragraph = (prev is None or prev.cells is not None or prev.page != page
                                 or r.top - prev.bottom > PARAGRAPH * r.height)
                if fixed_pitch and not new_paragraph:
                    full = prev.chunks[-1][-1].x1 >= left + 0.8 * (right - left)  # proportional type on a grid
                    ended = re.search(r"[.:;!?»]$", prev.text()) is not None and r.text()[:1].isupper()
                    nxt, before = r.text(), prev.text()
                    continues = (nxt[:1].islower() or before.endswith((",", "-"))
                                 or (nxt.startswith("(") and not re.match(r"\(\d+\)", nxt)))
                    new_paragraph = not continues and (not full or ended)
                if new_paragraph or not texts or not texts[-1][0]:
                    if texts and texts[-1][0]:
                        texts.append(("", False, page))
                    texts.append((r.text(), r.bold, page))
                else:
                    text, bold, p = texts[-1]
                    texts[-1] = (f"{text} {r.text()}", bold and r.bold, p)
            prev = r
    lines = [Line(n, text.rstrip(" "), bold) for n, (text, bold, _) in enumerate(texts, start=1)]
    return lines, [p for _, _, p in texts]


def words_of_layout_text(text: str) -> list[Word]:
    """The words of a fixed-pitch text (`pdftotext -layout`): one unit per character, one row per line,
    form feeds as page breaks. Runs of spaces become the gaps lines_from_words measures."""
    out = []
    for page, chunk in enumerate(text.split("\f"), start=1):
        for row, line in enumerate(chunk.split("\n")):
            line = line.replace("\t", "        ")
            for m in re.finditer(r"\S+", line):
                out.append(Word(m.group(), m.start() * 0.5, m.end() * 0.5, row * 1.0, row * 1.0 + 1.0, False, page))
    return out
