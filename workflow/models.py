from django.db import models
from django.db.models.signals import pre_delete
from viewflow.workflow.models import Process

from memos.models.memo import refuse_delete


class MemoProcess(Process):
    """One review round of a memo. A return ends the round; the resubmit starts a new one."""

    memo = models.ForeignKey("memos.Memo", on_delete=models.PROTECT, related_name="processes")
    round = models.PositiveSmallIntegerField()

    delete_refusal = "รอบการเสนอของบันทึกที่ออกเลขแล้วลบไม่ได้"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["memo", "round"], name="memo_process_round_unique")]

    def __str__(self) -> str:
        """What viewflow's own pages (dashboard, process list) call the process: the memo, not "#3"."""
        memo = self.memo
        return f"{memo.number_display or 'ร่าง'} {memo.subject} (รอบที่ {self.round})"

    @property
    def brief(self) -> str:
        return str(self)


# Every round belongs to a numbered memo: deleting one (or its viewflow Process, which cascades
# here) would drop the round's tasks from the record. Refused, superusers included (issue 9).
pre_delete.connect(refuse_delete, sender=MemoProcess)
