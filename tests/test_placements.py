"""The columns recovered for letter 30735 are checked, not asserted.

The text extraction of 30735 dropped blank cells, so rows show fewer figures than columns. Here
each row is transcribed again exactly as printed (figures in reading order), every placement of
those figures that keeps the reading order is enumerated, and a placement is kept when the blank
cells can hold integers >= 1 that satisfy the printed row and column totals (an integer program).
With the letter's own rule ("and those allowing them to be computed are blanked") a placement is
also dropped when a row or column with a printed total has exactly one blank. The CSV must then
agree: a cell marked column-from-totals is placed identically in every placement the totals alone
allow; a cell marked column-from-suppression-rule is not, but is in every placement the rule
keeps; a cell marked column-uncertain is placed differently by placements the rule keeps; and the
layout placements of table 2 are among the feasible ones.
"""

from __future__ import annotations

import csv
import functools
import itertools

import numpy as np
import pytest
from scipy.optimize import Bounds, LinearConstraint, milp

from conftest import ROOT

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


def feasible(grid: list[list[int | None]], col_totals: list[int], row_total: bool) -> bool:
    ncols = len(grid[0])
    blanks = [(i, j) for i, row in enumerate(grid) for j, v in enumerate(row) if v is None]
    index = {b: k for k, b in enumerate(blanks)}
    equations, rhs = [], []
    targets = col_totals + ([sum(col_totals)] if row_total else [])
    for j, target in enumerate(targets):
        coef = [0] * len(blanks)
        known = 0
        for i, row in enumerate(grid):
            if row[j] is None:
                coef[index[(i, j)]] = 1
            else:
                known += row[j]
        equations.append(coef)
        rhs.append(target - known)
    if row_total:
        for i, row in enumerate(grid):
            coef = [0] * len(blanks)
            known = 0
            for j, v in enumerate(row):
                sign = -1 if j == ncols - 1 else 1
                if v is None:
                    coef[index[(i, j)]] += sign
                else:
                    known += sign * v
            equations.append(coef)
            rhs.append(-known)
    if not blanks:
        return all(r == 0 for r in rhs)
    # A quick necessary condition before the integer program: each equation's blanks (>= 1 each,
    # total last with a minus sign) must be able to reach its right-hand side.
    for coef, target in zip(equations, rhs, strict=True):
        plus, minus = coef.count(1), coef.count(-1)
        if minus == 0 and (target < plus or (plus == 0 and target != 0)):
            return False
    a = np.array(equations, dtype=float)
    result = milp(np.zeros(len(blanks)), constraints=LinearConstraint(a, rhs, rhs),
                  integrality=np.ones(len(blanks)), bounds=Bounds(1, np.inf))
    return result.status == 0


@functools.cache
def placements(table: str, rule: bool = True):
    """The columns and the placements the totals allow (with the letter's rule when `rule`)."""
    columns, col_totals, rows = PRINTED[table]
    row_total = columns[-1] == "_T"
    codes = list(rows)
    options = [list(itertools.combinations(range(len(columns)), len(rows[c]))) for c in codes]
    kept = []
    for combo in itertools.product(*options):
        grid = []
        for code, cols in zip(codes, combo, strict=True):
            row: list[int | None] = [None] * len(columns)
            for v, j in zip(rows[code], cols, strict=True):
                row[j] = v
            grid.append(row)
        single_blank_col = any(sum(r[j] is None for r in grid) == 1 for j in range(len(columns)))
        single_blank_row = row_total and any(sum(v is None for v in r) == 1 for r in grid)
        if rule and (single_blank_col or single_blank_row):
            continue
        if feasible(grid, col_totals, row_total):
            kept.append(dict(zip(codes, combo, strict=True)))
    return columns, kept


def csv_cells(table: str):
    with (ROOT / "data" / "30735" / f"{table}.csv").open(encoding="utf-8", newline="") as f:
        return [r for r in csv.DictReader(f) if r["mrc"] != "_T"]


def holds_figure(kept: list[dict], mrc: str, j: int) -> set[bool]:
    """Whether column j of the row holds a printed figure, in each placement kept."""
    return {j in p[mrc] for p in kept}


@pytest.mark.parametrize("table", ["t1", "t2", "t3", "t4"])
def test_recorded_columns_agree_with_the_totals(table):
    columns, kept = placements(table)
    _, by_totals = placements(table, rule=False)
    assert kept, "no placement satisfies the totals: the transcription of the printed rows is wrong"
    col_key = "stream" if columns[-1] == "_T" else "period"
    for row in csv_cells(table):
        j = columns.index(row[col_key])
        where = f"{table} {row['mrc']} {row[col_key]}"
        inference = row["inference"]
        if "column-from-totals" in inference or not inference and row["value"]:
            assert holds_figure(by_totals, row["mrc"], j) == {bool(row["value"])}, f"{where} is not forced by the totals alone"
        elif "column-from-suppression-rule" in inference:
            assert holds_figure(by_totals, row["mrc"], j) == {True, False}, f"{where}: the totals alone decide it"
            assert holds_figure(kept, row["mrc"], j) == {bool(row["value"])}, f"{where} is not forced by the rule either"
        elif "column-uncertain" in inference:
            assert holds_figure(kept, row["mrc"], j) == {True, False}, f"{where} is in fact determined"
        elif "column-from-layout" in inference:
            assert holds_figure(kept, row["mrc"], j) == {True, False}, f"{where}: the totals decide it, say so"


@pytest.mark.parametrize("table", ["t1", "t2", "t3", "t4"])
def test_every_cell_placed_by_the_rule_says_so(table):
    """A cell whose place the totals leave open and the letter's rule settles carries the rule's
    code (30735 T1 La Mitis, T4 La Matapédia and Témiscouata), and no other cell does."""
    columns, kept = placements(table)
    _, by_totals = placements(table, rule=False)
    col_key = "stream" if columns[-1] == "_T" else "period"
    by_rule = set()
    for row in csv_cells(table):
        j = columns.index(row[col_key])
        if len(holds_figure(by_totals, row["mrc"], j)) == 2 and len(holds_figure(kept, row["mrc"], j)) == 1:
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


@pytest.mark.slow
def test_layout_placement_of_table_2_is_consistent_with_the_totals():
    columns, kept = placements("t2")
    by_row: dict[str, list[int]] = {}
    for row in csv_cells("t2"):
        if row["value"]:
            by_row.setdefault(row["mrc"], []).append(columns.index(row["stream"]))
    recorded = {mrc: tuple(sorted(cols)) for mrc, cols in by_row.items()}
    assert recorded in kept
