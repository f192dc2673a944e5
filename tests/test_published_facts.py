"""Every published fact rests on a letter or a reference file, reads in French and English, and
says how it was inferred (issue 10, "Published facts that need fixing").

The checks compute from the loaded project and from the letters' texts in sources/letters/, not
from numbers copied here, so that a change of the data or of a letter's reading breaks them.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pyoxigraph as ox
import pytest

from conftest import ROOT, run
from mifi_rdf.build.csvw import csvw_metadata, write_csv
from mifi_rdf.build.facts import gather_facts
from mifi_rdf.codelists_fr import UntranslatedNote, french

BASE = "https://w3id.org/mifi-rdf/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
DCT = "http://purl.org/dc/terms/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LETTERS = ROOT / "sources" / "letters"
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def letter_text(ref: str) -> str:
    return (LETTERS / f"{ref}.txt").read_text(encoding="utf-8")


def squeeze(text: str) -> str:
    """Whitespace as single spaces, apostrophes as ', without the extraction's markup (list dashes,
    bold): how a quotation is compared with a letter's text."""
    text = re.sub(r"(?m)^\s*- ", "", text.replace("**", ""))
    return re.sub(r"\s+", " ", text.replace("’", "'")).strip()


def table(project, ref: str, table_id: str):
    return next(t for letter in project.letters if letter.ref == ref for t in letter.tables if t.id == table_id)


def cell(t, **codes):
    """The cell of table t whose dimension codes and measure are those given."""
    names = [d.name for d in t.structure.dimensions]
    for c in t.cells:
        if all(dict(zip(names, c.codes, strict=True)).get(k, c.measure if k == "measure" else None) == v
               for k, v in codes.items()):
            return c
    raise KeyError(codes)


@pytest.fixture(scope="module")
def terms(project) -> ox.Store:
    """The ontology and the code lists, as loaded by the project, in one store."""
    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in project.vocab.ontology_triples)
    store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in project.vocab.code_triples)
    return store


def objects(store: ox.Store, s: str, p: str) -> list:
    return [q.object for q in store.quads_for_pattern(ox.NamedNode(s), ox.NamedNode(p), None)]


def texts(store: ox.Store, s: str, p: str) -> dict[str, str]:
    return {o.language: o.value for o in objects(store, s, p) if isinstance(o, ox.Literal)}


# ---------------------------------------------------------------- 1. 31180 and its two rounds


def test_the_period_of_31180_covers_its_two_rounds_in_the_code_lists(project, terms):
    t = table(project, "31180", "t1")
    periods = {c.codes[0] for c in t.cells}
    assert periods == {"2026-01--2026-02"}
    covered = {o.value for o in objects(terms, f"{BASE}code/period/2026-01--2026-02", f"{BASE}def/coversRound")}
    assert covered == {f"{BASE}code/round/pstq-2026-01-29", f"{BASE}code/round/pstq-2026-02-26"}
    # the two rounds the letter names, in its own words
    assert "pour les rondes d'invitation du 29 janvier 2026 et du 26 février 2026" in letter_text("31180")


def test_covers_round_is_a_term_of_our_vocabulary(terms):
    p = f"{BASE}def/coversRound"
    assert texts(terms, p, RDFS + "label") == {"fr": "couvre la ronde d'invitation", "en": "covers invitation round"}
    assert set(texts(terms, p, RDFS + "comment")) == {"fr", "en"}
    assert [o.value for o in objects(terms, p, RDFS + "domain")] == [DCT + "PeriodOfTime"]
    assert [o.value for o in objects(terms, p, RDFS + "range")] == [f"{BASE}def/InvitationRound"]
    period = f"{BASE}code/period/2026-01--2026-02"
    assert DCT + "PeriodOfTime" in {o.value for o in objects(terms, period, RDF_TYPE)}
    for r in objects(terms, period, p):
        assert f"{BASE}def/InvitationRound" in {o.value for o in objects(terms, r.value, RDF_TYPE)}


def test_the_export_links_the_period_to_its_rounds(store):
    rounds = objects(store, f"{BASE}code/period/2026-01--2026-02", f"{BASE}def/coversRound")
    assert {r.value.rsplit("/", 1)[1] for r in rounds} == {"pstq-2026-01-29", "pstq-2026-02-26"}


def test_31180_total_is_the_sum_of_the_totals_of_the_rounds_it_covers(project, terms):
    """Computed: the rounds the period covers → the 30952 tables of those rounds → their totals."""
    t31180 = table(project, "31180", "t1")
    total = cell(t31180, municipality="_T", measure="invitedPersons")
    period = t31180.cells[0].codes[0]
    covered = {o.value.rsplit("/", 1)[1] for o in objects(terms, f"{BASE}code/period/{period}", f"{BASE}def/coversRound")}
    per_table = {}
    for t in next(letter for letter in project.letters if letter.ref == "30952").tables:
        rounds = {c.codes[0] for c in t.cells}
        if rounds & covered:
            assert rounds <= covered, t.id
            per_table[t.id] = int(cell(t, country="_T", measure="invitations").value)
    assert set(per_table) == {"t6", "t7"}  # one table per round, as the letter numbers them
    assert int(total.value) == sum(per_table.values())
    # the data says so on the total cell, in both languages, naming the tables and their totals
    for note, word in ((total.note_fr, "tableaux"), (total.note_en, "tables")):
        assert f"{word} 6" in note and "30952" in note and total.value in note
        assert all(str(v) in note for v in per_table.values())
        assert f"7 ({'ronde' if word == 'tableaux' else 'round'}" in note


# ---------------------------------------------------------------- 2. notes in French and English


def test_every_cell_note_reads_in_french_and_in_english(project):
    french_words = re.compile(r"\b(la|le|les|des|du|est|une|dans|sont|cette)\b")
    english_words = re.compile(r"\b(the|is|of|in|and|this|are)\b")
    n = 0
    for letter in project.letters:
        for t in letter.tables:
            for c in t.cells:
                assert bool(c.note_fr) == bool(c.note_en), (t.dataset_id, c.line)
                if c.note_fr:
                    n += 1
                    assert c.note_fr != c.note_en, (t.dataset_id, c.line)
                    assert french_words.search(c.note_fr), (t.dataset_id, c.line, c.note_fr)
                    assert english_words.search(c.note_en), (t.dataset_id, c.line, c.note_en)
                if c.inferences:
                    assert c.note_fr, (t.dataset_id, c.line)
    assert n > 300  # several hundred notes, every one of them in both languages


def test_the_csv_files_carry_note_fr_then_note_en_last():
    for path in sorted((ROOT / "data").glob("*/t*.csv")):
        header = path.read_text(encoding="utf-8").split("\n", 1)[0].split(",")
        assert header[-2:] == ["note_fr", "note_en"], path


@pytest.mark.parametrize(("keep", "column", "missing"), [("fr", 9, "note_en"), ("en", 8, "note_fr")])
def test_a_note_in_one_language_is_refused_with_file_line_column(data_copy, tmp_path, keep, column, missing):
    path = data_copy / "30952" / "t5.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    number = next(i for i, line in enumerate(lines, 1) if ",Bésil," in line)
    lines[number - 1] = ("pstq-2025-12-04,BRA,invitations,22,published,,Bésil,"
                         + ("Imprimé ainsi.," if keep == "fr" else ",Printed so.") + "\n")
    path.write_text("".join(lines), encoding="utf-8")
    out = tmp_path / "x.ttl"
    result = run("--data", str(data_copy), "export", "-o", str(out))
    assert result.exit_code == 1
    assert f"30952/t5.csv:{number}:{column}: a note needs both languages: {missing} is empty" in result.output
    assert not out.exists()


def test_observations_carry_one_comment_per_language(store):
    q = """
    PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
    PREFIX qb: <http://purl.org/linked-data/cube#>
    SELECT ?o (COUNT(?c) AS ?n) (SUM(IF(lang(?c) = "fr", 1, 0)) AS ?fr) (SUM(IF(lang(?c) = "en", 1, 0)) AS ?en)
    WHERE { ?o a qb:Observation ; rdfs:comment ?c } GROUP BY ?o"""
    rows = [(int(r["n"].value), int(r["fr"].value), int(r["en"].value)) for r in store.query(q)]
    assert len(rows) > 300
    assert set(rows) == {(2, 1, 1)}


def test_every_note_comment_and_definition_of_the_ontology_has_its_french_twin(terms):
    """rdfs:comment, skos:definition, skos:*Note, dcterms:description: no English-only text."""
    props = {RDFS + "comment", SKOS + "definition", SKOS + "editorialNote", SKOS + "scopeNote", SKOS + "note",
             SKOS + "historyNote", SKOS + "changeNote", DCT + "description"}
    langs: dict[tuple[str, str], set[str]] = {}
    for q in terms:
        if q.predicate.value in props and isinstance(q.object, ox.Literal) and q.object.language:
            langs.setdefault((q.subject.value, q.predicate.value), set()).add(q.object.language)
    assert len(langs) > 100
    lonely = sorted(k for k, v in langs.items() if v != {"fr", "en"})
    assert lonely == []


def test_reference_notes_get_their_french_from_a_pattern_or_stop_the_generator():
    assert french("MAMH divrec (36) differs from SGC 2021 census division (2451)", "x") == \
        "La division de recensement du MAMH (divrec 36) diffère de celle de la CGT 2021 (2451)"
    with pytest.raises(UntranslatedNote, match=r"quebec_mrc\.csv \(090\): no French version of the note 'New note'"):
        french("New note", "quebec_mrc.csv (090)")


# ---------------------------------------------------------------- 3. CSV and CSVW in both languages


def test_csvw_titles_in_french_are_french(project):
    facts = gather_facts(project)
    t = table(project, "30952", "t5")
    meta = csvw_metadata(t, "30952-t5.csv", f"{BASE}dataset/30952-t5", "http://example.org/licence", facts)
    titles = {c["name"]: c["titles"] for c in meta["tableSchema"]["columns"]}
    assert titles["round"] == {"fr": "ronde d'invitation (code)", "en": "invitation round (code)"}
    assert titles["country_fr"]["fr"] == "pays de citoyenneté (libellé français)"
    assert titles["country_en"]["en"] == "country of citizenship (English label)"
    for name, title in titles.items():
        assert not re.search(r"\b(round|country|municipality|period|stream|label|French|English)\b", title["fr"]), name
    notes = [c for c in meta["tableSchema"]["columns"] if c["name"].startswith("note_")]
    assert [(c["name"], c["lang"]) for c in notes] == [("note_fr", "fr"), ("note_en", "en")]


def test_the_published_csv_carries_the_notes_in_both_languages(project, tmp_path):
    import csv

    facts = gather_facts(project)
    t = table(project, "30952", "t5")
    with (tmp_path / "t5.csv").open("wb") as f:
        write_csv(t, project.vocab, facts, f)
    with (tmp_path / "t5.csv").open(encoding="utf-8", newline="") as f:
        rows = {r["country"]: r for r in csv.DictReader(f)}
    assert "« Bésil »" in rows["BRA"]["note_fr"] and "'Bésil'" in rows["BRA"]["note_en"]
    assert rows["FRA"]["note_fr"] == rows["FRA"]["note_en"] == ""


# ---------------------------------------------------------------- 4. placements resting on the rule


def test_the_suppression_rule_has_its_own_inference_code(terms, project):
    code = f"{BASE}code/inference/column-from-suppression-rule"
    assert set(texts(terms, code, SKOS + "prefLabel")) == {"fr", "en"}
    definition = texts(terms, code, SKOS + "definition")
    assert "et celles permettant de les calculer" in definition["fr"] and "not on the totals alone" in definition["en"]
    t1, t4 = table(project, "30735", "t1"), table(project, "30735", "t4")
    assert cell(t1, mrc="090", stream="pstq-2", measure="declarationsOfInterest").inferences == ("column-from-suppression-rule",)
    for mrc in ("070", "130"):
        assert {cell(t4, mrc=mrc, period=y, measure="certificatesIssued").inferences
                for y in ("2023", "2024", "2025")} == {("column-from-suppression-rule",)}
    # the rule is the letter's own
    assert "les données inférieures à 5 et celles" in letter_text("30735")


def test_blank_cells_of_30735_t1_whose_place_was_inferred_are_flagged(project):
    t1 = table(project, "30735", "t1")
    blanks = [c for c in t1.cells if c.value is None]
    assert len(blanks) == 4
    assert all(c.inferences and c.note_fr and c.note_en for c in blanks)


def test_31180_blanked_rows_note_states_the_conditional_the_arithmetic_allows(project):
    t = table(project, "31180", "t1")
    names = [d.name for d in t.structure.dimensions]
    counts = [c for c in t.cells if c.measure == "invitedPersons"]
    total = int(cell(t, municipality="_T", measure="invitedPersons").value)
    published = sum(int(c.value) for c in counts if c.value is not None and c.codes[names.index("municipality")] != "_T")
    blanked = [c for c in counts if c.value is None]
    assert len(blanked) == 2
    hidden = total - published
    threshold = t.suppression_threshold
    below = threshold - 1
    assert 2 * below < hidden  # both cannot be under the threshold…
    at_least = hidden - below  # …and if one is, the other is at least this
    for c in blanked:
        assert f"{total} - {published}" in c.note_en and f"{total} - {published}" in c.note_fr
        assert f"If one of them is under {threshold}, the other is at least {at_least} ({hidden} - {below})" in c.note_en
        assert f"Si l'une est inférieure à {threshold}, l'autre vaut au moins {at_least} ({hidden} - {below})" in c.note_fr
        assert "therefore 13 or more" not in c.note_en


# ---------------------------------------------------------------- 5. 25623 as the OCR gives it


def ocr_row_labels() -> dict[str, str]:
    """Round date -> the row label as the OCR gives it: the text of its line up to the date, and
    any undated line that continues it (line breaks as spaces); figures after the date excluded."""
    lines = letter_text("25623").splitlines()
    labels = {}
    for i, line in enumerate(lines):
        m = DATE.search(line)
        if not m or "Catégorie" in line:
            continue
        label = line[: m.end()]
        for follow in lines[i + 1:]:
            if not follow.strip() or DATE.search(follow):
                break
            label += " " + follow.strip()
        labels[m.group(0)] = label
    return labels


def test_25623_source_labels_are_exactly_as_the_ocr_gives_them(project):
    t = table(project, "25623", "t1")
    labels = ocr_row_labels()
    assert len(labels) == 40
    for c in t.cells:
        code = c.codes[0]
        expected = "Total" if code == "_T" else labels[code.removeprefix("prtq-")]
        assert c.source_label == expected, (c.line, c.source_label)
    assert any("I'article" in c.source_label for c in t.cells)
    assert any(c.source_label.startswith("OPMO+ ") for c in t.cells)


def test_25623_readings_are_flagged_and_given_in_both_languages(project, terms):
    t = table(project, "25623", "t1")
    for code in ("ocr-reading", "text-completed-from-legend"):
        iri = f"{BASE}code/inference/{code}"
        assert set(texts(terms, iri, SKOS + "prefLabel")) == {"fr", "en"}
        assert set(texts(terms, iri, SKOS + "definition")) == {"fr", "en"}
    for c in t.cells:
        if c.codes[0] == "_T":
            continue
        date = c.codes[0].removeprefix("prtq-")
        category = objects(terms, f"{BASE}code/round/{c.codes[0]}", f"{BASE}def/roundCategory")[0].value
        reading = texts(terms, category, SKOS + "prefLabel")["fr"]
        printed = re.sub(r",?\s*" + date + r".*$", "", c.source_label)
        assert ("ocr-reading" in c.inferences) == (printed != reading), (c.line, printed, reading)
        if printed != reading:
            assert f"« {reading} »" in c.note_fr and f"« {reading} »" in c.note_en
        assert ("text-completed-from-legend" in c.inferences) == (date == "2022-04-03")
    completed = cell(t, round="prtq-2022-04-03", measure="invitations")
    legend = "Personnes visées par | article 47 de la LIQ: Les personnes invitées par dérogation"
    assert legend in letter_text("25623")
    assert f"« {legend} »" in completed.note_fr and f"« {legend} »" in completed.note_en
    assert "la LIQ" not in completed.source_label


def test_the_export_publishes_the_ocr_label_beside_the_reading(store):
    obs = f"{BASE}dataset/25623-t1/obs/prtq-2021-03-30/invitations"
    assert objects(store, obs, f"{BASE}def/sourceLabel") == [
        ox.Literal("RE dans la BDI avec une OEV et personnes visées par I'article 26 du RIQ, 2021-03-30", language="fr")]
    assert {o.value.rsplit("/", 1)[1] for o in objects(store, obs, f"{BASE}def/inference")} == {
        "column-uncertain", "ocr-reading"}


# ---------------------------------------------------------------- 6. facts no source supports


def ontology_and_data_text() -> str:
    files = [*ROOT.glob("ontology/**/*.ttl"), *ROOT.glob("data/**/*.csv"), *ROOT.glob("data/**/*.toml")]
    return "\n".join(p.read_text(encoding="utf-8") for p in files)


def test_no_expansion_of_cmm_that_no_letter_gives():
    letters = " ".join(letter_text(r) for r in ("25623", "30735", "30952", "31180", "31224"))
    assert "CMM" in letters and "Communauté métropolitaine" not in letters
    assert "communauté métropolitaine" not in ontology_and_data_text().lower()


def test_the_prtq_is_described_by_what_letter_25623_says(terms):
    assert "PSTQ" not in letter_text("25623") and "Programme régulier des travailleurs qualifiés" in letter_text("25623")
    definition = texts(terms, f"{BASE}code/program/prtq", SKOS + "definition")
    assert "25623" in definition["fr"] and "25623" in definition["en"]
    assert "précéd" not in definition["fr"] and "preced" not in definition["en"]


@pytest.mark.parametrize("article", ["15", "53", "54"])
def test_articles_are_quoted_as_printed_in_the_letter_they_name(terms, article):
    description = texts(terms, f"{BASE}law/access/article-{article}", DCT + "description")
    m = re.fullmatch(r"Tel qu'imprimé dans la lettre (\d{5})(?: \(et dans la lettre (\d{5})\))? : « (.*) »",
                     description["fr"], re.S)
    assert m, description["fr"]
    assert description["en"].startswith(f"As printed in letter {m.group(1)}")
    for ref in filter(None, m.group(1, 2)):
        assert squeeze(m.group(3)) in squeeze(letter_text(ref)), ref


def test_the_licence_is_the_publishers_choice_not_mifis():
    text = (ROOT / "data" / "catalog.toml").read_text(encoding="utf-8")
    catalog = tomllib.loads(text)["catalog"]
    assert "choisie pour les jeux de données dérivés" in catalog["description_fr"]
    assert "ce n'est pas une licence accordée par le MIFI" in catalog["description_fr"]
    assert "chose for the derived datasets" in catalog["description_en"]
    assert "not a licence granted by MIFI" in catalog["description_en"]
    comment = text[text.index("# The default licence"):text.index("[license]")]
    assert "choice of whoever" in comment and "not MIFI's" in comment


def test_data_readme_points_to_the_sources_in_the_repository():
    readme = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    assert "../shared" not in readme
    assert "sources/letters/" in readme and "sources/reference/" in readme
    assert Path(ROOT / "sources" / "letters").is_dir()
