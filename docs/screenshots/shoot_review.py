"""Take the screenshots of ingest's review page (docs/ingest.md, « Scanned letters and the review page »): the
scanned fixture of 30952 (its page image beside each table, every figure confirmed by the totals) and the text
of 30735 (placements inferred, cells that need a person), as Debian's Chromium shows them (via Playwright).

Usage:  python docs/screenshots/shoot_review.py [--chromium /usr/bin/chromium]   (needs Tesseract for the scan)

Each page is written by `mifi-rdf ingest LETTER --dry-run --review FILE.html` into a temporary folder; each PNG
shows the legend and one table (the others hidden), cut to 1100 pixels, so that it stays small.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
WIDTH = 1250
SHOTS = [  # letter, file, table shown
    ("tests/letters/pdf/30952-scanned.pdf", "review-30952-scanned.png", "t5"),
    ("sources/letters/30735.txt", "review-30735.png", "t3"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    opts = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=opts.chromium, chromium_sandbox=False)
        page = browser.new_page(viewport={"width": WIDTH, "height": 900}, device_scale_factor=1)
        for letter, name, table in SHOTS:
            review = Path(tmp) / f"{name}.html"
            subprocess.run([sys.executable, "-m", "mifi_rdf", "ingest", letter, "--dry-run", "--review", str(review)],
                           cwd=ROOT, capture_output=True, check=False)
            page.goto(review.as_uri())
            # the legend, then the table beside its page image (the tables between are scrolled past)
            page.evaluate("t => document.querySelectorAll('section.table').forEach(s => { if (s.id !== t) "
                          "s.style.display = 'none'; })", table)
            top = page.locator("#legend").bounding_box()
            box = page.locator(f"#{table}").bounding_box()
            assert top is not None and box is not None
            out = HERE / name
            page.screenshot(path=str(out), full_page=True, clip={
                "x": 0, "y": top["y"] - 10, "width": WIDTH, "height": min(box["y"] + box["height"] - top["y"] + 20, 1100)})
            print(f"{out.relative_to(ROOT)}: {out.stat().st_size // 1000} kB")
        browser.close()


if __name__ == "__main__":
    main()
