"""Screenshots of the drafting form's consultants' picker at 390x844 and 1366x768
(python shoot_consultants.py BASE OUTDIR), on the demo data: rewadee picks จัดซื้อจัดจ้าง (the
route's กองคลัง and กองช่าง fixed), ticks หัวหน้าสำนักปลัดเทศบาล, saves, and opens the draft again."""
import re
import sys

from playwright.sync_api import sync_playwright

BASE, OUT = sys.argv[1], sys.argv[2]
SIZES = {"390": (390, 844), "1366": (1366, 768)}


def login(page, user):
    page.goto(BASE + "/accounts/login/")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", "klongphon-demo")
    page.get_by_role("button", name="เข้าสู่ระบบ").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def choose_type(page, code):
    """Viewflow's Material select: open it, pick, and let its menu close (a click meanwhile is lost)."""
    page.locator("vf-field-select[name=memo_type] .mdc-select__anchor").click()
    page.locator(f"vf-field-select[name=memo_type] li[data-value={code}]").click()
    page.wait_for_selector("vf-field-select[name=memo_type] .mdc-menu-surface--open", state="detached")
    page.wait_for_timeout(300)


def shot(page, name, size, locator=None):
    page.wait_for_timeout(400)
    if locator is not None:  # the picker and the fields around it, as the eye meets them
        locator.scroll_into_view_if_needed()
        page.evaluate("el => el.scrollIntoView({block: 'center'})", locator.element_handle())
        page.wait_for_timeout(200)
        page.screenshot(path=f"{OUT}/{name}-{size}.png")
    else:
        page.screenshot(path=f"{OUT}/{name}-{size}.png", full_page=True)


with sync_playwright() as p:
    b = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
    for size, (w, h) in SIZES.items():
        ctx = b.new_context(viewport={"width": w, "height": h})
        page = ctx.new_page()
        login(page, "rewadee")
        page.goto(BASE + "/memos/new/")
        page.wait_for_selector(".mdc-select__anchor")
        picker = page.locator("fieldset#id_consultants")
        assert picker.is_hidden()  # ทั่วไป: no consultation to add to
        page.fill("input[name=subject]", "ขอความเห็นชอบจัดซื้อวัสดุสำนักงาน")
        page.fill("input[name=addressee]", "นายกเทศมนตรีตำบลคลองพน")
        page.fill("textarea[name=body]", "ด้วยฝ่ายแผนงานและงบประมาณ มีความประสงค์จะจัดซื้อวัสดุสำนักงาน ๑๒ รายการ")
        choose_type(page, "procurement")
        picker.wait_for(state="visible")
        # back to ทั่วไป hides it and sends nothing; จัดซื้อจัดจ้าง again shows it as it was
        page.get_by_label(re.compile("นายกเทศมนตรี")).check()
        choose_type(page, "general")
        picker.wait_for(state="hidden")
        assert page.evaluate("document.querySelector('#id_consultants').disabled")
        choose_type(page, "procurement")
        picker.wait_for(state="visible")
        assert page.get_by_label(re.compile("นายกเทศมนตรี")).is_checked()
        page.get_by_label(re.compile("นายกเทศมนตรี")).uncheck()
        assert page.get_by_label(re.compile("ผู้อำนวยการกองคลัง")).is_disabled()
        page.get_by_label(re.compile("หัวหน้าสำนักปลัดเทศบาล")).check()
        shot(page, "ui-memo-consultants", size, picker)
        shot(page, "ui-memo-consultants-full", size)
        page.get_by_role("button", name="บันทึก", exact=True).click()
        page.wait_for_url(re.compile(r".*/memos/\d+/$"))
        page.goto(page.url + "edit/")
        picker.wait_for(state="visible")
        shot(page, "ui-memo-consultants-edit", size, picker)
        # a post that is not the agency's (a tampered form): the Thai error by the field
        page.evaluate("document.querySelector('#id_consultants input:not(:checked)').value = '999999'")
        page.locator("#id_consultants input:not(:checked)").first.check()
        page.get_by_role("button", name="บันทึก", exact=True).click()
        page.wait_for_selector(".office-consult__error")
        shot(page, "ui-memo-consultants-error", size, picker)
        ctx.close()
    b.close()
