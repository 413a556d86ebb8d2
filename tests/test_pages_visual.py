"""What a person sees on the pages that go wrong most easily: form errors, the history, the
admin's refusals, Thai glyphs on pages outside viewflow's frontend. Screenshots of the same pages
are in docs/previews/ui-*.png."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from memos.models import Memo

from .conftest import login

pytestmark = pytest.mark.django_db



def test_form_errors_are_listed_above_the_form_in_thai(demo):
    """The browser's own check is off (novalidate): its bubbles speak the browser's language.
    The server's Thai errors are listed at the top, linked to their fields, and say the file must
    be chosen again."""
    drafter = login("rewadee")
    assert "novalidate" in drafter.get("/memos/new/").content.decode()
    page = drafter.post(
        "/memos/new/",
        {"subject": "", "addressee": "นายกเทศมนตรีตำบลคลองพน", "body": "ทดสอบ", "closing": "จึงเรียนมา",
         "announcement_subject": "มีแต่เรื่อง", "attachment": _png_file()},
    ).content.decode()
    alert = page[page.index('class="office-form-alert"'):page.index('class="vf-card__form"')]
    assert "ยังไม่ได้บันทึก" in alert
    assert '<a href="#id_subject">เรื่อง</a>: โปรดกรอกช่องนี้' in alert  # not "ฟิลด์นี้จำเป็น"
    assert "ประกาศต้องมีทั้งเรื่องและเนื้อความ" in alert  # the form's own error, listed too
    assert "โปรดเลือกไฟล์อีกครั้ง" in alert
    assert not Memo.objects.exists()


def _png_file():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("a.png", b"\x89PNG\r\n\x1a\nbroken", content_type="image/png")


def test_the_history_says_which_step_was_skipped(api):
    r = api("anchana").post("/api/memos/", {"subject": "ขออนุมัติ", "addressee": "นายกเทศมนตรีตำบลคลองพน",
                                             "sections": [{"heading": None, "paragraphs": ["ทดสอบ"], "items": []}]},
                            format="json")
    pk = r.json()["id"]
    assert api("anchana").post(f"/api/memos/{pk}/submit/").status_code == 200
    page = login("anchana").get(f"/memos/{pk}/").content.decode()
    assert "ข้ามลำดับ" in page and "ลำดับที่ ๑ หัวหน้าฝ่ายแผนงานและงบประมาณ" in page
    assert 'class="vf-list__table office-table"' in page  # wraps instead of cutting with "…"


def test_the_admins_refusal_says_why_and_leads_back_to_the_admin(demo):
    """A superuser's delete of a memo (refused for every memo: the admin is view-only) gets a page
    that says what cannot be done and why, not a bare "no permission"."""
    admin = Client()
    admin.force_login(get_user_model().objects.get(username="admin"))
    r = admin.get("/admin/memos/memo/1/delete/")
    assert r.status_code == 403
    page = r.content.decode()
    assert "ลบหรือแก้ไขไม่ได้ แม้แต่ผู้ดูแลระบบ" in page and 'href="/admin/"' in page
    assert "Django Material" not in page


def test_pages_outside_viewflow_carry_thai_glyphs(demo):
    admin = Client()
    admin.force_login(get_user_model().objects.get(username="admin"))
    assert "css/thai-fallback.css" in admin.get("/admin/").content.decode()
    assert "css/thai-fallback.css" in login("rewadee").get("/api/docs/").content.decode()
