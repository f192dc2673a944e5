"""`mifi-rdf serve` started for real on loopback, queried with SPARQLWrapper, urllib and curl."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import threading
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

import pyoxigraph as ox
import pytest
import rdflib
import rdflib.compare
from SPARQLWrapper import CSV, JSON, JSONLD, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

from conftest import ROOT, needs_program, parse_rdf
from mifi_rdf.build.consolidated import series_store  # the letters' datasets and the series' cubes, as served
from mifi_rdf.query import read_query

BASE = "https://w3id.org/mifi-rdf/"
QB = rdflib.Namespace("http://purl.org/linked-data/cube#")
SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
TIMEOUT = 2  # seconds, the server's query time limit in these tests
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # 19386³ rows to count


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from servers import mifi_serve

    # no cache: every query of these tests really runs in a worker
    with mifi_serve(tmp_path_factory.mktemp("serve"), "--timeout", str(TIMEOUT), "--max-result-mb", "1",
                    "--cache-mb", "0") as url:
        yield url


@pytest.fixture(scope="module")
def expected(project):
    """invitations-by-country as the library answers it in-process."""
    result = series_store(project).query(read_query("invitations-by-country"), base_iri=BASE, use_default_graph_as_union=True)
    return [{v.value: s[v].value for v in result.variables} for s in result]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def http(url: str, data: bytes | None = None, headers: dict[str, str] | None = None, method: str | None = None,
         follow: bool = True):
    """(status, headers, body) without raising on 4xx/5xx."""
    opener = urllib.request.build_opener() if follow else urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with opener.open(request, timeout=30) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read()


def sparql_get(server: str, query: str, accept: str = "application/sparql-results+json"):
    return http(f"{server}/sparql?{urllib.parse.urlencode({'query': query})}", headers={"Accept": accept})


def rows_of_json(body: bytes) -> list[dict[str, str]]:
    return [{k: v["value"] for k, v in b.items()} for b in json.loads(body)["results"]["bindings"]]


# ---------------------------------------------------------------------- SPARQL protocol


def wrapper(server: str, fmt, method: str = "GET") -> SPARQLWrapper:
    client = SPARQLWrapper(f"{server}/sparql")
    client.setReturnFormat(fmt)
    client.setMethod(method)
    client.setQuery(read_query("invitations-by-country"))
    return client


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_json(server, expected, method):
    result = wrapper(server, JSON, method).query().convert()
    rows = [{k: v["value"] for k, v in b.items()} for b in result["results"]["bindings"]]
    assert rows == expected
    assert rows[0]["iso"] == "FRA" and rows[0]["invitations"] == "2843"


def test_sparqlwrapper_xml(server, expected):
    doc = wrapper(server, XML).query().convert()  # an xml.dom document
    results = doc.getElementsByTagName("result")
    assert len(results) == len(expected)
    first = {b.getAttribute("name"): b.firstChild.firstChild.data for b in results[0].getElementsByTagName("binding")}
    assert first == expected[0]


@pytest.mark.parametrize(("fmt", "delimiter"), [(CSV, ","), (TSV, "\t")])
def test_sparqlwrapper_csv_tsv(server, expected, fmt, delimiter):
    text = wrapper(server, fmt).query().convert().decode("utf-8")
    table = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    assert table[0] == [("?" if fmt == TSV else "") + v for v in expected[0]]
    assert len(table) == len(expected) + 1
    assert "FRA" in table[1][1] and table[1][2].startswith("2843")


def test_post_form_and_post_direct_give_the_same_rows(server, expected):
    query = read_query("invitations-by-country")
    accept = {"Accept": "application/sparql-results+json"}
    form = http(f"{server}/sparql", urllib.parse.urlencode({"query": query}).encode(),
                {**accept, "Content-Type": "application/x-www-form-urlencoded"})
    direct = http(f"{server}/sparql", query.encode(), {**accept, "Content-Type": "application/sparql-query"})
    get = sparql_get(server, query)
    for status, headers, body in (form, direct, get):
        assert status == 200
        assert headers["Content-Type"].startswith("application/sparql-results+json")
        assert rows_of_json(body) == expected


@needs_program("curl", "curl")
def test_curl(server, expected):
    out = subprocess.run(["curl", "-sS", "-H", "Accept: text/csv", "--data-urlencode",
                          f"query={read_query('invitations-by-country')}", f"{server}/sparql"],
                         capture_output=True, text=True, check=True, timeout=30).stdout
    table = list(csv.reader(io.StringIO(out)))
    assert [dict(zip(table[0], r, strict=True)) for r in table[1:]] == expected


def test_ask(server):
    status, headers, body = sparql_get(server, f"ASK {{ <{BASE}code/country/FRA> ?p ?o }}")
    assert status == 200 and json.loads(body)["boolean"] is True
    status, headers, body = sparql_get(server, "ASK { <urn:nothing> ?p ?o }", "application/sparql-results+xml")
    assert status == 200
    assert ET.fromstring(body).find("{http://www.w3.org/2005/sparql-results#}boolean").text == "false"


@pytest.mark.parametrize(("fmt", "parse_as"), [(TURTLE, "turtle"), (JSONLD, "json-ld"), (RDFXML, "xml")])
def test_construct_in_each_format(server, project, fmt, parse_as):
    query = f"CONSTRUCT {{ ?obs ?p ?o }} WHERE {{ ?obs <{QB}dataSet> <{BASE}dataset/30952-t5> ; ?p ?o }}"
    client = SPARQLWrapper(f"{server}/sparql")
    client.setQuery(query)
    client.setReturnFormat(fmt)
    body = client.query().response.read()
    graph = parse_rdf(body, parse_as)
    local = rdflib.Graph().parse(data=ox.serialize(project.store().query(query, use_default_graph_as_union=True),
                                                   format=ox.RdfFormat.N_TRIPLES), format="nt")
    assert len(graph) == len(local) > 25 * 5
    assert rdflib.compare.isomorphic(graph, local)


def test_construct_n_triples_by_accept(server):
    query = f"DESCRIBE <{BASE}code/country/FRA>"
    status, headers, body = sparql_get(server, query, "application/n-triples")
    assert status == 200 and headers["Content-Type"] == "application/n-triples"
    graph = rdflib.Graph().parse(data=body, format="nt")
    france = rdflib.Literal("France", lang="fr")
    assert (rdflib.URIRef(f"{BASE}code/country/FRA"), rdflib.namespace.SKOS.prefLabel, france) in graph


def test_service_description(server):
    status, headers, body = http(f"{server}/sparql", headers={"Accept": "text/turtle"})
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    graph = rdflib.Graph().parse(data=body, format="turtle")
    endpoint = rdflib.URIRef(f"{server}/sparql")
    assert (endpoint, SD.endpoint, endpoint) in graph
    assert (endpoint, SD.supportedLanguage, SD.SPARQL11Query) in graph
    assert (endpoint, SD.feature, SD.UnionDefaultGraph) in graph


BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"  # Firefox's and Chromium's


def test_a_browser_gets_a_query_form_with_every_named_question(server):
    from mifi_rdf.query import named_queries

    status, headers, body = http(f"{server}/sparql", headers={"Accept": BROWSER})
    page = body.decode("utf-8")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert '<form method="get" action="sparql">' in page and '<textarea name="query"' in page
    for name, _question in named_queries():
        link = urllib.parse.urlencode({"query": read_query(name)}).replace("&", "&amp;")
        assert f'<a href="sparql?{link}">' in page, name


def test_a_browser_gets_the_answer_as_a_table_of_the_same_rows(server, expected):
    url = f"{server}/sparql?{urllib.parse.urlencode({'query': read_query('invitations-by-country')})}"
    status, _, body = http(url, headers={"Accept": BROWSER})
    page = body.decode("utf-8")
    assert status == 200
    assert f'<h2>{len(expected)} <span lang="fr">lignes</span>' in page
    rows = page.split("<tbody>")[1].split("</tbody>")[0].strip().split("\n")
    assert len(rows) == len(expected)
    first = expected[0]
    assert rows[0] == (f'<tr><td>{first["country"]} <span class="lang">@fr</span></td><td>{first["iso"]}</td>'
                       f'<td class="num">{first["invitations"]}</td><td class="num">{first["rounds_listed"]}</td></tr>')


def test_a_browser_sees_a_refusal_with_its_status(server):
    query = "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }"
    status, _, body = http(f"{server}/sparql?{urllib.parse.urlencode({'query': query})}", headers={"Accept": BROWSER})
    assert status == 400
    assert '<p class="error">400: FROM and FROM NAMED are not allowed' in body.decode("utf-8")


def test_cors(server):
    status, headers, _ = http(f"{server}/sparql", method="OPTIONS",
                              headers={"Origin": "https://yasgui.org", "Access-Control-Request-Method": "POST",
                                       "Access-Control-Request-Headers": "content-type"})
    assert status == 204
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in headers["Access-Control-Allow-Methods"]
    assert "content-type" in headers["Access-Control-Allow-Headers"].lower()
    status, headers, _ = sparql_get(server, "ASK {}")
    assert headers["Access-Control-Allow-Origin"] == "*"


# ---------------------------------------------------------------------- dereferencing


@pytest.mark.parametrize(("accept", "suffix", "content_type"), [
    ("text/turtle", "ttl", "text/turtle"),
    ("application/ld+json", "jsonld", "application/ld+json"),
    ("application/n-triples", "nt", "application/n-triples"),
    ("application/rdf+xml", "rdf", "application/rdf+xml"),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "html", "text/html"),  # a browser
])
def test_resource_uri_answers_303_to_its_document(server, accept, suffix, content_type):
    status, headers, _ = http(f"{server}/dataset/30952-t5", headers={"Accept": accept}, follow=False)
    assert status == 303
    assert headers["Location"] == f"30952-t5.{suffix}"
    assert "Accept" in headers["Vary"]
    status, headers, body = http(f"{server}/dataset/30952-t5", headers={"Accept": accept})
    assert status == 200 and headers["Content-Type"].startswith(content_type)


@pytest.mark.parametrize(("suffix", "parse_as"), [("ttl", "turtle"), ("jsonld", "json-ld"), ("nt", "nt"), ("rdf", "xml")])
def test_dataset_document_holds_the_dataset_and_its_observations(server, suffix, parse_as):
    status, _, body = http(f"{server}/dataset/30952-t5.{suffix}")
    assert status == 200
    graph = parse_rdf(body, parse_as, f"{BASE}dataset/")
    ds = rdflib.URIRef(f"{BASE}dataset/30952-t5")
    assert (ds, rdflib.RDF.type, QB.DataSet) in graph
    observations = set(graph.subjects(QB.dataSet, ds))
    assert len(observations) == 25
    fra = rdflib.URIRef(f"{BASE}dataset/30952-t5/obs/pstq-2025-12-04/FRA/invitations")
    assert (fra, rdflib.URIRef(f"{BASE}def/invitations"), rdflib.Literal(418)) in graph


def test_dataset_page_is_the_site_page_made_on_request(server):
    """Without --site, the server makes the pages `build` writes, from the same templates."""
    status, headers, body = http(f"{server}/dataset/30952-t5.html")
    page = body.decode("utf-8")
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert '<th scope="row"><a href="../code/country/FRA.html">France</a></th>' in page
    assert '<td class="num">418</td>' in page and '<td class="num">1\u00a0876</td>' in page  # « 1 876 »
    assert '<a class="switch" href="30952-t5.en.html" hreflang="en" lang="en">English</a>' in page
    english = http(f"{server}/dataset/30952-t5.en.html")[2].decode("utf-8")
    assert '<html lang="en">' in english and '<td class="num">1,876</td>' in english
    assert 'href="../sparql?query=' in page  # the server's own endpoint runs the page's query
    assert http(f"{server}/style.css")[1]["Content-Type"] == "text/css; charset=utf-8"


def test_cells_without_value_show_their_status_not_zero(server, project):
    label = {lang: next(q.object.value for q in project.store().quads_for_pattern(
        ox.NamedNode(f"{BASE}code/cell-status/confidential"), ox.NamedNode(str(rdflib.namespace.SKOS.prefLabel)), None)
        if q.object.language == lang) for lang in ("fr", "en")}
    page = http(f"{server}/dataset/30735-t2.html")[2].decode("utf-8")
    assert page.count(f'<span class="flag" tabindex="0" data-tip="{label["fr"]}">') == 15  # its 15 confidential cells
    english = http(f"{server}/dataset/30735-t2.en.html")[2].decode("utf-8")
    assert english.count(f'<span class="flag" tabindex="0" data-tip="{label["en"]}">') == 15
    assert '<td class="num"></td>' not in page


def test_observation_code_and_series_pages(server):
    obs = "dataset/30952-t5/obs/pstq-2025-12-04/FRA/invitations"
    status, headers, _ = http(f"{server}/{obs}", headers={"Accept": "text/html"}, follow=False)
    assert status == 303 and headers["Location"] == "invitations.html"
    page = http(f"{server}/{obs}.html")[2].decode("utf-8")
    assert "418" in page and 'href="../../../../30952-t5"' in page
    code = http(f"{server}/code/country/FRA", headers={"Accept": "text/html"})[2].decode("utf-8")
    assert "<h1>France</h1>" in code and '<td class="num">730</td>' in code  # its 8 rounds, 29 January 2026 among them
    cmr = http(f"{server}/code/country/CMR.html")[2].decode("utf-8")
    assert "<h1>Cameroun</h1>" in cmr and '<p class="other-title" lang="en">Cameroon</p>' in cmr
    status, headers, _ = http(f"{server}/series/pstq-invitations-by-country", headers={"Accept": "text/html"}, follow=False)
    assert status == 303 and headers["Location"] == "pstq-invitations-by-country.html"
    assert b"<h1>Invitations du PSTQ par pays" in http(f"{server}/series/pstq-invitations-by-country.html")[2]


def test_a_query_result_never_links_an_iri_of_another_scheme(server):
    query = 'SELECT ?x WHERE { BIND(IRI("javascript:alert(1)") AS ?x) }'
    url = f"{server}/sparql?{urllib.parse.urlencode({'query': query})}"
    page = http(url, headers={"Accept": BROWSER})[2].decode("utf-8")
    assert '<td><span class="iri">javascript:alert(1)</span></td>' in page and 'href="javascript:' not in page


def test_an_observation_document_declares_only_the_prefixes_it_uses(server):
    """14 statements (the note in French and English), 10 prefixes (not every prefix the project knows, 30 of them)."""
    obs = "dataset/30952-t5/obs/pstq-2025-12-04/BRA/invitations"
    body = http(f"{server}/{obs}.ttl")[2].decode("utf-8")
    declared = re.findall(r"^@prefix ([\w-]*): ", body, re.M)
    text = "\n".join(line for line in body.splitlines() if not line.startswith("@prefix"))
    assert sorted(declared) == sorted({"qb", "def", "sdmx-attribute", "sdmx-code", "unit", "rdfs", "cell-status",
                                      "country", "inference", "round"})
    for name in declared:
        assert re.search(rf"(^|[\s^]){re.escape(name)}:", text), name
    graph = rdflib.Graph().parse(data=body, format="turtle")
    assert len(graph) == 14
    assert rdflib.compare.isomorphic(graph, rdflib.Graph().parse(data=http(f"{server}/{obs}.nt")[2], format="nt"))


def test_the_sources_are_served_as_they_are_in_the_repository(server):
    """What dcterms:source names, the server answers: the letters' texts and the reference tables."""
    for path, media in (("sources/letters/30952.txt", "text/plain; charset=utf-8"),
                        ("sources/reference/quebec_mrc.csv", "text/csv; charset=utf-8"),
                        ("sources/reference/README.md", "text/markdown; charset=utf-8")):
        status, headers, body = http(f"{server}/{path}")
        assert (status, headers["Content-Type"], body) == (200, media, (ROOT / path).read_bytes()), path


@pytest.mark.parametrize("path", ["/sources/reference/iso3166_countries.py", "/sources/../pyproject.toml",
                                  "/sources/letters/%2e%2e/%2e%2e/pyproject.toml", "/sources/letters/",
                                  "/sources//letters/30952.txt", "/sources/letters/30952.txt/.."])
def test_nothing_but_the_published_sources_is_read(server, path):
    assert http(server + path)[0] == 404


def test_unknown_uri_is_404(server):
    assert http(f"{server}/dataset/nope")[0] == 404
    assert http(f"{server}/dataset/nope.ttl")[0] == 404


def test_without_site_no_catalog_is_served(server):
    """Without --site nothing could back the catalog's checksums, so none is claimed."""
    assert http(f"{server}/catalog", headers={"Accept": "text/turtle"})[0] == 404
    assert http(f"{server}/catalog.ttl")[0] == 404


# ---------------------------------------------------------------------- hardening


@pytest.mark.parametrize(("query", "reason"), [
    ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }", "SERVICE is not allowed"),
    ("SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }", "FROM and FROM NAMED are not allowed"),
    ("SELECT * FROM NAMED <http://example.org/g> WHERE { GRAPH ?g { ?s ?p ?o } }", "FROM and FROM NAMED"),
    ("LOAD <file:///etc/passwd>", "SPARQL Update is not allowed"),
    ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "SPARQL Update is not allowed"),
    ("DROP ALL", "SPARQL Update is not allowed"),
    ("SELECT * WHERE { ?s ?p }", "invalid SPARQL query"),
])
def test_hostile_queries_are_refused_with_400(server, query, reason):
    status, headers, body = sparql_get(server, query)
    assert status == 400, body
    assert reason in body.decode("utf-8")


def test_forbidden_words_in_strings_and_comments_are_not_refused(server):
    """The parse tree is inspected, not the text."""
    query = 'SELECT ?x WHERE { BIND("SERVICE <http://x> FROM <file:///etc/passwd>" AS ?x) } # SERVICE, DROP ALL'
    status, _, body = sparql_get(server, query)
    assert status == 200
    assert rows_of_json(body) == [{"x": "SERVICE <http://x> FROM <file:///etc/passwd>"}]


def test_update_and_dataset_parameters_are_refused(server):
    update = http(f"{server}/sparql", b"DROP ALL", {"Content-Type": "application/sparql-update"})
    assert update[0] == 400 and b"read-only" in update[2]
    form = http(f"{server}/sparql", urllib.parse.urlencode({"update": "CLEAR ALL"}).encode(),
                {"Content-Type": "application/x-www-form-urlencoded"})
    assert form[0] == 400
    status, _, body = http(f"{server}/sparql?" + urllib.parse.urlencode(
        {"query": "SELECT * { ?s ?p ?o } LIMIT 1", "default-graph-uri": "file:///etc/passwd"}))
    assert status == 400 and b"default-graph-uri" in body
    assert sparql_get(server, f"ASK {{ <{BASE}code/country/FRA> ?p ?o }}")[0] == 200  # nothing was dropped


def test_slow_query_is_stopped_while_others_are_answered(server, expected):
    slow: list = []
    thread = threading.Thread(target=lambda: slow.append(sparql_get(server, SLOW)))
    thread.start()
    normal = sparql_get(server, read_query("invitations-by-country"))
    thread.join(60)
    assert normal[0] == 200, normal[2]
    assert rows_of_json(normal[2]) == expected
    status, _, body = slow[0]
    assert status == 503
    assert f"query stopped: it ran longer than this endpoint's limit of {TIMEOUT} s" in body.decode()
    again = sparql_get(server, read_query("invitations-by-country"))  # the killed worker was replaced
    assert again[0] == 200 and rows_of_json(again[2]) == expected


def test_answer_over_the_size_limit_is_stopped(server):
    status, _, body = sparql_get(server, "CONSTRUCT WHERE { ?s ?p ?o }", "application/n-triples")
    assert status == 503
    assert "larger than this endpoint's limit of 1000000 bytes" in body.decode()


def test_a_forged_host_header_does_not_reach_the_service_description(server):
    status, _, body = http(f"{server}/sparql", headers={"Accept": "text/turtle", "Host": "evil> <x"})
    assert status == 200
    graph = rdflib.Graph().parse(data=body, format="turtle")
    assert (rdflib.URIRef(f"{server}/sparql"), SD.endpoint, rdflib.URIRef(f"{server}/sparql")) in graph
