"""What a URI under the base dereferences to: its description as RDF, or an HTML page.

A resource's description is every triple with it as subject; a dataset's also carries its
observations, so that the dataset's document is the table. HTML pages show French and English
labels and link related resources with *relative* links, so they work both on a local server and
behind a reverse proxy that maps the base onto this server's root. The template and the CSS are
package data files (web/).
"""

from __future__ import annotations

import html
import posixpath
from functools import cached_property
from importlib import resources
from string import Template

import pyoxigraph as ox

from ..namespaces import DCT, QB, RDFS, SKOS, A, prefixes
from ..paths import sparql
from ..serialize.jsonld import write_jsonld
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
        self.template = Template(_web("page.html"))
        self.css = _web("style.css")
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
        kwargs = {} if fmt == "nt" else {"prefixes": turtle_prefixes(self.base)}
        return ox.serialize(triples, format=FORMATS[fmt], **kwargs)

    # ------------------------------------------------------------------ HTML

    def label(self, iri: str, lang: str) -> str:
        labels = self.labels.get(iri, {})
        return labels.get(lang) or labels.get("fr" if lang == "en" else "en") or self.short(iri)

    def short(self, iri: str) -> str:
        for ns, prefix in self.prefixes:
            if iri.startswith(ns) and ns:
                return f"{prefix}:{iri[len(ns):]}"
        return iri

    def href(self, iri: str, page_path: str) -> str:
        """Relative link from the page at `page_path` to the resource, or the IRI when not ours."""
        if not iri.startswith(self.base):
            return iri
        return relative("/" + iri[len(self.base):], page_path)

    def link(self, term, page_path: str) -> str:
        if isinstance(term, ox.NamedNode):
            iri = term.value
            fr, en = self.label(iri, "fr"), self.label(iri, "en")
            text = html.escape(fr) if fr == en else f'{html.escape(fr)} <span class="en">/ {html.escape(en)}</span>'
            if not iri.startswith(self.base) and not iri.lower().startswith(LINKABLE):
                return f'<span class="iri">{text}</span>'  # javascript:, data:… never become links (issue 15)
            return f'<a href="{html.escape(self.href(iri, page_path))}">{text}</a>'
        if isinstance(term, ox.Literal):
            lang = f' <span class="lang">@{term.language}</span>' if term.language else ""
            return f"{html.escape(term.value)}{lang}"
        return html.escape(str(term))

    def html(self, iri: str, page_path: str) -> bytes:
        node = ox.NamedNode(iri)
        rows = []
        for q in sorted(dict.fromkeys(q.triple for q in self.store.quads_for_pattern(node, None, None)),
                        key=lambda t: (self.short(t.predicate.value), str(t.object))):
            rows.append(f"<tr><td>{self.link(q.predicate, page_path)}</td><td>{self.link(q.object, page_path)}</td></tr>")
        extra = self.observation_table(node, page_path) if self.is_dataset(node) else ""
        name = html.escape(posixpath.basename(page_path).rsplit(".", 1)[0])
        formats = (f'<p class="formats">Turtle: <a href="{name}.ttl">{name}.ttl</a> · JSON-LD: <a href="{name}.jsonld">'
                   f'{name}.jsonld</a> · N-Triples: <a href="{name}.nt">{name}.nt</a></p>')
        page = self.template.substitute(
            formats=formats, head1="propriété / property", head2="valeur / value",
            title=html.escape(self.label(iri, "fr")), label_fr=html.escape(self.label(iri, "fr")),
            label_en=html.escape(self.label(iri, "en")), iri=html.escape(iri),
            css=self.css, home=html.escape(relative("/", page_path)), sparql=html.escape(relative("/sparql", page_path)),
            properties="\n".join(rows), extra=extra)
        return page.encode("utf-8")

    def observation_table(self, dataset: ox.NamedNode, page_path: str) -> str:
        """The dataset's cells: one row per observation; a cell without a value shows its status."""
        subst = {ox.Variable("ds"): dataset}
        dims = [s["dim"].value for s in self.store.query(sparql("dataset-dimensions.rq"), base_iri=self.base,
                                                         use_default_graph_as_union=True, substitutions=subst)]
        cells: dict[str, dict] = {}
        for s in self.store.query(sparql("dataset-observations.rq"), base_iri=self.base,
                                  use_default_graph_as_union=True, substitutions=subst):
            cell = cells.setdefault(s["obs"].value, {"measure": s["measure"], "value": s["value"], "status": s["status"]})
            cell[s["dim"].value] = s["code"]
        head = "".join(f"<th>{self.link(ox.NamedNode(d), page_path)}</th>" for d in dims)
        head += "<th>mesure / measure</th><th>valeur / value</th><th>observation</th>"
        body = []
        for obs, cell in sorted(cells.items()):
            tds = "".join(f"<td>{self.link(cell[d], page_path) if d in cell else ''}</td>" for d in dims)
            tds += f"<td>{self.link(cell['measure'], page_path)}</td>"
            if cell["value"] is not None:
                tds += f'<td class="num">{html.escape(cell["value"].value)}</td>'
            else:  # suppressed, confidential, no data...: a word, never a zero or a blank
                tds += f'<td class="status">{self.link(cell["status"], page_path)}</td>'
            tds += f'<td><a href="{html.escape(self.href(obs, page_path))}">↗</a></td>'
            body.append(f"<tr>{tds}</tr>")
        return (f"<h2>Observations ({len(cells)})</h2>\n<table class=\"observations\">\n<thead><tr>{head}</tr></thead>\n"
                f"<tbody>\n" + "\n".join(body) + "\n</tbody>\n</table>")

    def index(self) -> bytes:
        """The home page: every dataset, linked."""
        rows = []
        for node in sorted({q.subject for q in self.store.quads_for_pattern(None, A, DATASET)}, key=str):
            rows.append(f"<tr><td>{self.link(node, '/index.html')}</td><td><code>{html.escape(node.value)}</code></td></tr>")
        page = self.template.substitute(
            formats="", head1="jeu de données / dataset", head2="URI",
            title="mifi-rdf", label_fr="Statistiques d'immigration du MIFI (demandes d'accès)",
            label_en="MIFI immigration statistics (access-to-information requests)", iri=html.escape(self.base),
            css=self.css, home=".", sparql="sparql",
            properties="\n".join(rows), extra="")
        return page.encode("utf-8")
