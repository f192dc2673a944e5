"""A raw table (text.py) → the cells of one structure of ontology/structures.ttl, checked.

What each axis of the printed table is comes from its header (`Pays de citoyenneté`, `Municipalité`,
`MRC …`, months under years, `Volet 1`, years) and what is constant in the table from its caption
(the round « Invitation du 4 décembre 2025 », a period « du 1er juillet 2025 au 28 février 2026 »,
a PEQ stream, the measure « ayant soumis une DI »). The structure is then the one whose dimensions
and measures are exactly those: nothing here names a structure.

Every printed figure becomes exactly one cell. Blank cells and « x » become cells without a value,
with the status the letter's notes give them. Rows printed with fewer figures than columns are
placed by placement.py only where the totals force it. Totals and percentages are checked, never
corrected.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError
from ..load.vocabulary import Structure, Vocabulary
from . import dates
from .labels import CodeIndex, Match
from .numbers import NotANumber, half_unit, parse_figure, readings
from .placement import Grid, place, solvable
from .text import RawCell, RawRow, RawTable, fold

# Header or caption text (folded) → measure. Order matters: the first match wins.
MEASURES = [
    (re.compile(r"^%|pourcentage|\bpct\b"), "percentInvited"),
    (re.compile(r"\bdi\b|declarations? d'interet"), "declarationsOfInterest"),
    (re.compile(r"\bcsq\b|certificats? de selection"), "certificatesIssued"),
    (re.compile(r"\bds[pl]\b|\bdps\b|demandes? de selection permanente"), "applicationsReceived"),
    (re.compile(r"personnes invitees|\binvitees\b"), "invitedPersons"),
    (re.compile(r"nombre d'invitations|\binvitations?\b"), "invitations"),
]
PROGRAMS = [
    (re.compile(r"\bpstq\b|programme de selection des travailleurs qualifies"), "pstq"),
    (re.compile(r"\bprtq\b|programme regulier des travailleurs qualifies"), "prtq"),
    (re.compile(r"\bpeq\b|programme de l'experience quebecoise"), "peq"),
]
PEQ_STREAMS = [(re.compile(r"volet (des )?travailleurs"), "peq-workers"), (re.compile(r"volet (des )?diplomes"), "peq-graduates")]
TOTAL = re.compile(r"^total\b", re.I)
ADJUSTED = re.compile(r"ajust", re.I)
YEAR = re.compile(r"^(19|20)\d\d$")
VOLET = re.compile(r"\bvolet (\d)\b")
MRC_PREFIX = re.compile(r"^mrc\s+(?:(de la|de l'|des|du|de|d')\s+)?(.*)$", re.I)
ROW_LISTS = {"country": "country", "municipality": "municipality", "mrc": "mrc", "region": "region"}


@dataclass
class Column:
    header: str
    measure: str | None = None  # a measure column (country and municipality tables)
    dim: str | None = None  # or a code column: its dimension and code
    code: str | None = None
    total: bool = False
    adjusted: bool = False


@dataclass
class Cell:
    codes: dict[str, str]
    measure: str
    value: str | None
    status: str
    inferences: list[str]
    source_label: str
    note_en: str
    note_fr: str
    line: int
    column: int


@dataclass
class LabelUse:
    match: Match
    line: int
    column: int
    codelist: str


@dataclass
class TableResult:
    """One table as ingest understood it, with everything the report says about it."""

    raw: RawTable
    id: str
    structure: Structure | None = None
    fixed: dict[str, str] = field(default_factory=dict)  # dimensions constant in the table (from the caption)
    cells: list[Cell] = field(default_factory=list)
    labels: list[LabelUse] = field(default_factory=list)
    new_codes: dict[str, set[str]] = field(default_factory=dict)  # code list -> notations the lists lack
    totals_checked: int = 0
    percentages_checked: int = 0
    findings: list[str] = field(default_factory=list)  # facts of the letter the report shows (not errors)
    placed: list[str] = field(default_factory=list)
    uncertain: list[str] = field(default_factory=list)  # cells a person must place
    errors: list[InputError] = field(default_factory=list)
    threshold: int = 0
    method: str = "none"
    extraction_date: str = ""
    data_as_of: str = ""


@dataclass
class Context:
    """What a table needs from the rest of the letter."""

    path: Path  # the letter, for messages
    vocab: Vocabulary
    index: CodeIndex
    letter_text: str  # the letter's own words (not its annexes), folded
    programs: list[str]


def measure_of(text: str) -> str | None:
    t = fold(text)
    for pattern, measure in MEASURES:
        if pattern.search(t):
            return measure
    return None


def programs_in(text: str) -> list[str]:
    t = fold(text)
    found = [(m.start(), code) for pattern, code in PROGRAMS if (m := pattern.search(t))]
    return [code for _, code in sorted(found)]


def suppression(table: RawTable, ctx: Context) -> tuple[int, str, bool, str]:
    """(threshold, method, « et celles permettant de les calculer », what a blank cell means)."""
    notes = fold(" ".join(table.notes))
    scope = notes if re.search(r"inferieures? a \d+", notes) else ctx.letter_text
    m = re.search(r"(?:inferieures?|moins) (?:a|de) (\d+)", scope)
    threshold = int(m.group(1)) if m and re.search(r"articles? 5[34]|protege|caviard|regroup|remplace", scope) else 0
    merged = bool(re.search(r"regroupe(e?s)? dans", notes))
    blanked = bool(re.search(r"caviard|remplacee?s? par le symbole", notes))
    method = "blanked-or-merged" if merged and blanked else "merged-into-others" if merged else "blanked" if blanked else "none"
    computable = "permettant de les calculer" in notes or (not notes.strip() and "permettant de les calculer" in ctx.letter_text)
    if re.search(r"cellules? vides?.{0,40}pas (de|des) donnees", notes):
        blank = "no-data"
    elif blanked or threshold:
        blank = "confidential"
    else:
        blank = "not-available"
    return threshold, method, computable, blank


# ---------------------------------------------------------------- axes


def _columns(table: RawTable, ctx: Context, program: str | None, errors: list[InputError]) -> list[Column]:
    header = table.header
    first = header[0]
    if "\t" in first.text:
        top = first.cells[1:]
        below = [h.cells[1:] for h in header[1:]]
        cols: list[Column] = []
        year = ""
        for i, text in enumerate(top):
            sub = " ".join(row[i].strip() for row in below if i < len(row) and row[i].strip())
            t = text.strip()
            if YEAR.match(t):
                year = t
            label = " ".join(x for x in (t, sub) if x)
            if not label:
                continue
            if TOTAL.match(t) or TOTAL.match(sub):
                cols.append(Column(label, total=True, adjusted=bool(ADJUSTED.search(label))))
                continue
            if sub and fold(sub) in dates.MONTHS:
                if not year:
                    errors.append(InputError(ctx.path, first.number, 1, f"month « {sub} » without a year above it"))
                    continue
                cols.append(Column(label, dim="period", code=f"{year}-{dates.MONTHS[fold(sub)]:02d}"))
                continue
            if YEAR.match(t) and not sub:
                cols.append(Column(label, dim="period", code=t))
                continue
            if (volet := VOLET.fullmatch(fold(label))) is not None:  # a PDF's cells of 30735's header
                if program is None:
                    errors.append(InputError(ctx.path, first.number, 1, "stream columns (« Volet N ») but the caption "
                                                                        "names no program"))
                cols.append(Column(label, dim="stream", code=f"{program}-{volet.group(1)}"))
                continue
            m = measure_of(label)
            if m is None:
                errors.append(InputError(ctx.path, first.number, 1, f"column « {label} »: not a measure, month, year or total "
                                                                    "this tool knows"))
                continue
            cols.append(Column(label, measure=m))
        periods = [c.code for c in cols if c.dim == "period" and c.code]
        for c in cols:  # a total beside months or years: the period they span (31224's « TOTAL AJUSTÉ »)
            if c.total and not c.dim and not c.measure and periods:
                c.dim, c.code = "period", f"{periods[0]}--{periods[-1]}"
            elif c.total and not c.dim and not c.measure and any(x.dim == "stream" for x in cols):
                c.dim, c.code = "stream", "_T"  # beside « Volet N » columns: all the streams
        return cols
    # space-separated: the column names are tokens of the header lines
    text = " ".join(h.text for h in header)
    folded = fold(text)
    cols = []
    volets = VOLET.findall(folded)
    years = [y for y in re.findall(r"\b(?:19|20)\d\d\b", folded)]
    if volets:
        if program is None:
            errors.append(InputError(ctx.path, first.number, 1, "stream columns (« Volet N ») but the caption names no program"))
        cols = [Column(f"Volet {v}", dim="stream", code=f"{program}-{v}") for v in volets]
        if re.search(r"\btotal\b", folded):
            cols.append(Column("Total", dim="stream", code="_T", total=True))
    elif years:
        cols = [Column(y, dim="period", code=y) for y in years]
        if re.search(r"\btotal\b", folded):
            cols.append(Column("Total", dim="period", code=f"{years[0]}--{years[-1]}", total=True))
    return cols


def _row_forms(kind: str, label: str) -> list[str]:
    """Other readings of a row label: « MRC de la Matanie » is the MRC « La Matanie »."""
    if kind != "mrc":
        return []
    m = MRC_PREFIX.match(label.strip())
    if not m:
        return []
    article, name = (m.group(1) or "").lower(), m.group(2).strip()
    forms = [name]
    if article in {"de la"}:
        forms.insert(0, f"La {name}")
    elif article == "des":
        forms.insert(0, f"Les {name}")
    elif article == "du":
        forms.insert(0, f"Le {name}")
    elif article == "de l'":
        forms.insert(0, f"L'{name}")
    return forms


def _period_row(label: str) -> str | None:
    t = fold(label)
    if YEAR.match(t):
        return t
    m = re.fullmatch(rf"{dates.MONTH} (\d{{4}})", t)
    return f"{m.group(2)}-{dates.MONTHS[m.group(1)]:02d}" if m else None


# ---------------------------------------------------------------- the table


def ingest_table(raw: RawTable, table_id: str, ctx: Context) -> TableResult:
    res = TableResult(raw, table_id)
    path = ctx.path
    if raw.kind == "round-category":
        res.errors.append(InputError(path, raw.line, 1, "this header cannot be read (an OCR of a scanned table?): its "
                                     f"columns cannot be told apart; the {len(raw.rows)} rows below it need a person"))
        for row in raw.rows:
            printed = f"figures « {row.printed} »" if row.printed else "no figure"
            res.uncertain.append(f"line {row.line} « {row.label} »: {printed}; every cell (columns unreadable)")
        return res
    if not raw.caption:
        res.errors.append(InputError(path, raw.line, 1,
                                     "no caption (« Tableau N … » or a bold title) before or after this table"))
    res.threshold, res.method, computable, blank_status = suppression(raw, ctx)
    res.extraction_date, res.data_as_of = dates.extraction_date(raw.source_line)
    caption_programs = programs_in(raw.caption)
    program = caption_programs[0] if caption_programs else (ctx.programs[0] if len(ctx.programs) == 1 else None)
    columns = _columns(raw, ctx, program, res.errors)
    if not columns:
        res.errors.append(InputError(path, raw.line, 1, "no column of figures found in this header"))
        return res
    # Dimensions constant in the table, from the caption.
    caption_dims: dict[str, str] = {}
    round_date = dates.caption_round_date(raw.caption)
    if round_date and program:
        caption_dims["round"] = f"{program}-{round_date.isoformat()}"
    period = dates.caption_period(raw.caption)
    if period:
        caption_dims["period"] = period
    if program == "peq":
        for pattern, code in PEQ_STREAMS:
            if pattern.search(fold(raw.caption)):
                caption_dims["stream"] = code
    # Axes: rows are codes of a list, or measures (31224); columns are measures or codes.
    row_dim = {"country": "country", "municipality": "municipality", "mrc": "mrc", "region": "region",
               "period": "period", "stream": "stream"}.get(raw.kind)
    col_dims = {c.dim for c in columns if c.dim}
    measures = {c.measure for c in columns if c.measure}
    caption_measure = measure_of(raw.caption)
    if raw.kind == "measure":
        measures = {m for r in raw.rows if (m := measure_of(r.label))}
    elif not measures:
        if caption_measure is None:
            res.errors.append(InputError(path, raw.caption_line or raw.line, 1, "the caption does not say what is counted"))
            return res
        measures = {caption_measure}
    axis_dims = ({row_dim} if row_dim else set()) | col_dims
    structure = _structure(ctx.vocab, axis_dims, set(caption_dims), measures)
    if structure is None:
        from_caption = ", ".join(sorted(caption_dims)) or "none"
        res.errors.append(InputError(path, raw.line, 1, f"no structure of ontology/structures.ttl has the dimensions "
                                     f"{', '.join(sorted(axis_dims))} (+ from the caption: {from_caption}) "
                                     f"and the measures {', '.join(sorted(measures))}"))
        return res
    res.structure = structure
    res.fixed = {d.name: caption_dims[d.name] for d in structure.dimensions if d.name not in axis_dims}
    for name, code in res.fixed.items():
        _need(res, ctx, name, code, raw.caption_line)
    for c in columns:
        if c.dim:
            _need(res, ctx, c.dim, c.code or "", raw.line)
    if res.errors:
        return res
    _cells(res, raw, columns, row_dim, caption_measure, blank_status, computable, ctx)
    if not res.errors and all(u.match.resolved for u in res.labels):  # a skipped row would break the sums
        _check_totals(res, columns, row_dim, ctx.path)
        _check_percentages(res, ctx)
    return res


def _structure(vocab: Vocabulary, axis: set[str], caption: set[str], measures: set[str]) -> Structure | None:
    found = []
    for s in vocab.structures.values():
        dims = {d.name for d in s.dimensions}
        if axis <= dims <= axis | caption and measures <= set(s.measures):
            found.append((len(s.measures) - len(measures), s.slug, s))
    return sorted(found)[0][2] if found else None


def _need(res: TableResult, ctx: Context, dim: str, code: str, line: int) -> None:
    """A code the table needs: known, or new in a list ingest may extend (rounds, periods), or an error."""
    codelist = {d.name: d.codelist for d in res.structure.dimensions}[dim] if res.structure else ""
    name = codelist.rsplit("/", 1)[-1]
    if ctx.index.has(name, code):
        return
    if name in {"round", "period"}:
        res.new_codes.setdefault(name, set()).add(code)
        return
    res.errors.append(InputError(ctx.path, line, 1, f"code '{code}' is not in code/{name} (ontology/codes/)"))


def _notes(kind: str, **kw) -> tuple[str, str]:
    """The reasoning recorded on a cell, in English and in French."""
    if kind == "typo-fixed":
        return (f"Printed '{kw['printed']}', read as '{kw['matched']}' ({kw['code']}): the only label of the code list "
                "within one or two letters of it. Applied by mifi-rdf ingest; the printed label is kept.",
                f"Imprimé « {kw['printed']} », lu « {kw['matched']} » ({kw['code']}) : le seul libellé de la liste de codes "
                "à une ou deux lettres près. Appliqué par mifi-rdf ingest ; le libellé imprimé est conservé.")
    if kind == "label-variant":
        return (f"Printed '{kw['printed']}', a spelling variant of '{kw['matched']}' ({kw['code']}): the same label once "
                "accents, case, apostrophes and abbreviations are set aside.",
                f"Imprimé « {kw['printed']} », variante de « {kw['matched']} » ({kw['code']}) : le même libellé, accents, "
                "casse, apostrophes et abréviations mis à part.")
    if kind == "mapped-variant":
        return (f"Printed '{kw['printed']}', coded {kw['code']} ('{kw['matched']}') by a person (ingest mapping).",
                f"Imprimé « {kw['printed']} », codé {kw['code']} (« {kw['matched']} ») par une personne (table de "
                "correspondance d'ingest).")
    if kind == "placed":
        return (f"Row printed « {kw['printed']} » for {kw['ncols']} columns (blank cells were lost in the text). "
                f"{kw['what']} is the only placement the row and column totals allow"
                f"{' with the rule that a blank which could be computed is blanked too' if kw['rule'] else ''}.",
                f"Ligne imprimée « {kw['printed']} » pour {kw['ncols']} colonnes (les cellules vides ont été perdues dans le "
                f"texte). {kw['what_fr']} est le seul placement que permettent les totaux de ligne et de colonne"
                f"{' avec la règle qu’une case vide calculable est aussi caviardée' if kw['rule'] else ''}.")
    if kind == "uncertain":
        return (f"Row printed « {kw['printed']} » for {kw['ncols']} columns (blank cells were lost in the text). The totals "
                "allow more than one placement of its figures: which column this cell's figure, if any, belongs to cannot "
                "be established. No value is published; a person must place it.",
                f"Ligne imprimée « {kw['printed']} » pour {kw['ncols']} colonnes (les cellules vides ont été perdues dans le "
                "texte). Les totaux permettent plus d'un placement de ses chiffres : la colonne de cette cellule ne peut "
                "être établie. Aucune valeur n'est publiée ; une personne doit la placer.")
    if kind == "percent":
        return (f"Printed {kw['printed']} %, but {kw['count']} of {kw['total']} is {kw['expected']:.1f} %. Published as "
                "printed; the inconsistency is the letter's.",
                f"Imprimé {kw['printed']} %, mais {kw['count']} sur {kw['total']} font {kw['expected']:.1f} %. Publié tel "
                "qu'imprimé ; l'incohérence est celle de la lettre.")
    raise ValueError(kind)


BLANK_NOTES = {
    "confidential": ("Cell left blank or « x » in the letter, which protects small values and those allowing them to be "
                     "computed.",
                     "Cellule vide ou « x » dans la lettre, qui protège les petites valeurs et celles permettant de les "
                     "calculer."),
    "no-data": ("Empty cell; the letter's notes say empty cells mean there are no data.",
                "Cellule vide ; les notes de la lettre disent qu'une cellule vide signifie qu'il n'y a pas de données."),
    "not-available": ("Empty cell; the letter does not say what an empty cell means. A person must say.",
                      "Cellule vide ; la lettre ne dit pas ce que signifie une cellule vide. Une personne doit le dire."),
}


def _row_code(res: TableResult, row: RawRow, row_dim: str | None, ctx: Context) -> tuple[str | None, list[str]]:
    """The row's code (or measure, for 31224's rows), and the inferences matching it needed."""
    if row_dim in ROW_LISTS:
        match = ctx.index.match(ROW_LISTS[row_dim], row.label, _row_forms(row_dim, row.label))
        res.labels.append(LabelUse(match, row.line, 1, ROW_LISTS[row_dim]))
        if not match.resolved:
            return None, []
        inference = {"typo-fixed": ["typo-fixed"], "label-variant": ["label-variant"],
                     "mapped-variant": ["label-variant"]}.get(match.step, [])
        return match.code, inference
    if row_dim == "period":
        if TOTAL.match(row.label):
            return "_T", []
        code = _period_row(row.label)
        if code is None:
            res.errors.append(InputError(ctx.path, row.line, 1,
                                         f"« {row.label} »: expected a month (« juillet 2025 ») or a year"))
        return code, []
    if row_dim == "stream":
        m = VOLET.search(fold(row.label))
        return ("_T" if TOTAL.match(row.label) else f"pstq-{m.group(1)}" if m else None), []
    measure = measure_of(row.label)
    if measure is None:
        res.errors.append(InputError(ctx.path, row.line, 1, f"row « {row.label} »: not a measure this tool knows"))
    return measure, []


def _status(value: str | None, kind: str, row_code: str | None, column: Column, blank_status: str) -> str:
    if value is None:
        return "confidential" if kind == "x" else blank_status
    if column.adjusted:
        return "adjusted-total"
    if column.total or row_code == "_T":
        return "total"
    if row_code == "_O":
        return "residual"
    return "published"


def _cells(res: TableResult, raw: RawTable, columns: list[Column], row_dim: str | None, caption_measure: str | None,
           blank_status: str, computable: bool, ctx: Context) -> None:
    ncols = len(columns)
    structure = res.structure
    assert structure is not None
    rows: list[tuple[RawRow, str, list[str], list[tuple[str | None, str, RawCell | None]]]] = []
    alternatives: dict[int, list[list[tuple[str | None, str, RawCell | None]]]] = {}
    for row in raw.rows:
        code, inferences = _row_code(res, row, row_dim, ctx)
        if code is None:
            continue
        if row_dim and row_dim not in ROW_LISTS:
            _need(res, ctx, row_dim, code, row.line)
        if not row.tabbed:
            alternatives[len(rows)] = _alternatives(row)
        figures: list[tuple[str | None, str, RawCell | None]] = []
        for cell in row.cells:
            try:
                f = parse_figure(cell.text)
            except NotANumber as err:
                res.errors.append(InputError(ctx.path, cell.line, cell.column, str(err)))
                continue
            figures.append((f.value, f.kind, cell))
        if row.tabbed:
            while len(figures) > ncols and figures[-1][1] == "blank":
                figures.pop()
            if len(figures) > ncols:
                extra = figures[ncols][2]
                names = ", ".join(c.header for c in columns)
                res.errors.append(InputError(ctx.path, row.line, extra.column if extra else 1,
                                             f"{len(figures)} cells for {ncols} columns ({names})"))
                continue
            figures += [(None, "blank", None)] * (ncols - len(figures))
        rows.append((row, code, inferences, figures))
    if res.errors:
        return
    if any(len(a) > 1 for a in alternatives.values()):
        _thousands(res, rows, alternatives, columns, computable, ctx)
    for row, _, _, figures in rows:
        if len(figures) > ncols:
            extra = figures[ncols][2]
            res.errors.append(InputError(ctx.path, row.line, extra.column if extra else 1,
                                         f"{len(figures)} figures for {ncols} columns ({', '.join(c.header for c in columns)})"))
    if res.errors:
        return
    verdicts = _placements(res, rows, columns, computable, ctx)
    for r, (row, code, inferences, figures) in enumerate(rows):
        match_use = next((u for u in reversed(res.labels) if u.line == row.line), None)
        for j, column in enumerate(columns):
            cell_inferences = list(inferences)
            note_en = note_fr = ""
            if inferences and match_use is not None:
                kind = "mapped-variant" if match_use.match.step == "mapped-variant" else inferences[0]
                note_en, note_fr = _notes(kind, printed=row.label, matched=match_use.match.matched, code=code)
            placed = len(figures) < ncols
            if placed:
                verdict = verdicts.get(r) if verdicts is not None else None
                kind_v = verdict[j].kind if verdict else "uncertain"
                printed = row.printed or "—"
                if kind_v == "figure":
                    value, fkind, raw_cell = figures[verdict[j].figure]
                    what = f"{raw_cell.text if raw_cell else value} in column « {column.header} »"
                    what_fr = f"{raw_cell.text if raw_cell else value} dans la colonne « {column.header} »"
                elif kind_v == "blank":
                    value, fkind, raw_cell = None, "blank", None
                    what, what_fr = f"A blank in column « {column.header} »", f"Une case vide dans la colonne « {column.header} »"
                if kind_v in {"figure", "blank"}:
                    cell_inferences.append("column-from-totals")
                    en, fr = _notes("placed", printed=printed, ncols=ncols, what=what, what_fr=what_fr, rule=computable)
                    if value is None:
                        en, fr = f"{en} {BLANK_NOTES[blank_status][0]}", f"{fr} {BLANK_NOTES[blank_status][1]}"
                    res.placed.append(f"line {row.line} « {row.label} » column « {column.header} »: "
                                      f"{value if value is not None else 'blank'}")
                    status = _status(value, fkind, code, column, blank_status)
                else:
                    value, status = None, "not-available"
                    cell_inferences.append("column-uncertain")
                    en, fr = _notes("uncertain", printed=printed, ncols=ncols)
                    res.uncertain.append(f"line {row.line} « {row.label} » column « {column.header} » "
                                         f"(printed « {printed} »)")
                    raw_cell = None
                note_en = " ".join(x for x in (note_en, en) if x)
                note_fr = " ".join(x for x in (note_fr, fr) if x)
            else:
                value, fkind, raw_cell = figures[j]
                status = _status(value, fkind, code, column, blank_status)
                if value is None:
                    en, fr = BLANK_NOTES[status if status in BLANK_NOTES else "confidential"]
                    note_en = " ".join(x for x in (note_en, en) if x)
                    note_fr = " ".join(x for x in (note_fr, fr) if x)
                    if status == "not-available":
                        res.uncertain.append(f"line {row.line} « {row.label} » column « {column.header} »: empty, "
                                             "meaning not stated")
            if column.adjusted and value is not None:
                note_en = " ".join(x for x in (note_en, f"{column.header}: an adjusted total, which the letter says may "
                                               "differ from the sum of its parts.") if x)
                note_fr = " ".join(x for x in (note_fr, f"{column.header} : un total ajusté, qui selon la lettre peut "
                                               "différer de la somme de ses parties.") if x)
            codes = dict(res.fixed)
            if row_dim and row_dim != "measure" and raw.kind != "measure":
                codes[row_dim] = code
            measure = code if raw.kind == "measure" else (column.measure or caption_measure or "")
            if column.dim:
                codes[column.dim] = column.code or ""
            res.cells.append(Cell({d.name: codes.get(d.name, "") for d in structure.dimensions}, measure, value, status,
                                  cell_inferences, row.label, note_en, note_fr, row.line,
                                  raw_cell.column if raw_cell else 1))


def _alternatives(row: RawRow) -> list[list[tuple[str | None, str, RawCell | None]]]:
    """The readings of a space-separated row's figures (« 1 204 »: one figure or two), plain first."""
    out = []
    for reading in readings([c.text for c in row.cells]):
        cells, k = [], 0
        for text in reading:
            first = row.cells[k]
            k += text.count(" ") + 1
            try:
                f = parse_figure(text)
            except NotANumber:
                break
            cells.append((f.value, f.kind, RawCell(first.line, first.column, text)))
        else:
            out.append(cells)
    return out or [[]]


MAX_READINGS = 512


def _thousands(res: TableResult, rows, alternatives, columns: list[Column], computable: bool, ctx: Context) -> None:
    """Keep the reading of « 1 204 »-like figures that the totals allow; a person decides when several do."""
    ambiguous = sorted(r for r, a in alternatives.items() if len(a) > 1)
    combos = 1
    for r in ambiguous:
        combos *= len(alternatives[r])
    if combos > MAX_READINGS:
        for r in ambiguous:
            res.errors.append(InputError(ctx.path, rows[r][0].line, 1, "too many ways to read this table's figures "
                                         "with or without thousands separators: mark thousands with a no-break space "
                                         "or write the figures without a space"))
        return
    ok: list[tuple[int, ...]] = []
    for choice in itertools.product(*(range(len(alternatives[r])) for r in ambiguous)):
        trial = [list(x) for x in rows]
        for r, c in zip(ambiguous, choice, strict=True):
            trial[r][3] = alternatives[r][c]
        if _consistent(trial, columns, computable):
            ok.append(choice)
    for i, r in enumerate(ambiguous):
        kept = {choice[i] for choice in ok}
        row = rows[r][0]
        if len(kept) == 1:
            pick = kept.pop()
            if pick:
                res.findings.append(f"line {row.line} « {row.label} »: read as « "
                                    f"{' / '.join(c[2].text for c in alternatives[r][pick] if c[2])} » (thousands "
                                    "separators): the only reading the totals allow")
            rows[r] = (row, rows[r][1], rows[r][2], alternatives[r][pick])
        elif len(kept) > 1:
            options = " or ".join("« " + " / ".join(c[2].text for c in alternatives[r][k] if c[2]) + " »" for k in sorted(kept))
            res.errors.append(InputError(ctx.path, row.line, row.cells[0].column if row.cells else 1,
                                         f"the figures of this row can be read {options} (a space may be a thousands "
                                         "separator) and the totals allow both: write the number with a no-break space "
                                         "or without a space, or the figures with tabs between them"))


def _consistent(rows, columns: list[Column], computable: bool) -> bool:
    """Do these figures agree with the table's printed totals (True when they cannot be checked)?"""
    ncols = len(columns)
    if any(len(figs) > ncols for _, _, _, figs in rows):
        return False
    if any(v is not None and not v.isdigit() for _, _, _, figs in rows for v, _, _ in figs):
        return True  # decimals: not a count table, nothing to check
    totals = [r for r, (_, code, _, _) in enumerate(rows) if code == "_T"]
    others = [r for r in range(len(rows)) if r not in totals]
    if len(totals) != 1:
        return True  # nothing to check against (a table without a Total row is refused later)
    if len(rows[totals[0]][3]) != ncols:
        return False  # the Total row prints every column: it is what the other rows are checked against
    largest = max(int(v) for v, _, _ in rows[totals[0]][3])
    if any(int(v) > largest for r in others for v, _, _ in rows[r][3]):
        return False  # no cell exceeds the largest total (counts)
    if any(len(rows[r][3]) < ncols for r in others):
        grid = Grid(ncols, [[int(v) for v, _, _ in rows[r][3]] for r in others],
                    [int(v) for v, _, _ in rows[totals[0]][3]], columns[-1].total, computable)
        return solvable(grid)
    values = [[int(v) for v, _, _ in figs] for _, _, _, figs in rows]
    if columns[-1].total and any(sum(v[:-1]) != v[-1] for v in values):
        return False
    if len(totals) == 1:
        return all(sum(values[r][j] for r in others) == values[totals[0]][j] for j in range(ncols))
    return True


def _placements(res: TableResult, rows, columns: list[Column], computable: bool, ctx: Context):
    """Verdicts for the rows printed with fewer figures than columns (see placement.py)."""
    ncols = len(columns)
    partial = [r for r, (_, _, _, figs) in enumerate(rows) if len(figs) < ncols]
    if not partial:
        return {}
    total_rows = [r for r, (_, code, _, _) in enumerate(rows) if code == "_T"]
    others = [r for r in range(len(rows)) if r not in total_rows]
    if len(total_rows) != 1 or len(rows[total_rows[0]][3]) != ncols or any(
            v is None for v, _, _ in rows[total_rows[0]][3]) or any(
            v is None or "." in v for r in others for v, _, _ in rows[r][3]):
        res.findings.append("rows with fewer figures than columns, but no complete Total row (or a row with a blank or a "
                            "decimal) to place them: every cell of those rows needs a person")
        return None
    grid = Grid(ncols, [[int(v) for v, _, _ in rows[r][3]] for r in others],
                [int(v) for v, _, _ in rows[total_rows[0]][3]], columns[-1].total, computable)
    verdicts = place(grid)
    if verdicts is None:
        res.errors.append(InputError(ctx.path, rows[partial[0]][0].line, 1, "no placement of this table's figures satisfies "
                                     "its printed totals: check the transcription of the rows with missing cells"))
        return None
    return {others[i]: v for i, v in verdicts.items()}


# ---------------------------------------------------------------- checks


def _check_totals(res: TableResult, columns: list[Column], row_dim: str | None, path) -> None:
    """Parts add up to their printed total, unless blanked cells explain the gap; adjusted totals are shown."""
    structure = res.structure
    assert structure is not None
    percent = {m.name for m in structure.measures.values() if m.datatype.endswith("decimal")}
    lines: list[tuple[Cell, list[Cell], str]] = []
    dims = [d.name for d in structure.dimensions]
    if row_dim in dims:
        totals = [c for c in res.cells if c.codes.get(row_dim) == "_T"]
        for t in totals:
            parts = [c for c in res.cells if c.measure == t.measure and c.codes.get(row_dim) != "_T"
                     and all(c.codes[d] == t.codes[d] for d in dims if d != row_dim)]
            lines.append((t, parts, "column"))
    total_cols = [c for c in columns if c.total and c.dim]
    for tc in total_cols:
        for t in [c for c in res.cells if c.codes.get(tc.dim) == tc.code]:
            parts = [c for c in res.cells if c.measure == t.measure and c.codes.get(tc.dim) != tc.code
                     and all(c.codes[d] == t.codes[d] for d in dims if d != tc.dim)]
            lines.append((t, parts, "row"))
    if not lines and not any(c.status in {"total", "adjusted-total"} for c in res.cells):
        res.errors.append(InputError(path, res.raw.line, 1, "this table has no Total row or column: its figures cannot be "
                                                            "checked"))
        return
    for total, parts, direction in lines:
        if total.measure in percent or total.value is None:
            continue
        known = sum(int(p.value) for p in parts if p.value is not None and p.status != "no-data")
        blanks = sum(1 for p in parts if p.value is None and p.status in {"confidential", "suppressed-primary",
                                                                          "suppressed-secondary"})
        lost = sum(1 for p in parts if p.value is None and p.status == "not-available")
        printed = int(total.value)
        where = f"line {total.line} « {total.source_label} » ({direction} total {printed}, measure {total.measure})"
        if total.status == "adjusted-total":
            if known != printed and not blanks and not lost:
                res.findings.append(f"{where}: adjusted total; the parts add up to {known} (the letter says it may differ)")
            continue
        res.totals_checked += 1
        ok = known == printed if not blanks and not lost else known + blanks <= printed
        if not ok:
            gap = f" with {blanks} blanked cell(s) of at least 1" if blanks else ""
            res.errors.append(InputError(path, total.line, total.column,
                                         f"the parts add up to {known}{gap}, the printed total is {printed} "
                                         f"({direction} total, measure {total.measure})"))


def _check_percentages(res: TableResult, ctx: Context) -> None:
    """A printed percentage agrees with its count within its rounding; otherwise it is flagged, never fixed."""
    structure = res.structure
    assert structure is not None
    shares = _share_of(ctx.vocab, structure)
    if not shares:
        return
    dims = [d.name for d in structure.dimensions]
    for pct, count_measure in shares.items():
        totals = {tuple(c.codes[d] for d in dims): c for c in res.cells if c.measure == count_measure}
        grand = next((c for c in res.cells if c.measure == count_measure and "_T" in c.codes.values()), None)
        if grand is None or grand.value is None:
            continue
        for c in res.cells:
            if c.measure != pct or c.value is None:
                continue
            count = totals.get(tuple(c.codes[d] for d in dims))
            if count is None or count.value is None:
                continue
            res.percentages_checked += 1
            expected = 100 * int(count.value) / int(grand.value)
            if abs(float(c.value) - expected) > half_unit(c.value) + 1e-9:
                c.inferences.append("inconsistent-as-printed")
                en, fr = _notes("percent", printed=c.value.replace(".", ","), count=count.value, total=grand.value,
                                expected=expected)
                c.note_en = " ".join(x for x in (c.note_en, en) if x)
                c.note_fr = " ".join(x for x in (c.note_fr, fr) if x)
                printed = c.value.replace(".", ",")
                res.findings.append(f"line {c.line} « {c.source_label} »: printed {printed} %, but {count.value} of "
                                    f"{grand.value} is {f'{expected:.1f}'.replace('.', ',')} % — kept as printed "
                                    "(inconsistent-as-printed)")


def _share_of(vocab: Vocabulary, structure: Structure) -> dict[str, str]:
    """percentage measure -> the count measure it is a share of (def:shareOf in vocabulary.ttl)."""
    share = f"{vocab.base}def/shareOf"
    iri_to_name = {m.iri: m.name for m in structure.measures.values()}
    out = {}
    for t in vocab.ontology_triples:
        if t.predicate.value == share and t.subject.value in iri_to_name and t.object.value in iri_to_name:
            out[iri_to_name[t.subject.value]] = iri_to_name[t.object.value]
    return out
