"""The tightest integer bounds of every suppressed cell, by linear and integer programming (HiGHS).

The unknown cells and the constraints between them split into connected components: cells that
share no constraint, directly or through other cells, cannot inform each other. Each cell's
minimum and maximum are optimisation problems over its component only; since the components are
independent, one problem can carry many of them at once, with the objective of each on one of its
cells (the optimum of a sum of independent parts is the optimum of each part). So the number of
solver calls grows with the size of the largest component, not with the number of cells: round k
minimises (then maximises) the k-th suppressed cell of every component that has one.

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
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array, csr_array, hstack, vstack

from .constraints import System

CAP = 1e9  # stands for "no upper bound": no count of these letters comes near it
TOL = 1e-6


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
    matrix: csr_array
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
    rows_i, rows_j, rows_v, lo, hi, row_constraint, checks = [], [], [], [], [], [], []
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
        r = len(lo)
        for j, v in coefs.items():
            rows_i.append(r)
            rows_j.append(j)
            rows_v.append(v)
        lo.append(lower)
        hi.append(upper)
        row_constraint.append(k)
    matrix = coo_array((rows_v, (rows_i, rows_j)), shape=(len(lo), len(variables))).tocsr()
    components, component_of = _components(system, variables, matrix, row_constraint)
    return Problem(system, variables, var_of, matrix, np.array(lo), np.array(hi), xl, xu, row_constraint, checks,
                   components, component_of)


def _find(parent: list[int], i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def _union_rows(parent: list[int], matrix: csr_array, rows) -> None:
    indptr, indices = matrix.indptr, matrix.indices
    for r in rows:
        cols = indices[indptr[r]:indptr[r + 1]]
        if len(cols) > 1:
            a = _find(parent, int(cols[0]))
            for j in cols[1:]:
                b = _find(parent, int(j))
                if a != b:
                    parent[b] = a


def _components(system: System, variables: list[int], matrix: csr_array, row_constraint: list[int]
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


def _sub(p: Problem, comps: list[Component]):
    cols = np.array(sorted(i for c in comps for i in c.variables), dtype=np.int64)
    rows = np.array(sorted(r for c in comps for r in c.rows), dtype=np.int64)
    m = p.matrix[rows][:, cols] if len(rows) else csr_array((0, len(cols)))
    return cols, rows, m


def _relaxation(p: Problem, cols, rows, m, objective: np.ndarray):
    constraints = [LinearConstraint(m, p.lo[rows], p.hi[rows])] if len(rows) else []
    return milp(objective, bounds=Bounds(p.xl[cols], p.xu[cols]), constraints=constraints)


def _feasible(p: Problem, comps: list[Component]) -> list[Component]:
    """The components whose relaxation has no solution (contradictory printed figures), by halving."""
    cols, rows, m = _sub(p, comps)
    if _relaxation(p, cols, rows, m, np.zeros(len(cols))).status != 2:
        return []
    if len(comps) == 1:
        return comps
    half = len(comps) // 2
    return _feasible(p, comps[:half]) + _feasible(p, comps[half:])


def solve(p: Problem) -> Solved:
    out = Solved()
    live = list(p.components)
    for comp in _feasible(p, live):
        comp.infeasible = True
    live = [c for c in live if not c.infeasible]
    pending: list[tuple[Component, int, int]] = []  # (component, variable, direction)
    rounds = max((len(c.targets) for c in live), default=0)
    for k in range(rounds):
        active = [c for c in live if len(c.targets) > k]
        cols, rows, m = _sub(p, active)
        position = {int(j): n for n, j in enumerate(cols)}
        for direction in (1, -1):
            objective = np.zeros(len(cols))
            for c in active:
                objective[position[c.targets[k]]] = direction
            res = _relaxation(p, cols, rows, m, objective)
            out.stacked_solves += 1
            if res.x is None:  # pragma: no cover - every component was checked feasible
                raise RuntimeError(f"the stacked relaxation failed: {res.message}")
            x = res.x
            for c in active:
                v = c.targets[k]
                block = x[[position[i] for i in c.variables]]
                integral = np.all(np.abs(block - np.round(block)) <= TOL)
                ok = integral and all(
                    any(x[position[i]] <= g.threshold - 1 + TOL for i in g.variables) for g in c.groups)
                if ok:
                    _record(out, v, direction, x[position[v]])
                else:
                    pending.append((c, v, direction))
    for c, v, d in pending:
        if c.infeasible:
            continue
        out.exact_solves += 1
        value = _exact(p, c, v, d)
        if not c.infeasible:
            _record(out, v, d, value)
    return out


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
    blocks = [m] if len(rows) else []
    lo = list(p.lo[rows])
    hi = list(p.hi[rows])
    extra_i, extra_j, extra_v = [], [], []
    r = 0
    b = n
    for g, caps in usable:
        first = b
        for i, cap in zip(g.variables, caps, strict=True):
            big = max(0.0, cap - (g.threshold - 1))
            # x_i + big * p_i <= threshold - 1 + big
            extra_i += [r, r]
            extra_j += [position[i], b]
            extra_v += [1.0, big]
            lo.append(-np.inf)
            hi.append(g.threshold - 1 + big)
            r += 1
            b += 1
        # at least one primary
        for j in range(first, b):
            extra_i.append(r)
            extra_j.append(j)
            extra_v.append(1.0)
        lo.append(1.0)
        hi.append(np.inf)
        r += 1
    full = hstack([m, csr_array((m.shape[0], nb))]) if blocks else csr_array((0, n + nb))
    if r:
        full = vstack([full, coo_array((extra_v, (extra_i, extra_j)), shape=(r, n + nb))])
    xl = np.concatenate([p.xl[cols], np.zeros(nb)])
    xu = np.concatenate([p.xu[cols], np.ones(nb)])
    constraints = [LinearConstraint(full, np.array(lo), np.array(hi))] if full.shape[0] else []
    res = milp(objective, bounds=Bounds(xl, xu), constraints=constraints, integrality=np.ones(n + nb),
               options={"mip_rel_gap": 0})
    if res.status == 2 and usable:  # the rule contradicts the printed figures: drop it for this component
        c.groups_dropped = "contradicted"
        c.groups = []
        return _exact(p, c, v, direction)
    if res.x is None:
        c.infeasible = True
        return None
    return float(res.x[position[v]])


def _upper_without_rule(p: Problem, c: Component, i: int, cols, rows, m, position) -> float | None:
    if i in c.caps:
        return c.caps[i]
    c.caps[i] = _relaxed_max(p, i, cols, rows, m, position)
    return c.caps[i]


def _relaxed_max(p: Problem, i: int, cols, rows, m, position) -> float | None:
    objective = np.zeros(len(cols))
    objective[position[i]] = -1
    res = _relaxation(p, cols, rows, m, objective)
    if res.x is None or res.x[position[i]] >= CAP - 0.5:
        return None
    return float(res.x[position[i]])
