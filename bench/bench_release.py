"""A release over a previous one (`build --previous PREV`) against a plain build, on a synthetic project.

Usage:  python bench/bench_release.py [--size 100000] [--repeat 1]

The project is bench_export.py's (tables shaped like letter 30952, about `size` cells). Three builds,
each in a fresh process, `--no-validate` (validation is the same work in all three, and not the release's):
a plain build (PREV, release 1); a release over PREV with nothing changed (every digest compared, PREV's
versions hard-linked, the folder PREV's byte for byte); a release over PREV after one figure and its total
were corrected in one table (that table's CSV compared cell by cell, a version 2). Reported: CPU seconds
(user + system of that process) and its own peak RSS, from os.wait4; the target (issue 20) is a release
within 1.5× a plain build. Printed as a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_export import make_project  # noqa: E402


def measured(args: list[str]) -> tuple[float, float]:
    """CPU seconds and peak RSS (MB) of one fresh `mifi-rdf` process."""
    proc = subprocess.Popen([sys.executable, "-m", "mifi_rdf", *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    err = proc.stderr.read().decode() if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"mifi-rdf {' '.join(args)} failed:\n{err}")
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def correct_one_figure(data: Path) -> None:
    """One figure of table t1 and its round's total, as a correction of data/ would."""
    csv = data / "99999" / "t1.csv"
    lines = csv.read_text(encoding="utf-8").splitlines(keepends=True)
    n = next(i for i, line in enumerate(lines) if ",published," in line)
    cells = lines[n].split(",")
    cells[3] = str(int(cells[3]) + 1)
    lines[n] = ",".join(cells)
    t = next(i for i in range(n, len(lines)) if ",_T," in lines[i])
    cells = lines[t].split(",")
    cells[3] = str(int(cells[3]) + 1)
    lines[t] = ",".join(cells)
    csv.write_text("".join(lines), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=1)
    opts = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        data, onto = make_project(opts.size, tmpdir / "p")
        common = ["--data", str(data), "--ontology", str(onto), "build", "--no-validate"]
        for run in range(opts.repeat):
            prev = tmpdir / f"prev{run}"
            plain = measured([*common, str(prev)])
            same = measured([*common, str(tmpdir / f"same{run}"), "--previous", str(prev), "--release", "r2"])
            rows.append((run + 1, plain, same))
        correct_one_figure(data)
        changed = measured([*common, str(tmpdir / "changed"), "--previous", str(tmpdir / "prev0"), "--release", "r2"])
    print(f"| build of {opts.size:,} cells | run | CPU s | peak RSS MB | CPU × plain |")
    print("|---|---:|---:|---:|---:|")
    for run, plain, same in rows:
        print(f"| plain `build` | {run} | {plain[0]:.1f} | {plain[1]:.0f} | 1.00 |")
        print(f"| `build --previous`, nothing changed | {run} | {same[0]:.1f} | {same[1]:.0f} | {same[0] / plain[0]:.2f} |")
    plain = rows[0][1]
    print(f"| `build --previous`, one figure corrected | 1 | {changed[0]:.1f} | {changed[1]:.0f} | "
          f"{changed[0] / plain[0]:.2f} |")


if __name__ == "__main__":
    main()
