"""Who sees which memo: one selector, used by every list, page, PDF and API answer.

An official sees the memos they drafted, those they decided or hold (held) a review task on (their
route), and those they were copied on (สำเนาเรียน, once the memo was submitted). Staff see every
memo that is not secret. A secret memo (ลับ, ลับมาก) is seen by its drafter, its route and its
named readers only: not by staff (superusers included) nor by the สารบรรณ clerk (FORMAT.md: a secret document's cover and
notifications show no content; the rules give it to the route). The Django admin, which a
superuser uses to keep the organisation, lists secret memos without their subject (memos/admin.py
reads ``masked_subject``).

The rule is written as EXISTS clauses over narrow indexes: decisions by (official, memo), readers
by (official, memo), open tasks only (a handful per official). PostgreSQL hashes each side once
(an index-only scan) and walks the memos newest first until a page is full, so the list of an
official who has seen all 100,000 memos and that of one who has seen a few both stay cheap
(bench/memo_list.py).
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from .clerk import clerk_agencies
from .models import Decision, Memo, MemoReader, Secrecy


def _seen_by(user, official) -> Q:
    """The memos ``official`` has a part in: drafter, route (a decision, or a task open now: every
    task done left a decision, so the open ones are enough and stay few), reader."""
    from viewflow.workflow.models import Task  # the flow's tasks; memos never imports workflow
    from viewflow.workflow.status import STATUS

    return (
        Q(drafter=official.pk)
        | Exists(Decision.objects.filter(memo=OuterRef("pk"), official=official.pk))
        | Exists(Task.objects.filter(process__memoprocess__memo=OuterRef("pk"), owner=user.pk, status=STATUS.ASSIGNED))
        | Exists(MemoReader.objects.filter(memo=OuterRef("pk"), official=official.pk, notified_at__isnull=False))
    )


def visible_memos(user) -> QuerySet[Memo]:
    """The memos ``user`` may see (see the module's docstring)."""
    qs = Memo.objects.all()
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    official = getattr(user, "official", None)
    if user.is_staff:
        public = Q(secrecy=Secrecy.NORMAL)
        return qs.filter(public | _seen_by(user, official)) if official is not None else qs.filter(public)
    if official is None:
        return qs.none()
    seen = _seen_by(user, official)
    agencies = clerk_agencies(user)  # the สารบรรณ role: every numbered memo of the agency that is not
    if agencies:  # secret (issue 13 item 4); others' unsent drafts stay private
        seen |= Q(agency_id__in=agencies, number__isnull=False, secrecy=Secrecy.NORMAL)
    return qs.filter(seen)


def may_see(user, memo: Memo) -> bool:
    """One memo, by the same rule (one query)."""
    return visible_memos(user).filter(pk=memo.pk).exists()
