"""The examples of README.md and docs/*.md are real: every block fenced as ```console test is run again.

In such a block, each line `$ mifi-rdf ARGS` is a command and the lines after it, up to the next
`$` line, are what it prints (stdout; stderr too when the command ends with `2>&1`). A line that is
only `…` (indented or not) stands for any number of lines, and so does a line `…` followed by spaces and a comment in
parentheses (`…    (a page per code)`). The commands run in-process, in an empty folder, against
the repository's data (and the commands are named `mifi-rdf` in their help). Blocks fenced as plain
```console (servers, installs) are shown, not re-run; the page says why (below).

A block fenced as ```console test project is a session that changes the project (a walkthrough
that ingests a letter, then builds): its commands run one after the other, in a temporary copy of
the repository (data/, ontology/, sources/ copied; shapes/, queries/ and tests/letters/ linked) that
is the current folder and MIFI_RDF_HOME, so that what one command writes the next one reads and the
repository itself is never written; a session that names files of `inbox/` finds them there,
made by make_inbox as the tests of ingest make them (a slow session that reads a scan needs
Tesseract). Besides `mifi-rdf`, such a block may `cat FILE`, `grep [-A N] PATTERN FILE` (PATTERN a
Python regular expression), `head -N FILE` and `find DIR -type f | sort`. A last expected line `[exit N]`
checks the exit code (otherwise any code is accepted, as in the other blocks).
A block fenced as ```pycon test is a Python session, run by the standard library's doctest (its
`>>>` and `...` lines, and what they print; `...` in an output stands for any text), in an empty
folder of its own; a line `$ mifi-rdf ARGS` in it runs that command there first (it must succeed),
so that a session can read the files a command wrote.

Every other fenced block (a server that must keep running, an install, a benchmark, a picture of the modules)
carries a visible one-line reason as the last line of prose before it, `*Not re-run: WHY.*`, and
test_every_block_is_checked_or_says_why holds every page to it.

Any of these fences followed by ` slow` (```console test slow, ```console test project slow,
```pycon test slow) is a block too slow for the default run (over 2 s): it runs with the slow
suite (pytest -m slow). A page's slow session replays the page's fast blocks too, in order, so
that it starts from what they wrote.
"""

from __future__ import annotations

import doctest
import os
import re
import shlex
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import ROOT, needs_program
from mifi_rdf.cli import main

FENCE = re.compile(r"^```console test( slow)?\n(.*?)^```", re.M | re.S)
SESSION = re.compile(r"^( *)```console test project( slow)?\n(.*?)^\1```", re.M | re.S)  # indented in a list, or not
PYCON = re.compile(r"^```pycon test( slow)?\n(.*?)^```", re.M | re.S)
OCR = re.compile(r"scanned\.pdf|inbox/(scan|30952-faded)\.pdf")  # a session that reads a page by OCR needs Tesseract
ELIDED = re.compile(r" *…( +\(.*\))?")  # any run of lines (indented or not), with or without a comment saying what
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def commands(block: str) -> list[tuple[int, str, list[str]]]:
    """(line offset, command, expected lines) of each `$ ` line of a block."""
    out: list[tuple[int, str, list[str]]] = []
    for offset, row in enumerate(block.splitlines()):
        if row.startswith("$ "):
            out.append((offset, row[2:], []))
        elif out:
            out[-1][2].append(row)
    return out


def examples() -> list:
    out = []
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for block in FENCE.finditer(text):
            line = text[: block.start()].count("\n") + 2
            marks = [pytest.mark.slow] if block.group(1) else []
            for offset, command, expected in commands(block.group(2)):
                out.append(pytest.param(command, expected, id=f"{page.name}:{line + offset}", marks=marks))
    return out


def sessions() -> list:
    """The blocks of a page fenced as ```console test project, one session per page, in order."""
    out = []
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        fast, every = [], []
        for block in SESSION.finditer(text):
            line = text[: block.start()].count("\n") + 2
            indent = len(block.group(1))
            body = "\n".join(row[indent:] for row in block.group(3).splitlines())
            steps = [(line + offset, command, expected) for offset, command, expected in commands(body)]
            every += steps
            fast += [] if block.group(2) else steps
        if fast:
            out.append(pytest.param(fast, id=page.name))
        if every != fast:
            marks = [pytest.mark.slow]
            if any(OCR.search(command) for _, command, _ in every):
                marks.append(needs_program("tesseract", "tesseract-ocr tesseract-ocr-fra"))
            out.append(pytest.param(every, id=f"{page.name}-slow", marks=marks))
    return out


def matches(expected: list[str], actual: list[str]) -> bool:
    """Line by line, where a line `…` matches any run of lines (including none)."""
    if not expected:
        return not actual
    if ELIDED.fullmatch(expected[0]):
        return any(matches(expected[1:], actual[i:]) for i in range(len(actual) + 1))
    return bool(actual) and expected[0] == actual[0] and matches(expected[1:], actual[1:])


def test_the_docs_have_examples_to_check():
    assert len(examples()) >= 5


def execute(command: str, expected: list[str], shell: bool = False, where: str = "") -> None:
    """Run one command in the current folder and compare what it prints (and its exit code, if shown)."""
    words = shlex.split(command)
    with_stderr = words[-1] == "2>&1"
    words = words[:-1] if with_stderr else words
    code = None
    if expected and (m := re.fullmatch(r"\[exit (\d+)\]", expected[-1])):
        code, expected = int(m.group(1)), expected[:-1]
    if shell and words[0] in ("cat", "grep", "head", "find"):
        actual, exit_code = file_command(words), 0
    else:
        assert words[0] == "mifi-rdf", f"only mifi-rdf commands are re-run: {command}"
        result = CliRunner().invoke(main, words[1:], prog_name="mifi-rdf", catch_exceptions=False)
        actual, exit_code = (result.output if with_stderr else result.stdout).rstrip("\n").splitlines(), result.exit_code
    assert matches(expected, actual), "\n".join([f"{where}$ {command}", "expected:", *expected, "printed:", *actual])
    if code is not None:
        assert exit_code == code, f"{where}$ {command}: exit {exit_code}, the page says {code}"


def file_command(words: list[str]) -> list[str]:
    """`cat FILE`, `grep [-A N] PATTERN FILE`, `head -N FILE` or `find DIR -type f | sort`, on the
    files of the session's folder."""
    if words[0] == "cat":
        return Path(words[1]).read_text(encoding="utf-8").rstrip("\n").splitlines()
    if words[0] == "head":
        assert re.fullmatch(r"-\d+", words[1]) and len(words) == 3, f"head -N FILE only: {words}"
        return Path(words[2]).read_text(encoding="utf-8").splitlines()[: int(words[1][1:])]
    if words[0] == "find":
        assert words[2:] == ["-type", "f", "|", "sort"], f"find DIR -type f | sort only: {words}"
        return sorted(str(f) for f in Path(words[1]).rglob("*") if f.is_file())
    after = 0
    if words[1] == "-A":
        after, words = int(words[2]), [words[0], *words[3:]]
    elif words[1].startswith("-A"):
        after, words = int(words[1][2:]), [words[0], *words[2:]]
    pattern, lines = re.compile(words[1]), Path(words[2]).read_text(encoding="utf-8").splitlines()
    keep: set[int] = set()
    for i, row in enumerate(lines):
        if pattern.search(row):
            keep.update(range(i, min(i + after + 1, len(lines))))
    return [lines[i] for i in sorted(keep)]


@pytest.mark.parametrize(("command", "expected"), examples())
def test_example(command: str, expected: list[str], tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    execute(command, expected)


def test_the_docs_have_a_walkthrough_session():
    assert sessions()


@pytest.mark.parametrize("steps", sessions())
def test_session(steps: list[tuple[int, str, list[str]]], tmp_path, monkeypatch):
    """A walkthrough, command after command, in a copy of the project (the repository is never written)."""
    root = tmp_path / "project"
    for name in ("data", "ontology", "sources"):
        shutil.copytree(ROOT / name, root / name)
    for name in ("shapes", "queries"):
        os.symlink(ROOT / name, root / name)
    (root / "tests").mkdir()
    os.symlink(ROOT / "tests" / "letters", root / "tests" / "letters")
    make_inbox(root / "inbox", [command for _, command, _ in steps])
    monkeypatch.setenv("MIFI_RDF_HOME", str(root))
    monkeypatch.chdir(root)
    for line, command, expected in steps:
        execute(command, expected, shell=True, where=f"line {line}: ")


def make_inbox(folder: Path, commands: list[str]) -> None:
    """The files of `inbox/` the session's commands name, made as the tests make them: a PDF saved as .txt and a
    Windows-1252 text (tests/test_ingest.py), 40021 with its header « Pays de nationalité » changed to « Pays de
    naissance » (tests/test_ingest_headers.py), a page without text and the scan with a figure faded away
    (tests/test_ingest_pdf.py, tests/test_ingest_ocr.py), 31180 as a workbook and as a Word letter with Granby's « 43 »
    mistyped « 4-3 » (tests/test_attachments.py), and the hostile files of tests/hostile/cli.toml, all by
    tests/attachment_files.py from sources/letters/ (imported only when a session needs an attachment)."""

    def attachments():
        import attachment_files

        return attachment_files

    def _fpdf(**kwargs) -> bytes:
        from test_ingest_pdf import _fpdf

        return _fpdf(**kwargs)

    def _faded(folder: Path) -> Path:
        from test_ingest_ocr import _faded

        return _faded(folder)

    def typo(path: Path) -> None:
        files = attachments()
        text = (files.LETTERS / "31180.txt").read_text(encoding="utf-8")
        files.letter_docx("31180", path, text=text.replace("Granby\t43\t0,8", "Granby\t4-3\t0,8"))

    makers = {
        "40007.txt": lambda path: path.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"),
        "40008.txt": lambda path: path.write_bytes("MIFI\n\nLe 15 mai 2026\n\nN/Réf. : 40008\n".encode("cp1252")),
        "40021.txt": lambda path: path.write_text((ROOT / "tests" / "letters" / "40021-nationality.txt").read_text(
            encoding="utf-8").replace("Pays de nationalité\t", "Pays de naissance\t"), encoding="utf-8"),
        "scan.pdf": lambda path: path.write_bytes(_fpdf(text=None)),
        "30952-faded.pdf": lambda path: _faded(path.parent),
        "31180.xlsx": lambda path: attachments().letter_xlsx("31180", path),
        "31180-typo.docx": typo,
        **{f"{kind}.{kind[:4]}": (lambda path, kind=kind: attachments().hostile(kind, path.parent))
           for kind in ("xlsx-formula", "xlsx-not-zip", "docx-external-entity", "xlsx-shared-string-bomb")},
    }
    named = {m.group(1) for command in commands for m in re.finditer(r"inbox/(\S+)", command)}
    if named:
        folder.mkdir()
    for name in sorted(named & set(makers)):
        makers[name](folder / name)


def pycon_sessions() -> list:
    out = []
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for block in PYCON.finditer(text):
            line = text[: block.start()].count("\n") + 2
            marks = [pytest.mark.slow] if block.group(1) else []
            out.append(pytest.param(block.group(2), page.name, line, id=f"{page.name}:{line}", marks=marks))
    return out


@pytest.mark.parametrize(("session", "page", "line"), pycon_sessions())
def test_pycon_session(session: str, page: str, line: int, tmp_path, monkeypatch):
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
            result = CliRunner().invoke(main, words[1:], prog_name="mifi-rdf", catch_exceptions=False)
            assert result.exit_code == 0, f"{page}:{line + offset}: {row}\n{result.output}"
        else:
            part.append(row)
    run_part()
    assert runner.tries > 0, f"{page}:{line}: a pycon test block without examples"
    assert runner.failures == 0, f"{runner.failures} of {runner.tries} examples of {page}:{line} failed (above)"


ANY_FENCE = re.compile(r"^( *)```([^\n]*)\n.*?^\1```[ \t]*$", re.M | re.S)
CHECKED = re.compile(r"(console test( project)?|pycon test)( slow)?")
REASON = re.compile(r" *\*Not re-run: \S.{8,}\*")


def unchecked_blocks(text: str) -> list[tuple[int, str, str, str]]:
    """(line, info string, first line, last line of prose before it) of each fenced block the tests do not run."""
    out = []
    for block in ANY_FENCE.finditer(text):
        if CHECKED.fullmatch(block.group(2).strip()):
            continue
        line = text[: block.start()].count("\n") + 1
        before = [row for row in text[: block.start()].splitlines() if row.strip()]
        body = block.group().splitlines()
        out.append((line, block.group(2), body[1].strip() if len(body) > 2 else "", before[-1] if before else ""))
    return out


def test_unchecked_blocks_are_found():
    """The fence reader sees every kind of block, indented in a list or not, and passes the checked ones."""
    text = ("Intro:\n\n```console test\n$ mifi-rdf --version\n```\n\n*Not re-run: a server.*\n\n"
            "```console\n$ mifi-rdf serve\n```\n\n1. Step:\n\n   ```turtle\n   <a> <b> <c> .\n   ```\n")
    found = unchecked_blocks(text)
    assert [(line, info, first) for line, info, first, _ in found] == [(9, "console", "$ mifi-rdf serve"),
                                                                        (15, "turtle", "<a> <b> <c> .")]
    assert REASON.fullmatch(found[0][3]) and not REASON.fullmatch(found[1][3])


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_block_is_checked_or_says_why(page: Path):
    """An example the tests do not run drifts: each says, on the page, why it cannot be run."""
    silent = [f"{page.name}:{line}: ```{info} ({first})"
              for line, info, first, before in unchecked_blocks(page.read_text(encoding="utf-8"))
              if not REASON.fullmatch(before)]
    assert not silent, "blocks neither checked nor marked `*Not re-run: WHY.*` on the line before:\n" + "\n".join(silent)
