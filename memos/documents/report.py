"""Reports with long tables: header row at the top of every page, long cells split across pages,
no row lost, numeric columns right-aligned."""

from __future__ import annotations

import re

from reportlab.lib.pagesizes import landscape
from reportlab.platypus import Table
from reportlab.platypus.doctemplate import FrameBreak

from . import layout as L
from .common import BOLD, REGULAR, KeepTogether, body, build
from .fonts import register
from .schema import ReportDocument
from .text import TextStyle, ThaiParagraph, shaped
from .thai import segment

PAGE = landscape(L.PAGE)  # seven columns need the width
WIDTH = PAGE[0] - L.MARGIN_LEFT - L.MARGIN_RIGHT
CELL_PAD = 3  # points
RULE = 0.5  # grid line width

# A number or an amount as typed in a cell: "1,250,000.50", "๑๒", "-", "15%", "3,000 บาท".
_DIGIT = "[0-9๐-๙]"
NUMBER = re.compile(
    rf"^[+\-−]?(?:{_DIGIT}{{1,3}}(?:,{_DIGIT}{{3}})+|{_DIGIT}+)(?:\.{_DIGIT}+)?\s*(?:%|บาท)?$|^[-–—]$"
)


def numeric_column(values: list) -> bool:
    """A column whose every filled cell is a number or an amount (a dash counts as an empty amount)."""
    seen = False
    for v in values:
        if isinstance(v, list):
            return False
        v = (v or "").strip()
        if not v:
            continue
        if not NUMBER.match(v):
            return False
        seen = True
    return seen


class ReportTable(Table):
    """A table whose continuation always starts a new page, under its repeated header.

    ReportLab 5.1's ``Table.split`` returns [top part, header + rest]; the document template then
    offers the rest to the *same* frame. With ``splitByRow`` the top part ends at a row boundary, so
    when the next row is tall the space left below it was used by the rest, split again inside that
    row: the header row was printed in the middle of the page (20 of 23 pages of a long report).
    Here the rest is preceded by a frame break, splitting inside a row is tried first (so pages are
    filled), and the top part gets a closing rule under its last (possibly cut) row.
    """

    def split(self, availWidth, availHeight):
        parts = super().split(availWidth, availHeight)
        if len(parts) != 2:
            return parts
        top, rest = parts
        top.setStyle([("LINEBELOW", (0, -1), (-1, -1), RULE, "black")])
        return [top, FrameBreak(), rest]


class Captioned(KeepTogether):
    """A caption kept with its table's header row and the start of its first row."""

    def __init__(self, caption, tbl: Table, lines: int = 2):
        super().__init__([caption, tbl])
        self._lines = lines

    def split(self, aW, aH):
        caption, tbl = self._content
        _, ch = caption.wrap(aW, aH)
        tbl.wrap(aW, 0xFFFFFF)
        rows = getattr(tbl, "_rowHeights", None) or [0]
        need = ch + caption.getSpaceAfter() + tbl.getSpaceBefore() + rows[0]
        if len(rows) > 1:  # the first row whole, or its first lines when it is taller
            need += min(rows[1], self._lines * L.REPORT_CELL_SIZE * 1.3 + CELL_PAD * 2)
        frame = getattr(self, "_frame", None)
        if need <= aH or (frame is not None and getattr(frame, "_atTop", False)):
            return [caption, tbl]
        return [FrameBreak(), caption, tbl]


def _widest_word(values, font: str, size: float) -> float:
    widest = 0.0
    for v in values:
        for text in v if isinstance(v, list) else [v]:
            for piece in segment(" ".join((text or "").split())):
                if not piece.isspace():
                    widest = max(widest, shaped(piece, font, size)[1])
    return widest


def column_widths(t, width: float = WIDTH) -> list[float]:
    """Declared relative widths, widened where a column's longest word would not fit, so narrow
    columns break between words ("ทรัพยากรบุคคล" whole); the widening is taken from the columns
    with room to spare. A word wider than a third of the table is still cut at character clusters."""
    weights = t.widths or [1.0] * len(t.columns)
    widths = [width * w / sum(weights) for w in weights]
    need = []
    for i, name in enumerate(t.columns):
        cells = [row[i] for row in t.rows]
        w = max(_widest_word(cells, REGULAR, L.REPORT_CELL_SIZE), _widest_word([name], BOLD, L.REPORT_CELL_SIZE))
        need.append(min(w + 2 * CELL_PAD + 1, width / 3))
    short = sum(max(0.0, n - w) for n, w in zip(need, widths, strict=True))
    spare = sum(max(0.0, w - n) for n, w in zip(need, widths, strict=True))
    if short <= 0 or spare < short:
        return widths
    return [n if n > w else w - (w - n) * short / spare for n, w in zip(need, widths, strict=True)]


def _cell(value, style) -> list:
    items = value if isinstance(value, list) else [value]
    return [ThaiParagraph(v, style) for v in items if v] or [ThaiParagraph(" ", style)]


def table(t, width: float = WIDTH) -> Table:
    register()  # widths are measured before the document is built
    widths = column_widths(t, width)
    # Cell padding lives in the paragraph, not the table: ReportLab 5.1's Table.splitInRow hands a
    # split cell the full column width (padding not subtracted), so padded text overflowed the grid.
    pad = {"left_indent": CELL_PAD, "right_indent": CELL_PAD}
    head = TextStyle(font=BOLD, size=L.REPORT_CELL_SIZE, align="center", **pad)
    cell = body(size=L.REPORT_CELL_SIZE, **pad)
    right = body(size=L.REPORT_CELL_SIZE, align="right", **pad)
    styles = [right if numeric_column([row[i] for row in t.rows]) else cell for i in range(len(t.columns))]
    data = [[_cell(c, head) for c in t.columns]] + [[_cell(c, st) for c, st in zip(row, styles, strict=True)] for row in t.rows]
    tbl = ReportTable(data, colWidths=widths, repeatRows=1, splitByRow=0, splitInRow=1)
    tbl.setStyle([
        ("GRID", (0, 0), (-1, -1), RULE, "black"),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONTNAME", (0, 0), (-1, -1), REGULAR),
        ("BACKGROUND", (0, 0), (-1, 0), "#e8e8e8"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
    ])
    return tbl


def story(doc: ReportDocument) -> list:
    out: list = [ThaiParagraph(doc.title, TextStyle(font=BOLD, size=18, align="center"))]
    if doc.subtitle:
        out.append(ThaiParagraph(doc.subtitle, TextStyle(font=BOLD, size=L.REPORT_BODY_SIZE + 2, align="center")))
    para = body(size=L.REPORT_BODY_SIZE, first_indent=L.FIRST_INDENT, space_before=L.PARA_SPACE, align="distributed")
    out += [ThaiParagraph(p, para) for p in doc.intro]
    for t in doc.tables:
        if t.caption:
            caption = ThaiParagraph(t.caption, TextStyle(font=BOLD, size=L.REPORT_BODY_SIZE, space_before=10))
            out.append(Captioned(caption, table(t)))
        else:
            out.append(table(t))
    return out


def render(doc: ReportDocument) -> bytes:
    return build(story(doc), pagesize=PAGE, title=doc.title)
