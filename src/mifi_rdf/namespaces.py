"""Prefixes and JSON-LD terms, read from the context shipped in the package.

One file (`context.jsonld`) names every namespace: the Turtle writer takes its prefixes, the JSON-LD
writer its terms. Our own namespaces are written relative to the base URI and resolved here.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources


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
