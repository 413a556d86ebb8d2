"""Search (issue 13 item 5): by number as printed (Thai or Arabic digits), date range, drafter, unit,
state, and the words of subject, body and comments, through the memo list page and the API."""

import datetime as dt

import pytest

from memos import search
from memos.models import Memo, Unit

from .conftest import create_memo, login, memo_payload, official

pytestmark = pytest.mark.django_db

COMMENT = "ขอให้ตรวจทานวงเงินงบประมาณค่าวัสดุสำนักงานอีกครั้ง"


def _submitted(api, **over) -> dict:
    m = create_memo(api, **over)
    r = api("rewadee").post(f"/api/memos/{m['id']}/submit/")
    assert r.status_code == 200, r.content
    return r.json()


def _listed(client, **params) -> str:
    r = client.get("/memos/", params)
    assert r.status_code == 200
    return r.content.decode()


def test_number_as_printed_in_thai_or_arabic_digits(api):
    first = _submitted(api, subject="เรื่องที่หนึ่งของทะเบียน")
    second = _submitted(api, subject="เรื่องที่สองของทะเบียน")
    assert Memo.objects.get(pk=first["id"]).number == 1
    browser = login("rewadee")
    for q in ("๕๒๔๐๑/๑", "52401/1", "กบ 52401/1", "กบ ๕๒๔๐๑/๑", "1", " 52401 / 1 "):
        page = _listed(browser, _search=q)
        assert "เรื่องที่หนึ่งของทะเบียน" in page, q
        assert "เรื่องที่สองของทะเบียน" not in page, q
    page = _listed(browser, _search="๕๒๔๐๑/๒")
    assert "เรื่องที่สองของทะเบียน" in page and "เรื่องที่หนึ่งของทะเบียน" not in page
    # API, same selector
    results = api("rewadee").get("/api/memos/", {"q": "๕๒๔๐๑/๑"}).json()["results"]
    assert [m["id"] for m in results] == [first["id"]]
    assert [m["id"] for m in api("rewadee").get("/api/memos/", {"q": "52401/2"}).json()["results"]] == [second["id"]]


def test_words_of_a_comment_and_of_the_body_find_the_memo(api):
    m = _submitted(api, subject="ขออนุมัติจัดซื้อวัสดุ")
    other = _submitted(api, subject="รายงานการประชุมประจำเดือน")
    r = api("anchana").post(f"/api/tasks/{task_of(api, 'anchana', m['id'])}/decide/",
                            {"decision": "endorse", "comment": COMMENT}, format="json")
    assert r.status_code == 200, r.content
    browser = login("rewadee")
    page = _listed(browser, _search="วงเงินงบประมาณ")  # inside an unspaced Thai comment
    assert "ขออนุมัติจัดซื้อวัสดุ" in page and "รายงานการประชุมประจำเดือน" not in page
    # a word of the body (sections JSON), and two words that must both be there
    assert "ขออนุมัติจัดซื้อวัสดุ" in _listed(browser, _search="ป.ป.ช. ITA")
    assert other["id"] in [x["id"] for x in api("rewadee").get("/api/memos/", {"q": "ประชุมประจำเดือน"}).json()["results"]]
    ids = [x["id"] for x in api("rewadee").get("/api/memos/", {"q": "งบประมาณค่าวัสดุ"}).json()["results"]]
    assert ids == [m["id"]]


def task_of(api, username: str, memo_id: int) -> int:
    tasks = [t["id"] for t in api(username).get("/api/tasks/").json()["results"] if t["memo"]["id"] == memo_id]
    assert len(tasks) == 1, (username, memo_id, tasks)
    return tasks[0]


def test_thai_and_arabic_digits_in_text_match_each_other(api):
    create_memo(api, subject="จัดซื้อครุภัณฑ์ ๑๒ รายการ")
    browser = login("rewadee")
    assert "จัดซื้อครุภัณฑ์" in _listed(browser, _search="12 รายการ")
    assert "จัดซื้อครุภัณฑ์" in _listed(browser, _search="๑๒ รายการ")


def test_no_match_and_none_yet_are_different_messages(api):
    browser = login("anchana")  # nothing drafted or reviewed yet
    assert search.NONE_YET in _listed(browser)
    assert search.NO_MATCH not in _listed(browser)
    create_memo(api)
    browser = login("rewadee")
    page = _listed(browser, _search="ไม่มีคำนี้แน่นอน")
    assert search.NO_MATCH in page and search.NONE_YET not in page
    assert search.NO_MATCH in _listed(browser, _search="52401/999")
    assert search.NO_MATCH in _listed(browser, state="issued")


def test_filters_date_drafter_unit_state(api):
    m = _submitted(api, subject="บันทึกที่ส่งแล้ว")
    create_memo(api, subject="ร่างเรื่องวัสดุสำนักงาน")
    browser = login("rewadee")
    today = dt.date.today()
    page = _listed(browser, date_from=today.isoformat(), date_to=today.isoformat())
    assert "บันทึกที่ส่งแล้ว" in page and "ร่างเรื่องวัสดุสำนักงาน" not in page  # a draft has no date yet
    assert search.NO_MATCH in _listed(browser, date_from=(today + dt.timedelta(days=1)).isoformat())
    page = _listed(browser, state="draft")
    assert "ร่างเรื่องวัสดุสำนักงาน" in page and "บันทึกที่ส่งแล้ว" not in page
    page = _listed(browser, drafter=official("rewadee").pk)
    assert "ร่างเรื่องวัสดุสำนักงาน" in page and "บันทึกที่ส่งแล้ว" in page
    assert search.NO_MATCH in _listed(browser, drafter=official("anchana").pk)
    clerk_office = Unit.objects.get(name="สำนักปลัดเทศบาล")  # the plan unit sits under it
    assert "บันทึกที่ส่งแล้ว" in _listed(browser, unit=clerk_office.pk)
    assert search.NO_MATCH in _listed(browser, unit=Unit.objects.get(name="กองช่าง").pk)
    # bad filter values are not a 500: the page says so and lists unfiltered
    r = browser.get("/memos/", {"date_from": "not-a-date", "unit": "x"})
    assert r.status_code == 200
    # the API: same filters, and a bad one is a 400 naming the parameter
    client = api("rewadee")
    assert [x["id"] for x in client.get("/api/memos/", {"state": "in_review", "unit": clerk_office.pk}).json()["results"]] == [m["id"]]
    r = client.get("/api/memos/", {"date_from": "yesterday"})
    assert r.status_code == 400 and r.json()["field"] == "date_from"
    assert client.get("/api/memos/", {"q": "x" * 201}).status_code == 400


def test_search_sees_only_what_the_user_may_see(api):
    _submitted(api, subject="บันทึกของเรวดี")
    # worawit (not on the route's first steps, not a clerk) does not find it by number or by word
    browser = login("worawit")
    assert "บันทึกของเรวดี" not in _listed(browser, _search="52401/1")
    assert api("worawit").get("/api/memos/", {"q": "เรวดี"}).json()["results"] == []


def test_search_text_is_kept_up_to_date_on_edit(api):
    m = create_memo(api, subject="หัวเรื่องเดิม")
    r = api("rewadee").patch(f"/api/memos/{m['id']}/", {"subject": "หัวเรื่องใหม่ล่าสุด"}, format="json")
    assert r.status_code == 200
    stored = Memo.objects.get(pk=m["id"]).search_text
    assert "หัวเรื่องใหม่ล่าสุด" in stored and "หัวเรื่องเดิม" not in stored
    assert memo_payload()["sections"][0]["paragraphs"][0].lower()[:20] in stored


def test_parse_number():
    assert search.parse_number("๕๒๔๐๑/๑") == search.NumberQuery(1, "52401")
    assert search.parse_number("กบ 52401/220") == search.NumberQuery(220, "52401")
    assert search.parse_number("12") == search.NumberQuery(12)
    assert search.parse_number("ITA 2568") is None
    assert search.parse_number("งบประมาณ") is None
