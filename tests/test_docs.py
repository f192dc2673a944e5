"""The examples of README.md and docs/*.md are real: every block fenced as ```console test is run again.

In such a block, each line `$ mifi-rdf ARGS` is a command and the lines after it, up to the next
`$` line, are what it prints (stdout; stderr too when the command ends with `2>&1`). A line that is
only `…` stands for any number of lines. The commands run in-process, in an empty folder, against
the repository's data. Blocks fenced as plain ```console (servers, timings) are shown, not re-run.

A block fenced as ```pycon test is a Python session, run by the standard library's doctest (its
`>>>` and `...` lines, and what they print; `...` in an output stands for any text), in an empty
folder of its own; a line `$ mifi-rdf ARGS` in it runs that command there first (it must succeed),
so that a session can read the files a command wrote.
"""

from __future__ import annotations

import doctest
import re
import shlex

import pytest
from click.testing import CliRunner

from conftest import ROOT
from mifi_rdf.cli import main

FENCE = re.compile(r"^```console test\n(.*?)^```", re.M | re.S)
PYCON = re.compile(r"^```pycon test\n(.*?)^```", re.M | re.S)
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def examples() -> list:
    out = []
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for block in FENCE.finditer(text):
            line = text[: block.start()].count("\n") + 2
            command, expected, start = None, [], line
            for offset, row in enumerate(block.group(1).splitlines()):
                if row.startswith("$ "):
                    if command:
                        out.append(pytest.param(command, expected, id=f"{page.name}:{start}"))
                    command, expected, start = row[2:], [], line + offset
                else:
                    expected.append(row)
            if command:
                out.append(pytest.param(command, expected, id=f"{page.name}:{start}"))
    return out


def matches(expected: list[str], actual: list[str]) -> bool:
    """Line by line, where a line `…` matches any run of lines (including none)."""
    if not expected:
        return not actual
    if expected[0] == "…":
        return any(matches(expected[1:], actual[i:]) for i in range(len(actual) + 1))
    return bool(actual) and expected[0] == actual[0] and matches(expected[1:], actual[1:])


def test_the_docs_have_examples_to_check():
    assert len(examples()) >= 5


@pytest.mark.parametrize(("command", "expected"), examples())
def test_example(command: str, expected: list[str], tmp_path, monkeypatch):
    words = shlex.split(command)
    with_stderr = words[-1] == "2>&1"
    words = words[:-1] if with_stderr else words
    assert words[0] == "mifi-rdf", f"only mifi-rdf commands are re-run: {command}"
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, words[1:], catch_exceptions=False)
    printed = result.output if with_stderr else result.stdout
    actual = printed.rstrip("\n").splitlines()
    assert matches(expected, actual), "\n".join(["expected:", *expected, "printed:", *actual])


def sessions() -> list:
    out = []
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for block in PYCON.finditer(text):
            line = text[: block.start()].count("\n") + 2
            out.append(pytest.param(block.group(1), page.name, line, id=f"{page.name}:{line}"))
    return out


@pytest.mark.parametrize(("session", "page", "line"), sessions())
def test_session(session: str, page: str, line: int, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    parser, globs, part, start = doctest.DocTestParser(), {}, [], line

    def run_part() -> None:
        if part:
            test = parser.get_doctest("\n".join(part) + "\n", globs, f"{page}:{start}", page, start)
            runner.run(test, clear_globs=False)

    for offset, row in enumerate(session.splitlines()):
        if row.startswith("$ "):
            run_part()
            part, start = [], line + offset + 1
            words = shlex.split(row[2:])
            assert words[0] == "mifi-rdf", f"only mifi-rdf commands are re-run: {row}"
            result = CliRunner().invoke(main, words[1:], catch_exceptions=False)
            assert result.exit_code == 0, f"{page}:{line + offset}: {row}\n{result.output}"
        else:
            part.append(row)
    run_part()
    assert runner.tries > 0, f"{page}:{line}: a pycon test block without examples"
    assert runner.failures == 0, f"{runner.failures} of {runner.tries} examples of {page}:{line} failed (above)"
