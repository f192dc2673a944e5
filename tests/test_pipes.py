"""A closed pipe ends every command quietly, the same way (issue 23): `mifi-rdf CMD | head -1` exits
141 (128 + SIGPIPE, what the shell shows for `yes | head -1`), with nothing on stderr, whatever the
command and whether or not Python's stdout is buffered (PYTHONUNBUFFERED=1, as many containers set it,
used to make a short write drop the rest of the output silently and exit 0).

Each case is a real process whose stdout is a real pipe. Where the bundled data make an output larger
than a pipe's buffer (64 KiB), the reader takes one line and closes the pipe, as `head -1` does, and the
command is still writing. Where the output is smaller, a reader that takes one line could close after
the command wrote everything into the pipe's buffer, and the command would rightly exit 0 (like
`printf 'a\\nb\\n' | head -1`): those cases close the pipe before the command writes, as `CMD | true` can,
so that the write is sure to meet it. `codelists` and `build` are not here: they write nothing on stdout
(their reports go to stderr, their files to disk), so no pipe on stdout can close under them; nor are
`publish` (it needs a triple store) and `serve` (it runs until stopped), whose stdout goes through the same
`Shell.invoke`.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import ROOT
from mifi_rdf.errors import PIPE_CLOSED

LETTER = ROOT / "tests" / "letters" / "40001-new-round.txt"


def environment(unbuffered: bool) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    return {**env, "PYTHONUNBUFFERED": "1"} if unbuffered else env


def read_one_line_then_close(args: list[str], unbuffered: bool) -> tuple[int, bytes, str]:
    """`mifi-rdf ARGS | head -1`: the exit code, the line read, stderr."""
    process = subprocess.Popen([sys.executable, "-m", "mifi_rdf", *args], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=environment(unbuffered), cwd=ROOT)
    first = process.stdout.readline()
    process.stdout.close()  # the reader goes away, as head does after its line
    stderr = process.stderr.read().decode("utf-8", errors="replace")
    process.wait(timeout=120)
    return process.returncode, first, stderr


def closed_before_writing(args: list[str], unbuffered: bool) -> tuple[int, str]:
    """`mifi-rdf ARGS | true` where true has already gone: the first write meets the closed pipe."""
    read, write = os.pipe()
    os.close(read)
    try:
        process = subprocess.run([sys.executable, "-m", "mifi_rdf", *args], stdout=write, stderr=subprocess.PIPE,
                                 stdin=subprocess.DEVNULL, env=environment(unbuffered), cwd=ROOT, timeout=120)
    finally:
        os.close(write)
    return process.returncode, process.stderr.decode("utf-8", errors="replace")


LARGE = {  # outputs of the bundled data larger than a pipe's buffer (measured: 130, 145, 90 kB, several MB)
    "validate json": ["validate", "--format", "json"],
    "validate ttl": ["validate", "--format", "ttl"],
    "query table": ["query", "inferences"],
    "query json": ["query", "inferences", "--format", "json"],
    "export": ["export"],
}
SMALL = {  # a few kB at most: closed before the first write
    "validate text": ["validate"],
    "datasets": ["datasets"],
    "queries": ["queries"],
    "audit text": ["audit"],
    "audit ttl": ["audit", "--format", "ttl"],
    "ingest dry run": ["ingest", "--dry-run", str(LETTER)],
}
DEFAULT_RUN = {("validate json", True), ("datasets", True)}  # the rest in the slow run (a process each, ~1 s)


def cases(table: dict[str, list[str]]) -> list:
    return [pytest.param(name, unbuffered, id=f"{name}-{'unbuffered' if unbuffered else 'buffered'}",
                         marks=() if (name, unbuffered) in DEFAULT_RUN else pytest.mark.slow)
            for name in table for unbuffered in (True, False)]


@pytest.mark.parametrize(("name", "unbuffered"), cases(LARGE))
def test_a_pipe_closed_after_one_line_ends_the_command_quietly(name, unbuffered):
    code, first, stderr = read_one_line_then_close(LARGE[name], unbuffered)
    assert first.strip(), "the command wrote nothing before the pipe closed"
    assert (code, stderr) == (PIPE_CLOSED, "")


@pytest.mark.parametrize(("name", "unbuffered"), cases(SMALL))
def test_a_pipe_already_closed_ends_the_command_quietly(name, unbuffered):
    code, stderr = closed_before_writing(SMALL[name], unbuffered)
    assert (code, stderr) == (PIPE_CLOSED, "")


@pytest.mark.slow
def test_a_reader_that_reads_everything_gets_everything_unbuffered():
    """The buffered layer put under an unbuffered stdout loses nothing when the reader stays."""
    env = environment(True)
    whole = subprocess.run([sys.executable, "-m", "mifi_rdf", "validate", "--format", "json"], capture_output=True,
                           env=env, cwd=ROOT, timeout=120)
    import json

    report = json.loads(whole.stdout)
    assert whole.returncode == 0 and report["conforms"] is True


@pytest.mark.slow
def test_codelists_whose_report_goes_into_a_closed_pipe_stops_the_same_way(tmp_path):
    """`mifi-rdf codelists 2>&1 | head -1`: codelists reports on stderr only, so only with stderr in the
    pipe can the pipe close under it; it exits 141 too, and what it had written is whole files, no
    temporaries."""
    read, write = os.pipe()
    os.close(read)
    try:
        process = subprocess.run([sys.executable, "-m", "mifi_rdf", "codelists", "--out", str(tmp_path / "codes")],
                                 stdout=write, stderr=write, stdin=subprocess.DEVNULL, env=environment(True), cwd=ROOT,
                                 timeout=120)
    finally:
        os.close(write)
    assert process.returncode == PIPE_CLOSED
    written = sorted(p.name for p in (tmp_path / "codes").iterdir()) if (tmp_path / "codes").exists() else []
    assert all(name.endswith(".ttl") and not name.startswith(".") for name in written), written
