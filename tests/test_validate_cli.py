"""`mifi-rdf validate` and the validation inside `export`, driven through the CLI."""

from __future__ import annotations

import json

import rdflib
from rdflib.namespace import SH

from conftest import run

# Facts about the source letters, published as printed: each is a warning, never a violation.
KNOWN_WARNINGS = {
    ("adjusted-total", "31224-t1", ("8580", "8558")),
    ("adjusted-total", "31224-t1", ("533", "542")),
    ("percentage-as-printed", "31180-t1", ("8.5", "11.998")),
}


def warnings_of(doc) -> set:
    found = set()
    for r in doc["results"]:
        if r["severity"] != "Warning":
            continue
        v = r["values"]
        pair = (v["tv"], v["sum"]) if r["rule"] == "adjusted-total" else (v["pct"], v["expected"])
        found.add((r["rule"], r["dataset"], pair))
    return found


def test_the_bundled_data_conforms_with_the_letters_own_inconsistencies_as_warnings():
    result = run("validate", "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["conforms"] and doc["counts"]["Violation"] == 0
    assert warnings_of(doc) == KNOWN_WARNINGS
    # every cell placed by inference is a note, with its reasoning
    notes = [r for r in doc["results"] if r["severity"] == "Info"]
    assert notes and all(r["rule"] == "inferred-cell" and r["values"].get("note_en") and r["values"].get("note_fr")
                         for r in notes)


def test_strict_makes_the_warnings_fail():
    result = run("validate", "--strict")
    assert result.exit_code == 1
    assert result.output.endswith("0 violations, 3 warnings, 79 notes: does not conform (--strict: warnings fail).\n")


def test_the_report_names_the_cell_and_the_numbers_in_french_and_english():
    en = run("validate").output
    assert ("31224, July 2025 to May 2026 × Quebec selection certificates issued (CSQ): Adjusted total 533, "
            "while its 5 published parts along reference period add up to 542") in en
    fr = run("validate", "--lang", "fr").output
    assert "31224, juillet 2025 à mai 2026 × certificats de sélection du Québec délivrés (CSQ): Total ajusté 533" in fr
    assert "avertissement · Total ajusté différent de la somme [adjusted-total]" in fr


def test_an_exported_file_gets_the_same_verdict_as_the_graph_built_from_data(export_dir):
    from_data = json.loads(run("validate", "--format", "json").output)
    for name in ("cube.ttl", "cube.jsonld", "cube.trig"):
        from_file = json.loads(run("validate", str(export_dir / name), "--format", "json").output)
        assert from_file["results"] == from_data["results"], name


def test_the_shacl_report_in_turtle_is_a_validation_report():
    result = run("validate", "--format", "ttl")
    g = rdflib.Graph().parse(data=result.output, format="turtle")
    report = next(g.subjects(rdflib.RDF.type, SH.ValidationReport))
    assert g.value(report, SH.conforms).toPython() is True
    results = list(g.objects(report, SH.result))
    assert len(results) == 82  # 3 warnings and 79 inferred cells (4 blanks of 30735 T1 flagged)
    severities = sorted(str(g.value(r, SH.resultSeverity)).rsplit("#", 1)[1] for r in results)
    assert severities.count("Warning") == 3 and severities.count("Info") == 79
    warning = next(r for r in results if g.value(r, SH.resultSeverity) == SH.Warning
                   and "8.5" in str(g.value(r, SH.resultMessage)))
    assert {m.language for m in g.objects(warning, SH.resultMessage)} == {"fr", "en"}


def test_malformed_rdf_is_a_parse_error_with_line_and_column(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix qb: <http://purl.org/linked-data/cube#> .\n<a> qb:dataSet <b> ;\n  qb:x \"unclosed .\n",
                   encoding="utf-8")
    result = run("validate", str(bad))
    assert result.exit_code == 2
    assert f"{bad}:3:" in result.output and "invalid TTL" in result.output


def test_an_unknown_extension_asks_for_the_input_format(tmp_path, export_dir):
    odd = tmp_path / "cube.data"
    odd.write_bytes((export_dir / "cube.nt").read_bytes())
    result = run("validate", str(odd))
    assert result.exit_code == 2 and "--input-format" in result.output
    assert run("validate", str(odd), "--input-format", "nt").exit_code == 0


def break_disclosure(data):
    """Publish 7 invitations for Haïti in the draw of 17 July 2025: under the letter's threshold of 10."""
    path = data / "30952" / "t1.csv"
    text = path.read_text(encoding="utf-8")
    assert "pstq-2025-07-17,HTI,invitations,21,published" in text
    path.write_text(text.replace("pstq-2025-07-17,HTI,invitations,21,published", "pstq-2025-07-17,HTI,invitations,7,published"),
                    encoding="utf-8")


def test_export_refuses_invalid_cubes_and_writes_nothing(data_copy, tmp_path):
    break_disclosure(data_copy)
    out = tmp_path / "cube.ttl"
    result = run("--data", str(data_copy), "export", "-o", str(out))
    assert result.exit_code == 1
    assert not out.exists()
    assert "[disclosure]" in result.output
    assert "Published value 7 is under the letter's suppression threshold (10)" in result.output
    assert "[total-sum]" in result.output  # 248 is no longer the sum of the round
    assert "nothing was written" in result.output


def test_no_validate_writes_anyway_and_says_so(data_copy, tmp_path):
    break_disclosure(data_copy)
    out = tmp_path / "cube.ttl"
    result = run("--data", str(data_copy), "export", "--no-validate", "-o", str(out))
    assert result.exit_code == 0 and out.exists()
    assert "not validated (--no-validate)" in result.output


def test_validate_names_the_broken_cell_of_the_data_folder(data_copy):
    break_disclosure(data_copy)
    result = run("--data", str(data_copy), "validate", "--dataset", "30952-t1")
    assert result.exit_code == 1
    assert "30952 table 1, PSTQ, draw of 17 July 2025 × Haiti × number of invitations: Published value 7" in result.output


def test_build_refuses_invalid_cubes_and_leaves_the_folder_alone(data_copy, tmp_path):
    break_disclosure(data_copy)
    out = tmp_path / "site"
    result = run("--data", str(data_copy), "build", str(out))
    assert result.exit_code == 1 and not out.exists()
    assert "[disclosure]" in result.output
