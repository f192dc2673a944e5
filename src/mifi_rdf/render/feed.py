"""`feed.xml`: the Atom 1.0 feed (RFC 4287) of a released folder, for feed readers and portals that poll.

One entry per dataset added or revised by a release, over the whole history (build/history.py), newest
release first: a dataset with a new version in that release (added, its cells corrected, its metadata
changed) has the version's IRI as entry id, so a reader sees each version once; a dataset whose figures a
later letter restates keeps its version, and its entry id is `{base}changes/{release}#{dataset}`. Withdrawn
datasets have no entry: the release's page lists them.

RFC 4287 allows one atom:summary per entry, so the summary is XHTML holding a French and an English
paragraph, each with its xml:lang; the feed itself is French (xml:lang="fr", the language of the letters).
`updated` is the release's date at midnight UTC: the history has dates, never the clock, so the same history
gives the same bytes.
"""

from __future__ import annotations

import jinja2

from ..build.config import Config, version_iri
from ..build.history import CellChange, Changes
from .changes import Releases, release_path
from .text import date

CELLS_SHOWN = 5  # changed cells named in a summary; the release's page lists them all
KINDS = {"added": "Ajouté / Added", "revised": "Révisé / Revised", "metadata_only": "Métadonnées / Metadata"}

SAY = {
    "fr": {
        "added": "Nouveau jeu de données, publication {release} du {date}.",
        "revised": "Chiffres révisés, publication {release} du {date}.",
        "metadata_only": "Nouvelle version, publication {release} du {date}.",
        "version": "Version {n}\u00a0: {notes}",
        "cells": "{n} cellules révisées\u00a0: {cells}",
        "cell": "1 cellule révisée\u00a0: {cells}",
        "more": " et {n} autres",
        "by": "lettre {letter}, {dataset}",
        "metadata": "Métadonnées modifiées\u00a0: {what}.",
        "title_added": "Nouveau\u00a0: {title}",
        "title_version": "Version {n}\u00a0: {title}",
        "title_revised": "Chiffres révisés\u00a0: {title}",
        "release": "Publication {release}",
        "feed": "{title}\u00a0: changements",
        "subtitle": ("Chaque jeu de données ajouté ou révisé par une publication : nouvelles versions, chiffres révisés "
                     "par une lettre ultérieure, corrections."),
    },
    "en": {
        "added": "New dataset, release {release} of {date}.",
        "revised": "Revised figures, release {release} of {date}.",
        "metadata_only": "New version, release {release} of {date}.",
        "version": "Version {n}: {notes}",
        "cells": "{n} cells revised: {cells}",
        "cell": "1 cell revised: {cells}",
        "more": " and {n} more",
        "by": "letter {letter}, {dataset}",
        "metadata": "Metadata changed: {what}.",
    },
}


def atom_feed(r: Releases, config: Config, env: jinja2.Environment) -> bytes:
    """The feed of the whole history, rendered with templates/feed.xml."""
    assert r.history.releases
    base, cat = r.base, config.section("catalog")
    entries = [entry(r, base, c, x) for c in r.releases() for x in sorted({*c.added, *c.revised, *c.metadata})]
    publisher = r.data.label(config.iri(cat["publisher"]), "fr").text
    feed = {
        "id": f"{base}feed.xml", "title": SAY["fr"]["feed"].format(title=cat["title_fr"]), "subtitle": SAY["fr"]["subtitle"],
        "updated": stamp(r.history.current), "author": publisher,
        "rights": config.section("license").get("title_fr", config.license)
        if config.license == config.section("license")["iri"] else config.license,
        "page_fr": f"{base}changes/index.html", "page_en": f"{base}changes/index.en.html",
    }
    return env.get_template("feed.xml").render(feed=feed, entries=entries).encode("utf-8")


def stamp(c: Changes) -> str:
    """An Atom date (RFC 3339) from a release's ISO date: midnight UTC, never the clock."""
    return f"{c.date}T00:00:00Z"


def entry(r: Releases, base: str, c: Changes, dataset_id: str) -> dict:
    v = r.version_in(dataset_id, c.release)
    kind = "added" if dataset_id in c.added else "revised" if dataset_id in c.revised else "metadata_only"
    title = r.title(dataset_id, "fr").text
    if kind == "added":
        heading = SAY["fr"]["title_added"].format(title=title)
    elif v is not None:
        heading = SAY["fr"]["title_version"].format(n=v.number, title=title)
    else:
        heading = SAY["fr"]["title_revised"].format(title=title)
    page = release_path(c.release)
    return {
        "id": version_iri(base, dataset_id, v.number) if v is not None else f"{base}changes/{c.release}#{dataset_id}",
        "kind": kind.removesuffix("_only"), "kind_label": KINDS[kind], "title": heading, "updated": stamp(c),
        "page_fr": f"{base}{r.page(dataset_id)}", "page_en": f"{base}{r.page(dataset_id).removesuffix('.html')}.en.html",
        "release_fr": f"{base}{page}", "release_title": SAY["fr"]["release"].format(release=c.release),
        "summary_fr": summary(r, c, dataset_id, kind, "fr"), "summary_en": summary(r, c, dataset_id, kind, "en"),
    }


def summary(r: Releases, c: Changes, dataset_id: str, kind: str, lang: str) -> str:
    """What the release did to the dataset, in one language: the version and its notes, the cells (a few), the metadata."""
    say = SAY[lang]
    parts = [say[kind].format(release=c.release, date=date(c.date, lang))]
    v = r.version_in(dataset_id, c.release)
    if v is not None:
        parts.append(say["version"].format(n=v.number, notes=v.notes_fr if lang == "fr" else v.notes_en))
    cells = c.revised.get(dataset_id, [])
    if cells:
        shown = "; ".join(cell_text(r, dataset_id, cell, lang) for cell in cells[:CELLS_SHOWN])
        more = say["more"].format(n=len(cells) - CELLS_SHOWN) if len(cells) > CELLS_SHOWN else ""
        parts.append(say["cells" if len(cells) > 1 else "cell"].format(n=len(cells), cells=shown + more) + ".")
    if dataset_id in c.metadata:
        parts.append(say["metadata"].format(what=", ".join(w.text for w in r.metadata(c.metadata[dataset_id], lang))))
    return " ".join(parts)


def cell_text(r: Releases, dataset_id: str, cell: CellChange, lang: str) -> str:
    """« France · 4 décembre 2025 : 418 → 421 (lettre 40002, 40002-t1) »."""
    view = r.cell(dataset_id, cell, lang)
    where = " · ".join(r.code_text(code, lang) for code in view.codes)
    by = SAY[lang]["by"].format(letter=cell.letter, dataset=cell.dataset)
    colon = "\u00a0: " if lang == "fr" else ": "
    return f"{where}{colon}{view.old.text} → {view.new.text} ({by})"
