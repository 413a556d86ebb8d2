"""The workflow's verbs: submit and decide. One function each, used by the API, the browser UI
and the management commands alike."""

from __future__ import annotations

import logging
from typing import Literal

from django.db import transaction
from django.db.models import QuerySet
from pydantic import BaseModel, ConfigDict
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from memos import mail, readers, review, text, transitions, visibility
from memos.compiled import Compiled
from memos.documents.schema import MAX_COMMENT
from memos.drafting import official_of, validate
from memos.errors import Conflict, NotAllowed, NotFound
from memos.models import Attachment, Decision, IssuedDocument, Memo, MemoState

logger = logging.getLogger(__name__)

DECISIONS = {k.value for k in Decision.Kind}


class DecisionInput(BaseModel):
    """A decision as the API and the task page submit it (the API's request schema, too)."""

    model_config = ConfigDict(extra="forbid")
    decision: Literal[tuple(k.value for k in Decision.Kind)]  # type: ignore[valid-type]
    comment: text.Text(MAX_COMMENT, required=False) = ""


def _flow():
    from .flows import MemoFlow  # flows imports views, which import this module

    return MemoFlow


def review_nodes() -> list:
    """The flow's nodes whose tasks are officials' decisions: a step's review, a consultation."""
    flow = _flow()
    return [flow.review, flow.consult]


def visible_memos(user) -> QuerySet[Memo]:
    return visibility.visible_memos(user)  # one rule (memos/visibility.py): route, readers, secrecy


def get_visible_memo(user, memo_id) -> Memo:
    try:
        return (
            visible_memos(user)
            .select_related("agency", "unit", "drafter", "drafter_position__unit")
            .get(pk=memo_id)
        )
    except (Memo.DoesNotExist, ValueError, TypeError):
        raise NotFound("ไม่พบบันทึกข้อความ") from None


def get_attachment(user, memo_id, attachment_id) -> Attachment:
    memo = get_visible_memo(user, memo_id)
    try:
        return memo.attachments.get(pk=attachment_id)
    except (Attachment.DoesNotExist, ValueError, TypeError):
        raise NotFound("ไม่พบไฟล์แนบ") from None


def issued_pdf(user, memo_id, kind: str = IssuedDocument.Kind.MEMO) -> IssuedDocument:
    memo = get_visible_memo(user, memo_id)
    try:
        return memo.documents.get(kind=kind)
    except IssuedDocument.DoesNotExist:
        raise NotFound("ยังไม่ได้ออกเอกสารฉบับนี้") from None


def submit(user, memo_id: int) -> Memo:
    """Take the number, snapshot the route and start a review round, all in one transaction."""
    memo = get_visible_memo(user, memo_id)
    official = official_of(user)
    transitions.check_editable(memo, official, "ส่ง")  # answered before the lock, asked again under it
    with transaction.atomic():
        memo = Memo.objects.select_for_update().get(pk=memo.pk)
        transitions.check_editable(memo, official, "ส่ง")
        review.begin_round(memo, user)
        process = _flow().start.run(memo=memo)
        notify_assignee(process.pk)
        readers.notify(memo)  # สำเนาเรียน: emailed, never waited for
    return memo


TASK_MEMO = "process__memoprocess__memo__"  # a task's memo, in lookups


def open_review_tasks() -> QuerySet[Task]:
    """Every official's open review tasks (a review or a consultation waiting for its owner)."""
    return Task.objects.filter(status=STATUS.ASSIGNED, flow_task__in=review_nodes())


def open_tasks(user) -> QuerySet[Task]:
    """The user's open review tasks, acting ones included (they are assigned to the acting
    official), oldest first, on the task table alone (the open-task index covers a count of
    them; the lists read their memo's header through ``selectors.OpenTaskRows``)."""
    return open_review_tasks().filter(owner=user).order_by("created", "id")


def task_memo(task: Task) -> Memo:
    return task.process.memoprocess.memo


def _task_pk(task_id) -> int:
    """A task id as the lookups take it (``pk=task_id`` read "12" and 12.0 as 12 too); 404 for
    anything else, a number no id can be included."""
    try:
        pk = int(task_id)
    except (ValueError, TypeError, OverflowError):
        raise NotFound("ไม่พบงานนี้") from None
    if not 0 < pk < 2**63:
        raise NotFound("ไม่พบงานนี้")
    return pk


def _review_task(pk: int):
    return Task.objects.filter(pk=pk, flow_task__in=review_nodes())


# the reads of a decision and the task page, compiled once (memos.compiled): their queryset
# building cost more CPU than PostgreSQL takes to answer them
_TASK = Compiled(lambda pk: _review_task(pk).select_related("process__memoprocess", "owner__official"), int)
_TASK_OWNER = Compiled(lambda pk: _review_task(pk).values_list("owner_id", "process_id"), int)
# the task as it is under the flow's lock, its memo row-locked, with what the decision, the reply
# and the emails read (inner joins: FOR UPDATE needs them)
_LOCKED_TASK = Compiled(
    lambda pk: Task.objects.select_related(
        "process__memoprocess__memo__agency", "process__memoprocess__memo__drafter"
    ).select_for_update(of=("process__memoprocess__memo",))
    .filter(pk=pk, process__memoprocess__memo__isnull=False),
    int,
)


def get_task(user, task_id) -> Task:
    """404 for an unknown task and for someone else's alike: a 403 would confirm that it exists."""
    found = _TASK(_task_pk(task_id))
    if not found or found[0].owner_id != user.pk:
        raise NotFound("ไม่พบงานนี้")
    return found[0]


def _task_process(user, task_id) -> int:
    """The process of the user's review task ``task_id`` (its id and owner only: the decision
    reads the rest under the flow's lock); 404 as ``get_task``."""
    found = _TASK_OWNER(_task_pk(task_id))
    if not found or found[0][0] != user.pk:
        raise NotFound("ไม่พบงานนี้")
    return found[0][1]


def decide(user, task_id, decision: str, comment: str) -> Decision:
    """Record a decision and move the flow on, under the flow's lock.

    A double click, or twenty at once, queue on the process row lock; the first commits, the
    others find the task done and get Conflict. ``Decision.task_id`` is unique as a last guard.
    """
    value = validate(DecisionInput, {"decision": decision, "comment": comment})  # any type: a 400, never a 500
    decision, comment = value.decision, value.comment
    try:
        process_id = _task_process(user, task_id)
    except (NotAllowed, NotFound):
        _raise_if_moved(user, task_id)
        raise
    flow_class = _flow()
    with flow_class.lock(process_id):
        # after the process lock (the order reassignment takes them in): the task as it is now (a
        # decision or a move may have committed while we waited) with its process, then its memo
        # row-locked, with what the reply and the emails print (two more joins, the owner's
        # official, cost PostgreSQL 0.45 ms more to plan than reading the official by itself)
        found = _LOCKED_TASK(_task_pk(task_id))
        if not found:
            raise Task.DoesNotExist
        task = found[0]
        if task.status != STATUS.ASSIGNED:
            raise Conflict("งานนี้มีผู้ตัดสินใจไปแล้ว")
        if task.owner_id != user.pk:
            _raise_if_moved(user, task_id)  # moved to whoever now acts for the post while we waited
            raise NotAllowed("งานนี้ไม่ได้มอบหมายให้ท่าน")
        official = official_of(user)  # the task's owner (checked just above); token authentication read it
        memo = task.process.memoprocess.memo
        memo._row_locked = True
        activation = task.flow_task.activation_class(task)
        activation.process.memo = memo  # the flow's conditions read the locked, updated memo (flows._memo)
        activation.start(None)
        step_before = memo.current_step
        data = task.data or {}
        last_of_step = True
        if task.flow_task == flow_class.consult:  # the join fires with the last consultant's decision
            last_of_step = not Task.objects.filter(
                process_id=task.process_id, flow_task=flow_class.consult, status__in=(STATUS.NEW, STATUS.ASSIGNED)
            ).exclude(pk=task.pk).exists()
        result = review.record_decision(
            memo, task.pk, official, decision, comment, user, data.get("acting_kind"),
            position_id=data.get("position_id"), last_of_step=last_of_step,
        )
        from .flows import holding

        with holding(memo):  # the join's and the next step's activations read this memo
            activation.execute()
        if memo.state == MemoState.IN_REVIEW and memo.current_step != step_before:
            # the next step's new tasks (none while a consultation waits), as the flow assigned them
            notify_assignee(task.process_id, memo.__dict__.get("_assigned"), memo)
    return result


def _raise_if_moved(user, task_id) -> None:
    """A task that was the user's and moved to whoever now acts for the post: 409, saying to whom."""
    from .reassignment import moved_from

    moved = moved_from(user, task_id)
    if moved is not None:
        raise Conflict(moved.message)


def notify_assignee(process_id: int, assigned: list | None = None, memo: Memo | None = None) -> None:
    """Owe an email to each official who must act on the process's open tasks (in the caller's
    transaction, through the outbox; the key is the task and its owner, so one email per task and
    official: a task that moves to someone else owes them their own). The task says who and in
    what capacity (recorded by the flow when it assigned it); ``assigned``: the (task, assignee)
    pairs the flow just made (``flows.review_assignee``) for ``memo``, read without a query."""
    if assigned is not None and memo is not None:
        for task, assignee in assigned:
            mail.task_assigned(memo, task.pk, assignee.official,
                               assignee.capacity if assignee.is_acting else "")
        return
    tasks = (
        Task.objects.filter(process_id=process_id, status=STATUS.ASSIGNED, flow_task__in=review_nodes())
        .select_related("process__memoprocess__memo__agency", "process__memoprocess__memo__drafter",
                        "owner__official")
        .order_by("id")
    )
    for task in tasks:
        if task.owner_id is None:
            continue
        data = task.data or {}
        mail.task_assigned(task_memo(task), task.pk, task.owner.official,
                           data.get("capacity", "") if data.get("acting") else "")
