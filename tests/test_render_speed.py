"""Start-up and drawing speed-ups keep their promises, without wall-clock asserts: the one-off render
path starts no Django and reads the word cache instead of building pythainlp's trie; a stale or
broken cache is rebuilt; the sorted word list answers newmm exactly as pythainlp's trie; and the fast
text output writes the same bytes as ReportLab's own (bench/render.py has the figures)."""

import io
import json
import marshal
import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest
from reportlab import rl_config
from reportlab.pdfbase.pdfmetrics import getFont
from reportlab.pdfbase.ttfonts import ShapedStr
from reportlab.pdfgen.canvas import Canvas

from memos.documents import render_pdf, thai
from memos.documents import text as T
from memos.documents.fonts import BOLD, REGULAR, register
from memos.documents.textout import format_shaped

ROOT = Path(__file__).resolve().parent.parent
DOCS = sorted((ROOT / "examples").glob("*.json")) + sorted((ROOT / "tests" / "data").glob("typeset_*.json"))

# Runs manage.py as the shell does, then says which modules the process loaded and whether the
# pythainlp word corpus was read (it is not when the cache is used).
PROBE = """
import json, runpy, sys
sys.argv = ["manage.py", "render_document", sys.argv[1], "-o", sys.argv[2]]
try:
    runpy.run_path("manage.py", run_name="__main__")
except SystemExit as exc:
    status = exc.code
import pythainlp.corpus.common as corpus
print(json.dumps({"status": status, "modules": sorted(sys.modules), "corpus_read": bool(corpus._THAI_WORDS)}))
"""


def _probe(tmp_path: Path, doc: Path) -> dict:
    env = {**os.environ, "VAR_DIR": str(tmp_path / "var")}
    proc = subprocess.run([sys.executable, "-c", PROBE, str(doc), str(tmp_path / "out.pdf")],
                          cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_render_document_starts_no_django_and_reads_the_word_cache(tmp_path):
    first = _probe(tmp_path, ROOT / "examples" / "memo.json")
    assert first["status"] == 0
    assert not [m for m in first["modules"] if m == "django" or m.startswith("django.")]
    assert first["corpus_read"]  # no cache yet: built from pythainlp's corpus and saved
    assert (tmp_path / "var" / "cache" / "thai-words.marshal").is_file()
    (tmp_path / "out.pdf").unlink()
    second = _probe(tmp_path, ROOT / "examples" / "memo.json")
    assert second["status"] == 0 and (tmp_path / "out.pdf").read_bytes().startswith(b"%PDF-")
    assert not second["corpus_read"]  # the cache answered
    assert not [m for m in second["modules"] if m.startswith("django")]
    # subsets are written with agreeing widths (fonts.make_subset): fontTools is not even imported
    assert not [m for m in second["modules"] if m.startswith("fontTools")]
    assert (tmp_path / "var" / "cache" / "ink-extents.marshal").is_file()


def test_python_m_memos_documents_renders(tmp_path):
    out = tmp_path / "a.pdf"
    proc = subprocess.run([sys.executable, "-m", "memos.documents", "render", str(ROOT / "examples" / "announcement.json"),
                           "-o", str(out)], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes().startswith(b"%PDF-")


def test_manage_py_fast_path_takes_only_plain_arguments():
    fast = runpy.run_path(str(ROOT / "manage.py"), run_name="manage")["render_document_fast"]
    assert fast(["manage.py", "migrate"]) is None
    # Django's own options (and --help) go to the Django command
    for extra in (["--settings", "config.settings"], ["--traceback"], ["-h"], ["-v", "2"]):
        assert fast(["manage.py", "render_document", "in.json", "-o", "out.pdf", *extra]) is None
    assert fast(["manage.py", "render_document", "in.json"]) is None  # no output: Django says what is missing


@pytest.fixture
def fresh_word_cache(tmp_path, monkeypatch):
    """word_lists() as in a new process, with its cache file under tmp_path."""
    monkeypatch.setenv("VAR_DIR", str(tmp_path))
    caches = (thai.word_lists, thai._words, thai._plain_words, thai._dictionary)
    for c in caches:
        c.cache_clear()
    yield thai.cache_path()
    for c in caches:
        c.cache_clear()


def test_word_cache_rebuilt_when_stale(fresh_word_cache, monkeypatch):
    path = fresh_word_cache
    assert path.parent.parent != ROOT / "var"
    base, full = thai.word_lists()
    assert "คุณธรรม" in base and "รักษาราชการแทน" in full and len(full) > 60000
    assert marshal.loads(path.read_bytes())[0] == thai.cache_key()

    # a cache from another pythainlp (its dictionary ships with it) or another USER_WORDS is stale
    path.write_bytes(marshal.dumps(("1:0.0.1:0", ("ก",), ("ก",))))
    thai.word_lists.cache_clear()
    assert thai.word_lists() == (base, full)
    assert marshal.loads(path.read_bytes())[0] == thai.cache_key()

    monkeypatch.setattr(thai.pythainlp, "__version__", "99.0.0")
    thai.word_lists.cache_clear()
    assert thai.word_lists() == (base, full)
    assert marshal.loads(path.read_bytes())[0].split(":")[1] == "99.0.0"

    path.write_bytes(b"\x00 not marshal")  # a broken file is rebuilt, not an error
    thai.word_lists.cache_clear()
    assert thai.word_lists() == (base, full)


def test_word_cache_unwritable_is_not_an_error(fresh_word_cache, tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("VAR_DIR", str(blocker))  # var/cache cannot be made, even by root
    assert len(thai.word_lists()[1]) > 60000
    assert blocker.read_text() == "not a directory"


def _texts(doc) -> list[str]:
    if isinstance(doc, str):
        return [doc]
    if isinstance(doc, dict):
        return [t for v in doc.values() for t in _texts(v)]
    if isinstance(doc, list):
        return [t for v in doc for t in _texts(v)]
    return []


def _chunks() -> list[str]:
    return sorted({c for p in DOCS for t in _texts(json.loads(p.read_text(encoding="utf-8"))) for c in t.split() if c})


def test_word_list_answers_newmm_as_pythainlps_trie():
    from pythainlp.corpus.common import thai_words
    from pythainlp.tokenize import Tokenizer, word_tokenize
    from pythainlp.util import Trie

    chunks = _chunks()
    trie = Trie(thai_words())
    plain = thai._plain_words()
    for c in chunks:
        for i in range(len(c)):
            assert plain.prefixes(c, i) == trie.prefixes(c, i), (c, i)
    tokenizer = Tokenizer(custom_dict=set(thai_words()) | thai.USER_WORDS, engine="newmm", keep_whitespace=True)
    assert [thai._newmm(c, thai._words()) for c in chunks] == [tokenizer.word_tokenize(c) for c in chunks]
    assert [thai._newmm(c, plain) for c in chunks] == [word_tokenize(c, engine="newmm") for c in chunks]
    extra = sorted(w for w in thai.USER_WORDS if w not in trie)  # agency names pythainlp does not know
    assert extra and all(w in thai._words() and w not in plain for w in extra) and len(plain) == len(trie)


def test_format_shaped_writes_what_reportlab_writes():
    """Every word of the seed pack and the edge cases, as drawn and stretched, in both faces."""
    register()
    c = Canvas(io.BytesIO())
    t = c.beginText(0, 0)
    words = sorted({w for ch in _chunks() for w in thai.segment(ch) if not w.isspace()})
    words += ["ISO/IEC 27001", "COVID-19", "https://example.go.th/id=123", "ฯลฯ", "ๆ", "ปั๊ม", "กำ", "น้ำ"]
    checked = 0
    for font in (REGULAR, BOLD):
        for size in (12, 14, 16, 29):
            t.setFont(font, size)
            for w in words:
                s = T.shaped(w, font, size)[0]
                gaps = T._glyph_gaps(w, font, size)
                for variant in (s, T._spread(s, font, gaps, 11.7)) if gaps else (s,):
                    for subset in (-1, 0):
                        t._curSubset = subset
                        theirs = t._formatText(variant)
                        after = (t._curSubset, t._rise)
                        t._curSubset = subset
                        assert format_shaped(t, variant) == theirs, (w, font, size)
                        assert (t._curSubset, t._rise) == after
                        checked += 1
    assert checked > 5000


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.stem)
def test_documents_same_bytes_as_reportlabs_text_output(path, monkeypatch):
    """The whole PDF with our text output (words and stretched words, text origins) and with
    ReportLab's own ``textOut`` of each string and ``setTextOrigin``: identical."""
    monkeypatch.setattr(rl_config, "invariant", 1)  # no dates or random ids in the file
    doc = json.loads(path.read_text(encoding="utf-8"))
    ours = render_pdf(doc)
    monkeypatch.setattr(T, "text_out", lambda t, s: t.textOut(s))
    monkeypatch.setattr(T, "text_out_spread", lambda t, s, data, gaps, extra, spread: t.textOut(spread()))
    monkeypatch.setattr(T, "_origin", lambda t, x, y, ys: t.setTextOrigin(x, y))
    assert render_pdf(doc) == ours


class _Counted:
    """Counts pikepdf opens and saves (one archival pass is one of each)."""

    def __init__(self, monkeypatch):
        import pikepdf

        self.opens = self.saves = 0
        real_open, real_save = pikepdf.open, pikepdf.Pdf.save

        def counted_open(*a, **kw):
            self.opens += 1
            return real_open(*a, **kw)

        def counted_save(pdf, *a, **kw):
            self.saves += 1
            return real_save(pdf, *a, **kw)

        monkeypatch.setattr(pikepdf, "open", counted_open)
        monkeypatch.setattr(pikepdf.Pdf, "save", counted_save)


@pytest.mark.parametrize("name", ["memo", "report"])
def test_render_pdf_writes_the_archival_parts_without_a_pikepdf_pass(name, monkeypatch):
    """ReportLab writes the structure tree and the PDF/A parts (archival_build): pikepdf neither opens
    nor saves the file; the result is tagged and claims PDF/A."""
    import pikepdf

    from memos.documents.archival import claims_pdfa

    counted = _Counted(monkeypatch)
    pdf = render_pdf(json.loads((ROOT / "examples" / f"{name}.json").read_text(encoding="utf-8")))
    assert (counted.opens, counted.saves) == (0, 0)
    monkeypatch.undo()
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        assert "/StructTreeRoot" in doc.Root and doc.Root.MarkInfo.Marked
        assert all("/StructParents" in p.obj for p in doc.pages)
    assert claims_pdfa(pdf)


def test_a_drawing_archival_build_cannot_vouch_for_takes_the_archival_pass(monkeypatch):
    """When the canvas used what archival_build does not check (here: its check says no), render_pdf
    runs the pikepdf pass once, which checks and claims."""
    from memos.documents import archival_build
    from memos.documents.archival import claims_pdfa

    monkeypatch.setattr(archival_build, "_claimable", lambda doc: False)
    counted = _Counted(monkeypatch)
    pdf = render_pdf(json.loads((ROOT / "examples" / "announcement.json").read_text(encoding="utf-8")))
    assert (counted.opens, counted.saves) == (1, 1)
    monkeypatch.undo()
    assert claims_pdfa(pdf)


def test_a_standard_font_on_the_canvas_is_not_vouched_for():
    """A canvas that drew with a standard (not embedded) font: archival_build writes nothing."""
    from memos.documents import archival_build, common

    canv = common._Canvas(io.BytesIO())
    canv.setFont("Helvetica", 12)
    canv.drawString(72, 72, "not embedded")
    assert archival_build.finish(canv) is False
    register()
    canv2 = common._Canvas(io.BytesIO(), initialFontName=REGULAR)
    canv2.setFont(REGULAR, 12)
    canv2.drawString(72, 72, "ทดสอบ")
    assert archival_build.finish(canv2) is True


def test_bundle_does_not_run_the_archival_pass_twice(monkeypatch):
    """bundle appends pages and makes PDF/A in its own single save: to_pdfa is not called again."""
    from memos.documents import archival, bundle

    memo = render_pdf(json.loads((ROOT / "examples" / "memo.json").read_text(encoding="utf-8")))
    monkeypatch.setattr(archival, "to_pdfa", lambda *a, **kw: pytest.fail("to_pdfa re-run"))
    counted = _Counted(monkeypatch)
    out = bundle.bundle(memo, [memo])
    # the main document, the attachment (sanitised: open and save), the clean attachment appended
    assert counted.opens == 3 and counted.saves == 2
    assert archival.claims_pdfa(out)


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.stem)
def test_our_subsets_need_no_width_repair(path):
    """fonts.make_subset gives each recoded mark a glyph copy with the PDF's width, so the archival
    check finds every font agreeing without fontTools (widths._agrees), and fontTools' own reading
    of the program agrees too."""
    import pikepdf
    from fontTools.ttLib import TTFont

    from memos.documents import widths

    pdf = render_pdf(json.loads(path.read_text(encoding="utf-8")))
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        fonts = [o for o in doc.objects if isinstance(o, pikepdf.Dictionary) and o.get("/Subtype") == "/TrueType"]
        assert fonts
        for font in fonts:
            data = font.FontDescriptor.FontFile2.read_bytes()
            assert widths._agrees(data, font) is True
            program = TTFont(io.BytesIO(data))
            cmap = program["cmap"].tables[0].cmap
            upem = program["head"].unitsPerEm
            first = int(font.FirstChar)
            for i, w in enumerate(font.Widths):
                glyph = cmap.get(first + i, ".notdef")  # fontTools leaves out codes drawn with glyph 0
                assert abs(float(w) - program["hmtx"][glyph][0] * 1000 / upem) <= 0.5


def test_widths_check_still_repairs_a_foreign_font():
    """A subset written by ReportLab's own makeSubset (an appended PDF made elsewhere) with a recoded
    mark is found disagreeing and repaired by the fontTools path."""
    import pikepdf

    from memos.documents import widths
    from memos.documents.archival import walk
    from memos.documents.fonts import make_subset

    register()
    doc = json.loads((ROOT / "examples" / "announcement.json").read_text(encoding="utf-8"))
    faces = [getFont(f).face for f in (REGULAR, BOLD)]
    saved = [f.__dict__.pop("makeSubset") for f in faces]  # ReportLab's own subsetter again
    try:
        from memos.documents.render import render_untagged
        from memos.documents.schema import parse_document

        raw = bytes(render_untagged(parse_document(doc)))
    finally:
        for f, m in zip(faces, saved, strict=True):
            f.makeSubset = m
    assert all(f.makeSubset.__func__ is make_subset for f in faces)
    with pikepdf.open(io.BytesIO(raw)) as pdf:
        fonts = [o for o in walk(pdf) if isinstance(o, pikepdf.Dictionary) and o.get("/Subtype") == "/TrueType"]
        assert any(widths._agrees(f.FontDescriptor.FontFile2.read_bytes(), f) is False for f in fonts)
        assert widths.agree_widths(list(walk(pdf))) >= 1
        assert all(widths._agrees(f.FontDescriptor.FontFile2.read_bytes(), f) for f in fonts)


def _text_blocks(pdf: bytes) -> list[str]:
    import re

    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as doc:
        streams = [p.Contents.read_bytes().decode("latin-1") for p in doc.pages]
    return [b for s in streams for b in re.findall(r"BT .*? ET", s, re.S)]


def test_a_line_selects_its_font_once():
    """Within one text object (a line) a font selection is never repeated unless another came
    between: ReportLab's setFont made every piece of a line select its subset again."""
    import re

    pdf = render_pdf(json.loads((ROOT / "examples" / "memo.json").read_text(encoding="utf-8")))
    blocks = _text_blocks(pdf)
    assert len(blocks) > 50
    for block in blocks:
        selects = re.findall(r"(/F\d+\+\d+ [\d.]+) Tf", block)
        assert all(a != b for a, b in zip(selects, selects[1:], strict=False)), block[:200]


def _seed_words() -> list[str]:
    words = sorted({w for ch in _chunks() for w in thai.segment(ch) if not w.isspace()})
    return words + ["ISO/IEC 27001", "COVID-19", "ฯลฯ", "ๆ", "ปั๊ม", "กำ", "น้ำ", "ที่", "ปี่"]


def test_planned_words_write_what_reportlab_writes():
    """A word from its process-wide plan (textout._planned), as drawn and stretched by several amounts,
    in both faces and several text states: ReportLab's own ``_formatText`` of the same string."""
    from memos.documents.textout import _planned

    register()
    c = Canvas(io.BytesIO())
    t = c.beginText(0, 0)
    planned = checked = 0
    for font in (REGULAR, BOLD):
        for size, leading in ((16, 26.4), (12, 18)):
            t.setFont(font, size, leading)
            for w in _seed_words():
                s = T.shaped(w, font, size)[0]
                if not isinstance(s, ShapedStr):
                    continue
                gaps = T._glyph_gaps(w, font, size)
                cases = [((), 0.0, s)] + [(gaps, e, T._spread(s, font, gaps, e)) for e in (0.5, 11.7, 62.5) if gaps]
                for g, extra, variant in cases:
                    for subset in (-1, 0):
                        t._curSubset = subset
                        theirs = t._formatText(variant)
                        after = (t._curSubset, t._rise)
                        t._curSubset = subset
                        ours = _planned(t, s, s.__shapeData__, g, extra)
                        checked += 1
                        if ours is None:  # no plan (or it does not hold): format_shaped serves
                            assert (t._curSubset, t._rise) == (subset, 0)
                            continue
                        planned += 1
                        assert ours == theirs, (w, font, size, extra)
                        assert (t._curSubset, t._rise) == after
    assert checked > 3000 and planned > 0.95 * checked


def test_a_plan_is_made_once_per_word_and_state(monkeypatch):
    """Plans are keyed by the word (its shaped string), the text state and the stretched glyphs: a
    render makes one per key and fills it for every use (the seed memo stretches 145 words, 64
    different), and every stretched word of the seed memo is drawn from a plan."""
    from memos.documents import textout

    doc = json.loads((ROOT / "examples" / "memo.json").read_text(encoding="utf-8"))
    render_pdf(doc)  # fonts, shaping, segmentation
    monkeypatch.setattr(textout, "_PLANS", {})
    made, filled, formatted = [], [], []
    real_runs, real_fill, real_format = textout._runs, textout._fill, textout.format_shaped

    def runs(*a, **kw):
        if kw.get("plan"):
            made.append(1)
        return real_runs(*a, **kw)

    def fill(*a, **kw):
        out = real_fill(*a, **kw)
        filled.append(out is not None)
        return out

    def format_shaped(t, text):
        formatted.append(len(text.__shapeData__) if isinstance(text, ShapedStr) else 0)
        return real_format(t, text)

    monkeypatch.setattr(textout, "_runs", runs)
    monkeypatch.setattr(textout, "_fill", fill)
    monkeypatch.setattr(textout, "format_shaped", format_shaped)
    render_pdf(doc)
    assert len(made) == len(textout._PLANS) > 50
    assert all(filled) and len(filled) > 1.5 * len(made)  # stretched words come back with other stretches
    assert not [n for n in formatted if n]  # no shaped word formatted glyph by glyph (plain strings: one Tj)


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.stem)
def test_total_fit_pruning_keeps_the_breaks(path, monkeypatch):
    """Total-fit stops looking at shorter lines once one alone costs more than the best total: the
    breaks are those of looking at every candidate, for each justified paragraph of the seed pack at
    its width and at narrower and wider ones, with and without a first-line indent."""
    calls = []
    real = T.layout_total_fit
    monkeypatch.setattr(T, "layout_total_fit", lambda *a: calls.append(a) or real(*a))
    render_pdf(json.loads(path.read_text(encoding="utf-8")))
    monkeypatch.setattr(T, "layout_total_fit", real)
    assert calls

    def breaks(runs, size, width, indent):
        return [(ln.text, ln.width, ln.ragged, ln.indent) for ln in real(runs, size, width, indent)]

    for runs, size, width, indent in calls:
        for w in (width, width * 0.61, width * 1.17):
            for first in {indent, 0.0}:
                monkeypatch.setattr(T, "TOTAL_FIT_PRUNE", True)
                pruned = breaks(runs, size, w, first)
                monkeypatch.setattr(T, "TOTAL_FIT_PRUNE", False)
                assert pruned == breaks(runs, size, w, first)


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.stem)
def test_rlfast_writes_reportlabs_bytes(path, monkeypatch):
    """memos/documents/rlfast.py's paths through canvas.save (pdfdocEnc, numeric arrays, PDF names,
    dictionaries):
    the whole PDF is the one ReportLab's own functions write."""
    from reportlab.pdfbase import pdfdoc

    from memos.documents import rlfast

    monkeypatch.setattr(rl_config, "invariant", 1)
    doc = json.loads(path.read_text(encoding="utf-8"))
    ours = render_pdf(doc)
    monkeypatch.setattr(pdfdoc, "pdfdocEnc", rlfast._original["pdfdocEnc"])
    monkeypatch.setattr(pdfdoc, "PDFName", rlfast._original["PDFName"])
    monkeypatch.setattr(pdfdoc.PDFArray, "format", rlfast._original["array"])
    monkeypatch.setattr(pdfdoc.PDFDictionary, "format", rlfast._original["dict"])
    assert render_pdf(doc) == ours


def test_rlfast_number_and_text_encodings_are_reportlabs():
    from reportlab.lib.rl_accel import fp_str
    from reportlab.pdfbase import pdfdoc

    from memos.documents import rlfast

    assert all(fp_str(i) == str(i) for i in range(-rlfast._INT_OK + 1, rlfast._INT_OK))
    original = rlfast._original["pdfdocEnc"]
    for text in ["/Type /Font", "a\x17b", "a\x18b", "\x1f", "\x7f", "(ไทย)", "é", "\t\r\n", ""]:
        try:
            expected = original(text)
        except UnicodeEncodeError:
            with pytest.raises(UnicodeEncodeError):
                rlfast.pdfdoc_enc(text)
            continue
        assert rlfast.pdfdoc_enc(text) == expected, repr(text)
    arrays = [list(range(-3, 300)), [0.5, 1, 2.25] * 7, [1, 2.5], [5], [199_999, -199_999, 3]]
    for seq in arrays:
        ours = rlfast.array_format(pdfdoc.PDFArray(seq), None)
        theirs = rlfast._original["array"](pdfdoc.PDFArray(seq), None)
        assert ours == theirs, seq


@pytest.mark.parametrize("padding", [0, 3])
def test_centred_draws_what_a_one_cell_table_drew(tmp_path, padding):
    """common.Centred replaced the one-cell tables that centred the emblem and the signature images:
    the same page, pixel for pixel, in a box narrower than the frame (aligned right) and as wide."""
    import pymupdf
    from PIL import Image as PILImage
    from reportlab.platypus import Image, SimpleDocTemplate, Spacer, Table

    from memos.documents.common import Centred

    picture = tmp_path / "p.png"
    PILImage.new("RGB", (90, 60), (200, 30, 30)).save(picture)

    def page(story) -> bytes:
        buf = io.BytesIO()
        SimpleDocTemplate(buf).build(story)
        return pymupdf.open(stream=buf.getvalue(), filetype="pdf")[0].get_pixmap(dpi=100).samples

    def image() -> Image:
        img = Image(str(picture))
        img.drawHeight, img.drawWidth = 40, 60
        return img

    def table(width: float, align: str) -> Table:
        t = Table([[image()]], colWidths=[width])
        t.hAlign = align
        style = [("ALIGN", (0, 0), (-1, -1), "CENTER")]
        if not padding:
            style += [(k, (0, 0), (-1, -1), 0) for k in ("LEFTPADDING", "RIGHTPADDING", "TOPPADDING", "BOTTOMPADDING")]
        t.setStyle(style)
        return t

    cases = [(200, "RIGHT"), (451, "CENTER")]

    def tables():
        return [f for w, a in cases for f in (table(w, a), Spacer(1, 7))]

    def centred():
        return [f for w, a in cases for f in (Centred(image(), w, padding, padding, a), Spacer(1, 7))]

    assert page(tables()) == page(centred())
    assert page(tables()) != page([Spacer(1, 1), *centred()])  # the comparison sees a shift


def test_split_string_answers_as_reportlabs():
    """textout.split_string against ReportLab's splitString on random strings over every character the
    font maps (past 256 codes: a second subset), with no-break spaces and characters it lacks."""
    import random

    from memos.documents.textout import split_string

    register()
    font = getFont(REGULAR)
    alphabet = [chr(c) for c in sorted(font.face.charToGlyph) if c > 32] + ["\xa0", " ", "\U0001F600"]
    assert len(alphabet) > 300

    class Doc:  # a document is only a key to the font's per-document state
        pass

    ours, theirs = Doc(), Doc()
    rnd = random.Random(10)
    for _ in range(4000):
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 12)))
        assert split_string(font, text, ours) == font.splitString(text, theirs), text
    assert font.state[ours].nextCode > 300  # codes went past the first subset
