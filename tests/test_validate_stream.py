"""`validate FILE` parses the file as a stream, each observation's statements into integer columns
(validate/stream.py), and reports exactly what validating a store of the whole file reports: the
same results with the same bindings, and the same report bytes in every format and language, on
the corpus of broken cubes, on the export of the bundled data, on files whose statements come in
an unusual order, and on input the columns do not take (which falls back to the whole store)."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest

from conftest import ROOT, run
from mifi_rdf.validate.engine import store_from_files
from mifi_rdf.validate.fast import check_store
from mifi_rdf.validate.shapes import Shapes, load_shapes
from mifi_rdf.validate.stream import Parsed
from test_validate_columnar import FALLBACK, full, rendered
from test_validate_corpus import BASE, FIXTURES, broken_cube

QUICK = {"base", "disclosed-cell", "total-sum", "percentage", "ic-12", "ic-13", "inferred-cell", "revision-target",
         "ic-01", "two-statuses"}


@pytest.fixture(scope="module")
def shapes() -> Shapes:
    return load_shapes(ROOT / "shapes", BASE)


def same_as_the_whole_store(path: Path, shapes: Shapes) -> Parsed:
    """Validate `path` both ways and compare results, bindings and rendered reports; the Parsed."""
    parsed = Parsed([path], None, BASE)
    columns = parsed.columns
    report = parsed.check(shapes)
    parsed.columns = columns  # for the caller's assertions on the path taken
    store = store_from_files([path], None, BASE)
    reference = check_store(store, shapes, BASE)
    assert full(report) == full(reference)
    assert rendered(report, parsed.store, BASE) == rendered(reference, store, BASE)
    return parsed


@pytest.mark.parametrize("name", [pytest.param(n, marks=() if n in QUICK else pytest.mark.slow)
                                  for n in ["base", *FIXTURES]])
def test_the_corpus_gets_the_stores_report(name, shapes, tmp_path):
    parsed = same_as_the_whole_store(broken_cube(name, tmp_path), shapes)
    if name not in FALLBACK:  # parsed into columns, not into a whole store
        assert parsed.columns is not None and parsed.columns.subjects


def nt_lines(path: Path) -> list[str]:
    store = ox.Store()
    store.load(path=str(path), format=ox.RdfFormat.TURTLE)
    text = ox.serialize((ox.Triple(q.subject, q.predicate, q.object) for q in store), format=ox.RdfFormat.N_TRIPLES)
    return text.decode("utf-8").splitlines(keepends=True)


def test_statements_before_the_one_that_makes_an_observation(shapes, tmp_path):
    """Each observation's values before its rdf:type and qb:dataSet: moved from the store to the columns."""
    lines = nt_lines(broken_cube("total-sum", tmp_path))
    late = [x for x in lines if " <http://purl.org/linked-data/cube#dataSet> " in x or "cube#Observation> ." in x]
    path = tmp_path / "late.nt"
    path.write_text("".join([x for x in lines if x not in late] + late), encoding="utf-8")
    parsed = same_as_the_whole_store(path, shapes)
    assert parsed.columns is not None and len(parsed.columns.early) == len(parsed.columns.subjects) > 0


def test_an_observation_that_is_also_a_concept_is_validated_in_a_whole_store(shapes, tmp_path):
    """concept-labels reads the labels of every skos:Concept: such an observation stays in a store."""
    lines = nt_lines(broken_cube("base", tmp_path))
    obs = next(x.split(" ")[0] for x in lines if "cube#Observation> ." in x)
    path = tmp_path / "concept.nt"
    path.write_text("".join(lines) + f"{obs} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
                    "<http://www.w3.org/2004/02/skos/core#Concept> .\n", encoding="utf-8")
    parsed = same_as_the_whole_store(path, shapes)
    assert parsed.columns is None
    assert any(r.shape.endswith("/concept-labels") and r.focus.value == obs.strip("<>")
               for r in check_store(store_from_files([path], None, BASE), shapes, BASE).results)


def test_a_repeated_statement_counts_once(shapes, tmp_path):
    """The store keeps a statement once; a file may say it twice (then the columns fall back)."""
    lines = nt_lines(broken_cube("disclosure", tmp_path))
    value = next(x for x in lines if "/def/invitations> \"" in x)
    path = tmp_path / "twice.nt"
    path.write_text("".join(lines) + value, encoding="utf-8")
    same_as_the_whole_store(path, shapes)


def test_the_export_of_the_bundled_data(shapes, tmp_path):
    out = tmp_path / "cubes.nt"
    assert run("export", "--no-validate", "--format", "nt", "-o", str(out)).exit_code == 0
    parsed = same_as_the_whole_store(out, shapes)
    assert parsed.columns is not None and len(parsed.columns.subjects) > 500
    # and through the CLI: the observations' labels in the report come from the columns put back
    text = run("validate", str(out), "--format", "json")
    doc = json.loads(text.output)
    assert doc["counts"]["Violation"] == 0 and doc["results"]
    cells = [r["cell"] for r in doc["results"] if "/obs/" in r["value"]]
    assert cells and all(" × " in c for c in cells)  # each observation named by its dimensions' labels
