"""Reads a PDF back the way a person copying text would, and checks Thai line breaking.

Independent of the engine's own segmenter: allowed breaks are whitespace or a boundary of
pythainlp's plain ``newmm`` tokens, and the hard rules (no line starting with a mark, following
vowel, ๆ or ฯ; none ending with a leading vowel; no break inside a run of non-Thai text) are
checked character by character.
"""

from __future__ import annotations

import io
import re
import subprocess
import unicodedata

from pypdf import PdfReader
from pythainlp.tokenize import word_tokenize

NO_START = set("\u0e31\u0e34\u0e35\u0e36\u0e37\u0e38\u0e39\u0e3a\u0e47\u0e48\u0e49\u0e4a\u0e4b\u0e4c\u0e4d\u0e4e"
               "\u0e30\u0e32\u0e33\u0e45\u0e46\u0e2f")
LEADING = set("เแโใไ")


def is_thai(ch: str) -> bool:
    return "\u0e01" <= ch <= "\u0e5b"


def pdftotext(pdf: bytes) -> str:
    # -raw: content-stream order, so a table cell's lines stay together instead of interleaving columns
    return subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()


def pdffonts(pdf: bytes) -> list[str]:
    out = subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return [line.split()[0] for line in out.splitlines()[2:] if line.strip()]


def _squash(text: str) -> tuple[str, set[int]]:
    """Text without whitespace, and the offsets where a line ended."""
    s, breaks = [], set()
    for line in text.splitlines():
        chunk = re.sub(r"\s+", "", line)
        if chunk:
            s.append(chunk)
            breaks.add(sum(map(len, s)))
    return "".join(s), breaks


def tokens_and_clusters(source: str) -> tuple[list[tuple[int, int]], set[int]]:
    """newmm word spans and TCC boundaries, as offsets in the whitespace-free source."""
    from pythainlp.tokenize import subword_tokenize

    spans, pos, tcc = [], 0, set()
    for tok in word_tokenize(source, engine="newmm", keep_whitespace=True):
        tok = re.sub(r"\s+", "", tok)
        if not tok:
            continue
        q = pos
        for part in subword_tokenize(tok, engine="tcc"):
            q += len(part)
            tcc.add(q)
        spans.append((pos, pos + len(tok)))
        pos += len(tok)
    return spans, tcc


def allowed_offsets(source: str) -> set[int]:
    """Offsets (in the whitespace-free source) where a line may end."""
    allowed, pos = set(), 0
    for tok in word_tokenize(source, engine="newmm", keep_whitespace=True):
        if tok.isspace():
            allowed.add(pos)
            continue
        pos += len(re.sub(r"\s+", "", tok))
        allowed.add(pos)
    squashed = re.sub(r"\s+", "", source)
    ok = set()
    for off in allowed:
        if 0 < off < len(squashed):
            a, b = squashed[off - 1], squashed[off]
            had_space = _space_before(source, off)
            if had_space:
                ok.add(off)
            elif is_thai(a) and is_thai(b) and b not in NO_START and a not in LEADING:
                ok.add(off)
            elif a == "/" and is_thai(b) and b not in NO_START:
                ok.add(off)  # "จัดทำ/|ปรับปรุง": after a slash, before a Thai word
    return ok


def _space_before(source: str, off: int) -> bool:
    count = 0
    for i, ch in enumerate(source):
        if ch.isspace():
            continue
        if count == off:
            return i > 0 and source[i - 1].isspace()
        count += 1
    return False


def _find_in_chunks(target: str, hay: str, start: int = 0, max_chunks: int = 8):
    """Find ``target`` in ``hay`` in order, allowing it to be interrupted (a cell split over a page
    with a repeated header between). Returns [(hay_start, target_start, length)] or None."""
    spans, i, p = [], 0, start
    while i < len(target):
        lo, hi, best = 1, len(target) - i, None
        while lo <= hi:
            mid = (lo + hi) // 2
            at = hay.find(target[i : i + mid], p)
            if at >= 0:
                best, lo = (at, mid), mid + 1
            else:
                hi = mid - 1
        if best is None or len(spans) >= max_chunks:
            return None
        spans.append((best[0], i, best[1]))
        i += best[1]
        p = best[0] + best[1]
    return spans


class Report:
    def __init__(self, pdf: bytes):
        self.text = pdftotext(pdf)
        self.squashed, self.breaks = _squash(self.text)
        self.lines = [ln.strip() for ln in self.text.splitlines() if ln.strip()]
        self.pypdf = "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)

    def line_problems(self) -> list[str]:
        out = []
        for ln in self.lines:
            if ln[0] in NO_START or unicodedata.combining(ln[0]):
                out.append(f"line starts with a mark or following vowel: {ln[:30]!r}")
            if ln[-1] in LEADING:
                out.append(f"line ends with a leading vowel: {ln[-30:]!r}")
        return out

    def check(self, source: str) -> list[str]:
        """Round trip through pdftotext (exact) and pypdf (loose), and every break inside it allowed.
        A short text may occur in several places (table cells): the best-placed occurrence counts."""
        target = re.sub(r"\s+", "", source)
        if not target:
            return []
        best, start = None, 0
        while True:
            at = self.squashed.find(target[:8], start)
            if at < 0:
                break
            spans = _find_in_chunks(target, self.squashed, at)
            if spans is not None:
                problems = self._problems(source, target, spans)
                if best is None or len(problems) < len(best):
                    best = problems
                if not best:
                    break
            start = at + 1
        if best is None:
            return [f"not found in pdftotext output: {source[:60]!r}"]
        if _find_in_chunks(loose(target), loose(re.sub(r"\s+", "", self.pypdf))) is None:
            best = best + [f"not found in pypdf output: {source[:60]!r}"]
        return best

    def _problems(self, source: str, target: str, spans) -> list[str]:
        problems = []
        allowed = allowed_offsets(source)
        words, tcc = tokens_and_clusters(source)
        inner = sorted(b - h + t for h, t, n in spans for b in self.breaks if h < b < h + n)
        for i, off in enumerate(inner):
            if off in allowed:
                continue
            # a word wider than its column may be cut at a character cluster: then a whole line
            # lies inside that word (the line before starts in it, or the line after ends in it)
            word = next(((a, z) for a, z in words if a < off < z), None)
            prev_b = inner[i - 1] if i else -1
            next_b = inner[i + 1] if i + 1 < len(inner) else len(target) + 1
            if word and off in tcc and (prev_b >= word[0] or next_b <= word[1]) and target[off] not in NO_START:
                continue
            if word and _compound_boundary(target[word[0] : word[1]], off - word[0]):
                continue  # a dictionary compound broken between its words (engine: thai.compound_parts)
            problems.append(f"break inside a word: {target[max(0, off - 12):off]}|{target[off:off + 12]}")
        for k, (_h, t, _n) in enumerate(spans):
            if k and t not in allowed and t not in tcc:
                problems.append(f"split inside a word: {target[max(0, t - 12):t]}|{target[t:t + 12]}")
        return problems


def _compound_offsets(token: str) -> set[int]:
    """Inner word boundaries of a dictionary compound of 10+ characters: its cover by the fewest other
    dictionary words of 3+ characters, parts of 10+ characters covered again (the engine's rule)."""
    from pythainlp.corpus.common import thai_words

    if len(token) < 10:
        return set()
    words, n = thai_words(), len(token)
    best: list[list[int] | None] = [[]] + [None] * n
    for i in range(n):
        if best[i] is None:
            continue
        for j in range(i + 3, min(n, i + 30) + 1):
            if token[i:j] != token and token[i:j] in words and (best[j] is None or len(best[i]) + 1 < len(best[j])):
                best[j] = best[i] + [j]
    if not best[n] or len(best[n]) < 2:
        return set()
    out, start = set(), 0
    for end in best[n]:
        out |= {start + k for k in _compound_offsets(token[start:end])}
        if end < n:
            out.add(end)
        start = end
    return out


def _compound_boundary(token: str, k: int) -> bool:
    return k in _compound_offsets(token)


def loose(s: str) -> str:
    """pypdf ignores /ActualText and reads glyphs: compare in NFKC with Thai marks in a fixed order."""
    s = unicodedata.normalize("NFKC", s)
    return re.sub("[\u0e48-\u0e4b\u0e4d]+", lambda m: "".join(sorted(m.group())), s)


def texts_of(doc: dict) -> list[str]:
    """Every paragraph and cell text of a document, as the engine prints it."""
    from memos.documents.thai import thai_digits

    kind = doc["kind"]
    if kind == "report":
        out = [doc["title"], doc.get("subtitle") or "", *doc.get("intro", [])]
        for t in doc["tables"]:
            out += [t.get("caption") or "", *t["columns"]]
            for row in t["rows"]:
                for c in row:
                    out += c if isinstance(c, list) else [c]
        return [x for x in out if x]
    d = thai_digits
    if kind == "announcement":
        return [d(doc["subject"]), *map(d, doc["paragraphs"]), d(doc.get("closing", "")), d(doc["signer"]["name"])]
    out = [d(doc["subject"]), d(doc["addressee"]), d(doc["unit"])]
    for s in doc["sections"]:
        out += [d(p) for p in s.get("paragraphs", [])] + [d(i) for i in s.get("items", [])]
        if s.get("heading"):
            out.append(d(s["heading"]))
    out += [d(doc["signer"]["name"]), doc["signer"]["position"]]
    for e in doc.get("endorsements", []):
        out += [d(e["heading"]), d(e.get("comment", "")), d(e["name"]), e["position"]]
        if e.get("acting"):
            out += [e["acting"]["kind"], e["acting"]["for_position"]]
    return [x for x in out if x]


def word_bboxes(pdf: bytes) -> list[dict]:
    """Every word poppler finds: page, x0, y0 (from the top), x1, y1, text."""
    out = subprocess.run(["pdftotext", "-bbox", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    words, page = [], 0
    for line in out.splitlines():
        if "<page " in line:
            page += 1
        m = re.search(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*)</word>', line)
        if m:
            words.append({"page": page, "x0": float(m[1]), "y0": float(m[2]), "x1": float(m[3]),
                          "y1": float(m[4]), "text": m[5]})
    return words


def word_boxes(pdf: bytes) -> list[tuple[int, float, float, str]]:
    """(page, x_min, x_max, text) of every word poppler finds, for checks of where text sits."""
    return [(w["page"], w["x0"], w["x1"], w["text"]) for w in word_bboxes(pdf)]


def is_page_number(word: dict) -> bool:
    """A word of the running page number ("- ๒ -", three words to poppler): above the top margin."""
    from memos.documents import layout

    return word["y1"] < layout.MARGIN_TOP
