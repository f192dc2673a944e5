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
    """For every total cell, compare with the sum of the cells that differ from it in one total code."""
    checked = adjusted = 0
    for key, (status, value) in table.items():
        if status not in ("total", "adjusted-total") or value is None:
            continue
        for i, code in enumerate(key[:-1]):
            if code != "_T" and not (status == "adjusted-total" and "--" in code):
                continue
            parts = [v for k, v in table.items() if k[:i] + k[i + 1:] == key[:i] + key[i + 1:] and k[i] != code
                     and (code != "_T" or k[i] != "_T")]
            if not parts:
                continue
            statuses = [table[k][0] for k in table if k[:i] + k[i + 1:] == key[:i] + key[i + 1:] and k != key]
            known = [p for p in parts if p is not None]
            if status == "adjusted-total":
                adjusted += 1
                assert sum(known) != value, f"{key}: adjusted total equals the sum; is it really adjusted?"
            elif all(s in ("published", "residual", "total") for s in statuses):
                assert sum(known) == value, f"{key}: total {value} != sum of parts {sum(known)}"
                checked += 1
            else:
                assert sum(known) <= value, f"{key}: published parts {sum(known)} exceed the total {value}"
    return checked, adjusted


def test_totals_add_up(store):
    data = cells(store)
    checked = {ds: check_totals(table) for ds, table in data.items()}
    # every PSTQ round of 30952 has a total equal to the sum of its countries and « Autres »
    for n in range(1, 9):
        assert checked[f"30952-t{n}"][0] == 1
    assert checked["30735-t1"][0] >= 10  # rows and columns without blanks
    assert checked["31224-t1"] == (0, 2)  # two adjusted totals, both differing from the sum of months


def test_adjusted_totals_differ_from_the_sum_as_the_letter_warns(store):
    data = cells(store)["31224-t1"]
    dsp = sum(v for k, (s, v) in data.items() if k[-1] == "applicationsReceived" and s == "published")
    csq = sum(v for k, (s, v) in data.items() if k[-1] == "certificatesIssued" and s == "published")
    assert (dsp, data[("2025-07--2026-05", "applicationsReceived")]) == (8558, ("adjusted-total", 8580))
    assert (csq, data[("2025-07--2026-05", "certificatesIssued")]) == (542, ("adjusted-total", 533))
