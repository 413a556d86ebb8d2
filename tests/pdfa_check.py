"""A PDF/A-3b checker for tests, written apart from ``memos.documents.archival`` (it does not
import it), because veraPDF, the reference validator, cannot be installed here (no registry we
reach ships its Java CLI). It checks, with pikepdf, fontTools, Pillow's LittleCMS and poppler's
``pdffonts``, the ISO 19005-3 rules a ReportLab document can break; see ``NOT_COVERED`` for what
it leaves out. ``problems(pdf)`` returns readable findings; an empty list means "passes".
"""

from __future__ import annotations

import io
import re
import subprocess
from datetime import datetime

import pikepdf
from lxml import etree
from pikepdf import Array, Dictionary, Name, Stream

NOT_COVERED = (
    "content-stream operators and operands beyond q/Q nesting and .notdef glyphs in page contents "
    "(undefined operators, text in form XObjects and annotation appearances)",
    "ICC profile internals beyond its header (class, colour space, version) and that LittleCMS opens it",
    "transparency groups' blending colour spaces in detail, optional content configurations",
    "XMP extension schemas: a namespace is accepted when PDF/A predefines it or the file names it in a "
    "pdfaSchema:namespaceURI; the description's properties and value types are not checked against use",
    "implementation limits other than names, integers and strings (e.g. CID count, nested q depth only in page contents)",
    "PDF/A-3a and -3u (tagging, Unicode for every glyph): the text-layer tests cover what readers extract",
)

# XMP schemas PDF/A predefines (ISO 19005-3 6.6.2.3.1 via XMP 2004); anything else needs an extension schema.
PREDEFINED_NS = {
    "http://purl.org/dc/elements/1.1/", "http://ns.adobe.com/xap/1.0/", "http://ns.adobe.com/pdf/1.3/",
    "http://www.aiim.org/pdfa/ns/id/", "http://ns.adobe.com/xap/1.0/mm/", "http://ns.adobe.com/xap/1.0/rights/",
    "http://ns.adobe.com/xap/1.0/sType/ResourceRef#", "http://ns.adobe.com/xap/1.0/sType/ResourceEvent#",
    "http://ns.adobe.com/photoshop/1.0/", "http://ns.adobe.com/xap/1.0/t/pg/", "http://ns.adobe.com/xap/1.0/bj/",
    "http://ns.adobe.com/exif/1.0/", "http://ns.adobe.com/tiff/1.0/",
}
EXTENSION_NS = {"http://www.aiim.org/pdfa/ns/extension/", "http://www.aiim.org/pdfa/ns/schema#",
                "http://www.aiim.org/pdfa/ns/property#", "http://www.aiim.org/pdfa/ns/type#",
                "http://www.aiim.org/pdfa/ns/field#"}
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
NS = {"rdf": RDF, "dc": "http://purl.org/dc/elements/1.1/", "xmp": "http://ns.adobe.com/xap/1.0/",
      "pdf": "http://ns.adobe.com/pdf/1.3/", "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
      "x": "adobe:ns:meta/", "xml": "http://www.w3.org/XML/1998/namespace"}
FORBIDDEN_ACTIONS = {"/Launch", "/Sound", "/Movie", "/ResetForm", "/ImportData", "/JavaScript", "/Hide",
                     "/SetOCGState", "/Rendition", "/Trans", "/GoTo3DView"}
FORBIDDEN_ANNOTS = {"/3D", "/Sound", "/Screen", "/Movie", "/RichMedia"}
BLEND_MODES = {"/Normal", "/Compatible", "/Multiply", "/Screen", "/Overlay", "/Darken", "/Lighten", "/ColorDodge",
               "/ColorBurn", "/HardLight", "/SoftLight", "/Difference", "/Exclusion", "/Hue", "/Saturation",
               "/Color", "/Luminosity"}
INTENTS = {"/RelativeColorimetric", "/AbsoluteColorimetric", "/Perceptual", "/Saturation"}
RELATIONSHIPS = {"/Source", "/Data", "/Alternative", "/Supplement", "/Unspecified"}


def _pdf_date(s: str) -> datetime | None:
    m = re.match(r"D:(\d{4})(\d\d)?(\d\d)?(\d\d)?(\d\d)?(\d\d)?(Z|[+-]\d\d'?\d\d'?)?", s)
    if not m:
        return None
    y, mo, d, h, mi, sec, tz = m.groups()
    iso = f"{y}-{mo or '01'}-{d or '01'}T{h or '00'}:{mi or '00'}:{sec or '00'}"
    if tz and tz != "Z":
        iso += tz[:3] + ":" + tz.replace("'", "")[3:5]
    else:
        iso += "+00:00"
    return datetime.fromisoformat(iso)


def _xmp_date(s: str) -> datetime:
    return datetime.fromisoformat(s.replace("Z", "+00:00"))


def _objects(pdf: pikepdf.Pdf):
    stack, seen = [pdf.trailer], set()
    while stack:
        obj = stack.pop()
        if obj.is_indirect:
            if obj.objgen in seen:
                continue
            seen.add(obj.objgen)
        if isinstance(obj, (Dictionary, Stream)):
            yield obj
            stack.extend(v for k, v in obj.items() if k != "/Parent" and isinstance(v, (Dictionary, Stream, Array)))
        elif isinstance(obj, Array):
            stack.extend(v for v in obj if isinstance(v, (Dictionary, Stream, Array)))


def _file_structure(data: bytes) -> list[str]:
    out = []
    lines = data.split(b"\n", 2)
    if not re.match(rb"%PDF-1\.[0-7]\r?$", lines[0]):
        out.append(f"header {lines[0][:10]!r} is not %PDF-1.0 to 1.7")
    second = lines[1] if len(lines) > 1 else b""
    if not (second.startswith(b"%") and sum(b > 127 for b in second[1:5]) == 4):
        out.append("second line is not a comment of four bytes above 127")
    if not re.search(rb"%%EOF(\r\n|\r|\n)?$", data):
        out.append("data after the last %%EOF")
    # 6.1.7.1: "stream" followed by CRLF or LF, "endstream" preceded by an EOL. The stream data is
    # skipped by its /Length (a direct number in everything this checks), so bytes inside it never match
    streams = list(re.finditer(rb"/Length (\d+)(?:(?!endobj).)*?>>\s*stream(\r\n|\n|\r)?", data, re.S))
    if len(streams) != data.count(b"endstream"):
        out.append("a stream whose /Length is not a direct number (not checked here)")
    for m in streams:
        if m.group(2) not in (b"\r\n", b"\n"):
            out.append("stream keyword not followed by an end-of-line")
            break
        end = m.end() + int(m.group(1))
        if not re.match(rb"(\r\n|\r|\n)endstream", data[end:end + 12]):
            out.append("endstream not preceded by an end-of-line after /Length bytes")
            break
    return out


def _metadata(pdf: pikepdf.Pdf) -> list[str]:
    out = []
    meta = pdf.Root.get("/Metadata")
    if not isinstance(meta, Stream):
        return ["catalog has no /Metadata stream"]
    if meta.get("/Type") != "/Metadata" or meta.get("/Subtype") != "/XML":
        out.append("metadata stream lacks /Type /Metadata /Subtype /XML")
    if "/Filter" in meta:
        out.append("metadata stream is compressed")
    raw = meta.read_bytes()
    if not raw.lstrip().startswith(b"<?xpacket begin=") or b"W5M0MpCehiHzreSzNTczkc9d" not in raw:
        out.append("XMP has no xpacket header")
    if not re.search(rb"<\?xpacket end=['\"]w['\"]\?>\s*$", raw):
        out.append("XMP packet is not writeable (end='w')")
    try:
        root = etree.fromstring(raw, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        return [*out, f"XMP does not parse: {exc}"]
    # schemas the file describes itself (ISO 19005-3 6.6.2.3.2), and the description's own vocabulary
    described = {e.text.strip() for e in root.iter("{http://www.aiim.org/pdfa/ns/schema#}namespaceURI") if e.text}
    allowed = PREDEFINED_NS | described | {RDF, NS["x"], NS["xml"], *EXTENSION_NS}
    for el in root.iter():
        if not isinstance(el.tag, str):  # comments, processing instructions
            continue
        for name in [el.tag, *el.attrib.keys()]:
            q = etree.QName(name).namespace
            if q and q not in allowed:
                out.append(f"XMP uses {q} without an extension schema")

    def values(path: str) -> list[str]:
        found = root.xpath(f"//rdf:Description/{path}", namespaces=NS)
        found += root.xpath(f"//rdf:Description/@{path}", namespaces=NS)
        res = []
        for f in found:
            if isinstance(f, str):
                res.append(str(f))
            elif f.xpath(".//rdf:li", namespaces=NS):
                res += [li.text or "" for li in f.xpath(".//rdf:li", namespaces=NS)]
            else:
                res.append(f.text or "")
        return res

    if values("pdfaid:part") != ["3"]:
        out.append(f"pdfaid:part is {values('pdfaid:part')}, not 3")
    if values("pdfaid:conformance") != ["B"]:
        out.append(f"pdfaid:conformance is {values('pdfaid:conformance')}, not B")
    if "th" not in values("dc:language"):
        out.append("dc:language has no th")
    info = pdf.docinfo
    pairs = [("/Title", "dc:title"), ("/Author", "dc:creator"), ("/Producer", "pdf:Producer"),
             ("/Creator", "xmp:CreatorTool")]
    for key, prop in pairs:
        if key in info and values(prop) != [str(info[key])]:
            out.append(f"Info {key} {str(info[key])!r} and XMP {prop} {values(prop)} differ")
    # dc:creator only where there is an author to name (a report has no agency field)
    for prop in ("dc:title", "dc:creator") if str(info.get("/Author", "")).strip() else ("dc:title",):
        if not any(v.strip() for v in values(prop)):
            out.append(f"XMP has no {prop}")
    for key, prop in (("/CreationDate", "xmp:CreateDate"), ("/ModDate", "xmp:ModifyDate")):
        if key in info:
            got = values(prop)
            when = _pdf_date(str(info[key]))
            if when is None:
                out.append(f"Info {key} is not a PDF date")
            elif len(got) != 1 or _xmp_date(got[0]) != when:
                out.append(f"Info {key} {str(info[key])} and XMP {prop} {got} differ")
    return out


def _output_intent(pdf: pikepdf.Pdf) -> list[str]:
    from PIL import ImageCms

    intents = [i for i in pdf.Root.get("/OutputIntents", Array()) if i.get("/S") == "/GTS_PDFA1"]
    if not intents:
        return ["no GTS_PDFA1 output intent"]
    profiles = {bytes(i.DestOutputProfile.read_bytes()) for i in intents if "/DestOutputProfile" in i}
    if len(profiles) != 1:
        return ["output intents without one common DestOutputProfile"]
    icc = profiles.pop()
    out = []
    if icc[16:20] != b"RGB " or icc[12:16] not in (b"mntr", b"prtr"):
        out.append(f"output profile is {icc[12:16]!r}/{icc[16:20]!r}, not an RGB monitor or printer profile")
    if icc[8] >= 5:
        out.append(f"ICC version {icc[8]} is newer than PDF/A allows")
    if int(intents[0].DestOutputProfile.get("/N", 0)) != 3:
        out.append("output profile /N is not 3")
    try:
        ImageCms.ImageCmsProfile(io.BytesIO(icc))
    except Exception as exc:  # PIL raises OSError/PyCMSError
        out.append(f"output profile does not open: {exc}")
    return out


def _truetype(font: Dictionary) -> list[str]:
    """ISO 19005-3 6.2.11.5/6: widths agree with the program; symbolic fonts have no /Encoding
    and a single (or 3,0) cmap subtable; non-symbolic ones a standard encoding."""
    from fontTools.ttLib import TTFont

    desc = font.FontDescriptor
    name = str(font.get("/BaseFont"))
    program = TTFont(io.BytesIO(desc.FontFile2.read_bytes()))
    out = []
    symbolic = bool(int(desc.get("/Flags", 0)) & 4)
    tables = program["cmap"].tables
    if symbolic:
        if "/Encoding" in font:
            out.append(f"{name}: symbolic TrueType font with /Encoding")
        if len(tables) != 1 and not any((t.platformID, t.platEncID) == (3, 0) for t in tables):
            out.append(f"{name}: symbolic TrueType cmap has {len(tables)} subtables and no (3,0)")
    elif font.get("/Encoding") not in ("/WinAnsiEncoding", "/MacRomanEncoding"):
        out.append(f"{name}: non-symbolic TrueType font without a standard encoding")
    cmap = tables[0].cmap if tables else {}
    upem = program["head"].unitsPerEm
    first = int(font.get("/FirstChar", 0))
    for i, w in enumerate(font.get("/Widths", Array())):
        code = first + i
        glyph = cmap.get(code) or cmap.get(0xF000 + code)
        if glyph is None:
            continue
        advance = program["hmtx"][glyph][0] * 1000 / upem
        if abs(float(w) - advance) > 1:
            out.append(f"{name}: width of code {code} is {float(w)}, the program says {advance:.1f}")
            break
    return out


def _glyph_lookup(font: Dictionary):
    """code bytes -> glyph names (None for a code with no glyph), for embedded TrueType fonts."""
    from fontTools.ttLib import TTFont

    if font.get("/Subtype") == "/Type0":
        cid = font.DescendantFonts[0]
        to_gid = cid.get("/CIDToGIDMap")
        table = None if not isinstance(to_gid, Stream) else to_gid.read_bytes()

        def gids(raw: bytes) -> list[str | None]:
            out = []
            for i in range(0, len(raw) - 1, 2):
                code = raw[i] << 8 | raw[i + 1]
                gid = code if table is None else (table[2 * code] << 8 | table[2 * code + 1]
                                                  if 2 * code + 1 < len(table) else 0)
                out.append(None if gid == 0 else str(gid))
            return out
        return gids
    desc = font.get("/FontDescriptor")
    if font.get("/Subtype") != "/TrueType" or not isinstance(desc, Dictionary) or "/FontFile2" not in desc:
        return None
    program = TTFont(io.BytesIO(desc.FontFile2.read_bytes()))
    cmap = program["cmap"].tables[0].cmap if program["cmap"].tables else {}
    # ReportLab gives a character the font lacks a code of its own, drawn with a copy of glyph 0
    # (.notdef) under another index: found by comparing outlines, when .notdef has one
    glyf = program["glyf"] if "glyf" in program else None
    notdef = {".notdef"}
    if glyf is not None:
        order = program.getGlyphOrder()
        box = glyf[order[0]].compile(glyf)
        if box:
            notdef |= {g for g in order if glyf[g].compile(glyf) == box}

    # and ReportLab encodes a character it has no glyph for as a code whose ToUnicode is U+0000
    # (drawn with the font's empty NULL glyph): the character is lost the same way
    lost = set()
    if isinstance(font.get("/ToUnicode"), Stream):
        cmap_text = font.ToUnicode.read_bytes().decode("latin-1")
        lost = {int(c, 16) for c, u in re.findall(r"<([0-9A-Fa-f]{2})>\s*<([0-9A-Fa-f]{4})>", cmap_text) if int(u, 16) == 0}

    def names(raw: bytes) -> list[str | None]:
        found = [None if b in lost else cmap.get(b, cmap.get(0xF000 + b)) for b in raw]
        return [None if g is None or g in notdef else g for g in found]
    return names


def _notdef(pdf: pikepdf.Pdf) -> list[str]:
    """ISO 19005-3 6.2.11.8: no text shown with the .notdef glyph (a character the font lacks
    would print as a box, or as nothing, depending on the reader)."""
    out, lookups = [], {}
    for number, page in enumerate(pdf.pages, 1):
        fonts = page.obj.get("/Resources", Dictionary()).get("/Font", Dictionary())
        current = None
        for operands, op in pikepdf.parse_content_stream(page):
            op = str(op)
            if op == "Tf" and str(operands[0]) in fonts:
                font = fonts[str(operands[0])]
                if font.objgen not in lookups:
                    lookups[font.objgen] = _glyph_lookup(font)
                current = lookups[font.objgen]
            elif op in ("Tj", "'", '"', "TJ") and current is not None:
                items = operands[0] if op == "TJ" else [operands[-1]]
                for item in items:
                    if isinstance(item, pikepdf.String) and None in current(bytes(item)):
                        out.append(f"page {number}: text shown with .notdef (a character the font lacks)")
                        break
    return list(dict.fromkeys(out))


def _fonts(pdf: pikepdf.Pdf, data: bytes) -> list[str]:
    out = []
    for obj in _objects(pdf):
        if obj.get("/Type") != "/Font":
            continue
        sub = obj.get("/Subtype")
        if sub in ("/Type3", "/CIDFontType0", "/CIDFontType2"):
            continue
        target = obj.DescendantFonts[0] if sub == "/Type0" else obj
        desc = target.get("/FontDescriptor")
        if not isinstance(desc, Dictionary) or not any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3")):
            out.append(f"font {obj.get('/BaseFont')} is not embedded")
            continue
        if sub == "/Type0" and target.get("/Subtype") == "/CIDFontType2" and "/CIDToGIDMap" not in target:
            out.append(f"font {obj.get('/BaseFont')}: CIDFontType2 without /CIDToGIDMap")
        if sub == "/TrueType" and "/FontFile2" in desc:
            out += _truetype(obj)
    # poppler's own view, as a second opinion on embedding
    listing = subprocess.run(["pdffonts", "-"], input=data, capture_output=True, check=True).stdout.decode()
    for line in listing.splitlines()[2:]:
        cols = line.split()
        # name type [encoding] emb sub uni object ID: "emb" is the 5th column from the right
        if len(cols) >= 6 and cols[-5] != "yes":
            out.append(f"pdffonts: {cols[0]} not embedded")
    return out


def _colour_space(cs, where: str) -> list[str]:
    if isinstance(cs, Name):
        return [f"{where}: {cs} with an RGB output intent"] if str(cs) in ("/DeviceCMYK", "/CMYK") else []
    if isinstance(cs, Array) and len(cs):
        head = str(cs[0])
        if head in ("/Indexed", "/I"):
            return _colour_space(cs[1], where)
        if head in ("/Separation", "/DeviceN"):
            return _colour_space(cs[2], where)
        if head == "/ICCBased" and int(cs[1].get("/N", 0)) not in (1, 3, 4):
            return [f"{where}: ICCBased with /N {cs[1].get('/N')}"]
    return []


def _objects_rules(pdf: pikepdf.Pdf) -> list[str]:
    out = []
    for obj in _objects(pdf):
        if isinstance(obj, Stream):
            filters = obj.get("/Filter")
            filters = list(filters) if isinstance(filters, Array) else [filters] if filters else []
            if Name.LZWDecode in filters or Name.Crypt in filters:
                out.append(f"stream uses {filters}")
            if any(k in obj for k in ("/F", "/FFilter", "/FDecodeParms")) and obj.get("/Type") != "/EmbeddedFile":
                out.append("stream refers to an external file")
            if obj.get("/Subtype") == "/Image":
                if obj.get("/Interpolate", False):
                    out.append("image with /Interpolate true")
                if "/Alternates" in obj or "/OPI" in obj:
                    out.append("image with /Alternates or /OPI")
                if "/Intent" in obj and obj.Intent not in INTENTS:
                    out.append(f"image rendering intent {obj.Intent}")
                if "/ColorSpace" in obj:
                    out += _colour_space(obj.ColorSpace, "image")
            if obj.get("/Subtype") == "/PS" or obj.get("/Type") == "/XObject" and obj.get("/Subtype") == "/PS":
                out.append("PostScript XObject")
        if "/JS" in obj or obj.get("/S") == "/JavaScript":
            out.append("JavaScript")
        if obj.get("/S") in FORBIDDEN_ACTIONS or (obj.get("/S") == "/Named" and obj.get("/N") not in
                                                   ("/NextPage", "/PrevPage", "/FirstPage", "/LastPage")):
            out.append(f"action {obj.get('/S')}")
        if obj.get("/Type") == "/ExtGState":
            if "/TR" in obj or obj.get("/TR2", Name.Default) != Name.Default or "/HTP" in obj or "/HTO" in obj:
                out.append("ExtGState with a transfer function or halftone origin")
            bm = obj.get("/BM")
            modes = list(bm) if isinstance(bm, Array) else [bm] if bm is not None else []
            if any(m not in BLEND_MODES for m in modes):
                out.append(f"blend mode {bm}")
            if "/RI" in obj and obj.RI not in INTENTS:
                out.append(f"rendering intent {obj.RI}")
        if isinstance(obj.get("/ColorSpace"), Dictionary):
            for name, cs in obj.ColorSpace.items():
                out += _colour_space(cs, f"colour space {name}")
        if obj.get("/Type") == "/Annot" or (obj.get("/Subtype") in ("/Link", "/Widget", "/Text") and "/Rect" in obj):
            sub = obj.get("/Subtype")
            if sub in FORBIDDEN_ANNOTS:
                out.append(f"annotation {sub}")
            flags = int(obj.get("/F", 0))
            if not flags & 4 or flags & (1 | 2 | 32 | 256):
                out.append(f"annotation {sub} with /F {flags} (must print, must not hide)")
            if sub not in ("/Link", "/Popup") and not (isinstance(obj.get("/AP"), Dictionary) and "/N" in obj.AP):
                out.append(f"annotation {sub} without a normal appearance")
        if any(len(k.encode()) > 128 for k in obj.keys()):  # "/" plus at most 127 bytes
            out.append("name longer than 127 bytes")
    return out


def _catalog(pdf: pikepdf.Pdf) -> list[str]:
    out = []
    root = pdf.Root
    if "/Encrypt" in pdf.trailer:
        out.append("encrypted")
    ident = pdf.trailer.get("/ID")
    if not (isinstance(ident, Array) and len(ident) == 2):
        out.append("trailer has no /ID")
    for key in ("/AA", "/NeedsRendering"):
        if key in root:
            out.append(f"catalog has {key}")
    names = root.get("/Names", Dictionary())
    if "/JavaScript" in names:
        out.append("document JavaScript")
    form = root.get("/AcroForm")
    if isinstance(form, Dictionary) and ("/XFA" in form or form.get("/NeedAppearances", False)):
        out.append("form with XFA or NeedAppearances")
    for page in pdf.pages:
        if "/AA" in page.obj or "/PresSteps" in page.obj:
            out.append("page with /AA or /PresSteps")
        depth = deepest = 0
        for _operands, op in pikepdf.parse_content_stream(page):
            if str(op) == "q":
                depth += 1
                deepest = max(deepest, depth)
            elif str(op) == "Q":
                depth -= 1
        if deepest > 28:
            out.append(f"q nested {deepest} deep (limit 28)")
    # embedded files: each a PDF/A-3 associated file of something
    af = {x.objgen for x in root.get("/AF", Array())}
    for page in pdf.pages:
        af |= {x.objgen for x in page.obj.get("/AF", Array())}
    tree = names.get("/EmbeddedFiles")
    if isinstance(tree, Dictionary):
        for fname, spec in pikepdf.NameTree(tree).items():
            for key in ("/F", "/UF", "/AFRelationship", "/EF"):
                if key not in spec:
                    out.append(f"embedded file {fname}: no {key}")
            if spec.get("/AFRelationship") not in RELATIONSHIPS:
                out.append(f"embedded file {fname}: AFRelationship {spec.get('/AFRelationship')}")
            if spec.objgen not in af:
                out.append(f"embedded file {fname}: not listed in any /AF")
            stream = spec.get("/EF", Dictionary()).get("/F")
            if not isinstance(stream, Stream) or "/Subtype" not in stream:
                out.append(f"embedded file {fname}: no MIME /Subtype")
            elif "/ModDate" not in stream.get("/Params", Dictionary()):
                out.append(f"embedded file {fname}: no /Params /ModDate")
    return out


def problems(data: bytes) -> list[str]:
    """Every finding, empty when the file passes what this checker covers."""
    out = _file_structure(data)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        out += _catalog(pdf) + _metadata(pdf) + _output_intent(pdf) + _fonts(pdf, data) + _notdef(pdf)
        out += _objects_rules(pdf)
    return list(dict.fromkeys(out))
