"""The named queries answer their questions with the real numbers of the letters."""

from __future__ import annotations

import csv
import io
import json

import pytest

from conftest import ROOT, run

NAMES = sorted(p.stem for p in (ROOT / "queries").glob("*.rq"))


def rows(name: str) -> list[dict]:
    result = run("query", name, "--format", "csv")
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.output)))


@pytest.mark.parametrize("name", NAMES)
def test_named_query_runs_and_returns_rows(name):
    assert len(rows(name)) > 0


def test_invitations_by_country():
    r = {row["iso"]: row for row in rows("invitations-by-country")}
    assert r["FRA"]["invitations"] == str(96 + 56 + 82 + 78 + 418 + 730 + 708 + 675)
    assert r["FRA"]["rounds_listed"] == "8"
    assert r["BRA"]["invitations"] == str(22 + 35 + 45 + 61)  # « Bésil » of table 5 counted as Brazil
    assert r["HTI"]["invitations"] == str(21 + 12 + 14 + 20 + 66 + 110 + 103 + 73)  # « Haiti » unified
    assert "_O" not in r, "« Autres » is not one country: its composition changes from round to round, never summed"


def test_country_share_per_round():
    first = rows("country-share-per-round")[0]
    assert (first["date"], first["country"], first["invitations"], first["round_total"], first["share_pct"]) == \
        ("2025-07-17", "France", "96", "248", "38.7")


def test_top_municipalities():
    top = rows("top-municipalities")
    first_two = [(r["municipality"], r["persons"], r["percent"]) for r in top[:2]]
    assert first_two == [("Montréal", "1641", "32.1"), ("Québec", "834", "16.3")]
    assert len(top) == 15


def test_bas_saint_laurent():
    r = {(row["mrc"], row["stream"]): row for row in rows("bas-saint-laurent-by-mrc-stream")}
    mitis = r[("La Mitis", "PSTQ – volet 2")]
    assert (mitis["declarations"], mitis["invitations"]) == ("9", "confidential")
    assert r[("Total", "Tous les volets")]["declarations"] == "974"
    assert r[("Total", "Tous les volets")]["invitations"] == "194"


def test_monthly_applications_and_certificates():
    r = rows("monthly-applications-certificates")
    assert len(r) == 12
    assert (r[0]["period"], r[0]["dsp_received"], r[0]["csq_issued"]) == ("July 2025", "18", "no-data")
    assert (r[-1]["dsp_received"], r[-1]["csq_issued"], r[-1]["kind"]) == ("8580", "533", "adjusted-total")


def test_invitation_rounds_of_both_programs_in_date_order():
    r = rows("invitation-rounds")
    assert len(r) == 48
    assert [x["date"] for x in r] == sorted(x["date"] for x in r)
    assert (r[0]["date"], r[0]["program"], r[0]["source"]) == ("2021-01-26", "prtq", "25623")
    assert (r[-1]["date"], r[-1]["program"], r[-1]["invitations"]) == ("2026-03-20", "pstq", "2522")


def test_table_output_is_aligned_and_json_parses():
    table = run("query", "monthly-applications-certificates").output.splitlines()
    assert table[0].split() == ["period", "dsp_received", "csq_issued", "kind"]
    assert len({len(line) for line in table[2:-1]}) == 1 or all(len(line) <= len(table[1]) for line in table[2:-1])
    assert table[-1] == "(12 rows)"


XSD = "http://www.w3.org/2001/XMLSchema#"


def test_json_is_the_standard_sparql_results_format_with_typed_numbers():
    """SPARQL 1.1 Query Results JSON: head.vars, results.bindings, each term's type and datatype."""
    data = json.loads(run("query", "invitations-by-country", "--format", "json").output)
    assert data["head"]["vars"] == ["country", "iso", "invitations", "rounds_listed"]
    france = data["results"]["bindings"][0]
    assert france["invitations"] == {"type": "literal", "value": "2843", "datatype": XSD + "integer"}
    assert france["country"] == {"type": "literal", "value": "France", "xml:lang": "fr"}
    assert france["iso"] == {"type": "literal", "value": "FRA"}  # a plain string: no datatype
    rounds = json.loads(run("query", "invitation-rounds", "--format", "json").output)["results"]["bindings"]
    assert rounds[0]["date"] == {"type": "literal", "value": "2021-01-26", "datatype": XSD + "date"}
    assert "invitations" not in rounds[0]  # unbound (the figures of 25623 were lost): absent, not ""
    iri = "PREFIX def: <def/> SELECT ?o WHERE { ?o def:invitations 730 } ORDER BY ?o"
    letter, cube = json.loads(run("query", "-", "--format", "json", input=iri).output)["results"]["bindings"]
    assert letter["o"]["type"] == "uri" and letter["o"]["value"].startswith("https://w3id.org/mifi-rdf/dataset/30952-t")
    # the same cell in the series' consolidated cube, a derived copy (the named queries read one or the other)
    assert cube["o"]["value"].startswith("https://w3id.org/mifi-rdf/dataset/pstq-invitations-by-country/obs/")
    ask = json.loads(run("query", "-", "--format", "json", input="ASK { ?s ?p ?o }").output)
    assert ask == {"head": {}, "boolean": True}


@pytest.mark.parametrize("query,message", [
    ("PREFIX def: <def/>\nSELEC ?x WHERE { ?x ?p ?o }",
     "invalid SPARQL at line 2, column 1: expected SELECT, CONSTRUCT, DESCRIBE or ASK, found 'SELEC'"),
    ("SELECT ?x WHERE { ?x foo:bar ?o }", "invalid SPARQL at line 1, column 29: unknown prefix 'foo:'"),
    ("SELECT * WHERE { ?s ?p ?o }\nLIMIT x", "invalid SPARQL at line 2, column 7: expected"),
    ("SELECT ?x\n{ ?x ?y ?z", "invalid SPARQL at line 2, column 11: expected"),
])
def test_a_syntax_error_says_where_and_what_in_one_line(query, message):
    result = run("query", "-", input=query)
    assert result.exit_code == 2
    (line,) = result.output.splitlines()  # one line, not the parser's list of Unicode ranges
    assert line.startswith(f"error: {message}"), line
    assert "\\u{" not in line and "..=" not in line
    if "LIMIT x" in query:
        assert "a number" in line and line.endswith("found 'x'")


def test_query_from_stdin_with_relative_prefixes():
    q = "PREFIX def: <def/>\nSELECT (COUNT(*) AS ?n) WHERE { ?o def:invitations ?v }"
    result = run("query", "-", "--format", "csv", input=q)
    # the 148 cells of the 8 tables of 30952, and their derived copies in the series' consolidated cube
    assert result.output.splitlines() == ["n", str(2 * 148)]


def test_unknown_query_name_is_a_usage_error():
    result = run("query", "no-such-query")
    assert result.exit_code == 2 and "no query named 'no-such-query'" in result.output


def test_ask_and_construct_queries():
    ask = "PREFIX def: <def/> ASK { ?o def:invitations 2843 }"
    assert run("query", "-", input=ask).output == "false\n"  # 2843 is a sum, no cell holds it
    ask = "PREFIX def: <def/> ASK { ?o def:invitations 730 }"
    assert run("query", "-", input=ask).output == "true\n"
    construct = "PREFIX def: <def/> CONSTRUCT { ?o def:invitations ?v } WHERE { ?o def:invitations ?v } LIMIT 1"
    assert "invitations" in run("query", "-", input=construct).output
