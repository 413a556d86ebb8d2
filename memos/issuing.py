"""Issuing an approved memo: its final PDF, the announcement, the move to ``issued``.

All of it happens in one transaction under the memo's row lock, so a memo is either still
``approved`` (nothing written) or ``issued`` with both documents; a worker killed half-way
leaves no trace, and a second delivery finds the memo issued and does nothing. The unique
constraints on IssuedDocument and Announcement back this up in the database.

Each document is bundled with its attachments, stamped (verification code and QR on every page,
the seal on the last) and then signed (PAdES, memos/signing): the signature covers everything,
and the stored SHA-256 is that of the signed bytes. A signing failure raises SigningError before
anything is written, so the memo stays ``approved`` and the outbox retries.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import history, mail, records, transitions
from .document import _path, announcement_document, memo_document, signer_position
from .documents import render_pdf
from .documents.bundle import bundle
from .errors import Conflict
from .models import Announcement, Decision, IssuedDocument, Memo, MemoState, VerificationCode
from .signing import keys, pades, stamp
from .signing.embedded import attach_chain


def _attachments(memo: Memo) -> list[tuple[bool, bytes]]:
    """Each attachment's bytes, with whether the drafter chose to publish it."""
    out = []
    for a in memo.attachments.order_by("id"):
        with a.file.open("rb") as fh:
            out.append((a.publish, fh.read()))
    return out


def _with(pdf: bytes, attachments: list[bytes]) -> bytes:
    return bundle(pdf, attachments) if attachments else pdf


def verify_url(code: str) -> str:
    """The address printed in the QR code. The page lives in ``web`` (``/verify/<code>/``); the
    path is fixed here because the document outlives any URL configuration change."""
    return f"{settings.SITE_URL.rstrip('/')}/verify/{code}/"


def _signed(memo: Memo, approval: Decision, pdf: bytes, creds: keys.Credentials) -> tuple[bytes, str]:
    """``pdf`` stamped with a fresh verification code and signed by the agency: (bytes, code)."""
    code = stamp.new_code()
    position = signer_position(approval)
    seal = stamp.Seal(
        agency=memo.agency.name, name=approval.official_name, position=position, emblem=_path(memo.agency.emblem)
    )
    stamped = stamp.stamp(pdf, verify_url(code), code, seal)
    info = pades.SignatureInfo(
        name=approval.official_name,
        reason=f"อนุมัติ โดย {approval.official_name} {position}",
        location=memo.agency.name,
    )
    return pades.sign_pdf(stamped, creds, info), code


def _store(memo: Memo, kind: str, pdf: bytes, code: str) -> IssuedDocument:
    doc = IssuedDocument.objects.create(
        memo=memo, kind=kind, pdf=pdf, sha256=hashlib.sha256(pdf).hexdigest(), size=len(pdf)
    )
    VerificationCode.objects.create(code=code, document=doc)
    return doc


def issue(memo_id: int) -> bool:
    """Render and store the memo's documents and mark it issued. Returns False when it already
    was. Raises DocumentError when a document cannot be rendered (nothing is written then)."""
    assert transaction.get_connection().in_atomic_block
    # of=("self",): the memo's row only. A lock over the join would also hold the agency, unit,
    # drafter and position rows for the whole render, stalling (or deadlocking) unrelated drafts.
    memo = (
        Memo.objects.select_for_update(of=("self",))
        .select_related("agency", "unit", "drafter", "drafter_position")
        .get(pk=memo_id)
    )
    if memo.state == MemoState.ISSUED:
        return False
    if memo.state != MemoState.APPROVED:
        raise Conflict(f"memo {memo.pk} is {memo.state}, not approved")
    decisions = list(memo.decisions.filter(superseded=False).order_by("step"))
    approval = decisions[-1]
    assert approval.decision == Decision.Kind.APPROVE
    attachments = _attachments(memo)
    creds = keys.agency_credentials()

    # the decision record so far (submit … approval), printed and attached; the issue record that
    # follows names this PDF's hash
    chain = records.chain_of(memo)
    pdf = render_pdf(memo_document(memo, decisions, chain))
    # the memo's readers get every attachment
    bound = attach_chain(_with(pdf, [data for _, data in attachments]), records.chain_file(memo, chain))
    signed, code = _signed(memo, approval, bound, creds)
    memo_pdf = _store(memo, IssuedDocument.Kind.MEMO, signed, code)

    announcement = None
    # a secret memo never produces a public announcement (drafting refuses one; this holds for a
    # memo whose class changed after its announcement was drafted, or rows written otherwise)
    if memo.announcement and not memo.is_secret:
        data = announcement_document(memo, approval)
        pdf = render_pdf(data)
        # the public only those the drafter marked "publish with the announcement"
        published = [data for publish, data in attachments if publish]
        signed, code = _signed(memo, approval, _with(pdf, published), creds)
        doc = _store(memo, IssuedDocument.Kind.ANNOUNCEMENT, signed, code)
        announcement = Announcement.objects.create(
            memo=memo,
            agency=memo.agency,
            subject=data["subject"],
            paragraphs=data["paragraphs"],
            date=data["date"],
            signer_name=approval.official_name,
            signer_position=signer_position(approval),
            document=doc,
            published_at=timezone.now(),  # published on issue: the approval is the decision to publish
        )
    transitions.transition(memo, "issue")
    memo.save(update_fields=["state", "current_step", "updated_at"])
    history.log(memo, None, "issued", sha256=memo_pdf.sha256, announcement=announcement.pk if announcement else None)
    mail.issued(memo, announcement.pk if announcement else None)
    return True
