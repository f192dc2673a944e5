"""`mifi-rdf serve`: a read-only SPARQL 1.1 Protocol endpoint and dereferenceable URIs.

The standard library's ThreadingHTTPServer is enough here: requests are small, and the expensive
part (SPARQL) runs in the killable worker processes of pool.py. Paths mirror the URIs under the
base: /dataset/30952-t5 is <BASE>dataset/30952-t5, so a reverse proxy from the base's host to this
server makes every URI live.

Dereferencing follows the 303 pattern of "Cool URIs for the Semantic Web": a URI names a thing (a
dataset, a code, an observation), not a document, so GET /dataset/30952-t5 answers 303 See Other
to the document that describes it in the negotiated format (30952-t5.html, .ttl, .jsonld or .nt),
and each document answers 200.

With `--site OUTDIR` (a folder `mifi-rdf build` wrote), the folder's files are answered as they
are, byte for byte, at their paths (dataset/30952-t5.ttl, catalog.ttl, index.html…), and its
DCAT catalog is loaded into graph/catalog: the size and SHA-256 the catalog gives for a download
are then those of what this server sends. Paths the folder does not have (observations, codes,
.html pages of other resources) are described from the store as without --site.

A released folder (one with release.json, build/history.py) keeps every version's files at
dataset/{id}/v{n}/, answered as files like the others; a version's IRI, /dataset/{id}/v{n}, answers
303 to its files (HTML: the dataset's page, or for a series' consolidated cube the series' page,
at the version's row of its versions table, id v{n}). A dataset the history withdrew
answers 410 Gone at its IRI, its page and its unversioned data files, with the withdrawal notice
(the folder's dataset/{id}.html) as the body, whatever the client asked for.
"""

from __future__ import annotations

import contextlib
import json
import posixpath
import queue
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.parse
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyoxigraph as ox

from ..build.config import Options, load_config
from ..build.facts import gather_facts
from ..build.site import Site
from ..build.sources import source_files
from ..errors import UsageError
from ..paths import project_paths
from ..project import Project
from ..render.website import Website
from .cache import ByteLRU
from .conneg import CONTENT_TYPES, DOCUMENTS, GRAPHS, RESULTS, negotiate
from .gate import ClientGate
from .hygiene import BODY_SECONDS, SECURITY, BadRequest, body_length, request_path
from .pages import Pages, _web
from .pool import Answer, Limits, QueryPool, text_answer
from .query_page import WORKER_ACCEPT, QueryPage

MAX_REQUEST = 64 * 1024  # bytes of query text accepted (pyoxigraph's parser crashed on 8,000 UNIONs, 136 KB)
CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type, Accept",
    "Access-Control-Max-Age": "86400",
}
# resource URI -> document: which media types the 303 can lead to, preferred first
RESOURCE_OFFERS = ["text/turtle", "text/html", "application/xhtml+xml", "application/ld+json", "application/n-triples",
                   "application/rdf+xml", "application/json", "text/plain"]
RESOURCE_SUFFIX = {"text/turtle": "ttl", "text/html": "html", "application/xhtml+xml": "html",
                   "application/ld+json": "jsonld", "application/n-triples": "nt", "application/rdf+xml": "rdf",
                   "application/json": "jsonld", "text/plain": "nt"}
# media types of a built folder's files, by suffix (CSVW metadata: application/csvm+json, per CSVW)
FILE_TYPES = {".ttl": "text/turtle; charset=utf-8", ".jsonld": "application/ld+json", ".nt": "application/n-triples",
              ".rdf": "application/rdf+xml", ".html": "text/html; charset=utf-8", ".csv": "text/csv; charset=utf-8",
              ".json": "application/csvm+json", ".css": "text/css; charset=utf-8", ".txt": "text/plain; charset=utf-8",
              ".md": "text/markdown; charset=utf-8", ".xml": "application/xml", ".svg": "image/svg+xml",
              ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
NAMED_TYPES = {"feed.xml": "application/atom+xml", "release.json": "application/json", "changes.json": "application/json",
               "datapackage.json": "application/json"}  # files whose name, not only suffix, says what they are


@dataclass
class Settings:
    host: str = "127.0.0.1"
    port: int = 8080
    limits: Limits = field(default_factory=Limits)
    workers: int = 3
    cache_mb: float = 64  # answers and documents kept in memory; 0 turns the cache off
    per_client: int = 2  # queries one client may have running or waiting at once
    reserved: int = 1  # workers kept for queries estimated cheap (see pool.py)
    client_header: str | None = None  # behind a proxy: the header naming the client (e.g. X-Forwarded-For)
    public_url: str | None = None  # where clients reach the endpoint, for the service description
    worker_idle: float = 30.0  # seconds without a query after which a worker beyond the first stops (pool.py)


# the statements of the project that argv names (base, data, ontology, N-Quads file, where mifi_rdf is), written by
# a process of their own (see App)
WRITER = ("import sys; sys.path.insert(0, sys.argv[5]); import pyoxigraph as ox; from pathlib import Path; "
          "from itertools import chain; from mifi_rdf.project import load_project; "
          "from mifi_rdf.build.consolidated import consolidated_quads; "
          "p = load_project(sys.argv[1], *[Path(a) if a else None for a in sys.argv[2:4]]); "
          "ox.serialize(chain(p.statements(graphs=True), consolidated_quads(p)), sys.argv[4], ox.RdfFormat.N_QUADS)")


class App:
    """The store, the pages and the query workers of one running server."""

    def __init__(self, project: Project, settings: Settings, folder: Path, site: Site | None = None,
                 data: Path | None = None, ontology: Path | None = None) -> None:
        self.base = project.vocab.base
        # a built folder's files, or else the sources its statements cite (sources/letters/*.txt, ...)
        self.files = site.files if site else {"/" + f.path: f.file for f in source_files()}
        self.history = site.history if site else None
        self.gone = gone_paths(site.withdrawn(project.dataset_ids), load_config(self.base, Options(), data).formats) \
            if site else {}
        # the statements (the letters' datasets and the series' consolidated cubes) are made by another process,
        # into the N-Quads file the workers load, then this process loads that file too: making them here imported
        # the audit (numpy, HiGHS) and kept the memory of their Python terms, 16 MB of this process's 96 when idle
        nquads = folder / "store.nq"
        writer = subprocess.Popen([sys.executable, "-c", WRITER, self.base, str(data or ""), str(ontology or ""),
                                   str(nquads), str(Path(__file__).resolve().parents[2])],
                                  stdin=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.project, self.data = project, data
        self._website: Website | None = None
        self._website_lock = threading.Lock()
        _, errors = writer.communicate()
        if writer.returncode:
            raise RuntimeError(f"the statements for the store could not be written: {errors.decode(errors='replace')}")
        if site:
            with nquads.open("ab") as out:
                ox.serialize(site.quads(self.base), out, ox.RdfFormat.N_QUADS)
        self.store = ox.Store()
        self.store.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
        self.pages = Pages(self.store, self.base)
        self.query_page = QueryPage(self.pages)
        self.pool = QueryPool(nquads, self.base, settings.limits, settings.workers, settings.reserved, settings.worker_idle)
        self.service = _web("service.ttl")
        self.cache = ByteLRU(int(settings.cache_mb * 1_000_000))
        self.gate = ClientGate(settings.per_client)
        self.settings = settings

    @property
    def website(self) -> Website:
        """The site's pages (made on request), planned on the first request that may be one of them:
        the plan holds 17 MB that an endpoint only queried never needs (issue 22)."""
        with self._website_lock:
            if self._website is None:
                config = load_config(self.base, Options(), self.data)
                self._website = Website(self.project, config, gather_facts(self.project), sparql="sparql",
                                        sources=project_paths().sources, history=self.history)
            return self._website

    def close(self) -> None:
        self.pool.close()


def gone_paths(withdrawn: list[str], formats) -> dict[str, str]:
    """URL path -> the withdrawal notice answered with 410 there: a withdrawn dataset's IRI, its pages and
    every unversioned data file it had (its versioned files, under dataset/{id}/v{n}/, stay)."""
    out = {}
    for x in withdrawn:
        notice = f"/dataset/{x}.html"
        out[f"/dataset/{x}"] = out[notice] = notice
        out[f"/dataset/{x}.en.html"] = f"/dataset/{x}.en.html"
        for suffix in [*(f.suffix for f in formats), ".rdf"]:
            out[f"/dataset/{x}{suffix}"] = notice
    return out


VERSION_IRI = re.compile(r"/dataset/([^/]+)/v([1-9][0-9]*)")
VERSION_OFFERS = ["text/turtle", "text/html", "application/xhtml+xml", "application/ld+json", "application/n-triples",
                  "application/json", "text/plain"]  # a version's own files: the three RDF ones, and its page


class Handler(BaseHTTPRequestHandler):
    server_version = "mifi-rdf"
    protocol_version = "HTTP/1.1"
    timeout = 20  # a client that stops sending does not hold a thread forever
    app: App

    def version_string(self) -> str:
        return self.server_version  # not the version of Python (issue 15)

    def end_headers(self) -> None:
        """Every response, errors of http.server included, carries the security headers."""
        for k, v in SECURITY.items():
            self.send_header(k, v)
        super().end_headers()

    def client(self) -> str:
        """Who is asking, for the per-client limit: the peer, or behind a proxy the header it sets."""
        header = self.app.settings.client_header
        if header:
            value = (self.headers.get(header) or "").split(",")[-1].strip()
            if value:
                return value
        return self.client_address[0]

    def log_message(self, format: str, *args) -> None:  # noqa: A002 (the base class's name)
        if getattr(self.server, "verbose", False):
            super().log_message(format, *args)

    # ------------------------------------------------------------------ responses

    def send(self, status: int, content_type: str, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for k, v in {**CORS, **(headers or {})}.items():
            self.send_header(k, v)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def text(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        self.send(status, "text/plain; charset=utf-8", (message + "\n").encode("utf-8"), headers)

    def do_OPTIONS(self) -> None:  # noqa: N802 (http.server's naming)
        self.send_response(HTTPStatus.NO_CONTENT)
        for k, v in CORS.items():
            self.send_header(k, v)
        self.send_header("Content-Length", "0")
        self.end_headers()

    # ------------------------------------------------------------------ routing

    def do_HEAD(self) -> None:  # noqa: N802
        self.do_GET()

    def do_GET(self) -> None:  # noqa: N802
        self.guarded(self.get)

    def do_POST(self) -> None:  # noqa: N802
        self.guarded(self.post)

    def guarded(self, method) -> None:
        """A bug answers 500 and is logged; it does not drop the connection without a word."""
        try:
            method()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception:
            traceback.print_exc(file=sys.stderr)
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.text(500, "internal error")

    def get(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/sparql":
            self.sparql(urllib.parse.parse_qs(url.query, keep_blank_values=True))
            return
        try:
            path = request_path(url.path)
        except BadRequest as err:
            self.text(400, str(err))
            return
        self.resource(path)

    def post(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        try:
            length = body_length(self.headers)
        except BadRequest as err:
            self.close_connection = True  # what follows on this connection cannot be told apart
            self.text(err.status, str(err))
            return
        if url.path != "/sparql":
            self.close_connection = True
            self.text(405, "POST is accepted at /sparql only", {"Allow": "GET, HEAD, OPTIONS"})
            return
        if length > MAX_REQUEST:
            self.close_connection = True
            self.text(413, f"request larger than {MAX_REQUEST} bytes")
            return
        body = self.read_body(length)
        if body is None:
            self.close_connection = True
            self.text(400, f"the body ended before its Content-Length of {length} bytes (waited {BODY_SECONDS} s)")
            return
        kind = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        params = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        if kind == "application/x-www-form-urlencoded":
            params.update(urllib.parse.parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True))
        elif kind == "application/sparql-query":
            params["query"] = [body.decode("utf-8", "replace")]
        elif kind == "application/sparql-update":
            params["update"] = [body.decode("utf-8", "replace")]
        else:
            self.text(415, "send the query as application/x-www-form-urlencoded (query=...) or application/sparql-query")
            return
        self.sparql(params)

    def read_body(self, length: int) -> bytes | None:
        """The body, or None if the client sends less than it announced within BODY_SECONDS in all
        (a slow trickle does not hold a thread either)."""
        deadline = time.monotonic() + BODY_SECONDS
        parts, size = [], 0
        try:
            while size < length:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self.connection.settimeout(remaining)
                chunk = self.rfile.read1(length - size)
                if not chunk:
                    return None
                parts.append(chunk)
                size += len(chunk)
        except TimeoutError:
            return None
        finally:
            self.connection.settimeout(self.timeout)
        return b"".join(parts)

    # ------------------------------------------------------------------ SPARQL protocol

    def sparql(self, params: dict[str, list[str]]) -> None:
        accept = self.headers.get("Accept")
        if negotiate(accept, [*RESULTS, "text/html"]) == "text/html":  # a browser: the query page
            query = (params.get("query") or [""])[0]
            answer = self.answer(params, WORKER_ACCEPT) if query.strip() or "update" in params else None
            status = answer.status if answer else 200
            headers = {"Vary": "Accept", **(answer.headers if answer else {})}
            self.send(status, CONTENT_TYPES["html"], self.app.query_page.render(query, answer), headers)
            return
        if "query" not in params and "update" not in params and self.command in ("GET", "HEAD"):
            self.service_description()
            return
        answer = self.answer(params, accept)
        self.send(answer.status, answer.content_type, answer.body, {"Vary": "Accept", **answer.headers})

    def answer(self, params: dict[str, list[str]], accept: str | None) -> Answer:
        """The answer to the query in `params`, or the refusal of a request this endpoint does not take."""
        if "update" in params:
            return text_answer(400, "SPARQL Update is not allowed: this endpoint is read-only")
        if params.get("default-graph-uri") or params.get("named-graph-uri"):
            return text_answer(400, "default-graph-uri and named-graph-uri are not allowed: queries run over this "
                              "endpoint's own graphs (the default graph is their union)")
        queries = params.get("query", [])
        if len(queries) != 1 or not queries[0].strip():
            return text_answer(400, "give exactly one non-empty query parameter")
        if len(queries[0].encode("utf-8")) > MAX_REQUEST:
            return text_answer(413, f"query longer than {MAX_REQUEST} bytes")
        key = ("sparql", queries[0], accept)
        answer: Answer | None = self.app.cache.get(key)
        if answer is None:
            client = self.client()
            with self.app.gate.slot(client) as admitted:
                if not admitted:
                    return self.app.gate.refusal()
                answer = self.app.pool.run(queries[0], accept, client)
            if answer.status == 200:
                self.app.cache.put(key, answer, len(answer.body) + len(queries[0]))
        return answer

    def service_description(self) -> None:
        # Never from the Host header (issue 15: it was reflected): the public URL, or our own address
        public = self.app.settings.public_url
        if public:
            endpoint = public.rstrip("/") + "/sparql"
        else:
            host, port = self.server.server_address[:2]
            endpoint = f"http://{f'[{host}]' if ':' in host else host}:{port}/sparql"
        media = negotiate(self.headers.get("Accept"), ["text/turtle", *[m for m in GRAPHS if m != "text/turtle"]])
        if media is None:
            self.text(406, f"the service description is available as {', '.join(GRAPHS)}")
            return
        triples = list(ox.parse(self.app.service.encode("utf-8"), format=ox.RdfFormat.TURTLE, base_iri=endpoint))
        fmt = GRAPHS[media]
        if fmt == "jsonld":
            body = json.dumps(json.loads(ox.serialize(triples, format=ox.RdfFormat.JSON_LD)), indent=1).encode()
        else:
            body = ox.serialize(triples, format=FORMAT_OF[fmt])
        self.send(200, CONTENT_TYPES[fmt], body, {"Vary": "Accept"})

    # ------------------------------------------------------------------ dereferencing

    def resource(self, path: str) -> None:
        if path in self.app.gone:
            self.withdrawn(self.app.gone[path])
            return
        if self.app.history is not None and VERSION_IRI.fullmatch(path):
            self.version(path)
            return
        file = self.app.files.get("/index.html" if path == "/" else path)
        if file is not None:
            self.built_file(path, file)
            return
        pages = self.app.pages
        page = self.site_page("/index.html" if path == "/" else path)
        if page is not None:  # a page of the site, made as `build` makes it
            kind = NAMED_TYPES.get(path.lstrip("/")) or FILE_TYPES.get(posixpath.splitext(path)[1] or ".html",
                                                                        "application/octet-stream")
            self.send(200, kind, page)
            return
        iri = self.described(path)
        if iri is not None:
            suffix = path.rpartition(".")[2]
            if not pages.exists(iri):
                self.text(404, f"nothing is known about <{iri}>")
                return
            key = ("document", path)
            body = self.app.cache.get(key)
            if body is None:
                body = pages.html(iri, path) if suffix == "html" else pages.rdf(iri, suffix)
                self.app.cache.put(key, body, len(body))
            self.send(200, CONTENT_TYPES[suffix], body, {"Link": f'<{iri}>; rel="describes"'})
            return
        iri = self.app.base + path.lstrip("/")
        if not pages.exists(iri):
            if self.app.website.has(path + ".html"):  # a page of the site only (a series): HTML is all there is
                self.send(303, "text/plain; charset=utf-8", b"See page\n",
                          {"Location": f"{posixpath.basename(path)}.html", "Vary": "Accept"})
                return
            self.text(404, f"nothing is known about <{iri}>")
            return
        media = negotiate(self.headers.get("Accept"), RESOURCE_OFFERS)
        if media is None:
            self.text(406, f"<{iri}> is described as {', '.join(DOCUMENTS.values())}")
            return
        location = f"{posixpath.basename(path)}.{RESOURCE_SUFFIX[media]}"
        self.see_other(location)

    def see_other(self, location: str) -> None:
        """303 See Other to the document that describes a thing in the negotiated format (a relative URL)."""
        self.send(303, "text/plain; charset=utf-8", f"See {location}\n".encode(), {"Location": location, "Vary": "Accept"})

    def withdrawn(self, notice: str) -> None:
        """410 Gone, with the withdrawal notice: the folder's page, or the site's when the folder lacks it."""
        file = self.app.files.get(notice)
        body = file.read_bytes() if file is not None else self.site_page(notice)
        self.send(410, CONTENT_TYPES["html"], body or b"Gone\n")

    def version(self, path: str) -> None:
        """A version's IRI: 303 to its versioned file in the negotiated format, or to the page listing the versions
        (the dataset's; a consolidated cube's is its series', series/{id}.html) at the version's row; 404 for a version
        the history does not know."""
        found = VERSION_IRI.fullmatch(path)
        assert found is not None and self.app.history is not None
        dataset_id, number = found.group(1), int(found.group(2))
        d = self.app.history.datasets.get(dataset_id)
        if d is None or not any(v.number == number for v in d.versions):
            self.text(404, f"nothing is known about <{self.app.base}{path.lstrip('/')}>")
            return
        media = negotiate(self.headers.get("Accept"), VERSION_OFFERS)
        if media is None:
            self.text(406, f"a version is described as {', '.join(VERSION_OFFERS)}")
            return
        suffix = RESOURCE_SUFFIX[media]
        if suffix != "html":
            location = f"v{number}/{dataset_id}.{suffix}"
        elif f"/series/{dataset_id}.html" in self.app.files:  # a series' consolidated cube: its page is the series'
            location = f"../../series/{dataset_id}.html#v{number}"
        else:
            location = f"../{dataset_id}.html#v{number}"
        self.see_other(location)

    def site_page(self, path: str) -> bytes | None:
        """A page of the site (render/), made on the first request and then kept in the cache."""
        if not self.app.website.has(path):
            return None
        key = ("page", path)
        body = self.app.cache.get(key)
        if body is None:
            body = self.app.website.render(path)
            if body is not None:
                self.app.cache.put(key, body, len(body))
        return body

    def described(self, path: str) -> str | None:
        """The resource a document path names (/dataset/x.ttl → <BASE>dataset/x), or None if not a document's."""
        stem, dot, suffix = path.rpartition(".")
        if dot and suffix in DOCUMENTS and "/" not in suffix:
            return self.app.base + stem.lstrip("/")
        return None

    def built_file(self, path: str, file: Path) -> None:
        """A file of --site, as written: only paths listed at start-up, so nothing else can be read."""
        key = ("file", path)
        body = self.app.cache.get(key)
        if body is None:
            body = file.read_bytes()
            self.app.cache.put(key, body, len(body))
        headers = {}
        iri = self.described(path)
        if iri is not None and self.app.pages.exists(iri):
            headers["Link"] = f'<{iri}>; rel="describes"'
        kind = NAMED_TYPES.get(path.lstrip("/")) or FILE_TYPES.get(file.suffix, "application/octet-stream")
        self.send(200, kind, body, headers)


class Server(ThreadingHTTPServer):
    """A thread per connection, as ThreadingHTTPServer, but a thread that has finished with one connection waits
    THREAD_IDLE seconds for the next instead of ending: starting a thread for each connection was a sixth of the
    front's CPU with 20 clients opening a connection per query (issue 22). There is no cap, as before: a slow
    client holds its own thread (until Handler.timeout), never one another client needs."""

    daemon_threads = True
    request_queue_size = 128  # the default backlog of 5 resets connections under 50 concurrent clients

    def __init__(self, *args, **kwargs) -> None:
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._free = 0  # threads waiting for a connection; a job is put only for one of them, under the lock
        self._free_lock = threading.Lock()
        super().__init__(*args, **kwargs)

    def process_request(self, request, client_address) -> None:
        with self._free_lock:
            if self._free:
                self._free -= 1
                self._jobs.put((request, client_address))
                return
        threading.Thread(target=self._connections, args=(request, client_address), daemon=True).start()

    def _connections(self, request, client_address) -> None:
        """Serve a connection, then the next ones handed over, until none comes for THREAD_IDLE seconds."""
        while True:
            self.process_request_thread(request, client_address)  # handles, shuts down and closes the connection
            with self._free_lock:
                self._free += 1
            try:
                request, client_address = self._jobs.get(timeout=THREAD_IDLE)
            except queue.Empty:
                with self._free_lock:
                    try:  # a connection handed over as the wait ended: serve it
                        request, client_address = self._jobs.get_nowait()
                    except queue.Empty:
                        self._free -= 1
                        return


THREAD_IDLE = 30.0  # seconds a connection thread waits for another connection before it ends


FORMAT_OF = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "xml": ox.RdfFormat.RDF_XML}


@contextlib.contextmanager
def running(project: Project, settings: Settings, site: Site | None = None, data: Path | None = None,
            ontology: Path | None = None):
    """A started server (not yet serving requests) with its app; closes both at the end."""
    with tempfile.TemporaryDirectory(prefix="mifi-rdf-serve-") as folder:
        app = App(project, settings, Path(folder), site, data, ontology)
        handler = type("BoundHandler", (Handler,), {"app": app})
        try:
            httpd = Server((settings.host, settings.port), handler)
        except OSError as err:  # « Address already in use » did not say which address (issue 23)
            app.close()
            raise UsageError(f"cannot listen on {settings.host}:{settings.port}: {err.strerror or err} (another server "
                             "there? choose another --port, or --port 0 for any free one)") from None
        try:
            yield httpd, app
        finally:
            httpd.server_close()
            app.close()


def _stop(signum, frame) -> None:
    raise KeyboardInterrupt


def serve(project: Project, settings: Settings, site: Site | None = None, verbose: bool = False,
          data: Path | None = None, ontology: Path | None = None) -> None:
    with running(project, settings, site, data, ontology) as (httpd, _app):
        httpd.verbose = verbose  # type: ignore[attr-defined]
        host, port = httpd.server_address[:2]
        print(f"serving <{project.vocab.base}> at http://{host}:{port}/  (SPARQL: http://{host}:{port}/sparql; "
              f"time limit {settings.limits.timeout:g} s, answers up to {settings.limits.max_bytes} bytes, "
              f"up to {settings.workers} query workers, cache {settings.cache_mb:g} MB)", file=sys.stderr, flush=True)
        signal.signal(signal.SIGTERM, _stop)  # stop like Ctrl-C: the workers are closed on the way out
        with contextlib.suppress(KeyboardInterrupt):
            httpd.serve_forever()
