"""The seed chain and its branches, driven through the REST API."""

import pytest
from django.utils import timezone

from memos.models import Decision, HistoryEntry, Memo

from .conftest import ROUTE_USERS, create_memo, memo, memo_payload, my_task

pytestmark = pytest.mark.django_db


def submit(api, pk):
    r = api("rewadee").post(f"/api/memos/{pk}/submit/")
    assert r.status_code == 200, r.content
    return r.json()


def decide(api, user, decision, comment="", expect=200):
    task = my_task(api, user)
    r = api(user).post(
        f"/api/tasks/{task}/decide/", {"decision": decision, "comment": comment}, format="json"
    )
    assert r.status_code == expect, r.content
    return r.json()


def test_seed_chain_to_approval_with_acting_clerk(api):
    m = create_memo(api)
    assert m["state"] == "draft" and m["number"] is None
    m = submit(api, m["id"])
    year = timezone.localdate().year
    assert m["state"] == "in_review" and m["number"] == "กบ 52401/1" and m["current_step"] == 1
    assert m["date"] == timezone.localdate().isoformat() and str(year) in m["date"]
    assert [s["position"] for s in m["route"]] == [
        "หัวหน้าฝ่ายแผนงานและงบประมาณ",
        "หัวหน้าสำนักปลัดเทศบาล",
        "ปลัดเทศบาล",
        "นายกเทศมนตรีตำบลคลองพน",
    ]
    # nobody but the first reviewer has a task
    for user in ROUTE_USERS[1:] + ["rewadee"]:
        assert api(user).get("/api/tasks/").json()["results"] == []
    for step, user in enumerate(ROUTE_USERS[:3], 1):
        out = decide(api, user, "endorse", f"เห็นควรเสนอ ลำดับ {step}")
        assert out["memo"]["current_step"] == step + 1
    out = decide(api, "phichet", "approve", "อนุมัติ")
    assert out["memo"]["state"] == "approved"

    detail = api("rewadee").get(f"/api/memos/{m['id']}/").json()
    assert detail["state"] == "approved" and detail["current_step"] is None
    e = detail["endorsements"]
    assert [x["name"] for x in e] == [
        "นางสาวอัญชนก ดำฤทธิ์",
        "นางสาวทรรศนีย์ เสือมาก",
        "นายวรวิทย์ หัวแหลม",
        "นายพิเชษฐ์ คีตรอบ",
    ]
    assert [x["decision"] for x in e] == ["endorse", "endorse", "endorse", "approve"]
    assert e[2]["capacity"] == "รักษาราชการแทน"
    assert e[2]["acting"] == {
        "kind": "รักษาราชการแทน",
        "for_position": "ปลัดเทศบาลตำบลคลองพน",
        "own_position": "ผู้อำนวยการกองช่าง",
    }
    assert e[2]["position"] == "ปลัดเทศบาล"
    assert all(x["capacity"] == "own" for i, x in enumerate(e) if i != 2)
    assert [h.action for h in HistoryEntry.objects.filter(memo_id=m["id"])] == [
        "created",
        "submitted",
        "endorse",
        "endorse",
        "endorse",
        "approve",
    ]
    # the memo document (the typesetting input) carries the acting capacity as two lines' data
    doc = api("phichet").get(f"/api/memos/{m['id']}/document/").json()
    assert doc["kind"] == "memo" and doc["number"] == "กบ 52401/1"
    assert doc["endorsements"][2]["acting"] == {
        "kind": "รักษาราชการแทน",
        "for_position": "ปลัดเทศบาลตำบลคลองพน",
    }
    assert doc["endorsements"][2]["position"] == "ผู้อำนวยการกองช่าง"


def test_endorse_on_last_step_is_approve_and_approve_early_is_refused(api):
    m = submit(api, create_memo(api)["id"])
    task = my_task(api, "anchana")
    r = api("anchana").post(
        f"/api/tasks/{task}/decide/", {"decision": "approve", "comment": ""}, format="json"
    )
    assert r.status_code == 400 and "message" in r.json()
    assert memo(m["id"]).current_step == 1 and not Decision.objects.exists()
    for user in ROUTE_USERS[:3]:
        decide(api, user, "endorse")
    assert decide(api, "phichet", "endorse")["memo"]["state"] == "approved"


def test_return_and_resubmit_restarts_route_and_supersedes(api):
    m = submit(api, create_memo(api)["id"])
    decide(api, "anchana", "endorse", "ผ่าน")
    # a return needs a reason
    task = my_task(api, "thatsanee")
    r = api("thatsanee").post(
        f"/api/tasks/{task}/decide/", {"decision": "return", "comment": ""}, format="json"
    )
    assert r.status_code == 400
    decide(api, "thatsanee", "return", "โปรดแนบรายงานฉบับเต็ม")
    assert memo(m["id"]).state == "returned"
    assert api("thatsanee").get("/api/tasks/").json()["results"] == []
    # the drafter edits and resubmits: same number, route from step one
    r = api("rewadee").patch(f"/api/memos/{m['id']}/", {"subject": "เรื่องที่แก้ไขแล้ว"}, format="json")
    assert r.status_code == 200 and r.json()["subject"] == "เรื่องที่แก้ไขแล้ว"
    again = submit(api, m["id"])
    assert again["number"] == m["number"] and again["round"] == 2 and again["current_step"] == 1
    endorsements = again["endorsements"]
    assert [(x["name"], x["superseded"]) for x in endorsements] == [
        ("นางสาวอัญชนก ดำฤทธิ์", True),
        ("นางสาวทรรศนีย์ เสือมาก", True),
    ]
    assert endorsements[1]["comment"] == "โปรดแนบรายงานฉบับเต็ม"
    for user in ROUTE_USERS:
        decide(api, user, "endorse")
    final = api("rewadee").get(f"/api/memos/{m['id']}/").json()
    assert final["state"] == "approved"
    assert [x["superseded"] for x in final["endorsements"]] == [True, True, False, False, False, False]


def test_reject_ends_it(api):
    m = submit(api, create_memo(api)["id"])
    decide(api, "anchana", "reject", "ไม่เห็นชอบ")
    assert memo(m["id"]).state == "rejected"
    for user in ROUTE_USERS:
        assert api(user).get("/api/tasks/").json()["results"] == []
    r = api("rewadee").patch(f"/api/memos/{m['id']}/", {"subject": "x"}, format="json")
    assert r.status_code == 409 and "message" in r.json()


def test_someone_elses_task_is_404_like_an_unknown_one_and_changes_nothing(api):
    m = submit(api, create_memo(api)["id"])
    task = my_task(api, "anchana")
    for intruder in ("phichet", "rewadee", "worawit"):
        r = api(intruder).post(
            f"/api/tasks/{task}/decide/", {"decision": "endorse", "comment": "x"}, format="json"
        )
        assert r.status_code == 404 and r.json()["message"] == "ไม่พบงานนี้"  # as for a task that never existed
    assert api("phichet").post("/api/tasks/999999/decide/", {"decision": "endorse"}, format="json").json() == r.json()
    assert memo(m["id"]).current_step == 1 and not Decision.objects.exists()


def test_decided_task_is_409(api):
    submit(api, create_memo(api)["id"])
    task = my_task(api, "anchana")
    body = {"decision": "endorse", "comment": ""}
    assert api("anchana").post(f"/api/tasks/{task}/decide/", body, format="json").status_code == 200
    r = api("anchana").post(f"/api/tasks/{task}/decide/", body, format="json")
    assert r.status_code == 409 and r.json()["message"]
    assert Decision.objects.count() == 1


def test_double_submit_is_409_and_takes_one_number(api):
    m = create_memo(api)
    submit(api, m["id"])
    r = api("rewadee").post(f"/api/memos/{m['id']}/submit/")
    assert r.status_code == 409
    assert Memo.objects.get(pk=m["id"]).number == 1


@pytest.mark.parametrize(
    "payload,field",
    [
        ({"subject": "", "addressee": "x", "sections": [{"paragraphs": ["a"]}]}, "subject"),
        ({"subject": "x" * 501, "addressee": "x", "sections": [{"paragraphs": ["a"]}]}, "subject"),
        ({"subject": "x", "addressee": "x", "sections": []}, "sections"),
        ({"subject": "x", "addressee": "x", "sections": [{"paragraphs": ["ก" * 5001]}]}, "sections"),
        ({"subject": "x", "addressee": "x", "sections": [{"paragraphs": "not a list"}]}, "sections"),
        ({"subject": "x", "addressee": "x", "sections": [{"paragraphs": ["a"]}], "number": 5}, "number"),
        ([1, 2], None),
    ],
)
def test_invalid_input_is_400_with_message_and_saves_nothing(api, payload, field):
    r = api("rewadee").post("/api/memos/", payload, format="json")
    assert r.status_code == 400, r.content
    body = r.json()
    assert body["message"]
    if field:
        assert field in body["message"]
    assert not Memo.objects.exists()


def test_body_over_the_upload_limit_is_400_json_and_saves_nothing(api, settings):
    body = memo_payload(sections=[{"heading": None, "paragraphs": ["ก" * 4000] * 60, "items": []}] * 10)
    r = api("rewadee").post("/api/memos/", body, format="json")
    assert r.status_code == 400
    assert "KB" in r.json()["message"]
    assert not Memo.objects.exists()


def test_malformed_json_is_400(api):
    r = api("rewadee").post("/api/memos/", "{not json", content_type="application/json")
    assert r.status_code == 400 and r.json()["message"]


def test_markup_is_stored_and_returned_literally(api):
    text = '<b>ตัวหนา</b> &amp; <font color="red">แดง</font> <script>alert(1)</script>'
    m = create_memo(api, subject=text, sections=[{"heading": None, "paragraphs": [text], "items": []}])
    got = api("rewadee").get(f"/api/memos/{m['id']}/").json()
    assert got["subject"] == text and got["sections"][0]["paragraphs"][0] == text


def test_unknown_ids_are_404(api):
    assert api("rewadee").get("/api/memos/999999/").status_code == 404
    r = api("anchana").post(
        "/api/tasks/999999/decide/", {"decision": "endorse", "comment": ""}, format="json"
    )
    assert r.status_code == 404 and r.json()["message"]
    assert api("rewadee").post("/api/memos/999999/submit/").status_code == 404


def test_drafts_are_invisible_to_others(api):
    m = create_memo(api)
    for user in ("anchana", "phichet"):
        assert api(user).get(f"/api/memos/{m['id']}/").status_code == 404
        assert api(user).get("/api/memos/").json()["results"] == []
    # once submitted, the reviewer whose turn it is can see it
    submit(api, m["id"])
    assert api("anchana").get(f"/api/memos/{m['id']}/").status_code == 200
    assert api("phichet").get(f"/api/memos/{m['id']}/").status_code == 404


def test_attachments_type_and_size_are_checked(api, settings):
    import io

    import pikepdf
    from django.core.files.uploadedfile import SimpleUploadedFile

    m = create_memo(api)
    url = f"/api/memos/{m['id']}/attachments/"
    blank = pikepdf.new()
    blank.add_blank_page()
    buf = io.BytesIO()
    blank.save(buf)  # a real PDF: a damaged one is refused (tests/test_attachments.py)
    pdf = SimpleUploadedFile("report.pdf", buf.getvalue(), content_type="application/pdf")
    r = api("rewadee").post(url, {"file": pdf}, format="multipart")
    assert r.status_code == 201 and r.json()["content_type"] == "application/pdf"
    fake = SimpleUploadedFile("evil.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    r = api("rewadee").post(url, {"file": fake}, format="multipart")
    assert r.status_code == 400 and "PDF" in r.json()["message"]
    settings.ATTACHMENT_MAX_BYTES = 100
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * 200, content_type="application/pdf")
    r = api("rewadee").post(url, {"file": big}, format="multipart")
    assert r.status_code == 400 and r.json()["field"] == "file"
    assert api("rewadee").get(f"/api/memos/{m['id']}/").json()["attachments"][0]["name"] == "report.pdf"
    assert len(api("rewadee").get(f"/api/memos/{m['id']}/").json()["attachments"]) == 1


def test_me_and_schema(api):
    me = api("worawit").get("/api/me/").json()
    assert me["name"] == "นายวรวิทย์ หัวแหลม" and me["position"] == "ผู้อำนวยการกองช่าง"
    r = api("worawit").get("/api/schema/")
    assert r.status_code == 200 and b"/api/tasks/{task_id}/decide/" in r.content


def test_unauthenticated_is_refused(demo):
    from rest_framework.test import APIClient

    r = APIClient().get("/api/tasks/")
    assert r.status_code in (401, 403) and r.json()["message"]
    r = APIClient().post("/api/auth/token/", {"username": "rewadee", "password": "wrong"}, format="json")
    assert r.status_code == 400 and r.json()["message"]
