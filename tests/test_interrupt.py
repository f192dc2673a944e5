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


# ---------------------------------------------------------------- ingest --replace (issue 23)

LETTER = ROOT / "tests" / "letters" / "40006-space-thousands.txt"


def snapshot(folder: Path) -> dict[str, bytes] | None:
    """Every file of a folder and its bytes (None when there is no folder)."""
    if not folder.is_dir():
        return None
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def ingest_process(data: Path, onto: Path, letter: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "mifi_rdf", "--data", str(data), "--ontology", str(onto), "ingest",
                             "--replace", str(letter)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT / "src")})


def staged_window(process: subprocess.Popen, data: Path) -> float:
    """Seconds from the moment the run's staged folder appears to the run's end (the part that writes)."""
    seen = None
    while process.poll() is None:
        if seen is None and any(data.glob(".ingest-*")):
            seen = time.monotonic()
        time.sleep(0.0005)
    return time.monotonic() - seen if seen else 0.0


@pytest.mark.slow
def test_sigkill_during_ingest_replace_leaves_the_old_folder_or_the_new_one_never_a_mix(tmp_path):
    """SIGKILL at random points of `ingest --replace` while it writes (from the moment its staged folder
    appears to its end: staging, checking, exchange, removal of the old folder): the letter's folder is
    whole, the old one or the new one; each run removes what the killed ones left, and the last leaves
    no temporary at all (2 of 20 trials changed the folder before, and `data/.ingest-*` stayed for good)."""
    import random

    data, onto = tmp_path / "data", Path(shutil.copytree(ROOT / "ontology", tmp_path / "ontology"))
    versions = {"old": tmp_path / "old.txt", "new": tmp_path / "new.txt"}
    text = LETTER.read_text(encoding="utf-8")
    versions["old"].write_text(text, encoding="utf-8")
    versions["new"].write_text(text.replace("Le 15 mai 2026", "Le 14 mai 2026", 1), encoding="utf-8")
    target = data / "40006"
    states, windows = {}, []
    for name in ("new", "old", "old"):  # ends with the old one in place
        process = ingest_process(data, onto, versions[name])
        windows.append(staged_window(process, data))
        assert process.returncode == 0, process.stderr.read()
        states[name] = snapshot(target)
    assert states["old"] != states["new"]
    window = min(windows[1:])  # a replacing run's
    rng = random.Random(23)
    killed_with_debris = 0
    for trial in range(10):
        process = ingest_process(data, onto, versions["new" if trial % 2 == 0 else "old"])
        while process.poll() is None and not any(data.glob(".ingest-*")):
            time.sleep(0.0005)
        time.sleep(rng.uniform(0, window))
        process.kill()
        process.communicate(timeout=60)
        assert snapshot(target) in (states["old"], states["new"]), f"trial {trial}: the folder is neither"
        killed_with_debris += any(p.name.startswith(".") for p in data.iterdir())
    assert killed_with_debris  # the kills did land while the run wrote
    process = ingest_process(data, onto, versions["new"])
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 0, stderr
    assert snapshot(target) == states["new"]
    assert sorted(p.name for p in data.iterdir()) == ["40006"]


def test_ingest_commit_exchanges_the_folders_so_the_letter_is_whole_at_every_step(tmp_path, monkeypatch):
    from mifi_rdf.ingest import write

    target = tmp_path / "40006"
    target.mkdir()
    (target / "letter.toml").write_text("old")
    staged = write.stage(tmp_path, {"letter.toml": "new", "t1.csv": "new"})
    seen = []

    def checked(real):
        def call(*args, **kwargs):
            seen.append((real.__name__, snapshot(target)))
            return real(*args, **kwargs)
        return call

    monkeypatch.setattr(os, "replace", checked(os.replace))
    monkeypatch.setattr(os, "rename", checked(os.rename))
    monkeypatch.setattr(shutil, "rmtree", checked(shutil.rmtree))
    write.commit(staged, target)
    assert seen and all(state == {"letter.toml": b"new", "t1.csv": b"new"} for _, state in seen)  # after the exchange
    assert [name for name, _ in seen] == ["rmtree"]  # one exchange, then the old folder removed
    assert sorted(p.name for p in tmp_path.iterdir()) == ["40006"]


def test_a_crash_after_the_exchange_leaves_only_what_the_next_run_sweeps(tmp_path, monkeypatch):
    from mifi_rdf.ingest import write

    target = tmp_path / "40006"
    target.mkdir()
    (target / "letter.toml").write_text("old")
    staged = write.stage(tmp_path, {"letter.toml": "new"})

    def killed(*args, **kwargs):
        raise KeyboardInterrupt  # as if the process died between the exchange and the removal

    monkeypatch.setattr(shutil, "rmtree", killed)
    with pytest.raises(KeyboardInterrupt):
        write.commit(staged, target)
    monkeypatch.undo()
    assert (target / "letter.toml").read_text() == "new"
    write.release(staged)  # the process is gone: its lock with it
    assert write.sweep_stale(tmp_path) == [staged]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["40006"]


def test_the_sweep_removes_only_ingest_temporaries_no_live_run_holds(tmp_path):
    from mifi_rdf.ingest import write

    live = write.stage(tmp_path, {"letter.toml": "being checked"})
    live_check = tmp_path / f".{live.name}-check"
    live_check.mkdir()
    dead = tmp_path / ".ingest-dead1234"
    dead.mkdir()
    dead_check = tmp_path / f".{dead.name}-check"
    dead_check.mkdir()
    orphan_check = tmp_path / "..ingest-gone5678-check"
    orphan_check.mkdir()
    replaced = tmp_path / ".40006.replaced"  # what an earlier version left between its two renames
    replaced.mkdir()
    others = [tmp_path / ".git", tmp_path / ".ingest-notes.txt", tmp_path / "40006"]
    others[0].mkdir()
    others[1].write_text("a file, not ours")
    others[2].mkdir()
    try:
        removed = write.sweep_stale(tmp_path)
        assert sorted(removed) == sorted([dead, dead_check, orphan_check, replaced])
        assert live.is_dir() and live_check.is_dir() and all(p.exists() for p in others)
    finally:
        write.release(live)


def test_commands_ignore_ingest_temporaries_in_the_data_folder(data_copy):
    staged = data_copy / ".ingest-abandoned"
    shutil.copytree(data_copy / "30952", staged)  # its letter.toml names another folder: loading it would fail
    result = run("--data", str(data_copy), "datasets")
    assert result.exit_code == 0, result.output
    assert len(result.output.splitlines()) == 15


def test_sigterm_during_ingest_removes_its_temporaries_and_keeps_the_letter(tmp_path):
    data, onto = tmp_path / "data", Path(shutil.copytree(ROOT / "ontology", tmp_path / "ontology"))
    first = ingest_process(data, onto, LETTER)
    _, stderr = first.communicate(timeout=120)
    assert first.returncode == 0, stderr
    before = snapshot(data / "40006")
    process = ingest_process(data, onto, LETTER)
    while process.poll() is None and not any(data.glob(".ingest-*")):
        time.sleep(0.0005)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 128 + signal.SIGTERM, stderr
    assert "Traceback" not in stderr
    assert sorted(p.name for p in data.iterdir()) == ["40006"]  # no .ingest-*, no ..ingest-*-check
    assert snapshot(data / "40006") == before
