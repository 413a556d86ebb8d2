"""ประกาศ (form 7): emblem centred, title, subject, separator, body, date, signature."""

from __future__ import annotations

from reportlab.lib.units import cm
from reportlab.platypus import Spacer
from reportlab.platypus.flowables import HRFlowable

from . import layout as L
from .common import BOLD, Centred, KeepTail, body, build, image_or_space, signature_block
from .digits import thai_digits
from .schema import AnnouncementDocument
from .text import TextStyle, ThaiParagraph
from .thai import thai_date

WIDTH = L.PAGE[0] - L.MARGIN_LEFT - L.MARGIN_RIGHT


def story(doc: AnnouncementDocument) -> list:
    d = thai_digits
    # as the one-cell table it was: centred, 3 pt above and below (a table's default padding)
    emblem = Centred(image_or_space(doc.agency.emblem, L.EMBLEM_ANNOUNCEMENT), WIDTH, top=3, bottom=3)
    centre_bold = TextStyle(font=BOLD, align="center")
    out: list = [
        emblem,
        ThaiParagraph(f"ประกาศ{d(doc.agency.name)}", centre_bold),
        ThaiParagraph(f"เรื่อง {d(doc.subject)}", centre_bold),
        Spacer(1, 6),
        HRFlowable(width=3 * cm, thickness=0.8, color="black", hAlign="CENTER"),
        Spacer(1, 6),
    ]
    para = body(first_indent=L.FIRST_INDENT, space_before=L.PARA_SPACE, align="distributed")
    out += [ThaiParagraph(d(p), para) for p in doc.paragraphs]
    block = []
    if doc.closing:
        block.append(ThaiParagraph(d(doc.closing), body(first_indent=L.FIRST_INDENT, space_before=L.PARA_SPACE)))
    # the date line, the signature and the last lines of the text stay on one page (FORMAT.md)
    block.append(ThaiParagraph(f"ประกาศ ณ วันที่ {thai_date(doc.date, era=True)}",
                               body(left_indent=WIDTH * 0.3, space_before=L.PARA_SPACE * 3)))
    block += signature_block(d(doc.signer.name), [doc.signer.position], doc.signer.signature, WIDTH)
    out.append(KeepTail(out.pop(), block))
    return out


def render(doc: AnnouncementDocument) -> bytes:
    return build(story(doc), title=doc.subject, author=doc.agency.name)
