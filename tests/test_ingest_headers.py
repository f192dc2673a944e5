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
