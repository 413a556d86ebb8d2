"""The decision record inside an issued PDF: attach it, find it, check it.

Attached as ``decision-chain.json``, a PDF/A-3 associated file (/AF on the catalog, relationship
/Data), so whoever holds the PDF holds the record of how it was decided and can check it without
the system. ``memos.documents.archival.attach_associated_file`` does the attaching (the PDF/A-3
rules for associated files live there). Attach before the PDF is signed:
the signature then covers the record too.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field

import pikepdf

from memos.documents.archival import attach_associated_file

from . import chain

FILENAME = "decision-chain.json"
MIME = "application/json"
DESCRIPTION = "Decision record (hash chain) / บันทึกการพิจารณา"


def chain_file(memo: dict, records: list[dict], certificate: str | None = None) -> bytes:
    """The attached file's bytes: the memo's register entry, its records and the certificate whose
    key signed them (a checker needs nothing else)."""
    return chain.canonical({"format": chain.FORMAT, "memo": memo, "records": records, "certificate": certificate})


def attach_chain(pdf: bytes, data: bytes) -> bytes:
    """``pdf`` with the chain file attached (replacing an older one of the same name)."""
    return attach_associated_file(pdf, FILENAME, data, MIME, "Data", DESCRIPTION)


def read_chain(pdf: bytes) -> dict | None:
    """The attached chain file, parsed, or None when the PDF has none (or cannot be read)."""
    try:
        with pikepdf.open(io.BytesIO(pdf)) as doc:
            spec = doc.attachments.get(FILENAME)
            if spec is None:
                return None
            return json.loads(spec.get_file().read_bytes().decode("utf-8"))
    except (pikepdf.PdfError, ValueError, KeyError):
        return None


@dataclass
class EmbeddedChain:
    """What ``verify_embedded_chain`` found: whether there is a record, the memo it names, its
    records, what is wrong with it and whether signatures were checked."""

    found: bool
    memo: dict = field(default_factory=dict)
    records: list[dict] = field(default_factory=list)
    problems: list[chain.Problem] = field(default_factory=list)
    signatures_checked: bool = False

    @property
    def intact(self) -> bool:
        return self.found and not self.problems

    def as_dict(self) -> dict:
        """For a JSON answer (``/api/verify/``, ``verify_document --json``)."""
        return {
            "found": self.found,
            "intact": self.intact,
            "records": len(self.records),
            "signatures_checked": self.signatures_checked,
            "problems": [{"seq": p.seq, "code": p.code, "message": str(p)} for p in self.problems],
        }


def verify_embedded_chain(pdf: bytes, verify: chain.Verifier | None = None) -> EmbeddedChain:
    """Check the decision record attached to ``pdf``: every hash and link, and the signatures with
    ``verify`` (e.g. the server key's ``verify_bytes``) or else the certificate the file carries.
    Only the record is checked here; whether the certificate is the agency's (a trusted root) is the
    PDF signature's check (``verify_document``)."""
    data = read_chain(pdf)
    if data is None:
        return EmbeddedChain(found=False)
    records = data.get("records") or []
    if verify is None and data.get("certificate"):
        verify = chain.certificate_verifier(data["certificate"])
    problems = verify_chain_file(data, verify)
    return EmbeddedChain(True, data.get("memo") or {}, records, problems, verify is not None)


def verify_chain_file(data: dict, verify: chain.Verifier | None) -> list[chain.Problem]:
    problems = []
    if data.get("format") != chain.FORMAT:
        problems.append(chain.Problem(None, "format", f"ไม่ใช่บันทึกการพิจารณารูปแบบ {chain.FORMAT}"))
    return problems + chain.verify_chain(data.get("records") or [], verify, memo=(data.get("memo") or {}).get("id"))
