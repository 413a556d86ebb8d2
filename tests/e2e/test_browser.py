"""The whole chain in a real browser (Chromium, driven by Playwright) on viewflow's frontend.

What the Django test client cannot show: viewflow's pages build their form fields with web
components and navigate with Turbo, so only a browser proves a person can log in, type a memo,
submit it and decide it. The stack is the real one (gunicorn, Celery worker, Redis, PostgreSQL,
SMTP sink); each reviewer starts from the link in their email, as they would at work.

The database is only read after the browser has closed: Playwright's sync API keeps an event
loop in this thread, and Django refuses ORM calls from one.
"""

from __future__ import annotations

import io
import os
import re
import shutil
from pathlib import Path

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.contrib.auth.models import User
from reportlab.pdfgen import canvas

from memos.models import Memo, MemoState

from ..pdfcheck import pdftotext
from .harness import wait_for
from .test_pipeline import COMMENTS, ROUTE, address

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

PASSWORD = "klongphon-demo"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SUBJECT = "ขออนุมัติจัดซื้อวัสดุสำนักงานผ่านเบราว์เซอร์"
ANNOUNCEMENT = "ผลการจัดซื้อวัสดุสำนักงาน"
BODY = "# เรื่องเดิม\nย่อหน้าแรก <b>ไม่ใช่ตัวหนา</b>\n# ข้อพิจารณา\n- ข้อย่อยหนึ่ง"


def _pdf_bytes() -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.drawString(72, 720, "attached report")
    c.save()
    return buf.getvalue()


@pytest.fixture
def playwright_api():
    sync_api = pytest.importorskip("playwright.sync_api")
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("CI must have Chromium (.ci/run installs it)")
        pytest.skip("no Chromium on this machine (apt-get install chromium)")
    return sync_api


def _page(browser, base_url: str):
    page = browser.new_context(viewport={"width": 1400, "height": 1000}, base_url=base_url).new_page()
    page.set_default_timeout(20_000)
    return page


def _log_in(page, username: str) -> None:
    """On the login page (reached directly or by a redirect), sign in; the page then goes on."""
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="เข้าสู่ระบบ").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def _snackbar(page) -> str:
    return page.locator("vf-snackbar").inner_text()


def _shoot(page, name: str) -> None:
    """Screenshots for the README when UI_SCREENSHOTS names a folder (docs/previews)."""
    if folder := os.environ.get("UI_SCREENSHOTS"):
        page.screenshot(path=str(Path(folder) / f"ui-{name}.png"), full_page=True)


@pytest.fixture
def server_passwords(e2e_db):
    """The test settings hash passwords with MD5 for speed; the server runs the real settings and
    does not accept MD5, so the people who log in here get a hash it knows."""
    hasher = PBKDF2PasswordHasher()
    for user in User.objects.filter(username__in=["rewadee", *ROUTE]):
        user.password = hasher.encode(PASSWORD, hasher.salt())
        user.save(update_fields=["password"])


def test_whole_chain_in_a_browser(server_passwords, stack, sink, playwright_api):
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        memo_id, number = _drive_the_chain(browser, stack.base_url, sink)
        browser.close()
    memo = Memo.objects.get(pk=memo_id)
    assert memo.state == MemoState.ISSUED and memo.number_display == number.translate(str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789"))
    assert [d.official.user.username for d in memo.decisions.order_by("step")] == ROUTE


def _drive_the_chain(browser, base: str, sink) -> tuple[int, str]:

    # the drafter logs in and drafts through the menu
    drafter = _page(browser, base)
    drafter.goto("/")
    assert "/accounts/login/" in drafter.url
    _log_in(drafter, "rewadee")
    assert drafter.get_by_text("งานที่รอท่านพิจารณา").is_visible()
    drafter.get_by_role("link", name="ร่างบันทึกใหม่").first.click()
    drafter.wait_for_url("**/memos/new/")

    # blanks pass the browser's own check but not the server's: the error shows in place (422 via Turbo)
    drafter.locator("input[name=subject]").fill("   ")
    drafter.locator("input[name=addressee]").fill("นายกเทศมนตรีตำบลคลองพน")
    drafter.locator("textarea[name=body]").fill(BODY)
    drafter.get_by_role("button", name="บันทึก", exact=True).click()
    wait_for(lambda: drafter.locator("vf-field-input[name=subject][error]").count(), 20, what="field error")
    assert drafter.url.endswith("/memos/new/")
    assert drafter.locator("textarea[name=body]").input_value() == BODY  # nothing typed is lost

    drafter.locator("input[name=subject]").fill(SUBJECT)
    drafter.locator("input[name=announcement_subject]").fill(ANNOUNCEMENT)
    drafter.locator("textarea[name=announcement_body]").fill("ตามที่เทศบาลได้จัดซื้อวัสดุสำนักงาน\nรายละเอียดตามเอกสารแนบ")
    drafter.locator("input[type=file][name=attachment]").set_input_files(
        {"name": "รายงาน.pdf", "mimeType": "application/pdf", "buffer": _pdf_bytes()}
    )
    drafter.get_by_role("button", name="บันทึก", exact=True).click()
    drafter.wait_for_url(re.compile(r".*/memos/\d+/$"))
    memo_id = int(re.search(r"/memos/(\d+)/$", drafter.url).group(1))
    paper = drafter.locator(".paper.memo")
    assert "ย่อหน้าแรก <b>ไม่ใช่ตัวหนา</b>" in paper.inner_text()  # markup is printed, not obeyed
    assert paper.locator("b", has_text="ไม่ใช่ตัวหนา").count() == 0
    assert drafter.get_by_role("link", name="รายงาน.pdf").is_visible()
    assert drafter.get_by_text(f"เรื่อง {ANNOUNCEMENT}").is_visible()

    drafter.get_by_role("button", name="ส่งเสนอ").click()
    wait_for(lambda: "ส่งแล้ว เลขที่ กบ ๕๒๔๐๑/" in _snackbar(drafter), 20, what="submitted message")
    number = drafter.locator(".vf-card__title").first.inner_text()
    assert re.fullmatch(r"กบ ๕๒๔๐๑/[๐-๙]+", number)  # Thai digits, as the body and the PDF print it

    # Thai is set in Sarabun, never a fallback box
    fonts = drafter.evaluate(
        "async () => { await document.fonts.ready;"
        " return [...document.fonts].filter(f => f.status === 'loaded').map(f => f.family) }"
    )
    assert "Sarabun" in fonts
    family = drafter.evaluate("getComputedStyle(document.querySelector('.paper.memo')).fontFamily")
    assert family.replace('"', "").startswith("Sarabun"), family

    # each reviewer follows the link in their email, logs in, reads the memo and decides
    for user in ROUTE:
        mail = wait_for(lambda u=user: sink.to(address(u)), 60, what=f"email to {user}")[-1]
        link = re.search(r"https?://\S+/tasks/\d+/", mail.text).group(0)
        page = _page(browser, base)
        page.goto(link)
        _log_in(page, user)
        assert page.url == link
        assert page.get_by_text(SUBJECT).first.is_visible()
        attachment = page.get_by_role("link", name="รายงาน.pdf")  # the reviewer reads what came with it
        assert page.context.request.get(attachment.get_attribute("href")).body().startswith(b"%PDF-")
        if user == "worawit":
            assert page.get_by_text("ในฐานะ รักษาราชการแทน ปลัดเทศบาลตำบลคลองพน").is_visible()
            _shoot(page, "task")
            page.goto("/")  # the same task in the inbox, as a link to it
            assert page.get_by_role("link", name=SUBJECT).get_attribute("href") == link.removeprefix(base)
            _shoot(page, "inbox")
            page.goto(link)
        page.locator("label.office-choice__option--endorse").click()  # the decision card's choice
        page.locator("textarea[name=comment]").fill(COMMENTS[user])
        page.get_by_role("button", name="บันทึกการพิจารณา").click()
        page.wait_for_url(base + "/")
        wait_for(lambda p=page: "บันทึกการพิจารณาแล้ว" in _snackbar(p), 20, what="decision message")
        assert page.get_by_text("ไม่มีงานค้าง").is_visible()
        page.context.close()

    # the worker issues the PDF; the drafter's memo page offers it and the published announcement
    def issued():
        drafter.reload()
        return drafter.get_by_role("link", name="บันทึกฉบับลงนาม (PDF)").count()

    wait_for(issued, 90, interval=1, what="issued memo")
    assert "ออกเอกสารแล้ว" in drafter.locator(".vf-card__breadcrumbs").first.inner_text()
    _shoot(drafter, "memo")
    pdf_url = drafter.get_by_role("link", name="บันทึกฉบับลงนาม (PDF)").get_attribute("href")
    pdf = drafter.context.request.get(pdf_url)
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    text = pdftotext(pdf.body())
    assert SUBJECT in text and all(COMMENTS[u] in text for u in ROUTE)
    assert "attached report" in text  # the attachment is bound into the issued PDF

    drafter.get_by_role("link", name="ประกาศที่เผยแพร่").click()
    drafter.wait_for_url(re.compile(r".*/announcements/\d+/$"))
    announcement_url = drafter.url

    # the announcement is public: a visitor with no login sees it in Thai
    visitor = _page(browser, base)
    visitor.goto(announcement_url)
    assert visitor.get_by_text("จึงประกาศให้ทราบโดยทั่วกัน").is_visible()
    assert visitor.get_by_text(f"เรื่อง {ANNOUNCEMENT}").is_visible()
    assert visitor.get_by_role("link", name="ดาวน์โหลดประกาศ (PDF)").is_visible()

    # English on request, Thai again after
    drafter.goto("/")
    drafter.get_by_role("button", name="English").click()
    wait_for(lambda: drafter.get_by_text("My tasks").count(), 20, what="English menu")
    drafter.get_by_role("button", name="ไทย").click()
    wait_for(lambda: drafter.get_by_text("งานของฉัน").count(), 20, what="Thai menu")

    return memo_id, number
