"""Celery tasks. ``memo_approved`` is where post-approval work starts (documents, announcement,
emails: the document pipeline issue fills it in); for now it records that the worker took it."""

from celery import shared_task

from memos import history
from memos.models import Memo


@shared_task(name="worker.tasks.memo_approved", acks_late=True)
def memo_approved(memo_id: int) -> None:
    memo = Memo.objects.filter(pk=memo_id).first()
    if memo is None:
        return
    if not memo.history.filter(action="worker_received").exists():
        history.log(memo, None, "worker_received")
