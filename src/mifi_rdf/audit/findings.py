"""What the audit finds: each suppressed cell's interval, the disclosed and the too narrow ones
with the arithmetic that recovers them, contradictions, and the facts across tables.
"""

from __future__ import annotations

import gc
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from ..load.vocabulary import Vocabulary
from ..model import Table
from .bounds import Problem, Solved, problem, solve
from .constraints import SUPPRESSED, Entry, Fact, Relations, System, build_system

METHOD = "integer-programming-bounds"  # def/… individual naming the method (ontology/vocabulary.ttl)


@dataclass
class Step:
    """One use of an equation: `entry` is what remains once every other cell of it is known."""

    constraint: int
    entry: int
    value: int
    terms: list[tuple[int, float, int]]  # (entry id, coefficient, value) of the other cells
    coefficient: float
    rhs: float


@dataclass
class CellResult:
    entry: Entry
    lower: int | Decimal | None  # None with `infeasible`
    upper: int | Decimal | None  # None: nothing bounds it from above
    infeasible: bool = False
    constraints: list[int] = field(default_factory=list)  # indices into System.constraints
    rules: list[str] = field(default_factory=list)  # "integer", "not-zero", "primary-group", "primary"
    steps: list[Step] = field(default_factory=list)  # the arithmetic, when disclosed by equations
    threshold: int = 0
    floor: int = 0  # what the letter's rule alone says: a blank is at least this (1 where zeros are printed)

    @property
    def disclosed(self) -> bool:
        return not self.infeasible and self.lower is not None and self.lower == self.upper

    @property
    def narrow(self) -> bool:
        """Not disclosed, but known more precisely than the threshold rule lets a reader know a
        protected count: the interval may hold a count under the threshold, and spans fewer values
        than [floor, threshold − 1], what the rule itself tells of a primary blank."""
        if self.disclosed or self.infeasible or not self.entry.count or self.threshold <= 0:
            return False
        if self.upper is None or self.lower is None:
            return False
        return self.lower < self.threshold and (self.upper - self.lower + 1) < (self.threshold - self.floor)


@dataclass
class FactResult:
    fact: Fact
    verdict: str  # "agrees", "disagrees", "bounds" (involves blanks: it constrains them), "as-printed"
    figures: dict[int, int | Decimal | None]  # entry id -> printed value


@dataclass
class Audit:
    system: System
    problem: Problem
    solved: Solved
    cells: list[CellResult]  # the suppressed cells, in project order
    facts: list[FactResult]
    contradictions: list[int]  # constraints over printed figures only that do not hold
    aside: list[Entry]  # column-uncertain candidates: unknowns of the sums, not reported
    datasets: list[str] = field(default_factory=list)  # the datasets reported on

    def __post_init__(self) -> None:
        if not self.datasets:
            self.datasets = list(dict.fromkeys(e.dataset for e in self.system.entries))

    @property
    def disclosed(self) -> list[CellResult]:
        return [c for c in self.cells if c.disclosed]

    @property
    def narrow(self) -> list[CellResult]:
        return [c for c in self.cells if c.narrow]

    @property
    def unexplained(self) -> list[int]:
        """The contradictions no recorded revision explains: a figure a later letter restates differently
        and whose letter.toml records as revising the earlier one is listed, but is not a fault of the data."""
        return [k for k in self.contradictions if not self.system.constraints[k].recorded]

    @property
    def infeasible(self) -> list[CellResult]:
        return [c for c in self.cells if c.infeasible]

    def only(self, datasets: set[str] | None) -> Audit:
        """The same audit, reporting only the chosen datasets (relations still use every table)."""
        if datasets is None:
            return self
        keep = [c for c in self.cells if c.entry.dataset in datasets]
        facts = [f for f in self.facts
                 if any(self.system.entries[i].dataset in datasets for i in [f.fact.head, *f.fact.others])]
        contradictions = [k for k in self.contradictions
                          if any(self.system.entries[i].dataset in datasets for i, _ in self.system.constraints[k].terms)]
        return Audit(self.system, self.problem, self.solved, keep, facts, contradictions,
                     [e for e in self.aside if e.dataset in datasets], [d for d in self.datasets if d in datasets])


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The audit makes an object per cell and keeps them all: the cyclic collector would scan them
    again and again as they pile up (at 1M cells it doubled the time), and none of them is garbage."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def run_audit(tables: list[Table], vocab: Vocabulary, rel: Relations | None = None, bounds_only: bool = False) -> Audit:
    """Audit the tables together: every relation between them is used.

    `bounds_only`: what the bounds of export, build and frame need (report.attributes: each
    cell's interval), without what only the report shows: the arithmetic of a disclosed cell, the
    facts across tables, the cells left aside."""
    with _collector_paused():
        return _run(tables, vocab, rel, bounds_only)


def _run(tables: list[Table], vocab: Vocabulary, rel: Relations | None, bounds_only: bool = False) -> Audit:
    system = build_system(tables, vocab, rel)
    prob = problem(system)
    solved = solve(prob)
    cells: list[CellResult] = []
    counts: dict[int, CellResult] = {}
    shares = False
    for e in system.entries:
        if e.value is None and e.cell.status in SUPPRESSED:  # e.suppressed, asked of every cell
            if e.count:
                r = _count_result(prob, solved, e, not bounds_only)
                counts[e.id] = r
                cells.append(r)
            else:
                shares = True
    if shares:
        for e in system.entries:
            if not e.count and e.suppressed:
                cells.append(_share_result(system, counts, e))
        order = {e.id: n for n, e in enumerate(system.entries)}
        cells.sort(key=lambda c: order[c.entry.id])
    if bounds_only:
        return Audit(system, prob, solved, cells, [], list(prob.checks), [])
    facts = [_fact(system, f) for f in system.facts]
    aside = [e for e in system.entries if e.uncertain and e.unknown]
    return Audit(system, prob, solved, cells, facts, list(prob.checks), aside)


def _count_result(p: Problem, solved: Solved, e: Entry, steps: bool = True) -> CellResult:
    v = p.var_of[e.id]
    threshold = e.table.suppression_threshold
    floor = 1 if e.dataset in p.system.zeros else 0
    comp_id = p.component_of.get(v)
    comp = p.components[comp_id] if comp_id is not None else None
    rules = ["integer"]
    if floor:
        rules.append("not-zero")
    if e.cell.status == "suppressed-primary" and threshold > 0:
        rules.append("primary")
    if comp is None:  # in no constraint at all: only its own bounds
        return CellResult(e, floor, None, rules=rules, threshold=threshold, floor=floor)
    if comp.groups and not comp.groups_dropped:
        rules.append("primary-group")
    constraints = sorted({p.row_constraint[r] for r in comp.rows})
    if comp.infeasible:
        return CellResult(e, None, None, True, constraints, rules, threshold=threshold, floor=floor)
    r = CellResult(e, solved.lower[v], solved.upper[v], False, constraints, rules, threshold=threshold, floor=floor)
    if steps and r.disclosed:
        r.steps = derivation(p, v)
    return r


def _share_result(system: System, counts: dict[int, CellResult], e: Entry) -> CellResult:
    """A blanked percentage: 100 × its count's bounds ÷ the total's, to the hundredth, outwards."""
    rel = system.rel
    count_measure = rel.share.get(e.measure)
    count = next((x for x in system.entries if x.measure == count_measure and x.iris == e.iris
                  and x.dataset == e.dataset), None) if count_measure else None
    totals = [x for x in system.entries if count is not None and x.dataset == e.dataset and x.measure == count_measure
              and _differs_by_total(x, e, rel)]
    if count is None or len(totals) != 1:
        return CellResult(e, None, None, threshold=e.table.suppression_threshold)
    c_lo, c_hi = _interval(count, counts)
    t_lo, t_hi = _interval(totals[0], counts)
    if c_lo is None or t_lo is None:
        return CellResult(e, None, None, infeasible=True, threshold=e.table.suppression_threshold)
    hundredth = Decimal("0.01")
    lower = (Decimal(100 * c_lo) / Decimal(t_hi)).quantize(hundredth, ROUND_FLOOR) if t_hi else Decimal(0)
    upper = None
    if c_hi is not None and t_lo:
        upper = min(Decimal(100), (Decimal(100 * c_hi) / Decimal(t_lo)).quantize(hundredth, ROUND_CEILING))
    r = CellResult(e, lower, upper, threshold=e.table.suppression_threshold)
    if c_lo == c_hi and t_lo == t_hi and t_lo:
        exact = Decimal(100 * c_lo) / Decimal(t_lo)
        r.lower = r.upper = exact.quantize(hundredth) if exact != exact.quantize(hundredth) else exact.normalize()
    r.rules = ["share"]
    return r


def _differs_by_total(x: Entry, e: Entry, rel: Relations) -> bool:
    diff = [d for d in range(len(e.iris)) if x.iris[d] != e.iris[d]]
    return len(diff) == 1 and x.iris[diff[0]] in rel.totals


def _interval(e: Entry, counts: dict[int, CellResult]) -> tuple[int | None, int | None]:
    if e.value is not None:
        return int(e.value), int(e.value)
    r = counts.get(e.id)
    if r is None or r.infeasible:
        return None, None
    return int(r.lower) if r.lower is not None else None, int(r.upper) if r.upper is not None else None


def _fact(system: System, f: Fact) -> FactResult:
    ids = [f.head, *f.others]
    figures = {i: system.entries[i].value for i in ids}
    if any(v is None for v in figures.values()):
        return FactResult(f, "bounds", figures)
    values = {i: float(v) for i, v in figures.items()}
    if f.kind == "share":
        assert f.share is not None
        pct, tol = f.share
        count, total = (values[i] for i in f.others)
        ok = total > 0 and abs(float(pct) - 100 * count / total) <= tol + 1e-6
        verdict = "agrees" if ok else ("as-printed" if f.printed_inconsistent else "disagrees")
        return FactResult(f, verdict, figures)
    c = system.constraints[f.constraints[0]]
    s = sum(coef * values[i] for i, coef in c.terms)
    ok = (c.lower is None or s >= c.lower - 1e-9) and (c.upper is None or s <= c.upper + 1e-9)
    return FactResult(f, "agrees" if ok else "disagrees", figures)


# ---------------------------------------------------------------------------- arithmetic

def derivation(p: Problem, target: int) -> list[Step]:
    """The equations that recover a disclosed cell one unknown at a time, in order; empty when
    no such chain exists (the bounds then meet through inequalities or integrality)."""
    comp = p.components[p.component_of[target]]
    matrix, entries, system = p.matrix, p.system.entries, p.system
    rows = [r for r in comp.rows if p.lo[r] == p.hi[r]]
    known: dict[int, float] = {}
    steps: list[tuple[int, int, float]] = []  # (row, variable, value)
    progress = True
    while progress and target not in known:
        progress = False
        for r in rows:
            cols = matrix.indices[matrix.indptr[r]:matrix.indptr[r + 1]]
            vals = matrix.data[matrix.indptr[r]:matrix.indptr[r + 1]]
            open_ = [(int(j), a) for j, a in zip(cols, vals, strict=True) if int(j) not in known]
            if len(open_) != 1:
                continue
            j, a = open_[0]
            rest = sum(a2 * known[int(j2)] for j2, a2 in zip(cols, vals, strict=True) if int(j2) != j)
            known[j] = (p.lo[r] - rest) / a
            steps.append((r, j, known[j]))
            progress = True
    if target not in known:
        return []
    needed = {target}
    chain: list[tuple[int, int, float]] = []
    for r, j, value in reversed(steps):
        if j in needed:
            chain.append((r, j, value))
            cols = matrix.indices[matrix.indptr[r]:matrix.indptr[r + 1]]
            needed.update(int(x) for x in cols)
    chain.reverse()
    out: list[Step] = []
    solved_values = {p.variables[j]: round(v) for _, j, v in chain}
    for r, j, value in chain:
        k = p.row_constraint[r]
        c = system.constraints[k]
        eid = p.variables[j]
        coefficient = sum(coef for i, coef in c.terms if i == eid)
        terms = []
        for i, coef in c.terms:
            if i == eid:
                continue
            v = entries[i].value
            terms.append((i, coef, int(v) if v is not None else solved_values[i]))
        rhs = c.lower if c.lower is not None else 0.0
        out.append(Step(k, eid, round(value), terms, coefficient, rhs))
    assert math.isfinite(out[-1].value)
    return out
