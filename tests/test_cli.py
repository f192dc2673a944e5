"""The command line, as a user meets it: help everywhere, a version, real processes."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import ROOT, run
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


# ---------------------------------------------------------------- rough edges (issue 23)

def mifi(*args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "mifi_rdf", *args], **kwargs)


@pytest.mark.parametrize("args", [["export", "--no-validate"], ["export", "--no-validate", "--format", "jsonld"]])
def test_a_closed_pipe_ends_quietly_as_unix_tools_do(args):
    """`mifi-rdf export | head -1`: no `error: Broken pipe`, no traceback, 141 (128 + SIGPIPE) like `yes | head -1`."""
    process = mifi(*args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = process.stdout.readline()
    process.stdout.close()  # the reader goes away, as head does after its line
    stderr = process.stderr.read().decode("utf-8")
    process.wait(timeout=120)
    assert first
    assert process.returncode == 141, stderr
    assert "error" not in stderr.lower() and "Traceback" not in stderr and "Exception ignored" not in stderr


@pytest.mark.parametrize(("args", "message"), [
    (["validate", "."], r"^error: Invalid value for '\[FILES\]\.\.\.': File '\.' is a directory\. "
                        r"\(see `mifi-rdf validate --help`\)$"),
    (["export", "--format", "pdf"], r"^error: Invalid value for '--format': 'pdf' is not one of"),
    (["nonsense"], r"^error: No such command 'nonsense'"),
])
def test_click_usage_errors_are_said_like_ours(args, message):
    process = mifi(*args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 2
    assert len(stderr.splitlines()) == 1, stderr  # no usage block, no « Error: »
    assert __import__("re").match(message, stderr), stderr


def test_query_tables_fit_a_terminal_and_only_a_terminal(project):
    from mifi_rdf.query import read_query, run_query

    text = read_query("inferences")
    whole = run_query(project, text, "table")
    assert max(len(line) for line in whole.splitlines()) > 1000  # a note of 1,500 characters, kept whole in a file
    fitted = run_query(project, text, "table", terminal=100).splitlines()
    assert max(len(line) for line in fitted) <= 100
    assert len(fitted) == len(whole.splitlines())  # every row, each on one line
    assert fitted[-1].endswith("cells cut to the terminal's width, --format csv gives them whole)")
    assert "…" in fitted[2]
    assert run("query", "inferences").output == whole  # CliRunner's stdout is not a terminal


def test_serve_on_a_busy_port_names_the_address():
    import socket

    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    port = busy.getsockname()[1]
    try:
        process = mifi("serve", "--port", str(port), "--workers", "1", "--reserved", "0", stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True)
        _, stderr = process.communicate(timeout=120)
    finally:
        busy.close()
    assert process.returncode == 2
    assert stderr.strip().splitlines()[-1].startswith(f"error: cannot listen on 127.0.0.1:{port}: Address already in use")


def test_a_data_folder_without_catalog_toml_says_whose_catalog_it_gets(data_copy, tmp_path):
    (data_copy / "catalog.toml").unlink()
    result = run("--data", str(data_copy), "build", "--no-validate", str(tmp_path / "site"))
    assert result.exit_code == 0, result.output
    assert f"warning: {data_copy} has no catalog.toml: the catalog's publisher, licence, contact, themes and formats " \
           "are those of " in result.output
    from mifi_rdf.build.config import borrowed_catalog

    assert borrowed_catalog(ROOT / "data") is None and borrowed_catalog(None) is None  # a folder with its own: silent
