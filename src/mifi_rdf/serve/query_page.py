"""The SPARQL endpoint as a web page, for people with a browser and no SPARQL client.

A browser (whose Accept header puts text/html first) gets, at /sparql, a form with the query, the
named questions of queries/ one click away, and the answer as a table: IRIs as links to their
pages (http and https IRIs only: an IRI a query makes up, `javascript:…`, is shown as text, never
linked), cells as the store returned them. Programs keep getting the SPARQL result formats: the
page is made from the same answer (SPARQL JSON, or Turtle for CONSTRUCT/DESCRIBE) the worker
returned, under the same limits. Template: `mifi_rdf/templates/query.html`.
"""

from __future__ import annotations

import json
import urllib.parse
from dataclasses import dataclass, field

import pyoxigraph as ox
from markupsafe import Markup, escape

from ..query import named_queries, read_query
from ..render.website import environment, page_context
from .pages import Pages
from .pool import Answer

# what the page asks the query worker for: a table for SELECT/ASK, Turtle for CONSTRUCT/DESCRIBE
WORKER_ACCEPT = "application/sparql-results+json, text/turtle;q=0.9"
PAGE_PATH = "/sparql"
NUMERIC = ("integer", "decimal", "double", "nonNegativeInteger")


@dataclass
class Shown:
    """An answer as the page shows it: an error, a graph (Turtle), a boolean, or a table."""

    status: int
    error: str | None = None
    graph: str | None = None
    boolean: bool | None = None
    variables: list[str] = field(default_factory=list)
    rows: list[list[Markup]] = field(default_factory=list)


class QueryPage:
    def __init__(self, pages: Pages) -> None:
        self.pages = pages
        self.examples = [(name, question, read_query(name)) for name, question in named_queries()]

    def render(self, query: str, answer: Answer | None) -> bytes:
        if not query and self.examples:
            query = self.examples[0][2]
        examples = [(name, question, "sparql?" + urllib.parse.urlencode({"query": text}))
                    for name, question, text in self.examples]
        html = environment().get_template("query.html").render(
            **page_context("sparql", "fr", "mifi-rdf", bilingual=False), query=query, examples=examples,
            answer=self.shown(answer))
        return html.encode("utf-8")

    def shown(self, answer: Answer | None) -> Shown | None:
        if answer is None:
            return None
        if answer.status != 200:
            return Shown(answer.status, error=answer.body.decode("utf-8", "replace"))
        if not answer.content_type.startswith("application/sparql-results+json"):
            return Shown(200, graph=answer.body.decode("utf-8", "replace"))
        data = json.loads(answer.body)
        if "boolean" in data:
            return Shown(200, boolean=bool(data["boolean"]))
        variables = data["head"]["vars"]
        rows = [[self.cell(row.get(v)) for v in variables] for row in data["results"]["bindings"]]
        return Shown(200, variables=variables, rows=rows)

    def cell(self, term: dict | None) -> Markup:
        if term is None:
            return Markup("<td></td>")
        if term["type"] == "uri":
            try:
                node = ox.NamedNode(term["value"])
            except ValueError:
                return Markup("<td>{}</td>").format(term["value"])
            return Markup("<td>{}</td>").format(self.pages.link(node, PAGE_PATH))
        value = escape(term["value"])
        if term.get("datatype", "").rsplit("#", 1)[-1] in NUMERIC:
            return Markup('<td class="num">{}</td>').format(value)
        if "xml:lang" in term:
            return Markup('<td>{} <span class="lang">@{}</span></td>').format(value, term["xml:lang"])
        return Markup("<td>{}</td>").format(value)
