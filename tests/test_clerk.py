"""The clerk's view and the outgoing register book (issue 13 item 4), through HTTP."""

import csv
import datetime as dt
import io
import subprocess

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from memos import register_export

from .conftest import create_memo, login

pytestmark = pytest.mark.django_db

YEAR_BE = timezone.localdate().year + 543
THAI = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")


def _submit(api, n=1, prefix="บันทึกทะเบียน", **over) -> list[int]:
    ids = []
    for i in range(n):
        m = create_memo(api, subject=f"{prefix} {i + 1}", **over)
        assert api("rewadee").post(f"/api/memos/{m['id']}/submit/").status_code == 200
        ids.append(m["id"])
    return ids


def test_only_the_role_opens_the_clerk_pages_and_sees_the_menu(api):
    _submit(api)
    for user in ("rewadee", "anchana"):
        browser = login(user)
        assert browser.get("/clerk/").status_code == 403
        assert browser.get(f"/clerk/register/{YEAR_BE}/").status_code == 403
        assert browser.get(f"/clerk/register/{YEAR_BE}/xlsx/").status_code == 403
        assert "/clerk/" not in browser.get("/").content.decode()
        assert api(user).get(f"/api/register/{YEAR_BE}/").status_code == 403
    from django.test import Client

    for url in ("/clerk/", f"/clerk/register/{YEAR_BE}/", "/me/"):  # not logged in: the login page
        r = Client().get(url)
        assert r.status_code == 302 and r["Location"].startswith("/accounts/login/"), url
    clerk = login("thatsanee")  # the seed's สารบรรณ
    assert clerk.get("/clerk/").status_code == 200
    assert 'href="/clerk/"' in clerk.get("/").content.decode()
    assert 'href="/me/"' in clerk.get("/").content.decode()


def test_progress_lists_every_memo_in_progress_with_its_step_assignee_and_wait(api):
    first, second = _submit(api, 2)
    create_memo(api, subject="ร่างที่ไม่มีใครเห็น")  # someone's unsent draft stays private
    # second: step 1 decided, now with thatsanee (head of the clerk's office)
    task = Task.objects.get(process__memoprocess__memo_id=second, status=STATUS.ASSIGNED)
    assert api("anchana").post(f"/api/tasks/{task.pk}/decide/", {"decision": "endorse", "comment": ""},
                               format="json").status_code == 200
    # first: a deadline (the classes helper's task.data["due"]) already past
    task = Task.objects.get(process__memoprocess__memo_id=first, status=STATUS.ASSIGNED)
    task.data = {**(task.data or {}), "due": (timezone.now() - dt.timedelta(days=1)).isoformat()}
    task.save(update_fields=["data"])
    page = login("thatsanee").get("/clerk/").content.decode()
    assert "บันทึกทะเบียน 1" in page and "บันทึกทะเบียน 2" in page
    assert "ร่างที่ไม่มีใครเห็น" not in page
    assert "หัวหน้าฝ่ายแผนงานและงบประมาณ" in page and "นางสาวอัญชนก ดำฤทธิ์" in page  # first's step
    assert "หัวหน้าสำนักปลัดเทศบาล" in page and "นางสาวทรรศนีย์ เสือมาก" in page  # second's
    assert page.count("เกินกำหนด") == 1
    assert "กบ ๕๒๔๐๑/๑" in page and "๐ วัน" in page
    # filters: state, unit, dates; a filter that matches nothing says so
    clerk = login("thatsanee")
    assert "บันทึกทะเบียน" not in clerk.get("/clerk/", {"state": "issued"}).content.decode()
    assert "ไม่พบบันทึกข้อความที่ตรงกับคำค้น" in clerk.get("/clerk/", {"state": "issued"}).content.decode()
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    assert "บันทึกทะเบียน" not in clerk.get("/clerk/", {"date_from": tomorrow}).content.decode()
    r = clerk.get("/clerk/", {"date_from": tomorrow, "date_to": "2020-01-01"})
    assert r.status_code == 200 and "วันที่สิ้นสุดต้องไม่ก่อนวันที่เริ่ม" in r.content.decode()
    assert clerk.get("/clerk/", {"unit": "abc", "page": "x"}).status_code == 200


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url)
    assert r.status_code == 200
    return len(ctx.captured_queries)


def test_clerk_pages_cost_the_same_queries_for_1_and_100_memos(api):
    _submit(api, 1)
    clerk = login("thatsanee")
    urls = ["/clerk/", f"/clerk/register/{YEAR_BE}/", "/memos/?_search=52401/1", "/memos/?_search=ITA"]
    small = {u: _count(clerk, u) for u in urls}
    _submit(api, 99)
    large = {u: _count(clerk, u) for u in urls}
    assert small == large, (small, large)
    assert all(n <= 15 for n in large.values()), large


def test_register_page_and_exports_have_the_same_rows(api):
    _submit(api, 2)
    _submit(api, 1, prefix="บันทึกทะเบียน 3 ถึงปลัด", addressee="ปลัดเทศบาลตำบลคลองพน")
    clerk = login("thatsanee")
    page = clerk.get(f"/clerk/register/{YEAR_BE}/").content.decode()
    assert f"ทะเบียนหนังสือส่ง ประจำปี พ.ศ. {str(YEAR_BE).translate(THAI)}" in page
    for col in register_export.COLUMNS:
        assert col in page
    assert "กบ ๕๒๔๐๑/๓" in page and "บันทึกทะเบียน 3 ถึงปลัด" in page

    r = clerk.get(f"/clerk/register/{YEAR_BE}/xlsx/")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(r.content))
    ws = wb.active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == register_export.COLUMNS
    assert [row[:2] for row in rows[1:]] == [(1, "กบ 52401/1"), (2, "กบ 52401/2"), (3, "กบ 52401/3")]
    assert rows[3][4] == "ปลัดเทศบาลตำบลคลองพน" and rows[1][5] == "บันทึกทะเบียน 1"
    assert rows[1][3] == "สำนักปลัดเทศบาล" and rows[1][6] == "ระหว่างเสนอ"
    assert str(YEAR_BE) in rows[1][2]  # ลงวันที่ in พ.ศ.
    assert ws.freeze_panes == "A2" and ws.column_dimensions["F"].width >= 50
    assert ws.print_title_rows == "$1:$1"  # the header row repeated on every printed page

    r = clerk.get(f"/clerk/register/{YEAR_BE}/csv/")
    assert r.content.startswith(b"\xef\xbb\xbf")  # BOM: Excel opens it as UTF-8
    lines = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert tuple(lines[0]) == register_export.COLUMNS and [ln[1] for ln in lines[1:]] == [
        "กบ 52401/1", "กบ 52401/2", "กบ 52401/3"]

    r = clerk.get(f"/clerk/register/{YEAR_BE}/pdf/")
    assert r.status_code == 200 and r.content.startswith(b"%PDF-")
    info = subprocess.run(["pdfinfo", "-"], input=r.content, capture_output=True, check=True).stdout.decode()
    width, height = (float(x) for x in info.split("Page size:")[1].split("pts")[0].split("x"))
    assert width > height  # landscape A4
    text = subprocess.run(["pdftotext", "-raw", "-", "-"], input=r.content, capture_output=True, check=True).stdout.decode()
    assert "ทะเบียนหนังสือส่ง" in text and "กบ ๕๒๔๐๑/๓" in " ".join(text.split()) and "52401" not in text  # Thai digits

    # the API: same rows; bad year and bad format answer in JSON
    client = api("thatsanee")
    data = client.get(f"/api/register/{YEAR_BE}/").json()
    assert data["count"] == 3 and [x["number"] for x in data["results"]] == ["กบ 52401/1", "กบ 52401/2", "กบ 52401/3"]
    assert data["results"][0]["from"] == "สำนักปลัดเทศบาล"
    assert client.get("/api/register/2026/").status_code == 400
    assert client.get(f"/api/register/{YEAR_BE}/doc/").status_code == 404
    r = client.get(f"/api/register/{YEAR_BE}/xlsx/")
    assert r.status_code == 200 and len(list(load_workbook(io.BytesIO(r.content)).active.iter_rows())) == 4


def test_register_of_another_year_is_empty_and_christian_years_are_not_a_book(api):
    _submit(api, 1)
    clerk = login("thatsanee")
    assert "ยังไม่มีหนังสือส่งในปีนี้" in clerk.get(f"/clerk/register/{YEAR_BE - 1}/").content.decode()
    assert clerk.get(f"/clerk/register/{YEAR_BE - 543}/").status_code == 404
    assert clerk.get("/clerk/register/").status_code == 302
    r = clerk.get(f"/clerk/register/{YEAR_BE - 1}/pdf/")
    assert r.status_code == 200 and r.content.startswith(b"%PDF-")


def test_export_register_command_writes_xlsx_csv_and_pdf(api, tmp_path):
    from django.core.management import call_command

    _submit(api, 2)
    for ext in ("xlsx", "csv", "pdf"):
        out = tmp_path / f"book.{ext}"
        call_command("export_register", "--year", str(YEAR_BE), "-o", str(out))
        assert out.stat().st_size > 100
    assert load_workbook(out.with_suffix(".xlsx")).active.max_row == 3


def test_a_secret_memo_keeps_its_line_in_the_register_without_its_subject(api):
    """The book has no gaps, and a secret memo's line shows its class, not its content (FORMAT.md)."""
    _submit(api, 1)
    _submit(api, 1, prefix="การสอบสวนวินัย", secrecy="confidential")
    _submit(api, 1)
    clerk = login("thatsanee")
    assert "การสอบสวนวินัย" not in clerk.get("/memos/").content.decode()  # not in her list: off its route
    page = clerk.get(f"/clerk/register/{YEAR_BE}/").content.decode()
    assert "กบ ๕๒๔๐๑/๒" in page and "(หนังสือชั้นลับ)" in page and "การสอบสวนวินัย" not in page
    rows = list(load_workbook(io.BytesIO(clerk.get(f"/clerk/register/{YEAR_BE}/xlsx/").content)).active.iter_rows(
        values_only=True))
    assert [r[0] for r in rows[1:]] == [1, 2, 3] and rows[2][5] == "(หนังสือชั้นลับ)"
