"""Where the CPU of `export --no-validate` goes: reading the cells, the audit's bounds, writing the
observations, and the rest (start-up, vocabulary, the other statements, the writes).

Usage:  python bench/bench_export_parts.py [--sizes 100000] [--formats nt ttl] [--runs 2]

Each run is a fresh process (`worker` mode) that wraps, with process CPU clocks (all threads):
`load_cells` as the streaming builder calls it (cube.TableByTable: the CSV read and checked into
cells), `TableBounds.prepare` (audit/grouped.py: the bounds of a table's blanked cells), and
serialize/lines.py's `_observations` (the text of the observations, consumed as the writer does);
the imports are what `mifi_rdf.cli` and its modules cost before `main` runs. Projects are the
synthetic cubes of bench_export.py. The whole CPU is RUSAGE_SELF's user + system time.
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
from bench_export import ROOT, count_cells, make_project  # noqa: E402

PARTS = ("load_cells", "bounds", "observations")


def worker(fmt: str, data: str, onto: str, out: str) -> None:
    start = time.process_time()
    from mifi_rdf import cube
    from mifi_rdf.audit import grouped
    from mifi_rdf.cli import main
    from mifi_rdf.serialize import lines

    imports = time.process_time() - start
    spent = dict.fromkeys(PARTS, 0.0)

    def timed(function, part):
        def wrapper(*args, **kwargs):
            t = time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                spent[part] += time.process_time() - t
        return wrapper

    def observations(*args, **kwargs):
        t = time.process_time()
        for chunk in original(*args, **kwargs):
            spent["observations"] += time.process_time() - t
            yield chunk
            t = time.process_time()
        spent["observations"] += time.process_time() - t

    cube.load_cells = timed(cube.load_cells, "load_cells")
    grouped.TableBounds.prepare = timed(grouped.TableBounds.prepare, "bounds")
    original = lines._observations
    lines._observations = observations
    try:
        main(["--data", data, "--ontology", onto, "export", "--no-validate", "--format", fmt, "-o", out],
             standalone_mode=False)
    except SystemExit as e:
        if e.code:
            raise
    usage = resource.getrusage(resource.RUSAGE_SELF)
    total = usage.ru_utime + usage.ru_stime
    result = {k: round(v, 2) for k, v in spent.items()}
    result.update(imports=round(imports, 2), total=round(total, 2), peak_mb=round(usage.ru_maxrss / 1024))
    result["rest"] = round(total - sum(spent.values()) - imports, 2)
    print(json.dumps(result))


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "worker":
        worker(*sys.argv[2:6])
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    parser.add_argument("--formats", nargs="+", default=["nt", "ttl"], choices=["nt", "ttl"])
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / "out")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    lines = ["| cells | format | total CPU s | reading cells | bounds | observations | imports | rest | peak MB | load avg |",
             "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    print("\n".join(lines), flush=True)
    for size in args.sizes:
        proj = args.work / f"parts-{size}"
        if proj.exists():
            shutil.rmtree(proj)
        data, onto = make_project(size, proj)
        cells = count_cells(data)
        for fmt in args.formats:
            for _ in range(args.runs):
                out = proj / f"out.{fmt}"
                done = subprocess.run([sys.executable, __file__, "worker", fmt, str(data), str(onto), str(out)],
                                      capture_output=True, text=True, check=True)
                r = json.loads(done.stdout.strip().splitlines()[-1])
                line = (f"| {cells:,} | {fmt} | {r['total']:.2f} | {r['load_cells']:.2f} | {r['bounds']:.2f} | "
                        f"{r['observations']:.2f} | {r['imports']:.2f} | {r['rest']:.2f} | {r['peak_mb']} | {_load()} |")
                lines.append(line)
                print(line, flush=True)
                out.unlink()
        shutil.rmtree(proj)
    (args.work / "export-parts.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _load() -> str:
    return Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() else "?"


if __name__ == "__main__":
    main()
