"""The auditor's export (issue 11 item 4): a year's register with every memo's decision record.

The export is checkable offline with nothing of this project: the ZIP carries the register, a
README and ``check_register.py`` (``memos/signing/chain.py`` itself, pure standard library; with
``cryptography`` installed it also checks the record signatures against the certificate the
export carries).
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

from django.utils import timezone

from . import records
from .models import DecisionRecord, Memo
from .signing import chain

BUDDHIST_ERA = 543

README = """ทะเบียนหนังสือส่ง พ.ศ. {year_be} พร้อมบันทึกการพิจารณา (สายแฮช) ของหนังสือทุกฉบับ

แฟ้มในชุดนี้
- register.json  ทะเบียน (เลขที่ วันที่ เรื่อง จาก ถึง สถานะ) และบันทึกการพิจารณาทุกขั้นของหนังสือแต่ละฉบับ
- check_register.py  โปรแกรมตรวจสอบ (Python 3.11 ขึ้นไป ไม่ต้องใช้ระบบของหน่วยงาน)

วิธีตรวจ
    python3 check_register.py register.json

โปรแกรมคำนวณค่าแฮช SHA-256 ของทุกบันทึกใหม่ ตรวจว่าแต่ละบันทึกอ้างค่าแฮชของบันทึกก่อนหน้าถูกต้อง
(แก้ไข ลบ หรือสลับบันทึกใดก็ตาม สายจะขาดตั้งแต่จุดนั้น) และเมื่อติดตั้งแพ็กเกจ cryptography แล้ว
(pip install cryptography) จะตรวจลายมือชื่ออิเล็กทรอนิกส์ของแต่ละบันทึกด้วยใบรับรองที่อยู่ใน register.json
ผลเป็นศูนย์ (exit 0) เมื่อถูกต้องครบถ้วน มิฉะนั้นพิมพ์รายการที่ผิดและจบด้วย 1

ค่าแฮชของบันทึก = SHA-256 ของ JSON รูปแบบมาตรฐาน (เรียงคีย์ UTF-8 ข้อความแบบ NFC ไม่เว้นวรรค) ของ
memo, seq, action, fields, content_sha256, prev_sha256 (บันทึกแรกอ้าง 0 จำนวน 64 ตัว)
"""


def export_register(year_be: int, agency_code: str | None = None) -> dict:
    """The register of Buddhist-era year ``year_be`` (every numbered memo, in number order)."""
    memos = (
        Memo.objects.filter(register_year=year_be - BUDDHIST_ERA, number__isnull=False)
        .select_related("agency", "unit")
        .order_by("agency__code", "number")
    )
    if agency_code:
        memos = memos.filter(agency__code=agency_code)
    memos = list(memos)
    chains: dict[int, list[dict]] = {m.pk: [] for m in memos}
    for r in DecisionRecord.objects.filter(memo__in=memos).order_by("memo", "seq"):
        chains[r.memo_id].append(r.as_dict())
    return {
        "format": chain.REGISTER_FORMAT,
        "year_be": year_be,
        "generated_at": timezone.now().isoformat(),
        "certificate": records.default_certificate(),
        "memos": [{**records.register_entry(m), "agency": m.agency.name, "records": chains[m.pk]} for m in memos],
    }


def to_json(export: dict) -> bytes:
    return json.dumps(export, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")


def to_zip(export: dict) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("register.json", to_json(export))
        z.writestr("README.txt", README.format(year_be=export["year_be"]))
        z.writestr("check_register.py", Path(chain.__file__).read_text(encoding="utf-8"))
    return out.getvalue()


def load(data: bytes) -> dict:
    """An export from its JSON or ZIP bytes."""
    if data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            data = z.read("register.json")
    return json.loads(data.decode("utf-8"))


# --- The register book (ทะเบียนหนังสือส่ง, แบบที่ ๑๔; issue 13 item 4) -------------------------------
# One source of rows for the page, the API, XLSX, CSV and the printed PDF.

COLUMNS = ("เลขทะเบียนส่ง", "ที่", "ลงวันที่", "จาก", "ถึง", "เรื่อง", "การปฏิบัติ", "หมายเหตุ")
KEYS = ("register_no", "number", "date", "from", "to", "subject", "action", "remarks")
XLSX_WIDTHS = (12, 18, 20, 28, 30, 60, 16, 24)  # characters
PDF_TABLE_ROWS = 2000  # the document schema's rows per table; a longer year continues in the next
PDF_WIDTHS = (0.7, 1.7, 1.8, 1.5, 1.9, 3.1, 1.3, 1.0)  # relative, landscape A4


def book_queryset(year_be: int, agency_ids: list[int] | None = None, memos=None):
    """The register's memos for Buddhist-era year ``year_be``, in number order: every memo that took
    a number that year (a number, once given, stays in the book whatever became of the memo).
    ``agency_ids`` None = every agency; ``memos`` a queryset to start from (what the user may see)."""
    qs = memos if memos is not None else Memo.objects.all()
    qs = (
        qs.filter(register_year=year_be - BUDDHIST_ERA, number__isnull=False)
        .select_related("agency", "unit")
        .only("pk", "number", "date", "subject", "addressee", "state", "round", "secrecy",
              "agency__code", "agency__name", "unit__name")
        .order_by("agency__code", "number")
    )
    if agency_ids is not None:
        qs = qs.filter(agency_id__in=agency_ids)
    return qs


def rows_of(memos) -> list[dict]:
    """The register lines of these memos (no query beyond the memos themselves)."""
    from .models import MemoState, Secrecy

    labels = dict(MemoState.choices)
    secrecy = dict(Secrecy.choices)
    return [
        {
            "id": m.pk,
            "register_no": m.number,
            "number": m.number_display,
            "date": m.date,
            "from": m.unit.name,
            "to": m.addressee,
            # a secret memo's register entry shows no content (FORMAT.md, ชั้นความลับ): its class only
            "subject": m.subject if m.secrecy == Secrecy.NORMAL else f"(หนังสือชั้น{secrecy[m.secrecy]})",
            "state": m.state,
            "action": str(labels.get(m.state, m.state)),
            "remarks": f"เสนอ {m.round} ครั้ง" if m.round > 1 else "",
        }
        for m in memos
    ]


def book_rows(year_be: int, agency_ids: list[int] | None = None, memos=None) -> list[dict]:
    """Every line of the year's book: the page, the API and the three exports read these."""
    return rows_of(book_queryset(year_be, agency_ids, memos))


def _date_text(day, thai: bool) -> str:
    """The file exports: ``2 กุมภาพันธ์ 2569``; the printed book: ``๒ ก.พ. ๒๕๖๙`` (one line in its column)."""
    from .documents.thai import thai_date, thai_digits

    if day is None:
        return ""
    if thai:
        return thai_digits(f"{day.day} {THAI_MONTHS_SHORT[day.month - 1]} {day.year + BUDDHIST_ERA}")
    return thai_date(day).translate(str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789"))


THAI_MONTHS_SHORT = ("ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.")


def _cells(row: dict, thai: bool = False) -> list:
    """A row as the exports print it: dates in Thai (พ.ศ.), digits Thai in the PDF, Arabic in files."""
    from .documents.digits import thai_digits

    out = [row["register_no"], row["number"], _date_text(row["date"], thai), row["from"], row["to"],
           row["subject"], row["action"], row["remarks"]]
    if thai:
        out = [thai_digits(str(v)) if v not in (None, "") else "" for v in out]
    return out


def title(year_be: int, agency_name: str = "") -> str:
    return f"ทะเบียนหนังสือส่ง ประจำปี พ.ศ. {year_be}" + (f" {agency_name}" if agency_name else "")


def to_csv(rows: list[dict]) -> bytes:
    """UTF-8 with a BOM, so Excel opens Thai as Thai."""
    import csv

    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(COLUMNS)
    for r in rows:
        w.writerow(_cells(r))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(rows: list[dict], year_be: int, agency_name: str = "") -> bytes:
    """Thai headers, column widths, the header row frozen and repeated on every printed page."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = f"ทะเบียนส่ง {year_be}"
    ws.append(list(COLUMNS))
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="E8E8E8")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for r in rows:
        ws.append(_cells(r))
    for i, width in enumerate(XLSX_WIDTHS, 1):
        ws.column_dimensions[get_column_letter(i)].width = width
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(vertical="top", wrap_text=True)
    ws.freeze_panes = "A2"
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.oddHeader.center.text = title(year_be, agency_name)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def to_pdf(rows: list[dict], year_be: int, agency_name: str = "") -> bytes:
    """The printed book, with the project's typesetting library (its "report" document: landscape
    A4, Sarabun, the header row repeated at every page top)."""
    from .documents import render_pdf
    from .documents.digits import thai_digits

    cells = [_cells(r, thai=True) for r in rows] or [["", "", "", "", "", "ไม่มีหนังสือส่งในปีนี้", "", ""]]
    doc = {
        "kind": "report",
        "title": thai_digits(f"ทะเบียนหนังสือส่ง ประจำปี พ.ศ. {year_be}"),
        "subtitle": agency_name or None,
        "tables": [
            {"columns": list(COLUMNS), "widths": list(PDF_WIDTHS), "rows": cells[i : i + PDF_TABLE_ROWS]}
            for i in range(0, len(cells), PDF_TABLE_ROWS)
        ],
    }
    return render_pdf(doc)
