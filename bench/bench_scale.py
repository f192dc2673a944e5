"""Validation next to serialization, at growing sizes: CPU, wall and peak RSS of each command.

Usage:  python bench/bench_scale.py [--sizes 10000 100000 1000000] [--commands export validate export-validated]
                                    [--file-validate-max 100000]

Issue 14 asks for `validate` within 1.5x the CPU of `export --format ttl --no-validate` of the same
cells, a validated export within 2x, `export --no-validate` under 300 MB peak at 1M and time linear
in the cells. Each command runs in a fresh Python process (`worker` mode) that reports its own CPU
time (user + system, from getrusage), wall time and peak RSS, on the synthetic projects of
bench_export.py (tables of 10,200 cells shaped like letter 30952). `validate-file` validates the
N-Triples export of the same cells (`mifi-rdf validate FILE`), up to --file-validate-max cells;
`parse-file` only parses that file into a store, the part of `validate-file` the issue leaves out.
The machine is shared: the 1-minute load average is printed with every line. Results go to stdout
and bench/out/scale.md; the scaling exponent of each command is log(t2/t1)/log(n2/n1) between the
smallest and the largest size.
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_export import ROOT, count_cells, make_project  # noqa: E402

COMMANDS = {
    "export": ["export", "--no-validate", "--format", "ttl", "-o", "{out}.ttl"],
    "export-validated": ["export", "--format", "ttl", "-o", "{out}.ttl"],
    "validate": ["validate", "--format", "json"],
    "validate-file": ["validate", "--format", "json", "{out}.nt"],
    "parse-file": ["parse", "{out}.nt"],  # the parsing alone, which validate-file includes
}
FILE_COMMANDS = {"validate-file", "parse-file"}


def worker(args: list[str]) -> None:
    from mifi_rdf.cli import main

    start = time.perf_counter()
    try:
        if args[-2] == "parse":
            from mifi_rdf.validate.engine import store_from_files

            store_from_files([Path(args[-1])], None, "https://w3id.org/mifi-rdf/")
        else:
            main(args, standalone_mode=False)
        code = 0
    except SystemExit as e:
        code = e.code or 0
    wall = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"wall": round(wall, 2), "cpu": round(usage.ru_utime + usage.ru_stime, 2),
                      "peak_mb": round(usage.ru_maxrss / 1024), "exit": code}), file=sys.stderr)


def run(command: str, data: Path, onto: Path, out: Path) -> dict:
    args = ["--data", str(data), "--ontology", str(onto)] + [a.format(out=out) for a in COMMANDS[command]]
    done = subprocess.run([sys.executable, __file__, "worker", *args], capture_output=True, text=True)
    line = done.stderr.strip().splitlines()[-1]
    result = json.loads(line)
    if result["exit"] not in (0,):
        raise SystemExit(f"{command} failed: {done.stderr[-2000:]}")
    return result


def load() -> str:
    return Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() else "?"


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "worker":
        worker(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--commands", nargs="+", default=["export", "validate", "export-validated", "validate-file"],
                        choices=list(COMMANDS))
    parser.add_argument("--file-validate-max", type=int, default=100_000)
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / "out")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    lines = ["| command | cells | CPU s | wall s | peak MB | CPU / export | load avg |", "|---|---:|---:|---:|---:|---:|---:|"]
    print("\n".join(lines), flush=True)
    cpu: dict[str, dict[int, float]] = {}
    for size in args.sizes:
        proj = args.work / f"scale-{size}"
        if proj.exists():
            shutil.rmtree(proj)
        data, onto = make_project(size, proj)
        cells = count_cells(data)
        out = proj / "out"
        commands = [c for c in args.commands if c not in FILE_COMMANDS]
        if FILE_COMMANDS & set(args.commands) and size <= args.file_validate_max:
            subprocess.run([sys.executable, "-m", "mifi_rdf", "--data", str(data), "--ontology", str(onto), "export",
                            "--no-validate", "--format", "nt", "-o", f"{out}.nt"], check=True, capture_output=True)
            commands += [c for c in args.commands if c in FILE_COMMANDS]
        for command in commands:
            r = run(command, data, onto, out)
            cpu.setdefault(command, {})[cells] = r["cpu"]
            ratio = r["cpu"] / cpu["export"][cells] if cells in cpu.get("export", {}) else float("nan")
            line = (f"| {command} | {cells:,} | {r['cpu']:.1f} | {r['wall']:.1f} | {r['peak_mb']:,} | "
                    f"{ratio:.2f} | {load()} |")
            lines.append(line)
            print(line, flush=True)
        shutil.rmtree(proj)
    for command, by_size in cpu.items():
        sizes = sorted(by_size)
        if len(sizes) > 1 and by_size[sizes[0]] > 0:
            n1, n2 = sizes[0], sizes[-1]
            exponent = math.log(by_size[n2] / by_size[n1]) / math.log(n2 / n1)
            lines.append(f"\n{command}: CPU grows as cells^{exponent:.2f} from {n1:,} to {n2:,}")
            print(lines[-1].strip(), flush=True)
    (args.work / "scale.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
