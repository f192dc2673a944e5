"""`build` works right after `ingest`: the letter's own file goes to sources/letters/ under its reference.

Each test runs on a copy of the project (data/, ontology/, sources/ copied; shapes/ and queries/
linked) named by MIFI_RDF_HOME, or on a --data folder with the letters' folder beside it.
"""

from __future__ import annotations

import os
import shutil
import tomllib
from pathlib import Path

import pytest

import mifi_rdf.ingest.run as ingest_run
from conftest import ROOT, run

LETTER = ROOT / "tests" / "letters" / "40001-new-round.txt"


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    root = tmp_path / "project"
    for name in ("data", "ontology", "sources"):
        shutil.copytree(ROOT / name, root / name)
    for name in ("shapes", "queries"):
        os.symlink(ROOT / name, root / name)
    monkeypatch.setenv("MIFI_RDF_HOME", str(root))
    return root


@pytest.mark.slow  # an ingest and a build (5 s, busy machine); docs/ingest.md's walkthrough builds after ingest by default
def test_build_works_right_after_ingest_and_publishes_the_letters_file(home, tmp_path):
    result = run("ingest", str(LETTER))
    assert result.exit_code == 0, result.output
    copied = home / "sources" / "letters" / "40001.txt"
    assert copied.read_bytes() == LETTER.read_bytes()
    assert result.stdout.rstrip().endswith("ontology/codes/rounds.ttl, " + str(copied))
    assert tomllib.loads((home / "data" / "40001" / "letter.toml").read_text(encoding="utf-8"))["source_text"] == "40001.txt"
    assert not [p.name for p in copied.parent.iterdir() if p.name.startswith(".")], "no temporary left"
    built = run("build", str(tmp_path / "site"))
    assert built.exit_code == 0, built.output
    assert (tmp_path / "site" / "sources" / "letters" / "40001.txt").read_bytes() == LETTER.read_bytes()
    catalog = (tmp_path / "site" / "catalog.ttl").read_text(encoding="utf-8")
    assert "sources/letters/40001.txt" in catalog


@pytest.mark.slow  # a second ingest and build (5 s on a busy machine); the first test keeps build-after-ingest in the default run
def test_with_data_the_letters_file_goes_beside_the_data_folder_and_build_finds_it(tmp_path):
    data = Path(shutil.copytree(ROOT / "data", tmp_path / "work" / "data"))
    ontology = Path(shutil.copytree(ROOT / "ontology", tmp_path / "work" / "ontology"))
    result = run("--data", str(data), "--ontology", str(ontology), "ingest", str(LETTER))
    assert result.exit_code == 0, result.output
    beside = tmp_path / "work" / "sources" / "letters" / "40001.txt"
    assert beside.read_bytes() == LETTER.read_bytes()
    assert not (ROOT / "sources" / "letters" / "40001.txt").exists(), "the repository is not written"
    built = run("--data", str(data), "--ontology", str(ontology), "build", str(tmp_path / "site"))
    assert built.exit_code == 0, built.output
    site = tmp_path / "site" / "sources" / "letters"
    assert (site / "40001.txt").read_bytes() == LETTER.read_bytes()
    assert (site / "30952.txt").read_bytes() == (ROOT / "sources" / "letters" / "30952.txt").read_bytes()


def test_a_different_file_already_under_the_letters_name_is_not_replaced(home):
    (home / "sources" / "letters" / "40001.txt").write_text("another letter\n", encoding="utf-8")
    result = run("ingest", str(LETTER))
    assert result.exit_code == 2
    message = result.stderr.strip()
    assert message.startswith("error: ") and "sources/letters/40001.txt already exists and differs from " in message
    assert message.endswith("40001-new-round.txt: the letter's file is kept there under its reference (--replace to replace it)")
    assert not (home / "data" / "40001").exists()


def test_when_the_data_cannot_be_put_in_place_the_letters_file_is_not_left_either(home, monkeypatch):
    before = sorted(p.name for p in (home / "sources" / "letters").iterdir())

    def failing_commit(staged: Path, target: Path) -> None:
        raise OSError(28, "No space left on device", str(target))

    monkeypatch.setattr(ingest_run, "commit", failing_commit)
    result = run("ingest", str(LETTER))
    assert result.exit_code == 2
    assert "No space left on device" in result.stderr
    assert sorted(p.name for p in (home / "sources" / "letters").iterdir()) == before
    assert not (home / "data" / "40001").exists()
