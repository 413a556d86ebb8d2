"""A paragraph flowable for Thai: lines break only between words, glyphs are shaped by HarfBuzz,
and the text layer says exactly the source text to every reader (see "Text layer" below).

ReportLab's Paragraph breaks Thai anywhere (it only knows spaces) and, with shaping, writes
private-use code points into the text layer; this flowable does its own line breaking over
``thai.segment`` pieces and draws each piece as a ReportLab ``ShapedStr``.

Justified ("distributed") paragraphs are broken for the whole paragraph at once (total-fit, after
Knuth and Plass) and stretched only *between* character clusters: the extra advance is added after
the last glyph of a cluster (after its marks, after ำ), never between a base and its marks, so every
mark keeps the position the font's GPOS gave it. Latin words and digits are never letter-spaced.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase.pdfmetrics import getFont, stringWidth
from reportlab.pdfbase.ttfonts import ShapeData, ShapedStr, shapeStr
from reportlab.platypus.flowables import Flowable

from . import layout as L
from . import tagging, thai
from .fonts import BOLD, MARK_WIDTH, REGULAR, glyph_name_text, glyph_path, ink_extents, recode
from .textout import text_out, text_out_spread

# Alignment of body text. FORMAT.md leaves it open; Thai government typing practice justifies
# body paragraphs "Thai distributed" (space spread between character clusters, marks kept on
# their base), so that is the default; "left" is the other setting. Last lines stay left.
JUSTIFY_BODY = "distributed"

# Justification, in em of the text size. The extra space of a justified line is set by one ratio r:
# each gap between character clusters inside a Thai word gets CLUSTER_GAP_MAX_EM·min(r, 1), each Thai
# word boundary without a space WORD_STRETCH_EM·min(r, WORD_RATIO_MAX), each space SPACE_STRETCH_EM·r,
# r ≤ MAX_RATIO. So cluster gaps and word boundaries grow together up to r = 1 (an even texture, as
# Thai distributed justification looks), then word boundaries a little more and spaces, then spaces
# alone, up to 0.75 em. A line that needs more (a line with few spaces) gets all of that and ends
# short of the margin, if by at most SHORT_MAX_EM; by more (the line before a long unbreakable token)
# it is left-aligned.
# Bounds at 16 pt: 1 pt between clusters (CLUSTER_GAP_MAX_EM = 1/16 em, about an eighth of a
# consonant of Sarabun; the issue measured lines at ≥ 1 pt per character as over-stretched, so 1 pt
# is the ceiling, never passed; at 0.6 pt a third of the seed memo's lines could not be filled).
# A word boundary grows to WORD_GAP_MAX_EM = 0.08 em (1.28 pt): at 2 pt it reads as a space, i.e. a
# phrase break, and readers that find words by gaps (pdfminer: a gap over 0.1 em; pypdf: over half a
# space, 0.12 em; MuPDF and poppler -raw: larger) must not see one where the source has none. A real
# space is drawn as a space glyph scaled to its justified width, so no reader has to guess it from a
# gap. tests/test_text_layer.py checks all four readers; tests/test_typesetting.py the bounds.
CLUSTER_GAP_MAX_EM = 0.0625
WORD_STRETCH_EM = 0.0625
WORD_RATIO_MAX = 1.28
SPACE_STRETCH_EM = 0.25
MAX_RATIO = 3.0
WORD_GAP_MAX_EM = WORD_STRETCH_EM * WORD_RATIO_MAX
SHORT_MAX_EM = 1.0
# Total-fit demerits (Knuth–Plass): a line's badness is 100·r³ for its stretch ratio r; demerits =
# (LINE_PENALTY + badness)² + penalty², summed over the paragraph and minimised. Breaking a dictionary
# compound at an inner word boundary (thai.compound_parts) costs COMPOUND_PENALTY, so it is done only to
# save a line of badness ≳ 40 (r ≳ 0.75). A line that cannot be filled costs SHORT_BADNESS (a little
# more than r = MAX_RATIO) plus 200 per point it ends short, RAGGED_BADNESS plus 100 per point when it
# is left-aligned, so such lines are chosen only when no set of breaks avoids them, and then where
# the shortfall is smallest; on a paragraph's first line these count double (FIRST_LINE_SHORT). A break
# between a label and its number ("พ.ศ." | "๒๕๖๘", NUMBER_LABELS) costs LABEL_PENALTY: taken only to
# save a ragged or short line. No fitness classes, no hyphenation.
LINE_PENALTY = 10
COMPOUND_PENALTY = 50
LABEL_PENALTY = 5000  # "พ.ศ." | "๒๕๖๘": only to save a line that would be ragged or end short
SHORT_BADNESS = 3000
RAGGED_BADNESS = 10000
FIRST_LINE_SHORT = 2.0  # the first line's SHORT/RAGGED badness counts double
COMPOUND_MIN_CHARS = 10  # shorter dictionary words are single words ("ดำเนินงาน", "หน่วยงาน"): kept whole


@lru_cache(maxsize=50000)
def shaped(text: str, font: str, size: float) -> tuple[ShapedStr | str, float]:
    """Shaped text and its advance in points; cached because words repeat."""
    # forced when there are Thai marks: ReportLab returns plain text when shaping moved nothing, and
    # its marks would keep width 0 (see _for_text_layer)
    s = shapeStr(text, font, size, force=any("\u0e31" <= c <= "\u0e4e" for c in text))
    if isinstance(s, ShapedStr):
        s = _for_text_layer(s, text, font)
        width = sum(sd.x_advance for sd in s.__shapeData__) * size / 1000
    else:
        width = stringWidth(text, font, size)
    return s, width


# Text layer. HarfBuzz output is what is drawn; what readers extract is each glyph's code through the
# font's ToUnicode map, in drawing order. So the glyphs that would read wrong get codes of their own
# (fonts.recode): the sara aa of a decomposed ำ reads "ำ", its nikhahit is drawn as a path (ink, no
# text; ``_paths`` of the shaped string), a nikhahit+tone ligature inside ำ reads as the tone, and a
# zero-advance mark gets a PDF width of MARK_WIDTH (the pen is moved back in the same TJ, so it is
# drawn where it was). No /ActualText: MuPDF adds it to the glyph text (duplicated fragments).
_NIKHAHIT = "uni0E4D"
_SARA_AA = "uni0E32"


def _for_text_layer(s: ShapedStr, text: str, font: str) -> ShapedStr:
    f = getFont(font)
    hbf = f.hbFont(10)
    to_gid = f.face.charToGlyph
    data = s.__shapeData__
    starts = sorted({sd.cluster for sd in data} | {len(text)})
    end_of = dict(zip(starts, starts[1:], strict=False))
    chars: list[str] = []
    out: list[ShapeData] = []
    texts: list[str | None] = []  # per kept glyph: the text of a recoded mark, None otherwise
    paths: list[tuple[int, int, float, float]] = []
    for ch, sd in zip(s, data, strict=True):
        gid = to_gid[ord(ch)]
        name = hbf.glyph_to_string(gid).split(".")[0]
        in_am = "\u0e33" in text[sd.cluster:end_of.get(sd.cluster, len(text))]
        mark = None
        if in_am and name == _NIKHAHIT:
            paths.append((len(out), gid, sd.x_offset, sd.y_offset))
            if sd.x_advance and out:
                out[-1] = out[-1]._replace(x_advance=out[-1].x_advance + sd.x_advance)
            continue
        if in_am and name == _SARA_AA:
            ch = chr(recode(font, gid, "\u0e33", sd.width))
        elif in_am and name.startswith(_NIKHAHIT):  # uni0E4D0E49: nikhahit and tone in one glyph
            mark = (glyph_name_text(name) or "")[1:]
        elif sd.width == 0 and sd.x_advance == 0:
            mark = _mark_text(ch, name)
        elif "\ufb00" <= ch <= "\ufb06":  # a Latin ligature (fi, fl…) reads as its letters
            ch = chr(recode(font, gid, unicodedata.normalize("NFKC", ch), sd.width))
        chars.append(ch)
        out.append(sd)
        texts.append(mark)
    pen, origins, pens = 0.0, [], []
    for sd in out:
        origins.append(pen + sd.x_offset)
        pen += sd.x_advance
        pens.append(pen)
    for i, mark in enumerate(texts):
        if not mark:
            continue
        width = _mark_width(origins, pens[i], texts, i)
        chars[i] = chr(recode(font, to_gid[ord(chars[i])], mark, width))
        out[i] = out[i]._replace(width=width)
    new = ShapedStr("".join(chars), shapeData=out)
    new._paths = tuple(paths)
    return new


def _mark_width(origins: list[float], pen: float, texts: list[str | None], i: int) -> float:
    """PDF width of mark ``i`` (1/1000 em), from what the readers need (see fonts.MARK_WIDTH):
    MARK_WIDTH, more when the mark is drawn so far left that pdfminer would see a gap before the next
    base (it ends where the next glyph may start, less 0.09 em), less when the next mark of the
    stack is drawn further left (poppler starts a new word, in -raw order a new line, when a glyph
    begins 0.2 em left of the word's right edge)."""
    width = max(MARK_WIDTH, pen - origins[i] - 90)
    j = i + 1
    while j < len(texts) and texts[j]:
        width = min(width, origins[j] - origins[i] + 170)
        j += 1
    return max(round(width), 5)


def _mark_text(ch: str, name: str) -> str | None:
    """What a zero-advance glyph stands for: its character, or the one its name spells (PUA)."""
    if "\ue000" <= ch <= "\uf8ff":
        return glyph_name_text(name)
    return ch if thai.is_thai(ch) else None


def _is_thai_letter(ch: str) -> bool:
    """Thai consonants, vowels and marks; not Thai digits or signs (๏ ๚ ๛)."""
    return "\u0e01" <= ch <= "\u0e4e"


# Following vowels that are grapheme clusters of their own (Unicode: า, ะ and ๅ are not marks;
# ำ is, with its base): justification may add space before them as between any two clusters.
SPACING_VOWELS = frozenset("\u0e30\u0e32\u0e45")


@lru_cache(maxsize=50000)
def _gap_chars(text: str) -> tuple[int, ...]:
    """Character indices j where justification may add space before ``text[j]``: between two Thai
    grapheme clusters (not before a mark, ำ, ๆ or ฯ, not after a leading vowel). Before า and ะ
    too: they are clusters of their own, and a third more places to spread a line's slack keep
    each gap under its bound (a line of Sarabun has ~25 gaps without them)."""
    out = []
    for j in range(1, len(text)):
        a, b = text[j - 1], text[j]
        if (_is_thai_letter(a) and _is_thai_letter(b) and a not in thai.LEADING_VOWELS
                and (b not in thai.NO_LINE_START or b in SPACING_VOWELS)):
            out.append(j)
    return tuple(out)


@lru_cache(maxsize=50000)
def _glyph_gaps(text: str, font: str, size: float) -> tuple[int, ...]:
    """Glyph indices after which a cluster gap's extra advance goes: the last glyph before the gap
    (a mark, if the cluster ends with one), and only where HarfBuzz starts a glyph cluster there."""
    s = shaped(text, font, size)[0]
    chars = _gap_chars(text)
    if not chars:
        return ()
    if not isinstance(s, ShapedStr):
        return tuple(j - 1 for j in chars)  # unshaped: one glyph per character
    clusters = [sd.cluster for sd in s.__shapeData__]
    starts = {c: i for i, c in reversed(list(enumerate(clusters)))}
    return tuple(starts[j] - 1 for j in chars if starts.get(j, 0) > 0)


@lru_cache(maxsize=50000)
def _unshaped_data(s: str, font: str) -> tuple[ShapeData, ...]:
    """One glyph per character at its advance (cached: justified lines ask for the same words)."""
    widths = getFont(font).face.charWidths
    return tuple(ShapeData(i, w, 0, 0, 0, w) for i, w in enumerate(widths.get(ord(ch), 0) for ch in s))


def as_shaped(s: ShapedStr | str, font: str) -> ShapedStr:
    """``s`` as a shaped string (one glyph per character at its advance when it was not shaped)."""
    if isinstance(s, ShapedStr):
        return s
    return ShapedStr(s, shapeData=list(_unshaped_data(s, font)))


_new_shape_data = tuple.__new__  # ShapeData(…) without namedtuple's Python-level __new__ (hot in _spread)


def _spread(s: ShapedStr | str, font: str, gaps: tuple[int, ...], extra_units: float) -> ShapedStr:
    """Add ``extra_units`` (1/1000 em) to the advance of each glyph in ``gaps``: the pen moves on after
    a whole cluster, so the marks of a cluster keep their GPOS offsets on their base."""
    data = list(s.__shapeData__ if isinstance(s, ShapedStr) else _unshaped_data(s, font))
    for i in gaps:
        cluster, x_advance, *rest = data[i]
        data[i] = _new_shape_data(ShapeData, (cluster, x_advance + extra_units, *rest))
    new = ShapedStr(str(s), shapeData=data)
    new._paths = getattr(s, "_paths", ())
    return new


# How a piece joins the one before it on a line.
JOIN_NONE, JOIN_WORD, JOIN_INNER = 0, 1, 2


@dataclass(slots=True)  # slots: made by the thousand per document, read in the breaking loops
class Piece:
    text: str
    font: str
    width: float
    space: bool
    size: float
    join: int = JOIN_NONE  # JOIN_WORD: a Thai word boundary; JOIN_INNER: inside a compound
    penalty: float = 0.0  # cost of breaking before this piece

    @property
    def gaps(self) -> int:
        return 0 if self.space else len(_glyph_gaps(self.text, self.font, self.size))


@dataclass
class Line:
    pieces: list[Piece]
    width: float
    last: bool = False
    indent: float = 0.0
    ragged: bool = False  # justified paragraph, but this line cannot be filled within the bounds
    _size: float | None = field(default=None, repr=False, compare=False)

    @property
    def text(self) -> str:
        return "".join(p.text for p in self.pieces)

    @property
    def size(self) -> float:
        """The largest text size on the line (cached: pieces do not change once laid out)."""
        if self._size is None:
            self._size = max((p.size for p in self.pieces), default=0.0)
        return self._size


def _join(left: str, right: str) -> int:
    a, b = left[-1], right[0]
    if _is_thai_letter(a) and _is_thai_letter(b) and b not in thai.NO_LINE_START and a not in thai.LEADING_VOWELS:
        return JOIN_WORD
    return JOIN_NONE


def _pieces(runs, size: float) -> list[Piece]:
    out: list[Piece] = []
    for run in runs:
        text, font = run[0], run[1]
        run_size = run[2] if len(run) > 2 else size
        text = " ".join(text.split()) + (" " if text[-1:].isspace() else "")  # user newlines are not layout
        for seg in thai.segment(text):
            p = Piece(seg, font, shaped(seg, font, run_size)[1], seg.isspace(), run_size)
            if out and not p.space and not out[-1].space:
                p.join = _join(out[-1].text, seg)
            out.append(p)
    return out


def _split_wide(piece: Piece, avail: float) -> list[Piece]:
    """Cut a piece wider than the line: at plain word boundaries, then between the words of a
    dictionary compound, else at character clusters."""
    units: list[str] = []
    for w in thai.finer_words(piece.text):
        for part in [w] if shaped(w, piece.font, piece.size)[1] <= avail else thai.compound_parts(w):
            units += [part] if shaped(part, piece.font, piece.size)[1] <= avail else list(thai.clusters(part))
    parts, cur = [], ""
    for cl in units:
        cand = cur + cl
        if cur and shaped(cand, piece.font, piece.size)[1] > avail:
            parts.append(cur)
            cur = cl
        else:
            cur = cand
    if cur:
        parts.append(cur)
    out = [Piece(p, piece.font, shaped(p, piece.font, piece.size)[1], False, piece.size) for p in parts]
    out[0].join, out[0].penalty = piece.join, piece.penalty
    for prev, p in zip(out, out[1:], strict=False):
        p.join = JOIN_INNER if _join(prev.text, p.text) else JOIN_NONE
    return out


# Words a number belongs to: a line never ends with one of them when its number starts the next
# ("พ.ศ." / "๒๕๖๘", "ระยะที่" / "๓"), as "โทร." keeps its number (memo._unit_fields).
NUMBER_LABELS = frozenset({"พ.ศ.", "ค.ศ.", "ข้อ", "มาตรา", "วรรค", "โทร.", "โทรศัพท์", "ร้อยละ", "หมู่"})


def _labels_number(label: Piece, number: Piece) -> bool:
    """``label`` (before a space) and ``number`` (after it) stay on one line."""
    return number.text[:1].isdigit() and (label.text in NUMBER_LABELS or label.text.endswith("ที่"))


def layout(runs, size: float, width: float, first_indent: float = 0.0) -> list[Line]:
    """First fit: each line takes as many pieces as fit (ragged and centred text)."""
    return _first_fit(_pieces(runs, size), width, first_indent)


def _first_fit(pieces: list[Piece], width: float, first_indent: float, most: int | None = None) -> list[Line]:
    """``layout`` over pieces already made (layout_balanced tries a dozen widths with the same ones).
    ``most``: give up once more lines than that are made (the lines so far are returned)."""
    lines: list[Line] = []
    cur: list[Piece] = []
    cur_w = 0.0
    indent = first_indent

    def flush(last=False):
        nonlocal cur, cur_w, indent
        while cur and cur[-1].space:
            cur_w -= cur.pop().width
        lines.append(Line(cur, cur_w, last, indent))
        cur, cur_w, indent = [], 0.0, 0.0

    queue = list(reversed(pieces))
    while queue:
        if most is not None and len(lines) > most:
            return lines
        p = queue.pop()
        avail = width - indent
        if p.space and not cur:
            continue
        if cur_w + p.width <= avail + 0.01:
            cur.append(p)
            cur_w += p.width
            continue
        if p.space:
            if len(cur) >= 2 and queue and _labels_number(cur[-1], queue[-1]):
                label = cur.pop()  # it goes with its number to the next line
                cur_w -= label.width
                flush()
                queue += [p, label]
                continue
            flush()
            continue
        if cur:
            carry = []
            if len(cur) >= 3 and cur[-1].space and _labels_number(cur[-2], p):
                carry = [cur.pop(), cur.pop()]  # the space and the label go with their number
                cur_w -= carry[0].width + carry[1].width
            flush()
            queue.append(p)
            queue.extend(carry)
            continue
        # an unbreakable piece wider than the line: cut at cluster boundaries
        split = _split_wide(p, avail)
        queue.extend(reversed(split[1:]))
        cur.append(split[0])
        cur_w += split[0].width
        if len(split) > 1:
            flush()
    if cur or not lines:
        flush(last=True)
    else:
        lines[-1].last = True
    return lines


def layout_balanced(runs, size: float, width: float, first_indent: float = 0.0) -> list[Line]:
    """Centred text (a title, an announcement's subject, a position under a signature): as few lines
    as first fit gives, broken as evenly as they can be. A title that first fit breaks as a full line
    and one word ("… ประจำ" / "ปีงบประมาณ ๒๕๖๘") reads as a mistake; the narrowest measure that keeps
    the line count spreads the words over both. Never narrower than the widest unbreakable piece, so
    no word is cut for balance."""
    pieces = _pieces(runs, size)
    lines = _first_fit(pieces, width, first_indent)
    if len(lines) < 2:
        return lines
    lo = max((p.width for p in pieces if not p.space), default=0.0)
    hi = width
    if lo >= hi:
        return lines
    for _ in range(12):  # to within width / 4096: well under a point
        mid = (lo + hi) / 2
        if len(_first_fit(pieces, mid, first_indent, len(lines))) == len(lines):
            hi = mid
        else:
            lo = mid
    return _first_fit(pieces, hi, first_indent)


def _ratio(slack: float, size: float, clusters: int, words: int, spaces: int) -> float:
    """The stretch ratio r that fills ``slack`` (see CLUSTER_GAP_MAX_EM); inf when nothing can."""
    c, w, s = clusters * CLUSTER_GAP_MAX_EM * size, words * WORD_STRETCH_EM * size, spaces * SPACE_STRETCH_EM * size
    if slack <= c + w + s:  # r ≤ 1: everything grows
        return slack / (c + w + s) if c + w + s else 0.0
    if slack <= c + WORD_RATIO_MAX * (w + s):  # 1 < r ≤ WORD_RATIO_MAX: clusters at their bound
        return (slack - c) / (w + s)
    if s:
        return (slack - c - WORD_RATIO_MAX * w) / s  # r > WORD_RATIO_MAX: only spaces
    return float("inf")


def _shortfall(slack: float, size: float, clusters: int, words: int, spaces: int) -> float:
    """Points a line still ends short of the margin with every gap at its bound."""
    most = (clusters * CLUSTER_GAP_MAX_EM + words * WORD_GAP_MAX_EM + spaces * SPACE_STRETCH_EM * MAX_RATIO) * size
    return slack - most


def extras(slack: float, size: float, clusters: int, words: int, spaces: int) -> tuple[float, float, float] | None:
    """Extra points per cluster gap, per word boundary and per space for a line ``slack`` short;
    None when the line is to be left-aligned."""
    if slack <= 0:
        return 0.0, 0.0, 0.0
    r = _ratio(slack, size, clusters, words, spaces)
    if r > MAX_RATIO:
        if _shortfall(slack, size, clusters, words, spaces) > SHORT_MAX_EM * size:
            return None
        r = MAX_RATIO
    return (min(r, 1.0) * CLUSTER_GAP_MAX_EM * size, min(r, WORD_RATIO_MAX) * WORD_STRETCH_EM * size,
            r * SPACE_STRETCH_EM * size)


def _badness(slack: float, size: float, clusters: int, words: int, spaces: int) -> float:
    if slack <= 0.01:
        return 0.0
    r = _ratio(slack, size, clusters, words, spaces)
    if r > MAX_RATIO:
        short = _shortfall(slack, size, clusters, words, spaces)
        if short <= SHORT_MAX_EM * size:
            return SHORT_BADNESS + 200 * short
        return RAGGED_BADNESS + 100 * short
    return 100 * r**3


def _atoms(pieces: list[Piece], width: float, first_indent: float) -> list[Piece]:
    """Pieces for total-fit: long compounds offered at their inner word boundaries (at a penalty),
    and pieces wider than the line cut."""
    out: list[Piece] = []
    for p in pieces:
        parts = [p]
        if not p.space and len(p.text) >= COMPOUND_MIN_CHARS and thai.is_thai(p.text[0]):
            words = thai.compound_parts(p.text)
            if len(words) > 1:
                parts = [Piece(w, p.font, shaped(w, p.font, p.size)[1], False, p.size) for w in words]
                parts[0].join, parts[0].penalty = p.join, p.penalty
                for prev, q in zip(parts, parts[1:], strict=False):
                    q.join = JOIN_INNER if _join(prev.text, q.text) else JOIN_NONE
                    q.penalty = COMPOUND_PENALTY
        for q in parts:
            avail = width - (first_indent if not out else 0.0)
            out += _split_wide(q, min(avail, width)) if q.width > avail + 0.01 else [q]
    return out


TOTAL_FIT_PRUNE = True  # False: every candidate looked at (tests compare the two)


def layout_total_fit(runs, size: float, width: float, first_indent: float = 0.0) -> list[Line]:
    """Breaks for the whole paragraph with the least total demerits (see LINE_PENALTY)."""
    atoms = _atoms(_pieces(runs, size), width, first_indent)
    n = len(atoms)
    if not n:
        return [Line([], 0.0, True, first_indent)]
    # prefix sums: widths, spaces, cluster gaps (inside pieces), and joins before each atom
    W = [0.0] * (n + 1)
    S = [0] * (n + 1)
    G = [0] * (n + 1)
    JW = [0] * (n + 1)
    JC = [0] * (n + 1)
    for k, a in enumerate(atoms):
        W[k + 1] = W[k] + a.width
        S[k + 1] = S[k] + a.space
        G[k + 1] = G[k] + a.gaps
        JW[k + 1] = JW[k] + (a.join == JOIN_WORD)
        JC[k + 1] = JC[k] + (a.join == JOIN_INNER)
    # a break at j: the line ends with atom j-1 (not a space), the next starts at the first non-space ≥ j
    starts = [0] * (n + 1)
    nxt = n
    for k in range(n, -1, -1):
        if k < n and not atoms[k].space:
            nxt = k
        starts[k] = nxt
    # pieces are breakable pairwise, except before ฯลฯ and the like after a space; between a label
    # and its number (NUMBER_LABELS) at LABEL_PENALTY
    breaks = [j for j in range(1, n + 1)
              if not atoms[j - 1].space and (starts[j] == n or atoms[starts[j]].text[0] not in thai.NO_LINE_START)]
    best = {0: (0.0, -1, False)}  # break → (demerits, previous break, ragged)
    order = [0]
    lo = 0  # order[lo:]: the breaks from which a line to the current j is not overfull
    # (position in order, demerits) of each break whose demerits are below those of every later one:
    # the first after position k holds the least demerits of the breaks after k
    lows = [(0, 0.0)]
    # Candidates are looked at from the longest line to the shortest. A shorter line (a later start,
    # the same end) has at least the slack and at most the stretch of a longer one, so its badness is
    # no lower: once the demerits of a line alone exceed the best total found, no shorter line can do
    # better and the rest are skipped (most candidates: lines far too short to fill); nor can it with
    # the least demerits of the later breaks added (``lows``). Ties go to the
    # shortest line, as when every candidate was looked at from the shortest one. Not with a negative
    # first indent (the first line would be the wider), nor when the last piece alone is wider than
    # a line (a cut piece counts as filling its line: the shortest line would not be the worst).
    prune = TOTAL_FIT_PRUNE and first_indent >= 0
    # per gap at r = 1; the constants are powers of two, so count * (constant * size) is the float
    # count * constant * size that _ratio computes
    c_em, w_em, s_em = CLUSTER_GAP_MAX_EM * size, WORD_STRETCH_EM * size, SPACE_STRETCH_EM * size
    width_first = width - first_indent
    for j in breaks:
        pen = atoms[j].penalty if j < n else 0.0
        if j < starts[j] < n and _labels_number(atoms[j - 1], atoms[starts[j]]):
            pen = LABEL_PENALTY
        pen2 = pen ** 2
        while lo < len(order):  # overfull from order[lo]: from every earlier break too, and for every later j
            s = starts[order[lo]]
            if j - s > 1 and W[j] - W[s] > width - (first_indent if order[lo] == 0 else 0.0) + 0.01:
                lo += 1
            else:
                break
        w_j, g_j, jc_j, jw_j, s_j, last = W[j], G[j], JC[j], JW[j], S[j], j == n  # this break's sums
        pruning = prune and w_j - W[j - 1] <= width - first_indent + 0.01
        cand = None
        low = 0  # index in lows of the first break after the candidate
        for k in range(lo, len(order)):
            i = order[k]
            s = starts[i]
            if s >= j:
                continue
            avail = width_first if i == 0 else width
            natural = w_j - W[s]
            if natural > avail + 0.01:
                natural = avail  # a single cut piece on an indented first line
            if last:
                bad = bad0 = 0.0
                ragged = False
            else:
                slack = avail - natural
                if slack <= 0.01:
                    bad = 0.0
                else:  # _badness inlined (the loop's hottest path): the same operations in the same
                    # order as _ratio and _shortfall, so the same floats
                    clusters, words, spaces = g_j - G[s] + jc_j - JC[s + 1], jw_j - JW[s + 1], s_j - S[s]
                    c, w, sp = clusters * c_em, words * w_em, spaces * s_em
                    grow = c + w + sp
                    if grow and slack <= grow:
                        bad = 100 * (slack / grow) ** 3
                    else:
                        if slack <= grow:
                            r = 0.0
                        elif slack <= c + WORD_RATIO_MAX * (w + sp):
                            r = (slack - c) / (w + sp)
                        elif sp:
                            r = (slack - c - WORD_RATIO_MAX * w) / sp
                        else:
                            r = float("inf")
                        if r > MAX_RATIO:
                            short = slack - (clusters * CLUSTER_GAP_MAX_EM + words * WORD_GAP_MAX_EM
                                             + spaces * SPACE_STRETCH_EM * MAX_RATIO) * size
                            if short <= SHORT_MAX_EM * size:
                                bad = SHORT_BADNESS + 200 * short
                            else:
                                bad = RAGGED_BADNESS + 100 * short
                        else:
                            bad = 100 * r**3
                bad0 = bad
                ragged = bad >= RAGGED_BADNESS
                if i == 0 and bad >= SHORT_BADNESS:
                    bad *= FIRST_LINE_SHORT  # an indented first line short of the margin reads as a paragraph
            d = best[i][0] + (LINE_PENALTY + bad) ** 2 + pen2
            if cand is None or d <= cand[0]:
                cand = (d, i, ragged)
            elif pruning:
                while low < len(lows) and lows[low][0] <= k:
                    low += 1
                if low == len(lows) or lows[low][1] + (LINE_PENALTY + bad0) ** 2 * (1 - 1e-9) + pen2 > cand[0]:
                    break
        if cand is not None:
            best[j] = cand
            while lows and lows[-1][1] >= cand[0]:
                lows.pop()
            lows.append((len(order), cand[0]))
            order.append(j)
    if n not in best:  # cannot happen (every atom fits a line); fall back to first fit
        return layout(runs, size, width, first_indent)
    chosen = []
    j = n
    while j > 0:
        _, i, ragged = best[j]
        chosen.append((i, j, ragged))
        j = i
    lines = []
    for i, j, ragged in reversed(chosen):
        s = starts[i]
        lines.append(Line(atoms[s:j], W[j] - W[s], j == n, first_indent if i == 0 else 0.0, ragged))
    return lines


@lru_cache(maxsize=20000)
def actual_text_open(text: str) -> str:
    """Marked content that tells readers honouring /ActualText the exact text (page furniture only)."""
    utf16 = ("\ufeff" + text).encode("utf-16-be").hex().upper()
    return f"/Span <</ActualText <{utf16}>>> BDC"


def line_extras(line: Line, width: float, size: float) -> tuple[float, float, float]:
    """(per cluster gap, per word boundary, per space) of a justified line; zeros when it stays left."""
    if line.last:
        return 0.0, 0.0, 0.0
    pieces = line.pieces
    clusters = sum(p.gaps for p in pieces) + sum(1 for p in pieces[1:] if p.join == JOIN_INNER)
    words = sum(1 for p in pieces[1:] if p.join == JOIN_WORD)
    spaces = sum(1 for p in pieces if p.space)
    e = extras(width - line.indent - line.width, size, clusters, words, spaces)
    return e or (0.0, 0.0, 0.0)


def draw_line(canv, line: Line, x: float, y: float, size: float, width: float, align: str) -> None:
    slack = width - line.indent - line.width
    x0 = x + line.indent
    e_c = e_w = e_s = 0.0
    if align == "center":
        x0 += slack / 2
    elif align == "right":
        x0 += slack
    elif align == "distributed" and slack > 0:
        e_c, e_w, e_s = line_extras(line, width, size)
    t = canv.beginText(x0, y)
    ys = fp_str(y) if canv.bottomup else None  # the line's y as every origin on it writes it
    paths: list[str] = []
    cx = x0
    for k, p in enumerate(line.pieces):
        s, w = shaped(p.text, p.font, p.size)
        if p.space:
            _draw_space(t, p, cx, y, w, w + e_s, ys)
            cx += w + e_s
            continue
        if k:
            cx += e_w if p.join == JOIN_WORD else e_c if p.join == JOIN_INNER else 0.0
            _origin(t, cx, y, ys)
        elif cx != x0:  # beginText has just set the origin at x0
            _origin(t, cx, y, ys)
        _set_font(t, p.font, p.size)
        gaps = _glyph_gaps(p.text, p.font, p.size) if e_c else ()
        if gaps:
            extra = e_c * 1000 / p.size
            data = s.__shapeData__ if isinstance(s, ShapedStr) else _unshaped_data(s, p.font)
            text_out_spread(t, s, data, gaps, extra, lambda s=s, gaps=gaps, extra=extra, font=p.font:
                            _spread(s, font, gaps, extra))
            if getattr(s, "_paths", None):  # their places follow the stretched advances
                s = _spread(s, p.font, gaps, extra)
        else:
            text_out(t, s)
        if getattr(s, "_paths", None):
            paths += _mark_paths(s, p.font, p.size, cx, y)
        cx += w + e_c * len(gaps)
    canv.drawText(t)
    canv._code.extend(paths)


def _set_font(t, font: str, size: float) -> None:
    """``t.setFont(font, size)`` unless that is the text object's font already: for our (subsetted)
    fonts setFont writes nothing itself but makes the next string select its subset again, so each
    piece of a line repeated "/F1+0 16 Tf 19.2 TL"."""
    if t._fontname != font or t._fontsize != size or t._leading != size * 1.2:
        t.setFont(font, size)


def _origin(t, x: float, y: float, ys: str | None) -> None:
    """``t.setTextOrigin(x, y)`` with ``ys``, ``fp_str(y)``, written once per line (fp_str(x, y) is
    fp_str(x) and fp_str(y) joined by a space); ReportLab's own when ``ys`` is None (top-down canvas)."""
    if ys is None:
        t.setTextOrigin(x, y)
        return
    t._code.append(f"1 0 0 1 {fp_str(x)} {ys} Tm")
    t._x0 = t._x = x
    t._y0 = t._y = y


def _draw_space(t, p: Piece, x: float, y: float, natural: float, wanted: float, ys: str | None = None) -> None:
    """A space as a space glyph, scaled horizontally to its justified width: every reader reads it
    as one space, and no reader takes the extra width for a second one."""
    if natural <= 0:
        return
    _origin(t, x, y, ys)
    _set_font(t, p.font, p.size)
    scale = 100 * wanted / natural
    if abs(scale - 100) > 0.01:
        t._code.append(f"{fp_str(scale)} Tz")
    text_out(t, " ")  # remembered per document, as words are (textout.py)
    if abs(scale - 100) > 0.01:
        t._code.append("100 Tz")


def _mark_paths(s, font: str, size: float, x: float, y: float) -> list[str]:
    """Fill operators for the glyphs of ``s`` drawn as paths (the nikhahit of ำ), at their GPOS place."""
    paths = getattr(s, "_paths", ())
    if not paths:
        return []
    data = s.__shapeData__
    k = size / 1000
    out = []
    for index, gid, x_offset, y_offset in paths:
        pen = sum(sd.x_advance for sd in data[:index])
        gx, gy = x + (pen + x_offset) * k, y + y_offset * k
        out.append(f"q {fp_str(k)} 0 0 {fp_str(k)} {fp_str(gx)} {fp_str(gy)} cm {glyph_path(font, gid)} f Q")
    return out


@lru_cache(maxsize=64)
def _ink(fonts: tuple[str, ...]) -> tuple[float, float]:
    tops, bottoms = zip(*(ink_extents(f) for f in fonts), strict=True)
    return max(tops), max(bottoms)


@dataclass
class TextStyle:
    font: str = REGULAR
    size: float = 16
    leading: float = 0  # at least the font's ink extent (layout.MIN_LEADING_EM and its comment)
    space_before: float = 0
    first_indent: float = 0
    left_indent: float = 0
    right_indent: float = 0
    align: str = "left"
    leader: bool = False  # dotted line under the text (header fields)
    role: str = ""  # structure type (tagging.ROLES); "" = from the fonts: large bold H1, bold H2, else P

    @property
    def line_height(self) -> float:
        top, bottom = _ink((REGULAR, BOLD))
        return max(self.leading, (top + bottom) * self.size, L.MIN_LEADING_EM * self.size)


class ThaiParagraph(Flowable):
    """``runs``: a string, or [(text, font), …] for mixed bold and regular."""

    def __init__(self, runs, style: TextStyle, lines: list[Line] | None = None, continued: bool = False):
        super().__init__()
        self.runs = [(runs, style.font)] if isinstance(runs, str) else list(runs)
        self.style = style
        self._lines = lines
        self._width = None
        self.spaceBefore = 0 if continued else style.space_before
        self.continued = continued
        # both faces' extents whatever this paragraph uses: baselines of regular and bold cells in a
        # table row stay level, and a page's leading is one value
        self._top, self._bottom = _ink((REGULAR, BOLD))
        self._line_height = style.line_height
        self._heights_of: list[Line] | None = None
        self._heights_cache: list[float] = []

    @property
    def source_text(self) -> str:
        return "".join(t for t, _ in self.runs)

    def _layout(self, avail_width: float) -> list[Line]:
        if self._lines is None or self._width != avail_width:
            if self._lines is not None and self._width is None:
                return self._lines  # a split part keeps its lines
            breaker = {"distributed": layout_total_fit, "center": layout_balanced}.get(self.style.align, layout)
            self._lines = breaker(
                self.runs, self.style.size, avail_width - self.style.left_indent - self.style.right_indent, self.style.first_indent
            )
            self._width = avail_width
        return self._lines

    # Vertical metrics: the first baseline sits the ink top of its line's largest size below the top,
    # lines follow at the greater of the style's leading and the ink extent of the two sizes involved,
    # and the ink bottom of the last line closes the box: paragraphs set one after the other (space 0)
    # never touch either.
    def _advance(self, upper: Line, lower: Line) -> float:
        st = self.style
        need = self._bottom * (upper.size or st.size) + self._top * (lower.size or st.size)
        return max(self._line_height, need)

    def _heights(self, lines: list[Line]) -> list[float]:
        """Height of the paragraph cut after each line (cached: wrap and split ask often)."""
        if self._heights_of is lines:
            return self._heights_cache
        st = self.style
        y = self._top * (lines[0].size or st.size)
        out = []
        for k, line in enumerate(lines):
            if k:
                y += self._advance(lines[k - 1], line)
            out.append(y + self._bottom * (line.size or st.size))
        self._heights_of, self._heights_cache = lines, out
        return out

    def wrap(self, availWidth, availHeight):
        lines = self._layout(availWidth)
        self.width = availWidth
        self.height = self._heights(lines)[-1]
        return availWidth, self.height

    def split(self, availWidth, availHeight):
        lines = self._layout(availWidth)
        fit = sum(1 for h in self._heights(lines) if h <= availHeight + 0.01)
        if fit <= 0 or fit >= len(lines):
            return [] if fit <= 0 else [self]
        fit = min(fit, len(lines) - 2)  # no widow or orphan: two lines at least on each side of a break
        if fit < 2:
            return []
        head = ThaiParagraph(self.runs, self.style, lines[:fit])
        head.spaceBefore = self.spaceBefore
        tail = ThaiParagraph(self.runs, self.style, lines[fit:], continued=True)
        head._width = tail._width = None
        last = head._lines[-1]
        head._lines[-1] = Line(last.pieces, last.width, False, last.indent, last.ragged)
        return [head, tail]

    @property
    def role(self) -> str:
        if self.style.role:
            return self.style.role
        if all(run[1] == BOLD for run in self.runs):
            return "H1" if self.style.size > L.BODY_SIZE else "H2"
        return "P"

    def draw(self):
        canv = self.canv
        st = self.style
        lines = self._lines
        y = self.height - self._top * (lines[0].size or st.size)
        width = self.width - st.left_indent - st.right_indent
        leaders = []
        tagging.begin(canv, self.role)
        for k, line in enumerate(lines):
            if k:
                y -= self._advance(lines[k - 1], line)
            draw_line(canv, line, st.left_indent, y, st.size, width, st.align)
            if st.leader:
                start = st.left_indent + line.indent
                if line is lines[0] and not self.continued:
                    for p in line.pieces:  # the dots run under the value, not the bold label
                        if not (p.space or p.font != self.runs[-1][1]):
                            break
                        start += p.width
                leaders.append((start, y - 2.5))
        tagging.end(canv)
        if leaders:
            with tagging.artifact(canv):
                canv.saveState()
                canv.setDash(1, 2)
                canv.setLineWidth(0.6)
                for start, ly in leaders:
                    canv.line(start, ly, st.left_indent + width, ly)
                canv.restoreState()
