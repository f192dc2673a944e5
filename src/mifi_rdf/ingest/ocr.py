"""A scanned letter (a PDF of page images) → the same `Line`s as a text layer, with what OCR read and how surely.

Each page is rendered by pypdfium2 at `DPI`, cleaned of specks (a 3×3 median filter), straightened (a scan leans
by a degree or so, which would split a table row into two baselines), and read by Tesseract's French model through
pytesseract's `image_to_data`: words with their boxes and a confidence. Tokens of dots, bars and the like alone
(specks and rules read as « | » or « . ») are left out; dashes and guillemets are kept, as a text layer has them.
Every word of a page gets one height, `LINE_HEIGHT` × the median height of its Tesseract lines, centred on its
line, as a text layer's words get their font's size: layout.py measures gaps in word heights, and ink boxes
(« aux » is shorter than « Tableau ») would make a justified line's spaces look like column gaps. The words become
`layout.Word`s (in PDF points, like a text layer's) and go through the same `lines_from_words` and the same table
parser as any PDF.

OCR misreads figures (« 27 » for « 77 », a lost decimal comma), so a figure it read is not a figure the letter
printed until something confirms it (`check_figures`):
- the totals: every printed total the cell takes part in (as a part, or as the total) holds exactly with it, and
  there is at least one such total with no blanked cell (a blank makes a total an inequality, which confirms
  nothing); a percentage is confirmed when its confirmed count and total give it, rounded to the column's
  precision (« 32 » read for a printed « 32,1 » is not);
- or a person, who reads the page image and says so: `--confirm "p3:France:418"` (page, row label as OCR read
  it, the figure), or corrects it: `--confirm "p3:Tunisie:2A1=241"` (what OCR read = what the page shows).
A blank cell is never taken from OCR either (a faint figure OCR missed would become a suppressed cell): each is
listed until a person confirms the row's blanks (`"p3:France:="`) or gives the figure (`"p3:France:=418"`).
Every other OCR'd figure is an error naming its page, its position on the page (x, y in points from the top
left of the straightened page) and OCR's confidence, so nothing is written until a person has seen it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError, UsageError
from .layout import Word, lines_from_words
from .text import Line, Unreadable, fold

UNKNOWN = -1.0  # the confidence of a cell whose words could not be matched to OCR's boxes
DPI = 300  # rendering for OCR: Tesseract reads decimal commas and thin digits better at 300 dpi than at 200
LINE_HEIGHT = 1.3  # a font size is about 1.3 × the ink height of a line of text (ascenders to descenders)
MAX_PAGES = 30  # OCR takes seconds a page: a scan longer than a letter is refused before any of it is read
MAX_SKEW = 3.0  # degrees: the largest lean looked for when straightening a page
INSTALL = ("reading a scanned letter needs OCR: pip install 'mifi-rdf[ocr]' (pytesseract) and "
           "apt-get install tesseract-ocr tesseract-ocr-fra (Tesseract and its French model)")
SPECK = re.compile(r"^[|.,:;'`~!]+$")  # what Tesseract makes of specks and rules
CONFIRM = re.compile(r"^p(\d+):(.+):([^:=]*)(=[^:=]*)?$")


@dataclass(frozen=True)
class Reading:
    """What OCR read for one cell of a line: its text, its lowest word confidence (0–100), where it is."""

    text: str
    confidence: float
    page: int
    x: float  # points from the left of the page
    y: float  # points from the top of the page
    by_person: str = ""  # the person's --confirm, when they confirmed or corrected it


class OcrLines(list):
    """The lines of a scanned letter, with the OCR reading of each table cell: (line, cell index) → Reading."""

    def __init__(self, lines: list[Line], readings: dict[tuple[int, int], Reading], images: dict[int, bytes]):
        super().__init__(lines)
        self.readings = readings
        self.images = images  # page → PNG of the straightened page, for the review page
        self.blanks_confirmed: set[int] = set()  # lines whose blank cells a person has seen blank on the page


@dataclass
class OcrPage:
    """What Tesseract read on one page: its words (in points), their confidences, and its lines of words."""

    words: list[Word] = field(default_factory=list)
    confidences: list[float] = field(default_factory=list)
    lines: list[list[int]] = field(default_factory=list)  # Tesseract's lines, as indexes into words


def _tesseract():
    try:
        import pytesseract
    except ImportError as err:
        raise UsageError(INSTALL) from err
    try:
        languages = pytesseract.get_languages(config="")
    except (pytesseract.TesseractNotFoundError, OSError) as err:
        raise UsageError(INSTALL) from err
    if "fra" not in languages:
        raise UsageError(INSTALL)
    return pytesseract


def skew(image) -> float:
    """The angle (degrees, counter-clockwise) by which the page leans: the one whose rotation makes the rows of
    ink sharpest (the variance of the rows' ink is largest when the text lines are horizontal)."""
    import numpy as np
    from PIL import Image

    small = image.convert("L").resize((image.width // 4, image.height // 4), Image.Resampling.BILINEAR)
    ink = 255 - np.asarray(small, dtype=np.float32)

    def sharpness(angle: float) -> float:
        turned = Image.fromarray(ink.astype(np.uint8)).rotate(angle, resample=Image.Resampling.BILINEAR, fillcolor=0)
        return float(np.var(np.asarray(turned, dtype=np.float32).sum(axis=1)))

    coarse = max((a / 2 for a in range(int(-MAX_SKEW * 2), int(MAX_SKEW * 2) + 1)), key=sharpness)
    fine = max((coarse + a / 10 for a in range(-5, 6)), key=sharpness)
    return -fine


def read_scanned(path: Path, data: bytes) -> OcrLines:
    """OCR every page of an image-only PDF; refuses in one line when OCR is not installed."""
    import io

    import pypdfium2
    from PIL import Image, ImageFilter

    tesseract = _tesseract()
    # Tesseract's OpenMP threads compete for the cores: one thread per page is faster on a shared machine.
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    scale = DPI / 72
    pages: dict[int, OcrPage] = {}
    heights: dict[int, float] = {}
    images: dict[int, bytes] = {}
    pdf = pypdfium2.PdfDocument(data)
    if len(pdf) > MAX_PAGES:
        raise Unreadable(path, 0, 0, f"a scanned PDF of {len(pdf)} pages: OCR reads at most {MAX_PAGES} (a few seconds "
                                     "each); give the pages of the letter only")
    for number in range(1, len(pdf) + 1):
        page = pdf[number - 1]
        heights[number] = float(page.get_size()[1])
        image = page.render(scale=scale, grayscale=True).to_pil().convert("L").filter(ImageFilter.MedianFilter(3))
        angle = skew(image)
        if abs(angle) >= 0.05:
            image = image.rotate(-angle, resample=Image.Resampling.BICUBIC, fillcolor=255)
        png = io.BytesIO()
        image.resize((image.width // 3, image.height // 3), Image.Resampling.LANCZOS).save(png, "PNG", optimize=True)
        images[number] = png.getvalue()
        try:
            found = tesseract.image_to_data(image, lang="fra", config="--psm 6", output_type=tesseract.Output.DICT)
        except tesseract.TesseractError as err:
            raise Unreadable(path, 0, 0, f"page {number}: OCR failed ({err}): expected a scanned letter") from err
        p = pages.setdefault(number, OcrPage())
        by_line: dict[tuple[int, int, int], list[int]] = {}
        level = found["level"]
        centres = {(found["block_num"][i], found["par_num"][i], found["line_num"][i]):
                   (found["top"][i] + found["height"][i] / 2) / scale for i in range(len(level)) if level[i] == 4}
        heights_px = sorted(found["height"][i] for i in range(len(level)) if level[i] == 4)
        size = LINE_HEIGHT * (heights_px[len(heights_px) // 2] if heights_px else 40) / scale
        for i, text in enumerate(found["text"]):
            key = (found["block_num"][i], found["par_num"][i], found["line_num"][i])
            text = text.strip()
            if level[i] != 5 or not text or SPECK.match(text):
                continue  # a speck or a rule read as « | » or « . »: no letter, no digit, no dash, no guillemet
            x, w = found["left"][i] / scale, found["width"][i] / scale
            centre = centres.get(key, (found["top"][i] + found["height"][i] / 2) / scale)
            by_line.setdefault(key, []).append(len(p.words))
            p.words.append(Word(text, x, x + w, centre - size / 2, centre + size / 2, False, number))
            p.confidences.append(float(found["conf"][i]))
        p.lines = list(by_line.values())
    if not any(p.words for p in pages.values()):
        raise Unreadable(path, 0, 0, f"OCR found no text on any of its {len(pdf)} page(s): expected a letter's pages")
    return from_pages(pages, heights, images)


def from_pages(pages: dict[int, OcrPage], heights: dict[int, float], images: dict[int, bytes]) -> OcrLines:
    """The lines the words of the pages make (layout.py, as for a text layer), with each table cell's reading."""
    words = [w for p in pages.values() for w in p.words]
    lines, page_of = lines_from_words(words, heights)
    lines = [Line(ln.number, ln.text, ln.bold, page) for ln, page in zip(lines, page_of, strict=True)]
    return OcrLines(lines, _readings(lines, pages), images)


def _readings(lines: list[Line], pages: dict[int, OcrPage]) -> dict[tuple[int, int], Reading]:
    """The OCR reading of each cell of each table line: the line is matched to the Tesseract line with the same
    words in the same order (the first not yet used on its page), and each cell to its words."""
    used: set[tuple[int, int]] = set()
    out: dict[tuple[int, int], Reading] = {}
    for line in lines:
        if "\t" not in line.text or line.page not in pages:
            continue
        p = pages[line.page]
        tokens = line.text.split()
        match = next((k for k, ids in enumerate(p.lines) if (line.page, k) not in used
                      and [p.words[i].text for i in ids] == tokens), None)
        if match is None:
            continue
        used.add((line.page, match))
        ids = iter(p.lines[match])
        for index, cell in enumerate(line.text.split("\t")):
            mine = [next(ids) for _ in cell.split()]
            if mine:
                ws = [p.words[i] for i in mine]
                out[(line.number, index)] = Reading(cell, min(p.confidences[i] for i in mine), line.page,
                                                    round(ws[0].x0, 1), round(ws[0].top, 1))
    return out


# ---------------------------------------------------------------- a person's confirmations


def apply_confirmations(lines: OcrLines, confirms: tuple[str, ...]) -> OcrLines:
    """The lines with each `--confirm "pN:LABEL:READ[=VALUE]"` applied: the cell of the row LABEL on page N that
    OCR read as READ is marked confirmed by a person, and reads VALUE when one is given (the person's reading)."""
    for confirm in confirms:
        m = CONFIRM.match(confirm.strip())
        if m is None:
            raise UsageError(f"--confirm « {confirm} »: expected PAGE:ROW:FIGURE or PAGE:ROW:READ=FIGURE, such as "
                             "\"p3:France:418\" or \"p3:Tunisie:2A1=241\"")
        page, label, read = int(m.group(1)), m.group(2).strip(), m.group(3).strip()
        value = (m.group(4) or "").lstrip("=").strip()
        if not read and m.group(4) is None:
            raise UsageError(f"--confirm « {confirm} »: a blank cell is confirmed blank with \"p{page}:{label}:=\" or given "
                             f"its figure with \"p{page}:{label}:=FIGURE\"")
        rows = [(k, ln) for k, ln in enumerate(lines) if ln.page == page and fold(ln.text.split("\t")[0]) == fold(label)]
        hits = [(k, ln, j) for k, ln in rows for j, cell in enumerate(ln.text.split("\t")) if j and cell.strip() == read]
        if not read and not hits and len(rows) == 1 and "\t" not in rows[0][1].text:
            hits = [(rows[0][0], rows[0][1], 1)]  # a row of one label: its figure cell is the one OCR saw nothing in
        if not read and not value and rows:
            lines.blanks_confirmed |= {ln.number for _, ln in rows}
            continue
        if len(hits) != 1:
            what = "no cell" if not hits else f"{len(hits)} cells"
            raise UsageError(f"--confirm « {confirm} »: {what} of a row « {label} » on page {page} read « {read} » by OCR: "
                             "give the row label and the figure as the OCR list shows them")
        k, ln, j = hits[0]
        cells = ln.text.split("\t") + [""] * (j + 1 - len(ln.text.split("\t")))
        reading = lines.readings.get((ln.number, j), Reading(read, UNKNOWN, page, 0.0, 0.0))
        if value:
            cells[j] = value
            lines[k] = Line(ln.number, "\t".join(cells), ln.bold, ln.page)
        lines.readings[(ln.number, j)] = Reading(reading.text, reading.confidence, reading.page, reading.x, reading.y,
                                                 confirm.strip())
    return lines


# ---------------------------------------------------------------- the fidelity rule


def cell_index(line: Line, column: int) -> int:
    """Which tab-separated cell of the line starts at this 1-based character column."""
    return line.text[: max(column - 1, 0)].count("\t")


def _exact_totals(cells) -> list[tuple[object, list]]:
    """(total, parts) of each printed total: along each dimension, the cell whose code there is a total (`_T`, or a
    span of periods « A--B » among single periods) and the cells that differ from it in that dimension only."""
    out = []
    dims = list(cells[0].codes) if cells else []
    for d in dims:
        groups: dict[tuple, list] = {}
        for c in cells:
            groups.setdefault((c.measure, tuple(c.codes[x] for x in dims if x != d)), []).append(c)
        for group in groups.values():
            totals = [c for c in group if c.codes[d] == "_T"] or [c for c in group if "--" in c.codes[d]]
            if len(totals) == 1 and len(group) > 1:
                out.append((totals[0], [c for c in group if c is not totals[0]]))
    return out


def _confirmed_by_totals(cells, percent: set[str]) -> set[int]:
    confirmed: set[int] = set()
    failed: set[int] = set()
    for total, parts in _exact_totals([c for c in cells if c.measure not in percent]):
        members = [total, *parts]
        if total.value is None or total.status == "adjusted-total":
            continue
        if any(p.value is None for p in parts):
            continue  # a blank: the total bounds the parts, it confirms none of them
        if sum(int(p.value) for p in parts) == int(total.value):
            confirmed |= {id(c) for c in members}
        else:
            failed |= {id(c) for c in members}
    return confirmed - failed


def _percent_confirmed(cell, cells, confirmed: set[int], shares: dict[str, str]) -> bool:
    """A percentage whose count and grand total are confirmed and which is their ratio, rounded to the column's
    precision (within half its last unit)."""
    count_measure = shares.get(cell.measure)
    if count_measure is None or cell.value is None:
        return False
    dims = list(cell.codes)
    count = next((c for c in cells if c.measure == count_measure and c.codes == cell.codes), None)
    grand = [c for c in cells if c.measure == count_measure and c.codes != cell.codes
             and any(c.codes[d] == "_T" for d in dims) and all(c.codes[d] in {"_T", cell.codes[d]} for d in dims)]
    if count is None or count.value is None or len(grand) != 1 or grand[0].value is None or int(grand[0].value) == 0:
        return False
    if id(count) not in confirmed or id(grand[0]) not in confirmed:
        return False
    # the column's precision, not the cell's: « 32 » for a printed « 32,1 » (a comma OCR lost) is not 32.12 rounded
    column = [c.value for c in cells if c.measure == cell.measure and c.value is not None]
    decimals = max(len(v.split(".")[1]) if "." in v else 0 for v in column)
    ratio = 100 * int(count.value) / int(grand[0].value)
    return abs(float(cell.value) - ratio) <= 0.5 * 10 ** -decimals + 1e-9


def check_figures(tables, lines: OcrLines, path: Path, vocab) -> list[InputError]:
    """Mark each OCR'd figure confirmed by the totals or by a person (inference and notes, fr and en), and return an
    error for every other one: its page, position and confidence, and the --confirm that would accept it."""
    from .tables import _share_of

    by_number = {ln.number: ln for ln in lines}
    errors: list[InputError] = []
    for t in tables:
        if t.structure is None:
            continue
        percent = {m.name for m in t.structure.measures.values() if m.datatype.endswith("decimal")}
        shares = _share_of(vocab, t.structure)
        confirmed = _confirmed_by_totals(t.cells, percent)
        for c in t.cells:
            line = by_number.get(c.line)
            if line is None:
                continue
            if c.value is None:
                if c.status != "not-available" and c.line not in lines.blanks_confirmed:
                    label = line.text.split("\t")[0].strip()
                    errors.append(InputError(path, c.line, c.column,
                                             f"« {label} » has a blank cell (measure {c.measure}) on page {line.page}: OCR may "
                                             f"have missed a faint figure. Look at the page: if it is blank, confirm it with "
                                             f"--confirm \"p{line.page}:{label}:=\"; if it shows a figure, give it with "
                                             f"--confirm \"p{line.page}:{label}:=FIGURE\""))
                elif c.line in lines.blanks_confirmed:
                    c.inferences.append("ocr-confirmed-by-person")
                    _add_note(c, "Blank on the scanned page, as a person confirmed.",
                              "Vide sur la page numérisée, ce qu'une personne a confirmé.")
                continue
            index = cell_index(line, c.column)
            reading = lines.readings.get((c.line, index))
            if reading is None:  # a row layout.py made of words from two of Tesseract's lines: no single box
                reading = Reading(line.text.split("\t")[index] if "\t" in line.text else c.value, UNKNOWN, line.page,
                                  0.0, 0.0)
            known = reading.confidence != UNKNOWN
            where_en = (f"page {reading.page} at x={reading.x:.0f}, y={reading.y:.0f} pt, confidence "
                        f"{reading.confidence:.0f} %" if known else f"page {reading.page}, position and confidence not known")
            where_fr = (f"page {reading.page} à x={reading.x:.0f}, y={reading.y:.0f} pt, confiance "
                        f"{reading.confidence:.0f} %" if known else f"page {reading.page}, position et confiance inconnues")
            if reading.by_person:
                c.inferences.append("ocr-confirmed-by-person")
                corrected = reading.text != line.text.split("\t")[index]
                en = (f"Read by OCR as « {reading.text} » ({where_en})"
                      + (f"; a person read {c.value} on the page image." if corrected else "; confirmed by a person."))
                fr = (f"Lu par OCR « {reading.text} » ({where_fr})"
                      + (f" ; une personne a lu {c.value} sur l'image de la page." if corrected
                         else " ; confirmé par une personne."))
            elif id(c) in confirmed or (c.measure in percent and _percent_confirmed(c, t.cells, confirmed, shares)):
                c.inferences.append("ocr-confirmed-by-totals")
                en = f"Read by OCR ({where_en}); the printed totals hold with it."
                fr = f"Lu par OCR ({where_fr}) ; les totaux imprimés le confirment."
            else:
                label = line.text.split("\t")[0].strip()
                errors.append(InputError(path, c.line, c.column,
                                         f"« {label} » {reading.text} (measure {c.measure}) was read by OCR, {where_en}, "
                                         f"and the totals do not confirm it: look "
                                         f"at the page and confirm it with --confirm \"p{reading.page}:{label}:{reading.text}\""
                                         f" (or correct it: \"p{reading.page}:{label}:{reading.text}=FIGURE\")"))
                continue
            _add_note(c, en, fr)
    return errors


def _add_note(cell, en: str, fr: str) -> None:
    """The OCR's word on a cell after whatever note it already has, in both languages."""
    cell.note_en = " ".join(x for x in (cell.note_en, en) if x)
    cell.note_fr = " ".join(x for x in (cell.note_fr, fr) if x)


def explain(errors: list[InputError], lines: OcrLines) -> list[InputError]:
    """The errors, each about a cell OCR read (a figure that is not a number, say) told where OCR read it, how
    surely, and the --confirm that corrects it."""
    by_number = {ln.number: ln for ln in lines}
    out = []
    for e in errors:
        line = by_number.get(e.line)
        reading = lines.readings.get((e.line, cell_index(line, e.column))) if line is not None and e.column > 1 else None
        if reading is None or reading.confidence == UNKNOWN or "was read by OCR" in e.message:
            out.append(e)
            continue
        label = line.text.split("\t")[0].strip()
        out.append(InputError(e.path, e.line, e.column,
                              f"{e.message} (read by OCR in row « {label} », page {reading.page} at x={reading.x:.0f}, "
                              f"y={reading.y:.0f} pt, confidence {reading.confidence:.0f} %: look at the page and correct it "
                              f"with --confirm \"p{reading.page}:{label}:{reading.text}=FIGURE\")"))
    return out
