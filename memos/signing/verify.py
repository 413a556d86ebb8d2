"""Is this PDF the document the agency signed? PDF bytes + trust roots in, a verdict out.

- ``authentic``: the agency's signature is intact and cryptographically valid, its certificate
  chains to a configured trust root, it covers the whole signed revision, and nothing was added
  after it except validation data (the B-LT document security store).
- ``modified``: a signature is there but the bytes it covers changed, or an incremental update
  after signing changes the document (a page, an annotation, a form field, another signature).
- ``unknown``: no signature, or one that does not chain to our roots (not ours, or from a root
  this server does not trust).

Pure: no models, no settings; the web page, the API and ``manage.py verify_document`` call it.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from dataclasses import asdict, dataclass, field

from asn1crypto import crl as asn1_crl
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

logger = logging.getLogger(__name__)

AUTHENTIC, MODIFIED, UNKNOWN = "authentic", "modified", "unknown"
# after the signature, only validation data (DSS) and document time-stamps may be added
_ALLOWED_AFTER = (ModificationLevel.NONE, ModificationLevel.LTA_UPDATES)


class BadPdf(ValueError):
    """Not a PDF, or one that cannot be read at all (a client error, not a verdict)."""


@dataclass
class Verdict:
    """The answer, with the facts it rests on (``reasons``: machine codes, translated by the page)."""

    status: str
    reasons: list[str] = field(default_factory=list)
    signed: bool = False
    intact: bool = False  # the signed bytes hash to what was signed
    valid: bool = False  # the signature value verifies with the signer's key
    trusted: bool = False  # chain to a configured root
    whole_revision: bool = False  # the signature covers the whole revision it signed
    changed_after: str = ""  # modification level after signing ("none", "lta_updates", ...)
    signer: str = ""
    signer_name: str = ""  # /Name: the approver
    reason: str = ""  # /Reason: approval, position and capacity
    location: str = ""  # /Location: the agency
    signing_time: str | None = None  # ISO, from the time-stamp when there is one
    timestamped: bool = False
    timestamp_valid: bool = False
    ltv: bool = False  # chain and revocation data embedded (DSS)
    signatures: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


def _text(obj, key: str) -> str:
    try:
        v = obj.get(key)
    except Exception:  # a damaged dictionary
        return ""
    return str(v) if v is not None else ""


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def verify_pdf(
    data: bytes,
    trust_roots: list[asn1_x509.Certificate],
    crls: list[asn1_crl.CertificateList] | None = None,
    other_certs: list[asn1_x509.Certificate] | None = None,
) -> Verdict:
    """Judge ``data``. Raises BadPdf when it is not a readable PDF."""
    if not data.lstrip()[:5] == b"%PDF-":
        raise BadPdf("not a PDF")
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        sigs = reader.embedded_signatures
    except (PdfError, ValueError, KeyError, TypeError, IndexError) as exc:
        raise BadPdf(f"unreadable PDF: {type(exc).__name__}") from None
    if not sigs:
        return Verdict(UNKNOWN, ["no_signature"])
    sig = sigs[0]  # ours is the first (and, on an untouched document, the only) signature
    v = Verdict(UNKNOWN, signed=True, signatures=len(sigs))
    obj = sig.sig_object
    v.signer_name, v.reason, v.location = _text(obj, "/Name"), _text(obj, "/Reason"), _text(obj, "/Location")
    dss = _dss(reader)
    v.ltv = dss
    vc = ValidationContext(
        trust_roots=trust_roots, other_certs=other_certs or [], crls=crls or [], allow_fetching=False,
        revocation_mode="soft-fail",
    )
    try:
        status = validate_pdf_signature(sig, signer_validation_context=vc, ts_validation_context=vc)
    except Exception as exc:  # pyHanko raises on a signature it cannot even parse: treat as modified
        logger.info("signature validation failed: %s: %s", type(exc).__name__, exc)
        v.status, v.reasons = MODIFIED, ["signature_unreadable"]
        return v
    v.intact, v.valid, v.trusted = bool(status.intact), bool(status.valid), bool(status.trusted)
    v.signer = status.signing_cert.subject.human_friendly if status.signing_cert else ""
    v.whole_revision = status.coverage in (SignatureCoverageLevel.ENTIRE_REVISION, SignatureCoverageLevel.ENTIRE_FILE)
    level = status.modification_level
    v.changed_after = level.name.lower() if level is not None else "unknown"
    ts = status.timestamp_validity
    v.timestamped = ts is not None
    if ts is not None:
        v.timestamp_valid = bool(ts.intact and ts.valid and ts.trusted)
        v.signing_time = _iso(ts.timestamp)
    else:
        v.signing_time = _iso(status.signer_reported_dt)
    reasons = []
    if not (v.intact and v.valid):
        reasons.append("signature_broken")
    if not v.whole_revision:
        reasons.append("partial_coverage")
    if level not in _ALLOWED_AFTER:
        reasons.append("changed_after_signing")
    if reasons:
        v.status, v.reasons = MODIFIED, reasons
        return v
    if not v.trusted:
        v.status, v.reasons = UNKNOWN, ["untrusted_signer"]
        return v
    if v.timestamped and not v.timestamp_valid:
        v.status, v.reasons = UNKNOWN, ["timestamp_invalid"]
        return v
    v.status = AUTHENTIC
    return v


def _dss(reader: PdfFileReader) -> bool:
    """Whether the document carries validation data: certificates and revocation (CRLs or OCSP)."""
    try:
        dss = reader.root.get("/DSS")
        if dss is None:
            return False
        dss = dss.get_object()
        return "/Certs" in dss and ("/CRLs" in dss or "/OCSPs" in dss)
    except Exception:
        return False
