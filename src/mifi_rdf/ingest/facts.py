"""The letter's facts a person gives on the command line when the file ingested does not state them.

An Excel or Word attachment often holds the table alone: no « N/Réf. », no date, no request. Those
the letter needs (letter.read_letter: the reference, the letter's date, the date the request was
received, the request's wording) can be given with `--reference`, `--date`, `--received` and
`--request-fr`. Each value is checked here, before anything is read: a reference is digits, a date
is a real date written YYYY-MM-DD, a text has no control or bidirectional-override character (which
would make the published text read differently from what it holds). A given fact fills what the
file lacks; where the file states the fact too, both must agree (letter.read_letter says so).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from ..errors import UsageError

OPTIONS = {"ref": "--reference", "letter_date": "--date", "received": "--received", "request_fr": "--request-fr"}
REFERENCE = re.compile(r"[0-9]{3,12}")
DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# Right-to-left and left-to-right marks, embeddings, overrides and isolates (Unicode's Bidi_Control).
BIDI = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
MAX_TEXT = 4000


@dataclass(frozen=True)
class Facts:
    """What the person said; None where they said nothing."""

    ref: str | None = None
    letter_date: dt.date | None = None
    received: dt.date | None = None
    request_fr: str | None = None

    def given(self) -> dict[str, str]:
        """The option each given fact came from, by field of letter.toml."""
        return {name: OPTIONS[name] for name in OPTIONS if getattr(self, name) is not None}


def _clean(option: str, value: str) -> str:
    for k, c in enumerate(value, start=1):
        if c in BIDI or unicodedata.category(c) in {"Cc", "Cs", "Co", "Cn"}:
            raise UsageError(f"{option}: character {k} is U+{ord(c):04X} ({unicodedata.name(c, 'a control character')}): "
                             "control, unassigned and bidirectional-override characters are refused")
    return unicodedata.normalize("NFC", value).strip()


def _date(option: str, value: str) -> dt.date:
    value = _clean(option, value)
    if DATE.fullmatch(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise UsageError(f"{option}: expected a date written YYYY-MM-DD (e.g. 2026-05-15), got {value!r}")


def parse_facts(reference: str | None = None, letter_date: str | None = None, received: str | None = None,
                request_fr: str | None = None) -> Facts:
    """Check the values of the options (UsageError, exit 2, naming the option) and return them."""
    ref = None
    if reference is not None:
        ref = _clean("--reference", reference).removeprefix("N/Réf.").strip(" :")
        if not REFERENCE.fullmatch(ref):
            raise UsageError(f"--reference: expected the letter's N/Réf., 3 to 12 digits (e.g. 31180), got {reference!r}")
    request = None
    if request_fr is not None:
        request = re.sub(r"\s+", " ", _clean("--request-fr", request_fr))
        if not request:
            raise UsageError("--request-fr: the request's wording is empty")
        if len(request) > MAX_TEXT:
            raise UsageError(f"--request-fr: {len(request)} characters, more than the {MAX_TEXT} a request's wording may have")
    day = _date("--date", letter_date) if letter_date is not None else None
    got = _date("--received", received) if received is not None else None
    if day is not None and got is not None and got > day:
        raise UsageError(f"--received {got} is after --date {day}: a letter answers a request received before it")
    return Facts(ref, day, got, request)
