"""What a release changed, as the pages show it: the History of a built folder (build/history.py) read
against the site's data.

The history names datasets by id and cells by their codes; a reader wants titles and labels. So a
cell's codes become the labels of the code lists the dataset uses (France, 4 décembre 2025); a
dataset that is no longer in the data (withdrawn) has no structure to read its codes with, so its
codes are shown as they are. Titles come from the history, which keeps those of withdrawn datasets.
The pages (changes/{release}.html, changes/index.html, the withdrawal notice, the versions on a
dataset's page) and the feed (render/feed.py) all read these views, so they say the same thing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..build.config import Format, landing_page, version_iri, version_path
from ..build.consolidated import CUBE_FORMATS
from ..build.history import METADATA_WORDS, CellChange, Changes, DatasetHistory, History, Version
from .data import SiteData
from .text import Lit, number

RELEASE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")  # a release id is a file name in changes/


def release_path(release: str) -> str:
    """The page of a release; ValueError for an id that is not a plain file name (it comes from release.json)."""
    if not RELEASE_ID.fullmatch(release):
        raise ValueError(f"release id {release!r} is not a plain name (letters, digits, '.', '_', '-')")
    return f"changes/{release}.html"


@dataclass(frozen=True)
class Code:
    """One code of a changed cell: its concept's IRI when the site's data knows it, else the bare notation."""

    notation: str
    iri: str | None


@dataclass(frozen=True)
class CellView:
    change: CellChange
    codes: list[Code]
    measure: Lit
    old: Lit  # the figure as the language writes it, or the status in words
    new: Lit


@dataclass(frozen=True)
class VersionView:
    version: Version
    iri: str
    files: list[tuple[Format, str]]  # every format's versioned path
    notes: Lit


class Releases:
    """The history as the pages read it: titles, labels, versions and what each release did."""

    def __init__(self, history: History, data: SiteData, formats: tuple[Format, ...]) -> None:
        self.history, self.data, self.formats = history, data, formats
        self.base = data.base
        for c in history.releases:
            release_path(c.release)  # refuse a bad id before any page is made

    # ------------------------------------------------------------------ datasets

    def withdrawn(self) -> list[str]:
        """Datasets the history says were withdrawn and the data no longer has: their page is the notice."""
        return sorted(k for k, d in self.history.datasets.items() if d.withdrawn is not None and k not in self.data.by_id)

    def title(self, dataset_id: str, lang: str) -> Lit:
        d = self.history.datasets.get(dataset_id)
        if d is not None:
            return Lit(d.title(lang), lang)
        table = self.data.by_id.get(dataset_id)
        if table is not None:
            return Lit(table.title_fr if lang == "fr" else table.title_en, lang)
        return Lit(dataset_id, "zxx")

    def iri(self, dataset_id: str) -> str:
        return f"{self.base}dataset/{dataset_id}"

    def page(self, dataset_id: str) -> str:
        """The page of a dataset (a consolidated cube's is its series' page), relative to the base."""
        return f"series/{dataset_id}.html" if dataset_id in self.data.consolidated else landing_page(dataset_id)

    def formats_of(self, dataset_id: str) -> tuple[Format, ...]:
        """The formats of a dataset's versions: a consolidated cube has fewer (build/consolidated.py)."""
        if dataset_id in self.data.consolidated:
            return tuple(f for f in self.formats if f.key in CUBE_FORMATS)
        return self.formats

    def versions(self, dataset_id: str, lang: str) -> list[VersionView]:
        d = self.history.datasets.get(dataset_id)
        if d is None:
            return []
        return [VersionView(v, version_iri(self.base, dataset_id, v.number),
                            [(f, version_path(dataset_id, v.number, f)) for f in self.formats_of(dataset_id)],
                            Lit(v.notes_fr if lang == "fr" else v.notes_en, lang))
                for v in d.versions]

    def version_in(self, dataset_id: str, release: str) -> Version | None:
        """The version a release published of a dataset, or None (a later letter's revision keeps the version)."""
        d = self.history.datasets.get(dataset_id)
        return next((v for v in d.versions if v.release == release), None) if d else None

    def touched_by(self, dataset_id: str) -> list[Changes]:
        """The releases that name a dataset, newest first."""
        return [c for c in reversed(self.history.releases) if dataset_id in c.touched()]

    def dataset(self, dataset_id: str) -> DatasetHistory | None:
        return self.history.datasets.get(dataset_id)

    # ------------------------------------------------------------------ cells

    def cell(self, dataset_id: str, change: CellChange, lang: str) -> CellView:
        """A changed cell in words: its codes' labels through the dataset's structure (codes alone for a dataset
        the data no longer has, or a code its list no longer holds)."""
        table = self.data.by_id.get(dataset_id)
        cube = self.data.consolidated.get(dataset_id)
        if table is None and cube is not None:  # a consolidated cube: its members' structure and code lists
            table = cube.series.members[0]
        codes = []
        for i, code in enumerate(change.codes):
            iri = None
            if table is not None and i < len(table.structure.dimensions):
                iri = self.data.concepts[table.dataset_id][i].get(code)
            codes.append(Code(code, iri))
        measure = Lit(change.measure, "zxx")
        if table is not None and change.measure in table.structure.measures:
            measure = self.data.label(self.data.measure_iri(table, change.measure), lang)
        return CellView(change, codes, measure, self.figure(change.old_value, change.old_status, lang),
                        self.figure(change.new_value, change.new_status, lang))

    def figure(self, value: str | None, status: str, lang: str) -> Lit:
        """A cell's figure as the language writes it; without one, its status in words (suppressed is not zero)."""
        if value is not None:
            return Lit(number(value, lang), lang)
        found = self.data.vocab.statuses.get(status)
        return self.data.label(found.iri, lang) if found is not None else Lit(status, "zxx")

    def metadata(self, keys: list[str], lang: str) -> list[Lit]:
        """What changed besides cells, in words of the language; an unknown key as it is."""
        out = []
        for key in keys:
            words = METADATA_WORDS.get(key)
            out.append(Lit(words[0] if lang == "fr" else words[1], lang) if words else Lit(key, "zxx"))
        return out

    def code_text(self, code: Code, lang: str) -> str:
        return self.data.label(code.iri, lang).text if code.iri else code.notation

    # ------------------------------------------------------------------ releases

    def releases(self) -> list[Changes]:
        """Newest first."""
        return list(reversed(self.history.releases))

    def neighbours(self, release: str) -> tuple[Changes | None, Changes | None]:
        """The release before and the one after, in the history's order."""
        ids = [c.release for c in self.history.releases]
        i = ids.index(release)
        rs = self.history.releases
        return (rs[i - 1] if i > 0 else None, rs[i + 1] if i + 1 < len(rs) else None)

    def release(self, release: str) -> Changes:
        return next(c for c in self.history.releases if c.release == release)
