"""Load the cubes into an external triple store through the SPARQL 1.1 Graph Store HTTP Protocol.

Each part (ontology, code lists, letters, one graph per dataset, the DCAT catalog) is sent with PUT, which replaces
the named graph: publishing twice leaves the same triples, and re-running after a failure finishes
the job. A graph of more than BATCH triples is sent in batches, the first with PUT and the others
with POST (which adds to the graph): no request carries more than BATCH triples, which keeps the
store's and our memory bounded (Virtuoso parses a request's body whole). The graphs are made, sent
and let go one at a time. Oxigraph's server, which says so in its `Server` header, offers a bulk
load that skips its transactions (`POST /store?graph=…&no_transaction`, 3-3.6x faster than PUT at
1M and 10M triples, docs/serve-and-publish.md): there each graph is deleted, then posted in
batches that way. Then one SPARQL query counts the triples of every graph in the store, so the
report says what the store holds, not what we sent. Graphs are sent as N-Triples: every Graph Store
implementation reads it, and Virtuoso refuses JSON-LD uploads.

Credentials come only from MIFI_RDF_ENDPOINT_USER / MIFI_RDF_ENDPOINT_PASSWORD; urllib answers
both Basic and Digest challenges (Virtuoso's /sparql-graph-crud-auth uses Digest).
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import pyoxigraph as ox

from .build.consolidated import consolidated_quads
from .build.history import History
from .build.site import catalog_graph
from .errors import UsageError
from .namespaces import DCAT, DCT, A
from .paths import sparql
from .progress import steps
from .project import Project

USER_ENV = "MIFI_RDF_ENDPOINT_USER"
PASSWORD_ENV = "MIFI_RDF_ENDPOINT_PASSWORD"
TIMEOUT = 120  # seconds for one HTTP exchange
BATCH = 200_000  # triples in one request at most


def sources(project: Project, catalog: Iterable[ox.Triple],
            history: History | None = None) -> list[Callable[[], Iterable[ox.Quad]]]:
    """Every stream of quads to publish; each quad's graph name says where it goes.

    The cubes come in graph/ontology, graph/codes, graph/letters and graph/dataset/{id}, the series'
    consolidated cubes (build/consolidated.py) in graph/dataset/{series id}; the catalog (from
    site.py: the one of the files people download) in graph/catalog; a dataset the history withdrew
    keeps its graph/dataset/{id}, holding its withdrawal notice only.
    """
    graph = catalog_graph(project.vocab.base)
    return [
        lambda: project.statements(graphs=True),
        lambda: consolidated_quads(project),
        lambda: (ox.Quad(t.subject, t.predicate, t.object, graph) for t in catalog),
        lambda: withdrawal_notices(project, history),
    ]


ADMS_STATUS = ox.NamedNode("http://www.w3.org/ns/adms#status")
WITHDRAWN = ox.NamedNode("http://purl.org/adms/status/Withdrawn")  # the ADMS status vocabulary's, as the catalog says


def withdrawal_notices(project: Project, history: History | None) -> Iterator[ox.Quad]:
    """What the store keeps of a withdrawn dataset, in its own graph: that it is withdrawn (adms:status), why
    (dcterms:description, fr and en), what replaces it (dcterms:isReplacedBy), and its titles; a query for its
    IRI then finds the notice, not nothing. Datasets still in the data are not withdrawn, whatever the history."""
    if history is None:
        return
    base = project.vocab.base
    current = set(project.dataset_ids)
    for x, d in sorted(history.datasets.items()):
        w = d.withdrawn
        if w is None or x in current:
            continue
        graph, node = ox.NamedNode(f"{base}graph/dataset/{x}"), ox.NamedNode(f"{base}dataset/{x}")
        statements = [(A, ox.NamedNode(DCAT + "Dataset")), (ADMS_STATUS, WITHDRAWN),
                      (ox.NamedNode(DCT + "title"), ox.Literal(d.title_fr, language="fr")),
                      (ox.NamedNode(DCT + "title"), ox.Literal(d.title_en, language="en")),
                      (ox.NamedNode(DCT + "description"), ox.Literal(w.reason_fr, language="fr")),
                      (ox.NamedNode(DCT + "description"), ox.Literal(w.reason_en, language="en")),
                      *((ox.NamedNode(DCT + "isReplacedBy"), ox.NamedNode(f"{base}dataset/{r}")) for r in w.replaced_by)]
        for p, o in statements:
            yield ox.Quad(node, p, o, graph)


@dataclass
class Part:
    """One named graph to publish: its IRI and its triples, each once (let go once sent)."""

    graph: str
    statements: list[ox.Triple] = field(repr=False)
    triples: int = 0

    def __post_init__(self) -> None:
        self.triples = len(self.statements)

    def bodies(self) -> Iterator[bytes]:
        """The N-Triples of each batch, serialized when it is sent."""
        for start in range(0, max(len(self.statements), 1), BATCH):
            yield ox.serialize(self.statements[start:start + BATCH], format=ox.RdfFormat.N_TRIPLES)


def parts(project: Project, catalog: Iterable[ox.Triple], history: History | None = None) -> Iterator[Part]:
    """The named graphs in the order the streams give them, one at a time: the streams give each
    graph's statements together (cube.py), so memory holds one graph, not the release."""
    done: set[str] = set()
    for source in sources(project, catalog, history):
        graph, held = None, []
        for q in source():
            name = q.graph_name.value
            if name != graph:
                if graph is not None:
                    yield Part(graph, list(dict.fromkeys(held)))  # a store keeps each triple once
                if name in done:
                    raise RuntimeError(f"the statements of <{name}> do not come together")
                done.add(name)
                graph, held = name, []
            held.append(q.triple)
        if graph is not None:
            yield Part(graph, list(dict.fromkeys(held)))


@dataclass
class Report:
    """What was loaded, what was not, and what the store says it holds afterwards."""

    loaded: list[Part] = field(default_factory=list)
    not_loaded: list[Part] = field(default_factory=list)
    error: str | None = None
    counts: dict[str, int] = field(default_factory=dict)
    dropped: list[str] = field(default_factory=list)  # stale graphs of ours, deleted
    kept: list[str] = field(default_factory=list)  # stale graphs of ours, kept (--keep-stale)

    @property
    def mismatches(self) -> list[Part]:
        return [p for p in self.loaded if self.counts.get(p.graph) != p.triples]

    @property
    def ok(self) -> bool:
        return self.error is None and not self.not_loaded and not self.mismatches

    def lines(self) -> Iterator[str]:
        for p in self.loaded:
            stored = self.counts.get(p.graph)
            if not self.counts:
                yield f"loaded      {p.graph}  {p.triples} triples sent, not counted"
                continue
            verdict = "ok" if stored == p.triples else "MISMATCH"
            yield f"loaded      {p.graph}  {p.triples} triples sent, {stored or 0} in store: {verdict}"
        for p in self.not_loaded:
            yield f"not loaded  {p.graph}  {p.triples} triples"
        for g in self.dropped:
            yield f"dropped     {g}  (not in this release)"
        for g in self.kept:
            yield f"kept stale  {g}  (not in this release; --keep-stale)"
        if self.error:
            yield f"error: {self.error}"
            yield "run the same command again to finish: every graph is replaced, nothing is duplicated"


class Endpoint:
    """A Graph Store endpoint (writes) and a SPARQL query endpoint (the triple counts)."""

    def __init__(self, graph_store: str, query: str | None = None, bulk: bool = True) -> None:
        self.graph_store = graph_store
        self.query = query or graph_store
        self.allow_bulk = bulk
        self._bulk: bool | None = None
        handlers: list[urllib.request.BaseHandler] = []
        user, password = os.environ.get(USER_ENV), os.environ.get(PASSWORD_ENV)
        self.passwords: urllib.request.HTTPPasswordMgrWithDefaultRealm | None = None
        if user is not None and password is not None:
            self.passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            self.passwords.add_password(None, [self.graph_store, self.query], user, password)
            handlers += [urllib.request.HTTPDigestAuthHandler(self.passwords),
                         urllib.request.HTTPBasicAuthHandler(self.passwords)]
        self.opener = urllib.request.build_opener(*handlers)

    def warnings(self) -> list[str]:
        """What to tell the person publishing before anything is sent: credentials that would cross
        the network in clear text (Basic is the password itself, base64-encoded; Digest still
        exposes the requests and answers). Loopback is exempt: it never leaves the machine."""
        if self.passwords is None:
            return []
        out = []
        for url in dict.fromkeys([self.graph_store, self.query]):
            parts = urllib.parse.urlsplit(url)
            if parts.scheme == "http" and not _loopback(parts.hostname or ""):
                out.append(f"credentials from {USER_ENV}/{PASSWORD_ENV} will be sent over plain http to "
                           f"{parts.hostname}, readable by anyone on the way; use https")
        return list(dict.fromkeys(out))

    def authorization(self, method: str, url: str) -> str | None:
        """An Authorization header for a request not yet sent, from the challenge of a bodiless probe.

        Without it, a large PUT goes out unauthenticated first: Virtuoso answers 401 and closes the
        connection before the body is sent, and the client sees a broken pipe instead of the
        challenge. So we ask for the challenge with HEAD and authenticate the PUT from the start
        (or, without credentials, report the 401 without sending the graph).
        """
        try:
            with urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=TIMEOUT):
                return None  # no authentication asked
        except urllib.error.HTTPError as err:
            if err.code != 401:
                return None
            if self.passwords is None:
                raise  # reported as "HTTP 401 ... set MIFI_RDF_ENDPOINT_USER ...", not as a broken pipe
            challenge = err.headers.get("WWW-Authenticate", "")
        scheme, _, params = challenge.partition(" ")
        if scheme.lower() == "basic":
            user, password = self.passwords.find_user_password(None, url)
            return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        if scheme.lower() == "digest":
            handler = urllib.request.HTTPDigestAuthHandler(self.passwords)
            fields = urllib.request.parse_keqv_list(urllib.request.parse_http_list(params))
            value = handler.get_authorization(urllib.request.Request(url, method=method), fields)
            return f"Digest {value}" if value else None
        return None

    def bulk(self) -> bool:
        """Whether the graph store is Oxigraph's server, whose bulk load we use (asked once)."""
        if self._bulk is None:
            self._bulk = False
            if self.allow_bulk:
                try:
                    with urllib.request.urlopen(urllib.request.Request(self.graph_store, method="HEAD"),
                                                timeout=TIMEOUT) as response:
                        server = response.headers.get("Server", "")
                except urllib.error.HTTPError as err:
                    server = err.headers.get("Server", "")
                self._bulk = server.lower().startswith("oxigraph/") and urllib.parse.urlsplit(
                    self.graph_store).path.rstrip("/").endswith("/store")
        return self._bulk

    def put(self, part: Part) -> None:
        """Replace the part's graph: PUT then POST batches, or, on Oxigraph's server, DELETE then bulk POSTs."""
        url = _with_param(self.graph_store, "graph", part.graph)
        if self.bulk():
            self.delete(part.graph)
            for body in part.bodies():
                self._send("POST", url + "&no_transaction", body)
            return
        for n, body in enumerate(part.bodies()):
            self._send("PUT" if n == 0 else "POST", url, body)

    def _send(self, method: str, url: str, body: bytes) -> None:
        headers = {"Content-Type": "application/n-triples; charset=utf-8"}
        authorization = self.authorization(method, url)
        if authorization:
            headers["Authorization"] = authorization
        request = urllib.request.Request(url, data=body, method=method, headers=headers)
        with self.opener.open(request, timeout=TIMEOUT) as response:
            response.read()

    def delete(self, graph: str) -> None:
        """Drop one named graph (Graph Store Protocol DELETE); one already gone is not an error."""
        url = _with_param(self.graph_store, "graph", graph)
        headers = {}
        authorization = self.authorization("DELETE", url)
        if authorization:
            headers["Authorization"] = authorization
        try:
            with self.opener.open(urllib.request.Request(url, method="DELETE", headers=headers), timeout=TIMEOUT) as r:
                r.read()
        except urllib.error.HTTPError as err:
            if err.code != 404:
                raise

    def select(self, text: str) -> dict:
        data = urllib.parse.urlencode({"query": text}).encode()
        request = urllib.request.Request(self.query, data=data, method="POST", headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/sparql-results+json",
        })
        with self.opener.open(request, timeout=TIMEOUT) as response:
            return json.load(response)

    def release_graphs(self) -> list[str]:
        """The graphs in the store named like a release's graphs (of any base)."""
        return sorted(b["g"]["value"] for b in self.select(sparql("release-graphs.rq"))["results"]["bindings"])

    def is_release(self, base: str) -> bool:
        """Whether `base` holds a mifi-rdf release: its catalog graph names a build by our agent."""
        text = sparql("is-release.rq").replace("VALUES (?catalog ?agent) { }",
                                              f"VALUES (?catalog ?agent) {{ (<{base}graph/catalog> <{base}agent/mifi-rdf>) }}")
        return bool(self.select(text)["boolean"])

    def count(self, graphs: list[str]) -> dict[str, int]:
        values = " ".join(f"<{g}>" for g in graphs)
        text = sparql("graph-sizes.rq").replace("VALUES ?g { }", f"VALUES ?g {{ {values} }}")
        data = urllib.parse.urlencode({"query": text}).encode()
        request = urllib.request.Request(self.query, data=data, method="POST", headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/sparql-results+json",
        })
        with self.opener.open(request, timeout=TIMEOUT) as response:
            results = json.load(response)
        return {b["g"]["value"]: int(b["triples"]["value"]) for b in results["results"]["bindings"]}


def stale_graphs(endpoint: Endpoint, base: str, release: set[str]) -> list[str]:
    """Graphs of ours in the store that the release does not have.

    Ours: named `BASE graph/ontology|codes|letters|catalog|dataset/{id}`, under this base, or under
    another base that holds a mifi-rdf release (a previous base URI). A graph merely named like ours
    under a base with no release of ours, or any other graph under our base, is not ours to drop."""
    stale, releases = [], {base: True}
    for g in endpoint.release_graphs():
        if g in release:
            continue
        other = g[:g.rindex("graph/")]
        if other not in releases:
            releases[other] = endpoint.is_release(other)
        if releases[other]:
            stale.append(g)
    return stale


def publish(project: Project, catalog: Iterable[ox.Triple], endpoint: Endpoint,
            progress: Callable[[str], None] = lambda _: None, keep_stale: bool = False,
            history: History | None = None) -> Report:
    """Replace every part in order (Endpoint.put); stop at the first failure and say which parts
    remain. Then, once the whole release is in, drop the graphs of ours it no longer has (issue 15:
    a withdrawn table stayed public), unless `keep_stale`: the store then equals the release. A
    dataset the `history` withdrew keeps its graph, with its withdrawal notice in place of its cube."""
    report = Report()
    todo = parts(project, catalog, history)
    release: set[str] = set()
    for part in steps(todo, "publishing", "graphs"):
        release.add(part.graph)
        try:
            endpoint.put(part)
        except (urllib.error.URLError, OSError, http.client.HTTPException) as err:
            verb = "bulk load of" if endpoint.bulk() else "PUT"
            report.error = f"{verb} <{part.graph}> to {endpoint.graph_store}: {_describe(err)}"
            part.statements = []
            report.not_loaded.append(part)
            for p in todo:  # the rest, counted and named in the report, one at a time
                p.statements = []
                report.not_loaded.append(p)
            break
        part.statements = []
        report.loaded.append(part)
        progress(f"put {part.graph} ({part.triples} triples)")
    if not report.not_loaded:
        try:
            stale = stale_graphs(endpoint, project.vocab.base, release)
            if keep_stale:
                report.kept = stale
            for g in [] if keep_stale else stale:
                endpoint.delete(g)
                report.dropped.append(g)
        except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError, KeyError) as err:
            report.error = f"dropping stale graphs at {endpoint.graph_store}: {_describe(err)}"
    if report.loaded:
        try:
            report.counts = endpoint.count([p.graph for p in report.loaded])
        except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError, KeyError) as err:
            report.error = report.error or f"counting triples at {endpoint.query}: {_describe(err)}"
    return report


def _loopback(host: str) -> bool:
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def http_url(value: str, option: str) -> str:
    """An endpoint URL, refused (exit 2) unless it is http(s) with a host: urllib would otherwise fail
    deep inside with a traceback ('not a url'), or read a local file (file:///…)."""
    url = urllib.parse.urlsplit(value)
    if url.scheme not in ("http", "https") or not url.hostname or any(c.isspace() for c in value):
        raise UsageError(f"{option} must be an http:// or https:// URL, got {value!r}")
    try:
        url.port  # noqa: B018 - raises on a port that is not a number
    except ValueError as err:
        raise UsageError(f"{option} must be an http:// or https:// URL, got {value!r}: {err}") from err
    return value


def _with_param(url: str, name: str, value: str) -> str:
    sep = "&" if urllib.parse.urlsplit(url).query else "?"
    return f"{url}{sep}{urllib.parse.urlencode({name: value})}"


def _describe(err: Exception) -> str:
    """The status and the start of the server's answer; never the request (no credentials in logs)."""
    if isinstance(err, urllib.error.HTTPError):
        body = err.read(300).decode("utf-8", "replace").strip().replace("\n", " ")
        hint = ""
        if err.code in (401, 403):
            hint = f" (set {USER_ENV} and {PASSWORD_ENV}; Virtuoso takes authenticated writes at /sparql-graph-crud-auth)"
        return f"HTTP {err.code} {err.reason}{hint}" + (f": {body}" if body else "")
    if isinstance(err, urllib.error.URLError):
        return str(err.reason)
    return str(err)
