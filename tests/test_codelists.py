"""The reference code lists are generated from sources/reference, never edited by hand, and every
concept of every code list has a French and an English label."""

from __future__ import annotations

from conftest import REFERENCE, ROOT
from mifi_rdf.codelists import write_reference_codelists

GENERATED = ["countries.ttl", "regions.ttl", "mrc.ttl", "municipalities.ttl"]

def test_committed_code_lists_match_the_reference(tmp_path):
    written = write_reference_codelists(REFERENCE, tmp_path)
    assert sorted(p.name for p in written) == sorted(GENERATED)
    for name in GENERATED:
        assert (tmp_path / name).read_bytes() == (ROOT / "ontology" / "codes" / name).read_bytes(), name

def test_every_concept_has_french_and_english_labels(graph):
    q = """
    PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
    SELECT ?c (SUM(IF(lang(?l) = "fr", 1, 0)) AS ?fr) (SUM(IF(lang(?l) = "en", 1, 0)) AS ?en) WHERE {
      ?c a skos:Concept . OPTIONAL { ?c skos:prefLabel ?l }
    } GROUP BY ?c"""
    missing = [str(r.c) for r in graph.query(q) if int(r.fr) != 1 or int(r.en) != 1]
    assert missing == []

def test_sizes_of_the_reference_lists(graph):
    q = """
    PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
    SELECT ?s (COUNT(?c) AS ?n) WHERE { ?c skos:inScheme ?s FILTER NOT EXISTS { ?c skos:notation ?x FILTER(STRSTARTS(?x, "_")) } }
    GROUP BY ?s"""
    sizes = {str(r.s).rsplit("/", 1)[1]: int(r.n) for r in graph.query(q)}
    # 32 labels in countries_fr.csv, of which Haiti and Bésil are variants of HTI and BRA: 30 countries
    assert (sizes["country"], sizes["region"], sizes["mrc"], sizes["municipality"]) == (30, 17, 88, 1130)
    assert sizes["round"] == 48
