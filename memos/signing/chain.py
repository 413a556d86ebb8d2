"""The tamper-evident decision record (issue 11 item 3), as pure functions: no Django, no database.

Why pure: the same file checks a chain inside the application, inside an issued PDF and in an
auditor's export on a machine that has nothing of this project (the export ships this file as its
``check_register.py``: ``python check_register.py register.json``). Only the standard library is
needed; ``cryptography``, when installed, also checks the record signatures.

A record is a JSON object::

    {"memo": 12, "seq": 3, "action": "endorse",
     "fields": {"official": "…", "position": "…", "capacity": {...}, "decision": "endorse",
                "comment": "…", "time": "2026-11-27T09:30:00+00:00", "step": 2, "round": 1, …},
     "content_sha256": "…", "prev_sha256": "…", "sha256": "…", "signature": "<base64>" | null}

``sha256`` is SHA-256 over the canonical bytes of everything but ``sha256`` and ``signature``: the
previous record's hash (``GENESIS`` for the first), the memo's content hash at that moment and the
decision fields, so changing any record (a comment, a time, a name) or removing or reordering one
breaks every link after it. ``content_sha256`` is frozen at submit: within a round every record
repeats the submit's; only a new ``submitted`` record (a resubmit after a return) may change it.
``signature`` is the server key's signature over the same canonical bytes, made at decision time.
"""

from __future__ import annotations

import base64
import hashlib
import json
import sys
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass

GENESIS = "0" * 64
FORMAT = "memo-decision-chain/1"
REGISTER_FORMAT = "memo-register/1"
SUBMIT = "submitted"
# what a record's hash covers: all of the record but its own hash and signature
HASHED_KEYS = ("memo", "seq", "action", "fields", "content_sha256", "prev_sha256")

Verifier = Callable[[bytes, bytes], bool]


def _nfc(value):
    """Strings in NFC, recursively: the same Thai text typed two ways (ำ as one code point or as
    ํ + า) must hash the same."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, dict):
        return {_nfc(k): _nfc(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_nfc(v) for v in value]
    if isinstance(value, float):
        raise ValueError("floats are not canonical; write the number as text or an integer")
    return value


def normalise(value):
    """``value`` as it is hashed and stored: strings in NFC, tuples as lists."""
    return _nfc(value)


def canonical(value) -> bytes:
    """Sorted-key, compact JSON of ``value`` in UTF-8 with every string in NFC: one byte string
    for one meaning, whatever the key order or the Unicode form it was built with."""
    return json.dumps(_nfc(value), sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def content_sha256(content: dict) -> str:
    """The memo content hash: canonical JSON of its content fields (subject, sections, …)."""
    return sha256_hex(canonical(content))


def signed_bytes(record: dict) -> bytes:
    """The bytes a record's hash and signature are computed over."""
    return canonical({k: record.get(k) for k in HASHED_KEYS})


def record_sha256(record: dict) -> str:
    return sha256_hex(signed_bytes(record))


def make_record(memo: int, seq: int, action: str, fields: dict, content: str, prev: str,
                sign: Callable[[bytes], bytes | None] | None = None) -> dict:
    """A new record linked to ``prev`` (``GENESIS`` for the first), hashed and, with ``sign``, signed
    (a signer that returns None leaves it unsigned)."""
    record = {
        "memo": memo, "seq": seq, "action": action, "fields": normalise(fields),
        "content_sha256": content, "prev_sha256": prev,
    }
    record["sha256"] = record_sha256(record)
    signature = sign(signed_bytes(record)) if sign else None
    record["signature"] = base64.b64encode(signature).decode("ascii") if signature else None
    return record


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a chain: the record's seq (None for the chain as a whole), a stable
    code for programs and a Thai message for people."""

    seq: int | None
    code: str
    message: str

    def __str__(self) -> str:
        return f"ลำดับที่ {self.seq}: {self.message}" if self.seq is not None else self.message


def verify_chain(records: Iterable[dict], verify: Verifier | None = None,
                 memo: int | None = None) -> list[Problem]:
    """Everything wrong with a memo's records, in order; an empty list for an intact chain.

    Checks: seq is 1, 2, 3 …; each record's hash is recomputed; each ``prev_sha256`` is the hash
    of the record before (``GENESIS`` first); the chain starts with a submit; the content hash
    changes only at a submit; every record is of the same memo; and, with ``verify(data, sig)``,
    every signature."""
    problems: list[Problem] = []
    prev, content, memo_id = GENESIS, None, memo
    records = list(records)
    if not records:
        return [Problem(None, "empty", "ไม่มีบันทึกการพิจารณา")]
    for i, r in enumerate(records, 1):
        seq = r.get("seq")
        if seq != i:
            problems.append(Problem(seq, "seq", f"ลำดับไม่ต่อเนื่อง (ควรเป็น {i})"))
        if memo_id is None:
            memo_id = r.get("memo")
        elif r.get("memo") != memo_id:
            problems.append(Problem(seq, "memo", "เป็นบันทึกของหนังสือฉบับอื่น"))
        if r.get("prev_sha256") != prev:
            problems.append(Problem(seq, "link", "ค่าแฮชของลำดับก่อนหน้าไม่ตรงกัน (สายบันทึกขาด)"))
        try:
            actual = record_sha256(r)
        except (TypeError, ValueError):
            actual = None
        if actual != r.get("sha256"):
            problems.append(Problem(seq, "hash", "ค่าแฮชไม่ตรงกับเนื้อหา (บันทึกถูกแก้ไข)"))
        if i == 1 and r.get("action") != SUBMIT:
            problems.append(Problem(seq, "start", "สายบันทึกไม่ได้เริ่มที่การส่งเสนอ"))
        if r.get("action") != SUBMIT and content is not None and r.get("content_sha256") != content:
            problems.append(Problem(seq, "content", "เนื้อหาของหนังสือเปลี่ยนโดยไม่มีการส่งเสนอใหม่"))
        content = r.get("content_sha256")
        if verify is not None:
            problems.extend(_signature_problems(r, verify))
        prev = r.get("sha256")
    return problems


def _signature_problems(record: dict, verify: Verifier) -> list[Problem]:
    seq = record.get("seq")
    if not record.get("signature"):
        return [Problem(seq, "unsigned", "ไม่มีลายมือชื่ออิเล็กทรอนิกส์ของระบบ")]
    try:
        sig = base64.b64decode(record["signature"], validate=True)
        ok = verify(signed_bytes(record), sig)
    except Exception:  # a damaged signature or record is a failed check, not a crash
        ok = False
    return [] if ok else [Problem(seq, "signature", "ลายมือชื่ออิเล็กทรอนิกส์ของระบบไม่ถูกต้อง")]


def certificate_verifier(pem: str | bytes) -> Verifier | None:
    """``verify(data, sig)`` with the public key of a PEM certificate (RSA PKCS#1 v1.5 or ECDSA,
    SHA-256), or None when ``cryptography`` is not installed (signatures are then not checked)."""
    try:
        from cryptography import x509
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
    except ImportError:
        return None
    key = x509.load_pem_x509_certificate(pem.encode() if isinstance(pem, str) else pem).public_key()

    def verify(data: bytes, sig: bytes) -> bool:
        try:
            if isinstance(key, rsa.RSAPublicKey):
                try:
                    key.verify(sig, data, padding.PKCS1v15(), hashes.SHA256())
                except InvalidSignature:
                    key.verify(sig, data, padding.PSS(padding.MGF1(hashes.SHA256()), padding.PSS.AUTO),
                               hashes.SHA256())
            elif isinstance(key, ec.EllipticCurvePublicKey):
                key.verify(sig, data, ec.ECDSA(hashes.SHA256()))
            elif isinstance(key, ed25519.Ed25519PublicKey):
                key.verify(sig, data)
            else:
                return False
        except InvalidSignature:
            return False
        return True

    return verify


def check_register(export: dict, verify: Verifier | None = None) -> tuple[list[Problem], dict]:
    """Check an ``export_register`` file offline: every memo's chain, and its signatures with the
    certificate the export carries (or ``verify``). Returns (problems, counts)."""
    problems: list[Problem] = []
    if export.get("format") != REGISTER_FORMAT:
        problems.append(Problem(None, "format", f"ไม่ใช่แฟ้มทะเบียนรูปแบบ {REGISTER_FORMAT}"))
    certificate = export.get("certificate")
    if verify is None and certificate:
        verify = certificate_verifier(certificate)
    memos = export.get("memos") or []
    records = 0
    for entry in memos:
        chain = entry.get("records") or []
        records += len(chain)
        for p in verify_chain(chain, verify, memo=entry.get("id")):
            problems.append(Problem(p.seq, p.code, f"หนังสือที่ {entry.get('number')}: {p}"))
    counts = {"memos": len(memos), "records": records, "signatures_checked": verify is not None}
    return problems, counts


def _main(argv: list[str]) -> int:
    """``python check_register.py register.json``: prints what is wrong; exit status 1 if anything."""
    if len(argv) != 2:
        print("ใช้: python check_register.py register.json", file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as fh:
        export = json.load(fh)
    problems, counts = check_register(export)
    for p in problems:
        print(p)
    signed = "ตรวจลายมือชื่อแล้ว" if counts["signatures_checked"] else "ไม่ได้ตรวจลายมือชื่อ (ไม่มี cryptography)"
    print(f"หนังสือ {counts['memos']} ฉบับ บันทึกการพิจารณา {counts['records']} รายการ, {signed}: "
          + ("ถูกต้องครบถ้วน" if not problems else f"พบปัญหา {len(problems)} รายการ"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv))
