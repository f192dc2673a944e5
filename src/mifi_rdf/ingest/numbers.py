"""French numbers as MIFI prints them, turned into the canonical form of data/ (`1 874` → `1874`).

A figure is read exactly as printed: thousands separators (space, no-break space, narrow no-break
space) are dropped and the decimal comma becomes a point; nothing else changes (`100,0` stays
`100.0`). Anything else — a minus sign, a letter, two commas — is not a figure, and the caller
reports it with its line and column rather than guess what was meant.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Spaces a text extraction may put between thousands: plain, no-break (U+00A0), narrow no-break (U+202F),
# thin (U+2009).
THOUSANDS = "[ \u00a0\u202f\u2009]"
INTEGER = re.compile(rf"[0-9]{{1,3}}(?:{THOUSANDS}[0-9]{{3}})*|[0-9]+")
NUMBER = re.compile(rf"(?P<int>{INTEGER.pattern})(?:,(?P<frac>[0-9]+))?(?:{THOUSANDS}?%)?")
SUPPRESSED = {"x", "X"}  # the symbol the letters use for a value replaced to protect it


@dataclass(frozen=True)
class Figure:
    """One printed cell: its canonical value, or why it has none."""

    value: str | None  # canonical lexical form ("1874", "32.1"), None for a blank or « x »
    kind: str  # "number", "blank" (nothing printed) or "x" (the suppression symbol)


class NotANumber(ValueError):
    """The cell holds text that is neither a French number, a blank nor « x »."""


def parse_figure(text: str) -> Figure:
    """Read one cell as printed; raises NotANumber for anything that is not a figure."""
    t = text.strip().strip("\u00a0\u202f")
    if not t:
        return Figure(None, "blank")
    if t in SUPPRESSED:
        return Figure(None, "x")
    m = NUMBER.fullmatch(t)
    if m is None:
        raise NotANumber(f"expected a number in French notation (e.g. 1 874 or 32,1), a blank or « x », found {t!r}")
    digits = re.sub(THOUSANDS, "", m.group("int"))
    if len(digits) > 1 and digits.startswith("0"):
        raise NotANumber(f"a count does not start with 0: {t!r}")
    frac = m.group("frac")
    return Figure(digits if frac is None else f"{digits}.{frac}", "number")


def is_figure_token(token: str) -> bool:
    """A whitespace-free token that reads as a figure (used to split space-separated rows)."""
    return bool(re.fullmatch(r"[0-9]+(?:,[0-9]+)?%?|x", token))


def half_unit(value: str) -> float:
    """Half a unit of the last printed decimal: the rounding a printed percentage may carry."""
    decimals = len(value.split(".")[1]) if "." in value else 0
    return 0.5 * 10 ** -decimals
