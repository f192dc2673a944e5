"""Long commands show their progress on a terminal, and only there: pipes, logs and files get exactly the output."""

from __future__ import annotations

import io
import os
import pty
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT
from mifi_rdf import progress
from mifi_rdf.project import load_project


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture()
def terminal():
    screen = Terminal()
    progress.show_on(screen, delay=0, interval=0)
    yield screen
    progress.show_on(None)


def test_export_draws_each_table_then_erases_the_line(terminal, tmp_path):
    project = load_project()  # its own: the session's project may hold its bounds already
    project.export("nt", tmp_path / "cube.nt")
    drawn = terminal.getvalue()
    n = len(project.dataset_ids)
    assert all(f"writing  {i}/{n} tables" in drawn for i in range(1, n + 1))
    assert "bounds of blanked cells  1/" in drawn
    assert drawn.endswith("\r\x1b[2K")  # the line is left clean for what the command prints next
    assert (tmp_path / "cube.nt").read_bytes().count(b"\n") > 20_000  # the export itself is whole


def test_validate_draws_its_tables(project, terminal):
    report, _ = project.validate()
    assert report.conforms()
    assert f"validating  1/{len(project.dataset_ids)} tables" in terminal.getvalue()


def test_nothing_is_drawn_on_a_stream_that_is_not_a_terminal(project, tmp_path):
    log = io.StringIO()
    progress.show_on(log, delay=0)
    try:
        project.export("nt", tmp_path / "cube.nt")
    finally:
        progress.show_on(None)
    assert log.getvalue() == ""


def test_a_pipe_gets_no_progress():
    done = subprocess.run([sys.executable, "-m", "mifi_rdf", "export", "--no-validate", "--format", "nt"],
                          capture_output=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0
    assert b"\r" not in done.stderr and b"\x1b" not in done.stderr
    assert done.stderr.decode() == "warning: not validated (--no-validate)\n"


@pytest.mark.slow
def test_a_terminal_sees_a_long_export_progress(tmp_path):
    """A real pseudo-terminal as stderr, and a synthetic project of fifteen tables: each step draws once it has run
    half a second, and writing fifteen tables of 10,000 cells takes several seconds on any machine we run on (30,000
    cells, three tables, finished writing within the delay on CI's faster cores)."""
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_export import make_project

    data, onto = make_project(150_000, tmp_path)
    controller, device = pty.openpty()
    started = time.monotonic()
    process = subprocess.Popen([sys.executable, "-m", "mifi_rdf", "--data", str(data), "--ontology", str(onto), "export",
                                "--no-validate", "--format", "nt", "-o", str(tmp_path / "out.nt")],
                               stderr=device, stdout=subprocess.DEVNULL, cwd=ROOT)
    os.close(device)
    screen = b""
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # the other end closed: the process ended
            break
        if not chunk:
            break
        screen += chunk
    assert process.wait(timeout=300) == 0, screen
    os.close(controller)
    assert time.monotonic() - started > 0.5
    assert b"tables" in screen and b"\x1b[2K" in screen
    assert Path(tmp_path / "out.nt").stat().st_size > 1_000_000
