"""Content negotiation: which of the formats we can write does the client's Accept header prefer.

Shared by the SPARQL endpoint (in the query worker processes) and the resource pages.
"""

from __future__ import annotations

import pyoxigraph as ox

# media type offered -> serialization; the first offer wins ties and answers "*/*".
RESULTS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/xml": ox.QueryResultsFormat.XML,
}
BOOLEAN = {k: v for k, v in RESULTS.items() if v in (ox.QueryResultsFormat.JSON, ox.QueryResultsFormat.XML)}
GRAPHS = {
    "text/turtle": "ttl",
    "application/ld+json": "jsonld",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
    "application/x-turtle": "ttl",
    "application/turtle": "ttl",
    "text/plain": "nt",
    "application/json": "jsonld",
}
# what a resource URI redirects to: document suffix -> media type (see serve_pages.py)
DOCUMENTS = {"html": "text/html", "ttl": "text/turtle", "jsonld": "application/ld+json", "nt": "application/n-triples",
             "rdf": "application/rdf+xml"}
CONTENT_TYPES = {
    "ttl": "text/turtle; charset=utf-8",
    "jsonld": "application/ld+json",
    "nt": "application/n-triples",
    "xml": "application/rdf+xml",
    "rdf": "application/rdf+xml",
    "html": "text/html; charset=utf-8",
}


def _ranges(accept: str) -> list[tuple[str, float]]:
    out = []
    for item in accept.split(","):
        media, *params = item.strip().split(";")
        media = media.strip().lower()
        if not media:
            continue
        q = 1.0
        for p in params:
            key, _, value = p.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        out.append((media, q))
    return out


def negotiate(accept: str | None, offers: list[str]) -> str | None:
    """The offer with the highest quality in Accept (most specific range counts); None if none fits."""
    if not accept or not accept.strip():
        return offers[0]
    ranges = _ranges(accept)
    best: tuple[float, str] | None = None
    for offer in offers:
        specificity, quality = -1, 0.0
        for media, q in ranges:
            if media == offer:
                s = 2
            elif media.endswith("/*") and media != "*/*" and offer.startswith(media[:-1]):
                s = 1
            elif media == "*/*":
                s = 0
            else:
                continue
            if s > specificity:
                specificity, quality = s, q
        if quality > 0 and (best is None or quality > best[0]):
            best = (quality, offer)
    return best[1] if best else None
