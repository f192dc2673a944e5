"""Cells laid out as the letter printed them: rows × columns, totals and « Autres » where they were.

A table's cells are tidy (one per combination of dimension codes and measure); the letter printed
them as a grid. The layout is read from the cells themselves, so it works for any structure and
for any subset of cells (a country's cells across rounds, the cells of one round):

- a dimension (or the measure) with one value in the cells is fixed: it belongs in the caption;
- of those that vary, the one with the fewest values makes the columns (the measure first on a tie,
  then the later dimension), as the letters print streams, years or measures across and
  countries, municipalities, MRCs or months down; the others make the rows;
- rows and columns come in the order of the cells, which is the order of the letter.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from .data import Entry, SiteData

TOTAL_STATUSES = {"total", "adjusted-total"}


@dataclass(frozen=True)
class Axis:
    """What a row or a column is keyed by: a dimension (its index in qb:order), the measure, or the dataset."""

    kind: str  # "dim", "measure" or "dataset"
    index: int = -1
    iri: str = ""  # the dimension property (qb:measureType for the measure)

    def key(self, entry: Entry) -> str:
        if self.kind == "dim":
            return entry.cell.codes[self.index]
        if self.kind == "measure":
            return entry.cell.measure
        return entry.table.dataset_id


@dataclass
class Header:
    """A row or column header: the IRI it names (a code, a measure, a dataset) and whether it is dated."""

    axis: Axis
    key: str
    iri: str
    total: bool = False


@dataclass
class Row:
    headers: list[Header]
    cells: list[Entry | None]
    total: bool = False
    residual: bool = False
    datasets: list[str] = field(default_factory=list)  # the tables its cells come from


@dataclass
class Grid:
    fixed: list[Header]
    row_axes: list[Axis]
    column_axis: Axis
    columns: list[Header]
    rows: list[Row]
    sources: bool = False  # cells from several tables: each row says which


    def entries(self) -> list[Entry]:
        return [e for row in self.rows for e in row.cells if e is not None]

    def page(self, start: int, stop: int) -> Grid:
        """The same grid with only rows [start, stop): a page of a long code page."""
        return Grid(self.fixed, self.row_axes, self.column_axis, self.columns, self.rows[start:stop], self.sources)


def axis_iri(data: SiteData, axis: Axis, entry: Entry, key: str) -> str:
    if axis.kind == "dim":
        return data.code_iri(entry.table, axis.index, key)
    if axis.kind == "measure":
        return data.measure_iri(entry.table, key)
    return f"{data.base}dataset/{key}"


def make_grid(data: SiteData, entries: Sequence[Entry]) -> Grid:
    """The grid of cells that share one structure (one table, or several of the same shape)."""
    if not entries:
        raise ValueError("a grid needs at least one cell")
    structure = entries[0].table.structure
    axes = [Axis("dim", i, d.iri) for i, d in enumerate(structure.dimensions)]
    axes.append(Axis("measure", len(axes), "http://purl.org/linked-data/cube#measureType"))
    values: dict[Axis, dict[str, Entry]] = {a: {} for a in axes}
    for e in entries:
        for a in axes:
            values[a].setdefault(a.key(e), e)
    if len({e.table.dataset_id for e in entries}) > 1:
        keys = {tuple(a.key(e) for a in axes) for e in entries}
        if len(keys) < len(entries):  # the same cell in two tables: tell them apart by dataset
            dataset = Axis("dataset")
            axes.insert(0, dataset)
            values[dataset] = {}
            for e in entries:
                values[dataset].setdefault(e.table.dataset_id, e)
    varying = [a for a in axes if len(values[a]) > 1]
    measure = next(a for a in axes if a.kind == "measure")
    if len(varying) <= 1:
        column = measure
        row_axes = [a for a in varying if a is not measure]
    else:
        column = min(varying, key=lambda a: (len(values[a]), a.kind != "measure", -a.index))
        row_axes = [a for a in varying if a is not column]
    fixed = [header(data, a, k, e) for a in axes if a not in varying and a is not column for k, e in values[a].items()]
    columns = [header(data, column, k, e) for k, e in values[column].items()]
    position = {h.key: n for n, h in enumerate(columns)}
    rows: dict[tuple[str, ...], Row] = {}
    for e in entries:
        key = tuple(a.key(e) for a in row_axes)
        row = rows.get(key)
        if row is None:
            row = rows[key] = Row([header(data, a, k, e) for a, k in zip(row_axes, key, strict=True)],
                                  [None] * len(columns))
        row.cells[position[column.key(e)]] = e
        if e.table.dataset_id not in row.datasets:
            row.datasets.append(e.table.dataset_id)
    for row in rows.values():
        present = [e for e in row.cells if e is not None]
        row.total = any(h.total for h in row.headers) or all(e.cell.status in TOTAL_STATUSES for e in present)
        row.residual = any(e.cell.status == "residual" for e in present)
    ordered = list(rows.values())
    several = len({e.table.dataset_id for e in entries}) > 1
    if several and len(row_axes) == 1:
        ordered = [row for _, row in sorted(((combined_order(data, row, n), n), row) for n, row in enumerate(ordered))]
    sources = several and not any(a.kind == "dataset" for a in row_axes) and all(len(r.datasets) == 1 for r in ordered)
    return Grid(fixed, row_axes, column, columns, ordered, sources)


def combined_order(data: SiteData, row: Row, position: int) -> tuple:
    """Rows gathered from several tables (a series, a code's cells across rounds) have no printed
    order: dated rows by date; others by their sum, highest first, « Autres » then totals last;
    then in the order they came."""
    iri = row.headers[0].iri
    if data.is_dated(iri):
        return (row.total, False, data.dates[iri][0], 0.0, position)
    values = sum(float(e.cell.value) for e in row.cells if e is not None and e.cell.value is not None)
    return (row.total, row.residual, "", -values, position)


def header(data: SiteData, axis: Axis, key: str, entry: Entry) -> Header:
    iri = axis_iri(data, axis, entry, key)
    return Header(axis, key, iri, iri in data.totals)
