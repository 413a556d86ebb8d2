"""Drafting: create and edit a memo, attach files. Input is validated with the document schema."""

from __future__ import annotations

from typing import Annotated, Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from . import history, uploads
from .documents.schema import MAX_LINE, MAX_PARAGRAPH, MAX_PARAGRAPHS, MAX_SECTIONS, Section, format_errors
from .errors import InvalidInput, NotAllowed
from .models import Attachment, Memo, Official, Unit

_Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_LINE)]
_Para = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_PARAGRAPH)]


class AnnouncementDraft(BaseModel):
    model_config = ConfigDict(extra="forbid")
    subject: _Line  # the announcement document's limit, so that an approved memo can be issued
    paragraphs: list[_Para] = Field(min_length=1, max_length=MAX_PARAGRAPHS)


class MemoInput(BaseModel):
    """The editable fields of a memo; the rest (number, date, signer, endorsements) the system fills."""

    model_config = ConfigDict(extra="forbid")
    unit: int | None = None
    phone: Annotated[str, StringConstraints(strip_whitespace=True, max_length=50)] | None = None
    subject: _Line
    addressee: _Line
    sections: list[Section] = Field(min_length=1, max_length=MAX_SECTIONS)
    closing: Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)] = (
        "จึงเรียนมาเพื่อโปรดพิจารณา"
    )
    announcement: AnnouncementDraft | None = None


_PARTIAL_FIELDS = set(MemoInput.model_fields)


def _validate(data: Any) -> MemoInput:
    if not isinstance(data, dict):
        raise InvalidInput("ข้อมูลต้องเป็นออบเจกต์ JSON")
    try:
        return MemoInput.model_validate(data)
    except ValidationError as exc:
        errors = format_errors(exc)
        first = exc.errors()[0]["loc"]
        raise InvalidInput("; ".join(errors), field=str(first[0]) if first else None) from None


def official_of(user) -> Official:
    official = getattr(user, "official", None) if user.is_authenticated else None
    if official is None:
        raise NotAllowed("บัญชีนี้ไม่ได้ผูกกับเจ้าหน้าที่")
    return official


def _apply(memo: Memo, value: MemoInput, official: Official) -> None:
    if value.unit is not None:
        unit = Unit.objects.filter(pk=value.unit, agency=memo.agency).first()
        if unit is None:
            raise InvalidInput("ไม่พบส่วนราชการนี้ในหน่วยงาน", field="unit")
        memo.unit = unit
    memo.subject = value.subject
    memo.addressee = value.addressee
    memo.sections = [s.model_dump() for s in value.sections]
    memo.closing = value.closing
    memo.announcement = value.announcement.model_dump() if value.announcement else None
    if value.phone is not None:
        memo.phone = value.phone


@transaction.atomic
def create_memo(user, data: Any) -> Memo:
    official = official_of(user)
    value = _validate(data)
    position = official.position_on(timezone.localdate())
    if position is None:
        raise NotAllowed("เจ้าหน้าที่ผู้นี้ไม่มีตำแหน่งในวันนี้")
    division = position.unit.division()
    memo = Memo(
        agency=position.agency,
        unit=division,
        drafter=official,
        drafter_position=position,
        phone=division.phone or position.agency.phone,
    )
    _apply(memo, value, official)
    memo.save()
    history.log(memo, user, "created")
    return memo


def check_editable(user, memo: Memo) -> Official:
    """Only the drafter edits, and only a draft or a returned memo. Returns the drafter."""
    official = official_of(user)
    if memo.drafter_id != official.pk:
        raise NotAllowed("แก้ไขได้เฉพาะผู้ร่างบันทึก")
    if not memo.is_editable:
        raise InvalidInput("บันทึกนี้อยู่ระหว่างเสนอหรือสิ้นสุดแล้ว แก้ไขไม่ได้", field="state")
    return official


@transaction.atomic
def update_memo(user, memo_id: int, data: Any) -> Memo:
    """PATCH semantics: omitted fields keep their value; the result is validated whole."""
    memo = Memo.objects.select_for_update().get(pk=memo_id)
    official = check_editable(user, memo)
    if not isinstance(data, dict):
        raise InvalidInput("ข้อมูลต้องเป็นออบเจกต์ JSON")
    unknown = set(data) - _PARTIAL_FIELDS
    if unknown:
        raise InvalidInput(f"{sorted(unknown)[0]}: แก้ไขไม่ได้หรือไม่มีช่องนี้", field=sorted(unknown)[0])
    merged = {
        "subject": memo.subject,
        "addressee": memo.addressee,
        "sections": memo.sections,
        "closing": memo.closing,
        "phone": memo.phone,
        "announcement": memo.announcement,
        **data,
    }
    _apply(memo, _validate(merged), official)
    memo.save()
    history.log(memo, user, "edited", fields=sorted(data))
    return memo


@transaction.atomic
def save_draft(user, data: Any, upload=None, memo_id: int | None = None, publish: bool = False) -> Memo:
    """The browser's save: the fields and, optionally, one new attachment, all or nothing
    (a file of the wrong type leaves the memo as it was, or uncreated)."""
    memo = create_memo(user, data) if memo_id is None else update_memo(user, memo_id, data)
    if upload is not None:
        add_attachment(user, memo, upload, publish=publish)
    return memo


@transaction.atomic
def add_attachment(user, memo: Memo, upload, publish: bool = False) -> Attachment:
    """Attach a file the memo can be issued with (``uploads.checked``: type by its bytes, size,
    images decoded, PDFs opened and stripped of active content). ``publish``: the file goes
    into the public announcement PDF too; otherwise only its readers see it."""
    official = official_of(user)
    if memo.drafter_id != official.pk:
        raise NotAllowed("แนบไฟล์ได้เฉพาะผู้ร่างบันทึก")
    if not memo.is_editable:
        raise InvalidInput("บันทึกนี้แก้ไขไม่ได้แล้ว", field="file")
    content_type, data = uploads.checked(upload)
    name = upload.name[:255]
    attachment = Attachment.objects.create(
        memo=memo, file=ContentFile(data, name=name), name=name, content_type=content_type, size=len(data),
        publish=publish,
    )
    history.log(memo, user, "attached", name=attachment.name, publish=publish)
    return attachment
