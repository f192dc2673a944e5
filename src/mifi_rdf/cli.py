"""The `mifi-rdf` command: a thin shell over the library (see project.py).

Imports of rdflib/pyoxigraph are deferred into the commands so that `mifi-rdf --help` starts fast.
Errors are not handled command by command: every error of the library reaches `Shell.invoke`, which
prints it on one line and exits with the code `errors.exit_code` gives it (0 done, 1 bad data or
rule violations, 2 usage error or unreadable input).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

import click

from . import __version__, progress

DEFAULT_BASE = "https://w3id.org/mifi-rdf/"  # namespaces.DEFAULT_BASE, restated so that --help imports nothing
FORMATS = ["ttl", "jsonld", "nt", "trig", "xml"]
TABULAR_FORMATS = ["csv", "sdmx-csv", "sdmx-ml", "sdmx-ml-data"]  # serialize/tabular.py


class Shell(click.Group):
    """The command group: turns any error of the library into `error: …` and its exit code."""

    def main(self, *args, **kwargs):
        """click's own errors (an unknown option, a FILE that does not exist) the way ours are said:
        one line `error: …`, exit 2, instead of click's usage block ending in `Error: …` (issue 23)."""
        from .errors import exit_code

        if not kwargs.pop("standalone_mode", True):
            return super().main(*args, standalone_mode=False, **kwargs)
        try:
            result = super().main(*args, standalone_mode=False, **kwargs)
        except click.exceptions.NoArgsIsHelpError as err:  # `mifi-rdf` alone: the help, as click prints it
            err.show()
            sys.exit(err.exit_code)
        except click.ClickException as err:
            path = err.ctx.command_path.split() if getattr(err, "ctx", None) else []
            where = " ".join(["mifi-rdf", *path[1:]])  # the program's own name, however it was started
            click.echo(f"error: {err.format_message()} (see `{where} --help`)", err=True)
            sys.exit(exit_code(err))
        except click.Abort:  # Ctrl-C before a command started (click turns it into Abort)
            click.echo("error: interrupted (SIGINT); nothing was written", err=True)
            sys.exit(130)
        sys.exit(result if isinstance(result, int) else 0)

    def invoke(self, ctx: click.Context):
        import signal
        import threading

        from .errors import PIPE_CLOSED, Interrupted, MifiError, exit_code
        from .serialize.temporary import interrupt

        previous = {}
        if threading.current_thread() is threading.main_thread():  # signals reach the main thread only
            for signum in (signal.SIGINT, signal.SIGTERM):  # SIGTERM like Ctrl-C: temporaries removed (issue 15)
                previous[signum] = signal.signal(signum, lambda signum, frame: interrupt(signum))
        progress.show_on(sys.stderr)  # drawn only on a terminal: pipes and logs get exactly the output
        unbuffered = whole_writes()
        try:
            try:
                return super().invoke(ctx)
            finally:
                sys.stdout.flush()  # a reader that went away is seen here, not as a warning at exit
        except BrokenPipeError:
            quiet_stdout()
            sys.exit(PIPE_CLOSED)
        except MifiError as err:
            fail(str(err), exit_code(err))
        except KeyboardInterrupt as err:
            signum = err.signum if isinstance(err, Interrupted) else signal.SIGINT
            fail(f"interrupted ({signal.Signals(signum).name}); nothing was written", 128 + signum)
        except OSError as err:  # a file the system would not let us read or write: no traceback (issue 15)
            fail(os_error(err), exit_code(err))
        finally:  # a caller that invoked the CLI in its own process gets its handlers and its stdout back
            progress.show_on(None)
            if unbuffered is not None:
                try:
                    sys.stdout.flush()
                except OSError:  # the reader went away on the way out (an error being reported)
                    quiet_stdout()
                sys.stdout.detach().detach()  # the buffered layers go, fd 1 stays open
                sys.stdout = unbuffered
            for signum, handler in previous.items():
                signal.signal(signum, handler)


def whole_writes() -> TextIO | None:
    """Under PYTHONUNBUFFERED (set in many containers), stdout's text layer writes straight to the file
    descriptor and ignores a short write: when the reader of a pipe goes away during a write, the
    kernel takes part of it, the rest is dropped without an error and the command exits 0 with its
    output cut (`mifi-rdf validate --format json | head -1`, issue 23). A buffered writer in between
    writes every byte or raises BrokenPipeError, which `Shell.invoke` turns into PIPE_CLOSED like any
    closed pipe. Returns the stream replaced (put back when the command ends), or None if stdout was
    already buffered (or is not a file descriptor, as under click's CliRunner)."""
    import io

    out = sys.stdout
    if not isinstance(getattr(out, "buffer", None), io.FileIO):
        return None
    sys.stdout = io.TextIOWrapper(io.BufferedWriter(out.buffer), encoding=out.encoding, errors=out.errors,
                                  line_buffering=out.line_buffering, write_through=True)
    return out


def quiet_stdout() -> None:
    """The reader of stdout closed it (`mifi-rdf export | head -1`): stop, quietly, as Unix tools do.

    Whatever Python still holds for stdout goes to /dev/null, so that no flush at exit complains."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def os_error(err: OSError) -> str:
    """`path: reason` for an OSError, the way the shell says it (no errno, no Python names)."""
    what = err.strerror or str(err)
    if err.filename is not None:
        from .errors import display_path

        return f"{display_path(err.filename)}: {what}"
    return what


class Context:
    def __init__(self, data: Path | None, ontology: Path | None) -> None:
        self.data, self.ontology = data, ontology

    def project(self, base: str, cells: bool = True):
        from .project import load_project

        return load_project(base, self.data, self.ontology, cells)


def fail(message: str, code: int) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


@click.group(cls=Shell, context_settings={"help_option_names": ["-h", "--help"]})
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
@click.option("--format", "fmt", type=click.Choice(FORMATS + TABULAR_FORMATS), default="ttl", show_default=True,
              help="Serialization: RDF, or a table: csv (one dataset, with its CSVW metadata beside -o FILE), "
                   "sdmx-csv (SDMX-CSV 2.0 data), sdmx-ml (SDMX-ML 2.1 structures: DSDs, code lists, dataflows), "
                   "sdmx-ml-data (SDMX-ML 2.1 generic data).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file (atomically) instead of stdout.")
@click.option("--base-uri", default=DEFAULT_BASE, show_default=True, help="Base of every URI minted.")
@click.option("--dataset", "datasets", multiple=True, metavar="ID",
              help="Only this dataset (e.g. 30952-t1); repeat for several. Default: all.")
@click.option("--no-validate", is_flag=True, help="Write without checking the cubes against shapes/ first.")
@click.pass_obj
def export(obj: Context, fmt: str, output: Path | None, base_uri: str, datasets: tuple[str, ...],
           no_validate: bool) -> None:
    """Build the cubes from data/ and ontology/ and serialize them.

    The export is self-contained: observations, datasets, letters, structures, component
    properties and the code lists they use. It is validated (as `mifi-rdf validate`, in the same
    pass over the cells) and refused, with nothing written, if any rule is violated.
    """

    if output:
        from .serialize.writers import writable

        writable(output)  # before the work, not after it
    # the cells are read table by table as they are written (memory bounded by a table); validated,
    # in the same pass, and the output reaches its place only if the cubes conform
    project = obj.project(base_uri, cells=False)
    if fmt in TABULAR_FORMATS:
        from .serialize.tabular import check_tabular, export_tabular

        check_tabular(project, fmt, list(datasets) or None)  # before the work, not after it
        if no_validate:
            click.echo("warning: not validated (--no-validate)", err=True)
        else:
            refuse_invalid(project, list(datasets) or None)
        export_tabular(project, fmt, output, list(datasets) or None)
    elif no_validate:
        click.echo("warning: not validated (--no-validate)", err=True)
        project.export(fmt, output, list(datasets) or None)
    else:
        from .streaming import export_validated

        report, store = export_validated(project, fmt, output, project.select(list(datasets) or None))
        show_verdict(project, report, store)
    if output:
        click.echo(f"wrote {output}", err=True)


def refuse_invalid(project, datasets: list[str] | None, nothing: str = "nothing was written") -> None:
    """Validate before writing: violations stop the export (exit 1), warnings are counted on stderr."""
    report, store = project.validate(datasets)
    show_verdict(project, report, store, nothing)


def show_verdict(project, report, store, nothing: str = "nothing was written") -> None:
    """Violations: the report on stderr and exit 1; otherwise the counts on stderr."""
    from .validate.report import Describer, render_text, summary

    if not report.conforms():
        click.echo(render_text(report, Describer(store, report, project.vocab.base, "en"), "en"), err=True, nl=False)
        fail(f"the cubes violate the rules above; {nothing} (--no-validate goes on anyway)", 1)
    click.echo(f"validated: {summary(report, 'en')} `mifi-rdf validate` explains each warning.", err=True)


@main.command()
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--input-format", type=click.Choice(["ttl", "nt", "nq", "trig", "xml", "jsonld"]),
              help="Syntax of FILES (default: from each file's extension).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "ttl"]), default="text", show_default=True,
              help="text for people; json, or ttl (the SHACL validation report), for machines.")
@click.option("--lang", type=click.Choice(["fr", "en"]), default="en", show_default=True,
              help="Language of rule names, messages and labels.")
@click.option("--strict", is_flag=True, help="Warnings fail too (exit 1).")
@click.option("--show-info", is_flag=True, help="List the notes (sh:Info) instead of counting them.")
@click.option("--engine", type=click.Choice(["oxigraph", "sparql", "pyshacl"]), default="oxigraph", show_default=True,
              help="oxigraph runs the rules over cells as columnar group-bys and the others in SPARQL; sparql runs "
                   "each rule once over the whole graph; pyshacl is the reference SHACL engine (slow).")
@click.option("--base-uri", default=DEFAULT_BASE, show_default=True,
              help="Base of the URIs in the data (our vocabulary is def/ under it).")
@click.option("--dataset", "datasets", multiple=True, metavar="ID",
              help="Only this dataset of data/ (ignored with FILES); repeat for several.")
@click.pass_obj
def validate(obj: Context, files: tuple[Path, ...], input_format: str | None, fmt: str, lang: str, strict: bool,
             show_info: bool, engine: str, base_uri: str, datasets: tuple[str, ...]) -> None:
    """Check cubes against the rules of shapes/: the W3C Data Cube integrity constraints and
    mifi-rdf's profile (disclosure, totals, percentages, statuses, labels).

    Without FILES, the cubes built from data/; otherwise the RDF FILES given (any syntax, read
    from the extension or --input-format). Exit 0 conforms, 1 violations (or warnings with
    --strict), 2 usage or parse error.
    """
    from .namespaces import normalize_base
    from .validate.check import check
    from .validate.engine import has_cube, rdflib_from_files, store_from_files
    from .validate.report import Describer, render_json, render_text, render_turtle

    if files:
        base = normalize_base(base_uri)
        parsed = None
        if engine == "oxigraph":  # the observations parsed into columns, not a store (memory, validate/stream.py)
            from .validate.stream import Parsed

            parsed = Parsed(list(files), input_format, base)
            store = parsed.store
        else:
            store = store_from_files(files, input_format, base)
        graph = rdflib_from_files(files, input_format, base) if engine == "pyshacl" else None
        if not has_cube(store):  # a file without a cube conformed to every rule, vacuously (issue 23)
            from .errors import display_path

            fail(f"{', '.join(display_path(f) for f in files)}: no qb:DataSet: there is no cube to validate "
                 "(expected W3C Data Cube datasets)", 1)
        report = check(store, base, engine, graph, parsed)
        store = parsed.store if parsed is not None else store
    else:
        # the default engine reads the cells table by table (memory bounded by a table); the others need them all
        project = obj.project(base_uri, cells=engine != "oxigraph")
        base = project.vocab.base
        report, store = project.validate(list(datasets) or None, engine)
    describer = Describer(store, report, base, lang)
    if fmt == "json":
        out = render_json(report, describer, lang, strict)
    elif fmt == "ttl":
        out = render_turtle(report, describer, strict)
    else:
        out = render_text(report, describer, lang, show_info, strict)
    click.echo(out, nl=False)
    sys.exit(0 if report.conforms(strict) else 1)


@main.command()
@click.option("--dataset", "datasets", multiple=True, metavar="ID",
              help="Report only this dataset (e.g. 31180-t1); repeat for several. Relations still use every table.")
@click.option("--format", "fmt", type=click.Choice(["text", "csv", "json", "ttl"]), default="text", show_default=True,
              help="text for people; csv (one row per suppressed cell), json, or ttl (the bounds as attributes).")
@click.option("--lang", type=click.Choice(["fr", "en"]), default="en", show_default=True, help="Language of the text.")
@click.option("--base-uri", default=DEFAULT_BASE, show_default=True, help="Base of the observation IRIs.")
@click.pass_obj
def audit(obj: Context, datasets: tuple[str, ...], fmt: str, lang: str, base_uri: str) -> None:
    """Bound every suppressed cell by what the published tables allow, and check the facts that
    must agree across tables and letters.

    For each blanked cell, the smallest and largest whole value the printed totals, percentages
    and other letters leave possible (integer programming, HiGHS); a cell whose bounds meet is
    disclosed, and the arithmetic that recovers it is shown. Exit 0 when nothing is disclosed,
    1 when a cell is disclosed or the printed figures contradict each other (or data/ is bad, as
    for every command), 2 on a usage error.
    """
    from .audit.report import render_csv, render_json, render_text, triples
    from .serialize.writers import write

    project = obj.project(base_uri)
    result = project.audit().only(project.select(list(datasets) or None))
    base = project.vocab.base
    if fmt == "ttl":
        write(triples(result, base), "ttl", sys.stdout.buffer, base)
        sys.stdout.buffer.flush()
    else:
        out = {"csv": lambda: render_csv(result, base), "json": lambda: render_json(result, base, lang)}.get(
            fmt, lambda: render_text(result, lang))()
        click.echo(out, nl=False)
    sys.exit(1 if result.disclosed or result.unexplained or result.infeasible else 0)


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
    from .query import read_query, run_query

    project = obj.project(base_uri)
    text = read_query(query)
    import shutil

    terminal = shutil.get_terminal_size().columns if sys.stdout.isatty() else None  # a file or a pipe gets every character
    click.echo(run_query(project, text, fmt, terminal), nl=False)


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
@click.argument("reference", required=False, type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("ontology/codes"),
              show_default=True)
def codelists(reference: Path | None, out: Path) -> None:
    """Regenerate the reference code lists (countries, regions, MRCs, municipalities) from REFERENCE.

    REFERENCE is the folder of authoritative CSV files (default: the project's sources/reference).
    """
    from .codelists import write_reference_codelists
    from .paths import project_paths

    report: list[str] = []
    for path in write_reference_codelists(reference or project_paths().sources / "reference", out, report):
        click.echo(f"wrote {path}", err=True)
    for line in report:
        click.echo(line, err=True)


@main.command("ingest")
@click.argument("letter", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Read, match, check and report; write nothing.")
@click.option("--report", "report_file", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Also write the report as JSON to FILE.")
@click.option("--map", "maps", multiple=True, metavar="LABEL=CODE",
              help="Code a printed label a person has resolved (a homonym, an unknown name); repeat for several.")
@click.option("--mapping", "mapping_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), metavar="FILE",
              help="A file of `Label = code` lines, as --map.")
@click.option("--replace", is_flag=True, help="Replace the letter's folder if it is already in the data folder.")
@click.option("--accept-revisions", is_flag=True,
              help="Publish a figure that differs from the one another letter states for the same cell, as its revision.")
@click.option("--reference", metavar="NNNNN", help="The letter's N/Réf., for an attachment that does not state it.")
@click.option("--date", "letter_date", metavar="YYYY-MM-DD", help="The letter's date, for an attachment that does not state it.")
@click.option("--received", metavar="YYYY-MM-DD", help="When the request was received, for an attachment that does not state it.")
@click.option("--request-fr", metavar="TEXT", help="The request's wording, for an attachment that does not state it.")
@click.option("--confirm", "confirms", multiple=True, metavar="pN:ROW:FIGURE[=FIGURE]",
              help="A scanned letter: confirm (or correct after =) a figure OCR read on page N in row ROW; repeat.")
@click.option("--review", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE.html",
              help="Also write a review page: each table beside its page image, each cell marked (even if refused).")
@click.pass_obj
def ingest_cmd(obj: Context, letter: Path, dry_run: bool, report_file: Path | None, maps: tuple[str, ...],
               mapping_file: Path | None, replace: bool, accept_revisions: bool, reference: str | None,
               letter_date: str | None, received: str | None, request_fr: str | None, confirms: tuple[str, ...],
               review: Path | None) -> None:
    """Turn a new letter into curated data: DATA/<N/Réf.>/letter.toml and one CSV per table.

    LETTER is the letter's PDF (its text layer, or a scan read by OCR), its text (as `pdftotext -layout`
    or another extraction gives it), or an attachment: a CSV/XLSX table with its caption, a DOCX letter
    or table; what an attachment does not state (reference, dates, request) is given with --reference,
    --date, --received, --request-fr.
    Labels are matched to the code lists; a typo with one close match is fixed and recorded; an
    ambiguous or unknown label, a total that does not add up or a row that does not parse stops
    everything (exit 1, nothing written) until resolved with --map. A cell another letter of the data
    folder states otherwise is a revision, written only with --accept-revisions. The files are checked
    as `export` would before they are moved into place, with the letter's own file, kept as
    sources/letters/<N/Réf.>.<suffix> (beside DATA with --data). Exit 0 written, 1 bad data, 2 unreadable input.
    """
    from .ingest.run import command

    facts = {"reference": reference, "letter_date": letter_date, "received": received, "request_fr": request_fr}
    sys.exit(command(obj.data, obj.ontology, letter, dry_run, report_file, maps, mapping_file, replace,
                     lambda s: click.echo(s, nl=False), lambda s: click.echo(s, err=True), accept_revisions, facts,
                     confirms, review))


def build_options(fn):
    """The choices recorded in a built folder's catalog, shared by build, publish and serve."""
    fn = click.option("--issued", type=click.DateTime(formats=["%Y-%m-%d"]), metavar="YYYY-MM-DD",
                      help="Date of the catalog (default: the date of the latest letter).")(fn)
    return click.option("--license", "license_iri", metavar="IRI",
                        help="Licence of every distribution (default: data/catalog.toml's, CC BY).")(fn)


@main.command("build")
@click.argument("outdir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--base-uri", default=DEFAULT_BASE, show_default=True, help="Base of every URI minted and of every URL.")
@build_options
@click.option("--sparql-endpoint", metavar="URL", help="SPARQL endpoint to name in void.ttl.")
@click.option("--no-validate", is_flag=True, help="Build without checking the cubes against shapes/ first.")
@click.option("--previous", "previous", type=click.Path(path_type=Path), metavar="PREV",
              help="Folder of the last release: this build is the next one (what changed, versions, withdrawals).")
@click.option("--release", "release", metavar="ID", help="Id of this release, e.g. 2026-12 (default: its date).")
@click.pass_obj
def build_cmd(obj: Context, outdir: Path, base_uri: str, license_iri: str | None, issued, sparql_endpoint: str | None,
              no_validate: bool, previous: Path | None, release: str | None) -> None:
    """Write a publishable folder: every dataset as Turtle, JSON-LD, N-Triples and CSV (with CSVW),
    the ontology and code lists, a DCAT-AP catalog, VoID and web pages with schema.org metadata.

    OUTDIR is replaced only when the new folder is complete; one line per dataset on stderr. The
    cubes are validated first (as `mifi-rdf validate`); a violation leaves OUTDIR untouched.

    With --previous PREV, the build is the release after PREV's: release.json and changes.json say
    what changed (datasets added, revised cell by cell, withdrawn as data/withdrawn.toml declares),
    each changed dataset gets a new version and every earlier version's files are kept under
    dataset/ID/vN/. Nothing changed: the folder is PREV's, byte for byte.
    """
    from .build.config import Options
    from .build.folder import build_folder
    from .build.history import History
    from .build.release import check_release_id, read_previous, release_notes

    project = obj.project(base_uri)
    say_borrowed_catalog(obj)
    if release is not None:
        check_release_id(release)
    before = read_previous(previous) if previous is not None else None  # read now: OUTDIR may be PREV itself
    options = Options(license_iri, issued.date() if issued else None, sparql_endpoint, previous, release)
    if no_validate:
        click.echo("warning: not validated (--no-validate)", err=True)
    else:
        refuse_invalid(project, None)
    written = build_folder(project, outdir, options, obj.data, progress=lambda line: click.echo(line, err=True))
    history = History.read(outdir)
    if before is not None and history is not None and len(history.releases) == len(before.releases):
        click.echo(f"no change since release {history.current.release}", err=True)
    elif history is not None:
        click.echo(f"release {history.current.release} ({history.current.date}): {release_notes(history.current)[1]}",
                   err=True)
    click.echo(f"wrote {outdir}: {len(written)} files", err=True)


def say_borrowed_catalog(obj: Context) -> None:
    """A warning when the data folder has no catalog.toml of its own (build, publish, serve)."""
    from .build.config import borrowed_catalog

    said = borrowed_catalog(obj.data)
    if said:
        click.echo(f"warning: {said}", err=True)


def checked_site(project, site: Path):
    """The folder --site names, or exit 2 saying why it is not a build of this project."""
    from .build.site import open_site

    return open_site(project, site)


def publish_catalog(obj: Context, project, site: Path | None, license_iri: str | None, issued):
    """The catalog to publish: the built folder's (--site), or the one `build` would write."""
    from .build.config import Options
    from .build.site import built_catalog

    if site is not None:
        if license_iri or issued:
            fail("--license and --issued are the build's: with --site, the folder's catalog is used as it was built", 2)
        return checked_site(project, site).catalog
    return built_catalog(project, Options(license_iri, issued.date() if issued else None), obj.data)


@main.command()
@click.option("--endpoint", required=True, metavar="URL",
              help="Graph Store HTTP Protocol endpoint (Virtuoso: http://host:8890/sparql-graph-crud-auth).")
@click.option("--query-endpoint", metavar="URL",
              help="SPARQL query endpoint used to count the triples loaded (default: --endpoint).")
@click.option("--base-uri", default=DEFAULT_BASE, show_default=True, help="Base of every URI minted.")
@click.option("--site", type=click.Path(file_okay=False, exists=True, path_type=Path), metavar="OUTDIR",
              help="Folder written by `mifi-rdf build` whose catalog to load (default: build one in a temporary "
                   "folder with the options below).")
@build_options
@click.option("--no-validate", is_flag=True, help="Publish without checking the cubes against shapes/ first.")
@click.option("--keep-stale", is_flag=True,
              help="Keep the graphs of ours that this release no longer has (default: drop them).")
@click.option("--no-bulk", is_flag=True,
              help="Use PUT even where the store offers a bulk load (Oxigraph's server).")
@click.pass_obj
def publish(obj: Context, endpoint: str, query_endpoint: str | None, base_uri: str, site: Path | None,
            license_iri: str | None, issued, no_validate: bool, keep_stale: bool, no_bulk: bool) -> None:
    """Load every dataset, the code lists, the ontology, the letters and the DCAT catalog into a
    triple store.

    One named graph each, replaced with PUT (running twice duplicates nothing; a graph of more
    than 200,000 triples goes in batches, PUT then POST; Oxigraph's server gets DELETE then its
    bulk load, unless --no-bulk), then each graph's triples are counted with a SPARQL query.
    Graphs of ours the release no longer has (a withdrawn table, a release under a previous
    --base-uri) are then dropped and named; --keep-stale keeps them.
    Credentials: MIFI_RDF_ENDPOINT_USER and MIFI_RDF_ENDPOINT_PASSWORD (never on the command line;
    a warning if they would cross the network over plain http). The cubes are validated first, as
    by `build`. Exit 1 if anything failed.
    """
    import contextlib
    import http.client
    import urllib.error

    from .publish import Endpoint, http_url
    from .publish import publish as run_publish

    http_url(endpoint, "--endpoint")
    if query_endpoint is not None:
        http_url(query_endpoint, "--query-endpoint")
    # with a built folder's catalog, each table's cells are read when its graph is made, then let go
    # (as `export` does); otherwise the catalog is built first, from every cell
    project = obj.project(base_uri, cells=site is None)
    if site is None:
        say_borrowed_catalog(obj)
    if no_validate:
        click.echo("warning: not validated (--no-validate)", err=True)
    else:
        refuse_invalid(project, None, "nothing was sent")
    catalog = publish_catalog(obj, project, site, license_iri, issued)
    target = Endpoint(endpoint, query_endpoint, bulk=not no_bulk)
    for warning in target.warnings():
        click.echo(f"warning: {warning}", err=True)
    with contextlib.suppress(urllib.error.URLError, OSError, http.client.HTTPException):
        if target.bulk():  # a store that cannot be reached is reported by the first write
            click.echo("Oxigraph's server: each graph deleted, then bulk-loaded (POST ?no_transaction)", err=True)
    from .build.history import History  # a released folder's withdrawn datasets keep their notice in the store

    report = run_publish(project, catalog, target, keep_stale=keep_stale, history=History.read(site) if site else None)
    for line in report.lines():
        click.echo(line)
    total = sum(p.triples for p in report.loaded)
    stale = ""
    if report.dropped or report.kept:
        n = len(report.dropped or report.kept)
        stale = f", {n} stale graph{'s' if n > 1 else ''} {'dropped' if report.dropped else 'kept'}"
    click.echo(f"{len(report.loaded)} graphs loaded ({total} triples), {len(report.not_loaded)} not loaded{stale}")
    if not report.ok:
        sys.exit(1)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8080, show_default=True, type=int, help="Port (0: any free port).")
@click.option("--base-uri", default=DEFAULT_BASE, show_default=True, help="Base of every URI minted.")
@click.option("--timeout", default=10.0, show_default=True, type=float, help="Seconds a SPARQL query may run.")
@click.option("--max-result-mb", default=20.0, show_default=True, type=float, help="Largest SPARQL answer, in MB.")
@click.option("--workers", default=3, show_default=True, type=int,
              help="Most query worker processes (started when queries need them).")
@click.option("--worker-idle", default=30.0, show_default=True, type=click.FloatRange(0.5),
              help="Seconds without a query after which a worker beyond the first stops.")
@click.option("--cache-mb", default=64.0, show_default=True, type=float,
              help="Memory for answers and pages already computed (0: no cache).")
@click.option("--site", type=click.Path(file_okay=False, exists=True, path_type=Path), metavar="OUTDIR",
              help="Folder written by `mifi-rdf build`: its files are served as they are and its catalog is loaded.")
@click.option("--per-client", default=2, show_default=True, type=click.IntRange(1),
              help="Queries one client may have running or waiting at once (more: 429).")
@click.option("--reserved", default=1, show_default=True, type=click.IntRange(0),
              help="Query workers kept for queries estimated cheap (fewer than --workers).")
@click.option("--client-header", metavar="NAME",
              help="Behind a reverse proxy: the header it sets to the client's address (e.g. X-Forwarded-For).")
@click.option("--public-url", metavar="URL",
              help="The URL clients reach this server at (behind a proxy), named in the service description.")
@click.option("-v", "--verbose", is_flag=True, help="Log every request to stderr.")
@click.pass_obj
def serve(obj: Context, host: str, port: int, base_uri: str, timeout: float, max_result_mb: float, workers: int,
          worker_idle: float, cache_mb: float, site: Path | None, per_client: int, reserved: int, client_header: str | None,
          public_url: str | None, verbose: bool) -> None:
    """Serve a read-only SPARQL 1.1 endpoint at /sparql and every URI under the base.

    Paths mirror the URIs: /dataset/30952-t5 is <BASE>dataset/30952-t5; it answers 303 See Other
    to its description (.html, .ttl, .jsonld, .nt) chosen by the Accept header. With --site, the
    built folder's files are answered as written (so the catalog's checksums hold) and its DCAT
    catalog is queryable; without it, no catalog is served.
    """
    from .serve.app import Settings
    from .serve.app import serve as run_server
    from .serve.pool import Limits

    if public_url is not None:
        from .publish import http_url

        http_url(public_url, "--public-url")
    if workers > 1 and reserved >= workers:
        fail(f"--reserved must leave at least one of the {workers} --workers for every query", 2)
    limits = Limits(timeout=timeout, max_bytes=int(max_result_mb * 1_000_000))
    project = obj.project(base_uri)
    say_borrowed_catalog(obj)
    folder = checked_site(project, site) if site else None
    settings = Settings(host, port, limits, workers, cache_mb, per_client, reserved, client_header, public_url,
                        worker_idle)
    run_server(project, settings, folder, verbose, obj.data, obj.ontology)
