"""Reports with long tables: header row on every page, long cells split across pages, no row lost."""

from __future__ import annotations

from reportlab.lib.pagesizes import landscape
from reportlab.platypus import Table

from . import layout as L
from .common import BOLD, REGULAR, body, build
from .schema import ReportDocument
from .text import TextStyle, ThaiParagraph

PAGE = landscape(L.PAGE)  # seven columns need the width
WIDTH = PAGE[0] - L.MARGIN_LEFT - L.MARGIN_RIGHT
CELL_PAD = 3  # points


def _cell(value, style) -> list:
    items = value if isinstance(value, list) else [value]
    return [ThaiParagraph(v, style) for v in items if v] or [ThaiParagraph(" ", style)]


def table(t, width: float = WIDTH) -> Table:
    weights = t.widths or [1.0] * len(t.columns)
    widths = [width * w / sum(weights) for w in weights]
    # Cell padding lives in the paragraph, not the table: ReportLab 5.1's Table.splitInRow hands a
    # split cell the full column width (padding not subtracted), so padded text overflowed the grid.
    pad = {"left_indent": CELL_PAD, "right_indent": CELL_PAD}
    head = TextStyle(font=BOLD, size=L.REPORT_CELL_SIZE, align="center", **pad)
    cell = body(size=L.REPORT_CELL_SIZE, **pad)
    data = [[_cell(c, head) for c in t.columns]] + [[_cell(c, cell) for c in row] for row in t.rows]
    tbl = Table(data, colWidths=widths, repeatRows=1, splitInRow=1)
    tbl.setStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, "black"),
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
            out.append(ThaiParagraph(t.caption, TextStyle(font=BOLD, size=L.REPORT_BODY_SIZE, space_before=10)))
        out.append(table(t))
    return out


def render(doc: ReportDocument) -> bytes:
    return build(story(doc), pagesize=PAGE, title=doc.title)
