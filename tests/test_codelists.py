"""The reference code lists are generated from sources/reference, never edited by hand, and every
concept of every code list has a French and an English label."""

from __future__ import annotations

import csv
import shutil
import subprocess

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, SKOS

from conftest import REFERENCE, ROOT, run
from mifi_rdf.codelists import ReferenceError, write_reference_codelists

BASE = "https://w3id.org/mifi-rdf/"

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
    # every ISO 3166-1 country (249 in pycountry 26.2.16), not only the 30 of the letters
    assert (sizes["country"], sizes["region"], sizes["mrc"], sizes["municipality"]) == (249, 17, 88, 1130)
    assert sizes["round"] == 48


def country(code: str) -> URIRef:
    return URIRef(f"{BASE}code/country/{code}")


def test_every_country_of_the_letters_keeps_its_iri_and_its_printed_labels(graph):
    """The 30 countries of the letters keep the IRI they had; each printed label is a label of its country."""
    with (REFERENCE / "countries_fr.csv").open(encoding="utf-8", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["iso_alpha3"]]
    assert len({r["iso_alpha3"] for r in rows}) == 30
    for row in rows:
        concept = country(row["iso_alpha3"])
        labels = {lit for p in (SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel) for lit in graph.objects(concept, p)}
        assert Literal(row["label_fr"], lang="fr") in labels, row["label_fr"]


def test_iso_names_are_preferred_and_mifi_spellings_kept_beside_them(graph):
    cod = country("COD")
    assert set(graph.objects(cod, SKOS.prefLabel)) == {Literal("République démocratique du Congo", lang="fr"),
                                                       Literal("Congo, The Democratic Republic of the", lang="en")}
    assert Literal("Congo (Rép. dém. du)", lang="fr") in set(graph.objects(cod, SKOS.altLabel))
    assert Literal("Haiti", lang="fr") in set(graph.objects(country("HTI"), SKOS.altLabel))
    # a typo leads to its country but is never offered as a name of it
    assert set(graph.objects(country("BRA"), SKOS.hiddenLabel)) == {Literal("Bésil", lang="fr")}
    assert not set(graph.objects(country("BRA"), SKOS.altLabel))
    notes = {(n.language, str(n)) for n in graph.objects(country("BRA"), SKOS.editorialNote)}
    assert {lang for lang, _ in notes} == {"fr", "en"} and all("Bésil" in text for _, text in notes)
    # a country no letter names, with its French name from pycountry and the common name beside it
    assert Literal("Corée, République de", lang="fr") in set(graph.objects(country("KOR"), SKOS.prefLabel))
    assert Literal("Corée du Sud", lang="fr") in set(graph.objects(country("KOR"), SKOS.altLabel))
    assert (country("_O"), SKOS.prefLabel, Literal("Autres", lang="fr")) in graph


def test_code_lists_cite_their_reference_files_as_iris(graph):
    sources = {str(s.rsplit("/", 1)[1]): set(graph.objects(s, DCTERMS.source))
               for s in graph.subjects(SKOS.hasTopConcept, None)}
    assert sources["country"] == {URIRef(f"{BASE}sources/reference/iso3166_countries.csv"),
                                  URIRef(f"{BASE}sources/reference/countries_fr.csv")}
    assert sources["region"] == {URIRef(f"{BASE}sources/reference/quebec_regions.csv")}
    municipality = URIRef(f"{BASE}code/municipality")
    assert set(graph.objects(municipality, DCTERMS.source)) == {URIRef(f"{BASE}sources/reference/quebec_municipalities.csv")}
    for scheme in (URIRef(f"{BASE}code/country"), municipality):
        assert {c.language for c in graph.objects(scheme, URIRef("http://www.w3.org/2000/01/rdf-schema#comment"))} == {"fr", "en"}


def test_no_path_outside_the_repository_in_the_ontology():
    found = subprocess.run(["git", "grep", "-n", "-E", r"shared/|/work/|\.\./", "--", "ontology/", "shapes/"],
                           cwd=ROOT, capture_output=True, text=True)
    assert found.returncode == 1, found.stdout  # 1: nothing found


@pytest.fixture()
def reference_copy(tmp_path):
    dest = tmp_path / "reference"
    shutil.copytree(REFERENCE, dest)
    return dest


def edit_row(path, key: str, value: str, column: str, new: str) -> None:
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        fields, rows = reader.fieldnames, list(reader)
    for row in rows:
        if row[key] == value:
            row[column] = new
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


@pytest.mark.parametrize("key,value,column,new,message", [
    ("label_fr", "Bésil", "spelling", "iso", "spelling of 'Bésil' should be variant or misspelling"),
    ("label_fr", "Haïti", "spelling", "variant", "spelling of 'Haïti' should be iso"),
    ("label_fr", "France", "iso_numeric", "251", "iso_numeric '251' differs from iso3166_countries.csv's numeric '250'"),
    ("label_fr", "France", "iso_alpha3", "FRX", "FRX is not an ISO 3166-1 code"),
])
def test_the_letters_labels_must_agree_with_iso(reference_copy, tmp_path, key, value, column, new, message):
    edit_row(reference_copy / "countries_fr.csv", key, value, column, new)
    with pytest.raises(ReferenceError, match=message.replace("(", r"\(").replace(")", r"\)")):
        write_reference_codelists(reference_copy, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_codelists_command_reads_sources_reference_by_default(tmp_path):
    result = run("codelists", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "countries.ttl").read_bytes() == (ROOT / "ontology" / "codes" / "countries.ttl").read_bytes()


def test_cldr_french_names_are_alternative_labels(graph):
    """The short French names people write (CLDR's, through babel), beside ISO's formal ones."""
    for code, name in [("RUS", "Russie"), ("KOR", "Corée du Sud"), ("SYR", "Syrie"), ("IRN", "Iran"), ("MDA", "Moldavie"),
                       ("TZA", "Tanzanie"), ("BOL", "Bolivie"), ("COG", "Congo-Brazzaville")]:
        labels = {lit for p in (SKOS.prefLabel, SKOS.altLabel) for lit in graph.objects(country(code), p)}
        assert Literal(name, lang="fr") in labels, (code, name)
    scheme = URIRef(f"{BASE}code/country")
    comment = next(c for c in graph.objects(scheme, URIRef("http://www.w3.org/2000/01/rdf-schema#comment")) if c.language == "en")
    assert "Unicode CLDR 49 (babel 2.19.0 package)" in comment


def test_a_cldr_name_that_is_another_countrys_label_is_left_out_and_said():
    """A machine never picks between homonyms: a CLDR name equal (accents aside) to another code's label is not added."""
    from mifi_rdf.codelists import countries

    skipped: list[str] = []
    concepts = {c.notation: c for c in countries(REFERENCE, {"NG": "Niger", "RU": "Russie", "CM": "Cameroun"}, skipped)}
    assert skipped == ["« Niger » (CLDR's French name of NGA) not added: also a label of NER"]
    alt = lambda code: [o for p, objs in concepts[code].props if p == "skos:altLabel" for o in objs]  # noqa: E731
    assert '"Niger"@fr' not in alt("NGA") and '"Russie"@fr' in alt("RUS")
    assert '"Cameroun"@fr' not in alt("CMR")  # already its ISO name: not repeated
