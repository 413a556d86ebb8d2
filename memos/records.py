"""Appending a memo's decision records (``DecisionRecord``), the chain ``memos.signing.chain`` checks.

One call site: ``history.log`` calls ``append`` for the actions that make the record (submit,
each decision, issue, withdrawal), so every path that changes a memo's standing is covered the
moment it writes its history entry, in the same transaction. The record is appended under the
memo's row lock: the next seq and the previous hash are read and written by one writer at a time,
and the unique (memo, seq) refuses a second writer that got around the lock.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import logging
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from .compiled import Compiled, insert
from .models import Decision, DecisionRecord, Memo
from .signing import chain

CHAINED = frozenset({chain.SUBMIT, *Decision.Kind.values, "issued", "withdrawn"})

Signer = Callable[[bytes], bytes | None]
logger = logging.getLogger(__name__)


def default_signer() -> Signer:
    """The server key's ``sign_bytes`` (``memos.signing.keys``, imported on first use: it loads
    pyHanko, which every import of ``memos.history`` would otherwise pay)."""
    from .signing.keys import SigningError, sign_bytes

    def sign(data: bytes) -> bytes | None:
        # A key that cannot sign right now (token unplugged, bad configuration) must not stop a
        # reviewer's decision: the record is kept unsigned, verification reports it, the log says why.
        try:
            return sign_bytes(data)
        except SigningError:
            logger.exception("decision record left unsigned: the agency key could not sign")
            return None

    return sign


def _time(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def _file_sha256(field) -> str:
    digest = hashlib.sha256()
    with field.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def memo_content(memo: Memo) -> dict:
    """What the memo says and who wrote it, as hashed at submit: the columns the database freezes
    while in review (migration 0004's MEMO_CONTENT) and the attachments' bytes."""
    return {
        "agency": memo.agency_id,
        "unit": memo.unit_id,
        "drafter": memo.drafter_id,
        "drafter_position": memo.drafter_position_id,
        "phone": memo.phone,
        "subject": memo.subject,
        "addressee": memo.addressee,
        "sections": memo.sections,
        "closing": memo.closing,
        "announcement": memo.announcement,
        "attachments": [
            {"name": a.name, "content_type": a.content_type, "size": a.size, "publish": a.publish,
             "sha256": _file_sha256(a.file)}
            for a in memo.attachments.order_by("id")
        ],
    }


def _official_name(actor) -> str:
    official = getattr(actor, "official", None) if actor is not None else None
    return official.full_name if official else ""


def _fields(memo: Memo, actor, action: str, detail: dict, now: dt.datetime) -> tuple[dict, dt.datetime]:
    """The decision fields of the record, and its time (a decision's own time, else now)."""
    if action == chain.SUBMIT:
        return {
            "round": memo.round,
            "number": memo.number_display,
            "official": memo.drafter.full_name,
            "official_id": memo.drafter_id,
            "position": memo.drafter_position.signing_title,
            "capacity": "",
            "decision": chain.SUBMIT,
            "comment": "",
            "time": _time(now),
        }, now
    if action in Decision.Kind.values:
        d = memo.__dict__.get("_decision")  # the one review.record_decision just saved
        if d is None or d.step != detail.get("step"):
            d = memo.decisions.filter(round=memo.round, step=detail.get("step"), superseded=False).latest("id")
        return {
            "round": d.round,
            "step": d.step,
            "official": d.official_name,
            "official_id": d.official_id,
            "position": d.position_title,
            "own_position": d.own_position_title,
            "capacity": d.acting_kind,
            "signing_for": d.signing_for_title,
            "decision": d.decision,
            "comment": d.comment,
            "time": _time(d.decided_at),
        }, d.decided_at
    if action == "issued":
        return {
            "documents": {kind: sha for kind, sha in memo.documents.order_by("kind").values_list("kind", "sha256")},
            "announcement": detail.get("announcement"),
            "decision": action,
            "time": _time(now),
        }, now
    return {  # withdrawn
        "announcement": detail.get("announcement"),
        "official": _official_name(actor),
        "decision": action,
        "time": _time(now),
    }, now


# the last record's link (read for every record appended; compiled once, see memos.compiled)
_LAST = Compiled(
    lambda memo_id: DecisionRecord.objects.filter(memo_id=memo_id).order_by("-seq").values_list(
        "seq", "sha256", "content_sha256")[:1],
    int,
)


def append(memo: Memo, actor, action: str, detail: dict, sign: Signer | None = None) -> DecisionRecord:
    """Append the record of ``action`` to the memo's chain, signed with ``sign`` (the server key
    by default). Must run inside the transaction that makes the change it records."""
    assert transaction.get_connection().in_atomic_block
    # the memo's row lock (already held by the caller that just saved the memo; taken here for
    # the one that did not, a withdrawal)
    if not memo.__dict__.get("_row_locked"):  # set by a caller that locked it (workflow.services.decide)
        list(Memo.objects.select_for_update().filter(pk=memo.pk).values_list("pk", flat=True))
    found = _LAST(memo.pk)
    last_seq, last_sha256, last_content = found[0] if found else (0, chain.GENESIS, None)
    if action == chain.SUBMIT or not found:
        content = chain.content_sha256(memo_content(memo))  # frozen here for the round
    else:
        content = last_content
    fields, at = _fields(memo, actor, action, detail, timezone.now())
    if sign is None:
        sign = default_signer()
    record = chain.make_record(memo.pk, last_seq + 1, action, fields, content, last_sha256, sign)
    return insert(DecisionRecord(
        memo=memo,
        seq=record["seq"],
        action=action,
        fields=record["fields"],
        content_sha256=content,
        prev_sha256=record["prev_sha256"],
        sha256=record["sha256"],
        signature=base64.b64decode(record["signature"]) if record["signature"] else None,
        at=at,
    ))


def chain_of(memo: Memo) -> list[dict]:
    """The memo's records as ``memos.signing.chain`` dicts, in order."""
    return [r.as_dict() for r in DecisionRecord.objects.filter(memo=memo).order_by("seq")]


def default_certificate() -> str:
    """The PEM certificate of the key that signs records (``keys.agency_credentials``), carried in
    the PDF and the export so a checker needs nothing of the system."""
    from asn1crypto import pem

    from .signing.keys import agency_credentials

    return pem.armor("CERTIFICATE", agency_credentials().certificate.dump()).decode("ascii")


def register_entry(memo: Memo) -> dict:
    """The memo's line in the register (ทะเบียนหนังสือส่ง): what the chain is the record of."""
    return {
        "id": memo.pk,
        "number": memo.number_display,
        "date": memo.date.isoformat() if memo.date else None,
        "subject": memo.subject,
        "from": f"{memo.unit.name} {memo.agency.name}",
        "to": memo.addressee,
        "state": memo.state,
    }


def chain_file(memo: Memo, chain_records: list[dict]) -> bytes:
    """The JSON attached to the issued memo PDF (``memos.signing.embedded``)."""
    from .signing.embedded import chain_file as build

    entry = register_entry(memo)
    entry.pop("state")  # the PDF is issued; its state at render time says nothing more
    return build(entry, chain_records, default_certificate())
