"""Page make-up of the printed documents, read back from real PDFs (poppler's pdftotext, its word
boxes, and page images): keep rules, report tables, digits, and the memo's format points.

Documents are built to hit each rule: a body whose end moves across the page bottom one step at a
time, a report of 20+ pages, narrow columns, numbers in URLs and identifiers.
"""

from __future__ import annotations

import copy
import io
import json
import re
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest

from memos.documents import DocumentError, layout, parse_document, render_pdf
from memos.documents.digits import thai_digits

from .pdfcheck import is_page_number, word_bboxes

ROOT = Path(__file__).resolve().parent.parent
PAGE_NUMBER = re.compile(r"^- \S+ [-\u2011]$")  # the last dash reads U+2011 (common._unhyphenated)
# a sentence of official Thai prose, repeated to make paragraphs of any length
PHRASE = "การดำเนินงานตามแผนปฏิบัติการป้องกันการทุจริตของเทศบาลตำบลคลองพน "


def load(name: str) -> dict:
    return json.loads((ROOT / "examples" / f"{name}.json").read_text(encoding="utf-8"))


def pages(pdf: bytes) -> list[list[str]]:
    """Text lines of each page (content-stream order), page numbers left out."""
    out = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True,
                         check=True).stdout.decode()
    result = []
    for page in out.split("\f")[:-1]:
        lines = [ln.strip() for ln in page.splitlines() if ln.strip()]
        result.append([ln for ln in lines if not PAGE_NUMBER.match(ln)])
    return result


def squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


def find_line(lines: list[str], text: str) -> int:
    target = squash(text)
    return next((i for i, ln in enumerate(lines) if target in squash(ln)), -1)


def page_of(pp: list[list[str]], text: str) -> tuple[int, int]:
    for p, lines in enumerate(pp):
        i = find_line(lines, text)
        if i >= 0:
            return p, i
    raise AssertionError(f"not found: {text}")


# ---------------------------------------------------------------- keep rules


def _memo_ending_with(reps: int, filler: int = 1) -> dict:
    """One section of ``filler`` long paragraphs and a last paragraph of ``reps`` phrases: as reps
    grows, the end of the body walks down page 1 and over its bottom."""
    doc = load("memo")
    doc["endorsements"] = []
    long = " ".join(p for s in doc["sections"] for p in s["paragraphs"])
    doc["sections"] = [{"heading": "ข้อเท็จจริง", "paragraphs": [long] * filler + [PHRASE * reps]}]
    return doc


def test_signature_block_takes_at_least_the_last_two_lines_of_text_with_it():
    doc0 = _memo_ending_with(1)
    name = f"({doc0['signer']['name']})"
    layouts = set()
    for reps in range(28, 46):
        doc = _memo_ending_with(reps)
        pp = pages(render_pdf(doc))
        p_name, _ = page_of(pp, name)
        p_close, i_close = page_of(pp, doc["closing"])
        layouts.add((len(pp), p_name))
        assert p_close == p_name, f"reps={reps}: closing line on page {p_close + 1}, signature on {p_name + 1}"
        if p_name > 0:  # on a later page, body lines come with it (its last two at least)
            assert i_close >= 2, f"reps={reps}: {pp[p_name][:4]}"
    # the end really did cross a page bottom during the sweep (where depends on the leading)
    assert len({p for _, p in layouts}) >= 2, layouts


def test_heading_never_ends_a_page_and_takes_two_lines_with_it():
    seen = set()
    for reps in range(1, 12):
        doc = load("memo")
        doc["endorsements"] = []
        long = " ".join(p for s in doc["sections"] for p in s["paragraphs"])
        doc["sections"] = [
            {"heading": "เรื่องเดิม", "paragraphs": [long] * 2 + [PHRASE * reps]},
            {"heading": "ข้อพิจารณาลำดับถัดไป", "paragraphs": [long, long]},
        ]
        pp = pages(render_pdf(doc))
        p, i = page_of(pp, "ข้อพิจารณาลำดับถัดไป")
        seen.add(p)
        follows = pp[p][i + 1:i + 3]
        assert len(follows) == 2, f"reps={reps}: heading with {len(follows)} line(s) after it on its page"
        assert squash(follows[0])[:8] == squash(long)[:8], f"reps={reps}: the heading's first line is not with it"
    assert len(seen) >= 2, seen  # the heading really did reach a page bottom


def test_seed_memo_last_heading_goes_with_its_paragraph_and_the_signature():
    """The seed memo's last section (heading, one paragraph) used to leave "๔. ข้อพิจารณา" alone at
    the bottom of page 1 once its paragraph went with the signature."""
    doc = load("memo")
    pp = pages(render_pdf(doc))
    for s_index, section in enumerate(doc["sections"], 1):
        p, i = page_of(pp, f"{thai_digits(str(s_index))}. {section['heading']}")
        assert len(pp[p][i + 1:i + 3]) == 2, f"heading {s_index} ends page {p + 1}"


def test_announcement_date_line_stays_with_signature_and_text():
    base = load("announcement")
    crossed = set()
    for reps in range(15, 34):
        doc = copy.deepcopy(base)
        doc["paragraphs"] = base["paragraphs"] * 2 + [PHRASE * reps]
        pp = pages(render_pdf(doc))
        p_date, i_date = page_of(pp, "ประกาศ ณ วันที่")
        p_name, _ = page_of(pp, f"({doc['signer']['name']})")
        p_pos = max(p for p, lines in enumerate(pp) if find_line(lines, doc["signer"]["position"]) >= 0)
        crossed.add(p_date)
        assert p_date == p_name == p_pos, f"reps={reps}: date p{p_date + 1}, name p{p_name + 1}, position p{p_pos + 1}"
        if p_date > 0:
            assert i_date >= 2, f"reps={reps}: date line without the text before it: {pp[p_date][:3]}"
    assert len(crossed) >= 2, crossed  # the date line really did cross a page bottom


def test_no_one_line_widow_or_orphan_in_body_paragraphs():
    """Paragraphs are tagged PARA<n> at their start; each part of a paragraph cut by a page break has
    two lines at least."""
    problems, cuts = [], 0
    for reps in range(4, 16):
        doc = load("memo")
        doc["endorsements"] = []
        doc["sections"] = [{"heading": "ข้อเท็จจริง",
                            "paragraphs": [f"PARA{i} " + PHRASE * (reps + i % 3) for i in range(12)]}]
        pp = pages(render_pdf(doc))
        for p in range(len(pp) - 1):
            tail = pp[p]
            start = max(i for i, ln in enumerate(tail) if "PARA" in ln)
            head_lines = len(tail) - start
            nxt = pp[p + 1]
            if not nxt or "PARA" in nxt[0] or squash(doc["closing"]) in squash(nxt[0]):
                continue  # the page break fell between paragraphs
            cuts += 1
            follow = next((i for i, ln in enumerate(nxt) if "PARA" in ln or squash(doc["closing"]) in squash(ln)),
                          len(nxt))
            if head_lines < 2 or follow < 2:
                problems.append(f"reps={reps} page {p + 1}: {head_lines} line(s) before the break, {follow} after")
    assert cuts >= 5
    assert not problems, problems


def test_report_caption_goes_with_its_header_and_first_row():
    base = load("report")
    seen = set()
    for reps in range(10, 26):
        doc = copy.deepcopy(base)
        doc["intro"] = [PHRASE * 6, PHRASE * reps]
        doc["tables"] = [dict(base["tables"][0], caption="ตารางที่ ๑ ผลการดำเนินการ")]
        pp = pages(render_pdf(doc))
        p_cap, _ = page_of(pp, "ตารางที่ ๑ ผลการดำเนินการ")
        p_head, _ = page_of(pp, "ลำดับ")
        first_row = base["tables"][0]["rows"][0][1]
        p_row, _ = page_of(pp, first_row[:12])
        seen.add(p_cap)
        assert p_cap == p_head == p_row, f"reps={reps}: caption p{p_cap + 1}, header p{p_head + 1}, row p{p_row + 1}"
    assert seen == {0, 1}


# ---------------------------------------------------------------- tables


def _long_report() -> dict:
    base = load("report")
    rows = [row for t in base["tables"] for row in t["rows"]]
    table = copy.deepcopy(base["tables"][0])
    table["caption"] = "ตารางรายงานผลยาว"
    table["columns"] = table["columns"][:5] + ["งบประมาณ (บาท)"]
    table["widths"] = table["widths"][:5] + [1.6]
    amounts = ["1,250,000.00", "85,000.00", "7,500.50", "312,400.00", "-", "12,000,000.00"]
    table["rows"] = [[str(i)] + r[1:5] + [amounts[i % len(amounts)]] for i, r in enumerate(rows * 8, 1)]
    return {"kind": "report", "title": "รายงานผลการดำเนินงาน", "tables": [table]}


@pytest.fixture(scope="module")
def long_report() -> tuple[dict, bytes]:
    doc = _long_report()
    return doc, render_pdf(doc)


def test_long_report_header_once_per_page_at_the_top(long_report):
    doc, pdf = long_report
    words = word_bboxes(pdf)
    n_pages = max(w["page"] for w in words)
    assert n_pages >= 20
    for page in range(1, n_pages + 1):
        on_page = [w for w in words if w["page"] == page and not is_page_number(w)]
        heads = [w for w in on_page if w["text"] == "ลำดับ"]
        assert len(heads) == 1, f"page {page}: header row printed {len(heads)} times"
        top_of_table = min(w["y0"] for w in on_page if w["text"] not in ("รายงานผลการดำเนินงาน", "ตารางรายงานผลยาว"))
        assert heads[0]["y0"] - top_of_table < 2, f"page {page}: the header is not at the top of the table"


def _dark_rows(png: Path, x0: int, x1: int) -> list[int]:
    from PIL import Image

    img = Image.open(png).convert("L")
    px = img.load()
    return [y for y in range(img.height) if sum(1 for x in range(x0, x1) if px[x, y] < 128) > 0.95 * (x1 - x0)]


def test_long_report_split_rows_get_a_closing_rule(long_report, tmp_path):
    from memos.documents import report

    doc, pdf = long_report
    (tmp_path / "r.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "72", "-gray", "-png", "-f", "2", "-l", "6", str(tmp_path / "r.pdf"),
                    str(tmp_path / "p")], check=True)
    words = word_bboxes(pdf)
    x0, x1 = int(layout.MARGIN_LEFT) + 2, int(layout.MARGIN_LEFT + report.WIDTH) - 2
    for png in sorted(tmp_path.glob("p-*.png")):
        page = int(png.stem.split("-")[1])
        if page == max(w["page"] for w in words):
            continue
        last_text = max(w["y1"] for w in words if w["page"] == page)
        rules = _dark_rows(png, x0, x1)
        assert any(last_text - 2 <= y <= last_text + 12 for y in rules), (
            f"page {page}: no rule under the last row (text ends at {last_text:.0f}, rules at {rules})")


def test_amount_columns_are_right_aligned(long_report):
    doc, pdf = long_report
    amounts = [w for w in word_bboxes(pdf) if re.fullmatch(r"[๐-๙0-9,]+\.[๐-๙0-9]{2}", w["text"])]
    assert len(amounts) > 50
    rights = {round(w["x1"]) for w in amounts}
    lefts = {round(w["x0"]) for w in amounts}
    assert max(rights) - min(rights) <= 1, sorted(rights)
    assert len(lefts) > 1


def test_narrow_column_breaks_between_words_only():
    names = "นางสาวทรัพยากรบุคคล สำนักปลัดเทศบาล"
    doc = {
        "kind": "report", "title": "ตารางแคบ",
        "tables": [{
            "columns": ["ที่", "หน่วยงาน", "รายละเอียด"], "widths": [0.4, 0.45, 4],
            "rows": [["๑", "ทรัพยากรบุคคล", "ข้อความ"], ["๒", names, "ข้อความ"],
                     ["๓", "ผู้อำนวยการกองคลัง", "ข้อความ"]],
        }],
    }
    lines = [ln for p in pages(render_pdf(doc)) for ln in p]
    for word in ("ทรัพยากรบุคคล", "นางสาว", "ผู้อำนวยการ", "กองคลัง", "สำนักปลัดเทศบาล"):
        assert any(word in ln for ln in lines), f"{word} broken: {lines}"


# ---------------------------------------------------------------- digits


DIGIT_CASES = [
    ("ดูรายละเอียดที่ https://www.klongphon.go.th/news?id=123&p=2 ครับ",
     "ดูรายละเอียดที่ https://www.klongphon.go.th/news?id=123&p=2 ครับ"),
    ("ติดต่อ saraban2569@klongphon.go.th ภายใน 7 วัน", "ติดต่อ saraban2569@klongphon.go.th ภายใน ๗ วัน"),
    ("มาตรฐาน ISO/IEC 27001:2022 จำนวน 3,450,000 บาท", "มาตรฐาน ISO/IEC 27001:2022 จำนวน ๓,๔๕๐,๐๐๐ บาท"),
    ("โรค COVID-19 ระบาด 3 ระลอก", "โรค COVID-19 ระบาด ๓ ระลอก"),
    ("เครือข่าย 5GHz และกระดาษ A4", "เครือข่าย 5GHz และกระดาษ A4"),
    ("ที่ กบ 52401/220 ลงวันที่ 30 มีนาคม 2569 เวลา 10:30 น.",
     "ที่ กบ ๕๒๔๐๑/๒๒๐ ลงวันที่ ๓๐ มีนาคม ๒๕๖๙ เวลา ๑๐:๓๐ น."),
    ("ข้อ 3.1 ปี2569", "ข้อ ๓.๑ ปี๒๕๖๙"),
]


@pytest.mark.parametrize("source,printed", DIGIT_CASES)
def test_digit_rule(source, printed):
    assert thai_digits(source) == printed


def test_pdf_keeps_arabic_digits_in_urls_and_identifiers():
    doc = load("memo")
    doc["sections"] = [{"heading": "ข้อเท็จจริง", "paragraphs": [src for src, _ in DIGIT_CASES]}]
    flat = squash(" ".join(ln for p in pages(render_pdf(doc)) for ln in p))
    for _, printed in DIGIT_CASES:
        for token in printed.split():
            assert squash(token) in flat, token


def test_web_preview_prints_numbers_and_section_numbers_like_the_pdf():
    from django.template.loader import render_to_string

    sections = [
        {"heading": "เรื่องเดิม", "paragraphs": ["ตามมาตรฐาน ISO/IEC 27001 งบ 3,450,000 บาท"], "items": []},
        {"heading": "", "paragraphs": ["ดู https://x.go.th/?id=123 ภายใน 7 วัน"], "items": []},
        {"heading": "ข้อเสนอ", "paragraphs": [], "items": ["รายการ 2 รายการ"]},
    ]
    memo = SimpleNamespace(
        unit=SimpleNamespace(name="สำนักปลัด"), agency=SimpleNamespace(name="เทศบาลตำบลคลองพน"), phone="0-7565-0022",
        number_display="กบ 52401/220", date=None, subject="งบปี 2569", addressee="นายก", sections=sections,
        closing="จึงเรียนมา", drafter=SimpleNamespace(full_name="นาง ก"),
        drafter_position=SimpleNamespace(signing_title="นักวิเคราะห์"),
    )
    html = render_to_string("office/_memo.html", {"memo": memo, "decisions": []})
    text = re.sub(r"<[^>]+>", " ", html)
    for expected in ("ISO/IEC 27001", "๓,๔๕๐,๐๐๐", "https://x.go.th/?id=123", "๗ วัน", "งบปี ๒๕๖๙", "กบ ๕๒๔๐๑/๒๒๐",
                     "๒. ข้อเสนอ", "๒.๑ รายการ ๒ รายการ"):
        assert expected in text, expected
    assert "๓. ข้อเสนอ" not in text
    pdf_text = squash(" ".join(ln for p in pages(render_pdf(dict(load("memo"), sections=sections))) for ln in p))
    for expected in ("ISO/IEC27001", "๓,๔๕๐,๐๐๐", "https://x.go.th/?id=123", "๒.ข้อเสนอ", "๒.๑รายการ๒รายการ"):
        assert expected in pdf_text, expected


# ---------------------------------------------------------------- format


def test_unnumbered_section_takes_no_number_and_empty_heading_is_not_printed():
    doc = load("memo")
    doc["sections"] = [
        {"heading": "เรื่องเดิม", "paragraphs": ["ย่อหน้าแรก"]},
        {"heading": None, "paragraphs": ["ย่อหน้าไม่มีหัวข้อ"]},
        {"heading": "   ", "paragraphs": ["ย่อหน้าหัวข้อว่าง"]},
        {"heading": "ข้อเสนอ", "paragraphs": ["ย่อหน้าสุดท้าย"]},
    ]
    lines = [ln for p in pages(render_pdf(doc)) for ln in p]
    assert any(squash(ln) == "๑.เรื่องเดิม" for ln in lines)
    assert any(squash(ln) == "๒.ข้อเสนอ" for ln in lines), lines
    assert not any(re.fullmatch(r"[๐-๙]+\.", squash(ln)) for ln in lines)  # no number printed without a heading


def _black_png(path: Path) -> str:
    from PIL import Image

    Image.new("RGB", (300, 300), "black").save(path)
    return str(path)


def test_memo_emblem_on_the_left_margin_and_heading_centred_on_the_text_block(tmp_path):
    doc = load("memo")
    doc["agency"]["emblem"] = _black_png(tmp_path / "emblem.png")
    pdf = render_pdf(doc)
    (tmp_path / "m.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "72", "-gray", "-png", "-f", "1", "-l", "1", str(tmp_path / "m.pdf"),
                    str(tmp_path / "m")], check=True)
    from PIL import Image

    img = Image.open(next(tmp_path.glob("m-*.png"))).convert("L")
    px = img.load()
    dark = [x for x in range(img.width) for y in range(0, 110, 4) if px[x, y] < 60]
    assert abs(min(dark) - layout.MARGIN_LEFT) <= 1.5, (min(dark), layout.MARGIN_LEFT)
    head = next(w for w in word_bboxes(pdf) if w["text"] == "บันทึกข้อความ")
    centre = layout.MARGIN_LEFT + (layout.PAGE[0] - layout.MARGIN_LEFT - layout.MARGIN_RIGHT) / 2
    assert abs((head["x0"] + head["x1"]) / 2 - centre) <= 1.5


def test_phone_label_never_ends_a_line_without_its_number():
    phone = "0-7565-0022"
    seen_wrap = False
    for extra in range(0, 40, 2):
        doc = load("memo")
        doc["unit"] = "สำนักปลัดเทศบาล " + "งานบริหารทั่วไป " * (extra // 8) + "ก" * (extra % 8) + " เทศบาลตำบลคลองพน"
        doc["phone"] = phone
        lines = pages(render_pdf(doc))[0]
        i = find_line(lines, "โทร.")
        assert i >= 0
        assert squash("โทร. " + thai_digits(phone)) in squash(lines[i]), (extra, lines[i - 1:i + 2])
        seen_wrap |= squash(lines[i]).startswith("โทร.")
    assert seen_wrap  # the phone really had to move to its own line at some length


def test_schema_errors_in_the_fields_terms():
    doc = load("report")
    doc["tables"][0]["rows"][0][1] = "ก" * 5001
    doc["tables"][0]["rows"][1][1] = 5
    with pytest.raises(DocumentError) as exc:
        parse_document(doc)
    assert exc.value.errors == ["tables.0.rows.0.1: at most 5000 characters (5001 given)",
                                "tables.0.rows.1.1: must be text"]
    memo = load("memo")
    memo.update(date="2026-13-01", subject="")
    memo["signer"]["extra"] = 1
    with pytest.raises(DocumentError) as exc:
        parse_document(memo)
    assert exc.value.errors == [
        "date: must be a date written YYYY-MM-DD, e.g. 2026-03-30 ('2026-13-01' given)",
        "subject: must not be empty",
        "signer.extra: unknown field (not part of this kind of document)",
    ]


@pytest.mark.parametrize("kind", ["memo", "announcement", "report"])
def test_documents_say_they_are_thai_and_carry_their_title(kind):
    """/Lang (th) and the document information, also after attachments are bound after it."""
    from pypdf import PdfReader

    from memos.documents.bundle import bundle

    doc = load(kind)
    pdf = render_pdf(doc)
    title = doc.get("subject") or doc.get("title")
    for data in (pdf, bundle(pdf, [pdf])):
        reader = PdfReader(io.BytesIO(data))
        assert reader.trailer["/Root"]["/Lang"] == "th"
        assert reader.metadata.title == title
        if kind != "report":
            assert reader.metadata.author == doc["agency"]["name"]


def test_a_time_is_written_the_thai_office_way():
    import datetime as dt

    from memos.documents.thai import thai_time

    assert thai_time(dt.datetime(2026, 11, 28, 5, 14)) == "๐๕.๑๔ น."


def test_a_list_column_abbreviates_the_month_and_keeps_the_buddhist_era():
    import datetime as dt

    from memos.documents.thai import thai_date

    assert thai_date(dt.date(2026, 11, 28), short=True) == "๒๘ พ.ย. ๒๕๖๙"
    assert thai_date(dt.date(2027, 3, 1), short=True) == "๑ มี.ค. ๒๕๗๐"
