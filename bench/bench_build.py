"""`mifi-rdf build` time and memory: the bundled data, then synthetic projects of growing size.

Usage:  python bench/bench_build.py [--sizes 10000 100000]

The synthetic projects are those of bench_export.py (tables shaped like letter 30952). Each build
runs in a fresh process; peak RSS is that of the largest child so far, so sizes run in increasing
order. Results are printed as a Markdown table.
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


def timed_build(args: list[str], out: Path) -> tuple[float, float, float]:
    """Wall seconds, peak RSS in MB, and the size of the folder in MB."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "mifi_rdf", *args, "build", str(out)], check=True, capture_output=True)
    wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file()) / 1e6
    return wall, peak, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    opts = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        wall, peak, size = timed_build([], tmpdir / "bundled")
        rows.append(("bundled data", 695, wall, peak, size))
        for n in sorted(opts.sizes):
            data, onto = make_project(n, tmpdir / f"p{n}")
            wall, peak, size = timed_build(["--data", str(data), "--ontology", str(onto)], tmpdir / f"out{n}")
            rows.append(("synthetic", n, wall, peak, size))
    print("| what | cells | seconds | peak MB | folder MB |")
    print("|---|---:|---:|---:|---:|")
    for what, cells, wall, peak, size in rows:
        print(f"| `mifi-rdf build`, {what} | {cells:,} | {wall:.1f} | {peak:.0f} | {size:.1f} |")


if __name__ == "__main__":
    main()
