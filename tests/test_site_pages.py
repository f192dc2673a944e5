"""The pages of a built folder, read as files (no browser): what each holds, that every link
resolves inside the folder, that build and serve make the same tables, and the dataset series of
the catalog. tests/test_site_browser.py opens the same pages in Chromium."""

from __future__ import annotations

import html.parser
import posixpath
import re
import urllib.parse
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import RDF

from conftest import ROOT, run
from mifi_rdf.build.config import Options, load_config
from mifi_rdf.build.facts import gather_facts
from mifi_rdf.build.history import History
from mifi_rdf.render.text import number
from mifi_rdf.render.website import Website

BASE = "https://w3id.org/mifi-rdf/"
SERIES = rdflib.URIRef(BASE + "series/pstq-invitations-by-country")
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")  # DCAT 3 (rdflib's DCAT knows no series)


class Links(html.parser.HTMLParser):
    """Every href and src of a page, and every id it defines."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src") and value is not None:
                self.links.append(value)
            if name == "id" and value:
                self.ids.add(value)


def parsed(path: Path) -> Links:
    p = Links()
    p.feed(path.read_text(encoding="utf-8"))
    return p


def website(project, **kwargs) -> Website:
    return Website(project, load_config(BASE, Options()), gather_facts(project), sources=ROOT / "sources", **kwargs)


def section(page: str, name: str) -> str:
    return re.search(rf'<section aria-labelledby="{name}">.*?</section>', page, re.S)[0]


# ---------------------------------------------------------------------- links


def test_every_link_of_every_page_resolves_inside_the_folder(site):
    """Relative links reach a file of the folder (and a #fragment an id of it); only absolute
    http(s) links leave it (the IRIs, the licence, the EU authority tables)."""
    files = {p.relative_to(site).as_posix(): p for p in site.rglob("*") if p.is_file()}
    pages = sorted(name for name in files if name.endswith(".html"))
    assert len(pages) > 400
    ids: dict[str, set[str]] = {}
    broken = []
    for page in pages:
        for link in parsed(files[page]).links:
            url = urllib.parse.urlsplit(link)
            if url.scheme in ("http", "https"):
                continue
            assert not url.scheme, f"{page}: {link}"
            target = posixpath.normpath(posixpath.join(posixpath.dirname(page), urllib.parse.unquote(url.path))) \
                if url.path else page
            if target not in files:
                broken.append(f"{page} -> {link}")
            elif url.fragment:
                if target not in ids:
                    ids[target] = parsed(files[target]).ids if target.endswith(".html") else set()
                if url.fragment not in ids[target]:
                    broken.append(f"{page} -> {link} (no such id)")
    assert broken == []


def test_sitemap_lists_every_page_and_robots_names_it(site):
    listed = re.findall(r"<loc>(.*?)</loc>", (site / "sitemap.xml").read_text(encoding="utf-8"))
    pages = sorted(BASE + p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    assert sorted(listed) == pages
    assert f"Sitemap: {BASE}sitemap.xml" in (site / "robots.txt").read_text(encoding="utf-8")


def test_no_page_asks_for_anything_outside_the_site(site):
    """No script, stylesheet, font or image from elsewhere: the JSON-LD block is data, not a script."""
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert not re.search(r"<script(?! type=\"application/ld\+json\")", text), page
        assert not re.search(r"<(link|img|iframe)[^>]+(href|src)=\"https?:", text.replace('rel="alternate"', "")), page
        assert " style=" not in text, page  # everything in the one stylesheet (a strict CSP can forbid inline styles)
    assert "url(" not in (site / "style.css").read_text(encoding="utf-8")


# ---------------------------------------------------------------------- dataset pages


def bound_rows(page: str) -> list[list[str]]:
    """The rows of a page's table of bounds, as text: row headers, column, lower, upper."""
    rows = re.findall(r"<tr>(.*?)</tr>", section(page, "h-bounds"), re.S)
    return [[re.sub(r"<[^>]+>|\s+", " ", c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r, re.S)]
            for r in rows[1:]]


def test_dataset_page_gives_the_audits_bounds_of_each_blanked_cell(site, project):
    # every blanked cell with bounds is listed once, with the exported def:lowerBound/def:upperBound
    attrs = project.bound_attributes()
    fr = (site / "dataset/30735-t1.html").read_text(encoding="utf-8")
    en = (site / "dataset/30735-t1.en.html").read_text(encoding="utf-8")
    assert bound_rows(fr) == [["La Mitis", "PSTQ – volet 1", "3", "11"], ["La Mitis", "PSTQ – volet 3", "0", "8"],
                              ["Les Basques", "PSTQ – volet 1", "2", "10"], ["Les Basques", "PSTQ – volet 3", "0", "8"]]
    assert bound_rows(en)[0] == ["La Mitis", "PSTQ – stream 1", "3", "11"]
    assert attrs.interval(("30735-t1", ("2024-11-29--2026-02-28", "090", "pstq-1"), "declarationsOfInterest")) == ("3", "11")
    # percentages in each language's format; a table that blanks nothing has no such section
    t31180 = bound_rows((site / "dataset/31180-t1.html").read_text(encoding="utf-8"))
    assert ["Information non disponible", "pourcentage des personnes invitées", "0,00", "0,44"] in t31180
    for dataset in project.dataset_ids:
        page = (site / f"dataset/{dataset}.html").read_text(encoding="utf-8")
        blanked = sum(1 for key in attrs if key[0] == dataset)
        assert len(bound_rows(page)) == blanked if blanked else 'id="h-bounds"' not in page
    assert 'id="h-bounds"' not in (site / "dataset/30952-t5.html").read_text(encoding="utf-8")
    # 30735 table 4: six blanks known more closely than its rule (threshold 5, zeros printed) intends
    # (the same remark for the six: said once under the table, not on every row, issue 23)
    t4_page = (site / "dataset/30735-t4.en.html").read_text(encoding="utf-8")
    t4 = bound_rows(t4_page)
    assert len(t4) == 6 and t4[0] == ["Kamouraska", "2023", "1", "2"]
    bounds = section(t4_page, "h-bounds")
    assert bounds.count("narrower than") == 1
    assert ('<p class="remarks">For every one of these cells: narrower than the protection intends: the rule alone says '
            "1 to 4.</p>") in bounds



def test_dataset_page_shows_every_printed_number_in_each_languages_format(site, project):
    table = next(t for letter in project.letters for t in letter.tables if t.dataset_id == "30952-t5")
    fr = (site / "dataset/30952-t5.html").read_text(encoding="utf-8")
    en = (site / "dataset/30952-t5.en.html").read_text(encoding="utf-8")
    grid_fr, grid_en = section(fr, "h-table"), section(en, "h-table")
    for cell in table.cells:
        assert f">{number(cell.value, 'fr')}<" in grid_fr
        assert f">{number(cell.value, 'en')}<" in grid_en
    assert ">1\u00a0876<" in grid_fr and ">1,876<" in grid_en  # « 1 876 » / "1,876": the total of 4 December 2025
    assert '<tr class="total">' in grid_fr and '<tr class=" residual">' in grid_fr
    assert '<html lang="fr">' in fr and '<html lang="en">' in en
    assert '<p class="other-title" lang="en">PSTQ invitations by country of citizenship — draw of 4 December 2025</p>' in fr


def test_blanked_and_inferred_cells_are_shown_and_explained(site):
    page = (site / "dataset/30735-t2.html").read_text(encoding="utf-8")
    grid = section(page, "h-table")
    assert grid.count('<span aria-hidden="true">x</span><span class="sr">valeur protégée</span>') == 15
    assert '<dt id="t-status-confidential"><span class="symbol">x</span> valeur protégée</dt>' in grid  # the legend
    assert grid.count('class="num inferred') > 0 and '<ol class="notes">' in grid
    notes = re.findall(r'<li id="t-note-(\d+)">', grid)
    assert notes and notes == [str(n) for n in range(1, len(notes) + 1)]
    lost = (site / "dataset/25623-t1.en.html").read_text(encoding="utf-8")
    assert lost.count('<span aria-hidden="true">?</span><span class="sr">value not available</span>') == 287
    assert "No published value to chart" in lost


def test_charts_plot_each_published_cell_once_and_never_a_total(site):
    """One mark per plotted cell; the chart's data table lists the same cells."""
    expected = {
        "30952-t5": ("bar", 24),  # 23 countries and « Autres »; not the total
        "31224-t1": ("line", 16),  # 11 months of DSP, 5 of CSQ; not the adjusted totals, not the empty months
        "31180-t1": ("bar", 49),  # the counts of the municipalities; not the percentages beside them, not the total
        "30735-t1": ("bar", 20),  # the MRCs by stream, without the totals of either
    }
    for ds, (kind, marks) in expected.items():
        chart = section((site / f"dataset/{ds}.html").read_text(encoding="utf-8"), "h-chart")
        assert f'<svg class="chart-{kind}"' in chart, ds
        assert chart.count('class="mark') == marks, ds
        data = chart.split('<table class="chart-data">')[1]
        assert data.count("<tr><th scope=\"row\">") == marks, ds


def test_the_pages_query_returns_the_table(site, project):
    page = (site / "dataset/30735-t3.html").read_text(encoding="utf-8")
    query = html.unescape(re.search(r'<pre class="query" tabindex="0"><code>(.*?)</code></pre>', page, re.S)[1])
    rows = list(project.store().query(query, use_default_graph_as_union=True))
    assert len(rows) == 30
    kamouraska = [r for r in rows if r["mrc_label"].value == "Kamouraska"]
    assert sorted((r["period"].value.rsplit("/", 1)[1], r["value"] and r["value"].value, r["status"].value)
                  for r in kamouraska) == [("2023", "15", "published"), ("2024", None, "confidential"),
                                            ("2025", None, "confidential")]


def test_build_and_serve_make_the_same_table_chart_and_letter(site, project):
    served = website(project, sparql="sparql", history=History.read(site))  # as serve --site has it
    for path in ("dataset/31224-t1.html", "dataset/30952-t5.en.html", "dataset/30735-t1.html", "code/country/FRA.html",
                 "series/pstq-invitations-by-country.html"):
        built = (site / path).read_text(encoding="utf-8")
        made = served.render(path).decode("utf-8")
        for name in re.findall(r'<section aria-labelledby="([\w-]+)">', built):
            if name not in ("h-downloads", "h-sparql"):  # sizes and the run link: what only one of them knows
                assert section(built, name) == section(made, name), (path, name)


# ---------------------------------------------------------------------- code, series, index


def test_country_page_lists_its_invitations_round_after_round(site):
    page = (site / "code/country/TUN.en.html").read_text(encoding="utf-8")
    values = re.findall(r'<td class="num">([\d,]+)</td>', section(page, "g1-h").split('<table class="grid">')[1])
    assert values == ["13", "241", "140", "191", "252"]  # 31 July 2025, then 4 December 2025 to 20 March 2026
    chart = section(page, "g1-h")
    assert chart.count('<circle class="mark"') == 5
    assert chart.count("<path d=") == 1 and chart.count("M") >= 2  # the line breaks where Tunisia is not listed


def test_region_page_gathers_its_mrcs(site):
    page = (site / "code/region/01.html").read_text(encoding="utf-8")
    assert "<h1>Bas-Saint-Laurent</h1>" in page
    assert '<a href="../mrc/140.html">Kamouraska</a>' in page


def test_series_page_combines_the_rounds(site):
    page = (site / "series/pstq-invitations-by-country.html").read_text(encoding="utf-8")
    grid = section(page, "h-table")
    first = re.search(r"<tr>\n<th scope=\"row\"><a href=\"../code/country/FRA.html\">France</a></th>\n(.*?)</tr>", grid, re.S)
    assert re.findall(r">([\d\u00a0]+)<", first[1]) == ["96", "56", "82", "78", "418", "730", "708", "675"]
    total = re.search(r'<tr class="total">(.*?)</tr>', grid, re.S)[1]
    assert re.findall(r'<td class="num">([\d\u00a0]+)</td>', total) == [
        "248", "274", "277", "239", "1\u00a0876", "2\u00a0552", "2\u00a0557", "2\u00a0522"]
    assert 'pas dans ce tableau</dt><dd>non listé dans ce tableau\u00a0: moins de 10, compté dans « Autres »' in grid
    chart = section(page, "h-chart")
    # the 6 countries with the most invitations, each in the rounds it is listed in: 8 + 8 + 5 + 8 + 7 + 7
    assert '<svg class="chart-line"' in chart and chart.count('<circle class="mark"') == 43


def test_index_is_a_schema_org_data_catalog(site):
    import json

    page = (site / "index.html").read_text(encoding="utf-8")
    doc = json.loads(re.search(r'<script type="application/ld\+json">\n(.*?)\n</script>', page, re.S)[1])
    assert doc["@type"] == "DataCatalog" and len(doc["dataset"]) == 15
    assert '<a href="series/pstq-invitations-by-country.html">' in page


# ---------------------------------------------------------------------- the catalog's series


def test_catalog_has_the_series_with_first_last_and_neighbours(site, project):
    g = rdflib.Graph().parse(site / "catalog.ttl")
    members = sorted(g.subjects(DCAT.inSeries, SERIES))
    assert (SERIES, RDF.type, DCAT.DatasetSeries) in g
    assert [str(m).rsplit("/", 1)[1] for m in members] == [f"30952-t{n}" for n in range(1, 9)]
    assert g.value(SERIES, DCAT.first) == rdflib.URIRef(BASE + "dataset/30952-t1")
    assert g.value(SERIES, DCAT.last) == rdflib.URIRef(BASE + "dataset/30952-t8")
    chain = [g.value(SERIES, DCAT.first)]
    while g.value(chain[-1], DCAT.next) is not None:
        following = g.value(chain[-1], DCAT.next)
        assert g.value(following, DCAT.prev) == chain[-1]
        chain.append(following)
    assert chain == [rdflib.URIRef(BASE + f"dataset/30952-t{n}") for n in range(1, 9)]
    assert g.value(rdflib.URIRef(BASE + "dataset/30952-t1"), DCAT.prev) is None


def test_a_series_naming_an_unknown_structure_is_named_with_its_line(tmp_path, data_copy):
    path = data_copy / "catalog.toml"
    text = path.read_text(encoding="utf-8").replace('structure = "invitations-by-country"', 'structure = "nope"')
    path.write_text(text, encoding="utf-8")
    line = text.splitlines().index("[[series]]") + 1
    result = run("--data", str(data_copy), "build", str(tmp_path / "site"))
    assert result.exit_code == 1
    assert f"catalog.toml:{line}:1: [[series]] #1 (pstq-invitations-by-country): unknown structure 'nope'" in result.output
    assert not (tmp_path / "site").exists()


# ---------------------------------------------------------------------- long code pages


@pytest.mark.slow
def test_a_code_with_more_than_a_thousand_cells_is_paged(tmp_path):
    """A country of a cube with 1,050 rounds: two pages of at most 1,000 cells."""
    import sys

    sys.path.insert(0, str(ROOT / "bench"))
    from bench_export import COUNTRIES, make_project
    from mifi_rdf.project import load_project

    data, onto = make_project((len(COUNTRIES) + 2) * 1050, tmp_path)  # 1,050 rounds of every country
    project = load_project(data=data, ontology=onto)
    site = website(project)
    pages = [p for p in site.paths() if p.startswith("code/country/FRA.")]
    assert sorted(pages) == ["code/country/FRA.en.html", "code/country/FRA.html", "code/country/FRA.p2.en.html",
                             "code/country/FRA.p2.html"]
    first, second = (site.render(p).decode("utf-8") for p in ("code/country/FRA.html", "code/country/FRA.p2.html"))
    rows = [page.count('<tr>\n<th scope="row">') for page in (first, second)]
    assert rows == [1000, 50]
    assert "<svg class" not in first  # 1,050 undated rounds: too many bars; the table says it
    assert '<a href="FRA.p2.html">2</a>' in first and '<span aria-current="page">2</span>' in second


def test_paths_stay_inside_the_site(project):
    site = website(project)
    for path in site.paths():
        assert not posixpath.isabs(path) and ".." not in path.split("/"), path
    assert site.render("../pyproject.toml") is None and site.render("/etc/passwd") is None



def test_each_kind_of_inference_has_its_own_swatch_in_the_legend_and_on_its_cells(site):
    # 30735 table 2 has columns inferred from the layout and from the totals: one colour shared by both
    # made them impossible to tell apart (issue 23)
    page = (site / "dataset/30735-t2.html").read_text(encoding="utf-8")
    grid = section(page, "h-table")
    swatches = dict((label.strip(), kind) for kind, label in re.findall(
        r'<dt><span class="symbol inferred (inf-\d)">1</span> ([^<]+)</dt>', grid))
    assert set(swatches) == {"colonne déduite de la mise en page", "colonne déduite des totaux"}
    assert len(set(swatches.values())) == 2
    on_cells = set(re.findall(r'<td class="num inferred (inf-\d)', grid))
    assert on_cells == set(swatches.values())
    css = (site / "style.css").read_text(encoding="utf-8")
    colours = {kind: re.search(rf"\.inferred\.{kind} {{ background: (#[0-9a-f]{{6}}); }}", css)[1] for kind in on_cells}
    assert len(set(colours.values())) == 2


def test_a_long_label_of_a_bar_chart_wraps_instead_of_being_cut(site):
    page = (site / "dataset/30952-t5.html").read_text(encoding="utf-8")
    labels = re.findall(r'<text text-anchor="end" class="category">(.*?)</text>', page)
    congo = next(x for x in labels if "Congo" in x)
    assert re.findall(r"<tspan[^>]*>([^<]*)</tspan>", congo) == ["République démocratique du", "Congo"]
    assert "…" not in congo and "<title>" not in congo
    assert all(len(t) <= 26 for x in labels for t in re.findall(r"<tspan[^>]*>([^<]*)</tspan>", x))


def test_wrap_label_breaks_between_words_or_after_a_hyphen_and_cuts_only_what_is_left():
    from mifi_rdf.render.charts import wrap_label

    assert wrap_label("France") == ["France"]
    assert wrap_label("Saint-Vincent-et-les-Grenadines") == ["Saint-Vincent-et-les-", "Grenadines"]
    assert wrap_label("Iran, République islamique d'") == ["Iran, République islamique", "d'"]
    long = wrap_label("Saint-Vincent-et-les-Grenadines et quelque chose de plus")
    assert long == ["Saint-Vincent-et-les-", "Grenadines et quelque cho…"]


def test_distinct_remarks_of_the_bounds_table_are_each_said_once_and_numbered(project, monkeypatch):
    from dataclasses import replace

    from mifi_rdf.render.website import Website

    real = Website.bounds

    def two_rules(self, grid):  # the real bounds of 30735 table 4, half of them given another rule
        return [replace(b, rule=(1, 4) if i % 2 else (0, 9)) for i, b in enumerate(real(self, grid))]

    monkeypatch.setattr(Website, "bounds", two_rules)
    page = website(project).render("dataset/30735-t4.en.html").decode("utf-8")
    bounds = section(page, "h-bounds")
    assert re.findall(r'<li id="b-remark-(\d)">([^<]+)</li>', bounds) == [
        ("1", "narrower than the protection intends: the rule alone says 0 to 9"),
        ("2", "narrower than the protection intends: the rule alone says 1 to 4")]
    marks = re.findall(r'<a class="ref" href="#b-remark-(\d)">remark \1</a>', bounds)
    assert marks == ["1", "2", "1", "2", "1", "2"]
