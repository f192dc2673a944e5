"""`mifi-rdf publish` into real stores at growing sizes: Oxigraph's server (bulk load, then PUT with
--no-bulk) and Virtuoso (PUT and POST batches), when its `virtuoso-t` is installed.

Usage:  python bench/bench_publish.py [--sizes 10000 100000] [--stores oxigraph oxigraph-put virtuoso]

Each publish runs in a fresh process (`mifi-rdf --data … --ontology … publish --no-validate
--site FOLDER`, the folder built once per size beforehand, so the figure is the sending and the
counting, not the build) into a store started empty for it. Wall time and the publish's CPU and
peak RSS (getrusage of the child) are printed as a Markdown table; the store's own CPU is not
counted. The synthetic projects are those of bench_export.py.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))
from bench_export import count_cells, make_project  # noqa: E402
from servers import oxigraph_server, virtuoso  # noqa: E402


def timed(args: list[str], env: dict[str, str]) -> tuple[float, float, float, str]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "mifi_rdf", *args], capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        raise SystemExit(f"publish failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, after.ru_maxrss / 1024, done.stdout.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--stores", nargs="+", default=["oxigraph", "oxigraph-put", "virtuoso"])
    args = parser.parse_args()
    if "virtuoso" in args.stores and not shutil.which("virtuoso-t"):
        print("virtuoso-t not found (Debian package virtuoso-opensource): Virtuoso left out", file=sys.stderr)
        args.stores.remove("virtuoso")
    print("| store | cells | triples sent | wall s | CPU s | peak MB |\n|---|---:|---|---:|---:|---:|")
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            data, onto = make_project(size, work / "project")
            common = ["--data", str(data), "--ontology", str(onto)]
            subprocess.run([sys.executable, "-m", "mifi_rdf", *common, "build", "--no-validate", str(work / "site")],
                           check=True, capture_output=True)
            cells = count_cells(data)
            for kind in args.stores:
                env = dict(os.environ)
                folder = work / kind
                folder.mkdir()
                publish = [*common, "publish", "--no-validate", "--site", str(work / "site")]
                if kind.startswith("oxigraph"):
                    with oxigraph_server(folder) as server:
                        extra = ["--no-bulk"] if kind == "oxigraph-put" else []
                        result = timed([*publish, "--endpoint", server.graph_store, "--query-endpoint",
                                        server.sparql, *extra], env)
                else:
                    env.update(MIFI_RDF_ENDPOINT_USER="dba", MIFI_RDF_ENDPOINT_PASSWORD="dba")
                    with virtuoso(folder) as server:
                        result = timed([*publish, "--endpoint", server.graph_store, "--query-endpoint",
                                        server.sparql], env)
                wall, cpu, peak, summary = result
                print(f"| {kind} | {cells:,} | {summary} | {wall:.1f} | {cpu:.1f} | {peak:.0f} |", flush=True)


if __name__ == "__main__":
    main()
