"""A PDF letter's text layer → the `Line`s text.py reads (through layout.py), each with its page.

pdfplumber (pdfminer.six) gives every word with its box and font (bold is read from the font's name) and the
vertical rules of ruled tables (the vertical edges of its lines and rectangles). Before
pdfminer parses anything, the file is checked with bounded work, so a hostile or unusable file is refused in
one line (exit 2) instead of exhausting memory or time:
- an encrypted PDF (an /Encrypt dictionary): its text cannot be trusted to be the letter's, ask for an open copy;
- a cross-reference table that `startxref` does not point to (a broken or truncated file);
- more than `MAX_PAGES` pages (letters have a few; counted by pdfium, which does not inflate page contents);
- a stream that inflates beyond `MAX_INFLATED` bytes (decompression bomb), or streams beyond four times that,
  measured by decoding each stream through its filters in bounded steps (Flate into Flate included);
- no text at all on any page: a scanned letter, read by OCR instead (ocr.py).
"""

from __future__ import annotations

import base64
import contextlib
import re
import zlib
from pathlib import Path

from ..files import read_bytes
from .layout import Word, lines_from_words
from .text import Line, Unreadable

MAX_PAGES = 200
MAX_INFLATED = 64 * 1024 * 1024  # per stream and in total; a letter's page content is a few tens of kB
BOLD_FONT = re.compile(r"bold|black|heavy|demi|semibold", re.I)
LIGATURES = {"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl", "\u00ad": ""}
STREAM = re.compile(rb"(?<!end)stream\r?\n")


def _check_structure(path: Path, data: bytes) -> None:
    if re.search(rb"/Encrypt\s*(?:\d+\s+\d+\s+R|<<)", data):
        raise Unreadable(path, 0, 0, "the PDF is encrypted: ask for (or save) a copy without a password or restrictions")
    tail = data[-2048:]
    m = re.search(rb"startxref\s+(\d+)\s+%%EOF\s*$", tail) or re.search(rb"startxref\s+(\d+)", tail)
    if m is None:
        raise Unreadable(path, 0, 0, "broken PDF: no `startxref` at its end (a truncated file?): expected a complete PDF")
    offset = int(m.group(1))
    at = data[offset: offset + 32]
    if not (at.startswith(b"xref") or re.match(rb"\s*\d+\s+\d+\s+obj\b", at)):
        raise Unreadable(path, 0, 0, f"broken PDF: its cross-reference table is not at byte {offset} where `startxref` "
                                     "says it is: expected an unaltered PDF")
    total = 0
    for s in STREAM.finditer(data):
        head = data[max(0, s.start() - 1024): s.start()]
        head = head[head.rfind(b"obj") + 1:]
        filters = re.findall(rb"/(FlateDecode|Fl|ASCII85Decode|A85|ASCIIHexDecode|AHx|LZWDecode|LZW|RunLengthDecode|RL)\b",
                             head.split(b"/DecodeParms")[0])
        if not filters:
            continue
        size = _decoded_size(path, data, s.end(), [f.decode() for f in filters], MAX_INFLATED)
        total += size
        if total > MAX_INFLATED * 4:
            raise Unreadable(path, 0, 0, f"the streams of this PDF inflate to more than {MAX_INFLATED * 4 >> 20} MB: "
                                         "not a letter (a decompression bomb?)")


def _decoded_size(path: Path, data: bytes, start: int, filters: list[str], limit: int) -> int:
    """The size a stream decodes to through its filters, stopping (refused) past limit. Flate layers are
    inflated a megabyte at a time, one into the next, so a bomb (a stream inflating to gigabytes, or inflating
    into another one that does) costs no more than limit; ASCII filters only shrink; LZW and run-length, which
    letters' producers no longer use, are refused beyond a megabyte of input."""
    raw = data[start: start + limit]
    size = 0
    inflaters = [zlib.decompressobj() for _ in filters]

    def bomb() -> Unreadable:
        return Unreadable(path, 0, 0, f"a stream of this PDF (byte {start}) inflates to more than {limit >> 20} MB: "
                                      "not a letter (a decompression bomb?)")

    def feed(level: int, chunk: bytes) -> None:
        nonlocal size
        if level == len(filters):
            size += len(chunk)
            if size > limit:
                raise bomb()
            return
        name = filters[level]
        if name in {"FlateDecode", "Fl"}:
            inflater = inflaters[level]  # one per layer, fed a megabyte at a time by the layer before
            out = inflater.decompress(chunk, 1 << 20)
            feed(level + 1, out)
            while inflater.unconsumed_tail:
                out = inflater.decompress(inflater.unconsumed_tail, 1 << 20)
                feed(level + 1, out)
        elif level > 0:
            raise Unreadable(path, 0, 0, f"a stream of this PDF (byte {start}) applies {name} after FlateDecode: not a "
                                         "letter's PDF")
        elif name in {"ASCII85Decode", "A85"}:
            body = chunk.split(b"~>")[0].strip()
            feed(level + 1, base64.a85decode(body.removeprefix(b"<~") + b"~>", adobe=True, ignorechars=b" \t\r\n\x0c"))
        elif name in {"ASCIIHexDecode", "AHx"}:
            body = re.sub(rb"\s", b"", chunk.split(b">")[0])
            feed(level + 1, bytes.fromhex((body + b"0" * (len(body) % 2)).decode("ascii")))
        elif len(chunk) > 1 << 20:
            raise Unreadable(path, 0, 0, f"a stream of this PDF (byte {start}) uses {name}, which letters do not, over "
                                         "more than 1 MB: not a letter")

    with contextlib.suppress(zlib.error, ValueError):  # a damaged stream is pdfminer's to report (or skip)
        feed(0, raw)
    return size


def read_pdf(path: Path) -> list[Line]:
    """The lines of a PDF letter's text layer, each with the page it came from; refuses what cannot be read."""
    try:
        data = read_bytes(path, "pdf")  # the one door: a FIFO or a device is refused before it is opened
    except OSError as err:
        raise Unreadable(path, 0, 0, f"cannot read the letter: {err.strerror or err}") from err
    if not data.startswith(b"%PDF"):
        raise Unreadable(path, 1, 1, "not a PDF (no %PDF header)")
    _check_structure(path, data)
    import pypdfium2

    try:
        pages = len(pypdfium2.PdfDocument(data))
    except pypdfium2.PdfiumError as err:
        raise Unreadable(path, 0, 0, f"not a readable PDF ({err}): expected the letter as MIFI sent it") from err
    if pages > MAX_PAGES:
        raise Unreadable(path, 0, 0, f"the PDF has {pages} pages, more than {MAX_PAGES}: a letter has a few; "
                                     "give the pages of the letter only")
    import pdfplumber
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfminer.psparser import PSException

    words: list[Word] = []
    heights: dict[int, float] = {}
    rulings: dict[int, list[tuple[float, float, float]]] = {}  # vertical rules of tables, per page
    try:
        with pdfplumber.open(path) as pdf:
            for number, page in enumerate(pdf.pages, start=1):
                heights[number] = float(page.height)
                for w in page.extract_words(extra_attrs=["fontname", "size"], keep_blank_chars=False):
                    text = "".join(LIGATURES.get(c, c) for c in w["text"])
                    if text:
                        words.append(Word(text, float(w["x0"]), float(w["x1"]), float(w["top"]), float(w["bottom"]),
                                          bool(BOLD_FONT.search(w["fontname"] or "")), number))
                rulings[number] = [(float(e["x0"]), float(e["top"]), float(e["bottom"])) for e in page.edges
                                   if e["orientation"] == "v" and e["bottom"] - e["top"] >= 4]
                page.flush_cache()
    except (PDFSyntaxError, PSException, ValueError, KeyError, TypeError) as err:
        raise Unreadable(path, 0, 0, f"not a readable PDF ({type(err).__name__}: {err})") from err
    if not words:  # no text layer: a scanned letter, read by OCR (ocr.py)
        from .ocr import read_scanned

        return read_scanned(path, data)
    lines, page_of = lines_from_words(words, heights, rulings=rulings)
    return [Line(ln.number, ln.text, ln.bold, page) for ln, page in zip(lines, page_of, strict=True)]
