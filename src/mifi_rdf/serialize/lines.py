"""N-Triples and Turtle of the cubes written as text, observation by observation, in the bytes
pyoxigraph's serializer writes for the same statements.

Building a pyoxigraph term and a Triple for each of the ten statements of each observation, only
for the serializer to take them apart, is most of an export's time. Here each distinct term is
written once by pyoxigraph itself (a code, a property, a value, a status: a few thousand terms for
a million cells) and the observations are assembled from those texts: the statements of one
observation are those of `CubeBuilder.observation_triples`, in its order, grouped as pyoxigraph's
Turtle groups them (`;` between predicates of one subject, `,` between objects of one predicate).
Everything else (ontology, code lists, letters, each dataset's description) still goes through
pyoxigraph's serializer, in pieces whose Turtle prefix header is written once. An observation IRI
that a prefix could abbreviate (a base URI under one of the prefixes) has its table written by the
general path. tests/test_export_lines.py compares both paths byte for byte.
"""

from __future__ import annotations

import io
import operator
from collections.abc import Iterable
from typing import IO
from urllib.parse import quote

import pyoxigraph as ox

from ..cube import LABEL_INFERENCES, CubeBuilder
from ..model import Cell, Letter, Table
from ..namespaces import COMMENT, PROV
from ..progress import steps

LINE_FORMATS = {"nt": ox.RdfFormat.N_TRIPLES, "ttl": ox.RdfFormat.TURTLE}
_DUMMY = ox.NamedNode("urn:x")  # no prefix abbreviates it: written <urn:x> in both formats
_DUMMY_TEXT = "<urn:x>"


class Terms:
    """Each term as pyoxigraph writes it in one format and with one set of prefixes, computed once."""

    def __init__(self, fmt: str, prefixes: dict[str, str]) -> None:
        self.format = LINE_FORMATS[fmt]
        self.prefixes = prefixes if fmt == "ttl" else {}
        self.turtle = fmt == "ttl"
        self._predicates: dict[ox.NamedNode, str] = {}
        self._objects: dict[ox.Term, str] = {}
        self.header = self.serialize([ox.Triple(_DUMMY, _DUMMY, _DUMMY)])[:-len("<urn:x> <urn:x> <urn:x> .\n")]

    def serialize(self, triples: Iterable[ox.Triple]) -> str:
        out = io.BytesIO()
        ox.serialize(triples, out, self.format, **({"prefixes": self.prefixes} if self.prefixes else {}))
        return out.getvalue().decode("utf-8")

    def _statement(self, triple: ox.Triple) -> str:
        """The one statement line of `triple`, without the prefix header."""
        text = self.serialize([triple])
        assert text.startswith(self.header) and text.endswith(" .\n"), text
        return text[len(self.header):-3]

    def predicate(self, p: ox.NamedNode) -> str:
        form = self._predicates.get(p)
        if form is None:
            line = self._statement(ox.Triple(_DUMMY, p, _DUMMY))
            form = self._predicates[p] = line[len(_DUMMY_TEXT) + 1:-len(_DUMMY_TEXT) - 1]
        return form

    def object(self, o: ox.Term) -> str:
        form = self._objects.get(o)
        if form is None:
            form = self._objects[o] = self.uncached(o)
        return form

    def objects(self, terms: Iterable[ox.Term]) -> None:
        """Write many terms at once (one call of the serializer, a subject each), cached for `object`."""
        todo = list(dict.fromkeys(t for t in terms if t not in self._objects))
        if not todo:
            return
        text = self.serialize(ox.Triple(ox.NamedNode(f"urn:x:{i}"), _DUMMY, t) for i, t in enumerate(todo))
        lines = text[len(self.header):].split("\n")
        assert len(lines) == len(todo) + 1 and lines[-1] == "", text[:500]
        for i, (t, line) in enumerate(zip(todo, lines, strict=False)):
            start = f"<urn:x:{i}> {_DUMMY_TEXT} "
            assert line.startswith(start) and line.endswith(" ."), line
            self._objects[t] = line[len(start):-2]

    def uncached(self, o: ox.Term) -> str:
        """A term seen once (a note, an IRI a prefix may abbreviate): written, not kept."""
        return self._statement(ox.Triple(_DUMMY, _DUMMY, o))[2 * len(_DUMMY_TEXT) + 2:]

    def iri(self, iri: str) -> str | None:
        """`<iri>` for every IRI starting with `iri` when no prefix could abbreviate any of them, else None."""
        if any(ns.startswith(iri) or iri.startswith(ns) for ns in self.prefixes.values()):
            return None
        return iri


def write_lines(builder: CubeBuilder, letters: Iterable[Letter], dataset_ids: set[str] | None, fmt: str, out: IO[bytes],
                prefixes: dict[str, str]) -> None:
    """The statements of `builder.statements(letters, dataset_ids)` in N-Triples or Turtle, the same bytes."""
    terms = Terms(fmt, prefixes)
    chosen = builder.chosen_tables(letters, dataset_ids)
    head = [*builder.vocab.ontology_triples, *builder.vocab.code_triples]
    head += [ox.Triple(*t) for letter, _ in chosen for t in builder.letter_triples(letter)]
    first = True
    for table in steps([t for _, tables in chosen for t in tables], "writing"):
        description = [ox.Triple(*t) for t in builder.dataset_triples(table)]
        if first:  # the header once, with the first statements
            out.write(terms.serialize([*head, *description]).encode("utf-8"))
            first = False
        else:
            out.write(terms.serialize(description)[len(terms.header):].encode("utf-8"))
        with builder.cells_of(table) as cells:
            obs = builder.dataset_iri(table) + "/obs/"
            if terms.iri(obs) is None:  # a prefix may abbreviate these IRIs: pyoxigraph writes them
                general = (ox.Triple(*t) for t in builder.observation_statements(table, cells))
                out.write(terms.serialize(general)[len(terms.header):].encode("utf-8"))
            else:
                for chunk in _observations(builder, terms, table, cells, obs):
                    out.write(chunk.encode("utf-8"))
            del cells  # let go before cells_of runs the collector, which would otherwise scan every cell once more
    if first:
        out.write(terms.serialize(head).encode("utf-8"))


def _observations(builder: CubeBuilder, terms: Terms, table: Table, cells: list[Cell], obs: str) -> Iterable[str]:
    """The text of the observations of `table`, a few hundred at a time: the statements of
    CubeBuilder.observation_statements, in its order.

    The statements every observation has (type, dataset, dimensions, measure, unit, status) have
    distinct predicates, so they are `predicate object` texts joined by the separator (in Turtle each
    text is kept with its separator in front, and the pieces go straight into the chunk, which is
    joined once); the others (inferences, notes, bounds: a predicate may repeat) are grouped as
    pyoxigraph groups them. Writing these texts column by column (polars' concat_str, or map and
    one join over zipped columns) was measured slower than this loop: docs/engines.md."""
    node, base, pred, obj = builder.node, builder.base, terms.predicate, terms.object
    ds = obj(node(builder.dataset_iri(table)))
    dims = []
    segments: dict[str, str] = {}  # each code as it appears in an observation IRI, percent-encoded once
    for d, dim in enumerate(table.structure.dimensions):  # the codes this table uses, written at once
        iris = builder.vocab.codelists[dim.codelist].codes
        used = dict.fromkeys(cell.codes[d] for cell in cells)
        terms.objects(node(iris[code]) for code in used)
        p = pred(node(dim.iri))
        dims.append({code: f"{p} {obj(node(iris[code]))}" for code in used})
        segments.update((code, quote(code, safe="")) for code in used if code not in segments)
    measures = {}
    for name, m in table.structure.measures.items():
        mt = node(m.iri)
        measures[name] = (f"{pred(builder.p_measure_type)} {obj(mt)}", pred(mt), node(m.datatype), {},
                          f"{pred(builder.p_unit)} {obj(node(m.unit))}" if m.unit else None)
    statuses = {}
    for name, st in builder.vocab.statuses.items():
        chain = [(builder.p_status, st.iri), (builder.p_obs_status, st.obs), (builder.p_conf_status, st.conf)]
        statuses[name] = ([f"{pred(p)} {obj(node(o))}" for p, o in chain if o], pred([p for p, o in chain if o][-1]))
    inference = {code: obj(node(base + "code/inference/" + code)) for code in builder.vocab.codelist("inference").codes}
    head = [f"{pred(ox.NamedNode('http://www.w3.org/1999/02/22-rdf-syntax-ns#type'))} {obj(builder.observation)}",
            f"{pred(builder.p_dataset)} {ds}"]
    p_inference, p_comment, p_label = pred(builder.p_inference), pred(COMMENT), pred(builder.p_source_label)
    p_revision = pred(node(PROV + "wasRevisionOf"))
    extra, dataset_id, revises = builder.extra, table.dataset_id, table.revises
    turtle = terms.turtle
    separator = " ;\n\t"
    chunk: list[str] = []
    segment, getitem = segments.__getitem__, operator.getitem
    # Turtle: each fixed `predicate object` after its separator, the observation's text one run of pieces
    if turtle:
        lead = [{code: separator + text for code, text in texts.items()} for texts in dims]
        head_text = " " + separator.join(head)
        measures = {name: (separator + mt, pm, datatype, values, None if unit is None else separator + unit)
                    for name, (mt, pm, datatype, values, unit) in measures.items()}
        statuses = {name: ("".join(separator + t for t in chain), last) for name, (chain, last) in statuses.items()}
    for cell in cells:
        codes = cell.codes
        local = f"{'/'.join(map(segment, codes))}/{cell.measure}"
        s = f"<{obs}{local}>"
        mt, pm, datatype, values, unit = measures[cell.measure]
        status, last = statuses[cell.status]
        if cell.value is not None:
            v = values.get(cell.value)
            if v is None:
                v = values[cell.value] = f"{pm} {obj(ox.Literal(cell.value, datatype=datatype))}"
                if turtle:
                    v = values[cell.value] = separator + v
        else:
            v = None
        tail: list[tuple[str, str]] | None = None
        if cell.inferences or cell.note_fr:  # few cells
            tail = [(p_inference, inference[x]) for x in cell.inferences]
            if cell.note_fr:
                tail.append((p_comment, terms.uncached(ox.Literal(cell.note_fr, language="fr"))))
                tail.append((p_comment, terms.uncached(ox.Literal(cell.note_en, language="en"))))
            if LABEL_INFERENCES.intersection(cell.inferences):
                tail.append((p_label, terms.uncached(ox.Literal(cell.source_label, language="fr"))))
        if revises and (of := revises.get((cell.codes, cell.measure))):
            other = f"{base}dataset/{of}/obs/"
            tail = tail or []
            tail.append((p_revision, f"<{other}{local}>" if terms.iri(other) else terms.uncached(ox.NamedNode(other + local))))
        if extra and cell.value is None:  # the audit's bounds are of suppressed cells, which have no value
            bounds = extra.get((dataset_id, cell.codes, cell.measure))
            if bounds:
                tail = tail or []
                tail += [(pred(p), obj(o)) for p, o in bounds]
        if turtle:
            chunk += (s, head_text)
            chunk += map(getitem, lead, codes)  # each dimension's `predicate object`, in qb:order
            chunk.append(mt)
            if v is not None:
                chunk.append(v)
            if unit is not None:
                chunk.append(unit)
            chunk.append(status)
            if tail:
                for p, o in tail:
                    chunk += (" , ", o) if p == last else (separator, p, " ", o)
                    last = p
            chunk.append(" .\n")
        else:
            texts = head.copy()
            texts += map(getitem, dims, codes)  # each dimension's `predicate object`, in qb:order
            texts.append(mt)
            if v is not None:
                texts.append(v)
            if unit is not None:
                texts.append(unit)
            texts += status
            if tail:
                texts += [f"{p} {o}" for p, o in tail]
            chunk += (s, " ", f" .\n{s} ".join(texts), " .\n")
        if len(chunk) >= 4096:
            yield "".join(chunk)
            chunk = []
    if chunk:
        yield "".join(chunk)
