"""The `mifi-rdf` command: a thin shell over the library (see pipeline.py).

Imports of rdflib/pyoxigraph are deferred into the commands so that `mifi-rdf --help` starts fast.
Exit codes: 0 success, 1 bad input data, 2 usage error.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__

DEFAULT_BASE = "https://w3id.org/mifi-rdf/"
FORMATS = ["ttl", "jsonld", "nt", "trig", "xml"]


class Context:
    def __init__(self, data: Path | None, ontology: Path | None) -> None:
        self.data, self.ontology = data, ontology

    def project(self, base: str):
        from .errors import InputError
        from .pipeline import load_project

        try:
            return load_project(base, self.data, self.ontology)
        except InputError as err:
            fail(str(err), 1)
        except ValueError as err:
            fail(str(err), 2)


def fail(message: str, code: int) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mifi-rdf")
@click.option("--data", type=click.Path(file_okay=False, path_type=Path), envvar="MIFI_RDF_DATA",
              help="Folder of curated tables (default: the project's data/).")
@click.option("--ontology", type=click.Path(file_okay=False, path_type=Path), envvar="MIFI_RDF_ONTOLOGY",
              help="Folder of vocabulary and code lists (default: the project's ontology/).")
@click.pass_context
def main(ctx: click.Context, data: Path | None, ontology: Path | None) -> None:
    """Publish MIFI access-to-information tables as W3C RDF Data Cube linked data."""
    ctx.obj = Context(data, ontology)


@main.command()
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="ttl", show_default=True,
              help="Serialization.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file (atomically) instead of stdout.")
@click.option("--base-uri", default=DEFAULT_BASE, show_default=True, help="Base of every URI minted.")
@click.option("--dataset", "datasets", multiple=True, metavar="ID",
              help="Only this dataset (e.g. 30952-t1); repeat for several. Default: all.")
@click.pass_obj
def export(obj: Context, fmt: str, output: Path | None, base_uri: str, datasets: tuple[str, ...]) -> None:
    """Build the cubes from data/ and ontology/ and serialize them.

    The export is self-contained: observations, datasets, letters, structures, component
    properties and the code lists they use.
    """
    from .errors import UsageError

    project = obj.project(base_uri)
    try:
        project.export(fmt, output, list(datasets) or None)
    except UsageError as err:
        fail(str(err), 2)
    if output:
        click.echo(f"wrote {output}", err=True)


@main.command()
@click.argument("query")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option("--base-uri", default=DEFAULT_BASE, show_default=True, help="Base of every URI minted.")
@click.pass_obj
def query(obj: Context, query: str, fmt: str, base_uri: str) -> None:
    """Run a SPARQL query over the built cubes.

    QUERY is the name of a query in queries/ (e.g. invitations-by-country), a path to a .rq file,
    or - to read the query from stdin. Relative IRIs in the query resolve against the base URI,
    so `PREFIX def: <def/>` works for any base. `mifi-rdf queries` lists the named ones.
    """
    from .errors import UsageError
    from .query import read_query, run_query

    project = obj.project(base_uri)
    try:
        text = read_query(query)
        click.echo(run_query(project, text, fmt), nl=False)
    except UsageError as err:
        fail(str(err), 2)
    except SyntaxError as err:
        fail(f"invalid SPARQL: {err}", 2)


@main.command("queries")
def list_queries() -> None:
    """List the named queries shipped in queries/, with the question each answers."""
    from .query import named_queries

    for name, question in named_queries():
        click.echo(f"{name:34} {question}")


@main.command("datasets")
@click.pass_obj
def list_datasets(obj: Context) -> None:
    """List the datasets (one per source table) with their number of cells."""
    project = obj.project(DEFAULT_BASE)
    for letter in project.letters:
        for t in letter.tables:
            click.echo(f"{t.dataset_id:10} {len(t.cells):4} cells  {t.title_en}")


@main.command()
@click.argument("reference", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("ontology/codes"),
              show_default=True)
def codelists(reference: Path, out: Path) -> None:
    """Regenerate the reference code lists (countries, regions, MRCs, municipalities) from REFERENCE.

    REFERENCE is the folder of authoritative CSV files (../shared/reference in the workspace).
    """
    from .codelists import write_reference_codelists

    for path in write_reference_codelists(reference, out):
        click.echo(f"wrote {path}", err=True)


@main.command()
@click.option("--endpoint", required=True, metavar="URL",
              help="Graph Store HTTP Protocol endpoint (Virtuoso: http://host:8890/sparql-graph-crud-auth).")
@click.option("--query-endpoint", metavar="URL",
              help="SPARQL query endpoint used to count the triples loaded (default: --endpoint).")
@click.option("--base-uri", default=DEFAULT_BASE, show_default=True, help="Base of every URI minted.")
@click.pass_obj
def publish(obj: Context, endpoint: str, query_endpoint: str | None, base_uri: str) -> None:
    """Load every dataset, the code lists, the ontology and the letters into a triple store.

    One named graph each, replaced with PUT (running twice duplicates nothing), then each graph's
    triples are counted with a SPARQL query. Credentials: MIFI_RDF_ENDPOINT_USER and
    MIFI_RDF_ENDPOINT_PASSWORD (never on the command line). Exit 1 if anything failed.
    """
    from .publish import Endpoint
    from .publish import publish as run_publish

    project = obj.project(base_uri)
    report = run_publish(project, Endpoint(endpoint, query_endpoint))
    for line in report.lines():
        click.echo(line)
    total = sum(p.triples for p in report.loaded)
    click.echo(f"{len(report.loaded)} graphs loaded ({total} triples), {len(report.not_loaded)} not loaded")
    if not report.ok:
        sys.exit(1)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8080, show_default=True, type=int, help="Port (0: any free port).")
@click.option("--base-uri", default=DEFAULT_BASE, show_default=True, help="Base of every URI minted.")
@click.option("--timeout", default=10.0, show_default=True, type=float, help="Seconds a SPARQL query may run.")
@click.option("--max-result-mb", default=20.0, show_default=True, type=float, help="Largest SPARQL answer, in MB.")
@click.option("--workers", default=3, show_default=True, type=int, help="Query worker processes.")
@click.option("--cache-mb", default=64.0, show_default=True, type=float,
              help="Memory for answers and pages already computed (0: no cache).")
@click.option("-v", "--verbose", is_flag=True, help="Log every request to stderr.")
@click.pass_obj
def serve(obj: Context, host: str, port: int, base_uri: str, timeout: float, max_result_mb: float, workers: int,
          cache_mb: float, verbose: bool) -> None:
    """Serve a read-only SPARQL 1.1 endpoint at /sparql and every URI under the base.

    Paths mirror the URIs: /dataset/30952-t5 is <BASE>dataset/30952-t5; it answers 303 See Other
    to its description (.html, .ttl, .jsonld, .nt) chosen by the Accept header.
    """
    from .pool import Limits
    from .server import Settings
    from .server import serve as run_server

    limits = Limits(timeout=timeout, max_bytes=int(max_result_mb * 1_000_000))
    run_server(obj.project(base_uri), Settings(host, port, limits, workers, cache_mb), verbose)
