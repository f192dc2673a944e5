"""`validate FILE` in bounded memory: the file is parsed as a stream, each observation's statements
go into integer columns, and only the rest (structures, code lists, datasets, letters) into a store.

Why: a store of the parsed file is most of the memory of `validate FILE` (3.9 GB for the 10M
statements of a million observations), and the rules that read observations run over one table of
integers anyway (columnar.py). Here a statement whose subject is an observation (a subject of
qb:dataSet, or typed qb:Observation) is kept as two 32-bit numbers (the observation's row, the
object's number among the distinct objects) in an array per predicate; everything else goes into a
pyoxigraph store, which the structural rules, the questions about codes and the report's labels
read as before. `fast.observations_from_store` reads the observations through `Columns.scan` as it
reads a store's index, so both paths build the same table and give the same results; the tests
compare them on every fixture of the corpus.

Exactness: the structural rules (fast.STRUCTURAL) and the questions read_structures, read_measures
and read_codes ask never read an observation's own statements, except ic-02's `[] qb:dataSet $this`
(one such statement per dataset stays in the store for it), and they would if an observation were
also a structure, a dataset, a code, a measure... So an observation with a type other than
qb:Observation, or with a predicate of those questions (STRUCTURE_PREDICATES), is `Irregular`: the
file is then parsed again into a whole store and validated as before (fast.check_store), as is any
other input columnar.py does not reproduce exactly (two values for one dimension, a duplicated
statement...). Statements of an observation read before the one that makes it an observation are
moved from the store to the columns at the end (an order of statements no writer we know uses).
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox

from ..errors import UnreadableInput
from ..load.rdf import too_long
from ..namespaces import DCAT, QB, RDF_TYPE, RDFS, SKOS, SUBCLASS
from .columnar import Irregular
from .engine import INPUT_FORMATS, checked_input, run_oxigraph, store_from_files
from .fast import _columnar, check_store, observations_from_store
from .results import Report
from .shapes import Shapes

DCT = "http://purl.org/dc/terms/"


def structure_predicates(base: str) -> set[str]:
    """Predicates the structural rules and the questions about codes and structures follow from a
    node: on an observation, they would make it part of what those questions read."""
    return {QB + p for p in ("structure", "component", "dimension", "measure", "attribute", "componentProperty",
                             "componentRequired", "componentAttachment", "order", "codeList")} \
        | {RDFS + "range", SUBCLASS, RDFS + "subPropertyOf", SKOS + "inScheme", SKOS + "member", SKOS + "prefLabel",
           DCAT + "startDate", DCAT + "endDate", DCT + "title"} \
        | {base + "def/" + p for p in ("hasValue", "shareOf", "suppressionThreshold", "letter")}


class Columns:
    """The observations' statements as integer columns: for each predicate, the rows of the
    observations and the numbers of the objects (`terms`)."""

    DATASET, TYPE = 0, 1  # the numbers of qb:dataSet and rdf:type among the predicates

    def __init__(self, base: str) -> None:
        self.subjects: list[ox.NamedNode] = []
        self.row_of: dict[ox.NamedNode, int] = {}
        self.dataset: list[object | None] = []
        self.predicates: list[ox.NamedNode] = [ox.NamedNode(QB + "dataSet"), ox.NamedNode(RDF_TYPE)]
        self.predicate_of = {p: i for i, p in enumerate(self.predicates)}
        self.rows: list[array] = [array("I"), array("I")]
        self.objects: list[array] = [array("I"), array("I")]
        self.terms: list[object] = []
        self.term_of: dict[object, int] = {}
        self.observation = ox.NamedNode(QB + "Observation")
        self.seen: set = set()  # subjects of the statements that went into the store
        self.early: list[ox.NamedNode] = []  # observations with statements in the store, read before they were known as such
        self.forbidden = {self._predicate(ox.NamedNode(p)) for p in structure_predicates(base)}

    def _predicate(self, p: ox.NamedNode) -> int:
        i = self.predicate_of.get(p)
        if i is None:
            i = self.predicate_of[p] = len(self.predicates)
            self.predicates.append(p)
            self.rows.append(array("I"))
            self.objects.append(array("I"))
        return i

    def register(self, subject) -> int:
        """The row of a new observation."""
        if not isinstance(subject, ox.NamedNode):
            raise Irregular(f"{subject} is an observation without an IRI")
        r = self.row_of[subject] = len(self.subjects)
        self.subjects.append(subject)
        self.dataset.append(None)
        return r

    def add(self, r: int, p: ox.NamedNode, o) -> None:
        """A statement of the observation of row r."""
        i = self.predicate_of.get(p)
        if i is None:
            i = self._predicate(p)
        elif i in self.forbidden:
            raise Irregular(f"{self.subjects[r].value} is an observation with {p.value}")
        t = self.term_of.get(o)
        if t is None:
            t = self.term_of[o] = len(self.terms)
            self.terms.append(o)
        self.rows[i].append(r)
        self.objects[i].append(t)
        if i == self.DATASET:
            known = self.dataset[r]
            if known is not None and known != o:
                raise Irregular(f"{self.subjects[r].value} belongs to several datasets")
            self.dataset[r] = o
        elif i == self.TYPE and o != self.observation:
            raise Irregular(f"{self.subjects[r].value} is an observation typed {o}")

    # ------------------------------------------------------------------ what fast.py reads

    def rows_of_datasets(self) -> Iterator[tuple[ox.NamedNode, object]]:
        for subject, dataset in zip(self.subjects, self.dataset, strict=True):
            if dataset is None:
                raise Irregular(f"{subject} is an observation without a dataset")
            yield subject, dataset

    def scan(self, predicate: str, row_of=None) -> Iterator[tuple[int, object]]:
        """(row, object) of every statement of an observation with this predicate."""
        i = self.predicate_of.get(ox.NamedNode(predicate))
        if i is None:
            return
        terms = self.terms
        for r, t in zip(self.rows[i], self.objects[i], strict=True):
            yield r, terms[t]

    def statements_of(self, iris: Iterable[str]) -> list[ox.Quad]:
        """Every statement of the observations named (for the report's labels)."""
        wanted = {self.row_of[n] for n in map(ox.NamedNode, iris) if n in self.row_of}
        out: list[ox.Quad] = []
        if not wanted:
            return out
        for p, rows, objects in zip(self.predicates, self.rows, self.objects, strict=True):
            out.extend(ox.Quad(self.subjects[r], p, self.terms[t]) for r, t in zip(rows, objects, strict=True) if r in wanted)
        return out


class _Rows:
    """The interface observations_from_store reads (rows, scan), over Columns."""

    def __init__(self, columns: Columns) -> None:
        self.columns = columns

    def rows(self):
        return self.columns.rows_of_datasets()

    def scan(self, predicate: str, row_of: dict[str, int]):
        return self.columns.scan(predicate)


def _split(paths: Iterable[Path], explicit_format: str | None, base: str, columns: Columns) -> Iterator[ox.Quad]:
    """The statements of the files that are not an observation's (into the store), the others into
    `columns`; a syntax error names its file, line and column, as store_from_files does."""
    row_of, add, register = columns.row_of, columns.add, columns.register
    dataset, rdf_type, observation = columns.predicates[Columns.DATASET], columns.predicates[Columns.TYPE], columns.observation
    first_of: set = set()  # datasets named by an observation: one such statement stays in the store (ic-02)
    seen = columns.seen  # subjects of statements put into the store
    for path in paths:
        fmt = checked_input(path, explicit_format)
        try:
            for q in ox.parse(path=str(path), format=INPUT_FORMATS[fmt], base_iri=base):
                s, p, o = q.subject, q.predicate, q.object
                r = row_of.get(s)
                if r is None:
                    if p == dataset or (p == rdf_type and o == observation):
                        r = register(s)
                        if s in seen:
                            columns.early.append(s)
                    else:
                        seen.add(s)
                        yield ox.Quad(s, p, o)
                        continue
                add(r, p, o)
                if p == dataset and o not in first_of:
                    first_of.add(o)
                    yield ox.Quad(s, p, o)
        except SyntaxError as err:
            raise UnreadableInput(path, err.lineno or 0, err.offset or 0, f"invalid {fmt.upper()}: {err.msg}") from err
        except MemoryError as err:
            raise too_long(path, fmt, err) from err


def _move_early_statements(store: ox.Store, columns: Columns) -> None:
    """Statements of an observation that came before the statement that made it one: into the
    columns (except the qb:dataSet statement kept for ic-02)."""
    for subject in columns.early:
        r = columns.row_of[subject]
        quads = [q for q in store.quads_for_pattern(subject, None, None) if q.predicate != columns.predicates[0]]
        for q in quads:
            columns.add(r, q.predicate, q.object)
            store.remove(q)


class Parsed:
    """RDF files parsed for validation: `store` holds their statements but the observations', which
    are in `columns`; or, for input this path does not take exactly, every statement, and `columns`
    is None. `check` validates them; `store` is then the one the report's labels come from."""

    def __init__(self, paths: list[Path], explicit_format: str | None, base: str) -> None:
        self.paths, self.explicit_format, self.base = list(paths), explicit_format, base
        columns: Columns | None = Columns(base)
        store = ox.Store()
        try:
            store.bulk_extend(_split(self.paths, explicit_format, base, columns))
            _move_early_statements(store, columns)
        except Irregular:
            store, columns = store_from_files(self.paths, explicit_format, base), None
        self.store, self.columns = store, columns

    def check(self, shapes: Shapes) -> Report:
        """The default engine's report: columnar over the columns where the input allows it, else
        every rule in SPARQL over a store of every statement (the files parsed again)."""
        base, columns = self.base, self.columns
        if columns is None:
            return check_store(self.store, shapes, base)
        store = self.store
        try:
            results = _columnar(store, shapes, base, lambda: observations_from_store(store, base, _Rows(columns)))
        except Irregular:
            store = self.store = self.columns = None  # let the partial store go before parsing everything
            self.store = store_from_files(self.paths, self.explicit_format, base)
            return run_oxigraph(self.store, shapes)
        report = Report(sorted(results), shapes.constraints)
        named = {t.value for r in report.results for t in (r.focus, r.value) if t.is_iri}
        store.bulk_extend(columns.statements_of(named))
        self.columns = None  # the columns are let go; the store has what the report's labels need
        return report
