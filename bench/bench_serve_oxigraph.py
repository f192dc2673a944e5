"""`mifi-rdf serve` against Oxigraph's own server, in one run, on the same data and the same queries.

Usage:  python bench/bench_serve_oxigraph.py [--clients 20] [--seconds 5] [--queries NAME ...] [--rounds 2]

Starts both servers on loopback (free ports): `mifi-rdf serve --cache-mb 0` (every query runs) and
`oxigraph serve` (the PyPI package `oxigraph`, in-memory, `--union-default-graph`) into which the
quads `mifi-rdf serve` holds are loaded. Both get the same query text (the named query with its
BASE written out, since Oxigraph has no default base). For each query, and for each server in
turn (the order alternates between rounds so that neither always runs on a warmer or quieter
machine), N client threads, each from its own loopback address (the per-client limit of `mifi-rdf
serve` is by address), POST it for T seconds over a new connection each time and ask for SPARQL
JSON. Reports per query and server: requests/s, median and p95 latency, errors, and the CPU
seconds the server (with every child process it started) spent per 1,000 requests, which the
other load on a shared machine disturbs little. Before any query, the idle resident memory of
each server (the sum over its processes) and, once, that both gave the same rows for each query.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from itertools import chain
from pathlib import Path

from bench_serve_load import free_port, rss_mb

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import pyoxigraph as ox  # noqa: E402

from mifi_rdf.build.consolidated import consolidated_quads  # noqa: E402
from mifi_rdf.project import load_project  # noqa: E402
from mifi_rdf.query import read_query  # noqa: E402

BASE = "https://w3id.org/mifi-rdf/"
QUERIES = ["invitations-by-country", "cells-by-status", "top-municipalities", "inferences"]
TICKS = os.sysconf("SC_CLK_TCK")


def processes(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        with contextlib.suppress(OSError):
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
    return out


def cpu_seconds(pid: int, ended: dict[int, float]) -> float:
    """User + system CPU of a process and its descendants. A child that ended (a killed or retired
    worker) keeps the last figure read for it in `ended`, so the total never goes back."""
    for p in processes(pid):
        with contextlib.suppress(OSError, IndexError):
            fields = Path(f"/proc/{p}/stat").read_text().rpartition(")")[2].split()
            ended[p] = (int(fields[11]) + int(fields[12])) / TICKS
    return sum(ended.values())


def wait_up(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{process.args[0]} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"no answer from {url}")


def post(port: int, path: str, query: str, client: str) -> tuple[int, float, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60, source_address=(client, 0))
    start = time.perf_counter()
    try:
        connection.request("POST", path, urllib.parse.urlencode({"query": query}),
                           {"Content-Type": "application/x-www-form-urlencoded",
                            "Accept": "application/sparql-results+json"})
        response = connection.getresponse()
        body = response.read()
        return response.status, time.perf_counter() - start, body
    finally:
        connection.close()


def rows(body: bytes) -> list:
    data = json.loads(body)
    return sorted(json.dumps({k: v["value"] for k, v in b.items()}, sort_keys=True) for b in data["results"]["bindings"])


def load(port: int, path: str, query: str, clients: int, seconds: float, pid: int) -> dict:
    latencies: list[float] = []
    errors: list[int] = []
    stop = time.monotonic() + seconds

    def client(i: int) -> None:
        address = f"127.0.{1 + i // 250}.{1 + i % 250}"
        while time.monotonic() < stop:
            try:
                status, took, _ = post(port, path, query, address)
            except OSError:
                status, took = 0, 0.0
            latencies.append(took)
            if status != 200:
                errors.append(status)

    ended: dict[int, float] = {}
    cpu = cpu_seconds(pid, ended)
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    began = time.monotonic()
    for t in threads:
        t.start()
    peak = 0.0
    while any(t.is_alive() for t in threads):
        time.sleep(0.5)
        peak = max(peak, rss_mb(pid))
        cpu_seconds(pid, ended)
    elapsed = time.monotonic() - began
    cpu = cpu_seconds(pid, ended) - cpu
    latencies.sort()
    n = len(latencies)
    return {"n": n, "rate": n / elapsed, "p50": latencies[n // 2], "p95": latencies[min(n - 1, int(n * 0.95))],
            "errors": len(errors), "cpu_per_1000": 1000 * cpu / max(n, 1), "peak": peak}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=5, help="of load, per query and server and round")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--queries", nargs="+", default=QUERIES)
    parser.add_argument("--idle", type=float, default=5, help="seconds to wait before reading the idle memory")
    parser.add_argument("serve_args", nargs="*", help="more options of mifi-rdf serve (after --)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-serve-oxigraph-") as tmp:
        nquads = Path(tmp) / "store.nq"
        project = load_project(BASE)  # the statements the server loads: the letters' datasets and the series' cubes
        ox.serialize(chain(project.statements(graphs=True), consolidated_quads(project)), str(nquads), ox.RdfFormat.N_QUADS)
        ox_port, our_port = free_port(), free_port()
        binary = Path(sys.executable).with_name("oxigraph")
        oxigraph = subprocess.Popen([str(binary), "serve", "--bind", f"127.0.0.1:{ox_port}", "--union-default-graph"],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        ours = subprocess.Popen([sys.executable, "-m", "mifi_rdf", "serve", "--port", str(our_port), "--cache-mb", "0",
                                 *args.serve_args], stderr=subprocess.DEVNULL)
        try:
            wait_up(f"http://127.0.0.1:{ox_port}/", oxigraph)
            request = urllib.request.Request(f"http://127.0.0.1:{ox_port}/store", data=nquads.read_bytes(),
                                             headers={"Content-Type": "application/n-quads"}, method="POST")
            urllib.request.urlopen(request, timeout=120).read()
            wait_up(f"http://127.0.0.1:{our_port}/sparql", ours)  # not /: the site's plan is made on a first page
            servers = {"mifi-rdf serve": (our_port, "/sparql", ours.pid), "oxigraph serve": (ox_port, "/query", oxigraph.pid)}
            time.sleep(args.idle)
            with open("/proc/loadavg") as f:
                print(f"load average {f.read().split()[0]}; {args.clients} clients, {args.seconds:g} s per query, server "
                      f"and round, {args.rounds} rounds")
            for name, (_, _, pid) in servers.items():
                print(f"idle RSS {name}: {rss_mb(pid):.0f} MB ({len(processes(pid))} processes)")
            texts = {q: f"BASE <{BASE}>\n{read_query(q)}" for q in args.queries}
            for q, text in texts.items():
                answers = {name: post(port, path, text, "127.0.0.1") for name, (port, path, _) in servers.items()}
                statuses = {name: a[0] for name, a in answers.items()}
                if set(statuses.values()) != {200} or len({json.dumps(rows(a[2])) for a in answers.values()}) != 1:
                    raise SystemExit(f"{q}: the servers do not give the same rows ({statuses})")
            results: dict[tuple[str, str], list[dict]] = {}
            for r in range(args.rounds):
                for q, text in texts.items():
                    order = list(servers) if r % 2 == 0 else list(reversed(servers))
                    for name in order:
                        port, path, pid = servers[name]
                        results.setdefault((q, name), []).append(load(port, path, text, args.clients, args.seconds, pid))
            with open("/proc/loadavg") as f:
                print(f"load average at the end {f.read().split()[0]}")
            print("| query | server | round | requests | req/s | median ms | p95 ms | errors | CPU s / 1000 req | peak RSS MB |")
            print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
            for (q, name), runs in results.items():
                for r, m in enumerate(runs, 1):
                    print(f"| {q} | {name} | {r} | {m['n']} | {m['rate']:.0f} | {1000 * m['p50']:.1f} | {1000 * m['p95']:.1f} "
                          f"| {m['errors']} | {m['cpu_per_1000']:.2f} | {m['peak']:.0f} |")
            for q in texts:
                ours_, theirs = results[(q, "mifi-rdf serve")], results[(q, "oxigraph serve")]
                rate = statistics.mean(m["rate"] for m in ours_) / statistics.mean(m["rate"] for m in theirs)
                median = statistics.mean(m["p50"] for m in ours_) / statistics.mean(m["p50"] for m in theirs)
                print(f"{q}: throughput {rate:.2f}x Oxigraph's, median {median:.2f}x")
            for name, (_, _, pid) in servers.items():
                print(f"RSS after the load {name}: {rss_mb(pid):.0f} MB")
        finally:
            for process in (ours, oxigraph):
                process.terminate()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(15)
                if process.poll() is None:
                    process.kill()


if __name__ == "__main__":
    main()
