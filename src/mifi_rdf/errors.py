"""The errors the library raises, and the one place that says which exit code each one gives.

Exit codes of every command:
- 0: done (for `validate`: the cubes conform);
- 1: bad input data: a file of data/, ontology/ or shapes/ (or a letter given to a command) is
  readable but wrong, named by file, line and column; for `validate` and the commands that validate
  first, the cubes break a rule;
- 2: usage error or unreadable input: an unknown option value, dataset or query, a file that is not
  in the syntax it claims (an RDF file given to `validate`), a folder that is not what it should be;
- 128 + the signal's number when interrupted (130 Ctrl-C, 143 SIGTERM);
- 141 (PIPE_CLOSED) when the reader of stdout went away, for every command.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class MifiError(Exception):
    """Any error the CLI reports as one line on stderr, exiting with `exit_code`."""

    exit_code = 2


@dataclass
class InputError(MifiError):
    """Bad input: names the file, line and column, and says what was expected there."""

    path: Path | str
    line: int
    column: int
    message: str

    exit_code = 1

    def __str__(self) -> str:
        if self.line <= 0:  # about the whole file (missing, a FIFO, too large): no position to give (issue 23)
            return f"{display_path(self.path)}: {self.message}"
        return f"{display_path(self.path)}:{self.line}:{self.column}: {self.message}"


class UnreadableInput(InputError):
    """A file given on the command line that cannot be read as what it claims to be (exit 2).

    Unlike the project's own data (bad data is exit 1), a file handed to `validate` that does not
    even parse says nothing about cubes: it is a usage problem of that command."""

    exit_code = 2


class UsageError(MifiError, ValueError):
    """A request the tool cannot satisfy (unknown dataset, unknown query name, bad base URI, ...)."""

    exit_code = 2


class Interrupted(KeyboardInterrupt):
    """Ctrl-C or SIGTERM: a KeyboardInterrupt, so that every `except BaseException` on the way out
    removes its temporaries exactly as for Ctrl-C; the shell exits 128 + the signal's number."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


PIPE_CLOSED = 141  # 128 + SIGPIPE: what a Unix tool killed by its closed pipe gives, e.g. `yes | head -1`


def exit_code(err: BaseException) -> int:
    """The exit code of an error: its own for ours; 2 for anything else that reaches the shell."""
    return err.exit_code if isinstance(err, MifiError | Interrupted) else 2


def display_path(path: Path | str) -> str:
    """The path relative to the working directory when it is below it, as editors expect."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except (ValueError, RuntimeError, OSError):  # not below it, or a symbolic link loop (RuntimeError in 3.11)
        try:
            return str((Path(path).parent.resolve() / Path(path).name).relative_to(Path.cwd()))
        except (ValueError, RuntimeError, OSError):
            return str(path)
