"""The decision record (issue 11 item 3): built through the HTTP API, append-only in the database,
a broken link found by verify_chain, by the export check and in an issued PDF; no fork under races."""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import os
import sqlite3
import subprocess
import sys
import threading
import zipfile

import pikepdf
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, connections, transaction
from django.utils import timezone

from memos import history, issuing, records
from memos.models import Announcement, DecisionRecord, IssuedDocument, Memo, MemoState
from memos.models.memo import AppendOnlyError
from memos.signing import chain
from memos.signing.embedded import FILENAME, read_chain, verify_embedded_chain

from .conftest import ROUTE_USERS, create_memo, my_task
from .test_append_only import ROOT, _insert

pytestmark = pytest.mark.django_db


def submit(api, pk):
    r = api("rewadee").post(f"/api/memos/{pk}/submit/")
    assert r.status_code == 200, r.content


def decide(api, user, decision, comment=""):
    r = api(user).post(f"/api/tasks/{my_task(api, user)}/decide/", {"decision": decision, "comment": comment},
                       format="json")
    assert r.status_code == 200, r.content


def approved(api) -> Memo:
    m = create_memo(api, announcement={"subject": "ประกาศผลการประเมิน", "paragraphs": ["ตามที่ ..."]})
    submit(api, m["id"])
    for user, kind in zip(ROUTE_USERS, ("endorse", "endorse", "endorse", "approve"), strict=True):
        decide(api, user, kind, f"ความเห็น {user}")
    return Memo.objects.get(pk=m["id"])


@pytest.fixture
def issued(api) -> Memo:
    memo = approved(api)
    with transaction.atomic():
        assert issuing.issue(memo.pk) is True
    memo.refresh_from_db()
    assert memo.state == MemoState.ISSUED
    return memo


def key_and_certificate():
    """A throw-away ECDSA key and self-signed certificate, for signatures checked offline."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ทดสอบ")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now).not_valid_after(now + dt.timedelta(days=1))
            .sign(key, hashes.SHA256()))
    return key, cert.public_bytes(serialization.Encoding.PEM).decode("ascii")


# --- the chain, built through the real path


def test_every_step_appends_a_linked_record(api, issued):
    chain_records = records.chain_of(issued)
    assert [r["action"] for r in chain_records] == ["submitted", "endorse", "endorse", "endorse", "approve", "issued"]
    assert [r["seq"] for r in chain_records] == [1, 2, 3, 4, 5, 6]
    assert chain_records[0]["prev_sha256"] == chain.GENESIS
    for before, after in zip(chain_records, chain_records[1:], strict=False):
        assert after["prev_sha256"] == before["sha256"]
    assert chain.verify_chain(chain_records) == []
    # content frozen at submit: every record of the round carries the submit's content hash
    assert len({r["content_sha256"] for r in chain_records}) == 1
    # the decision fields: who, in what capacity, what, when
    submitted, *decisions, approve, issue = chain_records
    assert submitted["fields"]["official"] == "นางสาวเรวดี ศรีสุขใส" and submitted["fields"]["number"] == issued.number_display
    acting = chain_records[3]["fields"]
    assert acting["official"] == "นายวรวิทย์ หัวแหลม" and acting["capacity"] == "รักษาราชการแทน"
    assert acting["signing_for"] == "ปลัดเทศบาลตำบลคลองพน" and acting["comment"] == "ความเห็น worawit"
    decision = issued.decisions.get(step=4)
    assert approve["fields"]["time"] == decision.decided_at.astimezone(dt.UTC).isoformat(timespec="microseconds")
    assert issue["fields"]["documents"] == dict(IssuedDocument.objects.filter(memo=issued).values_list("kind", "sha256"))
    # the withdrawal appends one more
    Announcement.objects.get(memo=issued).withdraw(None)
    assert [r["action"] for r in records.chain_of(issued)][-1] == "withdrawn"
    assert chain.verify_chain(records.chain_of(issued)) == []
    # the API exposes the chain, additively
    detail = api("rewadee").get(f"/api/memos/{issued.pk}/").json()
    assert [(r["seq"], r["action"]) for r in detail["records"]][:2] == [(1, "submitted"), (2, "endorse")]
    assert detail["records"][-1]["sha256"] == records.chain_of(issued)[-1]["sha256"]


def test_a_resubmit_starts_a_new_round_with_a_new_content_hash(api):
    m = create_memo(api)
    submit(api, m["id"])
    decide(api, "anchana", "endorse", "ผ่าน")
    decide(api, "thatsanee", "return", "โปรดแนบรายงานฉบับเต็ม")
    assert api("rewadee").patch(f"/api/memos/{m['id']}/", {"subject": "เรื่องที่แก้ไขแล้ว"},
                                format="json").status_code == 200
    submit(api, m["id"])
    chain_records = records.chain_of(Memo.objects.get(pk=m["id"]))
    assert [r["action"] for r in chain_records] == ["submitted", "endorse", "return", "submitted"]
    assert chain_records[2]["fields"]["comment"] == "โปรดแนบรายงานฉบับเต็ม"
    first, second = chain_records[0]["content_sha256"], chain_records[3]["content_sha256"]
    assert first == chain_records[1]["content_sha256"] == chain_records[2]["content_sha256"] and first != second
    assert chain.verify_chain(chain_records) == []
    # a content change without a submit is caught
    forged = [dict(r) for r in chain_records[:2]]
    forged[1]["content_sha256"] = second
    forged[1]["sha256"] = chain.record_sha256(forged[1])
    assert [p.code for p in chain.verify_chain(forged)] == ["content"]


# --- append-only


def test_records_are_never_changed_or_deleted(issued):
    record = DecisionRecord.objects.filter(memo=issued).first()
    for attempt in (record.save, record.delete, DecisionRecord.objects.filter(memo=issued).delete):
        with pytest.raises(AppendOnlyError), transaction.atomic():
            attempt()
    for sql in [
        "UPDATE memos_decisionrecord SET fields = '{}' WHERE memo_id = %s",
        "UPDATE memos_decisionrecord SET sha256 = 'x' WHERE memo_id = %s",
        "DELETE FROM memos_decisionrecord WHERE memo_id = %s",
    ]:
        with pytest.raises(IntegrityError) as refused, transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql, [issued.pk])
        assert "memos_decisionrecord is append-only" in str(refused.value)
    assert DecisionRecord.objects.filter(memo=issued).count() == 6


def test_the_same_guard_holds_on_sqlite(tmp_path):
    """The embedded default (make run) is SQLite: a fresh database refuses the same raw SQL."""
    path = tmp_path / "db.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{path}"}
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    db = sqlite3.connect(path, isolation_level=None)
    memo = _insert(db, "memos_memo", state="in_review", number=1, register_year=2026, date="2026-01-01",
                   sections="[]")
    _insert(db, "memos_decisionrecord", memo_id=memo, seq=1, fields="{}", sha256="a" * 64)
    for sql in ("UPDATE memos_decisionrecord SET fields = '[]'", "DELETE FROM memos_decisionrecord"):
        with pytest.raises(sqlite3.IntegrityError, match="memos_decisionrecord is append-only"):
            db.execute(sql)
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):  # no second record after the same one
        _insert(db, "memos_decisionrecord", memo_id=memo, seq=1, fields="{}", sha256="b" * 64)


def test_a_second_record_with_the_same_seq_is_refused(issued):
    """A fork (two records after the same one) is impossible in the database, lock or no lock."""
    last = DecisionRecord.objects.filter(memo=issued).order_by("-seq").first()
    with pytest.raises(IntegrityError), transaction.atomic():
        DecisionRecord.objects.create(memo=issued, seq=last.seq, action="issued", fields={}, content_sha256="0",
                                      prev_sha256=last.prev_sha256, sha256="f" * 64, at=timezone.now())


# --- verification: a broken link is found


def test_verify_chain_finds_an_edit_a_relinked_edit_a_removal_and_a_bad_signature():
    key, pem = key_and_certificate()

    def sign(data):
        return key.sign(data, ec.ECDSA(hashes.SHA256()))

    built, prev = [], chain.GENESIS
    for seq, action in enumerate(["submitted", "endorse", "approve"], 1):
        r = chain.make_record(7, seq, action, {"comment": f"ความเห็นที่ {seq}", "official": "นายก"}, "c" * 64, prev, sign)
        built.append(r)
        prev = r["sha256"]
    verify = chain.certificate_verifier(pem)
    assert chain.verify_chain(built, verify) == []

    edited = json.loads(json.dumps(built))
    edited[1]["fields"]["comment"] = "ไม่เห็นชอบ"
    assert [(p.seq, p.code) for p in chain.verify_chain(edited)] == [(2, "hash")]
    # re-hashing the edited record moves the break to the next link, and its signature fails
    edited[1]["sha256"] = chain.record_sha256(edited[1])
    assert [(p.seq, p.code) for p in chain.verify_chain(edited, verify)] == [(2, "signature"), (3, "link")]
    # removing a record
    assert {p.code for p in chain.verify_chain([built[0], built[2]])} == {"seq", "link"}
    # NFC: the same Thai typed with a decomposed sara am hashes the same
    decomposed = json.loads(json.dumps(built))
    decomposed[0]["fields"]["comment"] = decomposed[0]["fields"]["comment"].replace("ำ", "\u0e4d\u0e32")
    assert chain.record_sha256(decomposed[0]) == built[0]["sha256"]
    # a key that is not the certificate's
    other = ec.generate_private_key(ec.SECP256R1())
    wrong = dict(built[0], signature=base64.b64encode(other.sign(chain.signed_bytes(built[0]),
                                                                  ec.ECDSA(hashes.SHA256()))).decode())
    assert [p.code for p in chain.verify_chain([wrong, *built[1:]], verify)] == ["signature"]


def _replace_attachment(pdf: bytes, data: bytes) -> bytes:
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        spec = doc.attachments[FILENAME]
        spec.obj.EF.F.write(data)
        out = io.BytesIO()
        doc.save(out)
        return out.getvalue()


def test_the_issued_memo_carries_and_prints_its_chain(issued, tmp_path):
    pdf = bytes(IssuedDocument.objects.get(memo=issued, kind="memo").pdf)
    result = verify_embedded_chain(pdf)
    assert result.intact, result.problems
    assert result.signatures_checked and all(r["signature"] for r in result.records)
    assert [r["action"] for r in result.records] == ["submitted", "endorse", "endorse", "endorse", "approve"]
    assert result.memo["number"] == issued.number_display
    assert [r["sha256"] for r in result.records] == [r["sha256"] for r in records.chain_of(issued)[:5]]
    # a PDF/A-3 associated file
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        assert [str(f.AFRelationship) for f in doc.Root.AF] == ["/Data"]
    # printed: the heading and each step's hash prefix
    path = tmp_path / "memo.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True).stdout
    assert "ประวัติการพิจารณา" in text
    for r in result.records:
        assert r["sha256"][:12] in text
    assert "รักษาราชการแทน ปลัดเทศบาล" in text  # the history row, not the endorsement (which breaks after แทน)

    data = read_chain(pdf)
    data["records"][2]["fields"]["comment"] = "แก้ไขภายหลัง"
    broken = verify_embedded_chain(_replace_attachment(pdf, chain.canonical(data)))
    assert broken.found and not broken.intact
    # the edit breaks the record's hash and its signature (made by the agency key at decision time)
    assert [(p.seq, p.code) for p in broken.problems] == [(3, "hash"), (3, "signature")]
    assert not verify_embedded_chain(b"%PDF-1.7 not a pdf").found


# --- the auditor's export


def test_export_register_is_checked_offline_and_a_broken_link_is_found(issued, tmp_path):
    year = issued.register_year + 543
    out = tmp_path / "register.zip"
    call_command("export_register", "--year", str(year), "-o", str(out))
    with zipfile.ZipFile(out) as z:
        assert sorted(z.namelist()) == ["README.txt", "check_register.py", "register.json"]
        export = json.loads(z.read("register.json"))
        z.extractall(tmp_path / "x")
    entry = next(m for m in export["memos"] if m["id"] == issued.pk)
    assert entry["number"] == issued.number_display and entry["state"] == "issued"
    assert entry["to"] == issued.addressee and len(entry["records"]) == 6
    call_command("check_register", str(out))  # intact: no error
    standalone = [sys.executable, str(tmp_path / "x" / "check_register.py")]
    ok = subprocess.run([*standalone, str(tmp_path / "x" / "register.json")], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout + ok.stderr

    entry["records"][1]["fields"]["comment"] = "แก้ไขภายหลัง"
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(export, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CommandError, match="พบปัญหา"):
        call_command("check_register", str(broken))
    bad = subprocess.run([*standalone, str(broken)], capture_output=True, text=True)
    assert bad.returncode == 1 and "ลำดับที่ 2" in bad.stdout
    # another year has none of it
    empty = tmp_path / "empty.json"
    call_command("export_register", "--year", str(year + 1), "-o", str(empty))
    assert json.loads(empty.read_text(encoding="utf-8"))["memos"] == []


# --- races


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_never_fork_the_chain(api):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    m = create_memo(api)
    submit(api, m["id"])
    memo = Memo.objects.get(pk=m["id"])
    n = 8
    barrier = threading.Barrier(n)
    errors: list[Exception] = []

    def worker():
        try:
            barrier.wait()
            with transaction.atomic():
                history.log(Memo.objects.get(pk=memo.pk), None, "withdrawn", announcement=None)
        except Exception as exc:  # collected: a thread's failure must fail the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    chain_records = records.chain_of(memo)
    assert [r["seq"] for r in chain_records] == list(range(1, n + 2))
    assert chain.verify_chain(chain_records) == []


def test_a_key_that_cannot_sign_leaves_the_record_unsigned_not_the_decision_refused(api, settings, tmp_path):
    settings.SIGNING_PKCS12_PATH = str(tmp_path / "missing.p12")  # a token unplugged, a file moved
    m = create_memo(api)
    submit(api, m["id"])
    decide(api, "anchana", "endorse", "ผ่าน")
    chain_records = records.chain_of(Memo.objects.get(pk=m["id"]))
    assert [r["signature"] for r in chain_records] == [None, None]
    assert chain.verify_chain(chain_records) == []  # the links hold
    assert [p.code for p in chain.verify_chain(chain_records, lambda data, sig: True)] == ["unsigned", "unsigned"]


def test_verify_document_finds_a_broken_link_in_the_attached_record(issued, tmp_path):
    pdf = bytes(IssuedDocument.objects.get(memo=issued, kind="memo").pdf)
    data = read_chain(pdf)
    data["records"][1]["fields"]["comment"] = "แก้ไขภายหลัง"
    path = tmp_path / "edited.pdf"
    path.write_bytes(_replace_attachment(pdf, chain.canonical(data)))
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_status:
        call_command("verify_document", str(path), stdout=out)
    assert exit_status.value.code == 1  # modified
    assert "decision_record_broken" in out.getvalue()
