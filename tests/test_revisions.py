"""A letter that restates cells already in the data folder: confirmed, or revised only when a person accepts it.

tests/letters/40455-revision.txt restates the round of 4 December 2025 (30952 table 5) with France 421
and Tunisie 239 where 30952 says 418 and 241 (so a total of 1877, not 1876); its 22 other rows are
equal. Everything runs on a copy of data/ and ontology/ in tmp_path.
"""

from __future__ import annotations

import csv
import shutil
import tomllib
from pathlib import Path

import pytest
import rdflib

from conftest import ROOT, run

LETTER = ROOT / "tests" / "letters" / "40455-revision.txt"
PROV_REVISION = rdflib.URIRef("http://www.w3.org/ns/prov#wasRevisionOf")
QB_DATASET = rdflib.URIRef("http://purl.org/linked-data/cube#dataSet")
BASE = "https://w3id.org/mifi-rdf/"


def project_copy(root: Path) -> tuple[Path, Path]:
    data = Path(shutil.copytree(ROOT / "data", root / "data"))
    ontology = Path(shutil.copytree(ROOT / "ontology", root / "ontology"))
    return data, ontology


def files_under(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def accepted(tmp_path_factory) -> tuple[Path, Path, str]:
    data, ontology = project_copy(tmp_path_factory.mktemp("accepted"))
    result = run("--data", str(data), "--ontology", str(ontology), "ingest", str(LETTER), "--accept-revisions")
    assert result.exit_code == 0, result.output
    return data, ontology, result.stdout


def test_a_different_figure_is_named_and_refused_without_acceptance(tmp_path):
    data, ontology = project_copy(tmp_path)
    before = files_under(tmp_path)
    result = run("--data", str(data), "--ontology", str(ontology), "ingest", str(LETTER))
    assert result.exit_code == 1
    assert "REVISION       30952-t5 France 418 → 40455-t1 421 (refused without --accept-revisions)" in result.stdout
    assert "REVISION       30952-t5 Tunisie 241 → 40455-t1 239 (refused without --accept-revisions)" in result.stdout
    assert "REVISION       30952-t5 Total 1876 → 40455-t1 1877 (refused without --accept-revisions)" in result.stdout
    assert result.stdout.count("confirmed      30952-t5 ") == 22
    assert "confirmed      30952-t5 Cameroun 200 (pstq-2025-12-04/CMR invitations)" in result.stdout
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 3
    assert errors[0].startswith("error: ") and ":25:8: 30952-t5 France 418 → 40455-t1 421: " in errors[0]
    assert "--accept-revisions" in errors[0]
    assert files_under(tmp_path) == before, "nothing written"


def test_an_accepted_revision_is_recorded_in_letter_toml_and_the_cell_note(accepted):
    data, _, stdout = accepted
    assert "REVISION       30952-t5 France 418 → 40455-t1 421\n" in stdout
    doc = tomllib.loads((data / "40455" / "letter.toml").read_text(encoding="utf-8"))
    assert doc["table"][0]["revises"] == [
        {"codes": "pstq-2025-12-04/FRA", "measure": "invitations", "of": "30952-t5"},
        {"codes": "pstq-2025-12-04/TUN", "measure": "invitations", "of": "30952-t5"},
        {"codes": "pstq-2025-12-04/_T", "measure": "invitations", "of": "30952-t5"},
    ]
    with (data / "40455" / "t1.csv").open(encoding="utf-8", newline="") as f:
        cells = {r["country"]: r for r in csv.DictReader(f)}
    assert cells["FRA"]["value"] == "421"
    assert "tableau 5 de la lettre 30952 (418)" in cells["FRA"]["note_fr"]
    assert "table 5 of letter 30952 (418)" in cells["FRA"]["note_en"]
    assert cells["CMR"]["note_fr"] == "" and cells["CMR"]["value"] == "200"


def test_the_cube_says_prov_was_revision_of_an_observation_that_exists(accepted, tmp_path):
    data, ontology, _ = accepted
    out = tmp_path / "cube.nt"
    result = run("--data", str(data), "--ontology", str(ontology), "export", "--format", "nt", "-o", str(out),
                 "--dataset", "40455-t1", "--dataset", "30952-t5")
    assert result.exit_code == 0, result.output
    g = rdflib.Graph().parse(out, format="nt")
    pairs = sorted((str(s), str(o)) for s, o in g.subject_objects(PROV_REVISION))
    assert pairs == [(f"{BASE}dataset/40455-t1/obs/pstq-2025-12-04/{c}/invitations",
                      f"{BASE}dataset/30952-t5/obs/pstq-2025-12-04/{c}/invitations") for c in ("FRA", "TUN", "_T")]
    for _, earlier in pairs:
        assert g.value(rdflib.URIRef(earlier), QB_DATASET) == rdflib.URIRef(f"{BASE}dataset/30952-t5")


def test_the_audit_lists_every_revision_among_the_contradictions(accepted):
    data, ontology, _ = accepted
    result = run("--data", str(data), "--ontology", str(ontology), "audit")
    assert result.exit_code == 0, result.output  # each is a recorded revision: listed, not a fault of the data
    text = result.stdout
    section = text.split("Contradictions between published figures (3):\n", 1)[1].split("\n\n", 1)[0]
    assert section.splitlines() == [
        "  30952-t5 pstq-2025-12-04/FRA invitations 418 → 40455-t1 pstq-2025-12-04/FRA invitations 421 (prov:wasRevisionOf)",
        "  30952-t5 pstq-2025-12-04/TUN invitations 241 → 40455-t1 pstq-2025-12-04/TUN invitations 239 (prov:wasRevisionOf)",
        "  30952-t5 pstq-2025-12-04/_T invitations 1876 → 40455-t1 pstq-2025-12-04/_T invitations 1877 (prov:wasRevisionOf)",
    ]


def test_a_restated_figure_no_letter_records_as_a_revision_fails_the_audit(accepted, tmp_path):
    """The same three pairs, with the later letter's `revises` list removed by hand: contradictions, exit 1."""
    data = Path(shutil.copytree(accepted[0], tmp_path / "data"))
    toml = data / "40455" / "letter.toml"
    lines = toml.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next(n for n, row in enumerate(lines) if row.startswith("revises"))
    end = next(n for n in range(start, len(lines)) if lines[n].startswith("]"))
    toml.write_text("".join(lines[:start] + lines[end + 1:]), encoding="utf-8")
    result = run("--data", str(data), "--ontology", str(accepted[1]), "audit")
    assert result.exit_code == 1, result.output
    section = result.stdout.split("Contradictions between published figures (3):\n", 1)[1].split("\n\n", 1)[0]
    assert section.splitlines()[0] == ("  30952-t5 pstq-2025-12-04/FRA invitations 418 → 40455-t1 pstq-2025-12-04/FRA "
                                       "invitations 421 (the same cell)")


def test_a_revises_entry_naming_no_table_is_refused_by_the_loader(accepted, tmp_path):
    data = Path(shutil.copytree(accepted[0], tmp_path / "data"))
    toml = data / "40455" / "letter.toml"
    text = toml.read_text(encoding="utf-8")
    toml.write_text(text.replace('of = "30952-t5" },\n]', 'of = "30952-t9" },\n]'), encoding="utf-8")
    line = next(n for n, row in enumerate(toml.read_text(encoding="utf-8").splitlines(), 1) if row.startswith("revises"))
    result = run("--data", str(data), "--ontology", str(accepted[1]), "export", "-o", str(tmp_path / "x.ttl"))
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1] == (
        f"error: {toml}:{line}:1: table 't1': pstq-2025-12-04/_T invitations revises a cell of '30952-t9', which is no "
        "other table of the data folder (expected a dataset id such as 30952-t5)")
    assert not (tmp_path / "x.ttl").exists()


def test_a_figure_where_the_earlier_letter_blanked_the_cell_is_a_revision_and_the_audit_discloses_the_blank(tmp_path):
    """Statuses matter: 30952 table 5 with Iran blanked (confidential) against 40455's 16 is not « confirmed »;
    accepted, the audit reports the earlier blank as disclosed by the later letter's figure."""
    data, ontology = project_copy(tmp_path)
    t5 = data / "30952" / "t5.csv"
    t5.write_text(t5.read_text(encoding="utf-8").replace("IRN,invitations,16,published", "IRN,invitations,,confidential"),
                  encoding="utf-8")
    refused = run("--data", str(data), "--ontology", str(ontology), "ingest", str(LETTER))
    assert refused.exit_code == 1
    assert "REVISION       30952-t5 Iran confidential → 40455-t1 16 (refused without --accept-revisions)" in refused.stdout
    assert run("--data", str(data), "--ontology", str(ontology), "ingest", str(LETTER), "--accept-revisions").exit_code == 0
    audit = run("--data", str(data), "--ontology", str(ontology), "audit").stdout
    disclosed = audit.split("Disclosed cells (", 1)[1].split("\n\n", 1)[0]
    assert disclosed.startswith("1):")
    assert "30952-t5 pstq-2025-12-04/IRN invitations" in disclosed and "= 16" in disclosed


def test_the_shape_finds_a_revision_naming_an_observation_the_graph_lacks(accepted, tmp_path):
    """shape/revision-target on an exported file, by the columnar and the SPARQL engines: the export of both
    datasets conforms; with one revision pointed at a cell 30952-t5 does not have, it violates."""
    data, ontology, _ = accepted
    good = tmp_path / "both.nt"
    assert run("--data", str(data), "--ontology", str(ontology), "export", "--format", "nt", "-o", str(good),
               "--dataset", "40455-t1", "--dataset", "30952-t5").exit_code == 0
    target = f"<{BASE}dataset/30952-t5/obs/pstq-2025-12-04/FRA/invitations>"
    bad = tmp_path / "bad.nt"
    text = good.read_text(encoding="utf-8")
    assert text.count(f"wasRevisionOf> {target}") == 1
    bad.write_text(text.replace(f"wasRevisionOf> {target}", f"wasRevisionOf> {target.replace('/FRA/', '/FRX/')}"),
                   encoding="utf-8")
    for engine in ("oxigraph", "sparql"):
        assert run("validate", str(good), "--engine", engine).exit_code == 0
        result = run("validate", str(bad), "--engine", engine)
        assert result.exit_code == 1, engine
        assert "violation · A revision names an observation that exists [revision-target]" in result.stdout, engine
        assert f"says it revises {BASE}dataset/30952-t5/obs/pstq-2025-12-04/FRX/invitations" in result.stdout, engine
        assert result.stdout.rstrip().endswith("1 violation, 0 warnings, 0 notes: does not conform."), engine


def test_an_export_of_the_revising_dataset_alone_is_not_refused(accepted, tmp_path):
    """The revised observation is in another dataset: a graph without that dataset cannot be checked, and is not refused."""
    data, ontology, _ = accepted
    result = run("--data", str(data), "--ontology", str(ontology), "export", "--format", "nt", "-o", str(tmp_path / "one.nt"),
                 "--dataset", "40455-t1")
    assert result.exit_code == 0, result.output
    assert f"{BASE}dataset/30952-t5/obs/pstq-2025-12-04/FRA/invitations" in (tmp_path / "one.nt").read_text(encoding="utf-8")


def test_the_columnar_check_of_data_finds_a_revised_cell_the_revised_table_lacks(accepted):
    """The path that validates data/ without making statements: a revision in memory that names 30952-t1 (another
    round: no cell pstq-2025-12-04/FRA) is a violation, as the SPARQL rule says of the same cube."""
    from mifi_rdf.project import load_project

    data, ontology, _ = accepted
    project = load_project(data=data, ontology=ontology)
    table = next(t for letter in project.letters if letter.ref == "40455" for t in letter.tables)
    table.revises[(("pstq-2025-12-04", "FRA"), "invitations")] = "30952-t1"
    for engine in ("oxigraph", "sparql"):
        report, _ = project.validate(engine=engine)
        found = [(r.value.value, dict(r.bindings)["revised"].value) for r in report.results
                 if r.shape.endswith("shape/revision-target")]
        assert found == [(f"{BASE}dataset/40455-t1/obs/pstq-2025-12-04/FRA/invitations",
                          f"{BASE}dataset/30952-t1/obs/pstq-2025-12-04/FRA/invitations")], engine


def test_a_revises_entry_without_its_fields_is_refused_with_its_line(accepted, tmp_path):
    data = Path(shutil.copytree(accepted[0], tmp_path / "data"))
    toml = data / "40455" / "letter.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('measure = "invitations", of = "30952-t5" },\n]',
                                                             'of = "30952-t5" },\n]'), encoding="utf-8")
    line = next(n for n, row in enumerate(toml.read_text(encoding="utf-8").splitlines(), 1) if row.startswith("revises"))
    result = run("--data", str(data), "--ontology", str(accepted[1]), "export", "-o", str(tmp_path / "x.ttl"))
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1] == (
        f"error: {toml}:{line}:1: field 'revises': each entry needs the text fields codes, measure, of and nothing else")
