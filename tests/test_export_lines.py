"""The fast export path (issue 22) against the general one, byte for byte, on the same input.

`serialize/lines.py` writes N-Triples and Turtle observations as text; the general path builds
pyoxigraph triples and lets pyoxigraph's serializer write them. `export --no-validate` reads each
table once and audits a lone table from the cells it writes (audit/grouped.TableBounds) where the
general path computed every bound first (grouped_bound_attributes). `load_cells` reads the common
row without the per-cell look-ups of `_cell`. Each test runs both on the bundled data, and on the
data changed in memory so that what the bundled data lacks is there too.
"""

from __future__ import annotations

import dataclasses
import io

import pytest

from mifi_rdf import cube
from mifi_rdf.audit.constraints import relations
from mifi_rdf.audit.grouped import links, may_link
from mifi_rdf.cube import CubeBuilder
from mifi_rdf.load import tables as load_tables
from mifi_rdf.load.tables import load_cells
from mifi_rdf.model import Cell
from mifi_rdf.project import load_project
from mifi_rdf.serialize.lines import write_lines
from mifi_rdf.serialize.writers import needs_graphs, turtle_prefixes, write

BASE = "https://w3id.org/mifi-rdf/"


def general(project, fmt: str, datasets: set[str] | None = None) -> bytes:
    """What pyoxigraph's serializer writes for the builder's statements, every bound computed first."""
    out = io.BytesIO()
    builder = CubeBuilder(project.vocab, project.bound_attributes())
    write(builder.statements(project.letters, datasets, needs_graphs(fmt)), fmt, out, project.vocab.base)
    return out.getvalue()


def fast(project, fmt: str, datasets: set[str] | None = None) -> bytes:
    out = io.BytesIO()
    builder = CubeBuilder(project.vocab, project.bound_attributes())
    write_lines(builder, project.letters, datasets, fmt, out, turtle_prefixes(project.vocab.base))
    return out.getvalue()


@pytest.fixture(scope="module")
def bundled():
    return load_project()


@pytest.mark.parametrize("fmt", ["nt", "ttl"])
def test_the_lines_are_the_serializers_bytes(bundled, fmt):
    expected = general(bundled, fmt)
    assert b"lowerBound" in expected and b"inference" in expected and b"comment" in expected and b"sourceLabel" in expected
    assert fast(bundled, fmt) == expected
    some = set(bundled.dataset_ids[1:3])
    assert fast(bundled, fmt, some) == general(bundled, fmt, some)


@pytest.mark.parametrize("fmt", ["nt", "ttl"])
def test_the_lines_carry_what_the_bundled_data_lacks(fmt):
    """Revisions (one to a dataset of another letter), several inferences and a note on one cell,
    a code that needs percent-encoding in the IRI, values seen once: the same bytes both ways."""
    project = load_project()
    tables = project.tables()
    first, other = tables[-1], tables[0]
    target = other.cells[0]
    inference = list(project.vocab.codelist("inference").codes)[:2]
    cells = list(first.cells)
    cells[0] = dataclasses.replace(cells[0], inferences=tuple(inference), note_fr="note « 1 »\n\"x\"", note_en="note 1",
                                   source_label="Étiquette")
    seen_once = None if cells[1].value is None else str(int(float(cells[1].value)) + 7_000_003)
    cells[1] = dataclasses.replace(cells[1], value=seen_once)
    first.cells = cells
    first.revises = {(cells[2].codes, cells[2].measure): other.dataset_id, (cells[3].codes, cells[3].measure): other.dataset_id}
    # a code with a space and an accent: percent-encoded in the observation IRI, as quote() does
    dim = first.structure.dimensions[0]
    codes = project.vocab.codelists[dim.codelist].codes
    codes["é t"] = next(iter(codes.values()))
    cells[4] = dataclasses.replace(cells[4], codes=("é t", *cells[4].codes[1:]))
    assert target.codes  # the revised dataset exists
    try:
        expected = general(project, fmt)
        assert b"wasRevisionOf" in expected and b"%C3%A9%20t" in expected
        assert fast(project, fmt) == expected
    finally:
        del codes["é t"]


@pytest.mark.parametrize("base", ["http://example.org/cubes/", "http://qudt.org/vocab/unit/"])
def test_the_lines_under_another_base(base):
    """Under the unit: prefix's namespace, prefixes may abbreviate the observation IRIs: those
    tables are written by the general path, inside the same file."""
    project = load_project(base)
    for fmt in ("nt", "ttl"):
        assert fast(project, fmt) == general(project, fmt)


def test_export_reads_each_table_once_and_writes_what_the_general_path_writes(bundled, tmp_path, monkeypatch):
    """`export --no-validate` (a project loaded without its cells): the same bytes as the general
    path over a project loaded with its cells and every bound computed first, and a table that
    cannot name a period or a covered round is read once, for the audit of its blanks and its
    observations together; in the text of lines.py (N-Triples) and through the serializer (TriG)."""
    reference = {fmt: general(bundled, fmt) for fmt in ("nt", "trig")}
    reads: dict[str, int] = {}

    def counted(table, vocab):
        reads[table.dataset_id] = reads.get(table.dataset_id, 0) + 1
        return load_cells(table, vocab)

    monkeypatch.setattr(cube, "load_cells", counted)
    from mifi_rdf import project as project_module

    monkeypatch.setattr(project_module, "load_cells", counted)
    for fmt, expected in reference.items():
        reads.clear()
        lazy = load_project(cells=False)
        lazy.export(fmt, tmp_path / f"cube.{fmt}")
        assert (tmp_path / f"cube.{fmt}").read_bytes() == expected, fmt
        rel = relations(lazy.vocab)
        lone = [t.dataset_id for t in lazy.tables() if not may_link(t, lazy.vocab, rel)]
        assert lone and all(reads[d] == 1 for d in lone), (fmt, reads)
        assert set(reads) == set(lazy.dataset_ids)


def test_may_link_never_misses_a_link(bundled):
    rel = relations(bundled.vocab)
    linked = [t for t in bundled.tables() if links(t, t.cells, bundled.vocab, rel)]
    assert linked, "the bundled data has tables joined across letters"
    assert all(may_link(t, bundled.vocab, rel) for t in linked)


def test_the_quick_reading_of_a_row_gives_the_cells_of_the_full_check(bundled, monkeypatch):
    quick = {t.dataset_id: load_cells(t, bundled.vocab) for t in bundled.tables()}
    monkeypatch.setattr(load_tables, "_plain_cell", lambda table, vocab: lambda line, row, seen: None)
    full = {t.dataset_id: load_cells(t, bundled.vocab) for t in bundled.tables()}
    assert quick == full
    assert sum(len(c) for c in full.values()) > 600 and all(isinstance(c, Cell) for cells in full.values() for c in cells)
