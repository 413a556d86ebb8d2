"""A memo, its route snapshot, the decisions on it, its attachments and its append-only history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class MemoState(models.TextChoices):
    DRAFT = "draft", _("ร่าง")
    IN_REVIEW = "in_review", _("ระหว่างเสนอ")
    RETURNED = "returned", _("ส่งคืนแก้ไข")
    APPROVED = "approved", _("อนุมัติแล้ว")
    ISSUED = "issued", _("ออกเอกสารแล้ว")
    REJECTED = "rejected", _("ไม่อนุมัติ")


class Memo(models.Model):
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

    state = models.CharField(max_length=20, choices=MemoState.choices, default=MemoState.DRAFT, db_index=True)
    number = models.PositiveIntegerField(null=True, blank=True)
    register_year = models.PositiveSmallIntegerField(null=True, blank=True)
    date = models.DateField(null=True, blank=True)
    round = models.PositiveSmallIntegerField(default=0, help_text="submission round; 0 = never submitted")
    current_step = models.PositiveSmallIntegerField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

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
        indexes = [models.Index(fields=["drafter", "-id"])]

    def __str__(self) -> str:
        return self.subject

    @property
    def number_display(self) -> str:
        """``กบ 52401/220`` (Arabic digits; documents print Thai digits)."""
        return f"{self.agency.code}/{self.number}" if self.number else ""

    @property
    def is_editable(self) -> bool:
        return self.state in (MemoState.DRAFT, MemoState.RETURNED)


class MemoStep(models.Model):
    """The route, copied onto the memo at its first submission (later route edits don't move it)."""

    memo = models.ForeignKey(Memo, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField()
    position = models.ForeignKey("memos.Position", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["order"]
        constraints = [models.UniqueConstraint(fields=["memo", "order"], name="memo_step_order_unique")]

    def __str__(self) -> str:
        return f"{self.order}. {self.position_id}"


class Decision(models.Model):
    class Kind(models.TextChoices):
        ENDORSE = "endorse", _("เห็นชอบ เสนอต่อ")
        APPROVE = "approve", _("อนุมัติ")
        RETURN = "return", _("ส่งคืนแก้ไข")
        REJECT = "reject", _("ไม่อนุมัติ")

    memo = models.ForeignKey(Memo, on_delete=models.CASCADE, related_name="decisions")
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

    def __str__(self) -> str:
        return f"{self.official_name}: {self.decision}"

    @property
    def capacity(self) -> str:
        return self.acting_kind or "own"


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


class HistoryEntry(models.Model):
    """Append-only: who did what to a memo, when. Rows are never updated or deleted by the app."""

    memo = models.ForeignKey(Memo, on_delete=models.CASCADE, related_name="history")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    action = models.CharField(max_length=30)
    detail = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.at}: {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("history entries are append-only")
        super().save(*args, **kwargs)

    @property
    def label(self) -> str:
        """The action in words; ``action`` stays a stable code for the API and for queries."""
        return str(HISTORY_LABELS.get(self.action, self.action))


HISTORY_LABELS = {
    "created": _("สร้างร่าง"),
    "edited": _("แก้ไขร่าง"),
    "attached": _("แนบไฟล์"),
    "submitted": _("ส่งเสนอ"),
    **{kind.value: kind.label for kind in Decision.Kind},
    "issued": _("ออกเอกสารและเผยแพร่ประกาศ"),
    "issue_failed": _("ออกเอกสารไม่สำเร็จ"),
    "skipped": _("ข้ามลำดับ (ผู้ร่างเป็นผู้ดำรงตำแหน่งหรือรักษาราชการแทนเอง)"),
    "reassigned": _("ย้ายงานไปยังผู้ปฏิบัติหน้าที่ปัจจุบัน"),
}
