"""Abuse test of `mifi-rdf serve`: hostile queries while normal ones keep being answered. Loopback only.

Usage:  python bench/bench_serve_hostile.py [--timeout 10] [--rounds 3]

Starts the server (real CLI, free 127.0.0.1 port, the given query time limit, no cache), then, for each
round, sends every hostile request below at once, each from its own thread, while a client keeps
sending a normal named query. Checks that each hostile request is refused with 400 or stopped
(503) within its limit (time limit plus 2 s of slack), that every normal query got 200, and that
the server is still answering at the end. Prints one line per hostile request and a verdict.
"""

from __future__ import annotations

import argparse
import sys
import threading
from pathlib import Path

from bench_serve_load import free_port, post_query, rss_mb, start_server

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = {  # name -> (query, expected status)
    "SERVICE to another endpoint": ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }", 400),
    "FROM <file:///etc/passwd>": ("SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }", 400),
    "FROM NAMED a remote graph": ("SELECT * FROM NAMED <http://example.org/g> WHERE { GRAPH ?g { ?s ?p ?o } }", 400),
    "LOAD a file": ("LOAD <file:///etc/passwd>", 400),
    "DROP ALL": ("DROP ALL", 400),
    "cartesian product over all observations": (
        "PREFIX qb: <http://purl.org/linked-data/cube#> SELECT (COUNT(*) AS ?n) WHERE { "
        "?a qb:dataSet ?x . ?b qb:dataSet ?y . ?c qb:dataSet ?z . ?d qb:dataSet ?w }", 503),
    "every triple, 3 times over, unbounded": ("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }", 503),
    "regex over every literal pair": ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?l1 . ?c ?d ?l2 . "
                                      "FILTER(REGEX(STR(?l1), CONCAT(\"(a|aa)+\", STR(?l2)))) }", 503),
}


def post(port: int, query: str, client: str = "127.0.0.1") -> tuple[int, float, str]:
    """Each hostile request is its own client, so that the server's per-client limit (2 at once)
    does not turn the abuse into 429s before it runs."""
    status, seconds, body = post_query(port, query, client)
    return status, seconds, body.decode("utf-8", "replace").strip()[:100]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=10, help="the server's query time limit, s")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=3)
    args = parser.parse_args()
    port = free_port()
    # no cache: the normal queries must really run in a worker while the hostile ones are there
    server = start_server(port, ["--timeout", str(args.timeout), "--workers", str(args.workers), "--cache-mb", "0"])
    normal_query = (ROOT / "queries" / "invitations-by-country.rq").read_text(encoding="utf-8")
    failures, normal = [], []
    try:
        for rnd in range(1, args.rounds + 1):
            results: dict[str, tuple[int, float, str]] = {}
            threads = [threading.Thread(target=lambda n=n, q=q, r=results, c=f"127.0.0.{10 + i}":
                                        r.__setitem__(n, post(port, q, c)))
                       for i, (n, (q, _)) in enumerate(HOSTILE.items())]
            for t in threads:
                t.start()
            while any(t.is_alive() for t in threads):
                normal.append(post(port, normal_query))
            for name, (_, expected) in HOSTILE.items():
                status, seconds, body = results[name]
                # a stopped query may have waited for a free worker first: up to one more time limit
                limit = 0 if expected == 400 else 2 * args.timeout + 2
                ok = status == expected and (expected == 400 or seconds <= limit)
                if not ok:
                    failures.append(f"round {rnd}: {name}: {status} after {seconds:.1f} s")
                print(f"round {rnd}  {'ok  ' if ok else 'FAIL'}  {status}  {seconds:5.1f} s  {name}: {body}")
        final = post(port, normal_query)
        memory = rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(15)
    bad = [n for n in normal if n[0] != 200]
    times = sorted(n[1] for n in normal)
    print(f"normal queries meanwhile: {len(normal)}, {len(bad)} not answered 200; "
          f"median {1000 * times[len(times) // 2]:.0f} ms, max {1000 * times[-1]:.0f} ms")
    print(f"after the abuse: normal query {final[0]}; server RSS {memory:.0f} MB")
    if failures or bad or final[0] != 200:
        print("FAILED:", *failures, sep="\n  ")
        sys.exit(1)
    print("all hostile requests refused or stopped within their limit; normal queries all answered")


if __name__ == "__main__":
    main()
