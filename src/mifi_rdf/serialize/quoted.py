"""A string in double quotes, escaped the way both Turtle and TOML read it.

Turtle's STRING_LITERAL_QUOTE and TOML's basic string forbid the same characters raw (the quote,
the backslash, line breaks and other controls) and accept the same escapes for them (\\", \\\\, \\n,
\\r, \\t, \\uXXXX), so the code-list generator and ingest's letter.toml writer share one escaper.
"""

from __future__ import annotations

ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def quoted(text: str) -> str:
    """`text` between double quotes, with every character either format forbids escaped."""
    out = []
    for ch in text:
        if ch in ESCAPES:
            out.append(ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'
