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
