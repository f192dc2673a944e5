"""Validation a few datasets at a time (run_oxigraph_by_dataset) reports what validation of the
whole cube reports: a defect is found in its own dataset and nowhere else, whatever the batches."""

from __future__ import annotations

import copy
import dataclasses

import pyoxigraph as ox
import pytest

from conftest import ROOT
from mifi_rdf.cube import CubeBuilder
from mifi_rdf.project import Project
from mifi_rdf.validate.engine import run_oxigraph, run_oxigraph_by_dataset, store_from_statements
from mifi_rdf.validate.shapes import load_shapes

QB = "http://purl.org/linked-data/cube#"
BROKEN, INTACT = "30952-t1", "30952-t2"  # two datasets of one structure (invitations by country)


@pytest.fixture(scope="module")
def shapes(project):
    return load_shapes(ROOT / "shapes", project.vocab.base)


def table(project: Project, dataset_id: str):
    return next(t for letter in project.letters for t in letter.tables if t.dataset_id == dataset_id)


@pytest.fixture(scope="module")
def broken(project) -> Project:
    """The bundled project with one total of BROKEN off by one, and one of INTACT's cells copied
    as is into BROKEN: both datasets then hold a cell with the same dimension values, which is no
    duplicate since they are different datasets."""
    p = copy.deepcopy(project)
    t1, t2 = table(p, BROKEN), table(p, INTACT)
    i = next(i for i, c in enumerate(t1.cells) if c.status == "total" and c.value is not None)
    t1.cells[i] = dataclasses.replace(t1.cells[i], value=str(int(t1.cells[i].value) + 1))
    shared = next(c for c in t2.cells if c.status == "published")
    t1.cells.append(shared)
    return p


def keys(report) -> list:
    return [r.key for r in report.results]


@pytest.mark.parametrize("batch", [1, 50_000, 10**9])
def test_batches_report_what_the_whole_cube_reports(broken, shapes, batch):
    whole = run_oxigraph(store_from_statements(broken.statements()), shapes)
    shared, datasets = CubeBuilder(broken.vocab).by_dataset(broken.letters)
    report, _ = run_oxigraph_by_dataset(shared, datasets, shapes, batch)
    assert keys(report) == keys(whole)
    assert [r.bindings for r in report.results] == [r.bindings for r in whole.results]


def test_a_defect_is_reported_under_its_dataset_and_not_the_other(broken, shapes):
    shared, datasets = CubeBuilder(broken.vocab).by_dataset(broken.letters)
    report, labels = run_oxigraph_by_dataset(shared, datasets, shapes, batch=1)
    base = broken.vocab.base
    violations = [r for r in report.results if r.severity == "Violation"]
    assert {r.shape.rsplit("/", 1)[-1] for r in violations} == {"total-sum"}
    assert {r.focus.value for r in violations} == {f"{base}dataset/{BROKEN}"}
    assert all(r.value.value.startswith(f"{base}dataset/{BROKEN}/obs/") for r in violations)
    # the cell copied from INTACT has INTACT's dimension values, yet it is no duplicate (IC-12)
    assert not [r for r in report.results if r.shape.endswith("/ic-12")]
    # the store for the report knows the offending cells and their dataset, not every cell
    for r in violations:
        assert list(labels.quads_for_pattern(ox.NamedNode(r.value.value), None, None))
    assert list(labels.quads_for_pattern(ox.NamedNode(f"{base}dataset/{INTACT}"), None, None))
    observations = {q.subject.value for q in labels.quads_for_pattern(None, ox.NamedNode(QB + "dataSet"), None)}
    assert observations == {t.value for r in report.results for t in (r.focus, r.value)} & observations
    assert {r.value.value for r in violations} <= observations


def test_a_dataset_names_only_its_own_nodes_and_shared_ones(project):
    """What validating dataset by dataset relies on: no node is described in two datasets."""
    shared, datasets = CubeBuilder(project.vocab).by_dataset(project.letters)
    shared_subjects = {t.subject for t in shared}
    seen: dict = {}
    for n, (head, body) in enumerate(datasets):
        subjects = {t.subject for t in head} | {t.subject for t in body}
        assert not subjects & shared_subjects
        for s in subjects:
            assert seen.setdefault(s, n) == n, f"{s} is described in two datasets"
    assert len(set(seen.values())) == len(project.dataset_ids) > 1


def test_the_split_holds_every_statement_of_the_cube(project):
    shared, datasets = CubeBuilder(project.vocab, project.bound_attributes()).by_dataset(project.letters)
    split = list(shared) + [t for head, body in datasets for t in (*head, *body)]
    assert sorted(map(str, split)) == sorted(map(str, project.statements()))
