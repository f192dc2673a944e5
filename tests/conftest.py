"""Shared fixtures: the real project, exported once through the CLI, parsed by real parsers."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from mifi_rdf.cli import main
from mifi_rdf.project import load_project

ROOT = Path(__file__).resolve().parents[1]
LETTERS = ROOT / "sources" / "letters"  # the letters as text, one file per N/Réf.
REFERENCE = ROOT / "sources" / "reference"  # authoritative code tables
STANDARDS = ROOT / "tests" / "standards"  # W3C Data Cube IC queries, DCAT-AP 3.0.1 shapes


def needs_program(program: str, package: str) -> pytest.MarkDecorator:
    """Mark a test that needs a server or tool installed on the machine, and the Debian package that brings it."""
    return pytest.mark.needs_program(program, package)


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Skip a test whose program is missing, naming the package to install; but with
    MIFI_RDF_REQUIRE_SERVERS=1 (set by .ci/run) fail it, so CI can never pass by skipping."""
    for mark in item.iter_markers("needs_program"):
        program, package = mark.args
        if shutil.which(program) is None:
            message = f"{program} not installed: apt-get install {package} (.ci/run does)"
            if os.environ.get("MIFI_RDF_REQUIRE_SERVERS") == "1":
                pytest.fail(f"{message}; MIFI_RDF_REQUIRE_SERVERS=1 makes this a failure")
            pytest.skip(message)
def parse_rdf(source: Path | str | bytes, fmt: str, base: str = "https://w3id.org/mifi-rdf/"):
    """A file (or text) in an rdflib graph. JSON-LD is read by pyoxigraph, since rdflib 7's JSON-LD
    parser builds a deprecated ConjunctiveGraph; both are independent of our JSON-LD writer."""
    import pyoxigraph as ox
    import rdflib

    data = source.encode("utf-8") if isinstance(source, str) else source
    if fmt != "json-ld":
        return rdflib.Graph().parse(source, format=fmt) if isinstance(source, Path) else \
            rdflib.Graph().parse(data=data, format=fmt, publicID=base)
    kwargs = {"path": str(source)} if isinstance(source, Path) else {"input": data}
    nt = ox.serialize(ox.parse(format=ox.RdfFormat.JSON_LD, base_iri=base, **kwargs), format=ox.RdfFormat.N_TRIPLES)
    return rdflib.Graph().parse(data=nt.decode("utf-8"), format="nt")


def run(*args: str, input: str | None = None):
    """Invoke the CLI in-process, the way a user would type it."""
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


@pytest.fixture(scope="session")
def project():
    return load_project()


@pytest.fixture(scope="session")
def export_dir(tmp_path_factory) -> Path:
    """Every format exported once by `mifi-rdf export -o`."""
    out = tmp_path_factory.mktemp("export")
    for fmt in ("ttl", "nt", "trig", "xml", "jsonld"):
        result = run("export", "--format", fmt, "-o", str(out / f"cube.{fmt}"))
        assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="session")
def graph(export_dir):
    """The Turtle export parsed by rdflib (an engine independent of the one that wrote it)."""
    import rdflib

    return rdflib.Graph().parse(export_dir / "cube.ttl", format="turtle")


@pytest.fixture(scope="session")
def store(export_dir):
    import pyoxigraph as ox

    s = ox.Store()
    s.bulk_load(path=str(export_dir / "cube.nt"), format=ox.RdfFormat.N_TRIPLES)
    return s


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    """A folder built by `mifi-rdf build` with the default options, as it would sit on the web server."""
    out = tmp_path_factory.mktemp("site") / "site"
    result = run("build", str(out))
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture()
def data_copy(tmp_path) -> Path:
    """A private copy of data/ that a test may break."""
    dest = tmp_path / "data"
    shutil.copytree(ROOT / "data", dest)
    return dest
