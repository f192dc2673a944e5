"""The XLSX workbook of each dataset (read back with openpyxl) and the folder's Frictionless data
package (checked by frictionless itself)."""

from __future__ import annotations

import csv
import io
import types
import zipfile
from decimal import Decimal

import pytest

from mifi_rdf.serialize.xlsx import BLANK_MARK, LAYOUT_SHEET, TIDY_SHEET, ZIP_TIME

openpyxl = pytest.importorskip("openpyxl")


def tables(project):
    return [t for letter in project.letters for t in letter.tables]


@pytest.fixture(scope="module")
def facts(project):
    from mifi_rdf.build.facts import gather_facts

    return gather_facts(project)


def number(x):
    return Decimal(str(x)) if x is not None else None


def test_the_tidy_sheet_is_the_csv_with_numbers_as_numbers(site, project):
    for t in tables(project):
        wb = openpyxl.load_workbook(site / "dataset" / f"{t.dataset_id}.xlsx")
        assert wb.sheetnames == [LAYOUT_SHEET, TIDY_SHEET]
        sheet = list(wb[TIDY_SHEET].iter_rows(values_only=True))
        with (site / "dataset" / f"{t.dataset_id}.csv").open(encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
        assert list(sheet[0]) == rows[0] and len(sheet) == len(rows)
        sized = openpyxl.load_workbook(site / "dataset" / f"{t.dataset_id}.xlsx", read_only=True)[TIDY_SHEET]
        assert (sized.max_row, sized.max_column) == (len(rows), len(rows[0]))  # its <dimension> says so
        numeric = {rows[0].index(c) for c in ("value", "lower_bound", "upper_bound")}
        for got, want in zip(sheet[1:], rows[1:], strict=True):
            for i, (g, w) in enumerate(zip(got, want, strict=True)):
                if i in numeric:
                    assert number(g) == (Decimal(w) if w else None) and not isinstance(g, str)
                else:
                    assert (g or "") == w


def test_the_layout_sheet_shows_every_printed_figure_in_its_place(site, project, facts):
    """Each cell is found again by its row's labels and its column's label, as a reader finds it."""
    for t in tables(project):
        ws = openpyxl.load_workbook(site / "dataset" / f"{t.dataset_id}.xlsx")[LAYOUT_SHEET]
        grid = list(ws.iter_rows(values_only=True))
        assert grid[0][0] == t.title_fr and grid[1][0] == t.title_en
        concepts = [project.vocab.codelists[d.codelist].codes for d in t.structure.dimensions]
        measures = {name: m.iri for name, m in t.structure.measures.items()}
        statuses = {name: facts.label(s.iri, "fr") for name, s in project.vocab.statuses.items()}

        def labels(cell, concepts=concepts, measures=measures) -> set[str]:
            names = {facts.label(c[code], "fr") for c, code in zip(concepts, cell.codes, strict=True)}
            return names | {facts.label(measures[cell.measure], "fr")}

        header = next(n for n, row in enumerate(grid) if n > 1 and row[0] and all(v is not None for v in row[1:2])
                      and not str(row[0]).count(" : "))
        columns = grid[header]
        seen = 0
        for row in grid[header + 1:]:
            if row[0] is None:
                break
            heads = {v for v in row if isinstance(v, str) and not v.startswith(BLANK_MARK)}
            for col, v in enumerate(row):
                if col == 0 or v is None or (isinstance(v, str) and not v.startswith(BLANK_MARK)):
                    continue
                matches = [c for c in t.cells if labels(c) >= heads | {columns[col]} - {None}]
                assert len(matches) == 1, (t.dataset_id, row, columns[col], len(matches))
                cell = matches[0]
                if cell.value is None:
                    assert v == f"{BLANK_MARK} {statuses[cell.status]}"  # blanked, with its reason
                else:
                    assert number(v) == Decimal(cell.value)
                seen += 1
        assert seen == len(t.cells), t.dataset_id


def test_the_layout_sheet_carries_notes_source_and_citation(site, project):
    t = next(t for t in tables(project) if t.dataset_id == "30735-t2")
    ws = openpyxl.load_workbook(site / "dataset" / "30735-t2.xlsx")[LAYOUT_SHEET]
    text = [row for row in ws.iter_rows(values_only=True)]
    flat = [str(v) for row in text for v in row if v is not None]
    noted = [c for c in t.cells if c.note_fr]
    for c in noted:
        assert c.note_fr in flat and c.note_en in flat
    assert any(v.startswith("MIFI, décision d'accès N/Réf. 30735 du 26 mars 2026, tableau") for v in flat)
    assert any("Transcrit par mifi-rdf : https://w3id.org/mifi-rdf/dataset/30735-t2" in v for v in flat)
    for note in t.notes:
        assert note in flat


def test_the_workbook_says_no_time_of_the_clock(site):
    """Zip entries and core properties are dated by the letter: two builds give the same bytes."""
    with zipfile.ZipFile(site / "dataset" / "30952-t5.xlsx") as z:
        assert {i.date_time for i in z.infolist()} == {ZIP_TIME}
        core = z.read("docProps/core.xml").decode()
    assert "2026-04-30T00:00:00Z</dcterms:modified>" in core and "2026-04-30T00:00:00Z</dcterms:created>" in core


def test_writing_a_workbook_twice_gives_the_same_bytes(project, facts, monkeypatch):
    import datetime as dt

    from mifi_rdf.build.config import Options, load_config
    from mifi_rdf.render.data import SiteData
    from mifi_rdf.serialize.xlsx import write_xlsx

    data = SiteData(project, load_config(project.vocab.base, Options()), facts)
    letter = next(letter for letter in project.letters if letter.ref == "31180")
    outputs = []
    for year in (2001, 2031):  # a clock that moved on between the two builds
        class Clock(dt.datetime):
            @classmethod
            def now(cls, tz=None, year=year):
                return dt.datetime(year, 1, 1, tzinfo=tz)

        monkeypatch.setattr("openpyxl.writer.excel.datetime", types.SimpleNamespace(datetime=Clock, timezone=dt.timezone))
        out = io.BytesIO()
        write_xlsx(letter, letter.tables[0], data, facts, project.bound_attributes().interval, "https://example.org/x", out)
        outputs.append(out.getvalue())
    assert outputs[0] == outputs[1]


def test_frictionless_validates_the_data_package_of_the_folder(site, project):
    frictionless = pytest.importorskip("frictionless")
    import json

    package = json.loads((site / "datapackage.json").read_text(encoding="utf-8"))
    # each table's CSV, then each version's (release 1 of a plain build: v1, described as the current one)
    assert [r["path"] for r in package["resources"]] == [f"dataset/{t.dataset_id}.csv" for t in tables(project)] + \
        [f"dataset/{t.dataset_id}/v1/{t.dataset_id}.csv" for t in sorted(tables(project), key=lambda t: t.dataset_id)]
    types = {r["name"]: {f["name"]: f["type"] for f in r["schema"]["fields"]} for r in package["resources"]}
    assert types["31180-t1"]["value"] == "number" and types["30952-t5"]["value"] == "integer"
    report = frictionless.validate(site / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldNumber", "type", "note"])[:5]
    assert report.stats["tasks"] == 2 * len(tables(project))
    resource = frictionless.Resource(site / "dataset" / "30735-t2.csv", schema=frictionless.Schema.from_descriptor(
        package["resources"][2]["schema"]), basepath=str(site))
    rows = resource.read_rows()
    assert [r["value"] for r in rows if r["status"] == "confidential"] == [None] * sum(
        1 for r in rows if r["status"] == "confidential") and rows[1]["value"] == 7


def test_the_workbook_is_linked_from_its_page_and_listed_in_the_catalog(site):
    import hashlib

    import rdflib

    page = (site / "dataset" / "30952-t5.html").read_text(encoding="utf-8")
    assert '<a href="30952-t5.xlsx" type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet">' in page
    catalog = rdflib.Graph().parse(site / "catalog.ttl")
    dcat, spdx = rdflib.Namespace("http://www.w3.org/ns/dcat#"), rdflib.Namespace("http://spdx.org/rdf/terms#")
    dist = rdflib.URIRef("https://w3id.org/mifi-rdf/dataset/30952-t5/distribution/xlsx")
    assert str(catalog.value(dist, dcat.mediaType)) == (
        "https://www.iana.org/assignments/media-types/application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    checksum = catalog.value(catalog.value(dist, spdx.checksum), spdx.checksumValue)
    assert str(checksum) == hashlib.sha256((site / "dataset" / "30952-t5.xlsx").read_bytes()).hexdigest()
