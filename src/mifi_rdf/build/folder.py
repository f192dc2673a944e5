"""`mifi-rdf build OUTDIR`: a complete folder to hand to a web server or an open-data portal.

Everything is written into a temporary folder beside OUTDIR and swapped into place only when
complete, so a failing build leaves the previous OUTDIR as it was. The catalog is written last,
because it records the size and checksum of every file before it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

import pyoxigraph as ox

from .catalog import catalog_statements
from ..cube import CubeBuilder
from ..errors import UsageError
from .facts import Facts, gather_facts
from .pages import index_html, landing_html
from ..project import Project
from .config import Config, Options, dataset_path, landing_page, load_config
from .csvw import write_csv, write_csvw
from .void import void_statements
from ..serialize import temporary
from ..serialize.writers import write

MARKER = "catalog.ttl"  # a folder without it was not made by build: never replace it
CATALOG_FORMATS = {"catalog.ttl": "ttl", "catalog.jsonld": "jsonld", "catalog.rdf": "xml"}


def build_folder(project: Project, outdir: Path, options: Options, data: Path | None = None,
                 progress: Callable[[str], None] = lambda _: None) -> list[str]:
    """Build the folder; returns the paths written, relative to OUTDIR, sorted."""
    outdir = Path(outdir).absolute()
    if outdir.exists() and not outdir.is_dir():
        raise UsageError(f"{outdir} exists and is not a folder")
    if outdir.is_dir() and any(outdir.iterdir()) and not (outdir / MARKER).is_file():
        raise UsageError(f"refusing to replace {outdir}: it is not empty and has no {MARKER}, "
                         "so it is not a folder mifi-rdf built")
    config = load_config(project.vocab.base, options, data)
    outdir.parent.mkdir(parents=True, exist_ok=True)
    temporary.sweep(outdir.parent, outdir.name)  # what a killed build left (issue 15)
    tmp: Path | None = None
    held: int | None = None
    try:
        with temporary.deferred_signals():  # a signal now would leave the folder nameless to us
            tmp = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.", suffix=".tmp", dir=outdir.parent))
            held = os.open(tmp, os.O_RDONLY)
        temporary.lock(held)  # until the build ends: the next run's sweep leaves it alone
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o777 & ~umask)  # mkdtemp makes 0700; a published folder follows the umask
        write_folder(project, tmp, config, options, progress)
        written = sorted(p.relative_to(tmp).as_posix() for p in tmp.rglob("*") if p.is_file())
        swap(tmp, outdir)
    except BaseException:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        if held is not None:
            os.close(held)
    return written


def swap(new: Path, outdir: Path) -> None:
    """Put `new` in the place of `outdir`, keeping the old one until the new one is there.

    Where the platform can, the two folders are exchanged in one system call, so OUTDIR is never
    missing; the old one, now at the temporary's name, is then removed (or, if this run is killed
    first, by the next run's sweep). Elsewhere, two renames with a short gap between them."""
    if not outdir.exists():
        os.rename(new, outdir)
        return
    if temporary.exchange(new, outdir):
        shutil.rmtree(new)
        return
    old = new.with_name(new.name.removesuffix(".tmp") + ".old.tmp")  # swept by the next run if killed here
    os.rename(outdir, old)
    try:
        os.rename(new, outdir)
    except BaseException:
        os.rename(old, outdir)
        raise
    shutil.rmtree(old)


def write_folder(project: Project, root: Path, config: Config, options: Options,
                 progress: Callable[[str], None]) -> None:
    base = project.vocab.base
    (root / "dataset").mkdir()
    write_rdf(root / "ontology.ttl", project.vocab.ontology_triples, "ttl", base)
    write_rdf(root / "codes.ttl", project.vocab.code_triples, "ttl", base)
    facts = gather_facts(project)
    builder = CubeBuilder(project.vocab)
    for letter in project.letters:
        for table in letter.tables:
            write_dataset(project, builder, letter, table, root, config, facts)
            progress(f"{table.dataset_id}: {len(table.cells)} cells")
    for letter in project.letters:
        for table in letter.tables:
            page = landing_html(project, letter, table, root, config, facts)
            (root / landing_page(table.dataset_id)).write_text(page, encoding="utf-8")
    write_rdf(root / "void.ttl", grouped(void_statements(project, root, config, options)), "ttl", base)
    catalog = grouped(catalog_statements(project, root, config, facts, options))
    for name, fmt in CATALOG_FORMATS.items():
        write_rdf(root / name, catalog, fmt, base)
    listing = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    (root / "index.html").write_text(index_html(project, config, listing), encoding="utf-8")


def write_dataset(project: Project, builder: CubeBuilder, letter, table, root: Path, config: Config,
                  facts: Facts) -> None:
    """A dataset's RDF (the dataset, its letter and source table, its observations), CSV and CSVW."""
    base = project.vocab.base

    def triples():
        for part in (builder.letter_triples(letter), builder.dataset_triples(table), builder.observation_triples(table)):
            for s, p, o in part:
                yield ox.Triple(s, p, o)

    for key in ("ttl", "jsonld", "nt"):
        write_rdf(root / dataset_path(table.dataset_id, config.format(key)), triples(), key, base)
    csv_rel = dataset_path(table.dataset_id, config.format("csv"))
    with (root / csv_rel).open("wb") as f:
        write_csv(table, project.vocab, facts, f)
    write_csvw(table, Path(csv_rel).name, f"{base}dataset/{table.dataset_id}", config.license,
               root / dataset_path(table.dataset_id, config.format("csvw")))


def write_rdf(path: Path, statements: Iterable[ox.Triple], fmt: str, base: str) -> None:
    with path.open("wb") as f:
        write(statements, fmt, f, base)


def grouped(statements: Iterable[ox.Triple]) -> list[ox.Triple]:
    """Statements grouped by subject, in order of first appearance: one node per subject in JSON-LD."""
    groups: dict = {}
    for t in statements:
        groups.setdefault(t.subject, []).append(t)
    return [t for group in groups.values() for t in group]

