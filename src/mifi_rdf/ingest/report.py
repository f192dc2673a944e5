"""What ingest did, table by table, for the person who reviews it: as text, and as JSON (--report).

Per table: cells read, codes matched exactly, labels read as variants or fixed typos (with the
printed label), labels a person must resolve (with candidates and line), totals and percentages
checked, cells placed by the totals, and cells a person must place. Then the letter's new codes,
the fields a person should review, and what was written.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from ..errors import InputError
from .tables import TableResult


@dataclass
class Outcome:
    letter: str
    ref: str = ""
    tables: list[TableResult] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    new_codes: dict[str, list[str]] = field(default_factory=dict)
    new_structures: list[str] = field(default_factory=list)  # slugs of the structures derived for this letter
    to_review: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    dry_run: bool = False
    validation: str = ""
    restated: dict[str, list[str]] = field(default_factory=dict)  # table id -> cells other letters state: confirmed, revised

    @property
    def exit_code(self) -> int:
        return 1 if self.errors else 0


def _labels(t: TableResult, step: str) -> list[dict]:
    return [{"label": u.match.label, "code": u.match.code, "matched": u.match.matched, "line": u.line}
            for u in t.labels if u.match.step == step]


def table_summary(t: TableResult) -> dict:
    unresolved = [{"label": u.match.label, "line": u.line, "why": u.match.step, "list": u.codelist,
                   "candidates": list(u.match.candidates)} for u in t.labels if not u.match.resolved]
    return {
        "id": t.id,
        "number": t.raw.number,
        "caption": t.raw.caption,
        "line": t.raw.line,
        "structure": t.structure.slug if t.structure else None,
        "fixed": t.fixed,
        "cells": len(t.cells),
        "rows": len(t.raw.rows),
        "codes_exact": sum(1 for u in t.labels if u.match.step in {"exact", "mapped"}),
        "mapped": _labels(t, "mapped") + _labels(t, "mapped-variant"),
        "label_variants": _labels(t, "label-variant"),
        "typos_fixed": _labels(t, "typo-fixed"),
        "unresolved": unresolved,
        "totals_checked": t.totals_checked,
        "percentages_checked": t.percentages_checked,
        "placements_inferred": t.placed,
        "need_a_person": t.uncertain,
        "findings": t.findings,
        "page_breaks": t.raw.page_breaks,
        "new_codes": {k: sorted(v) for k, v in sorted(t.new_codes.items())},
        "new_structure": ({"slug": t.new_structure.structure.slug, "label_fr": t.new_structure.label_fr,
                           "label_en": t.new_structure.label_en} if t.new_structure else None),
        "suppression": {"threshold": t.threshold, "method": t.method},
    }


def to_json(o: Outcome) -> str:
    doc = {
        "letter": o.letter,
        "ref": o.ref,
        "status": "refused" if o.errors else ("checked, not written (--dry-run)" if o.dry_run else "written"),
        "exit_code": o.exit_code,
        "errors": [str(e) for e in o.errors],
        "tables": [table_summary(t) for t in o.tables],
        "new_codes": o.new_codes,
        "new_structures": o.new_structures,
        "to_review": o.to_review,
        "validation": o.validation,
        "restated": o.restated,
        "written": o.written,
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def to_text(o: Outcome) -> str:
    out = [f"letter {o.ref or '?'} ({o.letter}): {len(o.tables)} table(s)"]
    for t in o.tables:
        s = table_summary(t)
        head = f"  {t.id}" + (f" (Tableau {t.raw.number})" if t.raw.number else "") + f", line {t.raw.line}"
        out.append(f"{head}: {s['structure'] or 'structure not recognised'}" + (
            f" [{', '.join(f'{k}={v}' for k, v in s['fixed'].items())}]" if s["fixed"] else ""))
        out.append(f"    {s['cells']} cells read from {s['rows']} rows; {s['codes_exact']} labels matched exactly; "
                   f"{s['totals_checked']} totals and {s['percentages_checked']} percentages checked")
        for item in s["typos_fixed"]:
            out.append(f"    typo fixed     line {item['line']}: « {item['label']} » → {item['code']} « {item['matched']} »")
        for item in s["label_variants"]:
            out.append(f"    label variant  line {item['line']}: « {item['label']} » → {item['code']} « {item['matched']} »")
        for item in s["mapped"]:
            out.append(f"    mapped         line {item['line']}: « {item['label']} » → {item['code']} (your mapping)")
        for item in s["unresolved"]:
            cands = "; ".join(item["candidates"]) or "no close label"
            out.append(f"    UNRESOLVED     line {item['line']}: « {item['label']} » {item['why']} in code/{item['list']}: "
                       f"{cands}")
        for line in s["page_breaks"]:
            out.append(f"    page break     line {line}: repeated header skipped")
        for item in s["placements_inferred"]:
            out.append(f"    placed by the totals  {item}")
        for item in s["need_a_person"]:
            out.append(f"    NEEDS A PERSON {item}")
        for item in s["findings"]:
            out.append(f"    note           {item}")
        for k, v in s["new_codes"].items():
            out.append(f"    new {k}: {', '.join(v)}")
        if s["new_structure"]:
            out.append(f"    new structure: {s['new_structure']['slug']} « {s['new_structure']['label_fr']} »")
        out += [f"    {line}" for line in o.restated.get(t.id, [])]
    if o.new_codes and o.written:
        for k, v in o.new_codes.items():
            out.append(f"  added to ontology/codes ({k}): {', '.join(v)}")
    if o.new_structures and o.written:
        out.append(f"  added to ontology/structures.ttl (structure): {', '.join(o.new_structures)}")
    for item in o.to_review:
        out.append(f"  to review: {item}")
    if o.validation:
        out.append(f"  {o.validation}")
    if o.errors:
        out.append(f"  refused: {len(o.errors)} problem(s), nothing written (see the errors above)")
    elif o.dry_run:
        out.append("  checked; nothing written (--dry-run)")
    else:
        out.append(f"  wrote {', '.join(o.written)}")
    return "\n".join(out) + "\n"
