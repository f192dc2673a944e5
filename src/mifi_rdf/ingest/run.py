"""`mifi-rdf ingest`: one letter's text → DIR/<ref>/letter.toml + one CSV per table, checked, or nothing.

Order of work: read (refuse what is not text) → find the tables → read the letter's metadata →
match every label and read every figure (collecting every problem, not stopping at the first) →
refuse if a person is needed for a label or a total → render the files → stage them in a temporary
folder and load them with the loader and the validation `export` uses (against the code lists
with any new round or period added) → move them into place. New rounds and periods go into
ontology/codes/ only when the letter is written.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from ..errors import InputError, UnreadableInput, UsageError, display_path
from ..files import read_text as read_file
from ..load.tables import load_letter
from ..load.text import read_text as read_ontology
from ..load.vocabulary import Vocabulary, load_vocabulary
from ..namespaces import DEFAULT_BASE
from . import codes, dates
from .facts import Facts
from .headers import HeaderWords, reading_with, unread_tables
from .labels import CodeIndex
from .letter import LetterMeta, read_letter
from .report import Outcome
from .structures import add_structures
from .tables import Context, TableResult, ingest_table
from .text import CAPTION, Line, Unreadable, find_tables, read_text
from .write import commit, release, render_csv, render_letter, stage, sweep_stale, write_atomically

SHEETS = {".csv", ".xlsx", ".xlsm"}
DOCUMENTS = {".docx"}
# Formats ingest does not read, and how to get one it reads.
OTHER_FORMATS = {".doc": "a Word 97-2003 document: save it as .docx (Word or LibreOffice: Save as) and ingest that",
                 ".xls": "an Excel 97-2003 workbook: save it as .xlsx (Excel or LibreOffice: Save as) and ingest that",
                 ".odt": "an OpenDocument text: save it as .docx and ingest that",
                 ".ods": "an OpenDocument spreadsheet: save it as .xlsx and ingest that",
                 ".rtf": "a Rich Text file: save it as .docx and ingest that"}
MAX_TABLES = 200  # tables of one letter; the bundled letters have 1 to 8


def read_input(path: Path):
    """The lines of the letter's text, or of a CSV/XLSX/DOCX attachment (with where each line comes from)."""
    if path.suffix.lower() in SHEETS:
        from .sheet import read_sheet

        return read_sheet(path)
    if path.suffix.lower() in OTHER_FORMATS:
        raise Unreadable(path, 1, 1, f"this is {OTHER_FORMATS[path.suffix.lower()]}")
    if path.suffix.lower() in DOCUMENTS:
        from .docx import read_docx

        return read_docx(path)
    from .sheet import Reading

    if path.suffix.lower() == ".pdf":
        from .pdf import read_pdf

        return Reading(read_pdf(path))
    return Reading(read_text(path))


def _located(error: InputError, reading, letter: Path) -> InputError:
    """The error with where its line comes from: the sheet and cell, or the table, row and cell, of an
    attachment; the page of a PDF (or of a `pdftotext` output with form feeds)."""
    if reading is None or Path(error.path) != letter:
        return error
    where = reading.where(error.line, error.column)
    if where is not None:
        return type(error)(error.path, error.line, error.column, f"{error.message} [{where}]")
    return _on_page(error, reading.lines)


def _header_alone(lines, words: HeaderWords) -> Line | None:
    """The first line that is only a table's first header cell (« Pays de citoyenneté », « Municipalité »)
    followed by at least three short lines: the shape plain `pdftotext` gives a table, one cell per line."""
    for k, line in enumerate(lines):
        if "\t" in line.text or line.blank or words.kind(line.text, True) is None:
            continue
        after = [ln for ln in lines[k + 1: k + 8] if not ln.blank]
        if len(after) >= 3 and all(len(ln.text.split()) <= 5 for ln in after[:3]):
            return line
    return None


def _on_page(error: InputError, lines) -> InputError:
    """The error with the page of its line in front of its message, for input read from pages (a PDF, a
    `pdftotext` output with form feeds): the line number is of the text ingest made of them."""
    page = next((ln.page for ln in lines if ln.number == error.line), 0)
    if not page:
        return error
    return type(error)(error.path, error.line, error.column, f"page {page}: {error.message}")


def ingest(letter: Path, data_dir: Path, ontology_dir: Path, mapping: dict[str, str] | None = None,
           dry_run: bool = False, replace: bool = False, accept_revisions: bool = False,
           letters_dir: Path | None = None, facts: Facts | None = None, confirms: tuple[str, ...] = (),
           review: Path | None = None) -> Outcome:
    """Ingest one letter; Unreadable and UsageError are raised (exit 2), data problems are in Outcome.errors.

    The letter's own file is copied, byte for byte, to `letters_dir` (the sources/letters/ that goes
    with the data folder: paths.letters_folder) as <ref><suffix>, the name letter.toml's source_text
    cites, so that `build` publishes it and works right after ingest. Errors about an attachment
    (XLSX, DOCX) also name the sheet and cell, or the table, row and cell; about a PDF, the page.
    confirms: a person's `--confirm`s of figures read by OCR (ocr.py); review: an HTML page to write of what
    was read, written whatever the outcome (review.py)."""
    if data_dir.is_dir():
        sweep_stale(data_dir)  # what killed runs left (issue 23)
    vocab = load_vocabulary(ontology_dir, DEFAULT_BASE)
    words = HeaderWords.of(vocab)
    reading = None
    lines: list[Line] = []
    outcome = Outcome(display_path(letter), dry_run=dry_run)
    try:
        with reading_with(words):  # header words are the labels of this ontology folder's vocabulary
            reading = read_input(letter)
            lines = reading.lines
            if confirms:
                from .ocr import OcrLines, apply_confirmations

                if not isinstance(lines, OcrLines):
                    raise UsageError("--confirm is for the figures of a scanned letter read by OCR; this letter has text")
                lines = reading.lines = apply_confirmations(lines, confirms)
            _refuse_too_many_tables(lines, letter)
            raw_tables = find_tables(lines, letter)
        outcome = _ingest(letter, lines, raw_tables, vocab, words, data_dir, ontology_dir, mapping, dry_run,
                          replace, accept_revisions, letters_dir, facts)
    except InputError as error:
        located = _located(error, reading, letter)
        if located is error:
            raise
        raise located from error
    finally:
        outcome.errors = [_located(e, reading, letter) for e in outcome.errors]
        if review is not None:
            from .review import write_review

            write_review(review, letter, lines, outcome)
    if reading is not None:
        outcome.to_review += reading.findings
    return outcome


def _refuse_too_many_tables(lines, letter: Path) -> None:
    """Counted before the tables are read: a letter of 10,000 tables ran past 240 s (issue 23)."""
    captions = [line for line in lines if CAPTION.match(line.text)]
    if len(captions) > MAX_TABLES:
        raise InputError(letter, captions[MAX_TABLES].number, 1, f"{len(captions)} table captions: expected at most "
                                                                 f"{MAX_TABLES} tables in one letter (is this one letter?)")


def _ingest(letter: Path, lines, raw_tables, vocab: Vocabulary, words: HeaderWords, data_dir: Path, ontology_dir: Path,
            mapping: dict[str, str] | None, dry_run: bool, replace: bool, accept_revisions: bool,
            letters_dir: Path | None, facts: Facts | None) -> Outcome:
    outcome = Outcome(display_path(letter), dry_run=dry_run)
    outcome.errors += unread_tables(lines, raw_tables, letter, words)
    if not raw_tables and (alone := _header_alone(lines, words)) is not None:
        outcome.errors.append(InputError(letter, alone.number, 1, f"« {alone.text.strip()} » alone on its line, the "
                                         "table's cells one per line after it: plain `pdftotext` output, whose columns "
                                         "come one after another and whose blank cells leave no trace, so its rows "
                                         "cannot be rebuilt without guessing. Ingest the PDF itself, or the output of "
                                         "`pdftotext -layout`"))
        return outcome
    if not raw_tables:
        outcome.errors.append(InputError(letter, 1, 1, "no table found: expected a header row such as « Pays de citoyenneté"
                                                       "<TAB>Nombre d'invitations » under a caption « Tableau N … »"))
        return outcome
    meta, errors = read_letter(lines, raw_tables, letter, facts)
    outcome.errors += errors
    if meta is None:
        return outcome
    outcome.ref = meta.ref
    outcome.to_review = [f"{name}: given with {option} ({letter.name} does not state it)"
                         for name, option in meta.given.items()] + list(meta.to_review)
    target = data_dir / meta.ref
    if target.exists() and not replace and not dry_run:
        raise UsageError(f"{display_path(target)} already exists: letter {meta.ref} is already in the data folder (--replace to "
                         "replace it, --dry-run to check without writing)")
    source_name = meta.ref + (letter.suffix.lower() or ".txt")
    source = (letters_dir or data_dir.absolute().parent / "sources" / "letters") / source_name
    if source.exists() and not replace and not dry_run and not _same_file(source, letter):
        raise UsageError(f"{display_path(source)} already exists and differs from {display_path(letter)}: the letter's "
                         "file is kept there under its reference (--replace to replace it)")
    index = CodeIndex(vocab, mapping)
    ctx = Context(letter, vocab, index, meta.body, meta.programs, words, meta.ref)
    tables = [ingest_table(raw, f"t{i}", ctx) for i, raw in enumerate(raw_tables, start=1)]
    outcome.tables = tables
    for t in tables:
        if t.cells and not any(c.value for c in t.cells):  # nothing printed: a text that lost its figures (issue 23)
            outcome.errors.append(InputError(letter, t.raw.line, 1, f"table {t.raw.number or t.id} has no figure: every "
                                             "cell is blank; expected the table's numbers (were they lost when the text "
                                             "was extracted?)"))
        for use in t.labels:
            if not use.match.resolved:
                outcome.errors.append(_label_error(letter, use))
        outcome.errors += t.errors
    if hasattr(lines, "readings"):  # a scanned letter: a figure read by OCR is written only once confirmed
        from .ocr import check_figures, explain

        outcome.errors = explain(outcome.errors, lines) + check_figures(tables, lines, letter, vocab)
    if outcome.errors:
        return outcome
    revises = _restated(letter, meta.ref, tables, data_dir, vocab, outcome, accept_revisions)
    if outcome.errors:
        return outcome
    new: dict[str, set[str]] = {}
    for t in tables:
        for name, notations in t.new_codes.items():
            new.setdefault(name, set()).update(notations)
    outcome.new_codes = {k: sorted(v) for k, v in sorted(new.items())}
    # Files of the ontology folder to replace, by path under it: code lists with new codes, structures.ttl with new structures.
    ontology_files = {f"codes/{codes.FILES[name]}": codes.add_codes(
        read_ontology(ontology_dir / "codes" / codes.FILES[name]), name, notations, meta.ref)
        for name, notations in new.items()}
    derived = {t.new_structure.structure.slug: t.new_structure for t in tables if t.new_structure}
    outcome.new_structures = sorted(derived)
    if derived:
        ontology_files["structures.ttl"] = add_structures(read_ontology(ontology_dir / "structures.ttl"),
                                                          [derived[slug].block for slug in sorted(derived)])
    titles = {t.id: _titles(t, meta, index, vocab) for t in tables}
    files = {"letter.toml": render_letter(meta, tables, source_name, titles, revises)}
    for t in tables:
        files[f"{t.id}.csv"] = render_csv(t)
    staged = stage(data_dir, files)
    try:
        with tempfile.TemporaryDirectory(prefix="mifi-ingest-ontology-") as overlay:
            check_vocab = vocab if not ontology_files else load_vocabulary(
                _overlay(ontology_dir, Path(overlay), ontology_files), DEFAULT_BASE)
            outcome.validation = _check(staged, meta.ref, check_vocab, outcome)
        if outcome.errors or dry_run:
            return outcome
        copy = _stage_source(letter, source)
        for name, content in ontology_files.items():
            write_atomically(ontology_dir / name, content)
            outcome.written.append(display_path(ontology_dir / name))
        _commit_with_source(staged, target, copy, source)
        outcome.written[:0] = [display_path(target / name) for name in files]
        if copy is not None:
            outcome.written.append(display_path(source))
    finally:
        if staged.exists():
            shutil.rmtree(staged)
        release(staged)
    return outcome


def _same_file(a: Path, b: Path) -> bool:
    """The same file, or one with the same bytes (the letter ingested from sources/letters itself)."""
    return a.resolve() == b.resolve() or (a.is_file() and a.read_bytes() == b.read_bytes())


def _stage_source(letter: Path, source: Path) -> Path | None:
    """A copy of the letter's file beside its place in sources/letters (a hidden name build does not
    publish), or None when that place already holds the same bytes."""
    if source.exists() and _same_file(source, letter):
        return None
    source.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{source.name}.", suffix=".ingest", dir=source.parent)
    os.close(fd)
    try:
        shutil.copyfile(letter, tmp)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def _commit_with_source(staged: Path, target: Path, copy: Path | None, source: Path) -> None:
    """Put the letter's file in place, then the data folder (write.commit); if the data cannot be put in
    place, the file that was there before is put back (or the new one removed): nothing half-written."""
    if copy is None:
        commit(staged, target)
        return
    previous = source.with_name(f".{source.name}.replaced") if source.exists() else None
    try:
        if previous is not None:
            os.replace(source, previous)
        os.replace(copy, source)
        commit(staged, target)
    except BaseException:
        if previous is not None and previous.exists():
            os.replace(previous, source)
        elif previous is None:
            source.unlink(missing_ok=True)
        copy.unlink(missing_ok=True)
        raise
    if previous is not None:
        previous.unlink()


def _restated(path: Path, ref: str, tables: list[TableResult], data_dir: Path, vocab: Vocabulary, outcome: Outcome,
              accept: bool) -> dict[str, dict[tuple[tuple[str, ...], str], str]]:
    """Compare every cell with the cells the letters already in the data folder state for the same
    dimension values and measure (same structure): an equal one is confirmed; a different figure, or
    a figure where the other letter has none (or the reverse), is a revision, refused unless the
    person accepts revisions. An accepted revision is returned (table id -> (codes, measure) -> the
    dataset it revises), for letter.toml's `revises`, and said in the cell's note."""
    from ..load.tables import load_letters

    if not any(p.parent.name != ref for p in data_dir.glob("*/letter.toml")):
        return {}
    by_key: dict[tuple[str, tuple[str, ...], str], list] = {}
    for other in load_letters(data_dir, vocab):
        if other.ref == ref:
            continue  # the letter being replaced
        for table in other.tables:
            for cell in table.cells:
                by_key.setdefault((table.structure.slug, cell.codes, cell.measure), []).append((table, cell))
    accepted: dict[str, dict[tuple[tuple[str, ...], str], str]] = {}
    for t in tables:
        assert t.structure is not None
        lines = outcome.restated.setdefault(t.id, [])
        for cell in t.cells:
            codes = tuple(cell.codes[d.name] for d in t.structure.dimensions)
            for table, earlier in by_key.get((t.structure.slug, codes, cell.measure), []):
                label = cell.source_label or "/".join(codes)
                if earlier.value == cell.value and earlier.status == cell.status:
                    lines.append(f"confirmed      {table.dataset_id} {label} {earlier.value or earlier.status} "
                                 f"({'/'.join(codes)} {cell.measure})")
                    continue
                said = (f"{table.dataset_id} {label} {earlier.value or earlier.status} → {ref}-{t.id} "
                        f"{cell.value or cell.status}")
                lines.append(f"REVISION       {said}" + ("" if accept else " (refused without --accept-revisions)"))
                if not accept:
                    outcome.errors.append(InputError(path, cell.line, cell.column, (
                        f"{said}: the data folder already states this cell ({'/'.join(codes)} {cell.measure}) "
                        f"otherwise; --accept-revisions publishes the new figure as a revision of the earlier one "
                        f"(letter.toml's `revises`, prov:wasRevisionOf)")))
                    continue
                accepted.setdefault(t.id, {})[(codes, cell.measure)] = table.dataset_id
                where_fr = f"le tableau {table.number} de la lettre {table.letter_ref}"
                where_en = f"table {table.number} of letter {table.letter_ref}"
                was = earlier.value or earlier.status
                fr = (f"Révise la cellule publiée dans {where_fr} ({was}) ; révision acceptée à l'ingestion "
                      "(mifi-rdf ingest --accept-revisions).")
                en = (f"Revises the cell published in {where_en} ({was}); revision accepted at ingest "
                      "(mifi-rdf ingest --accept-revisions).")
                cell.note_fr = f"{cell.note_fr} {fr}".strip()
                cell.note_en = f"{cell.note_en} {en}".strip()
    return accepted


def _label_error(path: Path, use) -> InputError:
    m = use.match
    if m.step == "ambiguous":
        what = (f"« {m.label} » names more than one code of code/{use.codelist}: {'; '.join(m.candidates)}. "
                f"Say which with --map \"{m.label}=CODE\" (or a line `{m.label} = CODE` in a --mapping file)")
    else:
        hint = f" Close labels: {'; '.join(m.candidates)}." if m.candidates else ""
        what = (f"« {m.label} » is not a label of code/{use.codelist} (ontology/codes/).{hint} If it is one of them, say "
                f"so with --map \"{m.label}=CODE\"; if the code list lacks it, add it to the reference list and run "
                "`mifi-rdf codelists`")
    return InputError(path, use.line, use.column, what)


def _overlay(ontology: Path, folder: Path, replaced: dict[str, str]) -> Path:
    """A view of the ontology folder with some files replaced, by path under it (links to everything else)."""
    (folder / "codes").mkdir()
    for path in [*ontology.glob("*.ttl"), *(ontology / "codes").glob("*.ttl")]:
        name = path.relative_to(ontology).as_posix()
        if name in replaced:
            (folder / name).write_text(replaced[name], encoding="utf-8", newline="")
        else:
            os.symlink(path.resolve(), folder / name)
    return folder


def _check(staged: Path, ref: str, vocab: Vocabulary, outcome: Outcome) -> str:
    """Load the staged files as `export` would, then validate the letter's cubes against shapes/."""
    from ..project import Project

    folder = staged.parent / f".{staged.name}-check" / ref
    folder.parent.mkdir()
    try:
        shutil.copytree(staged, folder)
        try:
            letter = load_letter(folder / "letter.toml", vocab)
        except InputError as err:
            outcome.errors.append(InputError(err.path, err.line, err.column, f"{err.message} (in the files ingest wrote: "
                                                                              "a bug of ingest, please report it)"))
            return ""
        from ..validate.report import Describer, render_text, summary

        report, store = Project(vocab, [letter]).validate()
        said = f"validated as export would: {summary(report, 'en')}"
        if not report.conforms():
            details = render_text(report, Describer(store, report, vocab.base, "en"), "en")
            outcome.errors.append(InputError(outcome.letter, 0, 0, f"the cubes of this letter violate the rules of shapes/ "
                                                           f"({said}):\n{details}"))
        return said
    finally:
        shutil.rmtree(folder.parent)


def _label(index: CodeIndex, codelist: str, code: str, lang: str) -> str:
    if index.has(codelist, code):
        c = index.concepts[codelist][code]
        return c.pref.get(lang) or c.label
    if codelist == "period":
        fr, en = dates.period_labels(code)
        return fr if lang == "fr" else en
    if codelist == "round":
        block = codes.round_block(code, "")
        part = block.split('skos:prefLabel "', 1)[1]
        fr, rest = part.split('"@fr, "', 1)
        return fr if lang == "fr" else rest.split('"@en', 1)[0]
    return code


def _titles(t: TableResult, meta: LetterMeta, index: CodeIndex, vocab: Vocabulary) -> dict[str, str]:
    """Titles and descriptions from the structure's labels and the table's constant codes, in French and English."""
    assert t.structure is not None
    structure_labels = {"fr": t.structure.slug, "en": t.structure.slug}
    for tr in vocab.ontology_triples:
        if tr.subject.value == t.structure.iri and tr.predicate.value.endswith("#label"):
            structure_labels[tr.object.language or "en"] = tr.object.value
    if t.new_structure:
        structure_labels = {"fr": t.new_structure.label_fr, "en": t.new_structure.label_en}
    dims = {d.name: d.codelist.rsplit("/", 1)[-1] for d in t.structure.dimensions}
    fixed = {lang: ", ".join(_label(index, dims[name], code, lang) for name, code in t.fixed.items()) for lang in ("fr", "en")}
    title = {lang: structure_labels[lang] + (f" — {fixed[lang]}" if fixed[lang] else "") for lang in ("fr", "en")}
    where_fr = f"le tableau {t.raw.number}" if t.raw.number else "le tableau"
    where_en = f"table {t.raw.number}" if t.raw.number else "the table"
    rule_fr, rule_en = "", ""
    if t.method == "merged-into-others":
        rule_fr = f" Les données inférieures à {t.threshold} sont regroupées dans « Autres »."
        rule_en = f" Values under {t.threshold} are merged into « Autres » (others)."
    elif t.method in {"blanked", "blanked-or-merged"}:
        rule_fr = f" Les données inférieures à {t.threshold} et celles permettant de les calculer sont protégées."
        rule_en = f" Values under {t.threshold} and those that would allow them to be computed are protected."
    return {
        "title_fr": title["fr"],
        "title_en": title["en"],
        "description_fr": f"{title['fr']}, tel que publié dans {where_fr} de la lettre {meta.ref}, totaux compris.{rule_fr}",
        "description_en": f"{title['en']}, as published in {where_en} of letter {meta.ref}, totals included.{rule_en}",
    }


def command(data: Path | None, ontology: Path | None, letter: Path, dry_run: bool, report_file: Path | None,
            maps: tuple[str, ...], mapping_file: Path | None, replace: bool, out, err, accept_revisions: bool = False,
            facts: dict | None = None, confirms: tuple[str, ...] = (), review: Path | None = None) -> int:
    """The `mifi-rdf ingest` command: report on stdout, problems on stderr, JSON report on request; exit code."""
    from ..paths import letters_folder, project_paths
    from ..serialize.writers import writable
    from .facts import parse_facts
    from .labels import read_mapping
    from .report import to_json, to_text

    try:
        given = parse_facts(**(facts or {}))
        if report_file is not None:  # every output's place is checked before anything is written (issue 23)
            writable(report_file)
        paths = project_paths(data, ontology)
        mapping: dict[str, str] = {}
        if mapping_file is not None:
            mapping.update(read_mapping(read_file(mapping_file), str(mapping_file)))
        mapping.update(read_mapping("\n".join(maps), "--map"))
        if review is not None and not review.parent.is_dir():
            raise UsageError(f"cannot write the review page: no folder {display_path(review.parent)}")
        outcome = ingest(letter, paths.data, paths.ontology, mapping, dry_run, replace, accept_revisions,
                         letters_folder(data), given, confirms, review)
    except (Unreadable, UnreadableInput, UsageError, ValueError, OSError) as error:
        err(f"error: {error}")
        if review is not None and review.parent.is_dir() and isinstance(error, (Unreadable, UsageError)):
            from .review import write_review  # the page says why nothing could be read

            write_review(review, letter, [], Outcome(display_path(letter), errors=[error]))
        return 2
    except InputError as error:
        err(f"error: {error}")
        return 1
    for problem in outcome.errors:
        err(f"error: {problem}")
    out(to_text(outcome))
    if report_file is not None:
        write_atomically(report_file, to_json(outcome)) if report_file.parent.is_dir() else err(
            f"error: cannot write the report: no folder {report_file.parent}")
    return outcome.exit_code
