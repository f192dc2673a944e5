"""How many queries one client may have at once, running or waiting for a worker.

Before issue 15 there was no such limit: six concurrent cartesian products from one client kept all
three workers busy, and everyone else's queries waited 14-20 s or got 503. A client here is the
peer's address (or, behind a reverse proxy, the address the proxy puts in the header given with
--client-header). Past its limit a query is answered 429 at once, without touching a worker.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

from .pool import Answer, text_answer


class ClientGate:
    def __init__(self, per_client: int) -> None:
        self.per_client = per_client
        self.active: dict[str, int] = {}
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def slot(self, client: str) -> Iterator[bool]:
        """Yield whether the client may go on; its slot is given back at the end."""
        with self._lock:
            admitted = self.active.get(client, 0) < self.per_client
            if admitted:
                self.active[client] = self.active.get(client, 0) + 1
        try:
            yield admitted
        finally:
            if admitted:
                with self._lock:
                    self.active[client] -= 1
                    if not self.active[client]:
                        del self.active[client]

    def refusal(self) -> Answer:
        answer = text_answer(429, f"this client already has {self.per_client} queries running or waiting: "
                                  "send the next one when an answer has come back")
        answer.headers = {"Retry-After": "1"}
        return answer
