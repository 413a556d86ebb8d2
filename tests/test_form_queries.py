"""The drafting pages (new memo, edit a draft) and a draft's own page cost the same number of
queries with 1 memo or 30, and at most 15 (issue 13: every page of the office app)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from .conftest import create_memo, login

pytestmark = pytest.mark.django_db


def _counts(api, memo_id: int) -> dict[str, int]:
    browser = login("rewadee")
    result = {}
    for url in ("/memos/new/", f"/memos/{memo_id}/edit/", f"/memos/{memo_id}/"):
        with CaptureQueriesContext(connection) as ctx:
            assert browser.get(url).status_code == 200, url
        result[url] = len(ctx.captured_queries)
    return result


def test_drafting_pages_cost_the_same_queries_with_1_or_30_memos(api):
    from memos.models import Position

    post = Position.objects.get(title="ผู้อำนวยการกองคลัง")
    memo = create_memo(api, memo_type="procurement", consultants=[post.pk], readers=[{"position": post.pk}])
    small = _counts(api, memo["id"])
    for i in range(29):
        create_memo(api, subject=f"บันทึก {i}")
    large = _counts(api, memo["id"])
    assert small == large, (small, large)
    assert all(n <= 15 for n in large.values()), large
