"""The office pages in Chromium (Playwright) against the real stack, on a phone (390×844) and a
desktop (1366×768): the drafter's home lists her returned memo with the reviewer's reason; the
mayor decides the seed memo on the phone without scrolling to find the form, the step tracker
showing the acting capacity (รักษาราชการแทน) and the waiting time; a rejection without a reason
is stopped in the page, in Thai, and a rejection asks for a second click.

Screenshots of each page at both sizes go to the folder named by UI_SCREENSHOTS (docs/previews),
as ``page-WIDTHxHEIGHT.png``. The data is made before the browser starts (Playwright's sync API
keeps an event loop in this thread, and Django refuses ORM calls from one)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.contrib.auth.models import User

from memos import drafting
from memos.models import Memo, MemoState
from workflow import services

from .harness import wait_for
from .test_browser import CHROMIUM, _log_in, _snackbar, playwright_api, server_passwords  # noqa: F401

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}
REASON = "โปรดแนบใบเสนอราคาอย่างน้อยสามราย"


def _decide(username: str, decision: str = "endorse", comment: str = "เห็นควรเสนอตามลำดับ") -> None:
    user = User.objects.get(username=username)
    services.decide(user, services.open_tasks(user).first().pk, decision, comment)


def _make_memos() -> dict[str, int]:
    users = {u.username: u for u in User.objects.all()}
    seed = Memo.objects.get(drafter__user__username="rewadee", state=MemoState.DRAFT)
    services.submit(users["rewadee"], seed.pk)
    for name in ("anchana", "thatsanee", "worawit"):
        _decide(name)  # the seed memo now waits on the mayor; worawit signed acting ปลัดเทศบาล

    def new(subject: str) -> Memo:
        memo = drafting.create_memo(users["rewadee"], {
            "subject": subject, "addressee": "นายกเทศมนตรีตำบลคลองพน",
            "sections": [{"heading": "เรื่องเดิม", "paragraphs": ["ฝ่ายแผนงานขอเสนอเรื่องนี้เพื่อพิจารณา"], "items": []}],
        })
        services.submit(users["rewadee"], memo.pk)
        return memo

    returned = new("ขออนุมัติซ่อมแซมหลังคาศาลาประชาคม")
    _decide("anchana", "return", REASON)
    to_reject = new("ขออนุมัติจัดงานเลี้ยงส่งท้ายปี")
    drafting.create_memo(users["rewadee"], {"subject": "ร่างขอจัดซื้อหมึกพิมพ์", "addressee": "ปลัดเทศบาล",
                                            "sections": [{"heading": None, "paragraphs": ["ร่าง"], "items": []}]})
    return {"seed": seed.pk, "returned": returned.pk, "to_reject": to_reject.pk,
            "mayor_task": services.open_tasks(users["phichet"]).first().pk,
            "reject_task": services.open_tasks(users["anchana"]).first().pk}


def _context(browser, base: str, viewport: dict, username: str):
    mobile = viewport is PHONE
    context = browser.new_context(viewport=viewport, base_url=base, is_mobile=mobile, has_touch=mobile,
                                  device_scale_factor=2 if mobile else 1)
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto("/")
    _log_in(page, username)
    return page


def _shoot(page, name: str, viewport: dict) -> None:
    if folder := os.environ.get("UI_SCREENSHOTS"):
        page.screenshot(path=str(Path(folder) / f"{name}-{viewport['width']}x{viewport['height']}.png"),
                        full_page=True)


def test_office_pages_on_a_phone_and_a_desktop(server_passwords, stack, sink, playwright_api):  # noqa: F811
    ids = _make_memos()
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for viewport in (DESKTOP, PHONE):
            _drafter_home(browser, stack.base_url, viewport, ids)
            _memo_page(browser, stack.base_url, viewport, ids)
        _task_page_on_desktop(browser, stack.base_url, ids)
        _reject_needs_a_reason(browser, stack.base_url, ids)
        _mayor_decides_on_the_phone(browser, stack.base_url, ids)
        browser.close()
    assert Memo.objects.get(pk=ids["seed"]).state in (MemoState.APPROVED, MemoState.ISSUED)
    rejected = Memo.objects.get(pk=ids["to_reject"])
    assert rejected.state == MemoState.REJECTED
    assert rejected.decisions.get().comment == "ไม่มีงบประมาณในปีนี้"


def _drafter_home(browser, base, viewport, ids) -> None:
    page = _context(browser, base, viewport, "rewadee")
    page.goto("/")
    returned = page.locator("#returned")
    assert returned.get_by_text("ขออนุมัติซ่อมแซมหลังคาศาลาประชาคม").is_visible()
    assert returned.get_by_text(REASON).is_visible()
    assert page.locator("#drafts").get_by_text("ร่างขอจัดซื้อหมึกพิมพ์").is_visible()
    ongoing = page.locator("#in-review")
    assert ongoing.get_by_text("ขออนุมัติจัดงานเลี้ยงส่งท้ายปี").is_visible()
    assert "รอ" in ongoing.inner_text()
    _shoot(page, "home", viewport)
    page.context.close()


def _memo_page(browser, base, viewport, ids) -> None:
    page = _context(browser, base, viewport, "rewadee")
    page.goto(f"/memos/{ids['seed']}/")
    tracker = page.locator(".office-tracker")
    assert "รักษาราชการแทน ปลัดเทศบาลตำบลคลองพน" in tracker.inner_text()
    assert "รอ" in tracker.locator(".office-step--current").inner_text()
    _shoot(page, "memo", viewport)
    page.context.close()


def _task_page_on_desktop(browser, base, ids) -> None:
    page = _context(browser, base, DESKTOP, "phichet")
    page.goto(f"/tasks/{ids['mayor_task']}/")
    box = page.locator("[data-submit]").bounding_box()
    assert box and box["y"] + box["height"] <= DESKTOP["height"], box
    _shoot(page, "task", DESKTOP)
    page.context.close()


def _reject_needs_a_reason(browser, base, ids) -> None:
    page = _context(browser, base, PHONE, "anchana")
    url = f"/tasks/{ids['reject_task']}/"
    page.goto(url)
    page.locator("label.office-choice__option--reject").click()
    page.locator("[data-submit]").click()
    alert = page.locator("[data-errors]")
    alert.wait_for(state="visible")
    assert "โปรดระบุเหตุผลที่ไม่อนุมัติ" in alert.inner_text()
    comment = page.locator("textarea[name=comment]")
    assert comment.evaluate("e => e.validationMessage") == "โปรดระบุเหตุผลที่ไม่อนุมัติ"  # not the browser's English
    assert page.url.endswith(url)
    _shoot(page, "task-reject-no-reason", PHONE)
    comment.fill("ไม่มีงบประมาณในปีนี้")
    page.locator("[data-submit]").click()
    confirm = page.locator("[data-confirm]")
    confirm.wait_for(state="visible")
    assert "กดอีกครั้งเพื่อยืนยัน" in confirm.inner_text() and page.url.endswith(url)
    _shoot(page, "task-reject-confirm", PHONE)
    page.get_by_role("button", name="ยืนยันไม่อนุมัติ").click()
    wait_for(lambda: "บันทึกการพิจารณาแล้ว" in _snackbar(page), 20, what="decision message")
    page.context.close()


def _mayor_decides_on_the_phone(browser, base, ids) -> None:
    page = _context(browser, base, PHONE, "phichet")
    page.goto(f"/tasks/{ids['mayor_task']}/")
    assert page.evaluate("window.scrollY") == 0
    for locator in (page.locator("label.office-choice__option--endorse"), page.locator("[data-submit]")):
        box = locator.bounding_box()
        assert box and box["y"] + box["height"] <= PHONE["height"], box  # in the first screen
    tracker = page.locator(".office-tracker").inner_text()
    assert "รักษาราชการแทน ปลัดเทศบาลตำบลคลองพน" in tracker and "รอ" in tracker
    _shoot(page, "task", PHONE)
    page.locator("label.office-choice__option--endorse").click()
    page.get_by_role("button", name="อนุมัติ", exact=True).click()
    page.locator("[data-submit]").click()
    wait_for(lambda: "บันทึกการพิจารณาแล้ว" in _snackbar(page), 20, what="decision message")
    page.context.close()
