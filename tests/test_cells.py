"""Every cell of every table of data/ reaches the export exactly once, with its value, its
dimension values and its status; cells without a value carry no measure value at all."""

from __future__ import annotations

import csv

import pytest
import rdflib
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from conftest import ROOT

BASE = "https://w3id.org/mifi-rdf/"
QB = rdflib.Namespace("http://purl.org/linked-data/cube#")
DEF = rdflib.Namespace(BASE + "def/")
TABLE_FILES = sorted((ROOT / "data").glob("*/*.csv"))
NO_VALUE = {"suppressed-primary", "suppressed-secondary", "confidential", "no-data", "not-available"}


def rows(path):
    with path.open(encoding="utf-8", newline="") as f:
        yield from csv.DictReader(f)


@pytest.mark.parametrize("path", TABLE_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_cell_is_one_observation_with_its_value_and_codes(path, graph, project):
    dataset_id = f"{path.parent.name}-{path.stem}"
    table = next(t for letter in project.letters for t in letter.tables if t.dataset_id == dataset_id)
    dims = table.structure.dimensions
    dataset = URIRef(f"{BASE}dataset/{dataset_id}")
    observations = set(graph.subjects(QB.dataSet, dataset))
    cells = list(rows(path))
    assert len(observations) == len(cells) > 0
    for row in cells:
        obs = URIRef(f"{BASE}dataset/{dataset_id}/obs/" + "/".join(row[d.name] for d in dims) + f"/{row['measure']}")
        assert obs in observations, f"no observation for {row}"
        for d in dims:
            assert graph.value(obs, URIRef(d.iri)) == URIRef(f"{d.codelist}/{row[d.name]}")
        measure = DEF[row["measure"]]
        assert graph.value(obs, QB.measureType) == measure
        assert graph.value(obs, DEF.cellStatus) == URIRef(f"{BASE}code/cell-status/{row['status']}")
        values = list(graph.objects(obs, measure))
        if row["value"]:
            assert len(values) == 1
            datatype = XSD.decimal if row["measure"] == "percentInvited" else XSD.integer
            assert values[0] == Literal(row["value"], datatype=datatype)
            assert values[0].datatype == datatype
        else:
            assert row["status"] in NO_VALUE
            assert values == [], f"{obs} has no value in the letter but {values} in the export"


def test_counts_are_integers_never_decimals(graph):
    for measure in ("invitations", "invitedPersons", "declarationsOfInterest", "applicationsReceived", "certificatesIssued"):
        for value in graph.objects(None, DEF[measure]):
            assert value.datatype == XSD.integer and "." not in str(value), value


def test_suppressed_cells_say_so_in_sdmx_terms(graph):
    sdmx = rdflib.Namespace("http://purl.org/linked-data/sdmx/2009/")
    confidential = set(graph.subjects(DEF.cellStatus, URIRef(BASE + "code/cell-status/confidential")))
    assert len(confidential) > 20
    for obs in confidential:
        assert graph.value(obs, URIRef(sdmx + "attribute#confStatus")) == URIRef(sdmx + "code#confStatus-C")
    no_data = set(graph.subjects(DEF.cellStatus, URIRef(BASE + "code/cell-status/no-data")))
    assert len(no_data) == 6  # CSQ, July to December 2025 (letter 31224)
    for obs in no_data:
        assert graph.value(obs, URIRef(sdmx + "attribute#obsStatus")) == URIRef(sdmx + "code#obsStatus-M")


def test_inferences_are_recorded_on_the_cell_with_their_reasoning(graph):
    bresil = URIRef(BASE + "dataset/30952-t5/obs/pstq-2025-12-04/BRA/invitations")
    assert graph.value(bresil, DEF.invitations) == Literal(22, datatype=XSD.integer)
    assert graph.value(bresil, DEF.inference) == URIRef(BASE + "code/inference/typo-fixed")
    assert graph.value(bresil, DEF.sourceLabel) == Literal("Bésil", lang="fr")
    mitis = URIRef(BASE + "dataset/30735-t1/obs/2024-11-29--2026-02-28/090/pstq-2/declarationsOfInterest")
    assert graph.value(mitis, DEF.declarationsOfInterest) == Literal(9, datatype=XSD.integer)
    assert graph.value(mitis, DEF.inference) == URIRef(BASE + "code/inference/column-from-suppression-rule")
    comments = {c.language: str(c) for c in graph.objects(mitis, rdflib.RDFS.comment)}
    assert "volet 2" in comments["en"] and "volet 2" in comments["fr"]


def test_lost_figures_are_not_guessed(graph):
    """25623: the OCR lost the figures; every cell is an observation without a value."""
    obs = set(graph.subjects(QB.dataSet, URIRef(BASE + "dataset/25623-t1")))
    assert len(obs) == 41 * 7
    for o in obs:
        assert graph.value(o, DEF.cellStatus) == URIRef(BASE + "code/cell-status/not-available")
        measure = graph.value(o, QB.measureType)
        assert graph.value(o, measure) is None
