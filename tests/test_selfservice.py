"""ข้อมูลของฉัน (issue 13 item 6): an official's signature and "I will be away", through HTTP."""

import base64
import datetime as dt
import io

import pytest
from django.utils import timezone
from PIL import Image
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from memos.models import ActingAssignment, OutboxMessage, Position
from workflow.reassignment import reassign_open_tasks

from .conftest import create_memo, login, official

pytestmark = pytest.mark.django_db


def _png(size=(300, 100), mode="RGBA", fmt="PNG") -> bytes:
    img = Image.new(mode, size, (0, 0, 0, 0) if mode == "RGBA" else "white")
    for x in range(20, size[0] - 20):  # a stroke
        img.putpixel((x, size[1] // 2), (10, 30, 100, 255) if mode == "RGBA" else (10, 30, 100))
    out = io.BytesIO()
    img.save(out, fmt)
    return out.getvalue()


def _upload(browser, data: bytes, name="sig.png"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return browser.post("/me/", {"action": "signature", "file": SimpleUploadedFile(name, data)})


def test_upload_keeps_transparency_and_shows_it_back(demo):
    browser = login("rewadee")
    r = _upload(browser, _png())
    assert r.status_code == 302 and r["Location"] == "/me/"
    stored = official("rewadee").signature
    with Image.open(stored.open("rb")) as img:
        assert img.format == "PNG" and img.mode == "RGBA" and img.getpixel((0, 0))[3] == 0  # still transparent
    page = browser.get("/me/").content.decode()
    assert "ลายมือชื่อปัจจุบัน" in page and "/me/signature/" in page
    r = browser.get("/me/signature/")
    assert r.status_code == 200 and b"".join(r.streaming_content).startswith(b"\x89PNG")
    assert login("anchana").get("/me/signature/").status_code == 404  # her own only: she has none


@pytest.mark.parametrize("data,name,message", [
    (b"GIF89a" + b"\0" * 100, "sig.png", "รับเฉพาะภาพ PNG หรือ JPEG"),
    (b"%PDF-1.7\n", "sig.png", "รับเฉพาะภาพ PNG หรือ JPEG"),
    (_png()[:200], "sig.png", "เปิดไฟล์ภาพนี้ไม่ได้"),  # truncated
    (_png((3000, 200)), "sig.png", "ใหญ่เกินไป"),
    (_png((20, 10)), "sig.png", "เล็กเกินไป"),
    (b"\x89PNG\r\n\x1a\n" + b"x" * (1024 * 1024 + 10), "big.png", "ไม่เกิน 1 MB"),
])
def test_bad_signatures_are_refused_in_thai(demo, data, name, message):
    browser = login("rewadee")
    r = _upload(browser, data, name)
    assert r.status_code == 400 and message in r.content.decode()
    assert not official("rewadee").signature


def test_jpeg_and_a_drawn_signature(demo):
    browser = login("rewadee")
    assert _upload(browser, _png(mode="RGB", fmt="JPEG"), "sig.jpg").status_code == 302
    drawn = "data:image/png;base64," + base64.b64encode(_png((960, 360))).decode()
    r = browser.post("/me/", {"action": "signature", "drawn": drawn})
    assert r.status_code == 302
    with Image.open(official("rewadee").signature.open("rb")) as img:
        assert img.size == (960, 360) and img.mode == "RGBA"
    r = browser.post("/me/", {"action": "signature", "drawn": "data:image/png;base64,@@@"})
    assert r.status_code == 400 and "ไม่ถูกต้อง" in r.content.decode()
    assert browser.post("/me/", {"action": "signature"}).status_code == 400  # nothing chosen


def test_signature_api(api):
    client = api("anchana")
    assert client.get("/api/me/signature").json() == {"has_signature": False, "width": None, "height": None, "url": None}
    from django.core.files.uploadedfile import SimpleUploadedFile

    r = client.put("/api/me/signature", {"file": SimpleUploadedFile("s.png", _png())}, format="multipart")
    assert r.status_code == 200, r.content
    assert r.json()["has_signature"] and r.json()["width"] == 300
    drawn = "data:image/png;base64," + base64.b64encode(_png((400, 150))).decode()
    assert client.put("/api/me/signature", {"image": drawn}, format="json").json()["height"] == 150
    r = client.put("/api/me/signature", {"image": "data:text/plain;base64,aGk="}, format="json")
    assert r.status_code == 400 and r.json()["field"] == "file"
    r = client.put("/api/me/signature", {"file": SimpleUploadedFile("s.png", b"hello")}, format="multipart")
    assert r.status_code == 400 and "PNG" in r.json()["message"]
    assert client.put("/api/me/signature", [], format="json").status_code == 400


def _submitted_task(api) -> Task:
    m = create_memo(api)
    assert api("rewadee").post(f"/api/memos/{m['id']}/submit/").status_code == 200
    return Task.objects.get(process__memoprocess__memo_id=m["id"], status=STATUS.ASSIGNED)


def test_away_from_today_moves_the_open_task_and_tells_the_superior(api, django_capture_on_commit_callbacks):
    task = _submitted_task(api)
    assert task.owner.username == "anchana"
    today = timezone.localdate()
    browser = login("anchana")
    with django_capture_on_commit_callbacks(execute=True):
        r = browser.post("/me/", {"action": "absence", "start": today.isoformat(),
                                  "end": (today + dt.timedelta(days=2)).isoformat(), "note": "ลาพักผ่อน"})
    assert r.status_code == 302, r.content.decode()[:2000]
    row = ActingAssignment.objects.get(position__title="หัวหน้าฝ่ายแผนงานและงบประมาณ")
    assert row.official == official("thatsanee") and row.kind == "รักษาราชการแทน"  # the acting order's rule
    assert row.start == today and row.end == today + dt.timedelta(days=2)
    task.refresh_from_db()
    assert task.owner.username == "thatsanee"
    # the superior (the next post on the route: หัวหน้าสำนักปลัด, thatsanee) is emailed
    mail = OutboxMessage.objects.get(key__startswith="mail:absence:")
    assert mail.payload["to"] == ["thatsanee@klongphon.example"]
    assert "นางสาวอัญชนก ดำฤทธิ์" in mail.payload["text"] and "รักษาราชการแทน" in mail.payload["text"]
    # the page lists it; the admin sees it and can change it
    assert "นางสาวทรรศนีย์ เสือมาก" in browser.get("/me/").content.decode()
    admin = login("admin")
    assert "แจ้งไม่อยู่ผ่านระบบ" in admin.get("/admin/memos/actingassignment/").content.decode()
    assert admin.get(f"/admin/memos/actingassignment/{row.pk}/change/").status_code == 200


def test_away_later_moves_the_task_on_the_first_day_and_back_after(api, django_capture_on_commit_callbacks):
    task = _submitted_task(api)
    start = timezone.localdate() + dt.timedelta(days=3)
    end = start + dt.timedelta(days=4)
    with django_capture_on_commit_callbacks(execute=True):
        r = api("anchana").post("/api/me/absences/", {"start": start.isoformat(), "end": end.isoformat()}, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["acting_official"] == "นางสาวทรรศนีย์ เสือมาก" and r.json()["superior"] == "นางสาวทรรศนีย์ เสือมาก"
    task.refresh_from_db()
    assert task.owner.username == "anchana"  # not yet
    assert reassign_open_tasks(day=start - dt.timedelta(days=1)) == 0
    assert reassign_open_tasks(day=start) == 1  # the 00:05 sweep of the first day
    task.refresh_from_db()
    assert task.owner.username == "thatsanee"
    assert reassign_open_tasks(day=end) == 0  # still away on the last day
    assert reassign_open_tasks(day=end + dt.timedelta(days=1)) == 1  # back the day after
    task.refresh_from_db()
    assert task.owner.username == "anchana"
    assert [a["start"] for a in api("anchana").get("/api/me/absences/").json()["results"]] == [start.isoformat()]


def test_bad_absences_are_400_in_thai(api):
    today = timezone.localdate()
    client = api("anchana")
    cases = [
        ({"start": (today - dt.timedelta(days=1)).isoformat(), "end": today.isoformat()}, "start", "ไม่ก่อนวันนี้"),
        ({"start": today.isoformat(), "end": (today - dt.timedelta(days=1)).isoformat()}, "end", "ไม่ก่อนวันที่เริ่ม"),
        ({"start": today.isoformat(), "end": (today + dt.timedelta(days=400)).isoformat()}, "end", "ไม่เกิน"),
        ({"start": "tomorrow", "end": today.isoformat()}, "start", ""),
        ({"end": today.isoformat()}, "start", ""),
    ]
    for body, field, words in cases:
        r = client.post("/api/me/absences/", body, format="json")
        assert r.status_code == 400, (body, r.content)
        assert r.json()["field"] == field and words in r.json()["message"], r.json()
    # the mayor's post has no deputy in the acting order: say so, create nothing
    r = api("phichet").post("/api/me/absences/", {"start": today.isoformat(), "end": today.isoformat()}, format="json")
    assert r.status_code == 400 and "ยังไม่ได้กำหนดผู้ปฏิบัติหน้าที่แทน" in r.json()["message"]
    # twice for the same days
    ok = {"start": today.isoformat(), "end": (today + dt.timedelta(days=1)).isoformat()}
    assert client.post("/api/me/absences/", ok, format="json").status_code == 201
    r = client.post("/api/me/absences/", ok, format="json")
    assert r.status_code == 400 and "แล้ว" in r.json()["message"]
    assert ActingAssignment.objects.filter(position__title="หัวหน้าฝ่ายแผนงานและงบประมาณ").count() == 1
    # the page: the same checks, shown on the form
    r = login("anchana").post("/me/", {"action": "absence", "start": today.isoformat(), "end": "2000-01-01"})
    assert r.status_code == 400 and "วันที่สิ้นสุดต้องไม่ก่อนวันที่เริ่ม" in r.content.decode()


def test_deputy_is_data_in_the_admin(demo):
    post = Position.objects.get(title="หัวหน้าฝ่ายแผนงานและงบประมาณ")
    assert post.deputy.title == "หัวหน้าสำนักปลัดเทศบาล"
    admin = login("admin")
    assert "ผู้ปฏิบัติหน้าที่แทนเมื่อไม่อยู่" in admin.get(f"/admin/memos/position/{post.pk}/change/").content.decode()
