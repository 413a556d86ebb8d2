"""PDF/A-3b for the documents the engine renders, and PDF/A-3 associated files.

Why here, as a pass over finished bytes: ReportLab already writes most of what PDF/A asks for
(embedded TrueType subsets, Flate only, no encryption); what it lacks is document-level (an
output intent that gives DeviceRGB a meaning, XMP metadata that claims the conformance, a
trailer /ID) plus a few flags on annotations. Doing it after typesetting keeps it independent of
how pages are drawn (the text-layer pass may rewrite content streams before this one runs).

The claim (``pdfaid:part=3``, ``conformance=B``) is written only by :func:`to_pdfa`, which first
checks the pages with :func:`page_problems`; a document whose pages break a rule we can check
(a font not embedded, a DeviceCMYK image, LZW, JavaScript) gets the output intent and metadata
but no claim, so nothing says "archival" about a file that is not. :func:`claims_pdfa` reads the
claim back. What is and is not verified is listed in the README ("Archival PDF").

Pure: no Django; pikepdf and Pillow only.
"""

from __future__ import annotations

import hashlib
import io
import struct
from datetime import UTC, datetime
from functools import cache

import pikepdf
from pikepdf import Array, Dictionary, Name, Pdf, String

ICC_DESCRIPTION = "sRGB IEC61966-2.1"
# Colour spaces PDF/A-3 accepts without further ado once an RGB output intent is present.
_DEVICE_OK = {"/DeviceRGB", "/DeviceGray"}
# Annotation flags (PDF 1.7, 12.5.3): Invisible, Hidden, Print, NoView, ToggleNoView.
_F_INVISIBLE, _F_HIDDEN, _F_PRINT, _F_NOVIEW, _F_TOGGLENOVIEW = 1, 2, 4, 32, 256
_RELATIONSHIPS = {"Source", "Data", "Alternative", "Supplement", "Unspecified"}


@cache
def srgb_icc() -> bytes:
    """An sRGB ICC profile made by LittleCMS through Pillow (no file to ship or license).

    LittleCMS stamps the creation time in the header; it is fixed to 2000-01-01 so the same
    document renders to the same bytes, and the profile ID (an MD5 over the profile, ICC.1:2010
    7.2.18) is recomputed when LittleCMS wrote one."""
    from PIL import ImageCms

    data = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    data[24:36] = struct.pack(">6H", 2000, 1, 1, 0, 0, 0)
    if any(data[84:100]):
        probe = bytearray(data)
        probe[44:48] = b"\0\0\0\0"  # profile flags
        probe[64:68] = b"\0\0\0\0"  # rendering intent
        probe[84:100] = b"\0" * 16  # the ID itself
        data[84:100] = hashlib.md5(probe, usedforsecurity=False).digest()
    return bytes(data)


def _output_intent(pdf: Pdf) -> Dictionary:
    profile = pdf.make_stream(srgb_icc())
    profile["/N"] = 3
    return pdf.make_indirect(Dictionary(
        Type=Name.OutputIntent, S=Name.GTS_PDFA1, OutputConditionIdentifier=String(ICC_DESCRIPTION),
        Info=String(ICC_DESCRIPTION), RegistryName=String("http://www.color.org"), DestOutputProfile=profile,
    ))


def _walk(pdf: Pdf):
    """Every dictionary and stream reachable from the trailer, each once."""
    stack: list[pikepdf.Object] = [pdf.trailer]
    seen: set[tuple[int, int]] = set()
    while stack:
        obj = stack.pop()
        if obj.is_indirect:
            if obj.objgen in seen:
                continue
            seen.add(obj.objgen)
        if isinstance(obj, (Dictionary, pikepdf.Stream)):
            yield obj
            stack.extend(v for k, v in obj.items() if k != "/Parent" and isinstance(v, (Dictionary, pikepdf.Stream, Array)))
        elif isinstance(obj, Array):
            stack.extend(v for v in obj if isinstance(v, (Dictionary, pikepdf.Stream, Array)))


def _font_embedded(font: Dictionary) -> bool:
    if font.get("/Subtype") == "/Type3":
        return True  # glyphs are content streams inside the font
    if font.get("/Subtype") == "/Type0":
        font = font["/DescendantFonts"][0]
    desc = font.get("/FontDescriptor")
    return isinstance(desc, Dictionary) and any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3"))


def _colour_space_problem(cs: pikepdf.Object) -> str | None:
    if isinstance(cs, Name):
        return None if str(cs) in _DEVICE_OK or str(cs) == "/Pattern" else f"colour space {cs}"
    if isinstance(cs, Array) and len(cs) > 2:
        if str(cs[0]) in ("/Indexed", "/I"):
            return _colour_space_problem(cs[1])
        if str(cs[0]) in ("/DeviceN", "/Separation"):  # the alternate space is what prints
            return _colour_space_problem(cs[2])
    return None  # ICCBased, Lab, CalRGB: device independent


def page_problems(pdf: Pdf) -> list[str]:
    """Rules of PDF/A-3b that this module can check and cannot repair, over every object.

    Fonts must be embedded (a reader would substitute one and Thai marks would move); DeviceCMYK
    needs a CMYK output intent we do not have; JavaScript is forbidden outright. (Encryption and
    LZW are repaired by saving: see ``_save``.)"""
    problems: list[str] = []
    for obj in _walk(pdf):
        kind = obj.get("/Type")
        sub = obj.get("/Subtype")
        if isinstance(obj, pikepdf.Stream):
            if sub == "/Image" and not obj.get("/ImageMask", False):
                cs = obj.get("/ColorSpace")
                why = _colour_space_problem(cs) if cs is not None else None
                if why:
                    problems.append(f"image {why}")
        if kind == "/Font" or (sub in ("/TrueType", "/Type1", "/Type0", "/MMType1") and "/BaseFont" in obj):
            if sub not in ("/CIDFontType0", "/CIDFontType2") and not _font_embedded(obj):
                problems.append(f"font {obj.get('/BaseFont')} not embedded")
        if obj.get("/S") == "/JavaScript" or "/JS" in obj:
            problems.append("JavaScript")
        for key in ("/ColorSpace",):
            spaces = obj.get(key)
            if isinstance(spaces, Dictionary):  # a resource dictionary's named colour spaces
                for name, cs in spaces.items():
                    why = _colour_space_problem(cs)
                    if why:
                        problems.append(f"resource {name}: {why}")
    return sorted(set(problems))


def _fix_annotations(pdf: Pdf) -> None:
    """PDF/A: every annotation printable and visible (a hidden one could show something else on
    screen than on paper); ReportLab's links carry no /F at all."""
    for page in pdf.pages:
        for annot in page.obj.get("/Annots", Array()):
            if isinstance(annot, Dictionary):
                flags = int(annot.get("/F", 0))
                flags = (flags | _F_PRINT) & ~(_F_INVISIBLE | _F_HIDDEN | _F_NOVIEW | _F_TOGGLENOVIEW)
                annot["/F"] = flags


def _fix_images(pdf: Pdf) -> None:
    """PDF/A forbids /Interpolate true (the look would depend on the reader)."""
    for obj in _walk(pdf):
        if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == "/Image" and obj.get("/Interpolate", False):
            obj["/Interpolate"] = False


def _set_metadata(pdf: Pdf, lang: str, claim: bool) -> None:
    """XMP from the document information (title, author, dates, producer), so the two agree, and
    the PDF/A identification when ``claim``."""
    info = pdf.docinfo
    for key in list(info.keys()):
        # /Trapped is not needed; an empty /Author or /Keywords says nothing; either would be
        # one more field that XMP has to agree with
        if key == "/Trapped" or (isinstance(info[key], String) and not str(info[key]).strip()):
            del info[key]
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        meta.load_from_docinfo(info, delete_missing=False, raise_failure=False)
        meta["dc:language"] = [lang]
        if "/Title" in info:
            meta["dc:title"] = str(info["/Title"])
        if "/Author" in info:
            meta["dc:creator"] = [str(info["/Author"])]
        for key in ("pdfaid:part", "pdfaid:conformance"):
            if key in meta:
                del meta[key]
        if claim:
            meta["pdfaid:part"] = "3"
            meta["pdfaid:conformance"] = "B"
    if "/Filter" in pdf.Root.Metadata:  # PDF/A: XMP readable without decoding
        pdf.Root.Metadata.write(pdf.Root.Metadata.read_bytes())


def _save(pdf: Pdf) -> bytes:
    out = io.BytesIO()
    # deterministic_id: the /ID PDF/A requires, the same for the same content; encryption=False
    # drops an owner-password encryption (a user password would not have opened); streams in
    # LZW (forbidden) are decoded and written again with Flate
    pdf.save(out, deterministic_id=True, fix_metadata_version=False, encryption=False,
             compress_streams=True, stream_decode_level=pikepdf.StreamDecodeLevel.generalized)
    return out.getvalue()


def to_pdfa(data: bytes, lang: str = "th") -> bytes:
    """``data`` with an sRGB output intent, XMP metadata agreeing with its document information,
    ``/Lang``, printable annotations and a trailer /ID; claiming PDF/A-3b only if
    :func:`page_problems` finds nothing."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        pdf.Root.OutputIntents = Array([_output_intent(pdf)])
        if "/Lang" not in pdf.Root:
            pdf.Root.Lang = String(lang)
        # ReportLab lists Helvetica in every page's resources even when no text uses it (the
        # image pages of a bundle): an unused, unembedded font would still be found by checkers
        pdf.remove_unreferenced_resources()
        _fix_annotations(pdf)
        _fix_images(pdf)
        _set_metadata(pdf, lang, claim=not page_problems(pdf))
        return _save(pdf)


def claims_pdfa(data: bytes) -> bool:
    """Whether the XMP says PDF/A-3B (what a validator or an archive reads first)."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        meta = pdf.open_metadata()
        return meta.get("pdfaid:part") == "3" and meta.get("pdfaid:conformance") == "B"


def _pdf_date(when: datetime) -> str:
    return "D:" + when.astimezone(UTC).strftime("%Y%m%d%H%M%S") + "Z"


def attach_associated_file(pdf: bytes, name: str, data: bytes, mime: str, relationship: str = "Data",
                           description: str = "", modified: datetime | None = None) -> bytes:
    """``pdf`` with ``data`` embedded as a PDF/A-3 associated file of the whole document: listed
    in the catalog's /AF and its /EmbeddedFiles name tree, with the MIME type, /AFRelationship
    and /Params (ModDate, Size, CheckSum) PDF/A-3 asks for. An attachment of the same name is
    replaced (a record regenerated at re-issue must not appear twice).

    Why the catalog: the decision record speaks of the document as a whole, not of a page."""
    if relationship not in _RELATIONSHIPS:
        raise ValueError(f"AFRelationship must be one of {sorted(_RELATIONSHIPS)}")
    when = modified or datetime.now(UTC)
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        stream = doc.make_stream(data)
        stream["/Type"] = Name.EmbeddedFile
        stream["/Subtype"] = Name("/" + mime)
        stream["/Params"] = Dictionary(
            ModDate=String(_pdf_date(when)), Size=len(data),
            CheckSum=String(hashlib.md5(data, usedforsecurity=False).digest()),
        )
        spec = doc.make_indirect(Dictionary(
            Type=Name.Filespec, F=String(name), UF=String(name), Desc=String(description or name),
            AFRelationship=Name("/" + relationship), EF=Dictionary(F=stream, UF=stream),
        ))
        root = doc.Root
        names = root.get("/Names")
        if not isinstance(names, Dictionary):
            names = root.Names = doc.make_indirect(Dictionary())
        tree = names.get("/EmbeddedFiles")
        if not isinstance(tree, Dictionary):
            tree = names.EmbeddedFiles = doc.make_indirect(Dictionary(Names=Array()))
        entries = pikepdf.NameTree(tree)
        old = entries.get(name)
        entries[name] = spec
        af = [x for x in root.get("/AF", Array()) if old is None or x.objgen != old.objgen]
        root.AF = Array([*af, spec])
        return _save(doc)
