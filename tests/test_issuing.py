"""What decisions owe (outbox rows), issuing's guarantees, and who may see the results.
The worker's real runs are in tests/e2e; these check the rules in-process."""

from __future__ import annotations

import datetime as dt
from xml.etree import ElementTree

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone
from viewflow.workflow.models import Task

from memos import issuing
from memos.models import Announcement, IssuedDocument, Memo, MemoState, OutboxMessage
from workflow.reminders import remind_waiting_tasks, working_days_between

from .conftest import ROUTE_USERS, create_memo, my_task

pytestmark = pytest.mark.django_db


def run_chain(api, decisions=("endorse", "endorse", "endorse", "approve"), **memo):
    m = create_memo(api, announcement={"subject": "ประกาศผลการประเมิน", "paragraphs": ["ตามที่ ..."]}, **memo)
    assert api("rewadee").post(f"/api/memos/{m['id']}/submit/").status_code == 200
    for user, decision in zip(ROUTE_USERS, decisions, strict=False):
        r = api(user).post(f"/api/tasks/{my_task(api, user)}/decide/",
                           {"decision": decision, "comment": f"ความเห็น {user}"}, format="json")
        assert r.status_code == 200, r.content
    return Memo.objects.get(pk=m["id"])


def mails():
    return list(OutboxMessage.objects.filter(key__startswith="mail:").order_by("id"))


def test_each_reviewer_is_owed_one_email_and_approval_owes_the_issue(api):
    memo = run_chain(api)
    rows = mails()
    assert [r.payload["to"] for r in rows] == [[f"{u}@klongphon.example"] for u in ROUTE_USERS]
    assert all(r.key.startswith("mail:task:") and r.memo_id == memo.pk for r in rows)
    assert "รักษาราชการแทน ปลัดเทศบาลตำบลคลองพน" in rows[2].payload["text"]  # the acting official
    assert memo.number_display.split("/")[1] in rows[0].payload["text"]
    issue = OutboxMessage.objects.get(key=f"issue:{memo.pk}")
    assert issue.state == "pending" and issue.task == "worker.tasks.issue_memo"


def test_return_and_reject_email_the_drafter_with_the_reason(api):
    memo = run_chain(api, decisions=("return",))
    returned = mails()[-1]
    assert returned.payload["to"] == ["rewadee@klongphon.example"]
    assert "ความเห็น anchana" in returned.payload["text"] and "ส่งคืน" in returned.payload["subject"]
    assert api("rewadee").post(f"/api/memos/{memo.pk}/submit/").status_code == 200
    r = api("anchana").post(f"/api/tasks/{my_task(api, 'anchana')}/decide/",
                            {"decision": "reject", "comment": "ไม่เห็นด้วย"}, format="json")
    assert r.status_code == 200
    last = mails()[-1]
    assert last.key == f"mail:rejected:{memo.pk}" and "ไม่เห็นด้วย" in last.payload["text"]
    # round two's task email is a new one: the key is the task, not the memo
    assert sum(r.payload["to"] == ["anchana@klongphon.example"] for r in mails()) == 2


def test_markup_in_a_subject_is_escaped_in_the_html_email(api):
    run_chain(api, decisions=(), subject="<b>ตัวหนา</b> & <script>x</script>")
    msg = mails()[0].payload
    assert "&lt;b&gt;ตัวหนา&lt;/b&gt;" in msg["html"] and "<script>" not in msg["html"]
    assert "<b>ตัวหนา</b> & <script>x</script>" in msg["text"]


def test_issuing_twice_makes_one_set_of_documents(api):
    memo = run_chain(api)
    with transaction.atomic():
        assert issuing.issue(memo.pk) is True
    with transaction.atomic():
        assert issuing.issue(memo.pk) is False
    memo.refresh_from_db()
    assert memo.state == MemoState.ISSUED
    assert sorted(memo.documents.values_list("kind", flat=True)) == ["announcement", "memo"]
    ann = Announcement.objects.get(memo=memo)
    assert ann.signer_name == "นายพิเชษฐ์ คีตรอบ" and ann.published_at is not None
    assert OutboxMessage.objects.filter(key=f"mail:issued:{memo.pk}").count() == 1
    # and the database itself refuses a second memo PDF
    doc = memo.documents.get(kind="memo")
    with pytest.raises(IntegrityError), transaction.atomic():
        IssuedDocument.objects.create(memo=memo, kind="memo", pdf=b"x", sha256=doc.sha256, size=1)


def test_issuing_a_memo_that_is_not_approved_is_refused(api):
    memo = run_chain(api, decisions=("endorse",))
    from memos.errors import Conflict

    with pytest.raises(Conflict), transaction.atomic():
        issuing.issue(memo.pk)
    assert not memo.documents.exists()


def test_memo_pdf_is_for_the_drafter_reviewers_and_staff_only(api):
    memo = run_chain(api)
    with transaction.atomic():
        issuing.issue(memo.pk)
    url = f"/memos/{memo.pk}/pdf/"
    assert Client().get(url).status_code == 302  # anonymous: to the login page
    for username in ["rewadee", "anchana", "phichet", "admin"]:
        c = Client()
        c.force_login(get_user_model().objects.get(username=username))
        r = c.get(url)
        assert r.status_code == 200 and r["Content-Type"] == "application/pdf", username
    outsider = get_user_model().objects.create_user("outsider", password="x")
    c = Client()
    c.force_login(outsider)
    assert c.get(url).status_code == 404
    assert api("anchana").get(f"/api/memos/{memo.pk}/pdf/?kind=announcement").status_code == 200
    assert api("anchana").get(f"/api/memos/{memo.pk}/pdf/?kind=letter").status_code == 400


def test_the_feed_carries_announcement_text_as_text_never_markup(api):
    """The Atom summary is typed html: a feed reader renders what it holds, so the text must come
    escaped (found by an attack: a script in an announcement reached feed readers live)."""
    m = create_memo(api, announcement={"subject": "ประกาศ <b>ตัวหนา</b>",
                                       "paragraphs": ["ข้อความ <script>alert(5)</script> & อื่น ๆ"]})
    assert api("rewadee").post(f"/api/memos/{m['id']}/submit/").status_code == 200
    for user in ROUTE_USERS:
        r = api(user).post(f"/api/tasks/{my_task(api, user)}/decide/", {"decision": "endorse", "comment": "ok"},
                           format="json")
        assert r.status_code == 200
    with transaction.atomic():
        issuing.issue(m["id"])
    feed = ElementTree.fromstring(Client().get("/announcements/feed/").content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entry = feed.find("a:entry", ns)
    summary = entry.find("a:summary", ns)
    assert summary.get("type") == "html"
    html = summary.text  # what a feed reader renders as HTML
    assert "<script" not in html and "&lt;script&gt;alert(5)&lt;/script&gt; &amp; อื่น" in html
    assert entry.find("a:title", ns).text.endswith("เรื่อง ประกาศ <b>ตัวหนา</b>")  # a text title: as typed


def test_only_published_announcements_are_public(api):
    memo = run_chain(api)
    with transaction.atomic():
        issuing.issue(memo.pk)
    ann = Announcement.objects.get(memo=memo)
    c = Client()
    assert ann.subject in c.get("/announcements/").content.decode()
    feed = c.get("/announcements/feed/").content.decode()
    assert f'href="{settings.SITE_URL}/announcements/{ann.pk}/pdf/"' in feed and 'rel="enclosure"' in feed
    assert c.get(f"/announcements/{ann.pk}/").status_code == 200
    assert c.get(f"/announcements/{ann.pk}/pdf/").status_code == 200
    Announcement.objects.filter(pk=ann.pk).update(published_at=None)  # withdrawn by staff
    assert ann.subject not in c.get("/announcements/").content.decode()
    assert ann.subject not in c.get("/announcements/feed/").content.decode()
    assert c.get(f"/announcements/{ann.pk}/").status_code == 404
    assert c.get(f"/announcements/{ann.pk}/pdf/").status_code == 404
    assert c.get(f"/memos/{memo.pk}/").status_code == 302  # memos are never public


def test_working_days_skip_weekends_and_thai_holidays():
    # Fri 3 Apr 2026 → Tue 7 Apr 2026: Mon 6 Apr is Chakri Memorial Day
    assert working_days_between(dt.date(2026, 4, 3), dt.date(2026, 4, 7)) == 1
    assert working_days_between(dt.date(2026, 11, 20), dt.date(2026, 11, 27)) == 5


def test_a_waiting_task_gets_one_reminder_per_period(api, settings):
    settings.REMINDER_WORKING_DAYS = 3
    memo = run_chain(api, decisions=())
    task = Task.objects.get(pk=my_task(api, "anchana"))
    created = timezone.localdate(task.created)
    assert remind_waiting_tasks(created + dt.timedelta(days=1)) == 0
    later = created + dt.timedelta(days=14)
    remind_waiting_tasks(later)
    remind_waiting_tasks(later)  # beat may run twice: still one reminder
    rows = OutboxMessage.objects.filter(key__startswith=f"mail:reminder:{task.pk}:")
    assert rows.count() == 1
    assert rows[0].payload["to"] == ["anchana@klongphon.example"] and rows[0].memo_id == memo.pk
    assert "เตือน" in rows[0].payload["subject"]
