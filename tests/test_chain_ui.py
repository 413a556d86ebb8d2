"""The whole chain in the browser pages: log in, draft, submit, four decisions, history."""

import re

import pytest
from django.test import Client

from memos.models import Memo

from .conftest import PASSWORD, ROUTE_USERS

pytestmark = pytest.mark.django_db


def login(username) -> Client:
    c = Client()
    r = c.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert r.status_code == 302, r.content[:500]
    return c


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
        # someone else opening the same (now done) task is refused
        assert login("rewadee").get(f"/tasks/{m.group(1)}/").status_code == 403

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
    assert r.status_code == 200 and "errorlist" in r.content.decode()
    assert not Memo.objects.exists()


def test_fonts_are_served(demo, client):
    from django.contrib.staticfiles import finders

    assert finders.find("fonts/Sarabun-Regular.ttf") and finders.find("fonts/Sarabun-Bold.ttf")
    css = finders.find("css/site.css")
    assert "Sarabun-Regular.ttf" in open(css, encoding="utf-8").read()
