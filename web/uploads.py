"""A PDF uploaded for verification: size checked before it is read, never a 500."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from memos.uploads import refused_for_size


class UploadRefused(ValueError):
    """A message for the person who uploaded (400)."""


def too_large() -> str:
    return _("ไฟล์ใหญ่เกินกำหนด (ไม่เกิน %(mb)s MB) ตรวจสอบด้วยรหัสที่พิมพ์บนเอกสารแทนได้") % {
        "mb": settings.VERIFY_UPLOAD_MAX_BYTES // (1024 * 1024)
    }


def declared_too_large(request) -> bool:
    """The request says its body is larger than the limit allows: refuse before reading it."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > settings.VERIFY_UPLOAD_MAX_BYTES + (settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0)


def read_pdf(request, upload) -> bytes:
    """The uploaded file's bytes, or UploadRefused."""
    if refused_for_size(request) or (upload is not None and upload.size > settings.VERIFY_UPLOAD_MAX_BYTES):
        raise UploadRefused(too_large())
    if upload is None:
        raise UploadRefused(_("กรุณาพิมพ์รหัสตรวจสอบหรือเลือกไฟล์ PDF"))
    data = upload.read()
    if not data.lstrip()[:5] == b"%PDF-":
        raise UploadRefused(_("ไฟล์นี้ไม่ใช่ PDF"))
    return data
