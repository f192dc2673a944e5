"""`mifi-rdf ingest LETTER --review FILE.html`: the review page, written whatever the outcome, opened in Debian's
Chromium (Playwright, as tests/test_site_browser.py does): each cell visible with its mark in words, the page
images embedded, no request leaving the page."""

from __future__ import annotations

import re

import pytest

from conftest import LETTERS, ROOT
from mifi_rdf.ingest.sheet import Reading
from test_ingest import ingest, ontology  # noqa: F401  (ontology is a fixture)
from test_site_browser import axe_violations, browser  # noqa: F401  (a fixture: skips without Chromium or Playwright)

PDFS = ROOT / "tests" / "letters" / "pdf"


@pytest.mark.slow  # 30735's placements take seconds
def test_a_refused_letter_still_gets_its_review_page_with_what_needs_a_person(tmp_path, ontology):  # noqa: F811
    """30735's text lost blank cells: ingest refuses it (labels need --map), and the page shows each cell's mark."""
    review = tmp_path / "30735.html"
    result = ingest(tmp_path / "data", ontology, str(LETTERS / "30735.txt"), "--dry-run", "--review", str(review))
    html = review.read_text(encoding="utf-8")
    assert "<img" not in html  # a text letter: no page image
    marks = re.findall(r'data-mark="([a-z-]+)"', html)
    assert marks.count("placed") > 0 and marks.count("person") > 0
    if result.exit_code == 1:
        assert "refused" in html and html.count('<li>') >= result.output.count("error: ")


def test_the_review_page_in_chromium_shows_cells_marks_and_page_images(browser, tmp_path, ontology):  # noqa: F811
    review = tmp_path / "31180.html"
    result = ingest(tmp_path / "data", ontology, str(PDFS / "31180-fpdf.pdf"), "--dry-run", "--review", str(review))
    assert result.exit_code == 0, result.output
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    outside: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(("file:", "data:")) else outside.append(r.url))
    page.goto(review.as_uri())
    cells = page.locator("td.cell")
    assert cells.count() == 104  # 52 rows × (persons, percentage), as data/31180/t1.csv has them
    first = cells.first
    assert first.is_visible() and first.inner_text().strip() == "✓ 1641"
    assert first.get_attribute("data-mark") == "read" and first.get_attribute("title").startswith("read as printed")
    blank = page.locator("tr", has_text="Information non disponible").locator("td.cell").first
    assert blank.inner_text().strip().endswith("x") or blank.inner_text().strip().endswith("—")
    legend = page.locator(".legend li")
    assert legend.count() == 6 and "à confirmer par une personne / needs a person" in legend.last.inner_text()
    images = page.locator(".pages img")
    assert images.count() == 2  # the table is on pages 2 and 3
    assert images.first.evaluate("i => i.complete && i.naturalWidth > 500")
    assert outside == []
    page.close()


def test_the_review_page_of_a_scanned_letter_marks_ocr_cells(browser, tmp_path, ontology, monkeypatch):  # noqa: F811
    """The OCR words of test_ingest_ocr (30952's text, France of table 5 misread): its cells are marked « needs a
    person », the others « OCR, confirmed by the totals »; the page is written though ingest refuses."""
    from mifi_rdf.ingest import run
    from test_ingest_ocr import words_of_letter

    monkeypatch.setattr(run, "read_input", lambda path: Reading(words_of_letter(
        (LETTERS / "30952.txt").read_text(encoding="utf-8"), {(6, "France"): ("478", 55.0)})))
    review = tmp_path / "scan.html"
    result = ingest(tmp_path / "data", ontology, str(tmp_path / "letter.pdf"), "--review", str(review))
    assert result.exit_code == 1
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    page.goto(review.as_uri())
    assert page.locator('td[data-mark="person"]').count() == 25
    assert page.locator('td[data-mark="ocr-totals"]').count() == 148 - 25
    assert page.locator("#t5 td.cell").first.inner_text().strip() == "⚠ 478"
    assert page.locator(".errors li").count() == 26  # 25 figures and the total that does not add up
    page.close()


def test_an_unreadable_letter_gets_a_review_page_that_says_why(tmp_path, ontology):  # noqa: F811
    letter = tmp_path / "letter.pdf"
    letter.write_bytes(b"not a PDF at all")
    review = tmp_path / "review.html"
    result = ingest(tmp_path / "data", ontology, str(letter), "--review", str(review))
    assert result.exit_code == 2 and result.output.count("\n") == 1
    assert "not a PDF (no %PDF header)" in review.read_text(encoding="utf-8")
    result = ingest(tmp_path / "data", ontology, str(letter), "--review", str(tmp_path / "nowhere" / "r.html"))
    assert result.exit_code == 2 and "cannot write the review page: no folder" in result.output


def test_axe_finds_no_serious_or_critical_violation_on_the_review_page(browser, tmp_path, ontology):  # noqa: F811
    review = tmp_path / "31180.html"
    ingest(tmp_path / "data", ontology, str(PDFS / "31180-fpdf.pdf"), "--dry-run", "--review", str(review))
    page = browser.new_page(viewport={"width": 1300, "height": 900}, bypass_csp=True)  # the page's policy forbids axe
    page.goto(review.as_uri())
    assert axe_violations(page) == []
    page.close()
