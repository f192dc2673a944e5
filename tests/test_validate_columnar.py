"""The default engine (observation rules as columnar group-bys, columnar.py / fast.py) reports exactly
what the SPARQL engine reports: the same results with the same bindings, hence the same messages and
the same report bytes in every format and language, on the corpus of broken cubes (read from files),
on the bundled data and on a copy of it with defects put into its cells (read from data/). Where
the columnar form does not apply (a shape changed, an irregular cube) it falls back to SPARQL."""

from __future__ import annotations

import copy
import dataclasses

import pytest

from conftest import ROOT
from mifi_rdf.project import Project
from mifi_rdf.validate import columnar, fast
from mifi_rdf.validate.engine import run_oxigraph, store_from_files
from mifi_rdf.validate.report import Describer, render_json, render_text, render_turtle
from mifi_rdf.validate.results import Report
from mifi_rdf.validate.shapes import Shapes, load_shapes
from test_validate_corpus import BASE, FIXTURES, broken_cube, expectation

# the corpus cubes the columnar form does not reproduce, each for the reason it gives
FALLBACK = {
    "dimension-order": "not in exactly one qb:order slot",
    "dimension-single": "has several values for",
    "ic-01": "belongs to several datasets",
    "ic-02": "has 0 structures",
    "measure-datatype": "is not a plain xsd:integer or xsd:decimal",
    "measure-single": "has several values for .*invitations",
    "two-statuses": "has several values for .*cellStatus",
}


# run by default; the whole corpus is `slow` (about 1 s a cube on the shared 2-core machine)
QUICK = {"base", "measure-undeclared", "disclosed-cell", "total-sum", "percentage", "percentage-as-printed",
         "disclosure", "ic-17", "inferred-cell", "ic-12"}
CORPUS = [pytest.param(n, marks=() if n in QUICK else pytest.mark.slow) for n in ["base", *FIXTURES]]


@pytest.fixture(scope="module")
def shapes() -> Shapes:
    return load_shapes(ROOT / "shapes", BASE)


def full(report: Report) -> list:
    """Results with their bindings: what the messages are made of."""
    return [(r.key, r.bindings) for r in report.results]


def rendered(report: Report, store, base: str) -> dict[str, str]:
    out = {}
    for lang in ("en", "fr"):
        d = Describer(store, report, base, lang)
        out[f"text-{lang}"] = render_text(report, d, lang, show_info=True)
        out[f"json-{lang}"] = render_json(report, d, lang)
    out["ttl"] = render_turtle(report, Describer(store, report, base, "en"))
    return out


def test_every_rule_that_reads_observations_has_a_columnar_form(shapes):
    structural, implemented = columnar.split(shapes.constraints)
    assert {c.shape.rsplit("/", 1)[-1] for c in structural} == columnar.STRUCTURAL
    # one method per constraint, and no fingerprint left over from an older text of the shapes
    assert sorted(columnar.IMPLEMENTED) == sorted(columnar.fingerprint(c) for c, _ in implemented)
    assert all(hasattr(columnar.Rules, method) for _, method in implemented)


def test_a_rule_whose_text_changed_runs_as_sparql(shapes, tmp_path):
    """The fast engine never runs an outdated copy of a rule: it falls back to the rule's SPARQL."""
    changed = [dataclasses.replace(c, select=c.select.replace("?v < ?threshold", "?v <= ?threshold"))
               if c.shape.endswith("/disclosure") else c for c in shapes.constraints]
    edited = Shapes(shapes.graph, changed)
    with pytest.raises(columnar.Irregular, match="disclosure"):
        columnar.split(edited.constraints)
    store = store_from_files([broken_cube("disclosure", tmp_path)], None, BASE)
    assert full(fast.check_store(store, edited, BASE)) == full(run_oxigraph(store, edited))


@pytest.mark.parametrize("name", CORPUS)
def test_the_corpus_gets_the_sparql_engines_results_and_bindings(name, shapes, tmp_path):
    store = store_from_files([broken_cube(name, tmp_path)], None, BASE)
    if name in FALLBACK:
        with pytest.raises(columnar.Irregular, match=FALLBACK[name]):
            fast._columnar(store, shapes, BASE, lambda: fast.observations_from_store(store, BASE))
    else:  # the columnar path itself, not the fallback
        results = fast._columnar(store, shapes, BASE, lambda: fast.observations_from_store(store, BASE))
        assert full(Report(sorted(results), shapes.constraints)) == full(run_oxigraph(store, shapes))
    fast_report, sparql_report = fast.check_store(store, shapes, BASE), run_oxigraph(store, shapes)
    assert full(fast_report) == full(sparql_report)
    if name != "base" and expectation(name)[0] != "none":
        assert fast_report.results  # the fixture breaks or notes something
    assert rendered(fast_report, store, BASE) == rendered(sparql_report, store, BASE)


def table(project: Project, dataset_id: str):
    return next(t for letter in project.letters for t in letter.tables if t.dataset_id == dataset_id)


def replace_cell(t, pick, **changes) -> None:
    i = next(i for i, c in enumerate(t.cells) if pick(c))
    t.cells[i] = dataclasses.replace(t.cells[i], **changes)


@pytest.fixture(scope="module")
def defective(project) -> Project:
    """The bundled project with defects put straight into its cells (past the loader's checks)."""
    p = copy.deepcopy(project)
    t = table(p, "30952-t1")  # invitations by country: a total off by one
    replace_cell(t, lambda c: c.status == "total" and c.value, value=str(int(next(
        c.value for c in t.cells if c.status == "total" and c.value)) + 1))
    threshold = next(x for letter in p.letters for x in letter.tables if x.suppression_threshold > 1)
    replace_cell(threshold, lambda c: c.status == "published" and c.value and int(c.value) > threshold.suppression_threshold,
                 value="1")  # a disclosure (and the totals it belongs to no longer add up)
    shares = table(p, "31180-t1")  # counts and percentages by municipality
    replace_cell(shares, lambda c: c.measure == "percentInvited" and c.status == "published" and not c.inferences,
                 value="99.9")  # a wrong percentage
    gone = next(c for c in reversed(shares.cells)
                if c.measure == "percentInvited" and c.status == "published" and not c.inferences)
    shares.cells.remove(gone)  # a count without its percentage (IC-17)
    replace_cell(t, lambda c: c.status == "published" and c.value, status="confidential")  # a value with a no-value status
    return p


@pytest.mark.parametrize("which", ["bundled", "defective"])
def test_the_cubes_of_data_get_the_sparql_engines_report_in_every_format(which, project, defective):
    p = project if which == "bundled" else defective
    fast_report, fast_store = p.validate(engine="oxigraph")
    sparql_report, sparql_store = p.validate(engine="sparql")
    assert full(fast_report) == full(sparql_report)
    rules = {r.shape.rsplit("/", 1)[-1] for r in fast_report.results}
    if which == "defective":
        assert {"total-sum", "disclosure", "percentage", "ic-17", "value-or-status"} <= rules
    else:
        assert rules == {"adjusted-total", "percentage-as-printed", "inferred-cell"}
    assert rendered(fast_report, fast_store, p.vocab.base) == rendered(sparql_report, sparql_store, p.vocab.base)


def test_the_cubes_of_data_take_the_columnar_path(project, monkeypatch):
    def no_fallback(*args, **kwargs):
        raise AssertionError("fell back to SPARQL")

    monkeypatch.setattr(fast, "run_oxigraph_by_dataset", no_fallback)
    report, _ = project.validate(engine="oxigraph")
    assert report.counts == {"Violation": 0, "Warning": 3, "Info": 79}


def test_an_irregular_structure_falls_back_to_sparql(project, monkeypatch):
    """The same answer when the columnar form cannot apply: here, told that it cannot."""
    def irregular(*args, **kwargs):
        raise columnar.Irregular("for the test")

    monkeypatch.setattr(fast.TableRows, "add", irregular)
    fallen, _ = project.validate(engine="oxigraph")
    assert full(fallen) == full(project.validate(engine="sparql")[0])


def test_decimal_arithmetic_is_pyoxigraphs():
    """100 * count / total truncated at 18 decimals, ROUND halves up, written without trailing zeros."""
    import pyoxigraph as ox

    s = ox.Store()
    for count, total in [(613, 5109), (1, 3), (2, 3), (1, 8000), (1, 1), (0, 5), (5, 8), (1, 200000)]:
        row = next(iter(s.query(f"SELECT (ROUND(1000 * 100 * {count} / {total}) / 1000 AS ?e) WHERE {{}}")))
        assert columnar._decimal_text(columnar._expected(count, total)) == row["e"].value
    assert columnar._agrees("12.0", 613, 5109) and not columnar._agrees("8.5", 613, 5109)
    assert columnar._agrees("66.7", 2, 3) and not columnar._agrees("66.6", 2, 3)


def test_reading_the_tables_one_at_a_time_gives_the_same_report(data_copy):
    """`validate` reads each table's cells, puts them in the table of observations and lets them go;
    the cells a result names are read again for the report's words."""
    from mifi_rdf.project import load_project
    from test_validate_cli import break_disclosure

    break_disclosure(data_copy)
    lazy = load_project(data=data_copy, cells=False)
    report, store = lazy.validate(engine="oxigraph")
    assert all(not t.cells for letter in lazy.letters for t in letter.tables)
    eager = load_project(data=data_copy)
    reference, reference_store = eager.validate(engine="sparql")
    assert {"disclosure", "total-sum"} <= {r.shape.rsplit("/", 1)[-1] for r in report.results}
    assert full(report) == full(reference)
    assert rendered(report, store, lazy.vocab.base) == rendered(reference, reference_store, eager.vocab.base)
