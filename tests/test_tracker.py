"""The step tracker: the route as steps with who, in what capacity, when, and how long the
current one has waited; on the memo page, the task page and in the API (``route``)."""

import datetime as dt

import pytest
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from memos import tracking
from memos.models import Memo
from workflow.models import MemoProcess

from .conftest import create_memo, login, my_task

pytestmark = pytest.mark.django_db


def _to_worawit(api) -> dict:
    """A memo endorsed by the first two steps: now with worawit, acting ปลัดเทศบาล."""
    m = create_memo(api, subject="ขอความเห็นชอบแผนพัฒนาท้องถิ่น")
    assert api("rewadee").post(f"/api/memos/{m['id']}/submit/").status_code == 200
    for user in ("anchana", "thatsanee"):
        r = api(user).post(f"/api/tasks/{my_task(api, user)}/decide/", {"decision": "endorse", "comment": "เห็นควร"},
                           format="json")
        assert r.status_code == 200, r.content
    return m


def test_route_status_reads_steps_decisions_and_the_open_task(api):
    m = _to_worawit(api)
    task_id = my_task(api, "worawit")
    Task.objects.filter(pk=task_id).update(created=timezone.now() - dt.timedelta(hours=2, minutes=5))
    memo = Memo.objects.get(pk=m["id"])
    steps = tracking.route_status(memo)
    assert [s.status for s in steps] == ["done", "done", "current", "pending"]
    done = steps[0].participants[0]
    assert done.official and done.decision == "endorse" and done.decided_at is not None
    current = steps[2].participants[0]
    assert current.official == "นายวรวิทย์ หัวแหลม"
    assert current.acting and current.capacity == "รักษาราชการแทน ปลัดเทศบาลตำบลคลองพน" and current.task_id == task_id
    assert tracking.waited(current.waiting_since) == "รอ ๒ ชั่วโมง"
    assert steps[3].participants[0].status == "pending" and steps[3].participants[0].official is None


def test_waiting_time_in_thai():
    now = timezone.now()
    assert tracking.waited(now - dt.timedelta(seconds=20), now) == "รอไม่ถึง ๑ นาที"
    assert tracking.waited(now - dt.timedelta(minutes=15), now) == "รอ ๑๕ นาที"
    assert tracking.waited(now - dt.timedelta(days=3, hours=5), now) == "รอ ๓ วัน"


def test_the_tracker_on_the_memo_and_task_pages_shows_capacity_and_waiting(api):
    m = _to_worawit(api)
    task_id = my_task(api, "worawit")
    Task.objects.filter(pk=task_id).update(created=timezone.now() - dt.timedelta(hours=2))
    for client, url in ((login("rewadee"), f"/memos/{m['id']}/"), (login("worawit"), f"/tasks/{task_id}/")):
        page = client.get(url).content.decode()
        tracker = page[page.index('class="mdc-card vf-card office-tracker"'):]
        tracker = tracker[: tracker.index("</ol>")]
        assert tracker.count('data-status="done"') == 2 and tracker.count('data-status="current"') == 1
        assert 'class="office-acting">รักษาราชการแทน ปลัดเทศบาลตำบลคลองพน' in tracker, tracker
        assert "รอ ๒ ชั่วโมง" in tracker
        assert "นายกเทศมนตรี" in tracker and 'data-status="pending"' in tracker


def test_the_api_route_has_per_step_status(api):
    m = _to_worawit(api)
    body = api("rewadee").get(f"/api/memos/{m['id']}/").json()
    route = body["route"]
    assert [s["step"] for s in route] == [1, 2, 3, 4] and all(s["position"] for s in route)  # as before
    assert [s["status"] for s in route] == ["done", "done", "current", "pending"]
    assert route[0]["decided_at"] and route[0]["official"] and route[0]["waiting_since"] is None
    assert route[2]["capacity"] == "รักษาราชการแทน ปลัดเทศบาลตำบลคลองพน" and route[2]["acting"] is True
    assert route[2]["waiting_since"] and route[2]["decided_at"] is None
    assert route[2]["participants"][0]["status"] == "current"
    schema = api("rewadee").get("/api/schema/", HTTP_ACCEPT="application/json").json()
    step = schema["components"]["schemas"]["RouteStep"]["properties"]
    assert {"status", "official", "capacity", "decided_at", "waiting_since", "participants"} <= set(step)
    # a draft has no route of its own yet: the API says so as before; the page shows the unit's route
    draft = create_memo(api, subject="ร่าง")
    assert api("rewadee").get(f"/api/memos/{draft['id']}/").json()["route"] == []
    page = login("rewadee").get(f"/memos/{draft['id']}/").content.decode()
    assert page.count('data-status="pending"') == 4


def test_after_a_return_the_tracker_shows_the_returning_step_and_the_rest_to_come(api):
    m = create_memo(api, subject="เรื่องที่ถูกส่งคืน")
    api("rewadee").post(f"/api/memos/{m['id']}/submit/")
    api("anchana").post(f"/api/tasks/{my_task(api, 'anchana')}/decide/",
                        {"decision": "return", "comment": "แก้ไขข้อ ๑"}, format="json")
    steps = tracking.route_status(Memo.objects.get(pk=m["id"]))
    assert [s.status for s in steps] == ["done", "pending", "pending", "pending"]
    assert steps[0].participants[0].decision == "return" and steps[0].participants[0].comment == "แก้ไขข้อ ๑"


def test_viewflow_pages_name_the_process_by_its_memo(api):
    m = create_memo(api, subject="ขอจัดซื้อครุภัณฑ์")
    api("rewadee").post(f"/api/memos/{m['id']}/submit/")
    process = MemoProcess.objects.get(memo_id=m["id"])
    assert str(process) == f"{Memo.objects.get(pk=m['id']).number_display} ขอจัดซื้อครุภัณฑ์ (รอบที่ 1)"
    assert process.brief == str(process)
    assert Task.objects.filter(process=process, status=STATUS.ASSIGNED).count() == 1
