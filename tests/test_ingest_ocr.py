"""`mifi-rdf ingest` of a scanned letter: a figure OCR read is written only when the totals confirm it, or a person
does (--confirm); every other one is listed with its page, position and confidence, and nothing is written.

The quick tests feed the real layout, table parser and checks with OCR words made from a letter's text (each
text line a Tesseract line, each table on a page of its own, a confidence per word), so they need no Tesseract.
The slow one OCRs tests/letters/pdf/30952-scanned.pdf (made by make_scanned.py: 30952's pages rendered at 200 dpi,
turned by 0.5 to 0.9°, noisy, black and white) with Tesseract's French model."""

from __future__ import annotations

import csv
import re
import sys
import time
from pathlib import Path

import pytest

from conftest import LETTERS, ROOT, needs_program
from mifi_rdf.ingest import ocr, run
from mifi_rdf.ingest.layout import Word
from mifi_rdf.ingest.sheet import Reading
from test_ingest import ingest, ontology  # noqa: F401  (ontology is a fixture)

SCANNED = ROOT / "tests" / "letters" / "pdf" / "30952-scanned.pdf"
MARKUP = ("**", "<b>", "</b>")


def words_of_letter(text: str, changed: dict[tuple[int, str], tuple[str, float]]) -> ocr.OcrLines:
    """OCR pages made from a letter's text: 5 pt a character, cells 250 pt apart, a row every 14 pt from 100 pt
    down, a blank line 14 pt more; the letter's text on page 1 and each table (from its caption) on the next page. `changed`:
    (page, row label) → (what OCR read instead of the figure, its confidence); every other word is read at 91 %."""
    pages: dict[int, ocr.OcrPage] = {}
    page, y = 1, 100.0
    for raw in text.splitlines():
        line = raw
        for m in MARKUP:
            line = line.replace(m, "")
        if line.startswith("Tableau "):
            page, y = page + 1, 100.0
        if not line.strip():
            y += 14
            continue
        p = pages.setdefault(page, ocr.OcrPage())
        ids = []
        cells = line.split("\t")
        for k, cell in enumerate(cells):
            x = 40.0 + 250 * k
            for token in cell.split():
                text, confidence = token, 91.0
                if k == 1 and (page, cells[0]) in changed:
                    text, confidence = changed[(page, cells[0])]
                ids.append(len(p.words))
                p.words.append(Word(text, x, x + 5 * len(text), y, y + 10, False, page))
                p.confidences.append(confidence)
                x += 5 * (len(token) + 1)
        p.lines.append(ids)
        y += 14
    # a page ends 100 pt below its last line: no line is in a page's top or bottom tenth, where running heads are
    return ocr.from_pages(pages, {n: max(w.bottom for w in p.words) + 100 for n, p in pages.items()}, {})


def cells_of(folder: Path) -> dict[tuple[str, ...], tuple[str, str, str]]:
    out = {}
    for path in sorted(folder.glob("t*.csv")):
        with path.open(encoding="utf-8", newline="") as f:
            for r in csv.DictReader(f):
                out[(path.name, r["round"], r["country"], r["measure"])] = (r["value"], r["status"], r["inference"])
    return out


@pytest.fixture
def scanned_30952(monkeypatch, tmp_path):
    """ingest reads `letter.pdf` as the OCR words `words_of_letter` makes of 30952's text (the parser, the checks
    and the writer are the real ones). The file itself exists, since ingest keeps it in sources/letters/."""
    (tmp_path / "letter.pdf").write_bytes(b"%PDF-1.4 stands for the scan\n")
    state: dict = {"changed": {}}
    monkeypatch.setattr(run, "read_input", lambda path: Reading(words_of_letter(
        (LETTERS / "30952.txt").read_text(encoding="utf-8"), state["changed"])))
    return state


def test_figures_the_totals_confirm_are_written_with_their_inference(scanned_30952, tmp_path, ontology):  # noqa: F811
    result = ingest(tmp_path / "data", ontology, str(tmp_path / "letter.pdf"))
    assert result.exit_code == 0, result.output
    got = cells_of(tmp_path / "data" / "30952")
    want = cells_of(ROOT / "data" / "30952")
    assert {k: v[:2] for k, v in got.items()} == {k: v[:2] for k, v in want.items()}  # 148 cells, as data/ has them
    assert len(got) == 148
    assert all("ocr-confirmed-by-totals" in v[2].split(";") for v in got.values())
    note = next(r for r in csv.DictReader((tmp_path / "data" / "30952" / "t5.csv").open(encoding="utf-8"))
                if r["country"] == "FRA")
    assert note["note_en"].startswith("Read by OCR (page 6 at x=290, y=")
    assert "confidence 91 %); the printed totals hold with it." in note["note_en"]
    assert "les totaux imprimés le confirment" in note["note_fr"]


def test_a_figure_the_totals_contradict_is_listed_with_its_table_and_nothing_is_written(scanned_30952, tmp_path,
                                                                                          ontology):  # noqa: F811
    """France 478 for 418 in table 5 (page 6): the column no longer adds up, so none of its 25 figures is
    confirmed: each is listed (page, position, confidence), the misread one at its own 55 %; the other tables'
    figures still hold, and nothing is written."""
    scanned_30952["changed"] = {(6, "France"): ("478", 55.0)}
    result = ingest(tmp_path / "data", ontology, str(tmp_path / "letter.pdf"))
    assert result.exit_code == 1
    listed = [ln for ln in result.output.splitlines() if "was read by OCR" in ln]
    assert len(listed) == 25 and all(": page 6: " in ln for ln in listed)
    france = next(ln for ln in listed if "« France »" in ln)
    assert "« France » 478 (measure invitations) was read by OCR, page 6 at x=290, y=" in france
    assert "confidence 55 %" in france and '--confirm "p6:France:478"' in france
    assert "the parts add up to 1936, the printed total is 1876" in result.output
    assert not (tmp_path / "data").exists() or not any((tmp_path / "data").iterdir())


def test_a_person_corrects_the_figure_and_the_letter_is_written_as_data_has_it(scanned_30952, tmp_path,
                                                                                ontology):  # noqa: F811
    scanned_30952["changed"] = {(6, "France"): ("478", 55.0)}
    result = ingest(tmp_path / "data", ontology, str(tmp_path / "letter.pdf"), "--confirm", "p6:France:478=418")
    assert result.exit_code == 0, result.output
    got = cells_of(tmp_path / "data" / "30952")
    assert {k: v[:2] for k, v in got.items()} == {k: v[:2] for k, v in cells_of(ROOT / "data" / "30952").items()}
    assert got[("t5.csv", "pstq-2025-12-04", "FRA", "invitations")] == ("418", "published", "ocr-confirmed-by-person")
    assert got[("t5.csv", "pstq-2025-12-04", "TUN", "invitations")][2] == "ocr-confirmed-by-totals"


def test_totals_that_confirm_nothing_leave_every_figure_to_a_person(monkeypatch, tmp_path, ontology):  # noqa: F811
    """31224's totals are adjusted (« may differ from the sum »): they check nothing exactly, so none of its 24 OCR'd
    figures is confirmed; each is listed, and so is each blank cell, nothing written."""
    monkeypatch.setattr(run, "read_input", lambda path: Reading(words_of_letter(
        (LETTERS / "31224.txt").read_text(encoding="utf-8"), {})))
    result = ingest(tmp_path / "data", ontology, str(tmp_path / "letter.pdf"))
    assert result.exit_code == 1
    assert len([ln for ln in result.output.splitlines() if "was read by OCR" in ln]) == 18
    # and its 6 empty cells (« no data », the letter says) are not taken from OCR either
    assert len([ln for ln in result.output.splitlines() if "has a blank cell" in ln]) == 6
    assert not (tmp_path / "data").exists() or not any((tmp_path / "data").iterdir())


def test_a_percentage_is_confirmed_only_by_its_confirmed_count_and_total_giving_its_digits():
    from mifi_rdf.ingest.tables import Cell

    def cell(code: str, measure: str, value: str) -> Cell:
        return Cell({"period": "2026-01--2026-02", "municipality": code}, measure, value, "published", [], code, "", "",
                    1, 1)

    count, grand = cell("66023", "invitedPersons", "1641"), cell("_T", "invitedPersons", "5109")
    shares = {"percentInvited": "invitedPersons"}
    cells = [count, grand, cell("23027", "percentInvited", "16.3")]  # the column prints one decimal
    both = {id(count), id(grand)}
    assert ocr._percent_confirmed(cell("66023", "percentInvited", "32.1"), cells, both, shares)  # 32.12 %
    assert not ocr._percent_confirmed(cell("66023", "percentInvited", "32.7"), cells, both, shares)
    assert not ocr._percent_confirmed(cell("66023", "percentInvited", "32"), cells, both, shares)  # OCR lost the comma
    assert not ocr._percent_confirmed(cell("66023", "percentInvited", "32.1"), cells, {id(grand)}, shares)


def test_a_confirmation_that_names_no_cell_is_a_usage_error(scanned_30952, tmp_path, ontology):  # noqa: F811
    result = ingest(tmp_path / "data", ontology, str(tmp_path / "letter.pdf"), "--confirm", "p6:France:999")
    assert result.exit_code == 2
    assert result.output.count("\n") == 1
    assert "--confirm « p6:France:999 »: no cell of a row « France » on page 6 read « 999 » by OCR" in result.output


def test_confirm_on_a_text_letter_is_a_usage_error(tmp_path, ontology):  # noqa: F811
    result = ingest(tmp_path / "data", ontology, str(LETTERS / "31180.txt"), "--confirm", "p1:Montréal:1641")
    assert result.exit_code == 2 and "--confirm is for the figures of a scanned letter" in result.output


def test_without_pytesseract_a_scanned_letter_is_one_line_naming_the_packages(monkeypatch, tmp_path,
                                                                               ontology):  # noqa: F811
    monkeypatch.setitem(sys.modules, "pytesseract", None)  # import pytesseract raises ImportError
    result = ingest(tmp_path / "data", ontology, str(SCANNED))
    assert result.exit_code == 2
    assert result.output == ("error: reading a scanned letter needs OCR: pip install 'mifi-rdf[ocr]' (pytesseract) and "
                             "apt-get install tesseract-ocr tesseract-ocr-fra (Tesseract and its French model)\n")


@needs_program("tesseract", "tesseract-ocr tesseract-ocr-fra")
def test_a_long_scan_is_refused_before_any_ocr(tmp_path, ontology):  # noqa: F811
    from PIL import Image

    path = tmp_path / "long-scan.pdf"
    page = Image.new("1", (200, 280), 1)
    page.save(path, "PDF", save_all=True, append_images=[page] * 40)
    start = time.monotonic()
    result = ingest(tmp_path / "data", ontology, str(path))
    assert time.monotonic() - start < 10
    assert result.exit_code == 2 and result.output.count("\n") == 1
    assert "a scanned PDF of 41 pages: OCR reads at most 30" in result.output


def test_the_skew_of_a_turned_page_is_measured():
    """A page of 30952's fixture, turned by 0.8° here: skew() finds it within 0.1° (the scan is turned too, by 0.7°,
    so the image is first straightened by what skew() finds for it)."""
    import pypdfium2
    from PIL import Image

    image = pypdfium2.PdfDocument(SCANNED)[0].render(scale=150 / 72, grayscale=True).to_pil().convert("L")
    lean = ocr.skew(image)
    assert abs(lean - 0.7) <= 0.1
    straight = image.rotate(-lean, resample=Image.Resampling.BICUBIC, fillcolor=255)
    assert abs(ocr.skew(straight.rotate(0.8, resample=Image.Resampling.BICUBIC, fillcolor=255)) - 0.8) <= 0.1


def _faded(tmp_path: Path) -> Path:
    """The scanned fixture with France's 418 of table 5 (page 3) faded away, as a faint print scans: white over
    where the text layer of 30952-fpdf.pdf has it, a few points wider for the scan's lean."""
    import io

    import pdfplumber
    import pypdfium2
    from PIL import Image, ImageDraw

    with pdfplumber.open(ROOT / "tests" / "letters" / "pdf" / "30952-fpdf.pdf") as pdf:
        words = pdf.pages[2].extract_words()
    box = next(w for w in words if w["text"] == "418")
    scale = 200 / 72
    pages = [page.render(scale=scale, grayscale=True).to_pil().convert("L") for page in pypdfium2.PdfDocument(SCANNED)]
    ImageDraw.Draw(pages[2]).rectangle([(box["x0"] - 6) * scale, (box["top"] - 2) * scale, (box["x1"] + 6) * scale,
                                        (box["bottom"] + 2) * scale], fill=255)
    pages = [page.point(lambda v: 255 if v > 127 else 0).convert("1", dither=Image.Dither.NONE) for page in pages]
    out = io.BytesIO()  # black and white as the fixture is: the other pages OCR as they do in the fixture
    pages[0].save(out, "PDF", resolution=200, save_all=True, append_images=pages[1:])
    path = tmp_path / "30952-faded.pdf"
    path.write_bytes(out.getvalue())
    return path


@pytest.mark.slow
@needs_program("tesseract", "tesseract-ocr tesseract-ocr-fra")
def test_the_scanned_fixture_ingests_to_the_cells_of_data_every_figure_confirmed_by_the_totals(tmp_path,
                                                                                              ontology):  # noqa: F811
    """OCR of the 6 scanned pages (turned, noisy): every table found, every figure confirmed by its table's total, the
    letter written with exactly data/'s cells. OCR time per page is measured (target < 15 s); the review page is
    written beside."""
    review = tmp_path / "review.html"
    start = time.monotonic()
    result = ingest(tmp_path / "data", ontology, str(SCANNED), "--review", str(review))
    per_page = (time.monotonic() - start) / 6
    print(f"OCR: {per_page:.1f} s per page")
    assert per_page < 15
    assert result.exit_code == 0, result.output
    got = cells_of(tmp_path / "data" / "30952")
    assert {k: v[:2] for k, v in got.items()} == {k: v[:2] for k, v in cells_of(ROOT / "data" / "30952").items()}
    assert all("ocr-confirmed-by-totals" in v[2].split(";") for v in got.values())
    assert review.read_text(encoding="utf-8").count('data-mark="ocr-totals"') == 148


@pytest.mark.slow
@needs_program("tesseract", "tesseract-ocr tesseract-ocr-fra")
def test_a_figure_faded_from_the_scan_is_not_taken_for_a_blank(tmp_path, ontology):  # noqa: F811
    """418 faded away: OCR sees an empty cell. A blank bounds the column's total (1876 ≥ 1458 + 1) instead of
    checking it, so table 5 has nothing to confirm its figures: the blank and the 24 figures (pages 3 and 4) are
    listed and nothing is written. The person who looks at the page gives the figure; the letter then ingests to data/'s cells."""
    faded = _faded(tmp_path)
    result = ingest(tmp_path / "data", ontology, str(faded))
    assert result.exit_code == 1
    errors = [ln for ln in result.output.splitlines() if ln.startswith("error: ")]
    assert any("« France » has a blank cell (measure invitations) on page 3" in e and '"p3:France:=FIGURE"' in e
               for e in errors), result.output
    figures = [e for e in errors if "was read by OCR" in e]
    assert len(figures) == 24 and all(": page 3: " in e or ": page 4: " in e for e in figures)  # on two pages
    # anything else is a total of table 5 that OCR's other misreads (if any) break: found, never written
    assert all("the parts add up to" in e and "the printed total is 1876" in e for e in errors
               if e not in figures and "« France » has a blank cell" not in e)
    assert not (tmp_path / "data").exists()
    # The person reads the page image: 418 for France, and corrects any figure OCR misread (as data/ has them).
    printed = {r["source_label"]: r["value"] for r in csv.DictReader((ROOT / "data" / "30952" / "t5.csv").open())}
    confirms = ["--confirm", "p3:France:=418"]
    for e in figures:
        m = re.search(r"« (.+?) » (\S+) \(measure invitations\) was read by OCR, page (\d+)", e)
        assert m is not None
        if m.group(1) in printed and printed[m.group(1)] != m.group(2):
            confirms += ["--confirm", f"p{m.group(3)}:{m.group(1)}:{m.group(2)}={printed[m.group(1)]}"]
    result = ingest(tmp_path / "data", ontology, str(faded), *confirms)
    assert result.exit_code == 0, result.output
    got = cells_of(tmp_path / "data" / "30952")
    assert {k: v[:2] for k, v in got.items()} == {k: v[:2] for k, v in cells_of(ROOT / "data" / "30952").items()}
    assert got[("t5.csv", "pstq-2025-12-04", "FRA", "invitations")] == ("418", "published", "ocr-confirmed-by-person")
