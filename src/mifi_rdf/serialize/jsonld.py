"""A streaming writer of compacted JSON-LD, with the context shipped in the package.

pyoxigraph writes only expanded JSON-LD and rdflib's compaction needs the whole graph in memory,
so this writer compacts node by node: the quads arrive grouped by subject, each group becomes one
node object of "@graph". Terms are used only where their type coercion fits the value exactly, so
the document expands back to the very same triples (a test checks it on the bundled data).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import IO

import pyoxigraph as ox

from ..namespaces import RDF_TYPE, XSD
from ..namespaces import context as make_context

INTEGER = XSD + "integer"


class Compactor:
    def __init__(self, base: str) -> None:
        self.context = make_context(base)
        self.prefixes = sorted(((v, k) for k, v in self.context.items() if isinstance(v, str)),
                               key=lambda item: -len(item[0]))
        self.terms: dict[str, tuple[str, object]] = {}
        for term, definition in self.context.items():
            if isinstance(definition, dict):
                self.terms[self.expand(definition["@id"])] = (
                    term, definition.get("@type") or definition.get("@container"))
        self._cache: dict[str, str] = {}

    def expand(self, value: str) -> str:
        prefix, _, local = value.partition(":")
        ns = self.context.get(prefix)
        return ns + local if isinstance(ns, str) else value

    def iri(self, iri: str) -> str:
        out = self._cache.get(iri)
        if out is None:
            out = iri
            for ns, prefix in self.prefixes:
                if iri.startswith(ns) and len(iri) > len(ns) and not iri[len(ns):].startswith("//"):
                    out = f"{prefix}:{iri[len(ns):]}"
                    break
            self._cache[iri] = out
        return out

    def ref(self, term) -> str:
        return "_:" + term.value if isinstance(term, ox.BlankNode) else self.iri(term.value)

    def value(self, term) -> object:
        if not isinstance(term, ox.Literal):
            return {"@id": self.ref(term)}
        if term.language:
            return {"@value": term.value, "@language": term.language}
        dt = term.datatype.value
        if dt == XSD + "string":
            return term.value
        if dt == INTEGER and term.value.isdigit() and (term.value == "0" or term.value[0] != "0"):
            return int(term.value)
        return {"@value": term.value, "@type": self.iri(dt)}

    def node(self, subject, triples: list) -> dict:
        out: dict = {"@id": self.ref(subject)}
        for t in triples:
            p, o = t.predicate.value, t.object
            if p == RDF_TYPE and not isinstance(o, ox.Literal):
                out.setdefault("@type", []).append(self.ref(o))
                continue
            key, value = self._entry(p, o)
            if isinstance(value, tuple):  # an entry of a language map: {"fr": "...", "en": "..."}
                lang, text = value
                language_map = out.setdefault(key, {})
                existing = language_map.get(lang)
                if existing is None:
                    language_map[lang] = text
                elif isinstance(existing, list):
                    existing.append(text)
                else:
                    language_map[lang] = [existing, text]
            elif key not in out:
                out[key] = value
            elif isinstance(out[key], list):
                out[key].append(value)
            else:
                out[key] = [out[key], value]
        if "@type" in out and len(out["@type"]) == 1:
            out["@type"] = out["@type"][0]
        return out

    def _entry(self, p: str, o) -> tuple[str, object]:
        term = self.terms.get(p)
        if term is not None:
            name, kind = term
            if kind == "@id" and not isinstance(o, ox.Literal):
                return name, self.ref(o)
            if kind == "@language" and isinstance(o, ox.Literal) and o.language:
                return name, (o.language, o.value)
            if kind is None and isinstance(o, ox.Literal) and o.datatype.value == INTEGER and not o.language:
                v = self.value(o)
                if isinstance(v, int):
                    return name, v
            if isinstance(kind, str) and kind.startswith("xsd:") and isinstance(o, ox.Literal) \
                    and not o.language and o.datatype.value == self.expand(kind):
                return name, o.value
        return self.iri(p), self.value(o)


def write_jsonld(triples: Iterable[ox.Triple], out: IO[bytes], base: str) -> None:
    """Write the triples as one compacted JSON-LD document with the context inline."""
    c = Compactor(base)
    out.write(b'{\n"@context": ')
    out.write(json.dumps(c.context, ensure_ascii=False, indent=1).encode("utf-8"))
    out.write(b',\n"@graph": [\n')
    first = True
    subject, group = None, []

    def flush() -> None:
        nonlocal first
        if subject is None:
            return
        if not first:
            out.write(b",\n")
        first = False
        out.write(json.dumps(c.node(subject, group), ensure_ascii=False, separators=(",", ":")).encode("utf-8"))

    for t in triples:
        if t.subject != subject:
            flush()
            subject, group = t.subject, []
        group.append(t)
    flush()
    out.write(b"\n]\n}\n")
