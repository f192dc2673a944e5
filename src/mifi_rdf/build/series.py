"""Dataset series: tables that repeat one structure round after round (letter 30952's eight tables,
one per PSTQ draw), declared in data/catalog.toml's [[series]] and published as a
dcat:DatasetSeries (DCAT 3): each member `dcat:inSeries` it, with `dcat:prev` / `dcat:next`, and the
series names its `dcat:first` and `dcat:last`.

A series names a structure; its members are every table of that structure with a dimension whose
every value is dated (a round, a period: one per table for letter 30952, twelve months in one
table for letter 31224), in the order of its earliest date. A table of the same shape from a later
letter thus joins the series without editing it; consolidated.py makes of the members one cube.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError
from ..load.vocabulary import Dimension, Vocabulary
from ..model import Table
from ..namespaces import DCAT, DCT
from ..project import Project
from .config import Config


@dataclass
class Series:
    id: str
    iri: str
    title_fr: str
    title_en: str
    description_fr: str
    description_en: str
    time: Dimension  # the dimension whose every value is dated (round or period)
    members: list[Table] = field(default_factory=list)  # in date order
    dates: list[str] = field(default_factory=list)  # each member's earliest round or period start, same order

    def title(self, lang: str) -> str:
        return self.title_fr if lang == "fr" else self.title_en

    def description(self, lang: str) -> str:
        return self.description_fr if lang == "fr" else self.description_en


def code_dates(vocab: Vocabulary) -> dict[str, tuple[str, str]]:
    """Start and end of every dated code: a round's dcterms:date, a period's dcat:startDate/endDate."""
    starts: dict[str, str] = {}
    ends: dict[str, str] = {}
    for t in vocab.code_triples:
        p = t.predicate.value
        if p == DCT + "date":
            starts[t.subject.value] = ends[t.subject.value] = t.object.value
        elif p == DCAT + "startDate":
            starts[t.subject.value] = t.object.value
        elif p == DCAT + "endDate":
            ends[t.subject.value] = t.object.value
    return {s: (start, ends.get(s, start)) for s, start in starts.items()}


def find_series(project: Project, config: Config, dates: dict[str, tuple[str, str]] | None = None) -> list[Series]:
    """The [[series]] of catalog.toml with their members; a series naming an unknown structure is an
    error of catalog.toml (file and line); one that no table of the data fits is left out."""
    vocab = project.vocab
    dates = code_dates(vocab) if dates is None else dates
    path: Path | str = config.path or "catalog.toml"
    lines = _series_lines(path)
    out = []
    for n, spec in enumerate(config.raw.get("series", [])):
        where, line = f"[[series]] #{n + 1}", lines[n] if n < len(lines) else 1
        try:
            sid, slug = spec["id"], spec["structure"]
            texts = [spec[k] for k in ("title_fr", "title_en", "description_fr", "description_en")]
        except (KeyError, TypeError) as err:
            raise InputError(path, line, 1, f"{where} needs id, structure, title_fr, title_en, description_fr and "
                                            f"description_en: missing {err}") from err
        if slug not in vocab.structures:
            raise InputError(path, line, 1, f"{where} ({sid}): unknown structure '{slug}' "
                                            f"(known: {', '.join(sorted(vocab.structures))})")
        members: list[tuple[str, Table]] = []
        time: Dimension | None = None
        for letter in project.letters:
            for t in letter.tables:
                if t.structure.slug != slug:
                    continue
                cells = project.cells(t)
                for i, dim in enumerate(t.structure.dimensions):
                    concepts = vocab.codelists[dim.codelist].codes
                    starts = [dates[concepts[c]][0] if concepts[c] in dates else None for c in {cell.codes[i] for cell in cells}]
                    if starts and None not in starts:
                        time = dim
                        members.append((min(starts), t))
                        break
        if time is None:  # other data (a data folder without its own catalog.toml): nothing to publish
            continue
        members.sort(key=lambda m: (m[0], m[1].dataset_id))
        out.append(Series(sid, f"{vocab.base}series/{sid}", *texts, time=time,
                          members=[t for _, t in members], dates=[d for d, _ in members]))
    return out


def _series_lines(path: Path | str) -> list[int]:
    """Line of each [[series]] header of catalog.toml, for messages."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError:
        return []
    return [n for n, line in enumerate(text.splitlines(), start=1) if line.strip() == "[[series]]"]
