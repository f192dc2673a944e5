"""`mifi_rdf.frame(dataset_id)`: one dataset as a tidy pandas DataFrame, built from the library's model.

One row per observation, in the order of the letter: the dataset, each dimension as its code and its
label, the measure, the value, the cell status, the inferences, the audit's bounds of a blanked cell
(the def:lowerBound and def:upperBound `export` writes) and the cell's note.

The value is never a float: a dataset whose measures are all counts (xsd:integer) gets a nullable
Int64 column; one with a percentage (xsd:decimal) gets `decimal.Decimal` objects (its counts too, so
the column has one type), exact as printed. A cell without a value has <NA> there, and its status
says why: suppressed is not zero. The bounds have the value's type.

The same frame is built from a published file by read.py: both go through `Rows` and `to_frame`,
so a difference between them is a difference of the data, never of the code that lays it out.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import UsageError
from ..load.vocabulary import Structure, Vocabulary
from ..model import Cell, Table
from ..namespaces import DEFAULT_BASE, RDFS, SKOS, XSD

if TYPE_CHECKING:
    from ..project import Project

LANGS = ("fr", "en")
TEXT = "string"  # pandas' nullable string dtype: missing is <NA>, never the float NaN


def pandas():
    """pandas, imported only here: the rest of mifi-rdf runs without it."""
    try:
        import pandas as pd
    except ImportError as err:
        raise UsageError("mifi_rdf.frame needs pandas: pip install 'mifi-rdf[analysis]'") from err
    return pd


@dataclass
class Rows:
    """What a frame is made of, whichever the source: the model (frame) or a published file (read.py)."""

    dataset_id: str
    structure: Structure
    cells: Sequence[Cell]
    concepts: list[Mapping[str, str]]  # per dimension: code -> concept IRI
    status_iri: Mapping[str, str]  # cell status notation -> IRI
    label: Callable[[str, str], str]  # (IRI, lang) -> label, "" when none
    bounds: Callable[[tuple[str, tuple[str, ...], str]], tuple[str, str | None] | None]  # key -> (lower, upper)


def decimal_values(structure: Structure) -> bool:
    """Whether the value column holds decimals: a measure of the structure is not xsd:integer
    (the rule csvw.py states in the CSVW metadata: datatype integer or decimal)."""
    return any(m.datatype != XSD + "integer" for m in structure.measures.values())


def to_frame(rows: Rows, lang: str = "fr"):
    """The tidy DataFrame of `rows`, labels in `lang`.

    Built column by column, never row by row: one pass over the cells per column, a coded column
    factorized (pandas, in C) so that its codes and labels are made once per distinct code and
    spread by `take`, the numbers converted from their canonical strings by the string array's own
    cast. 100,000 cells take about 0.1 s (bench/bench_formats.py)."""
    if lang not in LANGS:
        raise UsageError(f"unknown language {lang!r} (expected fr or en)")
    pd = pandas()
    import numpy as np

    structure = rows.structure
    cells = rows.cells
    label = rows.label
    n = len(cells)
    decimal = decimal_values(structure)

    def text(values: list) -> Any:
        return pd.array(values, dtype=TEXT)

    def coded(codes: list[str], iri_of: Mapping[str, str]) -> tuple[Any, Any]:
        """The column of codes and that of their labels (<NA> where a code has none)."""
        index, uniques = pd.factorize(np.array(codes, dtype=object))
        names = text(list(uniques))
        labels = text([label(iri_of[code], lang) or None for code in uniques])
        return names.take(index), labels.take(index)

    def number(values: list[str | None]) -> Any:
        if decimal:
            return pd.Series([pd.NA if v is None else Decimal(v) for v in values], dtype="object")
        return text(values).astype("Int64")  # canonical xsd:integer strings (load/tables.py checked them)

    def bounds(found: dict[int, str]) -> Any:
        """A column of bounds, <NA> but at the blanked cells that have one (a tenth of the cells)."""
        if decimal:
            return number([found.get(i) for i in range(n)])
        values, missing = np.zeros(n, dtype=np.int64), np.ones(n, dtype=bool)
        where = np.fromiter(found, dtype=np.intp, count=len(found))
        values[where] = np.fromiter((int(v) for v in found.values()), dtype=np.int64, count=len(found))
        missing[where] = False
        return pd.arrays.IntegerArray(values, missing)

    key = rows.dataset_id
    lower: dict[int, str] = {}
    upper: dict[int, str] = {}
    for i, c in enumerate(cells):
        if c.value is None:
            found = rows.bounds((key, c.codes, c.measure))
            if found:
                lower[i] = found[0]
                if found[1] is not None:
                    upper[i] = found[1]
    columns: dict[str, Any] = {"dataset": text([key]).take(np.zeros(n, dtype=np.intp))}
    for d, dim in enumerate(structure.dimensions):
        columns[dim.name], columns[f"{dim.name}_label"] = coded([c.codes[d] for c in cells], rows.concepts[d])
    columns["measure"], columns["measure_label"] = coded([c.measure for c in cells],
                                                         {name: m.iri for name, m in structure.measures.items()})
    columns["value"] = number([c.value for c in cells])
    columns["status"], columns["status_label"] = coded([c.status for c in cells], rows.status_iri)
    # a set in RDF: sorted, so that every source agrees
    columns["inference"] = text([";".join(sorted(c.inferences)) if c.inferences else None for c in cells])
    columns["lower_bound"] = bounds(lower)
    columns["upper_bound"] = bounds(upper)
    columns["note"] = text([(c.note_fr if lang == "fr" else c.note_en) or None for c in cells])
    frame = pd.DataFrame(columns)
    frame.attrs.update({"dataset": key, "lang": lang, "value_dtype": "object" if decimal else "Int64"})
    return frame


def model_rows(project: Project, dataset_id: str) -> Rows:
    """The rows of one dataset of a loaded project (project.py), its cells read if not loaded."""
    table = project.table(dataset_id)
    vocab = project.vocab
    cells = project.cells(table)
    held, table.cells = table.cells, cells  # the audit reads the cells a table holds: not the file twice
    try:
        bounds = dataset_bounds(project, table, cells)
    finally:
        table.cells = held
    concepts = [vocab.codelists[d.codelist].codes for d in table.structure.dimensions]
    statuses = {name: st.iri for name, st in vocab.statuses.items()}
    shown = {iri for c in concepts for iri in c.values()} | {m.iri for m in table.structure.measures.values()}
    labels = vocabulary_labels(vocab, shown | set(statuses.values()))
    return Rows(dataset_id, table.structure, cells, concepts, statuses,
                lambda iri, lang: labels.get(iri, {}).get(lang, ""), bounds)


def dataset_bounds(project: Project, table: Table, cells: list[Cell]) -> Callable[[tuple], tuple[str, str | None] | None]:
    """The bounds of the table's blanked cells: project.known_bounds() when the project has them, else the
    same bounds computed for this table's group of linked tables only (audit/grouped.py's TableBounds, as a table-by-table
    export does), not for every table of the project. A table linked to none is audited alone,
    only when it blanks a cell; a linked one with the tables of its group, read for it."""
    known = project.known_bounds()
    if known is not None:
        return known.interval
    from ..audit.grouped import TableBounds

    grouped = TableBounds(project.tables(), project.vocab, project.cells)
    grouped.prepare(table, cells)
    return grouped.interval


def vocabulary_labels(vocab: Vocabulary, shown: set[str] | None = None) -> dict[str, dict[str, str]]:
    """The French and English labels of the ontology and code lists (what gather_facts gives the
    CSV files), without the summary of every cell gather_facts also makes. labels.rq reads only
    skos:prefLabel and rdfs:label, each of one subject: the store holds only those statements,
    and, when `shown` names the IRIs a frame shows, only those of these subjects."""
    import pyoxigraph as ox

    from ..build.facts import read_labels

    wanted = {SKOS + "prefLabel", RDFS + "label"}
    store = ox.Store()
    store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in vocab.ontology_triples + vocab.code_triples
                      if t.predicate.value in wanted and (shown is None or t.subject.value in shown))
    return read_labels(store, vocab.base)


def frame(dataset_id: str, lang: str = "fr", base: str = DEFAULT_BASE, data: Path | None = None,
          ontology: Path | None = None):
    """One dataset of data/ (or of the `data` folder given) as a tidy pandas DataFrame, labels in `lang`."""
    from ..project import load_project

    with collector_paused():  # from pandas' import on: its objects, like the table's, are no garbage
        pandas()  # before any work: a missing pandas is the first thing said
        project = load_project(base, data, ontology, cells=False)
        return to_frame(model_rows(project, dataset_id), lang)


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off while a frame is made: reading a table makes several
    objects per cell and keeps them all until the frame is built, so the collector's passes over
    them as they pile up find nothing to free (at 100,000 cells they cost a sixth of frame())."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
