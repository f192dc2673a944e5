"""README as a newcomer reads it (issue 23): its command table lists every command `mifi-rdf --help`
shows, and what its own commands write in the checkout is ignored by git, so that following README
leaves `git status` clean."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from conftest import ROOT, run

README = (ROOT / "README.md").read_text(encoding="utf-8")


def help_commands() -> list[str]:
    """The commands of the `Commands:` section of `mifi-rdf --help`."""
    text = run("--help").output
    section = text.split("\nCommands:\n", 1)[1]
    return [line.split()[0] for line in section.splitlines() if line.startswith("  ") and line.split()]


def table_commands() -> set[str]:
    """The first word of every `code` span in the first column of README's command table."""
    lines = README.splitlines()
    start = lines.index("| command | what it does | read more |")
    names: set[str] = set()
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        first = line.split(" | ", 1)[0]
        names.update(span.split()[0] for span in re.findall(r"`([^`]+)`", first))
    return names


def test_readme_command_table_lists_every_command_of_help():
    commands = help_commands()
    assert len(commands) >= 11 and "datasets" in commands  # the parse found the section
    missing = [c for c in commands if c not in table_commands()]
    assert not missing, f"README's command table lacks {missing}"


def readme_outputs() -> set[str]:
    """What README's commands write in the checkout: `mifi-rdf … > FILE`, `mifi-rdf build DIR`, and the
    egg-info folder of `pip install -e .`."""
    outputs = set(re.findall(r"mifi-rdf [^\n`|>]*> ([\w.-]+)", README))
    outputs |= {f"{d}/index.html" for d in re.findall(r"mifi-rdf build ([a-z][\w.-]*)", README)}
    if "pip install -e ." in README:
        outputs.add("src/mifi_rdf.egg-info/PKG-INFO")
    return outputs


@pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")
def test_gitignore_ignores_what_readme_commands_write(tmp_path):
    outputs = readme_outputs()
    assert {"mifi.ttl", "site/index.html"} <= outputs  # README's export and build, as it shows them
    shutil.copy(ROOT / ".gitignore", tmp_path / ".gitignore")
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    for name in outputs:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x", encoding="utf-8")
    (tmp_path / "README.md").write_text("kept", encoding="utf-8")  # a file that must not be ignored
    check = subprocess.run(["git", "-C", str(tmp_path), "check-ignore", "--no-index", "--stdin", "-v", "-n"],
                           input="\n".join([*sorted(outputs), "README.md"]), capture_output=True, text=True)
    ignored = {line.split("\t")[1] for line in check.stdout.splitlines() if not line.startswith("::")}
    assert ignored == outputs, check.stdout
