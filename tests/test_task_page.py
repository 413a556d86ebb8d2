"""The task page, decision first: the form before the memo, comment phrases to pick and keep,
a reason required for return and reject (listed at the top of the form), what changed after a
return (a Thai word diff), and the announcement's label by the memo's state."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from memos import revisions
from memos.models import CommentPhrase, Memo, MemoRevision

from .conftest import create_memo, login, my_task, official

pytestmark = pytest.mark.django_db


def _submitted(api, **over) -> dict:
    m = create_memo(api, **over)
    assert api("rewadee").post(f"/api/memos/{m['id']}/submit/").status_code == 200
    return m


def test_the_decision_form_comes_before_the_memo(api):
    _submitted(api)
    task_id = my_task(api, "anchana")
    page = login("anchana").get(f"/tasks/{task_id}/").content.decode()
    form, memo = page.index("data-task-form"), page.index('class="mdc-card vf-card paper memo"')
    assert form < memo
    assert page.index('name="decision"') < memo and page.index('name="comment"') < memo
    for phrase in ("ทราบ", "เห็นควรอนุมัติ", "อนุมัติ", "ดำเนินการตามเสนอ"):
        assert f'data-phrase="{phrase}"' in page
    # the page's own check, with the Thai messages the script sets as the fields' validity
    assert 'data-reason-return="โปรดระบุเหตุผลที่ส่งคืนแก้ไข"' in page
    assert 'data-reason-reject="โปรดระบุเหตุผลที่ไม่อนุมัติ"' in page
    assert 'src="/static/js/task.js"' in page


@pytest.mark.parametrize("decision, message", [("return", "โปรดระบุเหตุผลที่ส่งคืนแก้ไข"),
                                               ("reject", "โปรดระบุเหตุผลที่ไม่อนุมัติ")])
def test_return_and_reject_need_a_reason_shown_at_the_top_of_the_form(api, decision, message):
    m = _submitted(api)
    task_id = my_task(api, "anchana")
    r = login("anchana").post(f"/tasks/{task_id}/", {"decision": decision, "comment": "   "})
    assert r.status_code == 400
    page = r.content.decode()
    alert = page.index('class="office-form-alert office-decide__errors"')
    assert alert < page.index(message, alert) < page.index('name="decision"')
    assert 'aria-invalid="true"' in page
    assert Memo.objects.get(pk=m["id"]).state == "in_review"


def test_all_errors_at_once(api):
    _submitted(api)
    task_id = my_task(api, "anchana")
    r = login("anchana").post(f"/tasks/{task_id}/", {"decision": "maybe", "comment": "ก" * 2001})
    page = r.content.decode()
    assert r.status_code == 400
    alert = page[page.index("office-decide__errors"):page.index("</ul>", page.index("office-decide__errors"))]
    assert alert.count("<li>") == 2, alert


def test_a_phrase_is_kept_from_the_task_page_and_offered_next_time(api):
    _submitted(api)
    task_id = my_task(api, "anchana")
    anchana = login("anchana")
    r = anchana.post("/phrases/", {"comment": "เห็นควรมอบกองคลังตรวจสอบ", "next": f"/tasks/{task_id}/"})
    assert r.status_code == 302 and r["Location"] == f"/tasks/{task_id}/"
    assert list(CommentPhrase.objects.values_list("text", flat=True)) == ["เห็นควรมอบกองคลังตรวจสอบ"]
    page = anchana.get(f"/tasks/{task_id}/").content.decode()
    assert 'data-phrase="เห็นควรมอบกองคลังตรวจสอบ"' in page
    # again: kept once; an outside "next" goes home instead
    r = anchana.post("/phrases/", {"comment": "เห็นควรมอบกองคลังตรวจสอบ", "next": "https://evil.example/"})
    assert r["Location"] == "/" and CommentPhrase.objects.count() == 1
    # the API: list and save; empty text is a 400 in Thai
    client = api("anchana")
    texts = [p["text"] for p in client.get("/api/phrases/").json()["results"]]
    assert texts[:4] == ["ทราบ", "เห็นควรอนุมัติ", "อนุมัติ", "ดำเนินการตามเสนอ"] and texts[4] == "เห็นควรมอบกองคลังตรวจสอบ"
    r = client.post("/api/phrases/", {"text": "ให้ดำเนินการ\nตามระเบียบ"}, format="json")
    assert r.status_code == 200 and r.json() == {"text": "ให้ดำเนินการ ตามระเบียบ", "own": True}
    r = client.post("/api/phrases/", {"text": "  "}, format="json")
    assert r.status_code == 400 and r.json()["message"] == "โปรดพิมพ์ข้อความที่จะบันทึกไว้ใช้"
    assert client.post("/api/phrases/", {"text": 5}, format="json").status_code == 400
    assert CommentPhrase.objects.filter(official=official("anchana")).count() == 2


def test_after_a_return_the_resubmitted_memo_shows_what_changed(api):
    m = _submitted(api, subject="ขออนุมัติจัดซื้อวัสดุสำนักงาน")
    task_id = my_task(api, "anchana")
    r = login("anchana").post(f"/tasks/{task_id}/", {"decision": "return", "comment": "โปรดระบุจำนวนเงิน"})
    assert r.status_code == 302
    sections = [{"heading": "เรื่องเดิม", "paragraphs": ["สำนักงานขอจัดซื้อวัสดุ จำนวนเงิน ๕,๐๐๐ บาท"], "items": []}]
    r = api("rewadee").patch(f"/api/memos/{m['id']}/",
                             {"subject": "ขออนุมัติจัดซื้อวัสดุคอมพิวเตอร์", "sections": sections}, format="json")
    assert r.status_code == 200, r.content
    assert api("rewadee").post(f"/api/memos/{m['id']}/submit/").status_code == 200
    assert list(MemoRevision.objects.filter(memo_id=m["id"]).values_list("round", flat=True)) == [1, 2]

    page = login("anchana").get(f"/tasks/{my_task(api, 'anchana')}/").content.decode()
    changes = page[page.index('id="changes"'):page.index('class="mdc-card vf-card paper memo"')]
    assert "สิ่งที่แก้ไขจากรอบที่ ๑" in changes
    # Thai words, not characters: "สำนักงาน" is replaced by "คอมพิวเตอร์"; the rest of the subject stays
    assert "<del>สำนักงาน</del><ins>คอมพิวเตอร์</ins>" in changes, changes
    assert "ขออนุมัติจัดซื้อวัสดุ" in changes and "<ins>" in changes[changes.index("เนื้อหา"):]


def test_the_word_diff_tokenises_thai():
    pieces = revisions.diff_text("ขอให้ส่งเอกสารภายในวันศุกร์", "ขอให้ส่งเอกสารภายในวันจันทร์")
    assert [(p.kind, p.text) for p in pieces if p.kind != "same"] == [("removed", "ศุกร์"), ("added", "จันทร์")]


def test_a_rejected_memo_does_not_announce_on_approval(api):
    m = _submitted(api, announcement={"subject": "ประกาศผลการจัดซื้อ", "paragraphs": ["ตามที่"]})
    assert login("anchana").post(f"/tasks/{my_task(api, 'anchana')}/",
                                 {"decision": "reject", "comment": "ไม่มีงบประมาณ"}).status_code == 302
    page = login("rewadee").get(f"/memos/{m['id']}/").content.decode()
    assert "ประกาศที่จะออกเมื่ออนุมัติ" not in page and "ไม่ได้ออก เพราะบันทึกไม่ได้รับอนุมัติ" in page


def _page_queries(client, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_task_and_memo_pages_cost_the_same_queries_with_1_or_100_memos(api):
    first = _submitted(api)
    anchana, drafter = login("anchana"), login("rewadee")
    task_id = api("anchana").get("/api/tasks/").json()["results"][0]["id"]
    small = (_page_queries(anchana, f"/tasks/{task_id}/"), _page_queries(drafter, f"/memos/{first['id']}/"))
    for i in range(99):
        _submitted(api, subject=f"บันทึก {i}")
    large = (_page_queries(anchana, f"/tasks/{task_id}/"), _page_queries(drafter, f"/memos/{first['id']}/"))
    assert small == large, (small, large)
    assert max(large) <= 15, large
