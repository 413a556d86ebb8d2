"""Thai text rules: digits, dates, and where a line may break.

Word boundaries come from pythainlp's ``newmm`` with a small user dictionary (agency and position
names); the break rules on top of it are checked again, independently, by the PDF checker in tests.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import marshal
import os
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path

import pythainlp
from pythainlp.util import Trie, thai_strftime

from . import digits

# House style: Arabic digits in memo and announcement text print as Thai digits.
THAI_DIGITS = True

USER_WORDS = frozenset(
    {
        "คลองพน", "คลองท่อม", "กระบี่", "ปลัดเทศบาล", "นายกเทศมนตรี", "เทศมนตรี", "รักษาราชการแทน",
        "ปฏิบัติราชการแทน", "รักษาการในตำแหน่ง", "สำนักปลัดเทศบาล", "กองช่าง", "กองคลัง", "ปีงบประมาณ",
        "งบประมาณ", "ความโปร่งใส", "คุณธรรม", "ป.ป.ช.", "ไตรมาส",
    }
)

LEADING_VOWELS = frozenset("เแโใไ")
# Never at the start of a line: above/below vowels, tone marks, following vowels, ๆ and ฯ.
NO_LINE_START = frozenset(
    "\u0e31\u0e34\u0e35\u0e36\u0e37\u0e38\u0e39\u0e3a\u0e47\u0e48\u0e49\u0e4a\u0e4b\u0e4c\u0e4d\u0e4e"
    "\u0e30\u0e32\u0e33\u0e45\u0e46\u0e2f"
)


def is_thai(ch: str) -> bool:
    return "\u0e01" <= ch <= "\u0e5b"


def thai_digits(text: str) -> str:
    return digits.thai_digits(text)  # the rule (not in URLs, Latin identifiers…) lives in digits.py


def thai_date(day: dt.date, era: bool = False, short: bool = False) -> str:
    """``๓๐ มีนาคม ๒๕๖๙`` (``era``: ``๓๐ มีนาคม พ.ศ. ๒๕๖๙``): day, full month, Buddhist-era year;
    ``short``: ``๓๐ มี.ค. ๒๕๖๙``, the abbreviated month of a list's column."""
    fmt = "%-d %b %Y" if short else "%-d %B พ.ศ. %Y" if era else "%-d %B %Y"
    return thai_strftime(dt.datetime(day.year, day.month, day.day), fmt, thaidigit=THAI_DIGITS)


def thai_time(moment: dt.datetime) -> str:
    """``๐๒.๓๗ น.``: 24-hour clock, hours and minutes parted by a full stop, with น. (นาฬิกา), as
    Thai offices write a time (not the colon of English practice)."""
    return thai_digits(moment.strftime("%H.%M")) + " น."


class WordList(Trie):
    """pythainlp's ``Trie`` interface over a sorted tuple of words, for ``word_tokenize(custom_dict=…)``.

    Why: pythainlp builds its node trie word by word (62,000 words: about a second of CPU, most of a
    one-off ``render_document``), while a sorted tuple loads from the marshal cache below in a few
    milliseconds. ``newmm`` only asks ``prefixes``; a bisection per character answers it with the same
    words in the same order (shortest first) as the node trie.
    """

    def __init__(self, words: Iterable[str] = ()) -> None:  # the Trie's nodes are not built
        self._words: tuple[str, ...] = tuple(sorted({w.strip() for w in words} - {""}))

    @classmethod
    def from_sorted(cls, words: tuple[str, ...]) -> WordList:
        """A list already sorted and stripped (the cache's), taken as is."""
        obj = cls.__new__(cls)
        obj._words = words
        return obj

    def prefixes(self, text: str, start: int = 0) -> list[str]:
        words, n = self._words, len(self._words)
        res: list[str] = []
        k = 0
        for i in range(start + 1, len(text) + 1):
            s = text[start:i]
            k = bisect_left(words, s, k)  # the prefixes grow, so the search only moves on
            if k == n:
                break
            w = words[k]
            if w == s:
                res.append(s)
            elif not w.startswith(s):
                break  # no word goes on with this prefix
        return res

    def add(self, word: str) -> None:
        word = word.strip()
        if word and word not in self:
            self._words = tuple(sorted((*self._words, word)))

    def remove(self, word: str) -> None:
        self._words = tuple(w for w in self._words if w != word)

    def __contains__(self, key: object) -> bool:
        k = bisect_left(self._words, key)
        return k < len(self._words) and self._words[k] == key

    def __iter__(self) -> Iterator[str]:
        return iter(self._words)

    def __len__(self) -> int:
        return len(self._words)


# The word lists, sorted, cached in var/cache (VAR_DIR, as config.settings): keyed by pythainlp's version
# (its dictionary ships with it), USER_WORDS and this format, rebuilt when the key differs.
CACHE_FORMAT = 1


def cache_path() -> Path:
    root = Path(__file__).resolve().parents[2]  # settings.BASE_DIR
    return Path(os.environ.get("VAR_DIR") or root / "var") / "cache" / "thai-words.marshal"


def cache_key() -> str:
    user = hashlib.sha256("\n".join(sorted(USER_WORDS)).encode()).hexdigest()[:16]
    return f"{CACHE_FORMAT}:{pythainlp.__version__}:{user}"


def _build_word_lists() -> tuple[tuple[str, ...], tuple[str, ...]]:
    from pythainlp.corpus.common import thai_words

    base = WordList(thai_words())._words
    return base, WordList((*base, *USER_WORDS))._words


@lru_cache(maxsize=1)
def word_lists() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(pythainlp's words, the same with USER_WORDS), sorted: from the cache, built and saved if it is
    missing, unreadable or stale. A cache that cannot be written is not an error (read-only installs)."""
    path = cache_path()
    try:
        key, base, full = marshal.loads(path.read_bytes())
        if key == cache_key():
            return base, full
    except (OSError, EOFError, ValueError, TypeError):
        pass
    base, full = _build_word_lists()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(marshal.dumps((cache_key(), base, full)))
        os.replace(tmp, path)  # atomic: a concurrent reader sees the old file or the new one
    except OSError:
        pass
    return base, full


@lru_cache(maxsize=1)
def _words() -> WordList:
    return WordList.from_sorted(word_lists()[1])


@lru_cache(maxsize=1)
def _plain_words() -> WordList:
    return WordList.from_sorted(word_lists()[0])


def _newmm(text: str, words: WordList) -> list[str]:
    from pythainlp.tokenize import word_tokenize

    return word_tokenize(text, custom_dict=words, engine="newmm", keep_whitespace=True)


def may_break_between(left: str, right: str) -> bool:
    """May a line end after ``left`` and the next begin with ``right``?"""
    if not left or not right:
        return True
    a, b = left[-1], right[0]
    if a.isspace() or b.isspace():
        return True
    if a == "/" and is_thai(b) and b not in NO_LINE_START:
        return True  # "จัดทำ/ปรับปรุง/เผยแพร่": after a slash before a Thai word
    if not (is_thai(a) and is_thai(b)):
        return False  # inside Latin words, numbers, "ISO/IEC", "3,450,000": only at spaces
    if b in NO_LINE_START or a in LEADING_VOWELS:
        return False
    if unicodedata.category(b) == "Nd" or unicodedata.category(a) == "Nd":
        return False  # keep Thai numbers whole
    return True


@lru_cache(maxsize=20000)
def _segment_chunk(chunk: str) -> tuple[str, ...]:
    tokens = _newmm(chunk, _words())
    pieces: list[str] = []
    for tok in tokens:
        if pieces and not may_break_between(pieces[-1], tok):
            pieces[-1] += tok
        else:
            pieces.append(tok)
    return tuple(pieces)


def segment(text: str) -> list[str]:
    """Unbreakable pieces; whitespace runs are pieces of their own. Cached per space-separated chunk
    (words repeat a lot across a document)."""
    out: list[str] = []
    for i, chunk in enumerate(text.split(" ")):
        if i:
            out.append(" ")
        if chunk:
            pieces = _segment_chunk(chunk)
            if out and pieces and not may_break_between(out[-1], pieces[0]):
                out[-1] += pieces[0]
                out.extend(pieces[1:])
            else:
                out.extend(pieces)
    return out


@lru_cache(maxsize=4096)
def finer_words(word: str) -> tuple[str, ...]:
    """A too-wide piece split at plain ``newmm`` word boundaries (no compound dictionary entries),
    tried before cutting at character clusters."""
    pieces: list[str] = []
    for tok in _newmm(word, _plain_words()):
        if pieces and not may_break_between(pieces[-1], tok):
            pieces[-1] += tok
        else:
            pieces.append(tok)
    return tuple(pieces)


@lru_cache(maxsize=4096)
def clusters(word: str) -> tuple[str, ...]:
    """Thai character clusters (TCC), the only places a too-wide word may be cut; other scripts by
    character, with combining marks kept on their base."""
    from pythainlp.tokenize import subword_tokenize

    parts: list[str] = []
    for part in subword_tokenize(word, engine="tcc"):
        if any(is_thai(c) for c in part):
            parts.append(part)
        else:
            for ch in part:
                if parts and unicodedata.combining(ch):
                    parts[-1] += ch
                else:
                    parts.append(ch)
    # a cluster never starts with a mark or following vowel
    merged: list[str] = []
    for p in parts:
        if merged and (p[0] in NO_LINE_START or merged[-1][-1] in LEADING_VOWELS):
            merged[-1] += p
        else:
            merged.append(p)
    return tuple(merged)


@lru_cache(maxsize=1)
def _dictionary() -> WordList:
    """The words with USER_WORDS, for membership (a bisection in the sorted list: a set of 62,000
    words took longer to build than all the look-ups of a document)."""
    return _words()


def _cover(word: str, words: WordList) -> tuple[str, ...] | None:
    """``word`` as the fewest dictionary words other than itself (of 3 characters or more: two-letter
    entries are mostly syllables), each break allowed; None if there is no such cover."""
    n = len(word)
    best: list[tuple[str, ...] | None] = [None] * (n + 1)
    best[0] = ()
    for i in range(n):
        if best[i] is None:
            continue
        for j in range(i + 3, min(n, i + 30) + 1):
            part = word[i:j]
            if part == word or part not in words:
                continue
            if j < n and not may_break_between(part, word[j:]):
                continue
            cand = best[i] + (part,)
            if best[j] is None or len(cand) < len(best[j]):
                best[j] = cand
    return best[n]


@lru_cache(maxsize=8192)
def compound_parts(word: str) -> tuple[str, ...]:
    """A dictionary compound at its inner word boundaries ("สำนักงานคณะกรรมการ" → สำนักงาน|คณะกรรมการ):
    ``newmm`` keeps a compound that is in its dictionary whole; a line may still
    break inside it when that avoids a loose line (text.COMPOUND_PENALTY). Parts of 10 characters or
    more are split again ("เป็นระเบียบเรียบร้อย" → เป็น|ระเบียบ|เรียบร้อย); shorter ones are words."""
    if not all(is_thai(c) for c in word):
        return (word,)
    parts = _cover(word, _dictionary())
    if not parts or len(parts) < 2:
        return (word,)
    out: list[str] = []
    for p in parts:
        out += compound_parts(p) if len(p) >= 10 else [p]
    return tuple(out)
