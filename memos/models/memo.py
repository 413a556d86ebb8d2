"""A memo, its route snapshot, the decisions on it, its attachments and its append-only history."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models.signals import pre_delete
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AppendOnlyError(PermissionDenied):
    """A change to an official record that nobody may make, superusers included (issue 9).

    A PermissionDenied, so a Django view (the admin included) answers 403 instead of a 500.
    The same rules hold in the database (triggers, migration 0004_append_only) for whatever
    does not go through the models: a bulk UPDATE, raw SQL, a shell.
    """


class AppendOnly(models.Model):
    """A record that is written once: never changed (``save`` of a stored row) nor deleted, by
    ``delete()``, a queryset's ``delete()`` or a cascade (``refuse_delete``, connected per model)."""

    change_refusal = "บันทึกนี้แก้ไขไม่ได้"
    delete_refusal = "บันทึกนี้ลบไม่ได้"

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError(self.change_refusal)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(self.delete_refusal)


def refuse_delete(sender, instance, **kwargs) -> None:
    """pre_delete receiver: runs for querysets and cascades too, before anything is deleted
    (though a PROTECT foreign key may refuse first, with Django's ProtectedError)."""
    raise AppendOnlyError(getattr(instance, "delete_refusal", "บันทึกนี้ลบไม่ได้"))


class MemoState(models.TextChoices):
    DRAFT = "draft", _("ร่าง")
    IN_REVIEW = "in_review", _("ระหว่างเสนอ")
    RETURNED = "returned", _("ส่งคืนแก้ไข")
    APPROVED = "approved", _("อนุมัติแล้ว")
    ISSUED = "issued", _("ออกเอกสารแล้ว")
    REJECTED = "rejected", _("ไม่อนุมัติ")


class Urgency(models.TextChoices):
    """ชั้นความเร็ว (FORMAT.md "Urgency and secrecy"); the exchange standards' codes 001–004 in order."""

    NORMAL = "normal", _("ปกติ")
    URGENT = "urgent", _("ด่วน")
    VERY_URGENT = "very_urgent", _("ด่วนมาก")
    MOST_URGENT = "most_urgent", _("ด่วนที่สุด")


class Secrecy(models.TextChoices):
    """ชั้นความลับ. ลับที่สุด is not a choice: the 2021 amendment keeps it off electronic systems, so
    drafting refuses it (``memos.drafting``) rather than store it."""

    NORMAL = "normal", _("ปกติ")
    CONFIDENTIAL = "confidential", _("ลับ")
    SECRET = "secret", _("ลับมาก")


# Set at the first submit (the register entry), then never changed: a number is never freed.
REGISTER_FIELDS = ("number", "register_year", "date")


class Memo(models.Model):
    """Its content changes only through ``memos.drafting`` (a draft, or a returned memo); once
    numbered it is never deleted and its number, register year and date never change."""

    agency = models.ForeignKey("memos.Agency", on_delete=models.PROTECT, related_name="memos")
    unit = models.ForeignKey("memos.Unit", on_delete=models.PROTECT, related_name="memos")
    drafter = models.ForeignKey("memos.Official", on_delete=models.PROTECT, related_name="drafted_memos")
    drafter_position = models.ForeignKey("memos.Position", on_delete=models.PROTECT, related_name="+")

    phone = models.CharField(_("โทรศัพท์"), max_length=50, blank=True)
    subject = models.CharField(_("เรื่อง"), max_length=500)
    addressee = models.CharField(_("เรียน"), max_length=200)
    # [{"heading": str|null, "paragraphs": [str], "items": [str]}]: the memo document's own shape,
    # validated by memos.documents.schema.Section.
    sections = models.JSONField(_("เนื้อหา"), default=list)
    closing = models.CharField(_("คำลงท้าย"), max_length=300, default="จึงเรียนมาเพื่อโปรดพิจารณา")
    # {"subject": str, "paragraphs": [str]} or null: the ประกาศ to issue on approval.
    announcement = models.JSONField(_("ร่างประกาศ"), null=True, blank=True)
    # db_default too: rows written in SQL (bench/api.py's copies) get the same value
    urgency = models.CharField(
        _("ชั้นความเร็ว"), max_length=20, choices=Urgency.choices, default=Urgency.NORMAL, db_default=Urgency.NORMAL
    )
    secrecy = models.CharField(
        _("ชั้นความลับ"), max_length=20, choices=Secrecy.choices, default=Secrecy.NORMAL, db_default=Secrecy.NORMAL
    )

    state = models.CharField(max_length=20, choices=MemoState.choices, default=MemoState.DRAFT, db_index=True)
    number = models.PositiveIntegerField(null=True, blank=True)
    register_year = models.PositiveSmallIntegerField(null=True, blank=True)
    date = models.DateField(null=True, blank=True)
    round = models.PositiveSmallIntegerField(default=0, help_text="submission round; 0 = never submitted")
    current_step = models.PositiveSmallIntegerField(null=True, blank=True)
    # the code, not an id (to_field): the API and lists read it without a join
    memo_type = models.ForeignKey(
        "memos.MemoType", on_delete=models.PROTECT, to_field="code", db_column="memo_type",
        default="general", related_name="memos", verbose_name=_("ประเภทบันทึก"),
    )
    # positions the drafter adds to the route's consultation step (one that allows it), at submit
    consultants = models.ManyToManyField(
        "memos.Position", blank=True, related_name="+", verbose_name=_("ขอความเห็นเพิ่มเติม")
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # What search reads (memos.search): subject, body, comments, digits as Arabic; written after each
    # save and decision. Nullable so adding it is an ALTER TABLE (SQLite would rebuild the table,
    # losing its append-only triggers, for a NOT NULL column with a default).
    search_text = models.TextField(null=True, blank=True, editable=False)  # noqa: DJ001 (see above)

    class Meta:
        verbose_name = _("บันทึกข้อความ")
        verbose_name_plural = _("บันทึกข้อความ")
        ordering = ["-id"]
        constraints = [
            # The register's guarantee, in the database: one number per agency and year.
            models.UniqueConstraint(
                fields=["agency", "register_year", "number"], name="memo_register_number_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["drafter", "-id"]),  # the memo list's own memos, newest first
            # the home page's lists (drafts, returned, in review) and their counts
            models.Index(fields=["drafter", "state", "-id"], name="memo_drafter_state_newest"),
        ]

    def __str__(self) -> str:
        return self.subject

    def save(self, *args, **kwargs):
        if not self._state.adding:
            stored = getattr(self, "_register_as_stored", {})
            update_fields = kwargs.get("update_fields")
            for name in REGISTER_FIELDS:
                if update_fields is not None and name not in update_fields:
                    continue
                if stored.get(name) is not None and getattr(self, name) != stored[name]:
                    raise AppendOnlyError("เลขทะเบียนและวันที่ของบันทึกที่ออกเลขแล้วเปลี่ยนไม่ได้")
        super().save(*args, **kwargs)
        self._register_as_stored = {f: self.__dict__.get(f) for f in REGISTER_FIELDS}

    def delete(self, *args, **kwargs):
        _keep_numbered_memo(Memo, self)  # before the collector's ProtectedError, which says less
        return super().delete(*args, **kwargs)

    @classmethod
    def from_db(cls, db, field_names, values):
        memo = super().from_db(db, field_names, values)
        memo._register_as_stored = {f: v for f, v in zip(field_names, values, strict=True) if f in REGISTER_FIELDS}
        return memo

    @property
    def number_display(self) -> str:
        """``กบ 52401/220`` (Arabic digits; documents print Thai digits)."""
        return f"{self.agency.code}/{self.number}" if self.number else ""

    @property
    def is_editable(self) -> bool:
        from memos.transitions import is_editable  # the rule lives with the transitions

        return is_editable(self)

    @property
    def is_secret(self) -> bool:
        return self.secrecy != Secrecy.NORMAL


@receiver(pre_delete, sender=Memo)
def _keep_numbered_memo(sender, instance: Memo, **kwargs) -> None:
    if instance.number is not None:
        raise AppendOnlyError("บันทึกที่ออกเลขทะเบียนแล้วลบไม่ได้ (เลขทะเบียนไม่ถูกปล่อยคืน)")


class MemoStep(models.Model):
    """The route, copied onto the memo at its first submission (later route edits don't move it).
    One row per position: a single step is one row (``slot`` 0); a parallel consultation is one
    row per consulted position, all with the step's ``order``, ``consult`` set, ``slot`` their
    order in the step."""

    memo = models.ForeignKey(Memo, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField()
    slot = models.PositiveSmallIntegerField(default=0)
    position = models.ForeignKey("memos.Position", on_delete=models.PROTECT, related_name="+")
    consult = models.BooleanField(default=False)
    on_objection = models.CharField(max_length=10, blank=True)  # consultation steps: OnObjection
    added_by_drafter = models.BooleanField(default=False)

    class Meta:
        ordering = ["order", "slot"]
        constraints = [
            models.UniqueConstraint(fields=["memo", "order", "slot"], name="memo_step_order_slot_unique")
        ]

    def __str__(self) -> str:
        return f"{self.order}.{self.slot} {self.position_id}"


class MemoReader(models.Model):
    """A CC reader (สำเนาเรียน / เพื่อทราบ): a position or an official chosen when drafting, who gets
    the memo to read and never blocks it. A position is resolved to whoever acts for it on the day
    the memo is submitted (``official``); ``notified_at`` says it was, and from then on the reader
    sees the memo. The note is the reader's own and is not part of the signed decision chain."""

    memo = models.ForeignKey(Memo, on_delete=models.CASCADE, related_name="readers")
    position = models.ForeignKey("memos.Position", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    official = models.ForeignKey(
        "memos.Official", on_delete=models.PROTECT, null=True, blank=True, related_name="readings"
    )
    order = models.PositiveSmallIntegerField(default=0)
    added_at = models.DateTimeField(auto_now_add=True)
    notified_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(_("บันทึกของผู้รับสำเนา"), blank=True)
    noted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("ผู้รับสำเนา")
        verbose_name_plural = _("ผู้รับสำเนา")
        ordering = ["order", "id"]
        indexes = [models.Index(fields=["official", "memo"], name="memo_reader_official")]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        """What the memo prints after สำเนาเรียน: the position's title, else the official's name."""
        if self.position_id is not None:
            return self.position.signing_title
        return self.official.full_name if self.official_id else ""


class Decision(AppendOnly):
    """A reviewer's signed decision: append-only. The one change ever made is ``superseded``
    going from false to true when a returned memo is resubmitted (``review.begin_round``, an
    UPDATE the database allows for that column only)."""

    change_refusal = "ความเห็นและผลการพิจารณาที่บันทึกแล้วแก้ไขไม่ได้"
    delete_refusal = "ความเห็นและผลการพิจารณาที่บันทึกแล้วลบไม่ได้"

    class Kind(models.TextChoices):
        ENDORSE = "endorse", _("เห็นชอบ เสนอต่อ")
        APPROVE = "approve", _("อนุมัติ")
        # the verb (a button, a recorded decision); the same Thai is also a memo's state
        RETURN = "return", pgettext_lazy("decision", "ส่งคืนแก้ไข")
        REJECT = "reject", pgettext_lazy("decision", "ไม่อนุมัติ")
        OBJECT = "object", _("ไม่เห็นชอบ/มีข้อทักท้วง")  # consultation steps only

    memo = models.ForeignKey(Memo, on_delete=models.PROTECT, related_name="decisions")
    round = models.PositiveSmallIntegerField()
    step = models.PositiveSmallIntegerField()
    # The workflow task this decision completed. Unique: a task is decided once, whatever retries.
    task_id = models.BigIntegerField(unique=True)
    official = models.ForeignKey("memos.Official", on_delete=models.PROTECT, related_name="decisions")
    position = models.ForeignKey("memos.Position", on_delete=models.PROTECT, related_name="+")
    # Snapshots, so a later rename or re-assignment never rewrites a signed record.
    official_name = models.CharField(max_length=250)
    position_title = models.CharField(max_length=250)  # the step's position (heading "ความเห็น …")
    own_position_title = models.CharField(max_length=250, blank=True)  # the signer's own post
    acting_kind = models.CharField(max_length=30, blank=True)  # "" = signs in own capacity
    signing_for_title = models.CharField(max_length=250, blank=True)
    signature = models.FileField(upload_to="signature-snapshots/", blank=True)
    comment = models.TextField()
    decision = models.CharField(max_length=10, choices=Kind.choices)
    decided_at = models.DateTimeField()
    superseded = models.BooleanField(default=False, help_text="an earlier round, before a return")

    class Meta:
        ordering = ["round", "step", "id"]
        # the memo list's visibility rule reads "the memos this official decided" (memos/visibility.py)
        indexes = [models.Index(fields=["official", "memo"], name="decision_official_memo")]

    def __str__(self) -> str:
        return f"{self.official_name}: {self.decision}"

    @property
    def capacity(self) -> str:
        return self.acting_kind or "own"


pre_delete.connect(refuse_delete, sender=Decision)


class Attachment(models.Model):
    memo = models.ForeignKey(Memo, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="attachments/%Y/")
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    # Off by default: an attachment is private to the memo's readers unless the drafter chooses
    # to publish it with the announcement (then it is appended to the public announcement PDF).
    publish = models.BooleanField(_("เผยแพร่พร้อมประกาศ"), default=False)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class HistoryEntry(AppendOnly):
    """Append-only: who did what to a memo, when. Never updated or deleted, by anyone."""

    change_refusal = "ประวัติของบันทึกแก้ไขไม่ได้"
    delete_refusal = "ประวัติของบันทึกลบไม่ได้"

    memo = models.ForeignKey(Memo, on_delete=models.PROTECT, related_name="history")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    action = models.CharField(max_length=30)
    detail = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.at}: {self.action}"

    @property
    def label(self) -> str:
        """The action in words; ``action`` stays a stable code for the API and for queries."""
        return str(HISTORY_LABELS.get(self.action, self.action))


pre_delete.connect(refuse_delete, sender=HistoryEntry)


HISTORY_LABELS = {
    "created": _("สร้างร่าง"),
    "edited": _("แก้ไขร่าง"),
    "attached": _("แนบไฟล์"),
    "detached": _("นำไฟล์แนบออก"),
    "copied": _("คัดลอกจากบันทึกอื่น"),
    "submitted": _("ส่งเสนอ"),
    **{kind.value: kind.label for kind in Decision.Kind},
    "issued": _("ออกเอกสารและเผยแพร่ประกาศ"),
    "issue_failed": _("ออกเอกสารไม่สำเร็จ"),
    "skipped": _("ข้ามลำดับ (ผู้ร่างเป็นผู้ดำรงตำแหน่งหรือรักษาราชการแทนเอง)"),
    "reassigned": _("ย้ายงานไปยังผู้ปฏิบัติหน้าที่ปัจจุบัน"),
    "withdrawn": _("ถอนประกาศจากการเผยแพร่"),
    "reader_note": _("ผู้รับสำเนาบันทึกข้อสังเกต"),
}
