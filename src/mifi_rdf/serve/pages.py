"""What a URI under the base dereferences to: its description as RDF, or an HTML page.

A resource's description is every triple with it as subject; a dataset's also carries its
observations, so that the dataset's document is the table. HTML pages show French and English
labels and link related resources with *relative* links, so they work both on a local server and
behind a reverse proxy that maps the base onto this server's root. The pages of the site (datasets,
codes, series, vocabulary) are made by `mifi_rdf.render`; this module describes every other
resource, with the same templates (`mifi_rdf/templates/resource.html`).
"""

from __future__ import annotations

import posixpath
from functools import cached_property
from importlib import resources

import pyoxigraph as ox
from markupsafe import Markup, escape

from ..namespaces import DCT, QB, RDFS, SKOS, A, prefixes
from ..render.website import environment, is_web, page_context
from ..serialize.jsonld import write_jsonld
from ..serialize.prefixes import drop_unused_prefixes
from ..serialize.writers import FORMATS, turtle_prefixes

DATASET = ox.NamedNode(QB + "DataSet")
IN_DATASET = ox.NamedNode(QB + "dataSet")
LABELS = (SKOS + "prefLabel", RDFS + "label", DCT + "title")
LINKABLE = ("http://", "https://")  # the only schemes an IRI of an answer may link to


def relative(target: str, page_path: str) -> str:
    """A relative URL from the page to the target path.

    Made from the target's folder plus its name: a bare "../.." would resolve to "/dataset/x/"
    with a trailing slash, another URI than "/dataset/x".
    """
    folder, name = posixpath.split(target)
    up = posixpath.relpath(folder, posixpath.dirname(page_path))
    if not name:
        return up + "/"
    return name if up == "." else f"{up}/{name}"


def _web(name: str) -> str:
    return resources.files("mifi_rdf.serve").joinpath("web", name).read_text(encoding="utf-8")


class Pages:
    """Descriptions and pages of the resources in one store, for one base URI."""

    def __init__(self, store: ox.Store, base: str) -> None:
        self.store, self.base = store, base
        self.prefixes = sorted(((v, k) for k, v in prefixes(base).items()), key=lambda item: -len(item[0]))

    @cached_property
    def labels(self) -> dict[str, dict[str, str]]:
        """IRI -> {lang: label}, first label property wins (skos:prefLabel, rdfs:label, dcterms:title)."""
        out: dict[str, dict[str, str]] = {}
        for prop in reversed(LABELS):
            for q in self.store.quads_for_pattern(None, ox.NamedNode(prop), None):
                if isinstance(q.object, ox.Literal) and q.object.language in ("fr", "en"):
                    out.setdefault(q.subject.value, {})[q.object.language] = q.object.value
        return out

    def exists(self, iri: str) -> bool:
        return next(iter(self.store.quads_for_pattern(ox.NamedNode(iri), None, None)), None) is not None

    def triples(self, iri: str) -> list[ox.Triple]:
        node = ox.NamedNode(iri)
        out = dict.fromkeys(q.triple for q in self.store.quads_for_pattern(node, None, None))
        if self.is_dataset(node):
            for q in self.store.quads_for_pattern(None, IN_DATASET, node):
                out.update(dict.fromkeys(t.triple for t in self.store.quads_for_pattern(q.subject, None, None)))
        return sorted(out, key=str)

    def is_dataset(self, node: ox.NamedNode) -> bool:
        return next(iter(self.store.quads_for_pattern(node, A, DATASET)), None) is not None

    def rdf(self, iri: str, fmt: str) -> bytes:
        triples = self.triples(iri)
        if fmt == "jsonld":
            import io

            out = io.BytesIO()
            write_jsonld(triples, out, self.base)
            return out.getvalue()
        fmt = {"rdf": "xml"}.get(fmt, fmt)  # the document's suffix, the serialization's name
        if fmt == "nt":
            return ox.serialize(triples, format=FORMATS[fmt])
        if fmt == "ttl":
            return drop_unused_prefixes(ox.serialize(triples, format=FORMATS[fmt], prefixes=turtle_prefixes(self.base)))
        # RDF/XML names predicates and types with prefixes: declare only those namespaces
        names = {t.predicate.value for t in triples} | {t.object.value for t in triples if t.predicate == A}
        used = {k: v for k, v in turtle_prefixes(self.base).items() if any(n.startswith(v) for n in names)}
        return ox.serialize(triples, format=FORMATS[fmt], prefixes=used)

    # ------------------------------------------------------------------ HTML

    def label(self, iri: str, lang: str) -> str:
        labels = self.labels.get(iri, {})
        return labels.get(lang) or labels.get("fr" if lang == "en" else "en") or self.short(iri)

    def short(self, iri: str) -> str:
        for ns, prefix in self.prefixes:
            if iri.startswith(ns) and ns:
                return f"{prefix}:{iri[len(ns):]}"
        return iri

    def href(self, iri: str, page_path: str) -> str | None:
        """Relative link from the page at `page_path` to a resource under the base; the IRI itself
        when it is an http(s) IRI elsewhere; None for any other scheme (never a `javascript:` link)."""
        if iri.startswith(self.base):
            return relative("/" + iri[len(self.base):], page_path)
        return iri if is_web(iri) else None

    def link(self, term, page_path: str) -> Markup:
        """A term as HTML: a resource linked with its French and English labels, a literal with its language."""
        if isinstance(term, ox.NamedNode):
            iri = term.value
            fr, en = self.label(iri, "fr"), self.label(iri, "en")
            text = escape(fr) if fr == en else Markup('{} <span class="en" lang="en">/ {}</span>').format(fr, en)
            if not iri.startswith(self.base) and not iri.lower().startswith(LINKABLE):
                return Markup('<span class="iri">{}</span>').format(text)  # javascript:, data:… never become links
            target = self.href(iri, page_path)
            return Markup('<a href="{}">{}</a>').format(target, text) if target else text
        if isinstance(term, ox.Literal):
            if term.language:
                return Markup('{} <span class="lang">@{}</span>').format(term.value, term.language)
            return escape(term.value)
        return escape(str(term))

    def html(self, iri: str, page_path: str) -> bytes:
        """The page of a resource that has no page of the site (an observation, a letter, a structure)."""
        node = ox.NamedNode(iri)
        triples = sorted(dict.fromkeys(q.triple for q in self.store.quads_for_pattern(node, None, None)),
                         key=lambda t: (self.short(t.predicate.value), str(t.object)))
        page = page_path.lstrip("/")
        context = page_context(page, "fr", "mifi-rdf", bilingual=False)
        html = environment().get_template("resource.html").render(
            **context, iri=iri, label_fr=self.label(iri, "fr"), label_en=self.label(iri, "en"),
            name=posixpath.basename(page).rsplit(".", 1)[0],
            rows=[(self.link(t.predicate, page_path), self.link(t.object, page_path)) for t in triples])
        return html.encode("utf-8")
