"""`mifi-rdf publish` into a real Virtuoso started by the test, then the data read back from it."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request

import pytest

from conftest import needs_program, run
from mifi_rdf import publish as publish_module
from mifi_rdf.build.consolidated import (
    consolidated_cubes,
    series_store,  # the letters' datasets and the series' cubes, as served
)
from mifi_rdf.query import read_query

pytestmark = needs_program("virtuoso-t", "virtuoso-opensource")

BASE = "https://w3id.org/mifi-rdf/"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    from servers import virtuoso

    with virtuoso(tmp_path_factory.mktemp("virtuoso")) as server:
        yield server


@pytest.fixture()
def dba(monkeypatch):
    monkeypatch.setenv("MIFI_RDF_ENDPOINT_USER", "dba")
    monkeypatch.setenv("MIFI_RDF_ENDPOINT_PASSWORD", "dba")


def select(endpoint: str, text: str) -> list[dict[str, str]]:
    data = urllib.parse.urlencode({"query": text}).encode()
    request = urllib.request.Request(endpoint, data=data, headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        results = json.load(response)
    return [{k: v["value"] for k, v in b.items()} for b in results["results"]["bindings"]]


def published(store) -> dict[str, int]:
    """Triples per graph under our base, as Virtuoso counts them."""
    rows = select(store.sparql, f"""SELECT ?g (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }}
                                    FILTER(STRSTARTS(STR(?g), "{BASE}graph/")) }} GROUP BY ?g""")
    return {r["g"]: int(r["n"]) for r in rows}


@pytest.fixture(scope="module")
def catalog(project):
    from mifi_rdf.build.config import Options
    from mifi_rdf.build.site import built_catalog

    return built_catalog(project, Options())


def expected(project, catalog) -> dict[str, int]:
    return {p.graph: p.triples for p in publish_module.parts(project, catalog)}


def publish(store, *extra: str):
    return run("publish", "--endpoint", store.graph_store, "--query-endpoint", store.sparql, *extra)


def test_anonymous_writes_are_refused_and_reported(store, monkeypatch, project, catalog):
    monkeypatch.delenv("MIFI_RDF_ENDPOINT_USER", raising=False)
    monkeypatch.delenv("MIFI_RDF_ENDPOINT_PASSWORD", raising=False)
    result = publish(store)
    assert result.exit_code == 1
    assert "HTTP 401" in result.output or "HTTP 403" in result.output
    assert "MIFI_RDF_ENDPOINT_USER" in result.output  # says how to fix it
    n = len(expected(project, catalog))
    assert f"0 graphs loaded (0 triples), {n} not loaded" in result.output


def test_publish_loads_every_graph_and_counts_match(store, dba, project, catalog):
    result = publish(store)
    assert result.exit_code == 0, result.output
    want = expected(project, catalog)
    assert published(store) == want
    assert {f"{BASE}graph/ontology", f"{BASE}graph/codes", f"{BASE}graph/letters", f"{BASE}graph/catalog",
            f"{BASE}graph/dataset/30952-t5"} <= set(want)
    assert want[f"{BASE}graph/catalog"] == len(set(catalog)) > 1000
    cubes = consolidated_cubes(project)  # the series' consolidated cubes: a graph each, beside the letters' datasets
    assert len([g for g in want if "/graph/dataset/" in g]) == len(project.dataset_ids) + len(cubes)
    assert f"{BASE}graph/dataset/pstq-invitations-by-country" in want
    for graph, n in want.items():
        assert f"loaded      {graph}  {n} triples sent, {n} in store: ok" in result.output
    assert "dba" not in result.output  # no credentials in the report


def test_publishing_again_duplicates_nothing(store, dba, project, catalog):
    assert publish(store).exit_code == 0
    assert publish(store).exit_code == 0
    assert published(store) == expected(project, catalog)


def test_the_catalog_in_the_store_is_the_one_of_the_built_folder(store, dba, project, site):
    """Harvesters query the store: every dataset, with the size and checksum of the file built."""
    import hashlib

    result = publish(store, "--site", str(site))
    assert result.exit_code == 0, result.output
    rows = select(store.sparql, f"""
        PREFIX dcat: <http://www.w3.org/ns/dcat#>
        PREFIX spdx: <http://spdx.org/rdf/terms#>
        SELECT ?url ?size ?sum WHERE {{ GRAPH <{BASE}graph/catalog> {{
          <{BASE}catalog> dcat:dataset ?d . ?d dcat:distribution ?dist .
          ?dist dcat:downloadURL ?url ; dcat:byteSize ?size ; spdx:checksum/spdx:checksumValue ?sum }} }}""")
    # the [[format]] entries of catalog.toml; four files of each series' consolidated cube
    assert len(rows) == 9 * len(project.dataset_ids) + 4 * len(consolidated_cubes(project))
    for row in rows:
        file = site / row["url"].removeprefix(BASE)
        assert int(row["size"]) == file.stat().st_size, row["url"]
        assert row["sum"] == hashlib.sha256(file.read_bytes()).hexdigest(), row["url"]


def test_site_built_for_another_base_is_refused_before_anything_is_sent(store, dba, tmp_path):
    other = tmp_path / "other"
    assert run("build", str(other), "--base-uri", "https://example.org/cubes/").exit_code == 0
    result = publish(store, "--site", str(other))
    assert result.exit_code == 2
    assert "built for another base URI" in result.output and "--base-uri https://w3id.org/mifi-rdf/" in result.output
    assert "graphs loaded" not in result.output


def test_invalid_cubes_are_refused_before_anything_is_sent(store, dba, data_copy, project, catalog):
    from test_validate_cli import break_disclosure

    assert publish(store).exit_code == 0
    before = published(store)
    break_disclosure(data_copy)
    result = run("--data", str(data_copy), "publish", "--endpoint", store.graph_store, "--query-endpoint", store.sparql)
    assert result.exit_code == 1
    assert "[disclosure]" in result.output and "nothing was sent" in result.output
    assert published(store) == before == expected(project, catalog)


def test_build_options_and_site_together_are_refused(store, dba, site):
    result = publish(store, "--site", str(site), "--issued", "2026-01-01")
    assert result.exit_code == 2
    assert "with --site, the folder's catalog is used as it was built" in result.output


def test_named_query_gives_the_same_answer_in_virtuoso(store, dba, project):
    """A shipped query, run by Virtuoso over the published graphs and by pyoxigraph locally."""
    assert publish(store).exit_code == 0
    text = read_query("invitations-by-country")
    remote = select(store.sparql, f"BASE <{BASE}>\n{text}")
    local = series_store(project).query(text, base_iri=BASE, use_default_graph_as_union=True)
    local_rows = [{v.value: s[v].value for v in local.variables if s[v] is not None} for s in local]
    assert len(local_rows) > 10
    assert remote == local_rows


@pytest.mark.slow  # two releases sent, one cut midway (13 s): with the slow suites
def test_failure_midway_is_reported_and_a_rerun_finishes(tmp_path, dba, project, catalog, monkeypatch):
    """The store goes down after three graphs: the report lists what is missing; a re-run completes."""
    from servers import Virtuoso

    server = Virtuoso(tmp_path / "virtuoso")
    server.start()
    try:
        real_put = publish_module.Endpoint.put
        calls = []

        def put_then_crash(self, part):
            if len(calls) == 3:
                server.stop()
            calls.append(part.graph)
            real_put(self, part)

        monkeypatch.setattr(publish_module.Endpoint, "put", put_then_crash)
        result = publish(server)
        assert result.exit_code == 1
        want = expected(project, catalog)
        graphs = list(want)
        for g in graphs[:3]:
            assert f"loaded      {g}  {want[g]} triples sent" in result.output
        for g in graphs[3:]:
            assert f"not loaded  {g}  {want[g]} triples" in result.output
        assert f"3 graphs loaded ({sum(want[g] for g in graphs[:3])} triples), {len(graphs) - 3} not loaded" in result.output
        assert "run the same command again" in result.output

        monkeypatch.setattr(publish_module.Endpoint, "put", real_put)
        server.start()
        assert published(server) == {g: want[g] for g in graphs[:3]}  # what the report said
        again = publish(server)
        assert again.exit_code == 0, again.output
        assert published(server) == want
    finally:
        server.stop()


@pytest.mark.slow  # two full publishes into Virtuoso (10 s): the default run keeps its four minutes
def test_a_withdrawn_table_is_dropped_from_virtuoso_and_comes_back_when_republished(store, dba, data_copy, project,
                                                                                   catalog):
    """Issue 15, item 4, in Virtuoso's dialect (DELETE through the authenticated Graph Store)."""
    withdrawn = f"{BASE}graph/dataset/30952-t8"
    toml = data_copy / "30952" / "letter.toml"
    text = toml.read_text(encoding="utf-8")
    toml.write_text(text[:text.rindex("[[table]]")], encoding="utf-8")
    (data_copy / "30952" / "t8.csv").unlink()
    assert publish(store).exit_code == 0
    result = run("--data", str(data_copy), "publish", "--endpoint", store.graph_store, "--query-endpoint", store.sparql)
    assert result.exit_code == 0, result.output
    assert f"dropped     {withdrawn}  (not in this release)" in result.output
    assert withdrawn not in published(store)
    assert publish(store).exit_code == 0  # the full release again: the store is as the other tests expect
    assert published(store) == expected(project, catalog)


@pytest.mark.slow  # a store round trip more, in requests of 1,000 triples
def test_big_graphs_go_to_virtuoso_in_batches(store, dba, project, catalog, monkeypatch):
    # batches of 1,000 triples: the largest graphs take several requests (PUT, then POSTs that add
    # to the graph), each authenticated on its own (Digest), and Virtuoso ends up with each graph once
    sent: list[str] = []
    real = publish_module.Endpoint._send

    def spy(self, method, url, body):
        sent.append(method)
        return real(self, method, url, body)

    monkeypatch.setattr(publish_module, "BATCH", 1000)
    monkeypatch.setattr(publish_module.Endpoint, "_send", spy)
    want = expected(project, catalog)
    for _ in range(2):
        result = publish(store)
        assert result.exit_code == 0, result.output
        assert published(store) == want
    assert sent.count("PUT") == 2 * len(want)
    assert sent.count("POST") == 2 * sum(-(-n // 1000) - 1 for n in want.values()) > 0
