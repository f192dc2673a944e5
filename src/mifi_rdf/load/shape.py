"""Check that a TOML document has the shape of a reference one: the same tables and keys, each value
of the same type.

data/catalog.toml is read in many places (catalog, VoID, pages), each taking the keys it needs; a
wrong type or a missing key reached the user as a KeyError, TypeError or StopIteration traceback
deep in the build (issue 15). The project's own catalog.toml is the reference: every key it has is
required, with the type it has there, and every entry of an array of tables has the keys of its
first entry.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..errors import InputError

TYPES = {str: "str", int: "int", float: "float", bool: "bool", list: "array", dict: "table", dt.date: "date",
         dt.datetime: "date-time"}


def _type(value) -> str:
    return next((name for kind, name in TYPES.items() if type(value) is kind), type(value).__name__)


def _line(text: str, key: str, section: str) -> int:
    """Line of `key =` after the header of `section` (or of the header itself), for the message."""
    lines = text.splitlines()
    start = 0
    if section:
        for number, line in enumerate(lines):
            if line.strip() in (f"[{section}]", f"[[{section}]]"):
                start = number
                break
    for number in range(start, len(lines)):
        stripped = lines[number].strip()
        if key and stripped.startswith(key) and stripped[len(key):].lstrip().startswith("="):
            return number + 1
    return start + 1


def check_like(path: Path, text: str, doc: dict, reference: dict, section: str = "") -> None:
    """Raise InputError at the first key of `reference` that `doc` lacks or holds with another type."""
    where = f"[{section}] " if section else ""
    for key, ref in reference.items():
        if key not in doc:
            raise InputError(path, _line(text, "", section), 1, f"{where}missing key '{key}' ({_type(ref)})")
        value = doc[key]
        if _type(value) != _type(ref):
            raise InputError(path, _line(text, key, section), 1, f"{where}{key} must be {_type(ref)}, got {_type(value)}")
        name = f"{section}.{key}" if section else key
        if isinstance(ref, dict):
            check_like(path, text, value, ref, name)
        elif isinstance(ref, list) and ref:
            for item in value:
                if _type(item) != _type(ref[0]):
                    raise InputError(path, _line(text, key, section), 1,
                                     f"{where}{key} must hold {_type(ref[0])} items, got {_type(item)}")
                if isinstance(ref[0], dict):
                    check_like(path, text, item, ref[0], name)
