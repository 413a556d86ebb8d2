"""Font programs that agree with the PDF's widths (PDF/A-3, ISO 19005-3 6.2.11.5).

The text layer gives a zero-advance Thai mark a small PDF width of its own (text.py: pdfminer would
otherwise cut a line between two stacked marks) and moves the pen back in the same TJ, so nothing
moves on the page. ReportLab's subset keeps one glyph per original glyph, with the font's own
advance (0 for a mark), so the width in /Widths and the program's advance disagree, which PDF/A
forbids. Here each such code gets a copy of its glyph in the embedded program with the advance the
PDF says (same outline, same place: the page does not change), and the subset's cmap points the
code at the copy. fontTools does the reading and writing of the TrueType program.
"""

from __future__ import annotations

import copy
import io
import zlib

import pikepdf
from fontTools.ttLib import TTFont
from fontTools.ttLib.tables._g_l_y_f import Glyph
from pikepdf import Array, Dictionary, Name


def _code_glyphs(program: TTFont) -> tuple[list, dict[int, str]]:
    tables = program["cmap"].tables
    return tables, (tables[0].cmap if tables else {})


def _fix_font(font: Dictionary) -> bool:
    """Copies of glyphs for the codes whose /Widths entry differs from the program's advance.
    Returns whether the program was rewritten."""
    desc = font.FontDescriptor
    # no bounding-box or timestamp recalculation: it would expand and recompile every glyph (two
    # thirds of a render); the copies have the bounds of their originals
    program = TTFont(io.BytesIO(desc.FontFile2.read_bytes()), recalcBBoxes=False, recalcTimestamp=False)
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
