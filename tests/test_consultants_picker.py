"""The drafting form's consultants' picker (issue 12, item 2: "the drafter picks the memo type, and
may add consultation units if the template allows"): shown for a memo type whose route lets the
drafter add consulted posts (จัดซื้อจัดจ้าง in the demo), not for ทั่วไป; the route's own posts
fixed; what is ticked becomes consultation tasks at submit, in a deliberate order (the route's
own by id, then the drafter's in the list's order, the agency's unit tree); a bad post id is a Thai
error by the field, never a 500. The API keeps its shape. Through the HTTP test client and the
real database."""

from __future__ import annotations

import html
import re

import pytest

from memos.models import Memo, MemoState, MemoStep, Position

from .conftest import create_memo, login, my_task

pytestmark = pytest.mark.django_db

FIELDS = {"subject": "ขอความเห็นชอบจัดซื้อวัสดุสำนักงาน", "addressee": "นายกเทศมนตรีตำบลคลองพน",
          "body": "ด้วยฝ่ายแผนงานและงบประมาณมีความประสงค์จะจัดซื้อวัสดุสำนักงาน", "closing": "จึงเรียนมาเพื่อโปรดพิจารณา"}
WORKS, FINANCE = "ผู้อำนวยการกองช่าง", "ผู้อำนวยการกองคลัง"
HEAD_CLERK, MAYOR, HEAD_PLAN = "หัวหน้าสำนักปลัดเทศบาล", "นายกเทศมนตรีตำบลคลองพน", "หัวหน้าฝ่ายแผนงานและงบประมาณ"
NOT_OPEN = "ไม่เปิดให้ผู้ร่างเพิ่มผู้ให้ความเห็น"


def pk(title: str) -> int:
    return Position.objects.get(title=title).pk


def picker(page: str) -> str | None:
    """The picker's fieldset, or None when the page has none."""
    found = re.search(r'<fieldset class="office-consult[^"]*" id="id_consultants".*?</fieldset>', page, re.S)
    return html.unescape(found.group(0)) if found else None


def opening_tag(fieldset: str) -> str:
    return fieldset[: fieldset.index(">") + 1]


def items(fieldset: str) -> list[tuple[str, bool, bool]]:
    """(label text, ticked, fixed) of each post, in the order listed."""
    out = []
    for li in re.findall(r"<li .*?</li>", fieldset, re.S):
        box = re.search(r"<input[^>]*>", li).group(0)
        shown = re.sub(r'<span class="office-consult__fixed" hidden="hidden">.*?</span>', "", li)
        text = " ".join(re.sub(r"<[^>]+>", " ", shown).split())
        out.append((text, "checked" in box, 'disabled' in box and "office-consult__item--fixed" in li))
    return out


def errors_of(page: str) -> list[str]:
    alert = re.search(r'<div class="office-form-alert".*?</ul>', page, re.S)
    assert alert, "no error summary"
    return [re.sub(r"<[^>]+>", "", li).strip() for li in re.findall(r"<li>(.*?)</li>", html.unescape(alert.group(0)), re.S)]


def consultation(memo_id: int) -> list[str]:
    """The memo's consulted posts by slot (the order of the tracker and of the signed memo)."""
    steps = MemoStep.objects.filter(memo_id=memo_id, consult=True).select_related("position").order_by("order", "slot")
    return [s.position.title for s in steps]


def test_the_picker_is_for_procurement_not_for_general(demo):
    c = login("rewadee")
    new = picker(c.get("/memos/new/").content.decode())
    # ทั่วไป (the default): drawn hidden and disabled, so nothing in it is sent
    assert new is not None
    assert 'hidden="hidden"' in opening_tag(new) and 'disabled="disabled"' in opening_tag(new)
    # จัดซื้อจัดจ้าง (a form that comes back with another error): shown, the route's own posts
    # first, ticked and fixed, then the agency's posts in its unit tree, each with who holds it
    r = c.post("/memos/new/", {**FIELDS, "subject": "", "memo_type": "procurement"})
    assert r.status_code == 200
    shown = picker(r.content.decode())
    assert "hidden" not in opening_tag(shown) and "disabled" not in opening_tag(shown)
    assert "ขอความเห็นเพิ่มเติม" in shown
    listed = items(shown)
    assert [(text, ticked, fixed) for text, ticked, fixed in listed[:2]] == [
        (f"{WORKS} (นายวรวิทย์ หัวแหลม) ตามเส้นทางเสนอ", True, True),
        (f"{FINANCE} (นางกนกวรรณ ทองคำ) ตามเส้นทางเสนอ", True, True),
    ]
    assert [text for text, _, _ in listed[2:]] == [
        f"{HEAD_CLERK} (นางสาวทรรศนีย์ เสือมาก)",
        "ปลัดเทศบาล (นายวรวิทย์ หัวแหลม รักษาราชการแทน)",  # the acting one, as the task would go
        f"{MAYOR} (นายพิเชษฐ์ คีตรอบ)",
        f"{HEAD_PLAN} (นางสาวอัญชนก ดำฤทธิ์)",
    ]
    assert not any(ticked for _, ticked, _ in listed[2:])
    assert "นักวิเคราะห์นโยบายและแผน" not in shown  # not her own post
    # a drafter whose memo types all go by a route without a consultation to add to: no picker
    assert picker(login("kanokwan").get("/memos/new/").content.decode()) is None


def test_a_ticked_post_becomes_a_consultation_task_after_submit(api):
    c = login("rewadee")
    r = c.post("/memos/new/", {**FIELDS, "memo_type": "procurement", "consultants": [str(pk(HEAD_CLERK))]})
    assert r.status_code == 302, errors_of(r.content.decode())
    memo = Memo.objects.get()
    assert memo.memo_type_id == "procurement" and list(memo.consultants.values_list("title", flat=True)) == [HEAD_CLERK]
    # the edit page shows it ticked
    listed = items(picker(c.get(f"/memos/{memo.pk}/edit/").content.decode()))
    assert (f"{HEAD_CLERK} (นางสาวทรรศนีย์ เสือมาก)", True, False) in listed
    assert c.post(f"/memos/{memo.pk}/submit/").status_code == 302
    assert consultation(memo.pk) == [WORKS, FINANCE, HEAD_CLERK]
    page = c.get(f"/memos/{memo.pk}/").content.decode()
    assert page.index(FINANCE) < page.index(HEAD_CLERK, page.index(FINANCE))  # the tracker, in slot order
    r = api("anchana").post(f"/api/tasks/{my_task(api, 'anchana')}/decide/",
                            {"decision": "endorse", "comment": "เห็นควรขอความเห็น"}, format="json")
    assert r.status_code == 200, r.content
    # หัวหน้าสำนักปลัด has a consultation task, beside กองคลัง and กองช่าง
    task = my_task(api, "thatsanee")
    assert 'value="object"' in login("thatsanee").get(f"/tasks/{task}/").content.decode()
    for user in ("kanokwan", "worawit"):
        my_task(api, user)


def test_the_order_is_the_routes_own_then_the_list_of_the_unit_tree(demo):
    c = login("rewadee")
    # ticked (or sent) in any order, and one of the route's own again: kept once, in the list's order
    posted = [str(pk(HEAD_PLAN)), str(pk(MAYOR)), str(pk(WORKS)), str(pk(HEAD_CLERK))]
    r = c.post("/memos/new/", {**FIELDS, "memo_type": "procurement", "consultants": posted})
    assert r.status_code == 302, errors_of(r.content.decode())
    memo = Memo.objects.get()
    assert c.post(f"/memos/{memo.pk}/submit/").status_code == 302
    assert consultation(memo.pk) == [WORKS, FINANCE, HEAD_CLERK, MAYOR, HEAD_PLAN]
    assert list(MemoStep.objects.filter(memo=memo, consult=True).order_by("slot").values_list("slot", flat=True)) == [
        0, 1, 2, 3, 4]


@pytest.mark.parametrize("bad", ["999999", "abc", "9" * 30, "-1"])
def test_an_unknown_post_is_a_thai_error_by_the_field(demo, bad):
    c = login("rewadee")
    r = c.post("/memos/new/", {**FIELDS, "memo_type": "procurement", "consultants": [str(pk(HEAD_CLERK)), bad]})
    assert r.status_code == 200
    page = r.content.decode()
    assert errors_of(page) == ["ขอความเห็นเพิ่มเติม: ตำแหน่งที่เลือกไม่อยู่ในหน่วยงานนี้ โปรดเลือกจากรายการ"]
    shown = picker(page)
    assert "office-consult--error" in opening_tag(shown) and "hidden" not in opening_tag(shown)
    assert '<p class="office-consult__error" role="alert">ตำแหน่งที่เลือกไม่อยู่ในหน่วยงานนี้' in shown
    assert (f"{HEAD_CLERK} (นางสาวทรรศนีย์ เสือมาก)", True, False) in items(shown)  # the good tick is kept
    assert not Memo.objects.exists()


def test_a_post_ticked_for_a_type_that_takes_none_is_refused_in_thai(demo):
    """Without the page's script the list stays as drawn: a tick sent with ทั่วไป is refused by
    the field (the route would refuse it at submit), and the list is shown to untick it."""
    c = login("rewadee")
    r = c.post("/memos/new/", {**FIELDS, "memo_type": "general", "consultants": [str(pk(HEAD_CLERK))]})
    assert r.status_code == 200
    page = r.content.decode()
    assert errors_of(page) == ["ขอความเห็นเพิ่มเติม: ประเภทบันทึก “ทั่วไป” ไม่เปิดให้ผู้ร่างเพิ่มผู้ให้ความเห็น "
                               "โปรดเอาเครื่องหมายออก หรือเลือกประเภทบันทึกอื่น"]
    assert "hidden" not in opening_tag(picker(page))
    assert not Memo.objects.exists()
    # nothing ticked (the list hidden and disabled sends nothing): saved, with no consultants
    assert c.post("/memos/new/", {**FIELDS, "memo_type": "general"}).status_code == 302


def test_an_edit_to_general_clears_them_and_a_returned_memo_keeps_its_own(api):
    c = login("rewadee")
    draft = create_memo(api, memo_type="procurement", consultants=[pk(MAYOR)])
    r = c.post(f"/memos/{draft['id']}/edit/", {**FIELDS, "memo_type": "general"})
    assert r.status_code == 302
    assert not Memo.objects.get(pk=draft["id"]).consultants.exists()
    # submitted once, the route (with its consultants) was copied: the list is shown, not editable
    m = create_memo(api, memo_type="procurement", consultants=[pk(HEAD_CLERK)])
    assert c.post(f"/memos/{m['id']}/submit/").status_code == 302
    r = api("anchana").post(f"/api/tasks/{my_task(api, 'anchana')}/decide/",
                            {"decision": "return", "comment": "แก้ไขจำนวน"}, format="json")
    assert r.status_code == 200 and Memo.objects.get(pk=m["id"]).state == MemoState.RETURNED
    shown = picker(c.get(f"/memos/{m['id']}/edit/").content.decode())
    assert 'data-locked="locked"' in opening_tag(shown) and 'disabled="disabled"' in opening_tag(shown)
    assert "ส่งเสนอแล้ว ผู้ให้ความเห็นกำหนดไว้ตั้งแต่ส่งครั้งแรก" in shown
    assert (f"{HEAD_CLERK} (นางสาวทรรศนีย์ เสือมาก)", True, False) in items(shown)
    r = c.post(f"/memos/{m['id']}/edit/", {**FIELDS, "memo_type": "procurement", "consultants": [str(pk(MAYOR))]})
    assert r.status_code == 302
    assert list(Memo.objects.get(pk=m["id"]).consultants.values_list("title", flat=True)) == [HEAD_CLERK]


def test_the_api_is_unchanged_and_keeps_the_order_it_is_given(api):
    m = create_memo(api, memo_type="procurement", consultants=[pk(MAYOR), pk(HEAD_CLERK)])
    assert m["memo_type"] == "procurement" and sorted(m["consultants"]) == sorted([pk(MAYOR), pk(HEAD_CLERK)])
    # a PATCH without them keeps them, and their order
    r = api("rewadee").patch(f"/api/memos/{m['id']}/", {"subject": "เรื่องใหม่"}, format="json")
    assert r.status_code == 200 and sorted(r.json()["consultants"]) == sorted([pk(MAYOR), pk(HEAD_CLERK)])
    out = api("rewadee").post(f"/api/memos/{m['id']}/submit/")
    assert out.status_code == 200, out.content
    assert [p["position"] for s in out.json()["route"] if s["consultation"] for p in s["participants"]] == [
        WORKS, FINANCE, MAYOR, HEAD_CLERK]
    # an unknown post is still the API's 400 on the field; a general memo's still refused at submit
    r = api("rewadee").post("/api/memos/", {"subject": "ก", "addressee": "ข", "consultants": [999999],
                                            "sections": [{"paragraphs": ["ค"]}]}, format="json")
    assert r.status_code == 400 and r.json()["field"] == "consultants"
    g = create_memo(api, consultants=[pk(HEAD_CLERK)])
    r = api("rewadee").post(f"/api/memos/{g['id']}/submit/")
    assert r.status_code == 400 and NOT_OPEN in r.json()["message"]


def test_the_page_follows_the_memo_type_in_chromium(demo, live_server):
    """The page's script (static/js/consultants.js) in Chromium, on a phone: the list appears with
    จัดซื้อจัดจ้าง, its route's own posts ticked and fixed; back to ทั่วไป it hides and sends nothing;
    a tick made under จัดซื้อจัดจ้าง is saved. The data is read after the browser closes (Django
    refuses ORM calls beside Playwright's event loop)."""
    from .e2e.test_browser import CHROMIUM

    sync_api = pytest.importorskip("playwright.sync_api")
    if CHROMIUM is None:
        pytest.skip("no Chromium on this machine (apt-get install chromium)")
    head_clerk, works_id = pk(HEAD_CLERK), pk(WORKS)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
        page.goto(live_server.url + "/accounts/login/")
        page.fill("input[name=username]", "rewadee")
        page.fill("input[name=password]", "klongphon-demo")
        page.get_by_role("button", name="เข้าสู่ระบบ").click()
        page.wait_for_url(lambda url: "/accounts/login/" not in url)

        def choose(code: str) -> None:
            page.locator("vf-field-select[name=memo_type] .mdc-select__anchor").click()
            page.locator(f"vf-field-select[name=memo_type] li[data-value={code}]").click()
            page.wait_for_selector("vf-field-select[name=memo_type] .mdc-menu-surface--open", state="detached")
            page.wait_for_timeout(300)  # the menu's closing animation swallows a click meanwhile

        page.goto(live_server.url + "/memos/new/")
        page.wait_for_selector("vf-field-select[name=memo_type] .mdc-select__anchor")
        picker_ = page.locator("fieldset#id_consultants")
        assert picker_.is_hidden()
        for name, value in FIELDS.items():
            page.locator(f"input[name={name}], textarea[name={name}]").fill(value)
        choose("procurement")
        picker_.wait_for(state="visible")
        works = page.locator(f"#id_consultants_{works_id}")
        assert works.is_checked() and works.is_disabled()
        page.locator(f"#id_consultants_{head_clerk}").check()
        choose("general")
        picker_.wait_for(state="hidden")
        assert page.evaluate("document.querySelector('#id_consultants').disabled")
        page.get_by_role("button", name="บันทึก", exact=True).click()
        page.wait_for_url(re.compile(r".*/memos/\d+/$"))
        general_url = page.url
        page.goto(live_server.url + "/memos/new/")
        page.wait_for_selector("vf-field-select[name=memo_type] .mdc-select__anchor")
        for name, value in FIELDS.items():
            page.locator(f"input[name={name}], textarea[name={name}]").fill(value)
        choose("procurement")
        page.locator(f"#id_consultants_{head_clerk}").check()
        page.get_by_role("button", name="บันทึก", exact=True).click()
        page.wait_for_url(re.compile(r".*/memos/\d+/$"))
        procurement_url = page.url
        browser.close()
    general = Memo.objects.get(pk=int(general_url.rstrip("/").rsplit("/", 1)[1]))
    assert general.memo_type_id == "general" and not general.consultants.exists()
    procurement = Memo.objects.get(pk=int(procurement_url.rstrip("/").rsplit("/", 1)[1]))
    assert procurement.memo_type_id == "procurement"
    assert list(procurement.consultants.values_list("pk", flat=True)) == [head_clerk]
