"""Serialize the quad stream to a file or stdout, atomically.

Turtle, N-Triples, RDF/XML and TriG go through pyoxigraph's streaming serializers; JSON-LD through
our compacting writer. A file is written to a temporary name beside its target and renamed into
place only when complete, so an error never leaves half a file behind.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from ..errors import UsageError
from ..namespaces import prefixes
from .jsonld import write_jsonld
from .temporary import deferred_signals, lock, sweep

FORMATS = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "trig": ox.RdfFormat.TRIG,
    "xml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
}


def turtle_prefixes(base: str) -> dict[str, str]:
    """Prefixes for Turtle-like formats, minus those that would force escaped slashes.

    Observation IRIs (dataset/{id}/obs/{code}/...) contain slashes; with the `dataset:` prefix
    they would be written with a backslash before every slash, so Turtle writes them in full.
    """
    return {k: v for k, v in prefixes(base).items() if k not in {"dataset", "letter"}}


def write(statements: Iterable[ox.Triple | ox.Quad], fmt: str, out: IO[bytes], base: str) -> None:
    """Write the stream in one format: quads for TriG (see `needs_graphs`), triples otherwise."""
    if fmt == "jsonld":
        write_jsonld(statements, out, base)
        return
    kwargs = {} if fmt == "nt" else {"prefixes": turtle_prefixes(base)}
    ox.serialize(statements, out, FORMATS[fmt], **kwargs)


def write_cubes(builder, letters, dataset_ids: set[str] | None, fmt: str, out: IO[bytes]) -> None:
    """The cubes of `builder.statements(letters, dataset_ids)` in one format: N-Triples and Turtle
    written as text observation by observation (serialize/lines.py, the same bytes, several times
    faster), the other formats from the statements."""
    if fmt in ("nt", "ttl"):
        from .lines import write_lines

        write_lines(builder, letters, dataset_ids, fmt, out, turtle_prefixes(builder.base))
        return
    write(builder.statements(letters, dataset_ids, needs_graphs(fmt)), fmt, out, builder.base)


def needs_graphs(fmt: str) -> bool:
    return fmt == "trig"


@contextlib.contextmanager
def atomic_output(path: Path | None) -> Iterator[IO[bytes]]:
    """Yield a binary stream; for a path, a temporary file moved into place only on success."""
    if path is None:
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    path = Path(path)
    writable(path)
    if path.exists() and not path.is_file():
        # /dev/null, /dev/stdout, a FIFO: renaming a temporary file over it would replace the device
        with path.open("wb") as f:
            yield f
        return
    sweep(path.parent, path.name)  # what a killed run left (issue 15)
    tmp = None
    try:
        with deferred_signals():
            try:
                fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
            except OSError as err:
                raise UsageError(f"cannot write {path}: {err.strerror.lower() if err.strerror else err}") from err
        lock(fd)  # held until closed: the next run's sweep leaves this one alone while it is written
        with os.fdopen(fd, "wb") as f:
            yield f
            f.flush()
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; a published file follows the umask
            os.replace(tmp, path)  # still locked: renamed in before anyone may take it for debris
    except BaseException:
        if tmp is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
        raise


def writable(path: Path) -> None:
    """Refuse, before any work, an output whose folder is missing, which is a folder, or where no file
    can be written (exit 2)."""
    if path.is_dir():
        raise UsageError(f"cannot write {path}: it is a folder; give a file name")
    folder = path.parent
    if not folder.is_dir():
        raise UsageError(f"cannot write {path}: the folder {folder} does not exist")
    if path.exists() and not path.is_file():  # /dev/null, a FIFO: written in place, not beside
        if not os.access(path, os.W_OK):
            raise UsageError(f"cannot write {path}: permission denied")
        return
    try:  # a file made and removed at once: permissions, a read-only or pseudo file system (issue 23)
        fd, probe = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".probe", dir=folder)  # not a .tmp: never a write
        os.close(fd)
        os.unlink(probe)
    except OSError as err:
        raise UsageError(f"cannot write {path}: {err.strerror or err}") from None
