"""Read a text file of the project (CSV, TOML, Turtle) strictly: UTF-8 without byte-order mark, no
control characters, and every refusal named by file, line and column.

Why here and not in each loader: every loader read its files with Python's decoder, which raises
UnicodeDecodeError without the file's name (it reached the user as a traceback, exit 2 instead of
1), and accepted a byte-order mark that then became part of the first CSV header, so that the
message "expected the columns round,…; got round,…" showed two identical-looking lists. Control
characters (NUL, U+0001, ESC…) cannot be written in XML 1.0 at all, not even escaped, so accepting
one in a note made `export --format xml` write an ill-formed file: they are refused at the door.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from ..errors import InputError, UnreadableInput
from ..files import read_bytes

# C0 controls except tab, line feed and carriage return; DEL and the C1 controls; the two
# noncharacters XML forbids. None is printable, none can be written in XML 1.0.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
# The same characters written as escapes, as Turtle and TOML allow (\u0001, \U0000001B).
ESCAPED_CONTROL = re.compile(r"\\(?:u(00[01][0-9A-Fa-f]|007[Ff]|008[0-9A-Fa-f]|009[0-9A-Fa-f]|[Ff][Ff][Ff][EeFf])"
                             r"|U(0000(?:[01][0-9A-Fa-f]|7[Ff]|8[0-9A-Fa-f]|9[0-9A-Fa-f])|0000[Ff][Ff][Ff][EeFf]))")
ALLOWED_ESCAPES = {"0009", "000a", "000d", "00000009", "0000000a", "0000000d"}
# The bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069): invisible,
# they make a reference, a code or a label display as another (« Trojan source »); French and
# English text never needs one (issue 23).
BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
ESCAPED_BIDI = re.compile(r"\\(?:u(202[A-Ea-e]|206[6-9])|U0000(202[A-Ea-e]|206[6-9]))")


def position(text: str, index: int) -> tuple[int, int]:
    """Line and column (both from 1, the column in characters) of `index` in `text`."""
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def decode(path: Path | str, data: bytes) -> str:
    """The bytes as UTF-8 text, or an InputError at the first byte that is not."""
    if data.startswith(codecs.BOM_UTF8):
        raise InputError(path, 1, 1, "the file starts with a byte-order mark (U+FEFF): expected UTF-8 without one "
                                     "(save as \"UTF-8\", not \"UTF-8 with BOM\")")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise InputError(path, 1, 1, "the file is UTF-16: expected UTF-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        prefix = data[:err.start].decode("utf-8", "replace")
        line, col = position(prefix, len(prefix))
        raise InputError(path, line, col, f"invalid UTF-8 (byte 0x{data[err.start]:02x}): expected text encoded "
                                          "as UTF-8") from None


def check_controls(path: Path | str, text: str, escapes: bool = False) -> None:
    """Refuse a control character, raw or (with `escapes`, for Turtle and TOML) written as an escape."""
    m = CONTROL.search(text)
    if m:
        line, col = position(text, m.start())
        raise InputError(path, line, col, f"control character U+{ord(m.group()):04X} found: expected printable text "
                                          "(tab and line breaks are the only control characters allowed)")
    m = BIDI.search(text)
    if m:
        line, col = position(text, m.start())
        raise InputError(path, line, col, f"bidirectional control character U+{ord(m.group()):04X} found: expected "
                                          "text without invisible direction overrides")
    if escapes:
        m = ESCAPED_BIDI.search(text)
        if m:
            line, col = position(text, m.start())
            raise InputError(path, line, col, f"bidirectional control character written as {m.group()}: expected text "
                                              "without invisible direction overrides")
        for m in ESCAPED_CONTROL.finditer(text):
            if (m.group(1) or m.group(2)).lower() not in ALLOWED_ESCAPES:
                line, col = position(text, m.start())
                raise InputError(path, line, col, f"control character written as {m.group()}: expected printable text")


def read_text(path: Path, escapes: bool = False, kind: str = "text") -> str:
    """The file as text, refused (InputError, exit 1) unless it is UTF-8 without BOM or controls.

    An unreadable file (permissions, missing) raises OSError, reported by the CLI as exit 2; a
    folder, a device, a FIFO, a link loop or a file over the size of its `kind` (files.LIMITS) is
    refused before it is read (UnreadableInput, exit 2)."""
    text = decode(path, read_bytes(path, kind))
    check_controls(path, text, escapes)
    return text


def inside(root: Path, path: Path) -> Path:
    """`path`, refused unless it lies inside `root` once symbolic links are followed.

    A table id is only a name, but a symbolic link `t1.csv -> /etc/shadow` (or a folder linked out
    of data/) would make the loader read, and echo in its messages, a file outside the data folder."""
    try:
        real, top = Path(path).resolve(), Path(root).resolve()
    except (RuntimeError, OSError):  # Python 3.11 raises RuntimeError on a link loop
        raise UnreadableInput(path, 0, 0, "a symbolic link loop: expected a file") from None
    if real != top and top not in real.parents:
        raise InputError(path, 1, 1, f"leads outside the data folder {root} (a symbolic link?): expected a file "
                                     "inside it")
    return path


MAX_TOML_DEPTH = 32  # arrays and inline tables within each other; the project's files need 3
LONG_NUMBER = re.compile(r"[0-9][0-9_]{4299,}")  # Python refuses to convert more than 4,300 digits


def parse_toml(path: Path | str, text: str) -> dict:
    """The TOML document, or an InputError (exit 1) at its position.

    tomllib recurses once per level of nesting and raised RecursionError at 50,000 levels, and
    converting an integer of more than 4,300 digits raised ValueError (issue 23): the depth is
    counted before the parser runs, and an integer too long for Python is refused where it is."""
    import tomllib

    from ..nesting import TOML_TOKEN, depth

    found = depth(text, TOML_TOKEN)
    if found > MAX_TOML_DEPTH:
        raise InputError(path, 1, 1, f"arrays or inline tables nested {found} levels deep: expected at most "
                                     f"{MAX_TOML_DEPTH}")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        m = re.search(r"line (\d+), column (\d+)", str(err))
        line, col = (int(m.group(1)), int(m.group(2))) if m else (1, 1)
        raise InputError(path, line, col, f"invalid TOML: {err}") from err
    except ValueError as err:  # int() of a number past sys.get_int_max_str_digits()
        m = LONG_NUMBER.search(text)
        line, col = position(text, m.start()) if m else (1, 1)
        raise InputError(path, line, col, f"a number of more than 4,300 digits: expected a count ({err})") from None
