"""A scripted sequence of releases (issue 20), each `build --previous` the one before, on copies in tmp_path.

Step 0: the letters → A. Step 1: test letter 40001 (tests/releases/: two new rounds, made-up figures) → B.
Step 2: test letter 40002 revising 30952 table 5 (France 418 → 421, Tunisie 241 → 239, total 1876 → 1877) → C.
Step 3: 40001 table 2 removed from the data and declared in data/withdrawn.toml, replaced by 40001-t1 → D.
The default run uses letter 30952 alone as step 0 (the letter the others revise: every assertion holds) and
builds without validating first; the `slow` run starts from the five letters of data/, validated, and adds the
rebuild compared byte for byte and the DCAT-AP 3.0.1 shapes.
"""

from __future__ import annotations

import hashlib
import html.parser
import json
import re
import shutil
import urllib.parse
from pathlib import Path

import pyoxigraph as ox
import pyshacl
import pytest
import rdflib

from conftest import ROOT, STANDARDS, run

RELEASES = ROOT / "tests" / "releases"
BASE = "https://w3id.org/mifi-rdf/"
CUBE = "pstq-invitations-by-country"  # the series' consolidated cube the sequence grows (build/consolidated.py)
FORMATS = (".ttl", ".jsonld", ".nt", ".csv", ".csv-metadata.json", ".xlsx", ".sdmx.csv", ".sdmx.xml",
           ".sdmx-structure.xml")
# step 3's data/withdrawn.toml: a comment line, then the example of docs/releases.md (« Withdrawn datasets »), so the
# page shows a declaration that works
WITHDRAWN = "# Datasets that left the data (docs/releases.md).\n" + re.search(
    r"^```toml\n(\[\[withdrawn\]\]\n.*?)^```", (ROOT / "docs" / "releases.md").read_text(encoding="utf-8"), re.M | re.S).group(1)


def files_under(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


class Sequence:
    """The project copy in tmp_path and the folders built from it, step by step."""

    def __init__(self, root: Path, letters: list[str], validate: bool) -> None:
        self.root = root
        self.validate = validate
        self.data = root / "data"
        self.data.mkdir()
        for ref in letters:
            shutil.copytree(ROOT / "data" / ref, self.data / ref)
        shutil.copy(ROOT / "data" / "catalog.toml", self.data)
        self.ontology = Path(shutil.copytree(ROOT / "ontology", root / "ontology"))
        self.letters = root / "sources" / "letters"  # beside data/: build publishes the letters' texts found there
        self.letters.mkdir(parents=True)

    def build(self, name: str, *options: str):
        checks = () if self.validate else ("--no-validate",)
        return run("--data", str(self.data), "--ontology", str(self.ontology), "build", str(self.root / name), *checks,
                   *options)

    def add_letter(self, ref: str) -> None:
        shutil.copytree(RELEASES / ref, self.data / ref)
        shutil.copy(RELEASES / f"{ref}.txt", self.letters)

    def add_rounds(self) -> None:
        rounds = self.ontology / "codes" / "rounds.ttl"
        text = rounds.read_text(encoding="utf-8")
        top = "<code/round/pstq-2026-03-20>, "
        assert top in text
        text = text.replace(top, top + "<code/round/pstq-2026-04-09>, <code/round/pstq-2026-04-23>, ", 1)
        rounds.write_text(text + "\n" + (RELEASES / "rounds.ttl").read_text(encoding="utf-8"), encoding="utf-8")

    def remove_table(self, ref: str, table: str) -> None:
        toml = self.data / ref / "letter.toml"
        text = toml.read_text(encoding="utf-8")
        start = text.index(f'[[table]]\nid = "{table}"')
        end = text.find("[[table]]", start + 1)
        toml.write_text(text[:start].rstrip("\n") + "\n" + (text[end:] if end > 0 else ""), encoding="utf-8")
        (self.data / ref / f"{table}.csv").unlink()


def history(folder: Path) -> dict:
    return json.loads((folder / "release.json").read_text(encoding="utf-8"))


def changes(folder: Path) -> dict:
    return json.loads((folder / "changes.json").read_text(encoding="utf-8"))


def catalog(folder: Path) -> ox.Store:
    store = ox.Store()
    store.load(path=str(folder / "catalog.ttl"), format=ox.RdfFormat.TURTLE, base_iri=BASE)
    return store


def select(store: ox.Store, query: str) -> list[tuple[str, ...]]:
    prefixes = ("PREFIX dcat: <http://www.w3.org/ns/dcat#> PREFIX dct: <http://purl.org/dc/terms/> "
                "PREFIX adms: <http://www.w3.org/ns/adms#> PREFIX spdx: <http://spdx.org/rdf/terms#> ")
    return sorted(tuple(term.value for term in row) for row in store.query(prefixes + query))


@pytest.fixture(scope="module", params=[pytest.param(["30952"], id="30952"),
                                        pytest.param(["25623", "30735", "30952", "31180", "31224"], id="five-letters",
                                                     marks=pytest.mark.slow)])
def sequence(request, tmp_path_factory) -> Sequence:
    s = Sequence(tmp_path_factory.mktemp("releases"), request.param, validate=len(request.param) > 1)
    s.refs = request.param
    s.results = {}
    s.results["A"] = s.build("A")
    s.add_letter("40001")
    s.add_rounds()
    s.results["B"] = s.build("B", "--previous", str(s.root / "A"))
    s.add_letter("40002")
    s.results["C"] = s.build("C", "--previous", str(s.root / "B"))
    s.remove_table("40001", "t2")
    (s.data / "withdrawn.toml").write_text(WITHDRAWN, encoding="utf-8")
    s.results["D-same-id"] = s.build("D", "--previous", str(s.root / "C"))  # C's date again: its id is taken
    s.results["D"] = s.build("D", "--previous", str(s.root / "C"), "--release", "2026-08")
    for name, result in s.results.items():
        if name != "D-same-id":
            assert result.exit_code == 0, (name, result.output)
    return s


def test_step_0_is_release_1_of_every_dataset(sequence):
    a = sequence.root / "A"
    h = history(a)
    first = h["releases"][0]
    assert len(h["releases"]) == 1 and first["previous"] is None
    assert first["release"] == first["date"] == ("2026-04-30" if sequence.refs == ["30952"] else "2026-06-11")
    assert CUBE in first["added"]
    assert first["added"] == sorted(h["datasets"]) and "30952-t5" in first["added"]
    assert first["revised"] == {} and first["withdrawn"] == []
    t5 = h["datasets"]["30952-t5"]
    assert t5["issued"] == "2026-04-30"  # the letter's date
    assert [(v["number"], v["release"], v["notes_fr"], v["notes_en"]) for v in t5["versions"]] == [
        (1, first["release"], "Premier versement.", "First release.")]
    nt = (a / "dataset" / "30952-t5.nt").read_bytes()
    assert t5["versions"][0]["digest"] == "sha256:" + hashlib.sha256(nt).hexdigest()
    for suffix in FORMATS:
        assert (a / f"dataset/30952-t5/v1/30952-t5{suffix}").read_bytes() == (a / f"dataset/30952-t5{suffix}").read_bytes()
    assert changes(a) == {"format": 1, **first}


def test_step_1_adds_the_new_rounds_and_changes_nothing_else(sequence):
    b = sequence.root / "B"
    c = changes(b)
    assert (c["release"], c["date"], c["previous"]) == ("2026-06-15", "2026-06-15", history(sequence.root / "A")[
        "releases"][0]["release"])
    assert c["added"] == ["40001-t1", "40001-t2"]
    assert c["revised"] == {} and c["metadata"] == {CUBE: ["periods added"]} and c["withdrawn"] == []
    assert "release 2026-06-15 (2026-06-15): 2 datasets added, 1 dataset changed." in sequence.results["B"].stderr
    h = history(b)
    assert [v["number"] for v in h["datasets"]["30952-t5"]["versions"]] == [1]  # its N-Triples did not change
    assert h["datasets"]["40001-t2"]["issued"] == "2026-06-15"


def test_step_2_lists_each_revised_cell_with_the_revising_letter(sequence):
    c = changes(sequence.root / "C")
    assert c["added"] == ["40002-t1"] and c["withdrawn"] == [] and c["metadata"] == {}
    cells = [(tuple(x["codes"]), x["measure"], x["old_value"], x["new_value"], x["old_status"], x["new_status"],
              x["letter"], x["dataset"]) for x in c["revised"]["30952-t5"]]
    assert cells == [
        (("pstq-2025-12-04", "FRA"), "invitations", "418", "421", "published", "published", "40002", "40002-t1"),
        (("pstq-2025-12-04", "TUN"), "invitations", "241", "239", "published", "published", "40002", "40002-t1"),
        (("pstq-2025-12-04", "_T"), "invitations", "1876", "1877", "total", "total", "40002", "40002-t1"),
    ]
    assert list(c["revised"]) == ["30952-t5", CUBE]
    # the series' cube copies the latest figure: its cells are revised too, stated by the revising letter's table
    assert [(tuple(x["codes"]), x["old_value"], x["new_value"], x["letter"], x["dataset"]) for x in c["revised"][CUBE]] \
        == [(cell[0], cell[2], cell[3], cell[6], cell[7]) for cell in cells]
    h = history(sequence.root / "C")
    assert [v["number"] for v in h["datasets"]["30952-t5"]["versions"]] == [1]  # revised by a later letter: same files
    assert h["datasets"]["30952-t5"]["versions"][0]["release"] == h["releases"][0]["release"]


def test_step_3_withdraws_a_declared_table_and_keeps_its_versions(sequence):
    root = sequence.root
    refused = sequence.results["D-same-id"]
    assert refused.exit_code == 2
    assert "release 2026-07-02 is already in --previous's history" in refused.stderr and "--release" in refused.stderr
    d = root / "D"
    c = changes(d)
    assert (c["release"], c["date"], c["previous"]) == ("2026-08", "2026-07-02", "2026-07-02")
    assert c["withdrawn"] == ["40001-t2"] and c["added"] == [] and c["revised"] == {}
    assert c["metadata"] == {CUBE: ["periods removed"]}  # the withdrawn table's round left the series' cube
    w = history(d)["datasets"]["40001-t2"]["withdrawn"]
    assert (w["release"], w["date"], w["replaced_by"]) == ("2026-08", "2026-07-02", ["40001-t1"])
    assert w["reason_en"].startswith("Draw published in error")
    assert not (d / "dataset" / "40001-t2.ttl").exists() and not (d / "dataset" / "40001-t2.csv").exists()
    for suffix in FORMATS:
        assert (d / f"dataset/40001-t2/v1/40001-t2{suffix}").read_bytes() == \
            (root / "B" / f"dataset/40001-t2{suffix}").read_bytes()


def test_every_earlier_versioned_file_stays_byte_identical(sequence):
    names = ["A", "B", "C", "D"]
    for n, earlier in enumerate(names):
        older = {k: v for k, v in files_under(sequence.root / earlier).items() if re.match(r"dataset/[^/]+/v\d+/", k)}
        assert older
        for later in names[n + 1:]:
            now = files_under(sequence.root / later)
            assert {k: now.get(k) for k in older} == older, (earlier, later)


def test_the_catalog_says_versions_dates_and_withdrawal(sequence):
    store = catalog(sequence.root / "D")
    t5 = f"{BASE}dataset/30952-t5"
    assert select(store, f"SELECT ?v ?cur ?i ?m WHERE {{ <{t5}> dcat:version ?v ; dcat:hasCurrentVersion ?cur ; "
                         "dct:issued ?i ; dct:modified ?m }") == [
        ("1", f"{t5}/v1", "2026-04-30", history(sequence.root / "A")["releases"][0]["date"])]
    assert bool(store.query("PREFIX dcat: <http://www.w3.org/ns/dcat#> PREFIX dct: <http://purl.org/dc/terms/> "
                            "PREFIX adms: <http://www.w3.org/ns/adms#> "
                            f"ASK {{ <{t5}/v1> a dcat:Dataset ; dct:isVersionOf <{t5}> ; dcat:version \"1\" ; "
                            "adms:versionNotes \"First release.\"@en, \"Premier versement.\"@fr . "
                            f"<{t5}> dcat:hasVersion <{t5}/v1> }}"))
    gone = f"{BASE}dataset/40001-t2"
    assert select(store, f"SELECT ?s ?r ?m WHERE {{ <{gone}> adms:status ?s ; dct:isReplacedBy ?r ; dct:modified ?m ; "
                         "dcat:hasVersion ?v }") == [
        ("http://purl.org/adms/status/Withdrawn", f"{BASE}dataset/40001-t1", "2026-07-02")]
    assert select(store, f"SELECT ?c WHERE {{ <{gone}> dcat:hasCurrentVersion ?c }}") == []
    # every distribution of a version: its versioned file, with the size and SHA-256 of the file as written
    rows = select(store, "SELECT ?url ?size ?sum WHERE { ?v dct:isVersionOf ?d ; dcat:distribution ?x . "
                         "?x dcat:downloadURL ?url ; dcat:byteSize ?size ; spdx:checksum/spdx:checksumValue ?sum }")
    cubes = {k for k, d in history(sequence.root / "D")["datasets"].items() if not k[0].isdigit()}
    assert CUBE in cubes  # a consolidated cube has four formats (ttl, nt, jsonld and its own csv), a table nine
    assert len(rows) == sum(len(d["versions"]) * (4 if k in cubes else 9)
                            for k, d in history(sequence.root / "D")["datasets"].items())
    for url, size, checksum in rows:
        data = (sequence.root / "D" / url.removeprefix(BASE)).read_bytes()
        assert re.search(r"/v\d+/", url) and (len(data), hashlib.sha256(data).hexdigest()) == (int(size), checksum)


def test_a_corrected_figure_bumps_the_version_and_names_the_cell(sequence, tmp_path):
    """A correction of data/ (30952 t4's France 78 → 79 and its total, its English title): version 2, the cells
    listed with the dataset's own letter, the title among the metadata. Not t5: the test letter 40002 restates its
    round, so correcting t5 alone would contradict 40002 (an error of the series' consolidated cube)."""
    data = Path(shutil.copytree(sequence.data, tmp_path / "data"))
    shutil.copytree(sequence.root / "sources", tmp_path / "sources")
    csv = data / "30952" / "t4.csv"
    text = csv.read_text(encoding="utf-8")
    assert "pstq-2025-08-28,FRA,invitations,78," in text and ",_T,invitations,239," in text
    csv.write_text(text.replace(",FRA,invitations,78,", ",FRA,invitations,79,").replace(
        ",_T,invitations,239,", ",_T,invitations,240,"), encoding="utf-8")
    toml = data / "30952" / "letter.toml"
    title = 'title_en = "PSTQ invitations by country of citizenship — draw of 28 August 2025"'
    assert title in toml.read_text(encoding="utf-8")
    toml.write_text(toml.read_text(encoding="utf-8").replace(title, title[:-1] + ' (corrected)"'), encoding="utf-8")
    out = Path(shutil.copytree(sequence.root / "D", tmp_path / "E"))  # built in place of PREV: nothing lost
    result = run("--data", str(data), "--ontology", str(sequence.ontology), "build", str(out), "--no-validate",
                 "--previous", str(out), "--release", "2026-09")
    assert result.exit_code == 0, result.output
    assert "release 2026-09 (2026-07-02): 2 datasets revised." in result.stderr  # the table and the series' cube
    c = changes(out)
    for k in ("30952-t4", CUBE):
        assert [(x["codes"][1], x["old_value"], x["new_value"], x["letter"], x["dataset"]) for x in c["revised"][k]] \
            == [("FRA", "78", "79", "30952", "30952-t4"), ("_T", "239", "240", "30952", "30952-t4")]
    assert history(out)["datasets"][CUBE]["versions"][-1]["notes_en"] == "2 figures revised."
    assert c["metadata"] == {"30952-t4": ["title_en"]}
    versions = history(out)["datasets"]["30952-t4"]["versions"]
    assert [(v["number"], v["release"], v["notes_fr"], v["notes_en"]) for v in versions][1:] == [
        (2, "2026-09", "2 figures révisées ; modifié : titre anglais.", "2 figures revised; changed: English title.")]
    assert history(out)["datasets"]["30952-t4"]["title_en"].endswith("(corrected)")
    assert (out / "dataset/30952-t4/v1/30952-t4.csv").read_bytes() == (sequence.root / "A" / "dataset/30952-t4.csv").read_bytes()
    assert (out / "dataset/30952-t4/v2/30952-t4.csv").read_bytes() == (out / "dataset/30952-t4.csv").read_bytes()
    store = catalog(out)
    t4 = f"{BASE}dataset/30952-t4"
    assert select(store, f"SELECT ?v ?cur ?prev ?m WHERE {{ <{t4}> dcat:version ?v ; dcat:hasCurrentVersion ?cur ; "
                         f"dct:modified ?m . ?cur dcat:previousVersion ?prev }}") == [
        ("2", f"{t4}/v2", f"{t4}/v1", "2026-07-02")]


@pytest.mark.slow
def test_a_rebuild_is_byte_identical(sequence):
    again = sequence.build("D-again", "--previous", str(sequence.root / "C"), "--release", "2026-08")
    assert again.exit_code == 0, again.output
    assert files_under(sequence.root / "D-again") == files_under(sequence.root / "D")


def test_no_change_is_prev_itself(sequence):
    same = sequence.build("E", "--previous", str(sequence.root / "D"), "--release", "2026-09")
    assert same.exit_code == 0, same.output
    assert "no change since release 2026-08" in same.stderr
    assert files_under(sequence.root / "E") == files_under(sequence.root / "D")


def test_an_undeclared_removal_and_bad_declarations_are_refused(sequence, tmp_path):
    data = Path(shutil.copytree(sequence.data, tmp_path / "data"))
    shutil.copytree(sequence.root / "sources", tmp_path / "sources")
    withdrawn = data / "withdrawn.toml"

    def build(*extra: str):
        return run("--data", str(data), "--ontology", str(sequence.ontology), "build", str(tmp_path / "out"),
                   "--no-validate", *extra)

    withdrawn.unlink()
    result = build("--previous", str(sequence.root / "C"), "--release", "x")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1].startswith("error: ") and "dataset 40001-t2 of the previous release is no " \
        "longer in the data: declare it in withdrawn.toml" in result.stderr.splitlines()[-1]
    assert "cells" not in result.stderr, "refused before any dataset is written"
    withdrawn.write_text(WITHDRAWN.replace("40001-t2", "40001-t1").replace('["40001-t1"]', "[]"), encoding="utf-8")
    result = build("--previous", str(sequence.root / "C"), "--release", "x")
    assert result.exit_code == 1 and "withdrawn.toml:2:1: dataset 40001-t1 is in the data" in result.stderr
    withdrawn.write_text(WITHDRAWN.replace("40001-t2", "40009-t1"), encoding="utf-8")
    result = build("--previous", str(sequence.root / "C"), "--release", "x")
    assert result.exit_code == 1 and "withdrawn.toml:2:1: dataset 40009-t1 was never published" in result.stderr
    withdrawn.write_text("[[withdrawn]]\ndataset = 3\n", encoding="utf-8")
    result = build("--previous", str(sequence.root / "C"), "--release", "x")
    assert result.exit_code == 1 and "withdrawn.toml:1:1: expected dataset, reason_fr and reason_en" in result.stderr
    withdrawn.unlink()  # D withdrew 40001-t2: its id published again is refused
    shutil.copytree(RELEASES / "40001", data / "40001", dirs_exist_ok=True)
    result = build("--previous", str(sequence.root / "D"), "--release", "x")
    assert result.exit_code == 1
    assert "letter.toml: dataset 40001-t2 was withdrawn in release 2026-08: a withdrawn dataset's id is never " \
        "published again" in result.stderr
    assert not (tmp_path / "out").exists(), "nothing written"


def test_previous_must_be_a_released_folder(sequence, tmp_path):
    result = sequence.build("X", "--previous", str(sequence.root / "D"), "--release", "../x")
    assert result.exit_code == 2 and "--release '../x': expected an id of letters, digits" in result.stderr
    plain = tmp_path / "plain"
    plain.mkdir()
    result = sequence.build("X", "--previous", str(plain))
    assert result.exit_code == 2 and "not a released folder: it has no release.json" in result.stderr
    (plain / "release.json").write_text('{"format": 1, "releases": [{"release": "x"}]}', encoding="utf-8")
    result = sequence.build("X", "--previous", str(plain))
    assert result.exit_code == 2 and "release.json: not a release.json written by mifi-rdf build" in result.stderr
    assert "key 'revised' is missing" in result.stderr
    good = (sequence.root / "D" / "release.json").read_text(encoding="utf-8")
    for text in [good.replace('"release": "2026-08"', '"release": "../2026-08"'),  # a release id: a file name of the pages
                 good.replace('"date": "2026-07-02"', '"date": "2 July"', 1),
                 good.replace('"format": 1,', '"format": 1,,', 1)]:
        (plain / "release.json").write_text(text, encoding="utf-8")
        result = sequence.build("X", "--previous", str(plain))
        line = result.stderr.strip().splitlines()[-1]
        assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert line.startswith(f"error: {plain / 'release.json'}:") and "Traceback" not in result.stderr, line
        found = re.match(r"error: .*release\.json:(\d+):(\d+): ", line)
        assert found and int(found.group(1)) > 0, line  # the line and column of what is wrong
        if "../2026-08" in text:
            assert "release id '../2026-08' is not one build writes" in line
            assert text.splitlines()[int(found.group(1)) - 1][int(found.group(2)) - 1:].startswith('"../2026-08"')
        elif "2 July" in text:
            assert "date '2 July' is not an ISO date" in line
        else:
            assert "not JSON (" in line
    assert not (sequence.root / "X").exists()


def test_a_release_dated_before_prev_is_refused(sequence):
    result = sequence.build("X", "--previous", str(sequence.root / "D"), "--issued", "2026-07-01", "--release", "y")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines()[-1] == (
        "error: release date 2026-07-01 is earlier than 2026-07-02, the date of --previous's release 2026-08: a release "
        "follows the one before it (give --issued a date from 2026-07-02 on)")
    assert not (sequence.root / "X").exists()


@pytest.mark.slow
def test_the_catalog_with_versions_and_a_withdrawal_conforms_to_dcat_ap_3(sequence):
    graph = rdflib.Graph().parse(sequence.root / "D" / "catalog.ttl", format="turtle")
    dcat, cube = rdflib.Namespace("http://www.w3.org/ns/dcat#"), rdflib.URIRef(f"{BASE}dataset/{CUBE}")
    assert len(set(graph.objects(cube, dcat.hasVersion))) == 4  # the cube's versions and a withdrawn dataset are there
    assert (rdflib.URIRef(f"{BASE}dataset/40001-t2"), rdflib.URIRef("http://www.w3.org/ns/adms#status"),
            rdflib.URIRef("http://purl.org/adms/status/Withdrawn")) in graph
    for rules in ("shacl/dcat-ap-SHACL.ttl", "html-shacl/shapes.ttl", "html-shacl/range.ttl"):
        shapes = rdflib.Graph().parse(STANDARDS / "dcat-ap-3.0.1" / rules, format="turtle")
        conforms, _, text = pyshacl.validate(graph, shacl_graph=shapes, inference="none")
        assert conforms, f"{rules}:\n{text}"


def test_what_readers_see_of_the_sequence(sequence):
    """The last release's feed (read by feedparser), its release pages and the withdrawal notice, made from the
    history the sequence built (tests/test_release_pages.py checks the pages in detail on a hand-made history)."""
    import feedparser

    d = sequence.root / "D"
    releases = [r["release"] for r in history(d)["releases"]]
    assert releases[-1] == "2026-08" and len(releases) == 4
    feed = feedparser.parse((d / "feed.xml").read_bytes())
    assert not feed.bozo, feed.bozo_exception
    named = {(e.id.removeprefix(BASE)) for e in feed.entries}
    # an entry per added dataset (its version 1) and per dataset a later letter revised (30952-t5, in release C)
    assert {"dataset/40001-t1/v1", "dataset/40001-t2/v1", "dataset/40002-t1/v1"} <= named
    assert f"changes/{releases[2]}#30952-t5" in named
    revised = (d / f"changes/{releases[2]}.html").read_text(encoding="utf-8")
    assert "418" in revised and "421" in revised and "241" in revised and "239" in revised
    notice = (d / "dataset/40001-t2.html").read_text(encoding="utf-8")
    assert "40001-t1" in notice and (d / "dataset/40001-t2/v1/40001-t2.ttl").is_file()
    assert not (d / "dataset/40001-t2.ttl").exists()  # its unversioned files are gone; serve answers 410 there


def test_the_series_cube_is_versioned_as_it_grows(sequence):
    """The consolidated cube of the invitations by country: version 2 when 40001 adds two rounds, 3 when 40002 revises
    three figures, 4 when 40001-t2's round is withdrawn; each version's files kept, its catalog entry and feed entry."""
    root = sequence.root
    versions = history(root / "D")["datasets"][CUBE]["versions"]
    releases = [r["release"] for r in history(root / "D")["releases"]]
    assert [(v["number"], v["release"], v["notes_fr"], v["notes_en"]) for v in versions] == [
        (1, releases[0], "Premier versement.", "First release."),
        (2, "2026-06-15", "2 nouvelles rondes.", "2 new rounds."),
        (3, "2026-07-02", "3 figures révisées.", "3 figures revised."),
        (4, "2026-08", "1 ronde retirée.", "1 round removed.")]
    for n, step in enumerate("ABCD", 1):
        current = (root / step / f"dataset/{CUBE}.nt").read_bytes()
        assert versions[n - 1]["digest"] == "sha256:" + hashlib.sha256(current).hexdigest()
        for suffix in (".ttl", ".nt", ".jsonld", ".csv"):
            assert (root / "D" / f"dataset/{CUBE}/v{n}/{CUBE}{suffix}").read_bytes() == \
                (root / step / f"dataset/{CUBE}{suffix}").read_bytes(), (step, suffix)
    rounds = {line.split(",")[0] for line in (root / "B" / f"dataset/{CUBE}.csv").read_text(encoding="utf-8").splitlines()}
    assert {"pstq-2026-04-09", "pstq-2026-04-23"} <= rounds
    store = catalog(root / "D")
    iri = f"{BASE}dataset/{CUBE}"
    assert select(store, f"SELECT ?v ?cur ?prev ?i ?m WHERE {{ <{iri}> dcat:version ?v ; dcat:hasCurrentVersion ?cur ; "
                         f"dct:issued ?i ; dct:modified ?m . ?cur dcat:previousVersion ?prev }}") == [
        ("4", f"{iri}/v4", f"{iri}/v3", "2026-04-30", "2026-07-02")]
    assert select(store, f"SELECT ?notes WHERE {{ <{iri}/v2> dct:isVersionOf <{iri}> ; adms:versionNotes ?notes }}") == [
        ("2 new rounds.",), ("2 nouvelles rondes.",)]
    import feedparser

    feed = feedparser.parse((root / "D" / "feed.xml").read_bytes())
    entries = {e.id.removeprefix(BASE): e for e in feed.entries}
    assert {f"dataset/{CUBE}/v{n}" for n in (1, 2, 3, 4)} <= set(entries)
    assert f"{BASE}series/{CUBE}.html" in {x.href for x in entries[f"dataset/{CUBE}/v2"].links}  # its page: the series'
    assert "2 nouvelles rondes." in entries[f"dataset/{CUBE}/v2"].summary
    page = (root / "D" / "changes/2026-07-02.html").read_text(encoding="utf-8")
    assert f"<code>{CUBE}</code>" in page and f'href="../series/{CUBE}.html"' in page


def test_every_version_of_the_series_cubes_passes_validate(sequence):
    """Each consolidated cube's Turtle file of the last release, current and every version kept (the series grown by two
    rounds, three figures revised, a round withdrawn), passes every check of `validate`: 0 violations. One file per
    run: two versions of a cube share their observations' IRIs."""
    d = sequence.root / "D"
    h = history(d)
    cubes = sorted(k for k in h["datasets"] if not k[0].isdigit())
    files = [d / f"dataset/{k}.ttl" for k in cubes]
    files += [d / f"dataset/{k}/v{v['number']}/{k}.ttl" for k in cubes for v in h["datasets"][k]["versions"]]
    assert len(files) >= 5 and d / f"dataset/{CUBE}/v4/{CUBE}.ttl" in files
    for f in files:
        result = run("validate", str(f))
        assert result.exit_code == 0 and re.search(r"^0 violations, \d+ warnings?, \d+ notes?: conforms\.$", result.output,
                                                   re.M), (f, result.output)


class VersionRows(html.parser.HTMLParser):
    """The rows of a page's versions table (`<tr id="v{n}">`): each row's text and links, by its id."""

    def __init__(self, body: bytes) -> None:
        super().__init__()
        self.rows: dict[str, dict] = {}
        self.row: dict | None = None
        self.feed(body.decode("utf-8"))

    def handle_starttag(self, tag, attrs) -> None:
        attrs = dict(attrs)
        if tag == "tr" and re.fullmatch(r"v\d+", attrs.get("id") or ""):
            self.row = self.rows.setdefault(attrs["id"], {"text": "", "hrefs": []})
        elif tag == "a" and self.row is not None:
            self.row["hrefs"].append(attrs["href"])

    def handle_endtag(self, tag) -> None:
        if tag == "tr":
            self.row = None

    def handle_data(self, data) -> None:
        if self.row is not None:
            self.row["text"] += data


def test_the_series_page_lists_the_cubes_versions(sequence):
    """The series' page, French and English, lists its consolidated cube's versions as a dataset's page lists its own:
    number (linking the version's IRI), release and date, notes, and every versioned file, each a file of the folder."""
    d = sequence.root / "D"
    versions = history(d)["datasets"][CUBE]["versions"]
    dates = {"fr": {"2026-04-30": "30 avril 2026", "2026-06-11": "11 juin 2026", "2026-06-15": "15 juin 2026",
                    "2026-07-02": "2 juillet 2026"},
             "en": {"2026-04-30": "30 April 2026", "2026-06-11": "11 June 2026", "2026-06-15": "15 June 2026",
                    "2026-07-02": "2 July 2026"}}
    for lang, name in (("fr", f"series/{CUBE}.html"), ("en", f"series/{CUBE}.en.html")):
        rows = VersionRows((d / name).read_bytes()).rows
        assert list(rows) == ["v4", "v3", "v2", "v1"], name  # newest first
        for v in versions:
            row = rows[f"v{v['number']}"]
            text = re.sub(r"\s+", " ", row["text"].replace("\u00a0", " ")).strip()
            assert text.startswith(f"{v['number']} {dates[lang][v['date']]} ({v['release']}) {v['notes_' + lang]}"), \
                (name, text)
            assert row["hrefs"][0] == f"{BASE}dataset/{CUBE}/v{v['number']}"
            files = [f"../dataset/{CUBE}/v{v['number']}/{CUBE}{suffix}" for suffix in (".ttl", ".jsonld", ".nt", ".csv")]
            assert row["hrefs"][1:] == files, name
            for f in files:
                assert (d / "series" / f).resolve().is_file(), f
        page = (d / name).read_text(encoding="utf-8")
        for r in history(d)["releases"]:  # every release changed the cube: each is linked from its page
            assert f'href="../changes/{r["release"]}{".en" if lang == "en" else ""}.html"' in page, (name, r["release"])


@pytest.fixture(scope="module")
def served(sequence):
    """`mifi-rdf serve --site D` over the sequence's last release: a real process on a free loopback port."""
    import subprocess
    import sys

    from servers import free_port, stop, wait_http

    port = free_port()
    log = sequence.root / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "mifi_rdf", "--data", str(sequence.data), "--ontology",
                                    str(sequence.ontology), "serve", "--port", str(port), "--workers", "1",
                                    "--site", str(sequence.root / "D")], stdout=out, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_http(url + "/", process, log)
        yield url
    finally:
        stop(process)


def test_serve_answers_every_earlier_distribution_and_the_withdrawal(sequence, served):
    """Through a real `serve --site D`: every versioned distribution any step's catalog published answers 200 with the
    bytes that step wrote; the withdrawn table answers 410 with its notice; a version's IRI answers 303 to its files."""
    from test_serve import http

    published: dict[str, bytes] = {}
    for step in "ABCD":
        for (url,) in select(catalog(sequence.root / step), "SELECT ?url WHERE { ?x dcat:downloadURL ?url }"):
            if re.search(r"/v\d+/", url):
                data = (sequence.root / step / url.removeprefix(BASE)).read_bytes()
                assert published.setdefault(url, data) == data, url  # a versioned file never changes
    assert any("/40001-t2/v1/" in u for u in published) and any(f"/{CUBE}/v1/" in u for u in published)
    for url, data in sorted(published.items()):
        status, _, body = http(served + "/" + url.removeprefix(BASE))
        assert (status, body) == (200, data), url
    d = sequence.root / "D"
    notice = (d / "dataset/40001-t2.html").read_bytes()
    for path in ("/dataset/40001-t2", "/dataset/40001-t2.html", "/dataset/40001-t2.ttl", "/dataset/40001-t2.csv"):
        status, headers, body = http(served + path, headers={"Accept": "text/turtle"}, follow=False)
        assert (status, body) == (410, notice), path
    assert "Ronde publiée par erreur" in notice.decode("utf-8")
    for path, accept, location in ((f"/dataset/{CUBE}/v2", "text/turtle", f"v2/{CUBE}.ttl"),
                                   ("/dataset/40001-t2/v1", "application/n-triples", "v1/40001-t2.nt"),
                                   ("/dataset/30952-t5/v1", "text/html", "../30952-t5.html#v1"),
                                   # a consolidated cube has no dataset page: its versions are listed on its series'
                                   (f"/dataset/{CUBE}/v2", "text/html", f"../../series/{CUBE}.html#v2"),
                                   (f"/dataset/{CUBE}/v4", "text/html", f"../../series/{CUBE}.html#v4")):
        status, headers, _ = http(served + path, headers={"Accept": accept}, follow=False)
        assert (status, headers["Location"]) == (303, location), path
        # where it leads answers 200, and for a page the anchor is the version's row of its versions table
        target, _, anchor = urllib.parse.urljoin(served + path, location).partition("#")
        status, _, body = http(target, follow=False)
        assert status == 200, (path, target)
        if anchor:
            row = rf'<tr id="{anchor}">\s*<th scope="row"><a href="{re.escape(BASE + path[1:])}">'  # the version's row
            assert re.search(row, body.decode("utf-8")), (path, target)
    for name in ("feed.xml", "changes.json", "release.json", f"changes/{history(d)['releases'][-1]['release']}.html"):
        status, _, body = http(f"{served}/{name}")
        assert (status, body) == (200, (d / name).read_bytes()), name


def test_void_and_the_data_package_list_every_version(sequence):
    """VoID: every versioned N-Triples dump, each version a void:Dataset of its own; the data package: a resource per
    versioned CSV of a table, described as the release that published it did (frictionless validates it)."""
    d = sequence.root / "D"
    h = history(d)
    store = ox.Store()
    store.load(path=str(d / "void.ttl"), format=ox.RdfFormat.TURTLE, base_iri=BASE)
    dumps = select(store, "PREFIX void: <http://rdfs.org/ns/void#> SELECT ?v ?dump ?n WHERE { ?v dct:isVersionOf ?d ; "
                          "void:dataDump ?dump ; void:triples ?n }")
    assert [(v, dump) for v, dump, _ in dumps] == sorted(
        (f"{BASE}dataset/{k}/v{v['number']}", f"{BASE}dataset/{k}/v{v['number']}/{k}.nt")
        for k, ds in h["datasets"].items() for v in ds["versions"])
    for _, dump, n in dumps:
        assert int(n) == len((d / dump.removeprefix(BASE)).read_bytes().splitlines())
    package = json.loads((d / "datapackage.json").read_text(encoding="utf-8"))
    paths = {r["path"] for r in package["resources"]}
    assert {f"dataset/{k}/v{v['number']}/{k}.csv" for k, ds in h["datasets"].items() for v in ds["versions"]
            if k[0].isdigit()} <= paths
    assert "dataset/40001-t2/v1/40001-t2.csv" in paths and "dataset/40001-t2.csv" not in paths
    frictionless = pytest.importorskip("frictionless")
    report = frictionless.validate(d / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldNumber", "type", "note"])[:5]
