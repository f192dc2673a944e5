"""The consolidated cube of a series (build/consolidated.py): every cell of its member tables once, derived
from the letter's cell, the latest figure where a letter revises another, « Autres » never summed.

The bundled data, then copies of data/ and ontology/ in tmp_path with the test letters of tests/series/
(made-up figures, README.md there): 40901 with two new rounds, 40902 revising three cells of 30952 table 5.
"""

from __future__ import annotations

import csv
import html
import re
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from conftest import ROOT, run
from mifi_rdf.build.config import Options, load_config
from mifi_rdf.build.consolidated import RESIDUAL_EN, RESIDUAL_FR, ConsolidatedBuilder, consolidated_cubes
from mifi_rdf.errors import InputError
from mifi_rdf.project import load_project

BASE = "https://w3id.org/mifi-rdf/"
SERIES = ROOT / "tests" / "series"
QB, PROV, DCT = "http://purl.org/linked-data/cube#", "http://www.w3.org/ns/prov#", "http://purl.org/dc/terms/"
RDFS_COMMENT = "http://www.w3.org/2000/01/rdf-schema#comment"
COUNTRY = f"{BASE}dataset/pstq-invitations-by-country"
ROUND_T5 = "pstq-2025-12-04"


def copy_project(root: Path, letters: tuple[str, ...], revises: bool = True) -> tuple[Path, Path]:
    """data/ and ontology/ copied under `root`, with the test letters added (and their rounds in the copy of
    rounds.ttl); without `revises`, 40902 restates 30952's cells without recording it."""
    data = Path(shutil.copytree(ROOT / "data", root / "data"))
    ontology = Path(shutil.copytree(ROOT / "ontology", root / "ontology"))
    for ref in letters:
        shutil.copytree(SERIES / ref, data / ref)
    if "40901" in letters:
        with (ontology / "codes" / "rounds.ttl").open("a", encoding="utf-8") as f:
            f.write((SERIES / "rounds.ttl").read_text(encoding="utf-8"))
    if not revises:
        toml = data / "40902" / "letter.toml"
        toml.write_text(toml.read_text(encoding="utf-8").split("revises = [")[0], encoding="utf-8")
    return data, ontology


def by_subject(statements) -> dict[str, dict[str, list]]:
    out: dict[str, dict[str, list]] = {}
    for s, p, o in statements:
        out.setdefault(s.value, {}).setdefault(p.value, []).append(o)
    return out


def cube_of(project, series_id: str = "pstq-invitations-by-country"):
    return next(c for c in consolidated_cubes(project) if c.dataset_id == series_id)


def cube_triples(project, cube) -> dict[str, dict[str, list]]:
    return by_subject(ConsolidatedBuilder(project).statements(cube, letters=False))


@pytest.fixture(scope="module")
def letters_obs(project) -> dict[str, dict[str, list]]:
    """The letters' observations, as export writes them."""
    return by_subject((t.subject, t.predicate, t.object) for t in project.statements())


@pytest.fixture(scope="module")
def grown(tmp_path_factory):
    """The project with 40901 (two new rounds) and 40902 (three revised cells, 22 confirmed)."""
    data, ontology = copy_project(tmp_path_factory.mktemp("grown"), ("40901", "40902"))
    return load_project(data=data, ontology=ontology), data, ontology


# ---------------------------------------------------------------------- the bundled data


@pytest.mark.parametrize("series_id", ["pstq-invitations-by-country", "pstq-invitations-by-municipality",
                                       "pstq-applications-certificates-by-month"])
def test_every_cell_of_the_members_once_as_the_letter_states_it(project, letters_obs, series_id):
    cube = cube_of(project, series_id)
    members = cube.series.members
    cells = [(t, c) for t in members for c in project.cells(t)]
    assert len(cube.cells) == len(cells) > 0  # no letter restates another: one observation per cell
    triples = cube_triples(project, cube)
    observations = {s: po for s, po in triples.items() if f"{QB}dataSet" in po}
    assert len(observations) == len(cells)
    copied = {PROV + "wasDerivedFrom", DCT + "source", f"{QB}dataSet", RDFS_COMMENT}
    for s, po in observations.items():
        (source,) = po[PROV + "wasDerivedFrom"]
        assert s.replace(f"dataset/{series_id}/obs/", "/obs/") == re.sub(r"dataset/[^/]+/obs/", "/obs/", source.value)
        original = letters_obs[source.value]
        letter = original[f"{QB}dataSet"][0].value.rsplit("/", 1)[1].split("-")[0]
        assert po[DCT + "source"] == [ox.NamedNode(f"{BASE}letter/{letter}")]
        # same dimension values, measure, value, status, confidentiality, inferences and bounds: every statement but
        # the dataset, the provenance and the notes (the cube adds one to « Autres »)
        assert {p: o for p, o in po.items() if p not in copied} == {p: o for p, o in original.items() if p not in copied}
        assert set(original.get(RDFS_COMMENT, [])) <= set(po.get(RDFS_COMMENT, []))


def test_a_blanked_cell_stays_blanked(project, letters_obs):
    cube = cube_of(project, "pstq-invitations-by-municipality")
    blanked = [m for m in cube.cells if m.latest.cell.value is None]
    assert len(blanked) == sum(1 for c in project.cells(cube.series.members[0]) if c.value is None) > 0
    triples = cube_triples(project, cube)
    measure = f"{BASE}def/invitedPersons"
    for m in blanked:
        s = f"{COUNTRY.replace('by-country', 'by-municipality')}/obs/{'/'.join(m.codes)}/{m.measure}"
        assert f"{BASE}def/{m.measure}" not in triples[s] and measure not in triples[s]  # never a figure
        assert triples[s][f"{BASE}def/cellStatus"] == [ox.NamedNode(f"{BASE}code/cell-status/{m.latest.cell.status}")]


def test_autres_keeps_one_cell_per_round_with_a_note_and_is_never_summed(project):
    cube = cube_of(project)
    others = [m for m in cube.cells if m.codes[1] == "_O"]
    assert [m.codes[0] for m in others] == [project.cells(t)[0].codes[0] for t in cube.series.members]  # every round
    printed = []  # « Autres » of each table of 30952, read from its CSV with the csv module
    for n in range(1, 9):
        with (ROOT / "data" / "30952" / f"t{n}.csv").open(encoding="utf-8", newline="") as f:
            printed += [row["value"] for row in csv.DictReader(f) if row["country"] == "_O"]
    assert [m.latest.cell.value for m in others] == printed and len(printed) == 8
    triples = cube_triples(project, cube)
    for m in others:
        notes = triples[f"{COUNTRY}/obs/{m.codes[0]}/_O/invitations"][RDFS_COMMENT]
        assert ox.Literal(RESIDUAL_FR, language="fr") in notes and ox.Literal(RESIDUAL_EN, language="en") in notes
    rows = run("query", "invitations-by-country", "--format", "csv").output.splitlines()
    assert not [r for r in rows if ",_O," in r]  # not one country: no total over the rounds
    assert "2843" in next(r for r in rows if ",FRA," in r)  # France over the 8 rounds, from the cube, once


def test_the_series_page_shows_the_cube_and_links_its_files_and_does_not_plot_autres(project):
    from mifi_rdf.build.facts import gather_facts
    from mifi_rdf.render.website import Website

    site = Website(project, load_config(BASE, Options()), gather_facts(project))
    page = html.unescape(site.render("series/pstq-invitations-by-country.html").decode())
    english = html.unescape(site.render("series/pstq-invitations-by-country.en.html").decode())
    for suffix in (".ttl", ".nt", ".jsonld"):
        assert f'href="../dataset/pstq-invitations-by-country{suffix}"' in page
    assert "« Autres » n'est pas tracé" in page and "« Autres » (others) is not plotted" in english
    chart = page[page.index('id="h-chart"'):page.index('id="h-table"')]
    lines = [label.strip() for label in re.findall(r"</svg>\s*([^<]+)</li>", chart)]  # the chart's legend
    assert "France" in lines and "Autres" not in lines
    assert "Le cube consolidé" in page and "148 cellules" in page and "The consolidated cube" in english
    assert "Aucune lettre n'en révise une autre dans cette série." in page


def test_export_stays_the_letters_observations(tmp_path):
    """Each number exactly once: export writes the letters' tables, not the cube that copies them."""
    assert run("export", "--format", "nt", "-o", str(tmp_path / "cube.nt")).exit_code == 0
    data = (tmp_path / "cube.nt").read_bytes()
    assert b"/dataset/30952-t5/obs/" in data and b"pstq-invitations-by-country" not in data


def test_the_cube_file_passes_every_check_of_validate(project, tmp_path):
    from mifi_rdf.build.folder import write_consolidated
    from mifi_rdf.build.standalone import Standalone
    from mifi_rdf.cube import CubeBuilder

    config = load_config(BASE, Options())
    (tmp_path / "dataset").mkdir()
    cube = cube_of(project)
    write_consolidated(project, CubeBuilder(project.vocab, project.bound_attributes()), cube, tmp_path, config,
                       Standalone(project.vocab))
    result = run("validate", str(tmp_path / "dataset" / "pstq-invitations-by-country.ttl"))
    assert result.exit_code == 0, result.output
    assert "0 violations, 0 warnings" in result.output
    first = {p.name: p.read_bytes() for p in (tmp_path / "dataset").iterdir()}
    write_consolidated(project, CubeBuilder(project.vocab, project.bound_attributes()), cube, tmp_path, config,
                       Standalone(project.vocab))
    assert {p.name: p.read_bytes() for p in (tmp_path / "dataset").iterdir()} == first  # deterministic
    assert sorted(first) == [f"pstq-invitations-by-country{s}" for s in (".csv", ".jsonld", ".nt", ".ttl")]


# ---------------------------------------------------------------------- later letters


def test_a_later_letter_with_two_new_rounds_grows_the_series(grown):
    project, _, _ = grown
    cube = cube_of(project)
    rounds = list(dict.fromkeys(m.codes[0] for m in cube.cells))
    assert rounds[-2:] == ["pstq-2026-04-16", "pstq-2026-05-14"] and len(rounds) == 10
    assert [t.dataset_id for t in cube.series.members][-2:] == ["40901-t1", "40901-t2"]
    assert len(cube.cells) == 148 + 7 + 6  # 40902 restates 25 cells of 30952 table 5: none is added
    france = {m.codes[0]: m.latest.cell.value for m in cube.cells if m.codes[1] == "FRA"}
    assert (france["pstq-2026-04-16"], france["pstq-2026-05-14"]) == ("512", "600")
    triples = cube_triples(project, cube)
    assert triples[f"{COUNTRY}/obs/pstq-2026-05-14/FRA/invitations"][PROV + "wasDerivedFrom"] == [
        ox.NamedNode(f"{BASE}dataset/40901-t2/obs/pstq-2026-05-14/FRA/invitations")]
    assert ox.NamedNode(f"{BASE}dataset/40901-t1") in triples[COUNTRY][PROV + "wasDerivedFrom"]
    assert [m.latest.cell.value for m in cube.cells if m.codes[1] == "_O"][-2:] == ["140", "75"]  # one per round


def test_a_revising_letter_makes_the_latest_figure_win_and_keeps_the_revised_one(grown):
    project, _, _ = grown
    cube = cube_of(project)
    cells = {m.codes: m for m in cube.cells if m.codes[0] == ROUND_T5}
    assert {c: (cells[(ROUND_T5, c)].latest.cell.value, [r.cell.value for r in cells[(ROUND_T5, c)].revised])
            for c in ("FRA", "TUN", "_T")} == {"FRA": ("421", ["418"]), "TUN": ("239", ["241"]), "_T": ("1877", ["1876"])}
    triples = cube_triples(project, cube)
    france = triples[f"{COUNTRY}/obs/{ROUND_T5}/FRA/invitations"]
    assert france[f"{BASE}def/invitations"] == [ox.Literal("421", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))]
    assert france[PROV + "wasDerivedFrom"] == [ox.NamedNode(f"{BASE}dataset/40902-t1/obs/{ROUND_T5}/FRA/invitations")]
    assert france[PROV + "wasRevisionOf"] == [ox.NamedNode(f"{BASE}dataset/30952-t5/obs/{ROUND_T5}/FRA/invitations")]
    assert ox.Literal("Figure of table 1 of letter 40902 (421), which revises table 5 of letter 30952: 418.",
                      language="en") in france[RDFS_COMMENT]
    # the 22 equal cells: one observation, derived from both letters' cells, revising nothing
    cameroon = triples[f"{COUNTRY}/obs/{ROUND_T5}/CMR/invitations"]
    assert sorted(o.value for o in cameroon[PROV + "wasDerivedFrom"]) == [
        f"{BASE}dataset/{d}/obs/{ROUND_T5}/CMR/invitations" for d in ("30952-t5", "40902-t1")]
    assert PROV + "wasRevisionOf" not in cameroon
    assert sum(1 for m in cells.values() if m.confirmed) == 22 and sum(1 for m in cells.values() if m.revised) == 3


def test_the_named_queries_read_the_grown_series_once_per_round(grown):
    _, data, ontology = grown
    result = run("--data", str(data), "--ontology", str(ontology), "query", "invitation-rounds", "--format", "csv")
    assert result.exit_code == 0, result.output
    totals = [row.split(",")[3] for row in result.output.splitlines() if row.startswith(("2025-12-04,", "2026-04-16,",
                                                                                          "2026-05-14,"))]
    assert totals == ["1877", "1188", "930"]  # the revised round once, with its latest total; the two new rounds
    result = run("--data", str(data), "--ontology", str(ontology), "query", "invitations-by-country", "--format", "csv")
    france = next(row for row in result.output.splitlines() if ",FRA," in row).split(",")
    assert france[2:] == [str(2843 - 418 + 421 + 512 + 600), "10"]  # each round once, 4 December's latest figure


def test_an_unrecorded_restatement_is_an_error_naming_the_cell(tmp_path):
    data, ontology = copy_project(tmp_path, ("40902",), revises=False)
    project = load_project(data=data, ontology=ontology)
    with pytest.raises(InputError) as err:
        consolidated_cubes(project)
    assert err.value.path == data / "40902" / "t1.csv" and err.value.line == 2
    result = run("--data", str(data), "--ontology", str(ontology), "query", "invitation-rounds")
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("error: ") and "40902/t1.csv:2:1: series pstq-invitations-by-country: 30952-t5 and 40902-t1 " \
        "state pstq-2025-12-04/FRA invitations as 418 and 421 with no recorded revision" in line


@pytest.mark.slow
def test_build_of_the_grown_project_writes_the_cube_page_and_catalog_and_validates(grown, tmp_path):
    """The whole path: build writes the cube's four files, its catalog entry (DCAT-AP 3.0.1, 0 violations) and
    the series page with the revision; validate passes on its file; the same build twice gives the same bytes."""
    import pyshacl
    import rdflib

    _, data, ontology = grown
    letters = data.parent / "sources" / "letters"
    letters.mkdir(parents=True, exist_ok=True)
    for ref in ("40901", "40902"):
        (letters / f"{ref}.txt").write_text(f"Lettre d'essai {ref} (test data).\n", encoding="utf-8")
    out = tmp_path / "site"
    result = run("--data", str(data), "--ontology", str(ontology), "build", str(out))
    assert result.exit_code == 0, result.output
    assert "pstq-invitations-by-country: 161 cells of 11 tables (consolidated)" in result.output
    validated = run("validate", str(out / "dataset" / "pstq-invitations-by-country.ttl"))
    assert validated.exit_code == 0 and "0 violations" in validated.output, validated.output
    catalog = rdflib.Graph().parse(out / "catalog.ttl", format="turtle")
    cube = rdflib.URIRef(COUNTRY)
    dcat = rdflib.Namespace("http://www.w3.org/ns/dcat#")
    assert len(list(catalog.objects(cube, dcat.distribution))) == 4
    assert (cube, rdflib.URIRef(DCT + "relation"), rdflib.URIRef(f"{BASE}series/pstq-invitations-by-country")) in catalog
    assert rdflib.URIRef(f"{BASE}dataset/40901-t2") in set(catalog.objects(cube, rdflib.URIRef(PROV + "wasDerivedFrom")))
    shapes = rdflib.Graph().parse(ROOT / "tests" / "standards" / "dcat-ap-3.0.1" / "shacl" / "dcat-ap-SHACL.ttl")
    conforms, _, text = pyshacl.validate(catalog, shacl_graph=shapes, inference="none")
    assert conforms, text
    page = html.unescape((out / "series" / "pstq-invitations-by-country.html").read_text(encoding="utf-8"))
    revisions = page[page.index("Chiffres révisés"):]
    revisions = revisions[:revisions.index("</ul>")]
    assert ("PSTQ, ronde du 4 décembre 2025 · France · nombre d'invitations\u00a0: 418 (Décision d'accès N/Réf. 30952, "
            "tableau 5) → <strong>421</strong> (Décision d'accès N/Réf. 40902, tableau 1)") in revisions, revisions
    assert revisions.count("<li>") == 3
    again = tmp_path / "again"
    assert run("--data", str(data), "--ontology", str(ontology), "build", str(again)).exit_code == 0
    for name in ("catalog.ttl", "dataset/pstq-invitations-by-country.nt", "dataset/pstq-invitations-by-country.csv",
                 "series/pstq-invitations-by-country.html"):
        assert (out / name).read_bytes() == (again / name).read_bytes(), name
