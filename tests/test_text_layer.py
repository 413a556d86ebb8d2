"""The text layer every reader gets right: each paragraph of every example and test document comes
back whole (NFC, ำ composed, one space where the source has one, none elsewhere, no duplicates)
from poppler, pdfminer.six, pypdf and PyMuPDF (tests/text_readers.py says how each is read)."""

from functools import cache
from pathlib import Path

import pytest

from memos.documents import render_pdf

from .documents_set import DOCS, ROOT, load_doc
from .pdfcheck import texts_of
from .text_readers import READERS, found_in_parts, found_whole, normal

LONG_TOKEN = 60  # a token wider than the line is cut at clusters, by design (a line break inside it)


@cache
def _rendered(path: Path) -> tuple[dict, bytes]:
    doc = load_doc(path)
    return doc, render_pdf(doc)


@cache
def _extracted(path: Path, reader: str) -> str:
    return READERS[reader](_rendered(path)[1])


def _paragraphs(doc: dict) -> tuple[list[str], list[str]]:
    """(body paragraphs, table cells) as the engine prints them."""
    if doc["kind"] != "report":
        return texts_of(doc), []
    body = [doc["title"], doc.get("subtitle") or "", *doc.get("intro", [])]
    cells = []
    for t in doc["tables"]:
        body.append(t.get("caption") or "")
        cells += t["columns"]
        for row in t["rows"]:
            for c in row:
                cells += c if isinstance(c, list) else [c]
    return [x for x in body if x], [x for x in cells if x]


def _checkable(text: str) -> bool:
    return max((len(w) for w in text.split()), default=0) <= LONG_TOKEN


@pytest.mark.parametrize("reader", sorted(READERS))
@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.stem)
def test_every_paragraph_comes_back_whole(path, reader):
    doc, _ = _rendered(path)
    text = _extracted(path, reader)
    body, cells = _paragraphs(doc)
    missing = [normal(p)[:70] for p in body if _checkable(p) and not found_whole(p, text)]
    assert not missing, f"{reader}: {len(missing)} of {len(body)} paragraphs not found whole: {missing[:5]}"
    assert "\u0e4d\u0e32" not in text and "\ufffd" not in text
    assert not any("\ufb00" <= c <= "\ufb06" for c in text), "a Latin ligature read as one character"
    if reader == "pdfminer":
        return  # its layout analysis reads a table row across the columns: cells are not in its order
    cells_missing = [normal(c)[:70] for c in cells if _checkable(c) and not found_in_parts(c, text)]
    assert not cells_missing, f"{reader}: {len(cells_missing)} of {len(cells)} cells: {cells_missing[:5]}"


@pytest.mark.parametrize("reader", sorted(READERS))
def test_sara_am_reads_composed_and_no_spaces_inside_justified_words(reader):
    """A justified paragraph full of ำ and stacked marks: no "ํา", no space where the source has none."""
    path = ROOT / "examples" / "announcement.json"
    text = _extracted(path, reader)
    assert "ตำบล" in text and "ดำเนินการ" in text and "ประจำปีงบประมาณ" in text
    for word in ("ความโปร่งใส", "ประเมินคุณธรรม", "หน่วยงาน"):
        assert word in text.replace("\n", ""), (reader, word)


def _marked_content(page) -> tuple[set[int], list[str]]:
    """MCIDs opened on a page, and the text shown inside /Artifact marked content."""
    import pikepdf

    mcids, artifact_text, stack = set(), [], []
    for operands, op in pikepdf.parse_content_stream(page):
        name = str(op)
        if name in ("BDC", "BMC"):
            tag = str(operands[0])
            stack.append(tag)
            if name == "BDC" and isinstance(operands[1], pikepdf.Dictionary) and "/MCID" in operands[1]:
                mcids.add(int(operands[1].MCID))
        elif name == "EMC":
            stack.pop()
        elif name in ("Tj", "TJ") and "/Artifact" in stack:
            artifact_text.append(name)
    return mcids, artifact_text


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.stem)
def test_tagged_structure(path):
    """StructTreeRoot (Document → H1/H2/P), every MCID resolves to marked content on its page and
    back through the ParentTree, /MarkInfo marked, /Lang th, page numbers from page 2 are artifacts."""
    import io

    import pikepdf

    _, pdf = _rendered(path)
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        assert doc.Root.MarkInfo.Marked is True
        assert str(doc.Root.Lang) == "th"
        tree = doc.Root.StructTreeRoot
        document = tree.K
        assert document.S == "/Document"
        elems = list(document.K)
        assert elems and {str(e.S) for e in elems} <= {"/H1", "/H2", "/P"}
        nums = list(tree.ParentTree.Nums)
        parents = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
        marked = {}
        for n, page in enumerate(doc.pages):
            mcids, artifact_text = _marked_content(page)
            marked[page.obj.objgen] = (mcids, int(page.obj.StructParents) if "/StructParents" in page.obj else None)
            if n >= 1:
                assert artifact_text, f"page {n + 1}: its number is not an artifact"
        for e in elems:
            mcids, key = marked[e.Pg.objgen]
            assert int(e.K) in mcids
            assert parents[key][int(e.K)].objgen == e.objgen
        assert len(elems) == sum(len(m) for m, _k in marked.values())


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.stem)
def test_all_readers_read_the_same_characters(path):
    """No reader gets a character more or fewer than the others (duplicated fragments, lost marks,
    a nikhahit read twice): the same multiset of non-space characters from all four."""
    import unicodedata
    from collections import Counter

    counts = {r: Counter(c for c in unicodedata.normalize("NFC", _extracted(path, r)) if not c.isspace())
              for r in sorted(READERS)}
    ref = counts["poppler"]
    for reader, got in counts.items():
        assert got == ref, (reader, dict(got - ref), dict(ref - got))


def test_bound_attachments_keep_the_structure_tree():
    """Issuing binds attachments after the memo: the memo's tags, /MarkInfo and /Lang survive, and
    an attached page brings no structure numbers of its own (they would point into our tree)."""
    import io

    import pikepdf
    from reportlab.pdfgen.canvas import Canvas

    from memos.documents.bundle import bundle

    buf = io.BytesIO()
    c = Canvas(buf)
    c.drawString(72, 720, "attached")
    c.showPage()
    c.save()
    with pikepdf.open(io.BytesIO(buf.getvalue())) as tagged:  # as if another tagged file
        tagged.pages[0].obj.StructParents = 0
        out = io.BytesIO()
        tagged.save(out)
    _, pdf = _rendered(ROOT / "examples" / "memo.json")
    bound = bundle(pdf, [out.getvalue()])
    with pikepdf.open(io.BytesIO(pdf)) as alone, pikepdf.open(io.BytesIO(bound)) as doc:
        assert len(doc.pages) == len(alone.pages) + 1
        assert doc.Root.MarkInfo.Marked is True and str(doc.Root.Lang) == "th"
        assert len(doc.Root.StructTreeRoot.K.K) == len(alone.Root.StructTreeRoot.K.K)
        assert "/StructParents" not in doc.pages[-1].obj
