"""The history of a published folder: its releases, what each changed, and every dataset's versions.

`build` writes it as `release.json` at the folder's root; the next `build --previous PREV` reads PREV's to
know what was published before (release.py compares it with the data), and the pages, the feed, the
catalog and `serve` read it to say what changed, which version is current and what was withdrawn. It is
the only state a release carries from one build to the next, so it holds everything they need without
the previous data: titles of withdrawn datasets, the digests that tell a changed dataset, each version's
date and notes.

Plain data and JSON only: no RDF, no project. Keys are sorted and lists kept in a fixed order, so the
same history gives the same bytes.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

FILE = "release.json"
FORMAT = 1  # bumped when the layout of release.json changes incompatibly
# the keys of Changes.metadata (what else than cells changed in a dataset's files) in French and English words, for
# the version notes (release.py) and the release pages (render/changes.py); a key not listed is shown as it is
METADATA_WORDS = {
    "title_fr": ("titre français", "French title"),
    "title_en": ("titre anglais", "English title"),
    "description_fr": ("description française", "French description"),
    "description_en": ("description anglaise", "English description"),
    "code labels": ("libellés des codes", "code labels"),
    "cell notes": ("notes des cellules", "cell notes"),
    "cells": ("cellules ajoutées ou retirées", "cells added or removed"),
    "structure": ("structure", "structure"),
    "periods added": ("rondes ou périodes ajoutées", "rounds or periods added"),  # a consolidated cube's
    "periods removed": ("rondes ou périodes retirées", "rounds or periods removed"),  # a consolidated cube's
    "sources": ("tableaux sources des cellules", "source tables of the cells"),  # a consolidated cube's
    "other statements": ("autres énoncés du jeu de données", "other statements of the dataset"),
}


@dataclass(frozen=True)
class CellChange:
    """One cell whose figure or status changed from one release to the next."""

    codes: tuple[str, ...]  # the cell's code notations, in the order of its structure's dimensions
    measure: str  # the measure's notation (`invitations`)
    old_value: str | None  # the figure as published before (None: the cell had no figure: blanked, empty)
    old_status: str  # the cell status's notation (`published`, `confidential`…)
    new_value: str | None
    new_status: str
    letter: str  # the letter whose table now states the figure (a later letter's, or the dataset's own when data/ was corrected)
    dataset: str  # the dataset whose cell now states it (the revising table's; the dataset itself for a correction)


@dataclass(frozen=True)
class Version:
    """One version of a dataset: published by one release, its files under `dataset/{id}/v{number}/`."""

    number: int  # 1, 2, …
    release: str  # the id of the release that published it
    date: str  # ISO date of that release
    digest: str  # `sha256:…` of the dataset's N-Triples file: a new digest is a new version
    notes_fr: str  # adms:versionNotes: what this version changed
    notes_en: str


@dataclass(frozen=True)
class Withdrawal:
    """Why and when a dataset left the data (data/withdrawn.toml), and what replaces it."""

    release: str
    date: str
    reason_fr: str
    reason_en: str
    replaced_by: tuple[str, ...] = ()  # dataset ids


@dataclass
class DatasetHistory:
    id: str
    title_fr: str
    title_en: str
    issued: str  # ISO date: the first version's, never moves
    versions: list[Version] = field(default_factory=list)  # oldest first, never empty once built
    withdrawn: Withdrawal | None = None
    # the last description published (the catalog describes a withdrawn dataset with it: DCAT-AP requires one)
    description_fr: str = ""
    description_en: str = ""

    @property
    def current(self) -> Version:
        return self.versions[-1]

    @property
    def modified(self) -> str:
        """dcterms:modified: the date of the last version, which moves only when the content changes."""
        return self.versions[-1].date

    def title(self, lang: str) -> str:
        return self.title_fr if lang == "fr" else self.title_en


@dataclass
class Changes:
    """What one release changed since the one before it (its `previous`; None for the first)."""

    release: str
    date: str
    previous: str | None
    added: list[str] = field(default_factory=list)  # dataset ids, sorted
    # dataset id -> its cells whose figure changed, by a correction of data/ or by a later letter's `revises`
    revised: dict[str, list[CellChange]] = field(default_factory=dict)
    # dataset id -> what else changed in its files, in words (English keys such as "title_en", "code labels")
    metadata: dict[str, list[str]] = field(default_factory=dict)
    withdrawn: list[str] = field(default_factory=list)  # dataset ids, sorted

    @property
    def empty(self) -> bool:
        return not (self.added or self.revised or self.metadata or self.withdrawn)

    def touched(self) -> list[str]:
        """Every dataset this release names, sorted."""
        return sorted({*self.added, *self.revised, *self.metadata, *self.withdrawn})


@dataclass
class History:
    releases: list[Changes] = field(default_factory=list)  # oldest first; the last is this folder's release
    datasets: dict[str, DatasetHistory] = field(default_factory=dict)

    @property
    def current(self) -> Changes:
        return self.releases[-1]

    def to_json(self) -> bytes:
        doc = {"format": FORMAT,
               "releases": [asdict(c) for c in self.releases],
               "datasets": {k: asdict(v) for k, v in sorted(self.datasets.items())}}
        return (json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")

    def changes_json(self) -> bytes:
        """changes.json: this release's Changes (its id, date and previous release included), for programs."""
        doc = {"format": FORMAT, **asdict(self.current)}
        return (json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")

    @classmethod
    def from_json(cls, data: bytes) -> History:
        """The history of a release.json; ValueError (with what is wrong) on anything else."""
        doc = json.loads(data)
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            raise ValueError(f"not a release.json of format {FORMAT}")
        releases = []
        for c in doc["releases"]:
            revised = {k: [CellChange(**{**cell, "codes": tuple(cell["codes"])}) for cell in cells]
                       for k, cells in c["revised"].items()}
            releases.append(Changes(c["release"], c["date"], c["previous"], list(c["added"]), revised,
                                    {k: list(v) for k, v in c["metadata"].items()}, list(c["withdrawn"])))
        datasets = {}
        for k, d in doc["datasets"].items():
            w = d.get("withdrawn")
            datasets[k] = DatasetHistory(d["id"], d["title_fr"], d["title_en"], d["issued"],
                                         [Version(**v) for v in d["versions"]],
                                         Withdrawal(**{**w, "replaced_by": tuple(w["replaced_by"])}) if w else None,
                                         d.get("description_fr", ""), d.get("description_en", ""))
        return cls(releases, datasets)

    @classmethod
    def read(cls, folder: Path) -> History | None:
        """The history of a built folder; None when it has no release.json (a folder built before releases)."""
        path = Path(folder) / FILE
        if not path.is_file():
            return None
        return cls.from_json(path.read_bytes())
