"""Search memos (issue 13 item 5): by number as printed, date range, drafter, unit, state and the
full text of subject, body and comments.

How: trigram substring search (PostgreSQL ``pg_trgm``, a GIN index on ``Memo.search_text``),
not word-based full-text search. Thai is written without spaces, so a word-based index needs the
document and the query segmented the same way; pythainlp's dictionary segmentation cuts names,
compounds and unknown words ("ศรีสุขใส", "ITA", a typo) differently in a sentence and in a
two-word query, and the match is lost. A substring match has no such failure, and the trigram
index keeps it fast (the index filters, ILIKE rechecks, so the answer is exact whatever the
database's locale makes of Thai marks). SQLite (``make run``) runs the same ``icontains`` on the
same column without the index.

``search_text`` is maintained here: written after every save of a memo and every decision
(signals, connected in ``memos.apps``), normalised like the query (NFC, Thai digits as Arabic,
lower case, one space), so "๕๒๔๐๑" finds "52401" and the other way round.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from django.db.models import F, QuerySet, TextField, Value
from django.db.models.functions import Coalesce, Concat
from django.utils.translation import gettext, gettext_noop

from .models import Decision, Memo, Unit

THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
MAX_QUERY = 200  # characters: longer is cut (no subject, comment or paragraph needs a longer phrase)

# A number as printed: "กบ 52401/1", "52401/1", "๕๒๔๐๑/๑", "/1", "1" (the running number alone).
_NUMBER = re.compile(r"^(?P<code>[^\d/]*?\s*(?P<code_digits>\d[\d.]*)?)\s*/\s*(?P<n>\d{1,9})$|^(?P<alone>\d{1,9})$")


def normalise(value: str) -> str:
    """What is stored and what is searched: NFC, Arabic digits, lower case, single spaces."""
    value = unicodedata.normalize("NFC", value or "").translate(THAI_DIGITS).lower()
    return " ".join(value.split())


def _section_text(sections) -> list[str]:
    out: list[str] = []
    for s in sections or []:
        if not isinstance(s, dict):
            continue
        out.append(s.get("heading") or "")
        out += [p for p in s.get("paragraphs") or [] if isinstance(p, str)]
        out += [p for p in s.get("items") or [] if isinstance(p, str)]
    return out


def build_search_text(memo: Memo, comments: list[str]) -> str:
    parts = [memo.subject, memo.addressee, *_section_text(memo.sections), *comments]
    ann = memo.announcement or {}
    if isinstance(ann, dict):
        parts += [ann.get("subject") or "", *[p for p in ann.get("paragraphs") or [] if isinstance(p, str)]]
    return normalise(" \n".join(p for p in parts if p))


def refresh(memo_id: int) -> None:
    """Rewrite one memo's ``search_text`` (two queries, whatever the memo's size)."""
    memo = Memo.objects.only("subject", "addressee", "sections", "announcement").filter(pk=memo_id).first()
    if memo is None:
        return
    comments = list(Decision.objects.filter(memo_id=memo_id).exclude(comment="").values_list("comment", flat=True))
    Memo.objects.filter(pk=memo_id).update(search_text=build_search_text(memo, comments))


def on_memo_saved(sender, instance: Memo, raw: bool = False, update_fields=None, **kwargs) -> None:
    if raw:
        return
    if update_fields is not None and not {"subject", "addressee", "sections", "announcement"} & set(update_fields):
        return  # a state or step change: the text is the same
    refresh(instance.pk)


def comment_suffix(comment: str) -> str:
    """What a decision's comment adds to the memo's ``search_text``."""
    return " \n" + normalise(comment)


def with_comment(comment: str) -> Concat:
    """``search_text`` with a decision's comment appended, as an UPDATE sets it (no re-read of the
    memo and its comments, which ``refresh`` would give the same text for)."""
    return Concat(Coalesce(F("search_text"), Value(""), output_field=TextField()), Value(comment_suffix(comment)),
                  output_field=TextField())


# ``with_comment`` in SQL, for the UPDATE a decision writes by hand (``review``): the column, then
# the suffix as the one parameter
APPEND_COMMENT_SQL = "COALESCE({column}, '') || %s"


def on_decision_saved(sender, instance: Decision, created: bool = False, raw: bool = False, **kwargs) -> None:
    """A new comment is appended in one UPDATE, unless the decision says the memo's own UPDATE
    does it (``comment_in_memo_update``: a decision that moves the memo on writes the memo anyway)."""
    if created and not raw and instance.comment and not getattr(instance, "comment_in_memo_update", False):
        Memo.objects.filter(pk=instance.memo_id).update(search_text=with_comment(instance.comment))


@dataclass(frozen=True)
class NumberQuery:
    number: int
    code_digits: str = ""  # "52401" of "กบ 52401/1": must end the agency's code when given


def parse_number(q: str) -> NumberQuery | None:
    """A query that is a register number as printed (Thai or Arabic digits), else None."""
    m = _NUMBER.match(normalise(q))
    if not m:
        return None
    if m.group("alone"):
        return NumberQuery(int(m.group("alone")))
    return NumberQuery(int(m.group("n")), m.group("code_digits") or "")


@dataclass
class Criteria:
    """What the search box and the filters ask; every part optional."""

    q: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    drafter: int | None = None  # Official id
    unit: int | None = None  # Unit id: its memos and its sub-units'
    state: str = ""

    @property
    def is_empty(self) -> bool:
        return not (self.q.strip() or self.date_from or self.date_to or self.drafter or self.unit or self.state)


def _unit_and_below(unit_id: int) -> list[int]:
    """The unit and every unit under it (the tree is shallow: one query, walked in Python)."""
    pairs = list(Unit.objects.filter(agency__units=unit_id).values_list("pk", "parent_id"))
    ids, grew = {unit_id}, True
    while grew:
        new = {pk for pk, parent in pairs if parent in ids} - ids
        ids |= new
        grew = bool(new)
    return sorted(ids)


def search(qs: QuerySet[Memo], c: Criteria) -> QuerySet[Memo]:
    """``qs`` (already what the user may see) narrowed by the criteria."""
    q = (c.q or "")[:MAX_QUERY]
    number = parse_number(q) if q.strip() else None
    if number is not None:
        qs = qs.filter(number=number.number)
        if number.code_digits:
            qs = qs.filter(agency__code__endswith=number.code_digits)
    else:
        for word in normalise(q).split():
            qs = qs.filter(search_text__contains=word)  # already lower case: no ILIKE needed
    if c.date_from:
        qs = qs.filter(date__gte=c.date_from)
    if c.date_to:
        qs = qs.filter(date__lte=c.date_to)
    if c.drafter:
        qs = qs.filter(drafter_id=c.drafter)
    if c.unit:
        qs = qs.filter(unit_id__in=_unit_and_below(c.unit))
    if c.state:
        qs = qs.filter(state=c.state)
    return qs


# the Thai text (tests compare it); the pages show gettext() of it
NO_MATCH = gettext_noop("ไม่พบบันทึกข้อความที่ตรงกับคำค้น")
NONE_YET = gettext_noop("ยังไม่มีบันทึกข้อความ")


def empty_message(c: Criteria) -> str:
    """An empty list after a search says "no match"; an empty list without one says "none yet"."""
    return gettext(NO_MATCH if not c.is_empty else NONE_YET)


def connect() -> None:
    from django.db.models.signals import post_save

    post_save.connect(on_memo_saved, sender=Memo, dispatch_uid="memos.search.memo")
    post_save.connect(on_decision_saved, sender=Decision, dispatch_uid="memos.search.decision")
