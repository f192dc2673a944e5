"""The audit for people (text, fr or en) and machines (csv, json, ttl), and the attributes the
export puts on each suppressed observation (def:lowerBound, def:upperBound, def:boundsMethod).
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Iterator, Mapping
from decimal import Decimal
from urllib.parse import quote

import pyoxigraph as ox

from ..namespaces import XSD
from .constraints import Entry, System
from .findings import METHOD, Audit, CellResult, FactResult, Step

TEXT = {
    "title": {"fr": "Audit de divulgation", "en": "Disclosure audit"},
    "scope": {"fr": "{tables} tableau(x), {cells} cellule(s) caviardée(s)",
              "en": "{tables} table(s), {cells} suppressed cell(s)"},
    "used": {"fr": "Contraintes utilisées", "en": "Constraints used"},
    "c-sum": {"fr": "chaque total publié est la somme de ses parties (les parties que prend la règle shape/total-sum : "
                    "un code total ou une période qui contient celle des parties) ; un total ajusté n'est pas une somme",
              "en": "every published total is the sum of its parts (the parts shape/total-sum takes: a total code, "
                    "or a period containing the parts' periods); an adjusted total is not a sum"},
    "c-int": {"fr": "les comptes sont des entiers positifs ou nuls", "en": "counts are non-negative integers"},
    "c-zero": {"fr": "une cellule caviardée vaut au moins 1 dans un tableau qui imprime des zéros : {list}",
               "en": "a blank is at least 1 in a table that prints zeros: {list}"},
    "c-group": {"fr": "parmi les cellules caviardées d'un tableau que ses totaux relient, au moins une est sous le seuil "
                      "(une suppression complémentaire protège une suppression primaire) ; les lettres ne distinguent "
                      "pas les deux, ce n'est donc qu'une disjonction (variables binaires)",
                "en": "among the blanks of a table linked by its totals, at least one is under the threshold (a "
                      "complementary suppression protects a primary one); the letters do not tell the two apart, so "
                      "this is only a disjunction (binary variables)"},
    "c-group-off": {"fr": "… sauf là où des cellules perdues ou de colonne incertaine partagent ces totaux : {list}",
                    "en": "… except where lost cells or cells of uncertain column share those totals: {list}"},
    "c-share": {"fr": "un pourcentage publié vaut 100 × compte ÷ total, à une demi-unité de sa dernière décimale près",
                "en": "a published percentage is 100 × count ÷ total, to half a unit of its last decimal"},
    "c-rounds": {"fr": "entre lettres : le compte d'une période égale la somme des rondes qu'elle couvre (def:coversRound)",
                 "en": "across letters: a period's count equals the sum of the rounds it covers (def:coversRound)"},
    "c-within": {"fr": "entre lettres : des lieux compris dans un plus grand (skos:broader, la municipalité dans sa MRC) "
                       "comptent ensemble au plus ce qu'un autre tableau compte pour lui sur une période qui contient la leur",
                 "en": "across letters: places within a larger one (skos:broader, a municipality in its MRC) count "
                       "together at most what another table counts for it over a period containing theirs"},
    "c-aside": {"fr": "mises de côté : {n} cellules candidates d'un chiffre dont la colonne est inconnue (column-uncertain) ; "
                      "elles entrent dans les totaux comme inconnues positives ou nulles, sans bornes publiées",
                "en": "left aside: {n} candidate cells of a figure whose column is unknown (column-uncertain); they "
                      "enter the sums as non-negative unknowns, with no bounds reported"},
    "disclosed": {"fr": "Cellules divulguées", "en": "Disclosed cells"},
    "narrow": {"fr": "Intervalles plus étroits que la protection voulue", "en": "Intervals narrower than the protection intends"},
    "narrow-why": {"fr": "la règle seule dit [{floor}, {top}]", "en": "the rule alone says [{floor}, {top}]"},
    "contra": {"fr": "Contradictions entre chiffres publiés", "en": "Contradictions between published figures"},
    "infeasible": {"fr": "aucune valeur ne satisfait les contraintes de cette cellule",
                   "en": "no value satisfies this cell's constraints"},
    "facts": {"fr": "Faits qui doivent concorder", "en": "Facts that must agree"},
    "agrees": {"fr": "concorde", "en": "agrees"},
    "disagrees": {"fr": "ne concorde pas", "en": "disagrees"},
    "as-printed": {"fr": "ne concorde pas (tel qu'imprimé, connu)", "en": "disagrees (as printed, known)"},
    "bounds": {"fr": "inclut des cellules caviardées : borne celles-ci", "en": "involves blanks: bounds them"},
    "shares": {"fr": "pourcentages : {ok} concordent", "en": "percentages: {ok} agree"},
    "cells": {"fr": "Bornes de chaque cellule caviardée", "en": "Bounds of every suppressed cell"},
    "none": {"fr": "néant", "en": "none"},
    "flag-disclosed": {"fr": "divulguée", "en": "disclosed"},
    "flag-narrow": {"fr": "trop étroite", "en": "too narrow"},
    "unbounded": {"fr": "non bornée", "en": "unbounded"},
    "no-chain": {"fr": "les bornes se rejoignent par les inégalités et l'intégralité des contraintes ci-dessous",
                 "en": "the bounds meet through the inequalities and integrality of the constraints below"},
    "summary": {"fr": "{cells} cellules caviardées : {disclosed} divulguées, {narrow} trop étroites, {contra} contradictions.",
                "en": "{cells} suppressed cells: {disclosed} disclosed, {narrow} too narrow, {contra} contradictions."},
}
RULES = {"integer": "integer ≥ 0", "not-zero": "≥ 1 (zeros printed)", "primary": "< threshold (primary)",
         "primary-group": "one blank of the group < threshold", "share": "100 × count bounds ÷ total"}


def t(key: str, lang: str, **kw) -> str:
    return TEXT[key][lang].format(**kw)


def heading(key: str, lang: str, n: int | None = None) -> str:
    """A section title with French or English punctuation before its colon."""
    count = "" if n is None else f" ({n})"
    return f"{t(key, lang)}{count}{' :' if lang == 'fr' else ':'}"


def observation_iri(base: str, e: Entry) -> str:
    """The IRI cube.py gives the cell's observation."""
    return f"{base}dataset/{e.dataset}/obs/{'/'.join(quote(c, safe='') for c in e.cell.codes)}/{e.cell.measure}"


def fmt_num(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def show(e: Entry, value=None) -> str:
    label = f" « {e.cell.source_label} »" if e.cell.source_label else ""
    v = "" if value is None else f" {fmt_num(value)}"
    return f"{e.where()}{label}{v}"


def interval(c: CellResult, lang: str) -> str:
    if c.infeasible:
        return "—"
    upper = fmt_num(c.upper) if c.upper is not None else ("∞")
    return f"[{fmt_num(c.lower)}, {upper}]"


def arithmetic(system: System, steps: list[Step]) -> list[str]:
    """`x = a − b − c = v` for each equation used, figures and the cells they come from."""
    lines = []
    for s in steps:
        e = system.entries[s.entry]
        parts = []
        for i, coef, value in s.terms:
            sign = -coef / s.coefficient
            word = "+" if sign > 0 else "−"
            factor = "" if abs(sign) == 1 else f"{abs(sign):g} × "
            parts.append((word, f"{factor}{value}", system.entries[i]))
        expr = ""
        for n, (word, num, _) in enumerate(parts):
            expr += (num if n == 0 and word == "+" else (f"−{num}" if n == 0 else f" {word} {num}"))
        if s.rhs:
            expr = f"{s.rhs / s.coefficient:g} {expr}" if expr else f"{s.rhs / s.coefficient:g}"
        lines.append(f"{e.where()} = {expr} = {s.value}")
        lines.append("    (" + system.constraints[s.constraint].label + ")")
    return lines


def fact_text(system: System, f: FactResult) -> str:
    fact = f.fact
    e = system.entries
    if fact.kind == "share":
        assert fact.share is not None
        count, total = (e[i] for i in fact.others)
        pct = fact.share[0]
        c, tv = f.figures[count.id], f.figures[total.id]
        got = f"{100 * c / tv:.2f}" if c is not None and tv else "?"
        return f"{show(e[fact.head], pct)} % ; 100 × {fmt_num(c) or '?'} ÷ {fmt_num(tv) or '?'} = {got} %"
    if fact.kind == "rounds":
        rhs = " + ".join(show(e[i], f.figures[i]) for i in fact.others)
        return f"{show(e[fact.head], f.figures[fact.head])} = {rhs}"
    lhs = " + ".join(show(e[i], f.figures[i]) for i in fact.others)
    return f"{lhs} ≤ {show(e[fact.head], f.figures[fact.head])}"


def assumptions(audit: Audit, lang: str) -> list[str]:
    s = audit.system
    out = [t("c-sum", lang), t("c-int", lang)]
    zeros = [d for d in audit.datasets if d in s.zeros]
    if zeros:
        out.append(t("c-zero", lang, list=", ".join(zeros)))
    out.append(t("c-group", lang))
    off = sorted({audit.system.entries[audit.problem.variables[c.targets[0]]].dataset
                  for c in audit.problem.components if c.groups_dropped == "other-unknowns"} & set(audit.datasets))
    if off:
        out.append(t("c-group-off", lang, list=", ".join(off)))
    kinds = {f.fact.kind for f in audit.facts}
    if "share" in kinds:
        out.append(t("c-share", lang))
    out.append(t("c-rounds", lang))
    out.append(t("c-within", lang))
    if audit.aside:
        out.append(t("c-aside", lang, n=len(audit.aside)))
    return out


def render_text(audit: Audit, lang: str) -> str:
    s = audit.system
    lines = [f"{t('title', lang)} — " + t("scope", lang, tables=len(audit.datasets), cells=len(audit.cells)),
             "", heading("used", lang)]
    lines += [f"  - {a}" for a in assumptions(audit, lang)]
    lines += ["", heading("disclosed", lang, len(audit.disclosed))]
    for c in audit.disclosed:
        lines.append(f"  {show(c.entry)} = {fmt_num(c.lower)}")
        if c.steps:
            lines += [f"    {x}" for x in arithmetic(s, c.steps)]
        else:
            lines.append(f"    {t('no-chain', lang)}{' :' if lang == 'fr' else ':'}")
            lines += [f"      {s.constraints[k].label}" for k in c.constraints]
    if not audit.disclosed:
        lines.append(f"  {t('none', lang)}")
    lines += ["", heading("narrow", lang, len(audit.narrow))]
    for c in audit.narrow:
        lines.append(f"  {show(c.entry)} {interval(c, lang)} — {t('narrow-why', lang, floor=c.floor, top=c.threshold - 1)}")
    if not audit.narrow:
        lines.append(f"  {t('none', lang)}")
    contra = [s.constraints[k].label for k in audit.contradictions]
    contra += [f"{show(c.entry)}: {t('infeasible', lang)}" for c in audit.infeasible]
    lines += ["", heading("contra", lang, len(contra))]
    lines += [f"  {x}" for x in contra] or [f"  {t('none', lang)}"]
    lines += ["", heading("facts", lang, len(audit.facts))]
    shares = Counter(f.verdict for f in audit.facts if f.fact.kind == "share")
    for f in audit.facts:
        if f.fact.kind == "share" and f.verdict == "agrees":
            continue
        lines.append(f"  {t(f.verdict, lang)}{' :' if lang == 'fr' else ':'} {fact_text(s, f)}")
    if shares:
        lines.append(f"  {t('shares', lang, ok=shares.get('agrees', 0))}")
    lines += ["", heading("cells", lang)]
    for c in audit.cells:
        flags = [k for k, on in (("flag-disclosed", c.disclosed), ("flag-narrow", c.narrow)) if on]
        lines.append(f"  {show(c.entry)} {c.entry.cell.status} {interval(c, lang)}"
                     + (f" ({', '.join(t(k, lang) for k in flags)})" if flags else ""))
    lines += ["", t("summary", lang, cells=len(audit.cells), disclosed=len(audit.disclosed), narrow=len(audit.narrow),
                    contra=len(contra))]
    return "\n".join(lines) + "\n"


def cell_constraints(audit: Audit, c: CellResult) -> list[str]:
    return [RULES[r] for r in c.rules] + [audit.system.constraints[k].label for k in c.constraints]


CSV_COLUMNS = ["dataset", "observation", "measure", "status", "source_label", "threshold", "lower", "upper",
               "disclosed", "narrow", "constraints"]


def render_csv(audit: Audit, base: str) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(CSV_COLUMNS)
    for c in audit.cells:
        e = c.entry
        w.writerow([e.dataset, observation_iri(base, e), e.cell.measure, e.cell.status, e.cell.source_label, c.threshold,
                    "" if c.infeasible else fmt_num(c.lower), fmt_num(c.upper), str(c.disclosed).lower(),
                    str(c.narrow).lower(), "; ".join(cell_constraints(audit, c))])
    return buf.getvalue()


def _json_num(v):
    if v is None:
        return None
    return float(v) if isinstance(v, Decimal) else v


def render_json(audit: Audit, base: str, lang: str) -> str:
    s = audit.system
    cells = []
    for c in audit.cells:
        e = c.entry
        cells.append({
            "dataset": e.dataset, "observation": observation_iri(base, e), "codes": list(e.cell.codes),
            "measure": e.cell.measure, "status": e.cell.status, "source_label": e.cell.source_label,
            "threshold": c.threshold, "lower": _json_num(None if c.infeasible else c.lower), "upper": _json_num(c.upper),
            "disclosed": c.disclosed, "narrow": c.narrow, "infeasible": c.infeasible,
            "constraints": cell_constraints(audit, c), "arithmetic": arithmetic(s, c.steps)[::2] if c.steps else [],
        })
    facts = [{"kind": f.fact.kind, "verdict": f.verdict, "text": fact_text(s, f),
              "figures": [{"observation": observation_iri(base, s.entries[i]), "value": _json_num(v)}
                          for i, v in f.figures.items()]} for f in audit.facts]
    doc = {
        "summary": {"cells": len(audit.cells), "disclosed": len(audit.disclosed), "narrow": len(audit.narrow),
                    "contradictions": len(audit.contradictions) + len(audit.infeasible)},
        "constraints_used": assumptions(audit, lang),
        "cells": cells, "facts": facts,
        "contradictions": [s.constraints[k].label for k in audit.contradictions],
        "aside": [observation_iri(base, e) for e in audit.aside],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


Key = tuple[str, tuple[str, ...], str]


class BoundAttributes(Mapping):
    """The export hook: for each suppressed observation (dataset, codes, measure), its statements
    def:lowerBound, def:upperBound (when bounded) and def:boundsMethod.

    Kept as (lower, upper, count) and made into statements when asked for: an export of a million
    cells holds about 100,000 of them while it writes, a third of its memory as RDF terms."""

    def __init__(self, base: str) -> None:
        self.lower, self.upper = ox.NamedNode(base + "def/lowerBound"), ox.NamedNode(base + "def/upperBound")
        self.method = (ox.NamedNode(base + "def/boundsMethod"), ox.NamedNode(base + "def/" + METHOD))
        self.integer, self.decimal = ox.NamedNode(XSD + "integer"), ox.NamedNode(XSD + "decimal")
        self._bounds: dict[Key, tuple[str, str | None, bool]] = {}
        self._narrow: dict[Key, tuple[int, int]] = {}

    def add(self, key: Key, lower: str, upper: str | None, count: bool) -> None:
        self._bounds[key] = (lower, upper, count)

    def add_narrow(self, key: Key, floor: int, top: int) -> None:
        """The cell is known more closely than the rule protecting it intends, which alone says [floor, top]."""
        self._narrow[key] = (floor, top)

    def merge(self, other: BoundAttributes) -> None:
        self._bounds.update(other._bounds)
        self._narrow.update(other._narrow)

    def __getitem__(self, key: Key) -> list[tuple[ox.NamedNode, ox.Term]]:
        lower, upper, count = self._bounds[key]
        dt = self.integer if count else self.decimal
        attrs: list[tuple[ox.NamedNode, ox.Term]] = [(self.lower, ox.Literal(lower, datatype=dt))]
        if upper is not None:
            attrs.append((self.upper, ox.Literal(upper, datatype=dt)))
        attrs.append(self.method)
        return attrs

    def __contains__(self, key: object) -> bool:
        return key in self._bounds

    def get(self, key: Key, default=None):
        return self[key] if key in self._bounds else default

    def interval(self, key: Key) -> tuple[str, str | None] | None:
        """The bounds of one observation as canonical lexical values (upper None: unbounded), or None."""
        found = self._bounds.get(key)
        return None if found is None else found[:2]

    def narrow(self, key: Key) -> tuple[int, int] | None:
        """What the rule alone says of a cell whose bounds are narrower than it intends, or None."""
        return self._narrow.get(key)

    def __iter__(self) -> Iterator[Key]:
        return iter(self._bounds)

    def __len__(self) -> int:
        return len(self._bounds)


def attributes(audit: Audit, base: str) -> BoundAttributes:
    """The export hook of an audit: each suppressed observation's interval and method."""
    out = BoundAttributes(base)
    for c in audit.cells:
        if c.infeasible or c.lower is None:
            continue
        out.add(c.entry.key, fmt_num(c.lower), None if c.upper is None else fmt_num(c.upper), c.entry.count)
        if c.narrow:
            out.add_narrow(c.entry.key, c.floor, c.threshold - 1)
    return out


def triples(audit: Audit, base: str) -> Iterator[ox.Triple]:
    """The attributes as RDF (--format ttl): what `export` adds to the observations."""
    for (dataset, codes, measure), attrs in attributes(audit, base).items():
        s = ox.NamedNode(f"{base}dataset/{dataset}/obs/{'/'.join(quote(c, safe='') for c in codes)}/{measure}")
        for p, o in attrs:
            yield ox.Triple(s, p, o)
