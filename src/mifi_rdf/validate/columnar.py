"""The rules of shapes/ that compare observations, run as columnar group-bys and joins (polars).

Why: the statistical rules (duplicates, totals, percentages, thresholds, one value per dimension,
statuses) are keyed group-bys over cells. Run as SPARQL they need every observation loaded into a
store first (half of the time of `validate` at 100k cells) and then join cells on string keys. Here
every observation is read once into one table of integers (dataset, the five qb:order slots, the
measure, the value, the status, a few flags), built directly from the cells of data/ (no RDF
statement is made) or from a parsed store for `validate FILE`, and each rule is a handful of polars
group-bys and joins over it. Rules about structures, code lists and datasets (few nodes) still run
as SPARQL on pyoxigraph (engine.py); what they need about codes (which are totals, which period
contains which, which statuses say "no value", which codes are in their list) is asked of the store
in SPARQL too, once per distinct code, so the graph stays the authority.

Exactness: every function below reproduces one sh:sparql constraint of shapes/ (same results, same
bindings, so the same messages and report bytes). It is tied to the text of that constraint by a
fingerprint (IMPLEMENTED): if a shape changes, its fingerprint no longer matches and validation runs
every rule as SPARQL instead, until this module follows (a test names the constraint). The same
holds for input this module does not reproduce exactly: an observation with two values for one
dimension, two statuses or two datasets, a structure whose dimensions are not each in one qb:order
slot from 1 to 5, a value that is not a plain xsd:integer or xsd:decimal... `Irregular` is raised
and the caller runs the SPARQL engine, whose answers are by definition the rules' answers. Such
input already breaks a rule; the fast path is for the cubes that are being published.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import polars as pl
import pyoxigraph as ox

from ..namespaces import DCAT, QB, RDF_TYPE, RDFS, SKOS, SUBCLASS, XSD
from .results import Result, Term, term_of
from .shapes import Constraint

INTEGER, DECIMAL = XSD + "integer", XSD + "decimal"
MEASURE_TYPE = QB + "measureType"
SLOTS = range(1, 6)
# key values that are not terms: SPARQL's "*" (the slot that varies) and "-" (no value)
STAR, NONE = 0xFFFFFFFE, 0xFFFFFFFD
INT_LEXICAL = r"^-?[0-9]{1,18}$"
DECIMAL_LEXICAL = r"^-?[0-9]{1,18}(\.[0-9]{1,18})?$"
COLUMN_INFERENCES = ("column-from-totals", "column-from-suppression-rule", "column-from-layout", "column-uncertain")


class Irregular(Exception):
    """The input (or the shapes) is outside what this module reproduces exactly: run SPARQL instead."""


def fingerprint(c: Constraint) -> str:
    """What a columnar rule is tied to: the constraint's SELECT (whitespace aside) and its targets."""
    text = " ".join(c.select.split()) + "|" + repr(c.targets)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


# shapes whose constraints never read an observation: run as SPARQL on a store without observations
STRUCTURAL = {"ic-02", "ic-03", "ic-04", "ic-05", "ic-06", "dimension-coded", "dimension-order",
              "dataset-metadata", "concept-labels"}


# ---------------------------------------------------------------------------- terms as integers

class Ids:
    """IRIs as small integers, so that every column is an integer column."""

    def __init__(self) -> None:
        self.of: dict[str, int] = {}
        self.iri: list[str] = []

    def __call__(self, iri: str) -> int:
        i = self.of.get(iri)
        if i is None:
            i = self.of[iri] = len(self.iri)
            self.iri.append(iri)
        return i

    def get(self, iri: str) -> int | None:
        return self.of.get(iri)


# ---------------------------------------------------------------------------- what the graph says

@dataclass
class Structure:
    slots: tuple[int | None, ...]  # the dimension in qb:order slot 1..5 (index 0..4)
    measures: frozenset[int]
    mt_slot: int | None  # 1..5 for qb:measureType, None without a measure dimension
    required: tuple[tuple[int, bool], ...]  # required attributes: (property, attached to the dataset)


@dataclass
class Facts:
    """What the rules read from the graph besides the observations, as integers."""

    ids: Ids
    targets: set[int] = field(default_factory=set)  # datasets typed qb:DataSet (or a subclass)
    structure: dict[int, int] = field(default_factory=dict)  # dataset -> its one structure
    structures: dict[int, Structure] = field(default_factory=dict)
    threshold: dict[int, tuple[int, ox.Literal]] = field(default_factory=dict)  # dataset -> value, term
    dataset_attributes: set[tuple[int, int]] = field(default_factory=set)  # (dataset, property) present
    xsd_range: dict[int, int] = field(default_factory=dict)  # measure -> its one XSD range
    integer_range: set[int] = field(default_factory=set)  # measures with rdfs:range xsd:integer
    share_of: dict[int, int] = field(default_factory=dict)  # percentage measure -> count measure
    measure_properties: set[int] = field(default_factory=set)  # every node typed qb:MeasureProperty
    codelist: dict[int, int] = field(default_factory=dict)  # dimension -> its one code list
    # about the codes and statuses the observations use (read after the observations)
    total_codes: set[int] = field(default_factory=set)
    periods: set[int] = field(default_factory=set)
    contains: set[tuple[int, int]] = field(default_factory=set)  # (period, period it contains)
    no_value: set[int] = field(default_factory=set)  # statuses with def:hasValue false
    known_status: set[int] = field(default_factory=set)  # statuses with some def:hasValue
    outside_list: set[tuple[int, int]] = field(default_factory=set)  # (dimension, code) not in its list


def _query(store: ox.Store, text: str, base: str):
    return store.query(text, base_iri=base, use_default_graph_as_union=True)


def _values(var: str, iris: Iterable[str]) -> str:
    return f"VALUES ?{var} {{ {' '.join(f'<{i}>' for i in sorted(iris))} }}"


def _iri(term) -> str:
    if not isinstance(term, ox.NamedNode):
        raise Irregular(f"{term} is not an IRI")
    return term.value


def read_structures(store: ox.Store, base: str, ids: Ids, datasets: Iterable[int]) -> Facts:
    """The structure, threshold and measures of each dataset that has observations."""
    facts = Facts(ids)
    datasets = sorted(set(datasets))
    if not datasets:
        return facts
    names = {ids.iri[d] for d in datasets}
    for row in _query(store, f"SELECT DISTINCT ?ds WHERE {{ {_values('ds', names)} "
                             f"?ds <{RDF_TYPE}>/<{SUBCLASS}>* <{QB}DataSet> }}", base):
        facts.targets.add(ids(row[0].value))
    found: dict[int, set[int]] = {}
    for row in _query(store, f"SELECT ?ds ?dsd WHERE {{ {_values('ds', names)} ?ds <{QB}structure> ?dsd }}", base):
        found.setdefault(ids(row[0].value), set()).add(ids(_iri(row[1])))
    for ds in facts.targets:
        dsds = found.get(ds, set())
        if len(dsds) != 1:
            raise Irregular(f"{ids.iri[ds]} has {len(dsds)} structures")
        facts.structure[ds] = next(iter(dsds))
    for row in _query(store, f"SELECT ?ds ?t WHERE {{ {_values('ds', names)} ?ds <{base}def/suppressionThreshold> ?t }}",
                      base):
        ds, t = ids(row[0].value), row[1]
        if ds in facts.threshold or not isinstance(t, ox.Literal) or t.datatype.value != INTEGER \
                or not _is_integer(t.value):
            raise Irregular("a dataset has several thresholds, or one that is not an xsd:integer")
        facts.threshold[ds] = (int(t.value), t)
    dsds = sorted(set(facts.structure.values()))
    if not dsds:
        return facts
    dsd_names = {ids.iri[d] for d in dsds}
    components: dict[tuple[int, int], list] = {}
    for row in _query(store, f"SELECT ?dsd ?c ?dim ?order WHERE {{ {_values('dsd', dsd_names)} "
                             f"?dsd <{QB}component> ?c . ?c <{QB}dimension> ?dim OPTIONAL {{ ?c <{QB}order> ?order }} }}",
                      base):
        key = (ids(row[0].value), ids(_iri(row[2])))
        components.setdefault(key, []).append((row[1], row[3]))
    slots: dict[int, list[int | None]] = {d: [None] * 5 for d in dsds}
    for (dsd, dim), specs in components.items():
        orders = [o for c, o in specs]
        if len({c for c, _ in specs}) != 1 or len(orders) != 1 or not isinstance(orders[0], ox.Literal) \
                or orders[0].datatype.value != INTEGER or orders[0].value not in {"1", "2", "3", "4", "5"}:
            raise Irregular(f"dimension {ids.iri[dim]} is not in exactly one qb:order slot from 1 to 5")
        k = int(orders[0].value)
        if slots[dsd][k - 1] is not None:
            raise Irregular(f"two dimensions in slot {k}")
        slots[dsd][k - 1] = dim
    measures: dict[int, set[int]] = {d: set() for d in dsds}
    for row in _query(store, f"SELECT ?dsd ?m WHERE {{ {_values('dsd', dsd_names)} ?dsd <{QB}component>/<{QB}measure> ?m }}",
                      base):
        measures[ids(row[0].value)].add(ids(_iri(row[1])))
    required: dict[int, set[tuple[int, bool]]] = {d: set() for d in dsds}
    for row in _query(store, f"SELECT ?dsd ?path ?attached WHERE {{ {_values('dsd', dsd_names)} "
                             f"?dsd <{QB}component> ?spec . ?spec <{QB}componentRequired> true ; <{QB}attribute> ?path . "
                             f"BIND(EXISTS {{ ?spec <{QB}componentAttachment> <{QB}DataSet> }} AS ?attached) }}", base):
        required[ids(row[0].value)].add((ids(_iri(row[1])), row[2].value == "true"))
    mt = ids(MEASURE_TYPE)
    for dsd in dsds:
        s = tuple(slots[dsd])
        facts.structures[dsd] = Structure(s, frozenset(measures[dsd]), s.index(mt) + 1 if mt in s else None,
                                          tuple(sorted(required[dsd])))
    attached = {ids.iri[p] for st in facts.structures.values() for p, at in st.required if at}
    if attached:
        for row in _query(store, f"SELECT DISTINCT ?ds ?p WHERE {{ {_values('ds', names)} {_values('p', attached)} "
                                 f"?ds ?p [] }}", base):
            facts.dataset_attributes.add((ids(row[0].value), ids(row[1].value)))
    dims = {d for st in facts.structures.values() for d in st.slots if d is not None}
    if dims:
        for row in _query(store, f"SELECT ?dim ?list WHERE {{ {_values('dim', {ids.iri[d] for d in dims})} "
                                 f"?dim <{QB}codeList> ?list }}", base):
            dim = ids(row[0].value)
            if dim in facts.codelist:
                raise Irregular(f"{row[0].value} has several code lists")
            facts.codelist[dim] = ids(_iri(row[1]))
    return facts


def read_measures(store: ox.Store, base: str, facts: Facts, used: Iterable[int]) -> None:
    """Range and share of every measure a structure declares or an observation names."""
    ids = facts.ids
    for row in _query(store, f"SELECT DISTINCT ?m WHERE {{ ?m a <{QB}MeasureProperty> }}", base):
        if isinstance(row[0], ox.NamedNode):
            facts.measure_properties.add(ids(row[0].value))
    measures = set(used) | {m for st in facts.structures.values() for m in st.measures}
    if not measures:
        return
    listed = _values("m", {ids.iri[m] for m in measures})
    for row in _query(store, f"SELECT ?m ?range WHERE {{ {listed} ?m <{RDFS}range> ?range }}", base):
        m, rng = ids(row[0].value), row[1]
        if isinstance(rng, ox.NamedNode) and rng.value == INTEGER:
            facts.integer_range.add(m)
        if isinstance(rng, ox.NamedNode) and rng.value.startswith(XSD):
            if m in facts.xsd_range:
                raise Irregular(f"{row[0].value} has several XSD ranges")
            facts.xsd_range[m] = ids(rng.value)
    for row in _query(store, f"SELECT ?m ?whole WHERE {{ {listed} ?m <{base}def/shareOf> ?whole }}", base):
        m = ids(row[0].value)
        if m in facts.share_of:
            raise Irregular(f"{row[0].value} is a share of several measures")
        facts.share_of[m] = ids(_iri(row[1]))


def read_codes(store: ox.Store, base: str, facts: Facts, codes: Iterable[int], statuses: Iterable[int],
               coded: Iterable[tuple[int, int]]) -> None:
    """What the rules ask about the codes the observations use: totals, periods, statuses, lists."""
    ids = facts.ids
    codes = {ids.iri[c] for c in codes}
    if codes:
        listed = _values("c", codes)
        for row in _query(store, f"SELECT ?c WHERE {{ {listed} ?c a <{base}def/TotalCode> }}", base):
            facts.total_codes.add(ids(row[0].value))
        periods = set()
        for row in _query(store, f"SELECT DISTINCT ?c WHERE {{ {listed} ?c <{DCAT}startDate> ?s ; <{DCAT}endDate> ?e }}",
                          base):
            facts.periods.add(ids(row[0].value))
            periods.add(row[0].value)
        if periods:
            for row in _query(store, f"SELECT DISTINCT ?tc ?pc WHERE {{ {_values('tc', periods)} {_values('pc', periods)} "
                                     f"?tc <{DCAT}startDate> ?ts ; <{DCAT}endDate> ?te . "
                                     f"?pc <{DCAT}startDate> ?ps ; <{DCAT}endDate> ?pe . "
                                     "FILTER (?pc != ?tc && ?ps >= ?ts && ?pe <= ?te) }", base):
                facts.contains.add((ids(row[0].value), ids(row[1].value)))
    statuses = {ids.iri[s] for s in statuses}
    if statuses:
        listed = _values("s", statuses)
        for row in _query(store, f"SELECT DISTINCT ?s WHERE {{ {listed} ?s <{base}def/hasValue> false }}", base):
            facts.no_value.add(ids(row[0].value))
        for row in _query(store, f"SELECT DISTINCT ?s WHERE {{ {listed} ?s <{base}def/hasValue> [] }}", base):
            facts.known_status.add(ids(row[0].value))
    pairs = {(facts.codelist[dim], code) for dim, code in coded if dim in facts.codelist}
    if pairs:
        rows = " ".join(f"(<{ids.iri[lst]}> <{ids.iri[code]}>)" for lst, code in sorted(pairs))
        bad = set()
        for row in _query(store, f"SELECT ?list ?code WHERE {{ VALUES (?list ?code) {{ {rows} }} "
                                 f"FILTER ((EXISTS {{ ?list a <{SKOS}ConceptScheme> }} && "
                                 f"NOT EXISTS {{ ?code a <{SKOS}Concept> ; <{SKOS}inScheme> ?list }}) || "
                                 f"(EXISTS {{ ?list a <{SKOS}Collection> }} && "
                                 f"NOT EXISTS {{ ?code a <{SKOS}Concept> . ?list <{SKOS}member>+ ?code }})) }}", base):
            bad.add((ids(row[0].value), ids(row[1].value)))
        facts.outside_list = {(dim, code) for dim, code in coded
                              if dim in facts.codelist and (facts.codelist[dim], code) in bad}


def _is_integer(lexical: str) -> bool:
    digits = lexical[1:] if lexical.startswith("-") else lexical
    return 0 < len(digits) <= 18 and digits.isascii() and digits.isdigit()


# ---------------------------------------------------------------------------- the observations

SCHEMA = {"ds": pl.UInt32, **{f"s{k}": pl.UInt32 for k in SLOTS}, "mt": pl.UInt32, "v": pl.String,
          "vdt": pl.UInt32, "st": pl.UInt32, "inf": pl.UInt32, "asp": pl.Boolean, "attrs": pl.UInt32}


@dataclass
class Observations:
    """One row per observation (columns of SCHEMA, plus `row`), and what a result needs besides.

    `attrs` is a bit set of the required attributes (Facts.structures' `required`, numbered by
    `attributes`) the observation has; `other` holds the values of measures other than the one its
    qb:measureType names (row, measure, lexical form, datatype); `bounds` the audit's def:lowerBound
    and def:upperBound of the observations that have both (row, lower and upper lexical forms and
    datatypes); `iris(rows)` gives the observations' IRIs and `notes(row)` the rdfs:comment of an
    observation placed by inference, by language ("fr", "en"); `revisions` the prov:wasRevisionOf
    that name an observation the graph lacks although it holds the dataset whose IRI prefixes it
    (row, its dataset, the IRI revised, that dataset), as shape/revision-target finds them."""

    frame: pl.DataFrame
    other: pl.DataFrame
    attributes: list[int]
    iris: Callable[[Sequence[int]], list[str]]
    notes: Callable[[int], dict[str, ox.Literal]]
    bounds: pl.DataFrame | None = None
    revisions: list[tuple[int, int, str, int]] = field(default_factory=list)


def check_values(obs: Observations, ids: Ids) -> None:
    """Integers and decimals as plain lexical forms the rules can compare exactly, or Irregular."""
    integer, decimal = ids(INTEGER), ids(DECIMAL)
    frames = [obs.frame.select(v="v", vdt="vdt"), obs.other.select(v="lexical", vdt="datatype")]
    if obs.bounds is not None:
        frames += [obs.bounds.select(v="lower", vdt="lower_dt"), obs.bounds.select(v="upper", vdt="upper_dt")]
    for frame in frames:
        bad = frame.filter(pl.col("v").is_not_null() & ~(
            ((pl.col("vdt") == integer) & pl.col("v").str.contains(INT_LEXICAL))
            | ((pl.col("vdt") == decimal) & pl.col("v").str.contains(DECIMAL_LEXICAL))))
        if bad.height:
            raise Irregular(f"value {bad['v'][0]!r} is not a plain xsd:integer or xsd:decimal")


# ---------------------------------------------------------------------------- the rules

@dataclass
class Found:
    """Results of one constraint: (dataset, row, path, bindings besides this/value/path)."""

    rows: list[tuple[int, int, int | None, dict[str, object]]] = field(default_factory=list)

    def add(self, ds: int, row: int, path: int | None = None, **bindings: object) -> None:
        self.rows.append((ds, row, path, bindings))


def _lit(value: str, datatype: str = INTEGER) -> ox.Literal:
    return ox.Literal(value, datatype=ox.NamedNode(datatype))


class Rules:
    """The columnar form of each observation constraint, over one Observations table."""

    def __init__(self, obs: Observations, facts: Facts, base: str) -> None:
        self.obs, self.facts, self.ids, self.base = obs, facts, facts.ids, base
        ids = self.ids
        self.mt_id = ids(MEASURE_TYPE)
        self.integer, self.decimal = ids(INTEGER), ids(DECIMAL)
        per_ds = []
        for ds in sorted(facts.targets):
            st = facts.structures[facts.structure[ds]]
            thr = facts.threshold.get(ds)
            per_ds.append({"ds": ds, **{f"p{k}": st.slots[k - 1] for k in SLOTS}, "mtk": st.mt_slot,
                           "thr": thr[0] if thr else None})
        dsf = pl.DataFrame(per_ds, schema={"ds": pl.UInt32, **{f"p{k}": pl.UInt32 for k in SLOTS},
                                           "mtk": pl.UInt8, "thr": pl.Int64}) if per_ds else None
        frame = obs.frame
        if dsf is None:
            frame = frame.clear().with_columns(**{c: pl.lit(None, t) for c, t in
                                                  {**{f"p{k}": pl.UInt32 for k in SLOTS}, "mtk": pl.UInt8,
                                                   "thr": pl.Int64}.items()})
        else:
            frame = frame.join(dsf, on="ds", how="inner")
        self.f = frame.with_columns(
            vint=pl.when(pl.col("vdt") == self.integer).then(pl.col("v").cast(pl.Int64, strict=False)))

    def wanted(self) -> tuple[set[int], set[int], set[tuple[int, int]]]:
        """The codes, statuses and (dimension, code) pairs the observations use: what `read_codes` asks about."""
        codes: set[int] = set()
        coded: set[tuple[int, int]] = set()
        for k in SLOTS:
            pairs = self.f.select(f"p{k}", f"s{k}").drop_nulls().unique()
            codes.update(pairs[f"s{k}"].to_list())
            coded.update(pairs.iter_rows())
        statuses = set(self.f["st"].drop_nulls().unique().to_list())
        return codes, statuses, coded

    def run(self, constraints: Iterable[tuple[Constraint, str]]) -> set:
        """Every result of the given constraints, as the SPARQL engine reports them."""

        results = set()
        for c, method in constraints:
            found = Found()
            getattr(self, method)(found)
            if not found.rows:
                continue
            iris = dict(zip((r for _, r, _, _ in found.rows), self.obs.iris([r for _, r, _, _ in found.rows]), strict=True))
            for ds, row, path, extra in found.rows:
                focus = Term("iri", self.ids.iri[ds])
                value = Term("iri", iris[row])
                bound = {"this": focus, "value": value, **{k: term_of(v) for k, v in extra.items()}}
                path_term = None
                if path is not None:
                    path_term = bound["path"] = Term("iri", self.ids.iri[path])
                results.add(Result(c.shape, c.index, c.severity, focus, value, path_term, tuple(sorted(bound.items()))))
        return results

    # ------------------------------------------------------------------ helpers

    def key(self, star: Callable[[int], pl.Expr]) -> list[pl.Expr]:
        """Slot k of the key: STAR where `star(k)` holds (and the slot has a value), else the value or NONE."""
        return [pl.when(star(k) & pl.col(f"s{k}").is_not_null()).then(pl.lit(STAR, pl.UInt32))
                .otherwise(pl.col(f"s{k}").fill_null(NONE)).alias(f"k{k}") for k in SLOTS]

    @staticmethod
    def keys() -> list[str]:
        return [f"k{k}" for k in SLOTS]

    def mt_star(self, k: int) -> pl.Expr:
        return pl.col("mtk") == k

    # ------------------------------------------------------------------ IC rules

    def ic01(self, out: Found) -> None:
        """Every observation has exactly one dataset: Irregular otherwise, so nothing to report."""

    def ic11(self, out: Found) -> None:
        for k in SLOTS:
            for ds, row, path in self.f.filter(pl.col(f"p{k}").is_not_null() & pl.col(f"s{k}").is_null()) \
                    .select("ds", "row", f"p{k}").iter_rows():
                out.add(ds, row, path)

    def ic12(self, out: Found) -> None:
        cols = ["ds", *(f"s{k}" for k in SLOTS)]
        dup = self.f.select("row", *cols).filter(pl.len().over(cols) > 1)
        groups: dict[tuple, list[int]] = {}
        for row, *key in dup.iter_rows():
            groups.setdefault(tuple(key), []).append(row)
        for key, rows in groups.items():
            out.add(key[0], self._min_row(rows), n=_lit(str(len(rows))))

    def _min_row(self, rows: list[int]) -> int:
        """The row whose observation IRI is the least (SPARQL's IRI(MIN(STR(?o))))."""
        iris = self.obs.iris(rows)
        return rows[min(range(len(rows)), key=iris.__getitem__)]

    def ic13(self, out: Found) -> None:
        f = self.facts
        bit = {a: 1 << i for i, a in enumerate(self.obs.attributes)}
        applies: dict[int, list[int]] = {}  # required attribute -> datasets that need it on every observation
        for ds in sorted(f.targets):
            for path, attached in f.structures[f.structure[ds]].required:
                if not (attached and (ds, path) in f.dataset_attributes):
                    applies.setdefault(path, []).append(ds)
        for path, datasets in sorted(applies.items()):
            for ds, row in self.f.filter(pl.col("ds").is_in(datasets) & ((pl.col("attrs") & bit[path]) == 0)) \
                    .select("ds", "row").iter_rows():
                out.add(ds, row, path)

    def _has_value(self, measure: int) -> pl.Expr:
        other = self.obs.other.filter(pl.col("measure") == measure)["row"].to_list()
        return ((pl.col("mt") == measure) & pl.col("v").is_not_null()).fill_null(False) | pl.col("row").is_in(other)

    def _says_why(self) -> pl.Expr:
        return pl.col("st").is_in(sorted(self.facts.no_value)).fill_null(False)

    def ic14(self, out: Found) -> None:
        f = self.facts
        applies: dict[int, list[int]] = {}  # measure -> datasets without a measure dimension whose structure has it
        for ds in sorted(f.targets):
            st = f.structures[f.structure[ds]]
            if st.mt_slot is None:
                for m in st.measures:
                    applies.setdefault(m, []).append(ds)
        for m, datasets in sorted(applies.items()):
            for ds, row in self.f.filter(pl.col("ds").is_in(datasets) & ~self._has_value(m) & ~self._says_why()) \
                    .select("ds", "row").iter_rows():
                out.add(ds, row, m)

    def ic15(self, out: Found) -> None:
        for ds, row, mt in self.f.filter(pl.col("mtk").is_not_null() & pl.col("mt").is_not_null()
                                         & pl.col("v").is_null() & ~self._says_why()).select("ds", "row", "mt").iter_rows():
            # the value of the measure it names could only be among `other` if it were not its measureType
            out.add(ds, row, mt)

    def ic16(self, out: Found) -> None:
        f = self.facts
        rows = self.f.filter(pl.col("mtk").is_not_null() & pl.col("mt").is_not_null()).select("ds", "row", "mt")
        for ds, row, mt, measure in rows.join(self.obs.other.select("row", "measure"), on="row").iter_rows():
            if measure in f.structures[f.structure[ds]].measures and measure != mt:
                out.add(ds, row, measure, measure=ox.NamedNode(self.ids.iri[mt]))

    def measure_single_count(self, out: Found) -> None:
        """One value for the measure an observation names: Irregular otherwise, so nothing to report."""

    def measure_undeclared(self, out: Found) -> None:
        f = self.facts
        rows = self.f.filter(pl.col("mtk").is_not_null() & pl.col("mt").is_not_null()).select("ds", "row", "mt")
        for ds, row, mt, measure in rows.join(self.obs.other.select("row", "measure"), on="row").iter_rows():
            if measure in f.measure_properties and measure != mt \
                    and measure not in f.structures[f.structure[ds]].measures:
                out.add(ds, row, measure, measure=ox.NamedNode(self.ids.iri[mt]))

    def ic17(self, out: Found) -> None:
        f = self.facts
        expected = pl.DataFrame({"ds": sorted(f.targets),
                                 "expected": [len(f.structures[f.structure[d]].measures) for d in sorted(f.targets)]},
                                schema={"ds": pl.UInt32, "expected": pl.UInt32})
        cells = self.f.filter(pl.col("mtk").is_not_null() & pl.col("mt").is_not_null()) \
            .select("ds", "row", "mt", *self.key(self.mt_star)).join(expected, on="ds")
        group = ["ds", *self.keys()]
        short = cells.with_columns(n=pl.col("mt").n_unique().over(group)).filter(pl.col("n") < pl.col("expected"))
        groups: dict[tuple, list] = {}
        for ds, row, n, exp, *key in short.select("ds", "row", "n", "expected", *self.keys()).iter_rows():
            groups.setdefault((ds, *key), [n, exp, []])[2].append(row)
        for key, (n, exp, rows) in groups.items():
            out.add(key[0], self._min_row(rows), n=_lit(str(n)), expected=_lit(str(exp)))

    def ic19(self, out: Found) -> None:
        f = self.facts
        if not f.outside_list:
            return
        for k in SLOTS:
            pairs = pl.DataFrame(sorted(f.outside_list), schema={f"p{k}": pl.UInt32, f"s{k}": pl.UInt32}, orient="row")
            for ds, row, path, code in self.f.join(pairs, on=[f"p{k}", f"s{k}"]).select("ds", "row", f"p{k}", f"s{k}") \
                    .iter_rows():
                out.add(ds, row, path, code=ox.NamedNode(self.ids.iri[code]),
                        list=ox.NamedNode(self.ids.iri[f.codelist[path]]))

    def dimension_single(self, out: Found) -> None:
        """One value per dimension: Irregular otherwise, so nothing to report."""

    # ------------------------------------------------------------------ profile rules

    def _value(self, row_lexical: str, datatype: int) -> ox.Literal:
        return _lit(row_lexical, self.ids.iri[datatype])

    def disclosure(self, out: Found) -> None:
        residual = self.ids(self.base + "code/cell-status/residual")
        cand = self.f.filter(pl.col("thr").is_not_null() & pl.col("st").is_not_null() & (pl.col("st") != residual)
                             & pl.col("mt").is_in(sorted(self.facts.integer_range)) & pl.col("v").is_not_null())
        ints = cand.filter(pl.col("vint").is_not_null() & (pl.col("vint") > 0) & (pl.col("vint") < pl.col("thr")))
        decimals = cand.filter(pl.col("vdt") == self.decimal)
        for ds, row, v, vdt, thr in pl.concat([ints, decimals]).select("ds", "row", "v", "vdt", "thr").iter_rows():
            if vdt == self.decimal and not (0 < _units(v) < thr * 10**18):
                continue
            out.add(ds, row, v=self._value(v, vdt), threshold=self.facts.threshold[ds][1])

    def total_sum(self, out: Found) -> None:
        self._totals(out, "total", lambda known, parts, s, tv: (known == parts and s != tv) or s > tv)

    def adjusted_total(self, out: Found) -> None:
        self._totals(out, "adjusted-total", lambda known, parts, s, tv: s != tv)

    def _totals(self, out: Found, status: str, fails: Callable[[int, int, int, int], bool]) -> None:
        f, ids = self.facts, self.ids
        s_id = ids(self.base + "code/cell-status/" + status)
        counted = self.f.filter(pl.col("mt").is_not_null() & ~pl.col("mt").is_in(sorted(f.share_of)))
        with_totals = self.f.filter(pl.col("st") == s_id).select("ds").unique()
        if not with_totals.height:
            return
        counted = counted.join(with_totals, on="ds", how="semi")
        if counted.filter(pl.col("v").is_not_null() & pl.col("vint").is_null()).height:
            raise Irregular("a total or one of its parts is not an xsd:integer")
        totals = counted.filter((pl.col("st") == s_id) & pl.col("v").is_not_null())
        marks = sorted(f.total_codes | f.periods)
        contains = pl.DataFrame(sorted(f.contains), schema={"tc": pl.UInt32, "pc": pl.UInt32}, orient="row") \
            .with_columns(contained=pl.lit(True))
        joined = []
        for k in SLOTS:
            def star(j: int, k: int = k) -> pl.Expr:
                return pl.lit(j == k)

            usable = pl.col(f"p{k}").is_not_null() & (pl.col(f"p{k}") != self.mt_id) & pl.col(f"s{k}").is_not_null()
            t = totals.filter(usable & pl.col(f"s{k}").is_in(marks)).select(
                "ds", "mt", *self.key(star), path=pl.col(f"p{k}"), tc=pl.col(f"s{k}"), trow="row", tv="vint")
            if not t.height:
                continue
            p = counted.filter(usable).select("ds", "mt", *self.key(star), path=pl.col(f"p{k}"), pc=pl.col(f"s{k}"),
                                              prow="row", pv="vint")
            j = t.join(p, on=["ds", "mt", "path", *self.keys()]).filter(pl.col("trow") != pl.col("prow"))
            j = j.join(contains, on=["tc", "pc"], how="left").filter(
                (pl.col("tc").is_in(sorted(f.total_codes)) & ~pl.col("pc").is_in(sorted(f.total_codes)))
                | pl.col("contained").fill_null(False))
            joined.append(j.select("ds", "trow", "tv", "path", "prow", "pv"))
        if not joined:
            return
        groups = pl.concat(joined).group_by("ds", "trow", "tv", "path").agg(
            sum=pl.col("pv").fill_null(0).sum(), parts=pl.col("prow").n_unique(), known=pl.col("pv").count())
        tv_lexical = dict(self.f.filter(pl.col("row").is_in(groups["trow"].to_list())).select("row", "v").iter_rows())
        for ds, trow, tv, path, s, parts, known in groups.iter_rows():
            if fails(known, parts, s, tv):
                out.add(ds, trow, path, tv=_lit(tv_lexical[trow]), sum=_lit(str(s)), parts=_lit(str(parts)),
                        known=_lit(str(known)))

    def percentage(self, out: Found) -> None:
        self._percentages(out, as_printed=False)

    def percentage_as_printed(self, out: Found) -> None:
        self._percentages(out, as_printed=True)

    def _percentages(self, out: Found, as_printed: bool) -> None:
        f = self.facts
        if not f.share_of:
            return
        shares = pl.DataFrame(sorted(f.share_of.items()), schema={"mt": pl.UInt32, "cm": pl.UInt32}, orient="row")
        allowed = pl.DataFrame(sorted({(ds, f.share_of[m]) for ds in f.targets
                                       for m in f.structures[f.structure[ds]].measures if m in f.share_of}),
                               schema={"ds": pl.UInt32, "cm": pl.UInt32}, orient="row")
        if not allowed.height:
            return
        pct = self.f.filter(pl.col("v").is_not_null() & (pl.col("asp") == as_printed)).join(shares, on="mt")
        if not pct.height:
            return
        k0 = [e.alias(f"z{k}") for k, e in zip(SLOTS, self.key(self.mt_star), strict=True)]
        zs = [f"z{k}" for k in SLOTS]
        counts = self.f.filter(pl.col("v").is_not_null()).rename({"mt": "cm"}).join(allowed, on=["ds", "cm"]) \
            .select("ds", "cm", *k0, count="v", cdt="vdt").unique()
        if counts.filter(pl.col("cdt") != self.integer).height:
            raise Irregular("a count that a percentage is a share of is not an xsd:integer")
        totals_all = self.f.filter(pl.col("v").is_not_null()).rename({"mt": "cm"}).join(allowed, on=["ds", "cm"])
        joined = []
        for k in SLOTS:
            def star(j: int, k: int = k) -> pl.Expr:
                return (pl.col("mtk") == j) | pl.lit(j == k)

            usable = pl.col(f"p{k}").is_not_null() & (pl.col(f"p{k}") != self.mt_id)
            left = pct.filter(usable).select("ds", "row", "v", "cm", *k0, *self.key(star), path=pl.col(f"p{k}"))
            if not left.height:
                continue
            right = totals_all.filter(usable & pl.col(f"s{k}").is_in(sorted(f.total_codes))) \
                .select("ds", "cm", *self.key(star), path=pl.col(f"p{k}"), total="v", tdt="vdt").unique()
            j = left.join(counts, on=["ds", "cm", *zs]).join(right, on=["ds", "cm", "path", *self.keys()])
            joined.append(j.select("ds", "row", "v", "count", "total", "tdt"))
        if not joined:
            return
        rows = pl.concat(joined)
        if rows.filter(pl.col("tdt") != self.integer).height:
            raise Irregular("a total that a percentage is a share of is not an xsd:integer")
        groups: dict[tuple[int, int, str], list] = {}
        for ds, row, pct_lex, count, total, _ in rows.iter_rows():
            c, t = int(count), int(total)
            if t <= 0:
                continue
            g = groups.setdefault((ds, row, pct_lex), [])
            g.append((_agrees(pct_lex, c, t), c, count, t, total, _expected(c, t)))
        for (ds, row, pct_lex), items in groups.items():
            if any(ok for ok, *_ in items):
                continue
            count = min(items, key=lambda i: i[1])[2]
            total = min(items, key=lambda i: i[3])[4]
            expected = min(items, key=lambda i: i[5])[5]
            vdt = self.ids.iri[self._datatype_of(row)]
            out.add(ds, row, pct=_lit(pct_lex, vdt), count=_lit(count), total=_lit(total),
                    expected=_lit(_decimal_text(expected), DECIMAL))

    def _datatype_of(self, row: int) -> int:
        """The datatype of an observation's value (for the few results that print it)."""
        return self.f.filter(pl.col("row") == row)["vdt"][0]

    def value_or_status_has_value(self, out: Found) -> None:
        for ds, row, v, vdt, st in self.f.filter(pl.col("mt").is_not_null() & pl.col("v").is_not_null()
                                                 & self._says_why()).select("ds", "row", "v", "vdt", "st").iter_rows():
            out.add(ds, row, v=self._value(v, vdt), status=ox.NamedNode(self.ids.iri[st]))

    def value_or_status_count(self, out: Found) -> None:
        for ds, row in self.f.filter(pl.col("st").is_null()).select("ds", "row").iter_rows():
            out.add(ds, row, n=_lit("0"))

    def value_or_status_known(self, out: Found) -> None:
        known = sorted(self.facts.known_status)
        for ds, row, st in self.f.filter(pl.col("st").is_not_null() & ~pl.col("st").is_in(known)) \
                .select("ds", "row", "st").iter_rows():
            out.add(ds, row, status=ox.NamedNode(self.ids.iri[st]))

    def measure_datatype(self, out: Found) -> None:
        ranges = pl.DataFrame(sorted(self.facts.xsd_range.items()), schema={"mt": pl.UInt32, "range": pl.UInt32},
                              orient="row")
        cells = self.f.filter(pl.col("v").is_not_null()).join(ranges, on="mt").filter(pl.col("vdt") != pl.col("range"))
        for ds, row, mt, v, vdt, rng in cells.select("ds", "row", "mt", "v", "vdt", "range").iter_rows():
            out.add(ds, row, mt, v=self._value(v, vdt), datatype=ox.NamedNode(self.ids.iri[vdt]),
                    range=ox.NamedNode(self.ids.iri[rng]))

    def measure_non_negative(self, out: Found) -> None:
        cells = self.f.filter(pl.col("mt").is_in(sorted(self.facts.integer_range)) & (pl.col("vint") < 0))
        for ds, row, mt, v in cells.select("ds", "row", "mt", "v").iter_rows():
            out.add(ds, row, mt, v=_lit(v))

    def inferred_cell(self, out: Found) -> None:
        for ds, row, inf in self.f.filter(pl.col("inf").is_not_null()).select("ds", "row", "inf").iter_rows():
            notes = self.obs.notes(row)
            extra = {f"note_{lang}": notes[lang] for lang in ("fr", "en") if lang in notes}
            out.add(ds, row, inference=ox.NamedNode(self.ids.iri[inf]), **extra)

    def revision_target(self, out: Found) -> None:
        """A revised observation the graph lacks (found while the table was read: see Observations)."""
        for row, ds, revised, other in self.obs.revisions:
            out.add(ds, row, revised=ox.NamedNode(revised), other=ox.NamedNode(self.ids.iri[other]))

    def disclosed_cell(self, out: Found) -> None:
        """A suppressed cell whose audited bounds meet: ?v = ?u, compared as numbers."""
        if self.obs.bounds is None or not self.obs.bounds.height:
            return
        rows = self.f.select("ds", "row").join(self.obs.bounds, on="row")
        for ds, row, lower, lower_dt, upper, _ in rows.select("ds", "row", "lower", "lower_dt", "upper", "upper_dt").iter_rows():
            if _units(lower) == _units(upper):
                out.add(ds, row, v=_lit(lower, self.ids.iri[lower_dt]))


def _units(lexical: str) -> int:
    """A plain decimal (or integer) lexical form as an integer number of 10^-18 units: exact."""
    sign = -1 if lexical.startswith("-") else 1
    whole, _, frac = lexical.lstrip("-").partition(".")
    return sign * (int(whole) * 10**18 + int((frac + "0" * 18)[:18]))


def _div18(n: int, d: int) -> int:
    """n / d in 10^-18 units, truncated toward zero as pyoxigraph's xsd:decimal division does."""
    q = abs(n) * 10**18 // abs(d)
    return q if (n >= 0) == (d > 0) else -q


def _agrees(pct: str, count: int, total: int) -> bool:
    """ABS(?pct - 100 * ?count / ?total) <= ?tolerance + 0.000001, in xsd:decimal arithmetic."""
    decimals = len(pct.partition(".")[2])
    tolerance = {0: 5 * 10**17, 1: 5 * 10**16, 2: 5 * 10**15}.get(decimals, 5 * 10**14)
    return abs(_units(pct) - _div18(100 * count, total)) <= tolerance + 10**12


def _expected(count: int, total: int) -> int:
    """ROUND(1000 * 100 * ?count / ?total) / 1000, in thousandths (ROUND: halves up)."""
    q = _div18(100_000 * count, total)
    return (q + 5 * 10**17) // 10**18


def _decimal_text(thousandths: int) -> str:
    """An xsd:decimal of thousandths written as pyoxigraph writes it: no trailing zeros, no dot when whole."""
    sign = "-" if thousandths < 0 else ""
    whole, frac = divmod(abs(thousandths), 1000)
    frac_text = f"{frac:03d}".rstrip("0")
    return f"{sign}{whole}.{frac_text}" if frac_text else f"{sign}{whole}"


# which method reproduces which constraint (fingerprint of its SELECT and targets, see `fingerprint`)
IMPLEMENTED: dict[str, str] = {
    "7d0c89137fb5": "ic01",
    "6158a089da7a": "ic11",
    "bdb805d082ae": "ic12",
    "252b96ce5b58": "ic13",
    "37a67cc2a4b5": "ic14",
    "9b3dc3663b78": "ic15",
    "3db7a1770ef2": "ic16",
    "c4bf0be7a1e3": "ic17",
    "ad09d41affbc": "ic19",
    "483fef25e152": "dimension_single",
    "53ac8d31f16b": "disclosure",
    "2f82fe4ba701": "total_sum",
    "01e192864951": "adjusted_total",
    "8dea8334290f": "percentage",
    "4a8139bc7370": "percentage_as_printed",
    "38c43cc350ac": "value_or_status_count",
    "351567750040": "value_or_status_known",
    "88f0eec80788": "value_or_status_has_value",
    "63f89c8c7528": "measure_datatype",
    "6a9c928cb8ad": "measure_non_negative",
    "9fa787c60eb4": "inferred_cell",
    "1533389cd9bd": "disclosed_cell",
    "c1210ca6351f": "measure_single_count",
    "4b264f14f26f": "measure_undeclared",
    "e1e5da7cc94f": "revision_target",
}


def split(constraints: Sequence[Constraint]) -> tuple[list[Constraint], list[tuple[Constraint, str]]]:
    """The constraints to run as SPARQL (structural) and those run here, each with its method;
    Irregular if a constraint that reads observations has no columnar form (a shape changed)."""
    sparql, columnar = [], []
    for c in constraints:
        name = c.shape.rsplit("/", 1)[-1]
        if name in STRUCTURAL:
            sparql.append(c)
            continue
        method = IMPLEMENTED.get(fingerprint(c))
        if method is None:
            raise Irregular(f"{name} #{c.index} has no columnar form matching its text in shapes/")
        columnar.append((c, method))
    return sparql, columnar
