"""Progress of long commands, on a terminal only: `label  12/90 tables` redrawn on one line of stderr.

The CLI turns it on (`show_on(sys.stderr)`) and it draws only when that stream is a terminal: nothing reaches a
pipe, a log or a test's captured output, so what a command prints stays exactly what it prints today. Library
callers (tests, notebooks) get nothing unless they ask. A step shows only once it has run longer than `delay`
seconds, so the bundled data's second-long commands never flicker, and it redraws at most ten times a second.
The line is erased when the step ends, leaving the screen as the command's own output left it.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sized
from typing import IO, TypeVar

T = TypeVar("T")

_stream: IO[str] | None = None
_delay = 0.5
_interval = 0.1


def show_on(stream: IO[str] | None, delay: float = 0.5, interval: float = 0.1) -> None:
    """Draw progress on `stream` from now on, if it is a terminal (None: never): a step shows after `delay`
    seconds, and is redrawn at most every `interval` seconds."""
    global _stream, _delay, _interval
    isatty = getattr(stream, "isatty", None)
    _stream = stream if stream is not None and isatty is not None and isatty() else None
    _delay, _interval = delay, interval


def steps(items: Iterable[T], label: str, unit: str = "tables") -> Iterator[T]:
    """The items, one by one, with `label  i/n unit` drawn while they are consumed."""
    stream = _stream
    if stream is None:
        yield from items
        return
    total = f"/{len(items)}" if isinstance(items, Sized) else ""
    start = time.monotonic()
    drawn = 0.0
    shown = False
    try:
        for i, item in enumerate(items, start=1):
            now = time.monotonic()
            if now - start >= _delay and now - drawn >= _interval:
                stream.write(f"\r\x1b[2K{label}  {i}{total} {unit}")
                stream.flush()
                drawn, shown = now, True
            yield item
    finally:
        if shown:
            stream.write("\r\x1b[2K")
            stream.flush()
