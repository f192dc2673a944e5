"""The VoID description of a published folder: size, vocabularies, examples and dumps per dataset.

Counted from the N-Triples files as written (one triple per line), so the numbers are those of
what a user downloads.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox

from ..namespaces import DCT, QB, RDF, VOID, A, N, en, fr, typed
from ..project import Project
from .config import Config, Options, dataset_path, version_iri, version_path
from .history import DatasetHistory, History


def namespace(iri: str) -> str:
    cut = max(iri.rfind("#"), iri.rfind("/"))
    return iri[: cut + 1]


def void_statements(project: Project, root: Path, config: Config, options: Options,
                    history: History | None = None) -> Iterator[ox.Triple]:
    """With the folder's `history` (release.json), every version's dump too."""
    for s, p, o in _void(project, root, config, options, history):
        yield ox.Triple(s, p, o)


def _void(project: Project, root: Path, config: Config, options: Options, history: History | None) -> Iterator[tuple]:
    b = project.vocab.base
    cat = config.section("catalog")
    whole = N(b + "void")
    yield whole, A, N(VOID + "Dataset")
    yield whole, N(DCT + "title"), fr(cat["title_fr"])
    yield whole, N(DCT + "title"), en(cat["title_en"])
    yield whole, N(DCT + "license"), N(config.license)
    if options.sparql_endpoint:
        yield whole, N(VOID + "sparqlEndpoint"), N(options.sparql_endpoint)
    total = 0
    all_vocabularies: set[str] = set()
    nt = config.format("nt")
    for table in (t for letter in project.letters for t in letter.tables):
        iri = f"{b}dataset/{table.dataset_id}"
        d = N(iri)
        rel = dataset_path(table.dataset_id, nt)
        count, vocabularies, example = _scan(root / rel)
        total += count
        all_vocabularies |= vocabularies
        yield whole, N(VOID + "subset"), d
        yield d, A, N(VOID + "Dataset")
        yield d, N(DCT + "title"), fr(table.title_fr)
        yield d, N(DCT + "title"), en(table.title_en)
        yield d, N(VOID + "triples"), typed(str(count), "integer")
        for v in sorted(vocabularies):
            yield d, N(VOID + "vocabulary"), N(v)
        if example:
            yield d, N(VOID + "exampleResource"), N(example)
        yield d, N(VOID + "uriSpace"), ox.Literal(iri + "/obs/")
        yield d, N(VOID + "dataDump"), N(b + rel)
        if options.sparql_endpoint:
            yield d, N(VOID + "sparqlEndpoint"), N(options.sparql_endpoint)
    yield whole, N(VOID + "triples"), typed(str(total), "integer")
    for ds in history.datasets.values() if history is not None else ():
        yield from _versions(b, ds, root, nt)
    for v in sorted(all_vocabularies):
        yield whole, N(VOID + "vocabulary"), N(v)


def _versions(b: str, ds: DatasetHistory, root: Path, nt) -> Iterator[tuple]:
    """Each version of a dataset (build/history.py) as a void:Dataset of its own with its N-Triples dump
    (dataset/{id}/v{n}/{id}.nt), dcterms:isVersionOf the dataset: not a subset of the whole, whose triples are the
    current data's, yet no published dump is hidden (withdrawn datasets' and consolidated cubes' versions included)."""
    for v in ds.versions:
        rel = version_path(ds.id, v.number, nt)
        if not (root / rel).is_file():
            continue
        node = N(version_iri(b, ds.id, v.number))
        count, _, _ = _scan(root / rel)
        yield node, A, N(VOID + "Dataset")
        yield node, N(DCT + "isVersionOf"), N(f"{b}dataset/{ds.id}")
        yield node, N(DCT + "title"), fr(f"{ds.title_fr} (version {v.number})")
        yield node, N(DCT + "title"), en(f"{ds.title_en} (version {v.number})")
        yield node, N(VOID + "triples"), typed(str(count), "integer")
        yield node, N(VOID + "dataDump"), N(b + rel)


def _scan(path: Path) -> tuple[int, set[str], str | None]:
    """Triples, namespaces of the properties and classes used, and the first observation."""
    count = 0
    vocabularies: set[str] = set()
    example = None
    rdf_type, observation = RDF + "type", QB + "Observation"
    for t in ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES):
        count += 1
        p = t.predicate.value
        vocabularies.add(namespace(p))
        if p == rdf_type and isinstance(t.object, ox.NamedNode):
            vocabularies.add(namespace(t.object.value))
            if example is None and t.object.value == observation:
                example = t.subject.value
    return count, vocabularies, example
