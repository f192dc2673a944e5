"""Totals equal the sum of their parts wherever no part is suppressed; adjusted totals are exempt,
and the exported data says which is which. Checked on the export, not on the CSV."""

from __future__ import annotations

from collections import defaultdict

BASE = "https://w3id.org/mifi-rdf/"
QUERY = """
PREFIX qb: <http://purl.org/linked-data/cube#>
PREFIX def: <https://w3id.org/mifi-rdf/def/>
SELECT ?ds ?obs ?status ?v WHERE {
  ?obs qb:dataSet ?ds ; qb:measureType ?m ; def:cellStatus ?status .
  OPTIONAL { ?obs ?m ?v }
}
"""


def cells(store):
    """{dataset: {(codes..., measure): (status, value)}} read back from the export."""
    out = defaultdict(dict)
    for s in store.query(QUERY):
        ds = s["ds"].value.rsplit("/", 1)[1]
        key = tuple(s["obs"].value.split("/obs/", 1)[1].split("/"))
        out[ds][key] = (s["status"].value.rsplit("/", 1)[1], int(s["v"].value) if s["v"] and "." not in s["v"].value else None)
    return out


def check_totals(table):
    """For every total cell and every dimension where it carries a total code, compare it with the
    cells that differ from it only in that dimension: its parts."""
    checked = adjusted = 0
    for key, (status, value) in table.items():
        if status not in ("total", "adjusted-total"):
            continue
        for i, code in enumerate(key[:-1]):
            is_total_code = code == "_T" or (status == "adjusted-total" and "--" in code)
            if not is_total_code:
                continue
            parts = [cell for k, cell in table.items()
                     if k != key and k[:i] + k[i + 1:] == key[:i] + key[i + 1:] and k[i] != "_T"]
            if not parts:
                continue
            known = sum(v for _, v in parts if v is not None)
            if status == "adjusted-total":
                adjusted += 1
                assert known != value, f"{key}: adjusted total equals the sum; is it really adjusted?"
            elif all(s in ("published", "residual", "total") for s, _ in parts):
                assert known == value, f"{key}: total {value} != sum of parts {known}"
                checked += 1
            else:
                assert known <= value, f"{key}: published parts {known} exceed the total {value}"
    return checked, adjusted


def test_totals_add_up(store):
    data = cells(store)
    checked = {ds: check_totals(table) for ds, table in data.items()}
    # every PSTQ round of 30952 has a total equal to the sum of its countries and « Autres »
    for n in range(1, 9):
        assert checked[f"30952-t{n}"][0] == 1
    # six rows without blanks, the grand total both ways, and the volet 2 column (complete once
    # the 9 of La Mitis and the 15 of Les Basques are placed)
    assert checked["30735-t1"][0] == 9
    assert checked["31224-t1"] == (0, 2)  # two adjusted totals, both differing from the sum of months


def test_adjusted_totals_differ_from_the_sum_as_the_letter_warns(store):
    data = cells(store)["31224-t1"]
    dsp = sum(v for k, (s, v) in data.items() if k[-1] == "applicationsReceived" and s == "published")
    csq = sum(v for k, (s, v) in data.items() if k[-1] == "certificatesIssued" and s == "published")
    assert (dsp, data[("2025-07--2026-05", "applicationsReceived")]) == (8558, ("adjusted-total", 8580))
    assert (csq, data[("2025-07--2026-05", "certificatesIssued")]) == (542, ("adjusted-total", 533))
