"""Answering "is this the document the agency issued?" for anyone: by the code printed on it, or
by the PDF itself. Used by the public page and API (``web``) and ``manage.py verify_document``.

The signature is checked every time (not a stored flag): a verdict is only as good as the bytes
checked now. The details shown come from our records when the PDF's SHA-256 is that of a document
we issued; for a memo only the fields the agency makes public (``VERIFY_MEMO_PUBLIC_FIELDS``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone

from .documents.digits import thai_digits
from .models import Decision, IssuedDocument, VerificationCode
from .signing import keys
from .signing.embedded import verify_embedded_chain
from .signing.stamp import normalise_code
from .signing.verify import BadPdf, Verdict, verify_pdf

__all__ = ["BadPdf", "Result", "by_code", "by_pdf", "check_pdf"]

MEMO_FIELDS = ("number", "date", "agency", "steps", "subject", "approvers")


@dataclass
class Result:
    """A verdict and what may be shown about the document (empty when it is not one of ours)."""

    verdict: Verdict
    kind: str = ""  # "memo" / "announcement" / "" (not found in our records)
    code: str = ""
    details: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"status": self.verdict.status, "kind": self.kind, "code": self.code,
                "document": self.details, "signature": self.verdict.as_dict()}


def check_pdf(data: bytes) -> Verdict:
    """The signature verdict for ``data`` against the configured trust roots (and CRLs), and the
    decision record it carries (``memos.signing.embedded``): a broken link or a record not signed
    by the agency key makes it ``modified`` (reason ``decision_record_broken``)."""
    creds = keys.agency_credentials()
    verdict = verify_pdf(data, creds.trust_roots, creds.crls, creds.chain)
    record = verify_embedded_chain(data, lambda signed, sig: keys.verify_bytes(signed, sig, creds))
    if record.found and not record.intact:
        verdict.reasons.append("decision_record_broken")
        if verdict.status == "authentic":
            verdict.status = "modified"
    return verdict


def _approver(d: Decision) -> dict:
    return {
        "name": d.official_name,
        "position": d.own_position_title if d.acting_kind else d.position_title,
        "capacity": f"{d.acting_kind} {d.signing_for_title}".strip() if d.acting_kind else "",
        "decision": d.get_decision_display(),
        "date": timezone.localtime(d.decided_at).date().isoformat(),
    }


def details(doc: IssuedDocument) -> dict:
    """What the public may see about ``doc``: everything for an announcement (it is public),
    for a memo only the fields in VERIFY_MEMO_PUBLIC_FIELDS."""
    memo = doc.memo
    decisions = list(memo.decisions.filter(superseded=False).order_by("step"))
    if doc.kind == IssuedDocument.Kind.ANNOUNCEMENT:
        a = memo.published_announcement
        return {
            "number": memo.number_display,
            "subject": a.subject,
            "date": a.date.isoformat(),
            "agency": memo.agency.name,
            "approvers": [_approver(d) for d in decisions],
            "published": a.published_at is not None,
        }
    shown = set(getattr(settings, "VERIFY_MEMO_PUBLIC_FIELDS", ())) & set(MEMO_FIELDS)
    if memo.is_secret:
        shown.discard("subject")  # a secret memo's cover shows no content (FORMAT.md), not even here
    all_fields = {
        "number": memo.number_display,
        "date": memo.date.isoformat() if memo.date else None,
        "agency": memo.agency.name,
        "steps": f"ลงนามครบ {thai_digits(str(len(decisions)))} ขั้น",
        "subject": memo.subject,
        "approvers": [_approver(d) for d in decisions],
    }
    return {k: v for k, v in all_fields.items() if k in shown}


def _issued(doc: IssuedDocument, verdict: Verdict) -> Result:
    code = getattr(getattr(doc, "verification", None), "code", "")
    shown = details(doc)
    if doc.kind == IssuedDocument.Kind.MEMO and "approvers" not in shown:
        # the approver is named in the signature too: not shown unless the agency makes approvers public
        verdict.signer_name = verdict.reason = ""
    return Result(verdict, kind=doc.kind, code=code, details=shown)


def by_code(code: str) -> Result | None:
    """The stored document printed with ``code``, checked now; None for an unknown code."""
    vc = (
        VerificationCode.objects.select_related("document__memo__agency")
        .filter(code=normalise_code(code))
        .first()
    )
    if vc is None:
        return None
    doc = vc.document
    return _issued(doc, check_pdf(bytes(doc.pdf)))


def by_pdf(data: bytes) -> Result:
    """``data`` checked; with our record's details when it is byte for byte a document we issued.
    Raises BadPdf when it is not a readable PDF."""
    verdict = check_pdf(data)
    sha = hashlib.sha256(data).hexdigest()
    doc = (
        IssuedDocument.objects.select_related("memo__agency", "verification")
        .defer("pdf")
        .filter(sha256=sha)
        .first()
    )
    if doc is None:
        return Result(verdict)
    return _issued(doc, verdict)
