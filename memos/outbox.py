"""The outbox: record work in the caller's transaction, hand it to Celery after commit, and
re-hand what is still pending (the sweep). Tasks are named, not imported, so ``memos`` does not
depend on ``worker``."""

from __future__ import annotations

import datetime as dt
import logging

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import OutboxMessage

logger = logging.getLogger(__name__)
State = OutboxMessage.State


def enqueue(key: str, task: str, payload: dict | None = None, memo=None) -> OutboxMessage:
    """Owe a piece of work, once: a second call with the same key returns the first row.

    The key is nearly always new: one ``INSERT … ON CONFLICT (key) DO NOTHING RETURNING id``
    (PostgreSQL and SQLite alike), no SELECT before it and no savepoint around it; a decision
    owes its email in the same transaction as everything else it writes.

    The row is written as handed over (``dispatched_at``) already: the hand-over follows the
    commit, and noting it afterwards would cost a transaction of its own on every decision. If
    the broker refuses it, ``_send`` clears the mark, so the next sweep hands it over; if the
    process dies between the commit and the hand-over, the sweep hands it over once the mark is
    older than ``OUTBOX_REDISPATCH_AFTER``, as for a message lost with the broker: late, not lost."""
    msg = OutboxMessage(key=key, task=task, payload=payload or {}, memo=memo, dispatched_at=timezone.now())
    connection = transaction.get_connection()
    fields = [f for f in OutboxMessage._meta.concrete_fields if not f.primary_key]
    table = connection.ops.quote_name(OutboxMessage._meta.db_table)
    sql = (
        f"INSERT INTO {table} ({', '.join(connection.ops.quote_name(f.column) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))}) ON CONFLICT ({connection.ops.quote_name('key')}) DO NOTHING "
        f"RETURNING {connection.ops.quote_name(OutboxMessage._meta.pk.column)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [f.get_db_prep_save(f.pre_save(msg, add=True), connection) for f in fields])
        row = cursor.fetchone()
    if row is None:
        return OutboxMessage.objects.get(key=key)
    msg.pk = row[0]
    msg._state.adding, msg._state.db = False, connection.alias
    transaction.on_commit(lambda: _send(msg, noted=True), robust=True)
    return msg


def _send(msg: OutboxMessage, noted: bool = False) -> bool:
    """Hand one row to the broker and note it (``noted``: the row says so already, see
    ``enqueue``); False (logged, left for the sweep, the mark cleared) when the broker is down."""
    try:
        current_app.send_task(msg.task, args=[msg.pk], retry=False)
    except Exception as exc:  # kombu raises several types for "broker unreachable"
        logger.warning("outbox %s: broker unavailable, left for the sweep: %s", msg.pk, exc)
        if noted:
            OutboxMessage.objects.filter(pk=msg.pk, state=State.PENDING).update(dispatched_at=None)
        return False
    if not noted:
        OutboxMessage.objects.filter(pk=msg.pk).update(dispatched_at=timezone.now())
    return True


def dispatch(ids: list[int]) -> int:
    """Hand pending rows to the broker. A broker that is down is logged, not raised: the row
    stays pending and the sweep hands it over later. Returns how many were handed over."""
    sent = 0
    for msg in OutboxMessage.objects.filter(pk__in=ids, state=State.PENDING).only("pk", "task"):
        if not _send(msg):
            break  # the broker is down: the rest would fail the same way
        sent += 1
    return sent


def sweep(older_than: dt.timedelta | None = None) -> int:
    """Re-hand pending rows never handed over, or handed over longer ago than a task may take
    (their message was lost with the broker or a killed worker). Duplicates are harmless: the
    tasks are idempotent."""
    if older_than is None:
        older_than = dt.timedelta(seconds=settings.OUTBOX_REDISPATCH_AFTER)
    cutoff = timezone.now() - older_than
    pending = OutboxMessage.objects.filter(state=State.PENDING)
    ids = list(
        pending.filter(dispatched_at__isnull=True).values_list("pk", flat=True)[:1000]
    ) + list(pending.filter(dispatched_at__lte=cutoff).values_list("pk", flat=True)[:1000])
    return dispatch(ids) if ids else 0


def start(msg_id: int) -> OutboxMessage | None:
    """Count an attempt and note its start, committed at once (visible in the admin even if the
    worker then dies). None when the work is done, failed or unknown."""
    with transaction.atomic():
        msg = OutboxMessage.objects.select_for_update().filter(pk=msg_id, state=State.PENDING).first()
        if msg is None:
            return None
        msg.attempts += 1
        msg.started_at = timezone.now()
        msg.save(update_fields=["attempts", "started_at"])
    return msg


def lock_pending(msg_id: int) -> OutboxMessage | None:
    """Inside the caller's transaction: the row, locked, if it is still pending. A second delivery
    of the same message waits here and then finds it done."""
    assert transaction.get_connection().in_atomic_block
    return OutboxMessage.objects.select_for_update().filter(pk=msg_id, state=State.PENDING).first()


def mark_done(msg: OutboxMessage) -> None:
    msg.state, msg.done_at, msg.last_error = State.DONE, timezone.now(), ""
    msg.save(update_fields=["state", "done_at", "last_error"])


def mark_failed(msg_id: int, error: str, final: bool) -> None:
    """Record an error; ``final`` stops retries (the admin's retry action restarts it)."""
    fields = {"last_error": error[:4000]}
    if final:
        fields["state"] = State.FAILED
    OutboxMessage.objects.filter(pk=msg_id).update(**fields)


def retry(msg: OutboxMessage) -> None:
    """Put a failed row back in the queue: the admin's way to retry after fixing the cause."""
    with transaction.atomic():
        OutboxMessage.objects.filter(pk=msg.pk).exclude(state=State.DONE).update(
            state=State.PENDING, attempts=0, dispatched_at=None
        )
        transaction.on_commit(lambda: dispatch([msg.pk]), robust=True)
