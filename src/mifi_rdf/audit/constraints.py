"""The linear system of what the published tables say about their blanked cells.

Built from the loaded Project (model.py: letters, tables, cells), not from RDF, with the
relations between codes read from the vocabulary graph (sparql/audit-relations.rq): which codes
are totals, what a period contains, which rounds a period covers, what a municipality is part
of, which measures count the same thing. Nothing here is a hand-written list of letters or
codes, so a new letter is audited with the others.

Every count cell of every table is an Entry. A cell without a value is an unknown: a
*suppressed* one (blanked by the letter: `confidential`, `suppressed-primary`,
`suppressed-secondary`), whose bounds the audit reports, or another one (`not-available`,
`no-data`, the `column-uncertain` candidates of 30735), which only takes part in the sums as a
non-negative integer, since it is part of them all the same, and is not reported.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from operator import getitem

import pyoxigraph as ox

from ..load.vocabulary import Vocabulary, relation_rows
from ..model import Cell, Table
from ..namespaces import XSD

SUPPRESSED = ("confidential", "suppressed-primary", "suppressed-secondary")
UNCERTAIN = "column-uncertain"
AS_PRINTED = "inconsistent-as-printed"
SHARE_EPSILON = 1e-6  # as shape/percentage: a rounding tolerance plus float noise


@dataclass
class Relations:
    """What the vocabulary says about codes and measures, by IRI."""

    totals: set[str] = field(default_factory=set)  # def:TotalCode concepts
    spans: dict[str, tuple[str, str]] = field(default_factory=dict)  # period -> (start, end), ISO dates
    covers: dict[str, list[str]] = field(default_factory=dict)  # period -> the rounds it covers
    parents: dict[str, set[str]] = field(default_factory=dict)  # concept -> what it is directly part of
    same: dict[str, str] = field(default_factory=dict)  # measure -> representative of its def:sameCountAs class
    share: dict[str, str] = field(default_factory=dict)  # percentage measure -> the count it is a share of

    @functools.cached_property
    def covered(self) -> set[str]:
        """The rounds some period covers (def:coversRound)."""
        return {r for rounds in self.covers.values() for r in rounds}

    @functools.cached_property
    def placed(self) -> set[str]:
        """The codes of a skos:broader hierarchy: each part and each whole."""
        return self.parents.keys() | {p for parents in self.parents.values() for p in parents}

    def ancestors(self, iri: str) -> set[str]:
        """Everything a concept is part of, transitively (a municipality's MRC and region)."""
        seen: set[str] = set()
        todo = list(self.parents.get(iri, ()))
        while todo:
            x = todo.pop()
            if x not in seen:
                seen.add(x)
                todo.extend(self.parents.get(x, ()))
        return seen

    def quantity(self, measure: str) -> str:
        return self.same.get(measure, measure)

    def within(self, inner: str, outer: str) -> bool:
        """Whether period `inner` lies inside period `outer` (both with dates)."""
        (s1, e1), (s2, e2) = self.spans[inner], self.spans[outer]
        return s1 >= s2 and e1 <= e2


def relations(vocab: Vocabulary) -> Relations:
    """Read the relations once from the ontology and code lists of the vocabulary (the rows
    load_vocabulary read, or the same query over a store made of its triples)."""
    rows = vocab.relation_rows
    if rows is None:
        store = ox.Store()
        store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in vocab.ontology_triples + vocab.code_triples)
        rows = relation_rows(store, vocab.base)
    rel = Relations()
    starts: dict[str, str] = {}
    ends: dict[str, str] = {}
    same_pairs: list[tuple[str, str]] = []
    for kind, s, o in rows:
        if kind == "total":
            rel.totals.add(s)
        elif kind == "start":
            starts[s] = o
        elif kind == "end":
            ends[s] = o
        elif kind == "covers":
            rel.covers.setdefault(s, []).append(o)
        elif kind == "broader":
            rel.parents.setdefault(s, set()).add(o)
        elif kind == "same":
            same_pairs.append((s, o))
        elif kind == "share":
            rel.share[s] = o
    rel.spans = {p: (starts[p], ends[p]) for p in starts if p in ends}
    for rounds in rel.covers.values():
        rounds.sort()
    # classes of measures that count the same thing: the smallest IRI stands for each
    for a, b in sorted(same_pairs):
        ra, rb = rel.quantity(a), rel.quantity(b)
        keep, drop = min(ra, rb), max(ra, rb)
        for m, r in list(rel.same.items()):
            if r == drop:
                rel.same[m] = keep
        rel.same[a] = rel.same[b] = keep
        rel.same[drop] = keep
    return rel


@dataclass(slots=True)
class Entry:
    """One cell of a table, as the audit sees it."""

    id: int
    table: Table
    cell: Cell
    iris: tuple[str, ...]  # the concept of each code, in qb:order
    measure: str  # measure IRI
    count: bool  # an integer count (else a percentage or another decimal)
    value: int | Decimal | None
    dataset: str  # the table's dataset id, kept: it is asked for often

    @property
    def suppressed(self) -> bool:
        return self.value is None and self.cell.status in SUPPRESSED

    @property
    def unknown(self) -> bool:
        return self.value is None

    @property
    def uncertain(self) -> bool:
        return UNCERTAIN in self.cell.inferences

    @property
    def key(self) -> tuple[str, tuple[str, ...], str]:
        """What the export hook is keyed by: dataset, codes, measure name."""
        return (self.dataset, self.cell.codes, self.cell.measure)

    def where(self) -> str:
        """The cell in codes, language-neutral: `30735-t1 2024-11-29--2026-02-28/090/pstq-1 declarationsOfInterest`."""
        return f"{self.dataset} {'/'.join(self.cell.codes)} {self.cell.measure}"


@dataclass
class Constraint:
    """lower ≤ Σ coefficient × cell ≤ upper (None: no bound on that side)."""

    kind: str  # "sum", "share", "rounds", "within"
    terms: list[tuple[int, float]]  # (entry id, coefficient)
    lower: float | None
    upper: float | None
    label: str  # language-neutral, for the csv column and the text report
    head: int  # the entry the constraint is about (a total, a percentage, the larger side)
    path: str = ""  # sum: the dimension summed along
    recorded: bool = False  # same: the later letter's figure is a revision its letter.toml records (prov:wasRevisionOf)


@dataclass
class Fact:
    """A relation that must hold between published figures, checked and reported with them."""

    kind: str  # "rounds", "within", "share"
    constraints: list[int]  # indices into System.constraints (empty when only checked)
    head: int
    others: list[int]
    printed_inconsistent: bool = False  # a percentage the data says is inconsistent as printed
    share: tuple[Decimal, float] | None = None  # (printed percentage, tolerance)


@dataclass
class System:
    entries: list[Entry]
    constraints: list[Constraint]
    facts: list[Fact]
    rel: Relations
    zeros: set[str]  # datasets that print a zero count: a blank there is not zero


# ---------------------------------------------------------------------------- building

def entries_of(tables: list[Table], vocab: Vocabulary) -> list[Entry]:
    out: list[Entry] = []
    for table in tables:
        dataset = table.dataset_id
        concepts = [vocab.codelists[d.codelist].codes for d in table.structure.dimensions]
        measures = {name: (m.iri, m.datatype == XSD + "integer") for name, m in table.structure.measures.items()}
        seen: dict[tuple[str, ...], tuple[str, ...]] = {}  # codes repeat across measures: map each once
        n = len(out)
        append = out.append
        for cell in table.cells:
            iri, count = measures[cell.measure]
            value: int | Decimal | None = None
            if cell.value is not None:
                value = int(cell.value) if count else Decimal(cell.value)
            codes = cell.codes
            iris = seen.get(codes)
            if iris is None:
                # a code per dimension, each of its list: the load checked both (an error there)
                iris = seen[codes] = tuple(map(getitem, concepts, codes))
            append(Entry(n, table, cell, iris, iri, count, value, dataset))
            n += 1
    return out


def build_system(tables: list[Table], vocab: Vocabulary, rel: Relations | None = None) -> System:
    """Every constraint the tables put on their unknown cells, and every fact across tables."""
    rel = rel or relations(vocab)
    entries = entries_of(tables, vocab)
    zeros = {e.dataset for e in entries if e.count and e.value == 0}
    constraints: list[Constraint] = []
    facts: list[Fact] = []
    by_table: dict[str, list[Entry]] = defaultdict(list)
    for e in entries:
        by_table[e.dataset].append(e)
    for table in tables:
        own = by_table[table.dataset_id]
        constraints += _sums(table, own, rel)
        _shares(table, own, rel, constraints, facts, entries)
    # only tables with a period (def:coversRound and containment read periods' dates) or a round
    # that a period covers can stand in a relation across tables
    linking = rel.spans.keys() | rel.covered
    linked = {d for d, own in by_table.items() if not linking.isdisjoint({iri for e in own for iri in e.iris})}
    counts = [(e, [d for d, iri in enumerate(e.iris) if iri not in rel.totals]) for e in entries
              if e.count and e.dataset in linked]
    _rounds(counts, rel, constraints, facts)
    _within(counts, entries, rel, constraints, facts)
    _restated(tables, by_table, rel, constraints)
    return System(entries, constraints, facts, rel, zeros)


def _restated(tables: list[Table], by_table: dict[str, list[Entry]], rel: Relations, constraints: list[Constraint]) -> None:
    """A count two letters state for the same dimension values and the same quantity is one count:
    equal in both. Printed in both and different (a revision, recorded or not), the constraint is a
    contradiction between published figures; printed in one and blanked in the other, it gives the
    blank the other's figure, which the audit then reports as disclosed. Tables of one letter are
    not compared: a letter that states a cell twice says so itself, and nothing here is a revision."""
    if len({t.letter_ref for t in tables}) < 2:
        return  # one letter (a table audited alone, most often): nothing to compare
    index: dict[tuple, list[Entry]] = defaultdict(list)
    for table in tables:
        names = [d.name for d in table.structure.dimensions]
        for e in by_table[table.dataset_id]:
            if e.count:
                index[(tuple(sorted(zip(names, e.iris, strict=True))), rel.quantity(e.measure))].append(e)
    for same in index.values():
        if len({e.table.letter_ref for e in same}) < 2:
            continue
        same.sort(key=lambda e: e.dataset)
        for old, new in zip(same, same[1:], strict=False):
            if old.table.letter_ref == new.table.letter_ref:
                continue
            recorded = new.table.revises.get((new.cell.codes, new.cell.measure)) == old.dataset
            label = (f"{old.where()} {_shown(old)} → {new.where()} {_shown(new)} "
                     + ("(prov:wasRevisionOf)" if recorded else "(the same cell)"))
            constraints.append(Constraint("same", [(new.id, 1.0), (old.id, -1.0)], 0.0, 0.0, label, new.id,
                                          recorded=recorded))


def _shown(e: Entry) -> str:
    return str(e.value) if e.value is not None else e.cell.status


def _is_sum(e: Entry) -> bool:
    """A cell that is the sum of its parts: a printed total, or a blank in a total's place (never an adjusted total)."""
    return e.count and (e.cell.status == "total" or e.value is None)


def _sums(table: Table, own: list[Entry], rel: Relations) -> list[Constraint]:
    """Each total is the sum of its parts, with the parts shape/total-sum takes: the cells that
    differ from it in one dimension only, where the total has a total code and the part does not,
    or where the total's period contains the part's."""
    out: list[Constraint] = []
    dims = table.structure.dimensions
    for d, dim in enumerate(dims):
        heads = {e.iris[d] for e in own}
        if not any(i in rel.totals or i in rel.spans for i in heads):
            continue  # no total or period along this dimension: nothing is summed along it
        groups: dict[tuple, list[Entry]] = defaultdict(list)
        for e in own:
            if e.count:
                groups[(e.iris[:d], e.iris[d + 1:], e.measure)].append(e)
        for group in groups.values():
            if len(group) < 2:
                continue
            for total in group:
                if not _is_sum(total):
                    continue
                t = total.iris[d]
                if t in rel.totals:
                    parts = [p for p in group if p.iris[d] not in rel.totals]
                elif t in rel.spans:
                    parts = [p for p in group if p.iris[d] != t and p.iris[d] in rel.spans
                             and p.iris[d] not in rel.totals and rel.within(p.iris[d], t)]
                else:
                    continue
                if not parts:
                    continue
                terms = [(total.id, 1.0)] + [(p.id, -1.0) for p in parts]
                label = f"{total.where()} = Σ {dim.name} ({len(parts)})"
                out.append(Constraint("sum", terms, 0.0, 0.0, label, total.id, dim.name))
    return out


def _total_of(e: Entry, count_measure: str, own_index: dict, rel: Relations) -> list[Entry]:
    """The count cells that are `e`'s totals: a total code in one dimension, the same codes elsewhere."""
    found = []
    for d in range(len(e.iris)):
        if e.iris[d] in rel.totals:
            continue
        for t in own_index.get((e.iris[:d], e.iris[d + 1:], count_measure), ()):
            if t.iris[d] in rel.totals:
                found.append(t)
    return found


def _shares(table: Table, own: list[Entry], rel: Relations, constraints: list[Constraint], facts: list[Fact],
            entries: list[Entry]) -> None:
    """A printed percentage is 100 × its count ÷ the total's count, to half a unit of its last decimal."""
    shares = [e for e in own if not e.count and e.measure in rel.share and e.value is not None]
    if not shares:
        return
    by_iris = {(e.iris, e.measure): e for e in own}
    index: dict[tuple, list[Entry]] = defaultdict(list)
    for e in own:
        for d in range(len(e.iris)):
            index[(e.iris[:d], e.iris[d + 1:], e.measure)].append(e)
    for s in shares:
        if any(i in rel.totals for i in s.iris):
            continue  # the total's own share (100 %)
        cm = rel.share[s.measure]
        count = by_iris.get((s.iris, cm))
        totals = _total_of(s, cm, index, rel)
        if count is None or len(totals) != 1:
            continue
        total = totals[0]
        p = s.value
        assert isinstance(p, Decimal)
        exponent = p.as_tuple().exponent
        decimals = -exponent if isinstance(exponent, int) and exponent < 0 else 0
        tol = 0.5 * 10 ** -decimals
        fact = Fact("share", [], s.id, [count.id, total.id], AS_PRINTED in s.cell.inferences, (p, tol))
        if (count.unknown or total.unknown) and not fact.printed_inconsistent:
            hi, lo = float(p) + tol + SHARE_EPSILON, float(p) - tol - SHARE_EPSILON
            label = f"{s.where()} = 100 × {count.where()} ÷ {total.where()} ± {tol:g}"
            fact.constraints = [len(constraints), len(constraints) + 1]
            constraints.append(Constraint("share", [(count.id, 100.0), (total.id, -hi)], None, 0.0, label, s.id))
            constraints.append(Constraint("share", [(count.id, 100.0), (total.id, -lo)], 0.0, None, label, s.id))
        facts.append(fact)


def _rounds(counts: list[tuple[Entry, list[int]]], rel: Relations, constraints: list[Constraint],
            facts: list[Fact]) -> None:
    """A count over a period that covers rounds (def:coversRound) is the sum of the same quantity in
    those rounds, wherever another table gives it (every other dimension a total on both sides)."""
    if not rel.covers:
        return
    single: dict[tuple[str, str], list[Entry]] = defaultdict(list)
    for e, free in counts:
        if len(free) == 1:
            single[(e.iris[free[0]], rel.quantity(e.measure))].append(e)
    for (period, quantity), heads in sorted(single.items()):
        rounds = rel.covers.get(period)
        if not rounds:
            continue
        for head in heads:
            parts = []
            for r in rounds:
                found = [e for e in single.get((r, quantity), ()) if e.dataset != head.dataset]
                if not found:
                    break
                parts.append(found[0])
            else:
                terms = [(head.id, 1.0)] + [(p.id, -1.0) for p in parts]
                label = f"{head.where()} = " + " + ".join(p.where() for p in parts)
                facts.append(Fact("rounds", [len(constraints)], head.id, [p.id for p in parts]))
                constraints.append(Constraint("rounds", terms, 0.0, 0.0, label, head.id))


def _within(counts: list[tuple[Entry, list[int]]], entries: list[Entry], rel: Relations, constraints: list[Constraint],
            facts: list[Fact]) -> None:
    """The places of one table that lie in a larger place (skos:broader: municipalities in an MRC)
    count together at most what another table counts for that larger place, over a period that
    contains theirs (every other dimension a total on both sides)."""
    if not rel.parents:
        return
    placed: dict[str, list[tuple[Entry, str]]] = defaultdict(list)  # place -> (entry, its period)
    for e, free in counts:
        if len(free) != 2:
            continue
        periods = [d for d in free if e.iris[d] in rel.spans]
        places = [d for d in free if d not in periods]
        if len(periods) == 1 and len(places) == 1:
            placed[e.iris[places[0]]].append((e, e.iris[periods[0]]))
    groups: dict[tuple[int, str, str], list[int]] = defaultdict(list)
    for place, items in placed.items():
        ancestors = rel.ancestors(place)
        if not ancestors:
            continue
        for outer in sorted(ancestors & placed.keys()):
            for big, big_period in placed[outer]:
                for small, period in items:
                    if (small.dataset != big.dataset and rel.quantity(small.measure) == rel.quantity(big.measure)
                            and rel.within(period, big_period)):
                        groups[(big.id, small.dataset, period)].append(small.id)
    for (big, _, _), smalls in sorted(groups.items()):
        smalls = sorted(smalls)
        terms = [(i, 1.0) for i in smalls] + [(big, -1.0)]
        label = " + ".join(entries[i].where() for i in smalls) + f" ≤ {entries[big].where()}"
        facts.append(Fact("within", [len(constraints)], big, smalls))
        constraints.append(Constraint("within", terms, None, 0.0, label, big))
