"""Emails, composed when the event happens and queued in the outbox in the same transaction.

One email per event and recipient: the outbox key says which event, so nothing is sent twice.
Each email goes to the one official concerned, never to a role or a list.

A secret memo's email (ลับ, ลับมาก) carries no subject, number or content, whatever the event: only
"มีหนังสือลับรอการพิจารณา" and the link (FORMAT.md: a secret document's notifications show no
content); the page behind the link checks who may see it.
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from . import outbox, text
from .models import Decision, Memo, Official

SEND_TASK = "worker.tasks.send_email"
SECRET_NOTICE = "มีหนังสือลับรอการพิจารณา"


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _queue(key: str, kind: str, memo: Memo, recipient: Official, url: str, action: str, **context) -> None:
    address = recipient.user.email
    if not address:
        return  # nobody to write to; the task is still in the inbox
    if memo.is_secret:  # one content-free template for every event
        kind, action, context = "secret", "เปิดดู", {}
    with translation.override("th"):  # officials read Thai mail, whatever the sender's page language
        context |= {"memo": memo, "recipient": recipient, "url": url, "number": memo.number_display,
                    "notice": SECRET_NOTICE}
        subject, _sep, body = render_to_string(f"email/{kind}.txt", context).strip().partition("\n")
        # one line, whatever a memo's subject held (a CR, U+2028 …): a header never carries a break
        subject = text.clean_line(subject).strip()
        paragraphs = [p.strip() for p in body.strip().split("\n\n") if p.strip()]
        html = render_to_string(
            "email/base.html", {"subject": subject, "paragraphs": paragraphs, "url": url, "action": action}
        )
    payload = {"to": [address], "subject": subject, "text": body.strip() + "\n", "html": html}
    outbox.enqueue(f"mail:{key}", SEND_TASK, payload, memo=memo)


def task_assigned(memo: Memo, task_id: int, recipient: Official, acting: str = "") -> None:
    url = absolute(reverse("task", args=[task_id]))
    # per task and recipient: a task that moves to someone else owes them their own email
    _queue(f"task:{task_id}:{recipient.pk}", "task_assigned", memo, recipient, url, "เปิดงาน", acting=acting)


def reminder(memo: Memo, task_id: int, recipient: Official, days: int, nth: int) -> None:
    url = absolute(reverse("task", args=[task_id]))
    _queue(f"reminder:{task_id}:{recipient.pk}:{nth}", "reminder", memo, recipient, url, "เปิดงาน", days=days)


def copy_to_reader(memo: Memo, recipient: Official) -> None:
    """สำเนาเรียน: the memo to read, once per memo and reader (a resubmit owes nothing new)."""
    url = absolute(reverse("memo-detail", args=[memo.pk]))
    _queue(f"reader:{memo.pk}:{recipient.pk}", "reader", memo, recipient, url, "เปิดอ่าน")


def overdue(memo: Memo, task_id: int, recipient: Official, due: str, escalated: bool) -> None:
    """A review step past its deadline: to the assignee (``escalated`` False), then to the
    assignee's superior. Once each per task (the key), however often the sweep runs."""
    url = absolute(reverse("task", args=[task_id]) if not escalated else reverse("memo-detail", args=[memo.pk]))
    key = f"overdue:{task_id}:{'superior' if escalated else 'assignee'}"
    _queue(key, "overdue", memo, recipient, url, "เปิดงาน" if not escalated else "ดูบันทึก",
           due=due, escalated=escalated)


def returned(memo: Memo, decision: Decision) -> None:
    url = absolute(reverse("memo-edit", args=[memo.pk]))
    _queue(f"returned:{decision.pk}", "returned", memo, memo.drafter, url, "แก้ไขบันทึก", decision=decision)


def rejected(memo: Memo, decision: Decision) -> None:
    url = absolute(reverse("memo-detail", args=[memo.pk]))
    _queue(f"rejected:{memo.pk}", "rejected", memo, memo.drafter, url, "ดูบันทึก", decision=decision)


def issued(memo: Memo, announcement_id: int | None) -> None:
    url = absolute(reverse("memo-pdf", args=[memo.pk]))
    ann = absolute(reverse("announcements:detail", args=[announcement_id])) if announcement_id else ""
    _queue(f"issued:{memo.pk}", "issued", memo, memo.drafter, url, "ดาวน์โหลด PDF", announcement_url=ann)
