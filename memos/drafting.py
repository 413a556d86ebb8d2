"""Drafting: create and edit a memo, attach files. Input is validated with the document schema."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import PydanticCustomError

from . import history, review, text, transitions, uploads
from .documents.schema import MAX_PARAGRAPHS, MAX_SECTIONS, Para, Section
from .errors import Conflict, InvalidInput, NotAllowed, NotFound
from .models import (
    ActingAssignment,
    Announcement,
    Attachment,
    HistoryEntry,
    Holding,
    Memo,
    MemoReader,
    MemoState,
    MemoType,
    Official,
    Position,
    Secrecy,
    StepKind,
    Unit,
    Urgency,
)

# ids are PostgreSQL bigints: a larger number is refused as input, never sent to the database
MAX_ID = 2**63 - 1


def max_length(model, field: str) -> int:
    """A text field's length, from its column: the one rule the input model, the form and the
    API schema all use."""
    return model._meta.get_field(field).max_length


class AnnouncementDraft(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # the published announcement's column, which is also the announcement document's MAX_LINE:
    # a draft that validates here can be issued
    subject: text.Line(max_length(Announcement, "subject"))
    paragraphs: list[Para] = Field(min_length=1, max_length=MAX_PARAGRAPHS)


MAX_READERS = 30
# ลับที่สุด, by its code or its Thai name: refused with the rule's reason, never stored
TOP_SECRET = ("top_secret", "ลับที่สุด")


class ReaderPosition(BaseModel):
    """A CC reader by position: whoever acts for it on the day the memo is submitted."""

    model_config = ConfigDict(extra="forbid")
    position: Annotated[int, Field(ge=1, le=MAX_ID, strict=True)]


class ReaderOfficial(BaseModel):
    """A CC reader by name (an official of the agency)."""

    model_config = ConfigDict(extra="forbid")
    official: Annotated[int, Field(ge=1, le=MAX_ID, strict=True)]


# a position or an official, exactly one (each object forbids the other's key)
ReaderInput = ReaderPosition | ReaderOfficial


class MemoInput(BaseModel):
    """The editable fields of a memo; the rest (number, date, signer, endorsements) the system fills."""

    # the API's request schema is this model's own JSON Schema (workflow/api/serializers.py), so
    # what the documentation shows is what validation enforces
    model_config = ConfigDict(extra="forbid")
    unit: Annotated[int, Field(ge=1, le=MAX_ID, strict=True)] | None = Field(
        None, description="a unit the drafter holds a post in (or one above it); her division by default"
    )
    phone: text.Line(max_length(Memo, "phone"), required=False) | None = None
    subject: text.Line(max_length(Memo, "subject"))
    addressee: text.Line(max_length(Memo, "addressee"))
    sections: list[Section] = Field(min_length=1, max_length=MAX_SECTIONS)
    closing: text.Line(max_length(Memo, "closing"), required=False) = "จึงเรียนมาเพื่อโปรดพิจารณา"
    announcement: AnnouncementDraft | None = None
    memo_type: text.Line(max_length(MemoType, "code"), required=False) = MemoType.GENERAL
    consultants: list[Annotated[int, Field(ge=1, le=MAX_ID, strict=True)]] = Field(
        default_factory=list, max_length=20,
        description="positions (ids) to consult besides the route's, in a consultation step that allows it",
    )
    urgency: Urgency = Field(Urgency.NORMAL, description="ชั้นความเร็ว: normal ปกติ, urgent ด่วน, very_urgent ด่วนมาก, "
                             "most_urgent ด่วนที่สุด")
    secrecy: Secrecy = Field(Secrecy.NORMAL, description="ชั้นความลับ: normal ปกติ, confidential ลับ, secret ลับมาก "
                             "(ลับที่สุด is refused: it stays off electronic systems)")
    readers: list[ReaderInput] | None = Field(
        None, max_length=MAX_READERS, description="สำเนาเรียน: CC readers, emailed on submit, never blocking; "
        "omitted keeps the memo's readers"
    )

    @field_validator("secrecy", mode="before")
    @classmethod
    def _not_top_secret(cls, value):
        if value in TOP_SECRET:
            raise PydanticCustomError(
                "top_secret",
                "ชั้นความลับ “ลับที่สุด” ใช้กับระบบอิเล็กทรอนิกส์ไม่ได้ (ระเบียบงานสารบรรณ ฉบับที่ ๔ พ.ศ. ๒๕๖๔) "
                "โปรดดำเนินการเป็นเอกสารกระดาษ",
            )
        return value


def _no_required(schema: dict) -> None:
    schema.pop("required", None)


class MemoPatch(MemoInput):
    """The PATCH body, for the schema only: any of MemoInput's fields. Omitted ones keep their value
    and the merged memo is validated whole by MemoInput."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_no_required)


_PARTIAL_FIELDS = set(MemoInput.model_fields)

# pydantic's error types in the user's terms (Thai, as the rest of the API's messages)
_MESSAGES = {
    "missing": "ต้องระบุ",
    "extra_forbidden": "ไม่มีช่องนี้หรือแก้ไขไม่ได้",
    "string_type": "ต้องเป็นข้อความ",
    "string_too_short": "ต้องไม่เว้นว่าง",
    "string_pattern_mismatch": "ต้องไม่เว้นว่าง",
    "string_too_long": "ยาวเกิน {max_length} ตัวอักษร",
    "list_type": "ต้องเป็นรายการ (JSON array)",
    "dict_type": "ต้องเป็นออบเจกต์ JSON",
    "model_type": "ต้องเป็นออบเจกต์ JSON",
    "model_attributes_type": "ต้องเป็นออบเจกต์ JSON",
    "int_type": "ต้องเป็นจำนวนเต็ม",
    "int_parsing": "ต้องเป็นจำนวนเต็ม",
    "int_from_float": "ต้องเป็นจำนวนเต็ม",
    "greater_than_equal": "ต้องไม่น้อยกว่า {ge}",
    "less_than_equal": "ต้องไม่เกิน {le}",
    "enum": "ต้องเป็นหนึ่งใน {expected}",
    "literal_error": "ต้องเป็นหนึ่งใน {expected}",
}


def _message(err: dict) -> str:
    kind, ctx = err["type"], err.get("ctx") or {}
    if kind in ("too_short", "too_long"):  # a list's or (after cleaning) a string's length
        if isinstance(err.get("input"), str):
            kind = "string_" + kind
        elif kind == "too_long":
            return f"มีได้ไม่เกิน {ctx.get('max_length')} รายการ"
        else:
            return f"ต้องมีอย่างน้อย {ctx.get('min_length')} รายการ"
    template = _MESSAGES.get(kind)
    try:
        return template.format(**ctx) if template else err["msg"]
    except (KeyError, IndexError):
        return err["msg"]


def validate(model: type[BaseModel], data: Any) -> Any:
    """Validate input with a pydantic model, or raise InvalidInput naming the first field at fault,
    with every error in the message."""
    if not isinstance(data, dict):
        raise InvalidInput("ข้อมูลต้องเป็นออบเจกต์ JSON")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        parts = []
        for err in errors:
            path = ".".join(str(p) for p in err["loc"])
            parts.append(f"{path or '(ข้อมูล)'}: {_message(err)}")
        first = errors[0]["loc"]
        raise InvalidInput("; ".join(parts), field=str(first[0]) if first else None) from None


def _validate(data: Any) -> MemoInput:
    return validate(MemoInput, data)


def official_of(user) -> Official:
    official = getattr(user, "official", None) if user.is_authenticated else None
    if official is None:
        raise NotAllowed(_("บัญชีนี้ไม่ได้ผูกกับเจ้าหน้าที่"))
    return official


def filing_units(official: Official, day) -> list[Unit]:
    """The units a drafter may file a memo under: those she holds a post in on the day, and the
    units above them (her division is the default)."""
    holdings = official.holdings.filter(start__lte=day).exclude(end__lt=day).select_related("position__unit")
    units: dict[int, Unit] = {}
    for holding in holdings:
        for unit in holding.position.unit.ancestors_and_self():
            units.setdefault(unit.pk, unit)
    return list(units.values())


def _apply(memo: Memo, value: MemoInput, official: Official) -> None:
    if value.unit is not None and value.unit != memo.unit_id:
        unit = next((u for u in filing_units(official, timezone.localdate()) if u.pk == value.unit), None)
        if unit is None or unit.agency_id != memo.agency_id:
            raise NotAllowed("unit: " + _("ท่านไม่มีตำแหน่งในส่วนราชการนี้"), field="unit")
        memo.unit = unit
    if value.secrecy != Secrecy.NORMAL and value.announcement is not None:
        # refused, not dropped: the drafter learns that a secret memo is never announced (403, as
        # a rule of the memo refusing it, like a unit that is not hers)
        raise NotAllowed(
            "announcement: " + _("บันทึกชั้นลับออกประกาศเผยแพร่ไม่ได้ โปรดเว้นว่างร่างประกาศ"), field="announcement"
        )
    memo.subject = value.subject
    memo.addressee = value.addressee
    memo.sections = [s.model_dump() for s in value.sections]
    memo.closing = value.closing
    memo.announcement = value.announcement.model_dump() if value.announcement else None
    if value.phone is not None:
        memo.phone = value.phone
    memo.urgency = value.urgency
    memo.secrecy = value.secrecy
    if not MemoType.objects.filter(code=value.memo_type).exists():
        raise InvalidInput(
            "memo_type: " + _("ไม่มีประเภทบันทึก “%(code)s”") % {"code": value.memo_type}, field="memo_type"
        )
    memo.memo_type_id = value.memo_type
    ids = list(dict.fromkeys(value.consultants))
    if ids:
        found = Position.objects.filter(pk__in=ids, agency_id=memo.agency_id).count()
        if found != len(ids):
            raise InvalidInput("consultants: " + _("ไม่พบตำแหน่งที่ขอความเห็นในหน่วยงานนี้"), field="consultants")
    if ids or memo.pk is not None:
        memo._consultants = ids  # set after the memo is saved (a many-to-many needs its id)


def consultant_ids(memo: Memo) -> list[int]:
    """The positions the drafter added to the consultation, in the order she gave them (the link
    rows are written in that order by ``_save``): the order of their slots at submit, so of the
    tracker's participants and of the comments in the signed memo, after the route's own posts."""
    if memo.pk is None:
        return []
    links = Memo.consultants.through.objects.filter(memo_id=memo.pk).order_by("pk")
    return list(links.values_list("position_id", flat=True))


def _save(memo: Memo) -> None:
    memo.save()
    ids = getattr(memo, "_consultants", None)
    if ids is not None and ids != consultant_ids(memo):
        # rewritten whole, not ``set()`` (which adds the new ones in no order): the rows' ids keep
        # the order given
        through = Memo.consultants.through
        through.objects.filter(memo_id=memo.pk).delete()
        through.objects.bulk_create([through(memo_id=memo.pk, position_id=pk) for pk in ids])


@dataclass(frozen=True)
class Consultable:
    """A post the drafter may ask for comment, with who acts for it today."""

    position: Position
    holder: str  # "นางกนกวรรณ ทองคำ", "นายวรวิทย์ หัวแหลม รักษาราชการแทน"; "" when nobody does

    @property
    def pk(self) -> int:
        return self.position.pk


@dataclass(frozen=True)
class ConsultationChoices:
    """What the drafting form offers for "ขอความเห็นเพิ่มเติม" (``Memo.consultants``).

    The order is deliberate: at submit the consultation's slots are the route step's own posts
    (``fixed``: ``RouteStep.positions`` has no order of its own, so by id, as ``review._copy_route``
    takes them), then the drafter's in the order given (``consultant_ids``). The form gives them
    in the order of ``positions``, the agency's unit tree (a unit's posts by id, then its
    sub-units', depth first, units by id), which is the order it lists them in; the API gives
    its own list's order. Slots order the tracker's participants and the signed memo's comments."""

    positions: list[Consultable]  # the agency's posts in unit-tree order, less the drafter's own
    fixed: dict[str, list[int]] = field(default_factory=dict)  # memo type → the route's consulted posts
    locked: bool = False  # submitted once: the route, with its consultants, was copied then
    types: list[tuple[str, str]] = field(default_factory=list)  # every memo type (code, name): the form's choices

    def allows(self, memo_type: str | None) -> bool:
        """Whether the route of this memo type lets the drafter add consulted posts."""
        return memo_type in self.fixed

    def in_order(self, ids) -> list[int]:
        """``ids`` (known posts) in the order of ``positions``, without duplicates."""
        rank = {c.pk: i for i, c in enumerate(self.positions)}
        return sorted(dict.fromkeys(i for i in ids if i in rank), key=rank.__getitem__)


def _tree_order(unit: Unit) -> list[Position]:
    """The positions of ``unit``'s agency in the order of its unit tree (see ``ConsultationChoices``)."""
    agency_id = unit.agency_id
    children: dict[int | None, list[int]] = {}
    for u in unit.agency_units():  # by id
        children.setdefault(u.parent_id, []).append(u.pk)
    rank: dict[int, int] = {}
    stack = list(reversed(children.get(None, [])))
    while stack:
        unit_id = stack.pop()
        if unit_id in rank:
            continue
        rank[unit_id] = len(rank)
        stack += reversed(children.get(unit_id, []))
    positions = Position.objects.filter(agency_id=agency_id).select_related("unit")
    return sorted(positions, key=lambda p: (rank.get(p.unit_id, len(rank)), p.pk))


def _holders(agency_id: int, day) -> dict[int, str]:
    """Who acts for each post of the agency on ``day``, named as ``assignment.assignee_for`` picks
    them (an acting assignment first, the latest start winning), in two queries."""
    current = Q(end__isnull=True) | Q(end__gte=day)
    names: dict[int, str] = {}
    holdings = (Holding.objects.filter(current, position__agency_id=agency_id, start__lte=day)
                .select_related("official").order_by("position_id", "start", "id"))
    for h in holdings:  # the last one of each post wins
        names[h.position_id] = h.official.full_name
    acting = (ActingAssignment.objects.filter(current, position__agency_id=agency_id, start__lte=day)
              .select_related("official").order_by("position_id", "start", "id"))
    for a in acting:
        names[a.position_id] = f"{a.official.full_name} {a.kind}"
    return names


def consultation_choices(drafter_position: Position, memo: Memo | None = None,
                         day=None) -> ConsultationChoices | None:
    """The posts a drafter in ``drafter_position`` may add to a memo's consultation, and for each
    memo type whose route lets her (the first consultation step with ``drafter_may_add``, as at
    submit) the posts it consults anyway. None when no memo type's route lets her: no picker."""
    day = day or timezone.localdate()
    fixed: dict[str, list[int]] = {}
    types = list(MemoType.objects.order_by("pk").values_list("code", "name"))
    for code, _name in types:
        try:
            route = review.route_for(Memo(drafter_position=drafter_position, memo_type_id=code))
        except InvalidInput:
            continue
        step = next((s for s in route.steps.all() if s.kind == StepKind.CONSULT and s.drafter_may_add), None)
        if step is not None:
            fixed[code] = [p.pk for p in sorted(step.positions.all(), key=lambda p: p.pk)]
    if not fixed:
        return None
    holders = _holders(drafter_position.agency_id, day)
    positions = [Consultable(p, holders.get(p.pk, "")) for p in _tree_order(drafter_position.unit)
                 if p.pk != drafter_position.pk]
    return ConsultationChoices(positions, fixed, locked=memo is not None and memo.round > 0, types=types)


def _set_readers(memo: Memo, readers: list[ReaderInput] | None) -> None:
    """Replace the memo's CC readers (None: keep them). Positions of the memo's agency, officials
    who hold or held a post in it; the drafter and duplicates are dropped."""
    if readers is None:
        return
    position_ids = [r.position for r in readers if isinstance(r, ReaderPosition)]
    official_ids = [r.official for r in readers if isinstance(r, ReaderOfficial)]
    positions = Position.objects.in_bulk(position_ids)
    officials = Official.objects.in_bulk(official_ids)
    in_agency = set(
        Official.objects.filter(pk__in=official_ids, holdings__position__agency=memo.agency_id).values_list("pk", flat=True)
    )
    for i, r in enumerate(readers):
        # like a unit that is not hers (403): an id of another agency, or of nobody
        if isinstance(r, ReaderPosition):
            known = r.position in positions and positions[r.position].agency_id == memo.agency_id
        else:
            known = r.official in officials and r.official in in_agency
        if not known:
            raise NotAllowed(f"readers.{i}: " + _("ไม่พบตำแหน่งหรือเจ้าหน้าที่นี้ในหน่วยงาน"), field="readers")
    memo.readers.all().delete()
    seen: set = set()
    rows = []
    for i, r in enumerate(readers):
        position, official = getattr(r, "position", None), getattr(r, "official", None)
        if (position, official) in seen or official == memo.drafter_id:
            continue
        seen.add((position, official))
        rows.append(MemoReader(memo=memo, position_id=position, official_id=official, order=i))
    MemoReader.objects.bulk_create(rows)


@transaction.atomic
def create_memo(user, data: Any) -> Memo:
    official = official_of(user)
    value = _validate(data)
    position = official.position_on(timezone.localdate())
    if position is None:
        raise NotAllowed(_("เจ้าหน้าที่ผู้นี้ไม่มีตำแหน่งในวันนี้"))
    division = position.unit.division()
    memo = Memo(
        agency=position.agency,
        unit=division,
        drafter=official,
        drafter_position=position,
        phone=division.phone or position.agency.phone,
    )
    _apply(memo, value, official)
    _save(memo)
    _set_readers(memo, value.readers)
    history.log(memo, user, "created")
    return memo


def check_editable(user, memo: Memo) -> Official:
    """Only the drafter edits, and only a draft or a returned memo (else 409: the request is fine,
    the memo's state refuses it). Returns the drafter."""
    official = official_of(user)
    transitions.check_editable(memo, official)
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
        raise InvalidInput(f"{sorted(unknown)[0]}: ไม่มีช่องนี้หรือแก้ไขไม่ได้", field=sorted(unknown)[0])
    merged = {
        "subject": memo.subject,
        "addressee": memo.addressee,
        "sections": memo.sections,
        "closing": memo.closing,
        "phone": memo.phone,
        "announcement": memo.announcement,
        "memo_type": memo.memo_type_id,
        "consultants": consultant_ids(memo),
        "urgency": memo.urgency,
        "secrecy": memo.secrecy,
        **data,
    }
    value = _validate(merged)
    _apply(memo, value, official)
    _save(memo)
    _set_readers(memo, value.readers)
    history.log(memo, user, "edited", fields=sorted(data))
    return memo


@transaction.atomic
def save_draft(user, data: Any, uploads_: list | None = None, memo_id: int | None = None,
               publish: bool = False) -> Memo:
    """The browser's save: the fields and any new attachments, all or nothing (a file of the wrong
    type leaves the memo as it was, or uncreated)."""
    memo = create_memo(user, data) if memo_id is None else update_memo(user, memo_id, data)
    for upload in uploads_ or []:
        add_attachment(user, memo, upload, publish=publish)
    return memo


@transaction.atomic
def add_attachment(user, memo: Memo, upload, publish: bool = False) -> Attachment:
    """Attach a file the memo can be issued with (``uploads.checked``: type by its bytes, size,
    images decoded, PDFs opened and stripped of active content). ``publish``: the file goes
    into the public announcement PDF too; otherwise only its readers see it."""
    check_editable(user, memo)  # the same rule as editing: the drafter, while draft or returned
    content_type, data = uploads.checked(upload)
    name = upload.name[:255]
    attachment = Attachment.objects.create(
        memo=memo, file=ContentFile(data, name=name), name=name, content_type=content_type, size=len(data),
        publish=publish,
    )
    history.log(memo, user, "attached", name=attachment.name, publish=publish)
    return attachment


def _locked_memo(memo_id: int) -> Memo:
    try:
        return Memo.objects.select_for_update().get(pk=memo_id)
    except (Memo.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("ไม่พบบันทึกข้อความ")) from None


@transaction.atomic
def remove_attachment(user, memo_id: int, attachment_id: int) -> None:
    """Take a file off a draft or a returned memo (the drafter only). An issued or submitted memo
    keeps its attachments: they are part of what was reviewed."""
    memo = _locked_memo(memo_id)
    check_editable(user, memo)
    try:
        attachment = memo.attachments.get(pk=attachment_id)
    except (Attachment.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("ไม่พบไฟล์แนบ")) from None
    name = attachment.name
    attachment.delete()
    attachment.file.delete(save=False)
    history.log(memo, user, "detached", name=name)


def check_deletable(user, memo: Memo) -> None:
    """Only the drafter deletes, and only a draft that never took a number (409 otherwise: a
    numbered memo is a register entry, never deleted; the database refuses it too)."""
    official = official_of(user)
    if memo.drafter_id != official.pk:
        raise NotAllowed(_("ลบได้เฉพาะผู้ร่างบันทึก"))
    if memo.number is not None or memo.state != MemoState.DRAFT:
        raise Conflict(_("บันทึกที่ส่งเสนอหรือออกเลขทะเบียนแล้วลบไม่ได้ (เลขทะเบียนไม่ถูกปล่อยคืน)"), field="state")


@transaction.atomic
def delete_draft(user, memo_id: int) -> None:
    """Delete an unnumbered draft with its attachments and its history (created, edited,
    attached): scratch paper, not a record. The database allows the history to go only for such
    a draft (migration 0007_draft_delete); the model's own guard refuses any numbered memo."""
    memo = _locked_memo(memo_id)
    check_deletable(user, memo)
    files = [a.file for a in memo.attachments.all()]
    with connection.cursor() as cursor:  # HistoryEntry.delete() refuses always; the trigger decides here
        cursor.execute(f"DELETE FROM {HistoryEntry._meta.db_table} WHERE memo_id = %s", [memo.pk])
    memo.delete()
    for f in files:
        transaction.on_commit(lambda f=f: f.delete(save=False))


@transaction.atomic
def copy_memo(user, memo: Memo) -> Memo:
    """A new draft of the user's with the memo's subject, addressee, body, closing and
    announcement (a common habit: start from an issued memo). Attachments are not copied: they
    belong to the original matter and stay reachable from it; the new draft takes its own."""
    data = {
        "subject": memo.subject,
        "addressee": memo.addressee,
        "sections": memo.sections,
        "closing": memo.closing,
        "announcement": memo.announcement,
    }
    copy = create_memo(user, data)
    history.log(copy, user, "copied", source=memo.pk, number=memo.number_display)
    return copy
