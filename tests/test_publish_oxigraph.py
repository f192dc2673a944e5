"""`mifi-rdf publish` into a second real store, Oxigraph's server: the Graph Store Protocol, not Virtuoso's dialect.

No authentication here (Oxigraph's server has none); the Virtuoso tests cover credentials.
"""

from __future__ import annotations

import pytest

from conftest import run
from mifi_rdf import publish as publish_module
from mifi_rdf.build.config import Options
from mifi_rdf.build.consolidated import consolidated_cubes, series_store  # the letters' datasets and the series' cubes, as served
from mifi_rdf.build.site import built_catalog
from mifi_rdf.query import read_query
from test_publish import BASE, select


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    from servers import oxigraph_server

    with oxigraph_server(tmp_path_factory.mktemp("oxigraph")) as server:
        yield server


@pytest.fixture(scope="module")
def want(project) -> dict[str, int]:
    return {p.graph: p.triples for p in publish_module.parts(project, built_catalog(project, Options()))}


def published(store) -> dict[str, int]:
    rows = select(store.sparql, """SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g""")
    return {r["g"]: int(r["n"]) for r in rows}


def publish(store):
    return run("publish", "--endpoint", store.graph_store, "--query-endpoint", store.sparql)


@pytest.mark.slow  # two full publishes (9 s); test_publish.py checks the same counts against Virtuoso in the default run
def test_every_graph_is_loaded_and_counted_and_a_second_run_duplicates_nothing(store, want):
    first = publish(store)
    assert first.exit_code == 0, first.output
    assert f"{len(want)} graphs loaded ({sum(want.values())} triples), 0 not loaded" in first.output
    assert published(store) == want
    assert publish(store).exit_code == 0
    assert published(store) == want


@pytest.mark.parametrize("name", ["invitations-by-country", "monthly-applications-certificates"])
def test_a_named_query_gives_the_same_answer_as_the_library(store, project, name):
    assert publish(store).exit_code == 0
    text = read_query(name)
    remote = select(store.sparql, f"BASE <{BASE}>\n{text}")
    local = series_store(project).query(text, base_iri=BASE, use_default_graph_as_union=True)
    local_rows = [{v.value: s[v].value for v in local.variables if s[v] is not None} for s in local]
    assert len(local_rows) >= 11
    assert remote == local_rows


def test_the_catalog_is_queryable_in_its_graph(store, project):
    assert publish(store).exit_code == 0
    rows = select(store.sparql, f"""PREFIX dcat: <http://www.w3.org/ns/dcat#>
        SELECT ?d WHERE {{ GRAPH <{BASE}graph/catalog> {{ <{BASE}catalog> dcat:dataset ?d }} }} ORDER BY ?d""")
    cubes = [c.iri(BASE) for c in consolidated_cubes(project)]  # the series' consolidated cubes are datasets too
    assert len(cubes) == 3
    assert [r["d"] for r in rows] == sorted([f"{BASE}dataset/{d}" for d in project.dataset_ids] + cubes)


@pytest.mark.slow  # a store round trip more, in requests of 1,000 triples
def test_oxigraph_is_bulk_loaded_and_big_graphs_go_in_batches(store, want, monkeypatch):
    # Oxigraph's server says who it is: each graph is deleted, then loaded with its bulk endpoint;
    # with batches of 1,000 triples the largest graphs take several requests, PUT then POST (or
    # bulk POSTs), and the store must hold each graph exactly once either way.
    assert publish_module.Endpoint(store.graph_store).bulk()
    assert not publish_module.Endpoint(store.graph_store, bulk=False).bulk()
    sent: list[tuple[str, str]] = []
    real = publish_module.Endpoint._send

    def spy(self, method, url, body):
        sent.append((method, url))
        return real(self, method, url, body)

    monkeypatch.setattr(publish_module, "BATCH", 1000)
    monkeypatch.setattr(publish_module.Endpoint, "_send", spy)
    big = max(want, key=want.get)
    for options, first, rest in [((), "POST", "POST"), (("--no-bulk",), "PUT", "POST")]:
        sent.clear()
        result = run("publish", "--endpoint", store.graph_store, "--query-endpoint", store.sparql, *options)
        assert result.exit_code == 0, result.output
        assert published(store) == want
        mine = [(m, u) for m, u in sent if big.replace(":", "%3A").replace("/", "%2F") in u]
        assert len(mine) == -(-want[big] // 1000) > 1
        assert mine[0][0] == first and {m for m, _ in mine[1:]} == {rest}
        assert all(u.endswith("&no_transaction") for _, u in mine) == (not options)
