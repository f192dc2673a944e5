"""The interval-arithmetic bounds (audit/bounds.py `_by_intervals`) equal the integer program's:
on every table of data/ audited together, and on synthetic tables of many blanked lines (one
sum each: the fast path) and of lines coupled by a second total (HiGHS), compared component by
component with the same audit solved by HiGHS alone, and line by line with a brute-force
enumeration of every whole completion."""

from __future__ import annotations

import itertools
import random

import pytest

from mifi_rdf.audit.bounds import Problem, Solved, problem, solve
from mifi_rdf.audit.constraints import build_system, relations
from mifi_rdf.load.tables import load_letters
from mifi_rdf.paths import project_paths
from mifi_rdf.project import Project, load_project
from test_audit import PERIOD, make_data

STREAMS = ["pstq-1", "pstq-2", "pstq-3"]


def both(tables, vocab) -> tuple[tuple[Problem, Solved], tuple[Problem, Solved]]:
    """The same system solved with the interval path and with HiGHS alone (each on its own Problem:
    solving records on the components what it found, such as a threshold rule dropped)."""
    rel = relations(vocab)
    system = build_system(tables, vocab, rel)
    fast, slow = problem(system), problem(system)
    return (fast, solve(fast)), (slow, solve(slow, intervals=False))


def assert_same(fast: tuple[Problem, Solved], slow: tuple[Problem, Solved]) -> None:
    (pf, sf), (ps, ss) = fast, slow
    assert sf.lower == ss.lower and sf.upper == ss.upper
    for a, b in zip(pf.components, ps.components, strict=True):
        assert (a.infeasible, a.groups_dropped, a.groups) == (b.infeasible, b.groups_dropped, b.groups), a.id


@pytest.fixture(scope="module")
def vocab():
    return load_project().vocab


def test_every_table_of_data_gets_the_integer_programs_bounds(vocab):
    tables = [t for letter in load_letters(project_paths().data, vocab) for t in letter.tables]
    fast, slow = both(tables, vocab)
    assert_same(fast, slow)
    # some components of data/ are one line under its total, the others are coupled (HiGHS)
    assert fast[1].by_intervals > 0 and slow[1].by_intervals == 0 and fast[1].stacked_solves > 0


def lines(seed: int, mrcs: list[str]) -> tuple[list[tuple], dict, dict]:
    """A table of MRC lines (3 streams and their printed total, no MRC total: each line a sum of its
    own), small counts so that the threshold rule (10) often decides; its expected bounds by
    enumeration, line by line, and the true value of each cell."""
    rng = random.Random(seed)
    zeros = seed % 2 == 0  # prints a zero: every blank of the table is then at least 1
    rows, expected, truth = [], {}, {}
    for n, mrc in enumerate(mrcs):
        values = [rng.randint(1, 14) for _ in STREAMS]
        if zeros and n == 0:
            values[0] = 0
        k = 0 if zeros and n == 0 else rng.choice([1, 1, 2, 2, 3])
        blank = set(rng.sample(range(3), k))
        total = sum(values)
        printed = sum(v for i, v in enumerate(values) if i not in blank)
        if k and printed > 1 and rng.random() < 0.1:  # now and then a total under its printed parts: no completion
            total = printed - 1
        status = {i: rng.choice(["confidential", "confidential", "suppressed-secondary", "suppressed-primary"])
                  for i in blank}
        truth.update({(mrc, stream): v for stream, v in zip(STREAMS, values, strict=True)})
        for i, stream in enumerate(STREAMS):
            if i in blank:
                rows.append((PERIOD, mrc, stream, "invitedPersons", "", status[i]))
            else:
                rows.append((PERIOD, mrc, stream, "invitedPersons", str(values[i]), "published"))
        rows.append((PERIOD, mrc, "_T", "invitedPersons", str(total), "total"))
        expected.update(enumerate_line(mrc, values, blank, status, total, zeros))
    return rows, expected, truth


def enumerate_line(mrc: str, values: list[int], blank: set[int], status: dict, total: int, zeros: bool) -> dict:
    """Every whole completion of one line: the blanks' bounds, the threshold rule (one blank under 10,
    dropped where no completion meets it; a primary blank is under 10 by itself), None where none."""
    order = sorted(blank)
    if not order:
        return {}
    rest = total - sum(v for i, v in enumerate(values) if i not in blank)
    low = 1 if zeros else 0
    tops = [9 if status[i] == "suppressed-primary" else max(rest, low) for i in order]
    combos = [c for c in itertools.product(*[range(low, t + 1) for t in tops]) if sum(c) == rest]
    if not any(status[i] == "suppressed-primary" for i in order):
        ruled = [c for c in combos if min(c) <= 9]
        combos = ruled or combos
    out = {}
    for k, i in enumerate(order):
        found = (min(c[k] for c in combos), max(c[k] for c in combos)) if combos else None
        out[(mrc, STREAMS[i])] = found
    return out


def bounds(p: Problem, s: Solved, dataset: str) -> dict:
    out = {}
    for v in range(len(p.variables)):
        e = p.system.entries[p.variables[v]]
        if e.dataset == dataset and e.suppressed:
            comp = p.components[p.component_of[v]]
            out[e.cell.codes[1:]] = None if comp.infeasible else (s.lower[v], s.upper[v])
    return out


def test_many_blanked_lines_by_intervals_equal_highs_and_the_enumeration(tmp_path, vocab):
    mrcs = sorted(c for c in vocab.codelists[vocab.base + "code/mrc"].codes if not c.startswith("_"))[:40]
    tables, expected = [], {}
    for seed in range(6):
        rows, want, _ = lines(seed, mrcs)
        tables.append({"id": f"t{seed + 1}", "structure": "invitations-by-mrc-stream", "threshold": 10, "rows": rows})
        expected[f"99001-t{seed + 1}"] = want
    # and a table whose lines are coupled by an MRC total: solved by HiGHS, compared all the same
    rng = random.Random(7)
    truth = {(mrc, stream): rng.randint(1, 14) for mrc in mrcs[:6] for stream in STREAMS}
    blanked = {(mrc, stream) for mrc in mrcs[:6] for stream in rng.sample(STREAMS, 2)}
    coupled = [(PERIOD, mrc, stream, "invitedPersons", "", "confidential") if (mrc, stream) in blanked
               else (PERIOD, mrc, stream, "invitedPersons", str(v), "published") for (mrc, stream), v in truth.items()]
    coupled += [(PERIOD, mrc, "_T", "invitedPersons", str(sum(truth[mrc, s] for s in STREAMS)), "total") for mrc in mrcs[:6]]
    coupled += [(PERIOD, "_T", s, "invitedPersons", str(sum(truth[m, s] for m in mrcs[:6])), "total") for s in STREAMS]
    coupled.append((PERIOD, "_T", "_T", "invitedPersons", str(sum(truth.values())), "total"))
    tables.append({"id": "t7", "structure": "invitations-by-mrc-stream", "threshold": 10, "rows": coupled})
    data = make_data(tmp_path, tables)
    loaded = [t for letter in load_letters(data, vocab) for t in letter.tables]
    fast, slow = both(loaded, vocab)
    assert_same(fast, slow)
    for dataset, want in expected.items():
        assert bounds(*fast, dataset) == {(mrc, stream): b for (mrc, stream), b in want.items()}, dataset
    solved = fast[1]
    assert solved.by_intervals > 200 and solved.stacked_solves > 0  # the 240 lines by intervals, t7 by HiGHS
    rules = [c for c in fast[0].components if c.groups_dropped == "contradicted"]
    assert rules  # lines where the rule contradicts the figures (a lone blank of 10 or more) were met


def test_a_table_with_no_blank_is_not_audited(tmp_path, vocab, monkeypatch):
    # its period (a span of dates) may link it to another table: it is audited with its group, and
    # a group with no blank is skipped before any system is built
    from mifi_rdf.audit import grouped

    rows = [(PERIOD, "140", s, "invitedPersons", "3", "published") for s in STREAMS]
    rows.append((PERIOD, "140", "_T", "invitedPersons", "9", "total"))
    data = make_data(tmp_path, [{"id": "t1", "structure": "invitations-by-mrc-stream", "rows": rows}])
    project = Project(vocab, load_letters(data, vocab, cells=False), lazy=True, data=data)  # as export loads it
    calls = []
    monkeypatch.setattr(grouped, "run_audit", lambda *a, **k: calls.append(a))
    assert grouped.links(project.tables()[0], project.cells(project.tables()[0]), vocab, relations(vocab))
    assert len(project.bound_attributes()) == 0 and calls == []
    fresh = Project(vocab, load_letters(data, vocab, cells=False), lazy=True, data=data)
    assert len(list(fresh.statements())) > 0 and calls == []  # export's table-by-table bounds


