"""`mifi-rdf build`: the published folder, its DCAT-AP catalog, VoID, CSV and web pages, read back
with independent parsers (rdflib, the csv module, pyshacl) and checked against the files on disk."""

from __future__ import annotations

import csv
import functools
import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pyshacl
import pytest
import rdflib
from rdflib.namespace import DCAT, DCTERMS, FOAF, PROV, RDF, SKOS, XSD

from conftest import ROOT, STANDARDS, run
from conftest import parse_rdf as parse
from mifi_rdf import __version__

BASE = "https://w3id.org/mifi-rdf/"
SPDX = rdflib.Namespace("http://spdx.org/rdf/terms#")
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
SCHEMA = rdflib.Namespace("https://schema.org/")
QB = rdflib.Namespace("http://purl.org/linked-data/cube#")
DCAT_AP = STANDARDS / "dcat-ap-3.0.1"
CKAN_CC_BY = rdflib.URIRef("http://www.opendefinition.org/licenses/cc-by")
ENDPOINT = "http://127.0.0.1:7878/query"


def build(outdir: Path, *options: str):
    result = run("build", str(outdir), *options)
    assert result.exit_code == 0, result.output
    return result


@functools.cache
def shapes(name: str) -> rdflib.Graph:
    """A DCAT-AP shapes file, parsed once. Given to pyshacl as a path, it is loaded into an rdflib
    Dataset through a deprecated API that warned some 94,000 times in this file."""
    return rdflib.Graph().parse(DCAT_AP / name, format="turtle")


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("build") / "site"
    build(out, "--sparql-endpoint", ENDPOINT)
    return out


@pytest.fixture(scope="session")
def catalog(built) -> rdflib.Graph:
    return rdflib.Graph().parse(built / "catalog.ttl", format="turtle")


@pytest.fixture(scope="session")
def datasets(catalog) -> list[rdflib.URIRef]:
    """The letters' datasets: not their versions (each a dcat:Dataset too, dcterms:isVersionOf its dataset) nor the
    series' consolidated cubes (tests/test_consolidated.py)."""
    cubes = set(catalog.subjects(DCTERMS.relation, None))
    return sorted(ds for ds in set(catalog.subjects(RDF.type, DCAT.Dataset)) - cubes
                  if catalog.value(ds, DCTERMS.isVersionOf) is None)


def local(built: Path, url) -> Path:
    assert str(url).startswith(BASE), url
    return built / str(url)[len(BASE):]


# ---------------------------------------------------------------------- the folder


def test_folder_has_every_part_and_a_progress_line_per_dataset(tmp_path, project):
    from mifi_rdf.build.config import Options, load_config
    from mifi_rdf.build.consolidated import consolidated_cubes
    from mifi_rdf.build.facts import gather_facts
    from mifi_rdf.build.history import History
    from mifi_rdf.render.website import Website

    result = build(tmp_path / "out")
    files = set(tree(tmp_path / "out"))
    rdf = {"catalog.ttl", "catalog.jsonld", "catalog.rdf", "void.ttl", "ontology.ttl", "codes.ttl", "datapackage.json",
           "release.json", "changes.json"}
    suffixes = (".ttl", ".jsonld", ".nt", ".csv", ".csv-metadata.json", ".xlsx", ".sdmx.csv", ".sdmx-structure.xml",
                ".sdmx.xml")
    data = {f"dataset/{ds}{suffix}" for ds in project.dataset_ids for suffix in suffixes}
    data |= {f"dataset/{ds}/v1/{ds}{suffix}" for ds in project.dataset_ids for suffix in suffixes}  # release 1
    for cube in consolidated_cubes(project):  # the series' cubes, current and release 1
        for suffix in (".ttl", ".jsonld", ".nt", ".csv"):
            data |= {f"dataset/{cube.dataset_id}{suffix}", f"dataset/{cube.dataset_id}/v1/{cube.dataset_id}{suffix}"}
    pages = set(Website(project, load_config(BASE, Options()), gather_facts(project),
                        history=History.read(tmp_path / "out")).paths())  # with the release's pages and feed
    assert {"index.html", "index.en.html", "dataset/30952-t5.html", "dataset/30952-t5.en.html", "style.css",
            "sitemap.xml", "robots.txt", "code/country/FRA.html", "series/pstq-invitations-by-country.html",
            "def/country.html"} <= pages
    for ds in project.dataset_ids:
        assert re.search(rf"^{ds}: \d+ cells$", result.output, re.M)
    sources = {p.relative_to(ROOT).as_posix() for p in (ROOT / "sources").rglob("*")
               if p.suffix in (".txt", ".csv", ".md")}
    assert files == rdf | data | pages | sources


def test_sources_are_published_byte_for_byte(built):
    """The letters' texts, the reference tables and their READMEs, at the paths their IRIs name."""
    for folder, pattern in (("letters", "*.txt"), ("reference", "*.csv")):
        originals = sorted((ROOT / "sources" / folder).glob(pattern))
        assert originals
        for original in [*originals, ROOT / "sources" / folder / "README.md"]:
            assert (built / "sources" / folder / original.name).read_bytes() == original.read_bytes()
    assert not list((built / "sources").rglob("*.py"))  # the generator of a reference table is not a source


def test_a_letter_whose_text_is_not_in_sources_is_refused(tmp_path, data_copy):
    toml = data_copy / "31224" / "letter.toml"
    lines = toml.read_text(encoding="utf-8").splitlines()
    n = next(i for i, line in enumerate(lines) if line.startswith("source_text"))
    lines[n] = 'source_text = "missing.txt"'
    toml.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run("--data", str(data_copy), "build", str(tmp_path / "site"))
    assert result.exit_code == 1
    assert f"31224/letter.toml:{n + 1}:1: source_text 'missing.txt' is not in sources/letters/" in result.output
    assert not (tmp_path / "site").exists()


@pytest.mark.parametrize("ds", ["30952-t5", "31180-t1", "30735-t1", "25623-t1", "31224-t1"])
def test_each_dataset_file_can_be_validated_alone(built, ds):
    """A download carries the structure and the codes it uses: it conforms without companion files."""
    for suffix in (".ttl", ".jsonld", ".nt"):
        result = run("validate", str(built / "dataset" / f"{ds}{suffix}"))
        assert result.exit_code == 0, result.output
        assert re.search(r"^0 violations, \d+ warnings?, \d+ notes?: conforms\.$", result.output, re.M), result.output


def test_a_dataset_file_carries_only_the_codes_it_reaches(built):
    """Its own countries, statuses and round, not the 249 countries or the 1,130 municipalities."""
    cube = rdflib.Graph().parse(built / "dataset" / "30952-t5.ttl")
    countries = {c for c in cube.subjects(SKOS.inScheme, rdflib.URIRef(BASE + "code/country"))}
    used = set(cube.objects(None, rdflib.URIRef(BASE + "def/country")))
    assert countries == used and len(used) == 25  # 23 countries, « Autres » and the total
    assert not set(cube.subjects(SKOS.inScheme, rdflib.URIRef(BASE + "code/municipality")))
    tops = set(cube.objects(rdflib.URIRef(BASE + "code/country"), SKOS.hasTopConcept))
    assert tops and tops <= countries  # nothing dangles
    mun = rdflib.Graph().parse(built / "dataset" / "31180-t1.ttl")
    montreal = rdflib.URIRef(BASE + "code/municipality/66023")
    region = mun.value(montreal, SKOS.broader)  # Montréal belongs to no MRC: its region
    assert str(mun.value(region, SKOS.prefLabel)) == "Montréal"


def test_build_twice_gives_byte_identical_trees(built, tmp_path):
    """Another process, another hash seed: not one byte differs."""
    again = tmp_path / "again"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run([sys.executable, "-m", "mifi_rdf", "build", str(again), "--sparql-endpoint", ENDPOINT],
                   check=True, env=env, capture_output=True)
    first, second = tree(built), tree(again)
    assert sorted(first) == sorted(second)
    assert [name for name in first if first[name] != second[name]] == []


def test_a_failing_build_leaves_the_previous_folder_untouched(tmp_path, data_copy):
    out = tmp_path / "site"
    build(out)
    before = tree(out)
    bad = data_copy / "30952" / "t1.csv"
    bad.write_text(bad.read_text(encoding="utf-8").replace(",96,", ",96.0,", 1), encoding="utf-8")
    result = run("--data", str(data_copy), "build", str(out))
    assert result.exit_code == 1
    assert "t1.csv:" in result.output and "96.0" in result.output
    assert tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "site"]  # no temporary folder left


def test_an_error_in_the_middle_of_writing_leaves_the_previous_folder_untouched(tmp_path, monkeypatch):
    out = tmp_path / "site"
    build(out, "--issued", "2026-07-01")
    before = tree(out)

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("mifi_rdf.build.folder.write_pages", broken)
    result = run("build", str(out))
    assert result.exit_code == 2  # an OSError is one line, not a traceback (issue 15)
    assert "error: disk full" in result.output
    assert tree(out) == before
    assert [p.name for p in tmp_path.iterdir()] == ["site"]


def test_refuses_to_replace_a_folder_it_did_not_build(tmp_path):
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    result = run("build", str(tmp_path))
    assert result.exit_code == 2
    assert "refusing to replace" in result.output
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"


# ---------------------------------------------------------------------- the catalog


@pytest.mark.parametrize("name,fmt", [("catalog.ttl", "turtle"), ("catalog.jsonld", "json-ld"), ("catalog.rdf", "xml")])
def test_catalog_conforms_to_dcat_ap_3(built, name, fmt):
    graph = parse(built / name, fmt)
    for rules in ("shacl/dcat-ap-SHACL.ttl", "html-shacl/shapes.ttl", "html-shacl/range.ttl"):
        conforms, _, text = pyshacl.validate(graph, shacl_graph=shapes(rules), inference="none")
        assert conforms, f"{rules}:\n{text}"


def test_every_format_of_the_catalog_states_each_statement_once(built):
    """Read without merging duplicates (a graph would hide them): the same statements, once each."""
    counts = {}
    for name, fmt in (("catalog.ttl", ox.RdfFormat.TURTLE), ("catalog.rdf", ox.RdfFormat.RDF_XML),
                      ("catalog.jsonld", ox.RdfFormat.JSON_LD)):
        triples = list(ox.parse(path=str(built / name), format=fmt, base_iri=BASE))
        assert len(triples) == len(set(triples)), f"{name} repeats statements"
        counts[name] = len(triples)
    assert len(set(counts.values())) == 1, counts
    sha256 = ox.NamedNode(str(SPDX.checksumAlgorithm_sha256))
    turtle = list(ox.parse(path=str(built / "catalog.ttl"), format=ox.RdfFormat.TURTLE))
    assert sum(1 for t in turtle if t.subject == sha256) == 1


def test_only_the_recommended_properties_listed_in_readme_are_missing(catalog):
    """README lists each one with its reason: availability, bounding box and centroid."""
    _, report, _ = pyshacl.validate(catalog, shacl_graph=shapes("html-shacl/shapes_recommended.ttl"),
                                    inference="none")
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    paths = {str(report.value(r, sh.resultPath)) for r in report.subjects(RDF.type, sh.ValidationResult)}
    assert paths == {"http://data.europa.eu/r5r/availability", str(DCAT.bbox), str(DCAT.centroid)}
    severities = set(report.objects(None, sh.resultSeverity))
    assert severities == {sh.Warning}


def test_every_distribution_size_and_checksum_match_the_file(built, catalog, project):
    distributions = list(catalog.subjects(RDF.type, DCAT.Distribution))
    # ttl jsonld nt csv csvw xlsx sdmx-csv sdmx-ml sdmx-ml-data, current and version 1's (dataset/ID/v1/); ttl jsonld
    # nt csv of each series' consolidated cube, current and version 1's too
    cubes = set(catalog.subjects(DCTERMS.relation, None))
    assert len(distributions) == 2 * 9 * len(project.dataset_ids) + 2 * 4 * len(cubes)
    for dist in distributions:
        path = local(built, catalog.value(dist, DCAT.downloadURL))
        assert catalog.value(dist, DCAT.accessURL) == catalog.value(dist, DCAT.downloadURL)
        data = path.read_bytes()
        size = catalog.value(dist, DCAT.byteSize)
        assert size.datatype == XSD.nonNegativeInteger and int(size) == len(data)
        checksum = catalog.value(dist, SPDX.checksum)
        assert catalog.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        assert str(catalog.value(checksum, SPDX.checksumValue)) == hashlib.sha256(data).hexdigest()
        assert catalog.value(dist, DCTERMS.license) == CKAN_CC_BY
        media = str(catalog.value(dist, DCAT.mediaType))
        assert media.startswith("https://www.iana.org/assignments/media-types/")
        assert str(catalog.value(dist, DCTERMS.format)).startswith(
            "http://publications.europa.eu/resource/authority/file-type/")


def test_every_dataset_is_described_in_french_and_english(catalog, datasets, project):
    assert datasets == sorted(rdflib.URIRef(f"{BASE}dataset/{ds}") for ds in project.dataset_ids)
    for ds in datasets:
        for prop in (DCTERMS.title, DCTERMS.description, DCAT.keyword):
            langs = {o.language for o in catalog.objects(ds, prop)}
            assert langs == {"fr", "en"}, (ds, prop)
        for word in catalog.objects(ds, DCAT.keyword):
            assert "," not in word
        assert str(catalog.value(ds, DCTERMS.identifier)) == str(ds).rsplit("/", 1)[1]
        assert (catalog.value(ds, DCTERMS.publisher), RDF.type, rdflib.FOAF.Agent) in catalog
        assert catalog.value(ds, DCAT.contactPoint) is not None
        assert catalog.value(ds, DCTERMS.conformsTo) == rdflib.URIRef("http://purl.org/linked-data/cube")


def test_dates_and_coverage_come_from_the_letters(catalog, project):
    ds = rdflib.URIRef(f"{BASE}dataset/30735-t1")
    assert catalog.value(ds, DCTERMS.issued) == rdflib.Literal("2026-03-26", datatype=XSD.date)
    period = catalog.value(ds, DCTERMS.temporal)
    assert str(catalog.value(period, DCAT.startDate)) == "2024-11-29"
    assert str(catalog.value(period, DCAT.endDate)) == "2026-02-28"
    region = catalog.value(ds, DCTERMS.spatial)
    assert region == rdflib.URIRef(f"{BASE}code/region/01")
    assert str(catalog.value(region, SKOS.prefLabel)) == "Bas-Saint-Laurent"
    prtq = rdflib.URIRef(f"{BASE}dataset/25623-t1")
    period = catalog.value(prtq, DCTERMS.temporal)
    assert (str(catalog.value(period, DCAT.startDate)), str(catalog.value(period, DCAT.endDate))) == (
        "2021-01-26", "2023-08-07")
    assert catalog.value(prtq, DCTERMS.spatial) == rdflib.URIRef("https://sws.geonames.org/6115047/")
    latest = max(letter.letter_date for letter in project.letters).isoformat()
    cat = rdflib.URIRef(BASE + "catalog")
    assert str(catalog.value(cat, DCTERMS.issued)) == latest


def test_issued_and_license_options(tmp_path):
    build(tmp_path / "o", "--issued", "2026-07-01", "--license", "https://creativecommons.org/licenses/by/4.0/")
    g = rdflib.Graph().parse(tmp_path / "o" / "catalog.ttl")
    assert str(g.value(rdflib.URIRef(BASE + "catalog"), DCTERMS.issued)) == "2026-07-01"
    licenses = set(g.objects(None, DCTERMS.license))
    assert licenses == {rdflib.URIRef("https://creativecommons.org/licenses/by/4.0/")}


def test_provenance_names_the_letter_the_table_and_the_software(catalog, datasets):
    activity = rdflib.URIRef(BASE + "build")
    assert (activity, RDF.type, PROV.Activity) in catalog
    software = catalog.value(activity, PROV.wasAssociatedWith)
    assert str(catalog.value(software, SCHEMA.softwareVersion)) == __version__
    for ds in datasets:
        ref, table = str(ds).rsplit("/", 1)[1].split("-")
        sources = set(catalog.objects(ds, PROV.wasDerivedFrom))
        assert {rdflib.URIRef(f"{BASE}letter/{ref}"), rdflib.URIRef(f"{BASE}letter/{ref}/table/{table}"),
                rdflib.URIRef(f"{BASE}sources/letters/{ref}.txt")} <= sources
        assert catalog.value(ds, PROV.wasGeneratedBy) == activity
    country = rdflib.URIRef(f"{BASE}dataset/30952-t1")
    assert {str(s) for s in catalog.objects(country, PROV.wasDerivedFrom) if "/reference/" in str(s)} == {
        f"{BASE}sources/reference/iso3166_countries.csv", f"{BASE}sources/reference/countries_fr.csv"}


def test_the_catalog_describes_every_source_file_with_its_checksum(built, catalog):
    """The build used them; each is a document a user can fetch and check."""
    activity = rdflib.URIRef(BASE + "build")
    used = {str(u)[len(BASE):] for u in catalog.objects(activity, PROV.used) if str(u).startswith(BASE + "sources/")}
    on_disk = {p.relative_to(built).as_posix() for p in (built / "sources").rglob("*") if p.is_file()}
    assert used == on_disk and len(on_disk) == 5 + 7 + 2
    for rel in on_disk:
        doc = rdflib.URIRef(BASE + rel)
        assert (doc, RDF.type, FOAF.Document) in catalog
        assert {t.language for t in catalog.objects(doc, DCTERMS.title)} == {"fr", "en"}
        checksum = catalog.value(doc, SPDX.checksum)
        assert str(catalog.value(checksum, SPDX.checksumValue)) == hashlib.sha256((built / rel).read_bytes()).hexdigest()
    media = {rel.rsplit(".", 1)[1]: str(catalog.value(rdflib.URIRef(BASE + rel), DCTERMS.format)) for rel in on_disk}
    assert media == {"txt": "https://www.iana.org/assignments/media-types/text/plain",
                     "csv": "https://www.iana.org/assignments/media-types/text/csv",
                     "md": "https://www.iana.org/assignments/media-types/text/markdown"}


# ---------------------------------------------------------------------- VoID, CSV, schema.org


def test_void_counts_the_triples_of_each_dump(built):
    void = rdflib.Graph().parse(built / "void.ttl")
    subsets = list(void.objects(rdflib.URIRef(BASE + "void"), VOID.subset))
    assert len(subsets) == 15
    total = 0
    for ds in subsets:
        dump = rdflib.Graph().parse(local(built, void.value(ds, VOID.dataDump)), format="nt")
        assert int(void.value(ds, VOID.triples)) == len(dump)
        total += len(dump)
        example = void.value(ds, VOID.exampleResource)
        assert (example, RDF.type, QB.Observation) in dump
        assert rdflib.URIRef(str(QB)) in set(void.objects(ds, VOID.vocabulary))
        assert str(void.value(ds, VOID.sparqlEndpoint)) == ENDPOINT
    assert int(void.value(rdflib.URIRef(BASE + "void"), VOID.triples)) == total


@pytest.mark.parametrize("ds", ["30735-t2", "31224-t1", "30952-t5"])
def test_csv_rows_are_the_observations_of_the_cube(built, ds):
    meta = json.loads((built / "dataset" / f"{ds}.csv-metadata.json").read_text(encoding="utf-8"))
    with (built / "dataset" / f"{ds}.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == [c["name"] for c in meta["tableSchema"]["columns"]]
    cube = rdflib.Graph().parse(built / "dataset" / f"{ds}.ttl")
    observations = set(cube.subjects(RDF.type, QB.Observation))
    assert len(rows) == len(observations)
    template = meta["tableSchema"]["aboutUrl"]
    for row in rows:
        obs = rdflib.URIRef(re.sub(r"\{(\w+)\}", lambda m, row=row: row[m[1]], template))
        assert obs in observations
        value = cube.value(obs, rdflib.URIRef(f"{BASE}def/{row['measure']}"))
        assert (row["value"] or None) == (None if value is None else str(value))
        assert row["status_en"] and row["status_fr"]
    blanked = [r for r in rows if r["value"] == ""]
    if ds == "30735-t2":
        assert blanked and {(r["status"], r["status_en"]) for r in blanked} == {("confidential", "suppressed value")}


def test_landing_page_carries_schema_org_consistent_with_the_catalog(built, catalog):
    page = (built / "dataset" / "30952-t5.html").read_text(encoding="utf-8")
    script = re.search(r'<script type="application/ld\+json">\n(.*?)\n</script>', page, re.S)[1]
    doc = json.loads(script)
    assert doc["@context"] == "https://schema.org/"
    doc["@context"] = {"@vocab": "https://schema.org/"}  # what the remote context says, without the network
    g = parse(json.dumps(doc), "json-ld")
    ds = rdflib.URIRef(f"{BASE}dataset/30952-t5")
    assert (ds, RDF.type, SCHEMA.Dataset) in g
    assert set(g.objects(ds, SCHEMA.name)) == set(catalog.objects(ds, DCTERMS.title))
    assert set(g.objects(ds, SCHEMA.keywords)) == set(catalog.objects(ds, DCAT.keyword))
    downloads = {g.value(d, SCHEMA.contentUrl) for d in g.objects(ds, SCHEMA.distribution)}
    urls = {catalog.value(d, DCAT.downloadURL) for d in catalog.objects(ds, DCAT.distribution)}
    assert {str(u) for u in downloads} == {str(u) for u in urls}
    assert str(g.value(ds, SCHEMA.temporalCoverage)) == "2025-12-04/2025-12-04"
    assert str(g.value(ds, SCHEMA.license)) == str(CKAN_CC_BY)


@pytest.mark.parametrize("ds", ["25623-t1", "31180-t1"])
def test_dataset_files_hold_the_same_triples_in_each_format(built, ds):
    from rdflib.compare import isomorphic

    nt = rdflib.Graph().parse(built / "dataset" / f"{ds}.nt", format="nt")
    for suffix, fmt in ((".ttl", "turtle"), (".jsonld", "json-ld")):
        assert isomorphic(parse(built / "dataset" / f"{ds}{suffix}", fmt), nt)
    letter = rdflib.URIRef(f"{BASE}letter/{ds.split('-')[0]}")
    assert (letter, RDF.type, rdflib.URIRef(f"{BASE}def/AccessDecision")) in nt


def test_a_malformed_catalog_toml_is_named_with_line_and_column(tmp_path, data_copy):
    path = data_copy / "catalog.toml"
    lines = path.read_text(encoding="utf-8").splitlines()
    n = next(i for i, line in enumerate(lines) if line.startswith("homepage"))
    lines[n] = 'homepage = "index.html'
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run("--data", str(data_copy), "build", str(tmp_path / "site"))
    assert result.exit_code == 1
    assert re.search(rf"catalog\.toml:{n + 1}:\d+: invalid TOML", result.output), result.output
    assert not (tmp_path / "site").exists()
