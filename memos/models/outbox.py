"""Work the database owes the outside world (documents to issue, emails to send).

A row is written in the same transaction as the change that owes it, so a broker that is down
or a worker that dies can only delay the work, never lose it. ``key`` is unique: whatever is
retried or redelivered, one piece of work exists once.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxMessage(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("รอดำเนินการ")
        DONE = "done", _("เสร็จแล้ว")
        FAILED = "failed", _("ล้มเหลว")

    key = models.CharField(max_length=200, unique=True, help_text="idempotency key, e.g. issue:42")
    task = models.CharField(max_length=100, help_text="Celery task name that does the work")
    payload = models.JSONField(default=dict, blank=True)
    memo = models.ForeignKey("memos.Memo", on_delete=models.CASCADE, null=True, blank=True, related_name="outbox")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    dispatched_at = models.DateTimeField(null=True, blank=True, help_text="last hand-over to the broker, or when a scheduled retry is due")
    started_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("งานค้างส่ง")
        verbose_name_plural = _("งานค้างส่ง")
        ordering = ["id"]
        indexes = [
            # the sweep's query: pending rows not handed over recently
            models.Index(fields=["dispatched_at"], condition=models.Q(state="pending"), name="outbox_pending_idx"),
        ]

    def __str__(self) -> str:
        return self.key
