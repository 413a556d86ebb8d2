"""Task-based reads for the home page and the menu: how many tasks wait for an official, the
first few of them, and where each of a list of memos is (its open task: post, owner, since)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Subquery
from django.db.models.functions import Coalesce
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from memos.models import Memo, MemoStep
from memos.selectors import MemoCounts, MemoHeader, header_values, memo_count_queries

from . import services


def counts(user) -> tuple[int, MemoCounts]:
    """The menu badges in one query: the user's open tasks, and the official's drafts, returned
    memos and memos in review (``memos.selectors.memo_counts``), as subqueries of one SELECT."""
    from django.contrib.auth import get_user_model

    official = getattr(user, "official", None)
    tasks = services.open_tasks(user).order_by().values("owner").annotate(n=Count("pk")).values("n")
    fields = {"tasks": Coalesce(Subquery(tasks), 0)}
    if official is not None:
        fields |= {f"m_{name}": Coalesce(Subquery(query), 0) for name, query in memo_count_queries(official).items()}
    row = get_user_model().objects.filter(pk=user.pk).values(**fields).first() or {}
    memos = MemoCounts(**{name: row.get(f"m_{name}", 0) for name in ("drafts", "returned", "in_review")})
    return row.get("tasks", 0), memos


@dataclass(frozen=True)
class TaskRow:
    """An open task as a list shows it: what it is for (``data``: capacity, acting, due), since
    when, and its memo's header."""

    pk: int
    created: dt.datetime
    data: dict
    memo: MemoHeader


class OpenTaskRows:
    """The user's open tasks, oldest first, as ``TaskRow``s read with ``values()`` (no model
    instances), sliceable for a paginator: ``rows[start:stop]`` is one query."""

    def __init__(self, user):
        self.qs = services.open_tasks(user).values("id", "created", "data", **header_values(services.TASK_MEMO))

    def __getitem__(self, cut: slice) -> list[TaskRow]:
        return [TaskRow(r["id"], r["created"], r["data"] or {}, MemoHeader.from_row(r)) for r in self.qs[cut]]


@dataclass(frozen=True)
class Whereabouts:
    position: str
    official: str | None
    capacity: str | None
    acting: bool
    since: dt.datetime | None


def whereabouts(memos: list[Memo]) -> dict[int, Whereabouts]:
    """For memos in review: the current step's post and who has it. Two queries for any number."""
    if not memos:
        return {}
    ids = [m.pk for m in memos]
    titles: dict[tuple[int, int], list[str]] = {}
    for s in MemoStep.objects.filter(memo_id__in=ids).select_related("position"):  # a consultation: several
        titles.setdefault((s.memo_id, s.order), []).append(s.position.title)
    tasks = {
        t.process.memoprocess.memo_id: t
        for t in Task.objects.filter(
            process__memoprocess__memo_id__in=ids, status=STATUS.ASSIGNED, flow_task__in=services.review_nodes()
        ).select_related("owner__official", "process__memoprocess")
    }
    result = {}
    for m in memos:
        task = tasks.get(m.pk)
        data = (task.data or {}) if task else {}
        official = getattr(task.owner, "official", None) if task and task.owner_id else None
        result[m.pk] = Whereabouts(
            position=", ".join(titles.get((m.pk, m.current_step), [])),
            official=official.full_name if official else None,
            capacity=data.get("capacity"),
            acting=bool(data.get("acting")),
            since=task.created if task else None,
        )
    return result


def memo_of(task: Task) -> Memo:
    """The task's memo with what its page shows in one query (``get_task`` joined the process)."""
    return Memo.objects.select_related("agency", "unit", "drafter", "drafter_position").get(
        pk=task.process.memoprocess.memo_id
    )
