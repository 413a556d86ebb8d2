"""Issued documents are signed (PAdES B-LT with the demo PKI's time-stamp authority), carry a
verification code and QR on every page, and verify: authentic, modified, unknown."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import subprocess

import pytest
from django.db import IntegrityError, connection, transaction
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from memos import issuing
from memos.models import IssuedDocument, MemoState, OutboxMessage, VerificationCode
from memos.signing import demo_pki, keys
from memos.signing.verify import AUTHENTIC, MODIFIED, UNKNOWN, verify_pdf

from .test_issuing import run_chain

pytestmark = pytest.mark.django_db


def issued(api) -> tuple:
    memo = run_chain(api)
    with transaction.atomic():
        assert issuing.issue(memo.pk) is True
    return memo, memo.documents.get(kind="memo"), memo.documents.get(kind="announcement")


def test_sign_bytes_round_trip_with_the_demo_key():
    creds = keys.agency_credentials()
    sig = keys.sign_bytes(b"record")
    assert keys.verify_bytes(b"record", sig) and not keys.verify_bytes(b"recorc", sig)
    assert creds.private_key is not None and creds.demo and creds.timestamper is not None
    assert creds.certificate.issuer == creds.trust_roots[0].subject


def test_issued_documents_are_signed_b_lt_and_verify(api):
    memo, memo_doc, ann_doc = issued(api)
    creds = keys.agency_credentials()
    for doc in (memo_doc, ann_doc):
        pdf = bytes(doc.pdf)
        assert doc.sha256 == hashlib.sha256(pdf).hexdigest() and doc.size == len(pdf)
        assert VerificationCode.objects.get(document=doc).code
        # pyHanko's own validator against the demo root: intact, trusted, time-stamped
        reader = PdfFileReader(io.BytesIO(pdf))
        (sig,) = reader.embedded_signatures
        vc = ValidationContext(trust_roots=creds.trust_roots, crls=creds.crls, allow_fetching=False)
        status = validate_pdf_signature(sig, signer_validation_context=vc)
        assert status.intact and status.valid and status.trusted and status.bottom_line
        assert status.timestamp_validity is not None and status.timestamp_validity.trusted
        assert "ETSI.CAdES.detached" in str(sig.sig_object["/SubFilter"])
        # LTV data: the document security store holds the chain and the CRL
        dss = reader.root["/DSS"]
        assert len(dss["/Certs"]) >= 2 and len(dss["/CRLs"]) >= 1
        # the approver, position and capacity are in the signature dictionary
        assert "นายพิเชษฐ์ คีตรอบ" in str(sig.sig_object["/Name"])
        assert str(sig.sig_object["/Location"]) == memo.agency.name
        v = verify_pdf(pdf, creds.trust_roots, creds.crls)
        assert v.status == AUTHENTIC and v.timestamped and v.timestamp_valid and v.ltv, v
    # poppler lists the signature
    out = subprocess.run(["pdfsig", "-"], input=bytes(memo_doc.pdf), capture_output=True)
    if out.returncode != 0:  # older pdfsig reads files only
        path = f"/tmp/signed-{memo.pk}.pdf"
        with open(path, "wb") as fh:
            fh.write(bytes(memo_doc.pdf))
        out = subprocess.run(["pdfsig", path], capture_output=True)
    text = out.stdout.decode()
    assert "Signature #1" in text and "Signature is Valid" in text and "ETSI.CAdES.detached" in text
    # the printed codes are append-only, in the database too
    for sql in ("UPDATE memos_verificationcode SET code = 'XXXXX-XXXXX'", "DELETE FROM memos_verificationcode"):
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql)


def _altered_page(pdf: bytes) -> bytes:
    """An incremental update that adds text to page 1 (what a forger appends after signing)."""
    w = IncrementalPdfFileWriter(io.BytesIO(pdf))
    page = w.root["/Pages"]["/Kids"][0].get_object()
    ref = w.add_object(generic.StreamObject(stream_data=b"BT /F1 30 Tf 100 400 Td (APPROVED 1,000,000) Tj ET"))
    contents = page["/Contents"]
    items = list(contents) if isinstance(contents, generic.ArrayObject) else [page.raw_get("/Contents")]
    page["/Contents"] = generic.ArrayObject(items + [ref])
    w.update_container(page)
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def test_one_changed_byte_or_an_altering_update_is_modified_and_another_root_unknown(api, tmp_path):
    _memo, memo_doc, _ann = issued(api)
    creds = keys.agency_credentials()
    pdf = bytes(memo_doc.pdf)
    # one byte in the signed range, where the file still parses: a letter of the producer's name
    # (a flipped byte inside a compressed stream makes pyHanko call the signature unreadable instead)
    i = pdf.index(b"/Producer (") + len(b"/Producer (") + 2
    changed = pdf[:i] + bytes([pdf[i] ^ 0x01]) + pdf[i + 1 :]
    v = verify_pdf(changed, creds.trust_roots, creds.crls)
    assert v.status == MODIFIED and "signature_broken" in v.reasons
    v = verify_pdf(_altered_page(pdf), creds.trust_roots, creds.crls)
    assert v.status == MODIFIED and "changed_after_signing" in v.reasons
    other = keys.load_credentials(keys.SigningConfig(demo_dir=str(demo_pki.generate(tmp_path / "other"))))
    v = verify_pdf(pdf, other.trust_roots, other.crls)
    assert v.status == UNKNOWN and v.reasons == ["untrusted_signer"]
    # and the other way round: a PDF signed by another root is unknown here
    from memos.signing import pades

    foreign = pades.sign_pdf(_rendered(), other, pades.SignatureInfo("x", "y", "z"))
    assert verify_pdf(foreign, creds.trust_roots, creds.crls).status == UNKNOWN


def _rendered() -> bytes:
    from memos.documents import render_pdf

    return render_pdf({
        "kind": "announcement", "agency": {"name": "เทศบาลตำบลอื่น", "emblem": None}, "subject": "ทดสอบ",
        "paragraphs": ["ข้อความ"], "date": "2026-11-27",
        "signer": {"name": "นายทดสอบ", "position": "ปลัด", "signature": None},
    })


def test_every_page_has_the_code_and_a_qr_that_opens_the_verification_page(api, tmp_path, settings, client):
    _memo, memo_doc, _ann = issued(api)
    code = memo_doc.verification.code
    pdf_path = tmp_path / "memo.pdf"
    pdf_path.write_bytes(bytes(memo_doc.pdf))
    text = subprocess.run(["pdftotext", "-layout", str(pdf_path), "-"], capture_output=True, check=True).stdout.decode()
    pages = text.split("\f")[:-1]
    assert pages and all(f"รหัสตรวจสอบ {code}" in p for p in pages)
    assert "ลงนามอิเล็กทรอนิกส์โดย" in pages[-1]
    subprocess.run(["pdftoppm", "-r", "300", "-png", str(pdf_path), str(tmp_path / "p")], check=True)
    url = f"{settings.SITE_URL}/verify/{code}/"
    for png in sorted(tmp_path.glob("p-*.png")):
        out = subprocess.run(["zbarimg", "-q", "--raw", str(png)], capture_output=True).stdout.decode().split()
        assert out == [url], (png.name, out)
    r = client.get(re.sub(r"^https?://[^/]+", "", url))
    assert r.status_code == 200 and "เอกสารถูกต้อง" in r.content.decode()


def test_an_expired_certificate_leaves_the_memo_approved_with_a_clear_error(api, settings, tmp_path):
    from worker.tasks import issue_memo

    memo = run_chain(api)
    settings.SIGNING_DEMO_DIR = str(demo_pki.generate(tmp_path / "expired", agency_days=0))
    msg = OutboxMessage.objects.get(key=f"issue:{memo.pk}")
    issue_memo.apply(args=[msg.pk])  # eager: the retries run at once, then the last one fails
    msg.refresh_from_db()
    memo.refresh_from_db()
    assert memo.state == MemoState.APPROVED and not IssuedDocument.objects.filter(memo=memo).exists()
    assert msg.state == OutboxMessage.State.FAILED and msg.last_error.startswith("signing failed: ")
    assert "expired" in msg.last_error and msg.attempts >= 2


def test_the_admin_warns_30_days_before_the_certificate_expires(admin_client, settings, tmp_path):
    from web.checks import expiry_warning, signing_certificate_expiry

    assert expiry_warning() == "" and signing_certificate_expiry() == []
    settings.SIGNING_DEMO_DIR = str(demo_pki.generate(tmp_path / "soon", agency_days=20))
    assert "จะหมดอายุในอีก" in expiry_warning()
    assert [m.id for m in signing_certificate_expiry()] == ["signing.W001"]
    r = admin_client.get("/admin/")
    assert "ใบรับรองสำหรับลงนามเอกสารจะหมดอายุ" in r.content.decode()
    assert expiry_warning(now=dt.datetime.now(dt.UTC) + dt.timedelta(days=30)).startswith("ใบรับรองสำหรับลงนามเอกสารหมดอายุแล้ว")


def test_a_tsa_that_does_not_answer_is_a_signing_error(signing_pki):
    from memos.signing import pades

    creds = keys.load_credentials(keys.SigningConfig(demo_dir=str(signing_pki), tsa_url="http://127.0.0.1:9/"))
    with pytest.raises(keys.SigningError):
        pades.sign_pdf(_rendered(), creds, pades.SignatureInfo("x", "y", "z"))
