"""The query workers of `mifi-rdf serve` (serve/pool.py), in-process on a small store of tmp_path:
every worker loads the one N-Quads file the server writes, a runaway query is still killed, and the
workers beyond the first start when queries need them and stop when idle (issue 22)."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest

from mifi_rdf.build.consolidated import series_store  # the letters' datasets and the series' cubes, as served
from mifi_rdf.serve.pool import Limits, QueryPool

BASE = "https://example.org/"
JSON = "application/sparql-results+json"
ROWS = 300  # a product of four patterns over them is 8·10⁹ rows: runs until it is killed
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a <p> ?b . ?c <p> ?d . ?e <p> ?f . ?g <p> ?h }"


def count(answer) -> int:
    assert answer.status == 200, answer.body
    return int(json.loads(answer.body)["results"]["bindings"][0]["n"]["value"])


@pytest.fixture(scope="module")
def nquads(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("pool") / "store.nq"
    path.write_text("".join(f"<{BASE}s{i}> <{BASE}p> \"{i}\" <{BASE}graph/{i % 3}> .\n" for i in range(ROWS)))
    return path


@pytest.fixture(scope="module")
def pool(nquads):
    pool = QueryPool(nquads, BASE, Limits(timeout=1.5, quick=0.5), size=3, reserved=1)
    yield pool
    pool.close()


def test_one_worker_at_start_and_it_sees_the_data(pool):
    assert pool.workers() == 1
    # the default graph is the union of the named graphs, as in the server
    assert count(pool.run("SELECT (COUNT(*) AS ?n) WHERE { ?s <p> ?o }", JSON)) == ROWS
    answer = pool.run("SELECT ?o WHERE { GRAPH <graph/1> { <s7> <p> ?o } }", JSON)
    assert json.loads(answer.body)["results"]["bindings"] == [{"o": {"type": "literal", "value": "7"}}]


def test_concurrent_queries_start_more_workers_each_with_the_data(pool):
    answers = []
    def ask(client: str) -> None:
        answers.append(pool.run("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", JSON, client))

    threads = [threading.Thread(target=ask, args=(f"client{i}",)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert [count(a) for a in answers] == [ROWS] * 12
    assert 1 <= pool.workers() <= 4  # at most the three workers and the reserved lane's spare


def test_a_runaway_query_is_killed_and_its_worker_replaced(pool):
    replaced = pool.replaced
    began = time.monotonic()
    answer = pool.run(RUNAWAY, JSON, "hostile")
    assert answer.status == 503
    assert b"it ran longer than this endpoint's limit of 1.5 s" in answer.body
    assert time.monotonic() - began < 10
    assert pool.replaced > replaced
    assert count(pool.run("SELECT (COUNT(*) AS ?n) WHERE { ?s <p> ?o }", JSON)) == ROWS


def test_idle_workers_stop_and_the_kept_one_is_renewed(nquads):
    pool = QueryPool(nquads, BASE, Limits(timeout=5), size=3, reserved=1, idle=0.5)
    try:
        first = pool.started
        assert first == 1
        threads = [threading.Thread(target=pool.run, args=("SELECT * WHERE { ?s ?p ?o }", JSON, f"c{i}")) for i in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and pool.started == first:
            time.sleep(0.1)
        assert pool.started > first  # the queries that found no free worker had more started
        while time.monotonic() < deadline and (pool.workers() > 1 or not pool.idle["general"]
                                               or pool.idle["general"][0].served):
            time.sleep(0.2)
        assert pool.workers() == 1
        kept = pool.idle["general"][0]
        assert kept.served == 0  # a fresh worker replaced the one that answered
        assert kept.process.poll() is None
        assert count(pool.run("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", JSON)) == ROWS
    finally:
        pool.close()
    assert kept.process.poll() is not None  # closing the pool ends its workers


def resident(pid: int) -> dict[int, tuple[float, str]]:
    """Resident MB and command line of a process and of every process below it (Linux /proc)."""
    out, todo = {}, [pid]
    while todo:
        p = todo.pop()
        status = Path(f"/proc/{p}/status").read_text()
        rss = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))
        out[p] = (rss / 1024, Path(f"/proc/{p}/cmdline").read_bytes().replace(b"\0", b" ").decode())
        for task in Path(f"/proc/{p}/task").iterdir():
            todo += [int(c) for c in (task / "children").read_text().split()]
    return out


@pytest.mark.slow
def test_an_idle_server_holds_under_150_mb_in_all_its_processes(tmp_path, project):
    """The target of issue 22 (340 MB before: the server, multiprocessing's resource tracker and four
    spawned workers with a copy of the CLI each), on the bundled data; a query still answered after."""
    import subprocess
    import sys
    import urllib.parse
    import urllib.request

    from servers import free_port, stop, wait_http

    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "mifi_rdf", "serve", "--port", str(port), "--cache-mb", "0"],
                                   stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_http(f"http://127.0.0.1:{port}/sparql", process, log)
        time.sleep(1)
        processes = resident(process.pid)
        assert len(processes) == 2, processes  # the server and one query worker, nothing else
        assert not any("multiprocessing" in command for _, command in processes.values())
        assert sum(mb for mb, _ in processes.values()) < 150, processes
        query = "SELECT (COUNT(*) AS ?n) WHERE { ?s a <http://purl.org/linked-data/cube#DataSet> }"
        request = urllib.request.Request(f"http://127.0.0.1:{port}/sparql?query={urllib.parse.quote(query)}",
                                         headers={"Accept": JSON})
        with urllib.request.urlopen(request, timeout=30) as r:
            served = int(json.loads(r.read())["results"]["bindings"][0]["n"]["value"])
        assert served == len(list(series_store(project).query(query.replace("(COUNT(*) AS ?n)", "?s"),
                                                              use_default_graph_as_union=True)))
    finally:
        stop(process)
