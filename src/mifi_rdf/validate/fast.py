"""The default engine: observation rules as columnar group-bys (columnar.py), the rest as SPARQL.

Two ways in, one set of rules:
- `check_store`, for RDF files given to `validate`: the parsed store answers the structural rules
  and is read once into the observation table (one SPARQL query for the observations' datasets,
  one for the values of the few predicates the rules read);
- `check_tables`, for the cubes of data/: the observation table is made straight from the loaded
  cells, so no observation statement is built; a store of the shared statements (ontology, code
  lists, letters) and of the datasets' descriptions answers the structural rules and the questions
  about codes. The report's labels come from that store plus the statements of the cells a result
  names.
Either falls back to every rule in SPARQL (engine.run_oxigraph, run_oxigraph_by_dataset) when the
input is `Irregular` (see columnar.py): same answers, slower.
"""

from __future__ import annotations

import bisect
import contextlib
import dataclasses
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING
from urllib.parse import quote

import polars as pl
import pyoxigraph as ox

from ..cube import LABEL_INFERENCES, TableByTable
from ..load.vocabulary import Vocabulary
from ..model import Letter, Table
from ..namespaces import PROV, QB, RDF_TYPE, RDFS, SDMX_ATTR, SUBCLASS
from ..progress import steps
from .columnar import (
    COLUMN_INFERENCES,
    MEASURE_TYPE,
    SCHEMA,
    SLOTS,
    Facts,
    Ids,
    Irregular,
    Observations,
    Rules,
    _iri,
    _query,
    check_values,
    read_codes,
    read_measures,
    read_structures,
    split,
)
from .engine import _solve, run_oxigraph, run_oxigraph_by_dataset
from .results import Report
from .shapes import Shapes

if TYPE_CHECKING:
    from ..audit.report import BoundAttributes

OTHER_SCHEMA = {"row": pl.UInt32, "measure": pl.UInt32, "lexical": pl.String, "datatype": pl.UInt32}
BOUNDS_SCHEMA = {"row": pl.UInt32, "lower": pl.String, "lower_dt": pl.UInt32, "upper": pl.String, "upper_dt": pl.UInt32}


def _columnar(store: ox.Store, shapes: Shapes, base: str, build) -> set:
    """The structural rules in SPARQL on `store`, the others over the table `build(facts)` makes."""
    structural, columnar = split(shapes.constraints)
    results = _solve(store, shapes.with_constraints(structural))
    obs, facts = build()
    rules = Rules(obs, facts, base)
    read_codes(store, base, facts, *rules.wanted())
    return results | rules.run(columnar)


# ---------------------------------------------------------------------------- RDF files

def check_store(store: ox.Store, shapes: Shapes, base: str) -> Report:
    """Validate a parsed store: columnar where the input allows it, else every rule in SPARQL."""
    try:
        results = _columnar(store, shapes, base, lambda: observations_from_store(store, base))
    except Irregular:
        return run_oxigraph(store, shapes)
    return Report(sorted(results), shapes.constraints)


class StoreStatements:
    """The observations' statements as a parsed store holds them (see `observations_from_store`)."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store

    def rows(self) -> Iterator[tuple[ox.NamedNode, object]]:
        """(observation, its dataset) of every qb:dataSet statement, each observation once."""
        for q in self.store.quads_for_pattern(None, ox.NamedNode(QB + "dataSet"), None):
            yield q.subject, q.object

    def scan(self, predicate: str, row_of: dict[str, int]) -> Iterator[tuple[int, object]]:
        """(row, object) of every statement of an observation with this predicate."""
        for q in self.store.quads_for_pattern(None, ox.NamedNode(predicate), None):
            r = row_of.get(q.subject.value) if isinstance(q.subject, ox.NamedNode) else None
            if r is not None:
                yield r, q.object


def observations_from_store(store: ox.Store, base: str, statements=None) -> tuple[Observations, Facts]:
    """Every observation of the store (a subject of qb:dataSet) as one row of integers.

    Read predicate by predicate from the store's index (quads_for_pattern), which costs half what a
    SPARQL join of the observations with their values does. `statements` gives the observations'
    own statements when the store lacks them (stream.py: parsed from a file into columns, the rest
    of the file in `store`); by default the store's."""
    source = statements if statements is not None else StoreStatements(store)
    ids = Ids()
    row_of: dict[str, int] = {}
    iris: list[str] = []
    datasets: list[int] = []

    def scan(predicate: str):
        return source.scan(predicate, row_of)

    for subject, dataset in source.rows():
        iri = _iri(subject)
        if iri in row_of:
            raise Irregular(f"{iri} belongs to several datasets")
        row_of[iri] = len(iris)
        iris.append(iri)
        datasets.append(ids(_iri(dataset)))
    classes = [r[0].value for r in _query(store, f"SELECT DISTINCT ?c WHERE {{ ?c <{SUBCLASS}>* <{QB}Observation> }}", base)]
    for c in {QB + "Observation", *classes}:
        for q in store.quads_for_pattern(None, ox.NamedNode(RDF_TYPE), ox.NamedNode(c)):
            if not (isinstance(q.subject, ox.NamedNode) and q.subject.value in row_of):
                raise Irregular(f"{q.subject} is an observation without a dataset")
    facts = read_structures(store, base, ids, datasets)
    n = len(iris)
    keep = [facts.structure.get(d) for d in datasets]  # None: not a qb:DataSet, no rule of a dataset reads it
    cols: dict[str, list] = {f"s{k}": [None] * n for k in SLOTS}
    for name in ("mt", "v", "vdt", "st", "inf"):
        cols[name] = [None] * n

    def single(column: list, predicate: str) -> None:
        for r, o in scan(predicate):
            if keep[r] is not None:
                if column[r] is not None:
                    raise Irregular(f"{iris[r]} has several values for {predicate}")
                column[r] = ids(_iri(o))

    single(cols["mt"], MEASURE_TYPE)
    measure_types = {m for m in cols["mt"] if m is not None}
    read_measures(store, base, facts, measure_types)
    single(cols["st"], base + "def/cellStatus")
    slots: dict[int, dict[int, int]] = {}  # dimension -> structure -> slot
    for dsd, st in facts.structures.items():
        for k, dim in enumerate(st.slots, 1):
            if dim is not None:
                slots.setdefault(dim, {})[dsd] = k
    for dim, where in slots.items():
        for r, o in scan(ids.iri[dim]):
            k = where.get(keep[r])
            if k is not None:
                column = cols[f"s{k}"]
                if column[r] is not None:
                    raise Irregular(f"{iris[r]} has several values for {ids.iri[dim]}")
                column[r] = ids(_iri(o))
    column_marks = {ids(base + "code/inference/" + x) for x in COLUMN_INFERENCES}
    as_printed = ids(base + "code/inference/inconsistent-as-printed")
    asp = [False] * n
    for r, o in scan(base + "def/inference"):
        if keep[r] is not None:
            x = ids(_iri(o))
            if x in column_marks:
                if cols["inf"][r] is not None:
                    raise Irregular(f"{iris[r]} has several column inferences")
                cols["inf"][r] = x
            elif x == as_printed:
                asp[r] = True
    notes: dict[int, dict[str, ox.Literal]] = {}
    for r, o in scan(RDFS + "comment"):
        if cols["inf"][r] is not None and isinstance(o, ox.Literal) and o.language in ("fr", "en"):
            if o.language in notes.setdefault(r, {}):
                raise Irregular(f"{iris[r]} has several comments in {o.language}")
            notes[r][o.language] = o
    found_bounds: dict[str, dict[int, tuple[str, int]]] = {"lower": {}, "upper": {}}
    for side, predicate in (("lower", "def/lowerBound"), ("upper", "def/upperBound")):
        for r, o in scan(base + predicate):
            if keep[r] is not None:
                if r in found_bounds[side] or not isinstance(o, ox.Literal):
                    raise Irregular(f"{iris[r]} has several {predicate}, or one that is not a literal")
                found_bounds[side][r] = (o.value, ids(o.datatype.value))
    bounds = [(r, *lower, *found_bounds["upper"][r]) for r, lower in sorted(found_bounds["lower"].items())
              if r in found_bounds["upper"]]
    other: list[tuple[int, int, str, int]] = []
    mt = cols["mt"]
    for m in sorted(measure_types | facts.measure_properties | {m for st in facts.structures.values() for m in st.measures}):
        seen: set[int] = set()
        for r, o in scan(ids.iri[m]):
            if keep[r] is None:
                continue
            if r in seen or not isinstance(o, ox.Literal):
                raise Irregular(f"{iris[r]} has several values for {ids.iri[m]}, or one that is not a literal")
            seen.add(r)
            if mt[r] == m:
                cols["v"][r], cols["vdt"][r] = o.value, ids(o.datatype.value)
            else:
                other.append((r, m, o.value, ids(o.datatype.value)))
    attributes = sorted({p for st in facts.structures.values() for p, _ in st.required})
    attrs = [0] * n
    for i, a in enumerate(attributes):
        for r, _ in scan(ids.iri[a]):
            attrs[r] |= 1 << i
    frame = pl.DataFrame({"ds": datasets, **cols, "asp": asp, "attrs": attrs}, schema=SCHEMA).with_row_index("row")
    prefixes = {ids.iri[d] + "/obs/": d for d in facts.targets}
    revisions = []
    for r, o in scan(PROV + "wasRevisionOf"):
        if keep[r] is None:
            continue
        if not isinstance(o, ox.NamedNode):
            raise Irregular(f"{iris[r]} revises {o}, which is not an IRI")
        for prefix, d in prefixes.items():
            if o.value.startswith(prefix) and (o.value not in row_of or datasets[row_of[o.value]] != d):
                revisions.append((r, datasets[r], o.value, d))
    obs = Observations(frame, pl.DataFrame(other, schema=OTHER_SCHEMA, orient="row"), attributes,
                       lambda rows: [iris[r] for r in rows], lambda r: notes.get(r, {}),
                       pl.DataFrame(bounds, schema=BOUNDS_SCHEMA, orient="row"), revisions)
    check_values(obs, ids)
    return obs, facts


# ---------------------------------------------------------------------------- data/

def check_tables(vocab: Vocabulary, letters: list[Letter], dataset_ids: set[str] | None,
                 shapes: Shapes, extra: Mapping | None = None) -> tuple[Report, ox.Store]:
    """Validate the cubes of data/ without making their observations' statements.

    Returns the report and the store its labels come from: the shared statements, every dataset's
    description and the statements of each cell a result names.

    Tables loaded without their cells (load_project(cells=False)) are read one at a time, their
    cells let go once in the table of observations, and read again only for a table a result names:
    memory is bounded by that table, not by every cell. `extra` is CubeBuilder's: more statements
    of some observations (the audit's bounds)."""
    from ..load.tables import load_cells

    validation = Validation(vocab, letters, dataset_ids, shapes, extra)
    for table in steps(validation.tables, "validating"):
        validation.add(table, table.cells or load_cells(table, vocab))
    return validation.finish()


def check_tables_with_bounds(vocab: Vocabulary, letters: list[Letter], dataset_ids: set[str] | None, shapes: Shapes,
                             cells_of: Callable[[Table], list]) -> tuple[Report, ox.Store, BoundAttributes]:
    """`check_tables` with the audit's bounds computed in the same pass over the cells
    (audit/grouped.py's tables_with_bounds): each table is read once for both (a table linked to
    another, twice), where computing the bounds first and validating after read every table twice.
    Also returns the bounds found: every table's when `dataset_ids` is None."""
    from ..audit.grouped import tables_with_bounds
    from ..audit.report import BoundAttributes

    bounds = BoundAttributes(vocab.base)
    validation = Validation(vocab, letters, dataset_ids, shapes, bounds)
    chosen = {id(t) for t in validation.tables}
    every = [t for letter in letters for t in letter.tables]
    for table, cells, found in tables_with_bounds(steps(every, "validating"), vocab, cells_of, lambda t: id(t) in chosen):
        bounds.merge(found)  # before the table is added: the validation reads its cells' bounds
        validation.add(table, cells)
    report, store = validation.finish()
    return report, store, bounds


class Validation:
    """The validation of data/'s cubes, fed table by table (`add`, in the order of `tables`), so
    that it can run while the same cells are being written (streaming.export_validated)."""

    def __init__(self, vocab: Vocabulary, letters: list[Letter], dataset_ids: set[str] | None, shapes: Shapes,
                 extra: Mapping | None = None) -> None:
        self.vocab, self.letters, self.dataset_ids, self.shapes = vocab, letters, dataset_ids, shapes
        self.builder = TableByTable(vocab, extra)  # reads the cells of a table that has none loaded, when due
        if extra is not None:
            self.builder.extra = extra  # the same mapping even while empty: check_tables_with_bounds fills it as it goes
        shared, parts = self.builder.by_dataset(letters, dataset_ids)
        self.tables = [t for _, chosen in self.builder.chosen_tables(letters, dataset_ids) for t in chosen]
        self.store = ox.Store()
        self.store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in shared)
        self.store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for head, _ in parts for t in head)
        self.tables_of: dict[str, tuple] = {}
        self.rows: TableRows | None = None
        with contextlib.suppress(Irregular):  # then every rule in SPARQL, at the end
            self.rows = TableRows(self.store, vocab, self.tables, self.tables_of, extra if extra is not None else {})

    def add(self, table: Table, cells: list) -> None:
        if self.rows is not None:
            try:
                self.rows.add(table, cells)
            except Irregular:
                self.rows = None  # every rule in SPARQL, at the end

    def finish(self) -> tuple[Report, ox.Store]:
        shapes, base = self.shapes, self.vocab.base
        try:
            if self.rows is None:
                raise Irregular("see add")
            results = _columnar(self.store, shapes, base, self.rows.finish)
        except Irregular:
            shared, parts = self.builder.by_dataset(self.letters, self.dataset_ids)
            return run_oxigraph_by_dataset(shared, parts, shapes)
        by_table: dict[str, list] = {}
        named = {t.value for r in results for t in (r.focus, r.value) if t.is_iri and t.value in self.tables_of}
        for iri in sorted(named):
            table, cell = self.tables_of[iri]
            by_table.setdefault(table.dataset_id, [table, []])[1].append(cell)
        for table, cells in by_table.values():
            self.store.bulk_extend(ox.Quad(*t) for t in self.builder.observation_triples(dataclasses.replace(table, cells=cells)))
        return Report(sorted(results), shapes.constraints), self.store


class TableRows:
    """The cells of the tables as rows of integers, as the cube builder would state them, table by table."""

    def __init__(self, store: ox.Store, vocab: Vocabulary, tables: Sequence[Table], tables_of: dict,
                 extra: Mapping) -> None:
        self.vocab, self.tables, self.tables_of, self.extra = vocab, tables, tables_of, extra
        self.bounds: list[tuple] = []
        self.lower, self.upper = vocab.base + "def/lowerBound", vocab.base + "def/upperBound"
        self.base = base = vocab.base
        self.ids = ids = Ids()
        self.ds_iris = [f"{base}dataset/{t.dataset_id}" for t in tables]
        self.facts = read_structures(store, base, ids, [ids(d) for d in self.ds_iris])
        read_measures(store, base, self.facts, {ids(m.iri) for t in tables for m in t.structure.measures.values()})
        self.attributes = sorted({p for st in self.facts.structures.values() for p, _ in st.required})
        self.column = {x: ids(base + "code/inference/" + x) for x in COLUMN_INFERENCES}
        self.status_ids = {name: ids(st.iri) for name, st in vocab.statuses.items()}
        self.concept_ids: dict[str, dict[str, int]] = {}
        self.parts: list[pl.DataFrame] = []
        self.starts: list[int] = []  # the first row of each table added, in the order added
        self.order: list[int] = []  # the index in `tables` of each table added
        self.position = {id(t): i for i, t in enumerate(tables)}
        self.start = 0
        self.cached: dict[int, list] = {}
        # the cells a result is likely to name (placed by inference, with a note, blanked but
        # disclosed by their bounds), kept by row so that naming them reads no table again
        self.kept: dict[int, object] = {}
        revised = {of for t in tables for of in t.revises.values()} if any(t.revises for t in tables) else set()
        self.revised = {i for i, t in enumerate(tables) if t.dataset_id in revised}
        self.keys_of: dict[int, set[tuple]] = {}  # (codes, measure) of each cell of a table another revises
        self.revising: list[tuple[int, int, str, tuple[str, ...], str]] = []  # row, dataset, dataset revised, codes, measure

    def add(self, table: Table, cells: list) -> None:
        """The next table (one of `tables`, in any order, each once), with its cells."""
        i = self.position.get(id(table))
        if i is None or i in self.order:
            raise Irregular("a table not chosen, or added twice")
        self.order.append(i)
        ids, facts, vocab, column = self.ids, self.facts, self.vocab, self.column
        ds_iri = self.ds_iris[i]
        ds = ids(ds_iri)
        n = len(cells)
        self.starts.append(self.start)
        self.start += n
        if ds not in facts.targets:
            raise Irregular(f"{ds_iri} is not a qb:DataSet")
        st = facts.structures[facts.structure[ds]]
        slot_of = {dim: k for k, dim in enumerate(st.slots, 1) if dim is not None}
        cols: dict[str, list] = {}
        codes = list(zip(*(c.codes for c in cells), strict=True)) if table.structure.dimensions and cells else []
        for j, dim in enumerate(table.structure.dimensions):
            k = slot_of.get(ids(dim.iri))
            if k is not None and codes:
                concept = self.concept_ids.get(dim.codelist)
                if concept is None:
                    concept = self.concept_ids[dim.codelist] = {code: ids(iri) for code, iri in
                                                                vocab.codelists[dim.codelist].codes.items()}
                cols[f"s{k}"] = [concept[x] for x in codes[j]]
        measure = {name: ids(m.iri) for name, m in table.structure.measures.items()}
        mt = [measure[c.measure] for c in cells]
        if st.mt_slot is not None:
            if f"s{st.mt_slot}" in cols:
                raise Irregular("qb:measureType is also a column of the table")
            cols[f"s{st.mt_slot}"] = mt
        cols["mt"] = mt
        cols["v"] = [c.value for c in cells]
        cols["st"] = [self.status_ids[c.status] for c in cells]
        infs, asp, flags = [None] * n, [False] * n, [0] * n
        for j, c in enumerate(cells):
            if c.inferences or c.note_fr:  # few cells: the others keep the defaults
                marks = [column[x] for x in c.inferences if x in column]
                if len(marks) > 1:
                    raise Irregular("a cell has several column inferences")
                infs[j] = marks[0] if marks else None
                asp[j] = "inconsistent-as-printed" in c.inferences
                flags[j] = (bool(c.inferences) | bool(c.note_fr) << 1
                            | bool(LABEL_INFERENCES.intersection(c.inferences)) << 2)
                self.kept[self.start - n + j] = c
        if i in self.revised:
            self.keys_of[i] = {(c.codes, c.measure) for c in cells}
        extra_bits = self._extra(table, cells, self.start - n) if self.extra else None
        if table.revises:
            for j, c in enumerate(cells):
                of = table.revises.get((c.codes, c.measure))
                if of is not None:
                    self.revising.append((self.start - n + j, ds, f"{self.base}dataset/{of}", c.codes, c.measure))
        cols["inf"], cols["asp"] = infs, asp
        for k in SLOTS:
            cols.setdefault(f"s{k}", [None] * n)
        datatype = {ids(m.iri): ids(m.datatype) for m in table.structure.measures.values()}
        part = pl.DataFrame({"ds": [ds] * n, **cols, "flags": flags},
                            schema={**{c: t for c, t in SCHEMA.items() if c not in ("vdt", "attrs")}, "flags": pl.UInt8})
        part = part.with_columns(vdt=pl.when(pl.col("v").is_not_null())
                                 .then(pl.col("mt").replace_strict(datatype, return_dtype=pl.UInt32)))
        part = _attribute_bits(part, table, vocab, self.attributes, ids, self.base)
        if extra_bits is not None:  # the attributes the extra statements add (none of the usual required ones)
            part = part.with_columns(attrs=pl.col("attrs") | pl.Series(extra_bits, dtype=pl.UInt32))
        self.parts.append(part.select(list(SCHEMA)))

    def _extra(self, table: Table, cells: list, first: int) -> list[int]:
        """The audit's bounds of the table's cells (`bounds`), and the required attributes among the
        extra statements of each cell."""
        bit = {self.ids.iri[a]: 1 << i for i, a in enumerate(self.attributes)}
        out = [0] * len(cells)
        dataset_id = table.dataset_id
        for j, c in enumerate(cells):
            statements = self.extra.get((dataset_id, c.codes, c.measure))
            if not statements:
                continue
            found: dict[str, list] = {}
            for p, o in statements:
                found.setdefault(p.value, []).append(o)
                out[j] |= bit.get(p.value, 0)
            lower, upper = found.get(self.lower, []), found.get(self.upper, [])
            if len(lower) > 1 or len(upper) > 1 or not all(isinstance(o, ox.Literal) for o in lower + upper):
                raise Irregular("a cell has several bounds, or one that is not a literal")
            if lower and upper:
                self.bounds.append((first + j, lower[0].value, self.ids(lower[0].datatype.value),
                                    upper[0].value, self.ids(upper[0].datatype.value)))
                if lower[0].value == upper[0].value:  # disclosed: shape/disclosed-cell names it
                    self.kept[first + j] = c
        return out

    def cells_of(self, i: int) -> list:
        """The cells of table i: loaded, or read again from its file. Only the last table read is
        kept: results name cells of every table at a million cells (the disclosed-cell warnings),
        and keeping them all would hold every cell again."""
        from ..load.tables import load_cells

        if self.tables[i].cells:
            return self.tables[i].cells
        if i not in self.cached:
            self.cached = {i: load_cells(self.tables[i], self.vocab)}
        return self.cached[i]

    def finish(self) -> tuple[Observations, Facts]:
        if len(self.parts) != len(self.tables):
            raise Irregular("a table was not added")
        order = self.order
        frame = (pl.concat(self.parts) if self.parts else pl.DataFrame(schema=SCHEMA)).with_row_index("row")
        self.parts = []
        base, tables, starts = self.base, self.tables, self.starts

        def locate(row: int) -> tuple[Table, object]:
            k = bisect.bisect_right(starts, row) - 1
            i = order[k]
            cell = self.kept.get(row)
            return tables[i], cell if cell is not None else self.cells_of(i)[row - starts[k]]

        def iris(rows: Iterable[int]) -> list[str]:
            rows = list(rows)
            out = [""] * len(rows)
            for k in sorted(range(len(rows)), key=rows.__getitem__):  # table by table: each read once
                table, cell = locate(rows[k])
                iri = f"{base}dataset/{table.dataset_id}/obs/{'/'.join(quote(c, safe='') for c in cell.codes)}/{cell.measure}"
                self.tables_of[iri] = (table, cell)
                out[k] = iri
            return out

        def notes(row: int) -> dict[str, ox.Literal]:
            cell = locate(row)[1]
            if not cell.note_fr:
                return {}
            return {"fr": ox.Literal(cell.note_fr, language="fr"), "en": ox.Literal(cell.note_en, language="en")}

        obs = Observations(frame, pl.DataFrame(schema=OTHER_SCHEMA), self.attributes, iris, notes,
                           pl.DataFrame(self.bounds, schema=BOUNDS_SCHEMA, orient="row"), self._missing_revisions())
        check_values(obs, self.ids)
        return obs, self.facts

    def _missing_revisions(self) -> list[tuple[int, int, str, int]]:
        """The revised observations the chosen tables lack, where they hold the dataset revised (as
        shape/revision-target): its IRI is minted from the codes and the measure, so the revised
        table must have a cell of the same codes and measure."""
        out = []
        position = {iri: i for i, iri in enumerate(self.ds_iris)}
        for row, ds, of_iri, codes, measure in self.revising:
            other = self.ids(of_iri)
            if other not in self.facts.targets or of_iri not in position:
                continue
            if (codes, measure) not in self.keys_of[position[of_iri]]:
                path = "/".join(quote(c, safe="") for c in codes)
                out.append((row, ds, f"{of_iri}/obs/{path}/{measure}", other))
        return out


def _attribute_bits(part: pl.DataFrame, table: Table, vocab: Vocabulary, attributes: list[int], ids: Ids,
                    base: str) -> pl.DataFrame:
    """`part` with `attrs`: which required attributes each cell's observation states (the predicates
    cube.py writes), worked out once per kind of cell (measure, status, value or not, `flags`)."""
    if not attributes:
        return part.with_columns(attrs=pl.lit(0, pl.UInt32))
    bit = {a: 1 << i for i, a in enumerate(attributes)}
    measures = {ids(m.iri): m for m in table.structure.measures.values()}
    statuses = {ids(st.iri): st for st in vocab.statuses.values()}
    always = {ids(RDF_TYPE), ids(QB + "dataSet"), ids(MEASURE_TYPE), ids(base + "def/cellStatus")}
    always |= {ids(d.iri) for d in table.structure.dimensions}
    flagged = [ids(base + "def/inference"), ids(RDFS + "comment"), ids(base + "def/sourceLabel")]
    kinds = part.select("mt", "st", has=pl.col("v").is_not_null(), flags="flags").unique()
    bits = []
    for mt, st, has, flags in kinds.iter_rows():
        m, status = measures[mt], statuses[st]
        present = set(always)
        if has:
            present.add(mt)
        if m.unit:
            present.add(ids(SDMX_ATTR + "unitMeasure"))
        if status.obs:
            present.add(ids(SDMX_ATTR + "obsStatus"))
        if status.conf:
            present.add(ids(SDMX_ATTR + "confStatus"))
        present.update(p for i, p in enumerate(flagged) if flags >> i & 1)
        bits.append(sum(b for a, b in bit.items() if a in present))
    kinds = kinds.with_columns(attrs=pl.Series(bits, dtype=pl.UInt32))
    return part.with_columns(has=pl.col("v").is_not_null()).join(kinds, on=["mt", "st", "has", "flags"], how="left",
                                                                   maintain_order="left")
