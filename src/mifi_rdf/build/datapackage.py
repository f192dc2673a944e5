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
from .config import Config, dataset_path
from .csvw import columns
from .facts import Facts

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


def write_datapackage(project: Project, config: Config, facts: Facts, path: Path) -> None:
    path.write_text(json.dumps(datapackage(project, config, facts), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
