"""Writing shaped text into a PDF text object quickly, byte for byte as ReportLab 5.1.0 writes it.

Why: drawing is most of a render (the text object formats each glyph of a HarfBuzz-shaped string in
Python: ~30 % of a memo, more of a report), and documents draw the same words over and over. Two
measures, neither of which changes a byte of the PDF (tests/test_render_speed.py compares them with
ReportLab's own ``PDFTextObject._formatText`` and the seed documents' PDFs):

- ``text_out`` remembers, per document, the operators written for a string in a given text state;
- ``format_shaped`` is ReportLab's formatting of a ``ShapedStr`` (``PDFTextObject._formatText``,
  ttfonts branch) with the per-glyph work done once instead of three list items per glyph run
  through ``groupby``: justified lines are new strings each time (their advances are stretched), so
  they miss the cache and take this path. It also remembers, per document, how a string splits
  into font-subset codes and the font-selection operator of each subset.

Every cache lives on the canvas, so it ends with the document: nothing carries over between renders.

ReportLab is pinned exactly (pyproject.toml): both lean on its text object's internals.
"""

from __future__ import annotations

from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase.pdfmetrics import getFont
from reportlab.pdfbase.ttfonts import ShapedStr


def _closed(parts: list[str], buf: bytearray, num: float | None, escape) -> str:
    """A run's TJ: its pending bytes, or else its pending adjustment (ReportLab drops a zero)."""
    if buf:
        parts.append(f"({escape(bytes(buf))})")
    elif num is not None and (v := fp_str(num)) != "0":
        parts.append(v)
    return _run(parts)


def _run(parts: list[str]) -> str:
    """One glyph run as ReportLab writes it: ``(…) Tj`` when it is one string, else ``[…] TJ``."""
    if len(parts) == 1 and parts[0].startswith("("):
        return f"{parts[0]} Tj"
    return f"[{' '.join(parts)}] TJ"


def format_shaped(t, text) -> str:
    """``t._formatText(text)`` for a shaped string in a shapable TrueType font (else ReportLab's own).

    ReportLab lists, per glyph, ``-x_offset``, the glyph's byte and ``width - x_advance + x_offset``,
    drops the zeros, sums runs of numbers (left to right), joins runs of bytes, drops sums that print
    as "0", and starts a new run (with a ``Ts`` rise) when a glyph's y offset changes the rise. The
    same here, accumulated as it goes; rises go through ``t.setRise`` so its quirks are kept."""
    font = getFont(t._fontname)
    if not font._dynamicFont or isinstance(text, bytes):
        return t._formatText(text)
    canv = t._canvas
    doc = canv._doc
    escape = canv._escape
    # a string's glyph codes in the document's subsets never change once assigned: split once per
    # document (a justified line's stretched words split as the words themselves)
    splits = canv.__dict__.setdefault("_split_cache", {})
    split = splits.get((font.fontName, str(text)))
    if split is None:
        split = splits[font.fontName, str(text)] = font.splitString(text, doc)
    selects = canv.__dict__.setdefault("_select_cache", {})  # "/F1+0 16 Tf 26.4 TL" per font subset

    def select(subset: int) -> str:
        key = (font.fontName, subset, t._fontsize, t._leading)
        op = selects.get(key)
        if op is None:
            op = selects[key] = f"{font.getSubsetInternalName(subset, doc)} {fp_str(t._fontsize)} Tf {fp_str(t._leading)} TL"
        return op

    if not (font.shapable and isinstance(text, ShapedStr)):  # unshaped text: one string per subset
        code = []
        for subset, chunk in split:
            if subset != t._curSubset:
                code.append(select(subset))
                t._curSubset = subset
            code.append(f"({escape(chunk)}) Tj")
        return " ".join(code)
    state = (t._code, t._x, t._y)
    try:
        t._code = code = []
        r0 = t._rise
        sd0 = 0
        shape_data = text.__shapeData__
        fontsize = t._fontsize
        for subset, chunk in split:
            if subset != t._curSubset:
                code.append(select(subset))
                t._curSubset = subset
            sd1 = sd0 + len(chunk)
            parts: list[str] | None = None
            buf = bytearray()
            num = None  # pending sum of non-zero numbers since the last byte
            for i, sd in enumerate(shape_data[sd0:sd1]):
                r = r0 + fontsize * sd.y_offset / 1000 if sd.y_offset else r0
                if parts is None or r != t._rise:
                    if parts is not None:  # close the run
                        code.append(_closed(parts, buf, num, escape))
                        if t._rise != r0:
                            t.setRise(r0)
                    if r != t._rise:
                        t.setRise(r)
                    parts, buf, num = [], bytearray(), None
                x = -sd.x_offset
                if x:
                    if buf:
                        parts.append(f"({escape(bytes(buf))})")
                        buf = bytearray()
                    num = x if num is None else num + x
                if num is not None:
                    if (v := fp_str(num)) != "0":
                        parts.append(v)
                    num = None
                buf.append(chunk[i])
                y = sd.width - sd.x_advance + sd.x_offset
                if y:
                    parts.append(f"({escape(bytes(buf))})")
                    buf = bytearray()
                    num = y
            sd0 = sd1
            if parts is not None:  # the end of the chunk closes its last run
                code.append(_closed(parts, buf, num, escape))
                if t._rise != r0:
                    t.setRise(r0)
        if t._rise != r0:
            t.setRise(r0)
    finally:
        t._code, t._x, t._y = state
    return " ".join(code)


def text_out(t, s) -> None:
    """``t.textOut(s)``, with the operators remembered per document. The output depends on the text
    object's font, size, leading, rise and current font subset, and on the document's subset codes,
    which do not change once a glyph has one: all of that is the key. The string is known by
    identity (``text.shaped`` returns the same object for the same word; the seed report draws 3,595
    strings, 613 different); the cache holds it, so its id is not reused while the document is drawn."""
    cache = t._canvas.__dict__.setdefault("_text_out_cache", {})
    key = (id(s), t._fontname, t._fontsize, t._leading, t._rise, t._curSubset)
    hit = cache.get(key)
    if hit is None:
        x = t._x
        t._x = x + t._canvas.stringWidth(s, t._fontname, t._fontsize)  # as textOut
        t._code.append(format_shaped(t, s))
        cache[key] = (s, t._code[-1], t._curSubset, t._x - x)
        return
    _, code, t._curSubset, dx = hit
    t._code.append(code)
    t._x += dx
