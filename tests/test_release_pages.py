"""What readers see of releases (issue 20): the changes pages, the Atom feed, the versions on a dataset's page and
the withdrawal notice, made by render/ from a History written by hand over the bundled data (build/release.py
computes the real one; tests/test_releases.py runs the scripted sequence of builds).

The feed is read by feedparser, as feed readers read it; the pages are parsed as HTML. The history below is made
up for the test: a figure of 30952 table 5 corrected (418 → 421), a cell of 25623 table 1 given a figure where it
had none, a metadata change, figures of 30952 table 6 restated by a later letter (31180), and a test dataset
`99999-t1` (not in data/) withdrawn and replaced by 30952 table 5.
"""

from __future__ import annotations

import html.parser
import re

import feedparser
import pytest

from mifi_rdf.build.config import Options, load_config, version_path
from mifi_rdf.build.facts import gather_facts
from mifi_rdf.build.history import CellChange, Changes, DatasetHistory, History, Version, Withdrawal
from mifi_rdf.render.website import Website

BASE = "https://w3id.org/mifi-rdf/"
GONE = "99999-t1"  # a test dataset, withdrawn: never in data/


def version(n: int, release: str, day: str, notes: str = "") -> Version:
    return Version(n, release, day, f"sha256:{n:064d}", notes or f"Version {n}.", notes or f"Version {n}.")


def make_history(project) -> History:
    ids = list(project.dataset_ids)
    tables = {t.dataset_id: t for letter in project.letters for t in letter.tables}
    r1 = Changes("2026-01", "2026-01-15", None, added=sorted([*ids, GONE]))
    r2 = Changes("2026-02", "2026-02-10", "2026-01", revised={
        "30952-t5": [CellChange(("pstq-2025-12-04", "FRA"), "invitations", "418", "published", "421", "published",
                                "30952", "30952-t5")],
        "25623-t1": [CellChange(("prtq-2021-01-26",), "invitations", None, "not-available", "1200", "published",
                                "25623", "25623-t1")],
    }, metadata={"25623-t1": ["title_en"], "30735-t1": ["code labels"]})
    r3 = Changes("2026-03", "2026-03-05", "2026-02", revised={
        "30952-t6": [CellChange(("pstq-2025-12-04", "FRA"), "invitations", "100", "published", None, "confidential",
                                "31180", "31180-t1")],
    }, withdrawn=[GONE])
    datasets = {}
    for x in ids:
        t = tables[x]
        versions = [version(1, "2026-01", "2026-01-15")]
        if x in ("30952-t5", "25623-t1", "30735-t1"):
            versions.append(Version(2, "2026-02", "2026-02-10", f"sha256:{2:064d}", "Chiffres corrigés.", "Figures corrected."))
        datasets[x] = DatasetHistory(x, t.title_fr, t.title_en, "2026-01-15", versions)
    datasets[GONE] = DatasetHistory(GONE, "Tableau d'essai retiré", "Withdrawn test table", "2026-01-15",
                                    [version(1, "2026-01", "2026-01-15")],
                                    Withdrawal("2026-03", "2026-03-05", "Remplacé par le tableau 5 de la lettre 30952.",
                                               "Replaced by table 5 of letter 30952.", ("30952-t5",)))
    return History([r1, r2, r3], datasets)


@pytest.fixture(scope="module")
def history(project) -> History:
    return make_history(project)


@pytest.fixture(scope="module")
def website(project, history) -> Website:
    return Website(project, load_config(BASE, Options()), gather_facts(project), history=history)


class Page(html.parser.HTMLParser):
    """A page's text and links."""

    def __init__(self, body: bytes) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.ids: list[str] = []
        self.parts: list[str] = []
        self.feed(body.decode("utf-8"))

    def handle_starttag(self, tag, attrs) -> None:
        attrs = dict(attrs)
        if "href" in attrs:
            self.hrefs.append(attrs["href"])
        if "id" in attrs:
            self.ids.append(attrs["id"])

    def handle_data(self, data) -> None:
        self.parts.append(data)

    @property
    def text(self) -> str:
        return re.sub(r"\s+", " ", "".join(self.parts).replace("\u00a0", " "))


def page(website: Website, path: str) -> Page:
    body = website.render(path)
    assert body is not None, path
    return Page(body)


def test_every_release_has_its_page_in_both_languages_and_the_sitemap_lists_them(website):
    for path in ["changes/index.html", "changes/2026-01.html", "changes/2026-02.html", "changes/2026-03.html",
                 f"dataset/{GONE}.html", "feed.xml"]:
        assert website.has(path), path
        if path.endswith(".html"):
            assert website.has(path.replace(".html", ".en.html"))
    sitemap = website.render("sitemap.xml").decode()
    for path in ["changes/index.html", "changes/2026-02.en.html", f"dataset/{GONE}.html", f"dataset/{GONE}.en.html"]:
        assert f"<loc>{BASE}{path}</loc>" in sitemap


def test_no_release_page_gives_one_id_to_two_elements(website):
    for path in website.paths():
        if path.startswith("changes/") or path in (f"dataset/{GONE}.html", "dataset/30952-t5.html"):
            ids = page(website, path).ids
            assert len(ids) == len(set(ids)), (path, sorted(i for i in ids if ids.count(i) > 1))


def test_a_site_without_history_has_no_release_pages(project):
    plain = Website(project, load_config(BASE, Options()), gather_facts(project))
    assert not any(p.startswith("changes/") or p == "feed.xml" for p in plain.paths())
    assert "feed.xml" not in plain.render("index.html").decode()


def test_the_index_of_changes_lists_the_releases_newest_first(website):
    p = page(website, "changes/index.html")
    assert [h for h in p.hrefs if h.startswith("2026-")] == ["2026-03.html", "2026-02.html", "2026-01.html"]
    assert "../feed.xml" in p.hrefs
    assert "16 ajoutés · 0 révisés · 0 métadonnées · 0 retirés" in p.text  # release 1: the 15 datasets and the test one
    assert "0 ajoutés · 2 révisés · 2 métadonnées · 0 retirés" in p.text
    en = page(website, "changes/index.en.html")
    assert [h for h in en.hrefs if h.startswith("2026-")] == ["2026-03.en.html", "2026-02.en.html", "2026-01.en.html"]
    assert "0 added · 1 revised · 0 metadata · 1 withdrawn" in en.text


def test_a_corrected_cell_shows_its_labels_old_and_new_figure_and_its_letter(website):
    body = website.render("changes/2026-02.html").decode()
    rows = re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</tr>", body, re.S)
    assert len(rows) == 2
    # codes → labels through the site's data, linked to the codes' pages; old → new; the letter that states it
    france = Page(rows[1].encode())
    assert france.hrefs == ["../code/round/pstq-2025-12-04.html", "../code/country/FRA.html"]
    assert france.text == ("PSTQ, ronde du 4 décembre 2025 · France nombre d'invitations 418 421 "
                           "Décision d'accès N/Réf. 30952 ")
    # a cell that had no figure: its status in words (suppressed is not zero), the new figure as French writes it
    lost = Page(rows[0].encode()).text
    assert "valeur perdue 1 200 " in lost and " 0 " not in lost
    p = page(website, "changes/2026-02.html")
    assert "Métadonnées modifiées" in p.text
    assert "25623-t1 version 2 : titre anglais" in p.text and "30735-t1 version 2 : libellés des codes" in p.text
    assert p.text.count("version 2") == 4  # 25623-t1 (cells and metadata), 30952-t5, 30735-t1
    assert "2026-01.html" in p.hrefs and "2026-03.html" in p.hrefs  # previous and next release
    assert "Aucun changement" not in p.text
    en = page(website, "changes/2026-02.en.html")
    assert "value not available 1,200" in en.text
    assert "25623-t1 version 2: English title" in en.text
    assert "PSTQ, draw of 4 December 2025 · France number of invitations 418 421" in en.text


def test_a_figure_restated_by_a_later_letter_names_that_letter_and_its_table(website):
    body = website.render("changes/2026-03.html").decode()
    section = body[body.index('id="h-revised"'):body.index('id="h-withdrawn"')]
    assert "31180" in section
    assert 'href="../dataset/31180-t1.html"' in section  # the table that states the new figure, linked
    assert "<td class=\"num\">100</td>\n<td class=\"num\">valeur protégée</td>" in section


def test_the_withdrawn_dataset_is_listed_with_reason_and_replacement(website):
    p = page(website, "changes/2026-03.html")
    assert "Jeux de données retirés" in p.text
    assert "Remplacé par le tableau 5 de la lettre 30952." in p.text
    assert f"../dataset/{GONE}.html" in p.hrefs and "../dataset/30952-t5.html" in p.hrefs
    en = page(website, "changes/2026-03.en.html")
    assert "Replaced by table 5 of letter 30952." in en.text and "../dataset/30952-t5.en.html" in en.hrefs


def test_a_cell_of_a_dataset_the_data_no_longer_has_shows_its_codes(project):
    history = make_history(project)
    history.releases[1].revised[GONE] = [CellChange(("pstq-2025-12-04", "FRA"), "invitations", "12", "published", None,
                                                    "confidential", "99999", GONE)]
    site = Website(project, load_config(BASE, Options()), gather_facts(project), history=history)
    body = site.render("changes/2026-02.html").decode()
    section = body[body.index(f'<h3 id="{GONE}">'):]
    row = re.search(r"<tr>\s*<th scope=\"row\">(.*?)</tr>", section, re.S).group(1)
    assert row.startswith("<code>pstq-2025-12-04</code> · <code>FRA</code></th>")  # no structure to read them with
    assert "<td><span lang=\"zxx\">invitations</span></td>" in row and '<td class="num">12</td>' in row
    assert '<td class="num">valeur protégée</td>' in row  # a status is still a status
    entry = next(e for e in feedparser.parse(site.render("feed.xml")).entries if e.id == f"{BASE}changes/2026-02#{GONE}")
    assert "pstq-2025-12-04 · FRA\u00a0: 12 → valeur protégée (lettre 99999, 99999-t1)" in entry.summary


def test_an_empty_release_says_no_change(project):
    history = make_history(project)
    history.releases.append(Changes("2026-04", "2026-04-01", "2026-03"))
    site = Website(project, load_config(BASE, Options()), gather_facts(project), history=history)
    assert "Aucun changement" in page(site, "changes/2026-04.html").text
    assert "No change" in page(site, "changes/2026-04.en.html").text


def test_the_home_page_links_the_latest_release_and_the_feed(website):
    p = page(website, "index.html")
    assert "changes/2026-03.html" in p.hrefs and "feed.xml" in p.hrefs and "changes/index.html" in p.hrefs
    assert 'type="application/atom+xml" href="feed.xml"' in website.render("index.html").decode()
    assert "changes/2026-03.en.html" in page(website, "index.en.html").hrefs


def test_a_dataset_page_lists_its_versions_and_the_releases_that_changed_it(website, history):
    p = page(website, "dataset/30952-t5.html")
    config = website.config
    for n in (1, 2):
        for fmt in config.formats:
            target = version_path("30952-t5", n, fmt)
            assert target.removeprefix("dataset/") in p.hrefs, target
    assert f"{BASE}dataset/30952-t5/v2" in p.hrefs
    assert "Chiffres corrigés." in p.text
    assert "../changes/2026-02.html" in p.hrefs and "../changes/2026-01.html" in p.hrefs
    assert "../changes/2026-03.html" not in p.hrefs  # release 3 did not touch it
    assert "../changes/2026-03.html" in page(website, "dataset/30952-t6.html").hrefs
    assert "Figures corrected." in page(website, "dataset/30952-t5.en.html").text


def test_the_withdrawal_notice_says_when_why_and_what_replaces_it(website):
    p = page(website, f"dataset/{GONE}.html")
    assert "Jeu de données retiré" in p.text and "Tableau d'essai retiré" in p.text
    assert "Remplacé par le tableau 5 de la lettre 30952." in p.text
    assert "5 mars 2026" in p.text
    assert "30952-t5.html" in p.hrefs and "../changes/2026-03.html" in p.hrefs
    for fmt in website.config.formats:  # its versioned files, still published
        assert version_path(GONE, 1, fmt).removeprefix("dataset/") in p.hrefs
    en = page(website, f"dataset/{GONE}.en.html")
    assert "Withdrawn dataset" in en.text and "Replaced by table 5 of letter 30952." in en.text and "5 March 2026" in en.text


def test_the_feed_is_atom_with_one_entry_per_added_or_revised_dataset_per_release(website, history):
    body = website.render("feed.xml")
    assert body == website.render("feed.xml")  # deterministic
    feed = feedparser.parse(body)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.id == f"{BASE}feed.xml"
    assert feed.feed.title.endswith("changements") and feed.feed.title_detail.language == "fr"
    assert feed.feed.subtitle_detail.language == "fr"
    assert feed.feed.updated == "2026-03-05T00:00:00Z"
    ids = [e.id for e in feed.entries]
    # release 3: 30952-t6 restated by 31180 (no new version); release 2: three new versions; release 1: 16 added
    assert ids[0] == f"{BASE}changes/2026-03#30952-t6"
    assert ids[1:4] == [f"{BASE}dataset/{x}/v2" for x in ("25623-t1", "30735-t1", "30952-t5")]
    assert ids[4:] == [f"{BASE}dataset/{x}/v1" for x in sorted(history.releases[0].added)]
    assert len(ids) == len(set(ids)) == 1 + 3 + 16
    assert not any(GONE in i and "2026-03" in i for i in ids)  # a withdrawal is no entry
    first = feed.entries[0]
    assert first.updated == "2026-03-05T00:00:00Z"
    links = {(link.rel, link.get("hreflang")): link.href for link in first.links}
    assert links[("alternate", "fr")] == f"{BASE}dataset/30952-t6.html"
    assert links[("alternate", "en")] == f"{BASE}dataset/30952-t6.en.html"
    assert links[("related", "fr")] == f"{BASE}changes/2026-03.html"
    v2 = feed.entries[3]
    assert v2.title.startswith("Version 2") and v2.updated == "2026-02-10T00:00:00Z"
    langs = re.findall(r'<p xml:lang="(\w+)">', v2.summary) or re.findall(r'<p lang="(\w+)">', v2.summary)
    assert langs == ["fr", "en"], v2.summary
    assert "PSTQ, ronde du 4 décembre 2025 · France\u00a0: 418 → 421 (lettre 30952, 30952-t5)" in v2.summary
    assert "PSTQ, draw of 4 December 2025 · France: 418 → 421 (letter 30952, 30952-t5)" in v2.summary
    assert "Chiffres corrigés." in v2.summary and "Figures corrected." in v2.summary  # version notes, fr and en
    assert "Revised figures, release 2026-02 of 10 February 2026." in v2.summary
    assert "Chiffres révisés, publication 2026-02 du 10 février 2026." in v2.summary
    t6 = feed.entries[0].summary
    assert "France\u00a0: 100 → valeur protégée (lettre 31180, 31180-t1)" in t6
    assert "France: 100 → suppressed value (letter 31180, 31180-t1)" in t6
    assert [t.term for t in feed.entries[0].tags] == ["revised"]
    assert "New version, release 2026-02 of 10 February 2026." in feed.entries[2].summary  # 30735-t1: metadata only
    assert [t.term for t in feed.entries[2].tags] == ["metadata"]
    assert "Métadonnées modifiées\u00a0: libellés des codes." in feed.entries[2].summary
    assert "Metadata changed: code labels." in feed.entries[2].summary
    added = feed.entries[4]
    assert added.title.startswith("Nouveau") and added.updated == "2026-01-15T00:00:00Z"
    assert "New dataset, release 2026-01 of 15 January 2026." in added.summary
