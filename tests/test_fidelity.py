"""Every number printed in a table of a letter reaches data/ exactly once.

This reads the letters' texts (sources/letters/) themselves (not our curation scripts), collects the numbers printed in
each table's body, and compares them as multisets with the values of the table's CSV. The only
figures allowed to be missing from the values are those the curation could not place, and each of
them must be quoted in the note of a `column-uncertain` cell of the same table.
"""

from __future__ import annotations

import csv
import re
from collections import Counter

import pytest

from conftest import LETTERS, ROOT

# (letter folder, table id, letter file, header that opens the table body, its occurrence, text that ends it)
TABLES = [
    *[("30952", f"t{n}", "30952.txt", "Pays de citoyenneté\tNombre d'invitations", n - 1, "Note importante")
      for n in range(1, 9)],
    ("31180", "t1", "31180.txt", "% des personnes invitées", 0, "**Notes:**"),
    ("31224", "t1", "31224.txt", "Avril\tMai", 0, "Notes:"),
    ("30735", "t1", "30735.txt", "Volet 1 Volet 2 Volet 3", 0, "Source : Arrima"),
    ("30735", "t2", "30735.txt", "Volet 1 Volet 2 Volet 3", 1, "Source : Arrima"),
    ("30735", "t3", "30735.txt", "MRC de destination* 2023 2024 2025", 0, "Tableau 3."),
    ("30735", "t4", "30735.txt", "MRC de destination* 2023 2024 2025", 1, "Tableau 4."),
]
LABELS = re.compile(r"<[^>]+>|\*\*|MRC[^\d\t]*|Rimouski-Neigette|Rivière-du-Loup")


def printed_numbers(text: str) -> Counter:
    """Numbers of a table body. Tab-separated tables write French numbers ('1 874', '32,1') in
    their cells; the others (30735) separate figures with spaces and have no thousands."""
    numbers = Counter()
    for line in text.splitlines():
        line = LABELS.sub("", line)
        if "\t" in line:
            tokens = [t for cell in line.split("\t") for t in re.findall(r"\d{1,3}(?: \d{3})+(?!\d)|\d+(?:,\d+)?", cell)]
        else:
            tokens = re.findall(r"\d+", line)
        for token in tokens:
            numbers[token.replace(" ", "").replace(",", ".")] += 1
    return numbers


def body(seed: str, start: str, occurrence: int, end: str) -> str:
    text = (LETTERS / seed).read_text(encoding="utf-8")
    i = -1
    for _ in range(occurrence + 1):
        i = text.index(start, i + 1)
    i += len(start)
    return text[i:text.index(end, i)]


@pytest.mark.parametrize(("letter", "table", "seed", "start", "occurrence", "end"), TABLES,
                         ids=[f"{t[0]}-{t[1]}" for t in TABLES])
def test_every_printed_number_is_a_value_once(letter, table, seed, start, occurrence, end):
    printed = printed_numbers(body(seed, start, occurrence, end))
    with (ROOT / "data" / letter / f"{table}.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    values = Counter(r["value"] for r in rows if r["value"])
    assert values - printed == Counter(), "values that the letter does not print"
    unplaced = printed - values
    if unplaced:
        notes = " ".join(r["note_en"] + " " + r["note_fr"] for r in rows if "column-uncertain" in r["inference"])
        for figure in unplaced:
            assert f"« {figure}" in notes or f" {figure} " in notes or f"{figure} »" in notes, figure
    assert sum(printed.values()) > 0


def test_only_30735_table_3_leaves_figures_unplaced():
    unplaced = {}
    for letter, table, seed, start, occurrence, end in TABLES:
        printed = printed_numbers(body(seed, start, occurrence, end))
        with (ROOT / "data" / letter / f"{table}.csv").open(encoding="utf-8", newline="") as f:
            values = Counter(r["value"] for r in csv.DictReader(f) if r["value"])
        if printed - values:
            unplaced[f"{letter}-{table}"] = printed - values
    # La Matanie, La Matapédia, Témiscouata and « inconnue » one 0 each, Les Basques two
    assert unplaced == {"30735-t3": Counter({"0": 6})}


def test_ocr_fragments_of_25623_are_quoted_not_published():
    """The only figures legible in the OCR of 25623 (after two dates) have no column: they are
    quoted on every cell of their row, which has no value, and marked column-uncertain."""
    text = (LETTERS / "25623.txt").read_text(encoding="utf-8")
    with (ROOT / "data" / "25623" / "t1.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    for date, fragment in (("2021-01-26", "6 5"), ("2021-03-30", "18 11")):
        assert f"{date} {fragment}\n" in text
        cells = [r for r in rows if r["round"] == f"prtq-{date}"]
        assert len(cells) == 7
        assert all(r["value"] == "" and "column-uncertain" in r["inference"].split(";")
                   and f"« {fragment} »" in r["note_en"] and f"« {fragment} »" in r["note_fr"] for r in cells)
    assert all(r["value"] == "" for r in rows)
