"""Bad input gives an error naming file, line and column, a non-zero exit, and no output file."""

from __future__ import annotations

import re

import pytest

from conftest import run


def replace_line(path, line_no, new):
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[line_no - 1] = new + "\n"
    path.write_text("".join(lines), encoding="utf-8")


CASES = {
    "malformed row": ("30952/t1.csv", 3, "pstq-2025-07-17,HTI,invitations,21,published",
                      r"30952/t1\.csv:3:6: expected 9 fields"),
    "unknown country label": ("30952/t1.csv", 3, "pstq-2025-07-17,HTI,invitations,21,published,,Atlantide,,",
                              r"30952/t1\.csv:3:7: unknown country label 'Atlantide'"),
    "unknown country code": ("30952/t1.csv", 3, "pstq-2025-07-17,XYZ,invitations,21,published,,Haïti,,",
                             r"30952/t1\.csv:3:2: unknown country code 'XYZ'"),
    "unknown municipality": ("31180/t1.csv", 2, "2026-01--2026-02,99999,invitedPersons,1641,published,,Montréal,,",
                             r"31180/t1\.csv:2:2: unknown municipality code '99999'"),
    "municipality label mismatch": ("31180/t1.csv", 2, "2026-01--2026-02,66023,invitedPersons,1641,published,,Laval,,",
                                    r"31180/t1\.csv:2:7: unknown municipality label 'Laval'"),
    "non-integer count": ("30952/t1.csv", 3, "pstq-2025-07-17,HTI,invitations,21.0,published,,Haïti,,",
                          r"30952/t1\.csv:3:4: expected a non-negative integer count .* found '21\.0'"),
    "french thousands": ("31224/t1.csv", 10, "2026-03,applicationsReceived,1 874,published,,DSP reçues,,",
                         r"31224/t1\.csv:10:3: expected a non-negative integer count .* found '1 874'"),
    "duplicate cell": ("30952/t1.csv", 3, "pstq-2025-07-17,FRA,invitations,96,published,,France,,",
                       r"30952/t1\.csv:3:1: duplicate cell: same dimension values and measure as line 2"),
    "value on a suppressed cell": ("31180/t1.csv", 100,
                                   "2026-01--2026-02,_U,invitedPersons,7,confidential,,Information non disponible,,",
                                   r"31180/t1\.csv:100:4: status 'confidential' means the cell has no value"),
    "inference without note": ("30952/t5.csv", 18, "pstq-2025-12-04,BRA,invitations,22,published,typo-fixed,Bésil,,",
                               r"30952/t5\.csv:18:8: a cell with an inference needs a note"),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_bad_cell_is_reported_and_nothing_written(case, data_copy, tmp_path):
    file, line, new, expected = CASES[case]
    replace_line(data_copy / file, line, new)
    out = tmp_path / "cube.ttl"
    result = run("--data", str(data_copy), "export", "--format", "ttl", "-o", str(out))
    assert result.exit_code == 1
    assert re.search(expected, result.output), result.output
    assert not out.exists()
    assert list(tmp_path.glob(".cube.ttl.*")) == []


def test_missing_metadata_field(data_copy, tmp_path):
    toml = data_copy / "31224" / "letter.toml"
    text = toml.read_text(encoding="utf-8")
    toml.write_text(re.sub(r"(?m)^source_line = .*\n", "", text), encoding="utf-8")
    table_line = next(i for i, line in enumerate(text.splitlines(), 1) if line.strip() == "[[table]]")
    result = run("--data", str(data_copy), "export", "-o", str(tmp_path / "x.ttl"))
    assert result.exit_code == 1
    assert f"31224/letter.toml:{table_line}:1: missing field 'source_line' in table #1" in result.output
    assert not (tmp_path / "x.ttl").exists()


def test_invalid_toml_names_line_and_column(data_copy):
    toml = data_copy / "25623" / "letter.toml"
    toml.write_text('ref = "25623"\nletter_date = 2023-13-45\n', encoding="utf-8")
    result = run("--data", str(data_copy), "export")
    assert result.exit_code == 1
    assert re.search(r"25623/letter\.toml:2:\d+: invalid TOML", result.output), result.output


def test_unknown_format_is_a_usage_error(tmp_path):
    result = run("export", "--format", "xls", "-o", str(tmp_path / "x"))
    assert result.exit_code == 2
    assert "Invalid value for '--format'" in result.output
    assert not (tmp_path / "x").exists()


def test_failed_export_leaves_the_previous_file_untouched(data_copy, tmp_path):
    out = tmp_path / "cube.ttl"
    out.write_text("previous\n", encoding="utf-8")
    replace_line(data_copy / "30952" / "t1.csv", 3, "pstq-2025-07-17,HTI,invitations,x,published,,Haïti,")
    assert run("--data", str(data_copy), "export", "-o", str(out)).exit_code == 1
    assert out.read_text(encoding="utf-8") == "previous\n"


def test_unknown_dataset_is_a_usage_error():
    result = run("export", "--dataset", "99999-t1")
    assert result.exit_code == 2
    assert "unknown dataset 99999-t1" in result.output


def test_output_to_a_pipe_is_written_in_place_not_replaced(tmp_path):
    """-o /dev/null or a FIFO must be written to, never replaced by a renamed temporary file."""
    import os
    import stat
    import threading

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    result = run("export", "--format", "nt", "--dataset", "31224-t1", "-o", str(fifo))
    reader.join(timeout=30)
    assert result.exit_code == 0
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert b"applicationsReceived" in received[0]


def test_malformed_ontology_turtle_names_line_and_column(tmp_path):
    import shutil

    from conftest import ROOT

    onto = tmp_path / "ontology"
    shutil.copytree(ROOT / "ontology", onto)
    vocab = onto / "vocabulary.ttl"
    lines = vocab.read_text(encoding="utf-8").count("\n")
    with vocab.open("a", encoding="utf-8") as f:
        f.write('<def/x> rdfs:label "unterminated .\n')
    result = run("--ontology", str(onto), "export", "-o", str(tmp_path / "x.ttl"))
    assert result.exit_code == 1
    assert re.search(rf"vocabulary\.ttl:{lines + 1}:\d+: invalid Turtle", result.output), result.output
    assert not (tmp_path / "x.ttl").exists()


def test_relative_base_uri_is_a_usage_error(tmp_path):
    result = run("export", "--base-uri", "mifi-rdf/", "-o", str(tmp_path / "x.ttl"))
    assert result.exit_code == 2
    assert "base URI must be absolute" in result.output
    assert not (tmp_path / "x.ttl").exists()


# ---------------------------------------------------------------- issue 23: the door every file goes through

def test_a_missing_table_file_is_named_without_a_position(data_copy):
    (data_copy / "30952" / "t1.csv").unlink()
    result = run("--data", str(data_copy), "datasets")
    assert result.exit_code == 1
    assert re.search(r"^error: \S*30952/t1\.csv: missing table file for table 't1'$", result.output, re.M), result.output
    assert ":0:0:" not in result.output


def test_a_file_larger_than_its_kind_is_refused_before_it_is_read(tmp_path, monkeypatch):
    from mifi_rdf import files
    from mifi_rdf.errors import UnreadableInput

    path = tmp_path / "letter.toml"
    path.write_bytes(b"x" * 2048)
    monkeypatch.setitem(files.LIMITS, "toml", 1024)
    with pytest.raises(UnreadableInput, match=r"2,048 bytes: larger than the 0 MiB a toml file"):
        files.read_bytes(path, "toml")
    monkeypatch.setitem(files.LIMITS, "toml", 4096)
    assert files.read_bytes(path, "toml") == b"x" * 2048


def test_toml_nesting_is_counted_outside_strings_and_comments(tmp_path):
    from mifi_rdf.errors import InputError
    from mifi_rdf.load.text import MAX_TOML_DEPTH, parse_toml

    deepest = "a = " + "[" * MAX_TOML_DEPTH + "]" * MAX_TOML_DEPTH
    assert parse_toml("x.toml", deepest)["a"]  # 32 levels: read
    with pytest.raises(InputError, match="nested 33 levels deep"):
        parse_toml("x.toml", "a = " + "[" * 33 + "]" * 33)
    brackets = "[[[[" * 20
    text = f'a = "{brackets}"\nb = \'{brackets}\'\nc = """\n{brackets}\n"""\n# {brackets}\n[[t]]\nd = [{{ e = [1] }}]\n'
    assert parse_toml("x.toml", text)["t"][0]["d"] == [{"e": [1]}]


def test_a_mapping_line_with_two_equal_signs_is_refused_where_the_second_is():
    from mifi_rdf.ingest.labels import read_mapping

    assert read_mapping("Maroc = MAR\n# a comment = x\n", "m.txt") == {"Maroc": "MAR"}
    with pytest.raises(ValueError, match=r"^m\.txt:2:12: more than one `=`"):
        read_mapping("Maroc = MAR\nCôte = CIV = CIV", "m.txt")
