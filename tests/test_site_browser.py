"""The built site opened in a real browser: Debian's Chromium, driven by Playwright for Python.

What a reader sees: the numbers of every table in the rendered text (in each language's format),
one mark per plotted cell in every chart, links that lead to files of the folder, no console error
and no request leaving the site, a status shown on focus, no page wider than a phone, the page the
server makes the same as the built one, and axe-core (tests/vendor/axe.min.js, MPL-2.0) reporting
no serious or critical accessibility violation.

Chromium is not downloaded by Playwright (`playwright install` is never run): the tests launch
the system's `chromium`. Without it (or without the `playwright` package) they are skipped, unless
MIFI_RDF_REQUIRE_SERVERS=1, as in CI, where they fail instead.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import urllib.parse
from pathlib import Path

import pytest

from mifi_rdf.render.text import number

HERE = Path(__file__).resolve().parent
AXE = HERE / "vendor" / "axe.min.js"
AXE_SHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"  # axe-core 4.14.1
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
REQUIRED = os.environ.get("MIFI_RDF_REQUIRE_SERVERS") == "1"
# pages axe checks: every kind of page, both languages of the main ones
AXE_PAGES = ["index.html", "index.en.html", "dataset/30952-t5.html", "dataset/30952-t5.en.html",
             "dataset/30735-t2.html", "dataset/31224-t1.en.html", "dataset/25623-t1.html", "dataset/31180-t1.html",
             "series/pstq-invitations-by-country.html", "series/pstq-invitations-by-country.en.html",
             "code/country/FRA.html", "code/country/FRA.en.html", "code/region/01.html",
             "code/round/pstq-2025-12-04.html", "code/period/2025-07--2026-05.en.html", "code/country.html",
             "def/index.html", "def/country.en.html"]


def missing() -> str | None:
    if CHROMIUM is None:
        return "no chromium on PATH (Debian package `chromium`)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the Python package `playwright` is not installed (it is in the test extras)"
    return None


@pytest.fixture(scope="module")
def browser():
    reason = missing()
    if reason is not None:
        if REQUIRED:
            pytest.fail(f"{reason}, and MIFI_RDF_REQUIRE_SERVERS=1 requires the browser tests")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        # no sandbox: CI runs as root, where Chromium's sandbox cannot start; the pages are our own files
        b = p.chromium.launch(executable_path=CHROMIUM, chromium_sandbox=False)
        yield b
        b.close()


class Tab:
    """One browser tab, reused from page to page (a new tab per page costs more than the page),
    recording what went wrong while loading the current page."""

    def __init__(self, browser, width: int = 1100, bypass_csp: bool = False) -> None:
        self.page = browser.new_page(viewport={"width": width, "height": 900}, bypass_csp=bypass_csp)
        self.errors: list[str] = []
        self.outside: list[str] = []
        self.root: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("requestfailed", lambda r: self.errors.append(f"failed: {r.url}"))
        self.page.on("request", lambda r: None if r.url.split("/", 3)[:3] == self.root or r.url.startswith("data:")
                     else self.outside.append(r.url))

    def open(self, url: str) -> Tab:
        self.errors.clear()
        self.outside.clear()
        self.root = url.split("/", 3)[:3]
        response = self.page.goto(url)
        assert response is None or response.ok, url
        return self

    def close(self) -> None:
        self.page.close()


def file_url(site: Path, path: str) -> str:
    return (site / path).as_uri()


@pytest.mark.slow
def test_every_table_shows_its_numbers_in_each_language(browser, site, project):
    tab = Tab(browser)
    for letter in project.letters:
        for table in letter.tables:
            for lang, suffix in (("fr", ".html"), ("en", ".en.html")):
                visit = tab.open(file_url(site, f"dataset/{table.dataset_id}{suffix}"))
                text = visit.page.inner_text("section[aria-labelledby=h-table] table.grid")
                for cell in table.cells:
                    if cell.value is not None:
                        assert number(cell.value, lang) in text, (table.dataset_id, lang, cell.line)
                blanked = sum(1 for c in table.cells if c.value is None)
                assert visit.page.locator("table.grid td.st").count() == blanked, table.dataset_id
                assert visit.errors == [] and visit.outside == [], (table.dataset_id, visit.errors, visit.outside)
    tab.close()


@pytest.mark.slow
def test_each_chart_draws_one_mark_per_plotted_cell(browser, site, project):
    checked = 0
    tab = Tab(browser)
    pages = [f"dataset/{ds}.html" for ds in project.dataset_ids] + [
        "series/pstq-invitations-by-country.html", "code/country/FRA.html", "code/country/TUN.en.html"]
    for path in pages:
        visit = tab.open(file_url(site, path))
        for figure in visit.page.locator("figure.chart").all():
            titles = figure.locator("svg .mark").evaluate_all("marks => marks.map(m => m.textContent)")
            values = figure.locator("table.chart-data tbody td.num").evaluate_all("cells => cells.map(c => c.textContent)")
            assert len(titles) == len(values) > 1, path
            assert [t.rsplit(": ", 1)[1] for t in titles] == values, path  # the same cells, in the same order
            box = figure.locator("svg[role=img]").bounding_box()
            assert box["width"] > 300 and box["height"] > 100, path
            checked += 1
    tab.close()
    assert checked >= 15


def test_links_lead_to_files_of_the_folder(browser, site):
    """As the browser resolves them: every link of these pages that is not http(s) is a file of the folder."""
    root = site.resolve()
    tab = Tab(browser)
    for path in ["index.html", "dataset/30952-t5.en.html", "code/country/FRA.html", "series/pstq-invitations-by-country.html",
                 "code/region/01.en.html", "def/index.html"]:
        visit = tab.open(file_url(site, path))
        hrefs = visit.page.eval_on_selector_all("a[href], link[href]", "els => els.map(e => e.href)")
        assert len(hrefs) > 5, path
        for href in hrefs:
            url = urllib.parse.urlsplit(href)
            if url.scheme in ("http", "https"):
                continue
            assert url.scheme == "file", href
            target = Path(urllib.parse.unquote(url.path)).resolve()
            assert target.is_file() and root in target.parents, f"{path}: {href}"
    tab.close()


def test_a_blanked_cell_says_why_on_focus(browser, site):
    visit = Tab(browser).open(file_url(site, "dataset/30735-t2.html"))
    flag = visit.page.locator("table.grid .flag").first
    assert visit.page.evaluate("e => getComputedStyle(e, '::after').content", flag.element_handle()) in ("none", "normal")
    flag.focus()
    assert visit.page.evaluate("e => getComputedStyle(e, '::after').content", flag.element_handle()) == '"valeur protégée"'
    visit.close()


def test_no_page_is_wider_than_a_phone(browser, site):
    """At 360 px, wide tables scroll inside their own region; the page itself never scrolls sideways."""
    tab = Tab(browser, width=360)
    for path in ["dataset/30735-t2.html", "dataset/25623-t1.en.html", "series/pstq-invitations-by-country.html",
                 "code/country/FRA.html", "index.html"]:
        visit = tab.open(file_url(site, path))
        assert visit.page.evaluate("document.scrollingElement.scrollWidth") <= 360, path
    tab.close()


def axe_violations(page) -> list[str]:
    """Serious and critical violations of the WCAG 2.1 A and AA rules (and axe's best practices)."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("""async () => await axe.run(document, {resultTypes: ['violations'],
        runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})""")
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes'][:3]]}"
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.slow
def test_axe_finds_no_serious_or_critical_violation(browser, site):
    assert hashlib.sha256(AXE.read_bytes()).hexdigest() == AXE_SHA256  # the vendored file, unchanged
    found = {}
    tab = Tab(browser)
    for path in AXE_PAGES:
        problems = axe_violations(tab.open(file_url(site, path)).page)
        if problems:
            found[path] = problems
    tab.close()
    assert found == {}


@pytest.mark.slow
def test_the_server_shows_the_same_pages_and_an_accessible_query_page(browser, site, tmp_path):
    from servers import mifi_serve

    with mifi_serve(tmp_path, "--workers", "1") as url:
        served, built = Tab(browser), Tab(browser)
        for path in ("dataset/30952-t5.html", "code/country/FRA.en.html"):
            served.open(f"{url}/{path}")
            built.open(file_url(site, path))
            for selector in ("table.grid", "figure.chart table.chart-data"):
                assert served.page.inner_text(selector) == built.page.inner_text(selector), (path, selector)
            assert served.errors == [] and served.outside == [], served.errors  # no CSP violation either
        text = ("PREFIX def: <https://w3id.org/mifi-rdf/def/> "
                "SELECT ?country (SUM(?n) AS ?total) WHERE { ?o def:country ?country ; def:invitations ?n } GROUP BY ?country")
        query = urllib.parse.urlencode({"query": text})
        visit = served.open(f"{url}/sparql?{query}")
        assert visit.page.locator("table.results tbody tr").count() > 20
        assert served.errors == [], served.errors  # the server's Content-Security-Policy lets the page load whole
        checked = Tab(browser, bypass_csp=True).open(f"{url}/sparql?{query}")  # the same policy forbids injecting axe
        assert axe_violations(checked.page) == []
