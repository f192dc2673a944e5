"""Facts about the built cubes that the catalog and the CSV files need, asked of the graph.

Labels, time covered and regions are in the ontology and code lists already; reading them back
with the queries in `sparql/` keeps one source of truth instead of restating them in Python.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from ..paths import sparql
from ..project import Project


@dataclass
class Facts:
    labels: dict[str, dict[str, str]] = field(default_factory=dict)  # IRI -> {"fr": ..., "en": ...}
    temporal: dict[str, tuple[str, str]] = field(default_factory=dict)  # dataset IRI -> (start, end)
    regions: dict[str, list[str]] = field(default_factory=dict)  # dataset IRI -> region IRIs

    def label(self, iri: str, lang: str) -> str:
        return self.labels.get(iri, {}).get(lang, "")


def gather_facts(project: Project) -> Facts:
    """Query the ontology and code lists, plus one statement per code a dataset uses.

    A dataset "uses" a code (`<dataset> <dimension> <code>`) when one of its observations does;
    these summary statements stand in for the observations themselves, which would cost memory
    in proportion to the cells for nothing the queries need. They never leave this store.
    """
    vocab = project.vocab
    base = vocab.base
    store = ox.Store()
    store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in vocab.ontology_triples + vocab.code_triples)
    summary = set()
    for letter in project.letters:
        for table in letter.tables:
            dataset = ox.NamedNode(f"{base}dataset/{table.dataset_id}")
            cells = table.cells
            for d, dim in enumerate(table.structure.dimensions):  # each code once, not once per cell
                prop, concepts = ox.NamedNode(dim.iri), vocab.codelists[dim.codelist].codes
                summary.update(ox.Quad(dataset, prop, ox.NamedNode(concepts[code])) for code in {c.codes[d] for c in cells})
    store.bulk_extend(summary)

    def select(name: str):
        return store.query(sparql(name), base_iri=base, use_default_graph_as_union=True)

    facts = Facts(labels=read_labels(store, base))
    for row in select("temporal.rq"):
        if row["first"] is not None:
            facts.temporal[row["dataset"].value] = (row["first"].value, row["last"].value)
    for row in select("regions.rq"):
        regions = facts.regions.setdefault(row["dataset"].value, [])
        if row["region"].value not in regions:
            regions.append(row["region"].value)
    return facts


def read_labels(store: ox.Store, base: str) -> dict[str, dict[str, str]]:
    """IRI -> {"fr": ..., "en": ...} of everything the store labels (labels.rq): of the project's
    vocabulary here, of a published file in tabular/read.py. Several labels in one language (rare):
    the smallest, so the choice is stable."""
    labels: dict[str, dict[str, str]] = {}
    for row in store.query(sparql("labels.rq"), base_iri=base, use_default_graph_as_union=True):
        label = row["label"]
        known = labels.setdefault(row["thing"].value, {})
        if label.language not in known or label.value < known[label.language]:
            known[label.language] = label.value
    return labels
