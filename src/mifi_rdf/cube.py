"""Turn letters and their tables into one ordered stream of RDF quads.

Everything goes through this one path, metadata and observations alike: pyoxigraph terms are
cheap to create and its serializers stream, so a million cells never sit in a graph in memory.
The order of the stream is fixed (ontology, code lists, letters, then each dataset with its
observations in file order), which makes every output byte-identical for the same input.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
from collections.abc import Iterable, Iterator, Mapping, Sequence
from urllib.parse import quote

import pyoxigraph as ox

from .load.tables import load_cells
from .load.vocabulary import Vocabulary
from .model import Cell, Letter, Table
from .namespaces import COMMENT, DCT, LABEL, PROV, QB, SDMX_ATTR, SKOS, A, N, en, fr, typed
from .progress import steps

MONTHS_FR = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
             "octobre", "novembre", "décembre"]
MONTHS_EN = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
             "October", "November", "December"]
LABEL_INFERENCES = {"typo-fixed", "label-variant", "ocr-reading", "text-completed-from-legend"}  # publish def:sourceLabel


def date_fr(d: dt.date) -> str:
    return f"{'1er' if d.day == 1 else d.day} {MONTHS_FR[d.month - 1]} {d.year}"


def date_en(d: dt.date) -> str:
    return f"{d.day} {MONTHS_EN[d.month - 1]} {d.year}"


def partial_date(value: str) -> ox.Literal:
    """A date as precise as the letter gives it: xsd:gYear, xsd:gYearMonth or xsd:date."""
    kind = {4: "gYear", 7: "gYearMonth"}.get(len(value), "date")
    return typed(value, kind)




class CubeBuilder:
    """Builds the statements of the cubes for one vocabulary (and so one base URI)."""

    def __init__(self, vocab: Vocabulary, extra: Mapping[tuple[str, tuple[str, ...], str], Sequence[tuple]] | None = None
                 ) -> None:
        self.vocab = vocab
        # more attributes of some observations, by (dataset id, codes, measure): the audit's bounds
        self.extra = extra or {}
        self.base = vocab.base
        self._nodes: dict[str, ox.NamedNode] = {}
        b = self.base
        self.g_ontology = N(b + "graph/ontology")
        self.g_codes = N(b + "graph/codes")
        self.g_letters = N(b + "graph/letters")
        self.observation = N(QB + "Observation")
        self.p_dataset = N(QB + "dataSet")
        self.p_measure_type = N(QB + "measureType")
        self.p_status = N(b + "def/cellStatus")
        self.p_obs_status = N(SDMX_ATTR + "obsStatus")
        self.p_conf_status = N(SDMX_ATTR + "confStatus")
        self.p_unit = N(SDMX_ATTR + "unitMeasure")
        self.p_inference = N(b + "def/inference")
        self.p_source_label = N(b + "def/sourceLabel")

    def node(self, iri: str) -> ox.NamedNode:
        """Cached NamedNode: the same code or property is used by thousands of observations."""
        n = self._nodes.get(iri)
        if n is None:
            n = self._nodes[iri] = ox.NamedNode(iri)
        return n

    def d(self, name: str) -> ox.NamedNode:
        return self.node(self.base + "def/" + name)

    def dataset_iri(self, table: Table) -> str:
        return f"{self.base}dataset/{table.dataset_id}"

    # ------------------------------------------------------------------ the whole stream

    def statements(self, letters: Iterable[Letter], dataset_ids: set[str] | None = None,
                   graphs: bool = False) -> Iterator[ox.Triple | ox.Quad]:
        """Triples, or quads in named graphs (one per dataset) when `graphs` is set.

        Building Quads only to unwrap them again costs a third of the export time, so the
        statements are made in the form the writer needs.
        """
        if graphs:
            def wrap(items, g):
                return (ox.Quad(s, p, o, g) for s, p, o in items)
        else:
            def wrap(items, g):
                return (ox.Triple(s, p, o) for s, p, o in items)
        yield from wrap(((t.subject, t.predicate, t.object) for t in self.vocab.ontology_triples), self.g_ontology)
        yield from wrap(((t.subject, t.predicate, t.object) for t in self.vocab.code_triples), self.g_codes)
        chosen = self.chosen_tables(letters, dataset_ids)
        for letter, _ in chosen:
            yield from wrap(self.letter_triples(letter), self.g_letters)
        for table in steps([t for _, tables in chosen for t in tables], "writing"):
            g = N(f"{self.base}graph/dataset/{table.dataset_id}")
            yield from wrap(self.dataset_triples(table), g)
            yield from wrap(self.observation_triples(table), g)

    def by_dataset(self, letters: Iterable[Letter], dataset_ids: set[str] | None = None
                   ) -> tuple[list[ox.Triple], Iterator[tuple[list[ox.Triple], Iterator[ox.Triple]]]]:
        """The triples of `statements()`, cut so that validation can hold one dataset at a time.

        First what every dataset refers to (ontology, code lists, letters), as a list; then, for
        each dataset, its own description (a list: short) and a stream of its observations. A
        dataset's statements name only its own nodes (its observations' IRIs are under the
        dataset's, its source table is its own) and shared ones, never another dataset's.
        """
        chosen = self.chosen_tables(letters, dataset_ids)
        shared = [*self.vocab.ontology_triples, *self.vocab.code_triples]
        shared += [ox.Triple(*t) for letter, _ in chosen for t in self.letter_triples(letter)]
        datasets = (([ox.Triple(*t) for t in self.dataset_triples(table)],
                     (ox.Triple(*t) for t in self.observation_triples(table)))
                    for _, tables in chosen for table in tables)
        return shared, datasets

    @staticmethod
    def chosen_tables(letters: Iterable[Letter], dataset_ids: set[str] | None) -> list[tuple[Letter, list[Table]]]:
        """The letters that have a chosen table, each with its chosen tables (all when None)."""
        chosen = [(letter, [t for t in letter.tables if dataset_ids is None or t.dataset_id in dataset_ids])
                  for letter in letters]
        return [(letter, tables) for letter, tables in chosen if tables]

    # ------------------------------------------------------------------ letters

    def letter_triples(self, letter: Letter) -> Iterator[tuple]:
        s = N(f"{self.base}letter/{letter.ref}")
        d = self.d
        yield s, A, d("AccessDecision")
        yield s, LABEL, fr(f"Décision d'accès N/Réf. {letter.ref} du {date_fr(letter.letter_date)}")
        yield s, LABEL, en(f"Access decision ref. {letter.ref} of {date_en(letter.letter_date)}")
        yield s, d("referenceNumber"), ox.Literal(letter.ref)
        yield s, N(DCT + "date"), typed(letter.letter_date.isoformat(), "date")
        yield s, N(DCT + "publisher"), N(self.base + "agent/mifi")
        yield s, d("requestReceived"), typed(letter.received.isoformat(), "date")
        for c in letter.clarified:
            yield s, d("requestClarified"), typed(c.isoformat(), "date")
        yield s, d("request"), fr(letter.request_fr)
        yield s, d("request"), en(letter.request_en)
        yield s, d("issuedBy"), fr(letter.issued_by_fr)
        yield s, d("issuedBy"), en(letter.issued_by_en)
        for p in letter.programs:
            yield s, d("program"), N(f"{self.base}code/program/{p}")
        for a in letter.articles:
            yield s, d("legalBasis"), N(f"{self.base}law/access/article-{a}")
        for r in letter.refused:
            point, article = r.get("point", "?"), r.get("article", "?")
            yield s, d("refusal"), fr(f"Point {point} refusé (article {article}) : {r.get('reason_fr', '')}")
            yield s, d("refusal"), en(f"Point {point} refused (section {article}): {r.get('reason_en', '')}")
        yield s, N(DCT + "source"), N(f"{self.vocab.base}sources/letters/{letter.source_text}")

    # ------------------------------------------------------------------ datasets

    def dataset_triples(self, table: Table) -> Iterator[tuple]:
        d = self.d
        letter = N(f"{self.base}letter/{table.letter_ref}")
        src = N(f"{self.base}letter/{table.letter_ref}/table/{table.id}")
        n_fr = f"tableau {table.number}" if table.number else "tableau non numéroté"
        n_en = f"table {table.number}" if table.number else "unnumbered table"
        yield src, A, d("SourceTable")
        yield src, LABEL, fr(f"Lettre {table.letter_ref}, {n_fr}")
        yield src, LABEL, en(f"Letter {table.letter_ref}, {n_en}")
        yield src, N(DCT + "isPartOf"), letter
        if table.number:
            yield src, d("tableNumber"), ox.Literal(table.number)
        yield src, d("caption"), fr(table.caption)
        for note in table.notes:
            yield src, N(SKOS + "note"), fr(note)
        if table.source_line:
            yield src, d("sourceLine"), fr(table.source_line)
        if table.extraction_date:
            yield src, d("extractionDate"), partial_date(table.extraction_date)
        if table.data_as_of:
            yield src, d("dataAsOf"), partial_date(table.data_as_of)

        s = N(self.dataset_iri(table))
        yield s, A, N(QB + "DataSet")
        yield s, N(DCT + "identifier"), ox.Literal(table.dataset_id)
        yield s, LABEL, fr(table.title_fr)
        yield s, LABEL, en(table.title_en)
        yield s, N(DCT + "title"), fr(table.title_fr)
        yield s, N(DCT + "title"), en(table.title_en)
        yield s, N(DCT + "description"), fr(table.description_fr)
        yield s, N(DCT + "description"), en(table.description_en)
        yield s, N(QB + "structure"), N(table.structure.iri)
        yield s, d("letter"), letter
        yield s, d("sourceTable"), src
        yield s, N(PROV + "wasDerivedFrom"), src
        yield s, N(PROV + "wasDerivedFrom"), letter
        yield s, N(DCT + "publisher"), N(self.base + "agent/mifi")
        yield s, d("suppressionThreshold"), typed(str(table.suppression_threshold), "integer")
        yield s, d("suppressionMethod"), N(f"{self.base}code/suppression-method/{table.suppression_method}")

    # ------------------------------------------------------------------ observations

    @contextlib.contextmanager
    def cells_of(self, table: Table) -> Iterator[list[Cell]]:
        """The cells of a table while its observations are written: those it holds (see TableByTable)."""
        yield table.cells

    def observation_triples(self, table: Table) -> Iterator[tuple]:
        with self.cells_of(table) as cells:
            yield from self.observation_statements(table, cells)
            del cells  # let go before cells_of's collection (TableByTable)

    def observation_statements(self, table: Table, cells: Iterable[Cell]) -> Iterator[tuple]:
        """One qb:Observation per cell; a cell without a value still says why, by its status.
        serialize/lines.py writes the same statements as text: a change here is a change there."""
        node, base = self.node, self.base
        ds_iri = self.dataset_iri(table)
        ds = node(ds_iri)
        dims = [(node(dim.iri), self.vocab.codelists[dim.codelist].codes) for dim in table.structure.dimensions]
        measures = {name: (node(m.iri), node(m.datatype), node(m.unit) if m.unit else None)
                    for name, m in table.structure.measures.items()}
        statuses = {
            name: (node(st.iri), node(st.obs) if st.obs else None, node(st.conf) if st.conf else None)
            for name, st in self.vocab.statuses.items()
        }
        inference_prefix = base + "code/inference/"
        a, observation, p_ds, p_mt = A, self.observation, self.p_dataset, self.p_measure_type
        p_status, p_obs, p_conf = self.p_status, self.p_obs_status, self.p_conf_status
        p_unit = self.p_unit
        extra, dataset_id = self.extra, table.dataset_id
        revises, p_revision = table.revises, node(PROV + "wasRevisionOf")
        segments: dict[str, str] = {}  # codes repeat across cells: quote each once
        for cell in cells:
            path = []
            for c in cell.codes:
                seg = segments.get(c)
                if seg is None:
                    seg = segments[c] = quote(c, safe="")
                path.append(seg)
            s = ox.NamedNode(f"{ds_iri}/obs/{'/'.join(path)}/{cell.measure}")
            yield s, a, observation
            yield s, p_ds, ds
            for (p, concepts), code in zip(dims, cell.codes, strict=True):
                yield s, p, node(concepts[code])
            m, datatype, unit = measures[cell.measure]
            yield s, p_mt, m
            if cell.value is not None:
                yield s, m, ox.Literal(cell.value, datatype=datatype)
            if unit is not None:
                yield s, p_unit, unit
            status, obs, conf = statuses[cell.status]
            yield s, p_status, status
            if obs is not None:
                yield s, p_obs, obs
            if conf is not None:
                yield s, p_conf, conf
            for x in cell.inferences:
                yield s, self.p_inference, node(inference_prefix + x)
            if cell.note_fr:
                yield s, COMMENT, fr(cell.note_fr)
                yield s, COMMENT, en(cell.note_en)
            if LABEL_INFERENCES.intersection(cell.inferences):
                yield s, self.p_source_label, fr(cell.source_label)
            if revises and (of := revises.get((cell.codes, cell.measure))):
                yield s, p_revision, ox.NamedNode(f"{base}dataset/{of}/obs/{'/'.join(path)}/{cell.measure}")
            if extra:
                for p, o in extra.get((dataset_id, cell.codes, cell.measure), ()):
                    yield s, p, o


class TableByTable(CubeBuilder):
    """The cube builder, reading each table's cells when its observations are due (a table whose
    cells are loaded already keeps them)."""

    @contextlib.contextmanager
    def cells_of(self, table: Table) -> Iterator[list[Cell]]:
        """The table's cells, read now; the cyclic collector paused meanwhile, and run on the young
        objects after: the cells and the audit's entries of a table are alive until it is written, and
        the collector would otherwise scan them again and again as they pile up (a tenth of the time).
        The callers drop their name for the cells before the block ends (`del cells`), so that this
        collection scans what outlives the table, not its cells (0.12 s of CPU at 100,000 cells)."""
        paused = gc.isenabled()
        gc.disable()
        try:
            cells = table.cells or load_cells(table, self.vocab)
            prepare = getattr(self.extra, "prepare", None)  # audit/grouped.TableBounds: the table's bounds from these cells
            self.prepared(table, cells, prepare(table, cells) if prepare is not None else None)
            yield cells
        finally:
            cells = None  # the table's cells are let go first: the collection below scans only what outlives them
            if paused:
                gc.enable()
                gc.collect(1)

    def prepared(self, table: Table, cells: list[Cell], bounds) -> None:
        """What to do with a table's cells once read, before they are written, and with the bounds
        its reading computed (TableBounds.prepare's answer): nothing here; streaming.Validating
        hands them to the validation."""
