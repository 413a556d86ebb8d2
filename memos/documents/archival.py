"""PDF/A-3b for the documents the engine renders, and PDF/A-3 associated files.

Why here, as a pass over finished bytes: ReportLab already writes most of what PDF/A asks for
(embedded TrueType subsets, Flate only, no encryption); what it lacks is document-level (an
output intent that gives DeviceRGB a meaning, XMP metadata that claims the conformance, a
trailer /ID) plus a few flags on annotations. Doing it after typesetting keeps it independent of
how pages are drawn (the text-layer pass may rewrite content streams before this one runs).
The documents we draw no longer come through here: ReportLab writes the same parts as it saves them
(archival_build.py). This pass serves bundles (attachments appended), others' PDFs, and a drawing
archival_build cannot vouch for.

The claim (``pdfaid:part=3``, ``conformance=B``) is written here by :func:`to_pdfa` only after it
checks the pages with :func:`page_problems`; a document whose pages break a rule we can check
but not repair (a font not embedded, a DeviceCMYK image, JavaScript) gets the output intent and
metadata but no claim, so nothing says "archival" about a file that is not. :func:`claims_pdfa` reads the
claim back. What is and is not verified is listed in the README ("Archival PDF").

Pure: no Django; pikepdf and Pillow only.
"""

from __future__ import annotations

import hashlib
import io
import zlib
from datetime import UTC, datetime

import pikepdf
from pikepdf import Array, Dictionary, Name, Pdf, String

from .pdfa_parts import ICC_DESCRIPTION, srgb_icc, srgb_icc_flate
from .pdfa_parts import new_xmp as _new_xmp
from .widths import agree_widths

__all__ = ["ICC_DESCRIPTION", "srgb_icc"]  # srgb_icc: its home is pdfa_parts, kept here for callers

# Colour spaces PDF/A-3 accepts without further ado once an RGB output intent is present.
_DEVICE_OK = {"/DeviceRGB", "/DeviceGray"}
# Annotation flags (PDF 1.7, 12.5.3): Invisible, Hidden, Print, NoView, ToggleNoView.
_F_INVISIBLE, _F_HIDDEN, _F_PRINT, _F_NOVIEW, _F_TOGGLENOVIEW = 1, 2, 4, 32, 256
_PDFUA_NS = b"http://www.aiim.org/pdfua/ns/id/"
_EXTENSION_NS = b"http://www.aiim.org/pdfa/ns/extension/"
_PDFUA_EXTENSION = """<rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"
  xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
 <pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">
  <pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>
  <pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>
  <pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>
  <pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">
   <pdfaProperty:name>part</pdfaProperty:name><pdfaProperty:valueType>Integer</pdfaProperty:valueType>
   <pdfaProperty:category>internal</pdfaProperty:category>
   <pdfaProperty:description>Indicates, which part of ISO 14289 standard is followed</pdfaProperty:description>
  </rdf:li></rdf:Seq></pdfaSchema:property>
 </rdf:li></rdf:Bag></pdfaExtension:schemas>
</rdf:Description>
"""
_RELATIONSHIPS = {"Source", "Data", "Alternative", "Supplement", "Unspecified"}


def _output_intent(pdf: Pdf) -> Dictionary:
    profile = pdf.make_stream(srgb_icc_flate())
    profile["/Filter"] = Name.FlateDecode
    profile["/N"] = 3
    return pdf.make_indirect(Dictionary(
        Type=Name.OutputIntent, S=Name.GTS_PDFA1, OutputConditionIdentifier=String(ICC_DESCRIPTION),
        Info=String(ICC_DESCRIPTION), RegistryName=String("http://www.color.org"), DestOutputProfile=profile,
    ))


def walk(pdf: Pdf, skip: frozenset[str] = frozenset()):
    """Every dictionary and stream reachable from the trailer, each once (not through /Parent, nor
    through the keys in ``skip``), each yielded before its children are looked at: a caller may remove
    entries (bundle.sanitize_pdf)."""
    stack: list[pikepdf.Object] = [pdf.trailer]
    seen: set[tuple[int, int]] = set()
    containers = (Dictionary, pikepdf.Stream, Array)
    while stack:
        obj = stack.pop()
        if obj.is_indirect:
            if obj.objgen in seen:
                continue
            seen.add(obj.objgen)
        if isinstance(obj, (Dictionary, pikepdf.Stream)):
            yield obj
            stack.extend(v for k, v in obj.items()
                         if k != "/Parent" and k not in skip and isinstance(v, containers))
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


_CHECKED_KEYS = frozenset({"/Type", "/Subtype", "/S", "/JS", "/ColorSpace", "/BaseFont"})
# Not walked by the archival pass: the structure tree holds no fonts, images, colour spaces or
# actions (its elements point at pages and annotations, which are walked from the page tree), and
# it is most of the objects of a tagged document. Nor into a font's /Widths or /W: numbers only (PDF
# 1.7, 9.6.2.1 and 9.7.4.3), a few hundred per font, each looked at for nothing.
_NOT_WALKED = frozenset({"/StructTreeRoot", "/Widths", "/W"})


def page_problems(pdf: Pdf, objects: list | None = None) -> list[str]:
    """Rules of PDF/A-3b that this module can check and cannot repair, over every object.

    Fonts must be embedded (a reader would substitute one and Thai marks would move); DeviceCMYK
    needs a CMYK output intent we do not have; JavaScript is forbidden outright. (Encryption and
    LZW are repaired by saving: see ``save_pdfa``.)"""
    problems: list[str] = []
    for obj in objects if objects is not None else walk(pdf):
        keys = obj.keys()  # one call; most objects have none of the keys looked at below
        if keys.isdisjoint(_CHECKED_KEYS):
            continue
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
        if "/JS" in keys or ("/S" in keys and obj.get("/S") == "/JavaScript"):
            problems.append("JavaScript")
        spaces = obj.get("/ColorSpace") if "/ColorSpace" in keys else None
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


def _fix_streams(objects: list) -> None:
    """PDF/A forbids /Interpolate true on images (the look would depend on the reader) and the
    LZW filter; an LZW stream is decoded and written again with Flate. Other streams are left as
    ReportLab encoded them (re-compressing them all would double the cost of this pass)."""
    for obj in objects:
        if not isinstance(obj, pikepdf.Stream):
            continue
        if obj.get("/Subtype") == "/Image" and obj.get("/Interpolate", False):
            obj["/Interpolate"] = False
        filters = obj.get("/Filter")
        if filters == Name.LZWDecode or isinstance(filters, Array) and Name.LZWDecode in list(filters):
            obj.write(zlib.compress(obj.read_bytes()), filter=Name.FlateDecode)


def _set_metadata(pdf: Pdf, lang: str, claim: bool) -> None:
    """XMP from the document information (title, author, dates, producer), so the two agree, and
    the PDF/A identification when ``claim``."""
    info = pdf.docinfo
    had_metadata = "/Metadata" in pdf.Root
    for key in list(info.keys()):
        # /Trapped is not needed; an empty /Author or /Keywords says nothing; either would be
        # one more field that XMP has to agree with
        if key == "/Trapped" or (isinstance(info[key], String) and not str(info[key]).strip()):
            del info[key]
    if not had_metadata and all(isinstance(v, String) for v in info.values()):
        xmp = _new_xmp({k: str(v) for k, v in info.items()}, lang, claim)
        if xmp is not None:
            stream = pdf.make_stream(xmp)
            stream["/Type"] = Name.Metadata
            stream["/Subtype"] = Name.XML
            pdf.Root.Metadata = pdf.make_indirect(stream)
            return
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        meta.load_from_docinfo(info, delete_missing=False, raise_failure=False)
        meta["dc:language"] = [lang]
        if "/Title" in info:
            meta["dc:title"] = str(info["/Title"])
        if "/Author" in info:
            meta["dc:creator"] = [str(info["/Author"])]
        if claim:
            meta["pdfaid:part"] = "3"
            meta["pdfaid:conformance"] = "B"
        elif had_metadata:
            for key in ("pdfaid:part", "pdfaid:conformance"):
                if key in meta:
                    del meta[key]
    xmp = pdf.Root.Metadata.read_bytes()
    if _PDFUA_NS in xmp and _EXTENSION_NS not in xmp:
        # PDF/A accepts only its predefined XMP schemas unless the file describes the others:
        # the text-layer pass may claim PDF/UA (pdfuaid), which then needs this description
        xmp = xmp.replace(b"</rdf:RDF>", _PDFUA_EXTENSION.encode() + b"</rdf:RDF>", 1)
    pdf.Root.Metadata.write(xmp)  # and uncompressed: PDF/A wants XMP readable without decoding


def save_pdfa(pdf: Pdf) -> bytes:
    out = io.BytesIO()
    # deterministic_id: the /ID PDF/A requires, the same for the same content; encryption=False
    # drops an owner-password encryption (a user password would not have opened);
    # compress_streams=False keeps every stream as it is encoded (qpdf would otherwise decode
    # ReportLab's ASCII85 layers and compress again: 80 ms for the seed report instead of 10)
    pdf.save(out, deterministic_id=True, fix_metadata_version=False, encryption=False,
             compress_streams=False, stream_decode_level=pikepdf.StreamDecodeLevel.none)
    return out.getvalue()


def to_pdfa(data: bytes, lang: str = "th", tags: list[tuple[int, int, str]] | None = None,
            own_fonts: bool = False) -> bytes:
    """``data`` with an sRGB output intent, XMP metadata agreeing with its document information,
    ``/Lang``, printable annotations and a trailer /ID; claiming PDF/A-3b only if
    :func:`page_problems` finds nothing. ``tags`` (the drawing's marked content, common.Built): the
    structure tree is added in the same pass, so the file is opened and saved once. ``own_fonts``:
    every font is one of ours as fonts.make_subset writes it (ReportLab's output, render_pdf), whose
    widths agree by construction (tests/test_render_speed.py checks them), so the width check, which
    inflates each embedded program to read it, is skipped."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        make_pdfa(pdf, lang, own_fonts=own_fonts)
        if tags:
            from .tagging import add_structure

            add_structure(pdf, tags)
        return save_pdfa(pdf)


def make_pdfa(pdf: Pdf, lang: str = "th", own_fonts: bool = False) -> None:
    """:func:`to_pdfa` on an open ``pdf`` (bundle.py appends pages and calls this before its one save)."""
    pdf.Root.OutputIntents = Array([_output_intent(pdf)])
    if "/Lang" not in pdf.Root:
        pdf.Root.Lang = String(lang)
    _fix_annotations(pdf)
    objects = list(walk(pdf, _NOT_WALKED))
    _fix_streams(objects)
    if not own_fonts:
        agree_widths(objects)
    problems = page_problems(pdf, objects)
    if problems:
        # a font listed in resources but never selected is not "used": drop such entries
        # and look again (costly, so only when something was found)
        pdf.remove_unreferenced_resources()
        problems = page_problems(pdf)
    _set_metadata(pdf, lang, claim=not problems)


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

    Why the catalog: the decision record speaks of the document as a whole, not of a page.
    The file is written anew (not an incremental update): attach before signing, never after."""
    if relationship not in _RELATIONSHIPS:
        raise ValueError(f"AFRelationship must be one of {sorted(_RELATIONSHIPS)}")
    when = modified or datetime.now(UTC)
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        stream = doc.make_stream(zlib.compress(data))
        stream["/Filter"] = Name.FlateDecode
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
        return save_pdfa(doc)
