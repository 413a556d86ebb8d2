from django.db import models
from viewflow.workflow.models import Process


class MemoProcess(Process):
    """One review round of a memo. A return ends the round; the resubmit starts a new one."""

    memo = models.ForeignKey("memos.Memo", on_delete=models.PROTECT, related_name="processes")
    round = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["memo", "round"], name="memo_process_round_unique")]
