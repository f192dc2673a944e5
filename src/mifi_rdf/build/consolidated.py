"""The consolidated cube of a series: every round (or month) its members publish, in one qb:DataSet.

A series (series.py) is a list of tables; a reader who wants « France, every round » has to open
each. Its consolidated cube `{base}dataset/{series id}` holds one observation per cell of the
series — same structure, dimension values, measure, value and status as the table cell it comes
from — made from the data at build time, so a later letter's rounds join it by themselves.

- Every observation is a derived copy: `prov:wasDerivedFrom` the source observation (the letter's
  table cell), `dcterms:source` the letter. The cube is typed `def:ConsolidatedCube`; a query that
  counts figures reads the letters' datasets (`def:sourceTable`) or the cube, never both.
- A cell two tables state: where the later one records it in letter.toml's `revises`, the cube holds
  the figure that no other revises (the latest), `prov:wasRevisionOf` every earlier statement, and a
  note (fr/en) names the earlier figures. Two tables stating the same figure and status with no
  revision confirm each other: the cube holds it once, derived from both. Two different figures with
  no recorded revision are an error of the data (file and line of the later cell): never a silent pick.
- A blanked cell stays blanked (its status, confidentiality and the audit's bounds carried).
- « Autres » (a residual cell): its composition changes from round to round, so each round keeps its
  own cell as printed, with a note (fr/en) saying it is not one country and is never to be added up
  across rounds.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import quote

import pyoxigraph as ox

from ..cube import LABEL_INFERENCES, CubeBuilder
from ..errors import InputError
from ..model import Cell, Table
from ..namespaces import COMMENT, DCT, LABEL, PROV, QB, A, N, en, fr, typed
from ..project import Project
from .series import Series

RESIDUAL_FR = ("« Autres » regroupe ce que la lettre protège sous son seuil dans cette ronde (ou période) seulement : sa "
               "composition change d'une ronde à l'autre. Ce n'est ni un pays ni un lieu ; ne pas additionner cette cellule "
               "d'une ronde à l'autre.")
RESIDUAL_EN = ("« Autres » (others) groups what the letter protects under its threshold in this round (or period) only: its "
               "composition changes from round to round. It is neither a country nor a place; never add this cell up across "
               "rounds.")


@dataclass(frozen=True)
class Statement:
    """One table's cell: what a letter printed."""

    table: Table
    cell: Cell


@dataclass
class Merged:
    """One cell of the consolidated cube: the figure it holds and every statement of it."""

    codes: tuple[str, ...]
    measure: str
    latest: Statement  # the statement the cube copies: the one no other revises
    confirmed: list[Statement] = field(default_factory=list)  # other tables printing the same figure and status
    revised: list[Statement] = field(default_factory=list)  # earlier statements the latest revises, oldest first

    @property
    def sources(self) -> list[Statement]:
        return [self.latest, *self.confirmed]


@dataclass
class Consolidated:
    series: Series
    cells: list[Merged]  # in the order of first statement: members in date order, cells as printed

    @property
    def dataset_id(self) -> str:
        return self.series.id

    def iri(self, base: str) -> str:
        return f"{base}dataset/{self.series.id}"

    def title(self, lang: str) -> str:
        return f"{self.series.title(lang)} — {'cube consolidé' if lang == 'fr' else 'consolidated cube'}"

    def description(self, lang: str) -> str:
        if lang == "fr":
            return (f"{self.series.description_fr} Cube consolidé : chaque cellule de chaque tableau de la série, une "
                    "seule fois, dérivée de la cellule de la lettre dont elle vient ; là où une lettre plus récente "
                    "révise un chiffre, le plus récent, l'ancien gardé comme révision.")
        return (f"{self.series.description_en} Consolidated cube: every cell of every table of the series, once, "
                "derived from the letter's cell it comes from; where a later letter revises a figure, the latest, "
                "with the earlier one kept as a revision.")

    def letters(self) -> list[str]:
        return sorted({t.letter_ref for t in self.series.members})


def consolidate(project: Project, series: Series) -> Consolidated:
    """The series' cells, one per dimension values and measure (see the module docstring)."""
    stated: dict[tuple[tuple[str, ...], str], list[Statement]] = {}
    for table in series.members:
        for cell in project.cells(table):
            stated.setdefault((cell.codes, cell.measure), []).append(Statement(table, cell))
    dates = {letter.ref: letter.letter_date for letter in project.letters}
    return Consolidated(series, [_merge(series, codes, measure, found, dates)
                                 for (codes, measure), found in stated.items()])


def _merge(series: Series, codes: tuple[str, ...], measure: str, found: list[Statement], dates: dict) -> Merged:
    if len(found) == 1:
        return Merged(codes, measure, found[0])
    found = sorted(found, key=lambda s: (dates[s.table.letter_ref], s.table.dataset_id))  # oldest letter first
    by_id = {s.table.dataset_id: s for s in found}
    revised_ids = {s.table.revises[(codes, measure)] for s in found if (codes, measure) in s.table.revises}
    heads = [s for s in found if s.table.dataset_id not in revised_ids]
    if not heads:  # each revises another: no latest figure to hold
        raise InputError(found[-1].table.path, found[-1].cell.line, 1,
                         f"series {series.id}: the tables {', '.join(by_id)} revise each other's {'/'.join(codes)} "
                         f"{measure}: letter.toml's `revises` must name an earlier table, once")
    latest = heads[-1]  # of the statements no other revises, the latest letter's
    for other in heads[:-1]:
        if (other.cell.value, other.cell.status) != (latest.cell.value, latest.cell.status):
            raise InputError(latest.table.path, latest.cell.line, 1,
                             f"series {series.id}: {other.table.dataset_id} and {latest.table.dataset_id} state "
                             f"{'/'.join(codes)} {measure} as {_shown(other.cell)} and {_shown(latest.cell)} with no "
                             f"recorded revision: name the earlier cell in letter.toml's `revises` of "
                             f"{latest.table.letter_ref} (data/README.md, « Revisions ») or correct the data")
    return Merged(codes, measure, latest, confirmed=heads[:-1],
                  revised=[by_id[i] for i in by_id if i in revised_ids])


def _shown(cell: Cell) -> str:
    return cell.value if cell.value is not None else f"({cell.status})"


class ConsolidatedBuilder:
    """The statements of a consolidated cube, with the vocabulary's terms of cube.py."""

    def __init__(self, project: Project, builder: CubeBuilder | None = None) -> None:
        self.project = project
        self.vocab = project.vocab
        self.base = project.vocab.base
        self.b = builder or CubeBuilder(project.vocab, project.bound_attributes())

    def graph(self, c: Consolidated) -> ox.NamedNode:
        return N(f"{self.base}graph/dataset/{c.dataset_id}")

    def statements(self, c: Consolidated, letters: bool = True) -> Iterator[tuple]:
        """The letters it cites (for a file read alone; a store has them in graph/letters already, and a
        statement in two graphs would count twice in their union), the dataset, then its observations."""
        if letters:
            by_ref = {letter.ref: letter for letter in self.project.letters}
            for ref in c.letters():
                yield from self.b.letter_triples(by_ref[ref])
        yield from self.dataset_triples(c)
        yield from self.observation_triples(c)

    def dataset_triples(self, c: Consolidated) -> Iterator[tuple]:
        b, d = self.base, self.b.d
        s = N(c.iri(b))
        members = c.series.members
        yield s, A, N(QB + "DataSet")
        yield s, A, d("ConsolidatedCube")
        yield s, N(DCT + "identifier"), ox.Literal(c.dataset_id)
        for lang, lit in (("fr", fr), ("en", en)):
            yield s, LABEL, lit(c.title(lang))
            yield s, N(DCT + "title"), lit(c.title(lang))
            yield s, N(DCT + "description"), lit(c.description(lang))
        yield s, N(QB + "structure"), N(members[0].structure.iri)
        yield s, N(DCT + "relation"), N(c.series.iri)
        for ref in c.letters():
            yield s, d("letter"), N(f"{b}letter/{ref}")
        for t in members:
            yield s, N(PROV + "wasDerivedFrom"), N(f"{b}dataset/{t.dataset_id}")
            yield s, N(DCT + "source"), N(f"{b}dataset/{t.dataset_id}")
        yield s, N(DCT + "publisher"), N(b + "agent/mifi")
        # the lowest threshold of its members: a figure under it is under every member's (the disclosure check)
        yield s, d("suppressionThreshold"), typed(str(min(t.suppression_threshold for t in members)), "integer")
        for method in sorted({t.suppression_method for t in members}):
            yield s, d("suppressionMethod"), N(f"{b}code/suppression-method/{method}")

    def observation_triples(self, c: Consolidated) -> Iterator[tuple]:
        b, node, vocab = self.base, self.b.node, self.vocab
        ds_iri = c.iri(b)
        ds = node(ds_iri)
        structure = c.series.members[0].structure
        dims = [(node(dim.iri), vocab.codelists[dim.codelist].codes) for dim in structure.dimensions]
        statuses = vocab.statuses
        extra = self.b.extra
        derived, source, revision = node(PROV + "wasDerivedFrom"), node(DCT + "source"), node(PROV + "wasRevisionOf")
        for m in c.cells:
            cell, table = m.latest.cell, m.latest.table
            path = "/".join(quote(code, safe="") for code in m.codes)
            s = ox.NamedNode(f"{ds_iri}/obs/{path}/{m.measure}")
            yield s, A, self.b.observation
            yield s, self.b.p_dataset, ds
            for (p, concepts), code in zip(dims, m.codes, strict=True):
                yield s, p, node(concepts[code])
            measure = structure.measures[m.measure]
            yield s, self.b.p_measure_type, node(measure.iri)
            if cell.value is not None:
                yield s, node(measure.iri), ox.Literal(cell.value, datatype=node(measure.datatype))
            if measure.unit:
                yield s, self.b.p_unit, node(measure.unit)
            st = statuses[cell.status]
            yield s, self.b.p_status, node(st.iri)
            if st.obs:
                yield s, self.b.p_obs_status, node(st.obs)
            if st.conf:
                yield s, self.b.p_conf_status, node(st.conf)
            for x in cell.inferences:
                yield s, self.b.p_inference, node(f"{b}code/inference/{x}")
            if cell.note_fr:
                yield s, COMMENT, fr(cell.note_fr)
                yield s, COMMENT, en(cell.note_en)
            if LABEL_INFERENCES.intersection(cell.inferences):
                yield s, self.b.p_source_label, fr(cell.source_label)
            if cell.status == "residual":
                yield s, COMMENT, fr(RESIDUAL_FR)
                yield s, COMMENT, en(RESIDUAL_EN)
            for st_ in m.sources:
                yield s, derived, ox.NamedNode(f"{b}dataset/{st_.table.dataset_id}/obs/{path}/{m.measure}")
                yield s, source, node(f"{b}letter/{st_.table.letter_ref}")
            for old in m.revised:
                yield s, revision, ox.NamedNode(f"{b}dataset/{old.table.dataset_id}/obs/{path}/{m.measure}")
            if m.revised:
                fr_note, en_note = revision_note(m)
                yield s, COMMENT, fr(fr_note)
                yield s, COMMENT, en(en_note)
            for p, o in extra.get((table.dataset_id, m.codes, m.measure), ()):
                yield s, p, o


def revision_note(m: Merged) -> tuple[str, str]:
    """The note of a revised cell: which letter's figure the cube holds, and what the earlier ones said."""
    t = m.latest.table
    earlier_fr = " ; ".join(f"tableau {o.table.number} de la lettre {o.table.letter_ref} : {_shown(o.cell)}" for o in m.revised)
    earlier_en = "; ".join(f"table {o.table.number} of letter {o.table.letter_ref}: {_shown(o.cell)}" for o in m.revised)
    return (f"Chiffre du tableau {t.number} de la lettre {t.letter_ref} ({_shown(m.latest.cell)}), qui révise {earlier_fr}.",
            f"Figure of table {t.number} of letter {t.letter_ref} ({_shown(m.latest.cell)}), which revises {earlier_en}.")


def write_consolidated_csv(c: Consolidated, project: Project, out: io.RawIOBase | io.BufferedIOBase) -> None:
    """The cube as CSV: the dimensions' codes, the measure, value and status, and where each figure comes
    from (dataset and letter), what it confirms and what it revises; « Autres » rows say they are not a
    country to add across rounds."""
    structure = c.series.members[0].structure
    b = project.vocab.base
    text = io.StringIO(newline="")
    w = csv.writer(text, lineterminator="\n")
    w.writerow([*(dim.name for dim in structure.dimensions), "measure", "value", "status", "source_dataset",
                "source_letter", "confirmed_by", "revises", "revised_values", "observation", "note_fr", "note_en"])
    for m in c.cells:
        cell, path = m.latest.cell, "/".join(quote(code, safe="") for code in m.codes)
        notes_fr = [n for n in (cell.note_fr, RESIDUAL_FR if cell.status == "residual" else "",
                                revision_note(m)[0] if m.revised else "") if n]
        notes_en = [n for n in (cell.note_en, RESIDUAL_EN if cell.status == "residual" else "",
                                revision_note(m)[1] if m.revised else "") if n]
        w.writerow([*m.codes, m.measure, cell.value or "", cell.status, m.latest.table.dataset_id,
                    m.latest.table.letter_ref, " ".join(s.table.dataset_id for s in m.confirmed),
                    " ".join(s.table.dataset_id for s in m.revised), " ".join(_shown(s.cell) for s in m.revised),
                    f"{b}dataset/{c.dataset_id}/obs/{path}/{m.measure}", " ".join(notes_fr), " ".join(notes_en)])
    out.write(text.getvalue().encode("utf-8"))


def consolidated_cubes(project: Project, config=None) -> list[Consolidated]:
    """The consolidated cube of every series of catalog.toml (its own, or the project's for a data folder without
    one), in catalog.toml's order."""
    from .config import Options, load_config
    from .series import find_series

    config = config or load_config(project.vocab.base, Options(), project.data)
    return [consolidate(project, s) for s in find_series(project, config)]


def consolidated_quads(project: Project, cubes: list[Consolidated] | None = None) -> Iterator[ox.Quad]:
    """Each consolidated cube in its own named graph, graph/dataset/{series id}, as the letters' datasets are."""
    builder = ConsolidatedBuilder(project)
    for c in consolidated_cubes(project) if cubes is None else cubes:
        g = builder.graph(c)
        for s, p, o in builder.statements(c, letters=False):
            yield ox.Quad(s, p, o, g)


CUBE_FORMATS = ("ttl", "nt", "jsonld", "csv")  # catalog.toml's [[format]] keys a consolidated cube is written in


def cube_formats(config) -> list:
    """The formats of a consolidated cube, in catalog.toml's order (the CSV is this module's, not csvw.py's)."""
    return [f for f in config.formats if f.key in CUBE_FORMATS]


def series_store(project: Project) -> ox.Store:
    """The store `query` and `serve` answer from: the project's (Project.store, the letters' datasets) and the
    consolidated cube of each series, in graph/dataset/{series id}."""
    store = project.store()
    store.bulk_extend(consolidated_quads(project))
    return store
