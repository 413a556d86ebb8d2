"""The outbox's hand-over mark. A row is written as handed over (``dispatched_at``) in the
transaction that owes it, so a decision costs no second transaction after its commit; the sweep
must still find a row whose hand-over never happened (the process died after the commit), once
the mark is older than a task may take, and not before (the message may be on its way)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from memos import outbox
from memos.models import OutboxMessage

pytestmark = pytest.mark.django_db(transaction=True)

SEND_TASK = "worker.tasks.send_email"  # no worker listens here: a consumer elsewhere would find no row


def _owe_and_die_before_handing_over(key: str) -> OutboxMessage:
    """``enqueue`` committed, its after-commit hand-over dropped: what a process killed between
    the commit and the broker leaves behind."""
    with transaction.atomic():
        msg = outbox.enqueue(key, SEND_TASK, {"to": ["x@example.org"]})
        transaction.get_connection().run_on_commit = []
    return msg


def test_a_row_is_written_as_handed_over_and_swept_only_after_the_cutoff(settings):
    before = timezone.now()
    msg = _owe_and_die_before_handing_over("test:outbox:died")
    row = OutboxMessage.objects.get(pk=msg.pk)
    assert row.state == OutboxMessage.State.PENDING
    assert row.dispatched_at is not None and row.dispatched_at >= before

    after = dt.timedelta(seconds=settings.OUTBOX_REDISPATCH_AFTER)
    assert outbox.sweep(after) == 0  # it may still be on its way: not sent twice

    OutboxMessage.objects.filter(pk=msg.pk).update(dispatched_at=timezone.now() - after - dt.timedelta(seconds=1))
    assert outbox.sweep(after) == 1  # late, not lost: handed to the (real) broker
    assert OutboxMessage.objects.get(pk=msg.pk).dispatched_at > timezone.now() - dt.timedelta(seconds=60)


def test_a_second_enqueue_of_the_same_key_returns_the_first_row_and_owes_nothing_more():
    first = _owe_and_die_before_handing_over("test:outbox:once")
    with transaction.atomic():
        again = outbox.enqueue("test:outbox:once", SEND_TASK, {"to": ["y@example.org"]})
        assert transaction.get_connection().run_on_commit == []  # no second hand-over owed
    assert again.pk == first.pk
    assert OutboxMessage.objects.filter(key="test:outbox:once").count() == 1
