"""Withdrawn tables do not stay public (issue 15, item 4): after `publish`, the store holds exactly
the release's graphs of our base. Graphs of ours that the release no longer has are dropped and
named (or kept with --keep-stale); so is a whole release published under a previous base URI;
graphs that are not ours are never touched. Against a real Oxigraph server started by the test.
"""

from __future__ import annotations

import re
import urllib.parse
import urllib.request

import pytest

from conftest import run
from mifi_rdf import publish as publish_module
from mifi_rdf.build.config import Options
from mifi_rdf.build.site import built_catalog
from mifi_rdf.project import load_project
from test_publish import BASE, select

# Three store round trips of the whole release each (30 s together): with the slow suites (`pytest -m slow`, .ci/run).
pytestmark = pytest.mark.slow

OLD_BASE = "https://example.org/old-mifi/"
WITHDRAWN = f"{BASE}graph/dataset/30952-t8"
NOT_OURS = {  # same shapes of name, but no mifi-rdf release around them / not a name we use
    "http://example.org/other/graph/dataset/x-t1": "<http://example.org/a> <http://example.org/b> \"1\" .\n",
    f"{BASE}graph/annotations": "<http://example.org/a> <http://example.org/b> \"2\" .\n",
}


@pytest.fixture()
def store(tmp_path):
    from servers import oxigraph_server

    (tmp_path / "oxigraph").mkdir()
    with oxigraph_server(tmp_path / "oxigraph") as server:
        yield server


def graphs(store) -> dict[str, int]:
    rows = select(store.sparql, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    return {r["g"]: int(r["n"]) for r in rows}


def release(data=None, base: str = BASE) -> dict[str, int]:
    project = load_project(base, data)
    return {p.graph: p.triples for p in publish_module.parts(project, built_catalog(project, Options(), data))}


def put(store, graph: str, ntriples: str) -> None:
    url = f"{store.graph_store}?{urllib.parse.urlencode({'graph': graph})}"
    request = urllib.request.Request(url, data=ntriples.encode(), method="PUT",
                                     headers={"Content-Type": "application/n-triples"})
    with urllib.request.urlopen(request, timeout=30) as r:
        r.read()


def publish(store, *options: str, data=None):
    first = ["--data", str(data)] if data else []
    return run(*first, "publish", "--no-validate", "--endpoint", store.graph_store, "--query-endpoint", store.sparql,
               *options)


@pytest.fixture()
def without_t8(data_copy):
    """data/ without table 8 of letter 30952: a table withdrawn from the release."""
    toml = data_copy / "30952" / "letter.toml"
    text = toml.read_text(encoding="utf-8")
    toml.write_text(text[:text.rindex("[[table]]")], encoding="utf-8")
    (data_copy / "30952" / "t8.csv").unlink()
    return data_copy


def test_a_withdrawn_table_is_dropped_from_the_store_and_named(store, without_t8):
    for graph, triples in NOT_OURS.items():
        put(store, graph, triples)
    assert publish(store).exit_code == 0
    assert WITHDRAWN in graphs(store)
    result = publish(store, data=without_t8)
    assert result.exit_code == 0, result.output
    assert re.search(rf"^dropped +{re.escape(WITHDRAWN)}\b", result.output, re.M), result.output
    assert "1 stale graph dropped" in result.output
    want = release(without_t8)
    assert graphs(store) == {**want, **{g: 1 for g in NOT_OURS}}


def test_keep_stale_keeps_and_names_them(store, without_t8):
    assert publish(store).exit_code == 0
    result = publish(store, "--keep-stale", data=without_t8)
    assert result.exit_code == 0, result.output
    assert re.search(rf"^kept stale +{re.escape(WITHDRAWN)}\b", result.output, re.M), result.output
    assert graphs(store) == {**release(without_t8), WITHDRAWN: release()[WITHDRAWN]}  # t8 is still there


def test_a_release_under_a_previous_base_is_dropped(store):
    for graph, triples in NOT_OURS.items():
        put(store, graph, triples)
    assert publish(store, "--base-uri", OLD_BASE).exit_code == 0
    old = release(base=OLD_BASE)
    assert set(old) <= set(graphs(store))
    result = publish(store)
    assert result.exit_code == 0, result.output
    assert f"{len(old)} stale graphs dropped" in result.output
    assert graphs(store) == {**release(), **{g: 1 for g in NOT_OURS}}
