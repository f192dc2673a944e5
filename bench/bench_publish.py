"""`mifi-rdf publish` into real stores at growing sizes: Oxigraph's server (bulk load, then PUT with
--no-bulk) and Virtuoso (PUT and POST batches), when its `virtuoso-t` is installed.

Usage:  python bench/bench_publish.py [--sizes 10000 100000] [--stores oxigraph oxigraph-put virtuoso]

Each publish runs in a fresh process (`mifi-rdf --data … --ontology … publish --no-validate
--site FOLDER`, the folder built once per size beforehand, so the figure is the sending and the
counting, not the build) into a store started empty for it. Wall time and the publish's CPU and
peak RSS (os.wait4 on the publish process alone) are printed as a Markdown table; the store's own CPU is not
counted. The synthetic projects are those of bench_export.py.
"""

from __future__ import annotations

import argparse
import os
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


def timed(args: list[str], env: dict[str, str], work: Path) -> tuple[float, float, float, str]:
    """Wall seconds, CPU seconds and peak RSS (MB) of the publish process alone (os.wait4: the
    stores, also children of this process, are not counted), and its last line of output."""
    out, err = work / "publish.out", work / "publish.err"
    start = time.perf_counter()
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = subprocess.Popen([sys.executable, "-m", "mifi_rdf", *args], stdout=stdout, stderr=stderr, env=env)
        _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    text = out.read_text(encoding="utf-8")
    if process.returncode:
        raise SystemExit(f"publish failed ({process.returncode}):\n{text[-2000:]}\n{err.read_text()[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, text.strip().splitlines()[-1]


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
                                        server.sparql, *extra], env, folder)
                else:
                    env.update(MIFI_RDF_ENDPOINT_USER="dba", MIFI_RDF_ENDPOINT_PASSWORD="dba")
                    with virtuoso(folder) as server:
                        result = timed([*publish, "--endpoint", server.graph_store, "--query-endpoint",
                                        server.sparql], env, folder)
                wall, cpu, peak, summary = result
                print(f"| {kind} | {cells:,} | {summary} | {wall:.1f} | {cpu:.1f} | {peak:.0f} |", flush=True)


if __name__ == "__main__":
    main()
