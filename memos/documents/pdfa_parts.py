"""The parts of a PDF/A-3b file that do not depend on how it is written: the sRGB output profile and
the XMP packet. Shared by the archival pass over finished files (archival.py, pikepdf) and by
ReportLab writing our own documents (archival_build.py).

Why apart: without pikepdf (a sixth of a one-off render process's start-up) for the documents
ReportLab writes with their archival parts.
"""

from __future__ import annotations

import hashlib
import re
import struct
import zlib
from datetime import datetime, timedelta, timezone
from functools import cache

ICC_DESCRIPTION = "sRGB IEC61966-2.1"


@cache
def srgb_icc() -> bytes:
    """An sRGB ICC profile made by LittleCMS through Pillow (no file to ship or license).

    LittleCMS stamps the creation time in the header; it is fixed to 2000-01-01 so the profile
    is the same bytes in every document and every run, and the profile ID (an MD5 over the profile, ICC.1:2010
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


@cache
def srgb_icc_flate() -> bytes:
    return zlib.compress(srgb_icc())  # compressed once per process, not once per document


# A new XMP packet written as text: the same properties pikepdf's metadata API writes from the same
# document information (tests/test_archival.py compares them), without building and serialising an
# lxml tree (a tenth of an announcement's render). Used only when the file has no XMP yet (ReportLab's
# output); XMP already there is edited through pikepdf, which keeps what it holds.
_DC, _PDF, _XMP = "http://purl.org/dc/elements/1.1/", "http://ns.adobe.com/pdf/1.3/", "http://ns.adobe.com/xap/1.0/"
_XMP_HEAD = ('<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
             '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
             ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
             f' <rdf:Description rdf:about="" xmlns:dc="{_DC}" xmlns:pdf="{_PDF}" xmlns:xmp="{_XMP}"'
             ' xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">')
_XMP_TAIL = "</rdf:Description></rdf:RDF>\n</x:xmpmeta>\n\n<?xpacket end=\"w\"?>\n"


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# A date to the second, as pikepdf's decode_pdf_date reads it (its pattern, the full-precision case)
_PDF_DATE = re.compile(r"(?:D:)?(\d{14})(?:(?P<utc>Z(?:00'?(?:00'?)?)?)|(?P<sign>[+-])(?P<tzh>\d{2})'?(?:(?P<tzm>\d{2})'?)?)?",
                       re.ASCII)


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def xmp_date(value: str) -> str | None:
    """A PDF date to the second as XMP writes it (pikepdf's ``decode_pdf_date(value).isoformat()``);
    None for any other form (reduced precision: pikepdf's converter keeps it as it is)."""
    m = _PDF_DATE.fullmatch(value)
    if m is None:
        return None
    tz = None
    if m["utc"] is not None:
        tz = timezone.utc  # noqa: UP017 (pikepdf's own, the same isoformat)
    elif m["sign"] is not None:
        offset = timedelta(hours=int(m["tzh"]), minutes=int(m["tzm"] or 0))
        tz = timezone(-offset if m["sign"] == "-" else offset)
    try:
        return datetime.strptime(m[1], "%Y%m%d%H%M%S").replace(tzinfo=tz).isoformat()
    except ValueError:
        return None


def new_xmp(info: dict[str, str], lang: str, claim: bool) -> bytes | None:
    """The XMP for document information ``info`` (PDF strings by key); None when a value is not one
    this writes (a date not to the second, a character XML cannot hold)."""

    def alt(text: str) -> str:
        return f'<rdf:Alt><rdf:li xml:lang="x-default">{_xml(text)}</rdf:li></rdf:Alt>'

    out = [_XMP_HEAD]
    if "/Author" in info:
        out.append(f"<dc:creator><rdf:Seq><rdf:li>{_xml(info['/Author'])}</rdf:li></rdf:Seq></dc:creator>")
    if "/Subject" in info:
        out.append(f"<dc:description>{alt(info['/Subject'])}</dc:description>")
    if "/Title" in info:
        out.append(f"<dc:title>{alt(info['/Title'])}</dc:title>")
    for key, prop in (("/Keywords", "pdf:Keywords"), ("/Producer", "pdf:Producer"), ("/Creator", "xmp:CreatorTool")):
        if key in info:
            out.append(f"<{prop}>{_xml(info[key])}</{prop}>")
    for key, prop in (("/CreationDate", "xmp:CreateDate"), ("/ModDate", "xmp:ModifyDate")):
        if key in info:
            date = xmp_date(info[key])
            if date is None:
                return None
            out.append(f"<{prop}>{date}</{prop}>")
    out.append(f"<dc:language><rdf:Bag><rdf:li>{_xml(lang)}</rdf:li></rdf:Bag></dc:language>")
    if claim:
        out.append("<pdfaid:part>3</pdfaid:part><pdfaid:conformance>B</pdfaid:conformance>")
    out.append(_XMP_TAIL)
    text = "".join(out)
    if _NOT_XML.search(text):
        return None  # not XML 1.0 characters: pikepdf's API decides what to do with them
    return text.encode("utf-8")
