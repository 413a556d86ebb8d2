"""Who acts for a position on a given day: an acting assignment wins, else the holder."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connections, router
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
    """``assignee_for`` several posts at once (a consultation's): one query for any number (the
    current acting assignments and holdings of the posts, acting ones first, newest first, with
    each official and their user), and one more per acting official for their own post. A post
    nobody acts for is left out."""
    found: dict[int, Assignee] = {}
    by_pk = {p.pk: p for p in positions}
    if not by_pk:
        return found
    connection = connections[router.db_for_read(Official)]
    key = (connection.vendor, len(by_pk))
    if key not in _SQL:
        _SQL[key] = _assignees_sql(connection, len(by_pk))
    sql, official_fields, user_fields = _SQL[key]
    day_value = connection.ops.adapt_datefield_value(day)
    params = [*by_pk, day_value, day_value, *by_pk, day_value, day_value]
    user_field = Official._meta.get_field("user")
    n_official = len(official_fields)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    for row in rows:  # acting assignments first, newest first: the first row per post wins
        position_id, kind, acting = row[0], row[1], row[2]
        if position_id in found:
            continue
        official = Official.from_db(connection.alias, official_fields, row[3 : 3 + n_official])
        user = _User().from_db(connection.alias, user_fields, row[3 + n_official :])
        user_field.set_cached_value(official, user)
        user_field.remote_field.set_cached_value(user, official)
        post = by_pk[position_id]
        if acting:
            found[post.pk] = Assignee(official, post, kind, official.position_on(day))
        else:
            found[post.pk] = Assignee(official, post, "", post)
    return found


def _User():  # noqa: N802 (a class)
    from django.contrib.auth import get_user_model

    return get_user_model()


_SQL: dict[tuple[str, int], tuple[str, list[str], list[str]]] = {}


def _assignees_sql(connection, n: int) -> tuple[str, list[str], list[str]]:
    """The statement of ``assignees_for`` for ``n`` posts, written once per database vendor and
    count (built with the ORM, as two querysets with their joins, it cost more than running it:
    1.9 ms of CPU a call)."""
    qn = connection.ops.quote_name
    user_model = _User()
    official_fields = [f.attname for f in Official._meta.concrete_fields]
    user_fields = [f.attname for f in user_model._meta.concrete_fields]
    columns = [f"o.{qn(f.column)}" for f in Official._meta.concrete_fields]
    columns += [f"u.{qn(f.column)}" for f in user_model._meta.concrete_fields]
    posts = ", ".join(["%s"] * n)
    current = f"{qn('position_id')} IN ({posts}) AND {qn('start')} <= %s AND ({qn('end')} IS NULL OR {qn('end')} >= %s)"
    sql = (
        f"SELECT x.position_id, x.kind, x.acting, {', '.join(columns)} FROM ("
        f"SELECT {qn('position_id')} AS position_id, {qn('official_id')} AS official_id, {qn('kind')} AS kind, "
        f"1 AS acting, {qn('start')} AS start, {qn('id')} AS id "
        f"FROM {qn(ActingAssignment._meta.db_table)} WHERE {current} "
        f"UNION ALL SELECT {qn('position_id')}, {qn('official_id')}, '', 0, {qn('start')}, {qn('id')} "
        f"FROM {qn(Holding._meta.db_table)} WHERE {current}"
        f") x INNER JOIN {qn(Official._meta.db_table)} o ON o.{qn(Official._meta.pk.column)} = x.official_id "
        f"INNER JOIN {qn(user_model._meta.db_table)} u ON u.{qn(user_model._meta.pk.column)} = o.{qn('user_id')} "
        "ORDER BY x.acting DESC, x.start DESC, x.id DESC"
    )
    return sql, official_fields, user_fields


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
