"""The analysts' formats (issue 21) on one synthetic dataset of growing size: frame(), read_frame()
and the writers of csv, sdmx-csv, sdmx-ml-data, sdmx-ml and xlsx next to `export --format nt`.

Usage:  python bench/bench_formats.py [--sizes 100000] [--xlsx-max 1000000] [--kinds nt csv ...] [--repeat 2]

The dataset is one table shaped like letter 30952 (bench_export.py's synthetic rounds: 32 countries,
« Autres » and a total per round, about 10 % of cells blanked), all its cells in one table, since
frame() and the tidy CSV are per dataset. Targets: frame() of 100k cells under 2 s; each new format
within 1.5x `export --no-validate --format nt` of the same cells. Every measure runs in a fresh
Python process that reports its wall and CPU time (start-up excluded) and peak RSS; the ratios are of
CPU time, which a shared machine disturbs less than wall time (the 1-minute load average is printed
with every line). Results go to stdout and bench/out/formats.md.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_export  # noqa: E402

DATASET = "99999-t1"
EXPORTS = ["nt", "csv", "sdmx-csv", "sdmx-ml-data", "sdmx-ml"]
KINDS = [*EXPORTS, "frame", "read-nt", "read-csv", "xlsx"]


def worker(kind: str, data: str, onto: str, out: str) -> None:
    start = time.perf_counter()
    begun = resource.getrusage(resource.RUSAGE_SELF)
    cpu_start = begun.ru_utime + begun.ru_stime  # start-up excluded, as from the wall time
    if kind == "frame":
        import mifi_rdf

        frame = mifi_rdf.frame(DATASET, data=Path(data), ontology=Path(onto))
        assert len(frame) > 0
    elif kind.startswith("read-"):
        import mifi_rdf

        frame = mifi_rdf.read_frame(out)
        assert len(frame) > 0
    elif kind == "xlsx":
        from mifi_rdf.build.config import Options, load_config
        from mifi_rdf.build.facts import gather_facts
        from mifi_rdf.project import load_project
        from mifi_rdf.render.data import SiteData
        from mifi_rdf.serialize.xlsx import write_xlsx

        project = load_project(data=Path(data), ontology=Path(onto))
        facts = gather_facts(project)
        site = SiteData(project, load_config(project.vocab.base, Options(), Path(data)), facts)
        letter = project.letters[0]
        with open(out, "wb") as f:
            write_xlsx(letter, letter.tables[0], site, facts, project.bound_attributes().interval, "x", f)
    else:
        from mifi_rdf.cli import main

        try:
            main(["--data", data, "--ontology", onto, "export", "--no-validate", "--format", kind,
                  "--dataset", DATASET, "-o", out], standalone_mode=False)
        except SystemExit as e:
            if e.code:
                raise
    wall = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime - cpu_start
    print(json.dumps({"wall": round(wall, 2), "cpu": round(cpu, 2), "peak_mb": round(usage.ru_maxrss / 1024)}),
          file=sys.stderr)


def measure(kind: str, data: Path, onto: Path, out: Path) -> dict:
    done = subprocess.run([sys.executable, __file__, "worker", kind, str(data), str(onto), str(out)],
                          capture_output=True, text=True, check=True)
    result = json.loads(done.stderr.strip().splitlines()[-1])
    result["bytes"] = out.stat().st_size if out.exists() else 0
    return result


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "worker":
        worker(*sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    parser.add_argument("--xlsx-max", type=int, default=1_000_000, help="largest size the XLSX writer is timed at")
    parser.add_argument("--kinds", nargs="+", choices=KINDS, default=KINDS, help="what to time (nt first: the ratios' base)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each measure (a shared machine: give both)")
    args = parser.parse_args()
    lines = ["| cells | what | wall s | CPU s | × nt (CPU) | peak MB | MB out | load |",
             "|---:|---|---:|---:|---:|---:|---:|---:|"]
    print("\n".join(lines), flush=True)
    for size in args.sizes:
        tmp = Path(tempfile.mkdtemp(prefix="bench-formats-"))
        try:
            bench_export.CELLS_PER_TABLE = size + 34  # every round in one table
            data, onto = bench_export.make_project(size, tmp)
            cells = bench_export.count_cells(data)
            suffix = {"nt": "nt", "csv": "csv", "sdmx-csv": "sdmx.csv", "sdmx-ml-data": "sdmx.xml", "sdmx-ml": "xml"}
            kinds = [k for k in args.kinds if k != "xlsx" or size <= args.xlsx_max]
            nt_runs: list[float] = []  # the ratios' base: the mean of nt's runs so far
            for kind in [k for k in kinds for _ in range(args.repeat)]:
                out = tmp / ("out." + (suffix.get(kind) or {"read-nt": "nt", "read-csv": "csv"}.get(kind, "xlsx")))
                if kind == "frame":
                    out = tmp / "none"
                r = measure(kind, data, onto, out)
                if kind == "nt":
                    nt_runs.append(r["cpu"])
                nt = sum(nt_runs) / len(nt_runs) if nt_runs else None
                ratio = f"{r['cpu'] / nt:.2f}" if nt and kind not in ("nt", "frame", "read-nt", "read-csv") else ""
                size_mb = f"{r['bytes'] / 1e6:.1f}" if not kind.startswith("read") and kind != "frame" else ""
                line = (f"| {cells:,} | {kind} | {r['wall']:.2f} | {r['cpu']:.2f} | {ratio} | {r['peak_mb']} | {size_mb} | "
                        f"{os.getloadavg()[0]:.1f} |")
                lines.append(line)
                print(line, flush=True)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    out_dir = Path(__file__).resolve().parent / "out"
    out_dir.mkdir(exist_ok=True)
    (out_dir / "formats.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
