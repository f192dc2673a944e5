"""Each dataset as a tidy CSV file (one row per cell) with its CSVW metadata file.

For people who never touch RDF: every dimension as its code and its French and English labels,
the measure, the value (empty when the cell has none), the cell status in words, so a
protected cell can never be mistaken for a zero, the inferences made on the cell, the audit's
bounds of a blanked cell (as `export` writes them: def:lowerBound, def:upperBound) and the
cell's note in French and English. The
CSVW file (W3C Metadata Vocabulary for Tabular Data) describes the columns and maps every row to
its observation IRI.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import IO

from ..load.vocabulary import Vocabulary
from ..model import Table
from ..namespaces import CSVW, XSD
from .facts import Facts

Bounds = Callable[[tuple[str, tuple[str, ...], str]], tuple[str, str | None] | None]  # key -> (lower, upper)


def columns(table: Table, facts: Facts) -> list[tuple[str, str, str]]:
    """(name, French title, English title) of every column, in order.

    A dimension's titles are its property's labels (« ronde d'invitation », "invitation round"),
    so that the French titles read in French; the name falls back when a label is missing.
    """
    cols = []
    for dim in table.structure.dimensions:
        fr, en = facts.label(dim.iri, "fr") or dim.name, facts.label(dim.iri, "en") or dim.name
        cols.append((dim.name, f"{fr} (code)", f"{en} (code)"))
        cols.append((f"{dim.name}_fr", f"{fr} (libellé français)", f"{en} (French label)"))
        cols.append((f"{dim.name}_en", f"{fr} (libellé anglais)", f"{en} (English label)"))
    cols += [
        ("measure", "mesure (code)", "measure (code)"),
        ("measure_fr", "mesure", "measure (French label)"),
        ("measure_en", "mesure (libellé anglais)", "measure (English label)"),
        ("value", "valeur (vide si la cellule n'a pas de valeur)", "value (empty when the cell has none)"),
        ("status", "statut de la cellule (code)", "cell status (code)"),
        ("status_fr", "statut de la cellule", "cell status (French label)"),
        ("status_en", "statut de la cellule (libellé anglais)", "cell status (English label)"),
        ("inference", "inférences faites sur la cellule (codes, séparés par « ; »)",
         "inferences made on the cell (codes, separated by ';')"),
        ("lower_bound", "borne inférieure d'une cellule masquée (audit)", "lower bound of a blanked cell (audit)"),
        ("upper_bound", "borne supérieure d'une cellule masquée (audit ; vide : non bornée)",
         "upper bound of a blanked cell (audit; empty: unbounded)"),
        ("note_fr", "note sur la cellule (en français)", "note on the cell (in French)"),
        ("note_en", "note sur la cellule (en anglais)", "note on the cell (in English)"),
    ]
    return cols


def write_csv(table: Table, vocab: Vocabulary, facts: Facts, out: IO[bytes], bounds: Bounds | None = None) -> None:
    """The tidy CSV; `bounds(key)` gives the audit's (lower, upper) of a blanked cell (BoundAttributes.interval)."""
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
    writer = csv.writer(text, lineterminator="\r\n")  # RFC 4180
    writer.writerow([name for name, _, _ in columns(table, facts)])
    concepts = [vocab.codelists[dim.codelist].codes for dim in table.structure.dimensions]
    for cell in table.cells:
        row: list[str] = []
        for codes, code in zip(concepts, cell.codes, strict=True):
            iri = codes[code]
            row += [code, facts.label(iri, "fr"), facts.label(iri, "en")]
        measure = table.structure.measures[cell.measure].iri
        status = vocab.statuses[cell.status].iri
        row += [cell.measure, facts.label(measure, "fr"), facts.label(measure, "en"),
                cell.value if cell.value is not None else "",
                cell.status, facts.label(status, "fr"), facts.label(status, "en"), ";".join(sorted(cell.inferences))]
        found = bounds((table.dataset_id, cell.codes, cell.measure)) if bounds is not None and cell.value is None else None
        row += ["", ""] if found is None else [found[0], found[1] or ""]
        row += [cell.note_fr, cell.note_en]
        writer.writerow(row)
    text.flush()
    text.detach()


def csvw_metadata(table: Table, csv_name: str, dataset_iri: str, license_iri: str, facts: Facts) -> dict:
    """The CSVW description of the CSV file, with a row → observation IRI template."""
    integer = all(m.datatype == XSD + "integer" for m in table.structure.measures.values())
    dims = [dim.name for dim in table.structure.dimensions]
    cols = []
    for name, title_fr, title_en in columns(table, facts):
        col: dict = {"name": name, "titles": {"fr": title_fr, "en": title_en}, "datatype": "string"}
        if name in ("note_fr", "note_en"):
            col["lang"] = name[-2:]
        if name in ("value", "lower_bound", "upper_bound"):
            col["datatype"] = "integer" if integer else "decimal"
            col["null"] = ""
        else:
            col["required"] = name in dims or name in ("measure", "status")
        cols.append(col)
    about = dataset_iri + "/obs/" + "/".join("{" + d + "}" for d in dims) + "/{measure}"
    return {
        "@context": CSVW,
        "url": csv_name,
        "dc:title": [{"@value": table.title_fr, "@language": "fr"}, {"@value": table.title_en, "@language": "en"}],
        "dc:source": {"@id": dataset_iri},
        "dc:license": {"@id": license_iri},
        "tableSchema": {
            "columns": cols,
            "primaryKey": [*dims, "measure"],
            "aboutUrl": about,
        },
    }


def write_csvw(table: Table, csv_name: str, dataset_iri: str, license_iri: str, path: Path, facts: Facts) -> None:
    meta = csvw_metadata(table, csv_name, dataset_iri, license_iri, facts)
    path.write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
