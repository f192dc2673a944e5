"""Say what validation found: for people (grouped by dataset, then rule, each cell named by its
letter, table and dimension labels), as JSON, or as the SHACL validation report in Turtle.

The words come from the graph: rule names and messages from the shapes (French or English),
labels of datasets, codes and properties from the cube itself.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from ..namespaces import RDF_TYPE, SH, XSD
from ..paths import sparql
from .results import Report, Result, Term

WORDS = {
    "fr": {"Violation": ("violation", "violations"), "Warning": ("avertissement", "avertissements"),
           "Info": ("note", "notes"), "conforms": "conforme", "fails": "non conforme",
           "other": "Structures, listes de codes et vocabulaire", "table": "tableau",
           "infos": "{n} notes ({rule}) ; --show-info les liste", "strict": "--strict : les avertissements échouent"},
    "en": {"Violation": ("violation", "violations"), "Warning": ("warning", "warnings"),
           "Info": ("note", "notes"), "conforms": "conforms", "fails": "does not conform",
           "other": "Structures, code lists and vocabulary", "table": "table",
           "infos": "{n} notes ({rule}); --show-info lists them", "strict": "--strict: warnings fail"},
}
PLACEHOLDER = re.compile(r"\{[?$](\w+)\}")


@dataclass(frozen=True)
class Place:
    """Where a result is: its dataset and, for an observation, its cell in words."""

    dataset: str  # dataset identifier, "" when the node belongs to none
    heading: str
    cell: str


def _values(query: str, var: str, iris: Iterable[str]) -> str:
    listed = " ".join(f"<{i}>" for i in sorted(set(iris)))
    return query.replace(f"VALUES ?{var} {{ }}", f"VALUES ?{var} {{ {listed} }}")


class Describer:
    """Labels for the nodes of a report, read from the validated store in one query each."""

    def __init__(self, store: ox.Store, report: Report, base: str, lang: str) -> None:
        self.lang, self.words = lang, WORDS[lang]
        nodes = {t.value for r in report.results for t in (r.focus, r.value) if t.is_iri}
        iris = {t.value for r in report.results for _, t in r.bindings if t.is_iri}
        subs = {ox.Variable("lang"): ox.Literal(lang)}
        self.places: dict[str, Place] = {}
        rows: dict[str, list] = {}
        if nodes:
            for s in store.query(_values(sparql("describe-nodes.rq"), "node", nodes), base_iri=base,
                                 use_default_graph_as_union=True, substitutions=subs):
                rows.setdefault(s["node"].value, []).append(s)
        for node, found in rows.items():
            first = found[0]
            ident = first["identifier"].value if first["identifier"] else first["dataset"].value
            ref = first["ref"].value if first["ref"] else ""
            table = first["table"].value if first["table"] else ""
            where = " ".join(x for x in (ref, f"{self.words['table']} {table}" if table else "") if x)
            title = first["title"].value if first["title"] else ""
            labels = sorted({(int(s["order"].value), s["label"].value) for s in found if s["order"] is not None})
            cell = " × ".join(label for _, label in labels)
            self.places[node] = Place(ident, f"{ident} · {title}" if title else ident,
                                      f"{where}, {cell}" if where and cell else cell or where)
        self.labels: dict[str, str] = {}
        if iris:
            for s in store.query(_values(sparql("validation-labels.rq"), "iri", iris), use_default_graph_as_union=True,
                                 substitutions=subs):
                self.labels.setdefault(s["iri"].value, s["label"].value)

    def place(self, r: Result) -> Place:
        for t in (r.value, r.focus):
            if t.is_iri and t.value in self.places and self.places[t.value].cell:
                return self.places[t.value]
        p = self.places.get(r.focus.value)
        return p or Place("", self.words["other"], r.focus.value)

    def show(self, t: Term | None) -> str:
        if t is None:
            return ""
        if t.is_iri:
            return self.labels.get(t.value, t.value)
        return t.value

    def message(self, template: str, r: Result) -> str:
        bound = dict(r.bindings)
        bound.setdefault("this", r.focus)
        return PLACEHOLDER.sub(lambda m: self.show(bound.get(m.group(1))) if m.group(1) in bound else m.group(0), template)


def _pick(texts: dict[str, str], lang: str) -> str:
    return texts.get(lang) or texts.get("en") or next(iter(texts.values()), "")


def summary(report: Report, lang: str, strict: bool = False) -> str:
    w = WORDS[lang]
    parts = []
    for severity in ("Violation", "Warning", "Info"):
        n = report.count(severity)
        parts.append(f"{n} {w[severity][0] if n == 1 else w[severity][1]}")
    verdict = w["conforms"] if report.conforms(strict) else w["fails"]
    return ", ".join(parts) + f": {verdict}" + (f" ({w['strict']})" if strict else "") + "."


def render_text(report: Report, d: Describer, lang: str, show_info: bool = False, strict: bool = False) -> str:
    """Grouped by dataset, then rule; notes (sh:Info) are counted unless asked for."""
    groups: dict[tuple[str, str], dict[tuple[int, str, int], list[tuple[Result, Place]]]] = {}
    rank = {"Violation": 0, "Warning": 1, "Info": 2}
    for r in report.results:
        p = d.place(r)
        rule = (rank[r.severity], r.shape, r.index)
        groups.setdefault((p.dataset or "~", p.heading), {}).setdefault(rule, []).append((r, p))
    out = []
    for (_, heading), rules in sorted(groups.items()):
        lines = []
        for (_, shape, _), items in sorted(rules.items()):
            c = report.constraint(items[0][0])
            name = _pick(c.names, lang)
            if c.severity == "Info" and not show_info:
                lines.append("  " + d.words["infos"].format(n=len(items), rule=name))
                continue
            lines.append(f"  {d.words[c.severity][0]} · {name} [{shape.rsplit('/', 1)[-1]}]")
            for r, p in items:
                text = d.message(_pick(c.messages, lang), r)
                lines.append(f"    {p.cell}: {text}" if p.cell else f"    {text}")
        out.append(heading)
        out.extend(lines)
        out.append("")
    out.append(summary(report, lang, strict))
    return "\n".join(out) + "\n"


def render_json(report: Report, d: Describer, lang: str, strict: bool = False) -> str:
    items = []
    for r in report.results:
        c = report.constraint(r)
        p = d.place(r)
        items.append({
            "dataset": p.dataset or None,
            "cell": p.cell or None,
            "rule": r.shape.rsplit("/", 1)[-1],
            "shape": r.shape,
            "name": _pick(c.names, lang),
            "severity": r.severity,
            "focusNode": r.focus.value,
            "value": r.value.value,
            "path": r.path.value if r.path else None,
            "message": d.message(_pick(c.messages, lang), r),
            "values": {k: v.value for k, v in r.bindings if k not in ("this", "value", "path")},
        })
    doc = {"conforms": report.conforms(strict), "strict": strict, "counts": report.counts, "results": items}
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def _ox(t: Term):
    if t.kind == "iri":
        return ox.NamedNode(t.value)
    if t.kind == "bnode":
        return ox.BlankNode(t.value)
    if t.language:
        return ox.Literal(t.value, language=t.language)
    return ox.Literal(t.value, datatype=ox.NamedNode(t.datatype)) if t.datatype else ox.Literal(t.value)


def render_turtle(report: Report, d: Describer, strict: bool = False) -> str:
    """The W3C SHACL validation report (sh:ValidationReport), with messages in both languages."""
    def n(local: str) -> ox.NamedNode:
        return ox.NamedNode(SH + local)

    a = ox.NamedNode(RDF_TYPE)
    root = ox.BlankNode("report")
    triples = [ox.Triple(root, a, n("ValidationReport")),
               ox.Triple(root, n("conforms"), ox.Literal("true" if report.conforms(strict) else "false",
                                                          datatype=ox.NamedNode(XSD + "boolean")))]
    for i, r in enumerate(report.results, 1):
        c = report.constraint(r)
        node = ox.BlankNode(f"r{i}")
        triples += [ox.Triple(root, n("result"), node), ox.Triple(node, a, n("ValidationResult")),
                    ox.Triple(node, n("focusNode"), _ox(r.focus)), ox.Triple(node, n("value"), _ox(r.value)),
                    ox.Triple(node, n("resultSeverity"), n(r.severity)),
                    ox.Triple(node, n("sourceShape"), ox.NamedNode(r.shape)),
                    ox.Triple(node, n("sourceConstraintComponent"), n("SPARQLConstraintComponent"))]
        if r.path is not None:
            triples.append(ox.Triple(node, n("resultPath"), _ox(r.path)))
        for lang, template in sorted(c.messages.items()):
            triples.append(ox.Triple(node, n("resultMessage"), ox.Literal(d.message(template, r), language=lang or None)))
    buf = io.BytesIO()
    ox.serialize(triples, buf, ox.RdfFormat.TURTLE, prefixes={"sh": SH})
    return buf.getvalue().decode("utf-8")
