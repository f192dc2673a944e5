"""The release pages (render/changes.py) in a real browser: Debian's Chromium driven by Playwright, as in
tests/test_site_browser.py (skipped without it, unless MIFI_RDF_REQUIRE_SERVERS=1). Pages made from the hand-made
history of tests/test_release_pages.py: axe-core finds no serious or critical violation, no page is wider than a
phone, no request leaves the site, and the numbers of a revised cell read as each language writes them.
"""

from __future__ import annotations

import pytest

from mifi_rdf.build.config import Options, load_config
from mifi_rdf.build.facts import gather_facts
from mifi_rdf.render.website import Website
from test_release_pages import BASE, GONE, make_history
from test_site_browser import Tab, axe_violations, browser, file_url  # noqa: F401 - browser is a fixture

PAGES = ["index.html", "changes/index.html", "changes/2026-01.html", "changes/2026-02.html", "changes/2026-02.en.html",
         "changes/2026-03.html", "changes/2026-03.en.html", f"dataset/{GONE}.html", f"dataset/{GONE}.en.html",
         "dataset/30952-t5.html", "dataset/30952-t5.en.html"]


@pytest.fixture(scope="module")
def pages(tmp_path_factory, project):
    root = tmp_path_factory.mktemp("release-pages")
    website = Website(project, load_config(BASE, Options()), gather_facts(project), history=make_history(project))
    for path in website.paths():  # every page, so that links inside the site resolve
        if path.startswith(("dataset/", "changes/", "code/", "series/", "def/")) or "/" not in path:
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_bytes(website.render(path))
    return root


@pytest.mark.slow  # every page of the site written, then axe on eleven (about 20 s)
def test_release_pages_are_accessible_narrow_and_stay_in_the_site(browser, pages):  # noqa: F811
    found = {}
    tab = Tab(browser)
    narrow = Tab(browser, width=360)
    for path in PAGES:
        visit = tab.open(file_url(pages, path))
        trouble = [*visit.errors, *visit.outside]  # what loading the page did, before axe reads the stylesheet
        problems = axe_violations(visit.page)
        if problems or trouble:
            found[path] = [*problems, *trouble]
        width = narrow.open(file_url(pages, path)).page.evaluate("document.scrollingElement.scrollWidth")
        assert width <= 360, path
    text = tab.open(file_url(pages, "changes/2026-02.html")).page.inner_text("main")
    assert "valeur perdue\t1\u00a0200" in text and "418\t421" in text
    text = tab.open(file_url(pages, "changes/2026-02.en.html")).page.inner_text("main")
    assert "value not available\t1,200" in text
    tab.close()
    narrow.close()
    assert found == {}
