"""Header words → the dimension or measure they name, read from the labels of the vocabulary in ontology/.

A table's first header cell (« Pays de citoyenneté », « Municipalité », « MRC de destination »,
« Indicateur ») names the dimension its rows are codes of; a column header or a caption
(« Nombre d'invitations », « % des personnes invitées », « ayant soumis une DI ») names a measure.
Both are looked up among the labels the vocabulary gives its terms — rdfs:label, skos:prefLabel,
skos:altLabel and skos:hiddenLabel, French and English — so a synonym a letter uses is added to
ontology/ as a skos:altLabel (« pays de nationalité » for def:country), never to a pattern here.

What kind a header names is the local name of the dimension property (`country`, `mrc`, …);
qb:measureType (rows that are measures, 31224) is `measure`, and def:roundCategory is
`round-category` (25623's OCR dashboard, recognised only to say it cannot be read).
Labels are compared folded (case, accents, typographic apostrophes, footnote marks aside).

`unread_tables` is the other half of « nothing dropped in silence »: a line shaped like a table's
header (cells, then rows of figures below) that no table of the reader starts at is an error
naming its line and the labels expected.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError
from ..load.vocabulary import Vocabulary
from .lines import Line, RawTable, fold
from .numbers import is_figure_token

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
QB = "http://purl.org/linked-data/cube#"
LABELS = {
    "http://www.w3.org/2000/01/rdf-schema#label",
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://www.w3.org/2004/02/skos/core#altLabel",
    "http://www.w3.org/2004/02/skos/core#hiddenLabel",
}
SHOWN = {"http://www.w3.org/2000/01/rdf-schema#label", "http://www.w3.org/2004/02/skos/core#altLabel"}
# The dimensions whose codes ingest reads as a table's rows (tables.py); other dimensions' labels are still
# recognised, to say their tables cannot be read, but are not offered as expected words.
ROW_KINDS = {"country", "municipality", "mrc", "period", "stream"}
FOOTNOTE = re.compile(r"[*¹²³⁴⁵]|\(\d\)")


# What may follow a label of places in a header cell without changing what it names: the region the places lie in.
REGION_QUALIFIER = re.compile(r" (de la |en |dans la )?region\b")


def key(text: str) -> str:
    """A header word as compared: folded, footnote marks and surrounding punctuation removed."""
    return re.sub(r"\s+", " ", FOOTNOTE.sub(" ", fold(text))).strip(" :.")


@dataclass(frozen=True)
class HeaderWords:
    """The vocabulary's labels, by what they name: header kinds (row dimensions) and measures."""

    kinds: dict[str, str]  # folded label -> kind
    measures: dict[str, str]  # folded label -> measure (local name)
    shown: tuple[str, ...]  # the French labels of the header kinds, for messages
    streams: dict[str, str] = field(default_factory=dict)  # folded label of a stream code -> its notation
    program_of: dict[str, str] = field(default_factory=dict)  # stream notation -> its program's notation

    @classmethod
    def of(cls, vocab: Vocabulary) -> HeaderWords:
        """Read from the vocabulary's triples; a label naming two terms is refused (a machine does not pick)."""
        prefix = f"{vocab.base}def/"
        types: dict[str, set[str]] = {}
        labels: dict[str, list[tuple[str, str, str]]] = {}  # subject -> (predicate, text, lang)
        for t in vocab.ontology_triples:
            s, p = t.subject.value, t.predicate.value
            if p == RDF_TYPE:
                types.setdefault(s, set()).add(t.object.value)
            elif p in LABELS:
                labels.setdefault(s, []).append((p, t.object.value, getattr(t.object, "language", None) or ""))
        kinds: dict[str, str] = {}
        measures: dict[str, str] = {}
        shown: list[str] = []
        for subject, items in sorted(labels.items()):
            kind = measure = None
            if subject == f"{QB}measureType":
                kind = "measure"
            elif subject == f"{prefix}roundCategory":
                kind = "round-category"
            elif subject.startswith(prefix) and f"{QB}DimensionProperty" in types.get(subject, set()):
                kind = subject[len(prefix):]
            elif subject.startswith(prefix) and f"{QB}MeasureProperty" in types.get(subject, set()):
                measure = subject[len(prefix):]
            if kind is None and measure is None:
                continue
            target, name = (kinds, kind) if kind else (measures, measure)
            for predicate, text, lang in sorted(items):
                k = key(text)
                if k in target and target[k] != name:
                    raise ValueError(f"ontology/: the label « {text} » names both {target[k]} and {name}: "
                                     "a header word must name one term")
                target[k] = name
                if kind in ROW_KINDS and predicate in SHOWN and lang == "fr":
                    shown.append(text)
        streams, program_of = _streams(vocab)
        return cls(kinds, measures, tuple(dict.fromkeys(shown)), streams, program_of)

    def kind(self, cell: str, tabbed: bool = True) -> str | None:
        """What a header's first cell names. A tab-separated cell is a label exactly; a space-separated
        header line starts with one (« MRC de destination* 2023 2024 2025 »), the longest that fits."""
        k = key(cell)
        if k in self.kinds:
            return self.kinds[k]
        if tabbed:  # exactly a label, or a label of places narrowed to a region (« MRC de la région Bas-Saint-Laurent »)
            found = [label for label in self.kinds if REGION_QUALIFIER.match(k, len(label)) and k.startswith(label)]
            return self.kinds[max(found, key=len)] if found else None
        found = [label for label in self.kinds if k.startswith(label + " ")]
        return self.kinds[max(found, key=len)] if found else None

    def stream(self, text: str) -> str | None:
        """The stream code a column header is a label of (« Volet 1 » → pstq-1), exactly."""
        return self.streams.get(key(text))

    def stream_in(self, text: str, program: str | None) -> str | None:
        """The stream of `program` a caption names (« volet des Diplômés »): the leftmost label found."""
        t = key(text)
        found = [(m.start(), -len(label), code) for label, code in self.streams.items()
                 if self.program_of.get(code) == program and (m := re.search(rf"(?<!\w){re.escape(label)}(?!\w)", t))]
        return min(found)[2] if found else None

    def measures_in(self, text: str) -> list[str]:
        """Every measure a header or caption names, in the order they appear (at one place, the longest label)."""
        t = key(text)
        found = []
        for label, measure in self.measures.items():
            m = re.search(rf"(?<!\w){re.escape(label)}(?!\w)", t)
            if m:
                found.append((m.start(), -len(label), measure))
        return list(dict.fromkeys(measure for _, _, measure in sorted(found)))

    def measure(self, text: str) -> str | None:
        """The measure a header or caption names: the leftmost label found, the longest where two start there."""
        found = self.measures_in(text)
        return found[0] if found else None


def _streams(vocab: Vocabulary) -> tuple[dict[str, str], dict[str, str]]:
    """The labels of code/stream's concepts (but its total), and each stream's program, from the code lists."""
    scheme, program = f"{vocab.base}code/stream", f"{vocab.base}def/program"
    members = {t.subject.value for t in vocab.code_triples
               if t.predicate.value == "http://www.w3.org/2004/02/skos/core#inScheme" and t.object.value == scheme}
    notation: dict[str, str] = {}
    labels: dict[str, list[str]] = {}
    programs: dict[str, str] = {}
    for t in vocab.code_triples:
        s, p = t.subject.value, t.predicate.value
        if s not in members:
            continue
        if p == "http://www.w3.org/2004/02/skos/core#notation":
            notation[s] = t.object.value
        elif p in LABELS:
            labels.setdefault(s, []).append(t.object.value)
        elif p == program:
            programs[s] = t.object.value.rsplit("/", 1)[-1]
    streams: dict[str, str] = {}
    for s, texts in labels.items():
        if s in notation and not notation[s].startswith("_"):
            for text in texts:
                streams[key(text)] = notation[s]
    return streams, {notation[s]: p for s, p in programs.items() if s in notation}


# ---------------------------------------------------------------- the words in use while a letter is read

_current: list[HeaderWords] = []
_default: dict[str, HeaderWords] = {}


@contextmanager
def reading_with(words: HeaderWords) -> Iterator[HeaderWords]:
    """Use these words (the letter's ontology folder) for header_kind while a letter is read."""
    _current.append(words)
    try:
        yield words
    finally:
        _current.pop()


def current() -> HeaderWords:
    """The words in use: those of `reading_with`, else the project's own ontology/ (loaded once)."""
    if _current:
        return _current[-1]
    if "project" not in _default:
        from ..load.vocabulary import load_vocabulary
        from ..paths import project_paths

        _default["project"] = HeaderWords.of(load_vocabulary(project_paths().ontology))
    return _default["project"]


# ---------------------------------------------------------------- nothing dropped in silence


def _figures(line: Line) -> bool:
    """A row of a tab-separated table: a label, then at least one cell that is a figure."""
    cells = line.text.split("\t")
    return len(cells) > 1 and any(c.strip() and is_figure_token(c.strip()) for c in cells[1:])


def unread_tables(lines: list[Line], tables: list[RawTable], path: Path, words: HeaderWords) -> list[InputError]:
    """Rows of figures that no table found holds: each run of them is an error, with what was expected.

    A row is a tab-separated line with a figure after its first cell. A run of such rows (blank lines
    between them allowed) outside every table is reported at its header, the line above it, when that
    is a tab-separated line whose first cell is words (« Pays de naissance »), else at its first row."""
    inside = {n for t in tables for n in range(t.line, max(t.end_line, t.line) + 1)}
    expected = ", ".join(f"« {x} »" for x in words.shown) or "a label (the vocabulary of ontology/ has none)"
    hint = (f"expected {expected}; if it names one of them, add it as a skos:altLabel of that dimension in "
            "ontology/vocabulary.ttl. Its rows were not read")
    errors = []
    i = 0
    while i < len(lines):
        if lines[i].number in inside or not _figures(lines[i]):
            i += 1
            continue
        j, count = i, 0
        while j < len(lines) and lines[j].number not in inside and (lines[j].blank or _figures(lines[j])):
            count += 0 if lines[j].blank else 1
            j += 1
        k = i - 1
        while k >= 0 and lines[k].blank:
            k -= 1
        header = lines[k] if k >= 0 and lines[k].number not in inside and "\t" in lines[k].text else None
        first = header.cells[0].strip() if header else ""
        if header and first and not is_figure_token(first):
            errors.append(InputError(path, header.number, 1, f"« {first} » heads a table ({count} rows of figures below it) "
                                     f"but is no label of a dimension in ontology/: {hint}"))
        else:
            where = f"under the header of line {header.number}, whose first cell is empty" if header else "without a header"
            errors.append(InputError(path, lines[i].number, 1, f"{count} rows of figures {where}, in no table: nothing "
                                     f"says what their rows are; the header's first cell must name it: {hint}"))
        i = j
    return errors
