"""What the home page lists of an official's own memos: drafts, returned ones with the
reviewer's reason, memos in review, recently issued ones, and their counts. Each is one query
whatever the number of memos (the lists are short and cut in the database)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery

from .models import Decision, Memo, MemoState, Official

LIST_LENGTH = 5

HEADER_FIELDS = ("id", "state", "number", "date", "subject", "current_step", "urgency", "secrecy", "agency__code",
                 "drafter__prefix", "drafter__first_name", "drafter__last_name")


def header_values(prefix: str = "") -> dict:
    """``values()`` arguments that read a memo's header (what a list row shows) without building
    model instances: a list of 50 tasks with their memo, agency and drafter is 300 instances
    otherwise, most of its time. A task list passes the lookup prefix to its memo."""
    return {f"h_{name}": F(prefix + name) for name in HEADER_FIELDS}


@dataclass(frozen=True)
class MemoHeader:
    """A memo as a list row shows it, read with ``header_values``."""

    id: int
    state: str
    number: int | None
    date: dt.date | None
    subject: str
    current_step: int | None
    urgency: str
    secrecy: str
    agency_code: str
    drafter_name: str

    @classmethod
    def from_row(cls, row: dict) -> MemoHeader:
        return cls(
            id=row["h_id"], state=row["h_state"], number=row["h_number"], date=row["h_date"],
            subject=row["h_subject"], current_step=row["h_current_step"], urgency=row["h_urgency"],
            secrecy=row["h_secrecy"], agency_code=row["h_agency__code"],
            drafter_name=Official.name_of(row["h_drafter__prefix"], row["h_drafter__first_name"],
                                          row["h_drafter__last_name"]),
        )

    @classmethod
    def of(cls, memo: Memo) -> MemoHeader:
        return cls(
            id=memo.pk, state=memo.state, number=memo.number, date=memo.date, subject=memo.subject,
            current_step=memo.current_step, urgency=memo.urgency, secrecy=memo.secrecy,
            agency_code=memo.agency.code, drafter_name=memo.drafter.full_name,
        )

    @property
    def number_display(self) -> str:
        """As ``Memo.number_display``: ``กบ 52401/220``."""
        return f"{self.agency_code}/{self.number}" if self.number else ""


@dataclass(frozen=True)
class MemoCounts:
    drafts: int = 0
    returned: int = 0
    in_review: int = 0


def own_memo_states(official: Official) -> QuerySet:
    """(state, count) of the official's drafts, returned memos and memos in review (``MemoCounts``):
    an index range each (``memo_drafter_state_newest``). The menu reads it with the task count in
    one query (``workflow.selectors.counts``)."""
    return (
        Memo.objects.filter(drafter=official, state__in=(MemoState.DRAFT, MemoState.RETURNED, MemoState.IN_REVIEW))
        .order_by().values("state").annotate(n=Count("pk")).values_list("state", "n")
    )


def _own(official: Official, state: str) -> QuerySet[Memo]:
    return (
        Memo.objects.filter(drafter=official, state=state)
        .select_related("agency")
        .defer("sections", "announcement")
        .order_by("-id")
    )


def drafts(official: Official, limit: int = LIST_LENGTH) -> list[Memo]:
    return list(_own(official, MemoState.DRAFT)[:limit])


def returned(official: Official, limit: int = LIST_LENGTH) -> list[Memo]:
    """Returned memos, each with ``return_reason`` and ``returned_by`` (the return decision's
    comment and signer), read in the same query."""
    last_return = Decision.objects.filter(memo=OuterRef("pk"), decision=Decision.Kind.RETURN).order_by("-id")
    qs = _own(official, MemoState.RETURNED).annotate(
        return_reason=Subquery(last_return.values("comment")[:1]),
        returned_by=Subquery(last_return.values("official_name")[:1]),
        returned_at=Subquery(last_return.values("decided_at")[:1]),
    )
    return list(qs[:limit])


def in_review(official: Official, limit: int = LIST_LENGTH) -> list[Memo]:
    return list(_own(official, MemoState.IN_REVIEW)[:limit])


# "Recently" issued: among the agency's latest memos, so the page's cost is bounded by this window
# and not by the history of an official who decided on 100,000 memos (bench/home.py).
RECENT_WINDOW = 2000


def recently_issued(official: Official, limit: int = LIST_LENGTH) -> list[Memo]:
    """Issued memos the official drafted or decided on, newest first, among the latest memos."""
    newest = Subquery(Memo.objects.order_by("-pk").values("pk")[:1])
    decided = Exists(Decision.objects.filter(memo=OuterRef("pk"), official=official))
    return list(
        Memo.objects.filter(state=MemoState.ISSUED, pk__gt=newest - RECENT_WINDOW)
        .filter(Q(drafter=official) | decided)
        .select_related("agency")
        .defer("sections", "announcement")
        .order_by("-id")[:limit]
    )
