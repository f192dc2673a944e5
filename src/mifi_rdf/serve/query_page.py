"""The SPARQL endpoint as a web page, for people with a browser and no SPARQL client.

A browser (whose Accept header puts text/html first) gets, at /sparql, a form with the query, the
named questions of queries/ one click away, and the answer as a table: IRIs as links to their
pages, cells as the store returned them. Programs keep getting the SPARQL result formats: the page
is made from the same answer (SPARQL JSON, or Turtle for CONSTRUCT/DESCRIBE) the worker returned,
under the same limits.
"""

from __future__ import annotations

import html
import json
import urllib.parse
from string import Template

import pyoxigraph as ox

from ..query import named_queries, read_query
from .pages import Pages, _web
from .pool import Answer

# what the page asks the query worker for: a table for SELECT/ASK, Turtle for CONSTRUCT/DESCRIBE
WORKER_ACCEPT = "application/sparql-results+json, text/turtle;q=0.9"
PAGE_PATH = "/sparql"


class QueryPage:
    def __init__(self, pages: Pages) -> None:
        self.pages = pages
        self.template = Template(_web("query.html"))
        self.examples = [(name, question, read_query(name)) for name, question in named_queries()]

    def render(self, query: str, answer: Answer | None) -> bytes:
        if not query and self.examples:
            query = self.examples[0][2]
        items = "\n".join(
            f'<li><a href="sparql?{html.escape(urllib.parse.urlencode({"query": text}))}">{html.escape(question)}</a>'
            f" <code>{html.escape(name)}</code></li>" for name, question, text in self.examples)
        return self.template.substitute(css=self.pages.css, examples=items, results=self.results(answer),
                                        query=html.escape(query)).encode("utf-8")

    def results(self, answer: Answer | None) -> str:
        if answer is None:
            return ""
        if answer.status != 200:
            return f'<p class="error">{answer.status}: {html.escape(answer.body.decode("utf-8", "replace"))}</p>'
        if not answer.content_type.startswith("application/sparql-results+json"):
            return f'<pre class="graph">{html.escape(answer.body.decode("utf-8", "replace"))}</pre>'
        data = json.loads(answer.body)
        if "boolean" in data:
            return f'<p class="answer">ASK: <strong>{"true" if data["boolean"] else "false"}</strong></p>'
        variables = data["head"]["vars"]
        rows = data["results"]["bindings"]
        head = "".join(f"<th>{html.escape(v)}</th>" for v in variables)
        body = "\n".join("<tr>" + "".join(self.cell(row.get(v)) for v in variables) + "</tr>" for row in rows)
        return (f'<h2>{len(rows)} <span lang="fr">lignes</span> <span lang="en" class="en">/ rows</span></h2>\n'
                f'<table class="results">\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>')

    def cell(self, term: dict | None) -> str:
        if term is None:
            return "<td></td>"
        if term["type"] == "uri":
            return f"<td>{self.pages.link(ox.NamedNode(term['value']), PAGE_PATH)}</td>"
        value = html.escape(term["value"])
        if term.get("datatype", "").rsplit("#", 1)[-1] in ("integer", "decimal", "double", "nonNegativeInteger"):
            return f'<td class="num">{value}</td>'
        lang = f' <span class="lang">@{html.escape(term["xml:lang"])}</span>' if "xml:lang" in term else ""
        return f"<td>{value}{lang}</td>"
