"""Read RDF files handed to a command, refusing what a parser must never be given.

RDF/XML may carry a DOCTYPE with entity declarations. pyoxigraph's RDF/XML parser expands them
without bound: a 723-byte "billion laughs" took 6 GB in a minute (issue 15), and an external
entity (`<!ENTITY x SYSTEM "file:///…">`) names a file to read. RDF/XML has no need of a DOCTYPE
(RDF 1.1 XML Syntax uses none), so any DOCTYPE or ENTITY declaration is refused before a parser sees
the file, in one pass over its bytes, in constant memory.

pyoxigraph also holds one token in a buffer of at most 16 MiB: a longer literal raised MemoryError,
which the shell reported as a traceback with exit 1 ("violations"). It is an unreadable file here.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import InputError, UnreadableInput

# `<!DOCTYPE` and `<!ENTITY`, in any case, with any spacing the XML grammar would let through
DECLARATION = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)
CHUNK = 1 << 20
OVERLAP = 64


def refuse_xml_declarations(path: Path, error: type[InputError] = UnreadableInput) -> None:
    """Raise `error` at the first DOCTYPE or ENTITY declaration of the file, read in chunks."""
    line, carry = 1, 0  # line at the start of `data`, and bytes of that line before it
    tail = b""
    with Path(path).open("rb") as f:
        while chunk := f.read(CHUNK):
            data = tail + chunk
            m = DECLARATION.search(data)
            if m:
                before = data[:m.start()]
                newline = before.rfind(b"\n")
                col = m.start() - newline if newline >= 0 else carry + m.start() + 1
                raise error(path, line + before.count(b"\n"), col,
                            "DOCTYPE declarations are not accepted in RDF/XML: their entities can expand without bound "
                            "(a \"billion laughs\") or read other files; RDF/XML needs none, remove the <!DOCTYPE …> block")
            tail = data[-OVERLAP:]
            done = data[:len(data) - len(tail)]
            newline = done.rfind(b"\n")
            carry = len(done) - newline - 1 if newline >= 0 else carry + len(done)
            line += done.count(b"\n")


def too_long(path: Path, fmt: str, err: MemoryError, error: type[InputError] = UnreadableInput) -> InputError:
    """The error for pyoxigraph's 16 MiB token limit (it raises MemoryError, the file is not at fault of memory)."""
    return error(path, 0, 0, f"invalid {fmt.upper()}: one term is longer than the 16 MiB a parser holds ({err})")


MAX_XML_DEPTH = 256  # elements within each other; an RDF/XML export of ours nests 4
MAX_DEPTH = 64  # collections, blank nodes, JSON objects and arrays within each other, for rdflib's parsers
XML_TOKEN = re.compile(rb"""
    <!--.*?-->                              # comments
  | <!\[CDATA\[.*?\]\]>                     # character data
  | <\?.*?\?>                               # processing instructions
  | </[^>]*>                                # end tags
  | <[A-Za-z_:][^>"']*(?:(?:"[^"]*"|'[^']*')[^>"']*)*>   # start tags, attribute values quoted
""", re.VERBOSE | re.DOTALL)
LONG_NUMBER = re.compile(rb"[0-9]{4300,}")
TAIL = 16 << 20  # bytes after the last complete token; pyoxigraph holds at most 16 MiB in one token


def refuse_deep_xml(path: Path, limit: int = MAX_XML_DEPTH, error: type[InputError] = UnreadableInput) -> None:
    """Raise `error` where RDF/XML elements nest deeper than `limit`, counted in one pass over the bytes.

    pyoxigraph's RDF/XML parser takes time quadratic in the depth: 100,000 nested elements ran 96 s
    (issue 23); no RDF/XML a person writes nests past a dozen levels."""
    level, line, tail = 0, 1, b""
    with Path(path).open("rb") as f:
        while chunk := f.read(CHUNK):
            data = tail + chunk
            end = 0
            for m in XML_TOKEN.finditer(data):
                token = m.group()
                end = m.end()
                if token.startswith(b"</"):
                    level = max(0, level - 1)
                elif token[1:2] not in (b"!", b"?") and not token.endswith(b"/>"):
                    level += 1
                    if level > limit:
                        before = data[:m.start()]
                        newline = before.rfind(b"\n")
                        raise error(path, line + before.count(b"\n"), m.start() - newline,
                                    f"elements nested more than {limit} levels deep: expected RDF/XML of a "
                                    "reasonable depth (the parser's time grows with the square of it)")
            line += data[:end].count(b"\n")
            tail = data[end:]
            if len(tail) > TAIL:  # an unclosed comment or tag would be scanned again with every chunk
                raise error(path, line, 1, "markup or text of more than 16 MiB without a tag: expected RDF/XML "
                                           "(no parser holds a longer token)")


def refuse_deep(path: Path, fmt: str, limit: int = MAX_DEPTH, error: type[InputError] = UnreadableInput) -> None:
    """Raise `error` where Turtle, TriG or JSON-LD nests brackets deeper than `limit` (for rdflib).

    rdflib's parsers recurse once per level: 200 nested blank nodes in Turtle raised RecursionError
    under `validate --engine pyshacl` (issue 23). pyoxigraph, which reads every file first, has no
    such limit, so this runs only before rdflib does."""
    from ..files import read_text
    from ..nesting import depth

    if fmt not in ("ttl", "trig", "jsonld"):
        return
    found = depth(read_text(path, "turtle"))
    if found > limit:
        raise error(path, 0, 0, f"{fmt.upper()} nested {found} levels deep: expected at most {limit} levels of "
                                "brackets (the reference engine's parser recurses once per level)")


def long_number(path: Path, err: ValueError, error: type[InputError] = UnreadableInput) -> InputError:
    """The error for an integer too long for Python to convert (more than 4,300 digits), at its place."""
    line = col = 0
    with Path(path).open("rb") as f:
        data = f.read(256 * CHUNK)
    m = LONG_NUMBER.search(data)
    if m:
        before = data[:m.start()]
        line, col = before.count(b"\n") + 1, m.start() - before.rfind(b"\n")
    return error(path, line, col, f"a number of more than 4,300 digits: the reference engine cannot read it ({err})")
