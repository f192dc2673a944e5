"""Header words read from the vocabulary's labels (ontology/), and tables whose shape is new (issue 19, items 5 and 6).

Every run goes through the CLI in-process, into a temporary data folder and a temporary copy of the
ontology, so the repository is never written.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from conftest import ROOT, run
from mifi_rdf.ingest.headers import HeaderWords
from mifi_rdf.load.vocabulary import load_vocabulary

TEST_LETTERS = ROOT / "tests" / "letters"


@pytest.fixture
def ontology(tmp_path) -> Path:
    """A private copy of ontology/ that ingest may add rounds, periods and structures to."""
    return Path(shutil.copytree(ROOT / "ontology", tmp_path / "ontology"))


@pytest.fixture(scope="module")
def words() -> HeaderWords:
    return HeaderWords.of(load_vocabulary(ROOT / "ontology"))


def ingest(data: Path, ontology: Path, *args: str):
    return run("--data", str(data), "--ontology", str(ontology), "ingest", *args)


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


# ---------------------------------------------------------------- the words


def test_header_words_are_the_labels_of_the_vocabulary(words):
    assert words.kind("Pays de citoyenneté") == "country"  # rdfs:label of def:country
    assert words.kind("PAYS DE NATIONALITÉ*") == "country"  # skos:altLabel, case, accents and footnote mark aside
    assert words.kind("Municipalité") == "municipality"
    assert words.kind("Indicateur") == "measure"  # an altLabel of qb:measureType
    assert words.kind("Pays de naissance") is None  # not citizenship: no label says so
    assert words.kind("MRC de destination* 2023 2024 2025", tabbed=False) == "mrc"  # a label, then the columns
    assert words.kind("MRCs", tabbed=False) is None  # a label must end at a word's end


def test_measures_are_found_by_their_labels_leftmost_first(words):
    assert words.measure("Nombre d'invitations") == "invitations"
    assert words.measure("Nombre de personnes invitées") == "invitedPersons"
    assert words.measure("% des personnes invitées") == "percentInvited"
    assert words.measure("DSP reçues") == "applicationsReceived"
    assert words.measure("CSQ délivrés") == "certificatesIssued"
    assert words.measure("Le nombre total de personnes résidant dans la région, ayant soumis une DI dans le cadre du PSTQ") \
        == "declarationsOfInterest"
    assert words.measure("Nombre de refus") is None


def test_stream_columns_are_labels_of_the_stream_codes(words):
    assert words.stream("Volet 1") == "pstq-1" and words.stream("VOLET 4") == "pstq-4"  # altLabels in streams.ttl
    assert words.stream("Volet 5") is None
    assert words.stream_in("… dans le Programme de l'expérience québécoise (PEQ), volet des Diplômés, selon la MRC", "peq") \
        == "peq-graduates"
    assert words.stream_in("… (PEQ), volet des Diplômés", "pstq") is None  # a stream of another program is not read


def test_a_tab_separated_table_with_stream_columns(tmp_path, ontology):
    """« Volet 1 », « Volet 2 » headers coded by the stream codes' labels, the Total beside them as all streams."""
    text = (TEST_LETTERS / "40022-municipality-round.txt").read_text(encoding="utf-8")
    start, end = text.index("**Tableau 1"), text.index("**Notes:**")
    table = ("**Tableau 1 : Nombre de personnes invitées dans le cadre du PSTQ, du 1er juillet 2025 au 28 février 2026, "
             "selon la MRC de résidence et le volet**\n\n"
             "MRC\tVolet 1\tVolet 2\tTotal\nRimouski-Neigette\t30\t12\t42\nLa Matanie\t20\t11\t31\nTotal\t50\t23\t73\n\n")
    letter = tmp_path / "40024.txt"
    letter.write_text(text[:start].replace("40022", "40024") + table + text[end:], encoding="utf-8")
    data = tmp_path / "data"
    result = ingest(data, ontology, str(letter))
    assert result.exit_code == 0, result.output
    assert "t1 (Tableau 1), line 13: invitations-by-mrc-stream [period=2025-07-01--2026-02-28]" in result.output
    got = {(r["mrc"], r["stream"]): r["value"] for r in rows(data / "40024" / "t1.csv")}
    assert got[("100", "pstq-1")] == "30" and got[("080", "pstq-2")] == "11" and got[("_T", "_T")] == "73"
    letter.write_text(letter.read_text(encoding="utf-8").replace("Volet 2", "Volet 7"), encoding="utf-8")
    result = ingest(tmp_path / "other" / "data", ontology, str(letter))  # beside its own sources/letters/
    assert result.exit_code == 1
    assert f"{letter}:13:13: column « Volet 7 »: not a measure, stream, month, year or total: no label of ontology/ names it" \
        in result.output


# ---------------------------------------------------------------- nothing dropped in silence


def test_a_second_table_headed_pays_de_nationalite_is_read(tmp_path, ontology):
    """Finding of issue 19: the second table of this letter vanished (exit 0, « 1 table(s) », no warning)."""
    data = tmp_path / "data"
    result = ingest(data, ontology, str(TEST_LETTERS / "40021-nationality.txt"))
    assert result.exit_code == 0, result.output
    assert "2 table(s)" in result.output
    assert "t2 (Tableau 2), line 38: invitations-by-country [round=pstq-2026-04-23]" in result.output
    t2 = {r["country"]: r["value"] for r in rows(data / "40021" / "t2.csv")}
    assert t2 == {"FRA": "301", "DZA": "120", "SEN": "64", "_O": "55", "_T": "540"}


def test_a_header_no_label_matches_is_an_error_naming_its_line(tmp_path, ontology):
    text = (TEST_LETTERS / "40021-nationality.txt").read_text(encoding="utf-8")
    letter = tmp_path / "40021.txt"
    letter.write_text(text.replace("Pays de nationalité\t", "Pays de naissance\t"), encoding="utf-8")
    data = tmp_path / "data"
    result = ingest(data, ontology, str(letter))
    assert result.exit_code == 1, result.output
    assert (f"error: {letter}:38:1: « Pays de naissance » heads a table (5 rows of figures below it) but is no label of "
            "a dimension in ontology/: expected « pays de citoyenneté »") in result.output
    assert "add it as a skos:altLabel" in result.output
    assert not data.exists()


# ---------------------------------------------------------------- new table shapes


def test_a_new_combination_of_known_components_gets_its_structure(tmp_path, ontology):
    """Invitations by municipality for one round: refused before (« no structure of ontology/structures.ttl has … »)."""
    data = tmp_path / "data"
    before = (ontology / "structures.ttl").read_text(encoding="utf-8")
    result = ingest(data, ontology, str(TEST_LETTERS / "40022-municipality-round.txt"))
    assert result.exit_code == 0, result.output
    assert ("    new structure: invitations-by-round-municipality « Nombre d'invitations par ronde d'invitation et "
            "municipalité de résidence »") in result.output
    assert "  added to ontology/structures.ttl (structure): invitations-by-round-municipality" in result.output
    after = (ontology / "structures.ttl").read_text(encoding="utf-8")
    assert after.startswith(before.rstrip("\n") + "\n\n# Derived by mifi-rdf ingest from the components of a table of "
                                                  "letter 40022.\n<structure/invitations-by-round-municipality> a ")
    vocab = load_vocabulary(ontology)
    s = vocab.structures["invitations-by-round-municipality"]
    assert [d.name for d in s.dimensions] == ["round", "municipality"] and list(s.measures) == ["invitations"]
    assert ('rdfs:label "Nombre d\'invitations par ronde d\'invitation et municipalité de résidence"@fr, '
            '"Number of invitations by invitation round and municipality of residence"@en ;') in after
    # every component of the other entries, in the same order: dimensions, measure type, measures, the five attributes
    assert after.count("<structure/invitations-by-round-municipality/") == 9 * 2
    assert [(r["round"], r["municipality"], r["value"], r["status"]) for r in rows(data / "40022" / "t1.csv")] == [
        ("pstq-2026-04-09", "66023", "300", "published"), ("pstq-2026-04-09", "65005", "120", "published"),
        ("pstq-2026-04-09", "81017", "80", "published"), ("pstq-2026-04-09", "_O", "40", "residual"),
        ("pstq-2026-04-09", "_T", "540", "total")]
    # ingested again, the letter finds the structure it added: nothing new, the ontology unchanged
    again = ingest(data, ontology, str(TEST_LETTERS / "40022-municipality-round.txt"), "--replace")
    assert again.exit_code == 0, again.output
    assert "new structure" not in again.output
    assert (ontology / "structures.ttl").read_text(encoding="utf-8") == after


def test_validate_and_export_accept_a_derived_structure(tmp_path, ontology):
    """The letter alone in its data folder (the whole corpus with it: test_build_accepts_a_derived_structure, slow)."""
    data = tmp_path / "data"
    assert ingest(data, ontology, str(TEST_LETTERS / "40022-municipality-round.txt")).exit_code == 0
    validated = run("--data", str(data), "--ontology", str(ontology), "validate")
    assert validated.exit_code == 0, validated.output
    assert validated.output.rstrip().endswith("conforms.")
    exported = run("--data", str(data), "--ontology", str(ontology), "export", "--format", "nt")
    assert exported.exit_code == 0
    assert ("<https://w3id.org/mifi-rdf/structure/invitations-by-round-municipality> "
            "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://purl.org/linked-data/cube#DataStructureDefinition> .") \
        in exported.output
    assert "<https://w3id.org/mifi-rdf/dataset/40022-t1> <http://purl.org/linked-data/cube#structure> " \
           "<https://w3id.org/mifi-rdf/structure/invitations-by-round-municipality> ." in exported.output


@pytest.mark.slow
def test_build_accepts_a_derived_structure(tmp_path, monkeypatch):
    """The whole site is built (a few seconds) from a project copy holding the letter and its new structure."""
    home = tmp_path / "project"
    for folder in ("data", "ontology", "queries", "shapes", "sources"):
        shutil.copytree(ROOT / folder, home / folder)
    letter = home / "sources" / "letters" / "40022-municipality-round.txt"
    shutil.copy(TEST_LETTERS / letter.name, letter)
    monkeypatch.setenv("MIFI_RDF_HOME", str(home))
    assert run("ingest", str(letter)).exit_code == 0
    built = run("build", str(tmp_path / "site"))
    assert built.exit_code == 0, built.output
    page = (tmp_path / "site" / "dataset" / "40022-t1.html").read_text(encoding="utf-8")
    assert "Nombre d'invitations par ronde d'invitation et municipalité de résidence" in page


def test_a_caption_naming_two_measures_for_a_header_naming_none_is_refused(tmp_path, ontology):
    """The measure of 30735-like tables comes from the caption; when it names two, a machine does not pick."""
    text = (TEST_LETTERS / "40006-space-thousands.txt").read_text(encoding="utf-8")
    caption = next(line for line in text.splitlines() if line.startswith("Tableau 1"))
    letter = tmp_path / "40006.txt"
    letter.write_text(text.replace(caption, caption.replace("Nombre de certificats", "Nombre de DSP et de certificats")),
                      encoding="utf-8")
    result = ingest(tmp_path / "data", ontology, str(letter))
    assert result.exit_code == 1, result.output
    assert ("the caption names 2 measures (applicationsReceived, certificatesIssued) and the header none: which one the "
            "figures count cannot be told") in result.output


def test_rows_of_figures_under_a_header_without_a_first_cell_are_an_error(tmp_path, ontology):
    text = (TEST_LETTERS / "40021-nationality.txt").read_text(encoding="utf-8")
    letter = tmp_path / "40021.txt"
    letter.write_text(text.replace("Pays de nationalité\t", "\t"), encoding="utf-8")
    result = ingest(tmp_path / "data", ontology, str(letter))
    assert result.exit_code == 1, result.output
    assert (f"{letter}:39:1: 5 rows of figures under the header of line 38, whose first cell is empty, in no table: nothing "
            "says what their rows are") in result.output


def test_two_tables_of_one_new_shape_add_one_structure(tmp_path, ontology):
    text = (TEST_LETTERS / "40022-municipality-round.txt").read_text(encoding="utf-8")
    start, end = text.index("**Tableau 1"), text.index("**Notes:**")
    second = text[start:end].replace("Tableau 1", "Tableau 2").replace("9 avril 2026", "23 avril 2026")
    letter = tmp_path / "40022.txt"
    letter.write_text(text[:end] + second + text[end:], encoding="utf-8")
    result = ingest(tmp_path / "data", ontology, str(letter))
    assert result.exit_code == 0, result.output
    assert result.output.count("    new structure: invitations-by-round-municipality") == 2
    assert (ontology / "structures.ttl").read_text(encoding="utf-8").count(
        "<structure/invitations-by-round-municipality> a qb:DataStructureDefinition") == 1
