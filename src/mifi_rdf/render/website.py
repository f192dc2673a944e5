"""The site people read: every page, made from the Project with the Jinja2 templates of templates/.

`Website.paths()` names every file of the site and `Website.render(path)` makes one, so `build`
writes them all and `serve` (without --site) makes each on request: the same bytes either way,
except what only a built folder knows (file sizes) or only a server has (its /sparql endpoint).

Pages, French first (the language of the letters), each with an English twin `….en.html`:
- `index.html`: the datasets grouped by letter and by series (schema.org DataCatalog);
- `dataset/{id}.html`: the table as printed, a chart, the letter, how to cite, downloads, SPARQL;
- `series/{id}.html`: the tables of a dcat:DatasetSeries combined, one table and one chart;
- `code/{list}/{code}.html`: every observation of a code the data uses (paged beyond 1,000 cells);
  regions, which the data reaches through municipalities and MRCs, get one too; `code/{list}.html`
  lists the codes of a list;
- `def/{term}.html`: the classes and properties of our vocabulary, `def/index.html` lists them;
- `style.css` (the one stylesheet), `favicon.svg`, `sitemap.xml`, `robots.txt`.
With the history of a released folder (build/history.py; render/changes.py reads it):
- `changes/{release}.html` for every release, `changes/index.html` listing them, `feed.xml` (render/feed.py);
- `dataset/{id}.html` of a withdrawn dataset: the withdrawal notice; a dataset's page lists its versions.
The letters' texts (sources/letters/) are published by `build` and answered by `serve` beside them.
No page makes a request outside the site: no script, no font, no image but inline SVG.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import jinja2
import pyoxigraph as ox
from markupsafe import Markup, escape

from ..build.config import Config, Download, FileFacts, Format
from ..build.consolidated import Consolidated
from ..build.facts import Facts
from ..build.history import History
from ..build.pages import schema_org
from ..model import Table
from ..namespaces import RDF, XSD
from ..project import Project
from .changes import Releases, release_path
from .charts import Chart, chart_absence, make_chart, words
from .data import TERM_KINDS, Entry, Series, SiteData
from .feed import atom_feed
from .grid import Axis, Grid, Header, make_grid
from .text import (
    LANGS,
    PROPERTY_WORDS,
    SHOWN_ELSEWHERE,
    STATUS_SYMBOLS,
    WORDS,
    Lit,
    cell_note,
    date,
    integer,
    number,
    other,
    short_date,
    size,
    txt,
)

PAGE_ROWS = 1000  # cells per page of a code page
RDF_FORMATS = ("ttl", "jsonld", "nt")  # what a server makes of any resource


@cache
def environment() -> jinja2.Environment:
    """The one template environment: autoescaped, strict about undefined names, stable output."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("mifi_rdf", "templates"),
        autoescape=True,
        auto_reload=False,  # package files do not change while a build runs: no stat per page
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["json_script"] = script_json
    return env


def script_json(doc: dict) -> Markup:
    """JSON for a <script> element: '</' could close the element early, so it is escaped."""
    text = json.dumps(doc, ensure_ascii=False, indent=2).replace("</", "<\\/")
    return Markup(text)  # noqa: S704 - JSON, with the only sequence that could end the element escaped


def static(name: str) -> str:
    """A file of templates/ sent as it is: the stylesheet, the icon."""
    return environment().loader.get_source(environment(), name)[0]  # type: ignore[union-attr]


def lang_path(path: str, lang: str) -> str:
    """The page in `lang`: French at `x.html`, English at `x.en.html`."""
    return path if lang == "fr" else path[: -len(".html")] + ".en.html"


@cache
def rel(target: str, page: str) -> str:
    """A relative URL from the page at `page` (a path in the site) to `target` (another).

    Plain string work on '/'-separated paths (no file system): thousands of links per build."""
    here = page.split("/")[:-1]
    there = target.split("/")
    common = 0
    while common < len(here) and common < len(there) - 1 and here[common] == there[common]:
        common += 1
    return "/".join([".."] * (len(here) - common) + there[common:])


def page_context(path: str, lang: str, site_title: str, bilingual: bool = True) -> dict:
    """What base.html needs on any page: language, words, and links relative to the page at `path`.

    `bilingual`: the page has a twin in the other language (`x.html` / `x.en.html`)."""
    fr_path = path if lang == "fr" else path.replace(".en.html", ".html")
    return {
        "lang": lang, "other_lang": other(lang), "t": WORDS[lang], "path": path, "site_title": site_title,
        "alternate": rel(lang_path(fr_path, other(lang)), path) if bilingual else None,
        "alternate_fr": rel(fr_path, path) if bilingual else None,
        "alternate_en": rel(lang_path(fr_path, "en"), path) if bilingual else None,
        "root": rel(lang_path("index.html", lang), path), "css": rel("style.css", path), "icon": rel("favicon.svg", path),
        "vocab_index": rel(lang_path("def/index.html", lang), path),
        "num": lambda v: number(v, lang), "int": lambda n: integer(n, lang),
        "date": lambda v: date(v, lang), "short_date": lambda v: short_date(v, lang),
        "size": lambda n: size(n, lang), "is_web": is_web, "is_literal": lambda o: isinstance(o, ox.Literal),
        "typed": lambda o: o.datatype.value not in (XSD + "string", RDF + "langString"),
        "symbol": lambda status: STATUS_SYMBOLS.get(status, "?"), "txt": lambda x: txt(x, lang),
    }


def chart_caption(chart: Chart, data: SiteData, lang: str) -> str:
    """What a chart shows: its measures, by what (« Invitations, par pays de citoyenneté »)."""
    measures = " / ".join(dict.fromkeys(data.label(data.measure_iri(mk.entry.table, mk.entry.cell.measure), lang).text
                                        for mk in chart.marks))
    by = data.label(chart.axis, lang).text if chart.axis else ""
    word = WORDS[lang]["by"]
    return f"{measures[:1].upper()}{measures[1:]}, {word} {by}" if by else measures


def is_web(iri: str) -> bool:
    """Only http(s) IRIs become links: a `javascript:` or `data:` IRI in the data must never run."""
    return iri.startswith(("http://", "https://"))


@dataclass(frozen=True)
class Route:
    kind: str
    key: str = ""
    lang: str = "fr"
    page: int = 1


@dataclass(frozen=True)
class Bound:
    """A blanked cell and what the published figures leave possible for it (mifi_rdf.audit)."""

    row: list[Header]
    column: Header
    entry: Entry
    lower: str
    upper: str | None  # None: no upper bound
    rule: tuple[int, int] | None = None  # what the rule alone says, when the bounds are narrower than it intends

    @property
    def disclosed(self) -> bool:
        return self.lower == self.upper


INFERENCE_SWATCHES = 9  # style.css has a colour for .inf-0 … .inf-8, one per kind of inference


def inference_classes(codes) -> dict[str, str]:
    """The CSS class of each kind of inference, in code-list order: a cell inferred from the layout and
    one inferred from the totals shared one colour and one legend swatch (issue 23)."""
    return {code: f"inf-{i % INFERENCE_SWATCHES}" for i, code in enumerate(codes)}


class Website:
    """Every page of the site for one project (see the module docstring).

    `files`: the size and checksum of each data file of a dataset, when the files exist (build);
    None when they do not (serve without --site), in which case the downloads are those a server
    makes from its store (Turtle, JSON-LD, N-Triples) and no size is shown.
    `sparql`: where the SPARQL endpoint is: an absolute URL, a path in the site ("sparql") for the
    server's own, or None.
    `sources`: the project's sources/ folder; a letter's text there (`sources/letters/{ref}.txt`,
    which `build` publishes and `serve` answers) is linked from its datasets' pages.
    `history`: the folder's releases (release.json), for the changes pages, the feed, the versions and
    the withdrawal notices; None for a site that knows no releases.
    """

    def __init__(self, project: Project, config: Config, facts: Facts, *,
                 files: Callable[[Table], list[tuple[Format, FileFacts]]] | None = None,
                 sparql: str | None = None, sources: Path | None = None, history: History | None = None) -> None:
        self.data = SiteData(project, config, facts)
        self.releases = Releases(history, self.data, config.formats) if history is not None else None
        self.config, self.files, self.sparql, self.sources = config, files, sparql, sources
        self.base = self.data.base
        self.env = environment()
        self.routes: dict[str, Route] = {}
        self.page_for: dict[str, str] = {}  # IRI -> its French page
        self.regions = self.data.regions()
        self._domains: dict[tuple[str, ...], list[tuple[str, Header]] | None] = {}
        self._links: dict[tuple[str, str], dict[str, Markup]] = {}
        self._downloads: dict[str, list[Download]] = {}
        self._last: tuple[tuple, object] = ((), None)  # the grids of the last page made, for its other language
        self._plan()

    # ------------------------------------------------------------------ what the site holds

    def _add(self, path: str, kind: str, key: str = "", iri: str | None = None, pages: int = 1) -> None:
        for page in range(1, pages + 1):  # both languages of a page one after the other: they share its grids
            for lang in LANGS:
                p = path if page == 1 else path[: -len(".html")] + f".p{page}.html"
                self.routes[lang_path(p, lang)] = Route(kind, key, lang, page)
        if iri is not None:
            self.page_for[iri] = path

    def _plan(self) -> None:
        d = self.data
        self._add("index.html", "index")
        for t in d.tables:
            self._add(f"dataset/{t.dataset_id}.html", "dataset", t.dataset_id, f"{self.base}dataset/{t.dataset_id}")
        for s in d.series:
            self._add(f"series/{s.id}.html", "series", s.id, s.iri)
            self.page_for.setdefault(d.consolidated[s.id].iri(self.base), f"series/{s.id}.html")  # its cube's page too
        lists: dict[str, None] = {}
        for iri in [*d.codes_used(), *self.regions]:
            path = d.page_of(iri)
            if path is None:
                continue
            count = len(self.code_entries(iri))
            self._add(path, "code", iri, iri, max(1, -(-count // PAGE_ROWS)))
            lists.setdefault(iri[: iri.rindex("/")], None)
        for scheme in lists:
            path = d.page_of(scheme)
            if path is not None:
                self._add(path, "codelist", scheme, scheme)
        if self.releases is not None and self.releases.history.releases:
            self._add("changes/index.html", "changes")
            for c in self.releases.history.releases:
                self._add(release_path(c.release), "release", c.release)
            for dataset_id in self.releases.withdrawn():
                self._add(f"dataset/{dataset_id}.html", "withdrawn", dataset_id, f"{self.base}dataset/{dataset_id}")
            self.routes["feed.xml"] = Route("feed")
        self._add("def/index.html", "terms")
        for iri in d.terms():
            self._add(d.page_of(iri) or "", "term", iri, iri)
        self.routes["style.css"] = Route("css")
        self.routes["favicon.svg"] = Route("icon")
        self.routes["robots.txt"] = Route("robots")
        self.routes["sitemap.xml"] = Route("sitemap")

    def letter_file(self, name: str) -> Path | None:
        """The text of a letter in sources/letters/, when there is one to link to."""
        if self.sources is None or "/" in name or name.startswith("."):
            return None
        path = self.sources / "letters" / name
        return path if path.is_file() else None

    def prepare(self) -> None:
        """Compile every template now (a tenth of a second each time a process would do it)."""
        for name in self.env.list_templates(filter_func=lambda n: n.endswith((".html", ".xml"))):
            self.env.get_template(name)

    def paths(self) -> list[str]:
        return list(self.routes)

    def has(self, path: str) -> bool:
        return path.lstrip("/") in self.routes

    def render(self, path: str) -> bytes | None:
        """The file at `path` (relative to the site's root), or None when the site has none there."""
        path = path.lstrip("/")
        route = self.routes.get(path)
        if route is None:
            return None
        if route.kind in ("css", "icon"):
            return static(path).encode("utf-8")
        if route.kind == "robots":
            return f"User-agent: *\nAllow: /\n\nSitemap: {self.base}sitemap.xml\n".encode()
        if route.kind == "feed":
            assert self.releases is not None
            return atom_feed(self.releases, self.config, self.env)
        if route.kind == "sitemap":
            pages = [self.base + p for p in self.routes if p.endswith(".html")]
            return self.env.get_template("sitemap.xml").render(pages=pages).encode("utf-8")
        context = getattr(self, f"_{route.kind}")(route, path)
        return self.env.get_template(f"{route.kind}.html").render(**self.common(path, route.lang), **context).encode("utf-8")

    # ------------------------------------------------------------------ what every page has

    def common(self, path: str, lang: str) -> dict:
        d = self.data

        def href(iri: str) -> str | None:
            """The page of a resource in this language, relative to this page; None if it has none."""
            target = self.page_for.get(iri)
            return rel(lang_path(target, lang), path) if target else None

        def to(target: str) -> str:
            return rel(lang_path(target, lang) if target.endswith(".html") else target, path)

        links = self._links.setdefault((lang, path.rpartition("/")[0]), {})  # hrefs depend on the folder only

        def link(iri: str) -> Markup:
            """The label of a resource, linked to its page when it has one."""
            found = links.get(iri)
            if found is None:
                h = href(iri)
                text = txt(d.label(iri, lang), lang)
                found = links[iri] = Markup(f'<a href="{escape(h)}">{text}</a>') if h else text
            return found

        statuses = {name: d.label(st.iri, lang) for name, st in d.vocab.statuses.items()}
        kinds = inference_classes(d.vocab.codelist("inference").codes)
        rank = {code: i for i, code in enumerate(kinds)}  # a cell of several kinds shows the first in code-list order
        note_word = WORDS[lang]["note"]
        absent = f'<td class="num absent"><span aria-hidden="true">–</span><span class="sr">{WORDS[lang]["absent"]}</span></td>'

        def source(dataset_id: str) -> Markup:
            """A table named short, linked: « 30952, tableau 5 »."""
            table = d.by_id[dataset_id]
            vocabulary = WORDS[lang]
            name = f"{table.letter_ref}, {vocabulary['table'].lower()} {table.number}" if table.number else dataset_id
            return Markup(f'<a href="{escape(href(f"{self.base}dataset/{dataset_id}"))}">{escape(name)}</a>')

        def rows(grid: Grid, notes: dict, prefix: str) -> Markup:
            """The rows of a table (its <tbody>): row headers linked to their pages, then each cell: a
            number as the language writes it, or the symbol of a cell without a value with its status
            on hover and focus (and in words for screen readers); inferred cells marked; a note's
            number linked; the source table when the rows come from several. Made here rather than
            in the template: a table can have thousands of cells, and pages by the thousand."""
            out = []
            of = notes["of"]
            fixed = f'<th scope="row">{link(grid.fixed[0].iri)}</th>' if not grid.row_axes and grid.fixed else ""
            for row in grid.rows:
                css = ("total" if row.total else "") + (" residual" if row.residual else "")
                out.append(f'<tr class="{css}">' if css else "<tr>")
                for h in row.headers:
                    out.append(f'<th scope="row">{link(h.iri)}</th>')
                if not row.headers and fixed:
                    out.append(fixed)
                for e in row.cells:
                    if e is None:
                        out.append(absent)
                        continue
                    cell = e.cell
                    klass = f"num inferred {kinds[min(cell.inferences, key=rank.__getitem__)]}" if cell.inferences else "num"
                    if cell.value is not None:
                        body = number(cell.value, lang)
                    else:
                        klass += " st"
                        st = statuses[cell.status]
                        body = (f'<span class="flag" tabindex="0" data-tip="{escape(st.text)}"><span aria-hidden="true">'
                                f'{STATUS_SYMBOLS.get(cell.status, "?")}</span><span class="sr">{txt(st, lang)}</span></span>')
                    n = of(e)
                    if n:
                        body += f'<sup><a class="ref" href="#{prefix}note-{n}"><span class="sr">{note_word} </span>{n}</a></sup>'
                    out.append(f'<td class="{klass}">{body}</td>')
                if grid.sources:
                    out.append(f'<td class="small">{", ".join(source(x) for x in row.datasets)}</td>')
                out.append("</tr>")
            return Markup("\n".join(out))

        return {
            **page_context(path, lang, self.config.section("catalog")[f"title_{lang}"]), "link": link, "source": source,
            "rows": rows,
            "label": lambda iri: d.label(iri, lang), "label_in": d.label, "href": href, "to": to,
            "definition": lambda iri: d.definition(iri, lang), "base_iri": self.base,
            "status_iri": d.status_iri, "inference_iri": lambda x: f"{self.base}code/inference/{x}",
            "inference_class": kinds.get,
            "chart_caption": lambda chart: chart_caption(chart, d, lang),
        }

    # ------------------------------------------------------------------ index

    def _index(self, route: Route, path: str) -> dict:
        d = self.data
        cat = self.config.section("catalog")
        newest_first = sorted(d.project.letters, key=lambda letter: (letter.letter_date, letter.ref), reverse=True)
        letters = [{"letter": letter, "tables": letter.tables} for letter in newest_first]
        return {
            "catalog": cat, "letters": letters, "series": d.series,
            "codelists": [(scheme, self.page_for[scheme]) for scheme in self.page_for
                          if self.routes.get(self.page_for[scheme], Route("")).kind == "codelist"],
            "built": self.files is not None, "schema": self.schema_catalog(),
            "latest": self.releases.history.current if self.releases and self.releases.history.releases else None,
        }

    def schema_catalog(self) -> dict:
        """The schema.org DataCatalog search engines index: what the DCAT catalog says, in their vocabulary."""
        cat = self.config.section("catalog")
        publisher = self.config.iri(cat["publisher"])
        return {
            "@context": "https://schema.org/",
            "@type": "DataCatalog",
            "@id": self.base + "catalog",
            "url": self.base + "index.html",
            "name": [{"@language": "fr", "@value": cat["title_fr"]}, {"@language": "en", "@value": cat["title_en"]}],
            "description": [{"@language": "fr", "@value": cat["description_fr"]},
                            {"@language": "en", "@value": cat["description_en"]}],
            "inLanguage": ["fr", "en"],
            "license": self.config.license,
            "publisher": {"@type": "GovernmentOrganization", "@id": publisher,
                          "name": self.data.label(publisher, "fr").text},
            "dataset": [{"@type": "Dataset", "@id": f"{self.base}dataset/{t.dataset_id}",
                         "url": f"{self.base}dataset/{t.dataset_id}.html",
                         "name": [{"@language": "fr", "@value": t.title_fr}, {"@language": "en", "@value": t.title_en}]}
                        for t in self.data.tables],
        }

    # ------------------------------------------------------------------ a dataset

    def _dataset(self, route: Route, path: str) -> dict:
        d = self.data
        table = d.by_id[route.key]
        letter = d.letters[table.letter_ref]
        key = ("dataset", table.dataset_id, 1)
        last = self._last  # read once: a server makes pages in several threads
        if last[0] != key:  # the other language of the same page comes next: one grid for both
            grid = make_grid(d, list(d.entries(table)))
            last = self._last = (key, (grid, make_chart(d, grid)))
        grid, chart = last[1]
        if chart is not None:
            chart = words(chart, d, route.lang)
        series = d.series_of.get(table.dataset_id)
        neighbours = {}
        if series is not None:
            i = next(n for n, member in enumerate(series.members) if member is table)
            neighbours = {"previous": series.members[i - 1] if i > 0 else None,
                          "next": series.members[i + 1] if i + 1 < len(series.members) else None}
        return {
            "table": table, "letter": letter, "grid": grid, "chart": chart, "series": series,
            "no_chart": None if chart else chart_absence(grid),
            "neighbours": neighbours, "iri": f"{self.base}dataset/{table.dataset_id}",
            "legend": self.legend(grid), "notes": self.notes(grid, route.lang),
            "downloads": self.downloads(table), "license": self.config.license,
            "license_title": self.config.section("license").get(f"title_{route.lang}", self.config.license)
            if self.config.license == self.config.section("license")["iri"] else self.config.license,
            "publisher": d.label(self.config.iri(self.config.section("catalog")["publisher"]), route.lang),
            "query": self.sparql_query(table, route.lang), "run_query": self.run_query_href(table, route.lang, path),
            "letter_text": self.letter_href(letter.source_text, path),
            "schema": self.schema_dataset(table),
            "bounds": self.bounds(grid),
            **self.versions_context(table.dataset_id, route.lang),
        }

    # ------------------------------------------------------------------ releases (render/changes.py)

    def versions_context(self, dataset_id: str, lang: str) -> dict:
        """What a dataset's page says of its releases: its versions and the releases that changed it."""
        r = self.releases
        if r is None:
            return {"versions": [], "touched": []}
        return {"versions": r.versions(dataset_id, lang),
                "touched": [(c, release_path(c.release)) for c in r.touched_by(dataset_id)]}

    def _changes(self, route: Route, path: str) -> dict:
        r = self.releases
        assert r is not None
        return {"releases": [(c, release_path(c.release)) for c in r.releases()]}

    def _release(self, route: Route, path: str) -> dict:
        r = self.releases
        assert r is not None
        c = r.release(route.key)
        before, after = r.neighbours(c.release)
        lang = route.lang
        return {
            "c": c, "r": r,
            "previous": (before, release_path(before.release)) if before else None,
            "next": (after, release_path(after.release)) if after else None,
            "added": [(x, r.title(x, lang), r.version_in(x, c.release)) for x in c.added],
            "revised": [(x, r.title(x, lang), r.version_in(x, c.release), [r.cell(x, cell, lang) for cell in cells])
                        for x, cells in sorted(c.revised.items())],
            "metadata": [(x, r.title(x, lang), r.version_in(x, c.release), r.metadata(what, lang))
                         for x, what in sorted(c.metadata.items())],
            "withdrawn": [(x, r.title(x, lang), r.dataset(x)) for x in c.withdrawn],
            "dataset_page": lambda x: f"dataset/{x}.html",
        }

    def _withdrawn(self, route: Route, path: str) -> dict:
        r = self.releases
        assert r is not None
        d = r.dataset(route.key)
        assert d is not None and d.withdrawn is not None
        when = next((c for c in r.history.releases if c.release == d.withdrawn.release), None)
        return {"d": d, "w": d.withdrawn, "iri": f"{self.base}dataset/{d.id}", "versions": r.versions(d.id, route.lang),
                "title": r.title(d.id, route.lang), "other_title": r.title(d.id, other(route.lang)),
                "when": release_path(when.release) if when else None,
                "replaced": [(x, r.title(x, route.lang)) for x in d.withdrawn.replaced_by]}

    def bounds(self, grid: Grid) -> list[Bound]:
        """The audit's interval of each blanked cell of the table, in the order of the grid."""
        out = []
        for row in grid.rows:
            for column, e in zip(grid.columns, row.cells, strict=True):
                interval = None if e is None or e.cell.value is not None else self.data.interval(e)
                if interval is not None:
                    out.append(Bound(row.headers, column, e, *interval, self.data.narrow(e)))
        return out

    def chart(self, grid: Grid, lang: str, domain=None) -> Chart | None:
        chart = make_chart(self.data, grid, domain)
        return words(chart, self.data, lang) if chart is not None else None

    def downloads(self, table: Table) -> list[Download]:
        if self.files is not None:
            if table.dataset_id not in self._downloads:  # sizes are measured once, not per page and language
                self._downloads[table.dataset_id] = [Download(fmt, f.path, f) for fmt, f in self.files(table)]
            return self._downloads[table.dataset_id]
        return [Download(fmt, f"dataset/{table.dataset_id}{fmt.suffix}", None)
                for fmt in self.config.formats if fmt.key in RDF_FORMATS]

    def letter_href(self, name: str, path: str) -> str | None:
        return rel(f"sources/letters/{name}", path) if self.letter_file(name) else None

    def sparql_query(self, table: Table, lang: str) -> str:
        """A query that returns this table, one row per cell, with labels in the page's language."""
        iri = f"{self.base}dataset/{table.dataset_id}"
        dims = table.structure.dimensions
        select = " ".join(f"?{d.name} ?{d.name}_label" for d in dims)
        lines = ["PREFIX qb: <http://purl.org/linked-data/cube#>",
                 f"PREFIX def: <{self.base}def/>",
                 "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>",
                 "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>",
                 "",
                 f"SELECT {select} ?measure ?value ?status WHERE {{",
                 f"  ?obs qb:dataSet <{iri}> ;",
                 *[f"       def:{d.name} ?{d.name} ;" for d in dims],
                 "       qb:measureType ?m ;",
                 "       def:cellStatus/skos:notation ?status .",
                 f'  ?m rdfs:label ?measure . FILTER(lang(?measure) = "{lang}")',
                 "  OPTIONAL { ?obs ?m ?value }",
                 *[f'  OPTIONAL {{ ?{d.name} skos:prefLabel ?{d.name}_label . FILTER(lang(?{d.name}_label) = "{lang}") }}'
                   for d in dims],
                 "}"]
        return "\n".join(lines) + "\n"

    def run_query_href(self, table: Table, lang: str, path: str) -> str | None:
        if not self.sparql:
            return None
        target = self.sparql if is_web(self.sparql) else rel(self.sparql, path)
        return f"{target}?{urllib.parse.urlencode({'query': self.sparql_query(table, lang)})}"

    def schema_dataset(self, table: Table) -> dict:
        letter = self.data.letters[table.letter_ref]
        return schema_org(self.data.project, letter, table, self.downloads(table), self.config, self.data.facts)

    def legend(self, grid: Grid) -> dict:
        """The statuses without a value and the inferences the grid's cells show, in code-list order."""
        entries = grid.entries()
        statuses = {e.cell.status for e in entries if e.cell.value is None}
        inferences = {x for e in entries for x in e.cell.inferences}
        return {
            "statuses": [s for s in self.data.vocab.statuses if s in statuses],
            "inferences": [x for x in self.data.vocab.codelist("inference").codes if x in inferences],
            "absent": any(c is None for row in grid.rows for c in row.cells),
            "totals": any(r.total for r in grid.rows) or any(h.total for h in grid.columns),
            "residual": any(r.residual for r in grid.rows),
        }

    def notes(self, grid: Grid, lang: str) -> dict:
        """The transcriber's notes of the grid's cells, numbered in reading order; one number per text."""
        numbers: dict[str, int] = {}
        texts: list[Lit] = []
        of_cell: dict[int, int] = {}
        for row in grid.rows:
            for e in row.cells:
                note = cell_note(e.cell, lang) if e is not None else None
                if note is None:
                    continue
                if note.text not in numbers:
                    texts.append(note)
                    numbers[note.text] = len(texts)
                of_cell[id(e.cell)] = numbers[note.text]
        return {"texts": texts, "of": lambda e: of_cell.get(id(e.cell))}  # a dict: templates read notes.texts

    # ------------------------------------------------------------------ a series

    def _series(self, route: Route, path: str) -> dict:
        d = self.data
        series: Series = next(s for s in d.series if s.id == route.key)
        cube = d.consolidated[series.id]
        entries = [Entry(m.latest.table, m.latest.cell) for m in cube.cells]  # the consolidated cube: each cell once
        grid = make_grid(d, entries)
        chart = self.chart(grid, route.lang)
        methods = {t.suppression_method for t in series.members}
        thresholds = sorted({t.suppression_threshold for t in series.members})
        return {"series": series, "grid": grid, "chart": chart, "legend": self.legend(grid),
                "no_chart": None if chart else chart_absence(grid),
                "notes": self.notes(grid, route.lang), "merged": methods == {"merged-into-others"},
                "thresholds": thresholds, "first": series.members[0], "last": series.members[-1],
                "cube": cube, "cube_iri": cube.iri(self.base), "downloads": self.cube_downloads(cube),
                "revisions": [([d.label(d.code_iri(m.latest.table, i, code), route.lang) for i, code in enumerate(m.codes)]
                               + [d.label(m.latest.table.structure.measures[m.measure].iri, route.lang)], m)
                              for m in cube.cells if m.revised],
                "residual": any(m.latest.cell.status == "residual" for m in cube.cells),
                **self.versions_context(series.id, route.lang)}  # the consolidated cube's versions (a released folder)

    def cube_downloads(self, cube: Consolidated) -> list[Download]:
        """The consolidated cube's files (build: as written, with their size), else those a server makes."""
        if self.files is not None:
            if cube.dataset_id not in self._downloads:
                self._downloads[cube.dataset_id] = [Download(fmt, f.path, f) for fmt, f in self.files(cube)]
            return self._downloads[cube.dataset_id]
        return [Download(fmt, f"dataset/{cube.dataset_id}{fmt.suffix}", None)
                for fmt in self.config.formats if fmt.key in RDF_FORMATS]

    # ------------------------------------------------------------------ a code

    def code_entries(self, iri: str) -> list[Entry]:
        if iri in self.regions:
            return [e for code in self.regions[iri] for e in self.data.uses.get(code, [])]
        return self.data.uses.get(iri, [])

    def _code(self, route: Route, path: str) -> dict:
        d = self.data
        iri = route.key
        entries = self.code_entries(iri)
        pages = max(1, -(-len(entries) // PAGE_ROWS))
        groups = []
        for slug, grid, chart in self.code_grids(iri, route.page):
            datasets = list(dict.fromkeys(e.table.dataset_id for e in grid.entries()))
            groups.append({"grid": grid, "chart": words(chart, d, route.lang) if chart else None,
                           "legend": self.legend(grid), "notes": self.notes(grid, route.lang),
                           "datasets": [d.by_id[x] for x in datasets], "structure": d.vocab.structures[slug]})
        stem = d.page_of(iri) or ""
        page_links = [(n, rel(lang_path(stem if n == 1 else stem[:-5] + f".p{n}.html", route.lang), path))
                      for n in range(1, pages + 1)]
        return {
            "iri": iri, "groups": groups, "page": route.page, "pages": pages, "page_links": page_links,
            "cells": len(entries), "scheme": iri[: iri.rindex("/")], "notation": iri.rsplit("/", 1)[1],
            "about": self.about(iri, route.lang), "dates": d.dates.get(iri),
            "broader": d.broader.get(iri, []), "region": d.region_of(iri),
            "narrower": self.regions.get(iri, []),
        }

    def code_grids(self, iri: str, page: int) -> list[tuple[str, Grid, Chart | None]]:
        """The grid of each structure of a code's page (its chart on the first page), the same in
        both languages: kept for the next call, which is the same page's other language."""
        key = ("code", iri, page)
        last = self._last  # read once: a server makes pages in several threads
        if last[0] == key:
            return last[1]
        d = self.data
        entries = self.code_entries(iri)
        paged = len(entries) > PAGE_ROWS
        out = []
        for slug, part in by_structure(entries[(page - 1) * PAGE_ROWS: page * PAGE_ROWS]):
            grid = make_grid(d, part)
            chart = None
            if page == 1:
                everything = [e for e in entries if e.table.structure.slug == slug] if paged else part
                chart = make_chart(d, make_grid(d, everything) if paged else grid, self.domain(everything))
            out.append((slug, grid, chart))
        self._last = (key, out)
        return out

    def domain(self, entries: list[Entry]) -> list[tuple[str, Header]] | None:
        """Every dated round or period of the tables these cells come from (for a code's line chart)."""
        slugs = tuple(sorted({e.table.structure.slug for e in entries}))
        if slugs not in self._domains:
            self._domains[slugs] = self._domain(slugs)
        return self._domains[slugs]

    def _domain(self, slugs: tuple[str, ...]) -> list[tuple[str, Header]] | None:
        d = self.data
        seen: dict[str, Header] = {}
        for t in d.tables:
            if t.structure.slug not in slugs:
                continue
            for i, dim in enumerate(t.structure.dimensions):
                for code in dict.fromkeys(cell.codes[i] for cell in t.cells):
                    code_iri = d.code_iri(t, i, code)
                    if d.is_dated(code_iri) and code_iri not in seen and code_iri not in d.totals:
                        seen[code_iri] = Header(Axis("dim", i, dim.iri), code, code_iri)
        if not seen:
            return None
        return sorted(((d.dates[x][0], h) for x, h in seen.items()), key=lambda item: (item[0], item[1].key))

    def about(self, iri: str, lang: str) -> list[tuple[Lit, str, list]]:
        """The other statements about a code or term, as (property in words, property, [values])."""
        d = self.data
        rows: dict[str, list] = {}
        for t in d.about.get(iri, []):
            p, o = t.predicate.value, t.object
            if p in SHOWN_ELSEWHERE or (isinstance(o, ox.Literal) and o.language not in ("", "fr", "en")):
                continue
            rows.setdefault(p, []).append(o)
        out = []
        for p, objects in rows.items():
            words = PROPERTY_WORDS.get(p)
            name = Lit(words[0] if lang == "fr" else words[1], lang) if words else d.label(p, lang)
            out.append((name, p, objects))
        return sorted(out, key=lambda item: item[0].text.lower())

    def _codelist(self, route: Route, path: str) -> dict:
        scheme = route.key
        codes = [iri for iri in self.page_for if iri.startswith(scheme + "/") and self.routes.get(
            self.page_for[iri], Route("")).kind == "code"]
        return {"iri": scheme, "codes": codes, "cells": {iri: len(self.code_entries(iri)) for iri in codes}}

    # ------------------------------------------------------------------ vocabulary

    def _terms(self, route: Route, path: str) -> dict:
        return {"terms": self.data.terms(), "kind": self.term_kind}

    def term_kind(self, iri: str) -> str:
        kinds = self.data.types.get(iri, set())
        for type_iri, word in TERM_KINDS:
            if type_iri in kinds:
                return word
        return "term_property"

    def _term(self, route: Route, path: str) -> dict:
        d = self.data
        iri = route.key
        used = [t for t in d.tables if iri in {x.iri for x in t.structure.dimensions}
                or iri in {m.iri for m in t.structure.measures.values()}]
        return {"iri": iri, "kind": self.term_kind(iri), "about": self.about(iri, route.lang), "used": used}


def by_structure(entries: list[Entry]) -> Iterator[tuple[str, list[Entry]]]:
    """The cells grouped by the structure of their table, groups in order of first appearance."""
    groups: dict[str, list[Entry]] = {}
    for e in entries:
        groups.setdefault(e.table.structure.slug, []).append(e)
    yield from groups.items()
