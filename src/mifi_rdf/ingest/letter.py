"""The letter's own metadata, read from its text: reference, dates, articles, programs, signatory.

Only what the text states is taken. What needs a person — an English wording of the request, a
date the OCR mangled — is left as the letter gives it and listed in the report under « to review ».
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError
from . import dates
from .facts import Facts
from .tables import programs_in
from .text import ANNEX, Line, RawTable, fold

REF = re.compile(r"N\s*/\s*R[ée]f\.?\s*:?\s*([0-9]{3,})(?![0-9\w])", re.I)  # ASCII digits: \d takes any script's
LETTER_DATE = re.compile(rf"^le {dates.DAY} {dates.MONTH} (\d{{4}})$")
RECEIVED = re.compile(rf"re[cç]ue le {dates.DAY} {dates.MONTH} (\d{{4}})")
CLARIFIED = re.compile(r"telle que (?:precisee|reformulee|modifiee|clarifiee|completee)s? (?:le|les) ([^,.;]*?) dernier")
ARTICLES = re.compile(r"\barticles? ((?:\d+)(?:\s*(?:,|et)\s*\d+)*)")
REQUEST_START = re.compile(r"(?:visant|vise|visait) a obtenir\s*:?\s*", re.I)
REQUEST_END = re.compile(r"^\s*(?:[àa] cet (?:effet|égard|egard)|notez|veuillez|veillez)", re.I)
POINT = re.compile(r"(?:concernant|en ce qui concerne) le point (\d+)")
TITLES_EN = [
    (re.compile(r"^responsable substitut de l.acces aux documents et de la protection des renseignements personnels$"),
     "Substitute access to documents and personal information protection officer"),
    (re.compile(r"^responsable de l.acces aux documents et de la protection des renseignements personnels$"),
     "Access to documents and personal information protection officer"),
]
ARTICLE_15_EN = ("Section 15 of the access law: the right of access only covers documents whose communication requires "
                 "neither calculation nor comparison of information.")


@dataclass
class LetterMeta:
    ref: str
    letter_date: dt.date
    received: dt.date
    clarified: list[dt.date]
    issued_by_fr: str
    issued_by_en: str
    request_fr: str
    request_en: str
    programs: list[str]
    articles: list[str]
    refused: list[dict[str, str]]
    body: str  # the letter's words before its annexes and tables, folded
    to_review: list[str] = field(default_factory=list)
    given: dict[str, str] = field(default_factory=dict)  # field → the option a person gave it with (facts.py)


def body_lines(lines: list[Line], tables: list[RawTable]) -> list[Line]:
    """The letter itself: up to its annex (the law's text) or its first table, whichever comes first."""
    stop = min([t.caption_line or t.line for t in tables if t.caption_line or t.line] + [len(lines) + 1])
    out = []
    for line in lines:
        if line.number >= stop or ANNEX.match(line.text):
            break
        out.append(line)
    return out


def _paragraphs(lines: list[Line]) -> list[str]:
    out, cur = [], []
    for line in lines:
        if line.blank:
            if cur:
                out.append(" ".join(cur))
                cur = []
        else:
            cur.append(line.text.strip())
    if cur:
        out.append(" ".join(cur))
    return out


def _agree(path: Path, where: tuple[int, int], what: str, stated, option: str, given) -> InputError | None:
    if stated is None or given is None or stated == given:
        return None
    return InputError(path, where[0], where[1], f"the file states {what} {stated}, but {option} says {given}: "
                                                f"leave {option} out, or correct the one that is wrong")


def read_letter(lines: list[Line], tables: list[RawTable], path: Path,
                facts: Facts | None = None) -> tuple[LetterMeta | None, list[InputError]]:
    """The letter's facts from its text; `facts` (options a person gave) fill what the text lacks."""
    facts = facts or Facts()
    errors: list[InputError] = []
    body = body_lines(lines, tables)
    body_text = "\n".join(line.text for line in body)
    folded = fold(body_text)
    ref, ref_at = None, (1, 1)
    for line in lines:
        if m := REF.search(line.text):
            ref, ref_at = m.group(1), (line.number, m.start(1) + 1)
            break
    letter_date, date_at = None, (1, 1)
    for line in body:
        m = LETTER_DATE.match(fold(line.text))
        if m:
            letter_date, date_at = dates.date_of(*m.groups()), (line.number, 1)
            break
    m = RECEIVED.search(folded)
    received = dates.date_of(*m.groups()) if m else None
    received_at = (_line_of(body, "recue le") if m else 1, 1)
    for problem in (_agree(path, ref_at, "N/Réf.", ref, "--reference", facts.ref),
                    _agree(path, date_at, "the letter's date", letter_date, "--date", facts.letter_date),
                    _agree(path, received_at, "the request's reception on", received, "--received", facts.received)):
        if problem is not None:
            errors.append(problem)
    stated = {"ref": ref, "letter_date": letter_date, "received": received}
    ref = ref or facts.ref
    letter_date = letter_date or facts.letter_date
    received = received or facts.received
    if ref is None:
        errors.append(InputError(path, 1, 1, "no « N/Réf. : NNNNN » line: the letter's reference number is needed "
                                             "(an attachment without it: give it with --reference NNNNN)"))
    if letter_date is None:
        errors.append(InputError(path, 1, 1, "no « Le 30 avril 2026 » line: the letter's date is needed "
                                             "(an attachment without it: give it with --date YYYY-MM-DD)"))
    if received is None:
        errors.append(InputError(path, _line_of(body, "demande"), 1,
                                 "no « demande … reçue le 26 mars 2026 »: the date the request was received is needed "
                                 "(an attachment without it: give it with --received YYYY-MM-DD)"))
    if ref is None:
        return None, errors
    letter_date = letter_date or dt.date(1, 1, 1)  # placeholders: the errors above refuse the letter anyway
    received = received or letter_date
    clarified = []
    m = CLARIFIED.search(folded)
    if m:
        month = next((w for w in reversed(m.group(1).split()) if w in dates.MONTHS), None)
        for day in re.findall(r"\d{1,2}", m.group(1)):
            if month:
                d = dates.date_of(day, month, str(received.year))
                if d and d < received:
                    d = dates.date_of(day, month, str(received.year + 1))
                if d:
                    clarified.append(d)
    articles = sorted({a for m in ARTICLES.finditer(folded) for a in re.findall(r"\d+", m.group(1))}, key=int)
    issued_fr = _signatory(body)
    issued_en = next((en for pattern, en in TITLES_EN if pattern.match(fold(issued_fr).replace("’", "'"))), "")
    meta = LetterMeta(ref, letter_date, received, clarified, issued_fr, issued_en, "", "",
                      programs_in(body_text + "\n" + "\n".join(t.caption for t in tables)), articles, [], folded)
    if not issued_fr:
        meta.to_review.append("issued_by_fr, issued_by_en: no signatory line « Responsable … » found")
    elif not issued_en:
        meta.to_review.append(f"issued_by_en: no English title known for « {issued_fr} »")
    meta.request_fr = _request(body)
    if facts.request_fr is not None:
        if meta.request_fr and meta.request_fr != facts.request_fr:
            meta.to_review.append(f"request_fr: given with --request-fr, instead of the letter's own « {meta.request_fr} »")
        meta.request_fr = facts.request_fr
    elif not meta.request_fr:
        meta.to_review.append("request_fr: no « visant à obtenir … » found: give the request's wording with --request-fr TEXT")
    meta.given = {name: option for name, option in facts.given().items() if stated.get(name) is None}
    meta.request_en = (f"Access request answered by letter {ref}; its wording is in French only (request_fr) until a person "
                       "writes this English summary.")
    meta.to_review.append("request_en: a person writes the English summary of the request (request_fr is the letter's wording)")
    for m in POINT.finditer(folded):
        para = next((p for p in _paragraphs(body) if f"le point {m.group(1)}" in fold(p)), "")
        if "article 15" in fold(para) or "l'article 15" in fold(para):
            meta.refused.append({"point": m.group(1), "article": "15", "reason_fr": para, "reason_en": ARTICLE_15_EN})
    if not meta.programs:
        meta.to_review.append("programs: the letter names no program this tool knows (PSTQ, PRTQ, PEQ)")
    return meta, errors


def _line_of(lines: list[Line], word: str) -> int:
    return next((line.number for line in lines if word in fold(line.text)), 1)


def _signatory(body: list[Line]) -> str:
    """« Responsable … personnels », joined over its wrapped lines."""
    for i, line in enumerate(body):
        if fold(line.text).startswith("responsable"):
            parts = [line.text.strip()]
            for nxt in body[i + 1: i + 4]:
                t = nxt.text.strip()
                if t and (t[0].islower()):
                    parts.append(t)
                else:
                    break
            return re.sub(r"\s+", " ", " ".join(parts))
    return ""


def _plain(text: str) -> str:
    """Accents and case folded one character for one, so positions in it are positions in text."""
    return "".join((unicodedata.normalize("NFKD", c)[:1] or c).lower() for c in text)


def _request(body: list[Line]) -> str:
    """The request as the letter words it: from « visant à obtenir » to the ministry's answer."""
    text_lines = [line.text for line in body]
    for i, t in enumerate(text_lines):
        m = REQUEST_START.search(_plain(t))
        if not m:
            continue
        parts = [t[m.end():].strip()]
        for nxt in text_lines[i + 1:]:
            if REQUEST_END.match(nxt):
                break
            if nxt.strip():
                parts.append(nxt.strip())
        return re.sub(r"\s+", " ", " ".join(p for p in parts if p)).strip()
    return ""
