"""What changed in a memo between two submitted rounds.

``snapshot`` keeps the content of each round as it was submitted (called by
``review.begin_round``); ``changes`` compares the round a reviewer last saw with the current one,
word by word: Thai is written without spaces between words, so the text is cut into words with
pythainlp's dictionary tokeniser (newmm) and the word lists are compared with difflib."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from functools import lru_cache

from django.utils.translation import gettext_lazy as _

from .models import Memo, MemoRevision

# The fields of a memo a reviewer reads, in the order the page shows them.
FIELDS = (("subject", _("เรื่อง")), ("addressee", _("เรียน")), ("body", _("เนื้อหา")), ("closing", _("คำลงท้าย")),
          ("announcement", _("ประกาศ")))


def content_of(memo: Memo) -> dict:
    return {
        "subject": memo.subject,
        "addressee": memo.addressee,
        "phone": memo.phone,
        "sections": memo.sections,
        "closing": memo.closing,
        "announcement": memo.announcement,
    }


def snapshot(memo: Memo) -> MemoRevision:
    """The memo's content for its current round (call after the round number is set)."""
    revision, _ = MemoRevision.objects.update_or_create(
        memo=memo, round=memo.round, defaults={"content": content_of(memo)}
    )
    return revision


def _text(content: dict, name: str) -> str:
    if name == "body":
        lines = []
        for s in content.get("sections") or []:
            if s.get("heading"):
                lines.append(s["heading"])
            lines.extend(s.get("paragraphs") or [])
            lines.extend(s.get("items") or [])
        return "\n".join(lines)
    if name == "announcement":
        a = content.get("announcement") or {}
        return "\n".join([a.get("subject", ""), *a.get("paragraphs", [])]).strip()
    return content.get(name) or ""


@lru_cache(maxsize=1)
def _tokenizer():
    from pythainlp.tokenize import word_tokenize  # loads a dictionary: only when a diff is shown

    return word_tokenize


def words(text: str) -> list[str]:
    """Thai words, spaces and line breaks kept as tokens, so the pieces join back to the text."""
    return _tokenizer()(text, engine="newmm", keep_whitespace=True)


@dataclass
class Piece:
    kind: str  # "same", "added", "removed"
    text: str


@dataclass
class FieldChange:
    name: str
    label: str
    pieces: list[Piece] = field(default_factory=list)


def diff_text(old: str, new: str) -> list[Piece]:
    a, b = words(old), words(new)
    pieces: list[Piece] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            pieces.append(Piece("same", "".join(a[i1:i2])))
            continue
        if op in ("delete", "replace"):
            pieces.append(Piece("removed", "".join(a[i1:i2])))
        if op in ("insert", "replace"):
            pieces.append(Piece("added", "".join(b[j1:j2])))
    return pieces


@dataclass
class Changes:
    since: int  # the round compared with
    fields: list[FieldChange]


def changes(memo: Memo, since: int | None = None) -> Changes | None:
    """What changed since round ``since`` (default: the previous one), as submitted then and as the
    memo reads now; None for a memo in its first round, or when that round was not kept. One query."""
    since = memo.round - 1 if since is None else since
    if memo.round < 2 or not 1 <= since < memo.round:
        return None
    old = MemoRevision.objects.filter(memo=memo, round=since).values_list("content", flat=True).first()
    if old is None:
        return None
    new = content_of(memo)
    changed = []
    for name, label in FIELDS:
        before, after = _text(old, name), _text(new, name)
        if before != after:
            changed.append(FieldChange(name, label, diff_text(before, after)))
    return Changes(since, changed)
