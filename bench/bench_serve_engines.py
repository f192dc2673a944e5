"""Which engine should `mifi-rdf serve` embed: pyoxigraph's Store or rdflib's Dataset?

Usage:  python bench/bench_serve_engines.py [--synthetic 10000]

For the bundled data and for a synthetic cube of about N cells (see bench_export.make_project),
measures the time to load the quads and to answer each named query in queries/ (median of 3
runs), on both engines, with the default graph as the union of the named graphs as the server
does. An rdflib query still running after --limit seconds is given up and shown as "> limit".
Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench_export import make_project

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import pyoxigraph as ox  # noqa: E402
import rdflib  # noqa: E402

from mifi_rdf.project import load_project  # noqa: E402
from mifi_rdf.query import named_queries, read_query  # noqa: E402

BASE = "https://w3id.org/mifi-rdf/"


def timed(fn, repeat: int = 3) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def _rdflib_child(conn, dataset, text: str) -> None:
    seconds, rows = timed(lambda: list(dataset.query(text, base=BASE)), 1)
    conn.send((seconds, len(rows)))  # rdflib's rows do not pickle


def rdflib_query(dataset, text: str, limit: float) -> tuple[float, object]:
    """Run in a forked child so that a query rdflib cannot finish is given up after `limit` s."""
    parent, child = multiprocessing.Pipe()
    process = multiprocessing.get_context("fork").Process(target=_rdflib_child, args=(child, dataset, text))
    process.start()
    if parent.poll(limit):
        result = parent.recv()
        process.join()
        return result
    process.kill()
    process.join()
    return float("inf"), None


def measure(label: str, data: Path | None, onto: Path | None, limit: float) -> list[tuple]:
    project = load_project(BASE, data, onto)
    nquads = ox.serialize(project.statements(graphs=True), format=ox.RdfFormat.N_QUADS)
    cells = sum(len(t.cells) for letter in project.letters for t in letter.tables)
    rows = []

    def ox_load():
        store = ox.Store()
        store.bulk_load(nquads, ox.RdfFormat.N_QUADS)
        return store

    def rdflib_load():
        ds = rdflib.Dataset(default_union=True)
        ds.parse(data=nquads, format="nquads")
        return ds

    t_ox, store = timed(ox_load, 1)
    t_rl, dataset = timed(rdflib_load, 1)
    rows.append((label, cells, "load quads", t_ox, t_rl))
    print(f"{label}: {cells} cells loaded: pyoxigraph {t_ox:.3f} s, rdflib {t_rl:.3f} s", file=sys.stderr, flush=True)
    for name, _ in named_queries():
        text = read_query(name)
        t_ox, a = timed(lambda text=text: list(store.query(text, base_iri=BASE, use_default_graph_as_union=True)))
        t_rl, b = rdflib_query(dataset, text, limit)
        if b is not None and len(a) != b:
            print(f"warning: {name}: pyoxigraph {len(a)} rows, rdflib {b} rows", file=sys.stderr)
        rows.append((label, cells, name, t_ox, t_rl))
        print(f"{label} {name}: pyoxigraph {t_ox:.3f} s, rdflib {t_rl:.3f} s", file=sys.stderr, flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--synthetic", type=int, default=10_000, help="cells in the synthetic cube")
    parser.add_argument("--limit", type=float, default=60, help="seconds after which an rdflib query is given up")
    args = parser.parse_args()
    rows = measure("bundled", None, None, args.limit)
    with tempfile.TemporaryDirectory() as tmp:
        data, onto = make_project(args.synthetic, Path(tmp))
        rows += measure("synthetic", data, onto, args.limit)
    print("| data | cells | step | pyoxigraph s | rdflib s | ratio |")
    print("|---|---:|---|---:|---:|---:|")
    for label, cells, step, a, b in rows:
        slow = f"> {args.limit:g}" if b == float("inf") else f"{b:.3f}"
        ratio = f"> {args.limit / a:,.0f}×" if b == float("inf") else f"{b / a:,.0f}×"
        print(f"| {label} | {cells:,} | {step} | {a:.3f} | {slow} | {ratio} |")


if __name__ == "__main__":
    main()
