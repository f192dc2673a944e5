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

from ..errors import InputError, UsageError, display_path
from ..load.tables import load_letter
from ..load.vocabulary import Vocabulary, load_vocabulary
from ..namespaces import DEFAULT_BASE
from . import codes, dates
from .labels import CodeIndex
from .letter import LetterMeta, read_letter
from .report import Outcome
from .tables import Context, TableResult, ingest_table
from .text import HEADER_KINDS, Line, Unreadable, find_tables, fold, read_text
from .write import commit, render_csv, render_letter, stage, write_atomically

SHEETS = {".csv", ".xlsx", ".xlsm"}


def read_input(path: Path):
    if path.suffix.lower() in SHEETS:
        from .sheet import read_sheet

        if not path.is_file():
            raise Unreadable(path, 0, 0, "no such file")
        return read_sheet(path)
    if path.suffix.lower() == ".pdf":
        from .pdf import read_pdf

        return read_pdf(path)
    return read_text(path)


def _header_alone(lines) -> Line | None:
    """The first line that is only a table's first header cell (« Pays de citoyenneté », « Municipalité »)
    followed by at least three short lines: the shape plain `pdftotext` gives a table, one cell per line."""
    for k, line in enumerate(lines):
        first = fold(line.text)
        if "\t" in line.text or not any(p.match(first) for p, _ in HEADER_KINDS):
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
           dry_run: bool = False, replace: bool = False, confirms: tuple[str, ...] = (),
           review: Path | None = None) -> Outcome:
    """Ingest one letter; Unreadable and UsageError are raised (exit 2), data problems are in Outcome.errors.

    confirms: a person's `--confirm`s of figures read by OCR (ocr.py); review: an HTML page to write of what was
    read, written whatever the outcome (review.py)."""
    outcome = Outcome(display_path(letter), dry_run=dry_run)
    lines = read_input(letter)
    if confirms:
        from .ocr import OcrLines, apply_confirmations

        if not isinstance(lines, OcrLines):
            raise UsageError("--confirm is for the figures of a scanned letter read by OCR; this letter has text")
        lines = apply_confirmations(lines, confirms)
    try:
        return _ingest(letter, lines, outcome, data_dir, ontology_dir, mapping, dry_run, replace)
    finally:
        if any(getattr(ln, "page", 0) for ln in lines):
            outcome.errors = [_on_page(e, lines) for e in outcome.errors]
        if review is not None:
            from .review import write_review

            write_review(review, letter, lines, outcome)


def _ingest(letter: Path, lines, outcome: Outcome, data_dir: Path, ontology_dir: Path, mapping: dict[str, str] | None,
            dry_run: bool, replace: bool) -> Outcome:
    raw_tables = find_tables(lines, letter)
    if not raw_tables and (alone := _header_alone(lines)) is not None:
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
    meta, errors = read_letter(lines, raw_tables, letter)
    outcome.errors += errors
    if meta is None:
        return outcome
    outcome.ref = meta.ref
    outcome.to_review = list(meta.to_review)
    target = data_dir / meta.ref
    if target.exists() and not replace and not dry_run:
        raise UsageError(f"{display_path(target)} already exists: letter {meta.ref} is already in the data folder (--replace to "
                         "replace it, --dry-run to check without writing)")
    vocab = load_vocabulary(ontology_dir, DEFAULT_BASE)
    index = CodeIndex(vocab, mapping)
    ctx = Context(letter, vocab, index, meta.body, meta.programs)
    tables = [ingest_table(raw, f"t{i}", ctx) for i, raw in enumerate(raw_tables, start=1)]
    outcome.tables = tables
    for t in tables:
        for use in t.labels:
            if not use.match.resolved:
                outcome.errors.append(_label_error(letter, use))
        outcome.errors += t.errors
    if hasattr(lines, "readings"):  # a scanned letter: a figure read by OCR is written only once confirmed
        from .ocr import check_figures, explain

        outcome.errors = explain(outcome.errors, lines) + check_figures(tables, lines, letter, vocab)
    if outcome.errors:
        return outcome
    new: dict[str, set[str]] = {}
    for t in tables:
        for name, notations in t.new_codes.items():
            new.setdefault(name, set()).update(notations)
    outcome.new_codes = {k: sorted(v) for k, v in sorted(new.items())}
    ontology_files = {name: codes.add_codes((ontology_dir / "codes" / codes.FILES[name]).read_text(encoding="utf-8"),
                                            name, notations, meta.ref) for name, notations in new.items()}
    titles = {t.id: _titles(t, meta, index, vocab) for t in tables}
    files = {"letter.toml": render_letter(meta, tables, letter.name, titles)}
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
        for name, content in ontology_files.items():
            write_atomically(ontology_dir / "codes" / codes.FILES[name], content)
            outcome.written.append(display_path(ontology_dir / "codes" / codes.FILES[name]))
        commit(staged, target)
        outcome.written[:0] = [display_path(target / name) for name in files]
    finally:
        if staged.exists():
            shutil.rmtree(staged)
    return outcome


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
    """A view of the ontology folder with some code lists replaced (links to everything else)."""
    (folder / "codes").mkdir()
    for path in ontology.glob("*.ttl"):
        os.symlink(path.resolve(), folder / path.name)
    names = {codes.FILES[name]: content for name, content in replaced.items()}
    for path in (ontology / "codes").glob("*.ttl"):
        if path.name in names:
            (folder / "codes" / path.name).write_text(names[path.name], encoding="utf-8", newline="")
        else:
            os.symlink(path.resolve(), folder / "codes" / path.name)
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
            maps: tuple[str, ...], mapping_file: Path | None, replace: bool, out, err,
            confirms: tuple[str, ...] = (), review: Path | None = None) -> int:
    """The `mifi-rdf ingest` command: report on stdout, problems on stderr, JSON report on request; exit code."""
    from ..paths import project_paths
    from .labels import read_mapping
    from .report import to_json, to_text

    try:
        paths = project_paths(data, ontology)
        mapping: dict[str, str] = {}
        if mapping_file is not None:
            mapping.update(read_mapping(mapping_file.read_text(encoding="utf-8"), str(mapping_file)))
        mapping.update(read_mapping("\n".join(maps), "--map"))
        if review is not None and not review.parent.is_dir():
            raise UsageError(f"cannot write the review page: no folder {display_path(review.parent)}")
        outcome = ingest(letter, paths.data, paths.ontology, mapping, dry_run, replace, confirms, review)
    except (Unreadable, UsageError, ValueError, OSError) as error:
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
