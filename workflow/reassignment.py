"""Open review tasks follow the organisation. A task is given to whoever acts for its step's post
when it is created; when an acting assignment or a holding ends or changes while the task is open,
the task moves to whoever acts for the post now, and they are emailed. One rule, run after every
change to an assignment or holding (signals, the admin included) and each night by beat (for
assignments that end by date)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from memos import history, mail
from memos.assignment import assignee_for
from memos.errors import InvalidInput
from memos.models import Memo, MemoState, Position

logger = logging.getLogger(__name__)

OPEN = (STATUS.NEW, STATUS.ASSIGNED)


def _flow():
    from .flows import MemoFlow  # flows imports views, which import services

    return MemoFlow


def review_nodes() -> list:
    from .services import review_nodes

    return review_nodes()


def reassign_open_tasks(position_ids: Iterable[int] | None = None, day: dt.date | None = None) -> int:
    """Compare each open review task's owner with who acts for its step's post on ``day`` and
    move the task when they differ. ``position_ids`` limits it to steps on those posts (a changed
    assignment only concerns its post). Returns how many tasks moved."""
    day = day or timezone.localdate()
    tasks = Task.objects.filter(flow_task__in=review_nodes(), status__in=OPEN)
    if position_ids is not None:
        ids = list(position_ids)
        # the post is kept with the task (``flows.review_assignee``); a task from before it was
        # kept: the single step the memo is at (one join to memo steps, both conditions on it)
        tasks = tasks.filter(
            Q(data__position_id__in=ids)
            | Q(data__position_id__isnull=True,
                process__memoprocess__memo__steps__order=F("process__memoprocess__memo__current_step"),
                process__memoprocess__memo__steps__position_id__in=ids)
        ).distinct()
    moved = 0
    for task_id, process_id in tasks.order_by("id").values_list("pk", "process_id"):
        moved += _follow(task_id, process_id, day)
    return moved


def _follow(task_id: int, process_id: int, day: dt.date) -> bool:
    """One task, under the flow's lock (a decision on it waits, then finds it moved)."""
    with _flow().lock(process_id):
        task = Task.objects.select_related("owner__official").get(pk=task_id)
        if task.status not in OPEN:
            return False
        memo = Memo.objects.select_for_update().select_related("agency", "drafter").get(
            processes=process_id
        )
        if memo.state != MemoState.IN_REVIEW or memo.current_step is None:
            return False
        position_id = (task.data or {}).get("position_id")
        if position_id is not None:
            position, order = Position.objects.get(pk=position_id), (task.data or {}).get("step", memo.current_step)
        else:
            step = memo.steps.select_related("position").get(order=memo.current_step)
            position, order = step.position, step.order
        try:
            assignee = assignee_for(position, day)
        except InvalidInput:
            # nobody acts for the post: the task stays with its owner until someone does (saving
            # that acting assignment runs this again)
            logger.warning("task %s: nobody acts for %s on %s; left with its owner", task_id, position, day)
            return False
        if assignee.official.pk == memo.drafter_id:
            # a drafter is never asked to review her own memo: the task stays where it is
            logger.warning("task %s: %s would review her own memo; left with its owner", task_id, memo.drafter)
            return False
        data = {**(task.data or {}), **assignee.as_data()}
        user = assignee.official.user
        if task.owner_id == user.pk:
            if data != task.data:  # same official, another capacity: the page and decision say so
                task.data = data
                task.save(update_fields=["data"])
            return False
        previous = task.owner
        if previous is not None:
            data["moved_from"] = [*data.get("moved_from", []), previous.pk]
        task.data = data
        activation = task.flow_task.activation_class(task)
        if task.status == STATUS.NEW:
            activation.assign(user)
        else:
            activation.reassign(user)
        history.log(
            memo, None, "reassigned", step=order, position=position.title,
            to=assignee.official.full_name, capacity=assignee.capacity,
            **({"from": _name(previous)} if previous is not None else {}),
        )
        mail.task_assigned(memo, task.pk, assignee.official, assignee.capacity if assignee.is_acting else "")
    return True


def _name(user) -> str:
    official = getattr(user, "official", None)  # a task given by hand to a non-official, before
    return official.full_name if official is not None else user.get_username()


@dataclass(frozen=True)
class MovedTask:
    task_id: int
    to_name: str
    capacity: str

    @property
    def message(self) -> str:
        return _("งานนี้ย้ายไปให้ %(name)s (%(capacity)s) พิจารณาแล้ว เนื่องจากผู้ปฏิบัติหน้าที่ในตำแหน่งเปลี่ยน") % {
            "name": self.to_name, "capacity": self.capacity}


def moved_from(user, task_id) -> MovedTask | None:
    """The task, if it was ``user``'s and moved to someone else: their page and the API say to whom
    instead of an error."""
    try:
        task = Task.objects.select_related("owner__official").get(pk=task_id, flow_task__in=review_nodes())
    except (Task.DoesNotExist, ValueError, TypeError):
        return None
    data = task.data or {}
    if task.owner_id == user.pk or user.pk not in data.get("moved_from", []) or task.owner is None:
        return None
    return MovedTask(task.pk, task.owner.official.full_name, data.get("capacity", ""))


def on_assignment_changed(sender, instance, **kwargs) -> None:
    """post_save/post_delete of an ActingAssignment or Holding: after commit, move the open tasks
    on its post (and on the post it had before, if the edit changed it)."""
    ids = {instance.position_id, getattr(instance, "_position_before", None)} - {None}
    transaction.on_commit(lambda: reassign_open_tasks(ids), robust=True)


def remember_position(sender, instance, **kwargs) -> None:
    """pre_save: the post the row had, so an edit that moves it to another post frees the old one's tasks."""
    if instance.pk is not None:
        instance._position_before = (
            sender.objects.filter(pk=instance.pk).values_list("position_id", flat=True).first()
        )
