"""The columns recovered for letter 30735 are checked, not asserted.

The text extraction of 30735 dropped blank cells, so rows show fewer figures than columns. Here
each row is transcribed again exactly as printed (figures in reading order), and the integer
program of `mifi_rdf.ingest.placement` (the one `mifi-rdf ingest` uses) says, cell by cell, what
the totals allow: a placement keeps the reading order, the blank cells hold integers >= 1 that
satisfy the printed row and column totals and, with the letter's own rule ("and those allowing
them to be computed are blanked"), no row or column with a printed total has exactly one blank.
The CSV must then agree: a cell marked column-from-totals is placed identically in every placement
the totals alone allow; a cell marked column-from-suppression-rule is not, but is in every placement
the rule keeps; a cell marked column-uncertain is placed differently by placements the rule keeps;
and the layout placements of table 2 are among the feasible ones.
"""

from __future__ import annotations

import ast
import csv
import subprocess
import sys
import tomllib

import pytest

from conftest import ROOT
from mifi_rdf.ingest.placement import Grid, place, placement_feasible

# Rows exactly as printed in sources/letters/30735.txt: MRC code -> figures in reading order
PRINTED = {
    "t1": (["pstq-1", "pstq-2", "pstq-3", "_T"], [337, 489, 148], {
        "140": [25, 45, 15, 85], "080": [39, 38, 9, 86], "070": [14, 20, 9, 43], "090": [9, 20],
        "110": [15, 25], "100": [153, 145, 58, 356], "120": [70, 195, 42, 307], "130": [23, 22, 7, 52]}),
    "t2": (["pstq-1", "pstq-2", "pstq-3", "_T"], [61, 77, 56], {
        "140": [7, 13], "080": [8, 15], "070": [6], "090": [7], "110": [0, 0],
        "100": [33, 34, 27, 94], "120": [12, 22, 18, 52], "130": [0]}),
    "t3": (["2023", "2024", "2025"], [58, 78, 136], {
        "140": [15], "080": [0], "070": [0], "090": [0, 0, 0], "110": [0, 0], "100": [16, 20, 13],
        "120": [17, 48, 6], "130": [0], "_U": [0, 111]}),
    "t4": (["2023", "2024", "2025"], [28, 114, 30], {
        "140": [6], "080": [6, 10], "070": [0, 0], "090": [0, 0, 0], "110": [0, 0, 0], "100": [12, 61, 12],
        "120": [7, 12, 5], "130": [0, 0], "_U": [21, 9]}),
}


def grid(table: str, rule: bool = True) -> tuple[list[str], list[str], Grid]:
    columns, col_totals, rows = PRINTED[table]
    row_total = columns[-1] == "_T"
    totals = col_totals + ([sum(col_totals)] if row_total else [])
    return columns, list(rows), Grid(len(columns), list(rows.values()), totals, row_total, rule=rule)


def csv_cells(table: str):
    with (ROOT / "data" / "30735" / f"{table}.csv").open(encoding="utf-8", newline="") as f:
        return [r for r in csv.DictReader(f) if r["mrc"] != "_T"]


def holds_figure(verdicts: dict, r: int, j: int) -> set[bool]:
    """Whether column j of row r holds a printed figure, over the placements allowed."""
    if r not in verdicts:
        return {True}  # a row printed in full
    v = verdicts[r][j]
    return ({True} if v.figures else set()) | ({False} if v.blank_ok else set())


@pytest.mark.parametrize("table", ["t1", "t2", "t3", "t4"])
def test_recorded_columns_agree_with_the_totals(table):
    columns, codes, g = grid(table)
    kept, by_totals = place(g), place(grid(table, rule=False)[2])
    assert kept is not None, "no placement satisfies the totals: the transcription of the printed rows is wrong"
    col_key = "stream" if columns[-1] == "_T" else "period"
    for row in csv_cells(table):
        j, r = columns.index(row[col_key]), codes.index(row["mrc"])
        where = f"{table} {row['mrc']} {row[col_key]}"
        inference = row["inference"]
        if "column-from-totals" in inference or not inference and row["value"]:
            assert holds_figure(by_totals, r, j) == {bool(row["value"])}, f"{where} is not forced by the totals alone"
            if row["value"] and r in kept:
                assert g.rows[r][kept[r][j].figure] == int(row["value"])
        elif "column-from-suppression-rule" in inference:
            assert holds_figure(by_totals, r, j) == {True, False}, f"{where}: the totals alone decide it"
            assert holds_figure(kept, r, j) == {bool(row["value"])}, f"{where} is not forced by the rule either"
        elif "column-uncertain" in inference:
            assert holds_figure(kept, r, j) == {True, False}, f"{where} is in fact determined"
        elif "column-from-layout" in inference:
            assert holds_figure(kept, r, j) == {True, False}, f"{where}: the totals decide it, say so"


@pytest.mark.parametrize("table", ["t1", "t2", "t3", "t4"])
def test_every_cell_placed_by_the_rule_says_so(table):
    """A cell whose place the totals leave open and the letter's rule settles carries the rule's
    code (30735 T1 La Mitis, T4 La Matapédia and Témiscouata), and no other cell does."""
    columns, codes, g = grid(table)
    kept, by_totals = place(g), place(grid(table, rule=False)[2])
    col_key = "stream" if columns[-1] == "_T" else "period"
    by_rule = set()
    for row in csv_cells(table):
        j, r = columns.index(row[col_key]), codes.index(row["mrc"])
        if len(holds_figure(by_totals, r, j)) == 2 and len(holds_figure(kept, r, j)) == 1:
            by_rule.add((row["mrc"], row[col_key]))
    marked = {(r["mrc"], r[col_key]) for r in csv_cells(table) if "column-from-suppression-rule" in r["inference"]}
    assert marked == by_rule
    expected = {"t1": {("090", "pstq-1"), ("090", "pstq-2")},
                "t4": {(mrc, year) for mrc in ("070", "130") for year in ("2023", "2024", "2025")}}
    assert marked == expected.get(table, set())


@pytest.mark.parametrize("table", ["t1", "t2", "t3", "t4"])
def test_every_cell_of_a_row_that_lost_columns_carries_an_inference(table):
    """Blank or not, the cells of a row printed with fewer figures than columns are placed by
    inference, and say which (as tables 2-4 always did, and table 1's blanks now do)."""
    columns, _, rows = PRINTED[table]
    short = {mrc for mrc, figures in rows.items() if len(figures) < len(columns)}
    codes = ("column-from-totals", "column-from-suppression-rule", "column-from-layout", "column-uncertain")
    for row in csv_cells(table):
        if row["mrc"] in short:
            assert any(c in row["inference"] for c in codes), f"{table} {row['mrc']}: {row}"
            assert row["note_fr"] and row["note_en"]


def test_layout_placement_of_table_2_is_consistent_with_the_totals():
    columns, codes, g = grid("t2")
    by_row: dict[int, list[int]] = {}
    for row in csv_cells("t2"):
        if row["value"]:
            by_row.setdefault(codes.index(row["mrc"]), []).append(columns.index(row["stream"]))
    recorded = {r: tuple(sorted(cols)) for r, cols in by_row.items() if r in g.partial()}
    assert placement_feasible(g, recorded)


def test_a_placement_the_totals_forbid_is_refused():
    columns, codes, g = grid("t1")
    # La Mitis « 9 20 » with 9 in volet 1 leaves Les Basques' volet 1 the only blank of its column: computable
    assert not placement_feasible(g, {codes.index("090"): (0, 3), codes.index("110"): (1, 3)})
    assert placement_feasible(g, {codes.index("090"): (1, 3), codes.index("110"): (1, 3)})


def test_no_module_of_the_package_imports_scipy():
    """The placements run on highspy, a core dependency: after README's `pip install -e .`, nothing asks for scipy."""
    importers = []
    for path in sorted((ROOT / "src" / "mifi_rdf").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            if any(n == "scipy" or n.startswith("scipy.") for n in names):
                importers.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert importers == []
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    for requirement in [*project["dependencies"], *sum(project["optional-dependencies"].values(), [])]:
        assert not requirement.startswith("scipy"), requirement


def test_ingest_of_30735_runs_where_scipy_cannot_be_imported(tmp_path):
    """The 30735 dry run (about 60 small integer programs) in a process where `import scipy` fails, as without the extra."""
    code = ("import sys; sys.modules['scipy'] = None; from mifi_rdf.cli import main; "
            f"main(['--data', {str(tmp_path / 'data')!r}, 'ingest', {str(ROOT / 'sources/letters/30735.txt')!r}, '--dry-run'])")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "NEEDS A PERSON line 221 « MRC Kamouraska » column « Volet 1 » (printed « 7 / 13 »)" in done.stdout
    assert "placed by the totals  line 194 « MRC La Mitis » column « Volet 2 »: 9" in done.stdout
    assert done.stdout.rstrip().endswith("checked; nothing written (--dry-run)")
    assert not (tmp_path / "data").exists() or not any((tmp_path / "data").iterdir())
