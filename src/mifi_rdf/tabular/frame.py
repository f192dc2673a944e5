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
from typing import Any

from ..errors import UsageError
from ..load.vocabulary import Structure
from ..model import Cell
from ..namespaces import DEFAULT_BASE, XSD

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
    """The tidy DataFrame of `rows`, labels in `lang`."""
    if lang not in LANGS:
        raise UsageError(f"unknown language {lang!r} (expected fr or en)")
    pd = pandas()
    structure = rows.structure
    dims = structure.dimensions
    label = rows.label
    n = len(rows.cells)
    codes: list[list[str]] = [[""] * n for _ in dims]
    labels: list[list[str | None]] = [[None] * n for _ in dims]
    measure, measure_label = [""] * n, [None] * n
    value: list[Any] = [None] * n
    lower: list[Any] = [None] * n
    upper: list[Any] = [None] * n
    status, status_label = [""] * n, [None] * n
    inference: list[str | None] = [None] * n
    note: list[str | None] = [None] * n
    dim_labels = [{} for _ in dims]  # code -> label, asked once per code
    measure_labels = {name: label(m.iri, lang) or None for name, m in structure.measures.items()}
    status_labels = {s: label(iri, lang) or None for s, iri in rows.status_iri.items()}
    exact = Decimal if decimal_values(structure) else int
    for i, cell in enumerate(rows.cells):
        for d, code in enumerate(cell.codes):
            codes[d][i] = code
            known = dim_labels[d]
            if code not in known:
                known[code] = label(rows.concepts[d][code], lang) or None
            labels[d][i] = known[code]
        measure[i] = cell.measure
        measure_label[i] = measure_labels[cell.measure]
        if cell.value is not None:
            value[i] = exact(cell.value)
        status[i] = cell.status
        status_label[i] = status_labels[cell.status]
        if cell.inferences:
            inference[i] = ";".join(sorted(cell.inferences))  # a set in RDF: sorted, so every source agrees
        text = cell.note_fr if lang == "fr" else cell.note_en
        note[i] = text or None
        if cell.value is None:
            found = rows.bounds((rows.dataset_id, cell.codes, cell.measure))
            if found is not None:
                lower[i] = exact(found[0])
                if found[1] is not None:
                    upper[i] = exact(found[1])
    numbers = "object" if exact is Decimal else "Int64"

    def number(values: list):
        if exact is Decimal:
            return pd.Series([pd.NA if v is None else v for v in values], dtype="object")
        return pd.array(values, dtype="Int64")

    columns: dict[str, Any] = {"dataset": pd.array([rows.dataset_id] * n, dtype=TEXT)}
    for d, dim in enumerate(dims):
        columns[dim.name] = pd.array(codes[d], dtype=TEXT)
        columns[f"{dim.name}_label"] = pd.array(labels[d], dtype=TEXT)
    columns["measure"] = pd.array(measure, dtype=TEXT)
    columns["measure_label"] = pd.array(measure_label, dtype=TEXT)
    columns["value"] = number(value)
    columns["status"] = pd.array(status, dtype=TEXT)
    columns["status_label"] = pd.array(status_label, dtype=TEXT)
    columns["inference"] = pd.array(inference, dtype=TEXT)
    columns["lower_bound"] = number(lower)
    columns["upper_bound"] = number(upper)
    columns["note"] = pd.array(note, dtype=TEXT)
    frame = pd.DataFrame(columns)
    frame.attrs.update({"dataset": rows.dataset_id, "lang": lang, "value_dtype": numbers})
    return frame


def model_rows(project, dataset_id: str) -> Rows:
    """The rows of one dataset of a loaded project (project.py), its cells read if not loaded."""
    from ..build.facts import gather_facts
    from ..load.tables import load_cells

    table = next((t for letter in project.letters for t in letter.tables if t.dataset_id == dataset_id), None)
    if table is None:
        raise UsageError(f"unknown dataset {dataset_id} (known: {', '.join(project.dataset_ids)})")
    vocab = project.vocab
    cells = table.cells or load_cells(table, vocab)
    bounds = project.bound_attributes()
    facts = gather_facts(project)  # labels come from the vocabulary alone
    return Rows(dataset_id, table.structure, cells,
                [vocab.codelists[d.codelist].codes for d in table.structure.dimensions],
                {name: st.iri for name, st in vocab.statuses.items()}, facts.label, bounds.interval)


def frame(dataset_id: str, lang: str = "fr", base: str = DEFAULT_BASE, data=None, ontology=None):
    """One dataset of data/ (or of the `data` folder given) as a tidy pandas DataFrame, labels in `lang`."""
    from ..project import load_project

    pandas()  # before any work: a missing pandas is the first thing said
    project = load_project(base, data, ontology, cells=False)
    return to_frame(model_rows(project, dataset_id), lang)
