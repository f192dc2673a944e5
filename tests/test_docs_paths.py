"""Every repository path the documentation names exists: docs that name moved or deleted files mislead a newcomer.

A path is a backticked word of README.md, docs/*.md, data/README.md or sources/letters/README.md that either starts
with a folder of the repository (`src/`, `data/`, `tests/`, …) or names a module of the package (`audit/grouped.py`,
`render/charts.py`), or is a bare Python module or query name (`placement.py`, `labels.rq`). Placeholders such as
`<ref>` match any name. Names of files that commands *write* (`catalog.ttl`, `index.html`) are not paths of the
repository and are left alone: only `.py`, `.rq` and `.md` are checked when bare.

Besides code spans: a path of the repository written in prose without backticks (« made by
tests/attachment_files.py »), the target of every relative Markdown link (`[data/README.md](../data/README.md)`), and,
in the pictures of the package (fenced blocks without a language: the module map of README.md, the data flow of
design.md), every `mifi_rdf.x` module and every `x.py` file they name. A backticked word with a slash that starts
with no folder of the repository is an IRI path, a media type or a URL path of a known kind (NOT_REPOSITORY), or else
must exist (`web/page.html`). The letters of tests/letters/ (4xxxx) are not
in data/: the walkthroughs write `data/40001/…`, and a path of such a letter is one a command writes.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

from conftest import ROOT

PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "data" / "README.md",
         ROOT / "sources" / "letters" / "README.md"]
# ingest's temporaries (data/.ingest-…), named by the docs, are not paths of the repository.
WRITTEN = re.compile(r"^data/\.")
TOP = ("src/", "data/", "ontology/", "shapes/", "queries/", "tests/", "bench/", "docs/", "sources/", ".ci/")
PACKAGE = ROOT / "src" / "mifi_rdf"
SUBPACKAGES = tuple(f"{p.name}/" for p in PACKAGE.iterdir() if p.is_dir() and not p.name.startswith(("_", ".")))
TICKED = re.compile(r"`([A-Za-z0-9_.<>/-]+)`")
FENCED = re.compile(r"^( *)```([^\n]*)\n.*?^\1```", re.M | re.S)  # indented in a list, or not
SPAN = re.compile(r"`[^`]+`")  # a code span, which may run over a line end
LINK = re.compile(r"\]\(([^)\s]+)\)")
PROSE = re.compile(r"(?<![\w/.:-])((?:src|data|ontology|shapes|queries|tests|bench|docs|sources|\.ci)/[\w./<>{}-]*[\w>}/])")
# The made-up letters of tests/letters/, which ingest writes to data/ in the walkthroughs.
TEST_LETTERS = {p.name[:5] for p in (ROOT / "tests" / "letters").glob("4*.txt")}
WRITTEN_LETTER = re.compile(r"^(data|sources/letters)/(\d{5})\b")


def _blank(m: re.Match) -> str:
    """The text matched, as blank lines: what follows keeps its line number."""
    return "\n" * m.group().count("\n")


def _exists(pattern: str, base: Path) -> bool:
    glob = re.sub(r"<[^>]+>|\{[^}]+\}", "*", pattern.rstrip("/"))
    return any(base.glob(glob)) if "*" in glob else (base / glob).exists()


def _bare_exists(name: str) -> bool:
    return any(any((ROOT / top).rglob(name)) for top in ("src", "tests", "bench", "queries", "docs", "shapes"))


def named_paths() -> list:
    out = []
    for page in PAGES:
        text = FENCED.sub(_blank, page.read_text(encoding="utf-8"))
        for m in TICKED.finditer(text):
            word = m.group(1)
            line = text[: m.start()].count("\n") + 1
            if word.startswith(("mifi_rdf.", *TOP, *SUBPACKAGES)) or (
                    "/" not in word and word.endswith((".py", ".rq", ".md")) and not word.startswith(".")):
                out.append(pytest.param(word, id=f"{page.relative_to(ROOT)}:{line}:{word}"))
    return out


def test_the_docs_name_paths():
    assert len(named_paths()) > 50


@pytest.mark.parametrize("word", named_paths())
def test_named_path_exists(word: str):
    if word.startswith("mifi_rdf."):
        module = PACKAGE.joinpath(*word.split(".")[1:])
        if not (module.with_suffix(".py").exists() or (module / "__init__.py").exists()):  # a name a module exports
            parent, name = word.rsplit(".", 1)
            assert hasattr(importlib.import_module(parent), name), f"no module {word}, nor {name} in {parent}"
    elif word.startswith(TOP):
        if WRITTEN.match(word):
            return
        assert _exists(word, ROOT), f"{word} does not exist in the repository"
    elif word.startswith(SUBPACKAGES):
        assert _exists(word, PACKAGE), f"src/mifi_rdf/{word} does not exist"
    else:
        assert _bare_exists(word), f"no file named {word} in src/, tests/, bench/, queries/, shapes/ or docs/"


def _line(text: str, m: re.Match) -> int:
    return text[: m.start()].count("\n") + 1


def prose_paths() -> list:
    """Paths of the repository named in running text, outside code spans, links and fenced blocks."""
    out = []
    for page in PAGES:
        text = SPAN.sub(_blank, FENCED.sub(_blank, page.read_text(encoding="utf-8")))
        text = LINK.sub("]", text)
        for m in PROSE.finditer(text):
            word = m.group(1).rstrip(".")
            if (w := WRITTEN_LETTER.match(word)) and w.group(2) in TEST_LETTERS:
                continue
            out.append(pytest.param(word, id=f"{page.relative_to(ROOT)}:{_line(text, m)}:{word}"))
    return out


def link_targets() -> list:
    """The relative targets of the pages' Markdown links (outside fenced blocks), resolved from the page's folder."""
    out = []
    for page in PAGES:
        text = FENCED.sub(_blank, page.read_text(encoding="utf-8"))
        for m in LINK.finditer(text):
            target = m.group(1).split("#")[0]
            if target and not re.match(r"[a-z]+:", target):
                out.append(pytest.param(page, target, id=f"{page.relative_to(ROOT)}:{_line(text, m)}:{target}"))
    return out


def pictured_modules() -> list:
    """The `mifi_rdf.x` modules and `x.py` files named in the pages' pictures (fenced blocks without a language)."""
    out = []
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for block in FENCED.finditer(text):
            if block.group(2).strip():
                continue
            for m in re.finditer(r"\bmifi_rdf(?:\.\w+)+|\b\w+\.py\b", block.group()):
                line = text[: block.start() + m.start()].count("\n") + 1
                out.append(pytest.param(m.group(), id=f"{page.relative_to(ROOT)}:{line}:{m.group()}"))
    return out


# The first folder of a backticked word that names no file of the repository: IRI paths relative to the base
# (`dataset/30952-t5`, `code/country/FRA`), media types (`text/csv`), URL paths (`/sparql`), a built folder's own
# files (`changes/index.html`, `OUTDIR/sources/…`), the wheel's, examples of bad names (`../31180/t1`, `a/b`), and the
# walkthroughs' `inbox/`, whose files tests/test_docs.py makes (make_inbox).
# Any other word with a slash is a path of the repository (`web/page.html` was one that had gone).
NOT_REPOSITORY = {"", "dataset", "shape", "agent", "text", "application", "code", "def", "structure", "letter", "graph",
                  "series", "changes", "OUTDIR", "mifi_rdf", "http", "..", "a", "<def", "<code", "<sources", "<BASE>sources",
                  "inbox"}
STANDARDS = ("shacl", "html-shacl")  # the folders of tests/standards/dcat-ap-3.0.1/ its paragraph names


def other_paths() -> list:
    """Backticked words with a slash that test_named_path_exists does not read (no folder of the repository first)."""
    out = []
    for page in PAGES:
        text = FENCED.sub(_blank, page.read_text(encoding="utf-8"))
        for m in TICKED.finditer(text):
            word = m.group(1)
            if "/" in word and "://" not in word and not word.startswith(("mifi_rdf.", *TOP, *SUBPACKAGES)):
                out.append(pytest.param(word, id=f"{page.relative_to(ROOT)}:{_line(text, m)}:{word}"))
    return out


@pytest.mark.parametrize("word", other_paths())
def test_other_slashed_word_is_no_path_or_exists(word: str):
    first = word.split("/")[0]
    if first in STANDARDS:
        assert _exists(f"tests/standards/*/{word}", ROOT), f"{word} is in no folder of tests/standards/"
    else:
        assert first in NOT_REPOSITORY or _exists(word, ROOT), f"{word} names no file of the repository"


def test_the_docs_name_paths_in_prose_links_and_pictures():
    assert len(prose_paths()) > 20 and len(link_targets()) > 20 and len(pictured_modules()) > 40


@pytest.mark.parametrize("word", prose_paths())
def test_path_in_prose_exists(word: str):
    assert WRITTEN.match(word) or _exists(word, ROOT), f"{word} does not exist in the repository"


@pytest.mark.parametrize(("page", "target"), link_targets())
def test_link_target_exists(page: Path, target: str):
    assert (page.parent / target).exists(), f"{page.name} links to {target}, which does not exist"


@pytest.mark.parametrize("word", pictured_modules())
def test_pictured_module_exists(word: str):
    if word.startswith("mifi_rdf."):
        module = PACKAGE.joinpath(*word.split(".")[1:])
        assert module.with_suffix(".py").exists() or (module / "__init__.py").exists(), f"no module {word}"
    else:
        assert any(PACKAGE.rglob(word)), f"no file {word} in src/mifi_rdf/"


def test_the_path_readers_catch_drift():
    """What each reader finds in a page that names files that are gone (the drifts issue 22 lists)."""
    page = "See src/mifi_rdf/guard.py and [the page](../web/page.html); `mifi_rdf.catalog`.\n\n```\n" \
           "src/mifi_rdf/\n  build.py   publication.py, mifi_rdf.tabular\n```\n"
    text = SPAN.sub(_blank, FENCED.sub(_blank, page))
    assert [m.group(1) for m in PROSE.finditer(LINK.sub("]", text))] == ["src/mifi_rdf/guard.py"]
    assert [m.group(1) for m in LINK.finditer(page)] == ["../web/page.html"]
    block = next(FENCED.finditer(page)).group()
    assert re.findall(r"\bmifi_rdf(?:\.\w+)+|\b\w+\.py\b", block) == ["build.py", "publication.py", "mifi_rdf.tabular"]
    assert not _exists("src/mifi_rdf/guard.py", ROOT) and not any(PACKAGE.rglob("publication.py"))
    assert "web" not in NOT_REPOSITORY and not _exists("web/page.html", ROOT)  # `web/page.html` fails its test
