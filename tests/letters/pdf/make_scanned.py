"""Make the scanned fixture: a letter's PDF printed, then scanned (an image-only PDF), as MIFI sometimes sends it.

Run from the repository's root: `python tests/letters/pdf/make_scanned.py` (needs pypdfium2, Pillow and numpy,
all installed with pdfplumber). It renders each page of `30952-fpdf.pdf` at `DPI`, turns it by a small angle
(the sign changing from page to page, as sheets fed by hand lean), adds grey noise and a few specks, and keeps
black and white as an office scanner's document mode does (ragged letter edges, specks), saved as one image-only
PDF (CCITT G4, small), `30952-scanned.pdf`: no text layer, so ingest must read it by OCR.
The noise comes from a fixed seed: the same script makes the same images.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import numpy as np
import pypdfium2
from PIL import Image

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "30952-fpdf.pdf"
TARGET = HERE / "30952-scanned.pdf"
DPI = 200
ANGLES = (0.7, -0.5, 0.9)  # degrees, page by page (cycled)
SEED = 30952
THRESHOLD = 150


def scanned_pages(source: Path) -> list[Image.Image]:
    rng = np.random.default_rng(SEED)
    pages = []
    pdf = pypdfium2.PdfDocument(source)
    for n in range(len(pdf)):
        image = pdf[n].render(scale=DPI / 72, grayscale=True).to_pil().convert("L")
        image = image.rotate(ANGLES[n % len(ANGLES)], resample=Image.Resampling.BICUBIC, expand=False, fillcolor=255)
        pixels = np.asarray(image, dtype=np.float32)
        pixels += rng.normal(0, 40, pixels.shape) * (pixels < 250)  # sensor noise, at the edges of the ink
        specks = rng.random(pixels.shape) < 0.0004  # dust
        pixels[specks] = 40
        scanned = np.where(pixels > THRESHOLD, 255, 0).astype(np.uint8)  # the scanner's black-and-white mode
        pages.append(Image.fromarray(scanned, "L").convert("1", dither=Image.Dither.NONE))
    return pages


def main() -> int:
    pages = scanned_pages(SOURCE)
    out = io.BytesIO()
    pages[0].save(out, "PDF", resolution=DPI, save_all=True, append_images=pages[1:])
    TARGET.write_bytes(out.getvalue())
    print(f"{TARGET.name}: {len(pages)} page(s), {len(out.getvalue()) // 1024} kB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
