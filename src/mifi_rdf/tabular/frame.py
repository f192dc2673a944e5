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

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import UsageError
from ..load.vocabulary import Structure, Vocabulary
from ..model import Cell
from ..namespaces import DEFAULT_BASE, XSD

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

    Built column by column (a comprehension over the cells each), labels looked up once per code:
    100,000 cells take a fraction of a second (bench/bench_formats.py)."""
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

    def labelled(codes: list[str], iri_of: Mapping[str, str]) -> Any:
        known = {code: label(iri_of[code], lang) or None for code in dict.fromkeys(codes)}
        return text([known[c] for c in codes])

    def number(values: list[str | None]) -> Any:
        if decimal:
            return pd.Series([pd.NA if v is None else Decimal(v) for v in values], dtype="object")
        mask = np.fromiter((v is None for v in values), dtype=bool, count=n)
        ints = np.fromiter((0 if v is None else int(v) for v in values), dtype="int64", count=n)
        return pd.arrays.IntegerArray(ints, mask)

    key = rows.dataset_id
    blank_bounds = [rows.bounds((key, c.codes, c.measure)) if c.value is None else None for c in cells]
    columns: dict[str, Any] = {"dataset": text([key] * n)}
    for d, dim in enumerate(structure.dimensions):
        codes = [c.codes[d] for c in cells]
        columns[dim.name] = text(codes)
        columns[f"{dim.name}_label"] = labelled(codes, rows.concepts[d])
    measures = [c.measure for c in cells]
    columns["measure"] = text(measures)
    columns["measure_label"] = labelled(measures, {name: m.iri for name, m in structure.measures.items()})
    columns["value"] = number([c.value for c in cells])
    statuses = [c.status for c in cells]
    columns["status"] = text(statuses)
    columns["status_label"] = labelled(statuses, rows.status_iri)
    # a set in RDF: sorted, so that every source agrees
    columns["inference"] = text([";".join(sorted(c.inferences)) if c.inferences else None for c in cells])
    columns["lower_bound"] = number([b[0] if b else None for b in blank_bounds])
    columns["upper_bound"] = number([b[1] if b else None for b in blank_bounds])
    columns["note"] = text([(c.note_fr if lang == "fr" else c.note_en) or None for c in cells])
    frame = pd.DataFrame(columns)
    frame.attrs.update({"dataset": key, "lang": lang, "value_dtype": "object" if decimal else "Int64"})
    return frame


def model_rows(project: Project, dataset_id: str) -> Rows:
    """The rows of one dataset of a loaded project (project.py), its cells read if not loaded."""
    from ..load.tables import load_cells

    table = next((t for letter in project.letters for t in letter.tables if t.dataset_id == dataset_id), None)
    if table is None:
        raise UsageError(f"unknown dataset {dataset_id} (known: {', '.join(project.dataset_ids)})")
    vocab = project.vocab
    cells = table.cells or load_cells(table, vocab)
    held, table.cells = table.cells, cells  # the audit reads the cells a table holds: not the file twice
    try:
        bounds = project.bound_attributes()
    finally:
        table.cells = held
    labels = vocabulary_labels(vocab)
    return Rows(dataset_id, table.structure, cells,
                [vocab.codelists[d.codelist].codes for d in table.structure.dimensions],
                {name: st.iri for name, st in vocab.statuses.items()},
                lambda iri, lang: labels.get(iri, {}).get(lang, ""), bounds.interval)


def vocabulary_labels(vocab: Vocabulary) -> dict[str, dict[str, str]]:
    """The French and English labels of the ontology and code lists (what gather_facts gives the
    CSV files), without the summary of every cell gather_facts also makes."""
    import pyoxigraph as ox

    from ..build.facts import read_labels

    store = ox.Store()
    store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in vocab.ontology_triples + vocab.code_triples)
    return read_labels(store, vocab.base)


def frame(dataset_id: str, lang: str = "fr", base: str = DEFAULT_BASE, data: Path | None = None,
          ontology: Path | None = None):
    """One dataset of data/ (or of the `data` folder given) as a tidy pandas DataFrame, labels in `lang`."""
    from ..project import load_project

    pandas()  # before any work: a missing pandas is the first thing said
    project = load_project(base, data, ontology, cells=False)
    return to_frame(model_rows(project, dataset_id), lang)
