"""Keep, in a Turtle document, only the prefix declarations its statements use.

pyoxigraph declares every prefix it is given, used or not: a served observation (13 triples)
opened with 30 `@prefix` lines. Which prefix the serializer picks for an IRI (the longest
namespace? one whose local part needs no escape?) is its own business, so the used ones are read
from what it wrote rather than guessed from the IRIs: the body is scanned for prefixed names,
with string literals and IRIs blanked out first so that text such as "def:x" in a comment does
not count.
"""

from __future__ import annotations

import re

PREFIX_LINE = re.compile(rb"@prefix ([A-Za-z][A-Za-z0-9_.\-]*)?: <[^>]*> \.\n")
STRING = re.compile(rb'"(?:[^"\\\n]|\\.)*"')
IRI = re.compile(rb"<[^>\n]*>")
# a prefixed name starts where no name character, ':' or '\' is just before it (a local name may hold ':')
PREFIXED = re.compile(rb"(?<![A-Za-z0-9_.\-:\\])([A-Za-z][A-Za-z0-9_.\-]*)?:")


def drop_unused_prefixes(turtle: bytes) -> bytes:
    """The document without the `@prefix` lines (written first, by pyoxigraph) that nothing uses."""
    head_end = 0
    declared: list[tuple[bytes, bytes]] = []  # (name, line)
    for m in PREFIX_LINE.finditer(turtle):
        if m.start() != head_end:
            break
        declared.append((m.group(1) or b"", m.group(0)))
        head_end = m.end()
    body = turtle[head_end:]
    scanned = IRI.sub(b"<>", STRING.sub(b'""', body))
    used = {m.group(1) or b"" for m in PREFIXED.finditer(scanned)}
    return b"".join(line for name, line in declared if name in used) + body
