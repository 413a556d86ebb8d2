"""The browser pages (viewflow's frontend) through Django's test client: the whole chain, what each
user may see, errors. tests/e2e/test_browser.py drives the same pages in a real browser."""

import re

import pytest
from django.test import Client

from memos.models import Memo

from .conftest import ROUTE_USERS, login

pytestmark = pytest.mark.django_db



def test_whole_chain_in_the_browser(demo):
    drafter = login("rewadee")
    page = drafter.get("/memos/new/")
    assert page.status_code == 200 and "ร่างบันทึกข้อความ" in page.content.decode()
    body = "# เรื่องเดิม\nย่อหน้าแรก <b>ไม่ใช่ตัวหนา</b>\n# ข้อกฎหมาย\n- ข้อย่อยหนึ่ง\n- ข้อย่อยสอง"
    r = drafter.post(
        "/memos/new/",
        {
            "subject": "ทดสอบผ่านเบราว์เซอร์",
            "addressee": "นายกเทศมนตรีตำบลคลองพน",
            "body": body,
            "closing": "จึงเรียนมาเพื่อโปรดพิจารณา",
        },
    )
    assert r.status_code == 302
    memo = Memo.objects.get()
    assert memo.sections[1]["items"] == ["ข้อย่อยหนึ่ง", "ข้อย่อยสอง"]
    html = drafter.get(f"/memos/{memo.pk}/").content.decode()
    assert "&lt;b&gt;ไม่ใช่ตัวหนา&lt;/b&gt;" in html and "<b>ไม่ใช่ตัวหนา</b>" not in html
    assert drafter.post(f"/memos/{memo.pk}/submit/").status_code == 302

    for user in ROUTE_USERS:
        c = login(user)
        inbox = c.get("/").content.decode()
        m = re.search(r'href="/tasks/(\d+)/"', inbox)
        assert m, inbox
        task_page = c.get(f"/tasks/{m.group(1)}/").content.decode()
        assert "ทดสอบผ่านเบราว์เซอร์" in task_page and "ความเห็น" in task_page
        r = c.post(f"/tasks/{m.group(1)}/", {"decision": "endorse", "comment": f"ความเห็นของ {user}"})
        assert r.status_code == 302
        # someone else opening the same (now done) task finds nothing, as for an unknown task
        assert login("rewadee").get(f"/tasks/{m.group(1)}/").status_code == 404

    memo.refresh_from_db()
    assert memo.state == "approved"
    html = drafter.get(f"/memos/{memo.pk}/").content.decode()
    assert "ผู้อำนวยการกองช่าง รักษาราชการแทน" in html and "ปลัดเทศบาลตำบลคลองพน" in html
    assert all(f"ความเห็นของ {user}" in html for user in ROUTE_USERS)


def test_pages_need_login_and_hide_others_drafts(demo):
    assert Client().get("/").status_code == 302
    drafter = login("rewadee")
    drafter.post("/memos/new/", {"subject": "ลับ", "addressee": "x", "body": "ข้อความ", "closing": "x"})
    memo = Memo.objects.get()
    assert login("phichet").get(f"/memos/{memo.pk}/").status_code == 404
    assert login("phichet").get("/tasks/99999/").status_code == 404


def test_invalid_form_is_shown_not_saved(demo):
    drafter = login("rewadee")
    r = drafter.post("/memos/new/", {"subject": "", "addressee": "x", "body": "", "closing": "x"})
    html = r.content.decode()
    # viewflow renders each field as a web component carrying its error
    assert r.status_code == 200 and re.search(r'<vf-field-input[^>]*name="subject"[^>]*error="[^"]+"', html)
    assert not Memo.objects.exists()
    # the same post from Turbo (viewflow's navigation) gets 422, which Turbo renders in place
    r = drafter.post("/memos/new/", {"subject": ""}, HTTP_X_REQUEST_FRAMEWORK="Turbo")
    assert r.status_code == 422 and not Memo.objects.exists()


def test_fonts_are_served(demo, client):
    from django.contrib.staticfiles import finders

    assert finders.find("fonts/Sarabun-Regular.ttf") and finders.find("fonts/Sarabun-Bold.ttf")
    css = finders.find("css/site.css")
    assert "Sarabun-Regular.ttf" in open(css, encoding="utf-8").read()
    # every viewflow page (ours, the login page, viewflow's own) links the stylesheet
    assert "/static/css/site.css" in client.get("/accounts/login/").content.decode()
    assert client.get("/static/fonts/Sarabun-Regular.ttf").status_code == 200


def _submitted_memo(drafter: Client, subject: str = "ทดสอบหน้าจอ") -> Memo:
    drafter.post("/memos/new/", {"subject": subject, "addressee": "นายก", "body": "ข้อความ", "closing": "จึงเรียนมา"})
    memo = Memo.objects.get(subject=subject)
    assert drafter.post(f"/memos/{memo.pk}/submit/").status_code == 302
    return memo


def _open_task_id(user: str) -> str:
    m = re.search(r'href="/tasks/(\d+)/"', login(user).get("/").content.decode())
    assert m
    return m.group(1)


def test_task_page_names_the_capacity_and_done_tasks_lead_to_the_memo(demo):
    drafter = login("rewadee")
    memo = _submitted_memo(drafter)
    for user in ROUTE_USERS[:2]:
        task_id = _open_task_id(user)
        assert login(user).post(f"/tasks/{task_id}/", {"decision": "endorse", "comment": "ok"}).status_code == 302
    worawit = login("worawit")
    task_id = _open_task_id("worawit")
    page = worawit.get(f"/tasks/{task_id}/").content.decode()
    assert "ในฐานะ รักษาราชการแทน ปลัดเทศบาลตำบลคลองพน" in page
    # Thai digits and a Buddhist-era date, as the printed memo has them
    assert "กบ ๕๒๔๐๑/๑" in page and "๒๕๖" in page
    assert worawit.post(f"/tasks/{task_id}/", {"decision": "endorse", "comment": "ok"}).status_code == 302
    # a second post of the same form (a double click) is a conflict, and nothing changes
    r = worawit.post(f"/tasks/{task_id}/", {"decision": "reject", "comment": "x"})
    assert r.status_code == 409 and "มีผู้ตัดสินใจไปแล้ว" in r.content.decode()
    memo.refresh_from_db()
    assert memo.state == "in_review" and memo.decisions.count() == 3
    # opening the done task again (an old email link) shows the memo instead
    r = worawit.get(f"/tasks/{task_id}/")
    assert r.status_code == 302 and r["Location"] == f"/memos/{memo.pk}/"
    assert "ส่งเสนอ" in worawit.get(r["Location"]).content.decode()  # the history, in words


def test_invalid_decision_is_shown_with_the_form(demo):
    _submitted_memo(login("rewadee"))
    task_id = _open_task_id("anchana")
    r = login("anchana").post(f"/tasks/{task_id}/", {"decision": "maybe", "comment": "x"})
    assert r.status_code == 400 and re.search(r'name="decision"[^>]*error="[^"]+"', r.content.decode())
    r = login("anchana").post(f"/tasks/{task_id}/", {"decision": "endorse", "comment": "ก" * 2001})
    assert r.status_code == 400 and re.search(r'name="comment"[^>]*error="[^"]+"', r.content.decode())


def test_memo_list_shows_only_what_the_user_may_see_and_searches(demo):
    drafter = login("rewadee")
    _submitted_memo(drafter, "เรื่องที่หนึ่ง")
    drafter.post("/memos/new/", {"subject": "ร่างลับ <script>", "addressee": "x", "body": "x", "closing": "x"})
    mine = drafter.get("/memos/").content.decode()
    assert "เรื่องที่หนึ่ง" in mine and "ร่างลับ &lt;script&gt;" in mine and "<script>" not in mine.split("</head>")[1]
    assert "ร่างลับ" not in drafter.get("/memos/?_search=หนึ่ง").content.decode()
    # the first reviewer sees the memo sent to them, not the other draft; the mayor sees neither yet
    assert "เรื่องที่หนึ่ง" in login("anchana").get("/memos/").content.decode()
    assert "ร่างลับ" not in login("anchana").get("/memos/").content.decode()
    assert "เรื่องที่หนึ่ง" not in login("phichet").get("/memos/").content.decode()


def test_viewflow_process_pages_are_for_admins_only(demo):
    _submitted_memo(login("rewadee"), "เรื่องในกระบวนงาน")
    official = login("anchana")
    assert official.get("/memo/").status_code == 403
    assert official.get("/memo/flows/").status_code == 403
    assert "/memo/" not in official.get("/").content.decode()  # not in the menu either
    admin = login("admin")
    assert admin.get("/memo/flows/").status_code == 200
    assert 'href="/memo/"' in admin.get("/").content.decode()
    # the flow chart's Thai labels have a font inside the SVG
    chart = admin.get("/memo/chart/").content.decode()
    assert "พิจารณาบันทึกข้อความ" in chart and "data:font/ttf;base64," in chart


def test_thai_is_the_default_whatever_the_browser_asks(demo):
    c = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "เข้าสู่ระบบ" in c.get("/accounts/login/").content.decode()
    c.cookies["django_language"] = "en"
    assert "Log in" in c.get("/accounts/login/").content.decode()


def _pdf_bytes() -> bytes:
    from io import BytesIO

    from reportlab.pdfgen import canvas

    buf = BytesIO()
    c = canvas.Canvas(buf)
    c.drawString(72, 720, "attached report")
    c.save()
    return buf.getvalue()


def test_drafting_form_takes_an_announcement_and_a_checked_attachment(demo, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    drafter = login("rewadee")
    fields = {
        "subject": "ขออนุมัติพร้อมประกาศ", "addressee": "นายก", "body": "ข้อความ", "closing": "จึงเรียนมา",
        "phone": "0-7565-0022",
        "announcement_subject": "รายงานผลการดำเนินงาน", "announcement_body": "ย่อหน้าหนึ่ง\n\nย่อหน้าสอง",
    }
    # a file that says it is a PDF but is HTML: refused, and nothing is saved
    fake = SimpleUploadedFile("report.pdf", b"<html><script>alert(1)</script>", content_type="application/pdf")
    r = drafter.post("/memos/new/", fields | {"attachment": fake})
    assert r.status_code == 200 and "รับเฉพาะไฟล์ PDF, PNG หรือ JPEG" in r.content.decode()
    assert not Memo.objects.exists()
    # half an announcement is refused too
    r = drafter.post("/memos/new/", fields | {"announcement_body": ""})
    assert r.status_code == 200 and "ประกาศต้องมีทั้งเรื่องและเนื้อความ" in r.content.decode()
    assert not Memo.objects.exists()

    real = SimpleUploadedFile("รายงาน.pdf", _pdf_bytes(), content_type="application/pdf")
    r = drafter.post("/memos/new/", fields | {"attachment": real})
    assert r.status_code == 302
    memo = Memo.objects.get()
    assert memo.announcement == {"subject": "รายงานผลการดำเนินงาน", "paragraphs": ["ย่อหน้าหนึ่ง", "ย่อหน้าสอง"]}
    assert memo.phone == "0-7565-0022"
    attachment = memo.attachments.get()
    assert attachment.content_type == "application/pdf"
    page = drafter.get(f"/memos/{memo.pk}/").content.decode()
    assert "รายงาน.pdf" in page and "ประกาศที่จะออกเมื่ออนุมัติ" in page and "ย่อหน้าสอง" in page

    # the edit form comes back filled; clearing the announcement removes it
    edit = drafter.get(f"/memos/{memo.pk}/edit/").content.decode()
    assert 'value="รายงานผลการดำเนินงาน"' in edit
    r = drafter.post(f"/memos/{memo.pk}/edit/", fields | {"announcement_subject": "", "announcement_body": ""})
    assert r.status_code == 302
    memo.refresh_from_db()
    assert memo.announcement is None and memo.attachments.count() == 1

    # the file is served to those who may see the memo, as the type its bytes showed
    url = f"/memos/{memo.pk}/attachments/{attachment.pk}/"
    r = drafter.get(url)
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert b"".join(r.streaming_content).startswith(b"%PDF-")
    assert login("phichet").get(url).status_code == 404  # not (yet) one of its readers
    assert drafter.get(f"/memos/{memo.pk}/attachments/99999/").status_code == 404
    assert drafter.post(f"/memos/{memo.pk}/submit/").status_code == 302
    assert login("anchana").get(url).status_code == 200  # the first reviewer now reads it


def test_return_resubmit_and_reject_through_the_pages(demo):
    drafter = login("rewadee")
    memo = _submitted_memo(drafter, "เรื่องที่ต้องแก้")
    anchana = login("anchana")
    task_id = _open_task_id("anchana")
    r = anchana.post(f"/tasks/{task_id}/", {"decision": "return", "comment": "โปรดแก้ไขข้อ ๒"})
    assert r.status_code == 302
    memo.refresh_from_db()
    assert memo.state == "returned"
    page = drafter.get(f"/memos/{memo.pk}/").content.decode()
    assert "โปรดแก้ไขข้อ ๒" in page and f'href="/memos/{memo.pk}/edit/"' in page  # the reason, and the way back in

    fields = {"subject": "เรื่องที่แก้แล้ว", "addressee": "นายก", "body": "ข้อความใหม่", "closing": "จึงเรียนมา"}
    assert drafter.post(f"/memos/{memo.pk}/edit/", fields).status_code == 302
    assert drafter.post(f"/memos/{memo.pk}/submit/").status_code == 302
    memo.refresh_from_db()
    assert memo.state == "in_review" and memo.round == 2 and memo.current_step == 1
    page = drafter.get(f"/memos/{memo.pk}/").content.decode()
    assert "รอบก่อน (ถูกส่งคืน)" in page  # the first round's comment is kept, marked superseded

    # the route starts again from its first step; then the second step rejects
    task_id = _open_task_id("anchana")
    assert anchana.post(f"/tasks/{task_id}/", {"decision": "endorse", "comment": "ครบถ้วน"}).status_code == 302
    task_id = _open_task_id("thatsanee")
    r = login("thatsanee").post(f"/tasks/{task_id}/", {"decision": "reject", "comment": "ไม่มีงบประมาณ"})
    assert r.status_code == 302
    memo.refresh_from_db()
    assert memo.state == "rejected"
    page = drafter.get(f"/memos/{memo.pk}/").content.decode()
    assert "ไม่อนุมัติ" in page and f'href="/memos/{memo.pk}/edit/"' not in page
    assert drafter.post(f"/memos/{memo.pk}/submit/").status_code == 409  # a rejected memo stays rejected


def test_unknown_and_forbidden_pages_answer_in_thai(demo):
    official = login("anchana")
    r = official.get("/tasks/not-a-number/")
    assert r.status_code == 404 and "ไม่พบหน้าที่ต้องการ" in r.content.decode()
    r = official.get("/memo/flows/")
    assert r.status_code == 403 and "ท่านไม่มีสิทธิ์เปิดหน้านี้" in r.content.decode()
    r = official.get("/memos/999999/")
    assert r.status_code == 404 and "ไม่พบบันทึกข้อความ" in r.content.decode()


def test_only_the_drafter_gets_the_edit_form_and_only_while_editable(demo):
    drafter = login("rewadee")
    memo = _submitted_memo(drafter, "เรื่องระหว่างเสนอ")
    r = login("anchana").get(f"/memos/{memo.pk}/edit/")  # a reviewer may read it, not edit it
    assert r.status_code == 403 and "แก้ไขได้เฉพาะผู้ร่างบันทึก" in r.content.decode()
    r = drafter.get(f"/memos/{memo.pk}/edit/")  # in review: not editable
    assert r.status_code == 409 and "แก้ไขไม่ได้" in r.content.decode()
    r = drafter.post(f"/memos/{memo.pk}/edit/", {"subject": "x", "addressee": "x", "body": "x", "closing": "x"})
    assert r.status_code == 409
    memo.refresh_from_db()
    assert memo.subject == "เรื่องระหว่างเสนอ"
