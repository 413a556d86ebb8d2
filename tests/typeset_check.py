"""Typesetting checks on glyph positions read back from the PDF with PyMuPDF (``page.get_texttrace``):
every glyph's origin, its font and size, and its ink box from the embedded font's own outlines
(HarfBuzz glyph extents of the subset font, glyph id as drawn).

- ``marks_off_base``: a Thai mark is drawn where HarfBuzz puts it on its base (GPOS), within 0.3 pt;
  the nikhahit of ำ, drawn as a path (no text, see memos/documents/text.py), is found among the
  page's filled paths where the font puts it (``page.get_drawings``).
- ``ink_collisions``: no glyph's ink box overlaps one of the line above (stacked tone marks against
  tails and below vowels).
- ``spread_problems``: no gap inside a Thai word wider than text.CLUSTER_GAP_MAX_EM, no Thai word
  boundary wider than the word bound, no letter-spacing in Latin words or numbers.
The word-boundary (no in-word break) check is tests/pdfcheck.py's.
"""

from __future__ import annotations

import re
import subprocess
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import pymupdf
import uharfbuzz as hb

from memos.documents import text as T
from memos.documents import thai

MARK_TOLERANCE = 0.3  # points; ReportLab writes positions to 0.01 of a 1/1000 em
GAP_TOLERANCE = 0.15  # points; PDF number rounding and Latin kerning
COLLISION_MIN = 0.05  # points of overlap that count


@dataclass
class Glyph:
    page: int
    char: str
    font: str
    size: float
    x: float  # origin, y down
    y: float
    advance: float
    ink: tuple[float, float, float, float] | None  # x0, top, x1, bottom (y down)


def _is_mark(ch: str) -> bool:
    return unicodedata.category(ch) == "Mn"


class _Fonts:
    """The page's embedded fonts by base name, loaded in HarfBuzz."""

    def __init__(self, doc: pymupdf.Document):
        self.by_name: dict[str, list[hb.Font]] = {}
        seen = set()
        for page in doc:
            for xref, _ext, _type, basefont, *_ in page.get_fonts():
                if xref in seen:
                    continue
                seen.add(xref)
                _name, _ext, _t, buf = doc.extract_font(xref)
                if not buf:
                    continue
                font = hb.Font(hb.Face(hb.Blob(buf)))
                self.by_name.setdefault(basefont.split("+", 1)[-1], []).append(font)

    def ink(self, name: str, gid: int, advance: float, size: float):
        fonts = self.by_name.get(name) or []
        best = None
        for font in fonts:  # several subsets of one face: the one whose advance matches
            if gid >= font.face.glyph_count:
                continue
            if abs(font.get_glyph_h_advance(gid) * size / font.face.upem - advance) > 0.05:
                continue
            ext = font.get_glyph_extents(gid)
            if ext is None:
                continue
            k = size / font.face.upem
            box = (ext.x_bearing * k, -ext.y_bearing * k, (ext.x_bearing + ext.width) * k, -(ext.y_bearing + ext.height) * k)
            best = box if best is None else (min(best[0], box[0]), min(best[1], box[1]), max(best[2], box[2]), max(best[3], box[3]))
        return best


def glyphs(pdf: bytes) -> list[list[Glyph]]:
    """Glyphs per drawn line (one list per baseline and page), in drawing order."""
    doc = pymupdf.open(stream=pdf, filetype="pdf")
    fonts = _Fonts(doc)
    out: list[list[Glyph]] = []
    for pno, page in enumerate(doc):
        lines: dict[float, list[Glyph]] = {}
        for span in page.get_texttrace():
            name = span["font"].split("+", 1)[-1]
            size = span["size"]
            for ch, gid, origin, bbox in span["chars"]:
                advance = bbox[2] - bbox[0]
                ink = fonts.ink(name, gid, advance, size) if gid >= 0 else None
                x, y = origin
                box = (x + ink[0], y + ink[1], x + ink[2], y + ink[3]) if ink else None
                g = Glyph(pno, chr(ch), name, size, x, y, advance, box)
                # one drawn line: baselines within 3 pt (marks may be raised or lowered a little)
                key = next((k for k in lines if abs(k - y) < 3), y)
                line = lines.setdefault(key, [])
                prev = line[-1] if line else None
                if prev and gid < 0:
                    # a glyph read as several characters (the ligature "fi"): the glyph stands for its
                    # last one when the gap after it is judged (kerning "ic", not "fc")
                    line[-1] = Glyph(pno, g.char, prev.font, prev.size, prev.x, prev.y, prev.advance, prev.ink)
                    continue
                line.append(g)
        out += [lines[k] for k in sorted(lines)]
    return out


@lru_cache(maxsize=4096)
def _expected_offsets(cluster: str, font: str, size: float) -> tuple[float, ...] | None:
    """Mark origins relative to the base origin as HarfBuzz places them, in points."""
    import fontpkg_sarabun

    from memos.documents.fonts import _FILES

    path = _FILES.get(font.replace("-Regular", ""))
    if path is None:
        return None
    hbf = _hb_font(str(fontpkg_sarabun.ROOT / "files" / path))
    buf = hb.Buffer()
    buf.add_str(cluster)
    buf.guess_segment_properties()
    hb.shape(hbf, buf)
    pen, out = 0.0, []
    for pos in buf.glyph_positions:
        out.append((pen + pos.x_offset) * size / 1000)
        pen += pos.x_advance
    return tuple(out)


@lru_cache(maxsize=4096)
def _kern(pair: str, font: str, size: float) -> float:
    """Kerning between two characters as HarfBuzz applies it (points)."""
    import fontpkg_sarabun

    from memos.documents.fonts import _FILES

    path = _FILES.get(font.replace("-Regular", ""))
    if path is None:
        return 0.0
    hbf = _hb_font(str(fontpkg_sarabun.ROOT / "files" / path))
    buf = hb.Buffer()
    buf.add_str(pair)
    buf.guess_segment_properties()
    hb.shape(hbf, buf)
    first = buf.glyph_infos[0].codepoint
    return (buf.glyph_positions[0].x_advance - hbf.get_glyph_h_advance(first)) * size / 1000


@lru_cache(maxsize=4)
def _hb_font(path: str) -> hb.Font:
    return hb.Font(hb.Face(hb.Blob.from_file_path(path)))


def paths(pdf: bytes) -> dict[int, list[tuple[float, float]]]:
    """Top-left corners (y down) of the filled paths of each page."""
    doc = pymupdf.open(stream=pdf, filetype="pdf")
    return {pno: [(d["rect"].x0, d["rect"].y0) for d in page.get_drawings() if d.get("fill") is not None]
            for pno, page in enumerate(doc)}


@lru_cache(maxsize=4096)
def _am_cluster(cluster: str, font: str, size: float):
    """HarfBuzz glyphs of a cluster ending in ำ: (is nikhahit, x offset from the base origin, ink left,
    ink top (y down, from the baseline)) per glyph, in points."""
    import fontpkg_sarabun

    from memos.documents.fonts import _FILES

    path = _FILES.get(font.replace("-Regular", ""))
    if path is None:
        return None
    hbf = _hb_font(str(fontpkg_sarabun.ROOT / "files" / path))
    buf = hb.Buffer()
    buf.add_str(cluster)
    buf.guess_segment_properties()
    hb.shape(hbf, buf)
    k = size / hbf.face.upem
    pen, out = 0.0, []
    for info, pos in zip(buf.glyph_infos, buf.glyph_positions, strict=True):
        name = hbf.glyph_to_string(info.codepoint).split(".")[0]
        ext = hbf.get_glyph_extents(info.codepoint)
        x = (pen + pos.x_offset) * k
        left = x + (ext.x_bearing * k if ext else 0.0)
        top = -(pos.y_offset + (ext.y_bearing if ext else 0)) * k
        out.append((name == "uni0E4D", x, left, top))
        pen += pos.x_advance
    return tuple(out)


def _am_problems(line: list[Glyph], i: int, j: int, page_paths) -> list[str]:
    """Cluster line[i:j] (base, marks, ำ): marks and ำ where HarfBuzz puts them, the nikhahit path too."""
    base = line[i]
    cluster = "".join(g.char for g in line[i:j])
    want = _am_cluster(cluster, base.font, base.size)
    if want is None:
        return []
    drawn = [w for w in want if not w[0]]
    if len(drawn) != j - i:
        return [f"p{base.page + 1} y={base.y:.0f} {cluster!r}: {j - i} glyphs drawn, the font has {len(drawn)}"]
    problems = []
    for g, (_n, off, _l, _t) in zip(line[i + 1 : j], drawn[1:], strict=True):
        if abs(g.x - base.x - off) > MARK_TOLERANCE:
            problems.append(f"p{base.page + 1} y={base.y:.0f} {cluster!r}: {g.char!r} at {g.x - base.x:+.2f} pt "
                            f"from its base, the font puts it at {off:+.2f}")
    for _n, _off, left, top in (w for w in want if w[0]):
        x, y = base.x + left, base.y + top
        if not any(abs(px - x) <= MARK_TOLERANCE and abs(py - y) <= MARK_TOLERANCE for px, py in page_paths):
            problems.append(f"p{base.page + 1} y={base.y:.0f} {cluster!r}: no nikhahit drawn at ({x:.1f}, {y:.1f})")
    return problems


def marks_off_base(lines: list[list[Glyph]], page_paths: dict | None = None) -> list[str]:
    """Marks not where the font's GPOS puts them on their base (with ``page_paths``, the nikhahit of
    ำ too, drawn as a path)."""
    problems = []
    for line in lines:
        i = 0
        while i < len(line):
            base = line[i]
            j = i + 1
            while j < len(line) and _is_mark(line[j].char) and line[j].font == base.font:
                j += 1
            if (page_paths is not None and j < len(line) and line[j].char == "\u0e33"
                    and line[j].font == base.font and not _is_mark(base.char)):
                problems += _am_problems(line, i, j + 1, page_paths.get(base.page, []))
                i = j + 1
                continue
            if j > i + 1 and not _is_mark(base.char):
                cluster = "".join(g.char for g in line[i:j])
                want = _expected_offsets(cluster, base.font, base.size)
                if want is not None and len(want) == j - i:
                    for g, off in zip(line[i + 1 : j], want[1:], strict=True):
                        got = g.x - base.x
                        if abs(got - off) > MARK_TOLERANCE:
                            problems.append(f"p{base.page + 1} y={base.y:.0f} {cluster!r}: mark {g.char!r} at "
                                            f"{got:+.2f} pt from its base, the font puts it at {off:+.2f}")
            i = j
    return problems


def ink_collisions(lines: list[list[Glyph]]) -> list[str]:
    """Ink boxes of a line overlapping those of the line above it on the same page."""
    problems = []
    for upper, lower in zip(lines, lines[1:], strict=False):
        if upper[0].page != lower[0].page:
            continue
        ub = [g for g in upper if g.ink]
        for g in lower:
            if not g.ink:
                continue
            for u in ub:
                if (min(u.ink[2], g.ink[2]) - max(u.ink[0], g.ink[0]) > COLLISION_MIN
                        and u.ink[3] - g.ink[1] > COLLISION_MIN):
                    problems.append(f"p{g.page + 1}: {u.char!r} (y={u.y:.1f}) touches {g.char!r} (y={g.y:.1f}) "
                                    f"by {u.ink[3] - g.ink[1]:.2f} pt")
    return problems


def _normal(chars: list[str]) -> tuple[str, list[int]]:
    """Line text as typed (ํ + tone + า → tone + ำ) and, per glyph, its index in that text."""
    text, index = "", []
    k = 0
    while k < len(chars):
        ch = chars[k]
        if ch == "\u0e4d":
            m = k + 1
            while m < len(chars) and chars[m] in "\u0e48\u0e49\u0e4a\u0e4b":
                m += 1
            if m < len(chars) and chars[m] == "\u0e32":
                for t in chars[k + 1 : m]:
                    index.append(len(text))
                    text += t
                index.append(len(text))  # ํ
                index.append(len(text))  # า
                text += "\u0e33"
                k = m + 1
                continue
        index.append(len(text))
        text += ch
        k += 1
    return text, index


@lru_cache(maxsize=64)
def _space(font: str, size: float) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from memos.documents.fonts import register

    register()
    return stringWidth(" ", font.replace("-Regular", ""), size)


def spread_problems(lines: list[list[Glyph]], cluster_max_em: float = T.CLUSTER_GAP_MAX_EM,
                    word_max_em: float = T.WORD_GAP_MAX_EM) -> list[str]:
    """Extra space between adjacent glyphs of a drawn text run, judged by where it is."""
    problems = []
    for line in lines:
        text, index = _normal([g.char for g in line])
        boundaries, pos = set(), 0
        for piece in thai.segment(text):
            pos += len(piece)
            boundaries.add(pos)
        prev = None
        for k, g in enumerate(line):
            if _is_mark(g.char) or g.advance == 0:
                continue
            if prev is not None and prev.font == g.font and abs(prev.size - g.size) < 0.01:
                a, b = prev.char, g.char
                gap = g.x - (prev.x + prev.advance) - _kern(a + b, g.font, g.size)
                # spaces are not drawn: a gap of at least a space's width is one (a real space
                # never shrinks); today's worst letter-spacing (≥ a space) is therefore not judged here
                if a.isspace() or b.isspace() or gap < -1 or gap >= _space(g.font, g.size) - 0.2:
                    prev = g
                    continue
                thai_pair = T._is_thai_letter(a) and T._is_thai_letter(b)
                if not thai_pair:
                    limit, what = GAP_TOLERANCE, "letter-spaced Latin/digits"
                elif index[k] in boundaries:
                    limit, what = word_max_em * g.size + GAP_TOLERANCE, "word boundary"
                else:
                    limit, what = cluster_max_em * g.size + GAP_TOLERANCE, "inside a word"
                if gap > limit:
                    problems.append(f"p{g.page + 1} y={g.y:.0f} {a}|{b} {what}: {gap:.2f} pt > {limit:.2f}")
            prev = g
    return problems


def all_problems(pdf: bytes) -> dict[str, list[str]]:
    lines = glyphs(pdf)
    return {
        "marks_off_base": marks_off_base(lines, paths(pdf)),
        "ink_collisions": ink_collisions(lines),
        "spread": spread_problems(lines),
    }


# ---------------------------------------------------------------- page make-up (keep rules)

_PAGE_NUMBER = re.compile(r"^- \S+ -$")
_ARABIC = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


def _key(s: str) -> str:
    """Text compared as printed whatever the digit rule did: no whitespace, Arabic digits."""
    return re.sub(r"\s+", "", s).translate(_ARABIC)


def page_lines(pdf: bytes) -> list[list[str]]:
    """Text lines of each page in content-stream order (poppler), page numbers left out."""
    out = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True,
                         check=True).stdout.decode()
    return [[ln for ln in (x.strip() for x in page.splitlines()) if ln and not _PAGE_NUMBER.match(ln)]
            for page in out.split("\f")[:-1]]


def _find(pages: list[list[str]], text: str, start: tuple[int, int] = (0, 0)) -> tuple[int, int, int]:
    """(page, first line, last line) of ``text`` (which may wrap over lines), searched from ``start``."""
    want = _key(text)
    for p in range(start[0], len(pages)):
        lines = pages[p]
        for i in range(start[1] if p == start[0] else 0, len(lines)):
            got = ""
            for j in range(i, len(lines)):
                got += _key(lines[j])
                if got.startswith(want):
                    return p, i, j
                if not want.startswith(got):
                    break
    raise LookupError(text)


def _find_in(pages, text, start=(0, 0)):
    """Like _find, for a line that may share its printed line with a label or a number."""
    want = _key(text)
    for p in range(start[0], len(pages)):
        for i in range(start[1] if p == start[0] else 0, len(pages[p])):
            if want and want in _key(pages[p][i]):
                return p, i, i
    raise LookupError(text)


def keep_problems(doc: dict, pdf: bytes) -> list[str]:
    """Stranded lines (FORMAT.md "Page make-up"): a memo's closing line, signer's name and position
    on one page, with at least two lines of text before them when they start a page; a heading
    with at least two lines after it on its page (one when its section is empty and it goes with
    the signature); each comment block on one page; the announcement's date line with its
    signature and two lines of text; a report caption with its header and first row."""
    from memos.documents.memo import numbered_sections

    pages, problems = page_lines(pdf), []
    kind = doc["kind"]

    def signature(name: str, positions: list[str], first: tuple[int, int, int], what: str, start=(0, 0)):
        p0, i0, _ = first
        pn, i_n, _ = _find(pages, f"({name})", start)
        places = [(pn, i_n)]
        for pos in positions:
            pp, ip, _ = _find(pages, pos, (pn, i_n))
            places.append((pp, ip))
        if any(p != p0 for p, _ in places):
            problems.append(f"{what} on page {p0 + 1}, name/position on pages {[p + 1 for p, _ in places]}")
        if p0 > 0 and i0 < 2 and what != "comment heading":
            problems.append(f"{what} starts page {p0 + 1} with {i0} line(s) of text before it")
        return places[-1]

    if kind == "memo":
        sections = numbered_sections(doc["sections"])
        cursor = (0, 0)
        for n, s in sections:
            if n is None:
                continue
            p, i, j = _find(pages, f"{n}. {s['heading'].strip()}", cursor)
            need = 2 if (s.get("paragraphs") or s.get("items")) else 1
            after = len(pages[p]) - j - 1
            if after < need:
                problems.append(f"heading {n} ends page {p + 1} with {after} line(s) after it")
            cursor = (p, j + 1)
        signer = doc["signer"]
        closing = doc.get("closing", "จึงเรียนมาเพื่อโปรดพิจารณา")
        first = _find(pages, closing, cursor) if closing else _find(pages, f"({signer['name']})", cursor)
        end = signature(signer["name"], [signer["position"]], first, "closing line", cursor)
        for e in doc.get("endorsements", []):
            head = _find(pages, e["heading"], end)
            lines = [f"{e['position']} {e['acting']['kind']}", e["acting"]["for_position"]] if e.get("acting") \
                else [e["position"]]
            end = signature(e["name"], lines, head, "comment heading", head[:2])
    elif kind == "announcement":
        first = _find_in(pages, "ประกาศณวันที่")
        signature(doc["signer"]["name"], [doc["signer"]["position"]], first, "date line", first[:2])
    elif kind == "report":
        cursor = (0, 0)
        for t in doc.get("tables", []):
            if not t.get("caption") or not t.get("rows"):
                continue
            p, i, j = _find(pages, t["caption"], cursor)
            ph, _, _ = _find_in(pages, t["columns"][0].split()[0], (p, j + 1))
            cell = max((c if isinstance(c, str) else " ".join(c) for c in t["rows"][0]), key=len)
            pr, _, _ = _find_in(pages, cell.split()[0][:12], (p, j + 1))
            if not p == ph == pr:
                problems.append(f"caption {t['caption'][:20]!r} on page {p + 1}, header on {ph + 1}, first row on {pr + 1}")
            cursor = (p, j + 1)
    return problems
