"""The typesetting engine, read back with poppler and pypdf."""

import copy
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from memos.documents import DocumentError, parse_document, render_pdf

from .pdfcheck import Report, is_page_number, pdffonts, texts_of, word_bboxes

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def load(name):
    return json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))


def assert_clean(pdf: bytes, texts: list[str]):
    report = Report(pdf)
    problems = report.line_problems()
    for t in texts:
        problems += report.check(t)
    assert not problems, "\n".join(problems[:20])
    return report


@pytest.mark.parametrize("name", ["memo", "announcement", "report"])
def test_seed_documents_round_trip_and_break_only_between_words(name):
    doc = load(name)
    pdf = render_pdf(doc)
    report = assert_clean(pdf, texts_of(doc))
    fonts = pdffonts(pdf)
    assert fonts and all(f.split("+", 1)[1] in ("Sarabun-Regular", "Sarabun-Bold") for f in fonts), fonts
    if name == "memo":
        assert "๓๐ มีนาคม ๒๕๖๙" in report.text and "กบ ๕๒๔๐๑/๒๒๐" in report.text
        assert "ผู้อำนวยการกองช่าง รักษาราชการแทน" in report.text and "ปลัดเทศบาลตำบลคลองพน" in report.text
    if name == "announcement":
        assert "ประกาศ ณ วันที่ ๓๐ มีนาคม พ.ศ. ๒๕๖๙" in report.text
    if name == "report":
        assert "- ๒ \u2011" in report.text  # page numbers from page 2 (last dash: common._unhyphenated)


def test_stock_reportlab_trap_word_is_kept_whole():
    doc = load("memo")
    doc["sections"] = [{"heading": None, "paragraphs": ["ดำเนินงานของ" * 40], "items": []}]
    report = assert_clean(render_pdf(doc), ["ดำเนินงานของ" * 40])
    assert all(not ln.startswith("ง") for ln in report.lines)


def test_mixed_thai_english_numbers_and_long_paragraphs():
    mixed = (
        "ระบบต้องเป็นไปตามมาตรฐาน ISO/IEC 27001:2022 และวงเงินงบประมาณ 3,450,000 บาท (สามล้านสี่แสนห้าหมื่นบาทถ้วน) "
        "โดยให้เจ้าหน้าที่ตรวจสอบ e-Service ทุกไตรมาส ต่างๆ ฯลฯ เพื่อให้การดำเนินงานของเทศบาลตำบลคลองพนเป็นไปด้วยความเรียบร้อย "
    ) * 6
    doc = load("memo")
    doc["sections"] = [{"heading": "ข้อเท็จจริง", "paragraphs": [mixed], "items": [mixed[:300]]}]
    report = assert_clean(render_pdf(doc), [mixed.replace("3,450,000", "๓,๔๕๐,๐๐๐")])
    flat = "".join(report.text.split())
    assert "ISO/IEC27001:2022" in flat and "๓,๔๕๐,๐๐๐บาท" in flat


def test_narrow_cells_and_an_unbreakable_200_char_token():
    token = "ก" * 100 + "X" * 100
    doc = {
        "kind": "report", "title": "ตารางแคบ",
        "tables": [{
            "caption": "ทดสอบ", "columns": ["ลำดับ", "รายการ", "หมายเหตุ"], "widths": [0.3, 0.35, 3],
            "rows": [["๑", "การป้องกันการขัดกันระหว่างประโยชน์ส่วนตนและประโยชน์ส่วนรวม", token],
                     ["๒", token, "ข้อความปกติ"]],
        }],
    }
    report = Report(render_pdf(doc))
    assert not report.check(token[:100])  # the Thai half: cut only at character clusters
    assert "".join(report.text.split()).count("X") == 200  # Latin half: cut anywhere, nothing lost
    assert not report.line_problems()
    assert not report.check("การป้องกันการขัดกันระหว่างประโยชน์ส่วนตนและประโยชน์ส่วนรวม")


def test_table_text_stays_inside_its_cells_when_rows_split_across_pages():
    from memos.documents import layout, report

    base = load("report")
    table = copy.deepcopy(base["tables"][0])
    table["caption"] = None
    table["rows"] = [[r[0]] + [c * 4 if isinstance(c, str) else c * 4 for c in r[1:]] for r in table["rows"]]
    pdf = render_pdf({"kind": "report", "title": "ตาราง", "tables": [table]})
    weights = table["widths"]
    edges, x = [], layout.MARGIN_LEFT
    for w in weights[:-1]:
        x += report.WIDTH * w / sum(weights)
        edges.append(x)
    boxes = [(w["page"], w["x0"], w["x1"], w["text"]) for w in word_bboxes(pdf)
             if w["text"] != "ตาราง" and not is_page_number(w)]  # title, page numbers
    assert len({b[0] for b in boxes}) >= 3  # rows really do split across pages
    straddling = [b for b in boxes for e in edges if b[1] < e - 0.5 and b[2] > e + 0.5]
    assert not straddling, straddling[:5]


def test_sixty_page_report_keeps_every_row():
    base = load("report")
    rows = [row for t in base["tables"] for row in t["rows"]]
    big = copy.deepcopy(base)
    table = copy.deepcopy(base["tables"][0])
    table["rows"] = [[f"{i}"] + r[1:] for i, r in enumerate(rows * 9, 1)]
    big["tables"] = [table]
    pdf = render_pdf(big)
    report = Report(pdf)
    import io

    from pypdf import PdfReader

    assert len(PdfReader(io.BytesIO(pdf)).pages) >= 60
    flat = "".join(report.text.split())
    assert flat.count("ลำดับมาตรการ/กิจกรรม") >= 60  # header row repeated on every page
    for r in table["rows"][::25] + table["rows"][-1:]:
        assert not report.check(r[1] if isinstance(r[1], str) else r[1][0])


def _png(path: Path, size: tuple[int, int], colour: str) -> str:
    from PIL import Image, ImageDraw

    img = Image.new("RGB", size, "white")
    ImageDraw.Draw(img).ellipse([4, 4, size[0] - 4, size[1] - 4], outline=colour, width=6)
    img.save(path)
    return str(path)


def _images(pdf: bytes) -> list[tuple[int, int, float]]:
    """(width px, height px, drawn height in points) of each image placed, from poppler's pdfimages."""
    out = subprocess.run(["pdfimages", "-list", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    rows = [line.split() for line in out.splitlines()[2:] if line.strip()]
    return [(int(r[3]), int(r[4]), int(r[4]) / float(r[13]) * 72) for r in rows if r[2] == "image"]


def test_emblem_and_signatures_are_placed_at_their_sizes(tmp_path):
    emblem = _png(tmp_path / "emblem.png", (300, 330), "navy")
    sig = _png(tmp_path / "sig.png", (400, 120), "blue")
    memo = load("memo")
    memo["agency"]["emblem"] = emblem
    memo["signer"]["signature"] = sig
    for e in memo["endorsements"]:
        e["signature"] = sig
    found = _images(render_pdf(memo))
    heights = sorted(round(h / 28.35, 1) for *_, h in found)  # in cm
    assert heights.count(1.5) == 1  # the emblem, 1.5 cm high
    assert heights.count(1.2) == 1 + len(memo["endorsements"])  # drafter and every comment signed

    ann = load("announcement")
    ann["agency"]["emblem"] = emblem
    ann["signer"]["signature"] = sig
    found = sorted(round(h / 28.35, 1) for *_, h in _images(render_pdf(ann)))
    assert found == [1.2, 3.0]  # signature, emblem 3 cm high


@pytest.mark.parametrize("content,message", [(None, "image file not found"), (b"GIF89a....", "not a PNG or JPEG")])
def test_missing_or_wrong_type_image_is_a_clear_input_error(tmp_path, content, message):
    path = tmp_path / "sig.png"
    if content is not None:
        path.write_bytes(content)
    doc = load("announcement")
    doc["signer"]["signature"] = str(path)
    with pytest.raises(DocumentError, match=message):
        render_pdf(doc)


def test_user_markup_is_printed_literally():
    text = '<b>ไม่หนา</b> &amp; <font color="red">ไม่แดง</font> <br/>'
    doc = load("announcement")
    doc["paragraphs"] = [text]
    report = Report(render_pdf(doc))
    assert "".join(text.split()) in "".join(report.text.split())
    assert text in report.text.replace("\n", " ") or not report.check(text)


@pytest.mark.parametrize(
    "mutate,expected",
    [
        (lambda d: d.pop("kind"), "kind"),
        (lambda d: d.update(kind="letter"), "kind"),
        (lambda d: d.update(date="30/03/2569"), "date"),
        (lambda d: d.pop("subject"), "subject"),
        (lambda d: d["sections"][0].update(paragraphs="x"), "sections.0.paragraphs"),
        (lambda d: d["endorsements"][2]["acting"].update(kind="แทน"), "endorsements.2.acting.kind"),
        (lambda d: d.update(subject="ก" * 600), "subject"),
    ],
)
def test_schema_errors_name_the_field(mutate, expected):
    doc = load("memo")
    mutate(doc)
    with pytest.raises(DocumentError) as exc:
        parse_document(doc)
    assert exc.value.errors[0].startswith(expected), exc.value.errors


def test_report_rows_must_match_columns():
    doc = load("report")
    doc["tables"][0]["rows"][0].pop()
    with pytest.raises(DocumentError, match="tables.0.rows.0"):
        parse_document(doc)


def test_render_document_command(tmp_path):
    out = tmp_path / "memo.pdf"
    call_command("render_document", str(EXAMPLES / "memo.json"), "-o", str(out))
    assert out.read_bytes().startswith(b"%PDF-")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"kind": "memo"}), encoding="utf-8")
    with pytest.raises(CommandError, match="agency"):
        call_command("render_document", str(bad), "-o", str(tmp_path / "x.pdf"))
    proc = subprocess.run(
        [sys.executable, "manage.py", "render_document", str(bad), "-o", str(tmp_path / "x.pdf")],
        capture_output=True, text=True, cwd=EXAMPLES.parent,
    )
    assert proc.returncode != 0 and "agency" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "x.pdf").exists()
