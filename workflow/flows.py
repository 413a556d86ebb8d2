"""The review flow: one ``review`` task per route step, assigned to whoever acts for that step's
position on the day; the memo's state (set by ``memos.review``) chooses where the flow goes next."""

from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow, lock

from memos.models import Memo, MemoState
from memos.review import current_assignee

from . import views
from .models import MemoProcess


def _memo(activation) -> Memo:
    """The round's memo. ``services.submit`` and ``services.decide`` put the memo they hold
    locked (and have just changed) on the process, so the conditions below read that instance
    rather than fetching it again; anywhere else it is loaded on first use."""
    return activation.process.memo


class MemoFlow(flow.Flow):
    process_class = MemoProcess
    process_title = _("เสนอบันทึกข้อความ")
    process_description = _("บันทึกข้อความเสนอตามลำดับผู้บังคับบัญชา")
    # A blocking row lock on the process: a second decision on the same task waits for the first
    # to commit, then finds the task done (409). On SQLite the database itself serialises writes.
    lock_impl = lock.SelectForUpdateLock(nowait=False, attempts=1)

    start = flow.StartHandle(this.start_round).Next(this.review)

    review = (
        flow.View(views.TaskView.as_view())
        .Annotation(title=_("พิจารณาบันทึกข้อความ"))
        .Assign(this.review_assignee)
        .Next(this.route)
    )

    route = (
        flow.Switch()
        .Annotation(title=_("ผลการพิจารณา"))
        .Case(this.review, this.goes_on)
        .Case(this.approved, this.is_approved)
        .Case(this.returned, this.is_returned)
        .Default(this.rejected)
    )

    approved = flow.End().Annotation(title=_("อนุมัติ"))
    returned = flow.End().Annotation(title=_("ส่งคืนแก้ไข"))
    rejected = flow.End().Annotation(title=_("ไม่อนุมัติ"))

    def start_round(self, activation, memo: Memo):
        activation.process.memo = memo
        activation.process.round = memo.round
        return activation.process

    def review_assignee(self, activation):
        assignee = current_assignee(_memo(activation))
        # kept with the task: the capacity the official was given it in (the email names it)
        activation.task.data = {**(activation.task.data or {}), "capacity": assignee.capacity,
                                "acting": assignee.is_acting}
        return assignee.official.user

    def goes_on(self, activation) -> bool:
        return _memo(activation).state == MemoState.IN_REVIEW

    def is_approved(self, activation) -> bool:
        return _memo(activation).state == MemoState.APPROVED

    def is_returned(self, activation) -> bool:
        return _memo(activation).state == MemoState.RETURNED
