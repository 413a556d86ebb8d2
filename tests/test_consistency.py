"""One rule for numbers, dates and language on every Thai page and email (issue 13, item 8):
Thai digits for numbers in Thai text (the memo number as the body prints it), times "๐๗.๐๓ น.",
dates with พ.ศ. where the format has it, and no English left on a Thai page."""

from __future__ import annotations

import html
import re

import pytest
from django.test import Client

from memos.documents.thai import thai_date
from memos.models import Announcement, Memo, OutboxMessage

from .conftest import create_memo, login, my_task
from .pdfcheck import pdftotext
from .test_attachments import approve, issue, public_pdf

# Latin words a Thai page may show: file types, the language switch, the feed format
ALLOWED = {"PDF", "PNG", "JPEG", "English", "Atom", "SHA"}
# Material icons are ligatures ("inbox", "menu"): a glyph, not a word
ICONS = re.compile(r'<(i|span|button)\b[^>]*class="[^"]*(material-icons|mdc-list-item__start)[^"]*"[^>]*>.*?</\1>', re.S)


def visible_text(page: str) -> str:
    """What a reader sees: no scripts, styles, icon ligatures, tags, e-mail addresses or URLs."""
    page = re.sub(r"<(script|style|template)\b.*?</\1>", " ", page, flags=re.S)
    page = ICONS.sub(" ", page)
    page = re.sub(r"<title>.*?</title>", lambda m: m.group(0)[7:-8], page, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    text = re.sub(r"\S+@\S+|https?://\S+|/\S+", " ", text)
    return re.sub(r"\s+", " ", text)


def english_words(page: str) -> set[str]:
    return {w for w in re.findall(r"[A-Za-z]{4,}", visible_text(page)) if w not in ALLOWED}


@pytest.fixture
def returned_and_issued(api):
    """A memo in review, one returned with a reason, and the drafter's draft."""
    m = create_memo(api)
    assert api("rewadee").post(f"/api/memos/{m['id']}/submit/").status_code == 200
    r = api("anchana").post(f"/api/tasks/{my_task(api, 'anchana')}/decide/",
                            {"decision": "return", "comment": "แก้ข้อ 2"}, format="json")
    assert r.status_code == 200
    draft = create_memo(api, announcement={"subject": "ประกาศรับสมัคร 2 ตำแหน่ง", "paragraphs": ["ย่อหน้า 1"]})
    return Memo.objects.get(pk=m["id"]), Memo.objects.get(pk=draft["id"])


@pytest.mark.django_db
def test_no_english_on_the_thai_pages(returned_and_issued):
    returned, draft = returned_and_issued
    c = login("rewadee")
    pages = {
        "/memos/": 200, "/memos/new/": 200, f"/memos/{returned.pk}/": 200, f"/memos/{returned.pk}/edit/": 200,
        f"/memos/{draft.pk}/": 200, "/announcements/": 200, "/memo/": 403, "/memos/999999/": 404,
        "/no-such-page/": 404,
    }
    for path, status in pages.items():
        r = c.get(path)
        assert r.status_code == status, path
        page = r.content.decode()
        assert not english_words(page), (path, english_words(page))
        assert "Django Material" not in page, path
        assert "Search..." not in page  # the search box is relabelled ค้นหา… (base_page.html)
    # a form's required fields speak Thai when the browser checks them
    assert "setCustomValidity" in c.get("/memos/new/").content.decode()


@pytest.mark.django_db
def test_the_memo_number_has_thai_digits_on_pages_and_in_emails(returned_and_issued):
    returned, _draft = returned_and_issued
    thai_number = "กบ ๕๒๔๐๑/" + str(returned.number).translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙"))
    c = login("rewadee")
    for path in ("/memos/", f"/memos/{returned.pk}/edit/"):
        page = c.get(path).content.decode()
        assert thai_number in page, path
        assert returned.number_display not in visible_text(page), path
    emails = [m.payload for m in OutboxMessage.objects.filter(key__startswith="mail:")]
    assert emails
    for e in emails:
        assert thai_number in e["text"] and returned.number_display not in e["text"], e["text"]
    returned_mail = next(e for e in emails if "ส่งคืน" in e["subject"])
    assert "เหตุผล: แก้ข้อ ๒" in returned_mail["text"]


@pytest.mark.django_db
def test_times_use_a_full_stop_and_the_preview_digits_follow_the_pdf(returned_and_issued):
    returned, draft = returned_and_issued
    c = login("rewadee")
    page = visible_text(c.get(f"/memos/{returned.pk}/").content.decode())
    times = re.findall(r"[๐-๙]{2}[.:][๐-๙]{2} น\.", page)
    assert times and all("." in t for t in times), times
    page = visible_text(c.get(f"/memos/{draft.pk}/").content.decode())
    assert "ประกาศรับสมัคร ๒ ตำแหน่ง" in page and "ย่อหน้า ๑" in page  # as memos.documents.digits prints them


@pytest.mark.django_db
def test_the_announcement_pages_follow_the_pdf(api):
    """The public list leads with each announcement's own subject; the page dates it with พ.ศ. and
    prints digits as the PDF does (pdftotext of the issued announcement)."""
    m = create_memo(api, announcement={"subject": "รับสมัครพนักงานจ้าง 2 อัตรา", "paragraphs": ["ตั้งแต่วันที่ 1 ธันวาคม"]})
    approve(api, m["id"])
    issue(m["id"])
    ann = Announcement.objects.get(memo_id=m["id"])
    listing = Client().get("/announcements/").content.decode()
    assert "รับสมัครพนักงานจ้าง ๒ อัตรา" in listing
    assert f"ประกาศ{ann.agency.name}" not in visible_text(listing.split('class="office-ann-list"')[1])
    page = visible_text(Client().get(f"/announcements/{ann.pk}/").content.decode())
    assert f"ประกาศ ณ วันที่ {thai_date(ann.date, era=True)}" in page
    assert "ตั้งแต่วันที่ ๑ ธันวาคม" in page
    assert not english_words(Client().get(f"/announcements/{ann.pk}/").content.decode())
    printed = pdftotext(public_pdf(m["id"]))
    assert "ตั้งแต่วันที่ ๑ ธันวาคม" in printed and "พ.ศ." in printed
