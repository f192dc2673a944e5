"""The in-memory cube model: letters, their tables and the tables' cells, with no RDF in them.

Keeping this layer free of RDF lets the loader check a table completely (codes, values, statuses,
duplicates) before anything is written, and lets the writers stream observations without a graph.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from .load.vocabulary import Structure


@dataclass(frozen=True)
class Cell:
    line: int  # line of the CSV file, for messages
    codes: tuple[str, ...]  # one notation per dimension, in qb:order
    measure: str
    value: str | None  # canonical lexical form, None when the cell has no value
    status: str
    inferences: tuple[str, ...]
    source_label: str
    note_fr: str  # why the cell is as it is, in French; "" when there is no note
    note_en: str  # the same note in English; both or neither


@dataclass
class Table:
    letter_ref: str
    id: str
    number: str
    caption: str
    title_fr: str
    title_en: str
    description_fr: str
    description_en: str
    structure: Structure
    notes: list[str]
    source_line: str
    extraction_date: str
    data_as_of: str
    suppression_threshold: int
    suppression_method: str
    path: Path
    cells: list[Cell] = field(default_factory=list)
    # cells that revise a cell another table states for the same dimension values and measure:
    # (codes, measure) -> the dataset id of that table (letter.toml's `revises`, exported as prov:wasRevisionOf)
    revises: dict[tuple[tuple[str, ...], str], str] = field(default_factory=dict)

    @property
    def dataset_id(self) -> str:
        return f"{self.letter_ref}-{self.id}"


@dataclass
class Letter:
    ref: str
    letter_date: dt.date
    received: dt.date
    clarified: list[dt.date]
    source_text: str
    issued_by_fr: str
    issued_by_en: str
    request_fr: str
    request_en: str
    programs: list[str]
    articles: list[str]
    refused: list[dict[str, str]]
    path: Path
    tables: list[Table] = field(default_factory=list)
