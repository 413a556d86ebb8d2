"""Attachments: private unless published with the announcement; checked at upload for what issuing
needs (images decoded and bounded, PDFs opened), PDFs stripped of active content before they are
stored and again when appended; oversized bodies refused before they are read; readable render
errors; issuing locks the memo's row only. Issued through the worker's task, read back over HTTP
with pdftotext and pikepdf."""

from __future__ import annotations

import io
import re
import struct
import threading
import zlib

import pikepdf
import pytest
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection, connections, transaction
from django.test import Client
from PIL import Image
from reportlab.pdfgen import canvas

from memos import issuing
from memos.documents.bundle import MAX_IMAGE_PIXELS
from memos.documents.schema import MAX_LINE
from memos.models import (
    Agency,
    Announcement,
    Attachment,
    HistoryEntry,
    Memo,
    MemoState,
    Official,
    OutboxMessage,
    Position,
    Unit,
)
from memos.signing.embedded import FILENAME as CHAIN_FILE
from worker.tasks import issue_memo

from .conftest import ROUTE_USERS, create_memo, login, my_task
from .pdfcheck import pdftotext

ANNOUNCEMENT = {"subject": "ประกาศผลการประเมิน", "paragraphs": ["ตามที่เทศบาลได้ดำเนินการ"]}


# --- files ------------------------------------------------------------------------------------

def text_pdf(text: str) -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.drawString(72, 720, text)
    c.save()
    return buf.getvalue()


def active_pdf(text: str) -> bytes:
    """A one-page PDF with every kind of active content an attacker would put in an attachment."""
    pdf = pikepdf.open(io.BytesIO(text_pdf(text)))
    name = pikepdf.Name

    def js(code: str) -> pikepdf.Dictionary:
        return pdf.make_indirect(pikepdf.Dictionary(Type=name.Action, S=name.JavaScript, JS=pikepdf.String(code)))

    def annot(subtype, **kw) -> pikepdf.Dictionary:
        return pdf.make_indirect(pikepdf.Dictionary(Type=name.Annot, Subtype=subtype, Rect=[72, 600, 300, 640], **kw))

    pdf.Root.OpenAction = js("app.alert('document open')")
    page = pdf.pages[0].obj
    page.AA = pikepdf.Dictionary(O=js("app.alert('page open')"))
    field = pdf.make_indirect(pikepdf.Dictionary(
        FT=name.Tx, T=pikepdf.String("f"), Subtype=name.Widget, Type=name.Annot, Rect=[0, 0, 10, 10],
        AA=pikepdf.Dictionary(K=js("app.alert('keystroke')")),
    ))
    pdf.Root.AcroForm = pikepdf.Dictionary(Fields=[field], XFA=pdf.make_stream(b"<xdp:xdp/>"))
    page.Annots = pdf.make_indirect(pikepdf.Array([
        annot(name.Link, A=js("app.alert('link')")),
        annot(name.Link, A=pikepdf.Dictionary(S=name.Launch, F=pikepdf.String("cmd.exe"))),
        annot(name.Link, A=pikepdf.Dictionary(S=name.URI, URI=pikepdf.String("JavaScript:alert(1)"))),
        annot(name.Link, A=pikepdf.Dictionary(S=name.URI, URI=pikepdf.String("https://example.org/"),
                                              Next=js("app.alert('next')"))),
        annot(name.FileAttachment, FS=pikepdf.AttachedFileSpec(pdf, b"MZ annotation payload").obj),
        field,
    ]))
    pdf.attachments["payload.exe"] = pikepdf.AttachedFileSpec(pdf, b"MZ embedded payload")
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def _dictionaries(pdf: pikepdf.Pdf):
    """Every dictionary (stream dictionaries too) reachable from the trailer, direct or indirect."""
    stack, seen = [pdf.trailer], set()
    while stack:
        obj = stack.pop()
        if not isinstance(obj, pikepdf.Dictionary | pikepdf.Stream | pikepdf.Array):
            continue
        if obj.is_indirect:
            if obj.objgen in seen:
                continue
            seen.add(obj.objgen)
        if isinstance(obj, pikepdf.Array):
            stack.extend(obj)
        else:
            yield obj
            stack.extend(v for _, v in obj.items())


def active_content(pdf_bytes: bytes) -> list[str]:
    """Everything active left in a PDF."""
    found = []
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        names = pdf.Root.get("/Names", {})
        found += [f"/Names{k}" for k in ("/JavaScript", "/EmbeddedFiles") if k in names]
        if "/XFA" in pdf.Root.get("/AcroForm", {}):
            found.append("/XFA")
        for obj in _dictionaries(pdf):
            found += [k for k in ("/OpenAction", "/AA", "/JS", "/EF", "/Next") if k in obj]
            if obj.get("/S") in ("/JavaScript", "/Launch"):
                found.append(str(obj.get("/S")))
            if obj.get("/Subtype") == "/FileAttachment":
                found.append("/FileAttachment")
            if obj.get("/S") == "/URI" and not str(obj.get("/URI")).startswith("https:"):
                found.append(f"URI {obj.get('/URI')}")
    return found


def links(pdf_bytes: bytes) -> list[str]:
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        return [str(d["/URI"]) for d in _dictionaries(pdf) if d.get("/S") == "/URI"]


def png(width: int, height: int, truncate: bool = False) -> bytes:
    """A valid 1-bit PNG of any size, built without holding its pixels (a 30000 x 30000 one is
    about 100 KB: a decompression bomb)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\0" * (1 + (width + 7) // 8)
    z = zlib.compressobj(9)
    rows_per_block = max(1, 4_000_000 // len(row))
    idat = b"".join(z.compress(row * min(rows_per_block, height - y)) for y in range(0, height, rows_per_block))
    idat += z.flush()
    data = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
            + chunk(b"IDAT", idat) + chunk(b"IEND", b""))
    if truncate:
        return data[: len(data) // 2]
    return data


def photo_png(truncate: bool = False) -> bytes:
    buf = io.BytesIO()
    Image.effect_noise((300, 200), 60).convert("RGB").save(buf, "PNG")
    data = buf.getvalue()
    return data[: len(data) * 2 // 3] if truncate else data


# --- the chain --------------------------------------------------------------------------------

def upload(api, memo_id: int, name: str, data: bytes, **fields):
    return api("rewadee").post(
        f"/api/memos/{memo_id}/attachments/", {"file": SimpleUploadedFile(name, data), **fields}, format="multipart"
    )


def approve(api, memo_id: int) -> None:
    assert api("rewadee").post(f"/api/memos/{memo_id}/submit/").status_code == 200
    for user in ROUTE_USERS:
        decision = "approve" if user == ROUTE_USERS[-1] else "endorse"
        r = api(user).post(f"/api/tasks/{my_task(api, user)}/decide/", {"decision": decision}, format="json")
        assert r.status_code == 200, r.content
    assert Memo.objects.get(pk=memo_id).state == MemoState.APPROVED


def issue(memo_id: int) -> OutboxMessage:
    """What the worker does with the outbox row that approval wrote."""
    msg = OutboxMessage.objects.get(key=f"issue:{memo_id}")
    issue_memo.apply(args=[msg.pk])
    msg.refresh_from_db()
    return msg


def public_pdf(memo_id: int) -> bytes:
    announcement = Announcement.objects.get(memo_id=memo_id)
    r = Client().get(f"/announcements/{announcement.pk}/pdf/")  # anyone, no login
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    return b"".join(r.streaming_content) if r.streaming else r.content


def memo_pdf(api, memo_id: int) -> bytes:
    r = api("rewadee").get(f"/api/memos/{memo_id}/pdf/")
    assert r.status_code == 200
    return b"".join(r.streaming_content) if r.streaming else r.content



# --- 1. private attachments are not published ---------------------------------------------------

@pytest.mark.django_db
def test_only_attachments_marked_publish_go_into_the_public_announcement(api):
    m = create_memo(api, announcement=ANNOUNCEMENT)
    private = upload(api, m["id"], "budget.pdf", text_pdf("PRIVATE salary table"))
    assert private.status_code == 201 and private.json()["publish"] is False  # off by default
    public = upload(api, m["id"], "annex.pdf", text_pdf("PUBLIC annex of results"), publish="true")
    assert public.status_code == 201 and public.json()["publish"] is True
    image = upload(api, m["id"], "photo.png", photo_png(), publish="false")
    assert image.status_code == 201 and image.json()["publish"] is False
    shown = api("rewadee").get(f"/api/memos/{m['id']}/").json()["attachments"]
    assert [(a["name"], a["publish"]) for a in shown] == [
        ("budget.pdf", False), ("annex.pdf", True), ("photo.png", False)
    ]
    r = upload(api, m["id"], "x.pdf", text_pdf("x"), publish="maybe")
    assert r.status_code == 400 and r.json()["field"] == "publish"

    approve(api, m["id"])
    assert issue(m["id"]).state == "done"

    public_text = pdftotext(public_pdf(m["id"]))
    assert "ประกาศผลการประเมิน" in public_text.replace("\n", " ") or "ตามที่เทศบาล" in public_text
    assert "PUBLIC annex of results" in public_text
    assert "PRIVATE salary table" not in public_text
    with pikepdf.open(io.BytesIO(public_pdf(m["id"]))) as pdf:
        public_pages = len(pdf.pages)
    # the memo, for its readers, keeps every attachment (the image as a page of its own)
    whole = memo_pdf(api, m["id"])
    text = pdftotext(whole)
    assert "PRIVATE salary table" in text and "PUBLIC annex of results" in text
    with pikepdf.open(io.BytesIO(whole)) as pdf:
        assert len(pdf.pages) >= public_pages + 1


@pytest.mark.django_db
def test_the_form_asks_whether_to_publish_the_file_and_says_it_becomes_public(demo):
    drafter = login("rewadee")
    page = drafter.get("/memos/new/").content.decode()
    assert 'name="attachment_publish"' in page
    assert "เผยแพร่พร้อมประกาศ" in page and "ไฟล์นี้จะเผยแพร่ต่อสาธารณะพร้อมประกาศ" in page
    fields = {"subject": "ขออนุมัติ", "addressee": "นายก", "body": "ข้อความ", "closing": "จึงเรียนมา",
              "announcement_subject": "ประกาศ", "announcement_body": "ย่อหน้า"}
    r = drafter.post("/memos/new/", fields | {"attachment": SimpleUploadedFile("a.pdf", text_pdf("a"))})
    assert r.status_code == 302
    memo = Memo.objects.get()
    r = drafter.post(f"/memos/{memo.pk}/edit/", fields | {
        "attachment": SimpleUploadedFile("b.pdf", text_pdf("b")), "attachment_publish": "on"
    })
    assert r.status_code == 302
    assert list(memo.attachments.order_by("id").values_list("name", "publish")) == [("a.pdf", False), ("b.pdf", True)]
    edit = drafter.get(f"/memos/{memo.pk}/edit/").content.decode()
    assert re.search(r"b\.pdf</a>\s*<small>\([^)]*เผยแพร่พร้อมประกาศ\)", edit)
    assert re.search(r"a\.pdf</a>\s*<small>\([^)]*ไม่เผยแพร่\)", edit)


# --- 4. an approved memo can always be issued -----------------------------------------------------

@pytest.mark.django_db
def test_active_content_is_stripped_at_upload_and_again_when_appended(api):
    assert sorted(set(active_content(active_pdf("x")))) == [  # the fixture carries what it should
        "/AA", "/EF", "/FileAttachment", "/JS", "/JavaScript", "/Launch", "/Names/EmbeddedFiles", "/Next",
        "/OpenAction", "/XFA", "URI JavaScript:alert(1)",
    ]
    m = create_memo(api, announcement=ANNOUNCEMENT)
    r = upload(api, m["id"], "active.pdf", active_pdf("UPLOADED page text"), publish="true")
    assert r.status_code == 201
    stored = Attachment.objects.get(pk=r.json()["id"])
    with stored.file.open("rb") as fh:
        data = fh.read()
    assert stored.size == len(data)
    assert active_content(data) == []
    assert "UPLOADED page text" in pdftotext(data)
    # a row stored before uploads were sanitised: issuing strips it again
    memo = Memo.objects.get(pk=m["id"])
    old = active_pdf("OLDER ROW page text")
    Attachment.objects.create(memo=memo, file=ContentFile(old, name="old.pdf"), name="old.pdf",
                              content_type="application/pdf", size=len(old), publish=True)

    approve(api, m["id"])
    assert issue(m["id"]).state == "done"

    for pdf, own in ((public_pdf(m["id"]), []), (memo_pdf(api, m["id"]), [CHAIN_FILE])):
        # the one file an issued memo carries is its own decision record (memos.signing.embedded)
        with pikepdf.open(io.BytesIO(pdf)) as doc:
            assert list(doc.attachments) == own
        assert [c for c in active_content(pdf) if not (own and c in ("/Names/EmbeddedFiles", "/EF"))] == []
        assert b"payload" not in pdf and b"app.alert" not in pdf
        text = pdftotext(pdf)
        assert "UPLOADED page text" in text and "OLDER ROW page text" in text
    assert "https://example.org/" in links(public_pdf(m["id"]))  # a plain web link is kept


@pytest.mark.django_db
def test_images_are_decoded_and_bounded_and_pdfs_opened_at_upload(api):
    m = create_memo(api)

    def refused(name: str, data: bytes) -> str:
        r = upload(api, m["id"], name, data)
        assert r.status_code == 400, (name, r.content)
        assert r.json()["field"] == "file"
        return r.json()["message"]

    assert "ภาพใหญ่เกินกำหนด" in refused("bomb.png", png(30000, 30000))  # ~100 KB, 900 million pixels
    width = 8000
    assert "ภาพใหญ่เกินกำหนด" in refused("big.png", png(width, MAX_IMAGE_PIXELS // width + 1))
    assert "เปิดไฟล์ภาพนี้ไม่ได้" in refused("cut.png", photo_png(truncate=True))
    assert "เปิดไฟล์ภาพนี้ไม่ได้" in refused("cut2.png", png(2000, 2000, truncate=True))
    assert "เปิดไฟล์ PDF นี้ไม่ได้" in refused("bad.pdf", b"%PDF-1.7\n1 0 obj garbage\n%%EOF")
    half = text_pdf("x")
    assert "เปิดไฟล์ PDF นี้ไม่ได้" in refused("cut.pdf", half[: len(half) // 3])
    assert Attachment.objects.count() == 0
    # within the bounds, all fine
    assert upload(api, m["id"], "ok.png", png(2000, 2000)).status_code == 201
    assert upload(api, m["id"], "photo.png", photo_png()).status_code == 201


@pytest.mark.django_db
def test_announcement_subject_is_bounded_at_draft_time_by_the_document_limit(api):
    r = api("rewadee").post("/api/memos/", {
        "subject": "เรื่อง", "addressee": "นายก", "sections": [{"paragraphs": ["ก"]}],
        "announcement": {"subject": "ก" * (MAX_LINE + 1), "paragraphs": ["ข"]},
    }, format="json")
    assert r.status_code == 400 and r.json()["field"] == "announcement"
    m = create_memo(api, announcement={"subject": "ก" * MAX_LINE, "paragraphs": ["ข"]})
    approve(api, m["id"])
    assert issue(m["id"]).state == "done"  # the longest accepted subject is issued and published
    assert len(Announcement.objects.get(memo_id=m["id"]).subject) == MAX_LINE


@pytest.mark.django_db
def test_a_render_error_is_readable_on_the_outbox_row_and_in_the_history(api):
    m = create_memo(api, announcement=ANNOUNCEMENT)
    memo = Memo.objects.get(pk=m["id"])
    damaged = photo_png(truncate=True)  # a row stored before images were decoded at upload
    Attachment.objects.create(memo=memo, file=ContentFile(damaged, name="scan.png"), name="scan.png",
                              content_type="image/png", size=len(damaged))
    approve(api, m["id"])
    msg = issue(m["id"])
    assert msg.state == "failed"
    assert msg.last_error.startswith("attachment 1: image: cannot be decoded"), msg.last_error
    assert not re.search(r"(\w; ){3}", msg.last_error)  # not "a; t; t; a; c; h …"
    entry = HistoryEntry.objects.get(memo=memo, action="issue_failed")
    assert entry.detail["error"] == msg.last_error
    assert Memo.objects.get(pk=m["id"]).state == MemoState.APPROVED


# --- 4. the size limit, before the body is read ----------------------------------------------------

class HugeBody:
    """A request body that claims (and would deliver) ``size`` bytes: ``head`` and then zeros;
    counts what the server read."""

    def __init__(self, head: bytes, size: int):
        self.head, self.size, self.read_bytes = head, size, 0

    def read(self, n: int = -1) -> bytes:
        left = self.size - self.read_bytes
        n = left if n is None or n < 0 else min(n, left)
        start, self.read_bytes = self.read_bytes, self.read_bytes + n
        part = self.head[start:start + n]
        return part + b"\0" * (n - len(part))

    def readline(self, *args) -> bytes:  # not used by the multipart parser
        raise AssertionError("readline")


def multipart_head(fields: dict[str, str], boundary: str = "BOUNDARY") -> bytes:
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n' for k, v in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="huge.pdf"\r\n'
                 "Content-Type: application/pdf\r\n\r\n%PDF-1.7\n")
    return "".join(parts).encode()


SIZE = 300 * 1024 * 1024
MULTIPART = "multipart/form-data; boundary=BOUNDARY"


def huge_request(body: HugeBody) -> dict:
    """The WSGI environment of a 300 MB multipart request (the test client would measure a body)."""
    return {"wsgi.input": body, "CONTENT_LENGTH": str(SIZE), "CONTENT_TYPE": MULTIPART}


@pytest.mark.django_db
def test_an_oversized_upload_is_refused_from_its_content_length_without_reading_it(api, settings):
    m = create_memo(api)
    body = HugeBody(multipart_head({"publish": "true"}), SIZE)
    r = api("rewadee").generic(
        "POST", f"/api/memos/{m['id']}/attachments/", content_type=MULTIPART, **huge_request(body),
    )
    assert r.status_code == 400, r.content
    assert r.json() == {"message": "ไฟล์ใหญ่เกินกำหนด (10 MB)", "field": "file"}
    assert body.read_bytes < 1024 * 1024  # stopped at the file's first bytes, not 300 MB later
    assert Attachment.objects.count() == 0


@pytest.mark.django_db
def test_the_page_shows_a_form_error_for_an_oversized_upload(demo):
    drafter = Client(enforce_csrf_checks=True)  # the CSRF check reads the form: it must still pass
    drafter.force_login(User.objects.get(username="rewadee"))
    drafter.get("/memos/new/")
    token = drafter.cookies["csrftoken"].value
    fields = {"csrfmiddlewaretoken": token, "subject": "เรื่องที่พิมพ์ไว้", "addressee": "นายก",
              "body": "ข้อความ", "closing": "จึงเรียนมา"}
    head = multipart_head(fields).replace(b'name="file"', b'name="attachment"')
    body = HugeBody(head, SIZE)
    r = drafter.generic("POST", "/memos/new/", **huge_request(body))
    assert r.status_code == 200
    page = r.content.decode()
    assert "ไฟล์ใหญ่เกินกำหนด (10 MB)" in page
    assert 'value="เรื่องที่พิมพ์ไว้"' in page  # what was typed comes back
    assert body.read_bytes < 1024 * 1024
    assert not Memo.objects.exists()


@pytest.mark.django_db
def test_a_body_larger_than_it_said_is_cut_off_at_the_limit(api, settings):
    settings.ATTACHMENT_MAX_BYTES = 200 * 1024
    m = create_memo(api)
    data = text_pdf("x") + b"%" * (300 * 1024)  # honest length, but the file is over the limit
    r = upload(api, m["id"], "big.pdf", data)
    assert r.status_code == 400 and r.json()["field"] == "file" and "ใหญ่เกินกำหนด" in r.json()["message"]
    assert Attachment.objects.count() == 0


# --- 6. issuing locks the memo's row only ----------------------------------------------------------

@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres
def test_issuing_locks_the_memo_row_and_not_the_shared_rows(api):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (make test uses it)")
    m = create_memo(api, announcement=ANNOUNCEMENT)
    approve(api, m["id"])
    memo = Memo.objects.get(pk=m["id"])
    drafter = Official.objects.get(pk=memo.drafter_id)
    shared = [(Unit, memo.unit_id), (Agency, memo.agency_id), (Official, drafter.pk),
              (Position, memo.drafter_position_id)]

    def try_locks(results: dict) -> None:
        """Another connection: NOWAIT locks on the shared rows, and on the memo."""
        try:
            for model, pk in [*shared, (Memo, memo.pk)]:
                try:
                    with transaction.atomic():
                        list(model.objects.select_for_update(nowait=True).filter(pk=pk))
                    results[model.__name__] = "free"
                except DatabaseError:
                    results[model.__name__] = "locked"
        finally:
            connections.close_all()

    results: dict[str, str] = {}
    with transaction.atomic():
        assert issuing.issue(memo.pk) is True  # the issue's transaction, still open, holds its locks
        t = threading.Thread(target=try_locks, args=(results,))
        t.start()
        t.join(30)
    assert results == {"Unit": "free", "Agency": "free", "Official": "free", "Position": "free", "Memo": "locked"}
    assert Memo.objects.get(pk=memo.pk).state == MemoState.ISSUED
