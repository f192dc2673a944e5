"""A release: a build compared with the one before it (`build OUT --previous PREV`).

`compare` turns the data as built now and PREV's history (its `release.json`, history.py) into the new
history: which datasets were added, withdrawn or revised (each cell old → new, with the letter that
states the new figure), a new version for each dataset whose N-Triples file changed, and the notes
that say so in French and English. It reads nothing but the new folder's files, PREV's tidy CSVs
(`dataset/{id}.csv`: the figures as PREV published them, cheaper to compare than the RDF and exact)
and `data/withdrawn.toml`, where a person says why a dataset left the data.

Why the N-Triples file decides: it is the one serialization written in a fixed order with nothing but
the dataset's statements, so the same cube gives the same bytes and any changed statement (a figure,
a label, a note, a title) changes them. A table revised by a later letter keeps its own file, hence
its version: the revision is listed among the release's changes, under the revised dataset, with
the revising letter.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError, UnreadableInput, UsageError
from ..files import read_bytes
from ..load.text import parse_toml, read_text
from ..model import Letter, Table
from ..project import Project
from .config import Config, dataset_path, measure
from .consolidated import Consolidated
from .history import FILE, METADATA_WORDS, CellChange, Changes, DatasetHistory, History, Version, Withdrawal

WITHDRAWN_FILE = "withdrawn.toml"
CHANGES_FILE = "changes.json"


@dataclass(frozen=True)
class Declared:
    """One `[[withdrawn]]` entry of data/withdrawn.toml, with its line for messages."""

    dataset: str
    reason_fr: str
    reason_en: str
    replaced_by: tuple[str, ...]
    line: int


RELEASE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def check_release_id(release: str) -> str:
    """A release id names files and URLs (the changes page of each release): letters, digits, `.`, `_`, `-`."""
    if not RELEASE_ID.fullmatch(release):
        raise UsageError(f"--release {release!r}: expected an id of letters, digits, '.', '_' and '-' (at most 64, "
                         "not starting with a punctuation mark), such as 2026-12")
    return release


def read_previous(prev: Path) -> History:
    """PREV's history, or an error (exit 2) saying PREV is not a released folder or its release.json is not one."""
    path = Path(prev) / FILE
    if not Path(prev).is_dir():
        raise UsageError(f"--previous {prev}: not a folder (expected the folder of the last release)")
    if not path.exists():
        raise UsageError(f"--previous {prev}: not a released folder: it has no {FILE} (build it with this version of "
                         "mifi-rdf first, without --previous, to make it release 1)")
    data = read_bytes(path, "json")
    try:
        history = History.from_json(data)
    except json.JSONDecodeError as err:
        raise UnreadableInput(path, err.lineno, err.colno, f"not JSON ({err.msg}): expected the {FILE} mifi-rdf build "
                                                           "writes") from None
    except UnicodeDecodeError as err:
        raise UnreadableInput(path, 0, 0, f"not UTF-8 ({err.reason} at byte {err.start})") from None
    except KeyError as err:
        raise UnreadableInput(path, 0, 0, f"not a {FILE} written by mifi-rdf build: key {err} is missing") from None
    except (ValueError, TypeError, AttributeError) as err:
        raise UnreadableInput(path, 0, 0, f"not a {FILE} written by mifi-rdf build ({type(err).__name__}: {err})") from None
    if not history.releases:
        raise UnreadableInput(path, 0, 0, f"a {FILE} without any release: expected the history of a built folder")
    text = data.decode("utf-8")
    for c in history.releases:  # what the pages and the next release read: refused here, in one line, not there
        if not isinstance(c.release, str) or not RELEASE_ID.fullmatch(c.release):
            line, col = _where(text, c.release)
            raise UnreadableInput(path, line, col, f"release id {c.release!r} is not one build writes: expected letters, "
                                                   "digits, '.', '_' and '-' (at most 64), such as 2026-12")
        if not _iso_date(c.date):
            line, col = _where(text, c.date)
            raise UnreadableInput(path, line, col, f"release {c.release}: date {c.date!r} is not an ISO date (YYYY-MM-DD)")
    for k, d in history.datasets.items():
        if not d.versions:
            line, col = _where(text, k)
            raise UnreadableInput(path, line, col, f"dataset {k} has no version: every dataset a release published has one")
        if d.withdrawn is not None and not _iso_date(d.withdrawn.date):
            line, col = _where(text, d.withdrawn.date)
            raise UnreadableInput(path, line, col, f"dataset {k}: withdrawal date {d.withdrawn.date!r} is not an ISO date "
                                                   "(YYYY-MM-DD)")
        for v in d.versions:
            if not _iso_date(v.date):
                line, col = _where(text, v.date)
                raise UnreadableInput(path, line, col, f"dataset {k}, version {v.number}: date {v.date!r} is not an ISO "
                                                       "date (YYYY-MM-DD)")
    return history


def _where(text: str, value: object) -> tuple[int, int]:
    """Line and column (1-based) of a JSON string value's first occurrence, (0, 0) if not found."""
    at = text.find(json.dumps(value, ensure_ascii=False))
    if at < 0:
        return 0, 0
    line = text.count("\n", 0, at) + 1
    return line, at - (text.rfind("\n", 0, at) + 1) + 1


def _iso_date(value: object) -> bool:
    try:
        return isinstance(value, str) and datetime.date.fromisoformat(value).isoformat() == value
    except ValueError:
        return False


def check_release_date(previous: History, date: str) -> None:
    """A release never goes back in time: its date (--issued, else the latest letter's) must not be earlier than PREV's.
    An equal date is a release too (a withdrawal needs no new letter), under an id of its own (`compare`)."""
    before = previous.current
    if date < before.date:
        raise UsageError(f"release date {date} is earlier than {before.date}, the date of --previous's release "
                         f"{before.release}: a release follows the one before it (give --issued a date from "
                         f"{before.date} on)")


def read_withdrawn(data: Path) -> tuple[Path, list[Declared]]:
    """data/withdrawn.toml's entries, in the file's order; none when the file is absent."""
    path = Path(data) / WITHDRAWN_FILE
    if not path.exists():
        return path, []
    text = read_text(path, escapes=True, kind="toml")
    doc = parse_toml(path, text)
    starts = [n for n, line in enumerate(text.splitlines(), 1) if line.strip().startswith("[[withdrawn]]")]
    unknown = sorted(set(doc) - {"withdrawn"})
    if unknown:
        raise InputError(path, 1, 1, f"unknown key {unknown[0]!r}: expected only [[withdrawn]] entries")
    entries = doc.get("withdrawn", [])
    if not isinstance(entries, list):
        raise InputError(path, 1, 1, "expected [[withdrawn]] entries (an array of tables)")
    out = []
    seen: dict[str, int] = {}
    for n, entry in enumerate(entries):
        line = starts[n] if n < len(starts) else 1
        keys = {"dataset", "reason_fr", "reason_en", "replaced_by"}
        if not isinstance(entry, dict) or set(entry) - keys or not {"dataset", "reason_fr", "reason_en"} <= set(entry):
            raise InputError(path, line, 1, "expected dataset, reason_fr and reason_en (strings) and optionally "
                                            "replaced_by (a list of dataset ids)")
        replaced = entry.get("replaced_by", [])
        if not all(isinstance(entry[k], str) and entry[k].strip() for k in ("dataset", "reason_fr", "reason_en")) or \
                not isinstance(replaced, list) or not all(isinstance(r, str) for r in replaced):
            raise InputError(path, line, 1, "expected dataset, reason_fr and reason_en as non-empty strings and "
                                            "replaced_by as a list of dataset ids")
        if entry["dataset"] in seen:
            raise InputError(path, line, 1, f"dataset {entry['dataset']} is already declared withdrawn at line "
                                            f"{seen[entry['dataset']]}")
        seen[entry["dataset"]] = line
        out.append(Declared(entry["dataset"], entry["reason_fr"], entry["reason_en"], tuple(replaced), line))
    return path, out


def digest(root: Path, dataset_id: str, config: Config) -> str:
    return "sha256:" + measure(root, dataset_path(dataset_id, config.format("nt"))).sha256


def compare(project: Project, config: Config, root: Path, previous: History | None, prev_root: Path | None,
            release_id: str, date: str, withdrawn: tuple[Path, list[Declared]],
            cubes: Iterable[Consolidated] = ()) -> History:
    """The history of the folder `root` (its datasets' files written), given PREV's.

    `cubes`: the series' consolidated cubes written in `root`, datasets of the history as the letters' tables are
    (a version when their N-Triples file changes: a later letter's rounds, a revised figure).

    With nothing changed since PREV, PREV's history itself (no new release: its id, dates and notes stay).
    Errors: a dataset PREV published that is gone from the data without a [[withdrawn]] entry, an entry for a
    dataset still in the data or never published, and a release id already used while something changed."""
    prev = previous or History()
    tables: dict[str, tuple[Letter, Table]] = {t.dataset_id: (letter, t) for letter in project.letters
                                              for t in letter.tables}
    consolidated = {c.dataset_id: c for c in cubes}
    declared = _check_withdrawn(prev, tables, withdrawn, set(consolidated))
    digests = {k: digest(root, k, config) for k in [*tables, *consolidated]}
    changes = Changes(release_id, date, prev.current.release if prev.releases else None)
    datasets: dict[str, DatasetHistory] = {k: _copy(v) for k, v in prev.datasets.items()}
    new_versions: dict[str, Version] = {}
    for k, (_letter, table) in sorted(tables.items()):
        before = prev.datasets.get(k)
        if before is None:
            changes.added.append(k)
            new_versions[k] = Version(1, release_id, date, digests[k], "Premier versement.", "First release.")
            continue
        if before.current.digest == digests[k]:
            continue
        cells, words = _differences(table, before, prev_root, root, config)
        if cells:
            changes.revised[k] = cells
        if words:
            changes.metadata[k] = words
        notes_fr, notes_en = version_notes(len(cells), words)
        new_versions[k] = Version(before.current.number + 1, release_id, date, digests[k], notes_fr, notes_en)
    for k, cube in sorted(consolidated.items()):
        before = prev.datasets.get(k)
        if before is None:
            changes.added.append(k)
            new_versions[k] = Version(1, release_id, date, digests[k], "Premier versement.", "First release.")
            continue
        if before.current.digest == digests[k]:
            continue
        cells, words, periods, gone = _cube_differences(cube, prev_root, root, config)
        if cells:
            changes.revised[k] = cells
        if words:
            changes.metadata[k] = words
        notes_fr, notes_en = cube_notes(cube, len(cells), periods, gone, [w for w in words if not w.startswith("periods ")])
        new_versions[k] = Version(before.current.number + 1, release_id, date, digests[k], notes_fr, notes_en)
    for k, (letter, table) in sorted(tables.items()):  # a later letter's revisions of what PREV published
        if k not in prev.datasets:
            for (codes, measure_), of in table.revises.items():
                if of in prev.datasets:
                    changes.revised.setdefault(of, []).append(_revision(tables[of][1], table, letter, codes, measure_))
    changes.revised = {k: sorted(v, key=lambda c: (c.codes, c.measure, c.dataset)) for k, v in sorted(changes.revised.items())}
    changes.metadata = dict(sorted(changes.metadata.items()))
    changes.withdrawn = sorted(d.dataset for d in declared if prev.datasets[d.dataset].withdrawn is None)
    if previous is not None and changes.empty:
        return previous
    if release_id in {c.release for c in prev.releases}:
        raise UsageError(f"release {release_id} is already in --previous's history and something changed since: give "
                         "this release its own id with --release ID")
    for k, (letter, table) in tables.items():
        if k in new_versions:
            if k not in datasets:
                # issued: the letter's date, when the ministry issued the figures; never moves
                datasets[k] = DatasetHistory(k, table.title_fr, table.title_en, letter.letter_date.isoformat())
            datasets[k].versions.append(new_versions[k])
        ds = datasets[k]
        ds.title_fr, ds.title_en = table.title_fr, table.title_en
        ds.description_fr, ds.description_en = table.description_fr, table.description_en
    letter_dates = {letter.ref: letter.letter_date.isoformat() for letter in project.letters}
    for k, cube in consolidated.items():
        if k in new_versions:
            if k not in datasets:  # issued: the date of its first member's letter, as the catalog says
                datasets[k] = DatasetHistory(k, cube.title("fr"), cube.title("en"),
                                             min(letter_dates[t.letter_ref] for t in cube.series.members))
            datasets[k].versions.append(new_versions[k])
        ds = datasets[k]
        ds.title_fr, ds.title_en = cube.title("fr"), cube.title("en")
        ds.description_fr, ds.description_en = cube.description("fr"), cube.description("en")
    for d in declared:
        if datasets[d.dataset].withdrawn is None:
            datasets[d.dataset].withdrawn = Withdrawal(release_id, date, d.reason_fr, d.reason_en, d.replaced_by)
    return History([*prev.releases, changes], dict(sorted(datasets.items())))


def _copy(d: DatasetHistory) -> DatasetHistory:
    return DatasetHistory(d.id, d.title_fr, d.title_en, d.issued, list(d.versions), d.withdrawn,
                          d.description_fr, d.description_en)


def check_withdrawn(project: Project, previous: History | None, withdrawn: tuple[Path, list[Declared]],
                    cubes: Iterable[str] = ()) -> list[Declared]:
    """The entries of withdrawn.toml, checked against PREV's history and the data (errors as `compare` says);
    `cubes`: the ids of the series' consolidated cubes, datasets of the data too."""
    tables = {t.dataset_id: (letter, t) for letter in project.letters for t in letter.tables}
    return _check_withdrawn(previous or History(), tables, withdrawn, set(cubes))


def _check_withdrawn(prev: History, tables: dict, withdrawn: tuple[Path, list[Declared]],
                     cubes: set[str] = frozenset()) -> list[Declared]:
    path, declared = withdrawn
    for d in declared:
        if d.dataset in tables or d.dataset in cubes:
            raise InputError(path, d.line, 1, f"dataset {d.dataset} is in the data: only a dataset removed from data/ "
                                              "can be declared withdrawn")
        if d.dataset not in prev.datasets:
            raise InputError(path, d.line, 1, f"dataset {d.dataset} was never published (it is neither in the data nor "
                                              "in --previous's release.json): expected the id of a published dataset")
        for r in d.replaced_by:
            if r not in tables and r not in cubes:
                raise InputError(path, d.line, 1, f"dataset {d.dataset}: replaced_by names {r}, which is not a dataset "
                                                  "of the data")
    names = {d.dataset for d in declared}
    for k, ds in sorted(prev.datasets.items()):
        if ds.withdrawn is not None and k in cubes:
            raise InputError(path.with_name("catalog.toml"), 0, 0, f"series {k} was withdrawn in release "
                             f"{ds.withdrawn.release}: a withdrawn dataset's id is never published again; give the "
                             "series another id")
        if ds.withdrawn is not None and k in tables:
            raise InputError(tables[k][0].path or "letter.toml", 0, 0, f"dataset {k} was withdrawn in release "
                             f"{ds.withdrawn.release}: a withdrawn dataset's id is never published again; give the "
                             "table another id")
        if ds.withdrawn is None and k not in tables and k not in cubes and k not in names:
            raise InputError(path, 0, 0, f"dataset {k} of the previous release is no longer in the data: declare it in "
                                         f"{path.name} ([[withdrawn]] with dataset, reason_fr, reason_en and optionally "
                                         "replaced_by) to withdraw it")
    return declared


def _revision(old: Table, new: Table, letter: Letter, codes: tuple[str, ...], measure_: str) -> CellChange:
    before = next(c for c in old.cells if c.codes == codes and c.measure == measure_)
    after = next(c for c in new.cells if c.codes == codes and c.measure == measure_)
    return CellChange(codes, measure_, before.value, before.status, after.value, after.status, letter.ref, new.dataset_id)


def _rows(data: bytes) -> tuple[list[str], list[list[str]]]:
    reader = csv.reader(io.StringIO(data.decode("utf-8"), newline=""))
    header = next(reader, [])
    return header, list(reader)


def _differences(table: Table, before: DatasetHistory, prev_root: Path | None, root: Path,
                 config: Config) -> tuple[list[CellChange], list[str]]:
    """The cells whose figure or status changed between PREV's tidy CSV and the new one, and in words what
    else changed (titles, descriptions, labels, notes)."""
    words = [key for key in ("title_fr", "title_en", "description_fr", "description_en")
             if getattr(before, key) and getattr(before, key) != getattr(table, key)]
    rel = dataset_path(table.dataset_id, config.format("csv"))
    if prev_root is None or not (prev_root / rel).is_file():
        return [], words or ["other statements"]
    old_header, old_rows = _rows(read_bytes(prev_root / rel, "csv"))
    new_header, new_rows = _rows((root / rel).read_bytes())
    if old_header != new_header:
        return [], [*words, "structure"]
    dims = [d.name for d in table.structure.dimensions]
    at = {name: n for n, name in enumerate(new_header)}
    key_cols = [at[d] for d in dims] + [at["measure"]]

    def index(rows: Iterable[list[str]]) -> dict[tuple[str, ...], list[str]]:
        return {tuple(r[i] for i in key_cols): r for r in rows}

    old, new = index(old_rows), index(new_rows)
    cells = []
    for key in sorted(old.keys() | new.keys()):
        a, b = old.get(key), new.get(key)
        pair_a = (a[at["value"]] or None, a[at["status"]]) if a else (None, "")
        pair_b = (b[at["value"]] or None, b[at["status"]]) if b else (None, "")
        if pair_a != pair_b:
            cells.append(CellChange(key[:-1], key[-1], *pair_a, *pair_b, table.letter_ref, table.dataset_id))
    if old.keys() != new.keys():
        words.append("cells")
    labels = [n for n, name in enumerate(new_header) if name.endswith(("_fr", "_en")) and not name.startswith("note_")]
    notes = [at[name] for name in ("note_fr", "note_en") if name in at]
    common = old.keys() & new.keys()
    if any(old[k][i] != new[k][i] for k in common for i in labels):
        words.append("code labels")
    if any(old[k][i] != new[k][i] for k in common for i in notes):
        words.append("cell notes")
    if not cells and not words:
        words.append("other statements")
    return cells, words


def _cube_differences(cube: Consolidated, prev_root: Path | None, root: Path,
                      config: Config) -> tuple[list[CellChange], list[str], list[str], list[str]]:
    """What changed in a consolidated cube, from PREV's CSV of it and the new one (consolidated.py's columns): the
    cells whose figure or status changed (with the letter and table the cube now copies), the words of what else
    changed, and the rounds or periods (codes of the series' time dimension) it did not have before and those it no
    longer has (a withdrawn table's)."""
    rel = dataset_path(cube.dataset_id, config.format("csv"))
    if prev_root is None or not (prev_root / rel).is_file():
        return [], ["other statements"], [], []
    old_header, old_rows = _rows(read_bytes(prev_root / rel, "csv"))
    new_header, new_rows = _rows((root / rel).read_bytes())
    if old_header != new_header:
        return [], ["structure"], [], []
    dims = [d.name for d in cube.series.members[0].structure.dimensions]
    at = {name: n for n, name in enumerate(new_header)}
    key_cols = [at[d] for d in dims] + [at["measure"]]
    old = {tuple(r[i] for i in key_cols): r for r in old_rows}
    new = {tuple(r[i] for i in key_cols): r for r in new_rows}
    cells = []
    for key in sorted(old.keys() & new.keys()):
        a, b = old[key], new[key]
        if (a[at["value"]], a[at["status"]]) != (b[at["value"]], b[at["status"]]):
            cells.append(CellChange(key[:-1], key[-1], a[at["value"]] or None, a[at["status"]], b[at["value"]] or None,
                                    b[at["status"]], b[at["source_letter"]], b[at["source_dataset"]]))
    time = at[cube.series.time.name]
    old_periods, new_periods = {r[time] for r in old.values()}, {r[time] for r in new.values()}
    periods = sorted(new_periods - old_periods)
    gone = sorted(old_periods - new_periods)
    words = ["periods added"] if periods else []
    if gone:
        words.append("periods removed")
    if any(old[k][time] not in gone for k in old.keys() - new.keys()) or \
            any(new[k][time] not in periods for k in new.keys() - old.keys()):
        words.append("cells")
    sources = [at[c] for c in ("source_dataset", "source_letter", "confirmed_by", "revises", "revised_values")]
    if any(old[k][i] != new[k][i] for k in old.keys() & new.keys() for i in sources) and not cells:
        words.append("sources")
    notes = [at[c] for c in ("note_fr", "note_en")]
    if any(old[k][i] != new[k][i] for k in old.keys() & new.keys() for i in notes) and not cells:
        words.append("cell notes")
    if not cells and not words:
        words.append("other statements")
    return cells, words, periods, gone


def cube_notes(cube: Consolidated, cells: int, periods: list[str], gone: list[str], words: list[str]) -> tuple[str, str]:
    """adms:versionNotes of a consolidated cube's new version: « 2 nouvelles rondes ; 3 figures révisées. »."""
    rounds = cube.series.time.name == "round"
    noun_fr, noun_en = ("ronde", "round") if rounds else ("période", "period")
    fr, en = [], []
    if periods:
        n = len(periods)
        fr.append(f"{n} nouvelle {noun_fr}" if n == 1 else f"{n} nouvelles {noun_fr}s")
        en.append(f"{n} new {noun_en}{'s' if n > 1 else ''}")
    if gone:
        n = len(gone)
        fr.append(f"{n} {noun_fr} retirée" if n == 1 else f"{n} {noun_fr}s retirées")
        en.append(f"{n} {noun_en}{'s' if n > 1 else ''} removed")
    more_fr, more_en = version_notes(cells, words) if cells or words else ("", "")
    if more_fr:
        fr.append(more_fr[:1].lower() + more_fr[1:-1] if fr else more_fr[:-1])
        en.append(more_en[:1].lower() + more_en[1:-1] if en else more_en[:-1])
    return _sentence(" ; ".join(fr)), _sentence("; ".join(en))


def version_notes(cells: int, words: list[str]) -> tuple[str, str]:
    """adms:versionNotes of a new version, in words: « 2 figures révisées ; modifié : libellés des codes. »."""
    fr, en = [], []
    if cells:
        fr.append(f"{cells} figure révisée" if cells == 1 else f"{cells} figures révisées")
        en.append(f"{cells} figure revised" if cells == 1 else f"{cells} figures revised")
    if words:
        fr.append("modifié : " + ", ".join(METADATA_WORDS[w][0] for w in words))
        en.append("changed: " + ", ".join(METADATA_WORDS[w][1] for w in words))
    return _sentence(" ; ".join(fr)), _sentence("; ".join(en))  # French spaces its semicolon


def _sentence(text: str) -> str:
    """Capitalized and ended with a full stop (str.capitalize would lowercase « English title »)."""
    return text[:1].upper() + text[1:] + "."


def release_notes(changes: Changes) -> tuple[str, str]:
    """What a release changed, in one sentence per language (the CLI's and the pages' summary)."""
    fr, en = [], []
    for n, one_fr, many_fr, one_en, many_en in (
            (len(changes.added), "jeu de données ajouté", "jeux de données ajoutés", "dataset added", "datasets added"),
            (len(changes.revised), "jeu de données révisé", "jeux de données révisés", "dataset revised", "datasets revised"),
            (len(set(changes.metadata) - set(changes.revised)), "jeu de données modifié", "jeux de données modifiés",
             "dataset changed", "datasets changed"),
            (len(changes.withdrawn), "jeu de données retiré", "jeux de données retirés", "dataset withdrawn",
             "datasets withdrawn")):
        if n:
            fr.append(f"{n} {one_fr if n == 1 else many_fr}")
            en.append(f"{n} {one_en if n == 1 else many_en}")
    if changes.previous is None:
        return "Premier versement : " + ", ".join(fr) + ".", "First release: " + ", ".join(en) + "."
    return _sentence(", ".join(fr)), _sentence(", ".join(en))
