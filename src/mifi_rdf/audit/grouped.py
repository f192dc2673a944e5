"""The audit's bounds for `export`, `build` and `validate`, with memory bounded by a group of
linked tables instead of every cell.

A suppressed cell's bounds depend only on the cells it shares a constraint with, directly or
through others. Constraints inside a table (sums, percentages) stay in it; the only ones between
tables are those of def:coversRound (a period's count is the sum of its rounds) and skos:broader
(places within a larger one count at most what it counts), and build_system only draws them
between tables that name a period or a covered round. So the tables split into groups that no
constraint crosses: each table that names no period and no covered round on its own, and the
others joined when one could meet the other in such a constraint — through a round that one
names and the other's period covers, or a place one names that the other's places lie within.
That join is wider than the constraints themselves (it ignores measures and dates), never
narrower, so auditing each group alone gives every cell the bounds the whole audit gives.

The cells of each table are read once to find its links, and a group's read again only when it
is audited; a table with no link is audited as soon as it is read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence

from ..errors import MifiError
from ..files import read_bytes
from ..load.vocabulary import Vocabulary
from ..model import Cell, Table
from ..progress import steps
from .constraints import Relations, relations
from .findings import run_audit
from .report import BoundAttributes, attributes


def links(table: Table, cells: Sequence[Cell], vocab: Vocabulary, rel: Relations) -> set[str]:
    """What could tie this table to another in a cross-table constraint: each round it names or
    its periods cover ("round " + IRI), each place of a skos:broader hierarchy it names and every
    place containing one ("place " + IRI). Empty when it names no period and no covered round
    (build_system then draws no constraint from it to another table)."""
    concepts = [vocab.codelists[d.codelist].codes for d in table.structure.dimensions]
    iris = {c[code] for cell in cells for c, code in zip(concepts, cell.codes, strict=True)}
    if iris.isdisjoint(rel.spans.keys() | rel.covered):
        return set()
    out: set[str] = set()
    for iri in iris - rel.totals:
        if iri in rel.covered:
            out.add("round " + iri)
        out.update("round " + r for r in rel.covers.get(iri, ()))
        if iri in rel.placed:
            out.add("place " + iri)
            out.update("place " + a for a in rel.ancestors(iri))
    return out


def grouped_bound_attributes(tables: list[Table], vocab: Vocabulary,
                             cells_of: Callable[[Table], list[Cell]] | None = None) -> BoundAttributes:
    """attributes(run_audit(tables, vocab), base), computed group by group.

    `cells_of(table)` reads a table's cells (default: those it holds); the cells given to the
    audit are put on the table for its duration and taken off after, when they were read here."""
    rel = relations(vocab)
    read = cells_of or (lambda t: t.cells)
    out = BoundAttributes(vocab.base)
    linked: dict[str, set[str]] = {}
    for table in steps(tables, "bounds of blanked cells"):
        cells = read(table)
        tokens = links(table, cells, vocab, rel)
        if tokens:
            linked[table.dataset_id] = tokens
        elif any(c.value is None for c in cells):
            out.merge(_audit([table], [cells], vocab, rel))
    by_id = {t.dataset_id: t for t in tables}
    for group in _groups(linked):
        members = [by_id[d] for d in group]
        out.merge(_audit(members, [read(t) for t in members], vocab, rel))
    return out


def may_link(table: Table, vocab: Vocabulary, rel: Relations) -> bool:
    """Whether the table could name a period or a covered round (what `links` needs to find any
    link), answered without reading its cells: False when none of the codes of its code lists that
    are periods or covered rounds occurs in the bytes of its CSV file. A code in a cell is in that
    text as it is (a quote would be doubled: such a code counts as present)."""
    linking = rel.spans.keys() | rel.covered
    wanted = [code for d in table.structure.dimensions if d.codelist in vocab.codelists
              for code, iri in vocab.codelists[d.codelist].codes.items() if iri in linking]
    if not wanted:
        return False
    if any('"' in code for code in wanted):
        return True
    try:
        data = read_bytes(table.path, kind="csv")
    except (OSError, MifiError):  # reading its cells reports the problem, with their exact message
        return True
    return any(code.encode("utf-8") in data for code in wanted)


class TableBounds(Mapping):
    """The bounds of grouped_bound_attributes, for an export that reads each table once, in order.

    Before the first table is written, the tables that may link (`may_link`) are read to find
    their groups; each group is audited when its first table is written, and its bounds kept for
    the others. A table linked to none is audited from the cells read to write it, only when it has
    a blank, and its bounds are let go with the next table. `prepare(table, cells)` makes the
    bounds of a table ready; this mapping then answers for that table and for the audited groups."""

    def __init__(self, tables: list[Table], vocab: Vocabulary, cells_of: Callable[[Table], list[Cell]]) -> None:
        self.vocab, self.read = vocab, cells_of
        self.rel = relations(vocab)
        linked: dict[str, set[str]] = {}
        for table in steps([t for t in tables if may_link(t, vocab, self.rel)], "bounds of blanked cells"):
            tokens = links(table, cells_of(table), vocab, self.rel)
            if tokens:
                linked[table.dataset_id] = tokens
        by_id = {t.dataset_id: t for t in tables}
        self.group_of = {d: [by_id[m] for m in group] for group in _groups(linked) for d in group}
        self.groups = BoundAttributes(vocab.base)  # of the groups audited so far
        self.audited: set[str] = set()
        self.table: BoundAttributes | None = None  # of the lone table being written

    def prepare(self, table: Table, cells: list[Cell]) -> BoundAttributes | None:
        """Make the table's bounds ready; returns those this call computed (the table's, or its
        group's when it is the group's first table written), for a caller that keeps them all (the
        validated export, streaming.py), or None."""
        self.table = None
        group = self.group_of.get(table.dataset_id)
        if group is None:
            if any(c.value is None for c in cells):
                self.table = _audit([table], [cells], self.vocab, self.rel)
            return self.table
        if table.dataset_id not in self.audited:
            members = [cells if t is table else self.read(t) for t in group]
            found = _audit(group, members, self.vocab, self.rel)
            self.groups.merge(found)
            self.audited.update(t.dataset_id for t in group)
            return found
        return None

    def __getitem__(self, key):
        if self.table is not None and key in self.table:
            return self.table[key]
        return self.groups[key]

    def get(self, key, default=None):
        if self.table is not None and key in self.table:
            return self.table[key]
        return self.groups.get(key, default)

    def interval(self, key) -> tuple[str, str | None] | None:
        """BoundAttributes.interval of the table being written, else of the audited groups."""
        found = self.table.interval(key) if self.table is not None else None
        return found if found is not None else self.groups.interval(key)

    def __iter__(self):
        return iter([*(self.table or ()), *self.groups])

    def __len__(self) -> int:
        return len(self.groups) + len(self.table or ())

    def __bool__(self) -> bool:
        return True  # asked cell by cell, even before its first table is prepared


def _groups(linked: Mapping[str, set[str]]) -> list[list[str]]:
    """The tables joined through a shared link, transitively, in the order the tables came."""
    parent = {d: d for d in linked}

    def find(d: str) -> str:
        while parent[d] != d:
            parent[d] = parent[parent[d]]
            d = parent[d]
        return d

    first: dict[str, str] = {}
    for d, tokens in linked.items():
        for token in sorted(tokens):
            if token in first:
                a, b = find(first[token]), find(d)
                if a != b:
                    parent[b] = a
            else:
                first[token] = d
    groups: dict[str, list[str]] = {}
    for d in linked:
        groups.setdefault(find(d), []).append(d)
    return list(groups.values())


def _audit(tables: list[Table], cells: list[list[Cell]], vocab: Vocabulary, rel: Relations) -> BoundAttributes:
    """The bounds of the tables' blanked cells; none, with no system built, when no cell is blank
    (a group of linked tables that prints every figure: its audit would bound nothing)."""
    if not any(c.value is None for table_cells in cells for c in table_cells):
        return BoundAttributes(vocab.base)
    held = [t.cells for t in tables]
    for t, c in zip(tables, cells, strict=True):
        t.cells = c
    try:
        return attributes(run_audit(tables, vocab, rel, bounds_only=True), vocab.base)
    finally:
        for t, h in zip(tables, held, strict=True):
            t.cells = h


def tables_with_bounds(tables: Iterable[Table], vocab: Vocabulary, cells_of: Callable[[Table], list[Cell]],
                       wanted: Callable[[Table], bool] = lambda t: True) -> Iterator[tuple[Table, list[Cell], BoundAttributes]]:
    """Each wanted table with its cells and the bounds of its blanked cells (those of
    grouped_bound_attributes), so that one pass over the cells serves the bounds and what comes after
    them (the validation): a table no constraint ties to another is read once and comes as it is
    read; the linked ones come after, group by group, read again with their group. Every table is
    read, for its links; a table not wanted that is linked to none is not audited."""
    rel = relations(vocab)
    linked: dict[str, set[str]] = {}
    by_id: dict[str, Table] = {}
    for table in tables:
        by_id[table.dataset_id] = table
        cells = cells_of(table)
        tokens = links(table, cells, vocab, rel)
        if tokens:
            linked[table.dataset_id] = tokens
        elif wanted(table):
            blank = any(c.value is None for c in cells)
            yield table, cells, _audit([table], [cells], vocab, rel) if blank else BoundAttributes(vocab.base)
    for group in _groups(linked):
        members = [by_id[d] for d in group]
        if not any(wanted(t) for t in members):
            continue
        cells = [cells_of(t) for t in members]
        bounds = _audit(members, cells, vocab, rel)
        for t, c in zip(members, cells, strict=True):
            if wanted(t):
                yield t, c, bounds
