"""Read the ontology folder: vocabulary, structures and code lists, resolved against one base URI.

The Turtle files use relative IRIs, so the same files serve any base. What the loader of tables
needs to know (the dimensions of a structure, the codes of a list, what a cell status means) is
read from the graph with the queries in `sparql/`, not restated in Python.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from ..errors import InputError
from ..namespaces import DEFAULT_BASE, XSD, normalize_base
from ..paths import sparql
from .text import read_text


@dataclass(frozen=True)
class Dimension:
    name: str  # also the CSV column name: the local name of the property
    iri: str
    codelist: str


@dataclass(frozen=True)
class Measure:
    name: str
    iri: str
    datatype: str
    unit: str | None


@dataclass(frozen=True)
class Structure:
    slug: str
    iri: str
    dimensions: tuple[Dimension, ...]
    measures: dict[str, Measure]


@dataclass(frozen=True)
class CellStatus:
    notation: str
    iri: str
    has_value: bool
    conf: str | None
    obs: str | None


@dataclass
class CodeList:
    iri: str
    codes: dict[str, str] = field(default_factory=dict)  # notation -> concept IRI
    labels: dict[str, set[str]] = field(default_factory=dict)  # notation -> every label


@dataclass
class Vocabulary:
    base: str
    ontology_triples: list[ox.Triple]
    code_triples: list[ox.Triple]
    structures: dict[str, Structure]
    codelists: dict[str, CodeList]
    statuses: dict[str, CellStatus]
    # the rows (kind, subject, object) of sparql/audit-relations.rq, read from the store the
    # vocabulary was loaded from (a few milliseconds), so that the audit need not build that store
    # again from the triples (a tenth of a second); None when not read (audit/constraints.py does)
    relation_rows: list[tuple[str, str, str]] | None = field(default=None, repr=False, compare=False)

    def codelist(self, name: str) -> CodeList:
        """One of our code lists by its name (`code/{name}`); empty when the ontology lacks it."""
        return self.codelists.get(f"{self.base}code/{name}", CodeList(""))


def _parse(path: Path, base: str) -> list[ox.Triple]:
    """Parse one Turtle file; blank nodes get labels derived from the file, so output is stable."""
    try:
        text = read_text(path, escapes=True)  # UTF-8, no control character (issue 15)
        triples = list(ox.parse(text.encode("utf-8"), format=ox.RdfFormat.TURTLE, base_iri=base))
    except SyntaxError as err:
        line, column = _position(err)
        raise InputError(path, line, column, f"invalid Turtle: {err}") from err
    except MemoryError as err:  # pyoxigraph's parser holds one token in at most 16 MiB
        raise InputError(path, 0, 0, f"invalid Turtle: {err}: a term longer than that") from err
    labels: dict[str, ox.BlankNode] = {}

    def fix(term):
        if isinstance(term, ox.BlankNode):
            return labels.setdefault(term.value, ox.BlankNode(f"{path.stem}-{len(labels) + 1}"))
        return term

    blank = ox.BlankNode
    # only a triple with a blank node is made again (most have none: a code list's 30,000 triples
    # made anew cost a tenth of a second); the labels are given in the order the nodes come, as before
    return [ox.Triple(fix(t.subject), t.predicate, fix(t.object))
            if isinstance(t.subject, blank) or isinstance(t.object, blank) else t for t in triples]


def _position(err: SyntaxError) -> tuple[int, int]:
    return (err.lineno or 0, err.offset or 0)


def load_vocabulary(ontology_dir: Path, base: str = DEFAULT_BASE) -> Vocabulary:
    base = normalize_base(base)
    ontology_triples: list[ox.Triple] = []
    for path in sorted(ontology_dir.glob("*.ttl")):
        ontology_triples += _parse(path, base)
    code_triples: list[ox.Triple] = []
    for path in sorted((ontology_dir / "codes").glob("*.ttl")):
        code_triples += _parse(path, base)
    store = ox.Store()
    store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in ontology_triples + code_triples)
    vocab = vocabulary_from_store(store, base, ontology_triples, code_triples)
    vocab.relation_rows = relation_rows(store, base)
    return vocab


def relation_rows(store: ox.Store, base: str) -> list[tuple[str, str, str]]:
    """What the audit reads of the vocabulary (sparql/audit-relations.rq), one (kind, s, o) a row."""
    return [(row["kind"].value, row["s"].value, row["o"].value)
            for row in store.query(sparql("audit-relations.rq"), base_iri=base)]


def vocabulary_from_store(store: ox.Store, base: str, ontology_triples: list[ox.Triple] | None = None,
                          code_triples: list[ox.Triple] | None = None) -> Vocabulary:
    """The structures, code lists and statuses a store describes, read with the queries of `sparql/`:
    from ontology/ here, from a published file in `mifi_rdf.read_frame` (tabular/read.py)."""

    def select(name: str):
        return store.query(sparql(name), base_iri=base)

    structures: dict[str, Structure] = {}
    rows: dict[str, list] = {}
    for s in select("structures.rq"):
        rows.setdefault(s["slug"].value, []).append(s)
    for slug, comps in rows.items():
        dims, measures = [], {}
        for c in comps:
            prop = c["prop"].value
            name = prop.rsplit("/", 1)[-1].rsplit("#", 1)[-1]
            if c["kind"].value == "dimension" and c["codelist"] is not None:
                dims.append(Dimension(name, prop, c["codelist"].value))  # in qb:order (structures.rq)
            elif c["kind"].value == "measure":
                dt = c["range"].value if c["range"] is not None else XSD + "integer"
                unit = c["unit"].value if c["unit"] is not None else None
                measures[name] = Measure(name, prop, dt, unit)
        structures[slug] = Structure(slug, comps[0]["dsd"].value, tuple(dims), measures)

    codelists: dict[str, CodeList] = {}
    for s in select("codes.rq"):
        cl = codelists.setdefault(s["scheme"].value, CodeList(s["scheme"].value))
        notation = s["notation"].value
        cl.codes[notation] = s["concept"].value
        labels = cl.labels.setdefault(notation, set())
        if s["label"] is not None:
            labels.add(s["label"].value)

    statuses = {
        s["notation"].value: CellStatus(
            s["notation"].value,
            s["status"].value,
            s["hasValue"].value == "true",
            s["conf"].value if s["conf"] is not None else None,
            s["obs"].value if s["obs"] is not None else None,
        )
        for s in select("statuses.rq")
    }
    return Vocabulary(
        base=base,
        ontology_triples=ontology_triples or [],
        code_triples=code_triples or [],
        structures=structures,
        codelists=codelists,
        statuses=statuses,
    )
