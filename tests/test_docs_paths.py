"""Every repository path the documentation names exists: docs that name moved or deleted files mislead a newcomer.

A path is a backticked word of README.md, docs/*.md, data/README.md or sources/letters/README.md that either starts
with a folder of the repository (`src/`, `data/`, `tests/`, …) or names a module of the package (`audit/grouped.py`,
`render/charts.py`), or is a bare Python module or query name (`placement.py`, `labels.rq`). Placeholders such as
`<ref>` match any name. Names of files that commands *write* (`catalog.ttl`, `index.html`) are not paths of the
repository and are left alone: only `.py`, `.rq` and `.md` are checked when bare.
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
FENCED = re.compile(r"^```.*?^```", re.M | re.S)


def _exists(pattern: str, base: Path) -> bool:
    glob = re.sub(r"<[^>]+>", "*", pattern.rstrip("/"))
    return any(base.glob(glob)) if "*" in glob else (base / glob).exists()


def _bare_exists(name: str) -> bool:
    return any(any((ROOT / top).rglob(name)) for top in ("src", "tests", "bench", "queries", "docs", "shapes"))


def named_paths() -> list:
    out = []
    for page in PAGES:
        text = FENCED.sub(lambda m: "\n" * m.group().count("\n"), page.read_text(encoding="utf-8"))
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
