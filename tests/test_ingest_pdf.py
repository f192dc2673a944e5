"""`mifi-rdf ingest` of PDF letters and of PDF tools' text: the fixtures of tests/letters/pdf/ (two producers,
their `pdftotext -layout` outputs) ingest to exactly the cells of data/; the text forms pdftotext gives (page
numbers between a caption and its table, form feeds, plain-sentence captions); hostile PDFs refused in one line."""

from __future__ import annotations

import base64
import json
import time
import tomllib
import zlib
from pathlib import Path

import pytest

from conftest import ROOT, needs_program
from test_ingest import KEY, files_under, ingest, ontology, rows  # noqa: F401  (ontology is a fixture)

PDFS = ROOT / "tests" / "letters" / "pdf"
TEST_LETTERS = ROOT / "tests" / "letters"

# One source of each letter in the default run (a different producer or form each); the others with the slow suite.
FAST = {"31224-fpdf.pdf", "31224-fpdf.layout.txt"}  # and 30735-chromium.pdf below
# 30735 has its own test below.
SOURCES = [f"{ref}-{producer}{ext}" for ref in ("30952", "31180", "31224") for producer in ("fpdf", "chromium")
           for ext in (".pdf", ".layout.txt")]


def cells(folder: Path, ref: str) -> dict[str, list[list[str]]]:
    out = {}
    for csv_path in sorted((ROOT / "data" / ref).glob("t*.csv")):
        want = rows(csv_path)
        dims = [c for c in want[0] if c not in KEY + ["note_fr", "note_en"]]
        out[csv_path.name] = [[r[c] for c in dims + KEY] for r in rows(folder / csv_path.name)]
    return out


@pytest.mark.parametrize("name", [pytest.param(n, marks=() if n in FAST else pytest.mark.slow) for n in SOURCES
                                  if n != "31224-chromium.layout.txt"])
def test_a_pdf_and_its_pdftotext_layout_output_ingest_to_the_cells_of_data(name, tmp_path, ontology):  # noqa: F811
    ref = name.split("-")[0]
    result = ingest(tmp_path / "data", ontology, str(PDFS / name))
    assert result.exit_code == 0, result.output
    assert cells(tmp_path / "data" / ref, ref) == cells(ROOT / "data" / ref, ref)
    assert "error" not in result.output
    curated = tomllib.loads((ROOT / "data" / ref / "letter.toml").read_text(encoding="utf-8"))
    written = tomllib.loads((tmp_path / "data" / ref / "letter.toml").read_text(encoding="utf-8"))
    for field in ("ref", "letter_date", "received", "clarified", "programs", "articles", "issued_by_fr"):
        assert written[field] == curated[field], field
    for mine, theirs in zip(written["table"], curated["table"], strict=True):
        for field in ("id", "number", "caption", "structure", "notes", "extraction_date", "suppression_threshold",
                      "suppression_method"):
            assert mine[field] == theirs[field], f"{mine['id']} {field}"


@pytest.mark.parametrize("name", ["30735-chromium.pdf", *(pytest.param(n, marks=pytest.mark.slow) for n in (
    "30735-fpdf.pdf", "30735-fpdf.layout.txt", "30735-chromium.layout.txt"))])
def test_30735_as_a_pdf_shows_every_cell_in_its_column_and_nothing_needs_a_person(name, tmp_path, ontology):  # noqa: F811
    """30735's text lost its blank cells; its PDF (made from data/, see make_fixtures.py) has every cell in its
    column. Every cell data/ knows is read with its value and status; the 14 cells of table 3 whose column data/
    could not establish are read where the fixture prints them, and nothing is left to a person."""
    data, report = tmp_path / "data", tmp_path / "report.json"
    result = ingest(data, ontology, str(PDFS / name), "--report", str(report))
    assert result.exit_code == 0, result.output
    assert "NEEDS A PERSON" not in result.output
    assert all(t["need_a_person"] == [] for t in json.loads(report.read_text(encoding="utf-8"))["tables"])
    key = ("period", "mrc", "stream", "measure")
    uncertain = 0
    for t in ("t1", "t2", "t3", "t4"):
        got = {tuple(r[c] for c in key): r for r in rows(data / "30735" / f"{t}.csv")}
        want = rows(ROOT / "data" / "30735" / f"{t}.csv")
        assert len(got) == len(want)
        for r in want:
            mine = got[tuple(r[c] for c in key)]
            if r["inference"] == "column-uncertain":
                uncertain += 1
                assert mine["status"] in {"published", "confidential"} and r["status"] == "not-available"
            else:
                assert (mine["value"], mine["status"], mine["source_label"]) == (r["value"], r["status"], r["source_label"])
    assert uncertain == 14


@needs_program("tesseract", "tesseract-ocr tesseract-ocr-fra")
def test_25623_as_the_scan_it_was_is_read_by_ocr_and_refused(tmp_path, ontology):  # noqa: F811
    """Its dashboard's OCR gives no table row ingest can read (as data/README.md says of 25623): refused, at page 1."""
    result = ingest(tmp_path / "data", ontology, str(PDFS / "25623-scan.pdf"))
    assert result.exit_code == 1
    assert result.output.startswith("error: " + str(PDFS / "25623-scan.pdf").removeprefix(str(Path.cwd()) + "/") +
                                    ":1:1: page 1: no table found")
    assert not (tmp_path / "data").exists()


def test_layout_text_of_a_centred_spanning_header_is_refused_not_guessed(tmp_path, ontology):  # noqa: F811
    """Chromium's 31224 centres the years in their merged, ruled header cells; the PDF's rules say which months
    each year spans, `pdftotext -layout` keeps no rule: « 2025 » stands over « Septembre », and the months before
    it have no year. Refused at the header, never given a guessed year."""
    result = ingest(tmp_path / "data", ontology, str(PDFS / "31224-chromium.layout.txt"))
    assert result.exit_code == 1
    assert "31224-chromium.layout.txt:37:1: page 1: month « Juillet » without a year above it" in result.output
    assert not (tmp_path / "data").exists() or not any((tmp_path / "data").iterdir())


def test_a_ruled_table_places_a_centred_merged_header_cell_by_its_rules(tmp_path):
    """fpdf2 draws a ruled table whose « 2025 » is centred over two months: the rules, not the text's position,
    put it over the first of them."""
    from fpdf import FPDF

    from mifi_rdf.ingest.pdf import read_pdf

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=9)
    widths = [40, 25, 25, 25]
    for cells, spans in [(["Indicateur", "2025", "TOTAL"], [40, 50, 25]), (["", "Juillet", "Aout", ""], widths),
                         (["DSP recues", "18", "152", "170"], widths)]:
        for text, width in zip(cells, spans, strict=True):
            pdf.cell(width, 6, text, border=1, align="C" if text[:1].isupper() and width > 25 else "R")
        pdf.ln(6)
    path = tmp_path / "ruled.pdf"
    pdf.output(str(path))
    assert [ln.text for ln in read_pdf(path)] == ["Indicateur\t2025\t\tTOTAL", "\tJuillet\tAout\t",
                                                  "DSP recues\t18\t152\t170"]


def test_an_error_in_a_pdf_names_its_page(tmp_path, ontology):  # noqa: F811
    """31180 of the fpdf2 fixture, ingested again into a folder that has it: the table starts on page 2."""
    result = ingest(tmp_path / "data", ontology, str(PDFS / "31180-fpdf.pdf"), "--dry-run", "--map", "Montréal=99999")
    assert result.exit_code == 1
    assert "31180-fpdf.pdf:" in result.output and ": page 2: " in result.output


@pytest.mark.parametrize("name", sorted(p.name for p in PDFS.glob("*.plain.txt") if not p.name.startswith("30735")))
def test_plain_pdftotext_output_is_refused_at_the_table_it_cannot_rebuild(name, tmp_path, ontology):  # noqa: F811
    """Plain `pdftotext` prints a table column after column (31224's even interleaved), blank cells leaving no
    trace: refused at the header line, saying what to give instead, instead of « no table found »."""
    result = ingest(tmp_path / "data", ontology, str(PDFS / name), "--dry-run")
    assert result.exit_code == 1
    header = {"30952": "Pays de citoyenneté", "31180": "Municipalité", "31224": "Indicateur"}[name[:5]]
    line = (PDFS / name).read_text(encoding="utf-8").splitlines().index(header) + 1
    assert f"{name}:{line}:1: « {header} » alone on its line" in result.output
    assert "Ingest the PDF itself, or the output of `pdftotext -layout`" in result.output


def test_a_justified_header_wrapped_on_two_lines_is_joined_cell_by_cell(tmp_path):
    """Header cells wrapped and justified in narrow columns: words of two cells run together on the first line
    (« personnes  % »), the second line holds the ends of two cells; figures right-aligned, the header left."""
    from fpdf import FPDF

    from mifi_rdf.ingest.pdf import read_pdf

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", "B", 9)
    y = pdf.get_y()
    for width, text in [(60, "Municipalite"), (45, "Nombre de personnes invitees"), (45, "% des personnes invitees")]:
        pdf.multi_cell(width, 5, text, new_x="RIGHT", new_y="TOP", align="J")
    pdf.set_xy(pdf.l_margin, y + 10)
    pdf.set_font("helvetica", "", 10)
    for row in [("Montreal", "1641", "32,1"), ("Information non disponible", "", ""), ("Total", "5109", "100")]:
        for j, text in enumerate(row):
            pdf.cell(60 if j == 0 else 45, 5, text, align="L" if j == 0 else "R")
        pdf.ln(5)
    path = tmp_path / "wrapped.pdf"
    pdf.output(str(path))
    assert [(ln.text, ln.bold) for ln in read_pdf(path)] == [
        ("Municipalite\tNombre de personnes invitees\t% des personnes invitees", True),
        ("Montreal\t1641\t32,1", False), ("Information non disponible\t\t", False), ("Total\t5109\t100", False)]


@pytest.mark.parametrize("name", ["30735-fpdf.plain.txt", "30735-chromium.plain.txt"])
def test_plain_pdftotext_of_30735_is_refused_at_a_line(name, tmp_path, ontology):  # noqa: F811
    """Its space-separated MRC header is one today's text reader knows; the figures that follow it, one column
    after another, are refused where they stop making rows."""
    result = ingest(tmp_path / "data", ontology, str(PDFS / name))
    assert result.exit_code == 1
    assert f"{name}:" in result.output and ": figures before the first row label of the table" in result.output
    assert not (tmp_path / "data").exists() or not any((tmp_path / "data").iterdir())


# ---------------------------------------------------------------- text forms of PDF tools

def _letter(tmp_path: Path, name: str, old: str, new: str) -> Path:
    text = (TEST_LETTERS / "40001-new-round.txt").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / name
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def _cells_40001(result, data: Path) -> list[tuple[str, str]]:
    assert result.exit_code == 0, result.output
    return [(r["country"], r["value"]) for r in rows(data / "40001" / "t1.csv")]


WANT_40001 = [("FRA", "512"), ("CMR", "1204"), ("MAR", "87"), ("TUN", "45"), ("_O", "131"), ("_T", "1979")]


def test_page_number_between_the_caption_and_its_table(tmp_path, ontology):  # noqa: F811
    path = _letter(tmp_path, "40001.txt", "\n\nPays de citoyenneté\tNombre d'invitations\nFrance",
                   "\n\nPage 3 de 4\n\nPays de citoyenneté\tNombre d'invitations\nFrance")
    assert _cells_40001(ingest(tmp_path / "data", ontology, str(path)), tmp_path / "data") == WANT_40001


def test_layout_text_with_a_form_feed_inside_the_table(tmp_path, ontology):  # noqa: F811
    """40001 as `pdftotext -layout` prints it: columns as runs of spaces, the page break inside the table a form
    feed before the next page's first row, « Page 1 de 2 » at the foot of the first page."""
    text = (TEST_LETTERS / "40001-new-round.txt").read_text(encoding="utf-8")
    text = text.replace("\n\nPays de citoyenneté\tNombre d'invitations\nTunisie", "\fTunisie")
    text = text.replace("Marroc\t87\n", "Marroc\t87\n\n\n                      Page 1 de 2\n")
    layout = "\n".join("    " + line.split("\t")[0].ljust(40) + "".join(c.rjust(24) for c in line.split("\t")[1:])
                       if "\t" in line else line.replace("**", "") for line in text.split("\n"))
    assert "\t" not in layout and "\f" in layout
    path = tmp_path / "40001.layout.txt"
    path.write_text(layout + "\n", encoding="utf-8")
    assert _cells_40001(ingest(tmp_path / "data", ontology, str(path)), tmp_path / "data") == WANT_40001


def test_a_plain_sentence_caption(tmp_path, ontology):  # noqa: F811
    """No « Tableau N », no bold: the sentence just above the table is its caption (it names the round)."""
    path = _letter(tmp_path, "40001.txt", "Tableau 1: Nombre", "Nombre")
    result = ingest(tmp_path / "data", ontology, str(path))
    assert _cells_40001(result, tmp_path / "data") == WANT_40001
    assert {r["round"] for r in rows(tmp_path / "data" / "40001" / "t1.csv")} == {"pstq-2026-04-09"}


def test_a_bold_title_below_the_table(tmp_path, ontology):  # noqa: F811
    text = (TEST_LETTERS / "40001-new-round.txt").read_text(encoding="utf-8").splitlines()
    k = next(i for i, line in enumerate(text) if line.startswith("Tableau 1"))
    title = "**" + text[k].removeprefix("Tableau 1: ") + "**"
    text[k] = "Le tableau suit."
    total = next(i for i, line in enumerate(text) if line.startswith("Total\t"))
    text[total + 1: total + 1] = ["", title]
    path = tmp_path / "40001.txt"
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    result = ingest(tmp_path / "data", ontology, str(path))
    assert _cells_40001(result, tmp_path / "data") == WANT_40001
    caption = tomllib.loads((tmp_path / "data" / "40001" / "letter.toml").read_text(encoding="utf-8"))["table"][0]
    assert caption["caption"] == title.strip("*") and caption["number"] == ""
    notes = caption["notes"]
    assert len(notes) == 1 and notes[0].startswith("Note importante: Afin d'éviter"), notes  # the title is not a note


def test_a_source_line_is_never_taken_for_a_caption(tmp_path, ontology):  # noqa: F811
    text = (TEST_LETTERS / "40001-new-round.txt").read_text(encoding="utf-8").splitlines()
    k = next(i for i, line in enumerate(text) if line.startswith("Tableau 1"))
    text[k] = "Source: Direction de la Planification de l'immigration, mai 2026"
    path = tmp_path / "40001.txt"
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    result = ingest(tmp_path / "data", ontology, str(path))
    assert result.exit_code == 1
    assert "no caption" in result.output


# ---------------------------------------------------------------- bad PDFs


def _fpdf(pages: int = 1, text: str | None = "Bonjour", encrypt: bool = False) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("helvetica", size=10)
    for _ in range(pages):
        pdf.add_page()
        if text:
            pdf.cell(0, 5, text)
        else:
            pdf.rect(20, 20, 50, 30)
    if encrypt:
        pdf.set_encryption(owner_password="owner", user_password="user")
    return bytes(pdf.output())


BOMB = zlib.compress(bytes(70 << 20), 9)  # 70 MB of zeros in 70 kB


def _bomb(filters: str = "/FlateDecode", stream: bytes = BOMB) -> bytes:
    """A one-page PDF whose content stream decodes through `filters` to 70 MB."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
               b"<< /Length %d /Filter %s >>\nstream\n" % (len(stream), filters.encode()) + stream + b"\nendstream"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for k, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % k + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 5\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def _broken_xref() -> bytes:
    data = _fpdf()
    head, _, tail = data.rpartition(b"startxref")
    return head + b"startxref\n" + b"%d" % (len(data) // 3) + b"\n%%EOF\n"


@pytest.mark.parametrize("name, make, message", [
    ("encrypted.pdf", lambda: _fpdf(encrypt=True), "the PDF is encrypted"),
    pytest.param("scan.pdf", lambda: _fpdf(text=None), "OCR found no text on any of its 1 page(s)",
                 marks=needs_program("tesseract", "tesseract-ocr tesseract-ocr-fra")),
    ("broken.pdf", _broken_xref, "broken PDF: its cross-reference table is not at byte"),
    ("long.pdf", lambda: _fpdf(pages=500, text=None), "the PDF has 500 pages, more than 200"),
    ("bomb.pdf", _bomb, "inflates to more than 64 MB"),
    ("nested.pdf", lambda: _bomb("[/FlateDecode /FlateDecode]", zlib.compress(BOMB, 9)), "inflates to more than 64 MB"),
    ("ascii85.pdf", lambda: _bomb("[/ASCII85Decode /FlateDecode]", base64.a85encode(BOMB, adobe=True)),
     "inflates to more than 64 MB"),
    ("truncated.pdf", lambda: _fpdf()[:200], "broken PDF: no `startxref` at its end"),
])
def test_a_bad_pdf_is_refused_in_one_line_with_exit_2(name, make, message, tmp_path, ontology):  # noqa: F811
    path = tmp_path / name
    path.write_bytes(make())
    start = time.monotonic()
    result = ingest(tmp_path / "data", ontology, str(path))
    assert time.monotonic() - start < 30
    assert result.exit_code == 2, result.output
    assert result.output.startswith(f"error: {path}: ")  # about the whole file: no line or column to give
    assert message in result.output
    assert result.output.count("\n") == 1 and "Traceback" not in result.output
    assert not (tmp_path / "data").exists()


def test_a_pdf_whose_text_is_no_french_letter_is_one_error_naming_its_page(tmp_path, ontology):  # noqa: F811
    """A text layer in another language, without a table: one error, at page 1, saying what a letter holds (exit 1,
    bad data, as an empty text); ingest's report follows on stdout, nothing is written."""
    path = tmp_path / "english.pdf"
    path.write_bytes(_fpdf(text="Dear Sir, please find enclosed the figures you requested."))
    before = files_under(ontology)
    start = time.monotonic()
    result = ingest(tmp_path / "data", ontology, str(path))
    assert time.monotonic() - start < 30
    assert result.exit_code == 1, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("error: ")]
    assert errors == [f"error: {path}:1:1: page 1: no table found: expected a header row such as « Pays de citoyenneté"
                      "<TAB>Nombre d'invitations » under a caption « Tableau N … »"]
    assert "Traceback" not in result.output and "nothing written" in result.output
    assert not (tmp_path / "data").exists() and files_under(ontology) == before
