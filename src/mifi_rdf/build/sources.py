"""The sources of the cubes, published beside them: the letters' texts and the reference tables.

Every letter cites its text as `dcterms:source` (`<BASE>sources/letters/30952.txt`) and every
reference code list its CSV files (`<BASE>sources/reference/quebec_mrc.csv`). `build` copies those
files, byte for byte, to the same paths under OUTDIR, with the README of each folder (what each
file is, where it comes from, its licence), so that every source a published statement names is a
file a user can open; `serve` answers the same paths.

In the catalog, the files are `foaf:Document`s (the class DCAT-AP gives pages and documents), each
with its format and SHA-256; the build activity `prov:used` them and each dataset
`prov:wasDerivedFrom` its letter's text and the reference tables of its code lists. Not
`dcterms:source`, whose DCAT-AP range is a catalogued dcat:Dataset, and not distributions: the
letters are MIFI's documents, not datasets of this catalog under its licence.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from ..errors import InputError
from ..files import regular
from ..model import Letter, Table
from ..namespaces import DCT, FOAF, PROV, SPDX, A, N, en, fr, typed
from ..paths import project_paths
from ..project import Project
from .config import measure

FOLDER = "sources"  # under the base URI and under OUTDIR, as in the repository
# what a source file is, by suffix: media type as served, and its IANA IRI for dcterms:format
MEDIA_TYPES = {".txt": "text/plain", ".csv": "text/csv", ".md": "text/markdown", ".pdf": "application/pdf",
               ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
               ".xlsm": "application/vnd.ms-excel.sheet.macroEnabled.12",
               ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
LETTER_FILES = (".txt", ".pdf", ".csv", ".xlsx", ".xlsm", ".docx")  # the forms a letter is ingested from
IANA = "https://www.iana.org/assignments/media-types/"


@dataclass(frozen=True)
class SourceFile:
    path: str  # relative, with '/': the path under OUTDIR and under the base URI
    file: Path  # where it is read from

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.file.suffix]


def source_files(sources: Path | None = None, letters: Path | None = None) -> list[SourceFile]:
    """The files published from sources/: the letters' files (letters/*.txt, or the PDF or sheet a
    letter was ingested from), reference/*.csv and the README of each; with `letters` (the folder
    beside a --data folder, paths.letters_folder), the letters' files found there too."""
    sources = sources or project_paths().sources
    found = [*_letter_files(sources / "letters"), *sorted((sources / "reference").glob("*.csv"))]
    found += [p for p in (sources / "letters" / "README.md", sources / "reference" / "README.md") if p.is_file()]
    out = {f"{FOLDER}/{p.relative_to(sources).as_posix()}": p for p in found}
    if letters is not None and letters.is_dir() and letters.resolve() != (sources / "letters").resolve():
        out.update({f"{FOLDER}/letters/{p.name}": p for p in _letter_files(letters)})
    return sorted((SourceFile(path, p) for path, p in out.items()), key=lambda s: s.path)


def _letter_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*") if p.suffix in LETTER_FILES and not p.name.startswith(".") and p.is_file())


def letter_text(letter: Letter) -> str:
    """The path (under OUTDIR and the base) of the letter's text, which its dcterms:source names."""
    return f"{FOLDER}/letters/{letter.source_text}"


def check_letters(project: Project, files: list[SourceFile]) -> None:
    """Refuse a letter whose text is not in sources/letters: it would cite a file nobody can open."""
    published = {f.path for f in files}
    for letter in project.letters:
        if letter_text(letter) not in published:
            lines = letter.path.read_text(encoding="utf-8").splitlines() if letter.path else []
            line = next((n for n, text in enumerate(lines, 1) if text.strip().startswith("source_text")), 1)
            raise InputError(letter.path or "letter.toml", line, 1,
                             f"source_text '{letter.source_text}' is not in sources/letters/: the letter's text "
                             "must be published with its datasets")


def copy_sources(files: list[SourceFile], root: Path) -> None:
    """Copy the files byte for byte (the catalog gives their SHA-256)."""
    for f in files:
        target = root / f.path
        target.parent.mkdir(parents=True, exist_ok=True)
        regular(f.file)  # a FIFO among the sources would make the copy wait forever (issue 23)
        shutil.copyfile(f.file, target)


def code_list_sources(project: Project, table: Table) -> list[str]:
    """IRIs of the reference files the code lists of the table's dimensions cite as dcterms:source."""
    schemes = {dim.codelist for dim in table.structure.dimensions}
    source = DCT + "source"
    return sorted({t.object.value for t in project.vocab.code_triples
                   if t.predicate.value == source and t.subject.value in schemes and isinstance(t.object, ox.NamedNode)})


def provenance_statements(project: Project, root: Path, files: list[SourceFile], build: ox.NamedNode
                          ) -> Iterator[tuple]:
    """The catalog's account of the sources: each file described, used by the build, and what each
    dataset was derived from."""
    b = project.vocab.base
    sha256 = N(SPDX + "checksumAlgorithm_sha256")
    for f in files:
        node = N(b + f.path)
        name = f.file.name
        yield build, N(PROV + "used"), node
        yield node, A, N(FOAF + "Document")
        if f.path.startswith(f"{FOLDER}/letters/") and name != "README.md":
            yield node, N(DCT + "title"), fr(f"Texte de la décision d'accès {f.file.stem} (source)")
            yield node, N(DCT + "title"), en(f"Text of access decision {f.file.stem} (source)")
        elif name == "README.md":
            folder = f.path.rsplit("/", 2)[-2]
            yield node, N(DCT + "title"), fr(f"Provenance des fichiers de {FOLDER}/{folder}/")
            yield node, N(DCT + "title"), en(f"Provenance of the files of {FOLDER}/{folder}/")
        else:
            yield node, N(DCT + "title"), fr(f"Table de référence {name} (source)")
            yield node, N(DCT + "title"), en(f"Reference table {name} (source)")
        if name != "README.md":
            yield node, N(FOAF + "page"), N(b + f.path.rsplit("/", 1)[0] + "/README.md")
        media = N(IANA + f.media_type)
        yield node, N(DCT + "format"), media
        yield media, A, N(DCT + "MediaType")
        checksum = ox.BlankNode("checksum-" + re.sub(r"[^A-Za-z0-9]", "-", f.path))
        yield node, N(SPDX + "checksum"), checksum
        yield checksum, A, N(SPDX + "Checksum")
        yield checksum, N(SPDX + "algorithm"), sha256
        yield checksum, N(SPDX + "checksumValue"), typed(measure(root, f.path).sha256, "hexBinary")
    for letter in project.letters:
        for table in letter.tables:
            dataset = N(f"{b}dataset/{table.dataset_id}")
            yield dataset, N(PROV + "wasDerivedFrom"), N(b + letter_text(letter))
            for iri in code_list_sources(project, table):
                yield dataset, N(PROV + "wasDerivedFrom"), N(iri)
