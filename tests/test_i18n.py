"""Thai by default, English on request; viewflow's own strings in Thai from our catalogue."""

import pytest
from django.test import Client
from django.utils import translation

pytestmark = pytest.mark.django_db


def test_pages_are_thai_by_default_and_english_on_request():
    assert "เข้าสู่ระบบ" in Client().get("/accounts/login/").content.decode()
    c = Client()
    c.cookies["django_language"] = "en"
    page = c.get("/announcements/").content.decode()
    assert "Announcement" in page and "Login" in page and "ยังไม่มีประกาศ" not in page


@pytest.mark.parametrize("msgid,thai", [("Inbox", "งานของฉัน"), ("Queue", "คิวงาน"), ("Process list", "รายการกระบวนงาน")])
def test_viewflow_strings_are_translated_to_thai(msgid, thai):
    with translation.override("th"):
        assert translation.gettext(msgid) == thai


def test_a_field_too_long_is_said_in_thai():
    """Django's own Thai catalogue lacks the max-length message; the form must not fall back to
    English on a Thai page (found by a new user typing a 201-character addressee)."""
    from web.forms import MemoForm

    with translation.override("th"):
        form = MemoForm(data={"subject": "เรื่อง", "addressee": "ก" * 201, "body": "ข้อความ", "closing": "จึงเรียนมา"})
        assert not form.is_valid()
        assert form.errors["addressee"] == ["ยาวได้ไม่เกิน 200 ตัวอักษร (ตอนนี้ 201 ตัวอักษร)"]


def test_an_announcement_subject_too_long_gets_its_own_error_only():
    from web.forms import MemoForm

    with translation.override("th"):
        form = MemoForm(data={"subject": "เรื่อง", "addressee": "นายก", "body": "ข้อความ", "closing": "จึงเรียนมา",
                              "announcement_subject": "ก" * 600, "announcement_body": "เนื้อความ"})
        assert not form.is_valid()
        assert list(form.errors) == ["announcement_subject"]
