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

from reportlab.lib.rl_accel import escapePDF, fp_str
from reportlab.pdfbase.pdfmetrics import getFont
from reportlab.pdfbase.ttfonts import ShapedStr
from reportlab.pdfgen.canvas import Canvas
from reportlab.pdfgen.textobject import PDFTextObject


def split_string(font, text, doc) -> list[tuple[int, bytes]]:
    """``font.splitString(text, doc)``: when every character already has its code in this document and
    all are in the first subset (most words of a document: its glyphs are given codes in order of first
    use, fonts.register), the codes are looked up at once instead of character by character; else
    ReportLab's own, which assigns new codes."""
    state = font.state.get(doc)
    if state is not None and "\xa0" not in text:
        assignments = state.assignments
        try:
            codes = bytes([assignments[c] for c in map(ord, text)])
        except (KeyError, ValueError):  # a new character, or a code past the first subset
            pass
        else:
            return [(0, codes)] if codes else []
    return font.splitString(text, doc)


def _selector(t, font):
    """The font-selection operator of a subset, "/F1+0 16 Tf 26.4 TL", remembered per document."""
    doc = t._canvas._doc
    selects = t._canvas.__dict__.setdefault("_select_cache", {})

    def select(subset: int) -> str:
        key = (font.fontName, subset, t._fontsize, t._leading)
        op = selects.get(key)
        if op is None:
            op = selects[key] = f"{font.getSubsetInternalName(subset, doc)} {fp_str(t._fontsize)} Tf {fp_str(t._leading)} TL"
        return op

    return select


def _closed(parts: list, buf: bytearray, num, escape, holes: bool = False) -> str:
    """A run's TJ: its pending bytes, or else its pending adjustment (ReportLab drops a zero); a
    ``_HoleRun`` when the run has holes (a plan's)."""
    if buf:
        parts.append(f"({escape(bytes(buf))})")
    elif num.__class__ is _Hole:
        parts.append(num)
        holes = True
    elif num is not None and (v := fp_str(num)) != "0":
        parts.append(v)
    if holes:
        run = _HoleRun("TJ")
        run.parts = parts
        return run
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
        split = splits[font.fontName, str(text)] = split_string(font, text, doc)
    select = _selector(t, font)

    if not (font.shapable and isinstance(text, ShapedStr)):  # unshaped text: one string per subset
        code = []
        for subset, chunk in split:
            if subset != t._curSubset:
                code.append(select(subset))
                t._curSubset = subset
            code.append(f"({escape(chunk)}) Tj")
        return " ".join(code)
    return " ".join(_runs(t, text.__shapeData__, split, select, escape))


class _Hole(tuple):
    """A number of a stretched word's TJ not known until the stretch is: (glyph index, what the next
    glyph's offset adds, or None)."""


class _Parts(list):
    """A run of a plan: its parts, and ``holed``: whether one is a ``_Hole`` (known once per plan)."""

    holed = False


class _Range(tuple):
    """The glyphs (start, end) of a string of a plan's run, whose bytes are the document's codes."""


class _HoleRun(str):
    """A run of a plan that holds holes (``parts``); as a string it ends like a TJ run, so
    ``setRise`` (which looks at the last operator) sees it as one."""

    parts: list


def _runs(t, shape_data, split, select, escape, gaps: frozenset[int] = frozenset(), plan: bool = False) -> list[str]:
    """The operators of ``format_shaped``, one per run, font selection and rise. ``plan`` (``_word_plan``):
    every run is left as its parts (``_HoleRun``), and the number after each glyph in ``gaps`` as a
    hole."""
    state = (t._code, t._x, t._y)
    try:
        t._code = code = []
        r0 = t._rise
        sd0 = 0
        fontsize = t._fontsize
        for subset, chunk in split:
            if subset != t._curSubset:
                code.append(select(subset))
                t._curSubset = subset
            sd1 = sd0 + len(chunk)
            parts: list | None = None
            buf = bytearray()
            num = None  # pending sum of non-zero numbers since the last byte
            holes = False
            # the fields unpacked (faster than namedtuple attributes); most glyphs have no offsets and
            # their advance is their width: only their byte is added
            for k, ((_, x_advance, _, x_offset, y_offset, width), byte) in enumerate(
                    zip(shape_data[sd0:sd1], chunk, strict=True), sd0):
                r = r0 + fontsize * y_offset / 1000 if y_offset else r0
                if parts is None or r != t._rise:
                    if parts is not None:  # close the run
                        code.append(_closed(parts, buf, num, escape, holes))
                        if t._rise != r0:
                            t.setRise(r0)
                    if r != t._rise:
                        t.setRise(r)
                    parts, buf, num, holes = [], bytearray(), None, plan
                if x_offset:
                    if buf:
                        parts.append(f"({escape(bytes(buf))})")
                        buf = bytearray()
                    if num.__class__ is _Hole:
                        num = _Hole((num[0], -x_offset))
                    else:
                        num = -x_offset if num is None else num + -x_offset
                if num is not None:
                    if num.__class__ is _Hole:
                        parts.append(num)
                        holes = True
                    elif (v := fp_str(num)) != "0":
                        parts.append(v)
                    num = None
                buf.append(byte)
                if gaps and k in gaps:  # stretched: the number is never 0 (plan_spread checks)
                    parts.append(f"({escape(bytes(buf))})")
                    buf = bytearray()
                    num = _Hole((k, None))
                    continue
                y = width - x_advance + x_offset if x_offset else width - x_advance
                if y:
                    parts.append(f"({escape(bytes(buf))})")
                    buf = bytearray()
                    num = y
            sd0 = sd1
            if parts is not None:  # the end of the chunk closes its last run
                code.append(_closed(parts, buf, num, escape, holes))
                if t._rise != r0:
                    t.setRise(r0)
        if t._rise != r0:
            t.setRise(r0)
    finally:
        t._code, t._x, t._y = state
    return code


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
        code = _planned(t, s, s.__shapeData__) if isinstance(s, ShapedStr) else None
        t._code.append(code if code is not None else format_shaped(t, s))
        cache[key] = (s, t._code[-1], t._curSubset, t._x - x)
        return
    _, code, t._curSubset, dx = hit
    t._code.append(code)
    t._x += dx


class _Probe:
    """A text object for planning: the state ``_runs`` reads and writes, and ReportLab's ``setRise``."""

    setRise = PDFTextObject.setRise

    def __init__(self, fontsize: float, leading: float, rise: float):
        self._code: list[str] = []
        self._x = self._y = 0.0
        self._rise, self._curSubset, self._fontsize, self._leading = rise, 0, fontsize, leading


def _mark(glyphs: bytes) -> str:
    """In a plan, a string's bytes are glyph indices (always consecutive): kept as the range."""
    return f"\0{glyphs[0]},{glyphs[-1] + 1}\0"


# Plans of words, process-wide: keyed by the word's shaped string (text.shaped returns the same object
# for the same word, font and size; the entry holds it, so its id is not reused), the text state and
# the stretched glyphs. No larger than a word: the operators of one word in one text state, with the
# document's glyph codes left out (they differ per document) and filled in from its subset split.
_PLANS: dict[tuple, tuple] = {}
PLANS_MAX = 5000  # a few hundred per document (the seed report: 491), ~1.6 kB each: 8 MB at most; emptied when full


def _word_plan(s, data, fontname: str, fontsize: float, leading: float, rise: float, gaps: tuple[int, ...]):
    """(s, plan or None, rise after): the operators of ``s`` with its strings as glyph ranges and, for
    ``gaps``, the number after each gap glyph as a hole. None when the word cannot be planned: more
    than 256 glyphs, or a first glyph raised or lowered (ReportLab's setRise then looks at the operator
    before the word, which a plan does not know)."""
    key = (id(s), fontname, fontsize, leading, rise, gaps)
    hit = _PLANS.get(key)
    if hit is not None and hit[0] is s:
        return hit
    n = len(data)
    plan = None
    probe = _Probe(fontsize, leading, rise)
    if 0 < n <= 256 and not data[0][4]:
        plan = []
        for item in _runs(probe, data, [(0, bytes(range(n)))], None, _mark, frozenset(gaps), plan=True):
            if item.__class__ is not _HoleRun:
                plan.append(item)
                continue
            parts = _Parts()
            for part in item.parts:
                if part.__class__ is str and part.startswith("(\0"):
                    start, end = part[2:-2].split(",")
                    part = _Range((int(start), int(end)))
                parts.append(part)
            parts.holed = any(p.__class__ is _Hole for p in parts)
            plan.append(parts)
    if len(_PLANS) >= PLANS_MAX:
        _PLANS.clear()
    hit = _PLANS[key] = (s, plan, probe._rise)
    return hit


def _with_codes(plan: list, chunk: bytes, escape) -> tuple[list[str], list[tuple]]:
    """A plan with the document's codes of its glyphs written in, as a template: the operators'
    text between the holes (``texts``, one more than the holes) and the holes in order (remembered
    per document: a stretched word's codes are escaped once, not at every stretch)."""
    texts: list[str] = []
    holes: list[tuple] = []
    cur: list[str] = []  # the text since the last hole, its pieces
    for n, item in enumerate(plan):
        if n:
            cur.append(" ")
        if item.__class__ is str:  # a rise
            cur.append(item)
            continue
        parts = [f"({escape(chunk[p[0]:p[1]])})" if p.__class__ is _Range else p for p in item]
        if not item.holed:
            cur.append(_run(parts))
            continue
        cur.append("[")  # a run with a hole is never a lone string (_run)
        for m, part in enumerate(parts):
            if m:
                cur.append(" ")
            if part.__class__ is _Hole:
                texts.append("".join(cur))
                cur = []
                holes.append(tuple(part))
            else:
                cur.append(part)
        cur.append("] TJ")
    texts.append("".join(cur))
    return texts, holes


def _fill(coded: tuple[list[str], list[tuple]], data, extra: float) -> str | None:
    """The operators of a plan with its codes written in (``_with_codes``) and, for a stretch of
    ``extra`` (1/1000 em after each gap glyph), its holes filled: the same floats as format_shaped of
    the stretched string. None if a number would vanish (0, or printed as "0"): the plan's shape does
    not hold, and the stretched string is formatted instead."""
    texts, holes = coded
    if not holes:
        return texts[0]
    out = [texts[0]]
    for (k, add), text in zip(holes, texts[1:]):  # noqa: B905 (one text more than holes)
        _, x_advance, _, x_offset, _, width = data[k]
        x_advance = x_advance + extra  # as text._spread
        y = width - x_advance + x_offset if x_offset else width - x_advance
        if not y:
            return None
        v = fp_str(y if add is None else y + add)
        if v == "0":
            return None
        out.append(v)
        out.append(text)
    return "".join(out)


def _coded(t, s, data, gaps: tuple[int, ...] = ()):
    """(the word's plan with this document's codes, the operator that selects its font subset or "",
    the subset, the rise after) in the text object's state; None when there is no plan or the word
    spans two font subsets in this document. Changes nothing in ``t``."""
    font = getFont(t._fontname)
    if not (font._dynamicFont and font.shapable):
        return None
    _, plan, rise = _word_plan(s, data, t._fontname, t._fontsize, t._leading, t._rise, gaps)
    if plan is None:
        return None
    canv = t._canvas
    # the word's split, remembered per document by the word's identity (the plan holds the string):
    # str(s) of a shaped string is a new string to hash on every use
    by_id = canv.__dict__.setdefault("_split_by_id", {})
    hit = by_id.get((id(s), font.fontName))
    if hit is None or hit[0] is not s:
        splits = canv.__dict__.setdefault("_split_cache", {})
        split = splits.get((font.fontName, str(s)))
        if split is None:
            split = splits[font.fontName, str(s)] = split_string(font, s, canv._doc)
        hit = by_id[id(s), font.fontName] = (s, split)
    split = hit[1]
    if len(split) != 1 or len(split[0][1]) != len(data):
        return None
    subset, chunk = split[0]
    coded_plans = canv.__dict__.setdefault("_coded_plans", {})
    hit = coded_plans.get(id(plan))
    if hit is None or hit[0] is not plan:
        # ReportLab's Canvas._escape is escapePDF: called directly unless a subclass writes its own
        escape = escapePDF if canv.__class__._escape is Canvas._escape else canv._escape
        hit = coded_plans[id(plan)] = (plan, _with_codes(plan, chunk, escape))
    select = _selector(t, font)(subset) + " " if subset != t._curSubset else ""
    return hit[1], select, subset, rise


def _planned(t, s, data, gaps: tuple[int, ...] = (), extra: float = 0.0) -> str | None:
    """``format_shaped(t, s)`` (stretched by ``extra`` after ``gaps``) from the word's plan, the text
    object's font subset and rise updated as formatting would; None (nothing changed) when there is no
    plan, the word spans two font subsets in this document, or the plan's shape does not hold."""
    coded = _coded(t, s, data, gaps)
    if coded is None:
        return None
    plan, select, subset, rise = coded
    code = _fill(plan, data, extra)
    if code is None:
        return None
    t._curSubset, t._rise = subset, rise
    return select + code


def text_out_spread(t, s, data, gaps: tuple[int, ...], extra: float, spread) -> None:
    """``t.textOut(spread())`` for ``s`` stretched by ``extra`` (1/1000 em) after each glyph in ``gaps``
    (text._spread; ``data``: the shape data of ``s``, one glyph per character if it is a plain string),
    without formatting every glyph again: the word's plan (``_word_plan``) with the numbers after the
    gap glyphs filled in (a justified line's words come back with other stretches: 145 stretched words
    in the seed memo, 64 different). What a word needs in a text state is remembered per document, so
    a stretch is one look-up and the numbers. ``spread`` makes the stretched string when the plan
    cannot serve (tests/test_render_speed.py compares both with ReportLab's own output)."""
    cache = t._canvas.__dict__.setdefault("_stretch_cache", {})
    key = (id(s), t._fontname, t._fontsize, t._leading, t._rise, t._curSubset, gaps)
    hit = cache.get(key)
    if hit is None or hit[0] is not s:
        hit = cache[key] = (s, _coded(t, s, data, gaps), t._canvas.stringWidth(s, t._fontname, t._fontsize))
    _, coded, width = hit
    x = t._x
    code = _fill(coded[0], data, extra) if coded is not None else None
    if code is None:
        code = format_shaped(t, spread())
    else:
        code = coded[1] + code
        t._curSubset, t._rise = coded[2], coded[3]
    t._code.append(code)
    t._x = x + width  # the stretched string's width, as textOut: the same characters
