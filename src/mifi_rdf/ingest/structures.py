"""A new table shape: the data structure definition of known dimensions and measures, in the form of structures.ttl.

A table whose dimensions (its rows, its columns, what its caption holds constant) and measures are
all terms of the vocabulary, but whose combination no structure of ontology/structures.ttl has
(invitations by municipality for one round), gets a structure derived from those components alone:
its slug and its French and English labels are made from the terms' own labels, its components are
listed in the order and with the attributes every entry of structures.ttl has. Nothing else is
decided here: as new rounds and periods (codes.py), the block is written to structures.ttl only when
the letter is written, after the letter's cubes were loaded and validated against it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..load.vocabulary import Dimension, Measure, Structure, Vocabulary
from ..namespaces import XSD
from ..serialize.quoted import quoted

RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
RDFS_RANGE = "http://www.w3.org/2000/01/rdf-schema#range"
QB_CODELIST = "http://purl.org/linked-data/cube#codeList"
UNIT = "http://purl.org/linked-data/sdmx/2009/attribute#unitMeasure"
# Dimensions held constant by a caption come first, in this order, then the table's rows and columns.
LEADING = ["round", "period"]
# The attributes of every structure of structures.ttl, in their order: (component name, property, required).
ATTRIBUTES = [
    ("cellStatus", "<def/cellStatus>", "true"),
    ("obsStatus", "sdmx-attribute:obsStatus", "false"),
    ("confStatus", "sdmx-attribute:confStatus", "false"),
    ("inference", "<def/inference>", "false"),
    ("unitMeasure", "sdmx-attribute:unitMeasure", "true"),
]


@dataclass(frozen=True)
class NewStructure:
    structure: Structure
    label_fr: str
    label_en: str
    block: str  # the Turtle of structures.ttl's entry, without the blank line around it


def _labels(vocab: Vocabulary, iri: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for t in vocab.ontology_triples:
        if t.subject.value == iri and t.predicate.value == RDFS_LABEL:
            out.setdefault(getattr(t.object, "language", None) or "", t.object.value)
    return out


def _value(vocab: Vocabulary, iri: str, predicate: str) -> str | None:
    return next((t.object.value for t in vocab.ontology_triples if t.subject.value == iri and t.predicate.value == predicate),
                None)


def _kebab(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"-\1", name).lower()


def _join(words: list[str], conjunction: str) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {conjunction} {words[-1]}"


def derive(vocab: Vocabulary, fixed: list[str], rows: str | None, columns: list[str], measures: list[str],
           ref: str) -> NewStructure | None:
    """The structure of these components, or None when one of them is not a term of the vocabulary.

    `fixed` are the dimensions the caption holds constant, `rows` the dimension of the rows (None when
    the rows are measures), `columns` the dimensions of the columns; `ref` names the letter in the comment."""
    base = vocab.base
    order = [d for d in LEADING if d in fixed] + [d for d in fixed if d not in LEADING]
    order += [d for d in ([rows] if rows else []) + columns if d not in order]
    dims = []
    for name in order:
        iri = f"{base}def/{name}"
        codelist = _value(vocab, iri, QB_CODELIST)
        if codelist is None:
            return None
        dims.append(Dimension(name, iri, codelist))
    measure_terms: dict[str, Measure] = {}
    for name in measures:
        iri = f"{base}def/{name}"
        if not _labels(vocab, iri):
            return None
        measure_terms[name] = Measure(name, iri, _value(vocab, iri, RDFS_RANGE) or XSD + "integer", _value(vocab, iri, UNIT))
    slug = f"{'-'.join(_kebab(m) for m in measures)}-by-{'-'.join(_kebab(d) for d in order)}"
    stem, n = slug, 2
    while slug in vocab.structures:  # never the name of another structure (whose components differ)
        slug, n = f"{stem}-{n}", n + 1
    label = {}
    for lang, by, conj in (("fr", "par", "et"), ("en", "by", "and")):
        what = _join([_labels(vocab, m.iri).get(lang, m.name) for m in measure_terms.values()], conj)
        label[lang] = f"{what[:1].upper()}{what[1:]} {by} " + _join([_labels(vocab, d.iri).get(lang, d.name) for d in dims], conj)
    components = [(d.name, f"qb:dimension <def/{d.name}>", None) for d in dims]
    components.append(("measureType", "qb:dimension qb:measureType", None))
    components += [(m, f"qb:measure <def/{m}>", None) for m in measures]
    components += [(name, f"qb:attribute {prop}", required) for name, prop, required in ATTRIBUTES]
    parts = [f"<structure/{slug}/{name}>" for name, _, _ in components]
    lines = [f"# Derived by mifi-rdf ingest from the components of a table of letter {ref}.",
             f"<structure/{slug}> a qb:DataStructureDefinition ;",
             f"    rdfs:label {quoted(label['fr'])}@fr, {quoted(label['en'])}@en ;",
             f"    skos:notation \"{slug}\" ;",
             "    qb:component " + ",\n        ".join(parts) + " ."]
    for order_number, (name, what, required) in enumerate(components, start=1):
        lines += ["", f"<structure/{slug}/{name}> a qb:ComponentSpecification ;", f"    {what} ;"]
        if required is not None:
            lines.append(f"    qb:componentRequired {required} ;")
        lines.append(f"    qb:order {order_number} .")
    structure = Structure(slug, f"{base}structure/{slug}", tuple(dims), measure_terms)
    return NewStructure(structure, label["fr"], label["en"], "\n".join(lines))


def add_structures(text: str, blocks: list[str]) -> str:
    """structures.ttl's text with the new entries appended, every other byte kept."""
    if not blocks:
        return text
    return text.rstrip("\n") + "\n\n" + "\n\n".join(blocks) + "\n"
