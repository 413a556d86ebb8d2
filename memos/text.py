"""Text as it may be stored: one rule for every typed or pasted field, used by the API's input
model, the browser forms and the document schema alike.

Removed everywhere: C0 and C1 control characters (NUL, ESC, DEL …), bidi embeddings, overrides,
isolates and marks (which can make a subject read backwards on screen), zero-width characters and
the byte-order mark. Thai needs none of them (U+200B, sometimes pasted as a word-break hint, is
simply dropped). Single-line fields (subject, addressee, names, phone, closing) also fold line
breaks and tabs into one space, so no header or register line ever carries a line break; multi-line
text (paragraphs, comments) keeps its line feeds.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, StringConstraints

# C0 controls except TAB, LF and CR (handled below); DEL; C1 controls
_CONTROLS = "\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f"
# U+061C arabic letter mark, U+200B-U+200F zero-width and LRM/RLM, U+202A-U+202E embeddings and
# overrides, U+2060-U+2064 word joiner and invisible operators, U+2066-U+2069 isolates, U+FEFF BOM
_INVISIBLE = "\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
_REMOVED = re.compile(f"[{_CONTROLS}{_INVISIBLE}]")
_BREAKS = "\n\r\x0b\x0c\x85\u2028\u2029"
_LINE_BREAKS = re.compile(f"[ \t]*(?:\r\n|[{_BREAKS}])")
_FOLD = re.compile(f"\\s*[\t{_BREAKS}]\\s*")

# At least one character that is neither white space nor removed: what "not blank" means, in the
# form JSON Schema (ECMAScript), Python and pydantic's Rust regex all read the same way.
VISIBLE = f"[^\\s\\x00-\\x1f\\x7f-\\x9f{_INVISIBLE.encode('unicode_escape').decode()}]"


# pydantic leaves a pattern out of the JSON Schema when a BeforeValidator comes first; say it again
_SHOWN = Field(json_schema_extra={"pattern": VISIBLE})
_NOT_SHOWN = Field()


def clean_line(value: Any) -> Any:
    """One line: controls and invisible characters removed, line breaks and tabs folded to a space.
    Anything but a string is passed on for the type check to refuse."""
    if not isinstance(value, str):
        return value
    return _FOLD.sub(" ", _REMOVED.sub("", value))


def clean_text(value: Any) -> Any:
    """Several lines: CR LF, CR and other line separators become LF, tabs a space; controls and
    invisible characters removed."""
    if not isinstance(value, str):
        return value
    return _REMOVED.sub("", _LINE_BREAKS.sub("\n", value).replace("\t", " "))


def _string(clean, max_length: int, required: bool) -> Any:
    return Annotated[
        str,
        BeforeValidator(clean),
        StringConstraints(strip_whitespace=True, min_length=1 if required else 0, max_length=max_length,
                          pattern=VISIBLE if required else None),
        _SHOWN if required else _NOT_SHOWN,
    ]


def Line(max_length: int, *, required: bool = True) -> Any:  # noqa: N802 - used as a type
    """A single-line string type: cleaned, stripped, at most ``max_length`` characters and, when
    ``required``, not blank."""
    return _string(clean_line, max_length, required)


def Text(max_length: int, *, required: bool = True) -> Any:  # noqa: N802 - used as a type
    """A multi-line string type (line feeds kept), otherwise as ``Line``."""
    return _string(clean_text, max_length, required)
