"""The memo's side of review: rounds, route snapshot, decisions. The workflow app calls these
inside the flow's lock and transaction; they hold the rules, the flow holds the sequencing."""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile
from django.db import DatabaseError, connections, router, transaction
from django.db.models import Prefetch
from django.db.models.signals import post_save, pre_save
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from . import history, mail, outbox, revisions, search, transitions
from .assignment import Assignee, assignee_for, assignees_for, standing_of
from .compiled import Compiled, insert
from .errors import InvalidInput
from .models import Decision, Memo, MemoStep, OnObjection, Position, Route, RouteStep, StepKind
from .numbering import take_number


def route_for(memo: Memo) -> Route:
    """The route for the memo's type in the drafter's unit or its nearest ancestor that has one;
    failing that, the nearest unit's default route (one with no memo type)."""
    unit = memo.drafter_position.unit
    units = unit.ancestors_and_self()
    routes = unit.__dict__.get("_routes")  # every memo type's, read once (the drafting form asks for each)
    if routes is None:
        steps = Prefetch("steps", queryset=RouteStep.objects.select_related("position").prefetch_related("positions"))
        routes = unit._routes = {
            (r.unit_id, r.memo_type.code if r.memo_type_id else None): r
            for r in Route.objects.filter(unit__in=units).select_related("memo_type").prefetch_related(steps)
        }
    for code in (memo.memo_type_id, None):
        for unit in units:
            route = routes.get((unit.pk, code))
            if route is not None and route.steps.all():
                return route
    raise InvalidInput(_("ยังไม่ได้กำหนดเส้นทางเสนอสำหรับส่วนราชการนี้"))


def _copy_route(memo: Memo, route: Route) -> None:
    """The route's steps as the memo's own rows (one per position), with the drafter's extra
    consultants in the first consultation step that allows them. A consultation's slots, which
    order its participants in the tracker and its comments in the signed memo, are the step's own
    posts by id (``RouteStep.positions`` keeps no order), then the drafter's in the order she gave
    them (``drafting.consultant_ids``: the browser's form gives the agency's unit-tree order)."""
    through = Memo.consultants.through
    extra = list(through.objects.filter(memo_id=memo.pk).order_by("pk").values_list("position_id", flat=True))
    rows, took_extra = [], False
    for step in route.steps.all():
        if step.kind == StepKind.SINGLE:
            rows.append(MemoStep(memo=memo, order=step.order, position_id=step.position_id))
            continue
        ids = [p.pk for p in sorted(step.positions.all(), key=lambda p: p.pk)]
        added = []
        if step.drafter_may_add and not took_extra:
            added = [pk for pk in extra if pk not in ids]
            took_extra = True
        if not ids and not added:
            continue  # a consultation step nobody is asked in: nothing to wait for
        rows += [
            MemoStep(memo=memo, order=step.order, slot=i, position_id=pk, consult=True,
                     on_objection=step.on_objection, added_by_drafter=pk in added)
            for i, pk in enumerate(ids + added)
        ]
    if extra and not took_extra:
        raise InvalidInput(_("เส้นทางเสนอของบันทึกประเภทนี้ไม่เปิดให้ผู้ร่างเพิ่มผู้ให้ความเห็น"), field="consultants")
    if not rows:
        raise InvalidInput(_("ยังไม่ได้กำหนดเส้นทางเสนอสำหรับส่วนราชการนี้"))
    if rows[-1].consult:
        raise InvalidInput(_("ลำดับสุดท้ายของเส้นทางเสนอต้องเป็นผู้อนุมัติเพียงตำแหน่งเดียว"), field="route")
    MemoStep.objects.bulk_create(rows)


_STEPS = Compiled(lambda memo_id: MemoStep.objects.filter(memo_id=memo_id).select_related("position"), int)


def _steps(memo: Memo) -> list[MemoStep]:
    """``memo.steps`` with their positions, in route order (a read compiled once: see
    ``memos.compiled``)."""
    steps = _STEPS(memo.pk)
    memo_field = MemoStep._meta.get_field("memo")
    for step in steps:
        memo_field.set_cached_value(step, memo)  # as memo.steps would
    return steps


def _groups(steps: list[MemoStep]) -> list[list[MemoStep]]:
    """The memo's steps grouped by order: one row for a single step, several for a consultation."""
    groups: dict[int, list[MemoStep]] = {}
    for step in steps:
        groups.setdefault(step.order, []).append(step)
    return [groups[k] for k in sorted(groups)]


def begin_round(memo: Memo, actor) -> Memo:
    """Submit or resubmit. The first submit takes the register number and date and copies the route;
    a resubmit after a return keeps them (same register entry) and starts again from the first step
    that is not the drafter's own (see ``_next_reviewing``)."""
    assert transaction.get_connection().in_atomic_block
    transitions.require(memo, "submit")
    today = timezone.localdate()
    if memo.round == 0:
        _copy_route(memo, route_for(memo))
    groups = _groups(_steps(memo))
    first, skipped = _next_reviewing(memo, groups, 0, today)
    if first is None:
        raise InvalidInput(_("ทุกลำดับในเส้นทางเสนอเป็นตำแหน่งของผู้ร่างเอง จึงไม่มีผู้พิจารณา"), field="route")
    last = groups[-1][0]
    if first[0] is not last and _is_drafters(memo, last, today):
        raise InvalidInput(
            _("ผู้ร่างเป็นผู้พิจารณาลำดับสุดท้าย “%(post)s” เอง "
              "จึงไม่มีผู้อนุมัติ: ให้ผู้อื่นเป็นผู้เสนอ หรือแก้ไขผู้รักษาราชการแทนก่อนส่ง") % {"post": last.position.title},
            field="route",
        )
    if memo.round == 0:
        memo.number = take_number(memo.agency, today)
        memo.register_year = today.year
        memo.date = today
    else:
        memo.decisions.filter(superseded=False).update(superseded=True)
    memo.round += 1
    transitions.transition(memo, "submit", current_step=first[0].order)
    memo._open_slots = first
    memo.save()
    revisions.snapshot(memo)  # the round as the reviewers see it (the diff after a return)
    history.log(memo, actor, "submitted", round=memo.round, number=memo.number_display)
    _log_skipped(memo, skipped)
    return memo


def _assignee(memo: Memo, position: Position, day: dt.date) -> Assignee:
    """``assignee_for`` the post, kept on the memo instance: the skip check asks it, then the flow
    asks it again for the task it creates (``assignee_for_task``), in the same transaction."""
    known = memo.__dict__.setdefault("_assignees", {})
    if (position.pk, day) not in known:
        known[position.pk, day] = assignee_for(position, day)
    return known[position.pk, day]


def _know_assignees(memo: Memo, steps: list[MemoStep], day: dt.date) -> None:
    """Ask for every post of a step at once (a consultation of five posts: two queries, not ten)."""
    known = memo.__dict__.setdefault("_assignees", {})
    posts = [s.position for s in steps if (s.position_id, day) not in known]
    if len(posts) > 1:
        for pk, assignee in assignees_for(posts, day).items():
            known[pk, day] = assignee


def _is_drafters(memo: Memo, step: MemoStep, day: dt.date) -> bool:
    """Whether the drafter is the one who acts for the step's post (holds it or acts for it)."""
    try:
        return _assignee(memo, step.position, day).official.pk == memo.drafter_id
    except InvalidInput:
        return False  # nobody acts for it: not hers; the flow says so when the memo gets there


def _next_reviewing(
    memo: Memo, groups: list[list[MemoStep]], after: int, day: dt.date
) -> tuple[list[MemoStep] | None, list[MemoStep]]:
    """The positions of the first step after order ``after`` that someone other than the drafter
    acts for (all of a consultation's but the drafter's own), and the drafter's own passed on the
    way. A drafter is never asked to review her own memo."""
    skipped = []
    for group in groups:
        if group[0].order <= after:
            continue
        _know_assignees(memo, group, day)
        others = [s for s in group if not _is_drafters(memo, s, day)]
        skipped += [s for s in group if s not in others]
        if others:
            return others, skipped
    return None, skipped


def _log_skipped(memo: Memo, skipped: list[MemoStep]) -> None:
    for step in skipped:
        history.log(memo, None, "skipped", step=step.order, position=step.position.title,
                    reason="drafter")


def open_slots(memo: Memo) -> list[MemoStep]:
    """The positions that get a task at the memo's current step: the step's one position, or every
    consulted one but the drafter's. Set by the submit or decision that moved the memo there."""
    cached = memo.__dict__.get("_open_slots")
    if cached is not None and cached[0].order == memo.current_step:
        return cached
    steps = list(memo.steps.select_related("position").filter(order=memo.current_step))
    today = timezone.localdate()
    _know_assignees(memo, steps, today)
    others = [s for s in steps if not _is_drafters(memo, s, today)]
    memo._open_slots = others or steps
    return memo._open_slots


def is_consultation(memo: Memo) -> bool:
    return memo.current_step is not None and open_slots(memo)[0].consult


def assignee_for_task(memo: Memo, position_id: int | None) -> Assignee:
    """Who gets the task the flow creates for one position of the current step (on assignment
    only: after that the task's owner is the answer, and ``workflow.reassignment`` moves it)."""
    slots = open_slots(memo)
    slot = next((s for s in slots if s.position_id == position_id), slots[0])
    return _assignee(memo, slot.position, timezone.localdate())


def record_decision(
    memo: Memo, task_id: int, official, kind: str, comment: str, actor, given_kind: str | None = None,
    position_id: int | None = None, last_of_step: bool = True,
) -> Decision:
    """Record one reviewer's decision and move the memo on. ``approve`` only on the last step,
    ``endorse`` only before it, ``object`` only in a consultation; ``return``, ``reject`` and
    ``object`` need a reason.

    ``official`` is the task's owner and ``position_id`` the post the task is for (both from the
    task: the task is the one answer to who may act, checked by the workflow under the flow's
    lock). ``given_kind`` is the acting kind kept with the task ("" = holds the post; None for a
    task that kept none: then the official's standing that day, ``standing_of``).
    ``last_of_step``: in a consultation, whether this is the last open task of the step (the
    workflow knows its tasks); the step ends with it: an objection returns the memo or is carried
    on, as the step says."""
    assert transaction.get_connection().in_atomic_block
    transitions.require(memo, "advance")
    groups = _groups(_steps(memo))  # one query for every use below
    group = next(g for g in groups if g[0].order == memo.current_step)
    step = next((s for s in group if s.position_id == position_id), group[0])
    is_last = group is groups[-1]
    if step.consult:
        if kind not in (Decision.Kind.ENDORSE, Decision.Kind.OBJECT):
            raise InvalidInput(_("การขอความเห็นร่วม: เลือกได้เฉพาะเห็นชอบ หรือไม่เห็นชอบ/มีข้อทักท้วง"),
                               field="decision")
    elif kind == Decision.Kind.OBJECT:
        raise InvalidInput(_("ไม่เห็นชอบ/มีข้อทักท้วง ใช้ได้เฉพาะในการขอความเห็นร่วม"), field="decision")
    if kind == Decision.Kind.ENDORSE and is_last:
        kind = Decision.Kind.APPROVE  # the last step's endorse is the approval
    if kind == Decision.Kind.APPROVE and not is_last:
        raise InvalidInput(_("อนุมัติได้เฉพาะผู้พิจารณาลำดับสุดท้าย"), field="decision")
    if not comment and kind in REASON_REQUIRED:
        raise InvalidInput(_(REASON_REQUIRED[kind]), field="comment")

    today = timezone.localdate()
    ends_step = not step.consult or last_of_step
    objection = None
    if step.consult and ends_step:
        objection = (
            Decision(decision=kind, comment=comment) if kind == Decision.Kind.OBJECT else
            memo.decisions.filter(round=memo.round, step=step.order, decision=Decision.Kind.OBJECT,
                                  superseded=False).order_by("id").first()
        )
    returns = objection is not None and step.on_objection == OnObjection.RETURN
    following, skipped = None, []
    if ends_step and not returns and kind in (Decision.Kind.ENDORSE, Decision.Kind.OBJECT):
        following, skipped = _next_reviewing(memo, groups, step.order, today)
        if following is None:  # the drafter came to act for the last post while the memo was in review
            raise InvalidInput(
                _("ลำดับสุดท้าย “%(post)s” เป็นผู้ร่างเอง จึงไม่มีผู้อนุมัติ: "
                  "โปรดส่งคืนผู้ร่าง") % {"post": groups[-1][0].position.title},
                field="decision",
            )
    if given_kind is None:  # a task from before the capacity was kept with it
        assignee = standing_of(official, step.position, today)
    else:  # the capacity kept with the task (reassignment updates it when it changes)
        assignee = Assignee(official, step.position, given_kind,
                            official.position_on(today) if given_kind else step.position)
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
    moves = following is not None or returns or kind in (Decision.Kind.APPROVE, Decision.Kind.RETURN,
                                                          Decision.Kind.REJECT)
    decision.comment_in_memo_update = moves  # the memo's UPDATE below appends the comment (memos.search)
    insert(decision)  # decision.save(), its INSERT written once (memos.compiled)
    memo._decision = decision  # the record of it reads it from here (memos.records)

    if following is not None:
        transitions.transition(memo, "advance", current_step=following[0].order)
        memo._open_slots = following
    elif returns:
        transitions.transition(memo, "return")
    elif moves:
        transitions.transition(memo, kind)
    if moves:
        _save_move(memo, comment)
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
    if returns:
        history.log(memo, None, "consultation_returned", step=step.order)
        mail.returned(memo, decision if kind == Decision.Kind.OBJECT else objection)
    _owe_follow_up(memo, decision)
    return decision


_MOVE_SQL: dict[tuple[str, bool], str] = {}
_MOVED = ("state", "current_step", "updated_at")


def _save_move(memo: Memo, comment: str) -> None:
    """``memo.save(update_fields=["state", "current_step", "updated_at"])``, with the comment
    appended to ``search_text`` (``search.with_comment``) when there is one: one UPDATE written once
    per database (Django's, building the expression, cost 1.5 ms of CPU a decision). The fields
    prepare their values as in save() (``updated_at``: auto_now); ``pre_save`` and ``post_save``
    are sent with the same ``update_fields``; ``Memo.save``'s own rule (the register number and
    date never change) concerns columns this does not write."""
    alias = router.db_for_write(Memo, instance=memo)
    connection = connections[alias]
    meta = Memo._meta
    fields = [meta.get_field(name) for name in _MOVED]
    key = (alias, bool(comment))
    if key not in _MOVE_SQL:
        qn = connection.ops.quote_name
        sets = [f"{qn(f.column)} = %s" for f in fields]
        if comment:
            column = qn(meta.get_field("search_text").column)
            sets.append(f"{column} = " + search.APPEND_COMMENT_SQL.format(column=column))
        _MOVE_SQL[key] = f"UPDATE {qn(meta.db_table)} SET {', '.join(sets)} WHERE {qn(meta.pk.column)} = %s"
    update_fields = frozenset((*_MOVED, "search_text") if comment else _MOVED)
    pre_save.send(sender=Memo, instance=memo, raw=False, using=alias, update_fields=update_fields)
    params = [f.get_db_prep_save(f.pre_save(memo, add=False), connection) for f in fields]
    if comment:
        params.append(search.comment_suffix(comment))
    with transaction.mark_for_rollback_on_error(using=alias), connection.cursor() as cursor:
        cursor.execute(_MOVE_SQL[key], [*params, memo.pk])
        if cursor.rowcount != 1:
            raise DatabaseError("Save with update_fields did not affect any rows.")
    memo.__dict__.pop("search_text", None)  # the database has the text; read again if asked
    post_save.send(sender=Memo, instance=memo, created=False, update_fields=update_fields, raw=False, using=alias)


REASON_REQUIRED = {
    Decision.Kind.RETURN: gettext_noop("โปรดระบุเหตุผลที่ส่งคืน"),
    Decision.Kind.REJECT: gettext_noop("โปรดระบุเหตุผลที่ไม่อนุมัติ"),
    Decision.Kind.OBJECT: gettext_noop("โปรดระบุข้อทักท้วง"),
}


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
