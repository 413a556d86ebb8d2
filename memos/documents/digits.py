"""Where Arabic digits become Thai digits: one rule for the PDF and the web preview.

House style (FORMAT.md, "Page make-up"): numbers in Thai prose print as Thai digits; codes, URLs,
e-mail addresses and Latin identifiers keep their Arabic digits, because a reader copies them
(a URL with Thai digits is a broken link) and because "ISO/IEC ๒๗๐๐๑" or "COVID-๑๙" are not how
those names are written. The rule, per run of digits:

- inside a URL (``scheme://…``, ``www.…``) or an e-mail address: kept;
- part of a Latin token (letters and digits joined directly or by ``- / . _ : +``, e.g. ``COVID-19``,
  ``5GHz``, ``A4``, ``id=123``): kept;
- a number right after a Latin word and a space (``ISO/IEC 27001``, ``Windows 11``): kept;
- anything else (after Thai text, at the start, after punctuation): Thai digits.
"""

from __future__ import annotations

import re

_TO_THAI = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")

_URL = r"(?:[A-Za-z][A-Za-z0-9+.-]*://|www\.)[^\s<>\"]*[^\s<>\".,;:!?)\]}'”]"
_EMAIL = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"
# a run of ASCII letters/digits, possibly joined by connectors; kept whole if it has a letter
_TOKEN = r"[A-Za-z0-9]+(?:[-/._:+=][A-Za-z0-9]+)*"
_PATTERN = re.compile(f"(?P<keep>{_URL}|{_EMAIL})|(?P<token>{_TOKEN})")
_LATIN_WORD_BEFORE = re.compile(r"[A-Za-z][A-Za-z0-9/._+-]*[ \u00a0]$")


def _convert(m: re.Match, text: str) -> str:
    if m.group("keep"):
        return m.group(0)
    token = m.group("token")
    if re.search(r"[A-Za-z]", token):
        return token
    if _LATIN_WORD_BEFORE.search(text, 0, m.start()):
        return token
    return token.translate(_TO_THAI)


def thai_digits(text: str) -> str:
    """``text`` with the digits of its Thai-context numbers as Thai digits (see the module rule)."""
    from . import thai  # the house-style switch (THAI_DIGITS) lives beside the date format

    if not thai.THAI_DIGITS or not text or not any("0" <= c <= "9" for c in text):
        return text
    return _PATTERN.sub(lambda m: _convert(m, text), text)
