"""`datapackage.json`: the folder's tidy CSV files as a Frictionless data package.

Portals and tools that read data packages (CKAN's, `frictionless validate`, the R and Python
libraries) learn from it each CSV's columns, their types (a count an integer, a percentage a
number, never a zero for an empty cell: "" is the missing value), which columns make a row's key,
and which statuses a cell may have. The columns and their titles are those of the CSVW metadata
(csvw.py), so the two descriptions cannot disagree.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..namespaces import XSD
from ..project import Project
from .config import Config, dataset_path, version_path
from .csvw import columns
from .facts import Facts
from .history import History

PROFILE = "tabular-data-package"
OPEN_DEFINITION = "http://www.opendefinition.org/licenses/"


def datapackage(project: Project, config: Config, facts: Facts) -> dict:
    """The descriptor of every dataset's CSV file, in the order of the letters."""
    cat = config.section("catalog")
    statuses = sorted(project.vocab.statuses)
    resources = []
    for letter in project.letters:
        for table in letter.tables:
            integer = all(m.datatype == XSD + "integer" for m in table.structure.measures.values())
            dims = [d.name for d in table.structure.dimensions]
            fields = []
            for name, title_fr, title_en in columns(table, facts):
                field: dict = {"name": name, "title": title_en, "description": title_fr, "type": "string"}
                if name in ("value", "lower_bound", "upper_bound"):
                    field["type"] = "integer" if integer else "number"
                if name in dims or name in ("measure", "status"):
                    field["constraints"] = {"required": True}
                if name == "measure":
                    field["constraints"]["enum"] = list(table.structure.measures)
                if name == "status":
                    field["constraints"]["enum"] = statuses
                fields.append(field)
            resources.append({
                "name": table.dataset_id.lower(),
                "path": dataset_path(table.dataset_id, config.format("csv")),
                "profile": "tabular-data-resource",
                "title": table.title_en,
                "description": table.title_fr,
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "header": True},
                "schema": {"fields": fields, "missingValues": [""], "primaryKey": [*dims, "measure"]},
            })
    license = {"path": config.license}
    if config.license == config.section("license")["iri"]:
        license["title"] = config.section("license")["title_en"]
    if config.license.startswith(OPEN_DEFINITION):  # its last segment is the licence's Open Definition id
        license["name"] = config.license.removeprefix(OPEN_DEFINITION)
    return {
        "profile": PROFILE,
        "name": "mifi-rdf",
        "title": cat["title_en"],
        "description": cat["description_en"],
        "homepage": config.iri(cat["homepage"]),
        "licenses": [license],
        "keywords": cat["keywords_en"],
        "resources": resources,
    }


def write_datapackage(project: Project, config: Config, facts: Facts, path: Path, history: History | None = None,
                      previous: History | None = None, prev_root: Path | None = None) -> None:
    doc = datapackage(project, config, facts)
    if history is not None:
        doc["resources"] += versioned_resources(doc["resources"], config, path.parent, history, previous, prev_root)
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def versioned_resources(current: list[dict], config: Config, root: Path, history: History, previous: History | None,
                        prev_root: Path | None) -> list[dict]:
    """A resource per versioned CSV of a letter's table (dataset/{id}/v{n}/{id}.csv, named `{id}-v{n}`), described as
    the release that published it described it: the current version as this package's current resource, an earlier
    one as PREV's data package did (its current resource then, or its versioned one), so each schema is that of its
    own file and the package validates. A consolidated cube's CSV has no resource, versioned or not."""
    csv = config.format("csv")
    now = {r["path"]: r for r in current}
    before: dict[str, dict] = {}
    if prev_root is not None and (prev_root / "datapackage.json").is_file():
        before = {r["path"]: r for r in json.loads((prev_root / "datapackage.json").read_bytes())["resources"]}
    out = []
    for ds in history.datasets.values():
        for v in ds.versions:
            rel = version_path(ds.id, v.number, csv)
            if not (root / rel).is_file():
                continue
            source = before.get(rel)
            if source is None and previous is not None and ds.id in previous.datasets and \
                    previous.datasets[ds.id].current.number == v.number:
                source = before.get(dataset_path(ds.id, csv))
            if source is None and v is ds.current and ds.withdrawn is None:
                source = now.get(dataset_path(ds.id, csv))
            if source is not None:
                out.append({**source, "name": f"{ds.id.lower()}-v{v.number}", "path": rel})
    return out
