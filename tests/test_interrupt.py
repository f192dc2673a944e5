"""Interrupted runs (issue 15, item 8): SIGTERM is handled like Ctrl-C (temporaries removed, one line,
exit 128 + signal), a SIGKILLed run's temporary is removed by the next run, and `build` replaces
OUTDIR without an instant where it is missing.

The runs are real `mifi-rdf` processes on a synthetic project of 10k cells (bench/bench_export.py),
large enough that the test sees the temporary appear and signals the process while it writes.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, run
from mifi_rdf.build import folder
from mifi_rdf.build.config import Options
from mifi_rdf.serialize import temporary

sys.path.insert(0, str(ROOT / "bench"))
from bench_export import make_project  # noqa: E402


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> tuple[Path, Path]:
    return make_project(10_000, tmp_path_factory.mktemp("synthetic"))


def start(synthetic: tuple[Path, Path], *args: str) -> subprocess.Popen:
    data, onto = synthetic
    return subprocess.Popen([sys.executable, "-m", "mifi_rdf", "--data", str(data), "--ontology", str(onto), *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT / "src")})


def appears(folder: Path, pattern: str, process: subprocess.Popen, seconds: float = 120) -> Path:
    """The first path matching `pattern`, watched for every millisecond while the process runs."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = sorted(folder.glob(pattern))
        if found:
            return found[0]
        if process.poll() is not None:
            pytest.fail(f"the run ended (exit {process.returncode}) before its temporary appeared: {process.stderr.read()}")
        time.sleep(0.001)
    process.kill()
    pytest.fail(f"no {pattern} after {seconds} s")


def test_sigterm_during_export_removes_the_temporary_and_keeps_the_old_file(synthetic, tmp_path):
    out = tmp_path / "out.jsonld"
    out.write_text("previous export\n")
    process = start(synthetic, "export", "--no-validate", "--format", "jsonld", "-o", str(out))
    appears(tmp_path, ".out.jsonld.*.tmp", process)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 128 + signal.SIGTERM, stderr
    assert "Traceback" not in stderr
    assert stderr.strip().splitlines()[-1] == "error: interrupted (SIGTERM); nothing was written"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonld"]
    assert out.read_text() == "previous export\n"


def test_sigkill_during_export_leaves_a_temporary_that_the_next_run_removes(synthetic, tmp_path):
    out = tmp_path / "out.jsonld"
    process = start(synthetic, "export", "--no-validate", "--format", "jsonld", "-o", str(out))
    debris = appears(tmp_path, ".out.jsonld.*.tmp", process)
    process.kill()
    process.communicate(timeout=60)
    assert debris.exists() and not out.exists()
    result = run("export", "--no-validate", "--dataset", "30952-t1", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonld"]


def test_a_temporary_still_being_written_is_not_removed(tmp_path):
    """The lock, not the name, says a temporary is abandoned: a live writer keeps its own."""
    live = tmp_path / ".out.ttl.live.tmp"
    fd = os.open(live, os.O_CREAT | os.O_WRONLY)
    temporary.lock(fd)
    try:
        abandoned = tmp_path / ".out.ttl.dead.tmp"
        abandoned.write_text("half")
        other = tmp_path / ".other.ttl.dead.tmp"
        other.write_text("not this target's")
        assert temporary.sweep(tmp_path, "out.ttl") == [abandoned]
        assert live.exists() and other.exists() and not abandoned.exists()
    finally:
        os.close(fd)


def test_sigterm_during_build_keeps_the_old_folder_and_removes_the_new_one(synthetic, tmp_path):
    site = tmp_path / "site"
    assert run("build", str(site)).exit_code == 0
    before = sorted(p.relative_to(site) for p in site.rglob("*"))
    process = start(synthetic, "build", "--no-validate", str(site))
    appears(tmp_path, ".site.*.tmp/dataset/*.nt", process)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 128 + signal.SIGTERM, stderr
    assert "Traceback" not in stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
    assert sorted(p.relative_to(site) for p in site.rglob("*")) == before


def test_sigkill_during_build_leaves_a_folder_that_the_next_build_removes(synthetic, tmp_path):
    site = tmp_path / "site"
    process = start(synthetic, "build", "--no-validate", str(site))
    debris = appears(tmp_path, ".site.*.tmp/dataset/*.nt", process).parents[1]
    process.kill()
    process.communicate(timeout=60)
    assert debris.is_dir()
    assert run("build", "--no-validate", str(site)).exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_build_replaces_the_folder_without_an_instant_where_it_is_missing(project, tmp_path, monkeypatch):
    """Every rename and removal during the second build finds OUTDIR complete (the old swap renamed
    OUTDIR away before renaming the new folder in: a kill between the two left no OUTDIR)."""
    site = tmp_path / "site"
    folder.build_folder(project, site, Options())
    seen: list[str] = []

    def checked(real):
        def call(*args, **kwargs):
            seen.append(real.__name__)
            assert (site / folder.MARKER).is_file(), f"{site} missing during {real.__name__}{args}"
            return real(*args, **kwargs)
        return call

    monkeypatch.setattr(os, "rename", checked(os.rename))
    monkeypatch.setattr(shutil, "rmtree", checked(shutil.rmtree))
    folder.build_folder(project, site, Options())
    assert seen  # the old folder was removed after the swap
    assert (site / folder.MARKER).is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_build_without_an_atomic_exchange_still_replaces_the_folder(project, tmp_path, monkeypatch):
    site = tmp_path / "site"
    folder.build_folder(project, site, Options())
    (site / "stale.txt").write_text("from an older build")
    monkeypatch.setattr(temporary, "exchange", lambda a, b: False)
    folder.build_folder(project, site, Options())
    assert not (site / "stale.txt").exists() and (site / folder.MARKER).is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
