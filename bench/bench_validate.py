"""Validation speed and memory on synthetic cubes of growing size: the fast engine next to pyshacl.

Usage:  python bench/bench_validate.py [--sizes 10000 100000 1000000] [--pyshacl-max 1000]
                                       [--pyshacl-timeout 1800]

The synthetic projects are those of bench_export.py (tables shaped like letter 30952, about 10 %
of cells blanked). Each measurement is `mifi-rdf validate` run in a fresh Python process that
reports its wall time (reading the tables, building the graph, running every rule of shapes/,
writing the report) and its own peak RSS, with `--engine oxigraph` (default) and, up to
--pyshacl-max cells, `--engine pyshacl` (the same shapes, run by pyshacl on rdflib), stopped after
--pyshacl-timeout seconds (pyshacl took 91 s at 1k observations and did not finish 10k in 400 s,
hence the default). The fast engine holds the shared statements plus about 1M statements of
datasets at a time, so its peak RSS stops growing past about 100k observations; run 1M under
`prlimit --as=14000000000` all the same. Targets (issue 3): the bundled data in under 2 s wall including
start-up; 1M observations in under 60 s and 4 GB. Results go to stdout and bench/out/validate.md.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_export import ROOT, count_cells, make_project, time_command  # noqa: E402


def worker(engine: str, data: str, onto: str) -> None:
    from mifi_rdf.cli import main

    start = time.perf_counter()
    try:
        main(["--data", data, "--ontology", onto, "validate", "--engine", engine, "--format", "json"],
             standalone_mode=False)
        code = 0
    except SystemExit as e:
        code = e.code or 0
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": round(seconds, 2), "peak_mb": round(peak_mb), "exit": code}))


def run_worker(engine: str, data: Path, onto: Path, timeout: float) -> dict | None:
    cmd = [sys.executable, __file__, "worker", engine, str(data), str(onto)]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None
    lines = done.stdout.strip().splitlines()
    report = json.loads("\n".join(lines[:-1]))
    result = json.loads(lines[-1])
    result["counts"] = report["counts"]
    return result


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "worker":
        worker(*sys.argv[2:5])
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--pyshacl-max", type=int, default=1_000, help="largest size run with pyshacl")
    parser.add_argument("--pyshacl-timeout", type=float, default=1800, help="seconds before a pyshacl run is stopped")
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / "out")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    exe = shutil.which("mifi-rdf") or "mifi-rdf"
    lines = ["| engine | observations | seconds | peak MB | violations / warnings / notes |", "|---|---:|---:|---:|---|"]
    bundled_s = time_command([exe, "validate"])
    lines.append(f"| `mifi-rdf validate`, bundled data (wall, with start-up) | {count_cells(ROOT / 'data'):,} | "
                 f"{bundled_s:.2f} | | 0 / 3 / 75 |")
    print("\n".join(lines), flush=True)
    for size in args.sizes:
        proj = args.work / f"validate-{size}"
        if proj.exists():
            shutil.rmtree(proj)
        data, onto = make_project(size, proj)
        cells = count_cells(data)
        for engine in ("oxigraph", "pyshacl"):
            if engine == "pyshacl" and size > args.pyshacl_max:
                line = f"| pyshacl | {cells:,} | not run (over --pyshacl-max) | | |"
            else:
                r = run_worker(engine, data, onto, args.pyshacl_timeout if engine == "pyshacl" else 3600)
                if r is None:
                    line = f"| {engine} | {cells:,} | stopped after {args.pyshacl_timeout:.0f} | | |"
                else:
                    c = r["counts"]
                    line = (f"| {engine} | {cells:,} | {r['seconds']:.1f} | {r['peak_mb']:,} | "
                            f"{c['Violation']} / {c['Warning']} / {c['Info']} |")
            lines.append(line)
            print(line, flush=True)
        shutil.rmtree(proj)
    (args.work / "validate.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
