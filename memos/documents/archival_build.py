"""PDF/A-3b and the structure tree written by ReportLab itself, as it saves our own documents.

Why: the archival pass (archival.to_pdfa) opens the finished file with pikepdf, adds an output
intent, XMP, the structure tree and a few flags, and saves it again: a fifth of an announcement's
render. For the documents we draw ourselves every one of those parts is known while ReportLab
writes the file, so it writes them: the same output intent (the same sRGB profile), the same XMP
(pdfa_parts.new_xmp, from the same document information), the same structure tree as
tagging.add_structure, and an end-of-line before each ``endstream`` (ISO 19005-3 6.1.7.1, which
ReportLab omits and pikepdf's save used to add).

The claim is written only when the drawing used nothing that could break a rule: every font one
of our embedded TrueType subsets, every image DeviceRGB or DeviceGray, no annotation, outline,
form or action (``_claimable``). Anything else (a caller's canvas used in ways ours are not)
returns False and ``render_pdf`` runs the archival pass over the file as before, which checks and
repairs. tests/pdfa_check.py, written apart from both, checks every rendered document, and
tests/test_archival.py compares this output with the pass's.
"""

from __future__ import annotations

from reportlab.pdfbase import pdfdoc
from reportlab.pdfbase.pdfdoc import (
    PDFArray,
    PDFDictionary,
    PDFImageXObject,
    PDFInfo,
    PDFName,
    PDFPage,
    PDFStream,
    PDFString,
)
from reportlab.pdfbase.pdfmetrics import getFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from . import tagging
from .pdfa_parts import ICC_DESCRIPTION, new_xmp, srgb_icc_flate

_DEVICE_OK = {"DeviceRGB", "DeviceGray"}


class _Info(PDFInfo):
    """ReportLab's document information without /Trapped and without empty strings (each would be
    one more field the XMP has to repeat), as the archival pass left it."""

    def format(self, document):
        return PDFDictionary(self.entries(document)).format(document)

    def entries(self, document) -> dict:
        date = pdfdoc.PDFDate(ts=document._timeStamp, dateFormatter=self._dateFormatter)
        out = {}
        for key, value in (("Title", self.title), ("Author", self.author), ("ModDate", date),
                           ("CreationDate", date), ("Producer", self.producer), ("Creator", self.creator),
                           ("Subject", self.subject), ("Keywords", self.keywords)):
            if isinstance(value, str):
                if not value.strip():
                    continue
                value = PDFString(value)
            out[key] = value
        return out


class _Page(PDFPage):
    """A page that writes its /StructParents key (ReportLab's page knows no such entry)."""

    __NoDefault__ = [*PDFPage.__NoDefault__, "StructParents"]


class _Catalog(pdfdoc.PDFCatalog):
    """The catalog with /OutputIntents (a direct array; ReportLab's catalog knows no such entry)."""

    __NoDefault__ = [*pdfdoc.PDFCatalog.__NoDefault__, "OutputIntents"]
    __Refs__ = pdfdoc.PDFCatalog.__Refs__


def _info_text(value, document) -> str | None:
    """The text of a document-information value as a reader decodes it (None: not a string)."""
    if isinstance(value, PDFString):
        return value.s if isinstance(value.s, str) else None
    if isinstance(value, pdfdoc.PDFDate):
        return value.format(document)[1:-1].decode("ascii")
    return None


def _claimable(doc) -> bool:
    """Whether the drawing used only what PDF/A-3b allows as ReportLab writes it (see the module)."""
    for name in doc.fontMapping:
        try:
            font = getFont(name)
        except KeyError:
            return False
        if not isinstance(font, TTFont):
            return False
    cat = doc.Catalog
    if any(getattr(cat, k, None) is not None for k in ("OpenAction", "JavaScript", "AcroForm", "Names", "URI")):
        return False
    if any(getattr(page, "AA", None) is not None for page in doc.Pages.pages):
        return False
    for obj in doc.idToObject.values():
        if isinstance(obj, pdfdoc.Annotation):
            return False
        if isinstance(obj, PDFImageXObject):
            if getattr(obj, "colorSpace", None) not in _DEVICE_OK:
                return False
    return True


def _structure(doc, tags: list[tuple[int, int, str]]) -> None:
    """tagging.add_structure's tree, as ReportLab objects: StructTreeRoot → Document → one element per
    marked content, in drawing order, with its ParentTree and each page's /StructParents."""
    ref = doc.Reference
    pages = doc.Pages.pages
    root = PDFDictionary({"Type": PDFName("StructTreeRoot")})
    document = PDFDictionary({"Type": PDFName("StructElem"), "S": PDFName("Document"), "P": ref(root)})
    document_ref = ref(document)
    struct_elem = PDFName("StructElem")
    page_refs = [ref(p) for p in pages]
    elems = []
    by_page: dict[int, list] = {}
    for page_no, mcid, role in tags:
        elem = ref(PDFDictionary({"Type": struct_elem, "S": PDFName(role), "P": document_ref,
                                  "Pg": page_refs[page_no - 1], "K": mcid}))
        elems.append(elem)
        slots = by_page.setdefault(page_no, [])
        slots += [pdfdoc.PDFnull] * (mcid + 1 - len(slots))
        slots[mcid] = elem
    document.dict["K"] = PDFArray(elems)
    nums = []
    for key, (page_no, slots) in enumerate(sorted(by_page.items())):
        page = pages[page_no - 1]
        page.__class__ = _Page
        page.StructParents = key
        nums += [key, ref(PDFArray(slots))]
    root.dict["K"] = document_ref
    root.dict["ParentTree"] = ref(PDFDictionary({"Nums": PDFArray(nums)}))
    root.dict["ParentTreeNextKey"] = len(by_page)
    doc.Catalog.StructTreeRoot = root
    doc.Catalog.MarkInfo = PDFDictionary({"Marked": "true"})


def finish(canv: Canvas, lang: str = "th") -> bool:
    """Before ``canv.save()``: the output intent, ``/Lang``, document information that XMP repeats, the
    XMP with the PDF/A-3b claim, the structure tree of what ``tagging`` marked, and an end-of-line
    before every ``endstream``. False (nothing changed) when the drawing is not one this can vouch
    for (``_claimable``) or the information cannot be written as XMP: the caller then runs the
    archival pass, which checks what it cannot repair."""
    if canv._code:  # ReportLab's save would draw the pending page: draw it now, before looking
        canv.showPage()
    doc = canv._doc
    if not _claimable(doc):
        return False
    doc.info.__class__ = _Info
    info = {f"/{k}": _info_text(v, doc) for k, v in doc.info.entries(doc).items()}
    if any(v is None for v in info.values()):
        return False
    xmp = new_xmp(info, lang, claim=True)
    if xmp is None:
        return False
    cat = doc.Catalog
    cat.__class__ = _Catalog
    if not getattr(cat, "Lang", None):
        cat.Lang = PDFString(lang)
    profile = PDFStream(PDFDictionary({"N": 3, "Filter": PDFName("FlateDecode")}), srgb_icc_flate())
    cat.OutputIntents = PDFArray([doc.Reference(PDFDictionary({
        "Type": PDFName("OutputIntent"), "S": PDFName("GTS_PDFA1"),
        "OutputConditionIdentifier": PDFString(ICC_DESCRIPTION), "Info": PDFString(ICC_DESCRIPTION),
        "RegistryName": PDFString("http://www.color.org"), "DestOutputProfile": doc.Reference(profile)}))])
    cat.Metadata = PDFStream(PDFDictionary({"Type": PDFName("Metadata"), "Subtype": PDFName("XML")}), xmp)
    tags = tagging.tags_of(canv)
    if tags:
        _structure(doc, tags)
    doc._eol_streams = True
    return True


_stream_format = PDFStream.format


def _stream_with_eol(self, document):
    """Every stream of a finished document (``finish``) ends with an end-of-line before ``endstream``."""
    out = _stream_format(self, document)
    if getattr(document, "_eol_streams", False):
        return out[: -len(b"endstream\n")] + b"\nendstream\n"
    return out


def install() -> None:
    """Idempotent: streams of a document marked by ``finish`` get their end-of-line."""
    PDFStream.format = _stream_with_eol
