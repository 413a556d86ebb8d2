"""Reminders for review tasks that have waited too long, counted in Thai working days."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from pythainlp.util import thai_strftime
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from memos import deadlines, mail
from memos.assignment import assignee_for
from memos.errors import InvalidInput

from .services import review_nodes, task_memo


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end``: Monday to Friday, not a Thai
    public holiday (the ``holidays`` package's calendar, which follows the cabinet's)."""
    days, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        if deadlines.is_working_day(day):
            days += 1
    return days


def remind_waiting_tasks(today: dt.date | None = None) -> int:
    """Owe one reminder per task for each full REMINDER_WORKING_DAYS it has waited. The outbox
    key holds the count, so running this twice a day sends nothing twice."""
    today = today or timezone.localdate()
    every = settings.REMINDER_WORKING_DAYS
    owed = 0
    tasks = Task.objects.filter(status=STATUS.ASSIGNED, flow_task__in=review_nodes()).select_related(
        "process__memoprocess__memo__agency", "process__memoprocess__memo__drafter", "owner__official"
    )
    for task in tasks:
        waited = working_days_between(timezone.localdate(task.created), today)
        nth = waited // every
        if nth < 1:
            continue
        memo = task_memo(task)
        with transaction.atomic():
            # the task's owner: the one who can act on it (a task moves when the acting changes)
            mail.reminder(memo, task.pk, task.owner.official, waited, nth)
        owed += 1
    return owed


def _superior(memo, step_order: int | None):
    """Who is told when a step stays overdue: whoever acts today for the next step's position
    (the one the memo goes to next, above the late assignee). The last step has nobody above it
    on the route, so nobody is told: its assignee (the approver) has been told already."""
    if step_order is None:
        return None
    following = memo.steps.select_related("position").filter(order__gt=step_order).order_by("order").first()
    if following is None:
        return None
    try:
        return assignee_for(following.position, timezone.localdate()).official
    except InvalidInput:
        return None  # a vacant post with no acting official: nobody to tell


def chase_overdue(now: dt.datetime | None = None) -> int:
    """Open review steps past their deadline (``task.data["due"]``; a task assigned before
    deadlines existed counts from its creation) owe their assignee one email, and past the second
    threshold (``deadlines.escalate_at``) the assignee's superior one more. The outbox keys make each
    email once, however often this runs. Returns how many emails were owed this run (new or not)."""
    now = now or deadlines.clock()
    owed = 0
    tasks = Task.objects.filter(status=STATUS.ASSIGNED, flow_task__in=review_nodes()).select_related(
        "process__memoprocess__memo__agency", "process__memoprocess__memo__drafter", "owner__official"
    )
    for task in tasks:
        memo = task_memo(task)
        due = deadlines.task_due(task.data) or deadlines.due_at(memo.urgency, task.created)
        if now < due:
            continue
        shown = thai_strftime(timezone.localtime(due), "%-d %B %Y %H.%M น.", thaidigit=True)
        with transaction.atomic():
            mail.overdue(memo, task.pk, task.owner.official, shown, escalated=False)
            owed += 1
            if now >= deadlines.escalate_at(memo.urgency, due):
                superior = _superior(memo, (task.data or {}).get("step", memo.current_step))
                if superior is not None and superior.pk != task.owner.official.pk:
                    mail.overdue(memo, task.pk, superior, shown, escalated=True)
                    owed += 1
    return owed
