"""`mifi-rdf build` time and memory: the bundled data, then synthetic projects of growing size.

Usage:  python bench/bench_build.py [--sizes 10000 100000]

The synthetic projects are those of bench_export.py (tables shaped like letter 30952). Each build
runs in a fresh process; CPU is user + system time of the build and its page workers; peak RSS is
that of the largest process so far, so sizes run in increasing order. Results are printed as a
Markdown table.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_export import make_project  # noqa: E402


def timed_build(args: list[str], out: Path) -> tuple[float, float, float, float, int]:
    """Wall seconds, CPU seconds (user + system, page workers included), peak RSS in MB, the size
    of the folder in MB and its number of files."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "mifi_rdf", *args, "build", str(out)], check=True, capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    peak = after.ru_maxrss / 1024
    files = [p for p in out.rglob("*") if p.is_file()]
    return wall, cpu, peak, sum(p.stat().st_size for p in files) / 1e6, len(files)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    opts = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        rows.append(("bundled data", 695, *timed_build([], tmpdir / "bundled")))
        for n in sorted(opts.sizes):
            data, onto = make_project(n, tmpdir / f"p{n}")
            rows.append(("synthetic", n, *timed_build(["--data", str(data), "--ontology", str(onto)], tmpdir / f"out{n}")))
    print("| what | cells | wall s | CPU s | peak MB | folder MB | files |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for what, cells, wall, cpu, peak, size, files in rows:
        print(f"| `mifi-rdf build`, {what} | {cells:,} | {wall:.1f} | {cpu:.1f} | {peak:.0f} | {size:.1f} | {files:,} |")


if __name__ == "__main__":
    main()
