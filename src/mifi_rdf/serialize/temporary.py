"""Temporaries that a killed run does not leave behind forever, and a folder swap without a gap.

`export -o FILE` writes `.FILE.<random>.tmp` beside FILE and `build OUTDIR` writes `.OUTDIR.<random>.tmp`
beside OUTDIR. An exception (or SIGTERM, which the shell turns into one) removes them; SIGKILL cannot
be caught, and left 30 MB and 109 MB temporaries for good (issue 15). So each run holds an exclusive
`flock` on its temporary while it writes, and the next run beside the same target removes every
temporary of our naming that no live process holds: the kernel drops a lock when its process dies,
whatever killed it, so this never removes the temporary of a run still writing (and a reused
process id cannot fool it, as a pid file could).

`build` used to rename OUTDIR away and then rename the new folder in; a kill between the two left no
OUTDIR at all. `exchange` swaps the two folders in one system call where the platform has one
(Linux renameat2 RENAME_EXCHANGE, macOS renamex_np RENAME_SWAP), so OUTDIR is at every instant
either the old folder or the new one.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import fcntl
import os
import shutil
import signal
import sys
from collections.abc import Iterator
from pathlib import Path

AT_FDCWD = -100
RENAME_EXCHANGE = 2  # linux/fs.h
RENAME_SWAP = 2  # macOS sys/stdio.h


_deferring = 0  # how many deferred_signals blocks the main thread is in
_pending: list[int] = []  # signals that arrived meanwhile, raised when the outermost block ends


def interrupt(signum: int) -> None:
    """The handler of Ctrl-C and SIGTERM (installed by the CLI): raise Interrupted, unless a
    temporary is being created, in which case it is raised as soon as its name is known."""
    from ..errors import Interrupted

    if _deferring:
        _pending.append(signum)
        return
    raise Interrupted(signum)


@contextlib.contextmanager
def deferred_signals() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM back while a temporary is created and its name assigned.

    Without this, a signal arriving inside mkstemp, after the file exists but before its name is
    known to the caller, would leave it behind even though SIGTERM is handled. Blocking the signals
    in this thread is not enough: the kernel gives a process's signal to any thread that does not
    block it (polars and pyoxigraph start threads), and Python then runs the handler in this thread
    at once; so the handler itself defers while a block is open (`interrupt`)."""
    global _deferring
    signals = {signal.SIGINT, signal.SIGTERM}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, signals)
    _deferring += 1
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
        _deferring -= 1
        if not _deferring and _pending:
            signum = _pending[0]
            _pending.clear()
            from ..errors import Interrupted

            raise Interrupted(signum)


def lock(fd: int) -> None:
    """Hold an exclusive lock on an open temporary until the descriptor is closed (or the process dies)."""
    fcntl.flock(fd, fcntl.LOCK_EX)


def held(path: Path) -> bool:
    """Whether a live process holds the lock of this temporary (then it is not ours to remove)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return True  # gone meanwhile, or not ours to open: leave it
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # also releases the lock we may have taken
    return False


def sweep(folder: Path, name: str) -> list[Path]:
    """Remove the abandoned temporaries `.{name}.*.tmp` in `folder`; return what was removed."""
    removed = []
    with contextlib.suppress(OSError):
        for entry in folder.iterdir():
            if not (entry.name.startswith(f".{name}.") and entry.name.endswith(".tmp")) or entry.is_symlink():
                continue
            if held(entry):
                continue
            if entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                with contextlib.suppress(FileNotFoundError):
                    entry.unlink()
            removed.append(entry)
    return removed


def _libc():
    name = ctypes.util.find_library("c")
    return ctypes.CDLL(name, use_errno=True) if name else ctypes.CDLL(None, use_errno=True)


def exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically; False if this platform or file system cannot (nothing was changed)."""
    try:
        libc = _libc()
    except OSError:
        return False
    if sys.platform.startswith("linux") and hasattr(libc, "renameat2"):
        result = libc.renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE)
    elif sys.platform == "darwin" and hasattr(libc, "renamex_np"):
        result = libc.renamex_np(os.fsencode(a), os.fsencode(b), RENAME_SWAP)
    else:
        return False
    if result == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False  # the kernel or the file system has no exchange
    raise OSError(err, os.strerror(err), str(b))
