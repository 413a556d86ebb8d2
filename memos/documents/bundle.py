"""Append attachments (PDF files, or PNG/JPEG images as one page each) after a rendered PDF."""

from __future__ import annotations

import io

from pypdf import PdfReader, PdfWriter
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from . import layout as L
from .schema import DocumentError


def _image_page(data: bytes) -> bytes:
    """An image centred on an A4 page inside the margins, scaled down to fit, never up."""
    img = ImageReader(io.BytesIO(data))
    iw, ih = img.getSize()
    pw, ph = L.PAGE
    box_w, box_h = pw - L.MARGIN_LEFT - L.MARGIN_RIGHT, ph - L.MARGIN_TOP - L.MARGIN_BOTTOM
    scale = min(box_w / iw, box_h / ih, 1.0)
    w, h = iw * scale, ih * scale
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=L.PAGE)
    canvas.drawImage(img, L.MARGIN_LEFT + (box_w - w) / 2, ph - L.MARGIN_TOP - h, w, h)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def bundle(main: bytes, attachments: list[bytes]) -> bytes:
    """``main`` then each attachment, in order. A damaged attachment is an input error."""
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(main)))
    for i, data in enumerate(attachments, 1):
        try:
            page = data if data.startswith(b"%PDF-") else _image_page(data)
            writer.append(PdfReader(io.BytesIO(page)))
        except Exception as exc:  # pypdf and PIL raise many types for a damaged file
            raise DocumentError(f"attachment {i}: cannot be read ({exc})") from exc
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
