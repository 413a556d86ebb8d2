"""The office's own small records: an official's saved comment phrases, and the content of each
submitted round of a memo (so a reviewer sees what changed after a return)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

# The phrases every reviewer is offered, before his own saved ones.
STANDARD_PHRASES = ("ทราบ", "เห็นควรอนุมัติ", "อนุมัติ", "ดำเนินการตามเสนอ")
MAX_PHRASE = 300
MAX_PHRASES = 30  # per official: a pick list, not a notebook


class CommentPhrase(models.Model):
    """A comment an official writes often, offered on the task page to pick and edit."""

    official = models.ForeignKey("memos.Official", on_delete=models.CASCADE, related_name="phrases")
    text = models.CharField(_("ข้อความ"), max_length=MAX_PHRASE)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("ข้อความความเห็นที่ใช้บ่อย")
        verbose_name_plural = _("ข้อความความเห็นที่ใช้บ่อย")
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["official", "text"], name="comment_phrase_unique")]

    def __str__(self) -> str:
        return self.text


class MemoRevision(models.Model):
    """The memo's content as submitted in round ``round`` (``memos.revisions.snapshot``), written
    once at each submit: the diff a reviewer sees after a return compares two of these."""

    memo = models.ForeignKey("memos.Memo", on_delete=models.PROTECT, related_name="revisions")
    round = models.PositiveSmallIntegerField()
    content = models.JSONField()
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["memo", "round"]
        constraints = [models.UniqueConstraint(fields=["memo", "round"], name="memo_revision_round_unique")]

    def __str__(self) -> str:
        return f"{self.memo_id} r{self.round}"
