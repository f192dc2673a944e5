"""French dates as the letters print them (« 1er juillet 2025 », « 4 décembre 2025 », « avril 2026 »),
and the period and round notations of the code lists built from them."""

from __future__ import annotations

import datetime as dt
import re

from .text import fold

MONTHS = {
    "janvier": 1, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7,
    "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11, "decembre": 12,
}
MONTHS_FR = ["", "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
             "novembre", "décembre"]
MONTHS_EN = ["", "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December"]
MONTH = "(" + "|".join(MONTHS) + ")"
DAY = r"(\d{1,2})(?:er)?"
# On folded text (no accents, lower case).
FULL_DATE = re.compile(rf"\b{DAY} {MONTH} (\d{{4}})\b")
DATE_RANGE = re.compile(rf"\b{DAY} {MONTH} (\d{{4}})\s*(?:\(\d\)\s*)?(?:au|jusqu'au|jusqu au|a)\s+{DAY} {MONTH} (\d{{4}})\b")
MONTH_PAIR = re.compile(rf"\ben {MONTH} et {MONTH} (\d{{4}})\b")
MONTH_YEAR = re.compile(rf"\b{MONTH} (\d{{4}})\b")
INVITATION = re.compile(rf"\binvitation du {DAY} {MONTH} (\d{{4}})\b")


def date_of(day: str, month: str, year: str) -> dt.date | None:
    try:
        return dt.date(int(year), MONTHS[month], int(day))
    except ValueError:
        return None


def first_date(text: str) -> dt.date | None:
    m = FULL_DATE.search(fold(text))
    return date_of(*m.groups()) if m else None


def day_fr(d: dt.date) -> str:
    return f"{'1er' if d.day == 1 else d.day} {MONTHS_FR[d.month]} {d.year}"


def day_en(d: dt.date) -> str:
    return f"{d.day} {MONTHS_EN[d.month]} {d.year}"


def month_end(year: int, month: int) -> dt.date:
    nxt = dt.date(year + month // 12, month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def period_bounds(notation: str) -> tuple[dt.date, dt.date]:
    """First and last day of a period notation (`2025-07`, `2023`, `2025-07-01`, `a--b`)."""
    if "--" in notation:
        start, end = notation.split("--")
        return period_bounds(start)[0], period_bounds(end)[1]
    parts = [int(x) for x in notation.split("-")]
    if len(parts) == 1:
        return dt.date(parts[0], 1, 1), dt.date(parts[0], 12, 31)
    if len(parts) == 2:
        return dt.date(parts[0], parts[1], 1), month_end(parts[0], parts[1])
    d = dt.date(*parts)
    return d, d


def period_labels(notation: str) -> tuple[str, str]:
    """French and English labels of a period, in the form periods.ttl uses."""
    if "--" in notation:
        a, b = notation.split("--")
        fa, ea = period_labels(a)
        fb, eb = period_labels(b)
        if len(a) == 10:
            return f"{fa} au {fb}", f"{ea} to {eb}"
        if len(a) == len(b) == 7 and a[:4] == b[:4]:  # months of one year: « janvier et février 2026 »
            (y, m1), m2 = (int(x) for x in a.split("-")), int(b[5:])
            word_fr, word_en = ("et", "and") if m2 == m1 + 1 else ("à", "to")
            return (f"{MONTHS_FR[m1]} {word_fr} {MONTHS_FR[m2]} {y}", f"{MONTHS_EN[m1]} {word_en} {MONTHS_EN[m2]} {y}")
        return f"{fa} à {fb}", f"{ea} to {eb}"
    parts = [int(x) for x in notation.split("-")]
    if len(parts) == 1:
        return notation, notation
    if len(parts) == 2:
        return f"{MONTHS_FR[parts[1]]} {parts[0]}", f"{MONTHS_EN[parts[1]]} {parts[0]}"
    d = dt.date(*parts)
    return day_fr(d), day_en(d)


def caption_period(caption: str) -> str | None:
    """The period a caption states, as a period notation, or None.

    Days as printed give a day interval (`du 1er juillet 2025 au 28 février 2026` →
    `2025-07-01--2026-02-28`); months alone a month interval (`en janvier et février 2026` →
    `2026-01--2026-02`). Nothing is rounded to whole months: the notation says what is printed.
    """
    t = fold(caption)
    m = DATE_RANGE.search(t)
    if m:
        a, b = date_of(*m.groups()[:3]), date_of(*m.groups()[3:])
        if a and b and a <= b:
            return f"{a.isoformat()}--{b.isoformat()}"
    m = MONTH_PAIR.search(t)
    if m:
        first, second, year = MONTHS[m.group(1)], MONTHS[m.group(2)], int(m.group(3))
        if first < second:
            return f"{year}-{first:02d}--{year}-{second:02d}"
    return None


def caption_round_date(caption: str) -> dt.date | None:
    """« Invitation du 4 décembre 2025 » → 2025-12-04: the only place a round's date is taken from."""
    m = INVITATION.search(fold(caption))
    return date_of(*m.groups()) if m else None


def extraction_date(source_line: str) -> tuple[str, str]:
    """(extraction date, data as of) from a source line, as precise as it is printed."""
    t = fold(source_line)
    extracted = ""
    m = re.search(rf"extraites? le {DAY} {MONTH} (\d{{4}})", t)
    if m and (d := date_of(*m.groups())):
        extracted = d.isoformat()
    else:
        m2 = list(MONTH_YEAR.finditer(t))
        if m2 and t.rstrip(". ").endswith(m2[-1].group()):
            extracted = f"{m2[-1].group(2)}-{MONTHS[m2[-1].group(1)]:02d}"
    as_of = ""
    m = re.search(rf"donnees(?: operationnelles)? au {DAY} {MONTH} (\d{{4}})", t)
    if m and (d := date_of(*m.groups())):
        as_of = d.isoformat()
    return extracted, as_of
