"""The public verification page and API: by code and by uploaded PDF, bad input is a 400 (never a
500), and a memo shows only what the agency makes public."""

from __future__ import annotations

import io
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from memos import issuing

from .test_issuing import run_chain

pytestmark = pytest.mark.django_db


@pytest.fixture
def docs(api):
    memo = run_chain(api)
    with transaction.atomic():
        issuing.issue(memo.pk)
    return memo, memo.documents.get(kind="memo"), memo.documents.get(kind="announcement")


def upload(data: bytes, name="doc.pdf"):
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def test_the_form_is_public_and_a_code_leads_to_its_page(docs):
    _memo, memo_doc, _ann = docs
    c = Client()
    r = c.get("/verify/")
    assert r.status_code == 200 and "รหัสตรวจสอบ" in r.content.decode()
    code = memo_doc.verification.code
    r = c.get("/verify/", {"code": code.lower().replace("-", " ")})
    assert r.status_code == 302 and r["Location"] == f"/verify/{code}/"
    r = c.get("/verify/NOPE0-NOPE0/")
    assert r.status_code == 404 and "ไม่พบเอกสาร" in r.content.decode()


def test_a_memo_page_shows_only_what_is_public(docs, settings):
    memo, memo_doc, _ann = docs
    page = Client().get(f"/verify/{memo_doc.verification.code}/").content.decode()
    assert "เอกสารถูกต้อง" in page and "ลงนามครบ ๔ ขั้น" in page and memo.agency.name in page
    from web.templatetags.thai import thai_digits

    assert thai_digits(memo.number_display) in page
    # not public by default: the subject, the approvers, their comments
    assert memo.subject not in page
    for name in ("นายพิเชษฐ์ คีตรอบ", "ความเห็น", "รักษาราชการแทน"):
        assert name not in page, name
    data = Client().get("/api/verify/", {"code": memo_doc.verification.code}).json()
    assert set(data["document"]) == {"number", "date", "agency", "steps"}
    assert data["signature"]["signer_name"] == "" and data["signature"]["reason"] == ""
    # an agency that makes the subject public
    settings.VERIFY_MEMO_PUBLIC_FIELDS = ["number", "subject"]
    page = Client().get(f"/verify/{memo_doc.verification.code}/").content.decode()
    assert memo.subject in page and "ลงนามครบ" not in page


def test_an_announcement_shows_the_approvers_with_their_capacity(docs):
    memo, _memo_doc, ann_doc = docs
    page = Client().get(f"/verify/{ann_doc.verification.code}/").content.decode()
    assert "เอกสารถูกต้อง" in page and "ประกาศผลการประเมิน" in page
    assert "นายพิเชษฐ์ คีตรอบ" in page and "รักษาราชการแทน ปลัดเทศบาลตำบลคลองพน" in page


def test_an_uploaded_pdf_is_checked(docs):
    _memo, memo_doc, ann_doc = docs
    c = Client()
    r = c.post("/verify/", {"file": upload(bytes(ann_doc.pdf))})
    assert r.status_code == 200 and "เอกสารถูกต้อง" in r.content.decode() and "ประกาศผลการประเมิน" in r.content.decode()
    pdf = bytes(memo_doc.pdf)
    i = pdf.index(b"stream", 2000) + 40
    r = c.post("/verify/", {"file": upload(pdf[:i] + bytes([pdf[i] ^ 1]) + pdf[i + 1 :])})
    assert r.status_code == 200 and "เอกสารถูกแก้ไข" in r.content.decode()
    api = c.post("/api/verify/", {"file": upload(bytes(memo_doc.pdf))}, format="multipart").json()
    assert api["status"] == "authentic" and api["kind"] == "memo" and api["code"] == memo_doc.verification.code
    assert api["signature"]["timestamped"] and api["signature"]["ltv"]


@pytest.mark.parametrize(
    "data,message",
    [
        (b"hello, not a pdf", "ไม่ใช่ PDF"),
        (b"%PDF-1.7\n garbage \x00\x01 %%EOF", "เปิดไฟล์ PDF นี้ไม่ได้"),
    ],
)
def test_bad_uploads_are_a_400(db, data, message):
    c = Client()
    r = c.post("/verify/", {"file": upload(data)})
    assert r.status_code == 400 and message in r.content.decode()
    r = c.post("/api/verify/", {"file": upload(data)})
    assert r.status_code == 400 and message in r.json()["message"]


def test_an_unsigned_pdf_is_unknown_and_limits_hold(db, settings):
    from reportlab.pdfgen.canvas import Canvas

    buf = io.BytesIO()
    canvas = Canvas(buf)
    canvas.drawString(100, 100, "unsigned")
    canvas.save()
    c = Client()
    r = c.post("/api/verify/", {"file": upload(buf.getvalue())})
    assert r.status_code == 200 and r.json()["status"] == "unknown" and r.json()["signature"]["reasons"] == ["no_signature"]
    settings.VERIFY_UPLOAD_MAX_BYTES = 100
    r = c.post("/api/verify/", {"file": upload(buf.getvalue())})
    assert r.status_code == 400 and "ใหญ่เกิน" in r.json()["message"]
    assert c.post("/api/verify/", {}, content_type="application/json").status_code == 400
    assert c.post("/api/verify/", [None, None], content_type="application/json").status_code == 400
    assert c.post("/api/verify/", {"code": ""}, content_type="application/json").status_code == 404
    assert c.get("/api/verify/").status_code == 400
    assert c.get("/api/verify/", {"code": ""}).status_code == 404
    assert c.get("/api/verify/", {"code": "AAAAA-AAAAA"}).status_code == 404


def test_the_api_is_in_the_openapi_schema(api):
    schema = api("rewadee").get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    assert "/api/verify/" in schema and "VerifyUpload" in schema


def test_verify_document_command(docs, tmp_path, capsys):
    _memo, memo_doc, _ann = docs
    path = tmp_path / "memo.pdf"
    path.write_bytes(bytes(memo_doc.pdf))
    with pytest.raises(SystemExit) as exit_:
        call_command("verify_document", str(path))
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert "authentic" in out and "time-stamp: valid" in out and "LTV data (DSS): present" in out
    # the same through manage.py, as an auditor runs it
    path.write_bytes(b"%PDF-1.4 nothing")
    r = subprocess.run([".venv/bin/python", "manage.py", "verify_document", str(path)], capture_output=True)
    assert r.returncode == 3
