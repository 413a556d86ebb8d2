"""The approval pipeline end to end: real gunicorn, Celery worker, Redis, PostgreSQL and SMTP.

Each test drives the seed chain over HTTP as its officials would: the drafter submits, each
reviewer waits for the email telling them it is their turn, opens the task it links to and
decides it.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import subprocess
import urllib.request

import pytest
from django.core.files.base import ContentFile
from PIL import Image, ImageDraw
from pypdf import PdfReader

from memos.models import Announcement, HistoryEntry, IssuedDocument, Memo, MemoState, Official, OutboxMessage

from ..pdfcheck import pdftotext
from .harness import wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

ROUTE = ["anchana", "thatsanee", "worawit", "phichet"]
COMMENTS = {
    "anchana": "เห็นควรเสนอหัวหน้าสำนักปลัดเทศบาลพิจารณา",
    "thatsanee": "เห็นควรเสนอปลัดเทศบาลพิจารณา",
    "worawit": "เห็นควรเสนอนายกเทศมนตรีพิจารณาอนุมัติ",
    "phichet": "อนุมัติ",
}


def address(username: str) -> str:
    return f"{username}@klongphon.example"


def give_signatures():
    for o in Official.objects.all():
        img = Image.new("RGB", (360, 110), "white")
        ImageDraw.Draw(img).line([10, 90, 120, 15, 220, 85, 350, 20], fill="navy", width=5)
        buf = io.BytesIO()
        img.save(buf, "PNG")
        o.signature.save(f"{o.user.username}.png", ContentFile(buf.getvalue()))


def seed_memo_id(stack, tokens) -> int:
    status, memos = stack.api("GET", "/memos/", tokens["rewadee"])
    assert status == 200
    return memos["results"][0]["id"]


def task_link(mail) -> int:
    m = re.search(r"/tasks/(\d+)/", mail.text)
    assert m, mail.text
    return int(m.group(1))


def review(stack, sink, tokens, memo_id, reviewers=ROUTE, last_decision="approve"):
    """Each reviewer in turn: wait for their email, follow its task link, decide."""
    for i, user in enumerate(reviewers):
        mail = wait_for(lambda u=user: sink.to(address(u)), 60, what=f"email to {user}")[-1]
        assert "รอท่านพิจารณา" in mail.subject
        decision = last_decision if i == len(reviewers) - 1 else "endorse"
        status, body = stack.api("POST", f"/tasks/{task_link(mail)}/decide/", tokens[user],
                                 {"decision": decision, "comment": COMMENTS[user]})
        assert status == 200, body
    return Memo.objects.get(pk=memo_id)


def verify_upload(stack, pdf: bytes) -> dict:
    """POST a PDF to /api/verify/ as another system would (multipart, no login)."""
    boundary = "----verify-boundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"doc.pdf\"\r\n"
            "Content-Type: application/pdf\r\n\r\n").encode() + pdf + f"\r\n--{boundary}--\r\n".encode()
    req = urllib.request.Request(stack.base_url + "/api/verify/", data=body, method="POST",
                                 headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.loads(r.read())


def wait_issued(memo_id: int, timeout: float = 90) -> Memo:
    return wait_for(lambda: Memo.objects.filter(pk=memo_id, state=MemoState.ISSUED).first(), timeout,
                    what=f"memo {memo_id} issued")


def test_seed_chain_issues_the_memo_publishes_the_announcement_and_mails_each_approver_once(stack, sink, tokens):
    give_signatures()
    memo_id = seed_memo_id(stack, tokens)
    status, body = stack.api("POST", f"/memos/{memo_id}/submit/", tokens["rewadee"])
    assert status == 200, body
    review(stack, sink, tokens, memo_id)
    memo = wait_issued(memo_id)

    # the memo PDF, fetched over HTTP, matches its recorded hash and carries the whole chain
    status, data = stack.api("GET", f"/memos/{memo_id}/", tokens["rewadee"])
    assert data["state"] == "issued"
    docs = {d["kind"]: d for d in data["documents"]}
    status, pdf, headers = stack.request("GET", docs["memo"]["url"], tokens["rewadee"])
    assert status == 200 and headers["Content-Type"] == "application/pdf"
    assert hashlib.sha256(pdf).hexdigest() == docs["memo"]["sha256"] == memo.documents.get(kind="memo").sha256
    flat = "".join(pdftotext(pdf).split())
    for user, comment in COMMENTS.items():
        assert "".join(comment.split()) in flat, user
        o = Official.objects.get(user__username=user)
        assert "".join(o.full_name.split()) in flat
    assert "ผู้อำนวยการกองช่างรักษาราชการแทน" in flat and "ปลัดเทศบาลตำบลคลองพน" in flat
    images = subprocess.run(["pdfimages", "-list", "-"], input=pdf, capture_output=True, check=True).stdout
    rows = [line.split() for line in images.decode().splitlines()[2:]]
    assert sum(r[2] == "image" for r in rows) == 5  # drafter and four reviewers signed

    # the announcement: listed, in the feed, and its PDF opens
    ann = Announcement.objects.get(memo=memo)
    status, page, _ = stack.request("GET", "/announcements/")
    assert status == 200 and ann.subject in page.decode()
    assert "๒๕๖" in page.decode()  # Thai digits, Buddhist era
    status, feed, headers = stack.request("GET", "/announcements/feed/")
    assert status == 200 and "atom" in headers["Content-Type"] and ann.subject in feed.decode()
    status, ann_pdf, _ = stack.request("GET", f"/announcements/{ann.pk}/pdf/")
    assert status == 200
    reader = PdfReader(io.BytesIO(ann_pdf))
    assert len(reader.pages) >= 1
    assert "".join(ann.subject.split())[:40] in "".join(pdftotext(ann_pdf).split())
    assert "พิเชษฐ์" in pdftotext(ann_pdf)  # signed by the approver

    # both documents are signed and verify as authentic through the public page, by their code
    # (the address in their QR code) and by upload to the API
    for kind in ("memo", "announcement"):
        doc = memo.documents.get(kind=kind)
        code = doc.verification.code
        status, page, _ = stack.request("GET", f"/verify/{code}/")
        assert status == 200 and "เอกสารถูกต้อง" in page.decode(), page.decode()[:2000]
        assert f"รหัสตรวจสอบ {code}" in pdftotext(bytes(doc.pdf))
    # the QR printed on the memo's first page, decoded, opens the verification page over HTTP
    (stack.tmp / "memo.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "300", "-f", "1", "-l", "1", "-singlefile", "-png", str(stack.tmp / "memo.pdf"),
                    str(stack.tmp / "memo-p1")], check=True)
    url = subprocess.run(["zbarimg", "-q", "--raw", str(stack.tmp / "memo-p1.png")], capture_output=True).stdout.decode().strip()
    assert url == f"{stack.base_url}/verify/{memo.documents.get(kind='memo').verification.code}/"
    with urllib.request.urlopen(url, timeout=60) as r:
        assert r.status == 200 and "เอกสารถูกต้อง" in r.read().decode()
    status, body, _ = stack.request("GET", f"/api/verify/?code={memo.documents.get(kind='memo').verification.code}")
    assert status == 200 and json.loads(body)["status"] == "authentic"
    assert json.loads(body)["signature"]["timestamped"] and json.loads(body)["signature"]["ltv"]
    assert verify_upload(stack, ann_pdf)["status"] == "authentic"
    tampered = ann_pdf.replace(b"/Lang", b"/Lanh", 1)
    assert verify_upload(stack, tampered)["status"] == "modified"

    # exactly one email to each approver, in route order, then one to the drafter; nobody else
    wait_for(lambda: sink.to(address("rewadee")), 30, what="issue email to the drafter")
    received = sink.received
    assert [m.to for m in received] == [[address(u)] for u in ROUTE] + [[address("rewadee")]]
    issue_mail = received[-1]
    assert memo.number_display.split("/")[-1] in issue_mail.text and f"/memos/{memo_id}/pdf/" in issue_mail.text
    assert "<a href=" in issue_mail.html and memo.subject in issue_mail.html
    assert len({m.message_id for m in received}) == len(received)
    # the acting official's email says in which capacity
    assert "รักษาราชการแทน" in sink.to(address("worawit"))[0].text


def test_worker_killed_while_rendering_issues_exactly_once(stack, sink, tokens):
    memo_id = seed_memo_id(stack, tokens)
    # a long memo, so that rendering takes long enough to be killed in the middle of it
    long_para = "การประเมินคุณธรรมและความโปร่งใสในการดำเนินงานของหน่วยงานภาครัฐ " * 70
    # (about 9 s to render on the CI machine; twice that, so a busy machine still kills it mid-render)
    sections = [{"heading": f"หัวข้อ {i}", "paragraphs": [long_para] * 10, "items": []} for i in range(1, 17)]
    status, body = stack.api("PATCH", f"/memos/{memo_id}/", tokens["rewadee"], {"sections": sections})
    assert status == 200, body
    assert stack.api("POST", f"/memos/{memo_id}/submit/", tokens["rewadee"])[0] == 200
    review(stack, sink, tokens, memo_id)

    issue = wait_for(lambda: OutboxMessage.objects.filter(key=f"issue:{memo_id}", started_at__isnull=False).first(),
                     30, interval=0.02, what="issuing to start")
    stack.kill("worker")  # SIGKILL to the worker, its pool process and beat
    assert not IssuedDocument.objects.filter(memo_id=memo_id).exists()  # killed before it finished
    assert Memo.objects.get(pk=memo_id).state == MemoState.APPROVED

    stack.start_worker("worker2")
    wait_issued(memo_id, timeout=120)
    wait_for(lambda: sink.to(address("rewadee")), 30, what="issue email")
    issue.refresh_from_db()
    assert issue.state == "done" and issue.attempts >= 2
    assert IssuedDocument.objects.filter(memo_id=memo_id).count() == 2  # one memo PDF, one announcement
    assert Announcement.objects.filter(memo_id=memo_id).count() == 1
    assert HistoryEntry.objects.filter(memo_id=memo_id, action="issued").count() == 1
    # let any redelivery of the killed worker's message run out, then count again
    wait_for(lambda: OutboxMessage.objects.filter(state="pending").count() == 0, 30, what="outbox drained")
    assert len(sink.to(address("rewadee"))) == 1


def test_redis_down_at_approval_delays_the_documents_only(stack_on_private_redis, private_redis, sink, tokens):
    stack = stack_on_private_redis
    memo_id = seed_memo_id(stack, tokens)
    assert stack.api("POST", f"/memos/{memo_id}/submit/", tokens["rewadee"])[0] == 200
    review(stack, sink, tokens, memo_id, reviewers=ROUTE[:3], last_decision="endorse")
    mayor_mail = wait_for(lambda: sink.to(address("phichet")), 60, what="email to the mayor")[0]

    private_redis.stop()
    status, body = stack.api("POST", f"/tasks/{task_link(mayor_mail)}/decide/", tokens["phichet"],
                             {"decision": "approve", "comment": "อนุมัติ"})
    assert status == 200, body
    assert Memo.objects.get(pk=memo_id).state == MemoState.APPROVED
    issue = OutboxMessage.objects.get(key=f"issue:{memo_id}")
    assert issue.state == "pending" and issue.dispatched_at is None  # owed, not lost

    private_redis.start()
    wait_issued(memo_id, timeout=120)
    wait_for(lambda: sink.to(address("rewadee")), 60, what="issue email")
    assert IssuedDocument.objects.filter(memo_id=memo_id).count() == 2
    assert Announcement.objects.filter(memo_id=memo_id, published_at__isnull=False).count() == 1


def test_smtp_refusing_for_a_while_every_email_arrives_exactly_once(stack, sink, tokens):
    sink.handler.refusing = True
    memo_id = seed_memo_id(stack, tokens)
    assert stack.api("POST", f"/memos/{memo_id}/submit/", tokens["rewadee"])[0] == 200
    wait_for(lambda: sink.handler.refused >= 2, 60, what="the sink to refuse twice")
    first = OutboxMessage.objects.get(key__startswith="mail:task:")
    assert first.state == "pending" and first.attempts >= 2 and "451" in first.last_error
    sink.handler.refusing = False

    review(stack, sink, tokens, memo_id)
    wait_issued(memo_id)
    wait_for(lambda: sink.to(address("rewadee")), 60, what="issue email")
    wait_for(lambda: not OutboxMessage.objects.filter(state="pending").exists(), 60, what="outbox drained")
    assert [m.to for m in sink.received] == [[address(u)] for u in ROUTE] + [[address("rewadee")]]


def test_a_document_that_fails_to_render_leaves_the_memo_approved_and_can_be_retried(stack, sink, tokens):
    from memos import outbox

    give_signatures()
    drafter = Official.objects.get(user__username="rewadee")
    good = drafter.signature.read()
    drafter.signature.close()
    memo_id = seed_memo_id(stack, tokens)
    assert stack.api("POST", f"/memos/{memo_id}/submit/", tokens["rewadee"])[0] == 200
    with open(drafter.signature.path, "wb") as fh:
        fh.write(b"GIF89a not what it claims to be")  # the drafter's signature file is damaged
    review(stack, sink, tokens, memo_id)

    issue = wait_for(lambda: OutboxMessage.objects.filter(key=f"issue:{memo_id}", state="failed").first(),
                     60, what="issuing to fail")
    assert "not a PNG or JPEG" in issue.last_error
    assert Memo.objects.get(pk=memo_id).state == MemoState.APPROVED
    assert not IssuedDocument.objects.filter(memo_id=memo_id).exists()
    assert HistoryEntry.objects.filter(memo_id=memo_id, action="issue_failed").exists()
    assert not sink.to(address("rewadee"))

    with open(drafter.signature.path, "wb") as fh:
        fh.write(good)  # fixed; then the admin's "retry" action
    outbox.retry(issue)
    wait_issued(memo_id)
    wait_for(lambda: sink.to(address("rewadee")), 30, what="issue email")
    assert IssuedDocument.objects.filter(memo_id=memo_id).count() == 2
