"""A folder written by `mifi-rdf build`, as `publish` and `serve` use it.

The catalog `build` writes records the size and SHA-256 of every file it describes, so the catalog
loaded into a triple store (publish) or answered by the server (serve) must be the very one of the
files people download. Two ways to have it:

- `--site OUTDIR`: a folder already built (the one on the web server). Its catalog.ttl is read as
  written, after checking it was built for the same base URI and the same datasets.
- nothing: the folder is built into a temporary directory with the same options as `build`, and its
  catalog read back. Builds are deterministic, so this is the catalog `build` would write.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from ..errors import UsageError
from ..namespaces import DCAT, A
from ..project import Project
from .catalog import catalog_iri
from .config import Options
from .consolidated import consolidated_cubes
from .folder import MARKER, build_folder
from .history import FILE as HISTORY_FILE
from .history import History


def catalog_graph(base: str) -> ox.NamedNode:
    """The named graph of the catalog, beside graph/ontology, graph/codes and graph/dataset/{id}."""
    return ox.NamedNode(base + "graph/catalog")


@dataclass(frozen=True)
class Site:
    """A built folder: where it is, its files by URL path ("/dataset/x.ttl"), its catalog, and its history
    (release.json; None for a folder built before releases)."""

    root: Path
    files: dict[str, Path]
    catalog: list[ox.Triple]
    history: History | None = None

    def withdrawn(self, current: list[str]) -> list[str]:
        """The datasets its history withdrew that the data no longer has: their URIs answer 410 Gone."""
        if self.history is None:
            return []
        return sorted(k for k, d in self.history.datasets.items() if d.withdrawn is not None and k not in current)

    def quads(self, base: str) -> list[ox.Quad]:
        graph = catalog_graph(base)
        return [ox.Quad(t.subject, t.predicate, t.object, graph) for t in self.catalog]


def open_site(project: Project, root: Path) -> Site:
    """The folder `root`, refused unless `build` made it for this project's base and datasets."""
    root = Path(root).absolute()
    path = root / MARKER
    if not path.is_file():
        raise UsageError(f"{root} has no {MARKER}: give a folder written by `mifi-rdf build`")
    base = project.vocab.base
    try:
        catalog = [q.triple for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=base)]
    except SyntaxError as err:
        raise UsageError(f"{path}: not readable Turtle ({err})") from err
    node = ox.NamedNode(catalog_iri(base))
    if ox.Triple(node, A, ox.NamedNode(DCAT + "Catalog")) not in set(catalog):
        raise UsageError(f"{path} has no catalog <{node.value}>: it was built for another base URI "
                         f"(rebuild with --base-uri {base})")
    try:
        history = History.read(root)
    except (ValueError, KeyError, TypeError) as err:
        raise UsageError(f"{root / HISTORY_FILE}: not a release history mifi-rdf wrote ({err}); rebuild the folder") from err
    listed = {t.object.value for t in catalog if t.subject == node and t.predicate.value == DCAT + "dataset"}
    wanted = {f"{base}dataset/{d}" for d in project.dataset_ids}  # the letters' datasets and the series' cubes
    wanted |= {c.iri(base) for c in consolidated_cubes(project)}
    if history is not None:  # a withdrawn dataset stays in the catalog, marked so (adms:status)
        listed -= {f"{base}dataset/{k}" for k, d in history.datasets.items()
                   if d.withdrawn is not None and k not in project.dataset_ids}
    if listed != wanted:
        missing, extra = sorted(wanted - listed), sorted(listed - wanted)
        raise UsageError(f"{path} does not describe the datasets of the data given "
                         f"(not in it: {', '.join(missing) or 'none'}; only in it: {', '.join(extra) or 'none'}); "
                         "rebuild it from the same data")
    files = {"/" + p.relative_to(root).as_posix(): p for p in sorted(root.rglob("*")) if p.is_file()}
    real = root.resolve()
    for path in files.values():  # build writes no link: one leading out would be served (issue 15)
        if real not in path.resolve().parents:
            raise UsageError(f"{path} is a symbolic link leading outside {root}: a folder written by "
                             "`mifi-rdf build` has none; remove it")
    return Site(root, files, catalog, history)


def built_catalog(project: Project, options: Options, data: Path | None = None) -> list[ox.Triple]:
    """The catalog `build` would write with these options, built in a temporary folder."""
    with tempfile.TemporaryDirectory(prefix="mifi-rdf-site-") as tmp:
        build_folder(project, Path(tmp) / "site", options, data)
        return open_site(project, Path(tmp) / "site").catalog
