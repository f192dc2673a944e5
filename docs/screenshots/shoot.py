"""Take the screenshots of docs/screenshots/: a dataset page, a country page and the series page,
in French and in English, as a reader's browser shows them (Debian's Chromium, via Playwright),
and the section of a dataset page that gives the bounds of its blanked cells.

Usage:  python docs/screenshots/shoot.py [--chromium /usr/bin/chromium]

It builds the bundled data into a temporary folder with `mifi-rdf build`, opens the pages from
there, and writes PNG files beside this script, each cut to the top of its page (title, table,
chart) so that it stays under 200 kB.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
WIDTH = 1200
SHOTS = [  # page, file, height in CSS pixels from the top of the page
    ("dataset/30952-t5.html", "dataset-30952-t5.fr.png", 1300),
    ("dataset/30952-t5.en.html", "dataset-30952-t5.en.png", 1300),
    ("code/country/FRA.html", "country-FRA.fr.png", 1150),
    ("code/country/FRA.en.html", "country-FRA.en.png", 1150),
    ("series/pstq-invitations-by-country.html", "series-pstq.fr.png", 1250),
    ("series/pstq-invitations-by-country.en.html", "series-pstq.en.png", 1250),
]
SECTIONS = [  # page, file, the section shown alone
    ("dataset/30735-t4.html", "bounds-30735-t4.fr.png", "h-bounds"),
    ("dataset/30735-t4.en.html", "bounds-30735-t4.en.png", "h-bounds"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    opts = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        subprocess.run([sys.executable, "-m", "mifi_rdf", "build", str(site)], check=True, capture_output=True)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=opts.chromium, chromium_sandbox=False)
            page = browser.new_page(viewport={"width": WIDTH, "height": 800}, device_scale_factor=1)
            for path, name, height in SHOTS:
                page.goto((site / path).as_uri())
                full = page.evaluate("document.scrollingElement.scrollHeight")
                out = HERE / name
                page.screenshot(path=str(out), full_page=True,
                                clip={"x": 0, "y": 0, "width": WIDTH, "height": min(height, full)})
                print(f"{out.relative_to(HERE.parents[1])}: {out.stat().st_size // 1000} kB")
            for path, name, section in SECTIONS:
                page.goto((site / path).as_uri())
                out = HERE / name
                page.locator(f'section[aria-labelledby="{section}"]').screenshot(path=str(out))
                print(f"{out.relative_to(HERE.parents[1])}: {out.stat().st_size // 1000} kB")
            browser.close()


if __name__ == "__main__":
    main()
