"""Task-based reads for the home page and the menu: how many tasks wait for an official, the
first few of them, and where each of a list of memos is (its open task: post, owner, since)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache, lru_cache

from django.db.models import Count, Value
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from memos.compiled import Compiled
from memos.models import Memo, MemoState, MemoStep, Official
from memos.selectors import MemoCounts, MemoHeader, header_values, own_memo_states

from . import services


def counts(user) -> tuple[int, MemoCounts]:
    """The menu badges in one query: the user's open tasks, and the official's memos by state
    (``memos.selectors.own_memo_states``), as one ``UNION ALL`` of two grouped counts (cheaper
    to build than four subqueries, which cost more in Python than the query they saved)."""
    official = getattr(user, "official", None)
    tasks = services.open_tasks(user).order_by().values("owner").annotate(key=Value("tasks"), n=Count("pk"))
    rows = tasks.values_list("key", "n")
    if official is not None:
        rows = rows.union(own_memo_states(official), all=True)
    found = dict(rows)
    memos = MemoCounts(drafts=found.get(MemoState.DRAFT, 0), returned=found.get(MemoState.RETURNED, 0),
                       in_review=found.get(MemoState.IN_REVIEW, 0))
    return found.get("tasks", 0), memos


@dataclass(frozen=True)
class TaskRow:
    """An open task as a list shows it: what it is for (``data``: capacity, acting, due), since
    when, and its memo's header."""

    pk: int
    created: dt.datetime
    data: dict
    memo: MemoHeader


@cache
def _open_tasks_with_headers():
    """Every open review task with its memo's header, oldest first, as values: built once per
    process and never evaluated, only cloned (resolving its fifteen columns took 0.45 ms a
    request, more than PostgreSQL takes to read the page); each request adds its owner."""
    return services.open_review_tasks().order_by("created", "id").values(
        "id", "created", "data", **header_values(services.TASK_MEMO)
    )


# the user's open-task count, on the task table alone (the page's joins to the memo would be
# counted for nothing): a grouped count by owner, one row or none; compiled once (memos.compiled)
_COUNT = Compiled(
    lambda owner: services.open_review_tasks().filter(owner_id=owner).order_by().values("owner")
    .annotate(n=Count("pk")).values_list("n"),
    int,
)


@lru_cache(maxsize=32)
def _page(start: int, stop: int | None) -> Compiled:
    """A page of the user's open tasks with their memos' headers, compiled once per page bounds
    (the API's pages are ``offset``/``limit`` pairs; the first few are nearly all there is)."""
    return Compiled(lambda owner: _open_tasks_with_headers().filter(owner_id=owner)[start:stop], int)


class OpenTaskRows:
    """The user's open tasks, oldest first, as ``TaskRow``s read with ``values()`` (no model
    instances), for the home page and the API's task list: ``rows[start:stop]`` is one query,
    ``count()`` another (the paginators ask for both), each compiled once (``memos.compiled``)."""

    def __init__(self, user):
        self.user = user

    def count(self) -> int:
        found = _COUNT(self.user.pk)
        return found[0][0] if found else 0

    def __getitem__(self, cut: slice) -> list[TaskRow]:
        if cut.step is not None:
            raise ValueError("OpenTaskRows: no step")
        start = cut.start or 0
        if cut.stop is not None and cut.stop <= start:
            return []  # an empty page (Django's paginator asks for [0:0] when there is nothing)
        rows = _page(start, cut.stop)(self.user.pk)
        return [TaskRow(r["id"], r["created"], r["data"] or {}, MemoHeader.from_row(r)) for r in rows]


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
    steps = MemoStep.objects.filter(memo_id__in=ids).order_by("memo_id", "order", "slot", "id")
    for memo_id, order, title in steps.values_list("memo_id", "order", "position__title"):  # a consultation: several
        titles.setdefault((memo_id, order), []).append(title)
    open_tasks = Task.objects.filter(
        process__memoprocess__memo_id__in=ids, status=STATUS.ASSIGNED, flow_task__in=services.review_nodes()
    ).order_by("id").values("process__memoprocess__memo_id", "data", "created", "owner__official__prefix",
                            "owner__official__first_name", "owner__official__last_name")
    tasks = {t["process__memoprocess__memo_id"]: t for t in open_tasks}  # rows, not instances (the home page)
    result = {}
    for m in memos:
        task = tasks.get(m.pk) or {}
        data = task.get("data") or {}
        name = Official.name_of(task["owner__official__prefix"], task["owner__official__first_name"],
                                task["owner__official__last_name"]) if task.get("owner__official__first_name") else None
        result[m.pk] = Whereabouts(
            position=", ".join(titles.get((m.pk, m.current_step), [])),
            official=name,
            capacity=data.get("capacity"),
            acting=bool(data.get("acting")),
            since=task.get("created"),
        )
    return result


def memo_of(task: Task) -> Memo:
    """The task's memo with what its page shows in one query (``get_task`` joined the process)."""
    return Memo.objects.select_related("agency", "unit", "drafter", "drafter_position").get(
        pk=task.process.memoprocess.memo_id
    )
