"""What the pages need to know, read once from the in-memory Project: which codes the data uses and
in which cells, the labels, definitions and dates of codes and terms, the regions territories lie
in, and the series of tables that repeat one structure over rounds.

Build and serve make their pages from this same object, so a page is the same whichever made it.
Everything is indexed by IRI, in the order of the data (letters by reference, tables and cells as
printed), so pages are deterministic.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pyoxigraph as ox

from ..build.config import Config
from ..build.consolidated import Consolidated, consolidate
from ..build.facts import Facts
from ..build.series import Series, find_series
from ..model import Cell, Letter, Table
from ..namespaces import DCAT, DCT, OWL, QB, RDF_TYPE, RDFS, SKOS
from ..project import Project
from .text import Lit, other

DATE = DCT + "date"
START = DCAT + "startDate"
END = DCAT + "endDate"
DEFINITIONS = (SKOS + "definition", RDFS + "comment")
SAFE_PATH = re.compile(r"[A-Za-z0-9_.~\-/]+")


@dataclass(frozen=True)
class Entry:
    """One cell of one table: what every table on every page is made of."""

    table: Table
    cell: Cell


class SiteData:
    """Indexes over a Project for the pages (see the module docstring)."""

    def __init__(self, project: Project, config: Config, facts: Facts) -> None:
        self.project, self.config, self.facts = project, config, facts
        self.vocab = project.vocab
        self.base = project.vocab.base
        self.letters: dict[str, Letter] = {letter.ref: letter for letter in project.letters}
        self.tables: list[Table] = [t for letter in project.letters for t in letter.tables]
        self.by_id: dict[str, Table] = {t.dataset_id: t for t in self.tables}
        self.concepts: dict[str, list[dict[str, str]]] = {  # dataset id -> per dimension, notation -> IRI
            t.dataset_id: [self.vocab.codelists[d.codelist].codes for d in t.structure.dimensions] for t in self.tables}
        self.uses: dict[str, list[Entry]] = {}  # code IRI -> the cells that use it, in data order
        for t in self.tables:
            concepts = self.concepts[t.dataset_id]
            for cell in t.cells:
                entry = Entry(t, cell)
                for codes, code in zip(concepts, cell.codes, strict=True):
                    self.uses.setdefault(codes[code], []).append(entry)
        self.bounds = project.bound_attributes()  # the audit's, as the data files state them
        self._read_vocabulary()
        self.series = find_series(project, config, self.dates)
        self.series_of: dict[str, Series] = {m.dataset_id: s for s in self.series for m in s.members}
        # each series' cells once, the latest figure where a letter revises another (an unrecorded restatement: an error)
        self.consolidated: dict[str, Consolidated] = {s.id: consolidate(project, s) for s in self.series}

    # ------------------------------------------------------------------ vocabulary

    def _read_vocabulary(self) -> None:
        """Dates, definitions, types, broader codes and the description of each code and term."""
        self.dates: dict[str, tuple[str, str]] = {}
        self.definitions: dict[str, dict[str, str]] = {}
        self.types: dict[str, set[str]] = {}
        self.broader: dict[str, list[str]] = {}
        self.scheme: dict[str, str] = {}
        self.about: dict[str, list[ox.Triple]] = {}  # every statement of the ontology and code lists, by subject
        starts: dict[str, str] = {}
        ends: dict[str, str] = {}
        defs = set(DEFINITIONS)
        for t in [*self.vocab.ontology_triples, *self.vocab.code_triples]:
            s, p, o = t.subject.value, t.predicate.value, t.object
            if p == DATE:
                starts[s] = ends[s] = o.value
            elif p == START:
                starts[s] = o.value
            elif p == END:
                ends[s] = o.value
            elif p in defs and isinstance(o, ox.Literal) and o.language in ("fr", "en"):
                self.definitions.setdefault(s, {}).setdefault(o.language, o.value)
            elif p == RDF_TYPE:
                self.types.setdefault(s, set()).add(o.value)
            elif p == SKOS + "broader":
                self.broader.setdefault(s, []).append(o.value)
            elif p == SKOS + "inScheme":
                self.scheme[s] = o.value
            if isinstance(t.subject, ox.NamedNode):
                self.about.setdefault(s, []).append(t)
        for s, start in starts.items():
            self.dates[s] = (start, ends.get(s, start))
        total = self.base + "def/TotalCode"
        self.totals = {s for s, kinds in self.types.items() if total in kinds}

    def label(self, iri: str, lang: str) -> Lit:
        """The label in `lang`, else in the other language (marked so), else the IRI's last segment."""
        labels = self.facts.labels.get(iri, {})
        if lang in labels:
            return Lit(labels[lang], lang)
        if other(lang) in labels:
            return Lit(labels[other(lang)], other(lang))
        return Lit(iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1], "zxx")

    def definition(self, iri: str, lang: str) -> Lit | None:
        found = self.definitions.get(iri, {})
        if lang in found:
            return Lit(found[lang], lang)
        if other(lang) in found:
            return Lit(found[other(lang)], other(lang))
        return None

    # ------------------------------------------------------------------ codes and terms

    def code_iri(self, table: Table, index: int, code: str) -> str:
        return self.concepts[table.dataset_id][index][code]

    def page_of(self, iri: str) -> str | None:
        """The path of the page of a resource under the base (`code/country/FRA.html`), or None."""
        if not iri.startswith(self.base):
            return None
        rel = iri[len(self.base):]
        return rel + ".html" if SAFE_PATH.fullmatch(rel) and ".." not in rel else None

    def codes_used(self) -> list[str]:
        """Every code some cell uses, by code list then in the order of the data."""
        return sorted(self.uses, key=lambda iri: self.list_name(iri))

    def list_name(self, iri: str) -> str:
        """`country` for <BASE>code/country/FRA."""
        return iri[len(self.base) + len("code/"):].split("/", 1)[0]

    def region_of(self, iri: str) -> str | None:
        """The administrative region a municipality or an MRC lies in (following skos:broader)."""
        region_scheme = self.base + "code/region"
        seen: set[str] = set()
        todo = [iri]
        while todo:
            current = todo.pop(0)
            for up in self.broader.get(current, []):
                if self.scheme.get(up) == region_scheme:
                    return up
                if up not in seen:
                    seen.add(up)
                    todo.append(up)
        return None

    def regions(self) -> dict[str, list[str]]:
        """Region IRI -> the codes the data uses that lie in it (municipalities, MRCs)."""
        out: dict[str, list[str]] = {}
        for iri in self.uses:
            if self.list_name(iri) in ("municipality", "mrc"):
                region = self.region_of(iri)
                if region is not None:
                    out.setdefault(region, []).append(iri)
        return dict(sorted(out.items()))

    def terms(self) -> list[str]:
        """The classes, properties and datatypes of our own vocabulary (def/…), in file order."""
        prefix = self.base + "def/"
        return [iri for iri in self.about if iri.startswith(prefix) and iri != prefix and self.page_of(iri)]

    def is_dated(self, iri: str) -> bool:
        return iri in self.dates

    def unit(self, table: Table, cell: Cell) -> str | None:
        return table.structure.measures[cell.measure].unit

    def measure_iri(self, table: Table, measure: str) -> str:
        return table.structure.measures[measure].iri

    def status_iri(self, status: str) -> str:
        return self.vocab.statuses[status].iri

    def interval(self, entry: Entry) -> tuple[str, str | None] | None:
        """The audit's bounds of a blanked cell (def:lowerBound, def:upperBound), or None."""
        return self.bounds.interval((entry.table.dataset_id, entry.cell.codes, entry.cell.measure))

    def narrow(self, entry: Entry) -> tuple[int, int] | None:
        """What the table's rule alone says of a blank the audit knows more closely than it intends."""
        return self.bounds.narrow((entry.table.dataset_id, entry.cell.codes, entry.cell.measure))

    def entries(self, table: Table) -> Iterator[Entry]:
        return (Entry(table, cell) for cell in table.cells)

TERM_KINDS = [  # how a term of the vocabulary is described, the first type that matches
    (QB + "DimensionProperty", "term_dimension"),
    (QB + "MeasureProperty", "term_measure"),
    (QB + "AttributeProperty", "term_attribute"),
    (RDFS + "Datatype", "term_datatype"),
    (OWL + "Class", "term_class"),
    (RDFS + "Class", "term_class"),
]
