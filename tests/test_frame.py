"""mifi_rdf.frame and mifi_rdf.read_frame: the tidy pandas DataFrame of a dataset, from the model and
from every published distribution, checked against the curated cells of data/ read with the csv module."""

from __future__ import annotations

import csv
import numbers
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

import mifi_rdf
from conftest import run
from mifi_rdf.errors import UnreadableInput, UsageError
from mifi_rdf.paths import project_paths

DATASETS = ["25623-t1", "30735-t1", "30735-t2", "30735-t3", "30735-t4", "30952-t1", "30952-t2", "30952-t3", "30952-t4",
            "30952-t5", "30952-t6", "30952-t7", "30952-t8", "31180-t1", "31224-t1"]


# read back in the default run; the other datasets with the slow suite (pytest -m slow)
QUICK = {"25623-t1", "30735-t2", "31180-t1"}
EVERY = [ds if ds in QUICK else pytest.param(ds, marks=pytest.mark.slow) for ds in DATASETS]


@pytest.fixture(scope="module")
def frames(project) -> dict[str, pd.DataFrame]:
    """frame() of every dataset, from the session's project (frame() loads one per call)."""
    from mifi_rdf.tabular.frame import model_rows, to_frame

    return {ds: to_frame(model_rows(project, ds)) for ds in DATASETS}


def test_frame_loads_the_project_itself(frames):
    pd.testing.assert_frame_equal(mifi_rdf.frame("31180-t1"), frames["31180-t1"])


def curated(ds: str) -> list[dict[str, str]]:
    letter, table = ds.split("-")
    with (project_paths().data / letter / f"{table}.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_the_datasets_are_those_of_data(project):
    assert project.dataset_ids == DATASETS


@pytest.mark.parametrize("ds", DATASETS)
def test_frame_holds_the_curated_cells_exactly(frames, ds):
    df, rows = frames[ds], curated(ds)
    assert len(df) == len(rows)
    dims = [c for c in rows[0] if c not in ("measure", "value", "status", "inference", "source_label", "note_fr", "note_en")]
    assert list(df.columns) == ["dataset", *(x for d in dims for x in (d, f"{d}_label")), "measure", "measure_label",
                                "value", "status", "status_label", "inference", "lower_bound", "upper_bound", "note"]
    decimal = df["value"].dtype == object
    assert decimal == (ds == "31180-t1")  # the only table with a percentage
    if not decimal:
        assert str(df["value"].dtype) == "Int64" and str(df["lower_bound"].dtype) == "Int64"
    assert not any(str(t).startswith("float") for t in df.dtypes)
    columns = {c: df[c].array for c in df.columns}  # the arrays themselves: a row of iterrows() mixes the types
    for i, want in enumerate(rows):
        def got(column: str, i=i):
            x = columns[column][i]
            return None if x is pd.NA else x

        assert got("dataset") == ds
        assert [got(d) for d in dims] == [want[d] for d in dims]
        assert got("measure") == want["measure"] and got("status") == want["status"]
        if want["value"]:
            assert got("value") == (Decimal(want["value"]) if decimal else int(want["value"]))
            assert isinstance(got("value"), Decimal if decimal else numbers.Integral)  # never a float
        else:
            assert columns["value"][i] is pd.NA  # no value: never a zero, never NaN
        assert (got("inference") or "") == ";".join(sorted(filter(None, want["inference"].split(";"))))
        assert (got("note") or "") == want["note_fr"]
        assert got("status_label") and all(got(f"{d}_label") for d in dims)


def test_labels_follow_the_language_and_bounds_are_the_audits(project, frames):
    from mifi_rdf.tabular.frame import model_rows, to_frame

    fr, en = frames["30735-t2"], to_frame(model_rows(project, "30735-t2"), "en")
    assert set(fr["stream_label"]) >= {"PSTQ – volet 1"} and set(en["stream_label"]) >= {"PSTQ – stream 1"}
    assert set(fr["status_label"]) == {"valeur publiée", "valeur protégée", "total"}
    assert set(en["status_label"]) == {"published value", "suppressed value", "total"}
    bounds = project.bound_attributes()
    blanked = fr[fr["value"].isna()]
    assert len(blanked) == sum(1 for row in curated("30735-t2") if not row["value"]) > 10
    dims = ["period", "mrc", "stream"]
    for _, row in blanked.iterrows():
        lower, upper = bounds.interval(("30735-t2", tuple(row[d] for d in dims), row["measure"]))
        assert (row["lower_bound"], row["upper_bound"]) == (int(lower), int(upper))
    assert fr[fr["value"].notna()]["lower_bound"].isna().all()
    assert en.loc[0, "note"].startswith("Blank line") and fr.loc[0, "note"].startswith("Ligne vide")


@pytest.mark.parametrize("ds", EVERY)
def test_every_built_distribution_gives_the_same_frame(site, frames, ds):
    for suffix in (".ttl", ".jsonld", ".nt", ".csv"):
        pd.testing.assert_frame_equal(mifi_rdf.read_frame(site / "dataset" / f"{ds}{suffix}"), frames[ds])
    en = mifi_rdf.read_frame(site / "dataset" / f"{ds}.nt", lang="en")
    pd.testing.assert_frame_equal(mifi_rdf.read_frame(site / "dataset" / f"{ds}.csv", lang="en"), en)


def test_every_export_format_gives_the_same_frame(export_dir, frames):
    """The whole export (every dataset, every code list) in each syntax; one dataset picked from each."""
    for fmt, ds in (("ttl", "30952-t5"), ("nt", "31180-t1"), ("xml", "30735-t4"), ("jsonld", "25623-t1")):
        pd.testing.assert_frame_equal(mifi_rdf.read_frame(export_dir / f"cube.{fmt}", dataset=ds), frames[ds])
    with (export_dir / "cube.trig").open("rb") as f:  # a file object, its format named
        pd.testing.assert_frame_equal(mifi_rdf.read_frame(f, format="trig", dataset="30735-t2"), frames["30735-t2"])


def test_export_csv_writes_the_tidy_table_and_its_csvw(tmp_path, frames):
    out = tmp_path / "t4.csv"
    result = run("export", "--format", "csv", "--dataset", "30735-t4", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "t4.csv-metadata.json").is_file()
    pd.testing.assert_frame_equal(mifi_rdf.read_frame(out), frames["30735-t4"])
    stdout = run("export", "--format", "csv", "--dataset", "30735-t4")
    assert stdout.stdout_bytes == out.read_bytes()


def test_export_csv_of_several_tables_is_refused_before_any_work(tmp_path):
    result = run("export", "--format", "csv", "-o", str(tmp_path / "all.csv"))
    assert result.exit_code == 2
    assert "error: --format csv writes one table" in result.output and "validated" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_read_frame_errors_say_what_is_wrong(tmp_path, export_dir):
    with pytest.raises(UsageError, match=r"holds 15 datasets: choose one with dataset= \(25623-t1, "):
        mifi_rdf.read_frame(export_dir / "cube.nt")
    with pytest.raises(UsageError, match="no dataset 99999-t1"):
        mifi_rdf.read_frame(export_dir / "cube.nt", dataset="99999-t1")
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix ex: <http://example.org/> .\nex:a ex:b ex:c ;\n  ex:d .\n", encoding="utf-8")
    with pytest.raises(UnreadableInput, match="invalid TTL") as err:
        mifi_rdf.read_frame(bad)
    assert err.value.line == 3
    lonely = tmp_path / "t.csv"
    lonely.write_text("a,b\r\n", encoding="utf-8")
    with pytest.raises(UsageError, match="needs its CSVW metadata"):
        mifi_rdf.read_frame(lonely)
    (tmp_path / "t.csv-metadata.json").write_text('{"dc:source": {"@id": "x"}, "tableSchema": {"columns": '
                                                  '[{"name": "value", "datatype": "integer"}]}}', encoding="utf-8")
    with pytest.raises(UnreadableInput, match="no column measure, measure_fr"):
        mifi_rdf.read_frame(lonely)
    empty = tmp_path / "x.nt"
    empty.write_text("<http://example.org/a> <http://example.org/b> <http://example.org/c> .\n", encoding="utf-8")
    with pytest.raises(UsageError, match="describes no qb:DataSet"):
        mifi_rdf.read_frame(empty)
    with pytest.raises(UsageError, match="unknown dataset 1-t1"):
        mifi_rdf.frame("1-t1")
    with pytest.raises(UsageError, match="cannot tell the format"):
        mifi_rdf.read_frame(tmp_path / "x.parquet")


def test_a_missing_pandas_is_one_line(monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)  # what `import pandas` meets when it is not installed
    with pytest.raises(UsageError) as err:
        mifi_rdf.frame("30952-t5")
    assert str(err.value) == "mifi_rdf.frame needs pandas: pip install 'mifi-rdf[analysis]'"


def test_the_cli_starts_without_pandas_or_the_frame_module():
    code = "import sys, mifi_rdf.cli; print(sorted(m for m in ('pandas', 'mifi_rdf.tabular.frame') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=Path(__file__).parent)
    assert out.stdout.strip() == "[]"



@pytest.fixture(scope="module")
def whole_bounds(project):
    """The bounds of the audit of every table, from the session's project (computed once, shared)."""
    return project.bound_attributes()


@pytest.mark.parametrize("ds", ["30735-t2", *(pytest.param(ds, marks=pytest.mark.slow) for ds in DATASETS if ds != "30735-t2")])
def test_the_bounds_of_one_dataset_are_those_of_the_whole_project(whole_bounds, ds):
    """frame() audits only the dataset's group of linked tables (tabular/frame.py dataset_bounds),
    or the table alone when it is linked to none: each blanked cell gets the bounds the audit of
    all tables gives. 30735-t2 is in the group of 30735's periods and rounds (seven tables)."""
    from mifi_rdf.project import load_project
    from mifi_rdf.tabular.frame import dataset_bounds

    project = load_project(cells=False)
    table = next(t for t in project.tables() if t.dataset_id == ds)
    cells = project.cells(table)
    interval = dataset_bounds(project, table, cells)
    blanked = [(ds, c.codes, c.measure) for c in cells if c.value is None]
    assert [interval(k) for k in blanked] == [whole_bounds.interval(k) for k in blanked]
    assert project._bounds is None  # never the whole project's
    if ds == "30735-t2":
        assert sum(whole_bounds.interval(k) is not None for k in blanked) > 10
