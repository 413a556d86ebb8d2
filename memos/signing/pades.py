"""PAdES signatures on issued PDFs, with pyHanko.

With a time-stamp authority (``TSA_URL``, or the demo PKI's in-process one) the signature is
PAdES B-LT: a signature time-stamp from the TSA, and the chain and revocation data (CRLs handed
over in the configuration: never fetched from the network at signing) in the document security
store, so it can be validated after the certificate expires. Without one, B-B.

Any failure raises SigningError: the caller (issuing) then writes nothing, the memo stays
``approved`` and the outbox retries.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from dataclasses import dataclass

from pyhanko.pdf_utils.content import RawContent
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.layout import BoxConstraints
from pyhanko.sign import fields, signers
from pyhanko.stamp import StaticStampStyle
from pyhanko_certvalidator import ValidationContext

from .keys import Credentials, SigningError
from .stamp import SEAL_BOX

FIELD_NAME = "AgencySignature"


class _NoFetchNotice(logging.Filter):
    """pyHanko warns on every signature that it may not fetch revocation data: we hand it the CRLs
    on purpose (no network at signing), so the warning is noise in the worker's log."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "fetching is not allowed" not in record.getMessage()


logging.getLogger("pyhanko.sign.signers.pdf_signer").addFilter(_NoFetchNotice())
__all__ = ["FIELD_NAME", "SignatureInfo", "SigningError", "check_certificate", "sign_pdf", "validation_context"]


@dataclass(frozen=True)
class SignatureInfo:
    """Who approved, as what: the signature's /Name, /Reason and /Location."""

    name: str  # the approver
    reason: str  # e.g. "อนุมัติ: <position with capacity>"
    location: str  # the agency


def validation_context(creds: Credentials, moment: dt.datetime | None = None) -> ValidationContext:
    """Trust the configured roots only, check revocation with the configured CRLs, never fetch."""
    return ValidationContext(
        trust_roots=creds.trust_roots,
        other_certs=creds.chain,
        crls=creds.crls,
        allow_fetching=False,
        revocation_mode="soft-fail",
        moment=moment,
    )


def check_certificate(creds: Credentials, now: dt.datetime | None = None) -> None:
    """Refuse to sign with a certificate outside its validity period: a clear error, not a
    signature every validator rejects."""
    now = now or dt.datetime.now(dt.UTC)
    cert = creds.certificate
    if now > cert.not_valid_after:
        raise SigningError(f"signing certificate expired on {cert.not_valid_after:%Y-%m-%d}")
    if now < cert.not_valid_before:
        raise SigningError(f"signing certificate not valid before {cert.not_valid_before:%Y-%m-%d}")


def sign_pdf(pdf: bytes, creds: Credentials, info: SignatureInfo) -> bytes:
    """The signed PDF (an incremental update of ``pdf``): visible field on the last page."""
    check_certificate(creds)
    ltv = creds.timestamper is not None
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        name=info.name,
        reason=info.reason,
        location=info.location,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        embed_validation_info=ltv,
        validation_context=validation_context(creds) if ltv else None,
        use_pades_lta=False,
    )
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        last = int(writer.root["/Pages"]["/Count"]) - 1
        spec = fields.SigFieldSpec(sig_field_name=FIELD_NAME, on_page=last, box=tuple(int(v) for v in SEAL_BOX))
        pdf_signer = signers.PdfSigner(
            meta,
            signer=creds.signer,
            timestamper=creds.timestamper,
            # the seal itself is page content (stamp.py, shaped like the document's Thai): the widget's
            # appearance is empty, with no font (pyHanko's text stamp would add an unembedded Courier,
            # which PDF/A refuses)
            stamp_style=StaticStampStyle(
                background=RawContent(b"", box=BoxConstraints(width=1, height=1)), border_width=0
            ),
            new_field_spec=spec,
        )
        out = pdf_signer.sign_pdf(writer)
    except Exception as exc:  # pyHanko, the TSA client and the token raise many types
        raise SigningError(f"{type(exc).__name__}: {exc}") from exc
    return out.getvalue()
