"""What an attachment must be to be stored: whatever issuing needs is checked here, at upload,
so that an approved memo can always be issued.

- PDF, PNG or JPEG, told by the first bytes, not by the name or type the browser sent;
- at most ``ATTACHMENT_MAX_BYTES``, refused as soon as the request says it is larger
  (``AttachmentSizeLimit``, the first of ``FILE_UPLOAD_HANDLERS``), before the body is read;
- an image decodes whole and has at most ``bundle.MAX_IMAGE_PIXELS`` pixels;
- a PDF opens, and is stored without its active content (``bundle.sanitize_pdf``, which issuing
  runs again when it appends the file).
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.utils.translation import gettext as _

from .documents.bundle import MAX_IMAGE_PIXELS, ImageTooLarge, check_image, sanitize_pdf
from .documents.schema import DocumentError
from .errors import InvalidInput

ALLOWED_ATTACHMENT_TYPES = {
    "application/pdf": b"%PDF-",
    "image/png": b"\x89PNG\r\n\x1a\n",
    "image/jpeg": b"\xff\xd8\xff",
}


def too_large_message() -> str:
    return _("ไฟล์ใหญ่เกินกำหนด (%(mb)s MB)") % {"mb": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)}


def checked(upload) -> tuple[str, bytes]:
    """The upload's content type and the bytes to store (a PDF sanitised), or InvalidInput on
    the ``file`` field."""
    if upload.size > settings.ATTACHMENT_MAX_BYTES:
        raise InvalidInput(too_large_message(), field="file")
    upload.seek(0)
    data = upload.read()
    content_type = next((t for t, magic in ALLOWED_ATTACHMENT_TYPES.items() if data.startswith(magic)), None)
    if content_type is None:
        raise InvalidInput(_("รับเฉพาะไฟล์ PDF, PNG หรือ JPEG"), field="file")
    if content_type == "application/pdf":
        try:
            return content_type, sanitize_pdf(data)
        except DocumentError:
            raise InvalidInput(
                _("เปิดไฟล์ PDF นี้ไม่ได้ (ไฟล์เสียหาย มีรหัสผ่าน หรือไม่มีหน้า)"), field="file"
            ) from None
    try:
        check_image(data)
    except ImageTooLarge:
        raise InvalidInput(
            _("ภาพใหญ่เกินกำหนด (ไม่เกิน %(mp)s ล้านพิกเซล)") % {"mp": MAX_IMAGE_PIXELS // 1_000_000},
            field="file",
        ) from None
    except DocumentError:
        raise InvalidInput(_("เปิดไฟล์ภาพนี้ไม่ได้ (ไฟล์เสียหายหรือไม่ครบ)"), field="file") from None
    return content_type, data


# --- the size limit, enforced while the request is read -------------------------------------

_REFUSED = "attachment_too_large"


def request_limit() -> int:
    """The largest multipart body taken: one attachment plus the form's other fields (which
    Django bounds by DATA_UPLOAD_MAX_MEMORY_SIZE)."""
    return settings.ATTACHMENT_MAX_BYTES + (settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0)


def refused_for_size(request) -> str | None:
    """The message to show when the request's file was too large and was not read."""
    return too_large_message() if getattr(request, _REFUSED, False) else None


class AttachmentSizeLimit(FileUploadHandler):
    """Stops reading a multipart request at its first file when its Content-Length is over the
    limit, or as soon as the files received pass ATTACHMENT_MAX_BYTES (a body sent without an
    honest length). The fields before the file (the CSRF token, the text typed) are still read,
    so the page can show the form again with the error; the file itself never is. The view
    asks ``refused_for_size``. The connection is then closed rather than drained."""

    def __init__(self, request=None):
        super().__init__(request)
        self.received = 0

    def _refuse(self) -> None:
        if self.request is not None:
            setattr(self.request, _REFUSED, True)

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length > request_limit():
            self._refuse()
        return None  # parse as usual, up to the first file

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        if getattr(self.request, _REFUSED, False):
            raise StopUpload(connection_reset=True)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > settings.ATTACHMENT_MAX_BYTES:
            self._refuse()
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handlers (memory, temporary file) build the file
