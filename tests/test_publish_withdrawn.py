"""`publish` of a released folder (issue 20): a dataset the history withdrew keeps its graph in the store, holding
its withdrawal notice (adms:status Withdrawn, why in French and English, what replaces it) instead of being only
dropped. The parts are checked here; the slow test publishes to a real Oxigraph server: first the five letters,
then a release that withdrew 30952 table 8 (data/ without it, its history by hand as build/release.py writes it).
"""

from __future__ import annotations

import re

import pytest

from conftest import run
from mifi_rdf import publish as publish_module
from mifi_rdf.build.history import FILE, Changes, DatasetHistory, History, Version, Withdrawal
from mifi_rdf.build.site import open_site
from mifi_rdf.project import load_project
from test_publish import BASE, select

GRAPH = f"{BASE}graph/dataset/30952-t8"
ADMS = "http://www.w3.org/ns/adms#"
DCT = "http://purl.org/dc/terms/"


def withdrawing(project_ids: list[str], gone: str, replaced_by: tuple[str, ...] = ("30952-t7",)) -> History:
    """A history of two releases: every dataset, then `gone` withdrawn (its titles and versions kept)."""
    r1 = Changes("2026-01", "2026-01-15", None, added=sorted({*project_ids, gone}))
    r2 = Changes("2026-02", "2026-02-10", "2026-01", withdrawn=[gone])
    v1 = [Version(1, "2026-01", "2026-01-15", "sha256:" + "0" * 64, "Première version.", "First version.")]
    datasets = {x: DatasetHistory(x, f"Titre {x}", f"Title {x}", "2026-01-15", list(v1)) for x in project_ids}
    datasets[gone] = DatasetHistory(gone, "Tableau 8 retiré", "Table 8 withdrawn", "2026-01-15", list(v1),
                                    Withdrawal("2026-02", "2026-02-10", "Fusionné dans le tableau 7.", "Merged into table 7.",
                                               replaced_by))
    return History([r1, r2], datasets)


def test_a_withdrawn_dataset_is_a_part_holding_its_notice_only(project, site):
    catalog = open_site(project, site).catalog
    history = withdrawing(project.dataset_ids, "99999-t1")
    parts = {p.graph: p for p in publish_module.parts(project, catalog, history)}
    plain = {p.graph: p.triples for p in publish_module.parts(project, catalog)}
    assert set(parts) == {*plain, f"{BASE}graph/dataset/99999-t1"}
    assert all(parts[g].triples == n for g, n in plain.items())  # nothing else changes
    node = f"<{BASE}dataset/99999-t1>"
    lines = sorted(publish_module.ox.serialize(parts[f"{BASE}graph/dataset/99999-t1"].statements,
                                               format=publish_module.ox.RdfFormat.N_TRIPLES).decode().splitlines())
    assert lines == sorted([
        f"{node} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://www.w3.org/ns/dcat#Dataset> .",
        f"{node} <{ADMS}status> <http://purl.org/adms/status/Withdrawn> .",
        f'{node} <{DCT}title> "Tableau 8 retiré"@fr .',
        f'{node} <{DCT}title> "Table 8 withdrawn"@en .',
        f'{node} <{DCT}description> "Fusionné dans le tableau 7."@fr .',
        f'{node} <{DCT}description> "Merged into table 7."@en .',
        f"{node} <{DCT}isReplacedBy> <{BASE}dataset/30952-t7> .",
    ])


def test_a_dataset_still_in_the_data_gets_no_notice(project, site):
    catalog = open_site(project, site).catalog
    history = withdrawing(project.dataset_ids, "30952-t8")  # the history says withdrawn, the data still has it
    t8 = [p for p in publish_module.parts(project, catalog, history) if p.graph == GRAPH]
    assert len(t8) == 1 and t8[0].triples > 100  # its cube, as without a history


@pytest.mark.slow  # a build and two releases sent to a real store (about 30 s)
def test_a_withdrawn_table_keeps_its_notice_in_the_store(tmp_path, data_copy):
    from servers import oxigraph_server

    toml = data_copy / "30952" / "letter.toml"
    text = toml.read_text(encoding="utf-8")
    toml.write_text(text[:text.rindex("[[table]]")], encoding="utf-8")
    (data_copy / "30952" / "t8.csv").unlink()
    folder = tmp_path / "release-b"
    built = run("--data", str(data_copy), "build", str(folder))
    assert built.exit_code == 0, built.output
    (folder / FILE).write_bytes(withdrawing(load_project(BASE, data_copy).dataset_ids, "30952-t8").to_json())
    (tmp_path / "oxigraph").mkdir()
    with oxigraph_server(tmp_path / "oxigraph") as store:
        first = run("publish", "--no-validate", "--endpoint", store.graph_store, "--query-endpoint", store.sparql)
        assert first.exit_code == 0, first.output
        assert len(select(store.sparql, f"SELECT * WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}")) == 305  # t8's cube
        second = run("--data", str(data_copy), "publish", "--no-validate", "--site", str(folder),
                     "--endpoint", store.graph_store, "--query-endpoint", store.sparql)
        assert second.exit_code == 0, second.output
        assert re.search(rf"^loaded +{re.escape(GRAPH)} +7 triples sent, 7 in store: ok$", second.output, re.M), second.output
        assert "dropped" not in second.output
        rows = select(store.sparql, f"""SELECT ?p ?o WHERE {{ GRAPH <{GRAPH}> {{ <{BASE}dataset/30952-t8> ?p ?o }} }}""")
        said = {(r["p"], r["o"]) for r in rows}
        assert (f"{ADMS}status", "http://purl.org/adms/status/Withdrawn") in said
        assert (f"{DCT}description", "Merged into table 7.") in said
        assert (f"{DCT}isReplacedBy", f"{BASE}dataset/30952-t7") in said
        assert len(rows) == 7  # the notice only: no observation of the withdrawn table is left
