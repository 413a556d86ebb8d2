"""What approval produces: the issued PDFs and the public announcement."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class IssuedDocument(models.Model):
    """A final PDF. Kept in the database, not in files, so that the document, its hash and the
    memo's move to ``issued`` commit together or not at all: no orphan or half-written file
    after a crash. One per memo and kind, by constraint, however often issuing is retried."""

    class Kind(models.TextChoices):
        MEMO = "memo", _("บันทึกข้อความ")
        ANNOUNCEMENT = "announcement", _("ประกาศ")

    memo = models.ForeignKey("memos.Memo", on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    pdf = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("เอกสารที่ออกแล้ว")
        verbose_name_plural = _("เอกสารที่ออกแล้ว")
        constraints = [models.UniqueConstraint(fields=["memo", "kind"], name="issued_document_once")]

    def __str__(self) -> str:
        return f"{self.memo_id} {self.kind}"


class Announcement(models.Model):
    """A ประกาศ issued on approval. Public only once ``published_at`` is set."""

    memo = models.OneToOneField("memos.Memo", on_delete=models.PROTECT, related_name="published_announcement")
    agency = models.ForeignKey("memos.Agency", on_delete=models.PROTECT, related_name="announcements")
    subject = models.CharField(_("เรื่อง"), max_length=500)
    paragraphs = models.JSONField(default=list)
    date = models.DateField(_("วันที่ประกาศ"))
    signer_name = models.CharField(max_length=250)
    signer_position = models.CharField(max_length=500)
    document = models.OneToOneField(IssuedDocument, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("ประกาศ")
        verbose_name_plural = _("ประกาศ")
        ordering = ["-published_at", "-id"]

    def __str__(self) -> str:
        return self.subject
