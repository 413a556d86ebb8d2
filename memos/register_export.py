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
