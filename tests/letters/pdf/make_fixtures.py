"""Make the PDF fixtures of the letters with two producers, and their `pdftotext` outputs.

Run from the repository's root: `python tests/letters/pdf/make_fixtures.py` (needs fpdf2, Debian's chromium and
poppler-utils). It writes, for each letter REF of `LETTERS`:
- `REF-fpdf.pdf`: drawn by fpdf2 (DejaVu Sans, A4, fixed column widths, « Page N de M » footers and a running head
  on every page, captions above the tables as in the text, header cells wrapped on two lines in narrow
  columns (31180), a wide table on a landscape page, a table continued
  on the next page with its header repeated where the text repeats it, and tables broken by the page without it);
- `REF-chromium.pdf`: Chromium printing an HTML page with real `<table>`s (Liberation Sans, ruled cells, bold
  `<th>` headers, captions *below* the tables for 30952, « 2/3 »-style page numbers in a running footer, a long
  table broken across pages without its header repeated);
- `REF-*.layout.txt` and `REF-*.plain.txt`: `pdftotext -layout` and plain `pdftotext` of each PDF.

Chromium's 31224 centres its years in merged, ruled header cells: the PDF's rules place them, but its `pdftotext
-layout` output keeps no rule and puts « 2025 » over « Septembre »: that text is refused at its header (months
without a year), never given a guessed year; the PDF itself reads exactly.

The PDFs are made from the letters' texts (`sources/letters/REF.txt`): every paragraph and every table row as
the text has it, so each PDF must ingest to exactly the cells of `data/REF/`. What a PDF cannot show as the text
does, and how the fixture shows it instead:
- a header cell spanning several columns (31224's years over the months) is printed left-aligned over the first
  column it spans by fpdf2 (unruled: only its position says where it belongs), centred in its merged, ruled cell
  by Chromium (the rules say it);
- the text's markup (`**`, `<b>`) becomes bold type; superscripts (`1^{er}`) are printed inline (« 1er »).
30735's text lost its blank cells (a row shows fewer figures than columns): its PDFs print the tables as data/
records them instead, every cell in its column, the 14 cells of table 3 whose column data/ could not establish
placed as the first placement every total allows (a fixture's choice, not a fact of the letter), so that each
PDF must ingest to data/'s cells with nothing left to a person. 25623 was a scan, OCR'd into its text:
`25623-scan.pdf` is its text drawn into page images without a text layer: ingest reads it by OCR and, as its
dashboard gives no table row ingest can read, refuses it (« no table found », page 1).

Same inputs give the same text layer; the PDF bytes carry the producers' dates (set to a fixed date for fpdf2).
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import itertools
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "src"))

from mifi_rdf.ingest.text import BOLD_LINE, Line, lines_of  # noqa: E402

HERE = Path(__file__).resolve().parent
LETTERS = ["30952", "31180", "31224", "30735"]
FROM_DATA = {"30735"}  # letters whose text lost its tables' layout: their tables are printed from data/
FONTS = Path("/usr/share/fonts/truetype")
CAPTION_BELOW = {"30952"}  # Chromium's PDF of these letters prints each caption under its table
WRAPPED_HEADER = {"31180"}  # fpdf2's PDF of these letters wraps the header cells in narrow columns


def text_from_data(ref: str) -> str:
    """The letter's text with each space-separated table (30735: blank cells lost) replaced by the tab-separated
    table data/REF/ records, as a PDF shows it: every cell in its column. A cell data/ could not place
    (`column-uncertain`: 30735 table 3) is printed where this fixture puts it: the row's printed figures, quoted
    in its note, in its uncertain columns from the left, the others blank."""
    lines = (ROOT / "sources" / "letters" / f"{ref}.txt").read_text(encoding="utf-8").split("\n")
    starts = [k for k, ln in enumerate(lines) if re.match(r"MRC de (la région Bas-|destination\*)", ln)]
    out, k = [], 0
    for number, start in enumerate(starts, start=1):
        end = next(j for j in range(start, len(lines)) if re.match(r"(Total|TOTAL) +\d", lines[j]))
        out += lines[k:start] + table_from_data(ref, f"t{number}", lines[start])
        k = end + 1
    return "\n".join(out + lines[k:])


def table_from_data(ref: str, table: str, anchor: str) -> list[str]:
    with (ROOT / "data" / ref / f"{table}.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    key = "period" if len({r["period"] for r in rows}) > 1 else "stream"
    columns = list(dict.fromkeys(r[key] for r in rows))
    if key == "stream":
        header = ["MRC de la région Bas-Saint-Laurent\tVolet 1\tVolet 2\tVolet 3\tTotal"]
    else:
        header = [anchor.strip().replace(" ", "\t").replace("MRC\tde\tdestination*", "MRC de destination*")]
    labels = list(dict.fromkeys(r["source_label"] for r in rows))
    values = {(r["source_label"], r[key]): r["value"] for r in rows}
    _place_uncertain(rows, key, columns, values)
    out = list(header)
    for label in labels:
        out.append(label + "\t" + "\t".join(f"{int(v):,}".replace(",", " ") if v else "" for v in
                                              (values[(label, c)] for c in columns)))
    return out


def _place_uncertain(rows: list[dict[str, str]], key: str, columns: list[str], values: dict) -> None:
    """The first placement (rows in order, columns from the left) of the uncertain rows' printed figures that every
    column total allows, each blank then holding 1 to 4 (the letter blanks counts under 5)."""
    uncertain: dict[str, list[str]] = {}
    printed: dict[str, list[str]] = {}
    for r in rows:
        if r["inference"] == "column-uncertain":
            uncertain.setdefault(r["source_label"], []).append(r[key])
            printed[r["source_label"]] = re.findall(r"\d+", re.search(r"« ([^»]*) »", r["note_fr"]).group(1))
    if not uncertain:
        return
    for label, figures in printed.items():  # the row's figures data/ placed are not the uncertain ones
        for r in rows:
            if r["source_label"] == label and r["value"] and r["value"] in figures:
                figures.remove(r["value"])
    totals = {r[key]: int(r["value"]) for r in rows if r["status"] == "total" and r["mrc"] == "_T"}
    choices = [[dict(zip(combo, printed[label], strict=True)) for combo in itertools.combinations(cols, len(printed[label]))]
               for label, cols in uncertain.items()]
    for pick in itertools.product(*choices):
        trial = dict(values)
        for label, chosen in zip(uncertain, pick, strict=True):
            for c, figure in chosen.items():
                trial[(label, c)] = figure
        ok = True
        for c in columns:
            parts = [v for (label, col), v in trial.items() if col == c and label not in {"Total", "TOTAL"}]
            known, blanks = sum(int(v) for v in parts if v), sum(1 for v in parts if not v)
            ok = ok and blanks <= totals[c] - known <= 4 * blanks
        if ok:
            values.update(trial)
            return
    raise SystemExit("no placement of the uncertain figures agrees with the totals")


def blocks(ref: str) -> list[tuple[str, list[Line]]]:
    """The letter's text as paragraphs ("p": its consecutive non-blank lines, bold when its markup makes the whole
    paragraph bold, as 31180's signatory over two lines) and tables ("table", its tab-separated lines)."""
    raw = text_from_data(ref) if ref in FROM_DATA else (ROOT / "sources" / "letters" / f"{ref}.txt").read_text(
        encoding="utf-8")
    lines = lines_of(raw)
    out: list[tuple[str, list[Line]]] = []
    for line in lines:
        kind = "table" if "\t" in line.text else "blank" if line.blank else "p"
        if out and out[-1][0] == kind and kind != "blank":
            out[-1][1].append(line)
        else:
            out.append((kind, [line]))
    raw_lines = raw.splitlines()
    result = []
    for kind, par in out:
        if kind == "p":
            text = "\n".join(raw_lines[ln.number - 1] for ln in par).strip()
            bold = all(ln.bold for ln in par) or bool(BOLD_LINE.match(text.replace("\n", " ")))
            par = [Line(ln.number, ln.text, bold) for ln in par]
        if kind != "blank":
            result.append((kind, par))
    return result


def header_count(rows: list[Line]) -> int:
    n = 1
    while n < len(rows) and not rows[n].cells[0].strip():
        n += 1
    return n


# ---------------------------------------------------------------- fpdf2


def make_fpdf(ref: str, out: Path) -> None:
    from fpdf import FPDF

    class Letter(FPDF):
        def header(self) -> None:
            self.set_font("dejavu", "", 8)
            self.cell(0, 5, "Ministère de l'Immigration, de la Francisation et de l'Intégration — accès aux documents")
            self.ln(10)

        def footer(self) -> None:
            self.set_y(-15)
            self.set_font("dejavu", "", 8)
            self.cell(0, 5, f"Page {self.page_no()} de {{nb}}", align="C")

    pdf = Letter(format="A4")
    pdf.set_creation_date(dt.datetime(2026, 12, 1, tzinfo=dt.UTC))
    pdf.add_font("dejavu", "", str(FONTS / "dejavu" / "DejaVuSans.ttf"))
    pdf.add_font("dejavu", "B", str(FONTS / "dejavu" / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()
    for kind, lines in blocks(ref):
        if kind == "p":
            pdf.set_font("dejavu", "B" if lines[0].bold else "", 10)
            for line in lines:
                pdf.multi_cell(0, 5, line.text.strip(), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(3)
            continue
        ncols = max(len(ln.cells) for ln in lines)
        if ncols > 5 and pdf.cur_orientation.value == "P":
            pdf.add_page(orientation="L")  # a wide table on a landscape page
        label_w = 60 if ncols <= 3 else 75 if ncols <= 5 else 30
        other_w = (pdf.epw - label_w) / (ncols - 1) if ncols > 3 else 45 if ref in WRAPPED_HEADER else 65
        font = 10 if ncols <= 5 else 7
        nh = header_count(lines)
        header = lines[:nh]
        for k, line in enumerate(lines):
            is_header = k < nh or (k and line.text == header[0].text)
            if k and line.text == header[0].text:
                pdf.add_page()  # the text repeats the header where the letter's page broke
            elif pdf.will_page_break(5):
                pdf.add_page()
            pdf.set_font("dejavu", "B" if (is_header or line.bold) else "", font - 1 if is_header else font)
            cells = line.cells + [""] * (ncols - len(line.cells))
            if is_header and ref in WRAPPED_HEADER:  # each header cell on two lines
                y = pdf.get_y()
                for j, cell in enumerate(cells):
                    pdf.multi_cell(label_w if j == 0 else other_w, 5, cell.strip(), new_x="RIGHT", new_y="TOP", align="L")
                pdf.set_xy(pdf.l_margin, y + 10)
                continue
            for j, cell in enumerate(cells):
                w = label_w if j == 0 else other_w
                pdf.cell(w, 5, cell.strip(), align="L" if j == 0 or is_header else "R")
            pdf.ln(5)
        pdf.ln(4)
    pdf.output(str(out))


# ---------------------------------------------------------------- Chromium


CSS = """
@page { size: A4; margin: 18mm 16mm 20mm 16mm;
        @bottom-right { content: counter(page) "/" counter(pages); font-size: 8pt; } }
body { font-family: 'Liberation Sans', sans-serif; font-size: 10pt; }
p { margin: 0 0 8pt 0; }
table { border-collapse: collapse; margin: 8pt 0; }
th, td { border: 0.5pt solid #444; padding: 1pt 6pt; vertical-align: top; }
th { text-align: left; }
td.n { text-align: right; }
td.l { min-width: 48mm; }
table.wide { font-size: 6.5pt; }
table.wide th { text-align: center; }
table.wide td.l { min-width: 22mm; }
table.wide th, table.wide td { padding: 1pt 3pt; }
"""


def table_html(rows: list[Line], cls: str) -> str:
    nh = header_count(rows)
    ncols = max(len(r.cells) for r in rows)
    out = [f'<table class="{cls}">']
    for k, r in enumerate(rows):
        if k and r.text == rows[0].text:
            continue  # Chromium breaks the page where it must; the header is not repeated
        cells = r.cells + [""] * (ncols - len(r.cells))
        if k < nh:
            tds = []
            j = 0
            while j < ncols:  # a header word followed by empty cells spans them (31224's years)
                span = 1
                while k == 0 and nh > 1 and cells[j].strip() and j + span < ncols and not cells[j + span].strip() \
                        and j + span < ncols - 1:
                    span += 1
                attr = f' colspan="{span}"' if span > 1 else ""
                tds.append(f"<th{attr}>{html.escape(cells[j].strip())}</th>")
                j += span
            out.append("<tr>" + "".join(tds) + "</tr>")
            continue
        tds = [f'<td class="{"l" if j == 0 else "n"}">{"<b>" if r.bold else ""}{html.escape(c.strip())}'
               f'{"</b>" if r.bold else ""}</td>' for j, c in enumerate(cells)]
        out.append("<tr>" + "".join(tds) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


def make_chromium(ref: str, out: Path) -> None:
    parts = []
    pending_caption: str | None = None
    items = blocks(ref)
    for k, (kind, lines) in enumerate(items):
        if kind == "p":
            text = "<br>".join(html.escape(ln.text.strip()) for ln in lines)  # the letter's own line breaks
            para = f"<p><b>{text}</b></p>" if lines[0].bold else f"<p>{text}</p>"
            if ref in CAPTION_BELOW and k + 1 < len(items) and items[k + 1][0] == "table" and text.startswith("Tableau"):
                pending_caption = para
                continue
            parts.append(para)
            continue
        wide = max(len(ln.cells) for ln in lines) > 5
        parts.append(table_html(lines, "wide" if wide else "narrow"))
        if pending_caption:
            parts.append(pending_caption)
            pending_caption = None
    page = (f"<!doctype html><html lang='fr'><head><meta charset='utf-8'><title>{ref}</title><style>{CSS}</style>"
            "</head><body>" + "\n".join(parts) + "</body></html>")
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / f"{ref}.html"
        src.write_text(page, encoding="utf-8")
        subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                        f"--print-to-pdf={out}", src.as_uri()], check=True, capture_output=True, timeout=120)


def make_scan(ref: str, out: Path) -> None:
    """The letter as a scan: its text drawn into page images (100 dpi, one bit, slightly rotated), no text layer."""
    from fpdf import FPDF
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(str(FONTS / "dejavu" / "DejaVuSans.ttf"), 13)
    lines = (ROOT / "sources" / "letters" / f"{ref}.txt").read_text(encoding="utf-8").splitlines()
    pdf = FPDF(format="A4")
    pdf.set_creation_date(dt.datetime(2026, 12, 1, tzinfo=dt.UTC))
    with tempfile.TemporaryDirectory() as tmp:
        for page in range(2):
            image = Image.new("L", (827, 1169), 255)
            draw = ImageDraw.Draw(image)
            for k, line in enumerate(lines[page * 60: page * 60 + 60]):
                draw.text((70, 60 + k * 17), line[:110], font=font, fill=0)
            path = Path(tmp) / f"page{page}.png"
            image.rotate(0.6, fillcolor=255).convert("1").save(path, optimize=True)
            pdf.add_page()
            pdf.image(str(path), x=0, y=0, w=210, h=297)
        pdf.output(str(out))


def pdftotext(pdf: Path) -> None:
    stem = pdf.with_suffix("")
    subprocess.run(["pdftotext", "-layout", str(pdf), f"{stem}.layout.txt"], check=True)
    subprocess.run(["pdftotext", str(pdf), f"{stem}.plain.txt"], check=True)


def main() -> None:
    for ref in LETTERS:
        for producer, make in (("fpdf", make_fpdf), ("chromium", make_chromium)):
            out = HERE / f"{ref}-{producer}.pdf"
            make(ref, out)
            pdftotext(out)
            print(f"wrote {out.relative_to(ROOT)} ({out.stat().st_size} bytes)")
    out = HERE / "25623-scan.pdf"
    make_scan("25623", out)
    print(f"wrote {out.relative_to(ROOT)} ({out.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
