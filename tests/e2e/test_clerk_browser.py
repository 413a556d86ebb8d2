"""The clerk in a real browser (issue 13, "done when"): the register book exported as XLSX opens with
openpyxl with the right rows; search by "๕๒๔๐๑/๑" and by a word of a reviewer's comment finds the
memo. Real gunicorn on PostgreSQL; Chromium through Playwright at 1366×768 and 390×844.

With UI_SCREENSHOTS=docs/previews the pages are saved as ``clerk-*.png`` at both sizes.
The database is set up before the browser starts and read after it closes (Playwright's sync API
keeps an event loop in this thread, and Django refuses ORM calls from one).
"""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.contrib.auth.models import User
from django.utils import timezone
from openpyxl import load_workbook
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from memos import drafting
from workflow import services

from .harness import Stack

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

PASSWORD = "klongphon-demo"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
WEB_PORT, SMTP_PORT = 8441, 8442  # this checkout's range (nothing listens on the SMTP one: no worker)
SUBJECT = "ขออนุมัติซ่อมแซมถนนสายบ้านคลองพนใต้"
COMMENT = "ควรตรวจสอบราคากลางของวัสดุลาดยางก่อนดำเนินการ"
SIZES = {"desktop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def playwright_api():
    sync_api = pytest.importorskip("playwright.sync_api")
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("CI must have Chromium (.ci/run installs it)")
        pytest.skip("no Chromium on this machine (apt-get install chromium)")
    return sync_api


@pytest.fixture
def web(e2e_db, settings, tmp_path):
    st = Stack(e2e_db, "redis://127.0.0.1:6379/" + os.environ.get("E2E_REDIS_DB", "14"), SMTP_PORT,
               str(settings.MEDIA_ROOT), tmp_path, web_port=WEB_PORT)
    st.start_web()
    yield st
    st.stop_all()


@pytest.fixture
def memos(e2e_db) -> list[int]:
    """Two submitted memos (numbers 1 and 2); the first endorsed by anchana with COMMENT."""
    hasher = PBKDF2PasswordHasher()
    for user in User.objects.filter(username__in=["rewadee", "thatsanee"]):
        user.password = hasher.encode(PASSWORD, hasher.salt())
        user.save(update_fields=["password"])
    rewadee = User.objects.get(username="rewadee")
    ids = []
    for subject in (SUBJECT, "รายงานผลการประชุมประจำเดือนพฤศจิกายน"):
        memo = drafting.create_memo(rewadee, {
            "subject": subject, "addressee": "นายกเทศมนตรีตำบลคลองพน",
            "sections": [{"heading": "เรื่องเดิม", "paragraphs": ["ตามที่ได้รับแจ้ง"], "items": []}],
        })
        services.submit(rewadee, memo.pk)
        ids.append(memo.pk)
    task = Task.objects.get(process__memoprocess__memo_id=ids[0], status=STATUS.ASSIGNED)
    services.decide(task.owner, task.pk, "endorse", COMMENT)
    return ids


def _shoot(page, name: str, size: str) -> None:
    if folder := os.environ.get("UI_SCREENSHOTS"):
        page.screenshot(path=str(Path(folder) / f"clerk-{name}-{size}.png"), full_page=True)


def test_clerk_exports_the_register_and_finds_memos(memos, web, playwright_api, tmp_path):
    year_be = timezone.localdate().year + 543
    downloaded: dict[str, bytes] = {}
    found: dict[str, list[str]] = {}
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for size, viewport in SIZES.items():
            context = browser.new_context(viewport=viewport, base_url=web.base_url, accept_downloads=True)
            page = context.new_page()
            page.set_default_timeout(20_000)
            page.goto("/clerk/")
            page.locator("input[name=username]").fill("thatsanee")
            page.locator("input[name=password]").fill(PASSWORD)
            page.get_by_role("button", name="เข้าสู่ระบบ").click()
            page.wait_for_url(web.base_url + "/clerk/")
            # Turbo changes the address before it has drawn the page: wait for the row, then look
            page.get_by_role("link", name=SUBJECT).wait_for(state="visible")
            _shoot(page, "progress", size)
            assert page.get_by_role("link", name=SUBJECT).is_visible()

            page.goto("/clerk/register/")
            page.wait_for_url(f"{web.base_url}/clerk/register/{year_be}/")
            page.get_by_text("กบ ๕๒๔๐๑/๒").first.wait_for(state="visible")
            _shoot(page, "register", size)
            with page.expect_download() as info:
                page.locator("#export-xlsx").click()
            path = tmp_path / f"{size}.xlsx"
            info.value.save_as(path)
            downloaded[size] = path.read_bytes()

            for query in ("๕๒๔๐๑/๑", "ราคากลาง"):
                page.goto("/memos/")
                page.locator("details.clerk-search summary").click()
                page.locator("#memo-search input[name=_search]").fill(query)
                page.locator("#memo-search button[type=submit]").click()
                page.wait_for_url("**_search=*")
                page.locator("table a, .clerk-table a, td a").first.wait_for(state="attached")
                found[f"{size}:{query}"] = page.locator("table a, .clerk-table a, td a").all_inner_texts()
                if query == "ราคากลาง":
                    _shoot(page, "search", size)
            page.goto("/memos/?_search=" + "ไม่มีคำนี้")
            page.get_by_text("ไม่พบบันทึกข้อความที่ตรงกับคำค้น").wait_for(state="visible")

            page.goto("/me/")
            page.get_by_text("แจ้งไม่อยู่ปฏิบัติราชการ").wait_for(state="visible")
            _shoot(page, "me", size)
            context.close()
        browser.close()

    for size, data in downloaded.items():
        rows = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
        assert rows[0][:3] == ("เลขทะเบียนส่ง", "ที่", "ลงวันที่"), size
        assert [r[:2] for r in rows[1:]] == [(1, "กบ 52401/1"), (2, "กบ 52401/2")], size
        assert rows[1][5] == SUBJECT and rows[1][6] == "ระหว่างเสนอ", size
    for key, links in found.items():
        assert SUBJECT in links, (key, links)
        assert "รายงานผลการประชุมประจำเดือนพฤศจิกายน" not in links, (key, links)
