"""Issued records cannot be erased or rewritten (issue 9, point 2): not through the admin, not
through the models, not even with raw SQL, on PostgreSQL and on SQLite alike."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.test import Client
from viewflow.workflow.models import Process, Task

from memos import issuing
from memos.models import (
    Announcement,
    Decision,
    HistoryEntry,
    IssuedDocument,
    Memo,
    MemoState,
    OutboxMessage,
    RegisterCounter,
)
from memos.models.memo import AppendOnlyError
from workflow.models import MemoProcess

from .conftest import ROUTE_USERS, my_task
from .test_issuing import run_chain

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent

# Each is refused by the database; {memo} is an issued memo with an announcement.
REFUSED = [
    "UPDATE memos_decision SET comment = 'rewritten' WHERE memo_id = {memo}",
    "UPDATE memos_decision SET decision = 'reject' WHERE memo_id = {memo}",
    "DELETE FROM memos_decision WHERE memo_id = {memo}",
    "UPDATE memos_historyentry SET action = 'rewritten' WHERE memo_id = {memo}",
    "DELETE FROM memos_historyentry WHERE memo_id = {memo}",
    "UPDATE memos_issueddocument SET sha256 = 'rewritten' WHERE memo_id = {memo}",
    "DELETE FROM memos_issueddocument WHERE memo_id = {memo}",
    "UPDATE memos_announcement SET subject = 'rewritten' WHERE memo_id = {memo}",
    "UPDATE memos_announcement SET published_at = '2001-01-01 00:00:00' WHERE memo_id = {memo}",
    "DELETE FROM memos_announcement WHERE memo_id = {memo}",
    "DELETE FROM memos_memo WHERE id = {memo}",
    "UPDATE memos_memo SET number = number + 1000 WHERE id = {memo}",
    "UPDATE memos_memo SET number = NULL WHERE id = {memo}",
    "UPDATE memos_memo SET register_year = 1999 WHERE id = {memo}",
    "UPDATE memos_memo SET date = '2001-01-01' WHERE id = {memo}",
    "UPDATE memos_memo SET subject = 'rewritten' WHERE id = {memo}",
    "UPDATE memos_memo SET state = 'returned' WHERE id = {memo}",
    "UPDATE memos_registercounter SET last_number = last_number - 1",
    "DELETE FROM memos_registercounter",
]
# What the app itself does to such rows, and still may.
ALLOWED = [
    "UPDATE memos_decision SET superseded = TRUE WHERE memo_id = {memo}",  # a resubmit
    "UPDATE memos_announcement SET published_at = NULL WHERE memo_id = {memo}",  # withdraw
    "UPDATE memos_memo SET updated_at = CURRENT_TIMESTAMP WHERE id = {memo}",
    "UPDATE memos_registercounter SET last_number = last_number + 1",  # the next number
]
# After the ones above: withdrawal is final, and superseded never goes back.
REFUSED_AFTER = [
    "UPDATE memos_announcement SET published_at = CURRENT_TIMESTAMP WHERE memo_id = {memo}",
    "UPDATE memos_decision SET superseded = FALSE WHERE memo_id = {memo}",
]


@pytest.fixture
def issued(api) -> Memo:
    memo = run_chain(api)
    with transaction.atomic():
        issuing.issue(memo.pk)
    memo.refresh_from_db()
    assert memo.state == MemoState.ISSUED and memo.number is not None
    return memo


@pytest.fixture
def superuser() -> Client:
    c = Client()
    c.force_login(get_user_model().objects.get(username="admin", is_superuser=True))
    return c


def snapshot(memo: Memo) -> dict:
    """Everything the record is made of, to compare before and after an attempt."""
    return {
        "memo": list(Memo.objects.filter(pk=memo.pk).values("number", "register_year", "date", "subject",
                                                             "sections", "state")),
        "decisions": list(Decision.objects.filter(memo=memo).values().order_by("id")),
        "history": list(HistoryEntry.objects.filter(memo=memo).values().order_by("id")),
        "documents": list(IssuedDocument.objects.filter(memo=memo).values("id", "kind", "sha256").order_by("id")),
        "announcement": list(Announcement.objects.filter(memo=memo).values()),
        "processes": list(MemoProcess.objects.filter(memo=memo).values_list("pk", flat=True)),
        "tasks": Task.objects.filter(process__memoprocess__memo=memo).count(),
        "outbox": OutboxMessage.objects.filter(memo=memo).count(),
        "counter": list(RegisterCounter.objects.values_list("last_number", flat=True)),
    }


def test_raw_sql_cannot_rewrite_or_erase_issued_records(issued):
    before = snapshot(issued)
    for sql in REFUSED:
        with pytest.raises(IntegrityError) as refused, transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql.format(memo=issued.pk))
        table = sql.split()[2 if sql.startswith("DELETE") else 1]
        assert table in str(refused.value), (sql, refused.value)
    assert snapshot(issued) == before
    with connection.cursor() as cur:
        for sql in ALLOWED:
            cur.execute(sql.format(memo=issued.pk))
    for sql in REFUSED_AFTER:
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql.format(memo=issued.pk))


def test_the_models_refuse_with_a_clear_error(issued):
    before = snapshot(issued)
    decision = issued.decisions.first()
    process = Process.objects.get(pk=issued.processes.first().pk)
    for delete in [
        issued.delete,
        decision.delete,
        issued.history.first().delete,
        issued.documents.first().delete,
        Announcement.objects.get(memo=issued).delete,
        process.delete,  # viewflow's process: it would take the memo's round with it
        issued.processes.first().delete,
    ]:
        with pytest.raises(AppendOnlyError), transaction.atomic():
            delete()
    # in bulk, a PROTECT foreign key may refuse first (ProtectedError): refused all the same
    for delete in [
        issued.decisions.all().delete,
        issued.history.all().delete,
        issued.documents.all().delete,
        Announcement.objects.filter(memo=issued).delete,
        Process.objects.filter(pk=process.pk).delete,
        Memo.objects.filter(pk=issued.pk).delete,
    ]:
        with pytest.raises((AppendOnlyError, ProtectedError)), transaction.atomic():
            delete()
    decision.comment = "rewritten"
    announcement = Announcement.objects.get(memo=issued)
    announcement.subject = "rewritten"
    document = issued.documents.first()
    document.sha256 = "rewritten"
    for record in (decision, announcement, document, issued.history.first()):
        with pytest.raises(AppendOnlyError), transaction.atomic():
            record.save()
    issued.number += 1
    with pytest.raises(AppendOnlyError), transaction.atomic():
        issued.save()
    assert snapshot(issued) == before


def test_the_admin_shows_an_issued_memo_read_only(issued, superuser):
    """The memo change page was a 500 (``created_at``, not editable, in the outbox inline)."""
    page = superuser.get(f"/admin/memos/memo/{issued.pk}/change/")
    assert page.status_code == 200
    text = page.content.decode()
    assert issued.subject in text and issued.documents.first().sha256 in text
    assert 'name="subject"' not in text and 'name="_save"' not in text
    announcement = Announcement.objects.get(memo=issued)
    page = superuser.get(f"/admin/memos/announcement/{announcement.pk}/change/")
    assert page.status_code == 200 and 'name="subject"' not in page.content.decode()
    assert superuser.get(f"/admin/viewflow/process/{issued.processes.first().pk}/change/").status_code == 200


def test_a_superuser_cannot_delete_or_change_an_issued_memo_in_the_admin(issued, superuser):
    before = snapshot(issued)
    announcement = Announcement.objects.get(memo=issued)
    process = issued.processes.first()
    task = Task.objects.filter(process=process).first()
    outbox = OutboxMessage.objects.filter(memo=issued).first()

    for url in [
        f"/admin/memos/memo/{issued.pk}/delete/",
        f"/admin/memos/announcement/{announcement.pk}/delete/",
        f"/admin/viewflow/process/{process.pk}/delete/",
        f"/admin/viewflow/task/{task.pk}/delete/",
        f"/admin/memos/outboxmessage/{outbox.pk}/delete/",
    ]:
        assert superuser.get(url).status_code == 403, url
        assert superuser.post(url, {"post": "yes"}).status_code == 403, url

    # the change form, with the inlines' delete boxes ticked: refused whole
    form = {"subject": "rewritten", "addressee": "rewritten", "sections": "[]"}
    for prefix, rows in (("decisions", issued.decisions.all()), ("history", issued.history.all()),
                         ("documents", issued.documents.all()), ("outbox", issued.outbox.all())):
        form.update({f"{prefix}-TOTAL_FORMS": len(rows), f"{prefix}-INITIAL_FORMS": len(rows)})
        for i, row in enumerate(rows):
            form.update({f"{prefix}-{i}-id": row.pk, f"{prefix}-{i}-DELETE": "on"})
    assert superuser.post(f"/admin/memos/memo/{issued.pk}/change/", form).status_code == 403
    r = superuser.post(f"/admin/memos/announcement/{announcement.pk}/change/", {"subject": "rewritten"})
    assert r.status_code == 403

    # the changelists' bulk delete is not offered; asking for it anyway deletes nothing
    for url, pk in [("/admin/memos/memo/", issued.pk), ("/admin/memos/announcement/", announcement.pk),
                    ("/admin/viewflow/process/", process.pk)]:
        assert "delete_selected" not in superuser.get(url).content.decode()
        r = superuser.post(url, {"action": "delete_selected", "_selected_action": [pk], "post": "yes"})
        assert r.status_code in (200, 302), url

    assert snapshot(issued) == before


def test_viewflows_frontend_has_no_way_to_erase_the_memos_records(issued, superuser):
    """/memo/ (viewflow's process pages) offers no delete; what it does offer on a finished
    round (undo, revive, cancel) answers without a 500 and leaves the memo's records as they were."""
    before = snapshot(issued)
    process = issued.processes.first()
    for task in Task.objects.filter(process=process).order_by("-id"):
        for action in ("undo", "revive", "cancel"):
            r = superuser.post(f"/memo/{process.pk}/{task.flow_task.name}/{task.pk}/{action}/")
            assert r.status_code in (302, 403, 404), (task.flow_task.name, action, r.status_code)
    assert superuser.post(f"/memo/{process.pk}/cancel/").status_code in (302, 403)
    after = snapshot(issued)
    assert {k: v for k, v in after.items() if k != "tasks"} == {k: v for k, v in before.items() if k != "tasks"}


def test_withdrawing_an_announcement_is_recorded_and_keeps_the_record(issued, superuser):
    announcement = Announcement.objects.get(memo=issued)
    public = Client()
    assert announcement.subject in public.get("/announcements/").content.decode()
    pdf = announcement.document.sha256

    r = superuser.post("/admin/memos/announcement/", {"action": "withdraw", "_selected_action": [announcement.pk]})
    assert r.status_code == 302
    entry = issued.history.last()
    assert entry.action == "withdrawn" and entry.actor.username == "admin"
    assert entry.detail["announcement"] == announcement.pk and entry.label == "ถอนประกาศจากการเผยแพร่"
    assert announcement.subject not in public.get("/announcements/").content.decode()
    assert announcement.subject not in public.get("/announcements/feed/").content.decode()
    assert public.get(f"/announcements/{announcement.pk}/").status_code == 404
    # the row and its PDF stay, for the record; the memo's readers still get the PDF
    announcement.refresh_from_db()
    assert announcement.published_at is None and announcement.document.sha256 == pdf
    assert superuser.get(f"/memos/{issued.pk}/pdf/").status_code == 200
    # withdrawing again changes nothing and writes nothing
    superuser.post("/admin/memos/announcement/", {"action": "withdraw", "_selected_action": [announcement.pk]})
    assert issued.history.filter(action="withdrawn").count() == 1
    # withdrawal is final
    with pytest.raises(IntegrityError), transaction.atomic():
        Announcement.objects.filter(pk=announcement.pk).update(published_at="2030-01-01T00:00:00Z")


def test_only_staff_who_may_change_announcements_can_withdraw(issued):
    announcement = Announcement.objects.get(memo=issued)
    viewer = get_user_model().objects.create_user("viewer", password="x", is_staff=True)
    from django.contrib.auth.models import Permission

    viewer.user_permissions.add(Permission.objects.get(codename="view_announcement"))
    c = Client()
    c.force_login(viewer)
    assert c.get(f"/admin/memos/announcement/{announcement.pk}/change/").status_code == 200
    c.post("/admin/memos/announcement/", {"action": "withdraw", "_selected_action": [announcement.pk]})
    announcement.refresh_from_db()
    assert announcement.published_at is not None


def test_a_returned_memo_is_resubmitted_with_its_earlier_decisions_superseded(api):
    memo = run_chain(api, decisions=("endorse", "return"))
    number, date = memo.number, memo.date
    assert api("rewadee").patch(f"/api/memos/{memo.pk}/", {"subject": "แก้ไขแล้ว"}, format="json").status_code == 200
    assert api("rewadee").post(f"/api/memos/{memo.pk}/submit/").status_code == 200
    memo.refresh_from_db()
    assert (memo.number, memo.date, memo.round, memo.subject) == (number, date, 2, "แก้ไขแล้ว")
    assert list(memo.decisions.values_list("superseded", flat=True)) == [True, True]
    r = api(ROUTE_USERS[0]).post(f"/api/tasks/{my_task(api, ROUTE_USERS[0])}/decide/",
                                 {"decision": "endorse", "comment": "รอบสอง"}, format="json")
    assert r.status_code == 200
    assert list(memo.decisions.values_list("superseded", flat=True)) == [True, True, False]
    # once under review again, the content is the submitted one
    with pytest.raises(IntegrityError), transaction.atomic():
        Memo.objects.filter(pk=memo.pk).update(subject="rewritten")


def _insert(db: sqlite3.Connection, table: str, **values) -> int:
    """A row with every NOT NULL column filled (foreign keys are not enforced by sqlite3 here)."""
    for _cid, name, type_, notnull, default, pk in db.execute(f"PRAGMA table_info({table})"):
        if pk or not notnull or default is not None or name in values:
            continue
        type_ = type_.lower()
        values[name] = (
            "2026-01-01 00:00:00" if "datetime" in type_ else "2026-01-01" if type_ == "date"
            else 1 if any(t in type_ for t in ("int", "bool", "real", "decimal")) else b"x" if "blob" in type_
            else "x"
        )
    names = ", ".join(f'"{n}"' for n in values)
    cur = db.execute(f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(values))})", list(values.values()))
    return cur.lastrowid


def test_the_same_guards_hold_on_sqlite(tmp_path):
    """The embedded default (make run) is SQLite: migrate a fresh one, then try the same SQL."""
    path = tmp_path / "db.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{path}"}

    def migrate(*target: str) -> int:
        subprocess.run([sys.executable, "manage.py", "migrate", *target, "--noinput", "-v0"], cwd=ROOT, env=env,
                       check=True)
        with sqlite3.connect(path) as db:
            return db.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger'").fetchone()[0]

    assert migrate() > 0
    assert migrate("memos", "0003") == 0  # the migration is reversible
    assert migrate() > 0

    db = sqlite3.connect(path, isolation_level=None)
    memo = _insert(db, "memos_memo", state="issued", number=1, register_year=2026, date="2026-01-01",
                   sections="[]")
    draft = _insert(db, "memos_memo", state="draft", sections="[]")
    _insert(db, "memos_decision", memo_id=memo, task_id=1, superseded=False)
    _insert(db, "memos_historyentry", memo_id=memo, detail="{}")
    doc = _insert(db, "memos_issueddocument", memo_id=memo)
    _insert(db, "memos_announcement", memo_id=memo, document_id=doc, paragraphs="[]",
            published_at="2026-01-01 00:00:00")
    _insert(db, "memos_registercounter", year=2026, last_number=1)

    def refused(sql: str) -> None:
        with pytest.raises(sqlite3.IntegrityError) as err:
            db.execute(sql.format(memo=memo))
        table = sql.split()[2 if sql.startswith("DELETE") else 1]
        assert table in str(err.value), (sql, err.value)

    for sql in REFUSED:
        refused(sql)
    for sql in ALLOWED:
        db.execute(sql.format(memo=memo))
    for sql in REFUSED_AFTER:
        refused(sql)
    # a draft is the drafter's to change, and is numbered once
    db.execute(f"UPDATE memos_memo SET subject = 'edited', number = 2, register_year = 2026 WHERE id = {draft}")
    refused(f"UPDATE memos_memo SET number = 3 WHERE id = {draft}")
    db.close()
