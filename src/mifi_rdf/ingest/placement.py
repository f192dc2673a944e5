"""Where do the figures of a row go when blank cells were lost? Only where the totals force them.

Some text extractions drop blank cells (letter 30735): a row shows 2 figures for 4 columns, in
reading order. This is the integer program that re-derives the placements recorded for 30735
(`tests/test_placements.py` uses it): a placement keeps the reading order, every blank cell holds
a whole number of at least 1, the printed row and column totals hold, and — when the letter also
blanks « celles permettant de les calculer » — no column and no row with a printed total has exactly
one blank, since that blank could be computed.

Where the test once enumerated every placement and solved one program per placement (tens of
thousands of solves for 30735's table 2, half a minute), the choice of columns is here part of the
program (binary variables), and one small program is solved per candidate cell: is there a
solution with this figure in this cell, or with this cell blank? A cell is placed only when a
single answer is possible; otherwise it is `column-uncertain` and a person decides.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..audit.bounds import Matrix, run_highs


@dataclass
class Grid:
    """A printed table of counts whose rows may show fewer figures than columns."""

    ncols: int
    rows: list[list[int]]  # each row's figures in reading order; a full row has ncols of them
    col_totals: list[int]  # the printed Total row (ncols figures)
    row_total: bool  # the last column is each row's total
    rule: bool  # the letter also blanks the values that would allow a blank to be computed

    def partial(self) -> list[int]:
        return [i for i, row in enumerate(self.rows) if len(row) < self.ncols]


@dataclass(frozen=True)
class CellVerdict:
    """What the totals allow in one cell: which of the row's figures (by reading order), and a blank or not."""

    figures: tuple[int, ...]
    blank_ok: bool

    @property
    def kind(self) -> str:
        """figure (one figure, forced), blank (forced blank) or uncertain (a person must decide)."""
        if len(self.figures) == 1 and not self.blank_ok:
            return "figure"
        return "blank" if not self.figures else "uncertain"

    @property
    def figure(self) -> int:
        return self.figures[0] if self.kind == "figure" else -1


class _Program:
    """The mixed-integer program of one grid; columns of a row's figures are binary variables."""

    def __init__(self, grid: Grid) -> None:
        import numpy as np

        self.np = np
        self.grid = grid
        self.rows = grid.partial()
        c = grid.ncols
        self.x: dict[tuple[int, int, int], int] = {}  # (row, figure, column) -> variable index
        self.b: dict[tuple[int, int], int] = {}  # (row, column) -> blank value variable
        n = 0
        for r in self.rows:
            figs = grid.rows[r]
            for k in range(len(figs)):
                for j in range(k, c - len(figs) + k + 1):
                    self.x[(r, k, j)] = n
                    n += 1
        for r in self.rows:
            for j in range(c):
                self.b[(r, j)] = n
                n += 1
        self.z = {j: n + j for j in range(c)} if grid.rule else {}
        n += len(self.z)
        self.n = n
        big = max([*grid.col_totals, 1])
        rows_a: list[dict[int, float]] = []
        lo: list[float] = []
        hi: list[float] = []

        def add(coef: dict[int, float], low: float, high: float) -> None:
            rows_a.append({index: value for index, value in coef.items() if value})
            lo.append(low)
            hi.append(high)

        def occ(r: int, j: int) -> dict[int, float]:
            return {v: 1.0 for (rr, _, jj), v in self.x.items() if rr == r and jj == j}

        for r in self.rows:
            figs = grid.rows[r]
            for k in range(len(figs)):  # each figure in exactly one column
                add({v: 1.0 for (rr, kk, _), v in self.x.items() if rr == r and kk == k}, 1, 1)
            for k in range(len(figs) - 1):  # reading order kept
                coef: dict[int, float] = {}
                for (rr, kk, jj), v in self.x.items():
                    if rr == r and kk == k + 1:
                        coef[v] = coef.get(v, 0) + jj
                    elif rr == r and kk == k:
                        coef[v] = coef.get(v, 0) - jj
                add(coef, 1, float("inf"))
            for j in range(c):
                o = occ(r, j)
                add(o, 0, 1)  # at most one figure per cell
                add({**o, self.b[(r, j)]: 1.0}, 1, float("inf"))  # a blank holds at least 1
                add({**{v: big for v in o}, self.b[(r, j)]: 1.0}, float("-inf"), big)  # a figure leaves no blank value
        for j in range(c):  # column totals
            coef = {}
            known = sum(row[j] for i, row in enumerate(grid.rows) if i not in self.rows)
            for r in self.rows:
                for (rr, kk, jj), v in self.x.items():
                    if rr == r and jj == j:
                        coef[v] = coef.get(v, 0) + grid.rows[r][kk]
                coef[self.b[(r, j)]] = 1.0
            target = grid.col_totals[j] - known
            add(coef, target, target)
        if grid.row_total:
            for r in self.rows:
                coef = {}
                for j in range(c):
                    sign = -1.0 if j == c - 1 else 1.0
                    for (rr, kk, jj), v in self.x.items():
                        if rr == r and jj == j:
                            coef[v] = coef.get(v, 0) + sign * grid.rows[r][kk]
                    coef[self.b[(r, j)]] = coef.get(self.b[(r, j)], 0) + sign
                add(coef, 0, 0)
        if grid.rule:
            count = len(self.rows)
            for j in range(c):  # blanks in column j: 0, or at least 2
                coef = {v: -1.0 for (_, _, jj), v in self.x.items() if jj == j}
                add({**coef, self.z[j]: -2.0}, -count, float("inf"))
                add({**coef, self.z[j]: -float(count)}, float("-inf"), -count)
        self.matrix = Matrix.from_rows([(list(coef), list(coef.values())) for coef in rows_a], n)
        self.lo, self.hi = np.array(lo), np.array(hi)
        self.upper = np.full(n, float(big))
        for v in self.x.values():
            self.upper[v] = 1
        for v in self.z.values():
            self.upper[v] = 1

    def feasible(self, fixed: dict[int, int] | None = None) -> bool:
        return self.solve(fixed) is not None

    def solve(self, fixed: dict[int, int] | None = None):
        """A solution (variable values) with these variables fixed, or None when there is none."""
        np = self.np
        if self.grid.rule and self.grid.row_total and any(
                self.grid.ncols - len(self.grid.rows[r]) == 1 for r in self.rows):
            return None  # a row with one blank and a printed total: that blank could be computed
        lower, upper = np.zeros(self.n), self.upper.copy()
        for v, value in (fixed or {}).items():
            lower[v] = upper[v] = value
        x = run_highs(np.zeros(self.n), lower, upper, self.matrix, self.lo, self.hi, integer=True)
        return None if x is None else np.round(x).astype(int)


def place(grid: Grid) -> dict[int, list[CellVerdict]] | None:
    """For each row with missing cells, what each of its cells can be said to hold.

    None when no placement at all satisfies the totals (the transcription, or the letter, is wrong).
    """
    if not grid.partial():
        return {}
    program = _Program(grid)
    first = program.solve()
    if first is None:
        return None
    # Every solution found witnesses what it places; only what no solution has shown yet is asked.
    seen_figure: set[tuple[int, int, int]] = set()
    seen_blank: set[tuple[int, int]] = set()

    def witness(solution) -> None:
        for (r, k, j), v in program.x.items():
            if solution[v]:
                seen_figure.add((r, k, j))
        for r in program.rows:
            for j in range(grid.ncols):
                if not any(solution[v] for (rr, _, jj), v in program.x.items() if rr == r and jj == j):
                    seen_blank.add((r, j))

    witness(first)
    out: dict[int, list[CellVerdict]] = {}
    for r in program.rows:
        verdicts = []
        for j in range(grid.ncols):
            figures = []
            for (rr, k, jj), v in program.x.items():
                if rr == r and jj == j:
                    if (r, k, j) not in seen_figure and (found := program.solve({v: 1})) is not None:
                        witness(found)
                    if (r, k, j) in seen_figure:
                        figures.append(k)
            if (r, j) not in seen_blank:
                found = program.solve({v: 0 for (rr, _, jj), v in program.x.items() if rr == r and jj == j})
                if found is not None:
                    witness(found)
            verdicts.append(CellVerdict(tuple(sorted(figures)), (r, j) in seen_blank))
        out[r] = verdicts
    return out


def placement_feasible(grid: Grid, columns: dict[int, tuple[int, ...]]) -> bool:
    """Do the totals (and the rule) allow these columns for these rows' figures?"""
    program = _Program(grid)
    fixed: dict[int, int] = {}
    for r, cols in columns.items():
        for (rr, k, j), v in program.x.items():
            if rr == r:
                fixed[v] = int(cols[k] == j)
    return program.feasible(fixed)


def solvable(grid: Grid) -> bool:
    """Is there any placement at all that satisfies the totals (one solve)?"""
    return not grid.partial() or _Program(grid).feasible()
