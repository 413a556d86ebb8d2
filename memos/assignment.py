"""Who acts for a position on a given day: an acting assignment wins, else the holder."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q

from .errors import InvalidInput
from .models import ActingAssignment, Holding, Official, Position


@dataclass(frozen=True)
class Assignee:
    official: Official
    position: Position  # the post being signed for
    acting_kind: str  # "" when the official holds the post
    own_position: Position | None

    @property
    def is_acting(self) -> bool:
        return bool(self.acting_kind)

    @property
    def capacity(self) -> str:
        """How the official signs this step: the post, or "<kind> <post>" when acting."""
        title = self.position.signing_title
        return f"{self.acting_kind} {title}" if self.is_acting else title

    def as_data(self) -> dict:
        """What a review task keeps of it: the email names the capacity, the task page shows it, and
        a decision falls back on the kind if the assignment has ended since (``standing_of``)."""
        return {"capacity": self.capacity, "acting": self.is_acting, "acting_kind": self.acting_kind}


def _current(qs, day: dt.date):
    return qs.filter(Q(end__isnull=True) | Q(end__gte=day), start__lte=day).order_by("-start", "-id")


def assignees_for(positions: list[Position], day: dt.date) -> dict[int, Assignee]:
    """``assignee_for`` several posts at once (a consultation's): two queries for any number, and
    one more per acting official for their own post. A post nobody acts for is left out."""
    found: dict[int, Assignee] = {}
    by_pk = {p.pk: p for p in positions}
    actings = _current(ActingAssignment.objects.filter(position__in=list(by_pk)), day).select_related("official__user")
    for acting in actings:  # newest first: the first one per post wins
        if acting.position_id not in found:
            post = by_pk[acting.position_id]
            found[post.pk] = Assignee(acting.official, post, acting.kind, acting.official.position_on(day))
    rest = [pk for pk in by_pk if pk not in found]
    if rest:
        for holding in _current(Holding.objects.filter(position__in=rest), day).select_related("official__user"):
            if holding.position_id not in found:
                post = by_pk[holding.position_id]
                found[post.pk] = Assignee(holding.official, post, "", post)
    return found


def assignee_for(position: Position, day: dt.date) -> Assignee:
    """An acting assignment covers a vacant post or a holder who is away, so it is asked first."""
    assignee = assignees_for([position], day).get(position.pk)
    if assignee is None:
        raise InvalidInput(f"ไม่มีผู้ดำรงตำแหน่งหรือผู้รักษาราชการแทน “{position.title}” ในวันที่ {day.isoformat()}")
    return assignee


def standing_of(official: Official, position: Position, day: dt.date, given_kind: str = "") -> Assignee:
    """How ``official`` signs for ``position`` on ``day``: through their own acting assignment for
    it, else as its holder, else in the capacity the task was given in (``given_kind``: an
    assignment that ended after the task reached them). The task's owner decides (the task is the
    one answer to "who may act"); this only says in what capacity."""
    acting = (
        _current(ActingAssignment.objects.filter(position=position, official=official), day)
        .only("kind").first()
    )
    if acting is not None:
        return Assignee(official, position, acting.kind, official.position_on(day))
    if _current(Holding.objects.filter(position=position, official=official), day).exists():
        return Assignee(official, position, "", position)
    return Assignee(official, position, given_kind, official.position_on(day) if given_kind else position)
