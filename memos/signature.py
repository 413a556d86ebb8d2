"""An official's own signature image (issue 13 item 6): uploaded, or drawn on a phone's canvas.

Checked by its bytes, never by its name: PNG or JPEG only, at most ``MAX_BYTES``, verified and then
decoded whole by Pillow (a truncated or forged file is refused), within ``MIN_SIZE``..``MAX_SIZE``
pixels. Stored re-encoded as PNG (no metadata, nothing but pixels), keeping its alpha channel: a
transparent background stays transparent on the printed memo. Decisions snapshot the file when
they are recorded, so a new signature never changes what was already signed.
"""

from __future__ import annotations

import base64
import binascii
import io

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from .errors import InvalidInput
from .models import Official

MAX_BYTES = 1024 * 1024
MIN_SIZE = (60, 20)  # pixels (width, height): smaller is not a legible signature
MAX_SIZE = (2000, 1000)
MAGIC = {b"\x89PNG\r\n\x1a\n": "PNG", b"\xff\xd8\xff": "JPEG"}
FIELD = "file"


def decode_data_url(value: str) -> bytes:
    """The bytes of a canvas's ``data:image/png;base64,…`` (what the drawing pad sends)."""
    head, sep, payload = (value or "").partition(",")
    if not sep or not head.startswith("data:image/") or ";base64" not in head:
        raise InvalidInput(_("ภาพลายมือชื่อที่วาดไม่ถูกต้อง"), field=FIELD)
    if len(payload) > MAX_BYTES * 4 // 3 + 8:
        raise InvalidInput(_("ไฟล์ลายมือชื่อต้องไม่เกิน 1 MB"), field=FIELD)
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput(_("ภาพลายมือชื่อที่วาดไม่ถูกต้อง"), field=FIELD) from None


def checked_png(data: bytes) -> tuple[bytes, tuple[int, int]]:
    """The signature as PNG bytes to store, and its size; InvalidInput (Thai, field ``file``)."""
    if len(data) > MAX_BYTES:
        raise InvalidInput(_("ไฟล์ลายมือชื่อต้องไม่เกิน 1 MB"), field=FIELD)
    kind = next((k for magic, k in MAGIC.items() if data.startswith(magic)), None)
    if kind is None:
        raise InvalidInput(_("รับเฉพาะภาพ PNG หรือ JPEG"), field=FIELD)
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format != kind:
                raise InvalidInput(_("รับเฉพาะภาพ PNG หรือ JPEG"), field=FIELD)
            size = probe.size
            if size[0] > MAX_SIZE[0] or size[1] > MAX_SIZE[1]:  # before decoding: no bomb is decoded
                raise InvalidInput(
                    _("ภาพลายมือชื่อใหญ่เกินไป (ไม่เกิน %(w)s×%(h)s พิกเซล)") % {"w": MAX_SIZE[0], "h": MAX_SIZE[1]}, field=FIELD
                )
            if size[0] < MIN_SIZE[0] or size[1] < MIN_SIZE[1]:
                raise InvalidInput(
                    _("ภาพลายมือชื่อเล็กเกินไป (อย่างน้อย %(w)s×%(h)s พิกเซล)") % {"w": MIN_SIZE[0], "h": MIN_SIZE[1]}, field=FIELD
                )
            probe.verify()
        with Image.open(io.BytesIO(data)) as img:
            img.load()  # decode whole: a truncated file fails here
            keep_alpha = img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info)
            img = img.convert("RGBA" if keep_alpha else "RGB")
            out = io.BytesIO()
            img.save(out, "PNG", optimize=True)
    except InvalidInput:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise InvalidInput(_("เปิดไฟล์ภาพนี้ไม่ได้ (ไฟล์เสียหายหรือไม่ครบ)"), field=FIELD) from None
    return out.getvalue(), size


def set_signature(official: Official, data: bytes) -> Official:
    png, _size = checked_png(data)
    with transaction.atomic():
        old = official.signature.name if official.signature else ""
        official.signature.save(f"official-{official.pk}.png", ContentFile(png), save=False)
        official.save(update_fields=["signature"])
    if old and old != official.signature.name:
        # decisions keep their own snapshot (Decision.signature): the old file is nobody's record
        official.signature.storage.delete(old)
    return official


def signature_info(official: Official) -> dict:
    """What the page and the API say about it (no query)."""
    if not official.signature:
        return {"has_signature": False, "width": None, "height": None}
    try:
        width, height = official.signature.width, official.signature.height
    except (OSError, ValueError):
        return {"has_signature": False, "width": None, "height": None}
    return {"has_signature": True, "width": width, "height": height}
