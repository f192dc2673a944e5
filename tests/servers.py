"""Start real servers for the tests on loopback, on free ports: Virtuoso, Oxigraph and `mifi-rdf serve`."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, process: subprocess.Popen, log: Path, seconds: float = 60) -> None:
    """Poll until the server answers; fail with its log if it exits or never answers."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                r.read()
                return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"no answer from {url} after {seconds} s:\n{log.read_text(errors='replace')[-3000:]}")


def stop(process: subprocess.Popen, seconds: float = 15) -> None:
    """Ask the server to stop (SIGTERM); kill it if it has not within `seconds`."""
    process.terminate()
    try:
        process.wait(seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class Virtuoso:
    """A private Virtuoso (Debian's virtuoso-opensource) with its database in `folder`.

    stop() and start() again keep the database and the ports, as a store that went down would.
    """

    def __init__(self, folder: Path) -> None:
        self.binary = shutil.which("virtuoso-t")
        assert self.binary, "virtuoso-t not found"
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.http_port, sql_port = free_port(), free_port()
        self.ini = folder / "virtuoso.ini"
        template = (HERE / "virtuoso.ini").read_text()
        self.ini.write_text(template.replace("{dir}", str(folder)).replace("{sql_port}", str(sql_port))
                            .replace("{http_port}", str(self.http_port)))
        self.url = f"http://127.0.0.1:{self.http_port}"
        self.graph_store = self.url + "/sparql-graph-crud-auth"
        self.sparql = self.url + "/sparql"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        log = self.folder / "stdout.log"
        with log.open("ab") as out:
            self.process = subprocess.Popen([self.binary, "+foreground", "+configfile", str(self.ini)],
                                            cwd=self.folder, stdout=out, stderr=subprocess.STDOUT)
        wait_http(self.sparql + "?query=ASK%7B%7D", self.process, log)

    def stop(self) -> None:
        if self.process is None:
            return
        stop(self.process, 30)
        self.process = None


@contextlib.contextmanager
def virtuoso(folder: Path) -> Iterator[Virtuoso]:
    server = Virtuoso(folder)
    try:
        server.start()
        yield server
    finally:
        server.stop()


@dataclass
class OxigraphServer:
    """Oxigraph's own server (PyPI package `oxigraph`): another Graph Store implementation."""

    url: str

    @property
    def graph_store(self) -> str:
        return self.url + "/store"

    @property
    def sparql(self) -> str:
        return self.url + "/query"


@contextlib.contextmanager
def oxigraph_server(folder: Path) -> Iterator[OxigraphServer]:
    """`oxigraph serve` with its database in `folder`, no authentication (it has none), and the
    default graph the union of the named graphs (as in Virtuoso, and as our named queries expect)."""
    binary = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which("oxigraph")
    assert binary, "oxigraph not found (pip install oxigraph; it is in the test extras)"
    port = free_port()
    log = folder / "oxigraph.log"
    with log.open("wb") as out:
        process = subprocess.Popen([binary, "serve", "--location", str(folder / "db"), "--bind", f"127.0.0.1:{port}",
                                    "--union-default-graph"],
                                   stdout=out, stderr=subprocess.STDOUT)
    try:
        server = OxigraphServer(f"http://127.0.0.1:{port}")
        wait_http(server.sparql + "?query=ASK%7B%7D", process, log)
        yield server
    finally:
        stop(process)


@contextlib.contextmanager
def mifi_serve(folder: Path, *options: str) -> Iterator[str]:
    """`mifi-rdf serve` in its own process on a free loopback port; yields its root URL."""
    port = free_port()
    log = folder / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "mifi_rdf", "serve", "--port", str(port), *options],
                                   stdout=out, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_http(url + "/", process, log)
        yield url
    finally:
        stop(process)
