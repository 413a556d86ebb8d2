"""The workflow's verbs: submit and decide. One function each, used by the API, the browser UI
and the management commands alike."""

from __future__ import annotations

import logging
from typing import Literal

from django.db import transaction
from django.db.models import Q, QuerySet
from pydantic import BaseModel, ConfigDict
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from memos import mail, review, text
from memos.clerk import clerk_agencies
from memos.documents.schema import MAX_COMMENT
from memos.drafting import official_of, validate
from memos.errors import Conflict, NotAllowed, NotFound
from memos.models import Attachment, Decision, IssuedDocument, Memo, MemoState

from .models import MemoProcess

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


def visible_memos(user) -> QuerySet[Memo]:
    """Drafts and memos under review are seen by their drafter, their reviewers, and staff."""
    qs = Memo.objects.all()
    if user.is_staff:
        return qs
    official = getattr(user, "official", None)
    if official is None:
        return qs.none()
    # one id set, deduplicated by UNION: no DISTINCT over a join, which grew with every memo
    # an official ever reviewed (2 s for a list page at 100,000; bench/api.py)
    # (no ORDER BY inside: SQLite refuses one in a compound statement's parts)
    ids = Memo.objects.filter(drafter=official).order_by().values("pk").union(
        Decision.objects.filter(official=official).order_by().values("memo_id"),
        MemoProcess.objects.filter(task__owner=user).order_by().values("memo_id"),
    )
    agencies = clerk_agencies(user)  # the สารบรรณ role: every numbered memo of the agency (issue 13
    if agencies:  # item 4); others' unsent drafts stay private
        return qs.filter(Q(pk__in=ids) | Q(agency_id__in=agencies, number__isnull=False))
    return qs.filter(pk__in=ids)


def get_visible_memo(user, memo_id) -> Memo:
    try:
        return (
            visible_memos(user)
            .select_related("agency", "unit", "drafter", "drafter_position")
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
    if memo.drafter_id != official_of(user).pk:
        raise NotAllowed("ส่งได้เฉพาะผู้ร่างบันทึก")
    with transaction.atomic():
        memo = Memo.objects.select_for_update().get(pk=memo.pk)
        if not memo.is_editable:
            raise Conflict("บันทึกนี้ส่งไปแล้ว")
        review.begin_round(memo, user)
        process = _flow().start.run(memo=memo)
        notify_assignee(process.pk)
    return memo


def open_tasks(user) -> QuerySet[Task]:
    """The user's open review tasks, acting ones included (they are assigned to the acting official)."""
    return (
        Task.objects.filter(owner=user, status=STATUS.ASSIGNED, flow_task=_flow().review)
        .select_related("process__memoprocess__memo__agency", "process__memoprocess__memo__drafter")
        # a list needs the memo's header, not its body
        .defer("process__memoprocess__memo__sections", "process__memoprocess__memo__announcement")
        .order_by("created", "id")
    )


def task_memo(task: Task) -> Memo:
    return task.process.memoprocess.memo


def get_task(user, task_id) -> Task:
    """404 for an unknown task and for someone else's alike: a 403 would confirm that it exists."""
    try:
        task = Task.objects.select_related("process__memoprocess", "owner__official").get(
            pk=task_id, flow_task=_flow().review
        )
    except (Task.DoesNotExist, ValueError, TypeError):
        raise NotFound("ไม่พบงานนี้") from None
    if task.owner_id != user.pk:
        raise NotFound("ไม่พบงานนี้")
    return task


def decide(user, task_id, decision: str, comment: str) -> Decision:
    """Record a decision and move the flow on, under the flow's lock.

    A double click, or twenty at once, queue on the process row lock; the first commits, the
    others find the task done and get Conflict. ``Decision.task_id`` is unique as a last guard.
    """
    value = validate(DecisionInput, {"decision": decision, "comment": comment})  # any type: a 400, never a 500
    decision, comment = value.decision, value.comment
    try:
        task = get_task(user, task_id)
    except (NotAllowed, NotFound):
        _raise_if_moved(user, task_id)
        raise
    official = official_of(task.owner)  # the owner is the user (get_task checked), official joined
    flow_class = _flow()
    with flow_class.lock(task.process_id):
        task.refresh_from_db()
        if task.status != STATUS.ASSIGNED:
            raise Conflict("งานนี้มีผู้ตัดสินใจไปแล้ว")
        if task.owner_id != user.pk:
            _raise_if_moved(user, task_id)  # moved to whoever now acts for the post while we waited
            raise NotAllowed("งานนี้ไม่ได้มอบหมายให้ท่าน")
        memo = Memo.objects.select_for_update().get(pk=task.process.memoprocess.memo_id)
        activation = task.flow_task.activation_class(task)
        activation.process.memo = memo  # the flow's conditions read the locked, updated memo (flows._memo)
        activation.start(None)
        given_kind = (task.data or {}).get("acting_kind", "")
        result = review.record_decision(memo, task.pk, official, decision, comment, user, given_kind)
        activation.execute()
        if memo.state == MemoState.IN_REVIEW:
            notify_assignee(task.process_id)
    return result


def _raise_if_moved(user, task_id) -> None:
    """A task that was the user's and moved to whoever now acts for the post: 409, saying to whom."""
    from .reassignment import moved_from

    moved = moved_from(user, task_id)
    if moved is not None:
        raise Conflict(moved.message)


def notify_assignee(process_id: int) -> None:
    """Owe an email to the official who must act on the process's open review task (in the
    caller's transaction, through the outbox; the key is the task and its owner, so one email
    per task and official: a task that moves to someone else owes them their own)."""
    task = (
        Task.objects.filter(process_id=process_id, status=STATUS.ASSIGNED, flow_task=_flow().review)
        .select_related("process__memoprocess__memo__agency", "process__memoprocess__memo__drafter",
                        "owner__official")
        .first()
    )
    if task is None or task.owner_id is None:
        return
    memo = task_memo(task)
    if "capacity" in (task.data or {}):  # recorded by the flow when it assigned the task
        official, acting = task.owner.official, task.data["capacity"] if task.data["acting"] else ""
    else:  # a task assigned before the capacity was recorded: the same rule again
        assignee = review.current_assignee(memo)
        official, acting = assignee.official, assignee.capacity if assignee.is_acting else ""
    mail.task_assigned(memo, task.pk, official, acting)
