"""Sarabun from ``fontpkg-sarabun``, registered for ReportLab with HarfBuzz shaping, and a fix for
the text layer of shaped glyphs.

ReportLab (5.1.0, pinned) gives a shaped glyph that has no cmap entry (Thai tone marks lowered
``uni0E48.small``, ligatures ``uni0E4D0E49``) a private-use code point, and its ToUnicode map then
says U+E000…: copied text comes out as garbage. Sarabun's glyph names spell their characters, so
``_patch_to_unicode`` rewrites those entries to the real characters. Lines also carry /ActualText
(see ``text.py``), which readers that honour it (poppler) prefer.
"""

from __future__ import annotations

import re
from functools import cache

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


def _patched_cmap(fontname: str, subset) -> str:
    text = _original_cmap(fontname, subset)
    face = fontname.split("+", 1)[-1]
    if face not in _by_face:
        return text
    for index, code in enumerate(subset):
        real = _pua_text(face, code)
        if real:
            utf16 = real.encode("utf-16-be").hex().upper()
            text = text.replace(f"<{index:02X}> <{code:04X}>", f"<{index:02X}> <{utf16}>", 1)
    return text


@cache
def register() -> None:
    """Idempotent: register the two faces once per process."""
    for name, filename in _FILES.items():
        font = ttfonts.TTFont(name, str(fontpkg_sarabun.ROOT / "files" / filename), shapable=True)
        pdfmetrics.registerFont(font)
        _by_face[font.face.name.decode() if isinstance(font.face.name, bytes) else font.face.name] = font
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
    punctuation as HarfBuzz shapes them with the font file's own GPOS: what line spacing must clear."""
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
