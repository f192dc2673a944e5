"""Run SPARQL queries in worker processes that can be killed when they break a limit, in two lanes.

pyoxigraph cannot interrupt a query running in a thread, so each query runs in one of a few
worker processes, each holding its own copy of the store (loaded from an N-Quads file written once
at start-up). A query over its time limit is stopped by killing its worker; a fresh one replaces it
while the others keep answering. The result-size limit is enforced while the answer is written:
the output refuses to grow past it, which also stops pyoxigraph's lazy evaluation. Everything
that depends on the query text (parsing by guard.py included) happens inside the worker, so a
pathological query cannot stall the HTTP server itself.

Two lanes, so that cheap queries keep flowing while expensive ones run (issue 15: six concurrent
cartesian products delayed every other query by 14-20 s). Of the workers, `reserved` (default 1)
run only queries estimated cheap (cost.py: no product of unrelated patterns, no unbounded path),
under a short time limit (`Limits.quick`, 2 s); the others, the general lane, run anything under
the full limit and at a lower CPU priority. A query goes to whichever lane has a free worker and
may take it; on the reserved lane the worker first estimates the query and hands it back, unrun,
if it looks expensive. A query that overruns the short limit there is stopped, run again on the
general lane; its text loses the reserved lane for a while (PENALTY seconds), and so does its
client after a second overrun (a client that varies its text each time): a wrong estimate costs
one short limit, or two per client and minute. With the per-client limit of gate.py, a few clients with
expensive queries can fill the general lane, never the reserved one; and within the general lane,
waiting queries are served by the recent cost of their client (worker-seconds, halving every
PENALTY seconds), lowest first, so a normal client's query is not queued behind a hostile client's.
"""

from __future__ import annotations

import contextlib
import heapq
import io
import itertools
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path

PENALTY = 60.0  # seconds a query text that overran the reserved lane (or a client that did so twice) stays off it
COSTLY = "costly"  # a reserved worker's reply: the query looks expensive, it was not run
STARTED = "started"  # a reserved worker's word that the query looked cheap and now runs
GENERAL_NICENESS = 5  # the general lane yields CPU to the reserved one (weight 1:3), without starving on a busy machine
IDLE = 30.0  # seconds without a query after which a worker beyond the first stops
STRIKES = 2  # overruns of the reserved lane within PENALTY seconds that take a client off it


@dataclass
class Answer:
    status: int
    content_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Limits:
    timeout: float = 10.0  # seconds a query may run
    max_bytes: int = 20_000_000  # size of one answer
    quick: float = 2.0  # seconds a query may run on the reserved lane before it moves to the general one


class TooLarge(Exception):
    pass


class LimitedBuffer(io.RawIOBase):
    """A bytes sink that raises once more than `limit` bytes were written."""

    def __init__(self, limit: int) -> None:
        self.limit, self.parts, self.size = limit, [], 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.size += len(data)
        if self.size > self.limit:
            raise TooLarge
        self.parts.append(bytes(data))
        return len(data)

    def value(self) -> bytes:
        return b"".join(self.parts)


def text_answer(status: int, message: str) -> Answer:
    return Answer(status, "text/plain; charset=utf-8", (message.rstrip() + "\n").encode("utf-8"))


def answer(store, base: str, text: str, accept: str | None, limits: Limits, cheap_only: bool = False,
           started=lambda: None) -> Answer | str:
    """Check, run and serialize one query; called inside a worker process. With `cheap_only` (the
    reserved lane), a query estimated expensive is not run: the reply is COSTLY; one estimated cheap
    is announced with `started()` before it runs, so that the short limit counts the run alone."""
    import pyoxigraph as ox

    from ..serialize.jsonld import write_jsonld
    from .conneg import BOOLEAN, CONTENT_TYPES, GRAPHS, RESULTS, negotiate
    from .guard import Refused, assess, inspect

    try:
        if cheap_only:
            form, expensive = assess(text)
            if expensive:
                return COSTLY
            started()
        else:
            form = inspect(text)
    except Refused as err:
        return text_answer(400, str(err))
    offers = GRAPHS if form in ("CONSTRUCT", "DESCRIBE") else BOOLEAN if form == "ASK" else RESULTS
    media = negotiate(accept, list(offers))
    if media is None:
        return text_answer(406, f"cannot answer a {form} query in {accept}; available: {', '.join(offers)}")
    out = LimitedBuffer(limits.max_bytes)
    try:
        result = store.query(text, base_iri=base, use_default_graph_as_union=True)
        if form in ("CONSTRUCT", "DESCRIBE"):
            fmt = offers[media]
            if fmt == "jsonld":
                triples, size = [], 0
                for t in result:
                    size += len(str(t))
                    if size > limits.max_bytes:
                        raise TooLarge
                    triples.append(t)
                triples.sort(key=lambda t: str(t.subject))  # the compactor wants subjects grouped
                write_jsonld(triples, out, base)
            else:
                from ..serialize.writers import FORMATS, turtle_prefixes

                kwargs = {"prefixes": turtle_prefixes(base)} if fmt in ("ttl", "xml") else {}
                ox.serialize(result, out, FORMATS[fmt], **kwargs)
            return Answer(200, CONTENT_TYPES[fmt], out.value())
        result.serialize(out, offers[media])
    except TooLarge:
        return text_answer(503, f"query stopped: the answer is larger than this endpoint's limit of {limits.max_bytes} bytes; "
                     "add a LIMIT or aggregate")
    except SyntaxError as err:
        return text_answer(400, f"invalid SPARQL query: {err}")
    except MemoryError:
        return text_answer(503, "query stopped: it needed more memory than this endpoint gives a query")
    except RecursionError:
        return text_answer(400, "query refused: nested more deeply than this endpoint's engine can follow")
    except Exception as err:  # an engine error is this query's answer, not the end of the worker
        return text_answer(500, f"query failed: {err}")
    charset = "; charset=utf-8" if media.startswith("text/") or "json" in media or "xml" in media else ""
    return Answer(200, media + charset, out.value())


def _worker(conn: Connection) -> None:
    """A query worker's life: load the store, then answer the queries the server sends one by one.

    It imports only what a query needs (pyoxigraph, and rdflib's SPARQL parser for guard.py), not
    the server's modules: 58 MB each when they were spawned by multiprocessing (issue 22).
    """
    import pyoxigraph as ox

    nquads, base, limits, niceness = conn.recv()
    if niceness:
        os.nice(niceness)
    store = ox.Store()
    store.bulk_load(path=nquads, format=ox.RdfFormat.N_QUADS)
    from . import guard  # noqa: F401  (rdflib's parser imported before the first query, not within its time limit)

    conn.send("ready")
    while True:
        try:
            text, accept, cheap_only = conn.recv()
        except EOFError:
            return
        conn.send(answer(store, base, text, accept, limits, cheap_only, lambda: conn.send(STARTED)))


def main() -> None:
    """Entry point of a worker process (see Worker): its end of the server's socket pair is file descriptor argv[1]."""
    import sys

    _worker(Connection(int(sys.argv[1])))


# the worker's command: `python -c`, so that the server's own __main__ (the CLI, click) is not imported again, and
# without multiprocessing's spawn, which also starts a resource-tracker process (12 MB) for nothing shared here
WORKER = "import sys; sys.path[:0] = sys.argv[2:]; from mifi_rdf.serve.pool import main; main()"


class Worker:
    """One query worker process, started with subprocess and talked to over a socket pair."""

    def __init__(self, nquads: Path, base: str, limits: Limits, lane: str) -> None:
        self.lane = lane
        self.idle_since = time.monotonic()
        self.served = 0  # queries sent to it
        ours, theirs = socket.socketpair()
        package = str(Path(__file__).resolve().parents[2])  # where mifi_rdf is, installed or not
        try:
            self.process = subprocess.Popen([sys.executable, "-c", WORKER, str(theirs.fileno()), package],
                                            pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL)
        finally:
            theirs.close()
        self.conn = Connection(ours.detach())
        self.conn.send((str(nquads), base, limits, 0))
        if not self.conn.poll(120):
            self.kill()
            raise OSError("the query worker did not load the store within 120 s")
        self.conn.recv()

    def join(self, lane: str) -> None:
        """Take a place in a lane: the general lane runs at a lower CPU priority."""
        self.lane = lane
        if lane == "general":
            with contextlib.suppress(OSError):
                os.setpriority(os.PRIO_PROCESS, self.process.pid, GENERAL_NICENESS)

    def kill(self) -> None:
        with contextlib.suppress(OSError):
            self.process.kill()
        self.process.wait()
        self.conn.close()

    def death(self) -> str:
        """Why the worker process ended, in words, for the answer of the query that was running."""
        try:
            code = self.process.wait(1)
        except subprocess.TimeoutExpired:
            return "stopped answering"
        if code < 0:
            name = signal.Signals(-code).name
            if -code == signal.SIGKILL:
                return f"was killed ({name}: the system may have run out of memory)"
            return f"crashed ({name})"
        return f"exited with status {code}"


@dataclass(order=True)
class _Waiter:
    """A request waiting for a worker: its place in line (the recent cost of its client, then arrival: unique), the lanes it
    may use, and the worker handed to it."""

    priority: float
    arrival: int
    lanes: frozenset = field(compare=False)
    worker: Worker | None = field(default=None, compare=False)
    event: threading.Event = field(default_factory=threading.Event, compare=False)


class Outcome:
    """What happened to a query sent to a worker, besides an answer."""

    TIMEOUT = "timeout"
    DIED = "died"


class QueryPool:
    """Query workers in two lanes (see the module's docstring), started when queries need them and
    retired when idle; a request waits at most twice the time limit for a free worker.

    Twice, because every busy worker is either answered or killed within one time limit, and its
    replacement needs a moment to load the store: a normal query queued behind slow ones is served
    late rather than turned away.

    `size` and `reserved` are the most workers of each lane. One general worker is started with the
    pool and always kept; the others start when a query finds no free worker of a lane it may use
    (one start per waiting query), and stop after `idle` seconds without a query, so that an idle
    server holds one copy of the store in a worker instead of one per worker (issue 22). The spare,
    which replaces a killed reserved worker at once, is started with the first reserved worker and
    retired with the last.
    """

    def __init__(self, nquads: Path, base: str, limits: Limits, size: int = 2, reserved: int = 0,
                 idle: float = IDLE) -> None:
        self.nquads, self.base, self.limits, self.idle_after = nquads, base, limits, idle
        self.reserved = reserved if 0 < reserved < size else 0  # a lane of its own needs another worker beside it
        self.capacity = {"general": size - self.reserved, "reserved": self.reserved}
        self.live = {"general": 0, "reserved": 0}  # workers of each lane, starting, idle or busy
        self.idle: dict[str, list[Worker]] = {"general": [], "reserved": []}
        self.replaced = 0
        self.started = 0  # worker processes started, spares and replacements included
        self.slow: OrderedDict[str, float] = OrderedDict()  # text -> until when it stays off the reserved lane
        self.strikes: dict[str, list[float]] = {}  # client -> when its queries overran the reserved lane
        self.cost: dict[str, tuple[float, float]] = {}  # client -> (worker-seconds used, decayed; when)
        self._waiting: list[_Waiter] = []  # heap of the requests waiting for a worker, lowest recent cost first
        self._arrivals = itertools.count()
        self._cond = threading.Condition()
        self._closed = False
        self.spare: Worker | None = None  # started in advance, so that a killed reserved worker is replaced at once
        self._spare_starting = False
        self._all: set[Worker] = set()  # every worker process alive, busy ones included, for close()
        self.live["general"] = 1
        self._add("general")
        threading.Thread(target=self._retire_idle, daemon=True).start()

    def workers(self) -> int:
        """Worker processes running now (the spare included)."""
        with self._cond:
            return sum(self.live.values()) + (self.spare is not None)

    def _add(self, lane: str) -> None:
        """Start a worker for `lane` (its place in `live` already counted) and give it to the lane."""
        worker = None
        for attempt in range(5):
            if self._closed:
                break
            try:
                worker = Worker(self.nquads, self.base, self.limits, lane)
                break
            except (EOFError, OSError):  # the new process died while starting: try again, a few times
                time.sleep(1 + attempt)
        with self._cond:
            if worker is not None:
                self.started += 1
                self._all.add(worker)
            if lane == "spare":
                self._spare_starting = False
                if worker is not None and not self._closed and self.live["reserved"] and self.spare is None:
                    self.spare, worker = worker, None
            elif worker is None or self._closed:
                self.live[lane] -= 1
        if worker is None:
            return
        if self._closed or lane == "spare":  # closed meanwhile, or a spare nobody needs now
            self._kill(worker)
            return
        worker.join(lane)
        self._give(worker)
        if lane == "reserved":
            self._start_spare()

    def _start_spare(self) -> None:
        with self._cond:
            if self.spare is not None or self._spare_starting or self._closed or not self.live["reserved"]:
                return
            self._spare_starting = True
        threading.Thread(target=self._add, args=("spare",), daemon=True).start()

    def _grow(self, lanes: list[str]) -> None:
        """Start one worker for a query that found none free: in the first of its lanes below its capacity."""
        with self._cond:
            if self._closed:
                return
            for lane in lanes:
                if self.live[lane] < self.capacity[lane]:
                    self.live[lane] += 1
                    break
            else:
                return
        threading.Thread(target=self._add, args=(lane,), daemon=True).start()

    def _retire_idle(self) -> None:
        """Stop the workers idle for `idle_after` seconds, except one general worker, which is
        replaced by a fresh one if it has answered queries (a query's memory is not all given back
        to the system); and the spare once no reserved
        worker is left."""
        while not self._closed:
            time.sleep(max(0.2, min(5.0, self.idle_after / 4)))
            retired = []
            with self._cond:
                if self._closed:
                    return
                now = time.monotonic()
                renew = []
                for lane, workers in self.idle.items():
                    for worker in list(workers):
                        if now - worker.idle_since < self.idle_after:
                            continue
                        if self.live[lane] > (1 if lane == "general" else 0):
                            workers.remove(worker)
                            self.live[lane] -= 1
                            retired.append(worker)
                        elif worker.served:  # the one kept: a fresh one, without what its queries imported and left
                            workers.remove(worker)
                            retired.append(worker)
                            renew.append(lane)
                for lane in renew:
                    threading.Thread(target=self._add, args=(lane,), daemon=True).start()
                if not self.live["reserved"] and self.spare is not None:
                    retired.append(self.spare)
                    self.spare = None
            for worker in retired:
                self._kill(worker)

    def _kill(self, worker: Worker) -> None:
        worker.kill()
        with self._cond:
            self._all.discard(worker)

    def _give(self, worker: Worker) -> None:
        """Hand a free worker to the waiter first in line for its lane, or else put it with the idle ones.

        Handed over, not announced: waking every waiting request thread to let one of them take it cost a fifth
        of the server's CPU with 20 clients (issue 22)."""
        with self._cond:
            worker.idle_since = time.monotonic()
            waiter = self._first(worker.lane)
            if waiter is None:
                self.idle[worker.lane].append(worker)
                return
            self._waiting.remove(waiter)
            heapq.heapify(self._waiting)
            waiter.worker = worker
            waiter.event.set()

    def _first(self, lane: str) -> _Waiter | None:
        """The waiter a free worker of `lane` goes to: the general lane serves the lowest recent cost first,
        the reserved lane the first of those that may use it in the same order."""
        if lane == "general":
            return self._waiting[0] if self._waiting else None
        eligible = [w for w in self._waiting if lane in w.lanes]
        return min(eligible) if eligible else None

    def _take(self, lanes: list[str], deadline: float, priority: float = 0.0) -> Worker | None:
        """A free worker of one of the lanes. Waiters for a general worker are served by the recent
        cost of their client, lowest first: a client whose queries ran to the time limit waits
        behind those of everyone else (priority by recent cost). A query that finds no free worker
        has one more started, if its lanes have room."""
        with self._cond:
            for lane in lanes:
                if self.idle[lane] and (lane == "reserved" or not self._waiting):
                    return self.idle[lane].pop()
            if self._closed:
                return None
            waiter = _Waiter(priority, next(self._arrivals), frozenset(lanes))
            heapq.heappush(self._waiting, waiter)
        self._grow(lanes)
        waiter.event.wait(max(0.0, deadline - time.monotonic()))
        with self._cond:
            if waiter.worker is None:  # not handed one in time (or closed): out of the line
                with contextlib.suppress(ValueError):
                    self._waiting.remove(waiter)
                    heapq.heapify(self._waiting)
            return waiter.worker

    def _spent(self, client: str | None, seconds: float) -> None:
        """Add worker-seconds to a client's recent cost, which halves every PENALTY seconds."""
        if client is None:
            return
        now = time.monotonic()
        with self._cond:
            used, when = self.cost.get(client, (0.0, now))
            self.cost[client] = (used * 0.5 ** ((now - when) / PENALTY) + seconds, now)
            if len(self.cost) > 4096:  # forget the cheapest clients first
                for c, _ in sorted(self.cost.items(), key=lambda item: item[1][0])[:1024]:
                    del self.cost[c]

    def _priority(self, client: str | None) -> float:
        now = time.monotonic()
        with self._cond:
            used, when = self.cost.get(client, (0.0, now)) if client is not None else (0.0, now)
        return used * 0.5 ** ((now - when) / PENALTY)

    def _replace(self, worker: Worker) -> None:
        """Kill a worker that overran or died, and put another in its place."""
        self._kill(worker)
        with self._cond:
            self.replaced += 1
            spare = None
            if worker.lane == "reserved":  # the spare is the reserved lane's: hostile kills must not use it up
                spare, self.spare = self.spare, None
        if spare is not None:  # the spare takes its place now; a new spare is started
            spare.join(worker.lane)
            self._give(spare)
            self._start_spare()
        else:
            threading.Thread(target=self._add, args=(worker.lane,), daemon=True).start()

    def _ask(self, worker: Worker, text: str, accept: str | None, cheap_only: bool, limit: float):
        """The worker's reply (an Answer or COSTLY), or Outcome.TIMEOUT / (Outcome.DIED, why)."""
        worker.served += 1
        try:
            worker.conn.send((text, accept, cheap_only))
            if cheap_only:  # parsing and estimating are not the run: the short limit starts after them
                if not worker.conn.poll(self.limits.timeout):
                    self._replace(worker)
                    return Outcome.TIMEOUT
                first = worker.conn.recv()
                if first != STARTED:
                    self._give(worker)
                    return first
            if worker.conn.poll(limit):
                result = worker.conn.recv()
                self._give(worker)
                return result
        except (EOFError, OSError):
            why = worker.death()
            self._replace(worker)
            return Outcome.DIED, why
        self._replace(worker)
        return Outcome.TIMEOUT

    def _mark_slow(self, text: str) -> None:
        with self._cond:
            self.slow[text] = time.monotonic() + PENALTY
            self.slow.move_to_end(text)
            while len(self.slow) > 1024:
                self.slow.popitem(last=False)

    def _strike(self, client: str) -> None:
        now = time.monotonic()
        with self._cond:
            self.strikes[client] = [t for t in self.strikes.get(client, []) if t > now - PENALTY] + [now]
            for c in [c for c, times in self.strikes.items() if times[-1] < now - PENALTY]:
                del self.strikes[c]

    def _may_be_quick(self, text: str, client: str | None) -> bool:
        now = time.monotonic()
        with self._cond:
            if client is not None and len([t for t in self.strikes.get(client, []) if t > now - PENALTY]) >= STRIKES:
                return False
            return bool(self.reserved) and self.slow.get(text, 0) < now

    def run(self, text: str, accept: str | None, client: str | None = None) -> Answer:
        deadline = time.monotonic() + 2 * self.limits.timeout
        quick = self._may_be_quick(text, client)
        while True:
            worker = self._take(["general", "reserved"] if quick else ["general"], deadline, self._priority(client))
            if worker is None:
                return text_answer(503, f"every query worker has been busy for {2 * self.limits.timeout:g} s; "
                                        "try again later")
            began = time.monotonic()
            if worker.lane == "reserved":
                result = self._ask(worker, text, accept, True, min(self.limits.quick, self.limits.timeout))
                self._spent(client, time.monotonic() - began)
                if isinstance(result, Answer):
                    return result
                self._mark_slow(text)
                if result == Outcome.TIMEOUT and client is not None:
                    self._strike(client)
                quick = False
                continue
            result = self._ask(worker, text, accept, False, self.limits.timeout)
            self._spent(client, time.monotonic() - began)
            if isinstance(result, Answer):
                return result
            if result == Outcome.TIMEOUT:
                return text_answer(503, f"query stopped: it ran longer than this endpoint's limit of "
                                        f"{self.limits.timeout:g} s")
            return text_answer(500, f"the query worker {result[1]} while running this query; it was replaced")

    def close(self) -> None:
        with self._cond:
            self._closed = True
            workers = list(self._all)  # idle and busy: a runaway query must not outlive the server
            self.idle = {"general": [], "reserved": []}
            self.spare = None
            for waiter in self._waiting:
                waiter.event.set()
            self._waiting = []
        for worker in workers:
            self._kill(worker)
