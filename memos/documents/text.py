"""A paragraph flowable for Thai: lines break only between words, glyphs are shaped by HarfBuzz,
and each drawn line carries /ActualText with its exact source text.

ReportLab's Paragraph breaks Thai anywhere (it only knows spaces) and, with shaping, writes
private-use code points into the text layer; this flowable does its own line breaking over
``thai.segment`` pieces and draws each piece as a ReportLab ``ShapedStr``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import ShapedStr, shapeStr
from reportlab.platypus.flowables import Flowable

from . import thai
from .fonts import REGULAR

# Alignment of body text. FORMAT.md leaves it open; Thai government typing practice justifies
# body paragraphs "Thai distributed" (space spread between character clusters, marks kept on
# their base), so that is the default; "left" is the other setting. Last lines stay left.
JUSTIFY_BODY = "distributed"


@lru_cache(maxsize=50000)
def shaped(text: str, font: str, size: float) -> tuple[ShapedStr | str, float]:
    """Shaped text and its advance in points; cached because words repeat."""
    s = shapeStr(text, font, size)
    if isinstance(s, ShapedStr):
        width = sum(sd.x_advance for sd in s.__shapeData__) * size / 1000
    else:
        width = stringWidth(text, font, size)
    return s, width


@dataclass
class Piece:
    text: str
    font: str
    width: float
    space: bool
    size: float


@dataclass
class Line:
    pieces: list[Piece]
    width: float
    last: bool = False
    indent: float = 0.0

    @property
    def text(self) -> str:
        return "".join(p.text for p in self.pieces)


def _pieces(runs, size: float) -> list[Piece]:
    out: list[Piece] = []
    for run in runs:
        text, font = run[0], run[1]
        run_size = run[2] if len(run) > 2 else size
        text = " ".join(text.split()) + (" " if text[-1:].isspace() else "")  # user newlines are not layout
        for seg in thai.segment(text):
            out.append(Piece(seg, font, shaped(seg, font, run_size)[1], seg.isspace(), run_size))
    return out


def _split_wide(piece: Piece, avail: float) -> list[Piece]:
    """Cut a piece wider than the line: at plain word boundaries, else at character clusters."""
    units: list[str] = []
    for w in thai.finer_words(piece.text):
        units += [w] if shaped(w, piece.font, piece.size)[1] <= avail else list(thai.clusters(w))
    parts, cur = [], ""
    for cl in units:
        cand = cur + cl
        if cur and shaped(cand, piece.font, piece.size)[1] > avail:
            parts.append(cur)
            cur = cl
        else:
            cur = cand
    if cur:
        parts.append(cur)
    return [Piece(p, piece.font, shaped(p, piece.font, piece.size)[1], False, piece.size) for p in parts]


def layout(runs, size: float, width: float, first_indent: float = 0.0) -> list[Line]:
    pieces = _pieces(runs, size)
    lines: list[Line] = []
    cur: list[Piece] = []
    cur_w = 0.0
    indent = first_indent

    def flush(last=False):
        nonlocal cur, cur_w, indent
        while cur and cur[-1].space:
            cur_w -= cur.pop().width
        lines.append(Line(cur, cur_w, last, indent))
        cur, cur_w, indent = [], 0.0, 0.0

    queue = list(reversed(pieces))
    while queue:
        p = queue.pop()
        avail = width - indent
        if p.space and not cur:
            continue
        if cur_w + p.width <= avail + 0.01:
            cur.append(p)
            cur_w += p.width
            continue
        if p.space:
            flush()
            continue
        if cur:
            flush()
            queue.append(p)
            continue
        # an unbreakable piece wider than the line: cut at cluster boundaries
        split = _split_wide(p, avail)
        queue.extend(reversed(split[1:]))
        cur.append(split[0])
        cur_w += split[0].width
        if len(split) > 1:
            flush()
    if cur or not lines:
        flush(last=True)
    else:
        lines[-1].last = True
    return lines


def actual_text_open(text: str) -> str:
    utf16 = ("\ufeff" + text).encode("utf-16-be").hex().upper()
    return f"/Span <</ActualText <{utf16}>>> BDC"


def _spacing_glyphs(s) -> int:
    """Places the distributed justification can widen: one per spacing cluster."""
    if isinstance(s, ShapedStr):
        data = s.__shapeData__
        return sum(1 for i, sd in enumerate(data) if sd.x_advance and (i == 0 or data[i - 1].cluster != sd.cluster))
    return len(s)


def _spread(s: ShapedStr, extra_units: float) -> ShapedStr:
    """Add ``extra_units`` after each spacing glyph's cluster (marks keep their offset on the base)."""
    data = list(s.__shapeData__)
    for i, sd in enumerate(data):
        nxt = data[i + 1] if i + 1 < len(data) else None
        if nxt is not None and nxt.x_advance and nxt.cluster != sd.cluster:  # ำ's two glyphs stay together
            data[i] = sd._replace(x_advance=sd.x_advance + extra_units)
    return ShapedStr(str(s), shapeData=data)


def draw_line(canv, line: Line, x: float, y: float, size: float, width: float, align: str) -> None:
    slack = width - line.indent - line.width
    x0 = x + line.indent
    gap_extra = 0.0
    if align == "center":
        x0 += slack / 2
    elif align == "right":
        x0 += slack
    elif align == "distributed" and not line.last and slack > 0:
        gaps = sum(_spacing_glyphs(shaped(p.text, p.font, p.size)[0]) for p in line.pieces) - 1
        if gaps > 0:
            gap_extra = slack / gaps
    canv._code.append(actual_text_open(line.text))
    t = canv.beginText(x0, y)
    cx = x0
    for p in line.pieces:
        s, w = shaped(p.text, p.font, p.size)
        n = _spacing_glyphs(s)
        if not p.space:
            t.setTextOrigin(cx, y)
            t.setFont(p.font, p.size)
            if gap_extra and isinstance(s, ShapedStr):
                s = _spread(s, gap_extra * 1000 / p.size)
            elif gap_extra:
                t.setCharSpace(gap_extra)
            t.textOut(s)
            if gap_extra and not isinstance(s, ShapedStr):
                t.setCharSpace(0)
        cx += w + gap_extra * n
    canv.drawText(t)
    canv._code.append("EMC")


@dataclass
class TextStyle:
    font: str = REGULAR
    size: float = 16
    leading: float = 0  # 0 → 1.15 × size (Sarabun's natural single spacing)
    space_before: float = 0
    first_indent: float = 0
    left_indent: float = 0
    right_indent: float = 0
    align: str = "left"
    leader: bool = False  # dotted line under the text (header fields)

    @property
    def line_height(self) -> float:
        return self.leading or self.size * 1.15


class ThaiParagraph(Flowable):
    """``runs``: a string, or [(text, font), …] for mixed bold and regular."""

    def __init__(self, runs, style: TextStyle, lines: list[Line] | None = None, continued: bool = False):
        super().__init__()
        self.runs = [(runs, style.font)] if isinstance(runs, str) else list(runs)
        self.style = style
        self._lines = lines
        self._width = None
        self.spaceBefore = 0 if continued else style.space_before
        self.continued = continued

    @property
    def source_text(self) -> str:
        return "".join(t for t, _ in self.runs)

    def _layout(self, avail_width: float) -> list[Line]:
        if self._lines is None or self._width != avail_width:
            if self._lines is not None and self._width is None:
                return self._lines  # a split part keeps its lines
            self._lines = layout(
                self.runs, self.style.size, avail_width - self.style.left_indent - self.style.right_indent, self.style.first_indent
            )
            self._width = avail_width
        return self._lines

    def wrap(self, availWidth, availHeight):
        lines = self._layout(availWidth)
        self.width = availWidth
        self.height = len(lines) * self.style.line_height + self.style.size * 0.35
        return availWidth, self.height

    def split(self, availWidth, availHeight):
        lines = self._layout(availWidth)
        fit = int((availHeight - self.style.size * 0.35) // self.style.line_height)
        if fit <= 0 or fit >= len(lines):
            return [] if fit <= 0 else [self]
        fit = min(fit, len(lines) - 2)  # no widow or orphan: two lines at least on each side of a break
        if fit < 2:
            return []
        head = ThaiParagraph(self.runs, self.style, lines[:fit])
        head.spaceBefore = self.spaceBefore
        tail = ThaiParagraph(self.runs, self.style, lines[fit:], continued=True)
        head._width = tail._width = None
        head._lines[-1] = Line(head._lines[-1].pieces, head._lines[-1].width, False, head._lines[-1].indent)
        return [head, tail]

    def draw(self):
        canv = self.canv
        st = self.style
        y = self.height - st.size * 1.02
        width = self.width - st.left_indent - st.right_indent
        for line in self._lines:
            draw_line(canv, line, st.left_indent, y, st.size, width, st.align)
            if st.leader:
                canv.saveState()
                canv.setDash(1, 2)
                canv.setLineWidth(0.6)
                start = st.left_indent + line.indent
                if line is self._lines[0] and not self.continued:
                    for p in line.pieces:  # the dots run under the value, not the bold label
                        if not (p.space or p.font != self.runs[-1][1]):
                            break
                        start += p.width
                canv.line(start, y - 2.5, st.left_indent + width, y - 2.5)
                canv.restoreState()
            y -= st.line_height
