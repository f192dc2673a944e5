"""The checks an Office file (XLSX, DOCX) passes before openpyxl or python-docx parse it.

Both formats are zip archives of XML parts, and both parsers trust them: a file that is not a zip
ends in `BadZipFile`, a DOCTYPE with an external entity or a billion laughs in a `ParseError` (or
worse, an entity resolved), a part that inflates to gigabytes in `MemoryError`. So before parsing:
the file must be a regular file (a FIFO would block), a zip, of bounded size on disk, with parts of
bounded inflated size and compression ratio (read from the archive's directory; zipfile itself never
inflates a part past its declared size and checks its CRC), and no part may hold a DOCTYPE (Office
never writes one: a DOCTYPE in a part is a hostile or broken file, never a letter's attachment).
Every part is checked, media too: the parsers follow the package's relationships to whatever part
they name, so a part's name says nothing of whether it is parsed (a picture whose SVG has a DOCTYPE
is refused as well; the message names the part to remove). Every refusal is one `Unreadable`
(exit 2) that names the part.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from ..files import regular
from .text import Unreadable

MAX_FILE = 64 << 20  # on disk: a letter's attachment is some kilobytes
MAX_PART = 32 << 20  # one part inflated: openpyxl holds shared strings whole, python-docx the document's tree
MAX_TOTAL = 64 << 20  # every part inflated
MAX_RATIO = 100  # inflated / compressed, for parts over RATIO_FLOOR; Office's XML deflates 5 to 20 times
RATIO_FLOOR = 1 << 20
MAX_PARTS = 1000
CHUNK = 1 << 20
# A DOCTYPE or an entity declaration in any part, as UTF-8 or as UTF-16 (XML parts may be either).
MARKERS = [m.encode(enc) for m in ("<!DOCTYPE", "<!ENTITY") for enc in ("utf-8", "utf-16-le", "utf-16-be")]


def _size(n: int) -> str:
    return f"{n / (1 << 30):.1f} GB" if n >= 1 << 30 else f"{n / (1 << 20):.1f} MB"


def regular_file(path: Path) -> int:
    """The file's size, through the one door of files.py: what is not a regular file (a FIFO would block
    the parser forever, a device never end) is refused before anything opens it."""
    if not path.exists() and not path.is_symlink():
        raise Unreadable(path, 0, 0, "no such file")
    return regular(path).st_size


def check_package(path: Path, what: str) -> None:
    """Refuse an Office file that is not a zip, too large, a zip bomb, or holds a DOCTYPE (see above).
    `what` names the format with its article: « an Excel workbook », « a Word document »."""
    size = regular_file(path)
    if size > MAX_FILE:
        raise Unreadable(path, 1, 1, f"{_size(size)} on disk, more than the {_size(MAX_FILE)} an attachment may have")
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
            if len(parts) > MAX_PARTS:
                raise Unreadable(path, 1, 1, f"{len(parts)} parts in the archive, more than the {MAX_PARTS} an "
                                             "attachment may have")
            total = 0
            for part in parts:
                total += part.file_size
                ratio = part.file_size / max(part.compress_size, 1)
                if part.file_size > MAX_PART or total > MAX_TOTAL or (part.file_size > RATIO_FLOOR and ratio > MAX_RATIO):
                    raise Unreadable(path, 1, 1, f"part {part.filename} inflates to {_size(part.file_size)} "
                                                 f"({ratio:,.0f} times its {_size(part.compress_size)} in the archive; "
                                                 f"at most {_size(MAX_PART)} a part, {_size(MAX_TOTAL)} in all and "
                                                 f"{MAX_RATIO} times): refused before reading it (a zip bomb?)")
            for part in parts:
                if not part.is_dir():
                    _scan(archive, part, path)
    except zipfile.BadZipFile as err:
        raise Unreadable(path, 1, 1, f"not {what}: not a zip archive, or a damaged one ({err})") from err
    except (RuntimeError, NotImplementedError, OSError, EOFError, ValueError) as err:  # encrypted, unknown method, cut short
        raise Unreadable(path, 1, 1, f"cannot read the archive of {what}: {err}") from err


def _scan(archive: zipfile.ZipFile, part: zipfile.ZipInfo, path: Path) -> None:
    """Read one part through (which checks its CRC) and refuse a DOCTYPE or entity declaration in it."""
    keep = max(len(m) for m in MARKERS) - 1
    tail = b""
    offset = 0
    with archive.open(part) as f:
        while chunk := f.read(CHUNK):
            window = tail + chunk
            for marker in MARKERS:
                at = window.find(marker)
                if at >= 0:
                    raise Unreadable(path, 1, 1, f"part {part.filename} declares a DOCTYPE or an entity (byte "
                                                 f"{offset - len(tail) + at}): Office files never do; refused, as "
                                                 "external entities and entity expansion are ways to attack a reader")
            tail = window[-keep:]
            offset += len(chunk)
