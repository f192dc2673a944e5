"""Load test of `mifi-rdf serve`: N concurrent clients for T seconds, on loopback only.

Usage:  python bench/bench_serve_load.py [--clients 50] [--seconds 60] [--workers 2]

Starts the server (the real CLI, in its own process, on a free 127.0.0.1 port), then runs N client
threads, each from its own loopback address (the server's per-client limit is by address), that
loop over a realistic mix until T seconds have passed: every named query in queries/ (POSTed as a
form, JSON results), dataset, observation and code URIs (303, then the HTML or Turtle document),
and the service description. Reports requests/s, p50/p99 latency, errors (any status other than
200 after redirects), and the server's resident memory (main process plus its query workers)
sampled every second: at start, peak, and at the end, so growth shows.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.client
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = [
    ("/dataset/30952-t5", "text/html"),
    ("/dataset/30735-t2", "text/turtle"),
    ("/dataset/25623-t1", "text/html"),
    ("/dataset/30952-t5/obs/pstq-2025-12-04/FRA/invitations", "text/html"),
    ("/code/country/FRA", "application/ld+json"),
    ("/code/municipality/66023", "text/html"),
    ("/sparql", "text/turtle"),
    ("/", "text/html"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants, in MB (Linux /proc)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            for task in Path(f"/proc/{p}/task").iterdir():
                children = (task / "children").read_text().split()
                todo += [int(c) for c in children]
    return total / 1024


def start_server(port: int, extra: list[str]) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-m", "mifi_rdf", "serve", "--port", str(port), *extra],
                               stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2):
                return process
        except OSError:
            if process.poll() is not None:
                raise SystemExit(f"server failed: {process.stderr.read()}") from None
            time.sleep(0.2)
    process.kill()
    raise SystemExit("server did not start")


def post_query(port: int, query: str, client: str = "127.0.0.1", timeout: float = 120) -> tuple[int, float, bytes]:
    """POST a SPARQL query to the server on `port` from the loopback address `client` (the server's
    per-client limit is by address): status, seconds and body."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout, source_address=(client, 0))
    start = time.monotonic()
    try:
        connection.request("POST", "/sparql", urllib.parse.urlencode({"query": query}),
                           {"Content-Type": "application/x-www-form-urlencoded",
                            "Accept": "application/sparql-results+json"})
        response = connection.getresponse()
        body = response.read()
        return response.status, time.monotonic() - start, body
    finally:
        connection.close()


def requests(url: str) -> list[tuple[str, dict]]:
    """(name, arguments of a urllib Request): a Request object records its redirects, so each use makes a new one."""
    out = []
    for path in sorted((ROOT / "queries").glob("*.rq")):
        data = urllib.parse.urlencode({"query": path.read_text(encoding="utf-8")}).encode()
        out.append((f"query {path.stem}", {"url": url + "/sparql", "data": data, "headers": {
            "Accept": "application/sparql-results+json", "Content-Type": "application/x-www-form-urlencoded"}}))
    for path, accept in PAGES:
        out.append((f"GET {path} ({accept})", {"url": url + path, "headers": {"Accept": accept}}))
    return out


class FromAddress(urllib.request.HTTPHandler):
    """Requests from one loopback address: the server limits each client's concurrent queries by
    address, so 50 clients must come from 50 addresses (127.0.1.1, 127.0.1.2, …; Linux answers on
    all of 127.0.0.0/8)."""

    def __init__(self, address: str) -> None:
        super().__init__()
        self.address = address

    def http_open(self, req):
        return self.do_open(functools.partial(http.client.HTTPConnection, source_address=(self.address, 0)), req)


def client(mix, stop: float, seed: int, latencies: list, errors: list) -> None:
    rng = random.Random(seed)
    opener = urllib.request.build_opener(FromAddress(f"127.0.{1 + seed // 250}.{1 + seed % 250}"))
    while time.monotonic() < stop:
        name, request = rng.choice(mix)
        start = time.perf_counter()
        try:
            with opener.open(urllib.request.Request(**request), timeout=60) as r:
                r.read()
                ok = r.status == 200
        except (urllib.error.URLError, OSError) as err:
            ok, name = False, f"{name}: {err}"
        latencies.append(time.perf_counter() - start)
        if not ok:
            errors.append(name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=3, help="query worker processes of the server")
    parser.add_argument("--cache-mb", type=float, default=64, help="the server's cache (0: every query runs)")
    args = parser.parse_args()
    port = free_port()
    server = start_server(port, ["--workers", str(args.workers), "--cache-mb", str(args.cache_mb)])
    url = f"http://127.0.0.1:{port}"
    try:
        mix = requests(url)
        memory = [rss_mb(server.pid)]
        latencies: list[float] = []
        errors: list[str] = []
        stop = time.monotonic() + args.seconds
        threads = [threading.Thread(target=client, args=(mix, stop, i, latencies, errors)) for i in range(args.clients)]
        began = time.monotonic()
        for t in threads:
            t.start()
        while any(t.is_alive() for t in threads):
            time.sleep(1)
            memory.append(rss_mb(server.pid))
        elapsed = time.monotonic() - began
    finally:
        server.terminate()
        server.wait(15)
    latencies.sort()
    n = len(latencies)
    tenth = max(1, len(memory) // 10)
    print(f"{args.clients} clients for {args.seconds:g} s ({args.workers} query workers, cache {args.cache_mb:g} MB), "
          f"{len(mix)} kinds of request")
    print(f"requests: {n}, {n / elapsed:.1f} req/s; errors: {len(errors)}")
    print(f"latency: p50 {1000 * latencies[n // 2]:.0f} ms, p99 {1000 * latencies[min(n - 1, int(n * 0.99))]:.0f} ms, "
          f"max {1000 * latencies[-1]:.0f} ms")
    print(f"server RSS (main + workers): start {memory[0]:.0f} MB, peak {max(memory):.0f} MB, "
          f"first tenth {statistics.mean(memory[:tenth]):.0f} MB, last tenth {statistics.mean(memory[-tenth:]):.0f} MB")
    step = max(1, len(memory) // 10)
    print("server RSS every tenth of the run, MB: " + " ".join(f"{m:.0f}" for m in memory[::step]))
    for name in sorted(set(errors))[:10]:
        print(f"  error: {name} ×{errors.count(name)}")
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
