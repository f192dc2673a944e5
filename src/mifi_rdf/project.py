"""The library entry point the CLI and the tests share: load → build → serialize."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from .cube import CubeBuilder
from .errors import UsageError
from .load.tables import load_letters
from .load.vocabulary import Vocabulary, load_vocabulary
from .model import Letter
from .namespaces import DEFAULT_BASE
from .paths import project_paths
from .serialize.writers import atomic_output, needs_graphs, write
from .validate.engine import Report, check, check_by_dataset, store_from_statements


@dataclass
class Project:
    """The loaded inputs: vocabulary for one base URI, and every letter with its tables."""

    vocab: Vocabulary
    letters: list[Letter]
    _audit: object = field(default=None, init=False, repr=False, compare=False)

    @property
    def dataset_ids(self) -> list[str]:
        return [t.dataset_id for letter in self.letters for t in letter.tables]

    def _chosen(self, datasets: list[str] | None) -> set[str] | None:
        if not datasets:
            return None
        unknown = sorted(set(datasets) - set(self.dataset_ids))
        if unknown:
            raise UsageError(f"unknown dataset {', '.join(unknown)} (known: {', '.join(self.dataset_ids)})")
        return set(datasets)

    def audit(self):
        """The disclosure audit of every table (mifi_rdf.audit), computed once: export, build and
        validate all put its bounds on the suppressed observations."""
        if self._audit is None:
            from .audit import run_audit

            self._audit = run_audit([t for letter in self.letters for t in letter.tables], self.vocab)
        return self._audit

    def bound_attributes(self) -> dict:
        """def:lowerBound, def:upperBound and def:boundsMethod of each suppressed observation."""
        from .audit.report import attributes

        return attributes(self.audit(), self.vocab.base)

    def statements(self, datasets: list[str] | None = None, graphs: bool = False) -> Iterator[ox.Triple | ox.Quad]:
        return CubeBuilder(self.vocab, self.bound_attributes()).statements(self.letters, self._chosen(datasets), graphs)

    def export(self, fmt: str, output: Path | None = None, datasets: list[str] | None = None) -> None:
        statements = self.statements(datasets, graphs=needs_graphs(fmt))
        with atomic_output(output) as out:
            write(statements, fmt, out, self.vocab.base)

    def validate(self, datasets: list[str] | None = None, engine: str = "oxigraph") -> tuple[Report, ox.Store]:
        """Check the cubes (or the chosen datasets) against shapes/; also returns a store the report
        reads its labels from.

        The fast engine holds a few datasets at a time (memory bounded by the largest batch, not
        the whole cube); pyshacl, the slow reference, gets the whole graph."""
        if engine == "oxigraph":
            shared, parts = CubeBuilder(self.vocab, self.bound_attributes()).by_dataset(self.letters, self._chosen(datasets))
            return check_by_dataset(shared, parts, self.vocab.base)
        store = store_from_statements(self.statements(datasets))
        return check(store, self.vocab.base, engine), store

    def store(self) -> ox.Store:
        """An in-memory pyoxigraph store with one named graph per part, for SPARQL."""
        store = ox.Store()
        store.bulk_extend(self.statements(graphs=True))
        return store


def load_project(base: str = DEFAULT_BASE, data: Path | None = None, ontology: Path | None = None) -> Project:
    paths = project_paths(data, ontology)
    vocab = load_vocabulary(paths.ontology, base)
    return Project(vocab, load_letters(paths.data, vocab))
