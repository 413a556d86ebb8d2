"""บันทึกข้อความ (form 2 of the regulation) with its comment chain."""

from __future__ import annotations

from reportlab.platypus import KeepTogether, Spacer, Table

from . import layout as L
from .common import BOLD, REGULAR, body, build, image_or_space, signature_block
from .schema import MemoDocument
from .text import TextStyle, ThaiParagraph
from .thai import thai_date, thai_digits

WIDTH = L.PAGE[0] - L.MARGIN_LEFT - L.MARGIN_RIGHT


def field(label: str, value: str) -> ThaiParagraph:
    return ThaiParagraph(
        [(label, BOLD, L.LABEL_SIZE), ("  ", REGULAR), (value, REGULAR)],
        TextStyle(size=L.BODY_SIZE, leading=L.LABEL_SIZE * 1.15, leader=True),
    )


def _plain_table(cells, widths):
    t = Table([cells], colWidths=widths)
    t.setStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("FONTNAME", (0, 0), (-1, -1), REGULAR)]
               + [(k, (0, 0), (-1, -1), 0) for k in ("LEFTPADDING", "RIGHTPADDING", "TOPPADDING", "BOTTOMPADDING")])
    return t


def story(doc: MemoDocument) -> list:
    d = thai_digits
    para = body(first_indent=L.FIRST_INDENT, space_before=L.PARA_SPACE, align="distributed")
    heading_row = _plain_table(
        [image_or_space(doc.agency.emblem, L.EMBLEM_MEMO),
         ThaiParagraph("บันทึกข้อความ", TextStyle(font=BOLD, size=L.HEADING_SIZE, align="center"))],
        [L.EMBLEM_MEMO, WIDTH - 2 * L.EMBLEM_MEMO],
    )
    unit_line = doc.unit + (f"  โทร. {doc.phone}" if doc.phone else "")
    out: list = [heading_row, Spacer(1, 4), field("ส่วนราชการ", d(unit_line))]
    out.append(_plain_table(
        [field("ที่", d(doc.number)), field("วันที่", thai_date(doc.date) if doc.date else "")],
        [WIDTH * 0.5, WIDTH * 0.5],
    ))
    out.append(field("เรื่อง", d(doc.subject)))
    out.append(ThaiParagraph([("เรียน", BOLD, L.LABEL_SIZE), ("  ", REGULAR), (d(doc.addressee), REGULAR)],
                             TextStyle(leading=L.LABEL_SIZE * 1.15, space_before=L.PARA_SPACE)))
    for n, section in enumerate(doc.sections, 1):
        if section.heading:
            out.append(ThaiParagraph(f"{d(str(n))}. {d(section.heading)}",
                                     TextStyle(font=BOLD, first_indent=L.FIRST_INDENT, space_before=L.PARA_SPACE)))
        out += [ThaiParagraph(d(p), para) for p in section.paragraphs]
        out += [ThaiParagraph(f"{d(str(n))}.{d(str(i))} {d(item)}", para) for i, item in enumerate(section.items, 1)]
    if doc.closing:
        out.append(ThaiParagraph(d(doc.closing), body(first_indent=L.FIRST_INDENT, space_before=L.PARA_SPACE * 2)))
    out.append(KeepTogether(signature_block(d(doc.signer.name), [doc.signer.position], doc.signer.signature, WIDTH)))
    for e in doc.endorsements:
        block = [ThaiParagraph(d(e.heading), TextStyle(font=BOLD, space_before=L.PARA_SPACE * 2))]
        if e.comment:
            block.append(ThaiParagraph(d(e.comment), body(first_indent=L.FIRST_INDENT, align="distributed")))
        lines = [f"{e.position} {e.acting.kind}", e.acting.for_position] if e.acting else [e.position]
        block += signature_block(d(e.name), lines, e.signature, WIDTH, date=e.date)
        out.append(KeepTogether(block))
    return out


def render(doc: MemoDocument) -> bytes:
    return build(story(doc), title=doc.subject)

