"""`mifi-rdf audit`: bounds of blanked cells on hand-made tables whose bounds are known, against a
brute-force enumeration of every integer completion, and on the five letters."""

from __future__ import annotations

import csv
import itertools
import json
import random
from pathlib import Path

import numpy as np
import pytest

from conftest import run
from mifi_rdf.audit import run_audit
from mifi_rdf.audit.bounds import run_highs
from mifi_rdf.load.tables import load_letters
from mifi_rdf.project import load_project

PERIOD = "2025-07-01--2026-02-28"
HEADERS = {"invitations-by-mrc-stream": ["period", "mrc", "stream"],
           "invitations-by-municipality": ["period", "municipality"]}
MEASURE = {"invitations-by-mrc-stream": "invitedPersons", "invitations-by-municipality": "invitedPersons"}


def make_data(folder: Path, tables: list[dict]) -> Path:
    """A data folder with one letter holding the given tables; rows are (codes…, value or status)."""
    letter = folder / "data" / "99001"
    letter.mkdir(parents=True)
    meta = ['ref = "99001"', "letter_date = 2026-01-01", "received = 2025-12-01", "clarified = []",
            'source_text = "test"', 'issued_by_fr = "x"', 'issued_by_en = "x"', 'request_fr = "x"', 'request_en = "x"',
            'programs = ["pstq"]', 'articles = ["53"]', "refused = []"]
    for t in tables:
        meta += ["", "[[table]]", f'id = "{t["id"]}"', 'number = ""', 'caption = "x"', 'title_fr = "x"', 'title_en = "x"',
                 'description_fr = "x"', 'description_en = "x"', f'structure = "{t["structure"]}"', "notes = []",
                 'source_line = ""', 'extraction_date = ""', f"suppression_threshold = {t.get('threshold', 0)}",
                 'suppression_method = "blanked"']
        with (letter / f"{t['id']}.csv").open("w", encoding="utf-8", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow([*HEADERS[t["structure"]], "measure", "value", "status", "inference", "source_label",
                        "note_fr", "note_en"])
            for row in t["rows"]:
                *codes, measure, value, status = row
                w.writerow([*codes, measure, value, status, "", "", "", ""])
    (letter / "letter.toml").write_text("\n".join(meta) + "\n", encoding="utf-8")
    return folder / "data"


def grid(cells: dict[tuple[str, str], int | None], totals: str = "all") -> list[tuple]:
    """Rows of an MRC × stream table from its inner cells (None: blanked) with every margin printed
    (totals='all'), or the margins given in `cells` itself (totals='given')."""
    rows = []
    for (mrc, stream), v in cells.items():
        status = "confidential" if v is None else ("total" if "_T" in (mrc, stream) else "published")
        rows.append((PERIOD, mrc, stream, "invitedPersons", "" if v is None else str(v), status))
    return rows


def bounds_of(audit) -> dict[str, tuple]:
    return {"/".join(c.entry.cell.codes[1:]) + ("" if c.entry.count else "%"): (c.lower, c.upper) for c in audit.cells}


def audit_of(data: Path):
    vocab = VOCAB.setdefault("vocab", load_project(data=data).vocab)  # the real ontology, parsed once
    return run_audit([t for letter in load_letters(data, vocab) for t in letter.tables], vocab)


VOCAB: dict = {}


# ---------------------------------------------------------------------------- hand-made tables

def test_a_2x2_table_with_one_published_margin(tmp_path):
    # a b | 7      the row totals and the grand total are printed; the four cells and the
    # c d | 13     column totals are blanked: each row alone bounds its cells
    # ? ? | 20
    cells = {("140", "pstq-1"): None, ("140", "pstq-2"): None, ("140", "_T"): 7,
             ("080", "pstq-1"): None, ("080", "pstq-2"): None, ("080", "_T"): 13,
             ("_T", "pstq-1"): None, ("_T", "pstq-2"): None, ("_T", "_T"): 20}
    data = make_data(tmp_path, [{"id": "t1", "structure": "invitations-by-mrc-stream", "rows": grid(cells)}])
    b = bounds_of(audit_of(data))
    assert b == {"140/pstq-1": (0, 7), "140/pstq-2": (0, 7), "080/pstq-1": (0, 13), "080/pstq-2": (0, 13),
                 "_T/pstq-1": (0, 20), "_T/pstq-2": (0, 20)}


def test_a_blank_recoverable_by_subtraction_is_disclosed_with_its_arithmetic(tmp_path):
    cells = {("140", "pstq-1"): 25, ("140", "pstq-2"): 45, ("140", "pstq-3"): None, ("140", "_T"): 85}
    data = make_data(tmp_path, [{"id": "t1", "structure": "invitations-by-mrc-stream", "threshold": 5,
                                 "rows": grid(cells)}])
    audit = audit_of(data)
    [cell] = audit.cells
    assert (cell.lower, cell.upper, cell.disclosed) == (15, 15, True)
    result = run("--data", str(data), "audit")
    assert result.exit_code == 1
    assert "99001-t1 2025-07-01--2026-02-28/140/pstq-3 invitedPersons = 85 − 25 − 45 = 15" in result.output
    assert "Disclosed cells (1):" in result.output


def test_only_integrality_decides(tmp_path):
    # 4 persons of 7 are printed as 57 %: 100 × x ÷ 7 within [56.5, 57.5] gives x within
    # [3.955, 4.025]; no relaxation pins it down, but the only whole number there is 4.
    rows = [("2026-01--2026-02", "66023", "invitedPersons", "", "confidential"),
            ("2026-01--2026-02", "66023", "percentInvited", "", "confidential"),
            ("2026-01--2026-02", "23027", "invitedPersons", "", "confidential"),
            ("2026-01--2026-02", "23027", "percentInvited", "57", "published"),
            ("2026-01--2026-02", "_T", "invitedPersons", "7", "total"),
            ("2026-01--2026-02", "_T", "percentInvited", "100", "total")]
    audit = audit_of(make_data(tmp_path, [{"id": "t1", "structure": "invitations-by-municipality", "rows": rows}]))
    assert {k: v for k, v in bounds_of(audit).items() if "%" not in k} == {"66023": (3, 3), "23027": (4, 4)}
    cell = audit.cells[2]
    assert cell.entry.cell.codes[1] == "23027" and cell.disclosed and not cell.steps  # no equation gives it alone
    p = audit.problem
    j = p.var_of[cell.entry.id]
    objective = np.zeros(len(p.variables))
    objective[j] = 1
    lo = run_highs(objective, p.xl, p.xu, p.matrix, p.lo, p.hi)[j]
    assert 3.9 < lo < 4 - 1e-3  # the relaxation alone leaves it fractional


def test_at_least_one_blank_under_the_threshold_is_a_disjunction_that_can_decide(tmp_path):
    # two blanked rows sum to 22 (200 − 178); the first is printed as 5 % of 200, so within
    # [9, 11]. Both blanked means one is a primary suppression (< 10): 10 + 12 and 11 + 11 are
    # excluded, leaving 9 + 13. Without the rule the bounds would be [9, 11] and [11, 13].
    rows = [("2026-01--2026-02", "66023", "invitedPersons", "178", "published"),
            ("2026-01--2026-02", "66023", "percentInvited", "89", "published"),
            ("2026-01--2026-02", "_U", "invitedPersons", "", "confidential"),
            ("2026-01--2026-02", "_U", "percentInvited", "5", "published"),
            ("2026-01--2026-02", "_Z", "invitedPersons", "", "confidential"),
            ("2026-01--2026-02", "_Z", "percentInvited", "", "confidential"),
            ("2026-01--2026-02", "_T", "invitedPersons", "200", "total"),
            ("2026-01--2026-02", "_T", "percentInvited", "100", "total")]
    audit = audit_of(make_data(tmp_path, [{"id": "t1", "structure": "invitations-by-municipality", "threshold": 10,
                                           "rows": rows}]))
    assert bounds_of(audit) == {"_U": (9, 9), "_Z": (13, 13), "_Z%": (6.5, 6.5)}
    assert "primary-group" in audit.cells[0].rules
    assert audit.solved.exact_solves > 0  # the relaxation's maximum of _U (11) breaks the rule: solved again exactly


def test_a_blank_in_no_sum_has_no_upper_bound(tmp_path):
    rows = [("2026-01--2026-02", "66023", "invitedPersons", "", "confidential"),
            ("2026-01--2026-02", "23027", "invitedPersons", "12", "published")]
    data = make_data(tmp_path, [{"id": "t1", "structure": "invitations-by-municipality", "threshold": 10, "rows": rows}])
    assert bounds_of(audit_of(data)) == {"66023": (0, None)}
    result = run("--data", str(data), "audit", "--format", "csv")
    row = next(csv.DictReader(result.output.splitlines()))
    assert (row["lower"], row["upper"], row["disclosed"], result.exit_code) == ("0", "", "false", 0)


def test_contradictory_figures_are_reported_not_bounded(tmp_path):
    # 3 of 9 cannot be printed as 30 % (100 × x ÷ 9 within [29.5, 30.5] holds no whole x)
    rows = [("2026-01--2026-02", "66023", "invitedPersons", "", "confidential"),
            ("2026-01--2026-02", "66023", "percentInvited", "30", "published"),
            ("2026-01--2026-02", "_T", "invitedPersons", "9", "total")]
    data = make_data(tmp_path, [{"id": "t1", "structure": "invitations-by-municipality", "rows": rows}])
    [cell] = audit_of(data).cells
    assert cell.infeasible and not cell.disclosed
    result = run("--data", str(data), "audit", "--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.output)["summary"]["contradictions"] == 1


# ---------------------------------------------------------------------------- brute force

def enumerate_bounds(inner: np.ndarray, blanks: set[tuple[int, int]], threshold: int, zeros: bool) -> dict:
    """Every integer completion of a table with row, column and grand totals, by enumeration."""
    n_rows, n_cols = inner.shape
    full = np.zeros((n_rows + 1, n_cols + 1), dtype=int)
    full[:n_rows, :n_cols] = inner
    full[n_rows, :n_cols] = inner.sum(axis=0)
    full[:n_rows, n_cols] = inner.sum(axis=1)
    full[n_rows, n_cols] = inner.sum()
    cells = sorted(blanks)
    top = int(full[n_rows, n_cols])
    lines = [[(r, c) for c in range(n_cols + 1)] for r in range(n_rows + 1)]
    lines += [[(r, c) for r in range(n_rows + 1)] for c in range(n_cols + 1)]
    # equations: each line's last cell (a total) is the sum of the others
    # groups: blanks linked through equations that hold two blanks or more
    parent = {b: b for b in cells}

    def find(x):
        while parent[x] != x:
            x = parent[x]
        return x

    for line in lines:
        inside = [x for x in line if x in blanks]
        for x in inside[1:]:
            parent[find(x)] = find(inside[0])
    groups: dict = {}
    for b in cells:
        groups.setdefault(find(b), []).append(b)
    low = 1 if zeros else 0
    found: dict = {}
    for group in groups.values():
        # blanks of different groups share no equation: each group is enumerated alone, the
        # others at their true values; where the rule admits no completion it is dropped (as the audit does)
        combos = np.array(list(itertools.product(range(low, top + 1), repeat=len(group))), dtype=int)
        t = np.broadcast_to(full, (len(combos), *full.shape)).copy()
        for k, (r, c) in enumerate(group):
            t[:, r, c] = combos[:, k]
        sums = ((t[:, :n_rows, :].sum(axis=1) == t[:, n_rows, :]).all(axis=1)
                & (t[:, :, :n_cols].sum(axis=2) == t[:, :, n_cols]).all(axis=1))
        primary = (combos < threshold).any(axis=1) if threshold else np.ones(len(combos), dtype=bool)
        ok = sums & primary if (sums & primary).any() else sums
        seen = {b: (int(combos[ok, k].min()), int(combos[ok, k].max())) if ok.any() else (None, None)
                for k, b in enumerate(group)}
        found.update(seen)
    return found


def random_table(seed: int) -> tuple[np.ndarray, set[tuple[int, int]], int, bool, dict]:
    """A 2 × 3 table with its margins, three of its twelve cells blanked."""
    rng = random.Random(seed)
    inner = np.array([[rng.randint(0 if seed % 2 else 1, 6) for _ in range(3)] for _ in range(2)])
    full = np.zeros((3, 4), dtype=int)
    full[:2, :3] = inner
    full[2, :3] = inner.sum(axis=0)
    full[:2, 3] = inner.sum(axis=1)
    full[2, 3] = inner.sum()
    # a table that prints zeros never blanks one (the audit then takes every blank as at least 1)
    positions = [(r, c) for r in range(3) for c in range(4) if full[r, c] > 0]
    blanks = set(rng.sample(positions, 3))
    zeros = any(full[r, c] == 0 for r in range(3) for c in range(4) if (r, c) not in blanks)
    threshold = 5 if seed % 3 else 0
    cells = {(MRCS[r], STREAMS[c]): (None if (r, c) in blanks else int(full[r, c])) for r in range(3) for c in range(4)}
    return inner, blanks, threshold, zeros, {"id": f"t{seed + 1}", "structure": "invitations-by-mrc-stream",
                                             "threshold": threshold, "rows": grid(cells)}


MRCS, STREAMS = ["140", "080", "_T"], ["pstq-1", "pstq-2", "pstq-3", "_T"]
SEEDS = range(16)


def test_bounds_equal_a_brute_force_enumeration(tmp_path):
    tables = [random_table(seed) for seed in SEEDS]
    audit = audit_of(make_data(tmp_path, [t[-1] for t in tables]))  # independent tables, audited together
    for seed, (inner, blanks, threshold, zeros, _) in zip(SEEDS, tables, strict=True):
        got = {(MRCS.index(c.entry.cell.codes[1]), STREAMS.index(c.entry.cell.codes[2])): (c.lower, c.upper)
               for c in audit.cells if c.entry.dataset == f"99001-t{seed + 1}"}
        assert got == enumerate_bounds(inner, blanks, threshold, zeros), seed


# ---------------------------------------------------------------------------- the five letters

@pytest.fixture(scope="module")
def letters():
    project = load_project()
    return project, project.audit()


def test_30735_blanks(letters):
    _, audit = letters
    b = {(c.entry.dataset, *c.entry.cell.codes[1:]): (c.lower, c.upper) for c in audit.cells}
    # table 1: La Mitis 9 ? 20 and Les Basques ? 15 ? 25, columns 337 and 148 (no zero printed: blanks ≥ 0)
    assert b[("30735-t1", "090", "pstq-1")] == (3, 11)
    assert b[("30735-t1", "110", "pstq-1")] == (2, 10)
    assert b[("30735-t1", "090", "pstq-3")] == b[("30735-t1", "110", "pstq-3")] == (0, 8)
    # table 2: Les Basques' and Témiscouata's blanked row totals add up to 194 − 187 = 7
    assert b[("30735-t2", "110", "_T")] == (1, 4)
    assert b[("30735-t2", "130", "_T")] == (3, 6)
    # table 4: Kamouraska 2023 and « inconnue » 2023 share 28 − 25 = 3, each at least 1
    t4 = {c.entry.cell.codes[:2]: (c.lower, c.upper) for c in audit.cells if c.entry.dataset == "30735-t4"}
    assert t4[("2023", "140")] == t4[("2023", "_U")] == (1, 2)
    narrow = {(c.entry.dataset, *c.entry.cell.codes) for c in audit.narrow}
    assert ("30735-t4", "2023", "_U", "peq-graduates") in narrow
    assert not audit.disclosed and not audit.contradictions


def test_30735_t3_leaves_the_uncertain_zeros_aside_and_drops_the_threshold_rule(letters):
    _, audit = letters
    t3 = [c for c in audit.cells if c.entry.dataset == "30735-t3"]
    assert [(c.entry.cell.codes[0], c.lower, c.upper) for c in t3] == [("2024", 1, 10), ("2025", 1, 6)]
    assert all("primary-group" not in c.rules for c in t3)
    assert len(audit.aside) == 28 and all(e.cell.status == "not-available" for e in audit.aside)


def test_31180_two_blanked_rows_sum_to_22(letters):
    _, audit = letters
    rows = {c.entry.cell.codes[1]: c for c in audit.cells if c.entry.dataset == "31180-t1" and c.entry.count}
    assert {k: (c.lower, c.upper) for k, c in rows.items()} == {"_U": (0, 22), "_Z": (0, 22)}
    p = audit.problem
    [u, z] = (p.var_of[rows[k].entry.id] for k in ("_U", "_Z"))
    comp = p.components[p.component_of[u]]
    assert sorted(comp.variables) == sorted([u, z])
    [row] = comp.rows
    coef = p.matrix.toarray()[row]
    assert coef[u] == coef[z] and p.lo[row] == p.hi[row] == 22 * coef[u]  # x_U + x_Z = 5109 − 5087


def test_facts_across_letters(letters):
    _, audit = letters
    found = [(f.fact.kind, f.verdict, sorted(f.figures.values())) for f in audit.facts if f.fact.kind != "share"]
    assert ("rounds", "agrees", [2552, 2557, 5109]) in found  # 31180's total against 30952's two rounds
    assert ("within", "agrees", [55, 94]) in found  # Rimouski against the MRC Rimouski-Neigette
    shares = [f for f in audit.facts if f.fact.kind == "share"]
    assert [f.verdict for f in shares].count("as-printed") == 1  # 613 printed as 8,5 %


def test_cli_csv_has_one_row_per_suppressed_cell(letters):
    result = run("audit", "--format", "csv")
    assert result.exit_code == 0
    rows = list(csv.DictReader(result.output.splitlines()))
    assert len(rows) == 31
    assert {"dataset", "observation", "lower", "upper", "disclosed", "constraints"} <= set(rows[0])
    u = next(r for r in rows if r["observation"].endswith("/31180-t1/obs/2026-01--2026-02/_U/invitedPersons"))
    assert (u["lower"], u["upper"], u["disclosed"]) == ("0", "22", "false")
    assert "Σ municipality" in u["constraints"]


def test_cli_usage_errors_exit_2(tmp_path):
    assert run("audit", "--dataset", "nope").exit_code == 2
    assert run("--data", str(tmp_path), "audit").exit_code == 2


def test_export_carries_the_bounds_and_validate_warns_of_a_disclosed_cell(tmp_path):
    cells = {("140", "pstq-1"): 25, ("140", "pstq-2"): 45, ("140", "pstq-3"): None, ("140", "_T"): 85}
    data = make_data(tmp_path, [{"id": "t1", "structure": "invitations-by-mrc-stream", "threshold": 5,
                                 "rows": grid(cells)}])
    out = tmp_path / "cube.nt"
    assert run("--data", str(data), "export", "--format", "nt", "-o", str(out)).exit_code == 0
    obs = "<https://w3id.org/mifi-rdf/dataset/99001-t1/obs/2025-07-01--2026-02-28/140/pstq-3/invitedPersons>"
    lines = [x for x in out.read_text(encoding="utf-8").splitlines() if x.startswith(obs)]
    assert f'{obs} <https://w3id.org/mifi-rdf/def/lowerBound> "15"^^<http://www.w3.org/2001/XMLSchema#integer> .' in lines
    assert f'{obs} <https://w3id.org/mifi-rdf/def/upperBound> "15"^^<http://www.w3.org/2001/XMLSchema#integer> .' in lines
    result = run("--data", str(data), "validate", "--format", "json")
    assert result.exit_code == 0
    hits = [r for r in json.loads(result.output)["results"] if r["rule"] == "disclosed-cell"]
    assert len(hits) == 1 and hits[0]["severity"] == "Warning" and "single value: 15" in hits[0]["message"]


def test_the_bundled_export_bounds_every_blank(letters):
    project, audit = letters
    attrs = project.bound_attributes()
    assert len(attrs) == len(audit.cells) == 31
    base = project.vocab.base
    u = {p.value.removeprefix(base): o.value for p, o in attrs[("31180-t1", ("2026-01--2026-02", "_U"), "invitedPersons")]}
    assert u == {"def/lowerBound": "0", "def/upperBound": "22", "def/boundsMethod": base + "def/integer-programming-bounds"}


def test_cli_ttl_and_french_text():
    import pyoxigraph as ox

    ttl = run("audit", "--format", "ttl", "--dataset", "31180-t1")
    assert ttl.exit_code == 0
    triples = list(ox.parse(ttl.output.encode("utf-8"), format=ox.RdfFormat.TURTLE))
    lower = [t for t in triples if t.predicate.value.endswith("def/lowerBound")]
    assert len(lower) == 4 and {t.subject.value.rsplit("/obs/", 1)[1] for t in lower} == {
        "2026-01--2026-02/_U/invitedPersons", "2026-01--2026-02/_U/percentInvited",
        "2026-01--2026-02/_Z/invitedPersons", "2026-01--2026-02/_Z/percentInvited"}
    text = run("audit", "--lang", "fr", "--dataset", "30735-t4").output
    assert "Cellules divulguées (0) :" in text
    assert "30735-t4 2023/_U/peq-graduates certificatesIssued « MRC de destination inconnue » [1, 2]" in text
    assert "la règle seule dit [1, 4]" in text


def test_bounds_computed_group_by_group_equal_the_whole_audit(tmp_path):
    # MRC 090 (La Mitis) and 110 are blanked and add up to 20; another table of the same period
    # prints 12 for La Rédemption, a municipality of La Mitis: that table alone lifts 090 to [12, 20].
    # Audited table by table, 090 would be [0, 20]; the groups must keep the two tables together.
    from mifi_rdf.audit.grouped import grouped_bound_attributes
    from mifi_rdf.audit.report import attributes

    mrc = [(PERIOD, "090", "_T", "invitedPersons", "", "confidential"),
           (PERIOD, "110", "_T", "invitedPersons", "", "confidential"),
           (PERIOD, "_T", "_T", "invitedPersons", "20", "total")]
    towns = [(PERIOD, "09005", "invitedPersons", "12", "published")]
    data = make_data(tmp_path, [{"id": "t1", "structure": "invitations-by-mrc-stream", "rows": mrc},
                                {"id": "t2", "structure": "invitations-by-municipality", "rows": towns}])
    project = load_project(data=data, cells=False)  # as `export` loads it: no cell until asked for
    tables = [t for letter in project.letters for t in letter.tables]
    grouped = project.bound_attributes()
    assert all(not t.cells for t in tables)  # the cells read for the audit were let go
    whole = attributes(audit_of(data), project.vocab.base)
    assert grouped == whole

    def bounds(attrs, mrc_code):
        return [o.value for _, o in attrs[("99001-t1", (PERIOD, mrc_code, "_T"), "invitedPersons")]][:2]

    assert bounds(grouped, "090") == ["12", "20"] and bounds(grouped, "110") == ["0", "8"]
    from mifi_rdf.load.tables import load_cells

    one = grouped_bound_attributes(tables[:1], project.vocab, lambda t: load_cells(t, project.vocab))
    assert bounds(one, "090") == ["0", "20"]  # what a wrong grouping would have published


def test_the_bundled_bounds_by_group_equal_the_whole_audit_narrow_cells_included(letters):
    from mifi_rdf.audit.report import attributes

    project, audit = letters
    grouped = load_project(cells=False).bound_attributes()  # as export streams it: group by group
    whole = attributes(audit, project.vocab.base)
    assert grouped == whole and len(grouped) == 31
    # 30735 T4: Kamouraska (140) and « inconnue » in 2023, La Matapédia (070) and Témiscouata (130)
    # in 2024, La Matanie (080) and Kamouraska in 2025 (docs/audit.md)
    narrow = {key: grouped.narrow(key) for key in grouped if grouped.narrow(key)}
    assert narrow == {key: whole.narrow(key) for key in whole if whole.narrow(key)}
    assert sorted(k[1][:2] for k in narrow) == [("2023", "140"), ("2023", "_U"), ("2024", "070"), ("2024", "130"),
                                                ("2025", "080"), ("2025", "140")]
    assert {k[0] for k in narrow} == {"30735-t4"} and set(narrow.values()) == {(1, 4)}
