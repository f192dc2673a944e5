"""The one door every file a command reads goes through: a regular file, of a bounded size.

Why a door of its own (issue 23): each reader opened its files with `Path.read_bytes()` or
`open()`, which wait forever on a FIFO (`letter.toml`, a code list, `validate FILE`, `--mapping`),
read without end from a device (`/dev/zero` as `letter.toml` took 1.9 GB before a MemoryError), and
reached a symbolic link loop as a RuntimeError. Here the type is checked with `os.stat` before the
file is opened, the file is opened without blocking (a FIFO swapped in between cannot make `open`
wait) and checked again on the descriptor, and at most `limit` bytes are read: a file larger than
its kind ever is is refused before it fills the memory.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from .errors import UnreadableInput

MiB = 1 << 20
# The largest file of each kind that is read whole. The bundled ones are far below (letter.toml
# 9 KB, catalog.toml 6 KB, a table 40 KB, municipalities.ttl 1.3 MB); the CSV bound leaves room
# for the benchmarks' 1M-cell tables (about 70 MB).
LIMITS = {"toml": 16 * MiB, "csv": 512 * MiB, "turtle": 256 * MiB, "text": 16 * MiB, "query": 1 * MiB,
          "pdf": 256 * MiB, "json": 64 * MiB}
KINDS = {stat.S_IFDIR: "a folder", stat.S_IFCHR: "a character device", stat.S_IFBLK: "a block device",
         stat.S_IFIFO: "a FIFO (named pipe)", stat.S_IFSOCK: "a socket"}


def _kind(mode: int) -> str:
    return KINDS.get(stat.S_IFMT(mode), "not a regular file")


def regular(path: Path | str) -> os.stat_result:
    """The file's status, or UnreadableInput (exit 2) unless it is a regular file (links followed).

    A missing file and a permission problem stay OSErrors (the CLI says `path: No such file or
    directory`); a link loop, a device, a FIFO or a socket are refused by name."""
    try:
        st = os.stat(path)
    except OSError as err:
        if err.errno == errno.ELOOP:
            raise UnreadableInput(path, 0, 0, "a symbolic link loop: expected a file") from None
        raise
    if not stat.S_ISREG(st.st_mode):
        raise UnreadableInput(path, 0, 0, f"is {_kind(st.st_mode)}: expected a regular file")
    return st


def read_bytes(path: Path | str, kind: str = "text") -> bytes:
    """The whole content of a regular file of at most LIMITS[kind] bytes."""
    limit = LIMITS[kind]
    regular(path)
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):  # replaced between the stat and the open
            raise UnreadableInput(path, 0, 0, f"is {_kind(st.st_mode)}: expected a regular file")
        if st.st_size > limit:
            raise UnreadableInput(path, 0, 0, f"{st.st_size:,} bytes: larger than the {limit // MiB} MiB a {kind} file "
                                              "of this project may have")
        os.set_blocking(fd, True)
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = f.read(limit + 1)
    finally:
        os.close(fd)
    if len(data) > limit:  # grew while read
        raise UnreadableInput(path, 0, 0, f"larger than the {limit // MiB} MiB a {kind} file of this project may have")
    return data


def read_text(path: Path | str, kind: str = "text") -> str:
    """`read_bytes` as UTF-8 (strict: a decoding error is the caller's UnicodeDecodeError to report)."""
    return read_bytes(path, kind).decode("utf-8")
