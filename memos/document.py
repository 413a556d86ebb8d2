"""A memo as the typesetting engine's ``"kind": "memo"`` document: one function, used by the API,
the task page preview and (later) the issuing worker."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from .models import Memo, Secrecy, Urgency
from .models.memo import HISTORY_LABELS

# The marks as the document prints them, in Thai whatever the page language (ปกติ prints nothing)
URGENCY_PRINTED = {Urgency.NORMAL: "", Urgency.URGENT: "ด่วน", Urgency.VERY_URGENT: "ด่วนมาก",
                   Urgency.MOST_URGENT: "ด่วนที่สุด"}
SECRECY_PRINTED = {Secrecy.NORMAL: "", Secrecy.CONFIDENTIAL: "ลับ", Secrecy.SECRET: "ลับมาก"}


def _path(field) -> str | None:
    try:
        return field.path if field else None
    except (NotImplementedError, ValueError):
        return None


def in_route_order(memo: Memo, decisions) -> list:
    """Decisions by step, then a consultation's by its positions' order in the step (issue 12)."""
    decisions = list(decisions)
    if len({d.step for d in decisions}) == len(decisions):
        return sorted(decisions, key=lambda d: d.step)  # one per step: no lookup needed
    slots = {(s.order, s.position_id): s.slot for s in memo.steps.all()}
    return sorted(decisions, key=lambda d: (d.step, slots.get((d.step, d.position_id), 0), d.pk or 0))


def endorsement_of(decision) -> dict:
    objected = " (ไม่เห็นชอบ/มีข้อทักท้วง)" if decision.decision == "object" else ""
    return {
        "heading": f"ความเห็น {decision.position_title}{objected}",
        "comment": decision.comment,
        "name": decision.official_name,
        "position": decision.own_position_title if decision.acting_kind else decision.position_title,
        "acting": {"kind": decision.acting_kind, "for_position": decision.signing_for_title}
        if decision.acting_kind
        else None,
        "date": timezone.localtime(decision.decided_at).date().isoformat(),
        "signature": _path(decision.signature),
    }


def history_step(record: dict) -> dict:
    """A decision record (``memos.signing.chain`` dict) as a line of "ประวัติการพิจารณา"."""
    fields = record["fields"]
    acting = None
    if fields.get("capacity"):
        acting = {"kind": fields["capacity"], "for_position": fields.get("signing_for", "")}
    return {
        "time": timezone.localtime(dt.datetime.fromisoformat(fields["time"])).isoformat(),
        "decision": str(HISTORY_LABELS.get(record["action"], record["action"])),
        "name": fields.get("official", ""),
        "position": fields.get("own_position") if acting else fields.get("position", ""),
        "acting": acting,
        "hash": record["sha256"][:12],
    }


def memo_document(memo: Memo, decisions=None, records: list[dict] | None = None) -> dict:
    """``decisions``: the current round's, in step order; pass them to avoid a query. ``records``:
    the decision record to print as "ประวัติการพิจารณา" (the issued memo; none in a preview)."""
    if decisions is None:
        decisions = memo.decisions.filter(superseded=False).order_by("step")
    drafter = memo.drafter
    return {
        "kind": "memo",
        "urgency": URGENCY_PRINTED[memo.urgency],
        "secrecy": SECRECY_PRINTED[memo.secrecy],
        "agency": {"name": memo.agency.name, "emblem": _path(memo.agency.emblem)},
        "unit": f"{memo.unit.name} {memo.agency.name}",
        "phone": memo.phone,
        "number": memo.number_display,
        "date": memo.date.isoformat() if memo.date else None,
        "subject": memo.subject,
        "addressee": memo.addressee,
        "sections": memo.sections,
        "closing": memo.closing,
        "signer": {
            "name": drafter.full_name,
            "position": memo.drafter_position.signing_title,
            "signature": _path(drafter.signature),
        },
        "copies": copies_of(memo),
        "endorsements": [endorsement_of(d) for d in in_route_order(memo, decisions)],
        "history": [history_step(r) for r in records or ()],
    }


def copies_of(memo: Memo) -> list[str]:
    """สำเนาเรียน: the readers' positions (or names), in the drafter's order."""
    return [r.title for r in memo.readers.select_related("position", "official")]


def signer_position(decision) -> str:
    """The approver's position as signed: own post, or "<own post> <acting kind> <post>"."""
    if decision.acting_kind:
        return f"{decision.own_position_title} {decision.acting_kind} {decision.signing_for_title}".strip()
    return decision.position_title


def announcement_document(memo: Memo, approval) -> dict:
    """The ประกาศ drafted on the memo, signed by the approver and dated the approval date."""
    draft = memo.announcement or {}
    return {
        "kind": "announcement",
        "agency": {"name": memo.agency.name, "emblem": _path(memo.agency.emblem)},
        "subject": draft.get("subject", ""),
        "paragraphs": draft.get("paragraphs", []),
        "date": timezone.localtime(approval.decided_at).date().isoformat(),
        "signer": {
            "name": approval.official_name,
            "position": signer_position(approval),
            "signature": _path(approval.signature),
        },
    }
