"""Screenshots of the drafting pages at 390x844 and 1366x768 (python shoot.py BASE OUTDIR)."""
import re
import sys

from playwright.sync_api import sync_playwright

BASE, OUT = sys.argv[1], sys.argv[2]
PW = "klongphon-demo"
SIZES = {"390": (390, 844), "1366": (1366, 768)}


def login(page, user):
    page.goto(BASE + "/accounts/login/")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", PW)
    page.get_by_role("button", name="เข้าสู่ระบบ").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def shot(page, name, size, full=True):
    page.wait_for_timeout(400)
    page.screenshot(path=f"{OUT}/{name}-{size}.png", full_page=full)


with sync_playwright() as p:
    b = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
    for size, (w, h) in SIZES.items():
        ctx = b.new_context(viewport={"width": w, "height": h}, locale="en-US")
        page = ctx.new_page()
        page.on("dialog", lambda d: d.accept())
        login(page, "rewadee")
        # a new draft with an error and a refused file and a good file
        page.goto(BASE + "/memos/new/")
        page.fill("input[name=addressee]", "นายกเทศมนตรีตำบลคลองพน")
        page.fill("textarea[name=body]", "ขอรายงานผลการจัดซื้อวัสดุ 12 รายการ")
        page.locator("input[type=file][name=attachment]").set_input_files([
            {"name": "รายงาน.pdf", "mimeType": "application/pdf", "buffer": open("/tmp/drafting-shots/a.pdf", "rb").read()},
            {"name": "ปลอม.pdf", "mimeType": "application/pdf", "buffer": b"this is not a pdf"},
        ])
        page.get_by_role("button", name="บันทึก", exact=True).click()
        page.wait_for_load_state("networkidle")
        shot(page, "ui-memo-new-errors", size, full=False)
        shot(page, "ui-memo-new-errors-full", size)
        page.fill("input[name=subject]", "ทดสอบคัดลอก 2569")
        page.get_by_role("button", name="บันทึก", exact=True).click()
        page.wait_for_url(re.compile(r".*/memos/\d+/$"))
        shot(page, "ui-memo-draft", size)
        memo_url = page.url
        page.goto(memo_url + "edit/")
        shot(page, "ui-memo-edit", size)
        page.goto(BASE + "/memos/4/edit/")
        shot(page, "ui-memo-returned-edit", size, full=False)
        page.goto(BASE + "/memos/1/")
        shot(page, "ui-memo-issued", size, full=False)
        page.goto(BASE + "/memo/")
        shot(page, "ui-403", size, full=False)
        page.goto(BASE + "/memos/99999/")
        shot(page, "ui-404", size, full=False)
        page.goto(BASE + "/memos/")
        shot(page, "ui-memo-list", size)
        page.goto(BASE + "/announcements/")
        shot(page, "ui-announcements", size)
        page.locator(".office-ann-list a").first.click()
        page.wait_for_load_state("networkidle")
        shot(page, "ui-announcement", size)
        ctx.close()
    b.close()
