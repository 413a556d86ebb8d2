"""Font programs that agree with the PDF's widths (PDF/A-3, ISO 19005-3 6.2.11.5).

The text layer gives a zero-advance Thai mark a small PDF width of its own (text.py: pdfminer would
otherwise cut a line between two stacked marks) and moves the pen back in the same TJ, so nothing
moves on the page. ReportLab's subset keeps one glyph per original glyph, with the font's own
advance (0 for a mark), so the width in /Widths and the program's advance disagree, which PDF/A
forbids. Here each such code gets a copy of its glyph in the embedded program with the advance the
PDF says (same outline, same place: the page does not change), and the subset's cmap points the
code at the copy. fontTools does the reading and writing of the TrueType program.

Our own subsets are written agreeing (fonts.make_subset), so for them this is a check: ``_agrees``
reads the few tables it needs with ``struct`` and fontTools (slow to import and to parse) is only
loaded for a font that needs the repair, such as one in an appended PDF.
"""

from __future__ import annotations

import copy
import io
import zlib
from struct import error as struct_error
from struct import unpack_from

import pikepdf
from pikepdf import Array, Dictionary, Name


def _code_glyphs(program) -> tuple[list, dict[int, str]]:
    tables = program["cmap"].tables
    return tables, (tables[0].cmap if tables else {})


def _agrees(data: bytes, font: Dictionary) -> bool | None:
    """Whether every /Widths entry is the program's advance (within 0.5/1000 em, as ``_fix_font``
    judges); None when the program is not one this reads (no format-0 or format-6 cmap: fontTools
    decides). Reads the table directory, head, hhea, hmtx and the first cmap subtable."""
    try:
        tables = {}
        for i in range(unpack_from(">H", data, 4)[0]):
            tag, _checksum, offset, length = unpack_from(">4sLLL", data, 12 + 16 * i)
            tables[tag] = (offset, length)
        upem = unpack_from(">H", data, tables[b"head"][0] + 18)[0]
        metrics = unpack_from(">H", data, tables[b"hhea"][0] + 34)[0]
        hmtx = tables[b"hmtx"][0]
        cmap = tables[b"cmap"][0]
        if unpack_from(">H", data, cmap + 2)[0] < 1:
            return None
        sub = cmap + unpack_from(">L", data, cmap + 8)[0]
        fmt = unpack_from(">H", data, sub)[0]
        if fmt == 6:
            first_code, count = unpack_from(">HH", data, sub + 6)
            ids = unpack_from(f">{count}H", data, sub + 10)
        elif fmt == 0:
            first_code, ids = 0, unpack_from(">256B", data, sub + 6)
        else:
            return None
        first = int(font.get("/FirstChar", 0))
        for i, w in enumerate(font.get("/Widths", Array())):
            k = first + i - first_code
            if not 0 <= k < len(ids):
                return None  # the code is not in this subtable: let fontTools look at all of them
            gid = ids[k]
            advance = unpack_from(">H", data, hmtx + 4 * min(gid, metrics - 1))[0]
            if abs(float(w) - advance * 1000 / upem) > 0.5:
                return False
        return True
    except (KeyError, IndexError, ValueError, TypeError, struct_error):
        return None


def _fix_font(font: Dictionary) -> bool:
    """Copies of glyphs for the codes whose /Widths entry differs from the program's advance.
    Returns whether the program was rewritten."""
    desc = font.FontDescriptor
    raw = desc.FontFile2.read_bytes()
    if _agrees(raw, font):
        return False
    from fontTools.ttLib import TTFont
    from fontTools.ttLib.tables._g_l_y_f import Glyph

    # no bounding-box or timestamp recalculation: it would expand and recompile every glyph (two
    # thirds of a render); the copies have the bounds of their originals
    program = TTFont(io.BytesIO(raw), recalcBBoxes=False, recalcTimestamp=False)
    tables, cmap = _code_glyphs(program)
    upem = program["head"].unitsPerEm
    hmtx = program["hmtx"]
    glyf = program["glyf"]
    first = int(font.get("/FirstChar", 0))
    changed = False
    for i, w in enumerate(font.get("/Widths", Array())):
        code = first + i
        key = code if code in cmap else 0xF000 + code
        glyph = cmap.get(key)
        if glyph is None:
            continue
        advance, lsb = hmtx[glyph]
        wanted = round(float(w) * upem / 1000)
        if abs(float(w) - advance * 1000 / upem) <= 0.5:
            continue
        name = f"{glyph}.w{wanted}"
        if name not in hmtx.metrics:
            source = glyf.glyphs[glyph]  # not glyf[glyph]: that would decompile the outline
            data = getattr(source, "data", None)
            # the glyph's bytes as they are (compiled back unchanged); appended to the glyph order
            glyf[name] = Glyph(data) if data is not None else copy.deepcopy(source)
            hmtx.metrics[name] = (wanted, lsb)
        for table in tables:
            if key in table.cmap:
                table.cmap[key] = name
        changed = True
    if changed:
        out = io.BytesIO()
        program.save(out)
        data = out.getvalue()
        desc.FontFile2.write(zlib.compress(data), filter=Name.FlateDecode)
        desc.FontFile2.Length1 = len(data)
    return changed


def agree_widths(objects: list) -> int:
    """Fix every embedded TrueType font among ``objects``; returns how many were rewritten."""
    fixed = 0
    for obj in objects:
        if not isinstance(obj, Dictionary) or obj.get("/Type") != Name.Font:
            continue
        if obj.get("/Subtype") != Name.TrueType or "/FontDescriptor" not in obj:
            continue
        if "/FontFile2" not in obj.FontDescriptor or "/Widths" not in obj:
            continue
        try:
            fixed += _fix_font(obj)
        except (pikepdf.PdfError, KeyError, ValueError, AssertionError):
            continue  # a font we cannot read is left as it is; page_problems judges the file
    return fixed
