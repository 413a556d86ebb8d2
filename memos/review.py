"""The memo's side of review: rounds, route snapshot, decisions. The workflow app calls these
inside the flow's lock and transaction; they hold the rules, the flow holds the sequencing."""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from . import history, mail, outbox, revisions
from .assignment import Assignee, assignee_for, standing_of
from .errors import InvalidInput
from .models import Decision, Memo, MemoState, MemoStep, Route
from .numbering import take_number


def route_for(memo: Memo) -> Route:
    """The route of the drafter's unit, or of its nearest ancestor that has one."""
    for unit in memo.drafter_position.unit.ancestors_and_self():
        route = Route.objects.filter(unit=unit).first()
        if route is not None and route.steps.exists():
            return route
    raise InvalidInput("ยังไม่ได้กำหนดเส้นทางเสนอสำหรับส่วนราชการนี้")


def begin_round(memo: Memo, actor) -> Memo:
    """Submit or resubmit. The first submit takes the register number and date and copies the route;
    a resubmit after a return keeps them (same register entry) and starts again from the first step
    that is not the drafter's own (see ``_next_reviewing``)."""
    assert transaction.get_connection().in_atomic_block
    if memo.state not in (MemoState.DRAFT, MemoState.RETURNED):
        raise InvalidInput("บันทึกนี้ส่งแล้ว", field="state")
    today = timezone.localdate()
    if memo.round == 0:
        route = route_for(memo)
        MemoStep.objects.bulk_create(
            [MemoStep(memo=memo, order=s.order, position_id=s.position_id) for s in route.steps.all()]
        )
    steps = list(memo.steps.select_related("position"))
    first, skipped = _next_reviewing(memo, steps, 0, today)
    if first is None:
        raise InvalidInput("ทุกลำดับในเส้นทางเสนอเป็นตำแหน่งของผู้ร่างเอง จึงไม่มีผู้พิจารณา", field="route")
    if first is not steps[-1] and _is_drafters(memo, steps[-1], today):
        raise InvalidInput(
            f"ผู้ร่างเป็นผู้พิจารณาลำดับสุดท้าย “{steps[-1].position.title}” เอง "
            "จึงไม่มีผู้อนุมัติ: ให้ผู้อื่นเป็นผู้เสนอ หรือแก้ไขผู้รักษาราชการแทนก่อนส่ง",
            field="route",
        )
    if memo.round == 0:
        memo.number = take_number(memo.agency, today)
        memo.register_year = today.year
        memo.date = today
    else:
        memo.decisions.filter(superseded=False).update(superseded=True)
    memo.round += 1
    memo.current_step = first.order
    memo.state = MemoState.IN_REVIEW
    memo.save()
    revisions.snapshot(memo)  # the round as the reviewers see it (the diff after a return)
    history.log(memo, actor, "submitted", round=memo.round, number=memo.number_display)
    _log_skipped(memo, skipped)
    return memo


def _assignee(memo: Memo, step: MemoStep, day: dt.date) -> Assignee:
    """``assignee_for`` the step, kept on the memo instance: the skip check asks it, then the flow
    asks it again for the task it creates (``current_assignee``), in the same transaction."""
    known = memo.__dict__.setdefault("_assignees", {})
    if (step.order, day) not in known:
        known[step.order, day] = assignee_for(step.position, day)
    return known[step.order, day]


def _is_drafters(memo: Memo, step: MemoStep, day: dt.date) -> bool:
    """Whether the drafter is the one who acts for the step's post (holds it or acts for it)."""
    try:
        return _assignee(memo, step, day).official.pk == memo.drafter_id
    except InvalidInput:
        return False  # nobody acts for it: not hers; the flow says so when the memo gets there


def _next_reviewing(
    memo: Memo, steps: list[MemoStep], after: int, day: dt.date
) -> tuple[MemoStep | None, list[MemoStep]]:
    """The first step after order ``after`` that someone other than the drafter acts for, and the
    drafter's own steps passed on the way. A drafter is never asked to review her own memo."""
    skipped = []
    for step in steps:
        if step.order <= after:
            continue
        if not _is_drafters(memo, step, day):
            return step, skipped
        skipped.append(step)
    return None, skipped


def _log_skipped(memo: Memo, skipped: list[MemoStep]) -> None:
    for step in skipped:
        history.log(memo, None, "skipped", step=step.order, position=step.position.title,
                    reason="drafter")


def current_assignee(memo: Memo, day: dt.date | None = None) -> Assignee:
    day = day or timezone.localdate()
    known = memo.__dict__.get("_assignees", {})
    if (memo.current_step, day) in known:
        return known[memo.current_step, day]
    step = memo.steps.select_related("position").get(order=memo.current_step)
    return _assignee(memo, step, day)


def record_decision(
    memo: Memo, task_id: int, official, kind: str, comment: str, actor, given_kind: str = ""
) -> Decision:
    """Record one reviewer's decision and move the memo on. ``approve`` only on the last step,
    ``endorse`` only before it; ``return`` needs a reason.

    ``official`` is the task's owner: the task is the one answer to who may act (the workflow
    checks it, under the flow's lock), so an acting assignment changed after the task reached
    them does not refuse them; it only decides the capacity recorded (``standing_of``, with
    ``given_kind`` the capacity the task was given in)."""
    assert transaction.get_connection().in_atomic_block
    if memo.state != MemoState.IN_REVIEW:
        raise InvalidInput("บันทึกนี้ไม่ได้อยู่ระหว่างเสนอ", field="state")
    steps = list(memo.steps.select_related("position"))  # one query for every use below
    step = next(s for s in steps if s.order == memo.current_step)
    is_last = step is steps[-1]
    if kind == Decision.Kind.ENDORSE and is_last:
        kind = Decision.Kind.APPROVE  # the last step's endorse is the approval
    if kind == Decision.Kind.APPROVE and not is_last:
        raise InvalidInput("อนุมัติได้เฉพาะผู้พิจารณาลำดับสุดท้าย", field="decision")
    if kind == Decision.Kind.RETURN and not comment:
        raise InvalidInput("โปรดระบุเหตุผลที่ส่งคืน", field="comment")

    today = timezone.localdate()
    following, skipped = None, []
    if kind == Decision.Kind.ENDORSE:
        following, skipped = _next_reviewing(memo, steps, step.order, today)
        if following is None:  # the drafter came to act for the last post while the memo was in review
            raise InvalidInput(
                f"ลำดับสุดท้าย “{steps[-1].position.title}” เป็นผู้ร่างเอง จึงไม่มีผู้อนุมัติ: "
                "โปรดส่งคืนผู้ร่าง",
                field="decision",
            )
    assignee = standing_of(official, step.position, today, given_kind)
    decision = Decision(
        memo=memo,
        round=memo.round,
        step=step.order,
        task_id=task_id,
        official=official,
        position=step.position,
        official_name=official.full_name,
        position_title=step.position.title,
        own_position_title=assignee.own_position.signing_title if assignee.own_position else "",
        acting_kind=assignee.acting_kind,
        signing_for_title=step.position.signing_title if assignee.is_acting else "",
        comment=comment,
        decision=kind,
        decided_at=timezone.now(),
    )
    if official.signature:
        with official.signature.open("rb") as fh:
            decision.signature.save(f"{memo.pk}-{task_id}.png", ContentFile(fh.read()), save=False)
    decision.save()

    if kind == Decision.Kind.ENDORSE:
        memo.current_step = following.order
    elif kind == Decision.Kind.APPROVE:
        memo.state, memo.current_step = MemoState.APPROVED, None
    elif kind == Decision.Kind.RETURN:
        memo.state, memo.current_step = MemoState.RETURNED, None
    else:
        memo.state, memo.current_step = MemoState.REJECTED, None
    memo.save(update_fields=["state", "current_step", "updated_at"])
    history.log(
        memo,
        actor,
        kind,
        step=step.order,
        position=step.position.title,
        acting=assignee.acting_kind,
        comment=comment,
    )
    _log_skipped(memo, skipped)
    _owe_follow_up(memo, decision)
    return decision


ISSUE_TASK = "worker.tasks.issue_memo"


def _owe_follow_up(memo: Memo, decision: Decision) -> None:
    """What the decision owes, written in its own transaction (the outbox): the documents on
    approval, the drafter's email on return or rejection. The next reviewer's email is owed by
    the workflow, which knows the new task."""
    if decision.decision == Decision.Kind.APPROVE:
        outbox.enqueue(f"issue:{memo.pk}", ISSUE_TASK, memo=memo)
    elif decision.decision == Decision.Kind.RETURN:
        mail.returned(memo, decision)
    elif decision.decision == Decision.Kind.REJECT:
        mail.rejected(memo, decision)
