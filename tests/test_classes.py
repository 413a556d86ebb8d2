"""Issue 12 items 3–5 through HTTP (API and pages): CC readers, urgency (printed, deadlines,
escalation with the clock moved, never slept) and secrecy (visibility, content-free email, marks on
every page, no announcement)."""

from __future__ import annotations

import datetime as dt

import pymupdf as fitz
import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from viewflow.workflow.models import Task

from memos import deadlines, issuing
from memos.models import (
    Announcement,
    Holding,
    IssuedDocument,
    Memo,
    MemoReader,
    Official,
    OutboxMessage,
    Position,
    Unit,
)
from workflow.reminders import chase_overdue

from .conftest import ROUTE_USERS, create_memo, login, my_task
from .text_readers import READERS, found_whole

pytestmark = pytest.mark.django_db

RED = 0xD90000
LONG = [{"heading": f"หัวข้อที่ {i}", "paragraphs": ["ข้อเท็จจริงและข้อพิจารณาของเรื่องนี้ ซึ่งยาวพอจะขึ้นหน้าใหม่ " * 6],
         "items": []} for i in range(1, 7)]


@pytest.fixture
def finance(demo):
    """A finance director (ผู้อำนวยการกองคลัง, off the route): the CC reader, or the outsider."""
    unit = Unit.objects.get(name="กองคลัง")
    position = Position.objects.create(agency=unit.agency, unit=unit, title="ผู้อำนวยการกองคลัง")
    user = get_user_model().objects.create_user("somsri", "somsri@klongphon.example", "klongphon-demo")
    o = Official.objects.create(user=user, prefix="นาง", first_name="สมศรี", last_name="ใจดี")
    Holding.objects.create(official=o, position=position, start=dt.date(2020, 1, 1))
    return position


def submit(api, pk: int) -> dict:
    r = api("rewadee").post(f"/api/memos/{pk}/submit/")
    assert r.status_code == 200, r.content
    return r.json()


def decide(api, user: str, decision: str = "endorse") -> None:
    r = api(user).post(f"/api/tasks/{my_task(api, user)}/decide/", {"decision": decision, "comment": "ทราบ"},
                       format="json")
    assert r.status_code == 200, r.content


def mails(prefix: str) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(key__startswith=f"mail:{prefix}").order_by("id"))


def listed(api, user: str) -> list[int]:
    r = api(user).get("/api/memos/")
    assert r.status_code == 200
    return [m["id"] for m in r.json()["results"]]


def test_a_cc_reader_is_emailed_sees_the_memo_leaves_a_note_and_never_blocks_it(api, finance):
    m = create_memo(api, readers=[{"position": finance.pk}])
    assert m["readers"][0]["position"]["title"] == "ผู้อำนวยการกองคลัง" and not m["readers"][0]["notified"]
    assert m["id"] not in listed(api, "somsri")  # a draft is not theirs to read yet
    assert api("somsri").get(f"/api/memos/{m['id']}/").status_code == 404
    submit(api, m["id"])
    [mail] = mails("reader:")
    assert mail.payload["to"] == ["somsri@klongphon.example"] and "สำเนาเรียน" in mail.payload["subject"]
    assert m["subject"] in mail.payload["text"]
    assert m["id"] in listed(api, "somsri")
    assert api("somsri").get("/api/tasks/").json()["results"] == []  # nothing to decide
    detail = api("somsri").get(f"/api/memos/{m['id']}/").json()
    assert detail["readers"][0]["read_at"] is not None and detail["readers"][0]["official"]["name"] == "นางสมศรี ใจดี"
    r = api("somsri").post(f"/api/memos/{m['id']}/note/", {"note": "กองคลังรับทราบ"}, format="json")
    assert r.status_code == 200 and r.json()["note"] == "กองคลังรับทราบ"
    assert api("somsri").post(f"/api/memos/{m['id']}/note/", {"note": ""}, format="json").status_code == 400
    # a reviewer is not a reader: no note box for them
    assert api("anchana").post(f"/api/memos/{m['id']}/note/", {"note": "x"}, format="json").status_code == 404
    # the page: the list, and the note box on the memo page
    page = login("somsri")
    assert page.get("/memos/").status_code == 200
    html = page.get(f"/memos/{m['id']}/").content.decode()
    assert "สำเนาเรียน" in html and "กองคลังรับทราบ" in html and 'name="note"' in html
    r = page.post(f"/memos/{m['id']}/note/", {"note": "ขอบคุณ"})
    assert r.status_code == 302 and MemoReader.objects.get(memo_id=m["id"]).note == "ขอบคุณ"
    # the route goes on without the reader; the note is not in the signed chain
    for user in ROUTE_USERS[:3]:
        decide(api, user)
    decide(api, "phichet", "approve")
    memo = Memo.objects.get(pk=m["id"])
    assert memo.state == "approved"
    assert "ขอบคุณ" not in str(list(memo.records.values_list("fields", flat=True)))
    assert len(mails("reader:")) == 1  # once


def _issue(api, **over) -> Memo:
    m = create_memo(api, **over)
    submit(api, m["id"])
    for user in ROUTE_USERS[:3]:
        decide(api, user)
    decide(api, "phichet", "approve")
    with transaction.atomic():
        assert issuing.issue(m["id"])
    return Memo.objects.get(pk=m["id"])


def test_urgency_and_secrecy_are_printed_as_the_format_requires(api, finance):
    """ด่วนที่สุด: red, ≥ 32 pt, top of page 1. ลับ: red, top and bottom of every page. สำเนาเรียน listed."""
    memo = _issue(api, urgency="most_urgent", secrecy="confidential", sections=LONG,
                  readers=[{"position": finance.pk}])
    pdf = bytes(IssuedDocument.objects.get(memo=memo, kind="memo").pdf)
    doc = fitz.open(stream=pdf, filetype="pdf")
    assert doc.page_count >= 2
    spans = [(n, s) for n, page in enumerate(doc)
             for b in page.get_text("dict")["blocks"] for line in b.get("lines", []) for s in line["spans"]]
    urgent = [(n, s) for n, s in spans if s["text"].strip() == "ด่วนที่สุด"]
    assert len(urgent) == 1
    n, s = urgent[0]
    assert n == 0 and s["color"] == RED and s["size"] >= 32 and s["bbox"][1] < 150
    for page_no in range(doc.page_count):
        height = doc[page_no].rect.height
        marks = [s for n, s in spans if n == page_no and s["text"].strip() == "ลับ"]
        assert any(s["bbox"][3] < 60 and s["color"] == RED for s in marks), page_no  # top
        assert any(s["bbox"][1] > height - 120 and s["color"] == RED for s in marks), page_no  # bottom
    assert any("สำเนาเรียน" in s["text"] for _, s in spans)
    assert any("ผู้อำนวยการกองคลัง" in s["text"] for _, s in spans)
    text = READERS["poppler"](pdf)
    assert found_whole("ด่วนที่สุด", text) and found_whole(memo.subject, text.replace("\n", " "))
    # secret: no public announcement, even with one drafted (set beneath the drafting rule)
    assert not Announcement.objects.filter(memo=memo).exists()


def test_a_secret_memo_never_gets_an_announcement(api):
    m = create_memo(api, secrecy="secret")
    r = api("rewadee").patch(f"/api/memos/{m['id']}/", {"announcement": {"subject": "ประกาศ", "paragraphs": ["ก"]}},
                             format="json")
    assert r.status_code == 403 and "ชั้นลับ" in r.json()["message"] and r.json()["field"] == "announcement"
    Memo.objects.filter(pk=m["id"]).update(announcement={"subject": "ประกาศ", "paragraphs": ["ก"]})
    submit(api, m["id"])
    for user in ROUTE_USERS[:3]:
        decide(api, user)
    decide(api, "phichet", "approve")
    with transaction.atomic():
        assert issuing.issue(m["id"])
    assert not Announcement.objects.filter(memo_id=m["id"]).exists()
    assert list(IssuedDocument.objects.filter(memo_id=m["id"]).values_list("kind", flat=True)) == ["memo"]


def test_top_secret_and_bad_readers_are_refused_in_thai(api):
    r = api("rewadee").post("/api/memos/", {"subject": "ก", "addressee": "ข", "readers": [{"position": 1, "official": 1}],
                                            "sections": [{"paragraphs": ["ค"]}]}, format="json")
    assert r.status_code == 400 and r.json()["field"] == "readers"
    r = api("rewadee").post("/api/memos/", {"subject": "ก", "addressee": "ข", "readers": [{"position": 10**6}],
                                            "sections": [{"paragraphs": ["ค"]}]}, format="json")
    assert r.status_code == 403 and "ไม่พบตำแหน่ง" in r.json()["message"]
    r = api("rewadee").post("/api/memos/", {"subject": "ก", "addressee": "ข", "secrecy": "top_secret",
                                            "sections": [{"paragraphs": ["ค"]}]}, format="json")
    assert r.status_code == 400 and "ลับที่สุด" in r.json()["message"] and r.json()["field"] == "secrecy"
    r = api("rewadee").post("/api/memos/", {"subject": "ก", "addressee": "ข", "urgency": "asap",
                                            "sections": [{"paragraphs": ["ค"]}]}, format="json")
    assert r.status_code == 400 and r.json()["field"] == "urgency"


def test_a_secret_memo_is_seen_by_its_route_and_readers_only_with_content_free_email(api, finance):
    m = create_memo(api, secrecy="confidential", subject="การสอบสวนวินัยเจ้าหน้าที่")
    m = submit(api, m["id"])
    # staff (the superuser) and an official off the route: neither list nor page nor PDF
    assert m["id"] not in listed(api, "admin") and m["id"] not in listed(api, "somsri")
    for user in ("admin", "somsri"):
        assert api(user).get(f"/api/memos/{m['id']}/").status_code == 404
        c = Client()
        c.force_login(get_user_model().objects.get(username=user))
        assert c.get(f"/memos/{m['id']}/").status_code == 404
        assert "การสอบสวนวินัย" not in c.get("/memos/").content.decode()
    # the route sees it: the first reviewer now, the drafter always
    assert m["id"] in listed(api, "anchana") and m["id"] in listed(api, "rewadee")
    # the email says only that a secret letter waits, and where
    [mail] = mails("task:")
    p = mail.payload
    assert p["subject"] == "มีหนังสือลับรอการพิจารณา"
    for leak in ("การสอบสวนวินัย", m["number"], "52401", "ผู้เสนอ", "เรวดี"):
        assert leak not in p["text"] and leak not in p["html"] and leak not in p["subject"], leak
    assert f"/tasks/{my_task(api, 'anchana')}/" in p["text"]
    # the others still see non-secret memos as before (staff: all of them)
    plain = create_memo(api)
    assert plain["id"] in listed(api, "admin")


def test_a_secret_memo_is_seen_by_a_named_reader(api, finance):
    reader = Official.objects.get(user__username="somsri")
    m = create_memo(api, secrecy="secret", readers=[{"official": reader.pk}])
    submit(api, m["id"])
    assert m["id"] in listed(api, "somsri")
    [mail] = mails("reader:")
    assert mail.payload["subject"] == "มีหนังสือลับรอการพิจารณา" and m["subject"] not in mail.payload["text"]


def test_most_urgent_step_is_due_in_working_hours_then_chased_then_escalated(api, monkeypatch):
    m = create_memo(api, urgency="most_urgent")
    submit(api, m["id"])
    task = Task.objects.get(pk=my_task(api, "anchana"))
    due = deadlines.task_due(task.data)
    assert due == deadlines.due_at("most_urgent", task.created)
    assert deadlines.is_working_day(deadlines.timezone.localtime(due).date())
    assert api("anchana").get("/api/tasks/").json()["results"][0]["memo"]["overdue"] is False
    assert chase_overdue(due - dt.timedelta(minutes=1)) == 0
    assert mails("overdue:") == []
    # past the deadline: the assignee, once however often the sweep runs
    chase_overdue(due + dt.timedelta(minutes=1))
    chase_overdue(due + dt.timedelta(minutes=2))
    [late] = mails("overdue:")
    assert late.payload["to"] == ["anchana@klongphon.example"] and "เกินกำหนด" in late.payload["subject"]
    # past the second threshold: the superior (whoever acts for the next step's post), once
    later = deadlines.escalate_at("most_urgent", due) + dt.timedelta(minutes=1)
    chase_overdue(later)
    chase_overdue(later)
    rows = mails("overdue:")
    assert [r.payload["to"] for r in rows] == [["anchana@klongphon.example"], ["thatsanee@klongphon.example"]]
    assert "ผู้บังคับบัญชา" in rows[1].payload["subject"]
    # lists show it overdue once the clock passes the deadline
    monkeypatch.setattr(deadlines, "clock", lambda: due + dt.timedelta(minutes=1))
    assert api("anchana").get("/api/tasks/").json()["results"][0]["memo"]["overdue"] is True
    summary = next(x for x in api("anchana").get("/api/memos/").json()["results"] if x["id"] == m["id"])
    assert summary["overdue"] is True and summary["urgency"] == "most_urgent"
    html = login("anchana").get("/memos/").content.decode()
    assert "ด่วนที่สุด" in html and "เกินกำหนด" in html


def test_working_hours_skip_nights_weekends_and_thai_holidays(settings):
    settings.WORKDAY_HOURS = ("08:30", "16:30")
    tz = deadlines.timezone.get_current_timezone()
    fri = dt.datetime(2026, 4, 3, 16, 0, tzinfo=tz)  # Mon 6 Apr 2026 is Chakri Memorial Day
    assert deadlines.add_working_hours(fri, 2) == dt.datetime(2026, 4, 7, 10, 0, tzinfo=tz)
    night = dt.datetime(2026, 11, 24, 22, 0, tzinfo=tz)
    assert deadlines.add_working_hours(night, 8) == dt.datetime(2026, 11, 25, 16, 30, tzinfo=tz)


def test_the_drafting_page_sets_the_classes_and_readers(demo, finance):
    page = login("rewadee")
    r = page.post("/memos/new/", {
        "subject": "ขออนุมัติจัดซื้อวัสดุ", "addressee": "นายกเทศมนตรีตำบลคลองพน", "body": "# เรื่องเดิม\nข้อความ",
        "closing": "จึงเรียนมาเพื่อโปรดพิจารณา", "urgency": "very_urgent", "secrecy": "confidential",
        "readers": [str(finance.pk)],
    })
    assert r.status_code == 302, r.content.decode()[-3000:]
    memo = Memo.objects.get(subject="ขออนุมัติจัดซื้อวัสดุ")
    assert (memo.urgency, memo.secrecy) == ("very_urgent", "confidential")
    assert [x.position_id for x in memo.readers.all()] == [finance.pk]
    html = page.get("/memos/").content.decode()
    assert "ด่วนมาก" in html and "office-badge--secrecy" in html
    r = page.post("/memos/new/", {
        "subject": "ลับ", "addressee": "นายก", "body": "ข้อความ", "closing": "จบ", "urgency": "normal",
        "secrecy": "secret", "announcement_subject": "ประกาศ", "announcement_body": "ก",
    })
    assert r.status_code == 200 and "ชั้นลับออกประกาศเผยแพร่ไม่ได้" in r.content.decode()
