"""The tightest integer bounds of every suppressed cell, by linear and integer programming (HiGHS).

The unknown cells and the constraints between them split into connected components: cells that
share no constraint, directly or through other cells, cannot inform each other. Each cell's
minimum and maximum are optimisation problems over its component only; since the components are
independent, one problem can carry many of them at once, with the objective of each on one of its
cells (the optimum of a sum of independent parts is the optimum of each part). So the number of
solver calls grows with the size of the largest component, not with the number of cells: round k
minimises (then maximises) the k-th suppressed cell of every component that has one. (Stacks are
cut at about BATCH_VARIABLES unknowns: the simplex's work grows faster than a problem's size.)

These stacked problems are linear relaxations, solved fast. A component's answer is kept when the
solution found is integral and respects the rule that at least one blank of a table is under its
threshold: a solution of the relaxation that also satisfies the integer problem is optimal for it.
Otherwise that one cell and direction is solved again exactly, as a mixed-integer program of its
component alone (binaries for the threshold rule). Tables of counts with totals (the letters)
almost always have integral vertices, so the exact pass is rare.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from highspy import _core as highs

from .constraints import System

CAP = 1e9  # stands for "no upper bound": no count of these letters comes near it
BATCH_VARIABLES = 4000
TOL = 1e-6


@dataclass
class Matrix:
    """Rows of coefficients over the variables, compressed by row (what HiGHS takes as is)."""

    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray
    n_cols: int

    @classmethod
    def from_rows(cls, rows: list[tuple[list[int], list[float]]], n_cols: int) -> Matrix:
        lengths = [len(c) for c, _ in rows]
        indptr = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        indices = np.array([j for c, _ in rows for j in c], dtype=np.int64)
        data = np.array([v for _, vs in rows for v in vs], dtype=float)
        return cls(indptr, indices, data, n_cols)

    @property
    def shape(self) -> tuple[int, int]:
        return (len(self.indptr) - 1, self.n_cols)

    def row(self, r: int) -> tuple[np.ndarray, np.ndarray]:
        a, b = self.indptr[r], self.indptr[r + 1]
        return self.indices[a:b], self.data[a:b]

    def toarray(self) -> np.ndarray:
        out = np.zeros(self.shape)
        for r in range(self.shape[0]):
            cols, vals = self.row(r)
            out[r, cols] = vals
        return out

    def select(self, rows: np.ndarray, cols: np.ndarray) -> Matrix:
        """The chosen rows over the chosen columns (renumbered), every entry of those rows being in them."""
        position = np.full(self.n_cols, -1, dtype=np.int64)
        position[cols] = np.arange(len(cols))
        starts, ends = self.indptr[rows], self.indptr[rows + 1]
        lengths = ends - starts
        indptr = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        take = np.repeat(starts - indptr[:-1], lengths) + np.arange(indptr[-1])
        return Matrix(indptr, position[self.indices[take]], self.data[take], len(cols))


def run_highs(objective: np.ndarray, xl: np.ndarray, xu: np.ndarray, m: Matrix, lo: np.ndarray, hi: np.ndarray,
              integer: bool = False) -> np.ndarray | None:
    """Minimise objective · x; the solution, or None when there is none.

    The raw binding (_core._Highs) is used because the public highspy.Highs prints HiGHS's banner
    on stdout when it is made, before any option can silence it, and stdout carries the csv."""
    h = highs._Highs()
    h.setOptionValue("output_flag", False)
    if integer:
        h.setOptionValue("mip_rel_gap", 0.0)  # the optimum of each stacked part, not within a gap of the sum
    lp = highs.HighsLp()
    lp.num_col_, lp.num_row_ = m.n_cols, m.shape[0]
    lp.col_cost_ = objective
    lp.col_lower_, lp.col_upper_ = xl, xu
    lp.row_lower_ = np.where(np.isinf(lo), -highs.kHighsInf, lo)
    lp.row_upper_ = np.where(np.isinf(hi), highs.kHighsInf, hi)
    lp.a_matrix_.format_ = highs.MatrixFormat.kRowwise
    lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = m.indptr, m.indices, m.data
    if integer:
        lp.integrality_ = [highs.HighsVarType.kInteger] * m.n_cols
    h.passModel(lp)
    h.run()
    if h.getModelStatus() != highs.HighsModelStatus.kOptimal:
        return None
    return np.array(h.getSolution().col_value)


@dataclass
class Group:
    """Blanks of one table linked by that table's own sums: at least one of them is a primary
    suppression, under the table's threshold (a complementary blank protects a primary one it
    shares a sum with)."""

    dataset: str
    threshold: int
    variables: list[int]  # variable indices


@dataclass
class Component:
    id: int
    variables: list[int]  # variable indices, in project order
    rows: list[int]  # row indices
    targets: list[int]  # the suppressed variables: their bounds are wanted
    groups: list[Group] = field(default_factory=list)
    infeasible: bool = False
    groups_dropped: str = ""  # why the threshold rule was not used, when it was not
    caps: dict[int, float | None] = field(default_factory=dict)  # relaxed maximum of a blank: its big-M


@dataclass
class Problem:
    """The system over the unknown cells: A·x within [lo, hi], x within [xl, xu], x integer."""

    system: System
    variables: list[int]  # entry id of each variable
    var_of: dict[int, int]  # entry id -> variable index
    matrix: Matrix
    lo: np.ndarray
    hi: np.ndarray
    xl: np.ndarray
    xu: np.ndarray
    row_constraint: list[int]  # constraint index of each row
    checks: list[int]  # constraints over printed figures only that do not hold
    components: list[Component]
    component_of: dict[int, int]  # variable index -> component id


def problem(system: System) -> Problem:
    """Fold the printed figures into the constraints and split the unknowns into components."""
    entries = system.entries
    variables = [e.id for e in entries if e.count and e.unknown]
    var_of = {eid: i for i, eid in enumerate(variables)}
    xl = np.zeros(len(variables))
    xu = np.full(len(variables), CAP)
    for i, eid in enumerate(variables):
        e = entries[eid]
        if e.suppressed and e.dataset in system.zeros:
            xl[i] = 1  # the table prints zeros: a blank is not one
        if e.cell.status == "suppressed-primary" and e.table.suppression_threshold > 0:
            xu[i] = e.table.suppression_threshold - 1
    rows: list[tuple[list[int], list[float]]] = []
    lo, hi, row_constraint, checks = [], [], [], []
    for k, c in enumerate(system.constraints):
        const = 0.0
        coefs: dict[int, float] = defaultdict(float)
        for eid, coef in c.terms:
            value = entries[eid].value
            if value is None:
                coefs[var_of[eid]] += coef
            else:
                const += coef * float(value)
        coefs = {j: v for j, v in coefs.items() if v != 0}
        lower = -math.inf if c.lower is None else c.lower - const
        upper = math.inf if c.upper is None else c.upper - const
        if not coefs:
            if lower > TOL or upper < -TOL:
                checks.append(k)
            continue
        order = sorted(coefs)
        rows.append((order, [coefs[j] for j in order]))
        lo.append(lower)
        hi.append(upper)
        row_constraint.append(k)
    matrix = Matrix.from_rows(rows, len(variables))
    components, component_of = _components(system, variables, matrix, row_constraint)
    return Problem(system, variables, var_of, matrix, np.array(lo), np.array(hi), xl, xu, row_constraint, checks,
                   components, component_of)


def _find(parent: list[int], i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def _union_rows(parent: list[int], matrix: Matrix, rows) -> None:
    indptr, indices = matrix.indptr, matrix.indices
    for r in rows:
        cols = indices[indptr[r]:indptr[r + 1]]
        if len(cols) > 1:
            a = _find(parent, int(cols[0]))
            for j in cols[1:]:
                b = _find(parent, int(j))
                if a != b:
                    parent[b] = a


def _components(system: System, variables: list[int], matrix: Matrix, row_constraint: list[int]
                ) -> tuple[list[Component], dict[int, int]]:
    entries = system.entries
    n = len(variables)
    parent = list(range(n))
    _union_rows(parent, matrix, range(matrix.shape[0]))
    members: dict[int, list[int]] = defaultdict(list)
    for i in range(n):
        members[_find(parent, i)].append(i)
    row_root: dict[int, list[int]] = defaultdict(list)
    indptr, indices = matrix.indptr, matrix.indices
    for r in range(matrix.shape[0]):
        row_root[_find(parent, int(indices[indptr[r]]))].append(r)
    # the threshold rule: components of each table's own sums
    own = list(range(n))
    sums = [r for r, k in enumerate(row_constraint) if system.constraints[k].kind == "sum"]
    _union_rows(own, matrix, sums)
    # a table's sums that also hold cells lost or of unknown column (not-available): the primary
    # blank may be one of those, so the rule cannot be written over the blanks alone
    unsure = {_find(own, i) for i in range(n) if not entries[variables[i]].suppressed}
    components: list[Component] = []
    component_of: dict[int, int] = {}
    for root in sorted(members, key=lambda r: members[r][0]):
        vs = members[root]
        targets = [i for i in vs if entries[variables[i]].suppressed]
        if not targets:
            continue
        comp = Component(len(components), vs, row_root.get(root, []), targets)
        groups: dict[int, list[int]] = defaultdict(list)
        for i in targets:
            e = entries[variables[i]]
            if e.table.suppression_threshold > 0:
                groups[_find(own, i)].append(i)
        for root_own, g in groups.items():
            e = entries[variables[g[0]]]
            if any(entries[variables[i]].cell.status == "suppressed-primary" for i in g):
                continue  # already under the threshold by its status
            if root_own in unsure:
                comp.groups_dropped = "other-unknowns"
                continue
            comp.groups.append(Group(e.dataset, e.table.suppression_threshold, g))
        components.append(comp)
        for i in vs:
            component_of[i] = comp.id
    return components, component_of


# ---------------------------------------------------------------------------- solving

@dataclass
class Solved:
    lower: dict[int, int | None] = field(default_factory=dict)  # variable -> bound (None: unbounded above)
    upper: dict[int, int | None] = field(default_factory=dict)
    exact_solves: int = 0
    stacked_solves: int = 0
    by_intervals: int = 0  # components solved by interval arithmetic, with no call to HiGHS


def _sub(p: Problem, comps: list[Component]):
    cols = np.array(sorted(i for c in comps for i in c.variables), dtype=np.int64)
    rows = np.array(sorted(r for c in comps for r in c.rows), dtype=np.int64)
    return cols, rows, p.matrix.select(rows, cols)


def _relaxation(p: Problem, cols, rows, m: Matrix, objective: np.ndarray) -> np.ndarray | None:
    return run_highs(objective, p.xl[cols], p.xu[cols], m, p.lo[rows], p.hi[rows])


def _feasible(p: Problem, comps: list[Component]) -> list[Component]:
    """The components whose relaxation has no solution (contradictory printed figures), by halving."""
    cols, rows, m = _sub(p, comps)
    if _relaxation(p, cols, rows, m, np.zeros(len(cols))) is not None:
        return []
    if len(comps) == 1:
        return comps
    half = len(comps) // 2
    return _feasible(p, comps[:half]) + _feasible(p, comps[half:])


def solve(p: Problem, intervals: bool = True) -> Solved:
    """Both bounds of every suppressed cell: by interval arithmetic (`_by_intervals`) for a
    component that is one sum of whole counts, unless `intervals` is False; by HiGHS for the rest."""
    out = Solved()
    live = [c for c in p.components if not (intervals and _by_intervals(p, c, out))]
    for batch in _batches(live):
        for comp in _feasible(p, batch):
            comp.infeasible = True
    live = [c for c in live if not c.infeasible]
    pending: list[tuple[Component, int, int]] = []  # (component, variable, direction)
    rounds = max((len(c.targets) for c in live), default=0)
    for k in range(rounds):
        for active in _batches([c for c in live if len(c.targets) > k]):
            _round(p, out, active, k, pending)
    for c, v, d in pending:
        if c.infeasible:
            continue
        out.exact_solves += 1
        value = _exact(p, c, v, d)
        if not c.infeasible:
            _record(out, v, d, value)
    return out


def _by_intervals(p: Problem, c: Component, out: Solved) -> bool:
    """Solve a component that is one equation Σ ±x = R over whole unknowns in boxes [l, u], with
    at most one threshold group, by interval arithmetic; False (HiGHS solves it) for any other.

    This is the shape of most blanks of the letters: the blanks of one line of a table under its
    printed total, coupled to no other line. With y = ±x, the box of y is [a, b] and Σ y = R, so
    y_k ranges over [max(a_k, R − Σ_{i≠k} b_i), min(b_k, R − Σ_{i≠k} a_i)], every whole number in it
    reached (one equation of unit coefficients is totally unimodular). The threshold rule (one blank
    of the group under the threshold) is the union over its blanks j of the same system with
    u_j ≤ threshold − 1: a cell's bound is the best over the j whose system has a solution. These are
    the integer program's answers, case by case: where the rule has no solution it is dropped for
    the component (« contradicted », as `_exact` does); where a blank of the group has no finite
    maximum the program leaves the rule out, which only a vertex of HiGHS decides to record, so such
    a component goes to HiGHS. All figures are whole numbers below 2^53: the floats are exact."""
    if len(c.rows) != 1 or len(c.groups) > 1:
        return False
    r = c.rows[0]
    cols, coefs = p.matrix.row(r)
    rhs = p.lo[r]
    if p.hi[r] != rhs or not math.isfinite(rhs) or round(rhs) != rhs or len(cols) != len(c.variables):
        return False
    if not all(a in (1.0, -1.0) for a in coefs):
        return False
    position = {int(j): k for k, j in enumerate(cols)}
    positive = [a > 0 for a in coefs.tolist()]
    lower, upper = p.xl[cols].tolist(), p.xu[cols].tolist()

    def ranges(top: list[float]) -> list[tuple[float, float]] | None:
        """Each variable's [min, max] under Σ ±x = rhs with x in [lower, top], or None if no solution."""
        a = [lo if s else -t for lo, t, s in zip(lower, top, positive, strict=True)]  # the box of y = ±x
        b = [t if s else -lo for lo, t, s in zip(lower, top, positive, strict=True)]
        low, high = sum(a), sum(b)
        if not low <= rhs <= high or any(x > y for x, y in zip(a, b, strict=True)):
            return None
        spans = [(max(x, rhs - (high - y)), min(y, rhs - (low - x))) for x, y in zip(a, b, strict=True)]
        return [(x, y) if s else (-y, -x) for (x, y), s in zip(spans, positive, strict=True)]

    found = ranges(upper)
    if found is None:
        c.infeasible = True
        out.by_intervals += 1
        return True
    if c.groups:
        g = c.groups[0]
        members = [position[i] for i in g.variables]
        if any(found[k][1] >= CAP - 0.5 for k in members):
            return False  # the rule left out or not, as a vertex says: HiGHS decides, as it always has
        cases = []
        for k in members:
            top = list(upper)
            top[k] = min(top[k], g.threshold - 1.0)
            case = ranges(top)
            if case is not None:
                cases.append(case)
        if cases:
            found = [(min(x[k][0] for x in cases), max(x[k][1] for x in cases)) for k in range(len(found))]
        else:  # the rule contradicts the printed figures: dropped for this component, as _exact drops it
            c.groups_dropped = "contradicted"
            c.groups = []
    for v in c.targets:
        low, high = found[position[v]]
        _record(out, v, 1, low)
        _record(out, v, -1, high)
    out.by_intervals += 1
    return True


def _batches(components: list[Component]) -> list[list[Component]]:
    """Components in stacks of about BATCH_VARIABLES unknowns: the simplex's work grows faster than
    the size of a problem, so many middling problems beat one huge one (and a call costs ~1 ms)."""
    out: list[list[Component]] = [[]]
    size = 0
    for c in components:
        if size >= BATCH_VARIABLES:
            out.append([])
            size = 0
        out[-1].append(c)
        size += len(c.variables)
    return [b for b in out if b]


def _round(p: Problem, out: Solved, active: list[Component], k: int, pending: list) -> None:
    """Minimise then maximise the k-th blank of every component of the stack at once.

    The stack's columns are laid out component after component, so the checks of each part of
    the solution (integral? one blank under the threshold in each group?) are array reductions."""
    sizes = np.array([len(c.variables) for c in active])
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    cols = np.fromiter((i for c in active for i in c.variables), dtype=np.int64, count=int(sizes.sum()))
    rows = np.fromiter((r for c in active for r in c.rows), dtype=np.int64)
    m = p.matrix.select(rows, cols)
    targets = starts + np.array([c.variables.index(c.targets[k]) for c in active])
    gpos, gstart, gthr, gcomp = [], [], [], []
    for n, c in enumerate(active):
        local = None
        for g in c.groups:
            local = local or {v: j for j, v in enumerate(c.variables)}
            gstart.append(len(gpos))
            gpos += [starts[n] + local[i] for i in g.variables]
            gthr.append(g.threshold - 1 + TOL)
            gcomp.append(n)
    for direction in (1, -1):
        objective = np.zeros(len(cols))
        objective[targets] = direction
        x = _relaxation(p, cols, rows, m, objective)
        out.stacked_solves += 1
        if x is None:  # pragma: no cover - every component was checked feasible
            raise RuntimeError("the stacked relaxation has no solution, though each of its parts has one")
        redo = np.add.reduceat((np.abs(x - np.round(x)) > TOL).astype(np.int64), starts) > 0
        if gpos:
            unmet = np.minimum.reduceat(x[gpos], gstart) > np.array(gthr)
            np.logical_or.at(redo, np.array(gcomp), unmet)
        for n, c in enumerate(active):
            v = c.targets[k]
            if redo[n]:
                pending.append((c, v, direction))
            else:
                _record(out, v, direction, x[targets[n]])


def _record(out: Solved, v: int, direction: int, value: float | None) -> None:
    if direction == 1:
        out.lower[v] = None if value is None else math.ceil(value - TOL)
    else:
        out.upper[v] = None if value is None or value >= CAP - 0.5 else math.floor(value + TOL)


def _exact(p: Problem, c: Component, v: int, direction: int) -> float | None:
    """One bound of one cell, as a mixed-integer program over its component alone."""
    cols, rows, m = _sub(p, [c])
    position = {int(j): n for n, j in enumerate(cols)}
    n = len(cols)
    groups = c.groups
    # a binary per blank of a threshold group: 1 = primary (under the threshold). Its big-M is the
    # largest value the blank can take without the rule; a group with an unbounded blank is left
    # out (the rule then cannot be written with a finite M; leaving a constraint out only widens).
    usable = []
    for g in groups:
        caps = [_upper_without_rule(p, c, i, cols, rows, m, position) for i in g.variables]
        caps = [math.floor(u + TOL) if u is not None else None for u in caps]
        if all(u is not None for u in caps):
            usable.append((g, caps))
        elif not c.groups_dropped:
            c.groups_dropped = "unbounded"
    nb = sum(len(g.variables) for g, _ in usable)
    objective = np.zeros(n + nb)
    objective[position[v]] = direction
    rows_: list[tuple[list[int], list[float]]] = [(list(c), list(a)) for c, a in (m.row(r) for r in range(m.shape[0]))]
    lo = list(p.lo[rows])
    hi = list(p.hi[rows])
    b = n
    for g, caps in usable:
        first = b
        for i, cap in zip(g.variables, caps, strict=True):
            big = max(0.0, cap - (g.threshold - 1))
            rows_.append(([position[i], b], [1.0, big]))  # x_i + big * p_i <= threshold - 1 + big
            lo.append(-np.inf)
            hi.append(g.threshold - 1 + big)
            b += 1
        rows_.append((list(range(first, b)), [1.0] * (b - first)))  # at least one primary
        lo.append(1.0)
        hi.append(np.inf)
    full = Matrix.from_rows(rows_, n + nb)
    xl = np.concatenate([p.xl[cols], np.zeros(nb)])
    xu = np.concatenate([p.xu[cols], np.ones(nb)])
    x = run_highs(objective, xl, xu, full, np.array(lo), np.array(hi), integer=True)
    if x is None and usable:  # the rule contradicts the printed figures: drop it for this component
        c.groups_dropped = "contradicted"
        c.groups = []
        return _exact(p, c, v, direction)
    if x is None:
        c.infeasible = True
        return None
    return float(x[position[v]])


def _upper_without_rule(p: Problem, c: Component, i: int, cols, rows, m, position) -> float | None:
    if i in c.caps:
        return c.caps[i]
    c.caps[i] = _relaxed_max(p, i, cols, rows, m, position)
    return c.caps[i]


def _relaxed_max(p: Problem, i: int, cols, rows, m, position) -> float | None:
    objective = np.zeros(len(cols))
    objective[position[i]] = -1
    x = _relaxation(p, cols, rows, m, objective)
    if x is None or x[position[i]] >= CAP - 0.5:
        return None
    return float(x[position[i]])
