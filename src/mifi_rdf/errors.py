"""Errors that point at the exact place in an input file a user has to fix."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass
class InputError(Exception):
    """Bad input: names the file, line and column, and says what was expected there."""

    path: Path | str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{display_path(self.path)}:{self.line}:{self.column}: {self.message}"


def display_path(path: Path | str) -> str:
    """The path relative to the working directory when it is below it, as editors expect."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


class UsageError(Exception):
    """A request the tool cannot satisfy (unknown dataset, unknown query name, ...)."""
