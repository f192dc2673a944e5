"""Where the curated data, the ontology, the validation rules, the named queries and the sources live.

In a source checkout (the usual case, `pip install -e .`) they are the repository's own folders;
an installed wheel carries a copy under `mifi_rdf/_bundled`. `MIFI_RDF_HOME` overrides both.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from .errors import UsageError


@dataclass(frozen=True)
class ProjectPaths:
    data: Path
    ontology: Path
    queries: Path
    shapes: Path
    sources: Path  # the letters' texts and the reference tables, published with the datasets


def _root() -> Path:
    env = os.environ.get("MIFI_RDF_HOME")
    if env:
        return Path(env)
    here = Path(__file__).resolve().parent
    checkout = here.parents[1]
    if (checkout / "ontology").is_dir() and (checkout / "data").is_dir():
        return checkout
    bundled = here / "_bundled"
    if bundled.is_dir():
        return bundled
    raise UsageError("cannot find data/ and ontology/: set MIFI_RDF_HOME to the project folder")


def project_paths(data: Path | None = None, ontology: Path | None = None) -> ProjectPaths:
    root = None if (data and ontology) else _root()
    return ProjectPaths(
        data=data or root / "data",
        ontology=ontology or root / "ontology",
        queries=(root or _root()) / "queries",
        shapes=(root or _root()) / "shapes",
        sources=(root or _root()) / "sources",
    )


def letters_folder(data: Path | None = None) -> Path:
    """Where a letter's own file is: the project's sources/letters/, or, for a data folder given with
    --data, the folder sources/letters/ beside it (as sources/ is beside data/ in the repository).
    `ingest` puts the letter's file there; `build` publishes the files found there with the project's."""
    if data is None:
        return project_paths().sources / "letters"
    return data.absolute().parent / "sources" / "letters"


def sparql(name: str) -> str:
    """A query the package itself runs (`mifi_rdf/sparql/`), as opposed to the named queries of queries/."""
    return resources.files("mifi_rdf").joinpath("sparql", name).read_text(encoding="utf-8")
