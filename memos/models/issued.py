"""What approval produces: the issued PDFs and the public announcement."""

from __future__ import annotations

from django.db import models, transaction
from django.db.models.signals import pre_delete
from django.utils.translation import gettext_lazy as _

from .memo import AppendOnly, refuse_delete


class IssuedDocument(AppendOnly):
    """A final PDF. Kept in the database, not in files, so that the document, its hash and the
    memo's move to ``issued`` commit together or not at all: no orphan or half-written file
    after a crash. One per memo and kind, by constraint, however often issuing is retried.
    Append-only: never changed or deleted once written."""

    change_refusal = "เอกสารที่ออกแล้วแก้ไขไม่ได้"
    delete_refusal = "เอกสารที่ออกแล้วลบไม่ได้"

    class Kind(models.TextChoices):
        MEMO = "memo", _("บันทึกข้อความ")
        ANNOUNCEMENT = "announcement", _("ประกาศ")

    memo = models.ForeignKey("memos.Memo", on_delete=models.PROTECT, related_name="documents")
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


pre_delete.connect(refuse_delete, sender=IssuedDocument)


class Announcement(AppendOnly):
    """A ประกาศ issued on approval, public while ``published_at`` is set.

    Append-only like the PDF it was issued with (page and feed must keep matching it): never
    deleted, and the one change ever made is ``withdraw``. Withdrawal is final: a withdrawn
    announcement is not republished (a corrected one is issued through a new memo)."""

    change_refusal = "ประกาศที่ออกแล้วแก้ไขไม่ได้ (ถอนการเผยแพร่ได้เท่านั้น)"
    delete_refusal = "ประกาศที่ออกแล้วลบไม่ได้ (ถอนการเผยแพร่ได้เท่านั้น)"

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

    def withdraw(self, actor) -> bool:
        """Take the announcement off ``/announcements/`` and the feed. The row and its PDF stay
        (the record); the withdrawal is itself a history entry on the memo. False if it was not
        published (already withdrawn)."""
        from memos import history  # history imports the models

        with transaction.atomic():
            published_at = (
                Announcement.objects.select_for_update().filter(pk=self.pk).values_list("published_at", flat=True).get()
            )
            if published_at is None:
                self.published_at = None
                return False
            Announcement.objects.filter(pk=self.pk).update(published_at=None)
            history.log(self.memo, actor, "withdrawn", announcement=self.pk, published_at=published_at.isoformat())
        self.published_at = None
        return True


pre_delete.connect(refuse_delete, sender=Announcement)
