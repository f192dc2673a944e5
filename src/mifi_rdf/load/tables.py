"""Load `data/`: each letter's metadata (TOML) and its tidy tables (CSV), checked cell by cell.

Every problem is reported as an InputError naming the file, line and column, before any output
exists: a table that loads is complete, uses only known codes, and has one row per cell.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable
from pathlib import Path

from ..errors import InputError, UsageError
from ..files import regular
from ..model import Cell, Letter, Table
from ..namespaces import XSD
from .text import inside, parse_toml, read_text
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
# At most 18 digits before the point: a count of people has ten at most, 18 fits the 64-bit integers
# of the columnar validation, and a count of 5,000 digits reached audit and build as int()'s
# ValueError traceback (issue 23).
VALUE_PATTERNS = {
    XSD + "integer": (re.compile(r"(0|[1-9][0-9]{0,17})"),
                      "a non-negative integer count of at most 18 digits (digits only, e.g. 1874)"),
    XSD + "decimal": (re.compile(r"(0|[1-9][0-9]{0,17})(\.[0-9]{1,18})?"),
                      "a decimal number with a dot, of at most 18 digits on each side (e.g. 32.1)"),
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
    letters = [load_letter(inside(data_dir, path), vocab, cells) for path in letter_files(data_dir)]
    if not letters:
        raise UsageError(f"{data_dir}: no */letter.toml found: is this the data folder?")
    check_revisions(letters, vocab)
    return sorted(letters, key=lambda letter: letter.ref)


def check_revisions(letters: list[Letter], vocab: Vocabulary) -> None:
    """Every cell a `revises` entry names exists in its table, and so does the cell it revises: the
    table it names, of the same structure, with a cell of the same dimension values and measure."""
    tables = {t.dataset_id: t for letter in letters for t in letter.tables}
    for letter in letters:
        for table in letter.tables:
            if not table.revises:
                continue
            text = read_text(letter.path, kind="toml") if letter.path else ""
            line = _line_of(text, "revises", sum(1 for t in letter.tables[:letter.tables.index(table)] if t.revises))
            own = {(c.codes, c.measure) for c in (table.cells or load_cells(table, vocab))}
            for (codes, measure), of in table.revises.items():
                cell = f"{'/'.join(codes)} {measure}"
                if (codes, measure) not in own:
                    raise InputError(letter.path or "letter.toml", line, 1,
                                     f"table '{table.id}' revises a cell it does not have: {cell}")
                earlier = tables.get(of)
                if earlier is None or of == table.dataset_id:
                    raise InputError(letter.path or "letter.toml", line, 1,
                                     f"table '{table.id}': {cell} revises a cell of '{of}', which is no other table of the "
                                     f"data folder (expected a dataset id such as 30952-t5)")
                if earlier.structure.slug != table.structure.slug:
                    raise InputError(letter.path or "letter.toml", line, 1,
                                     f"table '{table.id}': {cell} revises a cell of '{of}', whose structure "
                                     f"'{earlier.structure.slug}' differs from '{table.structure.slug}'")
                if not any(c.codes == codes and c.measure == measure for c in (earlier.cells or load_cells(earlier, vocab))):
                    raise InputError(letter.path or "letter.toml", line, 1,
                                     f"table '{table.id}': {cell} revises a cell of '{of}', which has no such cell")


def letter_files(data_dir: Path) -> list[Path]:
    """The letter.toml of every letter folder of data_dir, refusing an entry that looks like a letter and is not one.

    A letter's folder is named by its reference (no dot): an entry so named that is a file (`data/30952`
    left by a failed copy), or a folder without letter.toml, was skipped in silence (issue 23) and its
    letter went missing from every output. Files with a suffix (catalog.toml, README.md) are the data
    folder's own; hidden entries (`.ingest-…`, ingest's temporaries) are not data."""
    found = []
    for entry in sorted(data_dir.iterdir()) if data_dir.is_dir() else []:
        if entry.name.startswith(".") or (entry.is_file() and "." in entry.name):
            continue
        if not entry.is_dir():
            raise InputError(entry, 0, 0, "is not a folder: expected a letter's folder (letter.toml and its tables) "
                                          "or a file with a suffix such as catalog.toml")
        if not (entry / "letter.toml").exists() and not (entry / "letter.toml").is_symlink():
            raise InputError(entry, 0, 0, "a folder without letter.toml: expected a letter's folder")
        found.append(entry / "letter.toml")
    return found


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
        if not isinstance(doc[name], kind) or (kind is int and isinstance(doc[name], bool)) or (
                kind is dt.date and isinstance(doc[name], dt.datetime)):  # a datetime is a date subclass
            key_line = _line_of(text, name, 0) if where == "the letter" else line
            got = "date-time" if isinstance(doc[name], dt.datetime) else type(doc[name]).__name__
            raise InputError(path, key_line, 1, f"field '{name}' in {where} must be {kind.__name__}, got {got}")
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
        if not isinstance(item, kind) or isinstance(item, bool) or (kind is dt.date and isinstance(item, dt.datetime)):
            raise InputError(path, line, 1, f"field '{name}' in {where} must be a list of {wanted}"
                                            f"{'s' if kind is dict else ''}, got {type(item).__name__}")
        if kind is dict and (sorted(item) != sorted(REFUSAL_KEYS) or not all(isinstance(v, str) for v in item.values())):
            raise InputError(path, line, 1, f"field '{name}' in {where}: each refusal needs the text fields "
                                            f"{', '.join(REFUSAL_KEYS)} and nothing else, got {sorted(item)}")


def load_letter(path: Path, vocab: Vocabulary, cells: bool = True) -> Letter:
    text = read_text(path, escapes=True, kind="toml")
    doc = parse_toml(path, text)
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
        table.revises = _revises(path, text, line, t, structure)
        if cells:
            table.cells = load_cells(table, vocab)
        elif not table.path.exists() and not table.path.is_symlink():
            raise InputError(table.path, 0, 0, f"missing table file for table '{table.id}'")
        else:
            inside(path.parent.parent, table.path)
            regular(table.path)  # read later, table by table: a FIFO or a device is refused now
        letter.tables.append(table)
    listed = {table.path.name for table in letter.tables}
    for csv_path in sorted(path.parent.glob("*.csv")):
        if csv_path.name not in listed:
            raise InputError(csv_path, 1, 1, f"table file not described by any [[table]] of {path.name}")
    return letter


def _revises(path: Path, text: str, line: int, t: dict, structure) -> dict[tuple[tuple[str, ...], str], str]:
    """A table's optional `revises` list: `{ codes = "pstq-2025-12-04/FRA", measure = "invitations", of = "30952-t5" }`
    says that this table's cell of those codes and measure revises the same cell of dataset 30952-t5."""
    line = next((n for n, row in enumerate(text.splitlines(), 1) if n > line and row.strip().startswith("revises")), line)
    entries = t.get("revises", [])
    if not isinstance(entries, list):
        raise InputError(path, line, 1, f"field 'revises' must be a list of tables, got {type(entries).__name__}")
    out: dict[tuple[tuple[str, ...], str], str] = {}
    for entry in entries:
        if not isinstance(entry, dict) or sorted(entry) != ["codes", "measure", "of"] or \
                not all(isinstance(v, str) for v in entry.values()):
            raise InputError(path, line, 1, "field 'revises': each entry needs the text fields codes, measure, of and "
                                            "nothing else")
        codes = tuple(entry["codes"].split("/"))
        if len(codes) != len(structure.dimensions) or not NAME.fullmatch(entry["of"]):
            raise InputError(path, line, 1,
                             f"field 'revises': codes '{entry['codes']}' must give {len(structure.dimensions)} codes "
                             f"separated by '/' ({'/'.join(d.name for d in structure.dimensions)}) and 'of' a dataset id")
        if (codes, entry["measure"]) in out:
            raise InputError(path, line, 1,
                             f"field 'revises': the cell {entry['codes']} {entry['measure']} is listed twice")
        out[(codes, entry["measure"])] = entry["of"]
    return out


def load_cells(table: Table, vocab: Vocabulary) -> list[Cell]:
    path = table.path
    inside(path.parent.parent, path)
    if not path.exists() and not path.is_symlink():
        raise InputError(path, 0, 0, f"missing table file for table '{table.id}'")
    dims = table.structure.dimensions
    expected = [d.name for d in dims] + TRAILING_COLUMNS
    cells: list[Cell] = []
    seen: dict[tuple, int] = {}
    plain = _plain_cell(table, vocab)
    with io.StringIO(read_text(path, kind="csv"), newline="") as f:
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
                cells.append(plain(line, row, seen) or _cell(path, line, row, table, vocab, seen))
        except csv.Error as err:
            raise InputError(path, reader.line_num, 1, f"malformed CSV: {err}") from err
    if not cells:
        raise InputError(path, 2, 1, "the table has no cells")
    return cells


def _folded(label: str) -> str:
    return " ".join(label.replace("\u00a0", " ").split()).casefold()


def _plain_cell(table: Table, vocab: Vocabulary) -> Callable[[int, list[str], dict], Cell | None]:
    """The cell of a row that needs none of _cell's messages, or None, and _cell reads the row.

    Most rows are plain: known codes, a known measure and status, a value of the right form if the
    status has one, no inference, a source label that is one of its code's labels, a note in both
    languages or in neither. This check accepts only those, with what _cell would look up row by
    row looked up once per table, and a source label checked once per code (at 100,000 cells, a
    third of the time of reading a table); every other row, and every row in error, goes to _cell,
    the reference, which says what is wrong."""
    dims = table.structure.dimensions
    n = len(dims)
    lists = [vocab.codelists.get(d.codelist) for d in dims]
    if any(c is None for c in lists):
        return lambda line, row, seen: None
    known = [c.codes for c in lists]
    patterns = {name: VALUE_PATTERNS.get(m.datatype, (None, ""))[0] for name, m in table.structure.measures.items()}
    has_value = {name: st.has_value for name, st in vocab.statuses.items()}
    labelled = [i for i, d in enumerate(dims) if d.name in LABELLED_DIMENSIONS]
    named: set[tuple[int, str, str]] = set()  # (dimension, code, source label) found among the code's labels
    valid: dict[str, set[str]] = {name: set() for name in patterns}  # per measure: values of the right form

    def plain(line: int, row: list[str], seen: dict) -> Cell | None:
        codes = tuple(row[:n])
        measure, value, status, inference, source_label, note_fr, note_en = row[n:]
        if inference or bool(note_fr) != bool(note_en) or measure not in patterns:
            return None
        for codes_of, code in zip(known, codes, strict=True):
            if code not in codes_of:
                return None
        if source_label:
            for i in labelled:
                if (i, codes[i], source_label) not in named:
                    if _folded(source_label) not in {_folded(label) for label in lists[i].labels[codes[i]]}:
                        return None
                    named.add((i, codes[i], source_label))
        wanted = has_value.get(status)
        if wanted is None or wanted != bool(value):
            return None
        if value and value not in valid[measure]:
            pattern = patterns[measure]
            if pattern is not None and not pattern.fullmatch(value):
                return None
            if len(valid[measure]) < 10_000:  # counts repeat: a value checked once is not matched again
                valid[measure].add(value)
        key = (codes, measure)
        if key in seen:
            return None
        seen[key] = line
        return Cell(line, codes, measure, value or None, status, (), source_label, note_fr, note_en)

    return plain


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
        if source_label and dim.name in LABELLED_DIMENSIONS and \
                not {"typo-fixed", "label-variant"} & set(inference.split(";")) and _folded(source_label) not in {
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
            shown = value if len(value) <= 40 else f"{value[:40]}… ({len(value)} characters)"
            raise InputError(path, line, col + 1, f"expected {wanted} for measure '{measure}', found '{shown}'")
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
