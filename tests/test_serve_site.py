"""`mifi-rdf serve --site OUTDIR`: the built folder's files as written, and its catalog in the store.

Behind a reverse proxy, the catalog's download URLs are this server's paths: what it sends there
must be the bytes whose size and SHA-256 the catalog gives, or every harvester's check fails.
"""

from __future__ import annotations

import hashlib
import json
import urllib.parse

import pytest

from mifi_rdf.build.consolidated import consolidated_cubes
from test_serve import http

BASE = "https://w3id.org/mifi-rdf/"


@pytest.fixture(scope="module")
def server(tmp_path_factory, site):
    from servers import mifi_serve

    with mifi_serve(tmp_path_factory.mktemp("serve-site"), "--site", str(site), "--workers", "1") as url:
        yield url


def select(server: str, query: str) -> list[dict[str, str]]:
    status, _, body = http(f"{server}/sparql?{urllib.parse.urlencode({'query': query})}",
                           headers={"Accept": "application/sparql-results+json"})
    assert status == 200, body
    return [{k: v["value"] for k, v in b.items()} for b in json.loads(body)["results"]["bindings"]]


def test_every_download_has_the_size_and_checksum_the_served_catalog_gives(server, project):
    rows = select(server, """
        PREFIX dcat: <http://www.w3.org/ns/dcat#>
        PREFIX spdx: <http://spdx.org/rdf/terms#>
        SELECT ?url ?size ?sum ?type WHERE {
          ?catalog a dcat:Catalog ; dcat:dataset ?d . ?d dcat:distribution ?dist .
          ?dist dcat:downloadURL ?url ; dcat:byteSize ?size ; dcat:mediaType ?type ;
                spdx:checksum/spdx:checksumValue ?sum }""")
    # the [[format]] entries of catalog.toml; four files of each series' consolidated cube
    assert len(rows) == 9 * len(project.dataset_ids) + 4 * len(consolidated_cubes(project))
    for row in rows:
        status, headers, body = http(server + "/" + row["url"].removeprefix(BASE))
        assert status == 200, row["url"]
        assert len(body) == int(row["size"]), row["url"]
        assert hashlib.sha256(body).hexdigest() == row["sum"], row["url"]
        media = row["type"].rsplit("/media-types/", 1)[-1]
        assert headers["Content-Type"].split(";")[0] == media, row["url"]


def test_built_files_are_served_as_written(server, site):
    for path in ("catalog.ttl", "catalog.jsonld", "void.ttl", "ontology.ttl", "dataset/30952-t5.html"):
        status, _, body = http(f"{server}/{path}")
        assert (status, body) == (200, (site / path).read_bytes()), path
    assert http(f"{server}/")[2] == (site / "index.html").read_bytes()


def test_the_sources_the_catalog_names_are_served_with_their_checksum(server, site):
    rows = select(server, """
        PREFIX prov: <http://www.w3.org/ns/prov#>
        PREFIX spdx: <http://spdx.org/rdf/terms#>
        SELECT ?file ?sum WHERE { ?build prov:used ?file . ?file spdx:checksum/spdx:checksumValue ?sum }""")
    assert len(rows) == 14  # 5 letters, 7 reference tables, 2 READMEs
    for row in rows:
        status, headers, body = http(server + "/" + row["file"].removeprefix(BASE))
        assert status == 200 and hashlib.sha256(body).hexdigest() == row["sum"], row["file"]
    _, headers, body = http(f"{server}/sources/letters/25623.txt")
    assert headers["Content-Type"] == "text/plain; charset=utf-8"
    assert body == (site / "sources" / "letters" / "25623.txt").read_bytes()
    assert http(f"{server}/sources/reference/quebec_regions.csv")[1]["Content-Type"] == "text/csv; charset=utf-8"


def test_rdf_xml_is_offered_for_a_dataset_the_folder_has_no_rdf_xml_file_for(server):
    status, headers, _ = http(f"{server}/dataset/30952-t5", headers={"Accept": "application/rdf+xml"}, follow=False)
    assert (status, headers["Location"]) == (303, "30952-t5.rdf")
    status, headers, body = http(f"{server}/dataset/30952-t5.rdf")
    assert status == 200 and headers["Content-Type"] == "application/rdf+xml"
    assert b"30952-t5/obs/pstq-2025-12-04/FRA/invitations" in body


def test_the_catalog_uri_dereferences(server):
    status, headers, _ = http(f"{server}/catalog", headers={"Accept": "text/turtle"}, follow=False)
    assert (status, headers["Location"]) == (303, "catalog.ttl")
    page = http(f"{server}/catalog.html")[2].decode("utf-8")  # not built: described from the store
    assert "Catalog" in page or "Catalogue" in page


def test_resources_the_folder_lacks_are_still_described_from_the_store(server):
    status, _, body = http(f"{server}/code/country/FRA.ttl")
    assert status == 200 and b"France" in body


@pytest.mark.parametrize("path", ["/../pyproject.toml", "/%2e%2e/%2e%2e/etc/passwd", "/dataset/../../catalog.toml",
                                  "//etc/passwd", "/sources/../../pyproject.toml", "/sources/letters/%2e%2e/README.md/.."])
def test_nothing_outside_the_folder_is_read(server, path):
    assert http(server + path)[0] == 404
