"""`export --no-validate` reads each table's cells only when it writes them (streaming.py): the same
bytes as the export that loads everything first, and still nothing written when a cell is bad."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import run
from mifi_rdf.project import load_project
from mifi_rdf.streaming import export_table_by_table

LAST_TABLE = ("31224", "t1.csv")  # letters are written in order of reference: this table comes last


@pytest.mark.parametrize("fmt", ["ttl", "trig", "jsonld"])
def test_table_by_table_writes_the_same_bytes(fmt, export_dir, tmp_path):
    out = tmp_path / f"cube.{fmt}"
    result = run("export", "--no-validate", "--format", fmt, "-o", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == (export_dir / f"cube.{fmt}").read_bytes()


def test_standard_output_gets_the_same_bytes(export_dir):
    result = run("export", "--no-validate", "--format", "nt")
    assert result.exit_code == 0
    assert result.stdout_bytes == (export_dir / "cube.nt").read_bytes()


def test_the_validated_export_writes_the_same_bytes_without_rdflib(export_dir, tmp_path):
    """The validated export (bounds, checks and writing in one pass over the cells) writes what
    the unvalidated one writes, and reads the rules without rdflib: only pyshacl needs its graph."""
    out = tmp_path / "cube.ttl"
    code = ("import sys\nfrom mifi_rdf.cli import main\n"
            f"main(['export', '--format', 'ttl', '-o', {str(out)!r}], standalone_mode=False)\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('rdflib', 'pyshacl')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stdout
    assert "validated: 0 violations" in done.stderr
    assert out.read_bytes() == (export_dir / "cube.ttl").read_bytes()


def test_the_cells_are_let_go_once_written(tmp_path):
    project = load_project(cells=False)
    assert project.lazy and all(not t.cells for letter in project.letters for t in letter.tables)
    export_table_by_table(project, "nt", tmp_path / "cube.nt", None)
    assert (tmp_path / "cube.nt").stat().st_size > 0
    assert all(not t.cells for letter in project.letters for t in letter.tables)


def break_last_table(data_copy) -> None:
    path = data_copy / LAST_TABLE[0] / LAST_TABLE[1]
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    last = max(i for i, line in enumerate(lines) if ",published," in line)  # near the end of the table
    lines[last] = lines[last].replace(",published,", ",publishd,", 1)
    path.write_text("".join(lines), encoding="utf-8")


def test_a_bad_cell_in_the_last_table_leaves_no_file(data_copy, tmp_path):
    break_last_table(data_copy)
    out = tmp_path / "cube.ttl"
    result = run("--data", str(data_copy), "export", "--no-validate", "-o", str(out))
    assert result.exit_code == 1
    assert "t1.csv:" in result.output and "unknown status 'publishd'" in result.output
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [data_copy]  # no temporary file left either


def test_a_bad_cell_in_the_last_table_writes_nothing_to_standard_output(data_copy):
    break_last_table(data_copy)
    result = run("--data", str(data_copy), "export", "--no-validate", "--format", "nt")
    assert result.exit_code == 1
    assert result.stdout_bytes == b""
    assert "unknown status 'publishd'" in result.stderr


def test_a_missing_table_file_is_found_before_anything_is_written(data_copy, tmp_path):
    (data_copy / LAST_TABLE[0] / LAST_TABLE[1]).unlink()
    out = tmp_path / "cube.ttl"
    result = run("--data", str(data_copy), "export", "--no-validate", "-o", str(out))
    assert result.exit_code == 1
    assert "missing table file for table 't1'" in result.output
    assert not out.exists()


def test_the_validated_export_writes_what_the_loaded_project_writes(project, tmp_path):
    """One pass over the cells, validated and written: the bytes of the export that loads every cell first."""
    out = tmp_path / "cube.trig"
    result = run("export", "--format", "trig", "-o", str(out))
    assert result.exit_code == 0 and "validated: 0 violations, 3 warnings, 79 notes" in result.output
    eager = tmp_path / "eager.trig"
    project.export("trig", eager)
    assert out.read_bytes() == eager.read_bytes()


def test_a_violation_writes_nothing_to_standard_output(data_copy):
    from test_validate_cli import break_disclosure

    break_disclosure(data_copy)
    result = run("--data", str(data_copy), "export", "--format", "nt")
    assert result.exit_code == 1
    assert result.stdout_bytes == b""
    assert "[disclosure]" in result.stderr and "nothing was written" in result.stderr


@pytest.mark.parametrize("engine", ["sparql", "oxigraph"])
def test_a_project_loaded_without_its_cells_validates_as_one_loaded_with_them(engine, project):
    lazy, _ = load_project(cells=False).validate(engine=engine)
    eager, _ = project.validate(engine=engine)
    assert [(r.key, r.bindings) for r in lazy.results] == [(r.key, r.bindings) for r in eager.results]
    assert lazy.counts == {"Violation": 0, "Warning": 3, "Info": 79}


@pytest.fixture(scope="module")
def lazy_project():
    return load_project(cells=False)


@pytest.mark.parametrize("fmt", ["nt", "trig"])
def test_a_tables_cells_are_let_go_before_the_collector_runs(fmt, lazy_project, tmp_path, monkeypatch):
    """TableByTable.cells_of runs the cyclic collector after each table; by then the writer
    (lines.py for N-Triples, the statements for TriG) has let the table's cells go, so the
    collection does not scan them. Each table's first cell is watched through a weak reference."""
    import gc
    import weakref

    from mifi_rdf import cube

    watched: list[weakref.ref] = []
    alive_at_collection: list[bool] = []
    read = cube.load_cells

    def loading(table, vocab):
        cells = read(table, vocab)
        watched.append(weakref.ref(cells[0]))
        return cells

    def collect(generation: int = 2) -> int:
        alive_at_collection.append(watched[-1]() is not None)
        return 0

    monkeypatch.setattr(cube, "load_cells", loading)
    monkeypatch.setattr(gc, "collect", collect)
    project = lazy_project
    chosen = set(project.dataset_ids[:4])  # a few tables: enough to watch, quick to write
    export_table_by_table(project, fmt, tmp_path / f"cube.{fmt}", chosen)
    assert len(alive_at_collection) == len(chosen) == 4
    assert not any(alive_at_collection), alive_at_collection
