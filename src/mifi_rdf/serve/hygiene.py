"""What every HTTP request must look like before the server does anything with it, and the headers
every response carries.

Before issue 15: `Content-Length: abc` raised inside the handler (500 and a traceback in the log),
`-1` or a length longer than the body sent held a thread for the socket's whole timeout, a path
with `%00` or `\\` reached pyoxigraph's IRI parser (500), and the `Server` header named the
version of Python.
"""

from __future__ import annotations

import re
import urllib.parse
from email.message import Message

BODY_SECONDS = 5  # the most a client may take to send the body it announced, in all
# An IRI cannot hold these (RFC 3987), and nothing of ours is named with them.
NOT_IN_A_PATH = re.compile(r'[\x00-\x20\x7f-\x9f<>"{}|\\^`]')
# Sent with every response. The pages have one stylesheet of their own (/style.css), no inline style
# and no script at all: script-src 'none' (the JSON-LD blocks are data, never run).
SECURITY = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
                               "base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


class BadRequest(Exception):
    """A request refused before it is handled; `status` is the HTTP status to answer."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def body_length(headers: Message) -> int:
    """The announced length of the body: one Content-Length of digits only, no chunked encoding."""
    if headers.get("Transfer-Encoding"):
        raise BadRequest("Transfer-Encoding is not supported: send the body with a Content-Length", 411)
    values = set(headers.get_all("Content-Length") or [])
    if len(values) > 1:
        raise BadRequest("more than one Content-Length")
    value = next(iter(values), "0").strip()
    if not value.isdigit() or not value.isascii():
        raise BadRequest(f"Content-Length must be a number of bytes, got {value[:40]!r}")
    return int(value)


def request_path(raw: str) -> str:
    """The decoded path of a request, refused if it cannot name anything of ours."""
    try:
        path = urllib.parse.unquote(raw, errors="strict")
    except UnicodeDecodeError:
        raise BadRequest("the path is not UTF-8 once decoded") from None
    m = NOT_IN_A_PATH.search(path)
    if m:
        raise BadRequest(f"the path holds a character no IRI may hold (U+{ord(m.group()):04X})")
    return path
