"""The memo list costs the same number of queries for 1 memo as for 100 (issue 12 item 6): the
visibility rule (route, readers, secrecy) and the overdue flag are parts of the one list query,
never a query per row."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from memos.models import Memo, MemoReader

from .conftest import create_memo, login, official

pytestmark = pytest.mark.django_db


def _copies(template: Memo, n: int, **fields) -> None:
    Memo.objects.bulk_create([
        Memo(agency_id=template.agency_id, unit_id=template.unit_id, drafter_id=template.drafter_id,
             drafter_position_id=template.drafter_position_id, subject=f"{template.subject} {i}",
             addressee=template.addressee, sections=template.sections, **fields)
        for i in range(n)
    ])


def _count(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


@pytest.mark.parametrize("path", ["/api/memos/", "/memos/"])
def test_memo_list_queries_do_not_grow_with_memos(api, path):
    first = Memo.objects.get(pk=create_memo(api)["id"])
    client = api("rewadee") if path.startswith("/api/") else login("rewadee")
    as_reader = api("anchana") if path.startswith("/api/") else login("anchana")

    def fetch(c, expect: int):
        r = c.get(path)
        assert r.status_code == 200
        if path.startswith("/api/"):
            assert len(r.json()["results"]) == expect

    fetch(client, 1)
    one = _count(lambda: fetch(client, 1))
    # 99 more, urgent and secret among them, each with a reader (anchana) told of it
    _copies(first, 49, urgency="most_urgent")
    _copies(first, 50, secrecy="confidential")
    reader = official("anchana")
    MemoReader.objects.bulk_create([
        MemoReader(memo=m, official=reader, notified_at=m.created_at) for m in Memo.objects.all()
    ])
    hundred = _count(lambda: fetch(client, 50))
    assert hundred == one, (one, hundred)
    # a reader's list: the same shape of query, whatever they were copied on
    fetch(as_reader, 50)
    assert _count(lambda: fetch(as_reader, 50)) == one


def test_the_list_page_of_ids_is_the_visibility_rule_page_by_page(api):
    """``newest_visible_ids`` (the unfiltered list, read part by part of the rule) gives exactly
    the memos ``visible_memos`` (the rule as one OR) gives, in the same order, on every page: for
    the drafter, reviewers on and off the route, a CC reader, staff and the สารบรรณ clerk, with
    secret memos, unsent drafts and memos decided, in review and returned among them."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from memos.clerk import CLERK_GROUP
    from memos.models import Position
    from memos.visibility import newest_visible_ids, visible_memos

    finance = Position.objects.get(title="ผู้อำนวยการกองคลัง")
    drafter = api("rewadee")
    for i in range(9):
        m = create_memo(api, subject=f"บันทึก {i}", secrecy="confidential" if i % 3 == 0 else "normal",
                        readers=[{"position": finance.pk}] if i % 4 == 0 else [])
        if i % 2 == 0:  # every other one submitted; some decided, one returned
            assert drafter.post(f"/api/memos/{m['id']}/submit/").status_code == 200
    for decision in ("endorse", "return"):
        task = api("anchana").get("/api/tasks/").json()["results"][0]["id"]
        assert api("anchana").post(f"/api/tasks/{task}/decide/", {"decision": decision, "comment": "เหตุผล"},
                                   format="json").status_code == 200
    clerk = get_user_model().objects.get(username="phichet")
    clerk.groups.add(Group.objects.get_or_create(name=CLERK_GROUP)[0])
    users = get_user_model().objects.filter(
        username__in=["rewadee", "anchana", "thatsanee", "kanokwan", "phichet", "admin"])
    assert users.count() == 6
    for user in users:
        user = get_user_model().objects.get(pk=user.pk)  # fresh: no role cached
        expected = list(visible_memos(user).order_by("-id").values_list("id", flat=True))
        assert expected or user.username in ("thatsanee",), user.username
        for size in (1, 2, 4):
            pages = [newest_visible_ids(user, offset, size) for offset in range(0, len(expected) + size, size)]
            assert [i for page in pages for i in page] == expected, (user.username, size)
