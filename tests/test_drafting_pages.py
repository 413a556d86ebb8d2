"""Drafting in the browser and the API (issue 13): every error at once and in place, chosen files
kept across an error, several files per save, attachments removed, drafts deleted and memos
copied, the reviewer's reason on a returned memo's edit page. Through the HTTP test client and
the real database."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from reportlab.pdfgen import canvas

from memos.models import Attachment, HistoryEntry, Memo, MemoState

from .conftest import create_memo, login, my_task

FIELDS = {"subject": "ขอรายงานผลการจัดซื้อ", "addressee": "นายกเทศมนตรีตำบลคลองพน",
          "body": "ย่อหน้าแรก", "closing": "จึงเรียนมาเพื่อโปรดพิจารณา"}


def pdf(text: str = "x") -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.drawString(72, 720, text)
    c.save()
    return buf.getvalue()


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def errors_of(page: str) -> list[str]:
    """The summary's lines (the list above the form)."""
    alert = re.search(r'<div class="office-form-alert".*?</ul>', page, re.S)
    assert alert, "no error summary"
    return [re.sub(r"<[^>]+>", "", li).strip() for li in re.findall(r"<li>(.*?)</li>", alert.group(0), re.S)]


@pytest.mark.django_db
def test_every_error_is_listed_at_once_and_a_refused_file_names_itself(demo):
    c = login("rewadee")
    r = c.post("/memos/new/", {"addressee": "", "body": "", "closing": "x",
                               "attachment": [upload("ปลอม.pdf", b"not a pdf at all")]})
    page = r.content.decode()
    lines = errors_of(page)
    assert any(line.startswith("เรื่อง") for line in lines)
    assert any(line.startswith("เรียน") for line in lines)
    assert any(line.startswith("เนื้อหา") for line in lines)
    assert any("ปลอม.pdf: รับเฉพาะไฟล์ PDF, PNG หรือ JPEG" in line for line in lines), lines
    assert 'scrollIntoView' in page  # the summary is brought into view
    assert not Memo.objects.exists()


@pytest.mark.django_db
def test_a_chosen_file_survives_a_form_error_and_is_attached_at_the_next_save(demo):
    c = login("rewadee")
    r = c.post("/memos/new/", {**FIELDS, "subject": "", "attachment": [upload("รายงาน.pdf", pdf())]})
    page = r.content.decode()
    assert "ไฟล์ที่เลือกไว้" in page and "รายงาน.pdf" in page
    assert "โปรดเลือกไฟล์อีกครั้ง" not in page
    token = re.search(r'name="pending" value="([^"]+)"', page).group(1)
    r = c.post("/memos/new/", {**FIELDS, "pending": token})
    assert r.status_code == 302
    memo = Memo.objects.get()
    assert [a.name for a in memo.attachments.all()] == ["รายงาน.pdf"]
    # the token was used up; another drafter cannot use one either
    other = login("anchana")
    r = other.post("/memos/new/", {**FIELDS, "pending": token})
    assert r.status_code == 302
    assert Memo.objects.exclude(pk=memo.pk).get().attachments.count() == 0


@pytest.mark.django_db
def test_a_kept_file_can_be_dropped_before_saving(demo):
    c = login("rewadee")
    page = c.post("/memos/new/", {**FIELDS, "subject": "", "attachment": [upload("ก.pdf", pdf())]}).content.decode()
    token = re.search(r'name="pending" value="([^"]+)"', page).group(1)
    assert c.post("/memos/new/", {**FIELDS, "pending": token, "pending_drop": token}).status_code == 302
    assert Attachment.objects.count() == 0


@pytest.mark.django_db
def test_several_files_in_one_save_each_checked(demo):
    c = login("rewadee")
    r = c.post("/memos/new/", {**FIELDS, "attachment": [upload("หนึ่ง.pdf", pdf("1")), upload("สอง.pdf", pdf("2"))]})
    assert r.status_code == 302
    assert sorted(Memo.objects.get().attachments.values_list("name", flat=True)) == ["สอง.pdf", "หนึ่ง.pdf"]
    # one good, one refused: nothing saved, the good one kept for the next try
    page = c.post(f"/memos/{Memo.objects.get().pk}/edit/", {
        **FIELDS, "attachment": [upload("ดี.pdf", pdf()), upload("เสีย.pdf", b"%PDF-broken")]}).content.decode()
    assert any(line.startswith("แนบไฟล์") and "เสีย.pdf" in line for line in errors_of(page))
    assert "ดี.pdf" in page and Attachment.objects.count() == 2


@pytest.mark.django_db
def test_attachments_are_removed_from_a_draft_but_not_once_submitted(api):
    m = create_memo(api)
    c = login("rewadee")
    c.post(f"/memos/{m['id']}/edit/", {**FIELDS, "attachment": [upload("ก.pdf", pdf()), upload("ข.pdf", pdf())]})
    first, second = Attachment.objects.order_by("id")
    edit = c.get(f"/memos/{m['id']}/edit/").content.decode()
    assert f"/memos/{m['id']}/attachments/{first.pk}/delete/" in edit
    assert c.get(f"/memos/{m['id']}/attachments/{first.pk}/delete/").status_code == 302  # GET removes nothing
    assert Attachment.objects.count() == 2
    r = c.post(f"/memos/{m['id']}/attachments/{first.pk}/delete/")
    assert r.status_code == 302 and r["Location"].endswith(f"/memos/{m['id']}/edit/")
    assert list(Attachment.objects.values_list("name", flat=True)) == ["ข.pdf"]
    assert HistoryEntry.objects.filter(memo_id=m["id"], action="detached", detail__name="ก.pdf").exists()
    # a reviewer cannot; the API says 404 for an unknown file
    assert login("anchana").post(f"/memos/{m['id']}/attachments/{second.pk}/delete/").status_code == 404
    r = api("rewadee").delete(f"/api/memos/{m['id']}/attachments/999999/")
    assert r.status_code == 404 and r.json()["message"] == "ไม่พบไฟล์แนบ"
    assert api("rewadee").post(f"/api/memos/{m['id']}/submit/").status_code == 200
    r = api("rewadee").delete(f"/api/memos/{m['id']}/attachments/{second.pk}/")
    assert r.status_code == 409 and "แก้ไขไม่ได้" in r.json()["message"]
    assert Attachment.objects.count() == 1


@pytest.mark.django_db
def test_an_unnumbered_draft_is_deleted_a_numbered_memo_never(api):
    draft = create_memo(api)
    api("rewadee").post(f"/api/memos/{draft['id']}/attachments/", {"file": upload("ก.pdf", pdf())}, format="multipart")
    page = login("rewadee").get(f"/memos/{draft['id']}/").content.decode()
    assert f'action="/memos/{draft["id"]}/delete/"' in page and "data-confirm" in page
    # not the drafter: 403 (a reviewer who cannot see it: 404)
    assert api("anchana").delete(f"/api/memos/{draft['id']}/").status_code == 404
    r = login("rewadee").post(f"/memos/{draft['id']}/delete/")
    assert r.status_code == 302 and r["Location"].endswith("/memos/")
    assert not Memo.objects.filter(pk=draft["id"]).exists()
    assert not HistoryEntry.objects.filter(memo_id=draft["id"]).exists()
    assert Attachment.objects.count() == 0

    numbered = create_memo(api)
    assert api("rewadee").post(f"/api/memos/{numbered['id']}/submit/").status_code == 200
    r = api("rewadee").delete(f"/api/memos/{numbered['id']}/")
    assert r.status_code == 409 and "ลบไม่ได้" in r.json()["message"]
    page = login("rewadee").get(f"/memos/{numbered['id']}/").content.decode()
    assert f"/memos/{numbered['id']}/delete/" not in page
    assert login("rewadee").post(f"/memos/{numbered['id']}/delete/").status_code == 409
    assert Memo.objects.filter(pk=numbered["id"]).exists()
    # and the database keeps a numbered memo's history whatever runs
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("DELETE FROM memos_historyentry WHERE memo_id = %s", [numbered["id"]])


@pytest.mark.django_db
def test_a_memo_is_copied_into_a_new_draft_without_its_attachments(api):
    m = create_memo(api, announcement={"subject": "ประกาศผล", "paragraphs": ["ย่อหน้า"]})
    api("rewadee").post(f"/api/memos/{m['id']}/attachments/", {"file": upload("ก.pdf", pdf())}, format="multipart")
    assert api("rewadee").post(f"/api/memos/{m['id']}/submit/").status_code == 200
    # the reviewer may copy what he sees, into a draft of his own
    r = login("anchana").post(f"/memos/{m['id']}/copy/")
    copy = Memo.objects.exclude(pk=m["id"]).get()
    assert r.status_code == 302 and r["Location"].endswith(f"/memos/{copy.pk}/edit/")
    assert copy.drafter.user.username == "anchana" and copy.state == MemoState.DRAFT and copy.number is None
    assert copy.subject == m["subject"] and copy.sections == Memo.objects.get(pk=m["id"]).sections
    assert copy.announcement == {"subject": "ประกาศผล", "paragraphs": ["ย่อหน้า"]}
    assert copy.attachments.count() == 0
    r = api("rewadee").post(f"/api/memos/{m['id']}/copy/")
    assert r.status_code == 201 and r.json()["state"] == "draft" and r.json()["number"] in ("", None)
    assert api("rewadee").post("/api/memos/999999/copy/").status_code == 404


@pytest.mark.django_db
def test_the_edit_page_of_a_returned_memo_shows_the_reason(api):
    m = create_memo(api)
    assert api("rewadee").post(f"/api/memos/{m['id']}/submit/").status_code == 200
    task = my_task(api, "anchana")
    r = api("anchana").post(f"/api/tasks/{task}/decide/",
                            {"decision": "return", "comment": "แก้ไขวงเงินในข้อ 2 ให้ตรงกับสัญญา"}, format="json")
    assert r.status_code == 200
    page = login("rewadee").get(f"/memos/{m['id']}/edit/").content.decode()
    top = page.index("office-returned")
    assert top < page.index('name="subject"')  # at the top, before the fields
    assert "แก้ไขวงเงินในข้อ ๒ ให้ตรงกับสัญญา" in page  # Thai digits, as the document prints it


@pytest.mark.django_db
def test_the_api_schema_documents_the_new_endpoints(api):
    schema = api("rewadee").get("/api/schema/?format=json").json()
    paths = schema["paths"]
    assert {"204", "404", "409"} <= set(paths["/api/memos/{memo_id}/"]["delete"]["responses"])
    assert "201" in paths["/api/memos/{memo_id}/copy/"]["post"]["responses"]
    assert {"204", "404", "409"} <= set(paths["/api/memos/{memo_id}/attachments/{attachment_id}/"]["delete"]["responses"])


def test_kept_files_whose_token_expired_are_swept(settings, tmp_path):
    """A file kept across a form error that is never sent again is deleted once its token can no
    longer take it (the daily beat task); a fresh one stays and can still be taken."""
    import datetime as dt
    import os

    from django.core.files.storage import default_storage
    from django.utils import timezone

    from memos import uploads

    settings.MEDIA_ROOT = str(tmp_path)
    old = uploads.keep_pending(1, "เก่า.pdf", b"%PDF-1.4 old")
    fresh = uploads.keep_pending(1, "ใหม่.pdf", b"%PDF-1.4 fresh")
    assert uploads.pending_name(old, 1) == "เก่า.pdf"
    later = timezone.now() + dt.timedelta(seconds=uploads.PENDING_MAX_AGE + 60)
    # the old file as it will be a day on: its token is dead too
    _dirs, names = default_storage.listdir(uploads.PENDING_DIR)
    assert len(names) == 2
    old_key = uploads._pending(old, 1)[0]
    stamp = (timezone.now() - dt.timedelta(seconds=uploads.PENDING_MAX_AGE + 120)).timestamp()
    os.utime(default_storage.path(old_key), (stamp, stamp))
    assert uploads.sweep_pending() == 1
    assert not default_storage.exists(old_key)
    assert uploads.pending_name(fresh, 1) == "ใหม่.pdf"
    assert uploads.sweep_pending(later) == 1  # a day on, the fresh one goes too
    assert uploads.sweep_pending(later) == 0
