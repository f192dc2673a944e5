"""`mifi-rdf serve --site` over a released folder (issue 20): every version's files resolve, a version's IRI answers
303 to them, and a withdrawn dataset answers 410 Gone with its withdrawal notice. A real server, real HTTP.

The released folder is the one `build` wrote (the `site` fixture) given a history by hand, as build/release.py
would: a second version of 30952 table 5 (its first version's files kept under dataset/30952-t5/v1/, byte for
byte those of the first build, here a copy with one figure changed), and a test dataset `99999-t1` (never in
data/) withdrawn, its versioned files kept and its notice page written by render/.
"""

from __future__ import annotations

import re
import shutil

import pytest

from mifi_rdf.build.config import Options, load_config, version_path
from mifi_rdf.build.facts import gather_facts
from mifi_rdf.build.history import FILE, Changes, DatasetHistory, History, Version, Withdrawal
from mifi_rdf.build.site import open_site
from mifi_rdf.errors import UsageError
from mifi_rdf.render.website import Website
from test_serve import http

BASE = "https://w3id.org/mifi-rdf/"
GONE = "99999-t1"


def released_history(project) -> History:
    tables = {t.dataset_id: t for letter in project.letters for t in letter.tables}
    ids = list(project.dataset_ids)
    r1 = Changes("2026-01", "2026-01-15", None, added=sorted([*ids, GONE]))
    r2 = Changes("2026-02", "2026-02-10", "2026-01", metadata={"30952-t5": ["figures"]}, withdrawn=[GONE])
    datasets = {x: DatasetHistory(x, tables[x].title_fr, tables[x].title_en, "2026-01-15",
                                  [Version(1, "2026-01", "2026-01-15", "sha256:" + "1" * 64, "Première.", "First.")])
                for x in ids}
    datasets["30952-t5"].versions.append(Version(2, "2026-02", "2026-02-10", "sha256:" + "2" * 64, "Corrigée.", "Corrected."))
    datasets[GONE] = DatasetHistory(GONE, "Tableau d'essai", "Test table", "2026-01-15",
                                    [Version(1, "2026-01", "2026-01-15", "sha256:" + "3" * 64, "Première.", "First.")],
                                    Withdrawal("2026-02", "2026-02-10", "Tableau d'essai retiré.", "Test table withdrawn.",
                                               ("30952-t5",)))
    return History([r1, r2], datasets)


@pytest.fixture(scope="module")
def released(tmp_path_factory, site, project):
    root = tmp_path_factory.mktemp("released") / "site"
    shutil.copytree(site, root)
    history = released_history(project)
    config = load_config(BASE, Options())
    for fmt in config.formats:
        current = root / f"dataset/30952-t5{fmt.suffix}"
        for n in (1, 2):
            target = root / version_path("30952-t5", n, fmt)
            target.parent.mkdir(parents=True, exist_ok=True)
            data = current.read_bytes()
            target.write_bytes(data.replace(b"418", b"417") if n == 1 else data)  # v1 differs from the current files
        gone = root / version_path(GONE, 1, fmt)
        gone.parent.mkdir(parents=True, exist_ok=True)
        gone.write_bytes((root / f"dataset/30952-t8{fmt.suffix}").read_bytes())
    (root / FILE).write_bytes(history.to_json())
    website = Website(project, config, gather_facts(project), history=history)
    for path in (f"dataset/{GONE}.html", f"dataset/{GONE}.en.html", "feed.xml"):
        (root / path).write_bytes(website.render(path))
    return root


@pytest.fixture(scope="module")
def server(tmp_path_factory, released):
    from servers import mifi_serve

    with mifi_serve(tmp_path_factory.mktemp("serve-released"), "--site", str(released), "--workers", "1") as url:
        yield url


def test_every_version_file_resolves_byte_for_byte(server, released):
    config = load_config(BASE, Options())
    for dataset_id, n in (("30952-t5", 1), ("30952-t5", 2), (GONE, 1)):
        for fmt in config.formats:
            path = version_path(dataset_id, n, fmt)
            status, _, body = http(f"{server}/{path}")
            assert (status, body) == (200, (released / path).read_bytes()), path
    assert http(f"{server}/{version_path('30952-t5', 1, config.format('ttl'))}")[2] != http(f"{server}/dataset/30952-t5.ttl")[2]


@pytest.mark.parametrize(("accept", "location"), [
    ("text/turtle", "v1/30952-t5.ttl"), ("application/ld+json", "v1/30952-t5.jsonld"),
    ("application/n-triples", "v1/30952-t5.nt"), ("text/html", "../30952-t5.html#v1"), (None, "v1/30952-t5.ttl")])
def test_a_version_iri_answers_303_to_its_files(server, accept, location):
    status, headers, _ = http(f"{server}/dataset/30952-t5/v1", headers={"Accept": accept} if accept else {}, follow=False)
    assert (status, headers["Location"]) == (303, location)
    assert headers["Vary"] == "Accept"
    status, _, body = http(f"{server}/dataset/30952-t5/v1", headers={"Accept": accept} if accept else {})
    assert status == 200 and body


def test_a_version_the_history_does_not_know_is_not_found(server):
    assert http(f"{server}/dataset/30952-t5/v3", follow=False)[0] == 404
    assert http(f"{server}/dataset/30952-t5/v1", headers={"Accept": "image/png"}, follow=False)[0] == 406


@pytest.mark.parametrize("path", [f"/dataset/{GONE}", f"/dataset/{GONE}.html", f"/dataset/{GONE}.ttl",
                                  f"/dataset/{GONE}.csv", f"/dataset/{GONE}.xlsx", f"/dataset/{GONE}.jsonld"])
def test_a_withdrawn_dataset_answers_410_with_its_notice(server, released, path):
    for accept in ("text/html", "text/turtle", "application/ld+json"):
        status, headers, body = http(server + path, headers={"Accept": accept}, follow=False)
        assert status == 410, (path, accept)
        assert headers["Content-Type"] == "text/html; charset=utf-8"
        assert body == (released / f"dataset/{GONE}.html").read_bytes()
        assert "Tableau d&#39;essai retiré." in body.decode()


def test_the_english_notice_is_gone_too_and_head_says_so(server, released):
    status, _, body = http(f"{server}/dataset/{GONE}.en.html")
    assert status == 410 and body == (released / f"dataset/{GONE}.en.html").read_bytes()
    assert "Test table withdrawn." in body.decode()
    assert http(f"{server}/dataset/{GONE}", method="HEAD")[0] == 410


def test_current_datasets_still_answer_as_before(server, released):
    status, headers, _ = http(f"{server}/dataset/30952-t5", headers={"Accept": "text/turtle"}, follow=False)
    assert (status, headers["Location"]) == (303, "30952-t5.ttl")
    assert http(f"{server}/dataset/30952-t5.ttl")[2] == (released / "dataset/30952-t5.ttl").read_bytes()
    status, headers, body = http(f"{server}/release.json")
    assert (status, headers["Content-Type"], body) == (200, "application/json", (released / FILE).read_bytes())
    status, headers, body = http(f"{server}/feed.xml")
    assert (status, headers["Content-Type"], body) == (200, "application/atom+xml", (released / "feed.xml").read_bytes())
    assert http(f"{server}/dataset/30952-t5.csv-metadata.json")[1]["Content-Type"] == "application/csvm+json"


@pytest.mark.parametrize("text", ["{}", "not json", '{"format": 1, "releases": [{}], "datasets": {}}'])
def test_a_malformed_history_is_refused_naming_the_file(tmp_path, site, project, text):
    root = tmp_path / "site"
    root.mkdir()
    shutil.copy(site / "catalog.ttl", root)  # what open_site reads before the history
    (root / FILE).write_text(text, encoding="utf-8")
    with pytest.raises(UsageError, match=rf"^{re.escape(str(root / FILE))}: not a release history mifi-rdf wrote"):
        open_site(project, root)
