"""`export --format csv | sdmx-csv | sdmx-ml`: the cubes as tables rather than statements.

The tidy CSV is build's (build/csvw.py), one dataset per file since its columns are the dataset's
dimensions; with `-o FILE`, its CSVW metadata goes beside it as FILE-metadata.json (the name CSVW
processors look for). SDMX messages (sdmx.py) hold every chosen dataset, each as a dataflow.
Written atomically like the RDF formats: nothing half-written on an error.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..errors import UsageError
from ..project import Project
from .writers import atomic_output

TABULAR_FORMATS = ("csv", "sdmx-csv", "sdmx-ml", "sdmx-ml-data")


def check_tabular(project: Project, fmt: str, datasets: list[str] | None) -> None:
    """Refuse, before any work, a request the format cannot hold (exit 2)."""
    chosen = project.select(datasets)
    ids = [d for d in project.dataset_ids if chosen is None or d in chosen]
    if fmt == "csv" and len(ids) != 1:
        raise UsageError(f"--format csv writes one table (its columns are the dataset's dimensions): give one "
                         f"--dataset ID of {', '.join(ids)}")


def export_tabular(project: Project, fmt: str, output: Path | None, datasets: list[str] | None) -> None:
    """Write the chosen datasets (all when None) of a project in one of TABULAR_FORMATS."""
    from ..build.config import Options, load_config
    from ..build.facts import gather_facts
    from ..load.tables import load_cells

    chosen = project.select(datasets)
    tables = [t for letter in project.letters for t in letter.tables if chosen is None or t.dataset_id in chosen]
    for t in tables:
        if not t.cells:
            t.cells = load_cells(t, project.vocab)
    facts = gather_facts(project)
    bounds = project.bound_attributes()
    base = project.vocab.base
    if fmt == "csv":
        from ..build.csvw import csvw_metadata, write_csv

        check_tabular(project, fmt, datasets)
        table = tables[0]
        with atomic_output(output) as out:
            write_csv(table, project.vocab, facts, out, bounds.interval)
        if output is not None and Path(output).is_file():
            license = load_config(base, Options()).license
            meta = csvw_metadata(table, Path(output).name, f"{base}dataset/{table.dataset_id}", license, facts)
            with atomic_output(Path(f"{output}-metadata.json")) as out:
                out.write((json.dumps(meta, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
        return
    from .sdmx import write_sdmx_csv, write_sdmx_data, write_sdmx_ml

    writer = {"sdmx-csv": write_sdmx_csv, "sdmx-ml": write_sdmx_ml, "sdmx-ml-data": write_sdmx_data}[fmt]
    with atomic_output(output) as out:
        writer(project, tables, facts, bounds.interval, out)
