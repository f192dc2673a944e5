"""The workbook of a table whose texts are hostile (formula-like, XML markup, CDATA ends, line
breaks, carriage returns, very long), read back with openpyxl: every text comes back as the same
text, never a formula or an error value; what a cell cannot hold is an error naming the file and line."""

from __future__ import annotations

import dataclasses
import io

import pytest

from mifi_rdf.errors import InputError
from mifi_rdf.serialize.xlsx import CELL_MAX, LAYOUT_SHEET, TIDY_SHEET

openpyxl = pytest.importorskip("openpyxl")

HOSTILE = [
    "=SUM(A1)", "=1+1", "+33 1 23", "-2", "@cmd", "#N/A", "#DIV/0!",
    "a ]]> b", "<b>bold</b> & <i>", "&amp; &lt; &#13;", "'quoted", '"double"',
    " leading and trailing ", "line 1\nline 2", "windows\r\nline", "a lone \r return", "tab\there",
    "émoji 🙂 𝄞 et « guillemets »", "x" * CELL_MAX,
]


@pytest.fixture(scope="module")
def context(project):
    from mifi_rdf.build.config import Options, load_config
    from mifi_rdf.build.facts import gather_facts
    from mifi_rdf.render.data import SiteData

    facts = gather_facts(project)
    return project, facts, SiteData(project, load_config(project.vocab.base, Options()), facts)


def workbook(context, cell_notes: list[str], **table_fields):
    """The workbook of 30952-t5 with the first cells' notes (French; English reversed) replaced by `cell_notes`."""
    from mifi_rdf.serialize.xlsx import write_xlsx

    project, facts, data = context
    letter = next(letter for letter in project.letters if letter.ref == "30952")
    original = next(t for t in letter.tables if t.id == "t5")
    cells = [dataclasses.replace(c, note_fr=note, note_en=note[::-1])
             for c, note in zip(original.cells, cell_notes, strict=False)]
    table = dataclasses.replace(original, cells=cells + original.cells[len(cells):], **table_fields)
    out = io.BytesIO()
    write_xlsx(letter, table, data, facts, project.bound_attributes().interval, "https://example.org/x", out)
    return table, openpyxl.load_workbook(io.BytesIO(out.getvalue()))


def test_hostile_texts_come_back_as_the_same_text(context):
    table, wb = workbook(context, HOSTILE, title_fr="=HYPERLINK(\"http://x\")", notes=["=2*3", "<note> & ]]>"])
    tidy = wb[TIDY_SHEET]
    header = [c.value for c in tidy[1]]
    fr, en = header.index("note_fr"), header.index("note_en")
    rows = list(tidy.iter_rows(min_row=2))
    for text, row in zip(HOSTILE, rows, strict=False):
        assert (row[fr].value, row[fr].data_type) == (text, "s")
        assert row[en].value == text[::-1]
    layout = wb[LAYOUT_SHEET]
    texts = {c.value: c for row in layout.iter_rows() for c in row if isinstance(c.value, str)}
    title = texts['=HYPERLINK("http://x")']
    assert title.data_type == "s" and title.row == 1  # the title, as text: no formula runs on opening
    assert texts["=2*3"].data_type == "s" and "<note> & ]]>" in texts
    for text in HOSTILE:  # each cell's note is listed below the grid in French, as text
        assert text in texts and texts[text].data_type == "s", text
    assert not [c for row in layout.iter_rows() for c in row if c.data_type in ("f", "e")]


def test_a_note_longer_than_a_cell_holds_is_an_error_at_its_line(context):
    project = context[0]
    t5 = next(t for t in project.tables() if t.dataset_id == "30952-t5")
    with pytest.raises(InputError) as err:
        workbook(context, ["ok", "y" * (CELL_MAX + 1)])
    assert err.value.path == t5.path and err.value.line == t5.cells[1].line
    assert err.value.column == len(t5.structure.dimensions) + 6  # the note_fr column of the CSV file
    assert "32,768 characters: a spreadsheet cell holds at most 32,767" in str(err.value)


@pytest.mark.parametrize("text", ["bell \x07", "nul \x00", "vertical tab \x0b", "\ufffe"])
def test_a_control_character_is_an_error_not_a_broken_file(context, text):
    with pytest.raises(InputError, match=r"control character U\+[0-9A-F]{4} at character \d+: a spreadsheet cell"):
        workbook(context, [text])


def test_a_long_title_is_an_error_naming_the_letter(context):
    with pytest.raises(InputError, match=r"letter\.toml: table t5, sheet Tableau: a text of 40,000 characters"):
        workbook(context, [], title_fr="t" * 40_000)
