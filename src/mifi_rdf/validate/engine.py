"""Check cubes against the rules of `shapes/`, with engines that give the same results.

- `oxigraph` (default, fast): the rules that compare observations run as columnar group-bys and
  joins over one table of the observations (columnar.py, fast.py); the rules about structures,
  code lists and datasets run as below. Input the columnar form does not reproduce exactly falls
  back to `sparql`.
- `sparql`: each sh:sparql constraint runs once over the whole store in pyoxigraph, with
  `$this` turned into a variable joined to the shape's targets (`?this rdf:type/rdfs:subClassOf* C`,
  `[] P ?this`)
  instead of one query per focus node. The rules are written for this (they bind `$this`
  positively and every sub-select projects it), so the answers are the SHACL answers; the corpus
  tests compare the engines on every fixture.
- `pyshacl` (reference): the SHACL engine itself on an rdflib graph. Correct and slow: one
  query per focus node, in rdflib's SPARQL engine.

Data come either from the project (data/ + ontology/) or from RDF files of any syntax.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from ..errors import UnreadableInput, UsageError
from ..files import regular
from ..load.rdf import long_number, refuse_deep, refuse_deep_xml, refuse_xml_declarations, too_long
from ..namespaces import QB, RDF_TYPE, SUBCLASS, XSD
from .results import Report, Result, Term, term_of
from .shapes import Constraint, Shapes

INPUT_FORMATS = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "xml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
}
EXTENSIONS = {".ttl": "ttl", ".turtle": "ttl", ".nt": "nt", ".nq": "nq", ".trig": "trig", ".rdf": "xml",
              ".xml": "xml", ".owl": "xml", ".jsonld": "jsonld", ".json": "jsonld"}
ENGINES = ("oxigraph", "sparql", "pyshacl")
# Statements of datasets held at once by run_oxigraph_by_dataset (besides the shared ones): about
# 100k observations, 0.5 GB of store; fewer batches would share the cost of reloading the shared part.
BATCH_STATEMENTS = 1_000_000


# ---------------------------------------------------------------------------- loading data

def input_format(path: Path, explicit: str | None) -> str:
    fmt = explicit or EXTENSIONS.get(path.suffix.lower())
    if fmt is None:
        raise UsageError(f"{path}: cannot tell the RDF syntax from the extension {path.suffix!r}; "
                         f"use --input-format ({', '.join(INPUT_FORMATS)})")
    return fmt


def checked_input(path: Path, explicit_format: str | None) -> str:
    """The RDF syntax of an input file, once the file is known safe to hand to a parser."""
    fmt = input_format(path, explicit_format)
    regular(path)  # a FIFO would make the parser wait forever, a device read forever (issue 23)
    if fmt == "xml":
        refuse_xml_declarations(path)  # before any parser: entity expansion (issue 15)
        refuse_deep_xml(path)  # and depth: the parser's time is quadratic in it (issue 23)
    return fmt


def store_from_files(paths: Iterable[Path], explicit_format: str | None, base: str) -> ox.Store:
    """Parse every file into one store; a syntax error names its file, line and column."""
    store = ox.Store()
    for path in paths:
        fmt = checked_input(path, explicit_format)
        try:
            if fmt in ("ttl", "nt", "xml"):  # triples only: parsed and loaded by the store itself, 30 % faster
                store.bulk_load(path=str(path), format=INPUT_FORMATS[fmt], base_iri=base)
                continue
            quads = ox.parse(path=str(path), format=INPUT_FORMATS[fmt], base_iri=base)
            store.bulk_extend(ox.Quad(q.subject, q.predicate, q.object) for q in quads)
        except SyntaxError as err:
            raise UnreadableInput(path, err.lineno or 0, err.offset or 0, f"invalid {fmt.upper()}: {err.msg}") from err
        except MemoryError as err:
            raise too_long(path, fmt, err) from err
    return store


def has_cube(store: ox.Store) -> bool:
    """Whether the store holds at least one qb:DataSet, in any graph."""
    kind = ox.NamedNode(QB + "DataSet")
    return next(iter(store.quads_for_pattern(None, ox.NamedNode(RDF_TYPE), kind, None)), None) is not None


def store_from_statements(statements: Iterable) -> ox.Store:
    """A store of the project's statements, all in the default graph."""
    store = ox.Store()
    store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in statements)
    return store


def rdflib_graph(store: ox.Store):
    """The store's triples as an rdflib graph, for pyshacl.

    Goes through N-Triples, which both engines read and write exactly. (Files given by the user
    are parsed by rdflib directly instead, see `rdflib_from_files`.)"""
    import rdflib

    buf = io.BytesIO()
    ox.serialize((ox.Triple(q.subject, q.predicate, q.object) for q in store), buf, ox.RdfFormat.N_TRIPLES)
    return rdflib.Graph().parse(data=buf.getvalue().decode("utf-8"), format="nt")


def rdflib_from_files(paths: Iterable[Path], explicit_format: str | None, base: str):
    import rdflib

    names = {"ttl": "turtle", "nt": "nt", "nq": "nquads", "trig": "trig", "xml": "xml", "jsonld": "json-ld"}
    graph = rdflib.Dataset(default_union=True) if explicit_format in ("nq", "trig") else rdflib.Graph()
    for path in paths:
        fmt = input_format(path, explicit_format)
        regular(path)
        if fmt == "xml":
            refuse_xml_declarations(path)
            refuse_deep_xml(path)
        refuse_deep(path, fmt)  # rdflib's parsers recurse per level (issue 23)
        try:
            graph.parse(path, format=names[fmt], publicID=base)
        except ValueError as err:  # int() of a literal of more than 4,300 digits, in rdflib's parsers
            if "digits" not in str(err):
                raise
            raise long_number(path, err) from None
    return graph


# ---------------------------------------------------------------------------- engines

def fast_query(c: Constraint) -> str:
    """The constraint's SELECT for all focus nodes at once: `$this` joined to the target."""
    select = c.select.replace("$this", "?this")
    brace = select.find("{")
    if brace < 0 or "where" not in select[:brace].lower():
        raise UsageError(f"{c.shape}: the SELECT must start with 'SELECT … WHERE {{'")
    patterns = {"class": f"?this <{RDF_TYPE}>/<{SUBCLASS}>* <{{}}>", "objectsOf": "[] <{}> ?this",
                "subjectsOf": "?this <{}> []"}
    union = " UNION ".join(f"{{ {patterns[kind].format(iri)} }}" for kind, iri in c.targets)
    target = f"\n  {{ SELECT DISTINCT ?this WHERE {{ {union} }} }}"
    return f"{c.prefixes}\n{select[:brace + 1]}{target}{select[brace + 1:]}"


def _solve(store: ox.Store, shapes: Shapes) -> set[Result]:
    """Every result of every constraint over the whole store: one query per constraint."""
    results: set[Result] = set()
    for c in shapes.constraints:
        solutions = store.query(fast_query(c), use_default_graph_as_union=True)
        names = [v.value for v in solutions.variables]
        for row in solutions:
            bound = {n: term_of(row[n]) for n in names if row[n] is not None}
            focus = bound["this"]
            results.add(Result(c.shape, c.index, c.severity, focus, bound.get("value", focus), bound.get("path"),
                               tuple(sorted(bound.items()))))
    return results


def run_oxigraph(store: ox.Store, shapes: Shapes) -> Report:
    return Report(sorted(_solve(store, shapes)), shapes.constraints)


def run_oxigraph_by_dataset(shared: list[ox.Triple], datasets: Iterable[tuple[list[ox.Triple], Iterable[ox.Triple]]],
                            shapes: Shapes, batch: int = BATCH_STATEMENTS) -> tuple[Report, ox.Store]:
    """The results of `run_oxigraph` on the union of all the statements, holding only some datasets
    at a time, so that memory is bounded by `batch` statements (or the largest dataset) instead of
    growing with the whole cube.

    `shared` is what every dataset may refer to (ontology, code lists, letters); each dataset is
    its description and a stream of its observations, which name only its own nodes and shared
    ones. Every rule is per dataset in nature (an observation belongs to one dataset; duplicates,
    totals and percentages are compared within a dataset; dataset-level rules look at one dataset
    and the shared structure), so a store of the shared statements plus a few whole datasets gives
    each of those datasets the same results as the whole cube would, and the union over the batches
    is the whole cube's. Results about shared nodes (structures, code lists) come out of every
    batch alike and count once. Datasets are loaded whole into a batch until it holds `batch`
    statements besides the shared ones; a fresh store per batch gives the memory back (emptying a
    pyoxigraph store does not).

    Also returns a store for the report's labels: the shared statements, every dataset's
    description, and the statements of each node a result names."""
    shared_quads = [ox.Quad(t.subject, t.predicate, t.object) for t in shared]
    kept: list[ox.Quad] = []
    results: set[Result] = set()
    store, size, any_dataset = None, 0, False

    def finish(store: ox.Store) -> None:
        found = _solve(store, shapes)
        named = {t.value for r in found for t in (r.focus, r.value) if t.is_iri}
        for iri in sorted(named):
            kept.extend(store.quads_for_pattern(ox.NamedNode(iri), None, None))
        results.update(found)

    for head, body in datasets:
        any_dataset = True
        if store is None:
            store, size = ox.Store(), 0
            store.bulk_extend(shared_quads)
        quads = [ox.Quad(t.subject, t.predicate, t.object) for t in head]
        kept.extend(quads)
        store.bulk_extend(quads)
        counted = _Counter(ox.Quad(t.subject, t.predicate, t.object) for t in body)
        store.bulk_extend(counted)
        size += len(quads) + counted.n
        if size >= batch:
            finish(store)
            store = None
    if store is not None:
        finish(store)
    elif not any_dataset:  # the shared statements alone
        store = ox.Store()
        store.bulk_extend(shared_quads)
        finish(store)
    labels = ox.Store()
    labels.bulk_extend(shared_quads)
    labels.bulk_extend(kept)
    return Report(sorted(results), shapes.constraints), labels


class _Counter:
    """Passes items through, counting them (a batch's size without holding its statements)."""

    def __init__(self, items: Iterable) -> None:
        self.items, self.n = items, 0

    def __iter__(self):
        for item in self.items:
            self.n += 1
            yield item


def _rdflib_term(t) -> Term:
    import rdflib

    if isinstance(t, rdflib.URIRef):
        return Term("iri", str(t))
    if isinstance(t, rdflib.BNode):
        return Term("bnode", str(t))
    return Term("literal", str(t), str(t.datatype) if t.datatype else ("" if t.language else
                XSD + "string"), t.language or "")


def run_pyshacl(graph, shapes: Shapes) -> Report:
    import pyshacl
    from rdflib.namespace import RDF, SH

    _, report, _ = pyshacl.validate(graph, shacl_graph=shapes.graph, inference="none", allow_warnings=True,
                                    advanced=False, meta_shacl=False)
    by_select = {(c.shape, c.select): c for c in shapes.constraints}
    results = set()
    for r in report.subjects(RDF.type, SH.ValidationResult):
        shape = str(report.value(r, SH.sourceShape))
        select = str(report.value(report.value(r, SH.sourceConstraint), SH.select))
        c = by_select[(shape, select)]
        focus = _rdflib_term(report.value(r, SH.focusNode))
        value = report.value(r, SH.value)
        path = report.value(r, SH.resultPath)
        results.add(Result(shape, c.index, c.severity, focus, _rdflib_term(value) if value is not None else focus,
                           _rdflib_term(path) if path is not None else None))
    return Report(sorted(results), shapes.constraints)
