"""บันทึกข้อความ (form 2 of the regulation) with its comment chain."""

from __future__ import annotations

from pythainlp.util import thai_strftime
from reportlab.lib import colors
from reportlab.platypus import Spacer, Table

from . import layout as L
from . import tagging, thai
from .common import (
    BOLD,
    MIN_LINES,
    REGULAR,
    KeepHead,
    KeepTail,
    KeepTogether,
    body,
    build,
    image_or_space,
    signature_block,
)
from .digits import thai_digits
from .fonts import register
from .schema import MemoDocument
from .text import TextStyle, ThaiParagraph, shaped
from .thai import thai_date, thai_time

WIDTH = L.PAGE[0] - L.MARGIN_LEFT - L.MARGIN_RIGHT

# FORMAT.md "Urgency and secrecy": the urgency in red, at least 32 pt, at the top of the first page;
# the secrecy at the top and bottom of every page, red, in a band added to both margins (the
# bottom one clears the verification stamp's QR code and seal, memos/signing/stamp.py)
MARK_COLOUR = colors.Color(0.85, 0, 0)
URGENCY_SIZE = 32
SECRECY_SIZE = 24
SECRECY_BAND = 1.0 * L.cm
COPIES_LABEL = 3 * L.cm


class Marked(ThaiParagraph):
    """A paragraph drawn in the marks' red (the canvas state is restored after each flowable)."""

    def draw(self):
        self.canv.setFillColor(MARK_COLOUR)
        super().draw()


def _secrecy_marks(mark: str):
    """The page callback printing ``mark`` centred at the top and at the bottom of a page."""
    def draw(canv, doc):
        s, w = shaped(mark, BOLD, SECRECY_SIZE)
        x = (doc.pagesize[0] - w) / 2
        canv.saveState()
        canv.setFillColor(MARK_COLOUR)
        for y in (doc.pagesize[1] - 1.0 * L.cm, L.MARGIN_BOTTOM + 0.25 * L.cm):
            t = canv.beginText(x, y)
            t.setFont(BOLD, SECRECY_SIZE)
            t.textOut(s)
            with tagging.artifact(canv, "Pagination"):
                canv.drawText(t)
        canv.restoreState()
    return draw


def copies_block(copies: list[str]) -> list:
    """"สำเนาเรียน" and the readers, one a line, under the drafter's signature."""
    d = thai_digits
    label = ThaiParagraph([("สำเนาเรียน", BOLD)], body())
    names = [ThaiParagraph(d(c), body()) for c in copies]
    table = _plain_table([label, names], [COPIES_LABEL, WIDTH - COPIES_LABEL])
    return [Spacer(1, L.PARA_SPACE * 2), table]


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


def numbered_sections(sections) -> list[tuple[int | None, object]]:
    """(number, section) pairs: only a section with a heading takes a number, so a section without
    one (a plain paragraph between numbered ones) leaves no gap (๑, ๒ — never ๑ then ๓). The web
    preview numbers sections with this same function."""
    out, n = [], 0
    for section in sections:
        heading = getattr(section, "heading", None) if not isinstance(section, dict) else section.get("heading")
        if (heading or "").strip():
            n += 1
            out.append((n, section))
        else:
            out.append((None, section))
    return out


def _unit_fields(unit: str, phone: str) -> list:
    """ส่วนราชการ with the phone; "โทร." never ends a line with its number on the next: when the
    whole does not fit on one line, the phone starts its own line (as a typist breaks it)."""
    if not phone:
        return [field("ส่วนราชการ", unit)]
    tel = f"โทร. {phone}"
    whole = field("ส่วนราชการ", f"{unit}  {tel}")
    whole.wrap(WIDTH, 0xFFFFFF)
    if any(" ".join(tel.split()) in " ".join(line.text.split()) for line in whole._lines):
        return [whole]
    return [field("ส่วนราชการ", unit),
            ThaiParagraph(tel, TextStyle(size=L.BODY_SIZE, leading=L.LABEL_SIZE * 1.15, leader=True))]


def story(doc: MemoDocument) -> list:
    register()  # the phone line is measured before the document is built
    d = thai_digits
    para = body(first_indent=L.FIRST_INDENT, space_before=L.PARA_SPACE, align="distributed")
    # three columns (emblem, heading, a blank as wide as the emblem) as wide as the text block: the
    # emblem sits on the left margin and "บันทึกข้อความ" is centred on the text block (FORMAT.md)
    heading_row = _plain_table(
        [image_or_space(doc.agency.emblem, L.EMBLEM_MEMO),
         ThaiParagraph("บันทึกข้อความ", TextStyle(font=BOLD, size=L.HEADING_SIZE, align="center")),
         Spacer(L.EMBLEM_MEMO, 1)],
        [L.EMBLEM_MEMO, WIDTH - 2 * L.EMBLEM_MEMO, L.EMBLEM_MEMO],
    )
    out: list = [heading_row, Spacer(1, 4), *_unit_fields(d(doc.unit), d(doc.phone))]
    if doc.urgency:
        out.insert(0, Marked([(doc.urgency, BOLD, URGENCY_SIZE)], TextStyle(font=BOLD, size=URGENCY_SIZE, role="P")))
    out.append(_plain_table(
        [field("ที่", d(doc.number)), field("วันที่", thai_date(doc.date) if doc.date else "")],
        [WIDTH * 0.5, WIDTH * 0.5],
    ))
    out.append(field("เรื่อง", d(doc.subject)))
    out.append(ThaiParagraph([("เรียน", BOLD, L.LABEL_SIZE), ("  ", REGULAR), (d(doc.addressee), REGULAR)],
                             TextStyle(leading=L.LABEL_SIZE * 1.15, space_before=L.PARA_SPACE)))
    parts: list[tuple[ThaiParagraph | None, list]] = []
    for n, section in numbered_sections(doc.sections):
        number = d(str(n)) if n else ""
        body_part = [ThaiParagraph(d(p), para) for p in section.paragraphs]
        # items are numbered under their section (๓.๑, ๓.๒); in a section without a number: ๑. ๒.
        body_part += [ThaiParagraph(f"{number}.{d(str(i))} {d(item)}" if n else f"{d(str(i))}. {d(item)}", para)
                      for i, item in enumerate(section.items, 1)]
        heading = ThaiParagraph(f"{number}. {d(section.heading.strip())}",
                                TextStyle(font=BOLD, first_indent=L.FIRST_INDENT, space_before=L.PARA_SPACE)) if n else None
        parts.append((heading, body_part))
    closing = []
    if doc.closing:
        closing.append(ThaiParagraph(d(doc.closing), body(first_indent=L.FIRST_INDENT, space_before=L.PARA_SPACE * 2)))
    # one flat block (a KeepTogether inside another reports an endless height and always moves)
    sign = [*closing, *signature_block(d(doc.signer.name), [doc.signer.position], doc.signer.signature, WIDTH)]
    if doc.copies:
        sign += copies_block(doc.copies)
    if parts and parts[-1][0] is not None and not parts[-1][1]:
        sign.insert(0, parts.pop()[0])  # a last heading with nothing under it goes with the signature
    # the signature block takes the last lines of the last body paragraph with it (and that
    # paragraph's heading, when it is the first paragraph of its section)
    last = next((i for i in range(len(parts) - 1, -1, -1) if parts[i][1]), None)
    lead = parts[last][1].pop() if last is not None else None
    # a last paragraph of one line is not "the last two lines": it joins the block (with its
    # heading when it was all its section held) and the paragraph before it leads instead
    moved = 0  # lines of text already in the block
    while lead is not None and moved + len(lead._layout(WIDTH)) < MIN_LINES:
        earlier = last if parts[last][1] else next((i for i in range(last - 1, -1, -1) if parts[i][1]), None)
        if earlier is None:
            break
        sign.insert(0, lead)
        moved += len(lead._layout(WIDTH))
        for i in range(last, earlier, -1):  # the emptied section's heading, and empty ones before it
            if parts[i][0] is not None:
                sign.insert(0, parts[i][0])
        del parts[earlier + 1:last + 1]
        last = earlier
        lead = parts[last][1].pop()
    before = [parts[last][0]] if last is not None and parts[last][0] is not None and not parts[last][1] else []
    for i, (heading, body_part) in enumerate(parts):
        if heading is not None and not (before and i == last):
            out.append(KeepHead(heading, body_part[:2]) if body_part else heading)
            out += body_part[2:]
        else:
            out += body_part
    out.append(KeepTail(lead, sign, lines=max(1, MIN_LINES - moved), before=before) if lead is not None else KeepTogether(sign))
    for e in doc.endorsements:
        block = [ThaiParagraph(d(e.heading), TextStyle(font=BOLD, space_before=L.PARA_SPACE * 2))]
        if e.comment:
            block.append(ThaiParagraph(d(e.comment), body(first_indent=L.FIRST_INDENT, align="distributed")))
        lines = [f"{e.position} {e.acting.kind}", e.acting.for_position] if e.acting else [e.position]
        block += signature_block(d(e.name), lines, e.signature, WIDTH, date=e.date)
        out.append(KeepTogether(block))
    if doc.history:
        out += history_block(doc.history)
    return out


HISTORY_SIZE = L.BODY_SIZE - 2
HISTORY_WHEN = 4.1 * L.cm
HISTORY_HASH = 3.3 * L.cm


def history_block(steps) -> list:
    """"ประวัติการพิจารณา": a row per record (Thai date and time; decision, who and in what
    capacity; the first 12 hex digits of its hash, in a column of its own so it is read as one code
    and kept in Arabic digits, as FORMAT.md keeps codes a reader types in to compare)."""
    d = thai_digits
    small = body(size=HISTORY_SIZE)
    rows = []
    for n, step in enumerate(steps, 1):
        who = step.name
        if step.acting:
            who += f" {step.position} {step.acting.kind} {step.acting.for_position}"
        elif step.position:
            who += f" {step.position}"
        rows.append([
            [ThaiParagraph(f"{d(str(n))}. {thai_strftime(step.time, '%-d %b %Y', thaidigit=thai.THAI_DIGITS)}", small),
             ThaiParagraph(thai_time(step.time), body(size=HISTORY_SIZE, left_indent=0.5 * L.cm))],
            [ThaiParagraph([(step.decision, BOLD, HISTORY_SIZE)], small), ThaiParagraph(d(who.strip()), small)],
            ThaiParagraph(step.hash, body(size=HISTORY_SIZE, align="right")),
        ])
    table = Table(rows, colWidths=[HISTORY_WHEN, WIDTH - HISTORY_WHEN - HISTORY_HASH, HISTORY_HASH], repeatRows=0)
    table.setStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("BOTTOMPADDING", (0, 0), (-1, -1), 3)]
                   + [(k, (0, 0), (-1, -1), 0) for k in ("LEFTPADDING", "RIGHTPADDING", "TOPPADDING")]
                   + [("RIGHTPADDING", (0, 0), (-2, -1), 6)])
    heading = ThaiParagraph("ประวัติการพิจารณา", TextStyle(font=BOLD, space_before=L.PARA_SPACE * 3))
    note = ThaiParagraph(
        "รหัสท้ายรายการคือ ๑๒ หลักแรกของค่าแฮช SHA-256 ของบันทึกการพิจารณาแต่ละขั้น "
        "ซึ่งแนบอยู่ในแฟ้มนี้ (decision-chain.json) และลงลายมือชื่ออิเล็กทรอนิกส์ของหน่วยงาน",
        body(size=HISTORY_SIZE - 2, space_before=L.PARA_SPACE),
    )
    return [KeepHead(heading, [table]), note]


def render(doc: MemoDocument) -> bytes:
    if doc.secrecy:
        return build(story(doc), title=doc.subject, author=doc.agency.name, on_page=_secrecy_marks(doc.secrecy),
                     band=SECRECY_BAND)
    return build(story(doc), title=doc.subject, author=doc.agency.name)
