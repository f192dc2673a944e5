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
