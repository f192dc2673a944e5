"""A release over a previous one (`build --previous PREV`) against a plain build, on a synthetic project.

Usage:  python bench/bench_release.py [--size 100000] [--repeat 1] [--series]

The project is bench_export.py's (tables shaped like letter 30952, about `size` cells). Three builds,
each in a fresh process, `--no-validate` (validation is the same work in all three, and not the release's):
a plain build (PREV, release 1); a release over PREV with nothing changed (every digest compared, PREV's
versions hard-linked, the folder PREV's byte for byte); a release over PREV after one figure and its total
were corrected in one table (that table's CSV compared cell by cell, a version 2). `--repeat N` runs the three
N times, each over its own PREV. `--series` dates the synthetic rounds, so that its tables make a series of
catalog.toml (pstq-invitations-by-country) and the build a consolidated cube of every cell: the release then
also compares the cube's digest, and after the correction its CSV row by row (a version 2 of the cube too). Reported: CPU seconds
(user + system of that process) and its own peak RSS, from os.wait4; the target (issue 20) is a release
within 1.5× a plain build. Printed as a Markdown table.
"""

from __future__ import annotations

import argparse
import datetime
import os
import re
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


def date_rounds(onto: Path) -> None:
    """A date for each synthetic round (one day apart), which makes the synthetic tables a series' members."""
    rounds = onto / "codes" / "rounds.ttl"
    text = rounds.read_text(encoding="utf-8")

    def dated(found: re.Match) -> str:
        day = datetime.date(2000, 1, 1) + datetime.timedelta(days=int(found.group(1)))
        return f'{found.group(0)} dcterms:date "{day.isoformat()}"^^xsd:date ;'

    text, n = re.subn(r'skos:notation "syn-(\d{7})" ;', dated, text)
    assert n, "no synthetic round found in rounds.ttl"
    rounds.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--series", action="store_true", help="date the rounds: the tables make a series and its cube")
    opts = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        data, onto = make_project(opts.size, tmpdir / "p")
        if opts.series:
            date_rounds(onto)
        common = ["--data", str(data), "--ontology", str(onto), "build", "--no-validate"]
        table = data / "99999" / "t1.csv"
        original = table.read_bytes()
        for run in range(opts.repeat):
            prev = tmpdir / f"prev{run}"
            plain = measured([*common, str(prev)])
            same = measured([*common, str(tmpdir / f"same{run}"), "--previous", str(prev), "--release", "r2"])
            correct_one_figure(data)
            changed = measured([*common, str(tmpdir / f"changed{run}"), "--previous", str(prev), "--release", "r2"])
            table.write_bytes(original)  # the next run's PREV is built from the uncorrected data again
            rows.append((run + 1, plain, same, changed))
    what = f"{opts.size:,} cells" + (" and their series' cube" if opts.series else "")
    print(f"| build of {what} | run | CPU s | peak RSS MB | CPU × plain |")
    print("|---|---:|---:|---:|---:|")
    for run, plain, same, changed in rows:
        print(f"| plain `build` | {run} | {plain[0]:.1f} | {plain[1]:.0f} | 1.00 |")
        print(f"| `build --previous`, nothing changed | {run} | {same[0]:.1f} | {same[1]:.0f} | {same[0] / plain[0]:.2f} |")
        print(f"| `build --previous`, one figure corrected | {run} | {changed[0]:.1f} | {changed[1]:.0f} | "
              f"{changed[0] / plain[0]:.2f} |")


if __name__ == "__main__":
    main()
