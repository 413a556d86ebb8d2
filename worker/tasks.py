"""Celery tasks. Each takes an outbox row id and is idempotent: the row is locked and checked
inside the transaction that does the work, so a redelivered, retried or duplicated message
finds the work done and returns. Workers acknowledge late (settings), so a message whose
worker died is delivered again; the outbox sweep re-sends what the broker lost."""

from __future__ import annotations

import datetime as dt
import logging
import smtplib

from celery import shared_task
from celery.signals import worker_ready
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from memos import history, issuing, outbox
from memos.documents import DocumentError
from memos.models import Memo, OutboxMessage
from memos.signing.keys import SigningError

logger = logging.getLogger(__name__)


@shared_task(name="worker.tasks.issue_memo", bind=True, max_retries=3)
def issue_memo(self, msg_id: int) -> None:
    msg = outbox.start(msg_id)
    if msg is None:
        return
    try:
        with transaction.atomic():
            locked = outbox.lock_pending(msg_id)
            if locked is None:
                return
            issuing.issue(locked.memo_id)
            outbox.mark_done(locked)
    except DocumentError as exc:
        # Bad data will not get better by itself: stop, keep the memo approved, show the error.
        _issue_failed(msg, str(exc))
    except SigningError as exc:
        # expired certificate, TSA down, token unplugged: an operator can fix it; retry meanwhile
        _retry_or_fail(self, msg, f"signing failed: {exc}", exc)
    except Exception as exc:  # database or storage trouble: try again later
        _retry_or_fail(self, msg, f"{type(exc).__name__}: {exc}", exc)


def _retry_or_fail(task, msg: OutboxMessage, error: str, exc: Exception) -> None:
    """Retry with backoff (the error shown on the outbox row meanwhile); after the last try, fail."""
    if task.request.retries >= task.max_retries:
        _issue_failed(msg, error)
        raise exc
    outbox.mark_failed(msg.pk, error, final=False)
    raise task.retry(exc=exc, countdown=10 * 2**task.request.retries) from exc


def _issue_failed(msg: OutboxMessage, error: str) -> None:
    """Last try failed: the memo stays approved; the error is on the outbox row and in its history."""
    outbox.mark_failed(msg.pk, error, final=True)
    history.log(Memo.objects.get(pk=msg.memo_id), None, "issue_failed", error=error[:1000])
    logger.error("issuing memo %s failed: %s", msg.memo_id, error)


def _backoff(attempt: int) -> int:
    return min(settings.MAIL_RETRY_BASE_SECONDS * 2 ** (attempt - 1), 3600)


@shared_task(name="worker.tasks.send_email", bind=True, max_retries=None)
def send_email(self, msg_id: int) -> None:
    """Send under the row lock and mark done in the same transaction: two deliveries of one
    message cannot both send. SMTP errors retry with exponential backoff up to
    MAIL_MAX_ATTEMPTS, then the row is marked failed (visible, and retryable, in the admin)."""
    retry_in = None
    with transaction.atomic():
        msg = outbox.lock_pending(msg_id)
        if msg is None:
            return
        msg.attempts += 1
        msg.started_at = timezone.now()
        p = msg.payload
        email = EmailMultiAlternatives(
            p["subject"], p["text"], settings.DEFAULT_FROM_EMAIL, p["to"],
            headers={"Message-ID": f"<outbox-{msg.pk}@{settings.MAIL_DOMAIN}>"},
        )
        email.attach_alternative(p["html"], "text/html")
        try:
            email.send()
        except (smtplib.SMTPException, OSError) as exc:
            msg.last_error = f"{type(exc).__name__}: {exc}"[:4000]
            if msg.attempts >= settings.MAIL_MAX_ATTEMPTS:
                msg.state = OutboxMessage.State.FAILED
            else:
                retry_in = _backoff(msg.attempts)
                # the sweep leaves it alone until the retry is due (and some time after)
                msg.dispatched_at = timezone.now() + dt.timedelta(seconds=retry_in)
            msg.save(update_fields=["attempts", "started_at", "last_error", "state", "dispatched_at"])
        else:
            msg.save(update_fields=["attempts", "started_at"])
            outbox.mark_done(msg)
    if retry_in is not None:
        raise self.retry(countdown=retry_in)


@shared_task(name="worker.tasks.sweep_outbox")
def sweep_outbox() -> int:
    return outbox.sweep()


@shared_task(name="worker.tasks.sweep_pending_uploads")
def sweep_pending_uploads() -> int:
    from memos.uploads import sweep_pending

    return sweep_pending()


@shared_task(name="worker.tasks.remind_waiting")
def remind_waiting() -> int:
    from workflow.reminders import remind_waiting_tasks

    return remind_waiting_tasks()


@shared_task(name="worker.tasks.chase_overdue")
def chase_overdue() -> int:
    """Every OVERDUE_SWEEP_MINUTES: steps past their deadline owe the assignee, then the superior, an email."""
    from workflow.reminders import chase_overdue as chase

    return chase()


@shared_task(name="worker.tasks.reassign_open_tasks")
def reassign_open_tasks() -> int:
    """Nightly: tasks whose acting assignment or holding ended by date move to whoever acts now."""
    from workflow.reassignment import reassign_open_tasks as follow

    return follow()


@worker_ready.connect
def _sweep_on_start(**_kwargs) -> None:
    """A worker that (re)starts hands over everything still pending, so work held by a worker
    that was killed does not wait for the broker's visibility timeout."""
    try:
        n = outbox.sweep(older_than=dt.timedelta(0))
        logger.info("outbox sweep on start: %s handed over", n)
    except Exception:  # never keep a worker from starting
        logger.exception("outbox sweep on start failed")
