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
from itertools import chain
from pathlib import Path

import pyoxigraph as ox

from ..cube import CubeBuilder
from ..errors import UsageError
from ..files import regular
from ..paths import letters_folder, project_paths
from ..progress import steps
from ..project import Project
from ..render.data import SiteData
from ..render.website import Website
from ..serialize import temporary
from ..serialize.sdmx import write_sdmx_csv, write_sdmx_data, write_sdmx_ml
from ..serialize.writers import write
from ..serialize.xlsx import write_xlsx
from .catalog import catalog_date, catalog_statements
from .config import Config, FileFacts, Format, Options, dataset_path, load_config, version_path
from .consolidated import Consolidated, ConsolidatedBuilder, cube_formats, write_consolidated_csv
from .csvw import write_csv, write_csvw
from .datapackage import write_datapackage
from .facts import Facts, gather_facts
from .history import FILE as HISTORY_FILE
from .history import DatasetHistory, History
from .release import CHANGES_FILE, check_release_date, check_release_id, check_withdrawn, compare, read_previous, read_withdrawn
from .series import find_series
from .sources import check_letters, copy_sources, source_files
from .standalone import Standalone
from .void import void_statements

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
    if options.release is not None:
        check_release_id(options.release)
    previous = read_previous(options.previous) if options.previous is not None else None
    if previous is not None:
        check_release_date(previous, catalog_date(project, options))
    withdrawn = read_withdrawn(data if data is not None else project_paths().data)
    check_withdrawn(project, previous, withdrawn, [s.id for s in find_series(project, config)])  # before anything is written
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
        write_folder(project, tmp, config, options, progress, letters_folder(data) if data is not None else None,
                     previous, withdrawn)
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
                 progress: Callable[[str], None], letters: Path | None = None, previous: History | None = None,
                 withdrawn: tuple[Path, list] | None = None) -> History:
    """Write every file of the folder into `root`; returns its history (release.json), computed once the
    datasets are written (a version is a new N-Triples file) and before the pages and the catalog, which show it."""
    base = project.vocab.base
    sources = source_files(letters=letters)
    check_letters(project, sources)
    copy_sources(sources, root)
    (root / "dataset").mkdir()
    write_rdf(root / "ontology.ttl", project.vocab.ontology_triples, "ttl", base)
    write_rdf(root / "codes.ttl", project.vocab.code_triples, "ttl", base)
    facts = gather_facts(project)
    builder = CubeBuilder(project.vocab, project.bound_attributes())
    standalone = Standalone(project.vocab)
    data = SiteData(project, config, facts)  # the grid of each spreadsheet is the page's
    for letter in project.letters:
        for table in letter.tables:
            write_dataset(project, builder, letter, table, root, config, facts, standalone)
            write_tables(project, letter, table, root, config, facts, data)
            progress(f"{table.dataset_id}: {len(table.cells)} cells")
    for cube in data.consolidated.values():
        write_consolidated(project, builder, cube, root, config, standalone)
        n = len(cube.series.members)
        progress(f"{cube.dataset_id}: {len(cube.cells)} cells of {n} table{'s' if n > 1 else ''} (consolidated)")
    date = catalog_date(project, options)
    history = compare(project, config, root, previous, options.previous, options.release or date, date,
                      withdrawn if withdrawn is not None else (project_paths().data / "withdrawn.toml", []),
                      data.consolidated.values())
    write_versions(history, previous, root, options.previous, config, set(data.consolidated))
    (root / HISTORY_FILE).write_bytes(history.to_json())
    (root / CHANGES_FILE).write_bytes(history.changes_json())
    write_datapackage(project, config, facts, root / "datapackage.json", history, previous, options.previous)
    write_pages(project, root, config, facts, options, history)
    write_rdf(root / "void.ttl", grouped(void_statements(project, root, config, options, history)), "ttl", base)
    catalog = grouped(catalog_statements(project, root, config, facts, options, history))
    for name, fmt in CATALOG_FORMATS.items():
        write_rdf(root / name, catalog, fmt, base)
    return history


def write_versions(history: History, previous: History | None, root: Path, prev_root: Path | None,
                   config: Config, cubes: set[str] = frozenset()) -> None:
    """Every version's files under `dataset/{id}/v{n}/`: the versions PREV published copied from PREV byte for
    byte (hard links where the file system allows), this release's new ones from the current files just written.
    Nothing a citation of an earlier release names is left out, withdrawn datasets' versions included.
    `cubes`: the ids of the series' consolidated cubes, which have fewer formats (consolidated.cube_formats)."""
    for ds in history.datasets.values():
        published = {v.number for v in previous.datasets[ds.id].versions} if previous and ds.id in previous.datasets else set()
        formats = version_formats(ds, config, cubes, prev_root)
        for v in ds.versions:
            for fmt in formats:
                rel = version_path(ds.id, v.number, fmt)
                target = root / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                if v.number in published:
                    source = prev_root / rel
                    if not source.is_file():
                        raise UsageError(f"--previous {prev_root}: {rel} is missing, yet its {HISTORY_FILE} lists version "
                                         f"{v.number} of {ds.id}: a released folder keeps every version's files")
                else:
                    source = root / dataset_path(ds.id, fmt)
                regular(source)
                try:
                    os.link(source, target)
                except OSError:
                    shutil.copyfile(source, target)


def version_formats(ds: DatasetHistory, config: Config, cubes: set[str], prev_root: Path | None) -> list[Format]:
    """The formats a dataset's versions are written in: a consolidated cube's; for a withdrawn dataset, those its
    last version has in PREV (a withdrawn cube has a cube's); else catalog.toml's."""
    if ds.id in cubes:
        return cube_formats(config)
    if ds.withdrawn is not None and prev_root is not None:
        found = [f for f in config.formats if (prev_root / version_path(ds.id, ds.current.number, f)).is_file()]
        if found:
            return found
    return list(config.formats)


def write_pages(project: Project, root: Path, config: Config, facts: Facts, options: Options,
                history: History | None = None) -> None:
    """The site people read (render/): every page, the stylesheet, sitemap, robots.txt, the letters.

    `history`: the folder's (release.json), computed before the pages are written.

    One process writes every page. Forking page workers was faster on two cores, but a child forked
    while any thread of the parent held a lock (pyoxigraph's and polars' own threads, which Python
    does not see) waited for it forever: CI hung on it twice.
    With the folder's `history`, the changes pages, feed.xml and the withdrawal notices are among them."""
    website = Website(project, config, facts, files=lambda table: data_files(table, root, config),
                      sparql=options.sparql_endpoint, sources=project_paths().sources, history=history)
    paths = website.paths()
    for folder in sorted({(root / p).parent for p in paths}):
        folder.mkdir(parents=True, exist_ok=True)
    _write_pages(website, root, paths)


def _write_pages(website: Website, root: Path, paths: list[str]) -> None:
    for path in steps(paths, "pages", "pages"):
        (root / path).write_bytes(website.render(path) or b"")


def data_files(table, root: Path, config: Config) -> list[tuple[Format, FileFacts]]:
    """The data files of a dataset (or of a series' consolidated cube) as written: path and size (the
    pages show no checksum: the catalog, written last, measures them again), in catalog.toml's order."""
    out = []
    for fmt in cube_formats(config) if isinstance(table, Consolidated) else config.formats:
        rel = dataset_path(table.dataset_id, fmt)
        out.append((fmt, FileFacts(rel, (root / rel).stat().st_size, "")))
    return out


def write_dataset(project: Project, builder: CubeBuilder, letter, table, root: Path, config: Config,
                  facts: Facts, standalone: Standalone | None = None) -> None:
    """A dataset's RDF (the dataset, its letter and source table, its observations, and what they
    need to be read alone: see standalone.py), CSV and CSVW."""
    base = project.vocab.base

    def triples():
        for part in (builder.letter_triples(letter), builder.dataset_triples(table), builder.observation_triples(table)):
            for s, p, o in part:
                yield ox.Triple(s, p, o)

    standalone = standalone or Standalone(project.vocab)
    context = standalone.context(triples(), [dim.codelist for dim in table.structure.dimensions])
    for key in ("ttl", "jsonld", "nt"):
        write_rdf(root / dataset_path(table.dataset_id, config.format(key)), chain(context, triples()), key, base)
    csv_rel = dataset_path(table.dataset_id, config.format("csv"))
    with (root / csv_rel).open("wb") as f:
        write_csv(table, project.vocab, facts, f, project.bound_attributes().interval)
    write_csvw(table, Path(csv_rel).name, f"{base}dataset/{table.dataset_id}", config.license,
               root / dataset_path(table.dataset_id, config.format("csvw")), facts)


def write_consolidated(project: Project, builder: CubeBuilder, cube: Consolidated, root: Path, config: Config,
                       standalone: Standalone) -> None:
    """A series' consolidated cube (consolidated.py): its RDF, with what it needs to be read alone as a
    dataset's files have, and its CSV."""
    base = project.vocab.base
    cb = ConsolidatedBuilder(project, builder)

    def triples():
        for s, p, o in cb.statements(cube):
            yield ox.Triple(s, p, o)

    structure = cube.series.members[0].structure
    context = standalone.context(triples(), [dim.codelist for dim in structure.dimensions])
    for key in ("ttl", "jsonld", "nt"):
        write_rdf(root / dataset_path(cube.dataset_id, config.format(key)), chain(context, triples()), key, base)
    with (root / dataset_path(cube.dataset_id, config.format("csv"))).open("wb") as f:
        write_consolidated_csv(cube, project, f)


def write_tables(project: Project, letter, table, root: Path, config: Config, facts: Facts, data: SiteData) -> None:
    """A dataset's spreadsheet (serialize/xlsx.py) and its SDMX files (serialize/sdmx.py): SDMX-CSV
    and SDMX-ML data, and the SDMX-ML structure message that describes both."""
    bounds = project.bound_attributes().interval
    iri = f"{project.vocab.base}dataset/{table.dataset_id}"
    with (root / dataset_path(table.dataset_id, config.format("xlsx"))).open("wb") as f:
        write_xlsx(letter, table, data, facts, bounds, iri, f)
    for key, writer in (("sdmx-csv", write_sdmx_csv), ("sdmx-ml", write_sdmx_ml), ("sdmx-ml-data", write_sdmx_data)):
        with (root / dataset_path(table.dataset_id, config.format(key))).open("wb") as f:
            writer(project, [table], facts, bounds, f)


def write_rdf(path: Path, statements: Iterable[ox.Triple], fmt: str, base: str) -> None:
    with path.open("wb") as f:
        write(statements, fmt, f, base)


def grouped(statements: Iterable[ox.Triple]) -> list[ox.Triple]:
    """Statements grouped by subject, in order of first appearance: one node per subject in JSON-LD."""
    groups: dict = {}
    for t in statements:
        groups.setdefault(t.subject, []).append(t)
    return [t for group in groups.values() for t in group]

