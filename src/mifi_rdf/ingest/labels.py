"""Printed row labels to codes of the code lists, without ever guessing.

A label is matched against the labels of one code list (prefLabel, altLabel, hiddenLabel, read from
ontology/codes/) in steps, and the step that matched decides what is recorded:

1. a person's mapping (`--map "Label=code"` or a mapping file) — applied first, always;
2. the label itself, ignoring case and spacing (`TOTAL` is `Total`) → exact, nothing to record;
3. the label after folding accents, apostrophes, dashes and MIFI's abbreviations (« Rép. »,
   « St- ») → `label-variant` (« Haiti » for « Haïti »);
4. a unique label within one letter (two for long names) of the folded label → `typo-fixed`
   (« Bésil » for « Brésil »), the printed label kept in `source_label`.

Two codes at the same step (32 Quebec municipality names belong to two municipalities) make the
label ambiguous; no code at all makes it unknown. Both are returned with candidates and the caller
refuses to write anything until a person has said which code is meant.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field

import pyoxigraph as ox

from ..load.vocabulary import Vocabulary

SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS_TYPE = "http://purl.org/dc/terms/type"

ABBREVIATIONS = [
    (re.compile(r"\bste?-(?=\w)"), lambda m: "sainte " if m.group().startswith("ste") else "saint "),
    (re.compile(r"\brep\.\s*"), lambda m: "republique "),
    (re.compile(r"\bdem\.\s*"), lambda m: "democratique "),
    (re.compile(r"\bmun\.\s*"), lambda m: "municipalite "),
]


def casefold(text: str) -> str:
    """Case and spacing only: `TOTAL` and `Total` are the same printed label."""
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip().casefold()


def deep_fold(text: str) -> str:
    """Accents, apostrophes, dashes, abbreviations and footnote marks folded away."""
    t = unicodedata.normalize("NFKD", text)
    t = "".join(c for c in t if not unicodedata.combining(c)).lower()
    t = re.sub(r"[*¹²³]|\(\d\)", "", t)
    for pattern, repl in ABBREVIATIONS:
        t = pattern.sub(repl, t)
    t = re.sub(r"[’'`\-–—_.,()]", " ", t)
    return re.sub(r"\s+", " ", t).strip()


def distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, given up (limit + 1) as soon as it exceeds limit."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


@dataclass
class Concept:
    notation: str
    pref: dict[str, str] = field(default_factory=dict)  # lang -> label
    alt: list[str] = field(default_factory=list)
    hidden: list[str] = field(default_factory=list)
    broader: str = ""  # IRI
    kind: str = ""  # dcterms:type (Ville, Municipalité, …), to tell homonyms apart

    @property
    def label(self) -> str:
        return self.pref.get("fr") or self.pref.get("en") or self.notation

    @property
    def french(self) -> list[str]:
        """The labels a French letter prints as they are: French (or language-less) prefLabel, altLabels.

        An altLabel that differs from the French prefLabel only by accents or case (« Haiti », which
        the code list keeps because a letter printed it) is not among them: printing it is still a
        spelling variant, to be recorded (step 3)."""
        pref = [v for k, v in self.pref.items() if k in {"fr", ""}]
        folded = {deep_fold(v) for v in pref}
        alt = [a for a in self.alt if deep_fold(a) not in folded]
        return [*dict.fromkeys([*pref, *alt])]

    @property
    def visible(self) -> list[str]:
        return [*dict.fromkeys([*self.pref.values(), *self.alt])]


@dataclass(frozen=True)
class Match:
    """What a printed label was matched to, and how; `code` is None when a person must decide."""

    label: str
    step: str  # mapped, exact, label-variant, typo-fixed, ambiguous, unknown
    code: str | None
    matched: str = ""  # the code list's label that matched
    candidates: tuple[str, ...] = ()  # "code label (detail)" for ambiguous and unknown labels

    @property
    def resolved(self) -> bool:
        return self.code is not None


class CodeIndex:
    """The labels of every code list, by list name (`country`, `municipality`, `mrc`, …)."""

    def __init__(self, vocab: Vocabulary, mapping: dict[str, str] | None = None) -> None:
        self.base = vocab.base
        self.mapping = {casefold(k): v for k, v in (mapping or {}).items()}
        self.concepts: dict[str, dict[str, Concept]] = {}  # list -> notation -> concept
        by_iri: dict[str, Concept] = {}
        scheme_of: dict[str, str] = {}
        triples = vocab.code_triples
        for t in triples:
            if t.predicate.value == SKOS + "inScheme":
                scheme_of[t.subject.value] = t.object.value
        for t in triples:
            s, p, o = t.subject.value, t.predicate.value, t.object
            if s not in scheme_of:
                continue
            c = by_iri.setdefault(s, Concept(""))
            if p == SKOS + "notation" and isinstance(o, ox.Literal) and o.datatype.value.endswith("#string"):
                c.notation = o.value
            elif p == SKOS + "prefLabel" and isinstance(o, ox.Literal):
                c.pref[o.language or ""] = o.value
            elif p == SKOS + "altLabel" and isinstance(o, ox.Literal):
                c.alt.append(o.value)
            elif p == SKOS + "hiddenLabel" and isinstance(o, ox.Literal):
                c.hidden.append(o.value)
            elif p == SKOS + "broader":
                c.broader = o.value
            elif p == DCTERMS_TYPE and isinstance(o, ox.Literal):
                c.kind = o.value
        prefix = f"{vocab.base}code/"
        self.label_of_iri = {iri: c.label for iri, c in by_iri.items()}
        for iri, c in by_iri.items():
            scheme = scheme_of[iri]
            if scheme.startswith(prefix) and c.notation:
                self.concepts.setdefault(scheme[len(prefix):], {})[c.notation] = c
        self._folded: dict[str, dict[str, list[tuple[str, str, bool]]]] = {}
        self._exact_index: dict[str, dict[str, dict[str, str]]] = {}

    def has(self, codelist: str, notation: str) -> bool:
        return notation in self.concepts.get(codelist, {})

    def describe(self, codelist: str, notation: str) -> str:
        """`58012 Saint-Lambert (Ville, Longueuil)`: enough for a person to choose between homonyms."""
        c = self.concepts[codelist][notation]
        detail = ", ".join(x for x in (c.kind, self.label_of_iri.get(c.broader, "")) if x)
        return f"{notation} {c.label}" + (f" ({detail})" if detail else "")

    def _exact(self, codelist: str) -> dict[str, dict[str, str]]:
        """casefolded French label -> {notation: label}"""
        if codelist not in self._exact_index:
            index: dict[str, dict[str, str]] = {}
            for notation, c in self.concepts.get(codelist, {}).items():
                for label in c.french:
                    index.setdefault(casefold(label), {})[notation] = label
            self._exact_index[codelist] = index
        return self._exact_index[codelist]

    def _index(self, codelist: str) -> dict[str, list[tuple[str, str, bool]]]:
        """deep-folded label -> [(notation, label, hidden)]"""
        if codelist not in self._folded:
            index: dict[str, list[tuple[str, str, bool]]] = {}
            for notation, c in self.concepts.get(codelist, {}).items():
                for label in c.visible:
                    index.setdefault(deep_fold(label), []).append((notation, c.label if label not in c.french else label,
                                                                   False))
                for label in c.hidden:
                    index.setdefault(deep_fold(label), []).append((notation, label, True))
            self._folded[codelist] = index
        return self._folded[codelist]

    def match(self, codelist: str, printed: str, forms: list[str] | None = None) -> Match:
        """Match one printed label; `forms` are other readings of it to try (« MRC de la Matanie » → « La Matanie »)."""
        concepts = self.concepts.get(codelist, {})
        mapped = self.mapping.get(casefold(printed))
        if mapped is not None:
            if mapped not in concepts:
                return Match(printed, "unknown", None, candidates=(f"{mapped} (given by --map, but not in code/{codelist})",))
            known = any(casefold(x) == casefold(f) for f in [printed, *(forms or [])]
                        for x in [*concepts[mapped].visible, *concepts[mapped].hidden])
            return Match(printed, "mapped" if known else "mapped-variant", mapped, concepts[mapped].label)
        readings = [printed, *(forms or [])]
        # 2. exact, case aside
        exact = self._exact(codelist)
        for form in readings:
            hits = exact.get(casefold(form), {})
            if len(hits) == 1:
                (code, lab), = hits.items()
                return Match(printed, "exact", code, lab)
            if len(hits) > 1:
                return Match(printed, "ambiguous", None, candidates=tuple(self.describe(codelist, n) for n in sorted(hits)))
        index = self._index(codelist)
        # 3. folded: a spelling variant of a visible label (a hidden label folds to itself and is a typo)
        for form in readings:
            entries = index.get(deep_fold(form), [])
            visible = {n: lab for n, lab, hidden in entries if not hidden}
            if len(visible) == 1:
                (code, lab), = visible.items()
                return Match(printed, "label-variant", code, lab)
            if len(visible) > 1:
                return Match(printed, "ambiguous", None, candidates=tuple(self.describe(codelist, n) for n in sorted(visible)))
            hidden = {n for n, _, _ in entries}
            if len(hidden) == 1:  # a misspelling the code list already records (« Bésil »)
                code = hidden.pop()
                return Match(printed, "typo-fixed", code, concepts[code].label)
        # 4. a typo: one code within a small edit distance
        for form in readings:
            folded = deep_fold(form)
            limit = 1 if len(folded) < 12 else 2
            if len(folded) < 4:
                continue
            near: dict[str, tuple[int, str]] = {}
            for key, entries in index.items():
                d = distance(folded, key, limit)
                if d <= limit:
                    for n, lab, _ in entries:
                        if n not in near or d < near[n][0]:
                            near[n] = (d, lab)
            if near:
                best = min(d for d, _ in near.values())
                codes = sorted(n for n, (d, _) in near.items() if d == best)
                if len(codes) == 1:
                    lab = concepts[codes[0]].label
                    return Match(printed, "typo-fixed", codes[0], lab)
                return Match(printed, "ambiguous", None, candidates=tuple(self.describe(codelist, n) for n in codes))
        close = difflib.get_close_matches(deep_fold(printed), list(index), n=3, cutoff=0.7)
        candidates = tuple(dict.fromkeys(self.describe(codelist, n) for key in close for n, _, _ in index[key]))
        return Match(printed, "unknown", None, candidates=candidates)


def read_mapping(text: str, where: str) -> dict[str, str]:
    """`Label = code` lines (a mapping file, or --map options); `#` starts a comment."""
    out: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.split("#", 1)[0].strip() if not line.lstrip().startswith("#") else ""
        if not line:
            continue
        if "=" not in line:
            raise ValueError(f"{where}:{number}:1: expected `Label = code`, found {line!r}")
        label, code = (x.strip() for x in line.rsplit("=", 1))
        if "=" in label:  # « Maroc=FRA=FRA »: which `=` ends the label cannot be told (issue 23)
            raise ValueError(f"{where}:{number}:{line.index('=', line.index('=') + 1) + 1}: more than one `=` in {line!r}: "
                             "expected `Label = code`, one `=` between a label and a code")
        if not label or not code:
            raise ValueError(f"{where}:{number}:1: expected `Label = code`, found {line!r}")
        out[label] = code
    return out
