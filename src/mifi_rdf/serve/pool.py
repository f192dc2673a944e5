"""Run SPARQL queries in worker processes that can be killed when they break a limit.

pyoxigraph cannot interrupt a query running in a thread, so each query runs in one of a few
worker processes, each holding its own copy of the store (loaded from an N-Quads file written once
at start-up). A query over its time limit is stopped by killing its worker; a fresh one replaces it
while the others keep answering. The result-size limit is enforced while the answer is written:
the output refuses to grow past it, which also stops pyoxigraph's lazy evaluation. Everything
that depends on the query text (parsing by guard.py included) happens inside the worker, so a
pathological query cannot stall the HTTP server itself.
"""

from __future__ import annotations

import io
import multiprocessing
import queue
import threading
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path


@dataclass
class Answer:
    status: int
    content_type: str
    body: bytes


@dataclass
class Limits:
    timeout: float = 10.0  # seconds a query may run
    max_bytes: int = 20_000_000  # size of one answer


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


def answer(store, base: str, text: str, accept: str | None, limits: Limits) -> Answer:
    """Check, run and serialize one query; called inside a worker process."""
    import pyoxigraph as ox

    from ..serialize.jsonld import write_jsonld
    from .conneg import BOOLEAN, CONTENT_TYPES, GRAPHS, RESULTS, negotiate
    from .guard import Refused, inspect

    try:
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
    except Exception as err:  # an engine error is this query's answer, not the end of the worker
        return text_answer(500, f"query failed: {err}")
    charset = "; charset=utf-8" if media.startswith("text/") or "json" in media or "xml" in media else ""
    return Answer(200, media + charset, out.value())


def _worker(conn: Connection, nquads: str, base: str, limits: Limits) -> None:
    import pyoxigraph as ox

    from ..serve import guard  # noqa: F401  (import rdflib's parser before the first query, not during it)

    store = ox.Store()
    store.bulk_load(path=nquads, format=ox.RdfFormat.N_QUADS)
    conn.send("ready")
    while True:
        try:
            text, accept = conn.recv()
        except EOFError:
            return
        conn.send(answer(store, base, text, accept, limits))


class Worker:
    def __init__(self, ctx, nquads: Path, base: str, limits: Limits) -> None:
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker, args=(child, str(nquads), base, limits), daemon=True)
        self.process.start()
        child.close()
        if self.conn.poll(120):
            self.conn.recv()

    def kill(self) -> None:
        self.process.kill()
        self.process.join()
        self.conn.close()


class QueryPool:
    """A fixed number of query workers; a request waits at most twice the time limit for a free one.

    Twice, because every busy worker is either answered or killed within one time limit, and its
    replacement needs a moment to load the store: a normal query queued behind slow ones is served
    late rather than turned away.
    """

    def __init__(self, nquads: Path, base: str, limits: Limits, size: int = 2) -> None:
        self.ctx = multiprocessing.get_context("spawn")
        self.nquads, self.base, self.limits = nquads, base, limits
        self.idle: queue.Queue[Worker] = queue.Queue()
        self._closed = False
        workers = [threading.Thread(target=self._add) for _ in range(size)]
        for t in workers:
            t.start()
        for t in workers:
            t.join()

    def _add(self) -> None:
        worker = Worker(self.ctx, self.nquads, self.base, self.limits)
        if self._closed:
            worker.kill()
        else:
            self.idle.put(worker)

    def _replace(self, worker: Worker) -> None:
        worker.kill()
        threading.Thread(target=self._add, daemon=True).start()

    def run(self, text: str, accept: str | None) -> Answer:
        try:
            worker = self.idle.get(timeout=2 * self.limits.timeout)
        except queue.Empty:
            return text_answer(503, f"every query worker has been busy for {2 * self.limits.timeout:g} s; try again later")
        try:
            worker.conn.send((text, accept))
            if worker.conn.poll(self.limits.timeout):
                result = worker.conn.recv()
                self.idle.put(worker)
                return result
        except (EOFError, OSError):
            self._replace(worker)
            return text_answer(500, "the query worker failed (out of memory?); the query was stopped")
        self._replace(worker)
        return text_answer(503, f"query stopped: it ran longer than this endpoint's limit of {self.limits.timeout:g} s")

    def close(self) -> None:
        self._closed = True
        while True:
            try:
                self.idle.get_nowait().kill()
            except queue.Empty:
                return
