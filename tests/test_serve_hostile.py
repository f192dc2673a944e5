"""Hostile HTTP clients against a real `mifi-rdf serve` on loopback (issue 15, items 2, 3 and 9).

The raw requests of tests/hostile/http/ (expectations in tests/hostile/http.toml) are sent at once,
each on its own connection; then clients on distinct loopback addresses (127.0.0.x) check the
per-client limit and that cheap queries keep flowing while expensive ones run. Every request goes
to 127.0.0.1 and every loop is bounded.
"""

from __future__ import annotations

import http.client
import re
import socket
import threading
import time
import tomllib
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import ROOT, run
from mifi_rdf.query import read_query

HOSTILE = ROOT / "tests" / "hostile"
REQUESTS = tomllib.loads((HOSTILE / "http.toml").read_text(encoding="utf-8"))["request"]
TIMEOUT = 3  # the server's query time limit here
# a cartesian product of every observation with itself, four times: runs until the time limit
EXPENSIVE = ("PREFIX qb: <http://purl.org/linked-data/cube#> SELECT (COUNT(*) AS ?n) WHERE { "
             "?a qb:dataSet ?x . ?b qb:dataSet ?y . ?c qb:dataSet ?z . ?d qb:dataSet ?w }")
SECURITY_HEADERS = ("X-Content-Type-Options: nosniff", "Content-Security-Policy:", "Referrer-Policy:")


@dataclass
class Response:
    raw: bytes
    seconds: float

    @property
    def text(self) -> str:
        return self.raw.decode("utf-8", "replace")

    @property
    def status(self) -> int:
        m = re.match(r"HTTP/1\.[01] (\d{3})", self.text)
        return int(m.group(1)) if m else 0


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from servers import mifi_serve

    folder = tmp_path_factory.mktemp("serve-hostile")
    with mifi_serve(folder, "--timeout", str(TIMEOUT), "--cache-mb", "0") as url:
        yield url, folder / "serve.log"


def send_raw(url: str, data: bytes, client: str = "127.0.0.1", seconds: float = 20) -> Response:
    """Send the bytes as they are, from `client`; read until the server closes or a whole response is in."""
    host, port = urllib.parse.urlsplit(url).hostname, urllib.parse.urlsplit(url).port
    start = time.monotonic()
    with socket.create_connection((host, port), timeout=seconds, source_address=(client, 0)) as s:
        s.sendall(data)
        chunks = b""
        while True:
            try:
                chunk = s.recv(65536)
            except TimeoutError:
                break
            if not chunk:
                break
            chunks += chunk
            head, sep, body = chunks.partition(b"\r\n\r\n")
            m = re.search(rb"(?im)^content-length: *(\d+)", head)
            if sep and m and len(body) >= int(m.group(1)):
                break
    return Response(chunks, time.monotonic() - start)


@pytest.fixture(scope="module")
def responses(server) -> dict[str, Response]:
    url, _ = server
    with ThreadPoolExecutor(max_workers=len(REQUESTS)) as pool:
        futures = {r["file"]: pool.submit(send_raw, url, (HOSTILE / "http" / r["file"]).read_bytes(), f"127.0.0.{100 + i}")
                   for i, r in enumerate(REQUESTS)}
        return {name: f.result() for name, f in futures.items()}


@pytest.mark.parametrize("request_", REQUESTS, ids=[r["file"] for r in REQUESTS])
def test_hostile_request_is_answered_as_expected(request_, responses):
    response = responses[request_["file"]]
    assert response.status in request_["status"], response.text[:2000]
    assert response.seconds < request_["seconds"]
    for text in request_.get("absent", []):
        assert text not in response.text
    for text in request_.get("present", []):
        assert text in response.text, response.text[:2000]
    head = response.text.partition("\r\n\r\n")[0]
    for header in SECURITY_HEADERS:
        assert header in head, head
    server_header = re.search(r"(?im)^server: *(.*)$", head)
    assert server_header and "Python" not in server_header.group(1), head


def test_no_traceback_in_the_server_log(server, responses):
    _, log = server
    assert responses  # every hostile request has been answered by now
    assert "Traceback" not in log.read_text(errors="replace")


# ---------------------------------------------------------------------- clients and capacity


def post(url: str, query: str, client: str, accept: str = "application/sparql-results+json") -> tuple[int, float, str]:
    """POST a query from the loopback address `client` (127.0.0.x): the server sees another client."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60, source_address=(client, 0))
    start = time.monotonic()
    try:
        connection.request("POST", "/sparql", urllib.parse.urlencode({"query": query}),
                           {"Content-Type": "application/x-www-form-urlencoded", "Accept": accept})
        r = connection.getresponse()
        return r.status, time.monotonic() - start, r.read().decode("utf-8", "replace")
    finally:
        connection.close()


def together(calls: list) -> list:
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return [f.result() for f in [pool.submit(*c) for c in calls]]


def test_a_client_past_its_concurrent_limit_is_told_to_wait(server):
    url, _ = server
    results = together([(post, url, EXPENSIVE, "127.0.0.21") for _ in range(3)])
    statuses = sorted(status for status, _, _ in results)
    assert statuses == [429, 503, 503], results
    refused = next(r for r in results if r[0] == 429)
    assert refused[1] < 1 and "2 queries" in refused[2]


def test_cheap_queries_keep_flowing_while_expensive_ones_run(server):
    """Two clients keep every general worker busy with queries that run to the time limit; a third
    client's named queries are still answered in well under a second."""
    url, _ = server
    named = read_query("invitations-by-country")
    hostile = [(post, url, EXPENSIVE, f"127.0.0.{n}") for n in (31, 31, 32, 32)]
    stop = threading.Event()
    normal: list[tuple[int, float, str]] = []

    def keep_asking() -> None:
        time.sleep(0.5)  # the hostile queries have taken their workers
        while not stop.is_set() and len(normal) < 20:
            normal.append(post(url, named, "127.0.0.33"))

    asker = threading.Thread(target=keep_asking)
    asker.start()
    hostile_results = together(hostile)
    stop.set()
    asker.join()
    assert [s for s, _, _ in hostile_results].count(503) >= 2, hostile_results
    assert len(normal) >= 3
    assert all(status == 200 for status, _, _ in normal), normal
    assert max(seconds for _, seconds, _ in normal) < 1.0, [round(s, 2) for _, s, _ in normal]


def test_a_site_with_a_symlink_leading_out_is_refused(site, tmp_path):
    copy = tmp_path / "site"
    import shutil

    shutil.copytree(site, copy)
    (copy / "dataset" / "leak.ttl").symlink_to("/etc/passwd")
    result = run("serve", "--site", str(copy), "--port", "0")
    assert result.exit_code == 2
    assert "leak.ttl" in result.output and "outside" in result.output
    assert "root:" not in result.output


def test_the_service_description_names_the_public_url_when_given(tmp_path):
    from servers import mifi_serve
    from test_serve import http

    with mifi_serve(tmp_path, "--public-url", "https://data.example.org/mifi/", "--workers", "1") as url:
        status, _, body = http(url + "/sparql", headers={"Accept": "text/turtle", "Host": "evil.example"})
    assert status == 200
    assert b"<https://data.example.org/mifi/sparql>" in body
    assert b"evil.example" not in body


def test_the_hostile_corpus_files_are_all_listed():
    assert sorted(r["file"] for r in REQUESTS) == sorted(p.name for p in Path(HOSTILE / "http").iterdir())


def test_every_named_query_is_estimated_cheap_and_products_costly():
    """The estimate that decides the lane (serve/cost.py): the named queries may use the reserved
    worker; a product of unrelated patterns, two patterns with nothing fixed or an unbounded path
    between two variables may not."""
    from rdflib.plugins.sparql.parser import parseQuery

    from mifi_rdf.query import named_queries
    from mifi_rdf.serve.cost import costly

    assert {name: costly(parseQuery(read_query(name))) for name, _ in named_queries()} == \
        {name: None for name, _ in named_queries()}
    assert costly(parseQuery(EXPENSIVE)) == "a product of triple patterns that share no variable"
    assert costly(parseQuery("SELECT * WHERE { ?a ?p ?b . ?b ?q ?c }")) == "more than one triple pattern with nothing fixed"
    assert costly(parseQuery("SELECT * WHERE { ?a <http://example.org/p>+ ?b }")) == \
        "a path of unbounded length between two variables"
    assert costly(parseQuery("SELECT * WHERE { ?a <http://example.org/p> ?b OPTIONAL { ?c ?d ?e } }")) is None
