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

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet

from .clerk import clerk_agencies
from .models import Decision, Memo, MemoReader, Secrecy


def _sources(user) -> tuple[list[Q], list[tuple[QuerySet, str]]]:
    """The rule, as its parts: conditions on the memo's own columns, and rows of other tables
    naming memos (the queryset and its memo column). ``visible_memos`` ORs them together;
    ``newest_visible_ids`` reads each newest first. Empty lists: nothing is visible."""
    from viewflow.workflow.models import Task  # the flow's tasks; memos never imports workflow
    from viewflow.workflow.status import STATUS

    if not getattr(user, "is_authenticated", False):
        return [], []
    official = getattr(user, "official", None)
    conditions: list[Q] = []
    if user.is_staff:
        conditions.append(Q(secrecy=Secrecy.NORMAL))
    if official is None:
        return conditions, []
    # the memos the official has a part in: drafter, route (a decision, or a task open now:
    # every task done left a decision, so the open ones are enough and stay few), reader
    conditions.append(Q(drafter=official.pk))
    rows = [
        (Decision.objects.filter(official=official.pk), "memo_id"),
        (Task.objects.filter(owner=user.pk, status=STATUS.ASSIGNED), "process__memoprocess__memo_id"),
        (MemoReader.objects.filter(official=official.pk, notified_at__isnull=False), "memo_id"),
    ]
    agencies = clerk_agencies(user)  # the สารบรรณ role: every numbered memo of the agency that is not
    if agencies and not user.is_staff:  # secret (issue 13 item 4); others' unsent drafts stay private
        conditions.append(Q(agency_id__in=agencies, number__isnull=False, secrecy=Secrecy.NORMAL))
    return conditions, rows


def visible_memos(user) -> QuerySet[Memo]:
    """The memos ``user`` may see (see the module's docstring)."""
    conditions, rows = _sources(user)
    if not conditions and not rows:
        return Memo.objects.none()
    seen = Q()
    for condition in conditions:
        seen |= condition
    for qs, column in rows:
        seen |= Exists(qs.filter(**{column: OuterRef("pk")}))
    return Memo.objects.filter(seen)


def newest_visible_ids(user, offset: int, limit: int) -> list[int]:
    """The ids of the memos ``user`` may see, newest first, ``offset``/``limit`` cut: the list
    page without filters. Each part of the rule reads its newest ``offset + limit`` ids from
    its own index (memo by drafter or by id, decisions and readers by official and memo), the
    parts are merged in Python: one query whose cost follows the page, not the number of memos
    seen (an OR of the parts makes PostgreSQL hash every memo the official has decided, 100,000
    of them for a first reviewer)."""
    conditions, rows = _sources(user)
    k = offset + limit
    parts = [Memo.objects.filter(c).order_by("-id").values_list("id")[:k] for c in conditions]
    parts += [qs.order_by(f"-{column}").values_list(column).distinct()[:k] for qs, column in rows]
    if not parts:
        return []
    if len(parts) > 1 and connection.features.supports_slicing_ordering_in_compound:
        parts = [parts[0].union(*parts[1:], all=True)]  # PostgreSQL: one query
    ids = sorted({row[0] for part in parts for row in part}, reverse=True)  # SQLite (`make run`): one a part
    return ids[offset:k]


def may_see(user, memo: Memo) -> bool:
    """One memo, by the same rule (one query)."""
    return visible_memos(user).filter(pk=memo.pk).exists()
