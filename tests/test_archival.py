"""PDF/A-3b: every rendered document passes tests/pdfa_check.py (a pikepdf/fontTools/poppler
checker written apart from memos/documents/archival.py); the claim is dropped, not faked, when an
appended attachment breaks a rule; the decision record can be embedded as a PDF/A-3 associated
file. The checker itself is shown to fail on what it must catch, so a pass means something."""

from __future__ import annotations

import io
import json
import subprocess
from datetime import UTC, datetime

import pikepdf
import pytest
from PIL import Image
from reportlab.pdfgen import canvas

from memos.documents import parse_document, render_pdf
from memos.documents.archival import attach_associated_file, claims_pdfa, page_problems, srgb_icc, to_pdfa
from memos.documents.bundle import bundle
from memos.documents.fonts import REGULAR, register
from memos.documents.render import render

from .documents_set import DOCS, ROOT, load_doc
from .pdfa_check import problems
from .pdfcheck import pdftotext


@pytest.fixture(scope="module")
def rendered() -> dict[str, bytes]:
    return {p.name: render_pdf(load_doc(p)) for p in DOCS}


def _memo(rendered) -> bytes:
    return rendered["memo.json"]


def helvetica_pdf(text: str = "Helvetica, not embedded") -> bytes:
    """What most office software does not do but a quick script does: a standard-14 font, not embedded."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.drawString(72, 720, text)
    c.save()
    return buf.getvalue()


def sarabun_pdf(text: str = "ภาคผนวก ก", link: str | None = None) -> bytes:
    register()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, initialFontName=REGULAR)
    c.setFont(REGULAR, 16)
    c.drawString(72, 720, text)
    if link:
        c.linkURL(link, (72, 700, 300, 740))
    c.save()
    return buf.getvalue()


def image(mode: str, fmt: str) -> bytes:
    buf = io.BytesIO()
    Image.new(mode, (120, 80), (10, 120, 200, 0)[: len(mode)] if mode != "L" else 128).save(buf, fmt)
    return buf.getvalue()


# --- every rendered document -------------------------------------------------------------------

@pytest.mark.parametrize("name", [p.name for p in DOCS])
def test_every_rendered_document_is_pdfa_3b(rendered, name):
    pdf = rendered[name]
    assert problems(pdf) == []
    assert claims_pdfa(pdf)


@pytest.mark.parametrize("name", [p.name for p in DOCS])
def test_metadata_says_what_the_document_is(rendered, name):
    data = json.loads((next(p for p in DOCS if p.name == name)).read_text())
    with pikepdf.open(io.BytesIO(rendered[name])) as pdf:
        meta = pdf.open_metadata()
        title = data.get("subject") or data.get("title")
        assert meta["dc:title"] == title == str(pdf.docinfo["/Title"])
        assert "th" in meta["dc:language"] and str(pdf.Root.Lang) == "th"
        if "agency" in data:  # memo and announcement: the agency is the author
            assert meta["dc:creator"] == [data["agency"]["name"]]
        assert meta["pdf:Producer"] == str(pdf.docinfo["/Producer"])
        assert pdf.Root.OutputIntents[0].OutputConditionIdentifier == "sRGB IEC61966-2.1"


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.stem)
def test_xmp_written_as_text_says_what_pikepdfs_api_says(path, monkeypatch):
    """archival._new_xmp (a new packet as text) and pikepdf's metadata API, from the same document
    information: the same properties, claim and language; pikepdf's API when a value is not one the
    text writes (a date without time)."""
    from memos.documents import archival
    from memos.documents.render import render_untagged

    raw = bytes(render_untagged(parse_document(load_doc(path))))

    def xmp(fast: bool, claim: bool = True, info: dict | None = None) -> dict:
        if not fast:
            monkeypatch.setattr(archival, "_new_xmp", lambda *a: None)
        with pikepdf.open(io.BytesIO(raw)) as pdf:
            for key, value in (info or {}).items():
                pdf.docinfo[key] = pikepdf.String(value)
            archival._set_metadata(pdf, "th", claim)
            assert pdf.Root.Metadata.Type == "/Metadata" and pdf.Root.Metadata.Subtype == "/XML"
            out = dict(pdf.open_metadata())
        monkeypatch.undo()
        return out

    for claim in (True, False):
        fast = xmp(True, claim)
        assert fast == xmp(False, claim)
        assert ("{http://www.aiim.org/pdfa/ns/id/}part" in fast) is claim
    odd = {"/Title": "a < b & c > d", "/Keywords": "ทดสอบ", "/ModDate": "D:20250101"}
    assert xmp(True, info=odd) == xmp(False, info=odd)


def test_emblems_and_signatures_of_every_kind_keep_the_document_pdfa(tmp_path):
    """An emblem with transparency (soft mask), a palette PNG, a grey JPEG and an RGB JPEG."""
    files = {"emblem.png": ("RGBA", "PNG"), "palette.png": ("P", "PNG"), "grey.jpg": ("L", "JPEG"),
             "rgb.jpg": ("RGB", "JPEG")}
    for name, (mode, fmt) in files.items():
        img = Image.new("RGBA" if mode == "RGBA" else "RGB", (90, 60), (120, 30, 30, 255))
        img.paste((255, 255, 255, 0) if mode == "RGBA" else (250, 250, 250), (0, 0, 45, 30))
        (img if mode in ("RGBA", "RGB") else img.convert(mode)).save(tmp_path / name, fmt)
    data = json.loads((ROOT / "examples" / "memo.json").read_text())
    data["agency"]["emblem"] = str(tmp_path / "emblem.png")
    data["signer"]["signature"] = str(tmp_path / "palette.png")
    data["endorsements"][0]["signature"] = str(tmp_path / "grey.jpg")
    data["endorsements"][-1]["signature"] = str(tmp_path / "rgb.jpg")
    pdf = render_pdf(data)
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        images = [o for o in doc.objects if isinstance(o, pikepdf.Stream) and o.get("/Subtype") == "/Image"]
        assert any("/SMask" in o for o in images) and len(images) >= 4
    assert problems(pdf) == [] and claims_pdfa(pdf)


def _structure(pdf: pikepdf.Pdf) -> list[tuple[int, int, str]]:
    """(page index, MCID, role) of every structure element under Document, in order."""
    pages = {p.obj.objgen: i for i, p in enumerate(pdf.pages)}
    document = pdf.Root.StructTreeRoot.K
    assert document.S == "/Document"
    out = [(pages[e.Pg.objgen], int(e.K), str(e.S)[1:]) for e in document.K]
    # the parent tree maps each page's MCIDs back to the same elements
    nums = list(pdf.Root.StructTreeRoot.ParentTree.Nums)
    for key, slots in zip(nums[::2], nums[1::2], strict=True):
        page = next(p for p in pdf.pages if p.obj.get("/StructParents") == key)
        for mcid, elem in enumerate(slots):
            assert elem.Pg.objgen == page.obj.objgen and int(elem.K) == mcid
    return out


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.stem)
def test_reportlab_writes_what_the_archival_pass_wrote(path, tmp_path):
    """render_pdf (ReportLab writes the archival parts: archival_build) against the archival pass
    over ReportLab's plain output (what render_pdf returned before): the same pixels, text,
    structure tree, document information, XMP properties, language and output profile."""
    from memos.documents.render import render_untagged

    data = load_doc(path)
    built = render_pdf(data)
    plain = render_untagged(parse_document(data))
    passed = to_pdfa(bytes(plain), tags=plain.tags, own_fonts=True)
    assert built != passed and b"/StructTreeRoot" not in plain

    def look(pdf: bytes) -> tuple[bytes, str]:
        pixels = subprocess.run(["pdftoppm", "-r", "50", "-gray", "-"], input=pdf, capture_output=True, check=True)
        return pixels.stdout, pdftotext(pdf)

    def parts(pdf: bytes) -> dict:
        with pikepdf.open(io.BytesIO(pdf)) as doc:
            meta = {k: v for k, v in doc.open_metadata().items() if not k.endswith(("CreateDate", "ModifyDate"))}
            info = {k: str(v) for k, v in doc.docinfo.items() if k not in ("/CreationDate", "/ModDate")}
            intent = doc.Root.OutputIntents[0]
            return {"structure": _structure(doc), "meta": meta, "info": info, "lang": str(doc.Root.Lang),
                    "marked": bool(doc.Root.MarkInfo.Marked), "profile": intent.DestOutputProfile.read_bytes(),
                    "intent": {k: str(v) for k, v in intent.items() if k != "/DestOutputProfile"},
                    "pages": len(doc.pages)}

    assert look(built) == look(passed)
    assert parts(built) == parts(passed)
    assert problems(built) == [] and claims_pdfa(built)
    (tmp_path / "built.pdf").write_bytes(built)
    qpdf = subprocess.run(["qpdf", "--check", str(tmp_path / "built.pdf")], capture_output=True, text=True)
    assert qpdf.returncode == 0 and "No syntax or stream encoding errors" in qpdf.stdout, qpdf.stdout + qpdf.stderr


@pytest.mark.parametrize("name", ["memo.json", "announcement.json"])
def test_the_archival_pass_changes_no_pixel_and_no_text(name):
    raw = render(parse_document(json.loads((ROOT / "examples" / name).read_text())))
    archival = to_pdfa(raw)

    def look(pdf: bytes) -> tuple[bytes, str]:
        pixels = subprocess.run(["pdftoppm", "-r", "60", "-gray", "-"], input=pdf, capture_output=True, check=True)
        return pixels.stdout, pdftotext(pdf)

    assert look(raw) == look(archival)


def test_the_checker_fails_reportlab_output_before_the_archival_pass(rendered):
    raw = render(parse_document(json.loads((ROOT / "examples" / "memo.json").read_text())))
    found = problems(raw)
    assert "no GTS_PDFA1 output intent" in found and "catalog has no /Metadata stream" in found
    from memos.documents.render import render_untagged

    plain = bytes(render_untagged(parse_document(json.loads((ROOT / "examples" / "memo.json").read_text()))))
    assert "endstream not preceded by an end-of-line after /Length bytes" in problems(plain)
    assert problems(to_pdfa(raw)) == []
    assert problems(to_pdfa(to_pdfa(raw))) == []  # a second pass (bundling does one) changes nothing wrong


def test_the_checker_catches_wrong_widths_and_mismatched_dates(rendered):
    with pikepdf.open(io.BytesIO(_memo(rendered))) as pdf:
        font = next(o for o in pdf.objects if isinstance(o, pikepdf.Dictionary) and o.get("/Type") == "/Font")
        widths = font.Widths
        i = next(i for i, w in enumerate(widths) if int(w) > 0)
        widths[i] = int(widths[i]) + 40
        pdf.docinfo["/ModDate"] = "D:20200101000000Z"
        out = io.BytesIO()
        pdf.save(out)
    found = problems(out.getvalue())
    assert any("width of code" in p for p in found)
    assert any("/ModDate" in p for p in found)


def test_the_checker_finds_a_character_the_font_lacks():
    assert problems(to_pdfa(sarabun_pdf("กขค ทดสอบ"))) == []
    assert problems(to_pdfa(sarabun_pdf("ก中文"))) == ["page 1: text shown with .notdef (a character the font lacks)"]


def test_a_standard_font_not_embedded_keeps_the_claim_off():
    pdf = to_pdfa(helvetica_pdf())
    assert not claims_pdfa(pdf)
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        assert page_problems(doc) == ["font /Helvetica not embedded"]
        assert "/OutputIntents" in doc.Root  # the rest of the archival pass still done
    found = problems(pdf)
    assert "font /Helvetica is not embedded" in found and "pdfffonts" not in found
    assert any("pdfaid:part" in p for p in found)


def test_javascript_keeps_the_claim_off_and_lzw_is_rewritten():
    with pikepdf.open(io.BytesIO(sarabun_pdf())) as pdf:
        pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
        out = io.BytesIO()
        pdf.save(out)
    assert not claims_pdfa(to_pdfa(out.getvalue()))
    assert "JavaScript" in problems(to_pdfa(out.getvalue()))
    with pikepdf.open(io.BytesIO(sarabun_pdf())) as pdf:
        stream = pdf.make_stream(b"\x80\x0b\x60\x50\x22\x0c\x0c\x85\x01")  # "-----A---B" in LZW
        stream["/Filter"] = pikepdf.Name.LZWDecode
        pdf.Root.Junk = stream
        out = io.BytesIO()
        pdf.save(out, stream_decode_level=pikepdf.StreamDecodeLevel.none, compress_streams=False)
    assert any("LZWDecode" in p for p in problems(out.getvalue()))
    pdf = to_pdfa(out.getvalue())
    assert problems(pdf) == [] and claims_pdfa(pdf)
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        assert doc.Root.Junk.read_bytes() == b"-----A---B"


def test_a_pdfua_claim_from_an_earlier_pass_gets_its_extension_schema(rendered):
    """The text-layer pass may write pdfuaid:part; PDF/A accepts it only with a schema description."""
    raw = render(parse_document(json.loads((ROOT / "examples" / "memo.json").read_text())))
    with pikepdf.open(io.BytesIO(raw)) as pdf:
        # update_docinfo=False: pikepdf's default would empty the Info dictionary from this XMP
        with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
            meta.register_xml_namespace("http://www.aiim.org/pdfua/ns/id/", "pdfuaid")
            meta["{http://www.aiim.org/pdfua/ns/id/}part"] = "1"
        out = io.BytesIO()
        pdf.save(out)
    assert "XMP uses http://www.aiim.org/pdfua/ns/id/ without an extension schema" in problems(out.getvalue())
    pdf = to_pdfa(out.getvalue())
    assert problems(pdf) == [] and claims_pdfa(pdf)
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        assert doc.open_metadata()["{http://www.aiim.org/pdfua/ns/id/}part"] == "1"


def test_links_become_printable_annotations():
    raw = sarabun_pdf(link="https://www.klongphon.go.th/")
    assert any("annotation /Link" in p for p in problems(raw))
    pdf = to_pdfa(raw)
    assert problems(pdf) == [] and claims_pdfa(pdf)
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        assert int(doc.pages[0].Annots[0].F) == 4


def test_the_output_profile_is_srgb_and_the_same_every_time():
    from PIL import ImageCms

    icc = srgb_icc()
    profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
    assert "sRGB" in ImageCms.getProfileDescription(profile)
    assert icc[12:20] == b"mntrRGB " and icc[24:28] == b"\x07\xd0\x00\x01"  # created 2000-01-01
    srgb_icc.cache_clear()
    assert srgb_icc() == icc


def test_an_encrypted_input_comes_out_unencrypted():
    with pikepdf.open(io.BytesIO(sarabun_pdf())) as pdf:
        out = io.BytesIO()
        pdf.save(out, encryption=pikepdf.Encryption(owner="owner", user="", R=6))
    assert pikepdf.open(io.BytesIO(out.getvalue())).is_encrypted
    pdf = to_pdfa(out.getvalue())
    assert problems(pdf) == [] and claims_pdfa(pdf)


# --- bundled attachments (what issuing does) ----------------------------------------------------

def test_bundling_pdfa_pages_and_rgb_images_keeps_the_claim(rendered):
    out = bundle(_memo(rendered), [sarabun_pdf(), image("RGB", "PNG"), image("RGBA", "PNG"),
                                   image("L", "JPEG"), rendered["announcement.json"]])
    assert problems(out) == [] and claims_pdfa(out)
    with pikepdf.open(io.BytesIO(out)) as pdf:
        assert pdf.open_metadata()["dc:title"] == str(pdf.docinfo["/Title"])


@pytest.mark.parametrize("attachment, why", [
    (helvetica_pdf(), "font /Helvetica not embedded"),
    (image("CMYK", "JPEG"), "image colour space /DeviceCMYK"),
])
def test_bundling_a_page_that_breaks_a_rule_drops_the_claim_and_says_why(rendered, attachment, why):
    out = bundle(_memo(rendered), [attachment])
    assert not claims_pdfa(out)
    with pikepdf.open(io.BytesIO(out)) as pdf:
        assert page_problems(pdf) == [why]
        assert "/OutputIntents" in pdf.Root and str(pdf.Root.Lang) == "th"
    assert problems(out)  # and the independent checker agrees it is not PDF/A


# --- associated files (the decision record of the signing work) ---------------------------------

def test_an_associated_file_is_embedded_the_pdfa3_way(rendered):
    record = json.dumps({"steps": [{"decision": "approve", "hash": "ab" * 32}]}, ensure_ascii=False).encode()
    when = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)
    pdf = attach_associated_file(_memo(rendered), "decision-record.json", record, "application/json",
                                 description="ประวัติการพิจารณา", modified=when)
    assert problems(pdf) == [] and claims_pdfa(pdf)
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        assert doc.attachments["decision-record.json"].get_file().read_bytes() == record
        spec = doc.Root.AF[0]
        assert spec.AFRelationship == "/Data" and spec.UF == "decision-record.json"
        stream = spec.EF.F
        assert stream.Subtype == "/application/json"
        assert int(stream.Params.Size) == len(record) and str(stream.Params.ModDate) == "D:20261127093000Z"
    # attached again under the same name: replaced, not doubled
    again = attach_associated_file(pdf, "decision-record.json", b"{}", "application/json", relationship="Source")
    with pikepdf.open(io.BytesIO(again)) as doc:
        assert list(doc.attachments) == ["decision-record.json"] and len(doc.Root.AF) == 1
        assert doc.Root.AF[0].AFRelationship == "/Source"
    assert problems(again) == []


def test_the_checker_wants_associated_files_listed_and_typed(rendered):
    with pikepdf.open(io.BytesIO(_memo(rendered))) as doc:
        spec = doc.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Filespec, F=pikepdf.String("loose.txt"),
            EF=pikepdf.Dictionary(F=doc.make_stream(b"x"))))
        doc.Root.Names = pikepdf.Dictionary(EmbeddedFiles=pikepdf.Dictionary(Names=pikepdf.Array(["loose.txt", spec])))
        out = io.BytesIO()
        doc.save(out)
    found = problems(out.getvalue())
    assert "embedded file loose.txt: not listed in any /AF" in found
    assert "embedded file loose.txt: no /AFRelationship" in found
    assert "embedded file loose.txt: no MIME /Subtype" in found


def test_an_unknown_relationship_is_refused(rendered):
    with pytest.raises(ValueError):
        attach_associated_file(_memo(rendered), "x.json", b"{}", "application/json", relationship="Owner")


# --- issued through the real path (render, bundle, store, read back over HTTP) -----------------

@pytest.mark.django_db
def test_issued_memo_and_announcement_are_pdfa_unless_an_attachment_breaks_it(api):
    from .conftest import create_memo
    from .test_attachments import ANNOUNCEMENT, approve, issue, memo_pdf, public_pdf, upload

    m = create_memo(api, announcement=ANNOUNCEMENT)
    assert upload(api, m["id"], "annex.pdf", sarabun_pdf("ภาคผนวก ข"), publish="true").status_code == 201
    assert upload(api, m["id"], "photo.png", image("RGB", "PNG"), publish="true").status_code == 201
    # kept for the memo's readers only: a script's PDF with Helvetica, not embedded
    assert upload(api, m["id"], "draft.pdf", helvetica_pdf(), publish="false").status_code == 201
    approve(api, m["id"])
    assert issue(m["id"]).state == "done"

    public = public_pdf(m["id"])
    assert problems(public) == [] and claims_pdfa(public)
    whole = memo_pdf(api, m["id"])
    assert not claims_pdfa(whole)  # honest: the Helvetica page is not archival
    with pikepdf.open(io.BytesIO(whole)) as pdf:
        assert page_problems(pdf) == ["font /Helvetica not embedded"]
        assert "th" in pdf.open_metadata()["dc:language"] and "/OutputIntents" in pdf.Root


def test_a_cmyk_signature_takes_the_pass_and_drops_the_claim(tmp_path):
    """archival_build vouches only for RGB and grey images: a CMYK JPEG signature sends the document
    through the archival pass, which finds DeviceCMYK and writes no claim (nothing says archival)."""
    Image.new("CMYK", (90, 60), (0, 100, 100, 0)).save(tmp_path / "cmyk.jpg", "JPEG")
    data = json.loads((ROOT / "examples" / "memo.json").read_text())
    data["signer"]["signature"] = str(tmp_path / "cmyk.jpg")
    pdf = render_pdf(data)
    assert not claims_pdfa(pdf)
    assert "image: /DeviceCMYK with an RGB output intent" in problems(pdf)
    with pikepdf.open(io.BytesIO(pdf)) as doc:  # still tagged: the pass added the tree
        assert "/StructTreeRoot" in doc.Root
