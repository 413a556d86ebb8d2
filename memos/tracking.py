"""Where a memo is on its route: each step done (who, in what capacity, when), current (who has
it and since when) or still to come. One function, ``route_status``, for the memo pages, the
task page and the API.

A step carries a list of participants, each with its own status: today a step is one position,
but a consultation step may name several positions deciding in parallel, and a step is then done
when all of them are."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import get_language, gettext, ngettext
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from .documents.digits import thai_digits
from .errors import InvalidInput
from .models import Decision, Memo, MemoState, MemoStep, StepKind

DONE, CURRENT, PENDING, SKIPPED = "done", "current", "pending", "skipped"
ROUTE_STATUSES = [DONE, CURRENT, PENDING, SKIPPED]
STATUS_LABELS = {DONE: _("พิจารณาแล้ว"), CURRENT: _("กำลังพิจารณา"), PENDING: _("ลำดับถัดไป"), SKIPPED: _("ข้าม")}


@dataclass
class Participant:
    position: str  # the post the step is for
    status: str
    official: str | None = None  # who decided, or who has the task now
    capacity: str | None = None  # the post as signed: "รักษาราชการแทน ปลัดเทศบาล" when acting
    acting: bool = False
    decision: str | None = None  # Decision.Kind value, when done
    decision_label: str | None = None
    comment: str | None = None
    decided_at: dt.datetime | None = None
    waiting_since: dt.datetime | None = None  # when the open task reached them
    task_id: int | None = None
    position_id: int | None = None


@dataclass
class Step:
    order: int
    status: str
    participants: list[Participant] = field(default_factory=list)
    consultation: bool = False  # a parallel consultation: several positions, all comment
    position_id: int | None = None  # the (first) position's id

    @property
    def position(self) -> str:
        return ", ".join(p.position for p in self.participants)

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])


def _capacity_of(d: Decision) -> str:
    return f"{d.acting_kind} {d.signing_for_title}" if d.acting_kind else d.position_title


def _done(step: MemoStep, d: Decision) -> Participant:
    return Participant(
        position=step.position.title, status=DONE, official=d.official_name, capacity=_capacity_of(d),
        acting=bool(d.acting_kind), decision=d.decision, decision_label=str(d.get_decision_display()),
        comment=d.comment, decided_at=d.decided_at,
    )


def _current(step: MemoStep, task: Task | None) -> Participant:
    if task is None:  # between the decision and the next task (or a task not made yet)
        return Participant(position=step.position.title, status=CURRENT)
    data = task.data or {}
    official = getattr(task.owner, "official", None) if task.owner_id else None
    return Participant(
        position=step.position.title, status=CURRENT, official=official.full_name if official else None,
        capacity=data.get("capacity") or step.position.signing_title, acting=bool(data.get("acting")),
        waiting_since=task.created, task_id=task.pk,
    )


def open_tasks_of(memo: Memo) -> list[Task]:
    """The memo's open tasks (review tasks are the only ones left assigned), with their owners."""
    return list(
        Task.objects.filter(process__memoprocess__memo=memo, status=STATUS.ASSIGNED)
        .select_related("owner__official").order_by("id")
    )


def _route_preview(memo: Memo) -> list[Step]:
    """A draft has no route of its own yet (it is copied at the first submit): the unit's route."""
    from .review import route_for  # review imports revisions, which imports models only

    try:
        route = route_for(memo)
    except InvalidInput:
        return []
    result, extra = [], None
    for s in route.steps.all():  # with their posts (route_for reads them)
        consult = s.kind == StepKind.CONSULT
        # the order review.begin_round copies them in: the step's posts by id, then the drafter's
        posts = sorted(s.positions.all(), key=lambda p: p.pk) if consult else [s.position]
        if consult and s.drafter_may_add and extra is None and memo.pk:
            through = Memo.consultants.through
            extra = [r.position for r in through.objects.filter(memo_id=memo.pk).select_related("position").order_by("pk")]
            posts += [p for p in extra if p not in posts]
        people = [Participant(position=p.title, status=PENDING, position_id=p.pk) for p in posts]
        result.append(Step(s.order, PENDING, people, consultation=consult, position_id=people[0].position_id))
    return result


def route_status(
    memo: Memo, steps: list[MemoStep] | None = None, decisions: list[Decision] | None = None,
    tasks: list[Task] | None = None,
) -> list[Step]:
    """The route of the memo's current (or last) round, step by step. ``steps``, ``decisions``
    and ``tasks`` may be passed when the caller has them already (the page does), else they are
    read: at most three queries, whatever the memo's history. A consultation step (several
    ``MemoStep`` rows with one ``order``) has one participant per consulted position, each with
    its own status; the step is done when all of them are."""
    if memo.round == 0:
        return _route_preview(memo)
    steps = list(memo.steps.select_related("position")) if steps is None else steps
    decisions = list(memo.decisions.all()) if decisions is None else decisions
    in_review = memo.state == MemoState.IN_REVIEW
    if tasks is None:
        tasks = open_tasks_of(memo) if in_review else []
    this_round = {(d.step, d.position_id): d for d in decisions if d.round == memo.round and not d.superseded}
    task_of = {(t.data or {}).get("position_id"): t for t in tasks}
    last_decided = max((order for order, _ in this_round), default=0)
    reached = memo.current_step if in_review and memo.current_step else last_decided
    groups: dict[int, list[MemoStep]] = {}
    for row in steps:
        groups.setdefault(row.order, []).append(row)
    result = []
    for order, rows in groups.items():
        people = []
        for row in rows:
            decision = this_round.get((order, row.position_id))
            if decision is not None:
                people.append(_done(row, decision))
            elif in_review and order == memo.current_step:
                task = task_of.get(row.position_id) or (tasks[0] if len(rows) == 1 and tasks else None)
                people.append(_current(row, task))
            elif order < reached:  # passed without a decision: the drafter's own post
                people.append(Participant(position=row.position.title, status=SKIPPED))
            else:
                people.append(Participant(position=row.position.title, status=PENDING))
        statuses = {p.status for p in people}
        status = (CURRENT if CURRENT in statuses else DONE if DONE in statuses
                  else SKIPPED if statuses == {SKIPPED} else PENDING)
        step = Step(order, status, people, consultation=rows[0].consult, position_id=rows[0].position_id)
        for row, person in zip(rows, people, strict=True):
            person.position_id = row.position_id
        result.append(step)
    return result


def waited(since: dt.datetime | None, now: dt.datetime | None = None) -> str:
    """"รอ ๒ ชั่วโมง": how long a task has waited, in the largest whole unit, Thai digits."""
    if since is None:
        return ""
    seconds = max(0, int(((now or timezone.now()) - since).total_seconds()))
    thai = (get_language() or "th").split("-")[0] == "th"  # an English page: Arabic digits
    for size, say in _WAITED:
        if seconds >= size:
            n = seconds // size
            return say(n) % {"n": thai_digits(str(n)) if thai else n}
    return gettext("รอไม่ถึง ๑ นาที")


# largest unit first; Thai has one form, English a singular and a plural
_WAITED = (
    (86400, lambda n: ngettext("รอ %(n)s วัน", "รอ %(n)s วัน", n)),
    (3600, lambda n: ngettext("รอ %(n)s ชั่วโมง", "รอ %(n)s ชั่วโมง", n)),
    (60, lambda n: ngettext("รอ %(n)s นาที", "รอ %(n)s นาที", n)),
)
