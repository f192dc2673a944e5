"""Read the validation rules of `shapes/` for one base URI.

The rules are SHACL-SPARQL shapes in Turtle. Like the ontology they use relative IRIs, and their
`sh:declare` namespaces for our own vocabulary are relative too ("def/"): both are resolved here
against the base, so the same rules check a cube minted under any base. The result serves two
engines: pyshacl takes the resolved shapes graph as it is, and the fast engine (validate.py) takes
the constraints listed here and runs their SELECT queries on pyoxigraph.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import rdflib
from rdflib.namespace import RDF, RDFS, SH, XSD

from ..errors import InputError

SEVERITIES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}


@dataclass(frozen=True)
class Constraint:
    """One sh:sparql constraint of a shape, ready to run."""

    shape: str  # IRI of the shape, the rule's stable identifier
    index: int  # position among the shape's constraints, for a stable order
    targets: tuple[tuple[str, str], ...]  # ("class" | "objectsOf" | "subjectsOf", IRI), sorted
    severity: str  # Violation | Warning | Info
    names: dict[str, str]  # language -> the rule's name (sh:name)
    messages: dict[str, str]  # language -> message template with {?var} / {$this}
    prefixes: str  # PREFIX lines from sh:prefixes/sh:declare
    select: str  # the SELECT query, with $this


@dataclass
class Shapes:
    graph: rdflib.Graph  # resolved shapes graph, as pyshacl and the SHACL report need it
    constraints: list[Constraint]


def load_shapes(folder: Path, base: str) -> Shapes:
    graph = rdflib.Graph()
    for path in sorted(folder.glob("*.ttl")):
        try:
            graph.parse(path, format="turtle", publicID=base)
        except Exception as err:  # rdflib raises several parser exception types
            raise InputError(path, getattr(err, "lines", 0) or 0, 0, f"invalid Turtle in shapes: {err}") from err
    _resolve_namespaces(graph, base)
    return Shapes(graph, sorted(_constraints(graph), key=lambda c: (c.shape, c.index)))


def _resolve_namespaces(graph: rdflib.Graph, base: str) -> None:
    for decl, ns in list(graph.subject_objects(SH.namespace)):
        if "://" not in str(ns):
            graph.remove((decl, SH.namespace, ns))
            graph.add((decl, SH.namespace, rdflib.Literal(base + str(ns), datatype=XSD.anyURI)))


def _texts(graph: rdflib.Graph, node, prop) -> dict[str, str]:
    return {(o.language or ""): str(o) for o in graph.objects(node, prop) if isinstance(o, rdflib.Literal)}


def _prefixes(graph: rdflib.Graph, node) -> str:
    lines = []
    for holder in graph.objects(node, SH.prefixes):
        for decl in graph.objects(holder, SH.declare):
            lines.append(f"PREFIX {graph.value(decl, SH.prefix)}: <{graph.value(decl, SH.namespace)}>")
    return "\n".join(sorted(set(lines)))


def _constraints(graph: rdflib.Graph):
    for shape in set(graph.subjects(RDF.type, SH.NodeShape)):
        if (shape, SH.deactivated, rdflib.Literal(True)) in graph:
            continue
        targets = tuple(sorted(
            [("class", str(o)) for o in graph.objects(shape, SH.targetClass)]
            + [("objectsOf", str(o)) for o in graph.objects(shape, SH.targetObjectsOf)]
            + [("subjectsOf", str(o)) for o in graph.objects(shape, SH.targetSubjectsOf)]))
        if not targets:
            continue
        severity = SEVERITIES.get(graph.value(shape, SH.severity), "Violation")
        names = _texts(graph, shape, SH.name) or _texts(graph, shape, RDFS.label)
        shape_messages = _texts(graph, shape, SH.message)
        sparqls = sorted(graph.objects(shape, SH.sparql), key=lambda n: str(graph.value(n, SH.select)))
        for i, node in enumerate(sparqls):
            yield Constraint(
                shape=str(shape), index=i, targets=targets, severity=severity, names=names,
                messages=_texts(graph, node, SH.message) or shape_messages,
                prefixes=_prefixes(graph, node), select=str(graph.value(node, SH.select)),
            )
