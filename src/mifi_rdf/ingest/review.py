"""`ingest LETTER --review FILE.html`: one self-contained page for the person who checks what ingest read.

Each table is shown beside the image of its page(s) (PNG, embedded as data: URLs, rendered by pypdfium2, or the
straightened scan OCR read), every cell marked with what ingest did with it, in colour and in words and symbols
(templates/review.html has the legend). The page is written whatever the outcome, refused included (that is
when a person needs it), and with --dry-run; a text letter has no image. Nothing on the page is fetched.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from pathlib import Path

from ..errors import display_path
from .report import Outcome

PREVIEW_DPI = 100

# mark → (symbol, English, French); the order of the legend
MARKS = {
    "read": ("✓", "read as printed", "lu tel quel"),
    "typo": ("✎", "label: typo fixed or variant", "libellé : coquille corrigée ou variante"),
    "placed": ("⇄", "placement inferred from the totals", "placement déduit des totaux"),
    "ocr-totals": ("Σ", "OCR, confirmed by the totals", "OCR, confirmé par les totaux"),
    "ocr-person": ("☑", "OCR, confirmed by a person", "OCR, confirmé par une personne"),
    "person": ("⚠", "needs a person", "à confirmer par une personne"),
}


@dataclass
class ReviewCell:
    text: str
    mark: str
    title: str


def _mark(cell, flagged: set[tuple[int, int]]) -> str:
    if (cell.line, cell.column) in flagged or "column-uncertain" in cell.inferences or cell.status == "not-available":
        return "person"
    if "ocr-confirmed-by-person" in cell.inferences:
        return "ocr-person"
    if "ocr-confirmed-by-totals" in cell.inferences:
        return "ocr-totals"
    if "column-from-totals" in cell.inferences or "column-from-layout" in cell.inferences:
        return "placed"
    if any(i in cell.inferences for i in ("typo-fixed", "label-variant")):
        return "typo"
    return "read"


def _page_images(letter: Path, lines) -> dict[int, str]:
    """page → data: URL of its image: the scan OCR read, or the PDF page rendered; none for a text letter."""
    images = getattr(lines, "images", None)
    pngs: dict[int, bytes] = dict(images) if images else {}
    if images is None and letter.suffix.lower() == ".pdf":
        import pypdfium2

        try:
            pdf = pypdfium2.PdfDocument(letter)
            for n in sorted({ln.page for ln in lines if ln.page}):
                out = io.BytesIO()
                pdf[n - 1].render(scale=PREVIEW_DPI / 72, grayscale=True).to_pil().save(out, "PNG", optimize=True)
                pngs[n] = out.getvalue()
        except (pypdfium2.PdfiumError, OSError):
            pngs = {}
    return {n: "data:image/png;base64," + base64.b64encode(png).decode("ascii") for n, png in sorted(pngs.items())}


def tables_for_review(outcome: Outcome, lines) -> list[dict]:
    """Each table as rows of marked cells, with the pages it was read on."""
    page_of = {ln.number: ln.page for ln in lines}
    flagged = {(getattr(e, "line", 0), getattr(e, "column", 0)) for e in outcome.errors}
    flagged_lines = {getattr(e, "line", 0) for e in outcome.errors}
    out = []
    for t in outcome.tables:
        header = t.raw.header[-1].text.split("\t") if t.raw.header else []
        rows: dict[int, dict] = {}
        for row in t.raw.rows:
            rows[row.line] = {"label": row.label, "line": row.line, "cells": [], "flagged": row.line in flagged_lines,
                              "typo": False}
        for c in t.cells:
            row = rows.setdefault(c.line, {"label": c.source_label, "line": c.line, "cells": [], "flagged": False,
                                           "typo": False})
            row["typo"] = row["typo"] or any(i in c.inferences for i in ("typo-fixed", "label-variant"))
            mark = _mark(c, flagged)
            text = c.value.replace(".", ",") if c.value is not None else ("x" if c.status != "not-available" else "")
            note = c.note_en or MARKS[mark][1]
            row["cells"].append(ReviewCell(text or "—", mark, f"{MARKS[mark][1]}: {c.measure}, {c.status}. {note}"))
        pages = sorted({page_of.get(n, 0) for n in range(t.raw.caption_line or t.raw.line, (t.raw.end_line or t.raw.line) + 1)}
                       - {0})
        width = max((len(r["cells"]) for r in rows.values()), default=0)
        if len(header) == 1 and width and len(header[0].split()) > width:  # a header of spaces (30735's text)
            words = header[0].split()
            header = [" ".join(words[:-width]), *words[-width:]]
        out.append({"id": t.id, "number": t.raw.number, "caption": t.raw.caption, "line": t.raw.line,
                    "header": (header[1:] + [""] * width)[:width] if width else header[1:],
                    "row_header": header[0] if header else "", "rows": list(rows.values()), "pages": pages,
                    "structure": t.structure.slug if t.structure else "structure not recognised"})
    return out


def render_review(letter: Path, lines, outcome: Outcome) -> str:
    from ..render.website import environment

    template = environment().get_template("review.html")
    status = "refused" if outcome.errors else ("checked, not written (--dry-run)" if outcome.dry_run else "written")
    return template.render(letter=display_path(letter), ref=outcome.ref, status=status, marks=MARKS,
                           errors=[str(e) for e in outcome.errors], tables=tables_for_review(outcome, lines),
                           images=_page_images(letter, lines), to_review=outcome.to_review)


def write_review(path: Path, letter: Path, lines, outcome: Outcome) -> None:
    from .write import write_atomically

    write_atomically(path, render_review(letter, lines, outcome))
