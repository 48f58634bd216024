"""Refusing bodies that would crash what reads them, before anything reads them.

Pure and bytes-only: regular expressions run in C, so a 50 MB JSON upload is checked in a
fraction of the time parsing it takes, without building it in memory twice. Syntax errors are
left to the reader, which reports them with their position; what is refused here is valid
JSON (or text) that no part of the service can hold:

- nesting deeper than `MAX_JSON_DEPTH` (Python's parser and every walker recurse);
- a number longer than `MAX_NUMBER_CHARS` characters or with an exponent of three digits or
  more (Python refuses integers over 4,300 digits; `Decimal` quantizing 1e999999999 raises);
- a NUL character anywhere (PostgreSQL's text cannot hold it), in JSON, text and forms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_JSON_DEPTH = 64
MAX_NUMBER_CHARS = 40

_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NUL_ESCAPE = re.compile(rb"(?:^|[^\\])(?:\\\\)*\\u0000")
_NOT_A_BRACKET = re.compile(rb"[^\[\]{}]+")
_EMPTY_PAIR = re.compile(rb"\[\]|\{\}")
_LONG_NUMBER = re.compile(rb"[-+0-9.eE]{%d,}" % (MAX_NUMBER_CHARS + 1))
_BIG_EXPONENT = re.compile(rb"[0-9.][eE][-+]?0*[1-9][0-9]{2,}")


@dataclass(frozen=True)
class BodyRefusal:
    title: str
    detail: str


def refusal_of(content_type: str, body: bytes) -> BodyRefusal | None:
    """Why `body`, sent as `content_type`, is refused; None when it may go on."""
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type == "application/json" or media_type.endswith("+json"):
        return json_refusal(body)
    if media_type.startswith("text/") and b"\x00" in body:
        return _nul()
    if media_type == "application/x-www-form-urlencoded" and (b"\x00" in body or b"%00" in body):
        return _nul()
    return None  # multipart and binary bodies (zips) are their readers' business


def json_refusal(body: bytes) -> BodyRefusal | None:
    if b"\x00" in body or _NUL_ESCAPE.search(body):
        return _nul()
    structure = _JSON_STRING.sub(b'""', body)
    if _too_deep(structure):
        return BodyRefusal(
            "JSON nested too deeply",
            f"The document nests arrays and objects more than {MAX_JSON_DEPTH} levels deep.",
        )
    if _LONG_NUMBER.search(structure) or _BIG_EXPONENT.search(structure):
        return BodyRefusal(
            "Number out of range",
            f"A number has more than {MAX_NUMBER_CHARS} characters or an exponent of 100 or "
            "more; send amounts as decimal strings with at most two places.",
        )
    return None


def _too_deep(structure: bytes) -> bool:
    """Peel innermost empty pairs off the bracket skeleton, one level per pass. What cannot
    be peeled is unbalanced: a few brackets are a syntax error for the parser to report, more
    than the depth limit (100,000 `[`) would make the parser recurse past its stack."""
    brackets = _NOT_A_BRACKET.sub(b"", structure)
    for _ in range(MAX_JSON_DEPTH):
        if not brackets:
            return False
        brackets, peeled = _EMPTY_PAIR.subn(b"", brackets)
        if not peeled:
            return len(brackets) > MAX_JSON_DEPTH
    return bool(brackets)


def _nul() -> BodyRefusal:
    return BodyRefusal(
        "NUL character refused",
        "The body contains a NUL character (U+0000), which no field accepts.",
    )
