"""Disclosure audit speed and memory: the five letters, and synthetic cubes shaped like letter 30952.

Usage:  python bench/bench_audit.py [--sizes 100000] [--work bench/out]

The synthetic projects are those of bench_export.py (per round, 30 countries, « Autres » and a
total; about 10 % of the country cells blanked, each blank 1 to 9). Each measurement runs in a
fresh Python process that reports its wall time, its CPU time (steadier on a shared machine) and
its own peak RSS:

- `mifi-rdf audit` on the bundled data (wall, with start-up), and on each synthetic size
  (`--format csv`, written to /dev/null);
- the phases of one audit in-process (loading the tables, building the constraints, splitting
  the components, solving, reporting), with the solver's counts: stacked relaxations (one per
  round and direction, each carrying every component), exact per-component integer programs;
- `mifi-rdf export --no-validate --format nt` on the same cube, whose cost now includes the audit
  (computed once per export), next to the audit's own share of it.

Targets (issue 12): the five letters in under 2 s; 100k cells with 10 % blanked in under 60 s.
Results go to stdout and bench/out/audit.md.
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


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu(who: int = resource.RUSAGE_SELF) -> float:
    """CPU seconds (user + system): on a shared machine, steadier than wall time."""
    r = resource.getrusage(who)
    return r.ru_utime + r.ru_stime


def worker_cli(args: list[str]) -> None:
    """Run the CLI in this process, stdout to /dev/null; report wall time, peak RSS, exit code."""
    import contextlib
    import os

    from mifi_rdf.cli import main

    start = time.perf_counter()
    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
        try:
            main(args, standalone_mode=False)
            code = 0
        except SystemExit as e:
            code = e.code or 0
    print(json.dumps({"seconds": round(time.perf_counter() - start, 2), "cpu": round(cpu(), 2), "peak_mb": round(peak_mb()),
                      "exit": code}))


def worker_phases(data: str, onto: str) -> None:
    """One audit, phase by phase."""
    from mifi_rdf.audit.bounds import problem, solve
    from mifi_rdf.audit.constraints import build_system
    from mifi_rdf.audit.findings import _collector_paused, run_audit
    from mifi_rdf.audit.report import attributes, render_csv
    from mifi_rdf.project import load_project

    clock = time.process_time  # CPU of this process: the machine may be shared
    times = {}
    t = clock()
    project = load_project(data=Path(data), ontology=Path(onto))
    tables = [table for letter in project.letters for table in letter.tables]
    times["load"] = clock() - t
    with _collector_paused():  # as run_audit does
        t = clock()
        system = build_system(tables, project.vocab)
        times["constraints"] = clock() - t
        t = clock()
        prob = problem(system)
        times["components"] = clock() - t
        t = clock()
        solved = solve(prob)
        times["solve"] = clock() - t
    t = clock()
    audit = run_audit(tables, project.vocab)
    times["whole audit"] = clock() - t
    t = clock()
    render_csv(audit, project.vocab.base)
    times["csv"] = clock() - t
    t = clock()
    attributes(audit, project.vocab.base)
    times["attributes"] = clock() - t
    largest = max((len(c.targets) for c in prob.components), default=0)
    print(json.dumps({"times": {k: round(v, 2) for k, v in times.items()}, "peak_mb": round(peak_mb()),
                      "cells": len(system.entries), "suppressed": len(audit.cells), "constraints": len(system.constraints),
                      "components": len(prob.components), "largest": largest, "stacked": solved.stacked_solves,
                      "exact": solved.exact_solves, "disclosed": len(audit.disclosed), "narrow": len(audit.narrow)}))


def run(mode: str, *args: str) -> dict:
    done = subprocess.run([sys.executable, __file__, mode, *args], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "cli":
        worker_cli(sys.argv[2:])
        return
    if len(sys.argv) > 1 and sys.argv[1] == "phases":
        worker_phases(*sys.argv[2:4])
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / "out")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    lines = ["| what | cells | wall s | CPU s | peak MB | notes |", "|---|---:|---:|---:|---:|---|"]

    def emit(line: str) -> None:
        lines.append(line)
        print(line, flush=True)

    print("\n".join(lines), flush=True)
    exe = shutil.which("mifi-rdf") or "mifi-rdf"
    start, before = time.perf_counter(), cpu(resource.RUSAGE_CHILDREN)
    code = subprocess.run([exe, "audit"], capture_output=True).returncode
    emit(f"| `mifi-rdf audit`, the five letters (with start-up) | {count_cells(ROOT / 'data'):,} | "
         f"{time.perf_counter() - start:.2f} | {cpu(resource.RUSAGE_CHILDREN) - before:.2f} | | exit {code} |")
    p = run("phases", str(ROOT / "data"), str(ROOT / "ontology"))
    emit(f"| audit phases, the five letters | {p['cells']:,} | | {p['times']['whole audit']:.2f} | {p['peak_mb']:,} | "
         f"{_phases(p)} |")
    for size in args.sizes:
        proj = args.work / f"audit-{size}"
        if proj.exists():
            shutil.rmtree(proj)
        data, onto = make_project(size, proj)
        cells = count_cells(data)
        r = run("cli", "--data", str(data), "--ontology", str(onto), "audit", "--format", "csv")
        emit(f"| `mifi-rdf audit --format csv`, synthetic | {cells:,} | {r['seconds']:.1f} | {r['cpu']:.1f} | "
             f"{r['peak_mb']:,} | exit {r['exit']} |")
        p = run("phases", str(data), str(onto))
        emit(f"| audit phases, synthetic | {cells:,} | | {p['times']['whole audit']:.1f} | {p['peak_mb']:,} | {_phases(p)} |")
        out = proj / "cube.nt"
        r = run("cli", "--data", str(data), "--ontology", str(onto), "export", "--no-validate", "--format", "nt",
                "-o", str(out))
        emit(f"| `mifi-rdf export --no-validate --format nt` (audit included), synthetic | {cells:,} | "
             f"{r['seconds']:.1f} | {r['cpu']:.1f} | {r['peak_mb']:,} | of which the audit ≈ {p['times']['whole audit']:.1f} "
             f"CPU s (and the bound attributes ≈ {p['times']['attributes']:.1f}) |")
        shutil.rmtree(proj)
    (args.work / "audit.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _phases(p: dict) -> str:
    t = p["times"]
    return (f"load {t['load']} s, constraints {t['constraints']} s, components {t['components']} s, solve {t['solve']} s, "
            f"csv {t['csv']} s; {p['suppressed']:,} suppressed, {p['constraints']:,} constraints, "
            f"{p['components']:,} components (largest: {p['largest']} blanks), {p['stacked']} stacked relaxations, "
            f"{p['exact']} exact MILPs; {p['disclosed']:,} disclosed, {p['narrow']:,} too narrow")


if __name__ == "__main__":
    main()
