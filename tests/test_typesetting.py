"""Typesetting quality on glyph positions (tests/typeset_check.py): marks on their base, no ink
collisions between lines, bounded justification, breaks only between words (tests/pdfcheck.py),
no stranded signature, heading, date line or caption - on every example and every document in
tests/data (real municipal texts ``real_*``, edge cases ``edge_*``, ``typeset_*``)."""

import io
import json

import pytest
from reportlab.pdfgen.canvas import Canvas

from memos.documents import render_pdf
from memos.documents import text as T
from memos.documents.fonts import REGULAR, register

from .documents_set import DOCS, ROOT, load_doc
from .pdfcheck import Report, texts_of
from .typeset_check import (
    all_problems,
    glyphs,
    ink_collisions,
    keep_problems,
    marks_off_base,
    page_lines,
    spread_problems,
)


def test_the_checked_set_holds_real_texts_and_edge_cases():
    names = {p.stem for p in DOCS}
    assert len([n for n in names if n.startswith("real_")]) >= 4
    for edge in ("edge_eight_reviewers", "edge_empty_sections", "edge_user_markup", "edge_report_long_cell",
                 "typeset_long_memo", "typeset_long_tokens", "typeset_mixed_scripts", "typeset_three_line_subject"):
        assert edge in names
    for path in DOCS:
        if path.stem.startswith("real_"):
            assert "http" in json.loads(path.read_text(encoding="utf-8"))["_source"], path.name


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.stem)
def test_marks_on_base_no_collisions_bounded_spread_whole_words(path):
    doc = load_doc(path)
    pdf = render_pdf(doc)
    problems = all_problems(pdf)
    problems["stranded"] = keep_problems(doc, pdf)
    assert not any(problems.values()), {k: v[:5] for k, v in problems.items() if v}
    report = Report(pdf)
    words = report.line_problems()
    for t in texts_of(doc):
        if max(len(w) for w in t.split() or [""]) > 60:
            continue  # a token wider than the line is cut at clusters, by design (test_documents checks it)
        words += report.check(t)
    assert not words, "\n".join(words[:10])


def _pdf(draw) -> bytes:
    register()
    buf = io.BytesIO()
    c = Canvas(buf)
    draw(c)
    c.showPage()
    c.save()
    return buf.getvalue()


def test_checker_sees_letter_spacing_that_pulls_marks_off():
    """What the engine did before: character spacing on a Thai word moves marks off their base."""
    def draw(c):
        t = c.beginText(72, 700)
        t.setFont(REGULAR, 16)
        t.setCharSpace(1.5)
        t.textOut("ส่งเสริมคุณธรรม ISO 27001")
        c.drawText(t)
    lines = glyphs(_pdf(draw))
    assert marks_off_base(lines)
    assert any("inside a word" in p for p in spread_problems(lines))
    assert any("Latin/digits" in p for p in spread_problems(lines))


def test_checker_sees_colliding_lines():
    """1.15 em leading (the old value): a stacked tone mark under a ฏ tail."""
    def draw(c):
        for k, s in enumerate(["ปฏิฏูป", "ปี่ป้ำปื้"]):
            t = c.beginText(72, 700 - k * 16 * 1.15)
            t.setFont(REGULAR, 16)
            t.textOut(T.shaped(s, REGULAR, 16)[0])
            c.drawText(t)
    assert ink_collisions(glyphs(_pdf(draw)))


def test_justified_lines_stay_within_the_bounds():
    register()
    para = ("ตามที่เทศบาลตำบลคลองพนได้เข้ารับการประเมินคุณธรรมและความโปร่งใสในการดำเนินงานของหน่วยงานภาครัฐ "
            "ความเป็นระเบียบเรียบร้อยของบ้านเมือง ") * 6
    lines = T.layout_total_fit([(para, REGULAR)], 16, 453.5, 70.9)
    for ln in lines[:-1]:
        e_c, e_w, e_s = T.line_extras(ln, 453.5, 16)
        assert e_c <= T.CLUSTER_GAP_MAX_EM * 16 + 1e-6
        assert e_w <= T.WORD_GAP_MAX_EM * 16 + 1e-6
    assert sum(ln.ragged for ln in lines) <= 1


def test_a_long_token_leaves_the_line_before_left_aligned_not_spread():
    register()
    para = "ให้ดาวน์โหลดแบบฟอร์ม " + "1234567890" * 5
    lines = T.layout_total_fit([(para, REGULAR)], 16, 453.5, 0)
    assert len(lines) == 2
    assert lines[0].ragged and T.line_extras(lines[0], 453.5, 16) == (0.0, 0.0, 0.0)


def test_a_compound_is_split_at_its_inner_words_when_that_avoids_a_loose_line(monkeypatch):
    register()
    para = "ให้รักษา ความเป็นระเบียบเรียบร้อยของบ้านเมือง"
    lines = T.layout_total_fit([(para, REGULAR)], 16, 180, 0)
    assert [ln.text for ln in lines] == ["ให้รักษา ความเป็นระเบียบ", "เรียบร้อยของบ้านเมือง"]
    assert not any(ln.ragged for ln in lines)
    monkeypatch.setattr(T, "COMPOUND_MIN_CHARS", 10**6)  # the compound kept whole: a loose first line
    assert T.layout_total_fit([(para, REGULAR)], 16, 180, 0)[0].ragged


def test_checker_sees_a_break_inside_a_word():
    """The word-boundary check (tests/pdfcheck.py) on a PDF that breaks คณะกรรมการ inside กรรมการ."""
    def draw(c):
        for k, s in enumerate(["สำนักงานคณะกรรม", "การประเมินผล"]):  # drawn as the engine draws a line
            T.draw_line(c, T.layout([(s, REGULAR)], 16, 400)[0], 72, 700 - k * 26, 16, 400, "left")
    problems = Report(_pdf(draw)).check("สำนักงานคณะกรรมการประเมินผล")
    assert any("break inside a word" in p for p in problems), problems


def test_a_one_line_last_item_does_not_strand_the_closing_line():
    """typeset_mixed_scripts ends with a one-line item: the closing line went to page 2 with that
    line alone above it. Now the item joins the block and the paragraph before it gives its last
    lines (memo.MIN_LINES)."""
    doc = load_doc(ROOT / "tests" / "data" / "typeset_mixed_scripts.json")
    pdf = render_pdf(doc)
    assert keep_problems(doc, pdf) == []
    pages = page_lines(pdf)
    p = next(i for i, lines in enumerate(pages) if doc["closing"] in lines)
    assert p == 1 and pages[p].index(doc["closing"]) >= 2, pages[p][:4]


def test_a_centred_title_is_broken_evenly_not_as_a_full_line_and_a_word():
    """The seed report's title broke as a full line and "ปีงบประมาณ ๒๕๖๘"; centred text now takes
    first fit's line count at the narrowest measure that keeps it, and no word is cut for that."""
    from memos.documents import layout as L
    from memos.documents.fonts import BOLD
    from memos.documents.report import PAGE

    register()
    title = json.loads((ROOT / "examples" / "report.json").read_text(encoding="utf-8"))["title"]
    width = PAGE[0] - L.MARGIN_LEFT - L.MARGIN_RIGHT  # the report's text block
    first = T.layout([(title, BOLD)], 18, width)
    even = T.layout_balanced([(title, BOLD)], 18, width)
    assert len(first) == len(even) == 2
    assert first[1].width < first[0].width / 2  # a full line and a scrap
    assert abs(even[0].width - even[1].width) < even[0].width / 4
    assert [p.text for ln in even for p in ln.pieces] == [p.text for ln in first for p in ln.pieces]


@pytest.mark.parametrize("breaker", [T.layout, T.layout_total_fit], ids=["first_fit", "total_fit"])
def test_a_number_stays_with_its_label(breaker):
    """The seed memo printed "พ.ศ." at a line end and "๒๕๖๘" on the next; a subject "ระยะที่" / "๓"."""
    register()
    para = ("ประจำปีงบประมาณ พ.ศ. ๒๕๖๘ ตามแผนปฏิบัติการป้องกันการทุจริตและประพฤติมิชอบ ระยะที่ ๓ "
            "และการประเมินผลสัมฤทธิ์ของงาน ตามมาตรา ๒๓ วรรคท้าย ") * 3
    for width in range(150, 460, 7):
        lines = breaker([(para, REGULAR)], 16, width)
        for upper, lower in zip(lines, lines[1:], strict=False):
            assert not (lower.text[:1].isdigit() and upper.text.rstrip().endswith(("พ.ศ.", "ที่", "มาตรา"))), \
                (width, upper.text, lower.text)
