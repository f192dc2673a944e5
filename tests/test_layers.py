"""The package's imports run one way: no import circles, and each module imports only its own layer or those below.

Every module of src/mifi_rdf/ is parsed with `ast` (nothing is imported). Its dependencies are the mifi_rdf modules
it names in `import` / `from … import` statements anywhere in the file: at module level *and* inside functions —
a lazy import, there to keep start-up fast, is still a dependency, and a circle hidden in a function is still a
circle (it only fails later, at the first call). `from .x import name` depends on `x`, and on `x.name` when that is a
module. Imports under `if TYPE_CHECKING:` are left out: they never run, they only name types for the checker.

The layers, lowest first, follow the stages of the data (docs/design.md, "Modules"): load → cube → validate →
serialize → the project façade → build / render (a build folder and its site) → the commands' back ends (serve,
query, publish, ingest, …) → the CLI. A layer is a list of packages (`load/`) and modules (`cube.py`); the most
specific entry names a module's layer, so `serialize/xlsx.py` (a build folder's workbook, written from its CSVW
facts) sits in the build layer while the rest of serialize/ sits below the project.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from conftest import ROOT

PACKAGE = ROOT / "src" / "mifi_rdf"

LAYERS: list[tuple[str, list[str]]] = [
    ("base", ["mifi_rdf", "errors", "nesting", "paths", "namespaces", "progress", "files"]),
    ("load", ["load", "model"]),
    ("cube", ["cube", "audit"]),
    ("validate", ["validate"]),
    ("serialize", ["serialize"]),
    ("project", ["project", "streaming"]),
    ("build", ["build", "render", "serialize.tabular", "serialize.xlsx", "tabular"]),
    ("commands", ["serve", "query", "publish", "ingest", "codelists", "codelists_fr"]),
    ("cli", ["cli", "__main__"]),
]
# The package's front door re-exports the readers of tabular/ in its `__getattr__`, imported when first used so that
# `import mifi_rdf` (and `from mifi_rdf import __version__`) loads nothing: the one import that reaches upwards.
FRONT_DOOR = {("mifi_rdf", "mifi_rdf.tabular.frame"), ("mifi_rdf", "mifi_rdf.tabular.read")}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _type_checking_only(tree: ast.Module) -> set[int]:
    """The ids of the import nodes under `if TYPE_CHECKING:`."""
    out: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            out.update(id(n) for stmt in node.body for n in ast.walk(stmt))
    return out


def imports(name: str) -> dict[str, int]:
    """The mifi_rdf modules that module `name` imports, each with the line of its first import."""
    path = MODULES[name]
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    skip = _type_checking_only(tree)
    out: dict[str, int] = {}
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            named = [target, *(f"{target}.{alias.name}" for alias in node.names)]
        elif isinstance(node, ast.Import):
            named = [alias.name for alias in node.names]
        else:
            continue
        for target in named:
            if target in MODULES and target != name:
                out.setdefault(target, node.lineno)
    return out


GRAPH = {name: imports(name) for name in MODULES}


def layer(name: str) -> int:
    """The rank of a module's layer: the entry naming it most specifically (`serialize.xlsx` before `serialize`)."""
    short = name.removeprefix("mifi_rdf.") if name != "mifi_rdf" else name
    best: tuple[int, int] | None = None
    for rank, (_, entries) in enumerate(LAYERS):
        for entry in entries:
            if (short == entry or short.startswith(entry + ".")) and (best is None or len(entry) > best[0]):
                best = (len(entry), rank)
    assert best is not None, f"{name} is in no layer of tests/test_layers.py: place it"
    return best[1]


def cycle() -> list[str] | None:
    """One import circle (its modules, the first repeated at the end), or None."""
    state: dict[str, int] = {}  # 1: on the path being walked, 2: done
    path: list[str] = []

    def walk(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(GRAPH[node]):
            if state.get(target) == 1:
                return [*path[path.index(target):], target]
            if target not in state and (found := walk(target)):
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(GRAPH):
        if node not in state and (found := walk(node)):
            return found
    return None


def test_the_graph_is_read():
    """The parse finds the imports it must (a checker that reads nothing passes everything)."""
    assert len(MODULES) > 100
    assert "mifi_rdf.cube" in GRAPH["mifi_rdf.project"]
    assert "mifi_rdf.validate.fast" in GRAPH["mifi_rdf.streaming"]  # a function-level import
    assert "mifi_rdf.validate.results" not in GRAPH["mifi_rdf.project"]  # named under TYPE_CHECKING only


def test_type_checking_imports_are_left_out():
    source = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .b import X\nfrom .c import Y\n"
    tree = ast.parse(source)
    skipped = _type_checking_only(tree)
    kept = [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and id(n) not in skipped]
    assert kept == ["typing", "c"]


def test_no_import_circle():
    found = cycle()
    assert found is None, "import circle: " + " → ".join(
        f"{a} (line {GRAPH[a][b]})" for a, b in zip(found, found[1:], strict=False)) + f" → {found[-1]}"


def test_a_circle_is_found_when_there_is_one(monkeypatch):
    monkeypatch.setitem(GRAPH, "mifi_rdf.load.text", {**GRAPH["mifi_rdf.load.text"], "mifi_rdf.cube": 1})
    found = cycle()
    assert found is not None and found[0] == found[-1] and {"mifi_rdf.cube", "mifi_rdf.load.text"} <= set(found)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_imports_only_its_layer_or_below(name: str):
    upward = [f"{target} (line {line}, layer {LAYERS[layer(target)][0]})" for target, line in sorted(GRAPH[name].items())
              if layer(target) > layer(name) and (name, target) not in FRONT_DOOR]
    assert not upward, f"{name} (layer {LAYERS[layer(name)][0]}) imports from above: {', '.join(upward)}"


def test_design_md_shows_these_layers():
    """docs/design.md's « Modules » table is the list above, row for row: the page a newcomer reads is the rule enforced."""
    text = (ROOT / "docs" / "design.md").read_text(encoding="utf-8")
    section = text.split("\n## Modules\n", 1)[1].split("\n## ", 1)[0]
    rows = [row.split("|")[1:3] for row in section.splitlines() if row.startswith("| ") and "`" in row]
    shown = [(name.strip(), [m.strip("`") for m in modules.strip().split(", ")]) for name, modules in rows]
    assert shown == LAYERS
    for _, entries in LAYERS:  # and every entry is a module or package of src/mifi_rdf/
        for entry in entries:
            assert f"mifi_rdf.{entry}" in MODULES or entry == "mifi_rdf", f"{entry} of LAYERS is no module of src/mifi_rdf/"
