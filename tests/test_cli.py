"""The command line, as a user meets it: help everywhere, a version, real processes."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import run
from mifi_rdf import __version__

COMMANDS = ["export", "query", "queries", "datasets", "codelists"]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command):
    result = run(command, "--help")
    assert result.exit_code == 0
    assert "Usage: main " + command in result.output or f"Usage: mifi-rdf {command}" in result.output


def test_version():
    assert run("--version").output.strip() == f"mifi-rdf, version {__version__}"


def test_datasets_lists_every_table():
    lines = run("datasets").output.splitlines()
    assert len(lines) == 15  # 8 + 1 + 1 + 4 + 1 tables
    assert lines[0].split()[:2] == ["25623-t1", "287"]


def test_console_script_writes_turtle_to_stdout():
    """The installed `mifi-rdf` entry point, in a real process, as README shows it."""
    exe = [sys.executable, "-m", "mifi_rdf"]
    out = subprocess.run([*exe, "export", "--format", "ttl", "--dataset", "31224-t1"], capture_output=True, check=True)
    text = out.stdout.decode("utf-8")
    assert text.startswith("@prefix")
    assert "def:applicationsReceived 8580" in text


def test_output_is_identical_across_processes_and_hash_seeds(tmp_path):
    """Byte-identical output must not depend on a process's hash seed (set and dict order)."""
    import os

    digests = set()
    for seed in ("0", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        for fmt in ("ttl", "jsonld"):
            out = tmp_path / f"{seed}.{fmt}"
            subprocess.run([sys.executable, "-m", "mifi_rdf", "export", "--format", fmt, "-o", str(out)],
                           check=True, env=env, capture_output=True)
            digests.add((fmt, out.read_bytes()))
    assert len(digests) == 2  # one per format
