"""The review flow: one ``review`` task per route step, assigned to whoever acts for that step's
position on the day; the memo's state (set by ``memos.review``) chooses where the flow goes next."""

from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow, lock

from memos import deadlines
from memos.models import Memo, MemoState
from memos.review import current_assignee

from .models import MemoProcess


def _memo(activation) -> Memo:
    """The round's memo. ``services.submit`` and ``services.decide`` put the memo they hold
    locked (and have just changed) on the process, so the conditions below read that instance
    rather than fetching it again; anywhere else it is loaded on first use."""
    return activation.process.memo


def task_page(request, task_pk: int, **kwargs):
    """The review node's view: viewflow's own task links land on the office task page (``web``),
    which this app does not import (web → workflow, never back); it is reached by its URL name."""
    return redirect("task", task_id=task_pk)


class ReviewNode(flow.View):
    """A review step. Its owner is whoever acts for the step's post (``reassignment`` keeps it so);
    viewflow's hand assignment would let a task be left with nobody, or with someone off the
    route, so it is refused to everyone, superusers included, and its buttons are hidden."""

    def can_assign(self, user, task) -> bool:
        return False

    def can_unassign(self, user, task) -> bool:  # also gates viewflow's reassign
        return False


class MemoFlow(flow.Flow):
    process_class = MemoProcess
    process_title = _("เสนอบันทึกข้อความ")
    process_description = _("บันทึกข้อความเสนอตามลำดับผู้บังคับบัญชา")
    # A blocking row lock on the process: a second decision on the same task waits for the first
    # to commit, then finds the task done (409). On SQLite the database itself serialises writes.
    lock_impl = lock.SelectForUpdateLock(nowait=False, attempts=1)

    def has_manage_permission(self, user, obj=None) -> bool:
        """viewflow's manage actions (cancel a process or task, undo, revive) would leave a memo in
        review with no task, or a task nobody owns: refused to everyone and hidden. A memo leaves
        review only by its reviewers' decisions (a return gives it back to its drafter)."""
        return False

    start = flow.StartHandle(this.start_round).Next(this.review)

    review = (
        ReviewNode(task_page)
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
        activation.task.data = {**(activation.task.data or {}), **assignee.as_data(), **deadlines.task_data(_memo(activation))}
        return assignee.official.user

    def goes_on(self, activation) -> bool:
        return _memo(activation).state == MemoState.IN_REVIEW

    def is_approved(self, activation) -> bool:
        return _memo(activation).state == MemoState.APPROVED

    def is_returned(self, activation) -> bool:
        return _memo(activation).state == MemoState.RETURNED
