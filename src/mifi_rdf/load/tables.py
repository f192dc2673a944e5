"""Load `data/`: each letter's metadata (TOML) and its tidy tables (CSV), checked cell by cell.

Every problem is reported as an InputError naming the file, line and column, before any output
exists: a table that loads is complete, uses only known codes, and has one row per cell.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import tomllib
from pathlib import Path

from ..errors import InputError, UsageError
from ..model import Cell, Letter, Table
from ..namespaces import XSD
from .text import inside, read_text
from .vocabulary import Vocabulary

LETTER_FIELDS = {
    "ref": str, "letter_date": dt.date, "received": dt.date, "clarified": list, "source_text": str,
    "issued_by_fr": str, "issued_by_en": str, "request_fr": str, "request_en": str,
    "programs": list, "articles": list, "refused": list,
}
TABLE_FIELDS = {
    "id": str, "number": str, "caption": str, "title_fr": str, "title_en": str,
    "description_fr": str, "description_en": str, "structure": str, "notes": list,
    "source_line": str, "extraction_date": str, "suppression_threshold": int, "suppression_method": str,
}
TRAILING_COLUMNS = ["measure", "value", "status", "inference", "source_label", "note_fr", "note_en"]
LABELLED_DIMENSIONS = {"country", "municipality"}  # whose source_label must name the coded concept
VALUE_PATTERNS = {
    XSD + "integer": (re.compile(r"(0|[1-9][0-9]*)"), "a non-negative integer count (digits only, e.g. 1874)"),
    XSD + "decimal": (re.compile(r"(0|[1-9][0-9]*)(\.[0-9]+)?"), "a decimal number with a dot (e.g. 32.1)"),
}
DATE_PATTERN = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")
# What the items of a list field hold (a str field of a letter or table holds text, checked above).
LIST_ITEMS = {"clarified": dt.date, "programs": str, "articles": (str, int), "refused": dict, "notes": str}
REFUSAL_KEYS = ("point", "article", "reason_fr", "reason_en")
# Fields that become part of an IRI or a file name: a name, never a path (issue 15, item 7).
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
NAMES = {"ref": (NAME, "a name"), "id": (NAME, "a name"),
         "source_text": (re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}"), "a file name")}


def load_letters(data_dir: Path, vocab: Vocabulary, cells: bool = True) -> list[Letter]:
    """Every letter under data_dir, in order of reference number (without the tables' cells when
    `cells` is false: `load_cells` reads them, table by table, for a streaming export)."""
    letters = [load_letter(inside(data_dir, path), vocab, cells) for path in sorted(data_dir.glob("*/letter.toml"))]
    if not letters:
        raise UsageError(f"{data_dir}: no */letter.toml found: is this the data folder?")
    return sorted(letters, key=lambda letter: letter.ref)


def _line_of(text: str, needle: str, occurrence: int = 0) -> int:
    """Line of the n-th occurrence of a TOML header or key, for messages about a missing field."""
    seen = -1
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip().startswith(needle):
            seen += 1
            if seen == occurrence:
                return number
    return 1


def _check_fields(path: Path, text: str, doc: dict, fields: dict, where: str, line: int) -> None:
    for name, kind in fields.items():
        if name not in doc:
            raise InputError(path, line, 1, f"missing field '{name}' in {where}")
        if not isinstance(doc[name], kind) or (kind is int and isinstance(doc[name], bool)):
            key_line = _line_of(text, name, 0) if where == "the letter" else line
            raise InputError(path, key_line, 1,
                             f"field '{name}' in {where} must be {kind.__name__}, got {type(doc[name]).__name__}")
        key_line = _line_of(text, name, 0) if where == "the letter" else line
        if name in LIST_ITEMS:
            _check_items(path, key_line, name, where, doc[name])
        if name in NAMES and not NAMES[name][0].fullmatch(doc[name]):
            what = "table id" if name == "id" else name
            raise InputError(path, key_line, 1, f"{what} '{doc[name]}' is not {NAMES[name][1]}: expected letters, "
                                                f"digits, '-' or '_' (it becomes part of URIs and file names)")


def _check_items(path: Path, line: int, name: str, where: str, items: list) -> None:
    """The items of a list field: dates, text, or the tables of a refusal (issue 15: tracebacks before)."""
    kind = LIST_ITEMS[name]
    wanted = "table" if kind is dict else getattr(kind, "__name__", "str")
    for item in items:
        if not isinstance(item, kind) or isinstance(item, bool):
            raise InputError(path, line, 1, f"field '{name}' in {where} must be a list of {wanted}"
                                            f"{'s' if kind is dict else ''}, got {type(item).__name__}")
        if kind is dict and (sorted(item) != sorted(REFUSAL_KEYS) or not all(isinstance(v, str) for v in item.values())):
            raise InputError(path, line, 1, f"field '{name}' in {where}: each refusal needs the text fields "
                                            f"{', '.join(REFUSAL_KEYS)} and nothing else, got {sorted(item)}")


def load_letter(path: Path, vocab: Vocabulary, cells: bool = True) -> Letter:
    text = read_text(path, escapes=True)
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        m = re.search(r"line (\d+), column (\d+)", str(err))
        line, col = (int(m.group(1)), int(m.group(2))) if m else (0, 0)
        raise InputError(path, line, col, f"invalid TOML: {err}") from err
    _check_fields(path, text, doc, LETTER_FIELDS, "the letter", 1)
    for program in doc["programs"]:
        if program not in vocab.codelist("program").codes:
            raise InputError(path, _line_of(text, "programs"), 1, f"unknown program '{program}'")
    letter = Letter(
        ref=doc["ref"], letter_date=doc["letter_date"], received=doc["received"], clarified=doc["clarified"],
        source_text=doc["source_text"], issued_by_fr=doc["issued_by_fr"], issued_by_en=doc["issued_by_en"],
        request_fr=doc["request_fr"], request_en=doc["request_en"], programs=doc["programs"],
        articles=[str(a) for a in doc["articles"]], refused=doc["refused"], path=path,
    )
    if path.parent.name != letter.ref:
        raise InputError(path, _line_of(text, "ref"), 1, f"ref '{letter.ref}' differs from its folder name '{path.parent.name}'")
    tables = doc.get("table", [])
    if not tables:
        raise InputError(path, 1, 1, "a letter needs at least one [[table]]")
    seen_ids: set[str] = set()
    for index, t in enumerate(tables):
        line = _line_of(text, "[[table]]", index)
        _check_fields(path, text, t, TABLE_FIELDS, f"table #{index + 1}", line)
        if t["id"] in seen_ids:
            raise InputError(path, line, 1, f"duplicate table id '{t['id']}'")
        seen_ids.add(t["id"])
        structure = vocab.structures.get(t["structure"])
        if structure is None:
            known = ", ".join(sorted(vocab.structures))
            raise InputError(path, line, 1, f"unknown structure '{t['structure']}' (known: {known})")
        if t["suppression_method"] not in vocab.codelist("suppression-method").codes:
            raise InputError(path, line, 1, f"unknown suppression_method '{t['suppression_method']}'")
        for key in ("extraction_date", "data_as_of"):
            value = str(t.get(key, ""))
            if value and not DATE_PATTERN.fullmatch(value):
                raise InputError(path, line, 1, f"{key} must be YYYY, YYYY-MM or YYYY-MM-DD, got '{value}'")
        table = Table(
            letter_ref=letter.ref, id=t["id"], number=t["number"], caption=t["caption"], title_fr=t["title_fr"],
            title_en=t["title_en"], description_fr=t["description_fr"], description_en=t["description_en"],
            structure=structure, notes=t["notes"], source_line=t["source_line"], extraction_date=t["extraction_date"],
            data_as_of=str(t.get("data_as_of", "")), suppression_threshold=t["suppression_threshold"],
            suppression_method=t["suppression_method"], path=path.parent / f"{t['id']}.csv",
        )
        if cells:
            table.cells = load_cells(table, vocab)
        elif not table.path.is_file():
            raise InputError(table.path, 0, 0, f"missing table file for table '{table.id}'")
        letter.tables.append(table)
    listed = {table.path.name for table in letter.tables}
    for csv_path in sorted(path.parent.glob("*.csv")):
        if csv_path.name not in listed:
            raise InputError(csv_path, 1, 1, f"table file not described by any [[table]] of {path.name}")
    return letter


def load_cells(table: Table, vocab: Vocabulary) -> list[Cell]:
    path = table.path
    inside(path.parent.parent, path)
    if not path.is_file():
        raise InputError(path, 0, 0, f"missing table file for table '{table.id}'")
    dims = table.structure.dimensions
    expected = [d.name for d in dims] + TRAILING_COLUMNS
    cells: list[Cell] = []
    seen: dict[tuple, int] = {}
    with io.StringIO(read_text(path), newline="") as f:
        reader = csv.reader(f, strict=True)
        try:
            header = next(reader, None)
            if header != expected:
                got = header or []
                pairs = enumerate(zip(got, expected, strict=False))
                col = next((i for i, (a, b) in pairs if a != b), min(len(got), len(expected)))
                raise InputError(path, 1, col + 1, f"expected the columns {','.join(expected)}; got {','.join(got)}")
            for row in reader:
                line = reader.line_num
                if not row:
                    continue
                if len(row) != len(expected):
                    raise InputError(path, line, min(len(row), len(expected)) + 1,
                                     f"expected {len(expected)} fields ({','.join(expected)}), found {len(row)}")
                cells.append(_cell(path, line, row, table, vocab, seen))
        except csv.Error as err:
            raise InputError(path, reader.line_num, 1, f"malformed CSV: {err}") from err
    if not cells:
        raise InputError(path, 2, 1, "the table has no cells")
    return cells


def _folded(label: str) -> str:
    return " ".join(label.replace("\u00a0", " ").split()).casefold()


def _cell(path: Path, line: int, row: list[str], table: Table, vocab: Vocabulary, seen: dict) -> Cell:
    dims = table.structure.dimensions
    n = len(dims)
    codes = tuple(row[:n])
    measure, value, status, inference, source_label, note_fr, note_en = row[n:]
    for i, (dim, code) in enumerate(zip(dims, codes, strict=True)):
        codelist = vocab.codelists.get(dim.codelist)
        if codelist is None or code not in codelist.codes:
            raise InputError(path, line, i + 1, f"unknown {dim.name} code '{code}' (not in code list <{dim.codelist}>)")
        # A label recorded as a typo or a variant (with its note) is by definition not one of the code's labels.
        # Case and spacing aside, as ingest matches labels (« Côte d'ivoire » is « Côte d'Ivoire », nothing to record).
        relabelled = bool({"typo-fixed", "label-variant"} & set(inference.split(";")))
        if dim.name in LABELLED_DIMENSIONS and source_label and not relabelled and _folded(source_label) not in {
                _folded(label) for label in codelist.labels[code]}:
            raise InputError(path, line, n + 5,
                             f"unknown {dim.name} label '{source_label}' for code '{code}' "
                             f"(known labels: {', '.join(sorted(codelist.labels[code]))})")
    col = n + 1
    m = table.structure.measures.get(measure)
    if m is None:
        raise InputError(path, line, col, f"unknown measure '{measure}' for structure '{table.structure.slug}' "
                                          f"(expected one of: {', '.join(table.structure.measures)})")
    st = vocab.statuses.get(status)
    if st is None:
        raise InputError(path, line, col + 2, f"unknown status '{status}' (expected one of: {', '.join(vocab.statuses)})")
    if st.has_value and not value:
        raise InputError(path, line, col + 1, f"status '{status}' needs a value, the cell is empty")
    if not st.has_value and value:
        raise InputError(path, line, col + 1, f"status '{status}' means the cell has no value, but it holds '{value}'")
    if value:
        pattern, wanted = VALUE_PATTERNS.get(m.datatype, (None, ""))
        if pattern is not None and not pattern.fullmatch(value):
            raise InputError(path, line, col + 1, f"expected {wanted} for measure '{measure}', found '{value}'")
    inferences = tuple(x for x in inference.split(";") if x)
    for x in inferences:
        if x not in vocab.codelist("inference").codes:
            known = ", ".join(vocab.codelist("inference").codes)
            raise InputError(path, line, col + 3, f"unknown inference '{x}' (expected one of: {known})")
    if bool(note_fr) != bool(note_en):  # a note is read in both languages or not at all
        missing = "note_en" if note_fr else "note_fr"
        raise InputError(path, line, col + (6 if note_fr else 5),
                         f"a note needs both languages: {missing} is empty while the other is not")
    if inferences and not note_fr:
        raise InputError(path, line, col + 5, "a cell with an inference needs a note explaining it (note_fr and note_en)")
    key = (codes, measure)
    if key in seen:
        raise InputError(path, line, 1, f"duplicate cell: same dimension values and measure as line {seen[key]}")
    seen[key] = line
    return Cell(line, codes, measure, value or None, status, inferences, source_label, note_fr, note_en)
