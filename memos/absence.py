"""An official says "I will be away from … to …" (issue 13 item 6).

The organisation's rule says who acts: ``Position.deputy`` names the post whose holder (or whoever
acts for it that day, ``assignment.assignee_for``) acts for the absent official's post. The
absence becomes an ordinary ``ActingAssignment`` row, so the admin sees it and can change or delete
it, and ``workflow.reassignment`` moves open tasks as for any assignment: right away when it starts
today (the post_save signal), otherwise in the 00:05 beat sweep on its first day, and back in the
sweep the day after it ends. The superior (the post after the official's in their unit's route)
is emailed through the outbox.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import outbox, text
from .assignment import Assignee, assignee_for
from .errors import InvalidInput
from .models import ActingAssignment, ActingKind, Official, Position, RouteStep

MAX_DAYS = 180  # a longer absence is a personnel order for the admin, not a self-service form
SEND_TASK = "worker.tasks.send_email"
SOURCE = "แจ้งไม่อยู่ผ่านระบบ"  # order_reference prefix: tells the admin the row came from here


@dataclass(frozen=True)
class Absence:
    assignment: ActingAssignment
    post: Position
    acting: Official
    superior: Official | None


def post_of(official: Official, day: dt.date) -> Position:
    post = official.position_on(day)
    if post is None:
        raise InvalidInput(_("ท่านไม่ได้ดำรงตำแหน่งใดในวันที่เริ่ม"), field="start")
    return post


def deputy_for(post: Position, absent: Official, day: dt.date) -> Assignee:
    """Who acts for ``post`` while ``absent`` is away: whoever acts for its deputy post that day."""
    if post.deputy_id is None:
        raise InvalidInput(
            _("ยังไม่ได้กำหนดผู้ปฏิบัติหน้าที่แทนตำแหน่ง %(post)s กรุณาแจ้งผู้ดูแลระบบ") % {"post": post.title}, field="start"
        )
    who = assignee_for(post.deputy, day)  # InvalidInput (Thai) when the deputy post is empty too
    if who.official.pk == absent.pk:
        raise InvalidInput(_("ผู้ปฏิบัติหน้าที่แทนตามคำสั่งคือท่านเอง กรุณาแจ้งผู้ดูแลระบบ"), field="start")
    return who


def superior_of(post: Position, day: dt.date) -> Official | None:
    """The official for the post after ``post`` in its unit's route (or the nearest ancestor's):
    the unit's default route (no memo type), its next one-position step (a consultation beside
    the ladder is nobody's superior)."""
    units = post.unit.ancestors_and_self()
    steps = {
        s.route.unit_id: s
        for s in RouteStep.objects.filter(
            route__unit__in=units, route__memo_type__isnull=True, position=post
        ).select_related("route")
    }
    for unit in units:
        step = steps.get(unit.pk)
        if step is None:
            continue
        after = (
            RouteStep.objects.filter(route=step.route, order__gt=step.order, position__isnull=False)
            .select_related("position").order_by("order").first()
        )
        if after is None:
            return None
        try:
            return assignee_for(after.position, day).official
        except InvalidInput:
            return None
    return None


def _check_dates(start, end, today: dt.date) -> None:
    if not isinstance(start, dt.date) or not isinstance(end, dt.date):
        raise InvalidInput(_("ระบุวันที่เริ่มและวันที่สิ้นสุด"), field="start")
    if start < today:
        raise InvalidInput(_("วันที่เริ่มต้องไม่ก่อนวันนี้"), field="start")
    if end < start:
        raise InvalidInput(_("วันที่สิ้นสุดต้องไม่ก่อนวันที่เริ่ม"), field="end")
    if (end - start).days + 1 > MAX_DAYS:
        raise InvalidInput(_("แจ้งไม่อยู่ได้ครั้งละไม่เกิน %(n)s วัน") % {"n": MAX_DAYS}, field="end")


def declare_absence(user, start: dt.date, end: dt.date, note: str = "") -> Absence:
    """Record the absence as an acting assignment and tell the superior, in one transaction."""
    from .drafting import official_of

    official = official_of(user)
    _check_dates(start, end, timezone.localdate())
    post = post_of(official, start)
    acting = deputy_for(post, official, start)
    note = text.clean_line(note or "")[:100]
    with transaction.atomic():
        overlapping = ActingAssignment.objects.filter(
            position=post, order_reference__startswith=SOURCE, start__lte=end, end__gte=start
        ).exists()
        if overlapping:
            raise InvalidInput(_("มีการแจ้งไม่อยู่ในช่วงวันที่นี้แล้ว"), field="start")
        reference = f"{SOURCE} โดย {official.full_name}" + (f" ({note})" if note else "")
        row = ActingAssignment.objects.create(
            official=acting.official, position=post, kind=ActingKind.ACTING, start=start, end=end,
            order_reference=reference[:200],
        )
        superior = superior_of(post, start)
        if superior is not None and superior.pk != official.pk:
            absence_notice(row, official, superior)
    return Absence(row, post, acting.official, superior)


def my_absences(official: Official):
    """The absences this official declared (their post's rows made here), newest first."""
    return (
        ActingAssignment.objects.filter(
            position__holdings__official=official, order_reference__startswith=SOURCE,
            order_reference__contains=official.full_name,
        )
        .select_related("official", "position").distinct().order_by("-start")
    )


def absence_notice(row: ActingAssignment, absent: Official, recipient: Official) -> None:
    """Email the superior (outbox, once per assignment and recipient)."""
    address = recipient.user.email
    if not address:
        return
    url = settings.SITE_URL.rstrip("/") + reverse("me:index")
    with translation.override("th"):
        context = {"row": row, "absent": absent, "recipient": recipient, "url": url}
        subject, _sep, body = render_to_string("email/absence.txt", context).strip().partition("\n")
        subject = text.clean_line(subject).strip()
        paragraphs = [p.strip() for p in body.strip().split("\n\n") if p.strip()]
        html = render_to_string(
            "email/base.html", {"subject": subject, "paragraphs": paragraphs, "url": url, "action": "เปิดระบบ"}
        )
    payload = {"to": [address], "subject": subject, "text": body.strip() + "\n", "html": html}
    outbox.enqueue(f"mail:absence:{row.pk}:{recipient.pk}", SEND_TASK, payload)

