"""What a validation finds, as plain data: terms, results and the report, the same for every engine.

The engines (engine.py: SPARQL and pyshacl; columnar.py + fast.py: the columnar checks) and the report's
renderers (report.py) all import these from here, below themselves, so that no engine imports another
to learn the shape of a result.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import pyoxigraph as ox

from .shapes import SEVERITIES, Constraint


@dataclass(frozen=True, order=True)
class Term:
    """An RDF term as plain data, so results of both engines compare equal."""

    kind: str  # "iri", "bnode" or "literal"
    value: str
    datatype: str = ""
    language: str = ""

    @property
    def is_iri(self) -> bool:
        return self.kind == "iri"


@dataclass(frozen=True, order=True)
class Result:
    shape: str
    index: int
    severity: str
    focus: Term
    value: Term
    path: Term | None
    bindings: tuple[tuple[str, Term], ...] = field(default=(), compare=False)

    @property
    def key(self) -> tuple:
        """What both engines must agree on."""
        return (self.shape, self.severity, self.focus, self.value, self.path)


@dataclass
class Report:
    results: list[Result]
    constraints: list[Constraint]

    def count(self, severity: str) -> int:
        return sum(1 for r in self.results if r.severity == severity)

    @property
    def counts(self) -> dict[str, int]:
        c = Counter(r.severity for r in self.results)
        return {s: c.get(s, 0) for s in SEVERITIES.values()}

    def conforms(self, strict: bool = False) -> bool:
        return self.count("Violation") == 0 and not (strict and self.count("Warning"))

    def constraint(self, result: Result) -> Constraint:
        return next(c for c in self.constraints if (c.shape, c.index) == (result.shape, result.index))


def term_of(t) -> Term:
    """A pyoxigraph term as plain data."""
    if isinstance(t, ox.NamedNode):
        return Term("iri", t.value)
    if isinstance(t, ox.BlankNode):
        return Term("bnode", t.value)
    return Term("literal", t.value, t.datatype.value if t.datatype else "", t.language or "")
