"""What is printed on an issued document before it is signed: on every page a QR code and the short
verification code (bottom margin, small), and on the last page the visible seal of the signature.

Both are drawn with ReportLab over the rendered pages (pikepdf lays them over: a form XObject per
page, several times faster than pypdf's merge) *before* signing, so the
signature covers them. The seal is page content under the signature field's widget: the widget's
own appearance (pyHanko's) holds no Thai text, because pyHanko's stamp text does not use our shaping
(memos/documents/text.py); drawn here it is shaped like the rest of the document.
"""

from __future__ import annotations

import io
import secrets
from dataclasses import dataclass

import pikepdf
import segno
from reportlab.lib.units import cm
from reportlab.pdfgen.canvas import Canvas

from memos.documents.digits import thai_digits
from memos.documents.fonts import BOLD, REGULAR, register
from memos.documents.text import actual_text_open, shaped
from memos.documents.widths import agree_widths

# Crockford's base 32 without I, L, O, U: read aloud or typed from paper without confusion.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 10  # 50 bits: unguessable for a public lookup that shows only what is public anyway

QR_SIZE = 1.8 * cm  # about 0.5 mm a module for a 60-character address: phones read it at arm's length
MARGIN_RIGHT = 2 * cm
MARGIN_LEFT = 3 * cm
BOTTOM = 0.15 * cm
# The signature field on the last page: bottom-left band, inside the 2 cm bottom margin.
SEAL_BOX = (MARGIN_LEFT, BOTTOM, MARGIN_LEFT + 8 * cm, BOTTOM + QR_SIZE)


def new_code() -> str:
    """A fresh verification code, shown as XXXXX-XXXXX."""
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def normalise_code(text: str) -> str:
    """What a person typed → the stored form: case, spaces and Crockford's look-alikes forgiven."""
    s = "".join(ch for ch in text.upper() if ch.isalnum())
    s = s.translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))
    return f"{s[:5]}-{s[5:]}" if len(s) == CODE_LENGTH else s


@dataclass(frozen=True)
class Seal:
    """The visible seal's text: the agency and who approved, as what."""

    agency: str
    name: str
    position: str  # with the capacity, e.g. "ปลัดเทศบาล รักษาราชการแทน นายกเทศมนตรี…"
    emblem: str | None = None  # image path


def _text(canv: Canvas, text: str, x: float, y: float, size: float, font: str = REGULAR, align: str = "left") -> float:
    s, w = shaped(text, font, size)
    if align == "right":
        x -= w
    canv._code.append(actual_text_open(text))
    t = canv.beginText(x, y)
    t.setFont(font, size)
    t.textOut(s)
    canv.drawText(t)
    canv._code.append("EMC")
    return w


def _fit(text: str, font: str, size: float, width: float) -> float:
    """The size (at most ``size``) at which ``text`` fits in ``width``."""
    w = shaped(text, font, size)[1]
    return size if w <= width else max(5.0, size * width / w)


def _qr(canv: Canvas, url: str, x: float, y: float, size: float) -> None:
    """The QR code as vector squares (sharp at any zoom, no image for PDF/A to worry about)."""
    qr = segno.make(url, error="m", micro=False)
    rows = list(qr.matrix)
    n = len(rows) + 8  # quiet zone of 4 modules each side
    m = size / n
    canv.setFillColorRGB(1, 1, 1)
    canv.rect(x, y, size, size, stroke=0, fill=1)
    canv.setFillColorRGB(0, 0, 0)
    p = canv.beginPath()
    for r, row in enumerate(rows):
        c = 0
        while c < len(row):
            if row[c] & 1:
                start = c
                while c < len(row) and row[c] & 1:
                    c += 1
                p.rect(x + (start + 4) * m, y + size - (r + 5) * m, (c - start) * m, m)
            else:
                c += 1
    canv.drawPath(p, stroke=0, fill=1)


def _seal(canv: Canvas, seal: Seal) -> None:
    x0, y0, x1, y1 = SEAL_BOX
    canv.setStrokeColorRGB(0.1, 0.2, 0.5)
    canv.setLineWidth(0.6)
    canv.roundRect(x0, y0, x1 - x0, y1 - y0, 3, stroke=1, fill=0)
    tx = x0 + 4
    if seal.emblem:
        try:
            canv.drawImage(seal.emblem, x0 + 3, y0 + 3, y1 - y0 - 6, y1 - y0 - 6, preserveAspectRatio=True, mask="auto")
            tx = x0 + (y1 - y0) + 2
        except OSError:
            pass
    width = x1 - tx - 4
    canv.setFillColorRGB(0.1, 0.2, 0.5)
    lines = [
        (f"ลงนามอิเล็กทรอนิกส์โดย {seal.agency}", BOLD, 8.5),
        (seal.name, REGULAR, 8),
        (seal.position, REGULAR, 8),
    ]
    y = y1 - 12
    for text, font, size in lines:
        if text:
            _text(canv, text, tx, y, _fit(text, font, size, width), font)
        y -= 12.5
    canv.setFillColorRGB(0, 0, 0)


def _overlay(sizes: list[tuple[float, float]], url: str, code: str, seal: Seal | None) -> bytes:
    register()
    buf = io.BytesIO()
    canv = Canvas(buf, initialFontName=REGULAR)
    for k, (w, _h) in enumerate(sizes):
        canv.setPageSize((w, _h))
        qx = w - MARGIN_RIGHT - QR_SIZE
        _qr(canv, url, qx, BOTTOM, QR_SIZE)
        canv.setFillColorRGB(0.25, 0.25, 0.25)
        _text(canv, "ตรวจสอบเอกสารได้ที่", qx - 4, BOTTOM + QR_SIZE - 10, 7.5, align="right")
        _text(canv, url.split("/verify/")[0] + "/verify/", qx - 4, BOTTOM + QR_SIZE - 20, 7, align="right")
        _text(canv, f"รหัสตรวจสอบ {code}", qx - 4, BOTTOM + QR_SIZE - 32, 8, BOLD, align="right")
        _text(canv, f"หน้า {thai_digits(str(k + 1))}/{thai_digits(str(len(sizes)))}", qx - 4, BOTTOM + 2, 7, align="right")
        canv.setFillColorRGB(0, 0, 0)
        if seal is not None and k == len(sizes) - 1:
            _seal(canv, seal)
        canv.showPage()
    canv.save()
    return buf.getvalue()


def stamp(pdf: bytes, url: str, code: str, seal: Seal | None = None) -> bytes:
    """``pdf`` with the verification QR (encoding ``url``) and ``code`` on every page and, when
    given, the seal on the last page. Keeps the document's metadata, language and structure."""
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        boxes = [pikepdf.Page(p).mediabox for p in doc.pages]
        sizes = [(float(b[2]) - float(b[0]), float(b[3]) - float(b[1])) for b in boxes]
        with pikepdf.open(io.BytesIO(_overlay(sizes, url, code, seal))) as over:
            agree_widths(list(over.objects))  # the stamp's Thai marks, as the rendered pages' (PDF/A)
            for page, layer, box in zip(doc.pages, over.pages, boxes, strict=True):
                x0, y0 = float(box[0]), float(box[1])
                rect = pikepdf.Rectangle(x0, y0, x0 + float(layer.mediabox[2]), y0 + float(layer.mediabox[3]))
                pikepdf.Page(page).add_overlay(layer, rect)
            out = io.BytesIO()
            doc.save(out)
    return out.getvalue()
