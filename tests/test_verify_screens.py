"""The /verify/ pages in a real browser (Chromium via Playwright) at a phone's and a laptop's
width: nothing wider than the screen, the verdict readable. With UI_SCREENSHOTS=docs/previews the
screenshots are written there (ui-verify-*.png)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from django.db import transaction

from memos import issuing

from .test_issuing import run_chain

pytestmark = pytest.mark.django_db(transaction=True)
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SIZES = {"390": (390, 844), "1366": (1366, 768)}


@pytest.fixture
def playwright_api():
    sync_api = pytest.importorskip("playwright.sync_api")
    if CHROMIUM is None:
        pytest.skip("no Chromium on this machine (apt-get install chromium)")
    return sync_api


def test_verify_pages_fit_a_phone_and_a_laptop(api, live_server, playwright_api):
    memo = run_chain(api)
    with transaction.atomic():
        issuing.issue(memo.pk)
    memo_code = memo.documents.get(kind="memo").verification.code
    ann_code = memo.documents.get(kind="announcement").verification.code
    pages = {
        "form": "/verify/",
        "announcement": f"/verify/{ann_code}/",
        "memo": f"/verify/{memo_code}/",
        "not-found": "/verify/AAAAA-BBBBB/",
    }
    folder = os.environ.get("UI_SCREENSHOTS")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for size, (w, h) in SIZES.items():
            page = browser.new_context(viewport={"width": w, "height": h}).new_page()
            for name, path in pages.items():
                page.goto(live_server.url + path)
                page.wait_for_load_state("networkidle")
                assert page.evaluate("document.documentElement.scrollWidth") <= w, (name, size)
                text = page.inner_text("main")
                if name in ("announcement", "memo"):
                    assert "เอกสารถูกต้อง" in text
                if folder:
                    page.screenshot(path=str(Path(folder) / f"ui-verify-{name}-{size}.png"), full_page=True)
            page.close()
        browser.close()
