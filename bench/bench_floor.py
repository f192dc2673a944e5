"""`export --no-validate` next to its floor: a whole process writing the same bytes with plain f-strings.

Usage:  python bench/bench_floor.py [--sizes 100000 1000000] [--formats nt ttl]

Issue 22 asks for `mifi-rdf export --no-validate` within 1.5x the CPU of the plainest program that
writes the same file from the CSV files. The floor (`floor` worker) reads each table with the csv
module and writes each observation with f-strings and dictionary look-ups: no term objects, no
checks, no audit. What it cannot know without doing our work is prepared beforehand, outside its
timed process, from our own export of the same project (`prepare`): the text that is not
observations (prefixes, ontology, code lists, the letter, each dataset's description), the written
form of each code, status and bound, keyed by cell. Its output must be byte-identical to ours; the
benchmark checks that, so the two programs are compared on the same work.

Each run is a fresh process reporting its own CPU seconds (user + system), wall seconds and peak
RSS; the 1-minute load average is printed with each line. Projects are the synthetic cubes of
bench_export.py. Results go to stdout and bench/out/floor.md.
"""

from __future__ import annotations

import argparse
import csv
import filecmp
import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_export import ROOT, count_cells, make_project  # noqa: E402

BASE = "https://w3id.org/mifi-rdf/"
LETTER = "99999"


def _subject(line: str) -> str:
    return line.split(" ", 1)[0]


def _pairs(block: list[str], turtle: bool) -> list[str]:
    """An observation's `predicate object` texts, from its N-Triples lines or its Turtle block."""
    if not turtle:
        return [line.split(" ", 1)[1][:-3] for line in block]  # "<s> p o .\n" -> "p o"
    text = "".join(block)
    first = text.split(" ", 1)[1]
    return [p for p in first[:-3].split(" ;\n\t")]


def prepare(reference: Path, fmt: str, plan: Path) -> None:
    """What the floor copies: every text of `reference` that is not an observation, and the written
    form of each code, status and bound of the observations."""
    turtle = fmt == "ttl"
    obs = f"<{BASE}dataset/{LETTER}-"
    chunks: list[list[str]] = [[]]  # text before the first table's observations, then after each table's
    forms: dict[str, dict] = {"round": {}, "country": {}, "status": {}, "bounds": {}, "value": {}}
    lines = reference.read_text(encoding="utf-8").splitlines(keepends=True)
    blocks: list[list[str]] = []
    for line in lines:  # a Turtle statement block starts at the first column; N-Triples: one line each
        continued = line.startswith("\t") if turtle else blocks[-1][0].startswith(obs) and _subject(line) == _subject(
            blocks[-1][0]) if blocks else False
        if continued and blocks:
            blocks[-1].append(line)
        else:
            blocks.append([line])
    in_obs = False
    for block in blocks:
        head = block[0]
        if head.startswith(obs) and "/obs/" in head.split(" ", 1)[0]:
            in_obs = True
            local = _subject(head)[1:-1].split("/obs/", 1)[1]
            r, c, _ = local.split("/")
            pairs = _pairs(block, turtle)
            forms["round"][r], forms["country"][c] = pairs[2], pairs[3]
            status = next(i for i, p in enumerate(pairs) if "cellStatus" in p.split(" ", 1)[0])
            has_value = status == 7
            if has_value and "template" not in forms["value"]:
                p, o = pairs[5].split(" ", 1)
                value = o[1:o.index('"', 1)] if o.startswith('"') else o
                forms["value"]["template"] = f"{p} {o.replace(value, '{}', 1)}"
            key = pairs[status].split(" ", 1)[1]
            tail = [p for p in pairs[status:] if "Bound" not in p.split(" ", 1)[0] and "boundsMethod" not in p]
            forms["status"][key] = tail
            bounds = [p for p in pairs[status:] if p not in tail]
            if bounds:
                forms["bounds"][local] = bounds
            forms["fixed"] = pairs[:2] + [pairs[4]] + [pairs[6 if has_value else 5]]  # type, dataSet, measureType, unit
        else:
            if in_obs:
                chunks.append([])
                in_obs = False
            chunks[-1] += block
    if in_obs:
        chunks.append([])
    plan.write_text(json.dumps({"chunks": ["".join(c) for c in chunks], "forms": forms}), encoding="utf-8")


def floor(fmt: str, data: Path, plan_path: Path, out_path: Path) -> None:
    """Write the export from the CSV files with f-strings and the prepared forms."""
    plan = json.loads(plan_path.read_text(encoding="utf-8"))
    chunks, forms = plan["chunks"], plan["forms"]
    turtle, separator = fmt == "ttl", " ;\n\t"
    rounds, countries, statuses, bounds = forms["round"], forms["country"], forms["status"], forms["bounds"]
    status_of = {s: statuses[k] for s in ("published", "confidential", "residual", "total")
                 for k in statuses if k.endswith(f"cell-status/{s}>") or k.endswith(f"cell-status:{s}")}
    value_template = forms["value"]["template"]
    a, ds_pair, measure_type, unit = forms["fixed"]
    tables = sorted((data / LETTER).glob("t*.csv"), key=lambda p: int(p.stem[1:]))
    with out_path.open("w", encoding="utf-8", newline="") as out:
        for n, path in enumerate(tables):
            out.write(chunks[n])
            obs = f"{BASE}dataset/{LETTER}-{path.stem}/obs/"
            ds = ds_pair.rsplit(" ", 1)[0] + f" <{BASE}dataset/{LETTER}-{path.stem}>"
            with path.open(encoding="utf-8", newline="") as f:
                rows = csv.reader(f)
                next(rows)
                lines = []
                for r, c, m, v, status, *_ in rows:
                    local = f"{r}/{c}/{m}"
                    pairs = [a, ds, rounds[r], countries[c], measure_type]
                    if v:
                        pairs.append(value_template.format(v))
                    pairs.append(unit)
                    pairs += status_of[status]
                    pairs += bounds.get(local, ())
                    s = f"<{obs}{local}>"
                    if turtle:
                        lines.append(f"{s} {separator.join(pairs)} .\n")
                    else:
                        lines.append("".join(f"{s} {p} .\n" for p in pairs))
                out.write("".join(lines))
        out.write(chunks[len(tables)])


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "worker":
        kind, fmt, data, onto, out, plan = sys.argv[2:8]
        start = time.perf_counter()
        if kind == "prepare":  # in its own process: the parent stays small, and each child's peak RSS its own
            prepare(Path(data), fmt, Path(plan))
        elif kind == "export":
            from mifi_rdf.cli import main as cli

            try:
                cli(["--data", data, "--ontology", onto, "export", "--no-validate", "--format", fmt, "-o", out],
                    standalone_mode=False)
            except SystemExit as e:
                if e.code:
                    raise
        else:
            floor(fmt, Path(data), Path(plan), Path(out))
        usage = resource.getrusage(resource.RUSAGE_SELF)
        print(json.dumps({"wall": round(time.perf_counter() - start, 2), "cpu": round(usage.ru_utime + usage.ru_stime, 2),
                          "peak_mb": round(usage.ru_maxrss / 1024)}))
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--formats", nargs="+", default=["nt", "ttl"], choices=["nt", "ttl"])
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / "out")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    lines = ["| cells | format | export CPU s | floor CPU s | export ÷ floor | export peak MB | floor peak MB | "
             "identical | load avg |", "|---:|---|---:|---:|---:|---:|---:|---|---:|"]
    print("\n".join(lines), flush=True)
    for size in args.sizes:
        proj = args.work / f"floor-{size}"
        if proj.exists():
            shutil.rmtree(proj)
        data, onto = make_project(size, proj)
        cells = count_cells(data)
        for fmt in args.formats:
            ours, theirs, plan = proj / f"ours.{fmt}", proj / f"floor.{fmt}", proj / f"plan-{fmt}.json"
            r = _run("export", fmt, data, onto, ours, plan)
            _run("prepare", fmt, ours, onto, theirs, plan)
            f = _run("floor", fmt, data, onto, theirs, plan)
            same = filecmp.cmp(ours, theirs, shallow=False)
            line = (f"| {cells:,} | {fmt} | {r['cpu']:.2f} | {f['cpu']:.2f} | {r['cpu'] / f['cpu']:.2f} | {r['peak_mb']} | "
                    f"{f['peak_mb']} | {'yes' if same else 'NO'} | {_load()} |")
            lines.append(line)
            print(line, flush=True)
            ours.unlink()
            theirs.unlink()
        shutil.rmtree(proj)
    (args.work / "floor.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _run(kind: str, fmt: str, data: Path, onto: Path, out: Path, plan: Path) -> dict:
    done = subprocess.run([sys.executable, __file__, "worker", kind, fmt, str(data), str(onto), str(out), str(plan)],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _load() -> str:
    return Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() else "?"


if __name__ == "__main__":
    main()
