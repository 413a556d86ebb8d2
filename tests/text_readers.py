"""The text four PDF readers extract from our PDFs, and a matcher that says whether a source
paragraph comes back whole from it.

Readers: poppler (``pdftotext -raw``: content order, so the lines of a table cell stay together; its
default mode re-flows columns and guesses word gaps per line), pdfminer.six (``extract_text``, default
layout analysis), pypdf (``extract_text``), PyMuPDF (``page.get_text()``). Each is used as a person
copying text would get it: default settings, no structure tree.

A paragraph is "found whole" when the reader gives it back character for character (NFC, ำ
composed), with one space exactly where the source has whitespace and none elsewhere; a line
break may stand for a source space or sit between two Thai words (the line ended there), and a
running page number ("- ๒ -") may sit at such a line break when the paragraph runs over a page.
"""

from __future__ import annotations

import io
import re
import subprocess
import unicodedata
from collections.abc import Callable

READERS: dict[str, Callable[[bytes], str]] = {}


def reader(name: str):
    def deco(fn):
        READERS[name] = fn
        return fn
    return deco


@reader("poppler")
def poppler(pdf: bytes) -> str:
    return subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True,
                          check=True).stdout.decode()


@reader("pdfminer")
def pdfminer(pdf: bytes) -> str:
    from pdfminer.high_level import extract_text

    return extract_text(io.BytesIO(pdf))


@reader("pypdf")
def pypdf(pdf: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


@reader("pymupdf")
def pymupdf(pdf: bytes) -> str:
    import pymupdf as fitz

    with fitz.open(stream=pdf, filetype="pdf") as doc:
        return "\n".join(page.get_text() for page in doc)


def normal(text: str) -> str:
    """NFC, whitespace runs as one space, no leading or trailing space."""
    return " ".join(unicodedata.normalize("NFC", text).split())


# Between two characters of a paragraph a reader may put a line break (with a page's running number
# and form feed when the paragraph continues on the next page), never a space the source lacks.
_BREAK = r"(?:[ \t]*\n(?:[\f\s]*-\s*[๐-๙0-9]+\s*[-\u2011][ \t]*\n)?[\f\s]*)"


def pattern(paragraph: str) -> re.Pattern:
    src = normal(paragraph)
    out = []
    for k, ch in enumerate(src):
        if ch == " ":
            out.append(f"(?: |{_BREAK})")
            continue
        if k and src[k - 1] != " ":
            out.append(f"{_BREAK}?")
        out.append(re.escape(ch))
    return re.compile("".join(out))


def found_whole(paragraph: str, extracted: str) -> bool:
    return pattern(paragraph).search(unicodedata.normalize("NFC", extracted)) is not None


def found_in_parts(paragraph: str, extracted: str, max_parts: int = 8) -> bool:
    """Found in order in at most ``max_parts`` pieces, each ending at a line break: a table cell
    whose row is split over a page (the rest follows the repeated header on the next page)."""
    src, text = normal(paragraph), unicodedata.normalize("NFC", extracted)
    pos, parts = 0, 0
    while src:
        parts += 1
        if parts > max_parts:
            return False
        lo, hi, best = 1, len(src), None
        while lo <= hi:
            mid = (lo + hi) // 2
            m = pattern(src[:mid]).search(text, pos)
            if m and (mid == len(src) or text[m.end():m.end() + 1] in ("\n", " ", "")):
                best, lo = (mid, m.end()), mid + 1
            elif m:
                lo = mid + 1  # a longer prefix may end at a line break
            else:
                hi = mid - 1
        if best is None:
            return False
        k, pos = best
        src = src[k:].lstrip()
    return True
