"""Reminders for review tasks that have waited too long, counted in Thai working days."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from memos import mail

from .services import review_nodes, task_memo


@lru_cache(maxsize=8)
def _thai_holidays(year: int) -> holidays.HolidayBase:
    return holidays.TH(years=year)


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end``: Monday to Friday, not a Thai
    public holiday (the ``holidays`` package's calendar, which follows the cabinet's)."""
    days, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        if day.weekday() < 5 and day not in _thai_holidays(day.year):
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
