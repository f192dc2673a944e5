"""Each serialization parses back, with real parsers, to the same graph; output is deterministic,
self-contained and follows the chosen base URI."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from conftest import run

RDFLIB_FORMATS = {"ttl": "turtle", "nt": "nt", "trig": "trig", "xml": "xml", "jsonld": "json-ld"}


@pytest.fixture(scope="session")
def reference(export_dir):
    return rdflib.Graph().parse(export_dir / "cube.nt", format="nt")


@pytest.mark.parametrize("fmt", ["ttl", "trig", "xml", "jsonld"])
def test_format_parses_back_to_an_isomorphic_graph(fmt, export_dir, reference):
    parsed = rdflib.Dataset() if fmt == "trig" else rdflib.Graph()
    parsed.parse(export_dir / f"cube.{fmt}", format=RDFLIB_FORMATS[fmt])
    graph = rdflib.Graph()
    for triple in (parsed.quads() if fmt == "trig" else parsed):
        graph.add(triple[:3])
    assert len(graph) == len(reference) > 15000
    assert isomorphic(graph, reference)


def test_jsonld_is_compacted_with_the_shipped_context(export_dir):
    doc = json.loads((export_dir / "cube.jsonld").read_text(encoding="utf-8"))
    ctx = doc["@context"]
    assert ctx["qb"] == "http://purl.org/linked-data/cube#"
    assert ctx["inCountry"] == {"@id": "def:country", "@type": "@id"}
    obs = next(n for n in doc["@graph"] if n["@id"] == "dataset:30952-t1/obs/pstq-2025-07-17/FRA/invitations")
    assert obs["invitations"] == 96 and obs["inCountry"] == "country:FRA"
    # pyoxigraph reads it too, offline: the context is inline, nothing is fetched
    triples = list(ox.parse(path=str(export_dir / "cube.jsonld"), format=ox.RdfFormat.JSON_LD))
    assert len(triples) == sum(1 for _ in ox.parse(path=str(export_dir / "cube.nt"), format=ox.RdfFormat.N_TRIPLES))


def test_percentages_keep_their_published_decimal(export_dir):
    doc = json.loads((export_dir / "cube.jsonld").read_text(encoding="utf-8"))
    montreal = next(n for n in doc["@graph"] if n["@id"].endswith("/66023/percentInvited"))
    assert montreal["percentInvited"] == "32.1"


@pytest.mark.parametrize("fmt", ["ttl", "jsonld", "nt"])
def test_export_is_byte_identical_twice(fmt, tmp_path, export_dir):
    assert run("export", "--format", fmt, "-o", str(tmp_path / "again")).exit_code == 0
    assert (tmp_path / "again").read_bytes() == (export_dir / f"cube.{fmt}").read_bytes()


def test_every_uri_follows_the_base(tmp_path):
    result = run("export", "--format", "nt", "--base-uri", "http://example.org/stats", "-o", str(tmp_path / "x.nt"))
    assert result.exit_code == 0
    text = (tmp_path / "x.nt").read_text(encoding="utf-8")
    assert "w3id.org/mifi-rdf" not in text
    assert "<http://example.org/stats/dataset/30952-t1/obs/pstq-2025-07-17/FRA/invitations>" in text
    assert "file:" not in text


def test_export_is_self_contained(store):
    """Every property and class used by an observation, and every code it points to, is described."""
    q = """
    PREFIX qb: <http://purl.org/linked-data/cube#>
    PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
    PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
    PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
    SELECT DISTINCT ?missing WHERE {
      ?obs a qb:Observation ; ?p ?o .
      { BIND(?p AS ?missing) FILTER NOT EXISTS { ?p rdfs:label ?l } FILTER(?p NOT IN (rdf:type, rdfs:comment)) }
      UNION { FILTER(isIRI(?o) && ?p != qb:dataSet) BIND(?o AS ?missing) FILTER NOT EXISTS { ?o rdfs:label|skos:prefLabel ?l2 } }
    }"""
    assert [r["missing"].value for r in store.query(q)] == []


def test_dataset_selection(tmp_path):
    result = run("export", "--format", "nt", "--dataset", "31224-t1", "-o", str(tmp_path / "one.nt"))
    assert result.exit_code == 0
    g = rdflib.Graph().parse(tmp_path / "one.nt", format="nt")
    datasets = set(g.subjects(rdflib.RDF.type, rdflib.URIRef("http://purl.org/linked-data/cube#DataSet")))
    assert {str(d).rsplit("/", 1)[1] for d in datasets} == {"31224-t1"}
