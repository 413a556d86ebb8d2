"""The decision record: a hash chain of a memo's submit, decisions, issue and withdrawal (issue 11)."""

from __future__ import annotations

import base64

from django.db import models
from django.db.models.signals import pre_delete
from django.utils.translation import pgettext_lazy

from .memo import AppendOnly, refuse_delete


class DecisionRecord(AppendOnly):
    """One link of the chain (``memos.signing.chain`` says what it hashes). Append-only in the
    model and, by trigger, in the database (migration 0006): a record that could be rewritten
    would prove nothing. One per (memo, seq): two writers at once cannot fork the chain."""

    change_refusal = "บันทึกการพิจารณาแก้ไขไม่ได้"
    delete_refusal = "บันทึกการพิจารณาลบไม่ได้"

    memo = models.ForeignKey("memos.Memo", on_delete=models.PROTECT, related_name="records")
    seq = models.PositiveIntegerField()
    action = models.CharField(max_length=30)
    fields = models.JSONField(default=dict)
    content_sha256 = models.CharField(max_length=64)
    prev_sha256 = models.CharField(max_length=64)
    sha256 = models.CharField(max_length=64, unique=True)
    signature = models.BinaryField(null=True, blank=True)  # the server key's, over the record's bytes
    at = models.DateTimeField()

    class Meta:
        # the record (a noun); the same Thai is the task page's "record the decision" button
        verbose_name = pgettext_lazy("decision record", "บันทึกการพิจารณา")
        verbose_name_plural = pgettext_lazy("decision records", "บันทึกการพิจารณา")
        ordering = ["memo", "seq"]
        constraints = [models.UniqueConstraint(fields=["memo", "seq"], name="decision_record_seq_unique")]

    def __str__(self) -> str:
        return f"{self.memo_id}#{self.seq} {self.action}"

    def as_dict(self) -> dict:
        """The record as ``memos.signing.chain`` hashes, exports and embeds it."""
        return {
            "memo": self.memo_id,
            "seq": self.seq,
            "action": self.action,
            "fields": self.fields,
            "content_sha256": self.content_sha256,
            "prev_sha256": self.prev_sha256,
            "sha256": self.sha256,
            "signature": base64.b64encode(bytes(self.signature)).decode("ascii") if self.signature else None,
        }


pre_delete.connect(refuse_delete, sender=DecisionRecord)
