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
