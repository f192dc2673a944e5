"""What a published folder is: its fixed metadata (data/catalog.toml), where each file goes, and
the size and checksum of a file as written.

The catalog, the VoID description and the web pages all describe the same files; this module is
the one place that says where a dataset's Turtle or CSV lives, and at which URL.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError, UsageError
from ..load.shape import check_like
from ..load.text import parse_toml, read_text
from ..paths import project_paths

CATALOG_FILE = "catalog.toml"
# the files of a dataset that build writes
FORMAT_KEYS = ("ttl", "jsonld", "nt", "csv", "csvw", "xlsx", "sdmx-csv", "sdmx-ml", "sdmx-ml-data")
SUFFIX = re.compile(r"\.[A-Za-z0-9][A-Za-z0-9.-]*")  # a file name's end, never a path


@dataclass(frozen=True)
class Format:
    key: str
    suffix: str
    media_type: str
    file_type: str
    title_fr: str
    title_en: str
    description_fr: str
    description_en: str

    @property
    def media_type_iri(self) -> str:
        return "https://www.iana.org/assignments/media-types/" + self.media_type


@dataclass(frozen=True)
class Options:
    """Choices of the person publishing: none of them comes from the clock."""

    license: str | None = None  # licence IRI; None: the default of catalog.toml
    issued: dt.date | None = None  # date of the catalog; None: the latest letter date
    sparql_endpoint: str | None = None
    previous: Path | None = None  # the folder of the last release (--previous): this build is the next release
    release: str | None = None  # the release's id (--release); None: the release's date


@dataclass(frozen=True)
class Config:
    """data/catalog.toml, with relative IRIs resolved against the base and the options applied."""

    raw: dict
    base: str
    license: str
    formats: tuple[Format, ...]
    path: Path | None = None  # the catalog.toml read, for messages about it

    def iri(self, value: str) -> str:
        return value if "://" in value else self.base + value

    def section(self, name: str) -> dict:
        return self.raw[name]

    def format(self, key: str) -> Format:
        return next(f for f in self.formats if f.key == key)


def borrowed_catalog(data: Path | None) -> str | None:
    """What a data folder without catalog.toml gets instead, said in words; None when it has its own.

    A folder given with --data may hold only letters: the catalog's publisher, licence, contact,
    themes and formats are then the project's own data/catalog.toml (the ministry's statistics as
    this project publishes them, CC BY 4.0). That is a sensible default, but one nobody chose for that
    folder (issue 23), so every command that publishes a catalog says so."""
    if data is None or (data / CATALOG_FILE).is_file():
        return None
    own = project_paths().data / CATALOG_FILE
    return (f"{data} has no {CATALOG_FILE}: the catalog's publisher, licence, contact, themes and formats are those of "
            f"{own}; copy it into {data} and edit it to choose your own")


def load_config(base: str, options: Options, data: Path | None = None) -> Config:
    """Read catalog.toml from the data folder, or from the project's own data/ when it has none."""
    path = (data or project_paths().data) / CATALOG_FILE
    if not path.is_file():
        path = project_paths().data / CATALOG_FILE
    text = read_text(path, escapes=True, kind="toml")
    raw = parse_toml(path, text)
    try:
        formats = tuple(Format(**f) for f in raw["format"])
        for key in ("catalog", "theme", "publisher", "license", "contact", "quebec", "conforms_to", "csvw"):
            raw[key]  # noqa: B018 - fail early, naming the missing table
    except (KeyError, TypeError) as err:
        raise InputError(path, 1, 1, f"expected the tables [catalog], [[theme]], [publisher], [license], [contact], "
                                     f"[quebec], [conforms_to], [csvw] and [[format]] entries with key, suffix, "
                                     f"media_type, file_type, title_fr, title_en, description_fr, description_en: {err}") from err
    reference = project_paths().data / CATALOG_FILE
    if path != reference:  # the project's own is the reference: same tables, keys and types
        check_like(path, text, raw, tomllib.loads(reference.read_text(encoding="utf-8")))
    keys = [f.key for f in formats]
    for f in formats:
        if not SUFFIX.fullmatch(f.suffix):
            raise InputError(path, 1, 1, f"[[format]] {f.key}: suffix {f.suffix!r} is not a file name's end like '.ttl'")
    if sorted(keys) != sorted(FORMAT_KEYS):
        raise InputError(path, 1, 1, f"expected one [[format]] for each of {', '.join(FORMAT_KEYS)}; got "
                                     f"{', '.join(keys)}")
    license = options.license or raw["license"]["iri"]
    if "://" not in license:
        raise UsageError(f"--license must be an absolute IRI, got {license!r}")
    return Config(raw, base, license, formats, path)


def dataset_path(dataset_id: str, fmt: Format) -> str:
    """Path of a dataset's file in the folder, relative, with '/' (it is also the URL path)."""
    return f"dataset/{dataset_id}{fmt.suffix}"


def version_path(dataset_id: str, number: int, fmt: Format) -> str:
    """Path of a file of version `number` of a dataset (build/history.py): it never changes once published, so a
    citation of last month's file still resolves after the dataset is revised or withdrawn."""
    return f"dataset/{dataset_id}/v{number}/{dataset_id}{fmt.suffix}"


def version_iri(base: str, dataset_id: str, number: int) -> str:
    """The IRI of a version of a dataset: a dcat:Dataset, dcterms:isVersionOf the dataset's IRI (DCAT 3 has no
    dcat:isVersionOf)."""
    return f"{base}dataset/{dataset_id}/v{number}"


def landing_page(dataset_id: str) -> str:
    return f"dataset/{dataset_id}.html"


@dataclass(frozen=True)
class FileFacts:
    path: str  # relative to the folder
    size: int
    sha256: str


def measure(root: Path, rel: str) -> FileFacts:
    """Size and SHA-256 of a file as it is on disk: what a downloader will check."""
    h = hashlib.sha256()
    size = 0
    with (root / rel).open("rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
            size += len(chunk)
    return FileFacts(rel, size, h.hexdigest())


@dataclass
class Download:
    format: Format
    path: str
    facts: FileFacts | None
