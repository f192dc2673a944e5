"""Export speed and memory on synthetic cubes of growing size, next to a pure-rdflib baseline.

Usage:  python bench/bench_export.py [--sizes 10000 100000 1000000] [--rdflib-max 100000]

Each synthetic project is the real ontology plus extra invitation rounds, and tables shaped like
letter 30952: per round, 32 countries, « Autres » and a total, about 10 % of cells blanked. Every
measurement runs in a fresh Python process (`worker` mode) that reports its wall time and its own
peak RSS, so runs do not share caches or memory. Targets (issue 2): bundled data exported in under
2 s wall including start-up, `mifi-rdf --help` under 0.3 s, 1M cells to Turtle and to N-Triples
in under 30 s each and under 2 GB peak. Results are printed as a Markdown table and written to
bench/out/.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COUNTRIES = ["FRA", "HTI", "DZA", "IRN", "CMR", "MDG", "CIV", "SEN", "MAR", "TUN", "COD", "TGO", "COL", "MUS", "BEN", "BFA",
             "MEX", "BRA", "GIN", "BEL", "USA", "LBN", "IND", "CHN", "MLI", "PER", "VNM", "NER", "RWA", "UKR"]
CELLS_PER_TABLE = 10_200  # 300 rounds x 34 cells


def make_project(size: int, dest: Path) -> tuple[Path, Path]:
    """Write a synthetic data/ and ontology/ of about `size` cells; returns their paths."""
    rng = random.Random(size)
    onto = dest / "ontology"
    shutil.copytree(ROOT / "ontology", onto)
    per_round = len(COUNTRIES) + 2
    rounds = max(1, size // per_round)
    with (onto / "codes" / "rounds.ttl").open("a", encoding="utf-8") as f:
        f.write("\n# synthetic rounds for the benchmark\n")
        for r in range(rounds):
            n = f"syn-{r:07d}"
            f.write(f'<code/round/{n}> a skos:Concept ; skos:inScheme <code/round> ; skos:notation "{n}" ;\n'
                    f'    skos:prefLabel "ronde synthétique {r}"@fr, "synthetic round {r}"@en .\n')
    data = dest / "data" / "99999"
    data.mkdir(parents=True)
    tables = []
    header = ["round", "country", "measure", "value", "status", "inference", "source_label", "note_fr", "note_en"]
    rounds_per_table = CELLS_PER_TABLE // per_round
    for t in range(0, rounds, rounds_per_table):
        tid = f"t{t // rounds_per_table + 1}"
        tables.append(tid)
        with (data / f"{tid}.csv").open("w", encoding="utf-8", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(header)
            for r in range(t, min(t + rounds_per_table, rounds)):
                n = f"syn-{r:07d}"
                total = 0
                for c in COUNTRIES:
                    if rng.random() < 0.1:
                        w.writerow([n, c, "invitations", "", "confidential", "", "", "", ""])
                        total += rng.randint(1, 9)
                    else:
                        v = rng.randint(10, 900)
                        total += v
                        w.writerow([n, c, "invitations", v, "published", "", "", "", ""])
                other = rng.randint(10, 200)
                w.writerow([n, "_O", "invitations", other, "residual", "", "", "", ""])
                w.writerow([n, "_T", "invitations", total + other, "total", "", "", "", ""])
    # shaped like letter 30952, whose text it cites: `build` publishes only letters whose text is in sources/
    meta = ['ref = "99999"', "letter_date = 2026-01-01", "received = 2025-12-01", "clarified = []",
            'source_text = "30952.txt"', 'issued_by_fr = "x"', 'issued_by_en = "x"', 'request_fr = "x"',
            'request_en = "x"', 'programs = ["pstq"]', 'articles = ["53"]', "refused = []"]
    for tid in tables:
        meta += ["", "[[table]]", f'id = "{tid}"', 'number = ""', 'caption = "x"', 'title_fr = "x"', 'title_en = "x"',
                 'description_fr = "x"', 'description_en = "x"', 'structure = "invitations-by-country"', "notes = []",
                 'source_line = ""', 'extraction_date = ""', "suppression_threshold = 10",
                 'suppression_method = "merged-into-others"']
    (data / "letter.toml").write_text("\n".join(meta) + "\n", encoding="utf-8")
    return dest / "data", onto


# ---------------------------------------------------------------------------- workers


def worker_export(fmt: str, data: str, onto: str, out: str) -> None:
    from mifi_rdf.cli import main

    try:
        # serialization alone; bench_validate.py measures the validation that export runs first
        main(["--data", data, "--ontology", onto, "export", "--no-validate", "--format", fmt, "-o", out],
             standalone_mode=False)
    except SystemExit as e:  # pragma: no cover - a failed export must fail the benchmark
        if e.code:
            raise


def worker_rdflib(fmt: str, data: str, onto: str, out: str) -> None:
    """A straightforward rdflib implementation: build a Graph of the same observations, serialize."""
    import rdflib
    from rdflib import RDF, XSD, Literal, URIRef

    base = "https://w3id.org/mifi-rdf/"
    qb = rdflib.Namespace("http://purl.org/linked-data/cube#")
    sdmx = "http://purl.org/linked-data/sdmx/2009/"
    g = rdflib.Graph()
    for path in sorted(Path(data).glob("*/*.csv")):
        ds = URIRef(f"{base}dataset/99999-{path.stem}")
        with path.open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                s = URIRef(f"{base}dataset/99999-{path.stem}/obs/{row['round']}/{row['country']}/invitations")
                g.add((s, RDF.type, qb.Observation))
                g.add((s, qb.dataSet, ds))
                g.add((s, URIRef(base + "def/round"), URIRef(f"{base}code/round/{row['round']}")))
                g.add((s, URIRef(base + "def/country"), URIRef(f"{base}code/country/{row['country']}")))
                g.add((s, qb.measureType, URIRef(base + "def/invitations")))
                g.add((s, URIRef(base + "def/cellStatus"), URIRef(f"{base}code/cell-status/{row['status']}")))
                if row["value"]:
                    g.add((s, URIRef(base + "def/invitations"), Literal(row["value"], datatype=XSD.integer)))
                    g.add((s, URIRef(sdmx + "attribute#obsStatus"), URIRef(sdmx + "code#obsStatus-A")))
                    g.add((s, URIRef(sdmx + "attribute#confStatus"), URIRef(sdmx + "code#confStatus-F")))
                else:
                    g.add((s, URIRef(sdmx + "attribute#confStatus"), URIRef(sdmx + "code#confStatus-C")))
    g.serialize(out, format={"ttl": "turtle", "nt": "nt", "jsonld": "json-ld", "xml": "xml", "trig": "trig"}[fmt])


def run_worker(kind: str, fmt: str, data: Path, onto: Path, out: Path) -> dict:
    cmd = [sys.executable, __file__, "worker", kind, fmt, str(data), str(onto), str(out)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["bytes"] = out.stat().st_size
    return result


def count_cells(data: Path) -> int:
    """Rows of every table of a data folder, headers excluded."""
    tables = list(data.glob("*/*.csv"))
    return sum(1 for p in tables for _ in p.open(encoding="utf-8")) - len(tables)


def time_command(cmd: list[str], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "worker":
        _, _, kind, fmt, data, onto, out = sys.argv
        start = time.perf_counter()
        (worker_export if kind == "mifi-rdf" else worker_rdflib)(fmt, data, onto, out)
        seconds = time.perf_counter() - start
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps({"seconds": round(seconds, 2), "peak_mb": round(peak_mb)}))
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--formats", nargs="+", default=["ttl", "nt", "jsonld", "trig", "xml"])
    parser.add_argument("--rdflib-max", type=int, default=100_000, help="largest size for the rdflib N-Triples baseline")
    parser.add_argument("--rdflib-ttl-max", type=int, default=10_000,
                        help="largest size for the rdflib Turtle baseline (its cost grows faster than linearly)")
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / "out")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    exe = shutil.which("mifi-rdf") or "mifi-rdf"
    lines = ["| what | cells | format | seconds | peak MB | output MB |", "|---|---:|---|---:|---:|---:|"]
    help_s = time_command([exe, "--help"])
    bundled_s = time_command([exe, "export", "--format", "ttl"])
    lines.append(f"| `mifi-rdf --help` | | | {help_s:.2f} | | |")
    bundled = count_cells(ROOT / "data")
    lines.append(f"| `mifi-rdf export --format ttl`, bundled data | {bundled:,} | ttl | {bundled_s:.2f} | | |")
    print("\n".join(lines), flush=True)
    for size in args.sizes:
        proj = args.work / f"project-{size}"
        if proj.exists():
            shutil.rmtree(proj)
        data, onto = make_project(size, proj)
        cells = count_cells(data)
        for kind in ("mifi-rdf", "rdflib"):
            if kind == "rdflib" and size > args.rdflib_max:
                continue
            baseline = ["ttl", "nt"] if size <= args.rdflib_ttl_max else ["nt"]
            for fmt in args.formats if kind == "mifi-rdf" else baseline:
                out = args.work / f"out-{size}.{fmt}"
                r = run_worker(kind, fmt, data, onto, out)
                line = f"| {kind} | {cells:,} | {fmt} | {r['seconds']:.1f} | {r['peak_mb']:,} | {r['bytes'] / 1e6:.0f} |"
                lines.append(line)
                print(line, flush=True)
                out.unlink()
        shutil.rmtree(proj)
    (args.work / "results.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
