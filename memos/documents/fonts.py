"""Sarabun from ``fontpkg-sarabun``, registered for ReportLab with HarfBuzz shaping, and a fix for
the text layer of shaped glyphs.

ReportLab (5.1.0, pinned) gives a shaped glyph that has no cmap entry (Thai tone marks lowered
``uni0E48.small``, ligatures ``uni0E4D0E49``) a private-use code point, and its ToUnicode map then
says U+E000…: copied text comes out as garbage. Sarabun's glyph names spell their characters, so
``_patched_cmap`` rewrites those entries to the real characters.

Readers that ignore /ActualText (pdfminer, pypdf, MuPDF) read the text from the ToUnicode map alone,
so a few glyphs get codes of their own (``recode``) whose map entry says what the *source* had:
HarfBuzz decomposes ำ into nikhahit + sara aa, so the sara aa of an ำ says "ำ" and the nikhahit is
drawn as a path (``glyph_path``: ink, no text); a nikhahit+tone ligature says the tone only; and a
zero-advance mark gets a small PDF width (``MARK_WIDTH``; the shaped text moves the pen back, so
nothing moves on the page) because pdfminer cuts a line between two marks of width 0.
"""

from __future__ import annotations

import os
import re
from functools import cache
from struct import pack, unpack, unpack_from
from types import MethodType

import fontpkg_sarabun
from reportlab.pdfbase import pdfmetrics, ttfonts

REGULAR = "Sarabun"
BOLD = "Sarabun-Bold"
_FILES = {REGULAR: "Sarabun-Regular.ttf", BOLD: "Sarabun-Bold.ttf"}
_UNI = re.compile(r"uni((?:[0-9A-F]{4})+)")


def glyph_name_text(name: str) -> str | None:
    """``uni0E48.small`` → "\u0e48"; ``uni0E4D0E49`` → "\u0e4d\u0e49"; else None."""
    m = _UNI.match(name.split(".")[0])
    if not m:
        return None
    hexes = m.group(1)
    return "".join(chr(int(hexes[i : i + 4], 16)) for i in range(0, len(hexes), 4))


def _pua_text(face_name: str, code: int) -> str | None:
    font = _by_face.get(face_name)
    if font is None or not (0xE000 <= code <= 0xF8FF):
        return None
    gid = font.face.charToGlyph.get(code)
    if gid is None:
        return None
    return glyph_name_text(font.hbFont(10).glyph_to_string(gid))


_by_face: dict[str, ttfonts.TTFont] = {}
_original_cmap = ttfonts.makeToUnicodeCMap


# PDF width of a recoded mark, 1/1000 em (text.py's _mark_width adjusts it per glyph). pdfminer
# puts two characters on one line only when the gap between their boxes is under twice the wider
# one's width, so marks of width 0 stacked on one base (ที่) split the line; any width makes their
# boxes overlap. poppler (-raw) sees a word gap after a mark only if a space (0.233 em in bold) less
# the mark's box past its base is over about 0.16 em: so a small width.
MARK_WIDTH = 30
_overrides: dict[str, dict[int, str]] = {}


def recode(font_name: str, gid: int, text: str, width: float) -> int:
    """A code of its own for glyph ``gid`` whose ToUnicode entry is ``text`` and whose PDF width is
    ``width`` (1/1000 em); the same code for the same triple."""
    font = pdfmetrics.getFont(font_name)
    if not hasattr(font, "hbAddPrivate"):
        font.hbFont(10)
    code = font.hbAddPrivate(f"#{gid}:{text}:{width}", gid, width)
    _overrides.setdefault(_face_name(font), {})[code] = text
    return code


def _face_name(font: ttfonts.TTFont) -> str:
    name = font.face.name
    return name.decode() if isinstance(name, bytes) else name


@cache
def glyph_path(font_name: str, gid: int) -> str:
    """The glyph's outline as PDF path operators in 1/1000 em (to be scaled with ``cm``)."""
    font = pdfmetrics.getFont(font_name)
    hbf = font.hbFont(10)
    k = 1000 / font.hbFace.upem
    ops: list[str] = []
    cur = [0.0, 0.0]

    def pt(x: float, y: float) -> str:
        return f"{x * k:.1f} {y * k:.1f}"

    class Pen:
        def moveTo(self, p):
            cur[:] = p
            ops.append(f"{pt(*p)} m")

        def lineTo(self, p):
            cur[:] = p
            ops.append(f"{pt(*p)} l")

        def curveTo(self, a, b, c):
            cur[:] = c
            ops.append(f"{pt(*a)} {pt(*b)} {pt(*c)} c")

        def qCurveTo(self, a, b):  # one quadratic segment as a cubic
            x0, y0 = cur
            c1 = (x0 + 2 / 3 * (a[0] - x0), y0 + 2 / 3 * (a[1] - y0))
            c2 = (b[0] + 2 / 3 * (a[0] - b[0]), b[1] + 2 / 3 * (a[1] - b[1]))
            self.curveTo(c1, c2, b)

        def closePath(self):
            ops.append("h")

    hbf.draw_glyph_with_pen(gid, Pen())
    return " ".join(ops)


def _patched_cmap(fontname: str, subset) -> str:
    text = _original_cmap(fontname, subset)
    face = fontname.split("+", 1)[-1]
    if face not in _by_face:
        return text
    overrides = _overrides.get(face, {})
    # the entry of code i is line ``first + i`` ("<ii> <cccc>", after "N beginbfchar"): replaced in
    # place rather than searched for in the whole map once per recoded glyph
    lines = text.split("\n")
    first = lines.index(f"{len(subset)} beginbfchar") + 1
    for index, code in enumerate(subset):
        real = overrides.get(code) or (_pua_text(face, code) if 0xE000 <= code <= 0xF8FF else None)
        if real:
            assert lines[first + index] == f"<{index:02X}> <{code:04X}>"
            lines[first + index] = f"<{index:02X}> <{real.encode('utf-16-be').hex().upper()}>"
    return "\n".join(lines)


def _component_length(flags: int) -> int:
    """Bytes of one component of a composite glyph: flags and glyph index, its two arguments (bytes
    or words), then its transform (none, one scale, x and y scales, or a 2×2 matrix)."""
    n = 4 + (4 if flags & ttfonts.GF_ARG_1_AND_2_ARE_WORDS else 2)
    if flags & ttfonts.GF_WE_HAVE_A_SCALE:
        return n + 2
    if flags & ttfonts.GF_WE_HAVE_AN_X_AND_Y_SCALE:
        return n + 4
    if flags & ttfonts.GF_WE_HAVE_A_TWO_BY_TWO:
        return n + 8
    return n


def make_subset(face: ttfonts.TTFontFace, subset: list[int]) -> bytes:
    """ReportLab 5.1.0's ``TTFontFile.makeSubset`` (pinned: its internals are copied here), except that
    a code whose PDF width (``face.charWidths``: a recoded mark's own width, see ``recode``) is not the
    glyph's advance gets a copy of the glyph with that advance, as PDF/A asks (ISO 19005-3 6.2.11.5:
    the program's advance and /Widths agree). Same outline, same place: the page does not change.

    Why here: this was a fontTools pass over every finished PDF (widths.py), which parsed and wrote each
    subset again (a third of a memo render, and fontTools' import a fifth of a one-off process); here
    the copy is a few more bytes while the subset is being written anyway. widths.py still checks every
    font (and repairs others' PDFs)."""
    upem = face.unitsPerEm
    hmetrics = face.hmetrics
    char_to_glyph = face.charToGlyph
    widths = face.charWidths
    glyph_map: list[int] = [0]  # new glyph index -> old glyph index
    advances: list[int | None] = [None]  # new glyph index -> advance of a copy (None: the glyph's own)
    glyph_set: dict = {0: 0}  # old glyph index, or (old index, advance) for a copy -> new glyph index
    code_to_glyph = {}
    for code in subset:
        original = char_to_glyph.get(code, 0)
        key = original
        wanted = widths.get(code)
        if wanted is not None and original and abs(wanted - hmetrics[original][0] * 1000 / upem) > 0.5:
            key = (original, round(wanted * upem / 1000))
        if key not in glyph_set:
            glyph_set[key] = len(glyph_map)
            glyph_map.append(original)
            advances.append(key[1] if isinstance(key, tuple) else None)
        code_to_glyph[code] = glyph_set[key]

    # glyphs that are parts of composite glyphs (referred to as themselves, never as copies); read from
    # the glyf table's bytes (as ReportLab reads them through the file object, a call per short)
    glyph_data = face.get_table("glyf")
    glyph_pos = face.glyphPos
    n = 0
    while n < len(glyph_map):
        original = glyph_map[n]
        pos = glyph_pos[original]
        length = glyph_pos[original + 1] - pos
        n += 1
        if not length or unpack_from(">h", glyph_data, pos)[0] >= 0:
            continue
        p = pos + 10
        flags = ttfonts.GF_MORE_COMPONENTS
        while flags & ttfonts.GF_MORE_COMPONENTS:
            flags, idx = unpack_from(">HH", glyph_data, p)
            if idx not in glyph_set:
                glyph_set[idx] = len(glyph_map)
                glyph_map.append(idx)
                advances.append(None)
            p += _component_length(flags)

    output = ttfonts.TTFontMaker()
    for tag in ("name", "OS/2", "cvt ", "fpgm", "prep"):
        try:
            output.add(tag, face.get_table(tag))
        except KeyError:
            pass
    output.add("post", b"\x00\x03\x00\x00" + face.get_table("post")[4:16] + b"\x00" * 16)
    num_glyphs = len(glyph_map)
    hmtx: list[int] = []
    for n in range(num_glyphs):
        aw, lsb = hmetrics[glyph_map[n]]
        hmtx += [int(aw if advances[n] is None else advances[n]), int(lsb)]
    n = len(hmtx) - 2
    while n and hmtx[n] == hmtx[n - 2]:
        n -= 2
    n += 2
    hmtx = hmtx[:n] + hmtx[n + 1::2]
    output.add("hmtx", pack(f">{len(hmtx)}H", *hmtx))
    output.add("hhea", ttfonts._set_ushort(face.get_table("hhea"), 34, n >> 1))
    output.add("maxp", ttfonts._set_ushort(face.get_table("maxp"), 4, num_glyphs))
    cmap = [0, 1, 1, 0, 0, 12, 6, 10 + len(subset) * 2, 0, 0, len(subset), *map(code_to_glyph.get, subset)]
    output.add("cmap", pack(f">{len(cmap)}H", *cmap))

    offsets: list[int] = []
    glyf: list[bytes] = []
    pos = 0
    for n in range(num_glyphs):
        offsets.append(pos)
        original = glyph_map[n]
        at = face.glyphPos[original]
        length = face.glyphPos[original + 1] - at
        data = glyph_data[at:at + length]
        if length > 2 and unpack(">h", data[:2])[0] < 0:  # composite: renumber its components
            p = 10
            flags = ttfonts.GF_MORE_COMPONENTS
            while flags & ttfonts.GF_MORE_COMPONENTS:
                flags = unpack(">H", data[p:p + 2])[0]
                idx = unpack(">H", data[p + 2:p + 4])[0]
                data = ttfonts._set_ushort(data, p + 2, glyph_set[idx])
                p += _component_length(flags)
        glyf.append(data)
        pos += length
        if pos % 4:
            glyf.append(b"\0" * (4 - pos % 4))
            pos += 4 - pos % 4
    offsets.append(pos)
    output.add("glyf", b"".join(glyf))
    if (pos + 1) >> 1 > 0xFFFF:
        loca_format, loca = 1, pack(f">{len(offsets)}L", *offsets)
    else:
        loca_format, loca = 0, pack(f">{len(offsets)}H", *(o >> 1 for o in offsets))
    output.add("loca", loca)
    output.add("head", ttfonts._set_ushort(face.get_table("head"), 50, loca_format))
    return output.makeStream()


@cache
def register() -> None:
    """Idempotent: register the two faces once per process."""
    for name, filename in _FILES.items():
        # asciiReadable=False: codes are given in order of first use. ReportLab's default reserves the
        # first subset's codes 32-126 for ASCII (readable without the ToUnicode map, which every reader
        # the text-layer tests use reads anyway), so every document carried ~95 glyphs it may never
        # draw: a fifth of a memo's file and a third of an announcement's fixed render cost.
        font = ttfonts.TTFont(name, str(fontpkg_sarabun.ROOT / "files" / filename), shapable=True, asciiReadable=False)
        font.face.makeSubset = MethodType(make_subset, font.face)  # widths that agree (make_subset)
        pdfmetrics.registerFont(font)
        _by_face[_face_name(font)] = font
    pdfmetrics.registerFontFamily(REGULAR, normal=REGULAR, bold=BOLD, italic=REGULAR, boldItalic=BOLD)
    ttfonts.makeToUnicodeCMap = _patched_cmap


# Stacks that reach highest and lowest: tall and plain consonants with an upper vowel and a tone mark
# (or nikhahit, thanthakhat), and consonants with tails or below vowels.
_TALL = "ปฝฟฬกนฎฏ"
_ABOVE = ("", "ิ", "ี", "ึ", "ื", "ั")
_TONES = ("", "่", "้", "๊", "๋", "์")


@cache
def ink_extents(name: str) -> tuple[float, float]:
    """(highest ink above the baseline, lowest ink below it) in em, over Thai stacks, Latin, digits and
    punctuation as HarfBuzz shapes them with the font file's own GPOS: what line spacing must clear.

    Kept in var/cache beside the word lists (keyed by the font file's size and time), as shaping the
    samples was a tenth of a one-off ``render_document``."""
    import marshal

    from .thai import cache_path

    font_file = fontpkg_sarabun.ROOT / "files" / _FILES[name]
    path = cache_path().with_name("ink-extents.marshal")
    try:
        stat = font_file.stat()
        key = f"{INK_FORMAT}:{font_file.name}:{stat.st_size}:{stat.st_mtime_ns}"
    except OSError:
        key = None
    cached: dict = {}
    try:
        cached = marshal.loads(path.read_bytes())
        if key is not None and key in cached:
            return tuple(cached[key])
    except (OSError, EOFError, ValueError, TypeError):
        cached = {}
    found = _measure_ink(name)
    if key is not None and isinstance(cached, dict):
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
            tmp.write_bytes(marshal.dumps({**cached, key: found}))
            os.replace(tmp, path)
        except OSError:
            pass  # a read-only install measures each time
    return found


INK_FORMAT = 1  # the sample set below: bump when it changes


def _measure_ink(name: str) -> tuple[float, float]:
    import uharfbuzz as hb

    blob = hb.Blob.from_file_path(str(fontpkg_sarabun.ROOT / "files" / _FILES[name]))
    face = hb.Face(blob)
    font = hb.Font(face)
    upem = face.upem
    samples = [c + a + t for c in _TALL for a in _ABOVE for t in _TONES]
    samples += [c + m for c in _TALL for m in ("็", "่ำ", "้ำ", "๊ำ", "๋ำ", "ำ")]
    # ฎ/ฏ keep their tail and push a below vowel under it (-0.54 em): no Thai word spells that, so the
    # tails alone count; ญ/ฐ drop their tail before a below vowel.
    samples += [c + b + t for c in "ปญฐก" for b in ("", "ุ", "ู", "ฺ") for t in ("", "่", "้")] + ["ฎ", "ฏ"]
    samples += [chr(c) for c in range(0x21, 0x7F)] + [chr(c) for c in range(0x0E01, 0x0E5C)]
    top = bottom = 0.0
    for text in samples:
        buf = hb.Buffer()
        buf.add_str(text)
        buf.guess_segment_properties()
        hb.shape(font, buf)
        for info, pos in zip(buf.glyph_infos, buf.glyph_positions, strict=True):
            ext = font.get_glyph_extents(info.codepoint)
            if ext is None:
                continue
            top = max(top, (pos.y_offset + ext.y_bearing) / upem)
            bottom = max(bottom, -(pos.y_offset + ext.y_bearing + ext.height) / upem)
    return top, bottom
