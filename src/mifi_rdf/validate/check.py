"""The entry points of validation: the project's shapes/ against a store, with the chosen engine.

Above both engine.py (SPARQL, pyshacl) and fast.py (the columnar checks, which fall back to engine.py's
SPARQL), so that neither engine imports the other to be chosen.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from ..errors import UsageError
from ..paths import project_paths
from .engine import ENGINES, rdflib_graph, run_oxigraph, run_oxigraph_by_dataset, run_pyshacl
from .results import Report
from .shapes import load_shapes


def check(store: ox.Store | None, base: str, engine: str = "oxigraph", graph=None, parsed=None) -> Report:
    """Validate a store against the project's shapes/ with the chosen engine.

    pyshacl works on an rdflib graph: the one given (parsed from the user's files, so that rdflib
    sees the literals exactly as written), or else a copy of the store. `parsed` (stream.Parsed,
    with the oxigraph engine) is files parsed with their observations in columns instead of `store`."""
    shapes = load_shapes(project_paths().shapes, base)
    if parsed is not None and engine == "oxigraph":
        return parsed.check(shapes)
    if engine == "pyshacl":
        return run_pyshacl(graph if graph is not None else rdflib_graph(store), shapes)
    if engine == "sparql":
        return run_oxigraph(store, shapes)
    if engine != "oxigraph":
        raise UsageError(f"unknown engine {engine!r} (known: {', '.join(ENGINES)})")
    from .fast import check_store  # polars, imported only when the columnar checks run

    return check_store(store, shapes, base)


def check_by_dataset(shared: list[ox.Triple], datasets: Iterable[tuple[list[ox.Triple], Iterable[ox.Triple]]],
                     base: str) -> tuple[Report, ox.Store]:
    """`check` with the oxigraph engine, a few datasets at a time (see run_oxigraph_by_dataset)."""
    return run_oxigraph_by_dataset(shared, datasets, load_shapes(project_paths().shapes, base))
