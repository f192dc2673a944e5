"""The library entry point the CLI and the tests share: load → build → serialize."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from .cube import CubeBuilder, TableByTable
from .errors import UsageError
from .load.tables import load_cells, load_letters
from .load.vocabulary import Vocabulary, load_vocabulary
from .model import Cell, Letter, Table
from .namespaces import DEFAULT_BASE
from .paths import project_paths
from .progress import steps
from .serialize.writers import atomic_output, write_cubes

if TYPE_CHECKING:
    from .audit.report import BoundAttributes
    from .validate.results import Report


@dataclass
class Project:
    """The loaded inputs: vocabulary for one base URI, and every letter with its tables."""

    vocab: Vocabulary
    letters: list[Letter]
    _audit: object = field(default=None, init=False, repr=False, compare=False)
    _bounds: dict | None = field(default=None, init=False, repr=False, compare=False)
    lazy: bool = False  # the tables' cells are read when written (load_project(cells=False)), see streaming.py
    data: Path | None = None  # the data folder read (None: the project's own): its catalog.toml names the series

    @property
    def dataset_ids(self) -> list[str]:
        return [t.dataset_id for t in self.tables()]

    def select(self, datasets: list[str] | None) -> set[str] | None:
        """The dataset ids asked for (None: every dataset); an unknown id is a usage error naming the known ones."""
        if not datasets:
            return None
        unknown = sorted(set(datasets) - set(self.dataset_ids))
        if unknown:
            raise UsageError(f"unknown dataset {', '.join(unknown)} (known: {', '.join(self.dataset_ids)})")
        return set(datasets)

    def tables(self) -> list[Table]:
        return [t for letter in self.letters for t in letter.tables]

    def table(self, dataset_id: str) -> Table:
        """The table of one dataset; an unknown id is a usage error naming the known ones."""
        found = next((t for t in self.tables() if t.dataset_id == dataset_id), None)
        if found is None:
            raise UsageError(f"unknown dataset {dataset_id} (known: {', '.join(self.dataset_ids)})")
        return found

    def cells(self, table: Table) -> list[Cell]:
        """A table's cells: those loaded, or else read from its CSV now (not kept). The one way every
        path — audit, bounds, export, validate — gets the cells of a project loaded with or without them."""
        return table.cells or load_cells(table, self.vocab)

    def audit(self):
        """The disclosure audit of every table together (mifi_rdf.audit), computed once, for `mifi-rdf
        audit`'s report. Export, build and validate need only its bounds: bound_attributes()."""
        if self._audit is None:
            from .audit import run_audit

            tables = self.tables()
            loaded = [t for t in tables if not t.cells]  # read for the audit, which needs every cell together
            for t in steps(loaded, "reading the tables"):
                t.cells = self.cells(t)
            try:
                self._audit = run_audit(tables, self.vocab)
            finally:
                for t in loaded:
                    t.cells = []
        return self._audit

    def known_bounds(self) -> BoundAttributes | None:
        """The bounds of the suppressed observations if already computed (by bound_attributes(), by a
        validation that walked every table, or from the audit at hand), else None: the one test of the
        project's cached state, so that each path that can compute the bounds as it reads the cells
        (a table-by-table export, a validation, one dataset's rows) does so only when nothing is known."""
        if self._bounds is None and self._audit is not None:
            from .audit.report import attributes

            self._bounds = attributes(self._audit, self.vocab.base)
        return self._bounds

    def bound_attributes(self) -> dict:
        """def:lowerBound, def:upperBound and def:boundsMethod of each suppressed observation,
        computed once. Without the whole audit at hand, they are computed group of linked tables
        by group (audit/grouped.py): the same bounds, with the cells of one group held at a time."""
        if self.known_bounds() is None:
            from .audit.grouped import grouped_bound_attributes

            self._bounds = grouped_bound_attributes(self.tables(), self.vocab, self.cells)
        return self._bounds

    def builder(self) -> CubeBuilder:
        """The cube builder; for a project loaded without its cells, one that reads them table by table
        (and, when no bounds are known yet, computes each table's from the cells read to write it)."""
        if not self.lazy:
            return CubeBuilder(self.vocab, self.bound_attributes())
        known = self.known_bounds()
        if known is None:
            from .audit.grouped import TableBounds

            # each table's bounds from the cells read to write it: a table is read once, not twice
            return TableByTable(self.vocab, TableBounds(self.tables(), self.vocab, self.cells))
        return TableByTable(self.vocab, known)

    def statements(self, datasets: list[str] | None = None, graphs: bool = False) -> Iterator[ox.Triple | ox.Quad]:
        return self.builder().statements(self.letters, self.select(datasets), graphs)

    def export(self, fmt: str, output: Path | None = None, datasets: list[str] | None = None) -> None:
        if self.lazy:
            from .streaming import export_table_by_table

            return export_table_by_table(self, fmt, output, self.select(datasets))
        with atomic_output(output) as out:
            write_cubes(self.builder(), self.letters, self.select(datasets), fmt, out)

    def validate(self, datasets: list[str] | None = None, engine: str = "oxigraph") -> tuple[Report, ox.Store]:
        """Check the cubes (or the chosen datasets) against shapes/; also returns a store the report
        reads its labels from.

        The fast engine holds a few datasets at a time (memory bounded by the largest batch, not
        the whole cube); pyshacl, the slow reference, gets the whole graph."""
        if engine == "oxigraph":
            from .validate.fast import check_tables
            from .validate.shapes import load_shapes

            shapes = load_shapes(project_paths().shapes, self.vocab.base)
            chosen = self.select(datasets)
            known = self.known_bounds()
            if known is None:  # the bounds in the same pass over the cells
                from .validate.fast import check_tables_with_bounds

                report, store, bounds = check_tables_with_bounds(self.vocab, self.letters, chosen, shapes, self.cells)
                if chosen is None:
                    self._bounds = bounds
                return report, store
            return check_tables(self.vocab, self.letters, chosen, shapes, known)
        from .validate.check import check, check_by_dataset  # with rdflib: not imported for an unvalidated export
        from .validate.engine import store_from_statements

        if engine == "sparql":
            shared, parts = self.builder().by_dataset(self.letters, self.select(datasets))
            return check_by_dataset(shared, parts, self.vocab.base)
        store = store_from_statements(self.statements(datasets))
        return check(store, self.vocab.base, engine), store

    def store(self) -> ox.Store:
        """An in-memory pyoxigraph store with one named graph per part, for SPARQL (the letters' datasets;
        build/consolidated.py's `series_store` adds the series' consolidated cubes)."""
        store = ox.Store()
        store.bulk_extend(self.statements(graphs=True))
        return store


def load_project(base: str = DEFAULT_BASE, data: Path | None = None, ontology: Path | None = None,
                 cells: bool = True) -> Project:
    """The project; without its cells (`cells=False`), for an export that reads them table by table."""
    paths = project_paths(data, ontology)
    vocab = load_vocabulary(paths.ontology, base)
    return Project(vocab, load_letters(paths.data, vocab, cells), lazy=not cells, data=paths.data)
