"""`mifi-rdf ingest`: the five letters re-ingested from their text, our own test letters, bad input.

Every run goes through the CLI in-process, into a temporary data folder and (where a new code may be
added) a temporary copy of the ontology, so the repository is never written.
"""

from __future__ import annotations

import csv
import json
import shutil
import tomllib
from pathlib import Path

import pytest

from conftest import ROOT, run
from mifi_rdf.ingest.labels import CodeIndex
from mifi_rdf.ingest.numbers import NotANumber, parse_figure, readings
from mifi_rdf.load.vocabulary import load_vocabulary

LETTERS = ROOT / "sources" / "letters"
TEST_LETTERS = ROOT / "tests" / "letters"
KEY = ["measure", "value", "status", "inference", "source_label"]  # everything but the note


@pytest.fixture
def ontology(tmp_path) -> Path:
    """A private copy of ontology/ that ingest may add rounds and periods to."""
    return Path(shutil.copytree(ROOT / "ontology", tmp_path / "ontology"))


def ingest(data: Path, ontology: Path, *args: str):
    return run("--data", str(data), "--ontology", str(ontology), "ingest", *args)


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def files_under(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# ---------------------------------------------------------------- the five letters


@pytest.mark.parametrize("ref", ["30952", "31180", "31224"])
def test_reingested_letter_equals_the_curated_data_cell_for_cell(ref, tmp_path, ontology):
    data = tmp_path / "data"
    before = files_under(ontology)
    result = ingest(data, ontology, str(LETTERS / f"{ref}.txt"))
    assert result.exit_code == 0, result.output
    assert files_under(ontology) == before, "no new code: every round and period of these letters is known"
    curated = tomllib.loads((ROOT / "data" / ref / "letter.toml").read_text(encoding="utf-8"))
    written = tomllib.loads((data / ref / "letter.toml").read_text(encoding="utf-8"))
    for field in ("ref", "letter_date", "received", "clarified", "programs", "articles"):
        assert written[field] == curated[field], field
    assert [r["point"] for r in written["refused"]] == [r["point"] for r in curated["refused"]]
    assert len(written["table"]) == len(curated["table"])
    for mine, theirs in zip(written["table"], curated["table"], strict=True):
        for field in ("id", "number", "caption", "structure", "notes", "extraction_date", "suppression_threshold",
                      "suppression_method"):
            assert mine[field] == theirs[field], f"{mine['id']} {field}"
        assert mine.get("data_as_of", "") == theirs.get("data_as_of", "")
        got, want = rows(data / ref / f"{mine['id']}.csv"), rows(ROOT / "data" / ref / f"{theirs['id']}.csv")
        dims = [c for c in want[0] if c not in KEY + ["note_fr", "note_en"]]
        assert [[r[c] for c in dims + KEY] for r in got] == [[r[c] for c in dims + KEY] for r in want]
        assert all(r["note_fr"] and r["note_en"] for r in got if r["inference"]), "every inference explained"


def test_30735_forced_placements_are_written_and_the_rest_is_left_to_a_person(tmp_path, ontology):
    data, report = tmp_path / "data", tmp_path / "report.json"
    result = ingest(data, ontology, str(LETTERS / "30735.txt"), "--report", str(report))
    assert result.exit_code == 0, result.output
    doc = json.loads(report.read_text(encoding="utf-8"))
    need = {t["id"]: t["need_a_person"] for t in doc["tables"]}
    assert need["t1"] == [] and need["t4"] == []
    assert any("« MRC Kamouraska » column « Volet 2 »" in x for x in need["t2"])
    assert any("« MRC de la Matanie » column « 2023 »" in x for x in need["t3"])
    assert "NEEDS A PERSON line 221 « MRC Kamouraska » column « Volet 1 »" in result.output
    compared = 0
    for t in ("t1", "t2", "t3", "t4"):
        key = ("period", "mrc", "stream", "measure")
        want = {tuple(r[c] for c in key): r for r in rows(ROOT / "data" / "30735" / f"{t}.csv")}
        for r in rows(data / "30735" / f"{t}.csv"):
            theirs = want[tuple(r[c] for c in key)]
            if r["value"]:  # a value ingest publishes is the curated one, with the same status
                assert (r["value"], r["status"]) == (theirs["value"], theirs["status"]), r
                compared += 1
            elif "column-uncertain" in r["inference"]:
                assert r["status"] == "not-available"  # claims nothing
            else:  # a blank ingest placed is blank in data/ too
                assert not theirs["value"] and theirs["status"] == r["status"], r
    assert compared == 84  # every published value of 30735 except those a person placed by the layout
    la_mitis = {r["stream"]: r for r in rows(data / "30735" / "t1.csv") if r["mrc"] == "090"}
    assert la_mitis["pstq-2"]["value"] == "9" and la_mitis["pstq-2"]["inference"] == "column-from-totals"


def test_25623_is_refused_with_every_row_that_needs_a_person(tmp_path, ontology):
    data = tmp_path / "data"
    result = ingest(data, ontology, str(LETTERS / "25623.txt"))
    assert result.exit_code == 1
    assert "this header cannot be read" in result.output
    assert "line 74 « RE dans la BDI avec une OEV et personnes visées par l'article 26 du RIQ, 2021-01-26 »: figures « 6 / 5 »" \
        in result.output
    assert result.output.count("NEEDS A PERSON") >= 41
    assert not data.exists() or not any(data.iterdir())


# ---------------------------------------------------------------- our test letters


def test_new_round_typo_and_page_break(tmp_path, ontology):
    data = tmp_path / "data"
    result = ingest(data, ontology, str(TEST_LETTERS / "40001-new-round.txt"))
    assert result.exit_code == 0, result.output
    rounds = (ontology / "codes" / "rounds.ttl").read_text(encoding="utf-8")
    assert ('skos:prefLabel "PSTQ, ronde du 9 avril 2026"@fr, "PSTQ, draw of 9 April 2026"@en ;\n'
            '    dcterms:date "2026-04-09"^^xsd:date ;\n    def:program <code/program/pstq> ;\n'
            '    dcterms:source <letter/40001> .') in rounds
    assert "<code/round/pstq-2026-03-20>, <code/round/pstq-2026-04-09>, <code/round/prtq-2021-01-26>" in rounds
    got = rows(data / "40001" / "t1.csv")
    assert [(r["country"], r["value"], r["status"], r["inference"], r["source_label"]) for r in got] == [
        ("FRA", "512", "published", "", "France"),
        ("CMR", "1204", "published", "", "Cameroun"),
        ("MAR", "87", "published", "typo-fixed", "Marroc"),
        ("TUN", "45", "published", "", "Tunisie"),
        ("_O", "131", "residual", "", "Autres"),
        ("_T", "1979", "total", "", "Total"),
    ]
    assert {r["round"] for r in got} == {"pstq-2026-04-09"}
    assert "page break     line 31: repeated header skipped" in result.output
    # the new letter is published like the others
    export = run("--data", str(data), "--ontology", str(ontology), "export", "--format", "nt")
    assert export.exit_code == 0
    assert "/code/round/pstq-2026-04-09>" in export.output
    # idempotent: the same letter again gives the same bytes, and the round is not added twice
    first, ont = files_under(data), files_under(ontology)
    again = ingest(data, ontology, str(TEST_LETTERS / "40001-new-round.txt"))
    assert again.exit_code == 2 and "already in the data folder" in again.output
    replaced = ingest(data, ontology, str(TEST_LETTERS / "40001-new-round.txt"), "--replace")
    assert replaced.exit_code == 0, replaced.output
    assert files_under(data) == first and files_under(ontology) == ont


def test_countries_absent_from_the_code_list_are_reported_then_matched_once_listed(tmp_path, ontology):
    """« Allemagne » is in no letter but in the code list (every ISO 3166-1 country); « Kosovo » is not
    an ISO 3166-1 country: it is refused, never guessed, until a person adds a code for it."""
    data = tmp_path / "data"
    letter = str(TEST_LETTERS / "40002-absent-countries.txt")
    result = ingest(data, ontology, letter)
    assert result.exit_code == 1
    assert "Allemagne" not in result.output
    assert "40002-absent-countries.txt:18:1: « Kosovo » is not a label of code/country" in result.output
    assert not data.exists() or not any(data.iterdir())
    with (ontology / "codes" / "countries.ttl").open("a", encoding="utf-8") as f:
        f.write('\n<code/country/XKX> a skos:Concept ;\n    skos:inScheme <code/country> ;\n'
                '    skos:topConceptOf <code/country> ;\n    skos:notation "XKX" ;\n'
                '    skos:prefLabel "Kosovo"@fr, "Kosovo"@en .\n')
    result = ingest(data, ontology, letter)
    assert result.exit_code == 0, result.output
    assert [r["country"] for r in rows(data / "40002" / "t1.csv")] == ["FRA", "DEU", "XKX", "_O", "_T"]


def test_country_names_people_write_are_coded_without_a_mapping(tmp_path, ontology):
    """« Russie », MIFI's spelling, was unknown (ISO says « Russie, Fédération de »): CLDR's French names are altLabels."""
    data = tmp_path / "data"
    result = ingest(data, ontology, str(TEST_LETTERS / "40023-country-names.txt"))
    assert result.exit_code == 0, result.output
    got = {r["source_label"]: (r["country"], r["inference"]) for r in rows(data / "40023" / "t1.csv")}
    assert got["Russie"] == ("RUS", "") and got["Corée du Sud"] == ("KOR", "") and got["Moldavie"] == ("MDA", "")
    assert got["Viet Nam"] == ("VNM", "label-variant")  # CLDR and ISO write « Viêt Nam »: a variant, recorded


def test_a_homonym_is_never_picked_until_a_person_says_which(tmp_path, ontology):
    data = tmp_path / "data"
    letter = str(TEST_LETTERS / "40003-homonym.txt")
    result = ingest(data, ontology, letter)
    assert result.exit_code == 1
    assert ("40003-homonym.txt:15:1: « Saint-Lambert » names more than one code of code/municipality: "
            "58012 Saint-Lambert (Ville, Montérégie); 87120 Saint-Lambert (Paroisse, Abitibi-Ouest)") in result.output
    assert not data.exists() or not any(data.iterdir())
    assert not (ontology / "codes" / "periods.ttl").read_text(encoding="utf-8").count("2026-03--2026-04")
    mapping = tmp_path / "mapping.txt"
    mapping.write_text("# decided by a person\nSaint-Lambert = 58012\n", encoding="utf-8")
    result = ingest(data, ontology, letter, "--mapping", str(mapping))
    assert result.exit_code == 0, result.output
    got = {(r["municipality"], r["measure"]): r for r in rows(data / "40003" / "t1.csv")}
    assert got[("58012", "invitedPersons")]["value"] == "100" and got[("58012", "invitedPersons")]["inference"] == ""
    assert got[("54048", "invitedPersons")]["inference"] == "label-variant"  # « St-Hyacinthe »
    assert got[("65005", "invitedPersons")]["status"] == "confidential"  # « x »
    assert got[("_U", "percentInvited")]["status"] == "confidential"  # blank
    # the percentage column: 9,0 % for 40 of 500 is reported and kept as printed, the others agree
    assert got[("_O", "percentInvited")]["value"] == "9.0"
    assert got[("_O", "percentInvited")]["inference"] == "inconsistent-as-printed"
    assert got[("66023", "percentInvited")]["value"] == "60.0" and got[("66023", "percentInvited")]["inference"] == ""
    periods = (ontology / "codes" / "periods.ttl").read_text(encoding="utf-8")
    assert 'skos:prefLabel "mars et avril 2026"@fr, "March and April 2026"@en' in periods


def test_an_unknown_name_stops_everything_with_its_line_and_close_labels(tmp_path, ontology):
    data = tmp_path / "data"
    result = ingest(data, ontology, str(TEST_LETTERS / "40004-unknown.txt"))
    assert result.exit_code == 1
    assert "40004-unknown.txt:15:1: « Atlantis-sur-Mer » is not a label of code/municipality" in result.output
    assert "Close labels: 09048 Métis-sur-Mer" in result.output
    assert not data.exists() or not any(data.iterdir())
    mapped = ingest(data, ontology, str(TEST_LETTERS / "40004-unknown.txt"), "--map", "Atlantis-sur-Mer=09048")
    assert mapped.exit_code == 0, mapped.output
    row = next(r for r in rows(data / "40004" / "t1.csv") if r["municipality"] == "09048")
    assert row["inference"] == "label-variant" and "by a person" in row["note_en"]


def test_dry_run_writes_nothing_and_the_json_report_says_so(tmp_path, ontology):
    data, report = tmp_path / "data", tmp_path / "r.json"
    before = files_under(ontology)
    result = ingest(data, ontology, str(TEST_LETTERS / "40001-new-round.txt"), "--dry-run", "--report", str(report))
    assert result.exit_code == 0, result.output
    assert not data.exists() or not any(p.name != "r.json" for p in data.iterdir())
    assert files_under(ontology) == before
    doc = json.loads(report.read_text(encoding="utf-8"))
    assert doc["status"] == "checked, not written (--dry-run)"
    t1 = doc["tables"][0]
    assert (t1["cells"], t1["codes_exact"], t1["totals_checked"]) == (6, 5, 1)
    assert t1["typos_fixed"] == [{"label": "Marroc", "code": "MAR", "matched": "Maroc", "line": 27}]
    assert t1["new_codes"] == {"round": ["pstq-2026-04-09"]}


def test_a_table_as_csv_and_as_xlsx_gives_the_same_cells_as_the_text(tmp_path, ontology):
    sheet = [["N/Réf. : 40001"], ["Le 15 mai 2026"], ["Demande d'accès reçue le 20 avril 2026."],
             ["Tableau 1: Nombre d'invitations envoyées aux candidats selon leur pays de citoyenneté pour le Programme "
              "de sélection des travailleurs qualifiés _ Invitation du 9 avril 2026"],
             [""], ["Pays de citoyenneté", "Nombre d'invitations"], ["France", "512"], ["Cameroun", "1 204"],
             ["Marroc", "87"], ["Tunisie", "45"], ["Autres", "131"], ["Total", "1 979"], [""],
             ["Note importante: Afin d'éviter toute possibilité d'identification des personnes, les données inférieures "
              "à 10 ont été regroupées dans « Autres »."],
             ["Source: Direction de la Planification de l'immigration, mai 2026"]]
    as_csv = tmp_path / "40001.csv"
    with as_csv.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([row + [""] * (2 - len(row)) for row in sheet])
    import openpyxl

    book = openpyxl.Workbook()
    for row in sheet:
        book.active.append(row)
    as_xlsx = tmp_path / "40001.xlsx"
    book.save(as_xlsx)
    reference = None
    for source, name in [(TEST_LETTERS / "40001-new-round.txt", "text"), (as_csv, "csv"), (as_xlsx, "xlsx")]:
        result = ingest(tmp_path / name, ontology, str(source), "--dry-run", "--report", str(tmp_path / f"{name}.json"))
        assert result.exit_code == 0, result.output
        doc = json.loads((tmp_path / f"{name}.json").read_text(encoding="utf-8"))["tables"][0]
        summary = (doc["structure"], doc["fixed"], doc["cells"], doc["typos_fixed"][0]["label"], doc["totals_checked"])
        reference = reference or summary
        assert summary == reference == ("invitations-by-country", {"round": "pstq-2026-04-09"}, 6, "Marroc", 1)


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize("name, content, code, message", [
    ("empty.txt", b"", 1, "empty.txt:1:1: the file is empty"),
    ("latin1.txt", "N/Réf. : 40009\nLe 15 mai 2026\n".encode("latin-1"), 2, "latin1.txt:1:4: not UTF-8 (byte 0xe9)"),
    ("letter.pdf.txt", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", 2, "letter.pdf.txt:1:1: this is a PDF, not its text"),
    ("40005-no-total.txt", None, 1, "40005-no-total.txt:9:1: this table has no Total row or column"),
    ("no-table.txt", "Le 15 mai 2026\n\nN/Réf. : 40010\n\nBonjour.\n".encode(), 1, "no-table.txt:1:1: no table found"),
])
def test_bad_input_is_refused_with_its_place_and_nothing_is_written(tmp_path, ontology, name, content, code, message):
    path = TEST_LETTERS / name if content is None else tmp_path / name
    if content is not None:
        path.write_bytes(content)
    data = tmp_path / "data"
    before = files_under(ontology)
    result = ingest(data, ontology, str(path))
    assert result.exit_code == code, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert not data.exists() or not any(data.iterdir())
    assert files_under(ontology) == before


def test_a_row_that_does_not_parse_names_its_line_and_column(tmp_path, ontology):
    text = (TEST_LETTERS / "40001-new-round.txt").read_text(encoding="utf-8").replace("Tunisie\t45", "Tunisie\t4-5")
    path = tmp_path / "bad.txt"
    path.write_text(text, encoding="utf-8")
    result = ingest(tmp_path / "data", ontology, str(path))
    assert result.exit_code == 1
    assert "bad.txt:32:9: expected a number in French notation" in result.output


# ---------------------------------------------------------------- the parts


def test_french_numbers():
    assert parse_figure("1 874").value == "1874"
    assert parse_figure("1\u00a0874").value == "1874"
    assert parse_figure("2\u202f111").value == "2111"
    assert parse_figure("32,1").value == "32.1"
    assert parse_figure("100,0").value == "100.0"
    assert parse_figure("0").value == "0"
    assert parse_figure(" x ").kind == "x"
    assert parse_figure("").kind == "blank"
    for bad in ("-5", "1,2,3", "012", "12 34", "n.d."):
        with pytest.raises(NotANumber):
            parse_figure(bad)


def test_label_matching_steps():
    index = CodeIndex(load_vocabulary(ROOT / "ontology"))
    assert (index.match("country", "Bésil").step, index.match("country", "Bésil").code) == ("typo-fixed", "BRA")
    assert (index.match("country", "Haiti").step, index.match("country", "Haiti").code) == ("label-variant", "HTI")
    assert (index.match("country", "TOTAL").step, index.match("country", "TOTAL").code) == ("exact", "_T")
    assert index.match("country", "Congo (Rép. dém. du)").code == "COD"
    assert index.match("mrc", "MRC des Basques", ["Les Basques", "Basques"]).code == "110"
    assert index.match("mrc", "MRC de La Métis", ["La Métis", "La Métis"]).step == "exact"  # an altLabel
    assert index.match("municipality", "Saint-Lambert").step == "ambiguous"
    assert index.match("municipality", "Ste-Thérèse").code == "73010"
    assert index.match("country", "Atlantide").step == "unknown"


def test_thousands_in_a_space_separated_table_are_read_the_one_way_the_totals_allow(tmp_path, ontology):
    data = tmp_path / "data"
    result = ingest(data, ontology, str(TEST_LETTERS / "40006-space-thousands.txt"))
    assert result.exit_code == 0, result.output
    got = {(r["period"], r["mrc"]): r["value"] for r in rows(data / "40006" / "t1.csv")}
    assert got[("2023", "140")] == "1204" and got[("2024", "140")] == "6" and got[("2023", "_T")] == "1210"
    assert "read as « 1 204 / 6 / 10 » (thousands separators): the only reading the totals allow" in result.output


def test_readings_of_space_separated_figures():
    assert readings(["153", "145", "58", "356"]) == [["153", "145", "58", "356"], ["153 145", "58", "356"],
                                                      ["153", "145", "58 356"], ["153 145", "58 356"]]
    assert readings(["15", "25"]) == [["15", "25"]]  # no three-digit group: one reading
    assert readings(["0", "111"]) == [["0", "111"]]  # a count does not start with 0


def test_new_codes_are_written_in_the_form_of_the_existing_entries():
    """Every hand-written period and PSTQ round, re-made by ingest from its notation, is byte for byte the entry
    the code list already has: a new one will look like them."""
    from mifi_rdf.ingest.codes import period_block, round_block

    periods = (ROOT / "ontology" / "codes" / "periods.ttl").read_text(encoding="utf-8")
    rounds = (ROOT / "ontology" / "codes" / "rounds.ttl").read_text(encoding="utf-8")
    index = CodeIndex(load_vocabulary(ROOT / "ontology"))
    assert len(index.concepts["period"]) == 18
    for notation in index.concepts["period"]:
        block = period_block(notation, "")
        if f"<code/period/{notation}>" in periods.split("def:coversRound")[0].rsplit("\n\n", 1)[-1]:
            # a period whose rounds a person recorded (def:coversRound): ingest's block is its first lines
            block = block.removesuffix(" .")
        assert block in periods, notation
    pstq = [n for n in index.concepts["round"] if n.startswith("pstq-")]
    assert len(pstq) == 8
    for notation in pstq:
        assert round_block(notation, "30952") in rounds, notation
