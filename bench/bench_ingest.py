"""`mifi-rdf ingest` time and memory: each of the five letters, from its text into an empty folder.

Usage:  python bench/bench_ingest.py [--repeat 3] [--pdf]

With --pdf, the PDF fixtures of tests/letters/pdf/ (two producers) instead of the texts. Target: a 5-page text
PDF under 3 s including start-up.

Each run is a fresh process (`python -m mifi_rdf … ingest LETTER`), so start-up, loading the code
lists, matching, the placement program (30735), writing and the check `export` would make
(loader + validation) are all counted. Wall and CPU seconds and peak RSS come from the child's own
resource usage (os.wait4); the median of the runs is printed as a Markdown table. Target: a letter
like 31180 (104 cells) under 2 s including start-up.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LETTERS = ["30952", "31180", "31224", "30735", "25623"]


def one_run(letter: Path, work: Path) -> tuple[float, float, float, int]:
    """Wall s, CPU s, peak RSS MB and exit code of one ingest into an empty folder."""
    data, ontology = work / "data", work / "ontology"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(ROOT / "ontology", ontology)
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "mifi_rdf", "--data", str(data), "--ontology", str(ontology),
                             "ingest", str(letter)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pdf", action="store_true", help="the PDF fixtures of tests/letters/pdf/ instead of the texts")
    opts = parser.parse_args()
    print("| letter | cells | exit | wall s | CPU s | peak MB |")
    print("|---|---:|---:|---:|---:|---:|")
    sources = sorted((ROOT / "tests" / "letters" / "pdf").glob("*.pdf")) if opts.pdf else \
        [ROOT / "sources" / "letters" / f"{ref}.txt" for ref in LETTERS]
    with tempfile.TemporaryDirectory() as tmp:
        for source in sources:
            ref = source.name[:5]
            runs = [one_run(source, Path(tmp) / "w") for _ in range(opts.repeat)]
            cells = sum(1 for p in (Path(tmp) / "w" / "data" / ref).glob("*.csv") for _ in p.open()) - \
                len(list((Path(tmp) / "w" / "data" / ref).glob("*.csv")))
            name = source.stem if opts.pdf else ref
            print(f"| {name} | {max(cells, 0)} | {runs[0][3]} | {statistics.median(r[0] for r in runs):.2f} | "
                  f"{statistics.median(r[1] for r in runs):.2f} | {statistics.median(r[2] for r in runs):.0f} |")


if __name__ == "__main__":
    main()
