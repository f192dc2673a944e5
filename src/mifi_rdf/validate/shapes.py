"""Read the validation rules of `shapes/` for one base URI.

The rules are SHACL-SPARQL shapes in Turtle. Like the ontology they use relative IRIs, and their
`sh:declare` namespaces for our own vocabulary are relative too ("def/"): both are resolved here
against the base, so the same rules check a cube minted under any base. The result serves two
engines: pyshacl takes the resolved shapes graph as it is, and the fast engine (validate.py) takes
the constraints listed here (read with pyoxigraph) and runs their SELECT queries on pyoxigraph.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from ..errors import InputError
from ..namespaces import RDF_TYPE, RDFS, SH, XSD

if TYPE_CHECKING:
    import rdflib

SEVERITIES = {SH + "Violation": "Violation", SH + "Warning": "Warning", SH + "Info": "Info"}


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


class Shapes:
    """The constraints, and the resolved shapes graph (rdflib) that pyshacl and the SHACL report need.

    The fast engine reads only the constraints, which load_shapes reads with pyoxigraph: the rdflib
    graph (and rdflib itself, a tenth of a second of start-up) is made only when asked for."""

    def __init__(self, graph: rdflib.Graph | Callable[[], rdflib.Graph], constraints: list[Constraint]) -> None:
        self._graph = graph
        self.constraints = constraints

    @property
    def graph(self) -> rdflib.Graph:
        if callable(self._graph) and not hasattr(self._graph, "triples"):
            self._graph = self._graph()
        return self._graph

    def with_constraints(self, constraints: list[Constraint]) -> Shapes:
        """The same shapes graph (made when first asked for, once) with other constraints."""
        return Shapes(lambda: self.graph, constraints)


def load_shapes(folder: Path, base: str) -> Shapes:
    paths = sorted(folder.glob("*.ttl"))
    store = ox.Store()
    for path in paths:
        try:
            store.load(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=base)
        except (SyntaxError, OSError, ValueError) as err:
            _rdflib_graph(paths, base)  # the error as rdflib reports it (InputError), as before
            raise InputError(path, 0, 0, f"invalid Turtle in shapes: {err}") from err  # what only pyoxigraph refuses
    return Shapes(lambda: _rdflib_graph(paths, base), sorted(_constraints(store, base), key=lambda c: (c.shape, c.index)))


def _rdflib_graph(paths: list[Path], base: str) -> rdflib.Graph:
    import rdflib

    namespace = rdflib.URIRef(SH + "namespace")
    graph = rdflib.Graph()
    for path in paths:
        try:
            graph.parse(path, format="turtle", publicID=base)
        except Exception as err:  # rdflib raises several parser exception types
            raise InputError(path, getattr(err, "lines", 0) or 0, 0, f"invalid Turtle in shapes: {err}") from err
    for decl, ns in list(graph.subject_objects(namespace)):
        if "://" not in str(ns):
            graph.remove((decl, namespace, ns))
            graph.add((decl, namespace, rdflib.Literal(base + str(ns), datatype=rdflib.URIRef(XSD + "anyURI"))))
    return graph


def _objects(store: ox.Store, node, prop: str) -> list:
    return [q.object for q in store.quads_for_pattern(node, ox.NamedNode(prop), None)]


def _value(store: ox.Store, node, prop: str):
    found = _objects(store, node, prop)
    return found[0] if found else None


def _str(term) -> str:
    return "None" if term is None else term.value


def _texts(store: ox.Store, node, prop: str) -> dict[str, str]:
    found = {(o.language or ""): o.value for o in _objects(store, node, prop) if isinstance(o, ox.Literal)}
    return dict(sorted(found.items()))  # languages in one order, whatever the file's


def _namespace(term, base: str) -> str:
    """An sh:namespace as resolved: a relative one ("def/") against the base."""
    text = _str(term)
    return text if term is None or "://" in text else base + text


def _prefixes(store: ox.Store, node, base: str) -> str:
    lines = []
    for holder in _objects(store, node, SH + "prefixes"):
        for decl in _objects(store, holder, SH + "declare"):
            prefix, namespace = _value(store, decl, SH + "prefix"), _value(store, decl, SH + "namespace")
            lines.append(f"PREFIX {_str(prefix)}: <{_namespace(namespace, base)}>")
    return "\n".join(sorted(set(lines)))


def _deactivated(store: ox.Store, shape) -> bool:
    return any(isinstance(o, ox.Literal) and o.datatype.value == XSD + "boolean" and o.value in ("true", "1")
               for o in _objects(store, shape, SH + "deactivated"))


def _constraints(store: ox.Store, base: str):
    shapes = {q.subject for q in store.quads_for_pattern(None, ox.NamedNode(RDF_TYPE), ox.NamedNode(SH + "NodeShape"))}
    for shape in shapes:
        if _deactivated(store, shape):
            continue
        targets = tuple(sorted(
            [("class", _str(o)) for o in _objects(store, shape, SH + "targetClass")]
            + [("objectsOf", _str(o)) for o in _objects(store, shape, SH + "targetObjectsOf")]
            + [("subjectsOf", _str(o)) for o in _objects(store, shape, SH + "targetSubjectsOf")]))
        if not targets:
            continue
        severity = SEVERITIES.get(_str(_value(store, shape, SH + "severity")), "Violation")
        names = _texts(store, shape, SH + "name") or _texts(store, shape, RDFS + "label")
        shape_messages = _texts(store, shape, SH + "message")
        sparqls = sorted(_objects(store, shape, SH + "sparql"), key=lambda n: _str(_value(store, n, SH + "select")))
        for i, node in enumerate(sparqls):
            yield Constraint(
                shape=_str(shape), index=i, targets=targets, severity=severity, names=names,
                messages=_texts(store, node, SH + "message") or shape_messages,
                prefixes=_prefixes(store, node, base), select=_str(_value(store, node, SH + "select")),
            )
