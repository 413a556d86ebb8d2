"""Every change of a memo's state, declared once: the table says which states each transition
leaves from and where it goes; ``transition`` is the only code that assigns ``Memo.state``
(``review``, ``issuing`` and ``drafting`` call it). The editable rule is here too: only the
drafter, only while the memo is a draft or has been returned.

    draft ──submit──▶ in_review ──advance──▶ in_review (next step)
    returned ─submit─▶     │ ──approve──▶ approved ──issue──▶ issued
                           │ ──return───▶ returned
                           └ ──reject───▶ rejected
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext, gettext_noop

from .errors import Conflict, NotAllowed
from .models import Memo, MemoState


@dataclass(frozen=True)
class Transition:
    sources: tuple[str, ...]
    target: str
    refusal: str  # why a memo in another state cannot take it (409); Thai, shown through gettext


EDITABLE = (MemoState.DRAFT, MemoState.RETURNED)

TRANSITIONS: dict[str, Transition] = {
    "submit": Transition(EDITABLE, MemoState.IN_REVIEW, gettext_noop("บันทึกนี้ส่งไปแล้ว")),
    "advance": Transition((MemoState.IN_REVIEW,), MemoState.IN_REVIEW, gettext_noop("บันทึกนี้ไม่ได้อยู่ระหว่างเสนอ")),
    "approve": Transition((MemoState.IN_REVIEW,), MemoState.APPROVED, gettext_noop("บันทึกนี้ไม่ได้อยู่ระหว่างเสนอ")),
    "return": Transition((MemoState.IN_REVIEW,), MemoState.RETURNED, gettext_noop("บันทึกนี้ไม่ได้อยู่ระหว่างเสนอ")),
    "reject": Transition((MemoState.IN_REVIEW,), MemoState.REJECTED, gettext_noop("บันทึกนี้ไม่ได้อยู่ระหว่างเสนอ")),
    "issue": Transition((MemoState.APPROVED,), MemoState.ISSUED, gettext_noop("บันทึกนี้ยังไม่ได้รับอนุมัติ")),
}


def can(memo: Memo, name: str) -> bool:
    return memo.state in TRANSITIONS[name].sources


def require(memo: Memo, name: str, field: str | None = "state") -> None:
    """Refuse (409) a transition the memo's state does not allow, without changing anything."""
    if not can(memo, name):
        raise Conflict(gettext(TRANSITIONS[name].refusal), field=field)


def transition(memo: Memo, name: str, current_step: int | None = None) -> Memo:
    """Move the memo (not saved: the caller saves with its other changes). ``current_step`` is
    the step under review afterwards (None once the memo has left review)."""
    require(memo, name)
    memo.state = TRANSITIONS[name].target
    memo.current_step = current_step if memo.state == MemoState.IN_REVIEW else None
    return memo


def is_editable(memo: Memo) -> bool:
    return memo.state in EDITABLE


DRAFTER_ONLY = {"แก้ไข": gettext_noop("แก้ไขได้เฉพาะผู้ร่างบันทึก"), "ส่ง": gettext_noop("ส่งได้เฉพาะผู้ร่างบันทึก")}


def check_editable(memo: Memo, official, verb: str = "แก้ไข") -> None:
    """Only the drafter changes (edits, attaches to, submits) a memo, and only while it is a draft
    or returned: 403 for anyone else, 409 for a memo in review or closed."""
    if official is None or memo.drafter_id != official.pk:
        only = DRAFTER_ONLY.get(verb)
        raise NotAllowed(gettext(only) if only else f"{verb}ได้เฉพาะผู้ร่างบันทึก")
    if not is_editable(memo):
        if verb == "ส่ง":
            raise Conflict(gettext(TRANSITIONS["submit"].refusal), field="state")
        raise Conflict(gettext("บันทึกนี้อยู่ระหว่างเสนอหรือสิ้นสุดแล้ว แก้ไขไม่ได้"), field="state")


__all__ = ["EDITABLE", "TRANSITIONS", "can", "check_editable", "is_editable", "require", "transition"]
