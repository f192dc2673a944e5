"""`mifi_rdf.read_frame(path_or_file)`: the frame of `mifi_rdf.frame` from a file someone downloaded.

Any distribution `export` or `build` publishes: Turtle, JSON-LD, N-Triples, TriG, RDF/XML (parsed
by pyoxigraph), or the tidy CSV with its CSVW metadata beside it (`X.csv-metadata.json`). What a
file says of itself is all that is used: its structure (qb:DataStructureDefinition, qb:order),
code lists, statuses and labels are read with the same queries as ontology/ (load/vocabulary.py,
sparql/), so the frame is the one `frame()` builds from data/, row for row. Rows come in the order
the file gives its observations, which for the files mifi-rdf writes is the letter's.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from ..build.facts import read_labels
from ..errors import UnreadableInput, UsageError
from ..files import read_text as read_file
from ..load.rdf import refuse_xml_declarations, too_long
from ..load.vocabulary import Dimension, Measure, Structure, vocabulary_from_store
from ..model import Cell
from ..namespaces import QB, RDFS, XSD
from ..validate.engine import EXTENSIONS, INPUT_FORMATS
from .frame import Rows, pandas, to_frame

CSV_FORMATS = {".csv": "csv"}
CSV_COLUMNS = ("measure", "measure_fr", "measure_en", "value", "status", "status_fr", "status_en", "inference",
               "lower_bound", "upper_bound", "note_fr", "note_en")  # after the dimensions' (csvw.py)


def read_frame(source: str | Path | IO[bytes], format: str | None = None, dataset: str | None = None,  # noqa: A002
               lang: str = "fr", metadata: str | Path | None = None):
    """The tidy DataFrame of one dataset of a published file.

    `format` (ttl, jsonld, nt, trig, xml, csv) defaults to the file's extension; a file object needs
    it. `dataset` picks one of several datasets (a whole `export`); `metadata` is the CSVW file of a
    CSV (default: beside it, `NAME.csv-metadata.json`)."""
    pandas()
    path = None if hasattr(source, "read") else Path(source)
    if format is None:
        if path is None:
            raise UsageError("read_frame of a file object needs format= (ttl, jsonld, nt, trig, xml or csv)")
        format = CSV_FORMATS.get(path.suffix.lower()) or EXTENSIONS.get(path.suffix.lower())  # noqa: A001
        if format is None:
            raise UsageError(f"{path}: cannot tell the format from the extension {path.suffix!r}; "
                             f"give format= (ttl, jsonld, nt, trig, xml or csv)")
    if format == "csv":
        return to_frame(csv_rows(source, path, metadata), lang)
    if format not in INPUT_FORMATS:
        raise UsageError(f"unknown format {format!r} (expected ttl, jsonld, nt, trig, xml or csv)")
    return to_frame(rdf_rows(Source(source, path, format), dataset), lang)


class Source:
    """A file given by path or as a file object (read once into memory), parsed as often as needed."""

    def __init__(self, source, path: Path | None, fmt: str) -> None:
        self.path, self.fmt, self.format = path, fmt, INPUT_FORMATS[fmt]
        self.name = path or getattr(source, "name", "<file>")
        if path is not None and not path.is_file():
            raise UsageError(f"cannot read {path}: no such file")
        if fmt == "xml" and path is not None:
            refuse_xml_declarations(path)  # before any parser: entity expansion (issue 15)
        self.data = None if path is not None else source.read()

    def _call(self, fn, **kwargs):
        try:
            if self.path is not None:
                return fn(path=str(self.path), format=self.format, **kwargs)
            return fn(self.data, format=self.format, **kwargs)
        except SyntaxError as err:
            raise UnreadableInput(self.name, err.lineno or 0, err.offset or 0, f"invalid {self.fmt.upper()}: {err.msg}") from err
        except MemoryError as err:
            raise too_long(Path(self.name), self.fmt, err) from err

    def store(self) -> ox.Store:
        """Every statement in the default graph (a TriG file's named graphs merged), loaded by pyoxigraph."""
        store = ox.Store()
        if self.fmt == "trig":
            store.bulk_extend(ox.Quad(q.subject, q.predicate, q.object) for q in self.quads())
        elif self.path is not None:
            self._call(store.bulk_load)
        else:
            store.bulk_load(self.data, format=self.format)
        return store

    def quads(self) -> Iterator:
        """The statements in the file's order, streamed."""
        items = self._call(ox.parse)
        try:
            yield from items
        except SyntaxError as err:
            raise UnreadableInput(self.name, err.lineno or 0, err.offset or 0, f"invalid {self.fmt.upper()}: {err.msg}") from err


DATASETS = """PREFIX qb: <http://purl.org/linked-data/cube#>
PREFIX dct: <http://purl.org/dc/terms/>
SELECT ?dataset ?id ?structure WHERE { ?dataset a qb:DataSet ; dct:identifier ?id ; qb:structure ?structure }"""


def rdf_rows(source: Source, dataset: str | None) -> Rows:
    """The rows of one dataset of the file: its structure and codes as the file defines them.

    The file is read twice: into a store, by pyoxigraph alone, for the vocabulary queries; then
    streamed once for the observations, in the file's order."""
    store = source.store()
    ids = {row["id"].value: (row["dataset"].value, row["structure"].value) for row in store.query(DATASETS)}
    if not ids:
        raise UsageError("the file describes no qb:DataSet with a dcterms:identifier: not a mifi-rdf distribution")
    if dataset is None:
        if len(ids) > 1:
            raise UsageError(f"the file holds {len(ids)} datasets: choose one with dataset= ({', '.join(sorted(ids))})")
        dataset = next(iter(ids))
    if dataset not in ids:
        raise UsageError(f"no dataset {dataset} in the file (it holds {', '.join(sorted(ids))})")
    iri, structure_iri = ids[dataset]
    base = iri.removesuffix(f"dataset/{dataset}")
    vocab = vocabulary_from_store(store, base)
    structure = next(s for s in vocab.structures.values() if s.iri == structure_iri)
    labels = read_labels(store, base)
    del store
    concepts = [vocab.codelists[d.codelist].codes for d in structure.dimensions]
    cells, bounds = observations(source.quads(), iri, base, structure, concepts)
    bounds_of = {(dataset, codes, measure): b for (codes, measure), b in bounds.items()}
    return Rows(dataset, structure, cells, concepts, {n: s.iri for n, s in vocab.statuses.items()},
                lambda thing, lang: labels.get(thing, {}).get(lang, ""), bounds_of.get)


def observations(quads: Iterable, dataset_iri: str, base: str, structure: Structure, concepts: list[dict]):
    """The cells of the dataset's observations, in the order their subjects first appear."""
    dim_index = {d.iri: i for i, d in enumerate(structure.dimensions)}
    notation = [{iri: code for code, iri in c.items()} for c in concepts]
    measure_of = {m.iri: name for name, m in structure.measures.items()}
    p_dataset, p_measure_type = QB + "dataSet", QB + "measureType"
    p_status, p_inference = base + "def/cellStatus", base + "def/inference"
    p_lower, p_upper, comment = base + "def/lowerBound", base + "def/upperBound", RDFS + "comment"
    inference_prefix, status_prefix = base + "code/inference/", base + "code/cell-status/"
    wanted = {p_dataset, p_measure_type, p_status, p_inference, p_lower, p_upper, comment, *dim_index, *measure_of}
    found: dict[str, dict] = {}
    for q in quads:
        p = q.predicate.value
        if p not in wanted:
            continue
        s, o = q.subject.value, q.object
        obs = found.get(s)
        if obs is None:
            obs = found[s] = {"codes": [None] * len(dim_index), "inferences": [], "values": {}}
        if p == p_dataset:
            obs["dataset"] = o.value
        elif p in dim_index:
            obs["codes"][dim_index[p]] = notation[dim_index[p]].get(o.value)
        elif p == p_measure_type:
            obs["measure"] = measure_of.get(o.value)
        elif p in measure_of:
            obs["values"][measure_of[p]] = o.value
        elif p == p_status:
            obs["status"] = o.value.removeprefix(status_prefix)
        elif p == p_inference:
            obs["inferences"].append(o.value.removeprefix(inference_prefix))
        elif p == p_lower:
            obs["lower"] = o.value
        elif p == p_upper:
            obs["upper"] = o.value
        elif isinstance(o, ox.Literal) and o.language in ("fr", "en"):
            obs["note_" + o.language] = o.value
    cells, bounds = [], {}
    for s, obs in found.items():
        if obs.get("dataset") != dataset_iri:
            continue
        codes, measure = tuple(obs["codes"]), obs.get("measure")
        if None in codes or measure is None:
            raise UsageError(f"observation <{s}> lacks a code of the structure's dimensions or its qb:measureType")
        cells.append(Cell(0, codes, measure, obs["values"].get(measure), obs.get("status", ""),
                          tuple(sorted(obs["inferences"])), "", obs.get("note_fr", ""), obs.get("note_en", "")))
        if "lower" in obs:
            bounds[(codes, measure)] = (obs["lower"], obs.get("upper"))
    return cells, bounds


def csv_rows(source, path: Path | None, metadata: str | Path | None) -> Rows:
    """The rows of a tidy CSV of `build` or `export --format csv`, described by its CSVW metadata."""
    meta_path = Path(metadata) if metadata is not None else None
    if meta_path is None and path is not None:
        meta_path = path.with_name(path.name + "-metadata.json")
    if meta_path is None or not meta_path.is_file():
        raise UsageError(f"read_frame of a CSV needs its CSVW metadata ({meta_path or 'metadata='}): "
                         "the dataset and the type of its values are stated there")
    try:
        meta = json.loads(read_file(meta_path))
        schema = meta["tableSchema"]
        names = [c["name"] for c in schema["columns"]]
        decimal = next(c for c in schema["columns"] if c["name"] == "value")["datatype"] == "decimal"
        dataset = meta["dc:source"]["@id"].rsplit("/", 1)[-1]
    except (ValueError, KeyError, StopIteration, TypeError) as err:
        raise UnreadableInput(meta_path, 1, 1, f"not the CSVW metadata of a mifi-rdf CSV: {err}") from err
    missing = [c for c in CSV_COLUMNS if c not in names]
    if missing:
        raise UnreadableInput(meta_path, 1, 1, f"not the CSVW metadata of a mifi-rdf tidy CSV: no column {', '.join(missing)}")
    dims = [n for n in names if f"{n}_fr" in names and f"{n}_en" in names and n not in ("measure", "status")]
    if path is not None:
        text = read_file(path, "csv")
    else:
        data = source.read()
        text = data.decode("utf-8") if isinstance(data, bytes) else data
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    if reader.fieldnames != names:
        raise UnreadableInput(path or "<file>", 1, 1, f"expected the columns {','.join(names)} of {meta_path.name}; "
                                                        f"got {','.join(reader.fieldnames or [])}")
    labels: dict[str, dict[str, str]] = {}
    cells, bounds = [], {}
    measures: dict[str, Measure] = {}
    datatype = XSD + ("decimal" if decimal else "integer")
    concepts: list[dict[str, str]] = [{} for _ in dims]
    statuses: dict[str, str] = {}
    try:
        for row in reader:
            codes = tuple(row[d] for d in dims)
            for i, (d, code) in enumerate(zip(dims, codes, strict=True)):
                key = concepts[i].setdefault(code, f"{d}\x00{code}")
                labels[key] = {"fr": row[f"{d}_fr"], "en": row[f"{d}_en"]}
            m = row["measure"]
            measures.setdefault(m, Measure(m, f"measure\x00{m}", datatype, None))
            labels[f"measure\x00{m}"] = {"fr": row["measure_fr"], "en": row["measure_en"]}
            statuses.setdefault(row["status"], f"status\x00{row['status']}")
            labels[f"status\x00{row['status']}"] = {"fr": row["status_fr"], "en": row["status_en"]}
            inferences = tuple(x for x in row["inference"].split(";") if x)
            cells.append(Cell(reader.line_num, codes, m, row["value"] or None, row["status"], inferences, "",
                              row["note_fr"], row["note_en"]))
            if row["lower_bound"]:
                bounds[(dataset, codes, m)] = (row["lower_bound"], row["upper_bound"] or None)
    except csv.Error as err:
        raise UnreadableInput(path or "<file>", reader.line_num, 1, f"malformed CSV: {err}") from err
    structure = Structure("", "", tuple(Dimension(d, d, d) for d in dims), measures)
    return Rows(dataset, structure, cells, concepts, statuses,
                lambda thing, lang: labels.get(thing, {}).get(lang, ""), bounds.get)
