"""The hostile-input corpus (tests/hostile/cli.toml): every corrupt or hostile input ends in one
line `error: file:line:col: …` and the documented exit code, never a traceback (issue 15).

Each case runs the real command in a fresh process, as a user would, with private copies of data/
and ontology/ changed as the case says. The cases run a few at a time (they are independent
processes) so that the whole corpus takes seconds, not minutes.
"""

from __future__ import annotations

import codecs
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import ROOT

HOSTILE = ROOT / "tests" / "hostile"
CASES = tomllib.loads((HOSTILE / "cli.toml").read_text(encoding="utf-8"))["case"]
MEMORY = 3 << 30  # address space of one case: a billion laughs must fail, not take the machine
NO_OVERRIDE = "-dac_override,-dac_read_search"  # the capabilities that let root read any file


@dataclass
class Outcome:
    code: int
    stderr: str
    stdout: str
    seconds: float


def raw(text: str) -> bytes:
    """The bytes a case means: UTF-8, with \\xNN escapes for bytes that are not."""
    return codecs.escape_decode(text.encode("utf-8"))[0]


def generate(kind: str, tmp: Path) -> None:
    if kind.startswith("attachment:"):  # a Word or Excel file made by tests/attachment_files.py
        from attachment_files import hostile

        hostile(kind.removeprefix("attachment:"), tmp)
    if kind == "big-literal":  # one term past pyoxigraph's 16 MiB token buffer
        with (tmp / "big.nt").open("w", encoding="utf-8") as f:
            f.write('<http://example.org/s> <http://www.w3.org/2000/01/rdf-schema#label> "')
            f.write("a" * (17 << 20))
            f.write('" .\n')


def prepare(case: dict, tmp: Path) -> list[str]:
    """Private copies of data/ and ontology/ with the case's change; the command line to run."""
    shutil.copytree(ROOT / "data", tmp / "data")
    shutil.copytree(ROOT / "ontology", tmp / "ontology")
    if "file" in case:
        path = tmp / case["file"]
        if "replace" in case:
            old, new = (raw(x) for x in case["replace"])
            data = path.read_bytes()
            assert old in data, f"{case['name']}: {old!r} not in {case['file']}"
            path.write_bytes(data.replace(old, new, 1))
        if "prepend" in case:
            path.write_bytes(raw(case["prepend"]) + path.read_bytes())
        if "symlink" in case:
            path.unlink()
            path.symlink_to(case["symlink"])
        if case.get("folder"):
            path.unlink()
            path.mkdir()
        if "mode" in case:
            path.chmod(case["mode"])
    if "generate" in case:
        generate(case["generate"], tmp)
    args = [a.replace("{tmp}", str(tmp)).replace("{hostile}", str(HOSTILE)) for a in case.get("args", ["datasets"])]
    return ["--data", str(tmp / "data"), "--ontology", str(tmp / "ontology"), *args]


def execute(case: dict, tmp: Path) -> Outcome:
    tmp.mkdir(parents=True)
    args = prepare(case, tmp)
    command = [sys.executable, "-m", "mifi_rdf", *args]
    if "mode" in case and os.geteuid() == 0:  # root reads any file: run without that capability
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without util-linux's setpriv: cannot make a file unreadable")
        command = [setpriv, f"--bounding-set={NO_OVERRIDE}", f"--inh-caps={NO_OVERRIDE}", *command]

    def limits() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))

    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    start = time.monotonic()
    try:
        done = subprocess.run(command, cwd=tmp, capture_output=True, text=True,
                              timeout=case.get("seconds", 60), preexec_fn=limits, env=env, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as err:
        return Outcome(-1, f"timed out after {err.timeout} s", "", time.monotonic() - start)
    return Outcome(done.returncode, done.stderr, done.stdout, time.monotonic() - start)


@pytest.fixture(scope="module")
def outcomes() -> Iterator[dict[str, Outcome]]:
    """Every case, run three at a time."""
    root = Path(tempfile.mkdtemp(prefix="mifi-hostile-"))
    try:
        with ThreadPoolExecutor(max_workers=3) as pool:
            futures = {c["name"]: pool.submit(execute, c, root / f"case{i}") for i, c in enumerate(CASES)}
            yield {name: f.result() for name, f in futures.items()}
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_hostile_input_gives_one_line_and_its_exit_code(case, outcomes):
    out = outcomes[case["name"]]
    assert "Traceback" not in out.stderr, out.stderr
    assert out.code == case["exit"], f"exit {out.code}, expected {case['exit']}:\n{out.stderr}"
    errors = [line for line in out.stderr.splitlines() if line.lower().startswith("error: ")]
    assert len(errors) == 1, out.stderr
    assert re.search(case["error"], errors[0]), errors[0]
    if "absent" in case:
        assert case["absent"] not in out.stderr + out.stdout
    assert out.seconds < case.get("seconds", 60)


def test_every_case_is_one_of_the_documented_exit_codes():
    assert {c["exit"] for c in CASES} <= {1, 2}
    assert len({c["name"] for c in CASES}) == len(CASES)
