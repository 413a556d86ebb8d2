"""Faster paths through ReportLab's writing of a PDF (``canvas.save``), byte for byte the same output.

Why: writing the file was a quarter of an announcement's render, most of it Python per small object:
every number of a font's /Widths and every key of every dictionary went through the generic
``pdfdoc.format`` and ``pdfdocEnc`` (a codec lookup and a Python codec call per string), and every
key's name was escaped again character by character. Installed once per process by ``install()``
(common.py), as ``rl_config.useA85`` is set there; ReportLab is pinned (pyproject.toml), and
tests/test_render_speed.py checks each path against ReportLab's own.

Also the Flate level of the streams (FLATE_LEVEL), which is a choice rather than a faster path.
"""

from __future__ import annotations

import re
import zlib
from collections import OrderedDict
from functools import lru_cache

from reportlab import rl_config
from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase import pdfdoc

# Flate level of every stream ReportLab writes (content, font subsets, ToUnicode maps). zlib's default
# (6) took a tenth of a memo's render for streams about a tenth smaller than level 1 gives; ReportLab
# hard-codes its one filter object, so its encoder is replaced. Readers decode any level alike.
# (ISA-L, package isal, deflates four times faster than zlib's level 1 in a loop of its own, yet made
# whole renders slower, the report's by a tenth: its large tables push the rest out of the caches.)
FLATE_LEVEL = 1

# Characters that PDFDocEncoding (ReportLab's "extpdfdoc") writes as their ASCII byte: all of ASCII but
# 0x18–0x1F (breve, caron… in PDFDocEncoding)
_NOT_AS_ASCII = re.compile("[\x18-\x1f]")

_original = {
    "pdfdocEnc": pdfdoc.pdfdocEnc,
    "PDFName": pdfdoc.PDFName,
    "array": pdfdoc.PDFArray.format,
    "flate": pdfdoc.PDFStreamFilterZCompress.encode,
    "dict": pdfdoc.PDFDictionary.format,
}


def pdfdoc_enc(x):
    """``pdfdoc.pdfdocEnc``: ASCII text without the characters PDFDocEncoding moves is its own bytes."""
    if isinstance(x, str):
        if x.isascii() and not _NOT_AS_ASCII.search(x):
            return x.encode("ascii")
        return x.encode("extpdfdoc")
    return x


_NUMBERS = (float, int)
_NUMBER_TYPES = frozenset(_NUMBERS)
_INT_OK = 200_000  # fp_str(i) == str(i) checked for every |i| below this


def array_format(self, document, IND=b"\n "):
    """``PDFArray.format`` with numbers written directly (``pdfdoc.format`` of a number is
    ``pdfdocEnc(fp_str(n))``, and fp_str writes ASCII digits): a font's /Widths is a few hundred,
    written ten to a line by one ``fp_str`` call each."""
    seq = self.sequence
    multiline = (self.multiline and rl_config.pdfMultiLine) or self.multiline == "forced"
    if seq and not multiline and set(map(type, seq)) <= _NUMBER_TYPES:
        # ReportLab joins with spaces after putting b"\n " before every tenth element. Integers (a
        # TrueType subset's widths) as str writes them: fp_str's own for every integer of that range
        # (tests/test_render_speed.py), ten times faster
        num = str if type(seq[0]) is int and set(map(type, seq)) == {int} and -_INT_OK < min(seq) and max(seq) < _INT_OK \
            else None
        lines = (" ".join(map(num, seq[i:i + 10])) if num else fp_str(*seq[i:i + 10]) for i in range(0, len(seq), 10))
        return b"[ " + " \n  ".join(lines).encode("ascii") + b" ]"
    fmt = pdfdoc.format
    L = [fp_str(e).encode("ascii") if type(e) in _NUMBERS else fmt(e, document) for e in seq]
    if multiline:
        L = IND.join(L)
    else:
        n = len(L)
        if n > 10:
            t = L.insert
            for i in reversed(range(10, n, 10)):
                t(i, b"\n ")
        L = b" ".join(L)
    return b"[ " + L + b" ]"


_KEYS: dict[str, bytes] = {}  # a dictionary key as written, with the space after it: b"/Type "


def dict_format(self, document, IND=b"\n "):
    """``PDFDictionary.format`` with each key written once per process (ReportLab makes its PDF name
    and encodes it for every key of every dictionary: most of a structure element's writing)."""
    d = self.dict
    keys = list(d.keys())
    if not isinstance(d, OrderedDict):
        keys.sort()
    fmt = pdfdoc.format
    L = []
    for k in keys:
        kb = _KEYS.get(k) if k.__class__ is str else None
        if kb is None:
            kb = fmt(pdfdoc.PDFName(k), document) + b" "
            if k.__class__ is str:
                _KEYS[k] = kb
        L.append(kb + fmt(d[k], document))
    if (self.multiline and rl_config.pdfMultiLine) or self.multiline == "forced":
        L = IND.join(L)
    else:
        t = L.insert
        for i in reversed(range(6, len(L), 6)):
            t(i, b"\n ")
        L = b" ".join(L)
    return b"<<\n" + L + b"\n>>"


def flate(self, text) -> bytes:
    return zlib.compress(text.encode("utf8") if isinstance(text, str) else text, FLATE_LEVEL)


def install() -> None:
    """Idempotent. ``PDFName`` is remembered per name (a pure function of a short string: the few dozen
    keys ReportLab writes)."""
    pdfdoc.pdfdocEnc = pdfdoc_enc
    pdfdoc.PDFName = lru_cache(maxsize=1024)(_original["PDFName"])
    pdfdoc.PDFArray.format = array_format
    pdfdoc.PDFStreamFilterZCompress.encode = flate
    pdfdoc.PDFDictionary.format = dict_format
