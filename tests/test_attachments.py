"""`mifi-rdf ingest` of Word and Excel attachments (issue 19 item 4, issue 23's spreadsheet items).

The files are made here, in tmp_path, by python-docx and openpyxl from the letters' texts of
sources/letters/ (tests/attachment_files.py), and must ingest to exactly the cells of data/. Hostile
archives (not a zip, a DOCTYPE with an external entity or a billion laughs, parts that inflate to
1.5 GB, formulas saved without their values) end in one line and their exit code; the two that
would take gigabytes run in a fresh process limited to 1 GB of address space and 10 s.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import tomllib

import pytest

import attachment_files as files
from conftest import ROOT
from test_ingest import KEY, files_under, ingest, rows

CURATED = ROOT / "data"


@pytest.fixture
def ontology(tmp_path):
    """A private copy of ontology/ that ingest may add rounds and periods to."""
    return shutil.copytree(ROOT / "ontology", tmp_path / "ontology")


def same_cells(written, ref: str) -> None:
    """Every CSV of the written letter equals data/'s, cell for cell (dimensions, value, status, inference)."""
    curated = tomllib.loads((CURATED / ref / "letter.toml").read_text(encoding="utf-8"))
    mine = tomllib.loads((written / ref / "letter.toml").read_text(encoding="utf-8"))
    assert [t["id"] for t in mine["table"]] == [t["id"] for t in curated["table"]]
    for t, c in zip(mine["table"], curated["table"], strict=True):
        assert (t["caption"], t["structure"], t["notes"], t["suppression_method"]) == \
            (c["caption"], c["structure"], c["notes"], c["suppression_method"]), t["id"]
        got, want = rows(written / ref / f"{t['id']}.csv"), rows(CURATED / ref / f"{c['id']}.csv")
        dims = [k for k in want[0] if k not in KEY + ["note_fr", "note_en"]]
        assert [[r[k] for k in dims + KEY] for r in got] == [[r[k] for k in dims + KEY] for r in want], t["id"]


# ---------------------------------------------------------------- the letters as Word and Excel files


def test_31180_as_a_word_document_gives_the_cells_of_data(tmp_path, ontology):
    path = files.letter_docx("31180", tmp_path / "31180.docx", wrap_headers=True)
    import docx

    header = docx.Document(str(path)).tables[0].rows[0].cells[1]
    assert [p.text for p in header.paragraphs] == ["Nombre de", "personnes invitées"], "a header cell on two lines"
    result = ingest(tmp_path / "data", ontology, str(path))
    assert result.exit_code == 0, result.output
    assert "page break     line" in result.output  # the table continued after its repeated header
    same_cells(tmp_path / "data", "31180")
    written = tomllib.loads((tmp_path / "data" / "31180" / "letter.toml").read_text(encoding="utf-8"))
    curated = tomllib.loads((CURATED / "31180" / "letter.toml").read_text(encoding="utf-8"))
    for field in ("ref", "letter_date", "received", "clarified", "programs", "articles", "issued_by_fr"):
        assert written[field] == curated[field], field
    assert written["source_text"] == "31180.docx"


def test_31224_with_merged_header_cells_gives_the_cells_of_data(tmp_path, ontology):
    path = files.letter_docx("31224", tmp_path / "31224.docx", merge_spans=True)
    import docx

    header = docx.Document(str(path)).tables[0].rows[0]._tr.xml
    assert 'w:gridSpan w:val="6"' in header and "w:vMerge" in header, "the years span their months, « Indicateur » two rows"
    parts = files.members(path)  # and a footnote, which ingest does not read: it must say so
    parts["word/document.xml"] = parts["word/document.xml"].replace(
        b"<w:sectPr", b'<w:p><w:r><w:footnoteReference w:id="1"/></w:r></w:p><w:sectPr', 1)
    files.write_zip(path, parts)
    result = ingest(tmp_path / "data", ontology, str(path))
    assert result.exit_code == 0, result.output
    assert "to review: the document has 1 footnote(s), not read" in result.output
    same_cells(tmp_path / "data", "31224")


def test_an_excel_table_without_the_letter_takes_its_facts_from_the_options(tmp_path, ontology):
    path = files.letter_xlsx("31180", tmp_path / "31180.xlsx")
    data = tmp_path / "data"
    refused = ingest(data, ontology, str(path))
    assert refused.exit_code == 1
    assert "give it with --reference NNNNN" in refused.output and not data.exists()
    result = ingest(data, ontology, str(path), "--reference", "31180", "--date", "2026-06-03", "--received", "2026-05-06",
                    "--request-fr", "Sous forme de tableaux, la répartition géographique par municipalité des invitations.")
    assert result.exit_code == 0, result.output
    assert "to review: ref: given with --reference (31180.xlsx does not state it)" in result.output
    same_cells(data, "31180")
    text = (data / "31180" / "letter.toml").read_text(encoding="utf-8")
    assert 'letter_date = 2026-06-03  # given with --date: 31180.xlsx does not state it' in text
    doc = tomllib.loads(text)
    assert (doc["ref"], str(doc["received"]), doc["request_fr"][:17]) == ("31180", "2026-05-06", "Sous forme de tab")


def test_a_table_without_a_total_row_ends_before_its_notes(tmp_path, ontology):
    """31224's total is a column: its table ends at the blank row before « Notes: », whose rows are notes;
    its header cells are merged (the years over their months)."""
    path = files.letter_xlsx("31224", tmp_path / "31224.xlsx", merge_spans=True)
    assert b'<mergeCell ref="B3:G3"/>' in files.members(path)["xl/worksheets/sheet1.xml"], "2025 over its six months"
    result = ingest(tmp_path / "data", ontology, str(path), "--reference", "31224", "--date", "2026-06-10",
                    "--received", "2026-06-01")
    assert result.exit_code == 0, result.output
    same_cells(tmp_path / "data", "31224")


def test_every_sheet_of_a_workbook_is_read(tmp_path, ontology):
    import openpyxl

    book = openpyxl.Workbook()
    for row in files.SHEET_ROWS:
        book.active.append(row)
    second = book.create_sheet("Tableau 2")
    for row in [["Tableau 2: Nombre d'invitations envoyées aux candidats selon leur pays de citoyenneté pour le Programme de "
                 "sélection des travailleurs qualifiés _ Invitation du 17 juillet 2025"], [""],
                ["Pays de citoyenneté", "Nombre d'invitations"], ["Tunisie", 45], ["Total", 45]]:
        second.append(row)
    book.save(tmp_path / "two.xlsx")
    result = ingest(tmp_path / "data", ontology, str(tmp_path / "two.xlsx"), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "2 table(s)" in result.output
    # sheet 1 is lines 1-8, a blank line 9, then sheet 2 from line 10: its header (row 3) is line 12
    assert "t2 (Tableau 2), line 12: invitations-by-country [round=pstq-2025-07-17]" in result.output


def test_an_option_that_contradicts_the_file_is_refused(tmp_path, ontology):
    path = files.letter_docx("31180", tmp_path / "31180.docx")
    result = ingest(tmp_path / "data", ontology, str(path), "--date", "2026-06-04", "--dry-run")
    assert result.exit_code == 1
    assert "the file states the letter's date 2026-06-03, but --date says 2026-06-04" in result.output


@pytest.mark.parametrize("option, value, message", [
    ("--date", "2026-02-30", "--date: expected a date written YYYY-MM-DD (e.g. 2026-05-15), got '2026-02-30'"),
    ("--date", "3 juin 2026", "--date: expected a date written YYYY-MM-DD"),
    ("--reference", "31180a", "--reference: expected the letter's N/Réf., 3 to 12 digits"),
    ("--reference", "31\u202e180", "--reference: character 3 is U+202E (RIGHT-TO-LEFT OVERRIDE)"),
    ("--request-fr", "Les invitations\x1b[2J", "--request-fr: character 16 is U+001B"),
])
def test_option_values_are_checked_before_anything_is_read(tmp_path, ontology, option, value, message):
    result = ingest(tmp_path / "data", ontology, str(tmp_path / "absent.xlsx"), option, value)
    assert result.exit_code == 2
    assert result.output.strip() == f"error: {message}" or result.output.startswith(f"error: {message}")
    assert len(result.output.strip().splitlines()) == 1


def test_a_bad_figure_in_a_word_table_names_the_table_row_and_cell(tmp_path, ontology):
    text = (files.LETTERS / "31180.txt").read_text(encoding="utf-8")
    assert "Granby\t43\t0,8" in text
    path = files.letter_docx("31180", tmp_path / "31180.docx", text=text.replace("Granby\t43\t0,8", "Granby\t4-3\t0,8"))
    result = ingest(tmp_path / "data", ontology, str(path))
    assert result.exit_code == 1
    assert "expected a number in French notation" in result.output
    assert "[table 1, row 15, cell 2]" in result.output


def test_an_excel_formula_is_read_from_the_value_saved_with_it(tmp_path, ontology):
    path = files.hostile("xlsx-formula", tmp_path)
    parts = files.members(path)
    sheet = "xl/worksheets/sheet1.xml"
    assert b"<f>SUM(B7:B8)</f><v></v>" in parts[sheet]
    parts[sheet] = parts[sheet].replace(b"<f>SUM(B7:B8)</f><v></v>", b"<f>SUM(B7:B8)</f><v>552</v>")
    files.write_zip(path, parts)
    result = ingest(tmp_path / "data", ontology, str(path), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "3 cells read from 3 rows; 3 labels matched exactly; 1 totals" in result.output  # 512 + 40 = 552, checked


def test_csv_and_xlsx_are_read_without_pandas(tmp_path):
    path = files.simple_xlsx(tmp_path / "t.xlsx", files.SHEET_ROWS)
    (tmp_path / "t.csv").write_text("N/Réf. : 40011;\nPays de citoyenneté;Nombre d'invitations\nFrance;1 874\n", encoding="utf-8")
    code = ("import sys; from pathlib import Path; from mifi_rdf.ingest.sheet import read_sheet; "
            f"x = read_sheet(Path({str(path)!r})); c = read_sheet(Path({str(tmp_path / 't.csv')!r})); "
            "print('pandas' in sys.modules, x.lines[6].text, '|', c.lines[2].text)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30,
                          env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    assert done.stdout.strip() == "False France\t512 | France\t1 874", done.stderr


# ---------------------------------------------------------------- hostile files (issue 23)

HOSTILE = [
    ("xlsx-not-zip", 2, r"xlsx-not-zip\.xlsx:1:1: not an Excel workbook: not a zip archive"),
    ("xlsx-external-entity", 2, r"part xl/worksheets/sheet1\.xml declares a DOCTYPE or an entity"),
    ("xlsx-billion-laughs", 2, r"part xl/worksheets/sheet1\.xml declares a DOCTYPE or an entity"),
    ("xlsx-formula", 1, r"xlsx-formula\.xlsx:9:\d+: sheet « Sheet », cell B9 holds the formula =SUM\(B7:B8\) without the value"),
    ("xlsx-far-row", 2, r"xlsx-far-row\.xlsx:1:1: sheet « Sheet » has more than 100,000 rows"),
    ("xlsx-far-column", 2, r"sheet « Sheet », row 1: a cell in column XFD, beyond the 500 columns"),
    ("docx-not-zip", 2, r"docx-not-zip\.docx:1:1: not a Word document: not a zip archive"),
    ("docx-external-entity", 2, r"part word/document\.xml declares a DOCTYPE or an entity"),
    ("docx-billion-laughs", 2, r"part word/document\.xml declares a DOCTYPE or an entity"),
]
HUGE = [
    ("xlsx-shared-string-bomb", r"part xl/sharedStrings\.xml inflates to 1\.5 GB \(\d[\d,]* times its 1\.5 MB"),
    ("docx-inflating", r"part word/document\.xml inflates to 1\.5 GB"),
]


@pytest.mark.parametrize("kind, code, message", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_a_hostile_attachment_is_one_line_and_its_exit_code(tmp_path, ontology, kind, code, message):
    import re

    path = files.hostile(kind, tmp_path)
    before = files_under(ontology)
    result = ingest(tmp_path / "data", ontology, str(path))
    errors = [line for line in result.output.splitlines() if line.startswith("error: ")]
    assert result.exit_code == code, result.output
    assert len(errors) == 1 and re.search(message, errors[0]), result.output
    assert not (tmp_path / "data").exists() and files_under(ontology) == before


def _limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


@pytest.mark.parametrize("kind, message", HUGE, ids=[h[0] for h in HUGE])
def test_an_attachment_that_inflates_to_gigabytes_is_refused_in_1_gb_and_10_s(tmp_path, kind, message):
    import re

    path = files.hostile(kind, tmp_path)
    assert path.stat().st_size < 2 << 20
    done = subprocess.run([sys.executable, "-m", "mifi_rdf", "--data", str(tmp_path / "data"), "ingest", str(path)],
                          capture_output=True, text=True, timeout=10, preexec_fn=_limited, cwd=tmp_path,
                          env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    errors = done.stderr.strip().splitlines()
    assert len(errors) == 1 and re.search(message, errors[0]), done.stderr
    assert not (tmp_path / "data").exists()


def test_a_fifo_a_folder_or_an_old_format_is_refused_before_it_is_opened(tmp_path):
    """A FIFO would block the reader forever (issue 23): refused by type, in a process that may not hang;
    an .xls says how to get the .xlsx ingest reads."""
    for name in ("fifo.xlsx", "fifo.docx", "fifo.csv"):
        os.mkfifo(tmp_path / name)
    (tmp_path / "folder.xlsx").mkdir()
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    code = ("from pathlib import Path; from mifi_rdf.ingest.run import read_input; from mifi_rdf.errors import InputError\n"
            "for name in ('fifo.xlsx', 'fifo.docx', 'fifo.csv', 'folder.xlsx', 'old.xls'):\n"
            "    try: read_input(Path(name))\n"
            "    except InputError as e: print(type(e).__name__, e)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=10, cwd=tmp_path,
                          env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    assert done.stdout.splitlines() == [
        "UnreadableInput fifo.xlsx: is a FIFO (named pipe): expected a regular file",
        "UnreadableInput fifo.docx: is a FIFO (named pipe): expected a regular file",
        "UnreadableInput fifo.csv: is a FIFO (named pipe): expected a regular file",
        "UnreadableInput folder.xlsx: is a folder: expected a regular file",
        "Unreadable old.xls:1:1: this is an Excel 97-2003 workbook: save it as .xlsx (Excel or LibreOffice: Save as) and "
        "ingest that",
    ], done.stderr


def test_csv_lines_are_the_file_lines_even_after_a_quoted_line_break(tmp_path):
    from mifi_rdf.ingest.sheet import read_sheet

    path = tmp_path / "t.csv"
    path.write_bytes('\ufeffN/Réf. : 40011\n"Tableau 1: Nombre\nd\'invitations"\n\nPays de citoyenneté;Nombre\n'
                     'France;512\nHaïti\nTotal;512\n'.encode())
    reading = read_sheet(path)
    assert [(line.number, line.text) for line in reading.lines] == [
        (1, "N/Réf. : 40011"), (2, "Tableau 1: Nombre d'invitations"), (4, ""), (5, "Pays de citoyenneté\tNombre"),
        (6, "France\t512"), (7, "Haïti\t"), (8, "Total\t512")]
    assert reading.where(6, 8) is None  # a CSV's line:col are the file's own
