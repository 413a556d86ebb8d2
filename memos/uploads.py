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

import datetime as dt

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.utils import timezone
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


# files one save of the memo form may bring (each up to ATTACHMENT_MAX_BYTES)
MAX_FILES_PER_SAVE = 5


def request_limit() -> int:
    """The largest multipart body taken: as many attachments as one save brings, plus the form's
    other fields (which Django bounds by DATA_UPLOAD_MAX_MEMORY_SIZE)."""
    return MAX_FILES_PER_SAVE * settings.ATTACHMENT_MAX_BYTES + (settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0)


def refused_for_size(request) -> str | None:
    """The message to show when the request's file was too large and was not read."""
    return too_large_message() if getattr(request, _REFUSED, False) else None


class AttachmentSizeLimit(FileUploadHandler):
    """Stops reading a multipart request at its first file when its Content-Length is over the
    limit, or as soon as one file received passes ATTACHMENT_MAX_BYTES (a body sent without an
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
        self.received = 0  # the limit is per file
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


# --- files kept across a form error -----------------------------------------------------------

PENDING_DIR = "pending"
PENDING_MAX_AGE = 24 * 3600  # seconds a kept file's token stays good
_PENDING_SALT = "memos.uploads.pending"


def keep_pending(user_id: int, name: str, data: bytes) -> str:
    """Store a checked file that could not be saved yet (the form had another error) and return
    a signed token for the page to send back. The file is the drafter's only (the token names her),
    and is taken at the next save of the form."""
    from django.core import signing
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.utils.crypto import get_random_string

    key = default_storage.save(f"{PENDING_DIR}/{get_random_string(24)}", ContentFile(data))
    return signing.dumps({"u": user_id, "k": key, "n": name[:255]}, salt=_PENDING_SALT)


def pending_name(token: str, user_id: int) -> str | None:
    """The file name a token stands for, or None if it is not this user's, too old or gone."""
    found = _pending(token, user_id)
    return found[1] if found else None


def _pending(token: str, user_id: int) -> tuple[str, str] | None:
    from django.core import signing
    from django.core.files.storage import default_storage

    try:
        value = signing.loads(token, salt=_PENDING_SALT, max_age=PENDING_MAX_AGE)
    except signing.BadSignature:
        return None
    key = value.get("k", "") if isinstance(value, dict) else ""
    if value.get("u") != user_id or not key.startswith(PENDING_DIR + "/") or not default_storage.exists(key):
        return None
    return key, str(value.get("n") or "file")


def take_pending(token: str, user_id: int):
    """The kept file as an upload-like ContentFile (name set), or None; removed from the store
    once the caller's transaction commits (``forget_pending``)."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    found = _pending(token, user_id)
    if found is None:
        return None
    key, name = found
    with default_storage.open(key, "rb") as f:
        upload = ContentFile(f.read(), name=name)
    upload.pending_key = key
    return upload


def forget_pending(token: str, user_id: int) -> None:
    from django.core.files.storage import default_storage

    found = _pending(token, user_id)
    if found:
        default_storage.delete(found[0])


def sweep_pending(now: dt.datetime | None = None) -> int:
    """Delete kept files whose token has expired (a form left after an error and never sent
    again): nothing can take them any more. Returns how many went. Run daily (the beat)."""
    from django.core.files.storage import default_storage

    now = now or timezone.now()
    try:
        _dirs, names = default_storage.listdir(PENDING_DIR)
    except FileNotFoundError:
        return 0
    gone = 0
    for name in names:
        key = f"{PENDING_DIR}/{name}"
        if (now - default_storage.get_modified_time(key)).total_seconds() > PENDING_MAX_AGE:
            default_storage.delete(key)
            gone += 1
    return gone
