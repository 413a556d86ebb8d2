"""The review flow. The graph owns the route's shape: a single step is one ``review`` task; a
parallel consultation is a split into one ``consult`` task per consulted position, joined when all
have commented. Each task is assigned once, to whoever acts for its position on the day, and keeps
the position and capacity in ``task.data``; from then on the task's owner is the one answer to
"who may act" (``reassignment`` moves it when the acting changes). The memo's state and step (set
by ``memos.review`` through ``memos.transitions``) choose where the flow goes next.

    start ─▶ route ─┬─▶ review ───────────────────────────────▶ route
                    ├─▶ consult_split ═▶ consult (×N) ═▶ consult_join ─▶ route
                    ├─▶ approved | returned | rejected (ends)
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.db import DatabaseError, transaction
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow, lock
from viewflow.workflow.activation import Activation
from viewflow.workflow.exceptions import FlowLockFailed, FlowRuntimeError
from viewflow.workflow.nodes.join import JoinActivation
from viewflow.workflow.nodes.split import SplitActivation
from viewflow.workflow.nodes.view import ViewActivation

from memos import deadlines, review
from memos.compiled import Compiled
from memos.models import Memo, MemoState

from .models import MemoProcess

_held: ContextVar[Memo | None] = ContextVar("held_memo", default=None)


@contextmanager
def holding(memo: Memo):
    """While the flow moves on from a decision: ``memo`` (locked and just changed by the
    caller) is the memo of every activation of its process, a join's and a switch's included,
    which load their own process row."""
    token = _held.set(memo)
    try:
        yield
    finally:
        _held.reset(token)


def _memo(activation) -> Memo:
    """The round's memo. ``services.submit`` and ``services.decide`` put the memo they hold
    locked (and have just changed) on the process, or hold it (``holding``), so the conditions
    below read that instance rather than fetching it again; anywhere else it is loaded on first
    use."""
    process = activation.process
    held = _held.get()
    if held is not None and held.pk == process.memo_id:
        process.memo = held
    return process.memo


def task_page(request, task_pk: int, **kwargs):
    """The review node's view: viewflow's own task links land on the office task page (``web``),
    which this app does not import (web → workflow, never back); it is reached by its URL name."""
    return redirect("task", task_id=task_pk)


def _through_switch(activation, original):
    """Where the ``route`` switch after this node would send the flow, without the switch's own
    task row: a Switch costs five statements per decision (its task, the link to it, a savepoint
    and its release, its closing update) of the twenty a decision may take (issue 12). The chart
    and the graph keep the switch (``.Next(this.route)``); the start still passes through it."""
    switch = activation.flow_task._next
    if not isinstance(switch, flow.Switch):
        yield from original()
        return
    for node, condition in switch._branches:
        if condition is None or condition(activation):
            yield node._create(activation, activation.task.token)
            return
    raise FlowRuntimeError(f"No next task available for {switch.name}")


class ReviewActivation(ViewActivation):
    @Activation.status.super()
    def create_next(self):
        yield from _through_switch(self, super().create_next.original)


class RouteJoinActivation(JoinActivation):
    """viewflow asks a join whether it is done three times per arrival (the transition's
    condition, its check, ``complete``), each time reading the incoming tasks again. Under the
    flow's lock nothing changes between them: the answer is kept for this activation."""

    def _join_token_prefixes(self):
        if "_prefixes" not in self.__dict__:
            self._prefixes = super()._join_token_prefixes()
        return self._prefixes

    def is_done(self):
        if "_done" not in self.__dict__:
            self._done = super().is_done()
        return self._done

    @Activation.status.super()
    def create_next(self):
        yield from _through_switch(self, super().create_next.original)


class RouteJoin(flow.Join):
    """The consultation's join: the last comment goes on as a review decision does."""

    activation_class = RouteJoinActivation


class ReviewNode(flow.View):
    """A review step. Its owner is whoever acts for the step's post (``reassignment`` keeps it so);
    viewflow's hand assignment would let a task be left with nobody, or with someone off the
    route, so it is refused to everyone, superusers included, and its buttons are hidden."""

    activation_class = ReviewActivation

    def can_assign(self, user, task) -> bool:
        return False

    def can_unassign(self, user, task) -> bool:  # also gates viewflow's reassign
        return False


class DynamicSplitActivation(SplitActivation):
    """viewflow 2.4's open-source Split documents ``data_source`` but creates each branch once:
    here a branch with a data source is created once per item, ``task.data`` set to the item."""

    @Activation.status.super()
    def activate(self):
        super().activate.original()
        sources = {id(node): data_source for node, _cond, data_source in self.flow_task._branches}
        expanded = []
        for node, data in self.next_tasks:
            data_source = sources.get(id(node))
            expanded += [(node, item) for item in data_source(self)] if data_source else [(node, data)]
        self.next_tasks = expanded


class DynamicSplit(flow.Split):
    """A parallel split over data: ``.Next(node, data_source=fn)``, fn(activation) -> [dict]."""

    activation_class = DynamicSplitActivation

    def Next(self, node, case=None, data_source=None):  # noqa: N802 (viewflow's API)
        self._activate_next.append((node, case, data_source))
        return self


class ProcessRowLock(lock.SelectForUpdateLock):
    """viewflow's ``SelectForUpdateLock(nowait=False, attempts=1)``: in a transaction, a blocking
    row lock on the process (``SELECT … FOR UPDATE``), a ``FlowLockFailed`` if the database
    refuses it; the statement compiled once per process class (``memos.compiled``) instead of
    built on every decision."""

    def __init__(self):
        super().__init__(nowait=False, attempts=1)
        self._reads: dict[type, Compiled] = {}

    def _read(self, process_class) -> Compiled:
        read = self._reads.get(process_class)
        if read is None:
            read = self._reads[process_class] = Compiled(
                lambda pk: process_class._default_manager.filter(pk=pk).select_for_update().values_list("pk")[:1],
                int,
            )
        return read

    @contextmanager
    def __call__(self, flow_class, process_pk):
        read = self._read(flow_class.process_class)
        with transaction.atomic():
            try:
                read(int(process_pk))
            except DatabaseError:
                raise FlowLockFailed(f"Lock failed for {flow_class}") from None
            yield


class MemoFlow(flow.Flow):
    process_class = MemoProcess
    process_title = _("เสนอบันทึกข้อความ")
    process_description = _("บันทึกข้อความเสนอตามลำดับผู้บังคับบัญชา")
    # A blocking row lock on the process: a second decision on the same task waits for the first
    # to commit, then finds the task done (409). On SQLite the database itself serialises writes.
    lock_impl = ProcessRowLock()

    def has_view_permission(self, user, obj=None) -> bool:
        """viewflow's process pages list every memo's process, drafts of others included: for
        staff who also hold the view permission. An official is refused before their permissions
        are read (two queries on every page, for the menu)."""
        return bool(getattr(user, "is_staff", False)) and super().has_view_permission(user, obj)

    def has_manage_permission(self, user, obj=None) -> bool:
        """viewflow's manage actions (cancel a process or task, undo, revive) would leave a memo in
        review with no task, or a task nobody owns: refused to everyone and hidden. A memo leaves
        review only by its reviewers' decisions (a return gives it back to its drafter)."""
        return False

    start = flow.StartHandle(this.start_round).Next(this.route)

    route = (
        flow.Switch()
        .Annotation(title=_("ผลการพิจารณา"))
        .Case(this.consult_split, this.is_consultation)
        .Case(this.review, this.goes_on)
        .Case(this.approved, this.is_approved)
        .Case(this.returned, this.is_returned)
        .Default(this.rejected)
    )

    review = (
        ReviewNode(task_page)
        .Annotation(title=_("พิจารณาบันทึกข้อความ"))
        .Assign(this.review_assignee)
        .Next(this.route)
    )

    consult_split = (
        DynamicSplit()
        .Annotation(title=_("ขอความเห็นร่วม"))
        .Next(this.consult, data_source=this.consulted_positions)
    )

    consult = (
        ReviewNode(task_page)
        .Annotation(title=_("ให้ความเห็น (ขอความเห็นร่วม)"))
        .Assign(this.review_assignee)
        .Next(this.consult_join)
    )

    consult_join = RouteJoin().Annotation(title=_("ครบทุกความเห็น")).Next(this.route)

    approved = flow.End().Annotation(title=_("อนุมัติ"))
    returned = flow.End().Annotation(title=_("ส่งคืนแก้ไข"))
    rejected = flow.End().Annotation(title=_("ไม่อนุมัติ"))

    def start_round(self, activation, memo: Memo):
        activation.process.memo = memo
        activation.process.round = memo.round
        return activation.process

    def consulted_positions(self, activation) -> list[dict]:
        return [{"position_id": s.position_id, "step": s.order, "slot": s.slot}
                for s in review.open_slots(_memo(activation))]

    def review_assignee(self, activation):
        data = activation.task.data or {}
        memo = _memo(activation)
        assignee = review.assignee_for_task(memo, data.get("position_id"))
        # kept with the task: the post and the capacity the official was given it in (the email,
        # the task page, the decision and reassignment read them; nothing recomputes them)
        activation.task.data = {**data, "position_id": assignee.position.pk, "step": memo.current_step,
                                **assignee.as_data(), **deadlines.task_data(memo)}
        memo.__dict__.setdefault("_assigned", []).append((activation.task, assignee))  # for the emails
        return assignee.official.user

    def is_consultation(self, activation) -> bool:
        memo = _memo(activation)
        return memo.state == MemoState.IN_REVIEW and review.is_consultation(memo)

    def goes_on(self, activation) -> bool:
        return _memo(activation).state == MemoState.IN_REVIEW

    def is_approved(self, activation) -> bool:
        return _memo(activation).state == MemoState.APPROVED

    def is_returned(self, activation) -> bool:
        return _memo(activation).state == MemoState.RETURNED
