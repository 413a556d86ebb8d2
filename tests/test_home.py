"""The home page, "my work": what waits on the official and where their memos are, with the
menu's badge counts; the same number of queries with 1 memo of each kind or 100 memos."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from memos.models import Memo

from .conftest import create_memo, login, my_task

pytestmark = pytest.mark.django_db


def _submitted(api, subject: str) -> dict:
    m = create_memo(api, subject=subject)
    assert api("rewadee").post(f"/api/memos/{m['id']}/submit/").status_code == 200
    return m


def _decide(api, username: str, task_id: int, decision: str, comment: str) -> None:
    r = api(username).post(f"/api/tasks/{task_id}/decide/", {"decision": decision, "comment": comment}, format="json")
    assert r.status_code == 200, r.content


def test_the_drafters_home_lists_her_returned_memo_with_the_reason(api):
    returned = _submitted(api, "ขอซ่อมหลังคาศาลาประชาคม")
    _decide(api, "anchana", my_task(api, "anchana"), "return", "โปรดแนบใบเสนอราคาสามราย")
    create_memo(api, subject="ร่างขอจัดซื้อวัสดุ")
    _submitted(api, "ขออนุมัติเดินทางไปราชการ")

    page = login("rewadee").get("/").content.decode()
    returned_block = page[page.index('id="returned"'):]
    assert "ขอซ่อมหลังคาศาลาประชาคม" in returned_block and "โปรดแนบใบเสนอราคาสามราย" in returned_block
    assert f'href="/memos/{returned["id"]}/"' in returned_block
    assert "ร่างขอจัดซื้อวัสดุ" in page[page.index('id="drafts"'):]
    ongoing = page[page.index('id="in-review"'):]
    # where it is: the step, its post, who has it, how long it has waited
    assert "ขออนุมัติเดินทางไปราชการ" in ongoing and "อยู่ที่ลำดับ ๑" in ongoing
    assert "หัวหน้าฝ่ายแผนงานและงบประมาณ" in ongoing and "นางสาวอัญชนก ดำฤทธิ์" in ongoing
    assert "รอไม่ถึง ๑ นาที" in ongoing
    # nothing to decide herself; the counts say 1 returned, 1 draft, 1 in review
    assert "ไม่มีงานค้าง" in page
    counts = re.findall(r'class="office-count[^"]*" href="#([a-z-]+)"><b>([^<]+)</b>', page)
    assert dict(counts) == {"tasks": "๐", "returned": "๑", "drafts": "๑", "in-review": "๑"}, counts
    # the menu's badge: what waits on her (the returned memo)
    assert re.search(r'งานของฉัน <span class="office-badge"[^>]*>๑</span>', page)


def test_a_reviewers_home_marks_the_acting_task_with_its_capacity(api):
    m = _submitted(api, "ขอความเห็นชอบโครงการ")
    for user in ("anchana", "thatsanee"):
        _decide(api, user, my_task(api, user), "endorse", "เห็นควร")
    page = login("worawit").get("/").content.decode()
    tasks = page[page.index('id="tasks"'):page.index("</section>", page.index('id="tasks"'))]
    task_id = my_task(api, "worawit")
    assert f'href="/tasks/{task_id}/"' in tasks and "ขอความเห็นชอบโครงการ" in tasks
    assert re.search(r'class="office-acting">ในฐานะ รักษาราชการแทน\s*ปลัดเทศบาล', tasks), tasks
    assert Memo.objects.get(pk=m["id"]).current_step == 3
    # the mayor has nothing yet; the first reviewer's list is empty again
    assert "ไม่มีงานค้าง" in login("phichet").get("/").content.decode()


def _population(api, n: int) -> None:
    """n drafts and n + 2 submitted memos, of which some returned and some issued: every list
    of the home page has rows, with 1 memo of a kind or many."""
    for i in range(n):
        create_memo(api, subject=f"ร่าง {i}")
    for i in range(n + 2):
        _submitted(api, f"เสนอ {i}")
    returned = max(1, n // 10)
    for i in range(returned):
        tasks = api("anchana").get("/api/tasks/?limit=200").json()["results"]
        task = next(t["id"] for t in tasks if t["memo"]["state"] == "in_review")
        _decide(api, "anchana", task, "return", f"แก้ไข {i}")
    # issued memos are made by the worker; here their state is enough for the lists
    ids = list(Memo.objects.filter(state="in_review").values_list("pk", flat=True)[: max(1, n // 10)])
    Memo.objects.filter(pk__in=ids).update(state="issued", current_step=None)


def _queries(username: str) -> int:
    browser = login(username)
    browser.get("/")  # warm: session, language
    with CaptureQueriesContext(connection) as ctx:
        r = browser.get("/")
    assert r.status_code == 200
    return len(ctx.captured_queries)


def test_home_costs_the_same_queries_with_1_or_100_memos(api):
    _population(api, 1)
    small = {u: _queries(u) for u in ("rewadee", "anchana", "worawit")}
    _population(api, 99)
    assert Memo.objects.count() >= 200
    large = {u: _queries(u) for u in ("rewadee", "anchana", "worawit")}
    assert small == large, (small, large)
    assert max(large.values()) <= 15, large
