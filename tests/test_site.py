"""A built folder as publish and serve read it: its catalog, refused when it is not this project's."""

from __future__ import annotations

import datetime as dt

import pytest

from mifi_rdf.build.config import Options
from mifi_rdf.build.site import built_catalog, open_site
from mifi_rdf.errors import UsageError
from mifi_rdf.project import Project


def test_the_catalog_built_in_a_temporary_folder_is_the_one_build_writes(site, project):
    """publish without --site relies on it: builds are deterministic, so the checksums are the files'."""
    assert built_catalog(project, Options()) == open_site(project, site).catalog


def test_options_reach_the_temporary_catalog(project):
    triples = built_catalog(project, Options(issued=dt.date(2026, 1, 2)))
    issued = {t.object.value for t in triples if t.predicate.value == "http://purl.org/dc/terms/issued"
              and t.subject.value == project.vocab.base + "catalog"}
    assert issued == {"2026-01-02"}


def test_every_file_is_listed_by_its_url_path(site, project):
    files = open_site(project, site).files
    assert "/catalog.ttl" in files and "/dataset/30952-t5.csv-metadata.json" in files
    assert len(files) == sum(1 for p in site.rglob("*") if p.is_file())
    assert all(files[f"/{p.relative_to(site).as_posix()}"] == p for p in site.rglob("*") if p.is_file())


def test_a_folder_without_catalog_is_refused(tmp_path, project):
    (tmp_path / "index.html").write_text("not built")
    with pytest.raises(UsageError, match="has no catalog.ttl: give a folder written by `mifi-rdf build`"):
        open_site(project, tmp_path)


def test_a_folder_built_from_other_data_is_refused(site, project):
    fewer = Project(project.vocab, [letter for letter in project.letters if letter.tables[0].dataset_id != "31224-t1"])
    # 31224-t1, and the consolidated cube of its series, which no table of `fewer` fits
    with pytest.raises(UsageError, match=r"not in it: none; only in it: https://w3id.org/mifi-rdf/dataset/31224-t1, "
                                         r"https://w3id.org/mifi-rdf/dataset/pstq-applications-certificates-by-month\)"):
        open_site(fewer, site)
