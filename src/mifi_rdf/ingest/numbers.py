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
    return bool(re.fullmatch(r"(?:[0-9]{1,3}(?:[\u00a0\u202f][0-9]{3})+|[0-9]+)(?:,[0-9]+)?%?|x", token))


def readings(tokens: list[str]) -> list[list[str]]:
    """Every way to read space-separated tokens as figures, the plain one first.

    In a space-separated row « 1 204 » is one figure with a thousands separator or two figures; a
    token of 1-3 digits followed by one of exactly 3 digits can be either. The caller keeps the
    reading the totals allow, and asks a person when more than one does.
    """
    joins = [i for i in range(len(tokens) - 1)
             if re.fullmatch(r"[1-9][0-9]{0,2}", tokens[i].split(" ")[-1]) and re.fullmatch(r"[0-9]{3}", tokens[i + 1])]
    out = []
    for mask in range(1 << len(joins)):
        chosen = {joins[b] for b in range(len(joins)) if mask >> b & 1}
        figures: list[str] = []
        for i, tok in enumerate(tokens):
            if i - 1 in chosen:
                figures[-1] = f"{figures[-1]} {tok}"
            else:
                figures.append(tok)
        if all(re.fullmatch(r"[1-9][0-9]{0,2}( [0-9]{3})*|[0-9]+(,[0-9]+)?%?|x", f) for f in figures):
            out.append(figures)
    return out


def half_unit(value: str) -> float:
    """Half a unit of the last printed decimal: the rounding a printed percentage may carry."""
    decimals = len(value.split(".")[1]) if "." in value else 0
    return 0.5 * 10 ** -decimals
