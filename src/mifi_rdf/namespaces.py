"""Every namespace the package writes or reads, the term helpers, and the prefixes of the outputs.

One place for IRIs: the RDF builders (cube, catalog, VoID, reports) take their namespaces and term
constructors from here, and the Turtle and JSON-LD writers take their prefixes from `context.jsonld`,
the one file naming every prefix. Our own namespaces are written there relative to the base URI and
resolved here, so the same package serves any base.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

import pyoxigraph as ox

from .errors import UsageError

DEFAULT_BASE = "https://w3id.org/mifi-rdf/"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SH = "http://www.w3.org/ns/shacl#"
QB = "http://purl.org/linked-data/cube#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
DCAT = "http://www.w3.org/ns/dcat#"
ADMS = "http://www.w3.org/ns/adms#"
FOAF = "http://xmlns.com/foaf/0.1/"
VCARD = "http://www.w3.org/2006/vcard/ns#"
SPDX = "http://spdx.org/rdf/terms#"
SCHEMA = "https://schema.org/"
VOID = "http://rdfs.org/ns/void#"
CSVW = "http://www.w3.org/ns/csvw"
SDMX_ATTR = "http://purl.org/linked-data/sdmx/2009/attribute#"
OWL = "http://www.w3.org/2002/07/owl#"

RDF_TYPE = RDF + "type"
SUBCLASS = RDFS + "subClassOf"


def N(iri: str) -> ox.NamedNode:  # noqa: N802 - reads like the RDF term it builds
    return ox.NamedNode(iri)


def fr(text: str) -> ox.Literal:
    return ox.Literal(text, language="fr")


def en(text: str) -> ox.Literal:
    return ox.Literal(text, language="en")


def typed(value: str, datatype: str) -> ox.Literal:
    """A literal of an XSD datatype named by its local name ("integer", "date")."""
    return ox.Literal(value, datatype=N(XSD + datatype))


A = N(RDF_TYPE)
LABEL = N(RDFS + "label")
COMMENT = N(RDFS + "comment")


def normalize_base(base: str) -> str:
    """A base must be absolute and end with '/', or relative IRIs like <def/x> would lose a segment."""
    if "://" not in base:
        raise UsageError(f"base URI must be absolute (scheme://...), got {base!r}")
    return base if base.endswith("/") else base + "/"


@cache
def raw_context() -> dict:
    text = resources.files("mifi_rdf").joinpath("context.jsonld").read_text(encoding="utf-8")
    return json.loads(text)["@context"]


def context(base: str) -> dict:
    """The context with our relative namespaces resolved against the base."""
    out: dict = {}
    for key, value in raw_context().items():
        if isinstance(value, str) and "://" not in value:
            value = base + value
        out[key] = value
    return out


def prefixes(base: str) -> dict[str, str]:
    """Namespace prefixes (string-valued entries of the context), for Turtle, TriG and SPARQL output."""
    return {k: v for k, v in context(base).items() if isinstance(v, str)}
