"""Deadlines of review steps, in Thai working hours, by the memo's urgency (ชั้นความเร็ว).

A step's deadline is set when the flow assigns its task (``due_at``, kept as ``task.data["due"]``):
MEMO_DEADLINE_HOURS[urgency] working hours from then. Working hours are WORKDAY_HOURS on Monday to
Friday that are not Thai public holidays (the ``holidays`` package's calendar, as reminders count
working days). A step still open at its deadline is overdue: the sweep emails the assignee; at
the second threshold (``escalate_at``: MEMO_ESCALATE_HOURS[urgency] more working hours) it emails
the assignee's superior (``workflow.reminders``).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays
from django.conf import settings
from django.db.models import DateTimeField, Exists, OuterRef, QuerySet
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.utils import timezone


def clock() -> dt.datetime:
    """The clock lists compare deadlines with (one place, so a test can move it)."""
    return timezone.now()


@lru_cache(maxsize=8)
def thai_holidays(year: int) -> holidays.HolidayBase:
    return holidays.TH(years=year)


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in thai_holidays(day.year)


def _workday(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The office hours of ``day``, as aware local datetimes."""
    start, end = (dt.time.fromisoformat(t) for t in settings.WORKDAY_HOURS)
    tz = timezone.get_current_timezone()
    return (timezone.make_aware(dt.datetime.combine(day, start), tz),
            timezone.make_aware(dt.datetime.combine(day, end), tz))


def add_working_hours(start: dt.datetime, hours: float) -> dt.datetime:
    """``start`` plus ``hours`` of office time: time outside office hours, weekends and Thai
    holidays does not count (a task given on Friday evening with 2 hours is due Monday 10:30)."""
    if timezone.is_naive(start):
        start = timezone.make_aware(start)
    now = timezone.localtime(start)
    left = dt.timedelta(hours=hours)
    day = now.date()
    while True:
        if is_working_day(day):
            opens, closes = _workday(day)
            if now < closes:
                now = max(now, opens)
                if now + left <= closes:
                    return now + left
                left -= closes - now
        day += dt.timedelta(days=1)
        now = _workday(day)[0]


def due_at(urgency: str, start: dt.datetime) -> dt.datetime:
    """The deadline of a review step given at ``start`` to a memo of this urgency."""
    return add_working_hours(start, settings.MEMO_DEADLINE_HOURS[urgency])


def escalate_at(urgency: str, due: dt.datetime) -> dt.datetime:
    """When an overdue step goes to the assignee's superior: the second threshold."""
    return add_working_hours(due, settings.MEMO_ESCALATE_HOURS[urgency])


def task_data(memo, now: dt.datetime | None = None) -> dict:
    """What the flow keeps with a review task it assigns: its deadline (UTC, ISO 8601)."""
    due = due_at(memo.urgency, now or clock())
    return {"due": due.astimezone(dt.UTC).isoformat()}


def is_late(data: dict | None, now: dt.datetime | None = None) -> bool:
    """Whether a task (its ``data``) is past its deadline."""
    due = task_due(data)
    return due is not None and due < (now or clock())


def task_due(data: dict | None) -> dt.datetime | None:
    """The deadline kept with a task (``task.data["due"]``), or None for one assigned before."""
    raw = (data or {}).get("due")
    return dt.datetime.fromisoformat(raw) if raw else None


def with_overdue(qs: QuerySet, now: dt.datetime | None = None) -> QuerySet:
    """Memos annotated ``overdue``: an open task of theirs is past its deadline. A correlated
    EXISTS per listed row (a page: 50 index probes), never a scan of every task."""
    from viewflow.workflow.models import Task  # the flow's tasks; memos never imports workflow
    from viewflow.workflow.status import STATUS

    now = now or clock()
    late = Task.objects.annotate(due=Cast(KeyTextTransform("due", "data"), DateTimeField())).filter(
        process__memoprocess__memo=OuterRef("pk"), status=STATUS.ASSIGNED, due__lt=now
    )
    return qs.annotate(overdue=Exists(late))
